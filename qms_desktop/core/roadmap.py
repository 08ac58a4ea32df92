"""The implementation roadmap: the ten steps of implementing a QMS, checked against the workspace.

Pure rules over :class:`Facts` (plain numbers, booleans and dates that
``services.roadmap.facts`` reads from the workspace). :func:`steps` turns them into ten
:class:`Step`\\ s, each with its checks ("core processes mapped: 7 of 10"), a state and the next
concrete action with the page that does it; :func:`next_step` is the first step not done.

The rules (constants below, so the page and the tests say the same):

1. **Commitment and scope** — the organization is named, the scope of the QMS is written,
   every claimed exclusion has a justification, and leadership commitment is confirmed (by the
   user, on the roadmap page: it cannot be read from records).
2. **Gap analysis** — a gap analysis was started, and one is completed (its run has a
   completion date or reached the *complete* / *follow-up* stage, or every question is
   answered). The latest one's score is shown.
3. **Policy and objectives** — the quality policy is a controlled document (the organization's
   policy document, else any document of kind *policy*) that is approved or in force (a policy
   typed only as text on the profile counts as written, not approved); at least
   ``MIN_OBJECTIVES`` objective(s), each with a measurable target.
4. **Process maps** — the core processes are identified and each is mapped (its flowchart has
   at least ``MIN_MAP_STEPS`` step) and has an owner. *Core processes* are the top-level
   processes that are not retired (the process model has no "core" flag; sub-processes belong
   to their parent's map).
5. **Roles and procedures** — roles exist, every active person holds one today, at least one
   procedure or work instruction exists, and every one has a revision in force.
6. **Training** — training requirements are set (the competence matrix requires something) and
   at least ``TRAINING_CURRENT_PERCENT`` % of the required cells are current.
7. **Operate** — every objective has measurements, and the system has run with records for at
   least ``MIN_OPERATION_MONTHS`` months (since the first measurement, internal audit or
   nonconformity).
8. **Monitor and audit** — the first internal audit is scheduled, one is done, and the audit
   programme (planned or done, any year) covers every core process.
9. **Review and improve** — a management review was held, and every closed nonconformity had
   the effectiveness of its corrective action checked.
10. **Certification** — the readiness checks of steps 1–9 are all done and the certification
    audit is booked (date and body, confirmed by the user).

A step is *done* when all its checks are, *in progress* when any check has progress, else *not
started*. A check's ``fraction`` (0–1) measures partial progress (7 of 10 → 0.7); the overall
**readiness for certification** (:func:`readiness`) is the mean of the fractions of the checks
of steps 1–9, as a whole percentage. Nothing divides by zero: an empty set of things to count
is "none yet" (not done) where something is required, or vacuously done where it is a
condition on things that may not exist (exclusions, closed nonconformities).

Texts are English in our own words (never the standard's text); every function takes a ``tr``
so the GUI can translate them (``tr`` receives the template before it is formatted).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Callable

#: training: the share of required training that must be current (percent)
TRAINING_CURRENT_PERCENT = 90.0
#: operate: months of running with records before the certification audit
MIN_OPERATION_MONTHS = 3
#: objectives: how many quality objectives at least
MIN_OBJECTIVES = 1
#: a process is mapped when its flowchart has at least this many steps
MIN_MAP_STEPS = 1

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
STATES = (DONE, IN_PROGRESS, NOT_STARTED)
#: read without colour
SYMBOLS = {DONE: "✓", IN_PROGRESS: "◐", NOT_STARTED: "○"}
LABELS = {DONE: "done", IN_PROGRESS: "in progress", NOT_STARTED: "not started"}
CHECK_SYMBOLS = {True: "✓", False: "○"}
#: a check with nothing to check (no exclusions claimed, no closed nonconformities)
NOT_APPLICABLE_SYMBOL = "–"


def check_symbol(check: "Check") -> str:
    """✓ done, ○ not done, – not applicable (a vacuous check: neither ticked nor counted)."""
    return NOT_APPLICABLE_SYMBOL if check.vacuous else CHECK_SYMBOLS[check.done]

#: page keys of the roadmap's own confirmations (handled on the roadmap page)
ROADMAP_PAGE = "roadmap"
CONFIRM_COMMITMENT = "commitment"
CONFIRM_CERTIFICATION = "certification"

Tr = Callable[[str], str]


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Facts:
    """What the roadmap needs to know about a workspace: plain numbers, booleans and dates."""

    today: dt.date = field(default_factory=dt.date.today)
    # 1 commitment and scope
    organization: str = ""
    scope_set: bool = False
    exclusions: int = 0
    exclusions_justified: int = 0
    commitment_on: dt.date | None = None
    commitment_by: str = ""
    # 2 gap analysis
    gap_started: int = 0
    gap_completed: int = 0
    gap_score: float | None = None  # percent, of the latest gap analysis
    gap_answered: int = 0  # of the latest gap analysis
    gap_items: int = 0
    gap_run_id: int | None = None  # the latest, when it is still open
    # 3 policy and objectives
    policy_text: bool = False  # typed on the profile (no controlled document)
    policy_document: bool = False
    policy_approved: bool = False  # approved or in force
    policy_effective: bool = False
    policy_document_id: int | None = None
    objectives: int = 0
    objectives_with_target: int = 0
    objectives_measured: int = 0
    # 4 process maps
    processes: int = 0  # core processes
    processes_mapped: int = 0
    processes_with_owner: int = 0
    unmapped_process_id: int | None = None  # the first core process without a map
    # 5 roles and procedures
    roles: int = 0
    people: int = 0  # active
    people_with_role: int = 0
    procedures: int = 0  # procedures and work instructions, not obsolete
    procedures_effective: int = 0
    # 6 training
    training_required: int = 0  # required cells of the competence matrix
    training_current: int = 0  # of them current (or expiring)
    #: to train now, as the Training page counts it (expired, missing, retraining past its
    #: grace period; a cell *due* within its grace period is not late)
    training_late: int = 0
    # 7 operate
    first_record_on: dt.date | None = None
    # 8 monitor and audit
    audits_planned: int = 0
    audits_done: int = 0
    next_audit_on: dt.date | None = None
    processes_audited: int = 0  # core processes in the audit programme
    # 9 review and improve
    reviews_held: int = 0
    last_review_on: dt.date | None = None
    ncs_open: int = 0
    ncs_closed: int = 0
    ncs_checked: int = 0  # closed with the effectiveness check recorded
    # 10 certification
    certification_on: dt.date | None = None
    certification_body: str = ""

    @property
    def training_percent(self) -> float | None:
        if not self.training_required:
            return None
        return 100.0 * self.training_current / self.training_required

    @property
    def operation_months(self) -> int:
        """Whole months from the first record to today (0 with none)."""
        return months_between(self.first_record_on, self.today)


def months_between(start: dt.date | None, end: dt.date) -> int:
    if start is None or start > end:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    #: "7 of 10", "84 %", "no", a date…
    progress: str = ""
    #: 0–1, partial progress (1 when done)
    fraction: float = 0.0
    #: done only because there is nothing to check (no exclusions claimed, no closed
    #: nonconformities): counts neither as progress nor towards readiness
    vacuous: bool = False


@dataclass(frozen=True)
class NextAction:
    text: str
    #: page key that does it ("roadmap" for a confirmation on the roadmap page itself)
    page: str
    #: filters for ``openList`` (or, for the roadmap page, {"confirm": what})
    filters: dict = field(default_factory=dict)
    #: (entity, id) to open instead of a list, e.g. ("process", 7)
    record: tuple[str, int] | None = None
    #: the button's short target name ("Processes")
    target: str = ""


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    why: str
    checks: tuple[Check, ...]
    next_action: NextAction | None

    @property
    def counted(self) -> tuple[Check, ...]:
        """The checks that measure something (vacuous ones left out)."""
        return tuple(c for c in self.checks if not c.vacuous)

    @property
    def done_checks(self) -> int:
        return sum(c.done for c in self.counted)

    @property
    def fraction(self) -> float:
        """0–1: the mean fraction of the counted checks (1 when there are none)."""
        counted = self.counted
        return sum(c.fraction for c in counted) / len(counted) if counted else 1.0

    @property
    def not_applicable(self) -> int:
        """Checks with nothing to check (shown with "–", not counted)."""
        return sum(1 for c in self.checks if c.vacuous)

    def checks_text(self, tr: Tr = _same) -> str:
        """"1 of 3 checks", "0 of 1 check (1 not applicable)", "Nothing to check yet (2 not
        applicable)": what the ticks show."""
        total = len(self.counted)
        if not total:
            text = tr("Nothing to check yet")
        elif total == 1:
            text = tr("{n} of 1 check").format(n=self.done_checks)
        else:
            text = tr("{n} of {total} checks").format(n=self.done_checks, total=total)
        if self.not_applicable:
            text += " " + tr("({n} not applicable)").format(n=self.not_applicable)
        return text

    @property
    def state(self) -> str:
        if all(c.done for c in self.checks):
            return DONE
        if any((c.done or c.fraction > 0) and not c.vacuous for c in self.checks):
            return IN_PROGRESS
        return NOT_STARTED


