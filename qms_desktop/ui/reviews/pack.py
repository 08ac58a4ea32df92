"""One management review's pack: header fields, the inputs as rich-text blocks, the outputs
table and the minutes.

Each input is a :class:`~..documents.editor.SectionEdit` (the procedure editor's rich-text box:
light Markdown in and out, committed after a pause and when the focus leaves, one undo step per
visit) with a marker saying whether it is still as collected or was edited by the team, and a
line of its figures (KPI statuses, risks by level). Outputs are a table of the kit; adding one
makes an action of the review (the Actions page lists it). Every edit is one
``controller.edit`` line over ``services.review``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QPushButton, QScrollArea, QSizePolicy,
                               QTableView, QToolButton, QVBoxLayout, QWidget)

from ...core import kpi
from ..documents.editor import SectionEdit
from ..table import DateEditor, Item, TableDelegate, edit_triggers, selection
from ..table.choices import people_items
from .model import make_output_model, output_items, status_items, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

#: (field, label) of the header's text fields
TEXT_FIELDS = (("title", "Title"), ("chair", "Chair"), ("attendees", "Attendees"))
DATE_FIELDS = (("held_on", "Held on"), ("period_from", "Period from"), ("period_to", "to"))


def figures_line(section: str, figures: dict[str, Any]) -> str:
    """The numbers of an input in one line (shown under its text)."""
    keys = {"customer": "kpis", "objectives": "objectives", "processes": "kpis",
            "monitoring": "kpis", "suppliers": "kpis", "resources": "kpis"}
    parts = []
    key = keys.get(section)
    kpis = figures.get(key) if key else None
    if kpis:
        n = {s: sum(1 for k in kpis if k.get("status") == s) for s in kpi.STATUSES}
        parts.append("  ".join(f"{kpi.SYMBOLS[s]} {n[s]} {tr(kpi.LABELS[s])}"
                               for s in kpi.STATUSES if n[s]))
    if section == "risks" and figures.get("by_level"):
        from ...core.risk import LEVEL_LABELS, LEVELS

        parts.append(tr("Open risks by current level (residual where rated, else inherent): ")
                     + ", ".join(
            f"{tr(LEVEL_LABELS[k])} {figures['by_level'].get(k, 0)}" for k in reversed(LEVELS)))
    t = figures.get("training")
    if isinstance(t, dict):
        parts.append(tr("Training compliance {p:.1f} %").format(p=t.get("percent", 0)))
    return " · ".join(parts)


class PackPanel(QWidget):
    """The pack of the review ``review_id`` (see the module docstring)."""

    #: the user asked for the pack as a Word file
    exportRequested = Signal()

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.review_id: int | None = None
        self.review = None
        self._people: list[Item] | None = None
        self._loading = False

        # -- header
        self.head = QLabel(self)
        f = self.head.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.3)
        self.head.setFont(f)
        self.status = QLabel(self)
        self.status.setObjectName("reviewStatus")
        form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        for key, label in TEXT_FIELDS:
            e = QLineEdit(self)
            e.setObjectName(f"review_{key}")
            e.editingFinished.connect(lambda k=key: self._commit_field(k))
            self.fields[key] = e
            form.addRow(tr(label), e)
        dates = QHBoxLayout()
        for key, label in DATE_FIELDS:
            d = DateEditor(self)
            d.setObjectName(f"review_{key}")
            d.editingFinished.connect(lambda k=key: self._commit_field(k))
            self.fields[key] = d
            if key != "held_on":
                dates.addWidget(QLabel(tr(label), self))
            dates.addWidget(d)
            if key == "held_on":
                dates.addSpacing(16)
        dates.addStretch(1)
        form.insertRow(1, tr("Held on"), dates)

        # -- commands
        self.act_collect = QAction(tr("Collect inputs again"), self)
        self.act_collect.setToolTip(tr("Read the inputs from the workspace again; inputs the "
                                       "team edited keep their text"))
        self.act_collect.triggered.connect(lambda _c=False: self.collect_again())
        self.act_close = QAction(tr("Close review…"), self)
        self.act_close.setToolTip(tr("Mark the review held: it needs the day, the chair and "
                                     "at least one output"))
        self.act_close.triggered.connect(lambda _c=False: self.close_review())
        self.act_reopen = QAction(tr("Reopen review"), self)
        self.act_reopen.setToolTip(tr("Set a held review back to planned (a completed one back "
                                      "to held) to change it"))
        self.act_reopen.triggered.connect(lambda _c=False: self.reopen_review())
        self.act_complete = QAction(tr("Mark completed"), self)
        self.act_complete.setToolTip(tr("The outputs are followed up: every output's action is "
                                        "done, verified or cancelled"))
        self.act_complete.triggered.connect(lambda _c=False: self.complete_review())
        self.act_export = QAction(tr("Export pack (Word)…"), self)
        self.act_export.triggered.connect(lambda _c=False: self.exportRequested.emit())
        bar = QHBoxLayout()
        self.command_buttons: dict[QAction, QPushButton] = {}
        for a in (self.act_collect, self.act_close, self.act_reopen, self.act_complete,
                  self.act_export):
            b = QPushButton(a.text(), self)
            b.setToolTip(a.toolTip())
            b.clicked.connect(a.trigger)
            a.changed.connect(lambda b=b, a=a: (b.setEnabled(a.isEnabled()),
                                                b.setVisible(a.isVisible())))
            self.command_buttons[a] = b
            bar.addWidget(b)
        bar.addStretch(1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("reviewNote")

        # -- inputs
        self.sections: dict[str, SectionEdit] = {}
        self.markers: dict[str, QLabel] = {}
        self.figure_labels: dict[str, QLabel] = {}
        self.compare_buttons: dict[str, QPushButton] = {}
        inputs = QWidget(self)
        il = QVBoxLayout(inputs)
        il.setContentsMargins(0, 0, 0, 0)
        from ...services import review as rv

        for section in rv.INPUTS:
            row = QHBoxLayout()
            title = QLabel(f"{rv.section_clause(section)}  {tr(rv.section_title(section))}",
                           inputs)
            tf = title.font()
            tf.setBold(True)
            title.setFont(tf)
            marker = QLabel(inputs)
            marker.setObjectName(f"marker_{section}")
            compare = QPushButton(tr("Compare…"), inputs)
            compare.setObjectName(f"compare_{section}")
            compare.setToolTip(tr("Show the text collected now beside the team's text, and "
                                  "take it or keep the team's"))
            compare.clicked.connect(lambda _c=False, s=section: self.compare(s))
            compare.hide()
            self.compare_buttons[section] = compare
            row.addWidget(title)
            row.addStretch(1)
            row.addWidget(marker)
            row.addWidget(compare)
            il.addLayout(row)
            edit = SectionEdit(section, rv.section_title(section), inputs)
            title.setBuddy(edit)
            edit.commitRequested.connect(lambda seal, e=edit: self.commit_section(e, seal))
            il.addWidget(edit)
            figs = QLabel(inputs)
            figs.setWordWrap(True)
            ff = figs.font()
            ff.setItalic(True)
            figs.setFont(ff)
            il.addWidget(figs)
            self.sections[section] = edit
            self.markers[section] = marker
            self.figure_labels[section] = figs

        # -- outputs
        self.outputs = make_output_model(controller, self.people_items, lambda: self.review_id,
                                         self)
        self.table = QTableView(self)
        self.table.setObjectName("outputsTable")
        self.table.setModel(self.outputs)
        self.table.setItemDelegate(TableDelegate(self.table))
        self.table.setEditTriggers(edit_triggers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(120)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.add_button = QToolButton(self)
        self.add_button.setText(tr("Add output"))
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for label, value, tip in output_items():
            a = menu.addAction(label, lambda v=value: self.add_output(v))
            a.setToolTip(tip)
        self.add_button.setMenu(menu)
        self.act_add = QAction(tr("Add decision"), self.table)
        self.act_add.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self.act_add.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_add.triggered.connect(lambda _c=False: self.add_output("decision"))
        self.table.addAction(self.act_add)
        self.act_delete = QAction(tr("Delete output"), self.table)
        self.act_delete.setShortcut(QKeySequence.StandardKey.Delete)
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_delete.triggered.connect(lambda _c=False: self.delete_output())
        self.table.addAction(self.act_delete)
        self.no_changes = QPushButton(tr("No changes needed"), self)
        self.no_changes.setToolTip(tr("Record the decision that the QMS needs no change (an "
                                      "output without an action)"))
        self.no_changes.clicked.connect(lambda: self.add_output("decision", no_changes=True))
        self.delete_button = QPushButton(tr("Delete output"), self)
        self.delete_button.clicked.connect(lambda: self.delete_output())
        obar = QHBoxLayout()
        for w in (self.add_button, self.no_changes, self.delete_button):
            obar.addWidget(w)
        obar.addStretch(1)

        # -- minutes
        self.minutes = SectionEdit("minutes", tr("Minutes"), self)
        self.minutes.commitRequested.connect(lambda seal: self.commit_minutes(seal))

        body = QWidget(self)
        bl = QVBoxLayout(body)
        bl.addWidget(self.head)
        bl.addWidget(self.status)
        bl.addLayout(form)
        bl.addLayout(bar)
        bl.addWidget(self.note)
        bl.addWidget(self._title(tr("Inputs (ISO 9001 9.3.2)"), body))
        bl.addWidget(inputs)
        bl.addWidget(self._title(tr("Outputs (ISO 9001 9.3.3)"), body))
        bl.addLayout(obar)
        bl.addWidget(self.table)
        bl.addWidget(self._title(tr("Minutes"), body))
        bl.addWidget(self.minutes)
        bl.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.scroll)
        self.set_review(None)

    @staticmethod
    def _title(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        f = label.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        label.setFont(f)
        return label

    # ------------------------------------------------------------------ data
    def people_items(self) -> list[Item]:
        if self._people is None:
            self._people = people_items(self.controller.workspace)
        return self._people

    def set_review(self, review_id: int | None) -> None:
        if review_id != self.review_id:
            self.flush()
        self.review_id = review_id
        self.reload()

    def reload(self, change=None) -> None:
        from ...services import review as rv

        if change is not None and change.touches("person"):
            self._people = None
        ws = self.controller.workspace
        self.review = None
        if ws is not None and self.review_id is not None:
            try:
                self.review = rv.get_review(ws, self.review_id)
            except Exception:
                self.review = None
        r = self.review
        self._loading = True
        try:
            writable = r is not None and not self.controller.read_only
            self.setEnabled(r is not None)
            self.head.setText(r.row.title if r is not None else tr("Choose or add a review"))
            labels = {v: label for label, v, _t in status_items()}
            if r is not None:
                self.status.setText(status_text(labels.get(r.row.status, r.row.status),
                                                r.row.outputs, r.row.actions,
                                                r.row.open_actions))
            else:
                self.status.setText("")
            for key, e in self.fields.items():
                value = getattr(r.row, key) if r is not None else None
                if isinstance(e, QLineEdit):
                    if not e.hasFocus() or e.text() == (value or ""):
                        e.setText(value or "")
                    e.setReadOnly(not writable)
                else:
                    e.set_value(value)
                    e.setReadOnly(not writable)
            closed = r is not None and r.row.closed
            completed = r is not None and r.row.status == "completed"
            if closed:  # the record of the day: nothing changes but the minutes (until completed)
                for e in self.fields.values():
                    e.setReadOnly(True)
            open_ = writable and not closed
            for section, edit in self.sections.items():
                item = r.item(section) if r is not None else None
                text = item.text if item is not None else ""
                if edit.stored != text and not (edit.hasFocus() and edit.dirty):
                    edit.load(text)
                edit.setReadOnly(not open_ or item is None)
                self.compare_buttons[section].setVisible(item is not None and item.stale)
                self.compare_buttons[section].setEnabled(open_)
                if item is None:
                    self.markers[section].setText(tr("not collected") if r is not None else "")
                elif item.stale:
                    self.markers[section].setText("⚠ " + tr("the figures changed since this text "
                                                            "was edited — compare"))
                    self.markers[section].setToolTip(tr("Collected again on {day}: the text "
                                                        "collected differs from the one the "
                                                        "team edited").format(day=item.fresh_on))
                elif item.edited:
                    self.markers[section].setText("✎ " + tr("edited"))
                    self.markers[section].setToolTip(tr("The team changed the text collected; "
                                                        "collecting again keeps it"))
                else:
                    self.markers[section].setText("⟳ " + tr("as collected"))
                    self.markers[section].setToolTip(tr("Collecting again replaces it"))
                self.figure_labels[section].setText(
                    figures_line(section, item.figures) if item is not None else "")
            minutes = r.row.minutes if r is not None else ""
            if self.minutes.stored != minutes and not (self.minutes.hasFocus()
                                                      and self.minutes.dirty):
                self.minutes.load(minutes)
            self.minutes.setReadOnly(not writable or completed)
            self.outputs.read_only = not open_
            self.outputs.reload()
            rows = self.outputs.rowCount()
            self.table.setFixedHeight(self.table.horizontalHeader().height() + 6
                                      + max(rows + 1, 3) * self.table.verticalHeader()
                                      .defaultSectionSize())
            self.act_collect.setEnabled(open_)
            self.act_close.setEnabled(open_)
            self.act_close.setVisible(not closed)
            self.act_collect.setVisible(not closed)
            self.act_reopen.setVisible(closed)
            self.act_reopen.setEnabled(writable and closed)
            self.act_complete.setVisible(closed and not completed)
            self.act_complete.setEnabled(writable and closed and not completed)
            for w in (self.add_button, self.no_changes, self.delete_button):
                w.setEnabled(open_)
            self.act_add.setEnabled(open_)
            self.act_delete.setEnabled(open_)
            if completed:
                self.note.setText(tr("This review is completed: its pack, outputs and minutes "
                                     "are the record. Reopen it to change them."))
            elif closed:
                self.note.setText(tr("This review has been held: its inputs, outputs and header "
                                     "stay as they were in the meeting (reopen it to change "
                                     "them); the minutes can still be written. Its actions are "
                                     "followed up on the Actions page."))
            elif r is not None:
                self.note.setText(tr("Inputs marked “as collected” are read from the workspace "
                                     "again by “Collect inputs again”; edited ones keep the "
                                     "team's text."))
            else:
                self.note.setText("")
        finally:
            self._loading = False

    # ------------------------------------------------------------------ edits
    def _commit_field(self, key: str) -> None:
        from ...services import review as rv

        if self._loading or self.review is None or self.controller.read_only:
            return
        e = self.fields[key]
        value = e.text() if isinstance(e, QLineEdit) else e.value()
        if key != "title" and isinstance(value, str):
            value = value.strip()
        if value == getattr(self.review.row, key) or (value in ("", None)
                                                      and not getattr(self.review.row, key)):
            return
        rid = self.review_id
        got = self.controller.edit(tr("Change review {field}").format(field=tr(dict(
            TEXT_FIELDS + DATE_FIELDS)[key]).lower()),
            lambda ws: rv.update_review(ws, rid, {key: value}))
        if got is None:
            self.reload()

    def commit_section(self, edit: SectionEdit, seal: bool = False) -> bool:
        from ...services import review as rv

        edit.timer.stop()
        item = self.review.item(edit.key) if self.review is not None else None
        ok = True
        if item is not None and not edit.isReadOnly():
            text = edit.markdown()
            if text != edit.baseline:
                old = edit.stored, edit.baseline
                edit.stored, edit.baseline = text, text
                iid = item.id
                got = self.controller.edit(
                    tr("Edit review input “{s}”").format(s=tr(rv.section_title(edit.key))),
                    lambda ws: rv.update_item(ws, iid, text), merge_key=("review_item", iid))
                if got is None:
                    edit.stored, edit.baseline = old
                    ok = False
        if seal:
            self._seal(("review_item", item.id) if item is not None else None)
        return ok

    def commit_minutes(self, seal: bool = False) -> bool:
        from ...services import review as rv

        edit = self.minutes
        edit.timer.stop()
        ok = True
        if self.review is not None and not edit.isReadOnly():
            text = edit.markdown()
            if text != edit.baseline:
                old = edit.stored, edit.baseline
                edit.stored, edit.baseline = text, text
                rid = self.review_id
                got = self.controller.edit(tr("Edit review minutes"), lambda ws: rv.update_review(
                    ws, rid, {"minutes": text}), merge_key=("review_minutes", rid))
                if got is None:
                    edit.stored, edit.baseline = old
                    ok = False
        if seal:
            self._seal(("review_minutes", self.review_id))
        return ok

    def _seal(self, key) -> None:
        top = self.controller.top_command()
        if key is not None and top is not None and getattr(top, "merge_key", None) == key:
            self.controller.flush_undo_merges()

    def flush(self) -> None:
        """Commit pending typing (before another review, undo or closing)."""
        for e in self.sections.values():
            if e.timer.isActive() or (not e.isReadOnly() and e.dirty):
                self.commit_section(e)
        if self.minutes.timer.isActive() or (not self.minutes.isReadOnly()
                                             and self.minutes.dirty):
            self.commit_minutes()

    def collect_again(self) -> Any:
        from ...services import review as rv

        if self.review_id is None:
            return None
        self.flush()
        rid = self.review_id
        report = self.controller.edit(tr("Collect review inputs again"),
                                      lambda ws: rv.refresh_inputs(ws, rid))
        if report is not None and report is not True:
            self.note.setText(tr(report.sentence()))
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(report.sentence(), 8000)
        return report

    def close_review(self, ask: bool = True) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ...services import review as rv

        if self.review_id is None:
            return False
        self.flush()
        rid = self.review_id
        problems = rv.close_problems(self.controller.workspace, rid)
        if problems:
            self.note.setText(tr("The review cannot be closed yet:") + " " + " ".join(problems))
            if ask:
                QMessageBox.information(self, tr("Close review"), self.note.text())
            return False
        if ask and QMessageBox.question(
                self, tr("Close review"),
                tr("Mark the review as held? Its inputs then stay as they are.")) \
                != QMessageBox.StandardButton.Yes:
            return False
        return self.controller.edit(tr("Close review"),
                                    lambda ws: rv.close_review(ws, rid)) is not None

    def reopen_review(self) -> bool:
        from ...services import review as rv

        if self.review_id is None:
            return False
        self.flush()
        rid = self.review_id
        return self.controller.edit(tr("Reopen review"),
                                    lambda ws: rv.reopen_review(ws, rid)) is not None

    def complete_review(self, ask: bool = True) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ...services import review as rv

        if self.review_id is None:
            return False
        self.flush()
        rid = self.review_id
        late = rv.unfinished_actions(self.controller.workspace, rid)
        if late:
            self.note.setText(tr("The review cannot be marked completed:") + " " + late)
            if ask:
                QMessageBox.information(self, tr("Mark completed"), self.note.text())
            return False
        return self.controller.edit(tr("Mark review completed"),
                                    lambda ws: rv.complete_review(ws, rid)) is not None

    def compare(self, section: str, answer: str | None = None) -> str:
        """Show the team's text beside the text collected now; "take", "keep" or "" (closed).
        ``answer`` skips the dialog (tests)."""
        from ...services import review as rv

        item = self.review.item(section) if self.review is not None else None
        if item is None or not item.stale:
            return ""
        self.flush()
        if answer is None:
            answer = CompareDialog(rv.section_title(section), item.text, item.fresh_text,
                                   self).ask()
        iid = item.id
        if answer == "take":
            self.controller.edit(tr("Take the collected text of “{s}”").format(
                s=tr(rv.section_title(section))), lambda ws: rv.take_collected(ws, iid))
        elif answer == "keep":
            self.controller.edit(tr("Keep the team's text of “{s}”").format(
                s=tr(rv.section_title(section))), lambda ws: rv.keep_edited(ws, iid))
        return answer

    def add_output(self, section: str, *, no_changes: bool = False,
                   text: str | None = None) -> int | None:
        from ...services import review as rv

        if self.review_id is None:
            return None
        rid = self.review_id
        if no_changes:
            text = tr(rv.NO_CHANGES)
        elif text is None:
            text = {"decision": tr("New decision"), "resource_need": tr("New resource need"),
                    "improvement_action": tr("New improvement action")}[section]
        label = tr("Add review output")
        iid = self.controller.edit(label, lambda ws: rv.add_output(
            ws, rid, section, text, make_action=not no_changes))
        if iid is None:
            return None
        row = self.outputs.row_of(iid)
        if row is not None:
            self.table.setCurrentIndex(self.outputs.index(row, 1))
            if not no_changes:
                self.table.setFocus()
                self.table.edit(self.table.currentIndex())
        return iid

    def delete_output(self, ask: bool = True) -> bool:
        """Delete the selected output (and its action), after asking unless ``ask`` is off."""
        from ...services import review as rv

        ids = selection.selected_ids(self.table)
        if not ids:
            row = selection.current_row(self.table, self.outputs)
            ids = [row.id] if row is not None else []
        if not ids:
            return False
        iid = ids[0]
        row = self.outputs.get(iid)
        if ask and row is not None and not self.confirm(
                tr("Delete output"), delete_question(row.text, row.action_ref)):
            return False
        return self.controller.edit(tr("Delete review output"),
                                    lambda ws: rv.delete_output(ws, iid)) is not None

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (tests replace this to answer it)."""
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def focus_section(self, section: str) -> None:
        e = self.sections.get(section)
        if e is not None:
            self.scroll.ensureWidgetVisible(e, 0, 40)
            e.setFocus(Qt.FocusReason.OtherFocusReason)


