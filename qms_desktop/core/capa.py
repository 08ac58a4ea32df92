"""Nonconformities and corrective action (CAPA, ISO 9001 10.2): pure rules, no Qt, no SQL.

**Lifecycle** (:data:`STATUSES`): open → contained → investigating → action → closed. Each
step names what it stands for (:data:`STEP_NEEDS`); :func:`step_problems` says what a record
still lacks for the step it is set to. Only *closed* is enforced: the other steps are where the
team says it is, and the page shows what is missing beside them.

**Closure** (:func:`closure_problems`): the ISO 9001 10.2 rule the audit findings use
(``core.checklists.closure_problems``, one rule for both) plus a described nonconformity: a
description; a correction or containment; a root cause (written, or a cause of the 5 Whys or
the fishbone marked as root); at least one corrective action that is not cancelled, every one
done or verified; the effectiveness check described and judged effective. Found not effective:
raise a new action (the verdict stays on record).

**5 Whys** (:func:`whys_root`, :func:`why_problems`): each why answers the one before; at most
:data:`MAX_WHYS`; the root is the why marked as root, else the last one written.

**8D** (:data:`EIGHT_D`): the eight disciplines as data, each with the record's fields that
hold it, for the page's sections and the 8D report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .checklists import ActionState, closure_problems as _finding_closure

STATUSES = ("open", "contained", "investigating", "action", "closed")
STATUS_LABELS = {"open": "Open", "contained": "Contained", "investigating": "Investigating",
                 "action": "Corrective action", "closed": "Closed"}
#: a symbol for each status, so the list reads without colour
STATUS_SYMBOLS = {"open": "○", "contained": "◐", "investigating": "◑", "action": "◕",
                  "closed": "●"}
SOURCES = ("customer complaint", "internal audit", "process", "supplier", "other")
SOURCE_LABELS = {"customer complaint": "Customer complaint", "internal audit": "Internal audit",
                 "process": "Process", "supplier": "Supplier", "other": "Other"}
SEVERITIES = ("major", "minor")
SEVERITY_LABELS = {"major": "Major", "minor": "Minor"}
CATEGORIES = ("man", "machine", "method", "material", "measurement", "environment")
#: the 6M bones of the fishbone, as printed
CATEGORY_LABELS = {"man": "Man (people)", "machine": "Machine", "method": "Method",
                   "material": "Material", "measurement": "Measurement",
                   "environment": "Environment (Mother Nature)"}
#: the number of whys a chain may have: five is the method's name and a rule of thumb; a
#: chain that needs more than seven is a sign to split the problem
MAX_WHYS = 7

#: what each status stands for: (the fields that show it, the sentence when they are missing)
STEP_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "open": (("description",), "Describe the nonconformity."),
    "contained": (("containment", "correction"),
                  "Record the containment or correction that protects the customer."),
    "investigating": (("team",), "Name the team that investigates it."),
    "action": (("root_cause",), "Record the root cause before corrective action."),
    "closed": ((), ""),  # the closure rule: closure_problems
}


@dataclass(frozen=True, slots=True)
class Cause:
    """A cause as the rules see it: a why of the chain or a bone's cause."""
    method: str          # "why" or "fishbone"
    text: str
    is_root: bool = False
    category: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class NcState:
    """What the closure and step rules read of a nonconformity."""
    description: str = ""
    containment: str = ""
    correction: str = ""
    team: str = ""
    root_cause: str = ""
    causes: Sequence[Cause] = ()
    actions: Sequence[ActionState] = ()
    effectiveness_check: str = ""
    effective: bool | None = None