# --------------------------------------------------------------------------- check helpers

def _count(tr: Tr, label: str, n: int, total: int, *, vacuous: bool = False,
           none: str | None = None) -> Check:
    """"n of total": done when all are; with total 0 done only when ``vacuous``."""
    if total <= 0:
        return Check(label, vacuous, none if none is not None else tr("none yet"),
                     1.0 if vacuous else 0.0, vacuous=vacuous)
    n = max(0, min(n, total))
    return Check(label, n >= total, tr("{n} of {total}").format(n=n, total=total), n / total)


def _yes(tr: Tr, label: str, done: bool, progress: str = "") -> Check:
    return Check(label, done, progress or (tr("yes") if done else tr("no")),
                 1.0 if done else 0.0)


def _at_least(tr: Tr, label: str, n: int, least: int, text: str) -> Check:
    return Check(label, n >= least, text, min(n / least, 1.0) if least > 0 else 1.0)


def _plural(tr: Tr, n: int, one: str, many: str) -> str:
    return tr(one if n == 1 else many).format(n=n)


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


# --------------------------------------------------------------------------- the ten steps

def steps(f: Facts, tr: Tr = _same) -> list[Step]:
    """The ten steps for ``f`` (see the module's rules)."""
    first = [_commitment(f, tr), _gap(f, tr), _policy(f, tr), _maps(f, tr), _roles(f, tr),
             _training(f, tr), _operate(f, tr), _audit(f, tr), _review(f, tr)]
    return first + [_certification(f, tr, first)]


