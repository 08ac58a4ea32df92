"""Checklist rules: results, scores, trends, proposed findings, closure of a finding.

Pure Python (no Qt, no SQLAlchemy); ``services/checklists.py`` feeds it rows.

**Results.** An item is *conform*, *partial*, *nonconform*, *not applicable* (``"na"``) or
*not yet assessed* (``None``). The keys 1–5 give them in that order (:data:`RESULT_KEYS`).

**Score** (:func:`score`; :data:`SCORE_RULE` is the same rule as a text the UI shows beside
every score): each assessed item earns its weight × credit — conform 1, partial ½,
nonconform 0 — out of its weight. The score is the earned sum ÷ the possible sum, as a
percentage. Not-applicable items are left out of both sums; items not yet assessed are left
out too and counted separately (``Score.open``), so a half-done run shows the score of what has
been assessed plus how much is still open. A group with nothing assessed has no score
(``percent`` is None), never 0 %. Items of weight 0 are counted but do not move the score.

Groups: per clause (as written on the item), per chapter (the clause's first number, 4–10 for
ISO 9001) and per PDCA phase (the item's own phase, else its chapter's:
:data:`CHAPTER_PDCA`). The **trend** against an earlier run of the same template family is the
difference in percentage points, per group (None where either run has no score).

**Proposed findings** (:func:`proposed_finding_kind`): nonconform → minor nonconformity (the
auditor may raise it to major), partial → observation, conform with a note → opportunity for
improvement; not applicable and not assessed propose nothing.

**Closure** (ISO 9001 10.2, :func:`closure_problems`): a nonconformity (major or minor) closes
only with a correction, a root cause, at least one corrective action, every action finished
(done or verified; cancelled ones do not count), the effectiveness check described and the
verdict "effective". Observations and opportunities close freely.

**Programme** (:func:`programme_state`, :func:`step_date_problem`): an audit is *overdue* when
its day has passed uncompleted, or when a step of it (report, follow-up…) was planned for a
day that has passed and is not done — a completed run is not *done* while its report is late.
A step's done day is never after today and keeps the order plan → opening meeting → evidence
→ closing meeting → report → follow-up; planned days may lie ahead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

RESULTS = ("conform", "partial", "nonconform", "na")
#: every state an item can be in (None = not yet assessed)
STATES: tuple[str | None, ...] = RESULTS + (None,)
RESULT_LABELS: dict[str | None, str] = {
    "conform": "Conform", "partial": "Partly conform", "nonconform": "Nonconform",
    "na": "Not applicable", None: "Not yet assessed"}
#: the keyboard keys (and typed-back digits) for the results
RESULT_KEYS: dict[str, str | None] = {"1": "conform", "2": "partial", "3": "nonconform",
                                      "4": "na", "5": None}
#: what an assessed item earns of its weight
CREDIT = {"conform": 1.0, "partial": 0.5, "nonconform": 0.0}

SCORE_RULE = ("Score = points earned ÷ points possible. Each assessed item is worth its weight: "
              "conform earns all of it, partial half, nonconform none. Not applicable items "
              "are left out; items not yet assessed are left out and shown as open.")

PDCA_PHASES = ("plan", "do", "check", "act")
#: ISO 9001's chapters and the PDCA phase each belongs to
CHAPTER_PDCA = {"4": "plan", "5": "plan", "6": "plan", "7": "do", "8": "do", "9": "check",
                "10": "act"}
CHAPTERS = tuple(CHAPTER_PDCA)

FINDING_KINDS = ("major", "minor", "observation", "ofi")
FINDING_LABELS = {"major": "Major nonconformity", "minor": "Minor nonconformity",
                  "observation": "Observation", "ofi": "Opportunity for improvement"}
NONCONFORMITY_KINDS = ("major", "minor")

MAX_WEIGHT = 100.0

_WORDS: dict[str, str | None] = {
    "c": "conform", "conform": "conform", "conforms": "conform", "ok": "conform",
    "yes": "conform", "y": "conform", "✓": "conform", "✔": "conform",
    "p": "partial", "partial": "partial", "partly": "partial", "partly conform": "partial",
    "nc": "nonconform", "n": "nonconform", "nonconform": "nonconform", "no": "nonconform",
    "non-conform": "nonconform", "nonconformity": "nonconform", "✗": "nonconform",
    "x": "nonconform",
    "na": "na", "n/a": "na", "n.a.": "na", "not applicable": "na", "-": "na",
    "": None, "?": None, "open": None, "not yet assessed": None, "not assessed": None,
}


class ChecklistRuleError(ValueError):
    """A value breaks a checklist rule; ``str(e)`` is one sentence for the user."""


def parse_result(text: str | None) -> str | None:
    """A result from what a user typed (a key 1–5, a word, a tick): "1" → "conform", "n/a" →
    "na", "" → None. Raises ChecklistRuleError for anything else."""
    if text is None:
        return None
    key = " ".join(str(text).strip().casefold().split())
    if key in RESULT_KEYS:
        return RESULT_KEYS[key]
    if key in _WORDS:
        return _WORDS[key]
    raise ChecklistRuleError(
        f"“{text}” is not a result: type 1 conform, 2 partial, 3 nonconform, 4 not applicable "
        "or 5 not yet assessed.")


def check_result(result: str | None) -> str | None:
    if result not in STATES:
        raise ChecklistRuleError(
            f"“{result}” is not a result: use conform, partial, nonconform, na or leave it "
            "empty.")
    return result


def check_weight(weight) -> float:
    """A weight as stored: a number from 0 to :data:`MAX_WEIGHT`."""
    try:
        value = float(str(weight).replace(",", ".")) if isinstance(weight, str) else float(weight)
    except (TypeError, ValueError):
        raise ChecklistRuleError(f"“{weight}” is not a weight: use a number such as 1 or 2.") \
            from None
    if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
        raise ChecklistRuleError(f"A weight must lie between 0 and {MAX_WEIGHT:g}.")
    return value


# --------------------------------------------------------------------------- groups


def chapter_of(clause: str) -> str:
    """The chapter of a clause reference ("8.5.1" → "8"; "" or text without one → "")."""
    m = re.match(r"\s*(\d+)", clause or "")
    return m.group(1) if m else ""


def clause_key(clause: str) -> tuple:
    """Sort key putting clause numbers in document order ("8.10" after "8.9")."""
    parts = re.findall(r"\d+|[^\d.]+", clause or "")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts) or ((2, ""),)


def pdca_of(clause: str, pdca: str = "") -> str:
    """The item's own PDCA phase, else its chapter's ("" when neither is known)."""
    return pdca if pdca in PDCA_PHASES else CHAPTER_PDCA.get(chapter_of(clause), "")


@dataclass(frozen=True, slots=True)
class Answer:
    """What scoring needs of one item of a run."""

    clause: str
    result: str | None
    weight: float = 1.0
    pdca: str = ""
    section: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    conform: int = 0
    partial: int = 0
    nonconform: int = 0
    na: int = 0
    open: int = 0
    earned: float = 0.0
    possible: float = 0.0

    @property
    def total(self) -> int:
        return self.conform + self.partial + self.nonconform + self.na + self.open

    @property
    def assessed(self) -> int:
        """Items with a result, not applicable included."""
        return self.total - self.open

    @property
    def percent(self) -> float | None:
        """The score in %, or None when nothing scorable has been assessed."""
        return 100.0 * self.earned / self.possible if self.possible > 0 else None

    @property
    def progress(self) -> float:
        """Share of items assessed, 0–1 (1 for an empty group)."""
        return self.assessed / self.total if self.total else 1.0

    def text(self) -> str:
        """The score as the UI and reports print it: "72 % (18 of 25 assessed, 2 not
        applicable)"."""
        pct = "no score" if self.percent is None else f"{self.percent:.0f} %"
        parts = [f"{self.assessed} of {self.total} assessed"]
        if self.na:
            parts.append(f"{self.na} not applicable")
        return f"{pct} ({', '.join(parts)})"


