"""The detail panel of the selected risk: every field, 5×5 and FMEA ratings side by side with
their help texts, the rating history with "Re-rate", and the treatment actions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...services.risks import RiskRow
from . import style
from .actions import ActionDelegate, ActionTableModel, status_change
from .columns import CHOICE, DATE, LINK, RATING5, RATING10
from .commands import AddActionCommand, DeleteActionCommand, EditActionCommand, RerateCommand
from .delegates import (
    HELP10,
    DateEditor,
    ValueCombo,
    editor_value,
    format_date,
    make_editor,
    rating_items,
    set_editor_value,
)

if TYPE_CHECKING:  # pragma: no cover
    from .page import RisksPage

tr = style.tr
AP_LEVEL = {"H": "critical", "M": "medium", "L": "low"}


class _TextBox(QPlainTextEdit):
    """A multi-line field that reports when the user leaves it."""

    left = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        lines = 3
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.left.emit()


class _SideBySide(QWidget):
    """Two group boxes side by side when there is room, one above the other otherwise."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def _needed(self) -> int:
        widths = [self.box.itemAt(i).widget().sizeHint().width()
                  for i in range(self.box.count()) if self.box.itemAt(i).widget()]
        return sum(widths) + self.box.spacing() * max(0, len(widths) - 1)

    def resizeEvent(self, event) -> None:  # noqa: N802
        direction = (QBoxLayout.Direction.LeftToRight if event.size().width() >= self._needed()
                     else QBoxLayout.Direction.TopToBottom)
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)

    def minimumSizeHint(self):  # noqa: N802
        hint = super().minimumSizeHint()
        widths = [self.box.itemAt(i).widget().minimumSizeHint().width()
                  for i in range(self.box.count()) if self.box.itemAt(i).widget()]
        hint.setWidth(max(widths, default=hint.width()))
        return hint