def next_step(all_steps: list[Step]) -> Step | None:
    """The first step not done (None when every step is)."""
    return next((s for s in all_steps if s.state != DONE), None)


def readiness(all_steps: list[Step]) -> int:
    """Readiness for certification, percent: the mean fraction of the checks of steps 1–9."""
    checks = [c for s in all_steps if s.number < 10 for c in s.checks if not c.vacuous]
    if not checks:
        return 0
    return int(round(100.0 * sum(c.fraction for c in checks) / len(checks)))


def _commitment(f: Facts, tr: Tr) -> Step:
    checks = (
        _yes(tr, tr("Organization named"), bool(f.organization.strip()),
             f.organization.strip() or tr("no")),
        _yes(tr, tr("Scope of the QMS written"), f.scope_set),
        _count(tr, tr("Exclusions justified"), f.exclusions_justified, f.exclusions,
               vacuous=True, none=tr("none claimed")),
        _yes(tr, tr("Leadership commitment confirmed"), f.commitment_on is not None,
             _date(f.commitment_on)),
    )
    if not f.organization.strip() or not f.scope_set:
        # only what is missing: the name, the scope, or both
        act = NextAction(tr("Name your organization") if f.scope_set else
                         tr("Write the scope of your QMS") if f.organization.strip() else
                         tr("Name your organization and write the scope of your QMS"),
                         "context", {"tab": "scope"}, target=tr("Context & policy"))
    elif f.exclusions_justified < f.exclusions:
        act = NextAction(tr("Justify your exclusions — {n} without a reason").format(
            n=f.exclusions - f.exclusions_justified), "context", {"tab": "scope"},
            target=tr("Context & policy"))
    elif f.commitment_on is None:
        act = NextAction(tr("Confirm that top management commits to the QMS"),
                         ROADMAP_PAGE, {"confirm": CONFIRM_COMMITMENT}, target=tr("Confirm"))
    else:
        act = None
    return Step(1, "commitment", tr("Commitment and scope"),
                tr("Without management's backing and a clear boundary, the work that follows "
                   "has no owner and no edge."), checks, act)