def score(answers: Iterable[Answer]) -> Score:
    """The score of ``answers`` by the rule in the module docstring."""
    counts = {"conform": 0, "partial": 0, "nonconform": 0, "na": 0, None: 0}
    earned = possible = 0.0
    for a in answers:
        counts[a.result] += 1
        credit = CREDIT.get(a.result)
        if credit is not None:
            earned += a.weight * credit
            possible += a.weight
    return Score(counts["conform"], counts["partial"], counts["nonconform"], counts["na"],
                 counts[None], earned, possible)


def score_by(answers: Sequence[Answer], key: Callable[[Answer], Hashable],
             order: Iterable[Hashable] = ()) -> dict:
    """{group: Score}; groups named in ``order`` come first (even when empty), then the others
    in the order met."""
    groups: dict = {k: [] for k in order}
    for a in answers:
        groups.setdefault(key(a), []).append(a)
    return {k: score(v) for k, v in groups.items()}


def scores_by_clause(answers: Sequence[Answer]) -> dict[str, Score]:
    got = score_by(answers, lambda a: a.clause)
    return {k: got[k] for k in sorted(got, key=clause_key)}


def scores_by_chapter(answers: Sequence[Answer], chapters: Iterable[str] = CHAPTERS
                      ) -> dict[str, Score]:
    """Per chapter; ``chapters`` (4–10 by default) always listed, others after, "" last."""
    got = score_by(answers, lambda a: chapter_of(a.clause), chapters)
    return {k: got[k] for k in sorted(got, key=lambda c: (c == "", clause_key(c)))}