class Badge(QLabel):
    """A level / AP / overdue badge: text and a coloured fill (readable without colour)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setContentsMargins(6, 2, 6, 2)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def show_level(self, text: str, level: str) -> None:
        self.setText(text)
        self.setStyleSheet(style.cell_style(level, style.is_dark(self.palette()))
                           + " border-radius: 3px; padding: 1px 6px;" if level else "")
        self.setVisible(bool(text))


class RerateDialog(QDialog):
    """Record a new rating after actions; the previous one stays in the history."""

    def __init__(self, row: RiskRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Re-rate {ref}").format(ref=row.ref or row.title))
        self.row = row
        lay = QVBoxLayout(self)
        intro = QLabel(tr("Record how the risk is rated now, after its actions. The earlier "
                          "rating is kept in the history."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        lay.addLayout(form)
        self.stage = ValueCombo([(tr("Residual (with controls and treatment)"), "residual", ""),
                                 (tr("Inherent (before controls)"), "inherent", "")], self)
        form.addRow(tr("Stage"), self.stage)
        self.on = DateEditor(self)
        self.on.set_value(dt.date.today())
        form.addRow(tr("Rated on"), self.on)
        self.fields: dict[str, ValueCombo] = {}
        uses_5x5 = row.method in ("5x5", "both")
        uses_fmea = row.method in ("fmea", "both")
        if uses_5x5:
            self.fields["likelihood"] = ValueCombo(rating_items("residual_likelihood"), self)
            self.fields["impact"] = ValueCombo(rating_items("residual_impact"), self)
            form.addRow(tr("Likelihood"), self.fields["likelihood"])
            form.addRow(tr("Impact"), self.fields["impact"])
        if uses_fmea:
            for name, label in (("severity", tr("Severity (S)")),
                                ("occurrence", tr("Occurrence (O)")),
                                ("detection", tr("Detection (D)"))):
                self.fields[name] = ValueCombo(rating_items(name), self)
                form.addRow(label, self.fields[name])
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(tr("e.g. after the new incoming inspection"))
        form.addRow(tr("Note"), self.note)
        self.stage.currentIndexChanged.connect(self._load)
        self._load()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _load(self) -> None:
        stage = self.stage.value()
        for name, combo in self.fields.items():
            attr = f"{stage}_{name}" if name in ("likelihood", "impact") else name
            combo.set_value(getattr(self.row, attr))

    def ratings(self) -> dict[str, int | None]:
        return {name: combo.value() for name, combo in self.fields.items()}


class RiskDetailPanel(QWidget):
    """Shows and edits the current risk; edits go through the page's undo commands."""

    FIELDS = (
        # key, label, kind
        ("title", tr("Title"), "text"),
        ("ref", tr("ID"), "text"),
        ("kind", tr("Kind"), CHOICE),
        ("category", tr("Category"), "text"),
        ("process_id", tr("Process"), LINK),
        ("node_id", tr("Step"), LINK),
        ("owner_id", tr("Owner"), LINK),
        ("status", tr("Status"), CHOICE),
        ("review_date", tr("Review date"), DATE),
        ("identified_on", tr("Identified on"), DATE),
        ("method", tr("Method"), CHOICE),
        ("cause", tr("Cause"), "longtext"),
        ("effect", tr("Effect"), "longtext"),
        ("controls", tr("Existing controls"), "longtext"),
        ("treatment", tr("Treatment"), "longtext"),
        ("notes", tr("Notes"), "longtext"),
    )

    def __init__(self, page: "RisksPage", parent: QWidget | None = None):
        super().__init__(parent)
        self.page = page
        self.row: RiskRow | None = None
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.empty = QLabel(tr("Select a risk to see its details."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.editors: dict[str, QWidget] = {}
        self.built = False
        self._choices_version = -1

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        """Build the panel's widgets (done when the first risk is shown, so the page opens
        fast)."""
        if self.built:
            return
        self.built = True
        body = QWidget(self)
        self.stack.addWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 0, 0, 0)

        self.heading = QLabel(body)
        f = QFont(self.heading.font())
        f.setPointSizeF((f.pointSizeF() if f.pointSizeF() > 0 else 10) * 1.25)
        f.setBold(True)
        self.heading.setFont(f)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.heading)
        badges = QHBoxLayout()
        self.inherent_badge = Badge(body)
        self.residual_badge = Badge(body)
        self.fmea_badge = Badge(body)
        self.overdue_badge = Badge(body)
        for b in (self.inherent_badge, self.residual_badge, self.fmea_badge, self.overdue_badge):
            badges.addWidget(b)
        badges.addStretch(1)
        lay.addLayout(badges)

        self.tabs = QTabWidget(body)
        lay.addWidget(self.tabs, 1)
        self._build_fields_tab()
        self._build_ratings_tab()
        self._build_actions_tab()
        self._choices_version = self.page.choices.version

    def _build_fields_tab(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget(scroll)
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, kind in self.FIELDS:
            if kind == "longtext":
                editor: QWidget = _TextBox(inner)
                editor.left.connect(lambda k=key: self._commit(k))
            else:
                editor = make_editor(kind, key, inner, self.page.choices)
                if isinstance(editor, ValueCombo):
                    editor.activated.connect(lambda _i, k=key: self._commit(k))
                    if editor.isEditable():
                        editor.lineEdit().editingFinished.connect(lambda k=key: self._commit(k))
                elif isinstance(editor, QDateEdit):
                    editor.editingFinished.connect(lambda k=key: self._commit(k))
                    editor.dateChanged.connect(lambda _d, k=key, e=editor: (
                        self._commit(k) if not e.hasFocus() else None))
                else:
                    editor.editingFinished.connect(lambda k=key: self._commit(k))
            self.editors[key] = editor
            form.addRow(label, editor)
        scroll.setWidget(inner)
        self.tabs.addTab(scroll, tr("Risk"))

    def _build_ratings_tab(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        tab = QWidget(scroll)
        lay = QVBoxLayout(tab)
        self.side_by_side = _SideBySide(tab)
        side = self.side_by_side.box
        lay.addWidget(self.side_by_side)

        self.box_5x5 = QGroupBox(tr("5×5 likelihood × impact"), tab)
        grid = QGridLayout(self.box_5x5)
        grid.addWidget(QLabel(tr("Likelihood")), 0, 1)
        grid.addWidget(QLabel(tr("Impact")), 0, 2)
        grid.addWidget(QLabel(tr("Level")), 0, 3)
        self.level_labels: dict[str, Badge] = {}
        for r, stage in enumerate(("inherent", "residual"), start=1):
            grid.addWidget(QLabel(tr("Inherent") if stage == "inherent" else tr("Residual")),
                           r, 0)
            for c, part in enumerate(("likelihood", "impact"), start=1):
                key = f"{stage}_{part}"
                combo = make_editor(RATING5, key, self.box_5x5)
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(9)
                combo.activated.connect(lambda _i, k=key: self._commit(k))
                self.editors[key] = combo
                grid.addWidget(combo, r, c)
            badge = Badge(self.box_5x5)
            self.level_labels[stage] = badge
            grid.addWidget(badge, r, 3)
        self.note_5x5 = QLabel(self.box_5x5)
        self.note_5x5.setWordWrap(True)
        grid.addWidget(self.note_5x5, 3, 0, 1, 4)
        grid.setRowStretch(4, 1)
        side.addWidget(self.box_5x5, 1)

        self.box_fmea = QGroupBox(tr("FMEA"), tab)
        form = QGridLayout(self.box_fmea)
        fm = make_editor("text", "failure_mode", self.box_fmea)
        fm.editingFinished.connect(lambda: self._commit("failure_mode"))
        self.editors["failure_mode"] = fm
        form.addWidget(QLabel(tr("Failure mode")), 0, 0)
        form.addWidget(fm, 0, 1)
        self.help_labels: dict[str, QLabel] = {}
        for r, (key, label) in enumerate((("severity", tr("Severity (S)")),
                                          ("occurrence", tr("Occurrence (O)")),
                                          ("detection", tr("Detection (D)"))), start=1):
            combo = make_editor(RATING10, key, self.box_fmea)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.activated.connect(lambda _i, k=key: self._commit(k))
            self.editors[key] = combo
            form.addWidget(QLabel(label), 2 * r - 1, 0)
            form.addWidget(combo, 2 * r - 1, 1)
            help_ = QLabel(self.box_fmea)
            help_.setWordWrap(True)
            f = QFont(help_.font())
            f.setItalic(True)
            help_.setFont(f)
            self.help_labels[key] = help_
            form.addWidget(help_, 2 * r, 1)
        self.rpn_badge = Badge(self.box_fmea)
        form.addWidget(QLabel(tr("RPN / AP")), 8, 0)
        form.addWidget(self.rpn_badge, 8, 1)
        self.note_fmea = QLabel(self.box_fmea)
        self.note_fmea.setWordWrap(True)
        form.addWidget(self.note_fmea, 9, 0, 1, 2)
        form.setRowStretch(10, 1)
        side.addWidget(self.box_fmea, 1)

        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Rating history")))
        row.addStretch(1)
        self.rerate_button = QPushButton(tr("Re-rate…"), tab)
        self.rerate_button.setToolTip(tr("Record a new rating after actions; the earlier one is "
                                         "kept in the history."))
        self.rerate_button.clicked.connect(self.rerate)
        row.addWidget(self.rerate_button)
        lay.addLayout(row)
        self.history = QTableWidget(0, 8, tab)
        self.history.setHorizontalHeaderLabels([tr("Date"), tr("Stage"), tr("L"), tr("I"),
                                                tr("S"), tr("O"), tr("D"), tr("Note")])
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.history, 1)
        scroll.setWidget(tab)
        self.tabs.addTab(scroll, tr("Ratings"))

    def _build_actions_tab(self) -> None:
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        self.actions_model = ActionTableModel(self)
        self.actions_model.committer = self._edit_action
        self.actions_view = QTableView(tab)
        self.actions_view.setModel(self.actions_model)
        self.actions_view.setItemDelegate(ActionDelegate(self.page.choices, self.actions_view))
        self.actions_view.verticalHeader().hide()
        self.actions_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_view.horizontalHeader().setStretchLastSection(True)
        self.actions_view.setWordWrap(False)
        lay.addWidget(self.actions_view, 1)
        buttons = QHBoxLayout()
        self.add_action_button = QPushButton(tr("Add action"), tab)
        self.add_action_button.clicked.connect(self.add_action)
        self.delete_action_button = QPushButton(tr("Delete action"), tab)
        self.delete_action_button.clicked.connect(self.delete_action)
        buttons.addWidget(self.add_action_button)
        buttons.addWidget(self.delete_action_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.actions_tab_index = self.tabs.addTab(tab, tr("Actions"))

    # ------------------------------------------------------------------ showing
    def show_risk(self, row: RiskRow | None, *, multiple: int = 0) -> None:
        """Show ``row`` (None: nothing or several selected)."""
        self.row = row
        if row is None:
            self.empty.setText(tr("{n} risks selected. Use Bulk edit to change them together.")
                               .format(n=multiple) if multiple > 1 else
                               tr("Select a risk to see its details."))
            self.stack.setCurrentIndex(0)
            return
        self.build()
        self.stack.setCurrentIndex(1)
        self._loading = True
        try:
            self._fill(row)
        finally:
            self._loading = False
        self.reload_related()

    def _fill(self, row: RiskRow) -> None:
        read_only = self.page.read_only
        choices = self.page.choices
        if self._choices_version != choices.version:  # people or processes changed
            for key in ("owner_id", "process_id"):
                self.editors[key].set_items(choices.items(key))
            self._choices_version = choices.version
        self.heading.setText(f"{row.ref} — {row.title}" if row.ref else row.title)
        for key, editor in self.editors.items():
            if key == "node_id":
                editor.set_items(self.page.choices.items("node_id", row.process_id))
                editor.setEnabled(row.process_id is not None and not read_only)
            else:
                editor.setEnabled(not read_only)
            if isinstance(editor, (QLineEdit, QPlainTextEdit)) and editor.hasFocus():
                continue  # the user is typing there
            set_editor_value(editor, getattr(row, key))
            if isinstance(editor, QLineEdit):
                editor.setCursorPosition(0)
        uses_5x5 = row.method in ("5x5", "both")
        uses_fmea = row.method in ("fmea", "both")
        for stage, score in (("inherent", row.inherent_score), ("residual", row.residual_score)):
            level = getattr(row, f"{stage}_level")
            self.level_labels[stage].show_level(
                tr("{level} ({score})").format(level=style.level_label(level), score=score)
                if level else tr("not rated"), level)
        self.note_5x5.setText("" if uses_5x5 else
                              tr("Not used: this risk is scored with FMEA only."))
        self.note_fmea.setText("" if uses_fmea else
                               tr("Not used: this risk is scored with 5×5 only."))
        for key, help_ in self.help_labels.items():
            value = getattr(row, key)
            help_.setText(HELP10[key].get(value, "") if value else "")
        if row.rpn is not None:
            self.rpn_badge.show_level(tr("RPN {rpn} · AP {ap}").format(
                rpn=row.rpn, ap=style.ap_label(row.ap)), AP_LEVEL.get(row.ap, ""))
        else:
            self.rpn_badge.show_level(tr("not rated"), "")
        # badges in the heading
        self.inherent_badge.show_level(
            tr("Inherent: {level}").format(level=style.level_label(row.inherent_level))
            if row.inherent_level and uses_5x5 else "", row.inherent_level)
        self.residual_badge.show_level(
            tr("Residual: {level}").format(level=style.level_label(row.residual_level))
            if row.residual_level and uses_5x5 else "", row.residual_level)
        self.fmea_badge.show_level(
            tr("RPN {rpn} · AP {ap}").format(rpn=row.rpn, ap=style.ap_label(row.ap))
            if row.rpn is not None and uses_fmea else "", AP_LEVEL.get(row.ap, ""))
        overdue = []
        if row.review_overdue:
            overdue.append(tr("review overdue"))
        if row.overdue_actions:
            overdue.append(tr("{n} action(s) overdue").format(n=row.overdue_actions))
        self.overdue_badge.setText("⚠ " + ", ".join(overdue) if overdue else "")
        self.overdue_badge.setStyleSheet(
            f"color: {style.Palette(style.is_dark(self.palette())).overdue.color().name()};"
            " font-weight: bold;")
        self.overdue_badge.setVisible(bool(overdue))
        self.rerate_button.setEnabled(not read_only)
        self.add_action_button.setEnabled(not read_only)
        self.delete_action_button.setEnabled(not read_only)
        self.actions_model.read_only = read_only

    def reload_related(self) -> None:
        """Re-read the rating history and actions of the shown risk (queries, not painting)."""
        ws = self.page.workspace
        if self.row is None or ws is None:
            return
        from ...services import risks

        history = risks.rating_history(ws, self.row.id)
        self.history.setRowCount(len(history))
        for i, h in enumerate(history):
            date = format_date(h.rated_on)
            values = [date, tr("Inherent") if h.stage == "inherent" else tr("Residual"),
                      h.likelihood, h.impact, h.severity, h.occurrence, h.detection, h.note]
            for c, v in enumerate(values):
                self.history.setItem(i, c, QTableWidgetItem("" if v is None else str(v)))
        actions = risks.risk_actions(ws, self.row.id)
        self.actions_model.set_rows(actions)
        self.actions_view.resizeColumnsToContents()
        overdue = sum(1 for a in actions if a.overdue)
        label = tr("Actions ({n})").format(n=len(actions)) if actions else tr("Actions")
        if overdue:
            label = tr("Actions ({n}, {m} overdue)").format(n=len(actions), m=overdue)
        self.tabs.setTabText(self.actions_tab_index, label)

    # ------------------------------------------------------------------ editing
    def _commit(self, key: str) -> None:
        if self._loading or self.row is None:
            return
        value = editor_value(self.editors[key])
        current = getattr(self.row, key)
        if value == current and type(value) is type(current):
            return
        if not self.page.edit([self.row.id], {key: value}):
            row = self.row
            self._loading = True
            try:
                set_editor_value(self.editors[key], getattr(row, key))
            finally:
                self._loading = False

    def rerate(self) -> None:
        if self.row is None or self.page.workspace is None:
            return
        dialog = RerateDialog(self.row, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ratings = {k: v for k, v in dialog.ratings().items()}
        self.page.push(RerateCommand(self.page.workspace, self.row.id,
                                     stage=dialog.stage.value(), ratings=ratings,
                                     note=dialog.note.text().strip(),
                                     on=dialog.on.value() or dt.date.today()))

    def add_action(self) -> None:
        if self.row is None or self.page.workspace is None:
            return
        values: dict[str, Any] = {"title": tr("New action")}
        if self.row.owner_id is not None:
            values["owner_id"] = self.row.owner_id
        cmd = AddActionCommand(self.page.workspace, self.row.id, values)
        if self.page.push(cmd):
            self.tabs.setCurrentIndex(self.actions_tab_index)
            for i, a in enumerate(self.actions_model.rows):
                if a.id == cmd.aid:
                    index = self.actions_model.index(i, 1)
                    self.actions_view.setCurrentIndex(index)
                    self.actions_view.edit(index)
                    break

    def delete_action(self) -> None:
        if self.row is None or self.page.workspace is None:
            return
        index = self.actions_view.currentIndex()
        if not index.isValid():
            return
        action = self.actions_model.rows[index.row()]
        self.page.push(DeleteActionCommand(self.page.workspace, self.row.id, action.id))

    def _edit_action(self, aid: int, field: str, value: Any) -> bool:
        if self.row is None or self.page.workspace is None:
            return False
        action = next((a for a in self.actions_model.rows if a.id == aid), None)
        if action is None:
            return False
        if field == "status":
            old, new = status_change(action, value)
        else:
            old, new = {field: getattr(action, field)}, {field: value}
        return self.page.push(EditActionCommand(self.page.workspace, self.row.id, aid, old, new))