def _gap(f: Facts, tr: Tr) -> Step:
    if f.gap_items:
        answered = tr("{n} of {total} answered").format(n=f.gap_answered, total=f.gap_items)
        score = "" if f.gap_score is None else tr("score {pct} %").format(pct=f"{f.gap_score:.0f}")
        progress = " · ".join(x for x in (answered, score) if x)
        fraction = 1.0 if f.gap_completed else f.gap_answered / f.gap_items
    else:
        progress, fraction = ("", 1.0 if f.gap_completed else 0.0)
    checks = (
        _yes(tr, tr("Gap analysis started"), f.gap_started > 0),
        Check(tr("Gap analysis completed"), f.gap_completed > 0,
              progress or (tr("yes") if f.gap_completed else tr("no")), fraction),
    )
    if not f.gap_started:
        act = NextAction(tr("Start a gap analysis: check where you stand against ISO 9001"),
                         "checklists", {"tab": "runs", "start": "gap_analysis"},
                         target=tr("Checklists & Audits"))
    elif not f.gap_completed:
        left = max(f.gap_items - f.gap_answered, 0)
        text = (tr("Finish the gap analysis — {n} of {total} questions still open").format(
            n=left, total=f.gap_items) if f.gap_items and left
            else tr("Finish the gap analysis and mark it complete"))
        act = NextAction(text, "checklists",
                         {"tab": "runs", "kind": "gap_analysis", "stage": None,
                          **({"run": f.gap_run_id} if f.gap_run_id else {})},
                         target=tr("Checklists & Audits"))
    else:
        act = None
    return Step(2, "gap", tr("Gap analysis"),
                tr("Knowing what already works and what is missing keeps the effort on the "
                   "real gaps."), checks, act)


def _policy(f: Facts, tr: Tr) -> Step:
    written = f.policy_document or f.policy_text
    if f.policy_effective:
        state = tr("in force")
    elif f.policy_approved:
        state = tr("approved")
    elif f.policy_document:
        state = tr("draft")
    elif f.policy_text:
        state = tr("text on the profile only")
    else:
        state = tr("no")
    checks = (
        _yes(tr, tr("Quality policy written"), written, state if written else ""),
        Check(tr("Quality policy approved"), f.policy_approved, state,
              1.0 if f.policy_approved else 0.0),
        _at_least(tr, tr("Quality objectives set"), f.objectives, MIN_OBJECTIVES,
                  _plural(tr, f.objectives, "{n} objective", "{n} objectives") if f.objectives
                  else tr("none yet")),
        _count(tr, tr("Objectives with a measurable target"), f.objectives_with_target,
               f.objectives),
    )
    if not f.policy_document:
        act = NextAction(tr("Write your quality policy as a controlled document"), "context",
                         {"tab": "policy"}, target=tr("Context & policy"))
    elif not f.policy_approved:
        act = NextAction(tr("Have the quality policy approved"), "documents",
                         {"kind": "policy", "status": None, "owner": None,
                          "review_overdue": False},
                         record=("document", f.policy_document_id)
                         if f.policy_document_id else None, target=tr("Documents"))
    elif f.objectives < MIN_OBJECTIVES:
        act = NextAction(tr("Set measurable quality objectives"), "objectives",
                         target=tr("Objectives & KPIs"))
    elif f.objectives_with_target < f.objectives:
        act = NextAction(tr("Give every objective a target — {n} of {total} without "
                            "one").format(n=f.objectives - f.objectives_with_target,
                                          total=f.objectives),
                         "objectives", target=tr("Objectives & KPIs"))
    else:
        act = None
    return Step(3, "policy", tr("Policy and objectives"),
                tr("The policy says what quality means here; objectives turn it into numbers "
                   "you can follow."), checks, act)


def _maps(f: Facts, tr: Tr) -> Step:
    checks = (
        _at_least(tr, tr("Core processes identified"), f.processes, 1,
                  _plural(tr, f.processes, "{n} process", "{n} processes") if f.processes
                  else tr("none yet")),
        _count(tr, tr("Core processes mapped"), f.processes_mapped, f.processes),
        _count(tr, tr("Process owners named"), f.processes_with_owner, f.processes),
    )
    if not f.processes:
        act = NextAction(tr("List your core processes (sales, purchasing, production…)"),
                         "processes", target=tr("Processes"))
    elif f.processes_mapped < f.processes:
        act = NextAction(tr("Map your core processes — {n} of {total} still without a "
                            "map").format(n=f.processes - f.processes_mapped,
                                          total=f.processes),
                         "processes", record=("process", f.unmapped_process_id)
                         if f.unmapped_process_id else None, target=tr("Processes"))
    elif f.processes_with_owner < f.processes:
        act = NextAction(tr("Name an owner for every process — {n} of {total} without "
                            "one").format(n=f.processes - f.processes_with_owner,
                                          total=f.processes),
                         "processes", target=tr("Processes"))
    else:
        act = None
    return Step(4, "maps", tr("Process maps"),
                tr("A map shows who does what, in which order, with which documents — the "
                   "backbone of everything else."), checks, act)