def scores_by_pdca(answers: Sequence[Answer]) -> dict[str, Score]:
    got = score_by(answers, lambda a: pdca_of(a.clause, a.pdca), PDCA_PHASES)
    return {k: v for k, v in got.items() if k or v.total}


def scores_by_section(answers: Sequence[Answer]) -> dict[str, Score]:
    return score_by(answers, lambda a: a.section)


def trend(current: dict, previous: dict) -> dict:
    """{group: change in percentage points since ``previous``} for the groups of ``current``
    (None where either run has no score for the group)."""
    out = {}
    for k, now in current.items():
        before = previous.get(k)
        if now.percent is None or before is None or before.percent is None:
            out[k] = None
        else:
            out[k] = now.percent - before.percent
    return out


# --------------------------------------------------------------------------- findings


def proposed_finding_kind(result: str | None, note: str = "") -> str | None:
    """The finding an answer proposes (see the module docstring); None: none."""
    if result == "nonconform":
        return "minor"
    if result == "partial":
        return "observation"
    if result == "conform" and note.strip():
        return "ofi"
    return None


def is_nonconformity(kind: str) -> bool:
    return kind in NONCONFORMITY_KINDS


@dataclass(frozen=True, slots=True)
class ActionState:
    status: str
    kind: str = "corrective"
    #: the action's ID ("A-037"): a nonconformity's closure names its unfinished actions
    ref: str = ""


