"""Controlled documents (ISO 9001 7.5): the life of a revision, who may sign it, numbering,
revision letters and periodic reviews. Pure rules, no database.

A revision goes draft → in review → approved → effective → obsolete. Submitting a draft for
review is signed by its author (meaning *authored*); a reviewer signs *reviewed*; an approver
signs *approved*, which makes it approved; making it effective puts it in force on a day and
makes the revision in force before it obsolete. Editing an effective document starts a new
draft revision; the effective one stays in force until the new one takes effect. A draft or a
revision in review may be returned to draft; its signatures stay on record and show as invalid
as soon as its content changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

STATUSES = ("draft", "in_review", "approved", "effective", "obsolete")
STATUS_TEXT = {"draft": "Draft", "in_review": "In review", "approved": "Approved",
               "effective": "Effective", "obsolete": "Obsolete"}
#: statuses of a revision that is being worked on (at most one per document)
PENDING = ("draft", "in_review", "approved")

KINDS = ("procedure", "work_instruction", "form", "policy", "manual", "record", "external")
KIND_TEXT = {"procedure": "Procedure", "work_instruction": "Work instruction", "form": "Form",
             "policy": "Policy", "manual": "Manual", "record": "Records list",
             "external": "External document"}
#: number prefixes the default scheme gives each kind
DEFAULT_PREFIXES = {"procedure": "SOP", "work_instruction": "WI", "form": "F", "policy": "POL",
                    "manual": "QM", "record": "REC", "external": "EXT"}
#: the default numbering scheme: {prefix} of the kind, {seq} the next free number
DEFAULT_SCHEME = "{prefix}-{seq:03d}"

SECTION_KEYS = ("purpose", "scope", "definitions", "responsibilities", "procedure", "records",
                "references")
SECTION_TITLES = {"purpose": "Purpose", "scope": "Scope", "definitions": "Definitions",
                  "responsibilities": "Responsibilities", "procedure": "Procedure",
                  "records": "Records", "references": "References"}

DEFAULT_REVIEW_MONTHS = 24


class TransitionError(ValueError):
    """A step the revision's state does not allow; ``str(e)`` is a sentence for the user."""


@dataclass(frozen=True)
class Signed:
    """One valid signature on a revision, as the rules see it."""

    meaning: str
    user: str


def next_status(status: str, step: str) -> str:
    """The status after ``step`` ("submit", "approve", "make_effective", "return",
    "withdraw") or :class:`TransitionError` with the reason."""
    table = {
        ("draft", "submit"): "in_review",
        ("in_review", "approve"): "approved",
        ("in_review", "return"): "draft",
        ("approved", "return"): "draft",
        ("approved", "make_effective"): "effective",
        ("effective", "withdraw"): "obsolete",
        ("effective", "supersede"): "obsolete",
    }
    try:
        return table[(status, step)]
    except KeyError:
        words = {"submit": "submitted for review", "approve": "approved",
                 "make_effective": "made effective", "return": "returned to draft",
                 "withdraw": "withdrawn", "supersede": "superseded"}
        raise TransitionError(
            f"A revision that is {STATUS_TEXT.get(status, status).lower()} cannot be "
            f"{words.get(step, step)}.") from None


def signing_problem(*, meaning: str, status: str, user: str, rights: tuple[str, ...],
                    active: bool, signed: list[Signed], name: str = "") -> str:
    """Why ``user`` may not sign a revision in ``status`` with ``meaning`` now, or "".

    ``signed`` lists the revision's valid signatures. Rules: the user holds the right; authors
    sign a draft when they submit it; reviews and approvals are signed in review; nobody reviews
    or approves what they authored (separation of duties); an approval needs a valid review
    first; nobody signs the same meaning twice. ``name`` (the user's full name) names the
    person in the separation-of-duties sentences; without it the login does."""
    who = name or user
    if not active:
        return "This user account is inactive."
    if meaning not in rights:
        return f"{user} may not sign as {meaning} (ask an administrator to grant it)."
    if meaning == "authored" and status != "draft":
        return "A revision is signed as authored when its draft is submitted for review."
    if meaning in ("reviewed", "approved") and status != "in_review":
        return (f"Only a revision in review can be signed as {meaning}; this one is "
                f"{STATUS_TEXT.get(status, status).lower()}.")
    if any(s.meaning == meaning and s.user == user for s in signed):
        return f"{who} has already signed this revision as {meaning}."
    if meaning in ("reviewed", "approved") and any(
            s.meaning == "authored" and s.user == user for s in signed):
        return duty_problem(who, "authored", meaning)
    if meaning == "approved" and not any(s.meaning == "reviewed" for s in signed):
        return "A revision needs a valid review signature before it can be approved."
    if meaning == "approved" and any(s.meaning == "reviewed" and s.user == user
                                     for s in signed):
        return duty_problem(who, "reviewed", meaning)
    return ""


def duty_problem(user: str, did: str, meaning: str) -> str:
    """The separation-of-duties refusal, one wording for every pair: the person (full name),
    what they already signed, and who must sign instead ("Daniel Berg authored this revision;
    a different person must review it.")."""
    return f"{user} {did} this revision; {DUTY_TAIL} {_act(meaning)}."


#: the words every separation-of-duties refusal carries (the dialog recognises it by them)
DUTY_TAIL = "a different person must"


def _act(meaning: str) -> str:
    return {"reviewed": "review it", "approved": "approve it"}.get(meaning,
                                                                   f"sign it as {meaning}")


@dataclass(frozen=True)
class Signer:
    """A signing user as the up-front check sees them."""

    user: str
    name: str
    rights: tuple[str, ...]
    active: bool