def _roles(f: Facts, tr: Tr) -> Step:
    checks = (
        _at_least(tr, tr("Roles defined"), f.roles, 1,
                  _plural(tr, f.roles, "{n} role", "{n} roles") if f.roles else tr("none yet")),
        _count(tr, tr("People assigned to roles"), f.people_with_role, f.people),
        _at_least(tr, tr("Procedures written"), f.procedures, 1,
                  _plural(tr, f.procedures, "{n} procedure", "{n} procedures") if f.procedures
                  else tr("none yet")),
        _count(tr, tr("Procedures in force"), f.procedures_effective, f.procedures),
    )
    training = {"department": None, "role": None, "status": None, "text": "", "course": ""}
    docs = {"kind": "procedure", "status": None, "owner": None, "review_overdue": False}
    if not f.roles or not f.people:
        act = NextAction(tr("Add your people and the roles they hold"), "training", training,
                         target=tr("Training"))
    elif f.people_with_role < f.people:
        act = NextAction(tr("Give every person a role — {n} of {total} without one").format(
            n=f.people - f.people_with_role, total=f.people), "training", training,
            target=tr("Training"))
    elif not f.procedures:
        act = NextAction(tr("Write the procedures your processes need"), "documents", docs,
                         target=tr("Documents"))
    elif f.procedures_effective < f.procedures:
        act = NextAction(tr("Bring your procedures into force — {n} of {total} not yet "
                            "approved").format(n=f.procedures - f.procedures_effective,
                                               total=f.procedures),
                         "documents", {**docs, "kind": None, "status": "pending"},
                         target=tr("Documents"))
    else:
        act = None
    return Step(5, "roles", tr("Roles and procedures"),
                tr("Everyone should know their job in each process and find the written way "
                   "of doing it."), checks, act)


def _training(f: Facts, tr: Tr) -> Step:
    pct = f.training_percent
    checks = (
        _yes(tr, tr("Training requirements set"), f.training_required > 0,
             _plural(tr, f.training_required, "{n} required training", "{n} required trainings")
             if f.training_required else tr("none yet")),
        Check(tr("Training records up to date"),
              pct is not None and pct >= TRAINING_CURRENT_PERCENT,
              tr("{pct} % current (goal {goal} %)").format(
                  pct=math.floor(pct), goal=f"{TRAINING_CURRENT_PERCENT:.0f}")
              if pct is not None else tr("nothing required yet"),
              0.0 if pct is None else min(pct / TRAINING_CURRENT_PERCENT, 1.0)),
    )
    base = {"department": None, "role": None, "status": None, "text": "", "course": ""}
    if not f.training_required:
        act = NextAction(tr("Say which courses each role needs"), "training", base,
                         target=tr("Training"))
    elif pct is not None and pct < TRAINING_CURRENT_PERCENT and f.training_late:
        # the Training page's own figure and words ("47 to train now")
        act = NextAction(tr("Catch up on training — {n} to train now").format(
            n=f.training_late), "training", {**base, "status": "late"}, target=tr("Training"))
    elif pct is not None and pct < TRAINING_CURRENT_PERCENT:
        act = NextAction(tr("Plan the training that falls due — {n} required trainings not "
                            "current, none late yet").format(
            n=f.training_required - f.training_current), "training", base,
            target=tr("Training"))
    else:
        act = None
    return Step(6, "training", tr("Training"),
                tr("People must be able to do what the procedures ask, and you must be able "
                   "to show it."), checks, act)