def closure_problems(kind: str, *, correction: str, root_cause: str,
                     actions: Sequence[ActionState], effectiveness_check: str,
                     effective: bool | None, subject: str = "finding",
                     correction_text: str = "Record the correction (what was done about the "
                                            "nonconformity itself).",
                     root_cause_text: str = "Record the root cause.",
                     name_unfinished: bool = False, judge_always: bool = False) -> list[str]:
    """What keeps a finding from closing, one sentence each (empty: it may close).

    The one ISO 9001 10.2 rule: an audit finding uses it as it is; a nonconformity of the
    CAPA register (``core.capa.closure_problems``) calls it with its own ``subject`` and
    sentences for the correction and root cause it asks for, ``name_unfinished`` (each
    unfinished action named: "Finish A-037 (in progress) first.") and ``judge_always`` (the
    verdict asked for even while the check is not described, so every gap shows at once)."""
    if not is_nonconformity(kind):
        return []
    out = []
    if not (correction or "").strip():
        out.append(correction_text)
    if not (root_cause or "").strip():
        out.append(root_cause_text)
    live = [a for a in actions if a.status != "cancelled"]
    if not live:
        out.append("Raise at least one corrective action.")
    elif any(a.status not in ("done", "verified") for a in live):
        unfinished = [a for a in live if a.status not in ("done", "verified")]
        if name_unfinished and all(a.ref for a in unfinished):
            out += [f"Finish {a.ref} ({a.status.replace('_', ' ')}) first." for a in unfinished]
        else:
            out.append(f"Finish every action of the {subject} first.")
    if not (effectiveness_check or "").strip():
        out.append("Describe how the effectiveness of the actions was checked.")
        if judge_always and effective is None:
            out.append("Judge whether the actions were effective.")
    elif effective is None:
        out.append("Judge whether the actions were effective.")
    elif effective is False:
        out.append("The actions were found not effective: raise a new action.")
    return out


# --------------------------------------------------------------------------- versions, codes


def next_version(version: str) -> str:
    """The version after ``version``: its last number plus one ("1" → "2", "2.3" → "2.4");
    a version without a number gets ".2" ("A" → "A.2")."""
    version = (version or "").strip()
    m = re.search(r"(\d+)(\D*)$", version)
    if not m:
        return f"{version}.2" if version else "2"
    return f"{version[:m.start(1)]}{int(m.group(1)) + 1}{m.group(2)}"


RUN_CODE_PREFIX = {"gap_analysis": "GA", "internal_audit": "IA", "inspection": "IN"}


def run_code(kind: str, year: int, number: int) -> str:
    """The short code printed on a blank: "IA26-03" (kind, two-digit year, number)."""
    return f"{RUN_CODE_PREFIX.get(kind, 'CL')}{year % 100:02d}-{number:02d}"


# --------------------------------------------------------------------------- programme

PROGRAMME_STATES = ("done", "overdue", "planned", "unplanned")
PROGRAMME_LABELS = {"done": "Done", "overdue": "Overdue", "planned": "Planned",
                    "unplanned": "Not planned"}
#: a symbol per state, so the programme reads without colour (screen, dashboard, print)
PROGRAMME_SYMBOLS = {"done": "✓", "planned": "○", "overdue": "⚠", "unplanned": "–"}


#: the ISO 19011 steps of an audit in their order (as ``storage.models.AUDIT_STEPS``)
AUDIT_STEP_ORDER = ("plan", "opening_meeting", "evidence", "closing_meeting", "report",
                    "follow_up")
#: how a step is named in messages (the UI has its own translated names)
STEP_NAMES = {"plan": "audit plan", "opening_meeting": "opening meeting",
              "evidence": "collecting evidence", "closing_meeting": "closing meeting",
              "report": "audit report", "follow_up": "follow-up"}


def late_steps(steps: Iterable[tuple[str, object, object]], today) -> list[str]:
    """The steps (``(step, planned_on, done_on)``) planned before ``today`` and not done, in
    their order."""
    late = {st for st, planned, done in steps
            if done is None and planned is not None and planned < today}
    return [st for st in AUDIT_STEP_ORDER if st in late] + sorted(
        late - set(AUDIT_STEP_ORDER))


def programme_state(planned_on, completed_on, today, late: Sequence[str] = ()) -> str:
    """An audit in the programme: *overdue* when a step of it (report, follow-up…) is
    planned before today and not done (``late``: :func:`late_steps`), even once the run is
    completed; else *done* once completed, *overdue* when its planned day has passed without
    completion, *planned* before that, *unplanned* without a day."""
    if late:
        return "overdue"
    if completed_on is not None:
        return "done"
    if planned_on is None:
        return "unplanned"
    return "overdue" if planned_on < today else "planned"


