"""The Details tab: the register fields of the selected document, each change one undo step
through ``documents.update_documents`` (the service checks numbers, titles and periods).

The choices (kind, owner, process) take the width of the column like the texts beside them;
where a label is still longer, its start shows and the tooltip has it in full. A read-only
workspace greys every field alike: the texts stay selectable but look like the disabled
choices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, \
    QSizePolicy, QSpinBox, QWidget

from ..table import DateEditor, Item, ValueCombo, compact
from .model import kind_items, status_text, tr

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


class DocumentDetails(QWidget):
    def __init__(self, controller: "WorkspaceController", people: Callable[[], list[Item]],
                 processes: Callable[[], list[Item]], parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.people, self.processes = people, processes
        self.row: Any = None
        self._loading = False
        self.number = QLineEdit(self)
        self.title = QLineEdit(self)
        self.kind = compact(ValueCombo(kind_items(), self), 16)
        self.owner = compact(ValueCombo([], self, searchable=True), 20)
        self.process = compact(ValueCombo([], self, searchable=True), 20)
        for combo in (self.kind, self.owner, self.process):
            # as wide as the column (the number and title beside them are), not 20 characters
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._show_start(c))
            if combo.lineEdit() is not None:
                combo.lineEdit().editingFinished.connect(lambda c=combo: self._show_start(c))
        self.review_months = QSpinBox(self)
        self.review_months.setRange(0, 120)
        self.review_months.setSpecialValueText(tr("no periodic review"))
        self.review_months.setSuffix(tr(" months"))
        self.next_review = DateEditor(self)
        self.origin = QLineEdit(self)
        self.origin.setPlaceholderText(tr("Where an external document comes from"))
        self.status = QLabel(self)
        self.status.setObjectName("documentStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # two columns: the register fields beside the review fields and the status, so the
        # tab needs half the height (the register above keeps its rows)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            # texts take the width; choices, periods and dates keep their natural size
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        left.addRow(tr("&Number:"), self.number)
        left.addRow(tr("&Title:"), self.title)
        left.addRow(tr("&Kind:"), self.kind)
        left.addRow(tr("&Owner:"), self.owner)
        left.addRow(tr("&Process:"), self.process)
        right.addRow(tr("Status:"), self.status)
        right.addRow(tr("Re&view every:"), self.review_months)
        right.addRow(tr("Next re&view:"), self.next_review)
        right.addRow(tr("O&rigin:"), self.origin)
        columns = QHBoxLayout(self)
        columns.addLayout(left, 3)
        columns.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        columns.addLayout(right, 2)
        self.forms = (left, right)
        self.editors: dict[str, QWidget] = {
            "number": self.number, "title": self.title, "kind": self.kind,
            "owner_id": self.owner, "process_id": self.process,
            "review_months": self.review_months, "next_review_on": self.next_review,
            "origin": self.origin}
        for key in ("number", "title", "origin"):
            e = self.editors[key]
            e.editingFinished.connect(lambda k=key, e=e: self.commit(k, e.text()))
        for key in ("kind", "owner_id", "process_id"):
            e = self.editors[key]
            e.activated.connect(lambda _i, k=key, e=e: self.commit(k, e.value()))
        self.review_months.editingFinished.connect(
            lambda: self.commit("review_months", self.review_months.value() or None))
        self.next_review.editingFinished.connect(
            lambda: self.commit("next_review_on", self.next_review.value()))
        self.next_review.dateChanged.connect(
            lambda _d: None if self.next_review.hasFocus() else
            self.commit("next_review_on", self.next_review.value()))

    def refill_choices(self) -> None:
        self._loading = True
        try:
            self.owner.set_items(self.people())
            self.process.set_items(self.processes())
        finally:
            self._loading = False
        for combo in (self.owner, self.process):
            self._show_start(combo)

    @staticmethod
    def _show_start(combo: QComboBox) -> None:
        """Show the start of a long choice (a typed-in field scrolls to its end) and the
        whole of it in the tooltip."""
        text = combo.currentText()
        edit = combo.lineEdit()
        if edit is not None and not edit.hasFocus():
            edit.setCursorPosition(0)
        room = (edit.width() if edit is not None else combo.width()) - \
            combo.fontMetrics().averageCharWidth()
        combo.setToolTip(text if combo.fontMetrics().horizontalAdvance(text) > room else "")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        for combo in (self.kind, self.owner, self.process):
            self._show_start(combo)

    def show_row(self, row: Any) -> None:
        self.row = row
        self._loading = True
        try:
            if row is None:
                for e in (self.number, self.title, self.origin):
                    e.clear()
                self.status.clear()
                self.next_review.set_value(None)
                self.review_months.setValue(0)
                return
            for key, e in (("number", self.number), ("title", self.title),
                           ("origin", self.origin)):
                if not e.hasFocus() or e.text() == getattr(row, key):
                    e.setText(getattr(row, key))
                    e.setCursorPosition(0)
            self.kind.set_value(row.kind)
            self.owner.set_value(row.owner_id)
            self.process.set_value(row.process_id)
            for combo in (self.kind, self.owner, self.process):
                self._show_start(combo)
            self.review_months.setValue(row.review_months or 0)
            self.next_review.set_value(row.next_review_on)
            lines = [status_text(row)]
            if row.revision:
                lines.append(tr("Revision {rev} in force").format(rev=row.revision))
            self.status.setText(" · ".join(lines))
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        for e in self.editors.values():
            if isinstance(e, QLineEdit):
                # read-only keeps the text selectable; it is drawn like the disabled fields
                e.setReadOnly(read_only)
                e.setPalette(greyed(self.palette()) if read_only else QPalette())
            else:
                e.setEnabled(not read_only)

    def commit(self, key: str, value: Any) -> bool:
        """Store ``value`` in ``key`` of the shown document (one undo step); False when it
        is unchanged or refused (then the field shows the stored value again)."""
        from ...services import documents

        row = self.row
        if self._loading or row is None or self.controller.read_only:
            return False
        current = getattr(row, key)
        if isinstance(value, str) and key != "number" and key != "title" and key != "origin":
            value = value or None
        if value == current or (key in ("title", "number", "origin") and
                                " ".join(str(value).split()) == current):
            return False
        label = tr("Rename document") if key == "title" else tr("Change document details")
        ok = self.controller.edit(label, lambda ws: documents.update_documents(
            ws, [row.id], {key: value})) is not None
        if ok:
            self.controller.flush_undo_merges()
        else:
            self.show_row(self.row)
        return ok


def greyed(palette: QPalette) -> QPalette:
    """``palette`` with the disabled field colours in every state: a read-only text field
    then looks like the disabled choices beside it."""
    out = QPalette(palette)
    disabled = QPalette.ColorGroup.Disabled
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Text,
                     QPalette.ColorRole.PlaceholderText):
            out.setColor(group, role, palette.color(disabled, role))
    return out