def status_index(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else 0


# --------------------------------------------------------------------------- root cause


def ordered_whys(causes: Sequence[Cause]) -> list[Cause]:
    return sorted((c for c in causes if c.method == "why"), key=lambda c: c.position)


def whys_root(whys: Sequence[Cause]) -> int | None:
    """The index of the root in the chain ``whys`` (in order): the why marked root (the last
    one marked, if several), else the last one written; None for an empty chain."""
    marked = [k for k, c in enumerate(whys) if c.is_root]
    if marked:
        return marked[-1]
    written = [k for k, c in enumerate(whys) if c.text.strip()]
    return written[-1] if written else None


def why_problems(whys: Sequence[Cause]) -> list[str]:
    """What is wrong with a 5 Whys chain, one sentence each."""
    out = []
    if len(whys) > MAX_WHYS:
        out.append(f"A 5 Whys chain has at most {MAX_WHYS} whys: split the problem or mark "
                   "the root earlier.")
    gaps = [k + 1 for k, c in enumerate(whys[:-1]) if not c.text.strip()]
    if gaps:
        out.append("Why " + ", ".join(map(str, gaps)) + " is empty: each why answers the one "
                   "before it.")
    return out


def can_add_why(whys: Sequence[Cause]) -> bool:
    return len(whys) < MAX_WHYS


def root_causes(root_cause: str, causes: Sequence[Cause]) -> list[str]:
    """The root cause texts: the written root cause, then each cause marked root (fishbone
    causes and whys alike), without repeats."""
    out = []
    if root_cause.strip():
        out.append(root_cause.strip())
    for c in causes:
        t = c.text.strip()
        if c.is_root and t and t not in out:
            out.append(t)
    return out


def root_cause_summary(root_cause: str, causes: Sequence[Cause], limit: int = 120) -> str:
    """One line for a list: the root cause(s), or "" when none is known yet."""
    line = " · ".join(" ".join(t.split()) for t in root_causes(root_cause, causes))
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- steps and closure


def _filled(nc: NcState, name: str) -> bool:
    if name == "root_cause":
        return bool(root_causes(nc.root_cause, nc.causes))
    return bool(str(getattr(nc, name, "") or "").strip())


def step_problems(status: str, nc: NcState) -> list[str]:
    """What ``nc`` lacks for the steps up to ``status`` (closing: :func:`closure_problems`)."""
    if status == "closed":
        return closure_problems(nc)
    out = []
    for step in STATUSES[: status_index(status) + 1]:
        names, sentence = STEP_NEEDS[step]
        if names and not any(_filled(nc, n) for n in names):
            out.append(sentence)
    return out


def closure_problems(nc: NcState) -> list[str]:
    """What keeps ``nc`` from closing, one sentence each (empty: it may close)."""
    out = []
    if not nc.description.strip():
        out.append("Describe the nonconformity.")
    correction = nc.correction.strip() or nc.containment.strip()
    root = " ".join(root_causes(nc.root_cause, nc.causes))
    out += _finding_closure(
        "major", correction=correction, root_cause=root, actions=nc.actions,
        effectiveness_check=nc.effectiveness_check, effective=nc.effective,
        subject="nonconformity",
        correction_text="Record the containment or correction (what was done about the "
                        "nonconformity itself).",
        root_cause_text="Record the root cause, or mark a cause of the 5 Whys or the "
                        "fishbone as the root.",
        name_unfinished=True, judge_always=True)
    return out


def suggested_status(status: str, nc: NcState) -> str | None:
    """The furthest later step (never *closed*: closing is its own act) whose data ``nc``
    already holds, with every step before it filled too — offered beside the status, never
    set on its own; None when the status is as far as the data goes (or it is closed).

    Contained: a containment or correction; investigating: a team or a root cause (or a
    why written); corrective action: a root cause and at least one live action. A step whose
    needs (:func:`step_problems`) are not met is never offered (a nonconformity without a
    description stays open)."""
    if status == "closed" or status not in STATUSES:
        return None
    contained = _filled(nc, "containment") or _filled(nc, "correction")
    root = _filled(nc, "root_cause")
    investigating = contained and (_filled(nc, "team") or root
                                   or any(c.text.strip() for c in nc.causes))
    action = investigating and root and any(a.status != "cancelled" for a in nc.actions)
    best = None
    for step, reached in (("contained", contained), ("investigating", investigating),
                          ("action", action)):
        # a step is offered only when what it stands for is there (and every step before it):
        # a record without a description is never offered "contained"
        if reached and not step_problems(step, nc):
            best = step
    if best is None or status_index(best) <= status_index(status):
        return None
    return best


def closure_refusal(ref: str, problems: Sequence[str]) -> str:
    """The one-sentence refusal when closing is asked with ``problems`` left."""
    name = ref or "The nonconformity"
    items = "; ".join(p[:1].lower() + p[1:].rstrip(".") for p in problems)
    return f"{name} cannot be closed yet: {items}."


# --------------------------------------------------------------------------- 8D


@dataclass(frozen=True, slots=True)
class Discipline:
    code: str
    title: str
    purpose: str
    fields: tuple[str, ...]


EIGHT_D: tuple[Discipline, ...] = (
    Discipline("D1", "Team", "The people who work on the problem, with the knowledge and the "
               "authority to solve it.", ("team", "owner")),
    Discipline("D2", "Problem description", "What is wrong, where, when and how much: the "
               "facts, found by whom.", ("title", "description", "source", "customer",
                                        "supplier", "finding", "detected_on", "severity")),
    Discipline("D3", "Containment and correction", "What protects the customer until the "
               "cause is removed, and what was done about the nonconforming output.",
               ("containment", "correction")),
    Discipline("D4", "Root cause", "Why it happened: the 5 Whys chain and the fishbone's "
               "6M causes, the root marked.", ("root_cause", "causes")),
    Discipline("D5", "Corrective actions chosen", "The actions that remove the root cause.",
               ("actions",)),
    Discipline("D6", "Actions implemented", "The actions carried out, and their own "
               "effectiveness checks.", ("actions",)),
    Discipline("D7", "Prevention", "What keeps it from happening elsewhere: systems, "
               "procedures, similar products and processes.", ("prevention",)),
    Discipline("D8", "Effectiveness and closure", "The check that the actions worked, its "
               "verdict, and the closure (ISO 9001 10.2.1 d).",
               ("effectiveness_check", "effective", "verified_by", "verified_on",
                "closed_on")),
)

__all__ = ["ActionState", "CATEGORIES", "CATEGORY_LABELS", "Cause", "Discipline", "EIGHT_D",
           "MAX_WHYS", "NcState", "SEVERITIES", "SEVERITY_LABELS", "SOURCES", "SOURCE_LABELS",
           "STATUSES", "STATUS_LABELS", "STATUS_SYMBOLS", "STEP_NEEDS", "can_add_why",
           "closure_problems", "closure_refusal", "ordered_whys", "root_cause_summary",
           "root_causes", "status_index", "step_problems", "suggested_status", "why_problems",
           "whys_root"]
