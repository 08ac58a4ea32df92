"""The quality policy tab: its text, its approval state in words and its workflow.

Until the policy is a controlled document the organization's own text is edited in a rich-text
section box (``ui/documents/editor.SectionEdit``); "Issue as controlled document" makes it
document POL-… (``services.context.issue_policy``), after which the Documents page's
section editor (:class:`~..documents.editor.ProcedureEditor`) shows its revisions — editing
the policy in force starts the next draft — and the buttons submit, review, approve and make
it effective through the Documents page's signing dialog. Every edit is one ``controller.edit``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QScrollArea, QStackedWidget, QVBoxLayout, QWidget)

from ...services import context as cx
from ..table import format_date
from .model import tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: tables whose changes may change what the tab shows
WATCHED = ("organization", "document", "revision", "document_section", "signature",
           "app_user", "attachment")


def _when(sig) -> str:
    """The day (and local time) a signature was made, in the user's format."""
    try:
        local = dt.datetime.fromisoformat(sig.local_time)
        return f"{format_date(local.date())} {local:%H:%M}"
    except (TypeError, ValueError):
        return format_date(sig.signed_at.date())


def state_html(p: cx.Policy, ok_colour: str = "#1b7a33", bad_colour: str = "#b3261e") -> str:
    """The policy's approval state in words (rich text; the marks ✓ / ✗ say what the colour
    says)."""
    from ..documents.model import meaning_words, status_words
    from html import escape

    if not p.controlled:
        if p.legacy_text.strip():
            return escape(tr("The quality policy is plain text of the organization: not yet a "
                             "controlled document, so not approved or signed in the app. Issue "
                             "it as a controlled document to approve it with an e-signature."))
        return escape(tr("No quality policy yet. Write it below (ISO 9001 5.2: appropriate to "
                         "the organization's purpose and context, a framework for quality "
                         "objectives, commitments to meet requirements and to improve), then "
                         "issue it as a controlled document."))
    parts = []
    ok = f"<span style='color:{ok_colour}'>✓ " + escape(tr("valid")) + "</span>"
    if p.revision:
        line = tr("{doc} rev. {rev}, effective since {day}").format(
            doc=p.number, rev=p.revision, day=format_date(p.effective_on))
        approved = p.approved_by
        if approved is not None:
            line += ", " + tr("approved by {name} on {when}").format(
                name=approved.signer_name, when=_when(approved))
            mark = ok if approved.valid else (
                f"<span style='color:{bad_colour}'>✗ " + escape(tr("not valid")) + "</span>"
                + (": " + escape(approved.problem) if approved.problem else ""))
            parts.append("<b>" + escape(line) + "</b>, " + escape(tr("signature")) + " " + mark)
        else:
            parts.append("<b>" + escape(line) + "</b>, " +
                         escape(tr("approved outside the app (no e-signature)")))
    else:
        parts.append("<b>" + escape(tr("{doc}: no revision in force yet").format(
            doc=p.number)) + "</b>")
    if p.pending:
        status = status_words().get(p.pending_status, p.pending_status).lower()
        line = tr("Revision {rev} is {status}").format(rev=p.pending, status=status)
        signed = [f"{meaning_words().get(s.meaning, s.meaning).lower()} "
                  f"{tr('by')} {s.signer_name}" + ("" if s.valid else " ✗")
                  for s in p.pending_signatures]
        if signed:
            line += " (" + ", ".join(signed) + ")"
        parts.append(escape(line) + ".")
    if p.invalid_signatures:
        parts.append(f"<span style='color:{bad_colour}'>✗ " + escape(tr(
            "A signature no longer holds: the text changed after signing, or a signature was "
            "removed. Open it in Documents for details.")) + "</span>")
    return "<br>".join(parts)


