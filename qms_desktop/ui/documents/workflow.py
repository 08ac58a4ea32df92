"""Which workflow step the selected document allows now, and why a step is not offered.

Pure reading of a ``DocumentRow`` and its revisions (no Qt widgets): the page enables its
buttons from :func:`workflow_state` and puts the reason in their tooltips.
"""

from __future__ import annotations

from typing import Any

from .model import status_words, tr

#: the steps, in the order of the buttons
STEPS = ("start", "submit", "review", "approve", "return", "effective", "withdraw",
         "reviewed")


def step_texts() -> dict[str, str]:
    return {"start": tr("Start revision…"), "submit": tr("Submit for review…"),
            "review": tr("Sign review…"), "approve": tr("Approve…"),
            "return": tr("Return to draft…"), "effective": tr("Make effective…"),
            "withdraw": tr("Withdraw…"), "reviewed": tr("Periodic review done")}


def workflow_state(row: Any, revisions: list, *, read_only: bool = False
                   ) -> dict[str, tuple[bool, str]]:
    """step → (allowed, tooltip: what it does, or why it is not allowed now)."""
    if row is None:
        return {s: (False, tr("Select a document first.")) for s in STEPS}
    if read_only:
        return {s: (False, tr("The workspace is open read-only.")) for s in STEPS}
    words = status_words()
    p, ps = row.pending, row.pending_status
    pending_word = words.get(ps, ps).lower()
    pending_rev = next((r for r in revisions if r.id == row.pending_id), None)
    reviewed = pending_rev is not None and any(
        s.meaning == "reviewed" and s.valid for s in pending_rev.signatures)
    out: dict[str, tuple[bool, str]] = {}

    def need(status: str, what: str) -> tuple[bool, str]:
        if ps == status:
            return True, what
        if not p:
            return False, tr("No revision is being worked on; start a revision first.")
        return False, tr("Revision {rev} is {status}.").format(rev=p, status=pending_word)

    if p:
        out["start"] = (False, tr("Revision {rev} is already {status}; finish it first.")
                        .format(rev=p, status=pending_word))
    elif row.in_force_id is None:
        out["start"] = (False, tr("The document is withdrawn; it has no revision in force to "
                                  "revise."))
    else:
        out["start"] = (True, tr("Start a new draft revision from the text in force (which "
                                 "stays in force until the new one takes effect)"))
    out["submit"] = need("draft", tr("Sign revision {rev} as its author and send it for "
                                     "review").format(rev=p))
    out["review"] = need("in_review", tr("Sign that you reviewed revision {rev}").format(rev=p))
    ok, tip = need("in_review", tr("Sign revision {rev} as approved").format(rev=p))
    if ok and not reviewed:
        ok, tip = False, tr("Revision {rev} needs a valid review signature before it can be "
                            "approved.").format(rev=p)
    out["approve"] = (ok, tip)
    if ps in ("in_review", "approved"):
        out["return"] = (True, tr("Send revision {rev} back to draft with a reason; its "
                                  "signatures stay on record").format(rev=p))
    else:
        out["return"] = (False, tr("Only a revision in review or approved can be returned to "
                                   "draft.") if p else
                         tr("No revision is being worked on."))
    out["effective"] = need("approved", tr("Put revision {rev} in force on a day (today or "
                                           "earlier)").format(rev=p))
    if row.in_force_id is None:
        out["withdraw"] = (False, tr("There is no revision in force to withdraw."))
        out["reviewed"] = (False, tr("There is no revision in force to review."))
    else:
        out["withdraw"] = (False, tr("Revision {rev} is {status}; discard or finish it "
                                     "first.").format(rev=p, status=pending_word)) if p else \
            (True, tr("Make the document obsolete: revision {rev} stops being in force")
             .format(rev=row.revision))
        out["reviewed"] = (True, tr("Record a periodic review that changed nothing: the next "
                                    "review moves on one period"))
    return out