def step_date_problem(done: dict[str, object], step: str, done_on, today) -> str | None:
    """Why ``step`` cannot have been done on ``done_on`` (None: it can): not after ``today``,
    and in the order of :data:`AUDIT_STEP_ORDER` — not before an earlier step's done day, nor
    after a later step's, and never before every earlier step is done (nor undone while a
    later step is done). ``done`` maps the other steps to their done days (None: not
    done)."""
    name = STEP_NAMES.get(step, step)
    if done_on is not None and done_on > today:
        return (f"The {name} cannot be done on {done_on.isoformat()}: that day is still "
                f"ahead (today is {today.isoformat()}).")
    if step in AUDIT_STEP_ORDER:
        at = AUDIT_STEP_ORDER.index(step)
        if done_on is None:
            for other in AUDIT_STEP_ORDER[at + 1:]:
                if done.get(other) is not None:
                    return (f"The {name} cannot be undone while the {STEP_NAMES[other]} that "
                            f"comes later is done (on {done[other].isoformat()}).")
            return None
        for other in AUDIT_STEP_ORDER[:at]:
            if done.get(other) is None:
                return (f"The {name} cannot be done before the {STEP_NAMES[other]} that comes "
                        f"first is done.")
    if done_on is None or step not in AUDIT_STEP_ORDER:
        return None
    at = AUDIT_STEP_ORDER.index(step)
    for other in AUDIT_STEP_ORDER[:at]:
        day = done.get(other)
        if day is not None and done_on < day:
            return (f"The {name} cannot be done on {done_on.isoformat()}, before the "
                    f"{STEP_NAMES[other]} that comes first (done on {day.isoformat()}).")
    for other in AUDIT_STEP_ORDER[at + 1:]:
        day = done.get(other)
        if day is not None and done_on > day:
            return (f"The {name} cannot be done on {done_on.isoformat()}, after the "
                    f"{STEP_NAMES[other]} that comes later (done on {day.isoformat()}).")
    return None


def step_plan_problem(planned: dict[str, object], step: str, planned_on) -> str | None:
    """Why ``step`` cannot be planned on ``planned_on`` (None: it can): the planned days keep
    the order of :data:`AUDIT_STEP_ORDER` — not before an earlier step's planned day, nor
    after a later step's. ``planned`` maps the other steps to their planned days."""
    if planned_on is None or step not in AUDIT_STEP_ORDER:
        return None
    name = STEP_NAMES[step]
    at = AUDIT_STEP_ORDER.index(step)
    for other in AUDIT_STEP_ORDER[:at]:
        day = planned.get(other)
        if day is not None and planned_on < day:
            return (f"The {name} cannot be planned on {planned_on.isoformat()}, before the "
                    f"{STEP_NAMES[other]} that comes first (planned on {day.isoformat()}).")
    for other in AUDIT_STEP_ORDER[at + 1:]:
        day = planned.get(other)
        if day is not None and planned_on > day:
            return (f"The {name} cannot be planned on {planned_on.isoformat()}, after the "
                    f"{STEP_NAMES[other]} that comes later (planned on {day.isoformat()}).")
    return None


def run_dates_problem(run: str, started_on, completed_on, today) -> str | None:
    """Why a run (named ``run``) cannot have these start and completion days (None: it can):
    it is completed on or after its start, and neither day lies after ``today``."""
    if started_on is not None and completed_on is not None and completed_on < started_on:
        return (f"{run} cannot be completed on {completed_on.isoformat()}, before it started "
                f"on {started_on.isoformat()}.")
    for what, day in (("started", started_on), ("completed", completed_on)):
        if day is not None and day > today:
            return (f"{run} cannot be {what} on {day.isoformat()}: that day is still ahead "
                    f"(today is {today.isoformat()}).")
    return None