def _operate(f: Facts, tr: Tr) -> Step:
    months = f.operation_months
    checks = (
        _count(tr, tr("Objectives measured"), f.objectives_measured, f.objectives),
        Check(tr("Running with records for {n} months").format(n=MIN_OPERATION_MONTHS),
              months >= MIN_OPERATION_MONTHS,
              (tr("{n} months, since {day}").format(n=months, day=_date(f.first_record_on))
               if months >= MIN_OPERATION_MONTHS else
               tr("{n} of {total} months").format(n=months, total=MIN_OPERATION_MONTHS)
               + (tr(", since {day}").format(day=_date(f.first_record_on))
                  if f.first_record_on else "")),
              min(months / MIN_OPERATION_MONTHS, 1.0)),
    )
    if f.objectives_measured < f.objectives or not f.objectives:
        text = (tr("Record measurements — {n} of {total} objectives not measured yet").format(
            n=f.objectives - f.objectives_measured, total=f.objectives) if f.objectives
            else tr("Set objectives and record their measurements"))
        act = NextAction(text, "objectives", target=tr("Objectives & KPIs"))
    elif months < MIN_OPERATION_MONTHS:
        left = MIN_OPERATION_MONTHS - months
        act = NextAction((tr("Keep working to the system and record results — {n} more "
                             "months to go") if left != 1 else
                          tr("Keep working to the system and record results — one more "
                             "month to go")).format(n=left),
                         "objectives", target=tr("Objectives & KPIs"))
    else:
        act = None
    return Step(7, "operate", tr("Operate"),
                tr("The system has to run for a while, pilot first, so there are records that "
                   "show it works."), checks, act)


def _audit(f: Facts, tr: Tr) -> Step:
    checks = (
        _yes(tr, tr("First internal audit scheduled"), f.audits_planned > 0,
             _date(f.next_audit_on) if f.next_audit_on else ""),
        _at_least(tr, tr("Internal audit done"), f.audits_done, 1,
                  tr("{n} done").format(n=f.audits_done) if f.audits_done else tr("no")),
        _count(tr, tr("Core processes in the audit programme"), f.processes_audited,
               f.processes),
    )
    flt = {"tab": "runs", "kind": "internal_audit", "stage": None}
    if not f.audits_planned:
        act = NextAction(tr("Schedule your first internal audit"), "checklists", flt,
                         target=tr("Checklists & Audits"))
    elif not f.audits_done:
        act = NextAction(tr("Carry out the internal audit and complete it"), "checklists",
                         flt, target=tr("Checklists & Audits"))
    elif f.processes_audited < f.processes:
        act = NextAction(tr("Plan audits for every core process — {n} of {total} not in the "
                            "programme").format(n=f.processes - f.processes_audited,
                                                total=f.processes),
                         "checklists", {"tab": "programme"}, target=tr("Checklists & Audits"))
    else:
        act = None
    return Step(8, "audit", tr("Monitor and audit"),
                tr("Measuring and auditing show whether the system works as planned before an "
                   "outsider looks."), checks, act)


def _review(f: Facts, tr: Tr) -> Step:
    checks = (
        _at_least(tr, tr("Management review held"), f.reviews_held, 1,
                  _date(f.last_review_on) if f.last_review_on else tr("no")),
        _count(tr, tr("Closed nonconformities checked for effectiveness"), f.ncs_checked,
               f.ncs_closed, vacuous=True, none=tr("none closed yet")),
    )
    if not f.reviews_held:
        act = NextAction(tr("Hold your first management review"), "reviews",
                         target=tr("Management review"))
    elif f.ncs_checked < f.ncs_closed:
        act = NextAction(tr("Check that corrective actions worked — {n} closed "
                            "nonconformities without a check").format(
                                n=f.ncs_closed - f.ncs_checked),
                         "nonconformities", target=tr("Nonconformities"))
    else:
        act = None
    return Step(9, "review", tr("Review and improve"),
                tr("Management looks at the results and decides what to change; problems get "
                   "fixed at their cause."), checks, act)


def _certification(f: Facts, tr: Tr, first: list[Step]) -> Step:
    open_steps = [s for s in first if s.state != DONE]
    booked = f.certification_on is not None
    booked_text = " · ".join(x for x in (_date(f.certification_on),
                                         f.certification_body.strip()) if x)
    checks = (
        Check(tr("Steps 1–9 done"), not open_steps,
              tr("{n} of {total}").format(n=len(first) - len(open_steps), total=len(first)),
              0.0 if open_steps else 1.0),
        _yes(tr, tr("Certification audit booked"), booked, booked_text),
    )
    if not booked:
        act = NextAction(tr("Book the certification audit with a certification body"),
                         ROADMAP_PAGE, {"confirm": CONFIRM_CERTIFICATION},
                         target=tr("Confirm"))
    else:
        act = None
    return Step(10, "certification", tr("Certification"),
                tr("An accredited body checks the running system; booking early gives everyone "
                   "a date to work to."), checks, act)