class CompareDialog:
    """The team's text and the text collected now side by side (read-only rich text), with
    "Take collected text" and "Keep edited text"."""

    def __init__(self, title: str, edited: str, collected: str, parent: QWidget | None = None):
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout

        self.dialog = d = QDialog(parent)
        d.setWindowTitle(tr("Compare “{s}”").format(s=tr(title)))
        grid = QGridLayout(d)
        for col, (label, text) in enumerate(((tr("As edited by the team"), edited),
                                             (tr("As collected now"), collected))):
            grid.addWidget(QLabel(label, d), 0, col)
            e = SectionEdit(f"compare{col}", label, d)
            e.load(text)
            e.setReadOnly(True)
            grid.addWidget(e, 1, col)
        buttons = QDialogButtonBox(d)
        self.take = buttons.addButton(tr("Take collected text"),
                                      QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep = buttons.addButton(tr("Keep edited text"),
                                      QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.answer = ""
        self.take.clicked.connect(lambda: self._done("take"))
        self.keep.clicked.connect(lambda: self._done("keep"))
        buttons.rejected.connect(d.reject)
        grid.addWidget(buttons, 2, 0, 1, 2)
        d.resize(1000, 520)

    def _done(self, answer: str) -> None:
        self.answer = answer
        self.dialog.accept()

    def ask(self) -> str:
        self.dialog.exec()
        return self.answer


def _n(n: int, one: str, many: str) -> str:
    return tr(one) if n == 1 else tr(many).format(n=n)


def status_text(status: str, outputs: int, actions: int, open_: int) -> str:
    """"Status: Planned · 1 output, 1 action (1 open)" — counted words in the singular for 1."""
    return tr("Status: {s} · {outputs}, {actions} ({o} open)").format(
        s=status, outputs=_n(outputs, "1 output", "{n} outputs"),
        actions=_n(actions, "1 action", "{n} actions"), o=open_)


def delete_question(text: str, action_ref: str = "") -> str:
    """The one sentence asked before an output is deleted."""
    line = " ".join(str(text or "").split("\n", 1)[0].split())
    line = line if len(line) <= 80 else line[:79] + "…"
    if action_ref:
        return tr("Delete the output “{text}” and its action {ref}?").format(text=line,
                                                                            ref=action_ref)
    return tr("Delete the output “{text}”?").format(text=line)


def today() -> dt.date:
    return dt.date.today()