def nobody_can_sign(*, meaning: str, status: str, signed: list[Signed],
                    signers: list[Signer]) -> str:
    """Why no signing user at all can sign ``meaning`` now, said before any password is asked
    ("" when at least one can, or when the revision's status is what stops it — the workflow
    says that). Covers the two cases a second person solves: everyone who may sign
    ``meaning`` already signed it as its author (or reviewer), and nobody holds the right.

    "Karl Maier authored this revision; a different person must review it, and no other
    active signing user may."."""
    if not any(not signing_problem(meaning=meaning, status=status, user=u.user,
                                   rights=u.rights, active=u.active, signed=signed)
               for u in signers):
        if meaning == "authored" and status != "draft":
            return ""
        if meaning in ("reviewed", "approved") and status != "in_review":
            return ""
        if meaning == "approved" and not any(s.meaning == "reviewed" for s in signed):
            return ""
        names = {u.user: u.name or u.user for u in signers}
        done = [s for s in signed if s.meaning in ("authored", "reviewed")
                and s.meaning != meaning]
        able = [u for u in signers if u.active and meaning in u.rights]
        if done and able and all(any(s.user == u.user for s in done) for u in able):
            parts = [f"{names.get(s.user, s.user)} {s.meaning}" for s in done
                     if any(s.user == u.user for u in able)]
            return (f"{' and '.join(parts)} this revision; {DUTY_TAIL} {_act(meaning)}, and "
                    "no other active signing user may.")
        if not able:
            return f"No active signing user may sign as {meaning}."
    return ""


#: the signatures a revision in each status holds when it was signed in the app
REQUIRED = {"draft": (), "in_review": ("authored",),
            "approved": ("authored", "reviewed", "approved"),
            "effective": ("authored", "reviewed", "approved"),
            "obsolete": ("authored", "reviewed", "approved")}
MISSING_TEXT = {"authored": "The author's signature is missing",
                "reviewed": "The review signature is missing",
                "approved": "The approval signature is missing"}


def missing_signatures(status: str, present: set[str], signed_in_app: bool) -> list[str]:
    """Meanings a revision in ``status`` should hold but does not. Only a revision that was
    signed in the app is held to it (``signed_in_app``: the audit trail recorded a bound
    signature on it); one approved on paper and registered has no signatures to miss."""
    if not signed_in_app:
        return []
    return [x for x in REQUIRED.get(status, ()) if x not in present]


_LETTERS = re.compile(r"^[A-Z]+$")
_DIGITS = re.compile(r"^(\d+)$")


def next_revision_number(previous: list[str]) -> str:
    """The revision number after the latest of ``previous``, in its style: A → B, Z → AA,
    1 → 2, 01 → 02, 1.0 → 2.0; "A" when there is none (or the style is unknown: then the
    count + 1)."""
    if not previous:
        return "A"
    last = previous[-1].strip()
    if _LETTERS.match(last):
        n = 0
        for ch in last:
            n = n * 26 + (ord(ch) - 64)
        n += 1
        out = ""
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        return out
    m = _DIGITS.match(last)
    if m:
        return str(int(last) + 1).zfill(len(last))
    m = re.match(r"^(\d+)\.(\d+)$", last)
    if m:
        return f"{int(m.group(1)) + 1}.0"
    return str(len(previous) + 1)


def format_number(scheme: str, kind: str, seq: int,
                  prefixes: dict[str, str] | None = None) -> str:
    prefix = (prefixes or DEFAULT_PREFIXES).get(kind, DEFAULT_PREFIXES.get(kind, "DOC"))
    try:
        return scheme.format(prefix=prefix, seq=seq, kind=kind)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_SCHEME.format(prefix=prefix, seq=seq)


def scheme_problem(scheme: str) -> str:
    """Why ``scheme`` cannot number documents, or ""."""
    if "{seq" not in scheme:
        return "The numbering scheme needs {seq} (the running number), e.g. {prefix}-{seq:03d}."
    try:
        a = scheme.format(prefix="SOP", seq=1, kind="procedure")
        b = scheme.format(prefix="SOP", seq=2, kind="procedure")
    except (KeyError, IndexError, ValueError) as e:
        return f"The numbering scheme cannot be read ({e}); use {{prefix}} and {{seq}}."
    if a == b or len(a) > 40:
        return "The numbering scheme must give each document its own number of 40 characters."
    return ""


def next_number(existing: list[str], kind: str, scheme: str = DEFAULT_SCHEME,
                prefixes: dict[str, str] | None = None) -> str:
    """The first number of ``scheme`` for ``kind`` after every number already used."""
    used = {e.strip().casefold() for e in existing}
    seq = 1
    # find the highest sequence already used with this prefix, then go one beyond it
    for s in range(1, 100000):
        if format_number(scheme, kind, s, prefixes).casefold() in used:
            seq = s + 1
        elif s > seq + 1000:
            break
    while format_number(scheme, kind, seq, prefixes).casefold() in used:
        seq += 1
    return format_number(scheme, kind, seq, prefixes)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(effective_on: dt.date | None, months: int | None) -> dt.date | None:
    """When a revision that took effect on ``effective_on`` is next due for review."""
    if effective_on is None or not months:
        return None
    return add_months(effective_on, months)


def review_state(next_review_on: dt.date | None, today: dt.date, *, soon_days: int = 30) -> str:
    """"overdue", "due_soon", "ok" or "" (no review date)."""
    if next_review_on is None:
        return ""
    if next_review_on < today:
        return "overdue"
    if (next_review_on - today).days <= soon_days:
        return "due_soon"
    return "ok"