class PolicyTab(QWidget):
    """The policy's text and state (see the module docstring)."""

    #: the user asked to see a record elsewhere: (entity, id)
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        from ..documents.editor import ProcedureEditor, SectionEdit

        super().__init__(parent)
        self.controller = controller
        self.policy: cx.Policy | None = None
        self.row = None            # documents.DocumentRow of the policy document
        self.revs: list = []
        self.candidates: list[tuple[int, str]] = []

        self.state = QLabel(self)
        self.state.setObjectName("policyState")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.RichText)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (
                ("issue", tr("Issue as controlled document…"), self.issue),
                ("link", tr("Use as the policy"), self.link),
                ("submit", tr("Submit for approval…"), lambda: self.sign("authored")),
                ("review", tr("Sign review…"), lambda: self.sign("reviewed")),
                ("approve", tr("Approve…"), lambda: self.sign("approved")),
                ("return", tr("Return to draft…"), self.return_to_draft),
                ("effective", tr("Make effective…"), self.make_effective),
                ("open", tr("Open in Documents"), self.open_document)):
            b = QPushButton(text, self)
            b.clicked.connect(lambda _c=False, f=slot: f())
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)

        # -- the organization's text (no policy document yet)
        self.legacy = SectionEdit(cx.POLICY_SECTION, tr("Quality policy"))
        self.legacy.commitRequested.connect(lambda seal: self.commit_legacy(seal=seal))
        self.legacy.setPlaceholderText(tr("Our quality policy…"))
        self.legacy.min_lines = 14
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(8, 8, 8, 8)
        hl.addWidget(self.legacy)
        hl.addStretch(1)
        self.legacy_scroll = QScrollArea(self)
        self.legacy_scroll.setWidgetResizable(True)
        self.legacy_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.legacy_scroll.setWidget(holder)
        # -- the controlled document
        self.editor = ProcedureEditor(controller, self)
        self.editor.act_generate.setVisible(False)   # a policy has no process map
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.legacy_scroll)
        self.stack.addWidget(self.editor)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        controller.flushRequested.connect(self.flush)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        from ...services import documents
        from ...services.records import RecordError

        ws = self.controller.workspace
        if ws is None:
            self.policy, self.row, self.revs = None, None, []
            self.editor.set_document(None)
            self._update()
            return
        self.policy = cx.get_policy(ws)
        self.row, self.revs = None, []
        if self.policy.controlled:
            try:
                self.row = documents.get_document(ws, self.policy.document_id)
                self.revs = documents.revisions(ws, self.policy.document_id)
            except RecordError:
                self.row = None
        self.candidates = [] if self.policy.controlled else cx.policy_candidates(ws)
        if self.policy.controlled:
            if self.editor.doc_id != self.policy.document_id:
                self.editor.set_document(self.policy.document_id)
            self.stack.setCurrentWidget(self.editor)
        else:
            self.editor.set_document(None)
            if self.legacy.stored != self.policy.legacy_text and not (
                    self.legacy.hasFocus() and self.legacy.dirty):
                self.legacy.load(self.policy.legacy_text)
            self.stack.setCurrentWidget(self.legacy_scroll)
        self._update()

    def _update(self) -> None:
        from ..documents.signing import error_colour
        from ..documents.workflow import workflow_state

        p = self.policy
        read_only = self.controller.read_only or self.controller.workspace is None
        self.state.setText(state_html(p, bad_colour=error_colour()) if p is not None else "")
        controlled = p is not None and p.controlled
        self.legacy.setReadOnly(read_only)
        b = self.buttons
        b["issue"].setVisible(not controlled)
        b["issue"].setEnabled(not read_only and p is not None)
        b["issue"].setToolTip(tr("Make the policy text a controlled document (kind policy) "
                                 "whose first draft you then submit, review and approve with "
                                 "e-signatures"))
        b["link"].setVisible(not controlled and bool(self.candidates))
        b["link"].setEnabled(not read_only)
        if self.candidates:
            b["link"].setText(tr("Use {doc} as the policy").format(
                doc=self.candidates[0][1].split(" ", 1)[0]))
            b["link"].setToolTip(tr("{doc} is a policy in the document register: make it the "
                                    "organization's quality policy").format(
                doc=self.candidates[0][1]))
        state = workflow_state(self.row, self.revs, read_only=read_only)
        for key, step in (("submit", "submit"), ("review", "review"), ("approve", "approve"),
                          ("return", "return"), ("effective", "effective")):
            ok, tip = state[step]
            b[key].setVisible(controlled)
            b[key].setEnabled(controlled and ok)
            b[key].setToolTip(tip)
        b["open"].setVisible(controlled)
        b["open"].setToolTip(tr("Show the policy in the document register: its revisions, "
                                "signatures and files"))

    # ------------------------------------------------------------------ editing
    def commit_legacy(self, *, seal: bool = False) -> bool:
        """Write the organization's policy text when it changed (one undo step per visit)."""
        edit = self.legacy
        edit.timer.stop()
        ok = True
        if not edit.isReadOnly() and self.controller.workspace is not None and \
                (self.policy is None or not self.policy.controlled):
            text = edit.markdown()
            if text != edit.baseline:
                old = edit.stored, edit.baseline
                edit.stored, edit.baseline = text, text
                if self.controller.edit(tr("Edit quality policy"),
                                        lambda ws: cx.update_policy_text(ws, text),
                                        merge_key=("quality_policy",)) is None:
                    edit.stored, edit.baseline = old
                    ok = False
        if seal:
            top = self.controller.top_command()
            if top is not None and getattr(top, "merge_key", None) == ("quality_policy",):
                self.controller.flush_undo_merges()
        return ok

    def flush(self) -> None:
        if self.legacy.timer.isActive() or (not self.legacy.isReadOnly() and self.legacy.dirty):
            self.commit_legacy()

    def issue(self, confirm: bool = True) -> int | None:
        """Issue the policy text as a controlled document (after a confirmation)."""
        from ...services import documents

        ws = self.controller.workspace
        if ws is None or self.policy is None:
            return None
        self.flush()
        text = self.legacy.markdown() if self.stack.currentWidget() is self.legacy_scroll \
            else self.policy.legacy_text
        if not text.strip():
            QMessageBox.information(self, tr("Issue Quality Policy"), tr(
                "Write the quality policy first; an empty policy cannot be issued."))
            return None
        number = documents.next_document_number(ws, "policy")
        if confirm and QMessageBox.question(self, tr("Issue Quality Policy"), tr(
                "Make the quality policy controlled document {number}? Its text becomes draft "
                "A; submit it for approval, have it reviewed and approved with e-signatures, "
                "then make it effective.").format(number=number)) != \
                QMessageBox.StandardButton.Yes:
            return None
        return self.controller.edit(tr("Issue quality policy as {number}").format(number=number),
                                    lambda ws: cx.issue_policy(ws, text, number=number))

    def link(self) -> bool:
        if not self.candidates:
            return False
        doc_id, name = self.candidates[0]
        return self.controller.edit(tr("Use {doc} as the quality policy").format(doc=name),
                                    lambda ws: cx.link_policy_document(ws, doc_id)) is not None

    def sign(self, meaning: str) -> bool:
        """Sign the revision being worked on through the Documents page's signing dialog."""
        from ..documents.signing import SignDialog
        from ..documents.users import ensure_signing_user

        if self.row is None or self.row.pending_id is None:
            return False
        self.editor.flush()
        if not ensure_signing_user(self.controller, self):
            return False
        dialog = SignDialog(self.controller, self.row.pending_id, meaning, self)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def return_to_draft(self, reason: str | None = None) -> bool:
        """Send the policy revision in review (or approved) back to draft with a reason, as
        the Documents page does (its banner says "return it to draft to change it")."""
        from PySide6.QtWidgets import QInputDialog

        from ...services import documents

        row = self.row
        if row is None or row.pending_id is None or self.controller.read_only:
            return False
        if reason is None:
            reason, ok = QInputDialog.getMultiLineText(
                self, tr("Return to Draft"), tr("Why does revision {rev} of {doc} go back to "
                                                "draft? (added to its change summary)").format(
                    rev=row.pending, doc=row.number))
            if not ok:
                return False
        if not reason.strip():
            QMessageBox.information(self, tr("Return to Draft"),
                                    tr("Give the reason for returning it to draft."))
            return False
        rid = row.pending_id
        return self.controller.edit(
            tr("Return {doc} rev. {rev} to draft").format(doc=row.number, rev=row.pending),
            lambda ws: documents.return_to_draft(ws, rid, reason)) is not None

    def make_effective(self, on: dt.date | None = None, confirm: bool = True) -> bool:
        from ...services import documents
        from ..documents.page import EffectiveDayDialog, back_dated_text

        row = self.row
        if row is None or row.pending_id is None:
            return False
        if on is None:
            dialog = EffectiveDayDialog(row.pending, row.number, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            on = dialog.day.date().toPython()
        if confirm and on < dt.date.today() and QMessageBox.question(
                self, tr("Back-Date Revision"),
                back_dated_text(row.pending, row.number, on, format_date(on)) + "\n\n"
                + tr("Make it effective on that day?")) != QMessageBox.StandardButton.Yes:
            return False
        rid = row.pending_id
        return self.controller.edit(
            tr("Make {doc} rev. {rev} effective").format(doc=row.number, rev=row.pending),
            lambda ws: documents.make_effective(ws, rid, on)) is not None

    def open_document(self) -> bool:
        if self.policy is None or self.policy.document_id is None:
            return False
        self.openRecord.emit("document", self.policy.document_id)
        return True
