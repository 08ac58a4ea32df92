"""The detail panel of the selected risk: every field, 5×5 and FMEA ratings side by side with
their help texts, the rating history with "Re-rate", and the treatment actions.

Built on the kit's ``DetailPanel``: text commits after a pause and when left, picks at once;
every edit is one ``controller.edit`` line. The page gives it rows; it never calls the page."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
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
from ..table import DetailPanel, TableDelegate, TextBox, compact, format_date, make_editor
from ..table.delegates import DateEditor, ValueCombo
from . import style
from .actions import ActionTableModel
from .columns import HELP10, edit_label, field_text, risk_columns
from .delegates import Choices, rating_items

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController

tr = style.tr
AP_LEVEL = {"H": "critical", "M": "medium", "L": "low"}


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


class _ActionsView(QTableView):
    """The actions table; says when its width changed (its columns are fitted to it)."""

    resized = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.resized.emit()


class _FlowLayout(QLayout):
    """Widgets side by side while they fit, the next ones on a new line when they do not
    (the badges under the panel's heading: never squeezed, never past the edge)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int = 4):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing, self._line_spacing = spacing, line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def sizeHint(self) -> QSize:  # noqa: N802
        """Everything on one line."""
        hints = [item.sizeHint() for item in self._shown()]
        m = self.contentsMargins()
        return QSize(sum(h.width() for h in hints) + self._spacing * max(0, len(hints) - 1)
                     + m.left() + m.right(),
                     max((h.height() for h in hints), default=0) + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        """The widest single item (each line holds at least one)."""
        m = self.contentsMargins()
        mins = [item.minimumSize() for item in self._shown()]
        return QSize(max((s.width() for s in mins), default=0) + m.left() + m.right(),
                     max((s.height() for s in mins), default=0) + m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measured unless ``move``); the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = max(min(hint.width(), area.width()), item.minimumSize().width())
            if x > area.x() and x + width > area.right() + 1:
                x, y, line = area.x(), y + line + self._line_spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom() if line else 0


class Badge(QLabel):
    """A level / AP / overdue badge: text and a coloured fill (readable without colour). It
    asks for the room of its whole text; given less (a very narrow panel) it shows the start
    with "…" and the whole text in its tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setContentsMargins(6, 2, 6, 2)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""

    def show_level(self, text: str, level: str, kind: str = "risk") -> None:
        self.setText(text)
        self.setStyleSheet(style.cell_style(level, style.is_dark(self.palette()), kind)
                           + " border-radius: 3px; padding: 1px 6px;" if level else "")
        self.setVisible(bool(text))

    def setText(self, text: str) -> None:  # noqa: N802
        self._full = text
        super().setText(text)
        self.updateGeometry()
        self._fit()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        m = self.contentsMargins()
        whole = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right()
        return QSize(max(hint.width(), whole), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        fm = self.fontMetrics()
        least = min(fm.horizontalAdvance(self._full), fm.horizontalAdvance("M" * 6 + "…"))
        return QSize(least + m.left() + m.right(), super().minimumSizeHint().height())

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.updateGeometry()  # a style sheet's padding changes the room the text needs
            self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        fm = self.fontMetrics()
        shown = self._full if fm.horizontalAdvance(self._full) <= room else \
            fm.elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


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


class RiskDetailPanel(DetailPanel):
    """Shows and edits the current risk (given by :meth:`show_risk`)."""

    FIELDS = ("title", "ref", "kind", "category", "process_id", "node_id", "owner_id", "status",
              "review_date", "identified_on", "method", "cause", "effect", "controls",
              "treatment", "notes")
    #: the narrowest the panel gets, in average characters of its font: the same for every
    #: risk, so selecting one with FMEA ratings never widens the panel (its tabs scroll)
    MIN_CHARS = 34
    #: the least room of a process, step or owner picker on the Risk tab, in characters
    FIELD_CHARS = 10
    #: the action columns read first (ID, owner, due, status), then the action's title, which
    #: takes the rest of the width: the table never scrolls sideways
    ACTION_ORDER = ("ref", "owner_id", "due_date", "status", "title")
    #: the evidence of effectiveness of the current action, under the table (not columns a
    #: narrow panel would have to scroll to)
    EVIDENCE = ("completed_on", "effectiveness_check", "effective")

    def __init__(self, controller: "WorkspaceController", choices: Choices,
                 parent: QWidget | None = None):
        super().__init__(controller, "risk", parent)
        self.choices = choices
        self.columns = {c.key: c for c in risk_columns(choices)}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack)
        self.empty = QLabel(tr("Select a risk to see its details."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.empty)
        self.built = False
        self._choices_version = -1

    def minimumSizeHint(self):  # noqa: N802
        """A constant minimum (not the widest tab's): the splitter never widens the panel
        when another risk is shown."""
        hint = super().minimumSizeHint()
        hint.setWidth(self.fontMetrics().averageCharWidth() * self.MIN_CHARS)
        return hint

    def show_row(self, row) -> None:  # noqa: D102
        super().show_row(row)
        self._home_combos()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.built:
            self._fit_action_title()

    def _home_combos(self) -> None:
        """Searchable combos show the start of a long value ("Sales, quotation and…"), not
        its end: the line edit's cursor goes home."""
        for editor in getattr(self, "editors", {}).values():
            line = editor.lineEdit() if isinstance(editor, QComboBox) else None
            if line is not None and not line.hasFocus():
                line.setCursorPosition(0)

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        """Build the panel's widgets (when the first risk is shown, so the page opens fast)."""
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
        # the badges wrap onto a second line rather than being cut ("Inherent: Hig")
        badges = _FlowLayout()
        self.inherent_badge, self.residual_badge, self.fmea_badge, self.overdue_badge = (
            Badge(body) for _ in range(4))
        for b in (self.inherent_badge, self.residual_badge, self.fmea_badge, self.overdue_badge):
            badges.addWidget(b)
        lay.addLayout(badges)
        self.tabs = QTabWidget(body)
        lay.addWidget(self.tabs, 1)
        self._build_fields_tab()
        self._build_ratings_tab()
        self._build_actions_tab()
        self._build_attachments_tab()

    def _editor(self, key: str, parent: QWidget, row: Any = None) -> QWidget:
        column = self.columns[key]
        if column.editor == "longtext":
            return TextBox(parent, lines=3)
        items = column.items(row) if column.items is not None else ()
        return make_editor(column.editor, parent, items)

    def _build_fields_tab(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        # never sideways: what does not fit is narrowed or wrapped, not scrolled to
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(scroll)
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a field too wide to sit beside its label goes under it (a very narrow panel)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key in self.FIELDS:
            editor = self._editor(key, inner)
            if isinstance(editor, QComboBox) and editor.isEditable():
                # the pickers of a process, step or owner start narrow and grow with the
                # panel (their popups still show long names whole)
                compact(editor, self.FIELD_CHARS)
            form.addRow(self.columns[key].title, self.bind(key, editor))
        scroll.setWidget(inner)
        self.tabs.addTab(scroll, tr("Risk"))

    def _rating_combo(self, key: str, parent: QWidget, chars: int) -> QComboBox:
        combo = self.bind(key, compact(ValueCombo(rating_items(key), parent), chars))
        # the chosen label shows whole ("4 – Likely"); the popup is as wide as its items
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        return combo

    def _build_ratings_tab(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        tab = QWidget(scroll)
        lay = QVBoxLayout(tab)
        self.side_by_side = _SideBySide(tab)
        lay.addWidget(self.side_by_side)

        self.box_5x5 = QGroupBox(tr("5×5 likelihood × impact"), tab)
        grid = QGridLayout(self.box_5x5)
        # one stage under the other, each with its likelihood, impact and level on their own
        # lines: the labelled combos and the level badge show whole in a narrow panel
        self.level_labels: dict[str, Badge] = {}
        names = {"likelihood": tr("Likelihood"), "impact": tr("Impact")}
        # the stage's name heads its lines (not a column of its own): the combos get the
        # width of a narrow panel
        for r, stage in enumerate(("inherent", "residual")):
            top = 4 * r
            heading = QLabel(tr("Inherent") if stage == "inherent" else tr("Residual"))
            f = QFont(heading.font())
            f.setBold(True)
            heading.setFont(f)
            grid.addWidget(heading, top, 0, 1, 2)
            for c, part in enumerate(("likelihood", "impact"), start=1):
                grid.addWidget(QLabel(names[part]), top + c, 0)
                grid.addWidget(self._rating_combo(f"{stage}_{part}", self.box_5x5, 10),
                               top + c, 1)
            self.level_labels[stage] = Badge(self.box_5x5)
            grid.addWidget(QLabel(tr("Level")), top + 3, 0)
            grid.addWidget(self.level_labels[stage], top + 3, 1,
                           Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        self.note_5x5 = QLabel(self.box_5x5)
        self.note_5x5.setWordWrap(True)
        grid.addWidget(self.note_5x5, 8, 0, 1, 2)
        grid.setRowStretch(9, 1)
        self.side_by_side.box.addWidget(self.box_5x5, 1)

        self.box_fmea = QGroupBox(tr("FMEA"), tab)
        form = QGridLayout(self.box_fmea)
        form.addWidget(QLabel(tr("Failure mode")), 0, 0)
        form.addWidget(self.bind("failure_mode", QLineEdit(self.box_fmea)), 0, 1)
        self.help_labels: dict[str, QLabel] = {}
        for r, (key, label) in enumerate((("severity", tr("Severity (S)")),
                                          ("occurrence", tr("Occurrence (O)")),
                                          ("detection", tr("Detection (D)"))), start=1):
            form.addWidget(QLabel(label), 2 * r - 1, 0)
            form.addWidget(self._rating_combo(key, self.box_fmea, 10), 2 * r - 1, 1)
            help_ = QLabel(self.box_fmea)
            help_.setWordWrap(True)
            f = QFont(help_.font())
            f.setItalic(True)
            help_.setFont(f)
            help_.hide()  # shown with a text: an empty one leaves no gap
            self.help_labels[key] = help_
            form.addWidget(help_, 2 * r, 1)
        self.rpn_badge = Badge(self.box_fmea)
        form.addWidget(QLabel(tr("RPN / AP")), 8, 0)
        form.addWidget(self.rpn_badge, 8, 1)
        self.note_fmea = QLabel(self.box_fmea)
        self.note_fmea.setWordWrap(True)
        form.addWidget(self.note_fmea, 9, 0, 1, 2)
        form.setColumnStretch(1, 1)
        form.setRowStretch(10, 1)
        self.side_by_side.box.addWidget(self.box_fmea, 1)

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
        lay.setContentsMargins(2, 4, 2, 2)  # the columns get the room
        self.actions_model = ActionTableModel(self.choices, self._edit_action, self)
        self.actions_view = _ActionsView(tab)
        self.actions_view.resized.connect(self._fit_action_title)
        self.actions_view.setModel(self.actions_model)
        self.actions_view.setItemDelegate(TableDelegate(self.actions_view))
        self.actions_view.verticalHeader().hide()
        self.actions_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.actions_view.horizontalHeader()
        # the action's title, the last column shown, takes the rest of the width
        header.setStretchLastSection(True)
        # every line of a wrapped title shows, whatever width the title has
        self.actions_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        for visual, key in enumerate(self.ACTION_ORDER):
            header.moveSection(header.visualIndex(self.actions_model.column_of[key]), visual)
        for key in self.EVIDENCE:
            header.setSectionHidden(self.actions_model.column_of[key], True)
        self.actions_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the action's text wraps in the width ID, owner, due date and status leave: a narrow
        # panel shows all of it on a few lines rather than "Set up d…"
        self.actions_view.setWordWrap(True)
        self.actions_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        lay.addWidget(self.actions_view, 1)
        self._build_evidence(tab)
        lay.addWidget(self.evidence_box)
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

    def _build_evidence(self, tab: QWidget) -> None:
        """Completion date, effectiveness check and verdict of the current action."""
        model = self.actions_model
        self.evidence_box = QGroupBox(tab)
        form = QFormLayout(self.evidence_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.completed_label = QLabel(self.evidence_box)
        self.effectiveness_edit = QLineEdit(self.evidence_box)
        self._evidence_shown = ""  # the stored value the box last showed
        self.effectiveness_edit.setPlaceholderText(tr("How and when was it checked?"))
        self.effective_combo = ValueCombo(
            model.columns[model.column_of["effective"]].items(None), self.evidence_box)
        for key, widget in zip(self.EVIDENCE, (self.completed_label, self.effectiveness_edit,
                                               self.effective_combo)):
            form.addRow(model.columns[model.column_of[key]].title, widget)
        self.effectiveness_edit.editingFinished.connect(
            lambda: self._commit_evidence("effectiveness_check",
                                          self.effectiveness_edit.text().strip() or None))
        self.effective_combo.activated.connect(
            lambda _i: self._commit_evidence("effective", self.effective_combo.value()))
        for sig in (model.modelReset, model.dataChanged, model.rowsInserted, model.rowsRemoved,
                    self.actions_view.selectionModel().currentRowChanged):
            sig.connect(self._show_evidence)
        self._show_evidence()

    def _current_action(self) -> Any:
        index = self.actions_view.currentIndex()
        if not index.isValid() and self.actions_model.rowCount() == 1:
            return self.actions_model.row_at(0)  # the only one: no need to pick it
        return self.actions_model.row_at(index.row()) if index.isValid() else None

    def _show_evidence(self, *_args, force: bool = False) -> None:
        """Show the current action's evidence; ``force``: replace typed text too."""
        action = self._current_action()
        box = self.evidence_box
        box.setVisible(self.actions_model.rowCount() > 0)
        if action is None:
            box.setTitle(tr("Effectiveness: select an action"))
            self.completed_label.clear()
            self.effectiveness_edit.clear()
            self._evidence_shown = ""
            self.effectiveness_edit.setProperty("action_id", None)
            self.effective_combo.set_value(None)
            self.effectiveness_edit.setReadOnly(True)
            self.effective_combo.setEnabled(False)
            return
        box.setTitle(tr("Effectiveness of {ref}").format(ref=action.ref or action.title))
        self.completed_label.setText(format_date(action.completed_on) if action.completed_on
                                     else tr("not yet"))
        edit, value = self.effectiveness_edit, action.effectiveness_check or ""
        same = edit.property("action_id") == action.id
        # Text typed here and not yet committed stays while the user is in the box; anything
        # else (an undo or redo with the focus still here included) shows the stored value.
        typing = (not force and same and edit.hasFocus()
                  and edit.text() != self._evidence_shown)
        if not typing and edit.text() != value:
            edit.setText(value)
            if not (same and edit.hasFocus()):
                edit.setCursorPosition(0)
        self._evidence_shown = value
        edit.setProperty("action_id", action.id)
        self.effective_combo.set_value(action.effective)
        editable = not self.controller.read_only
        self.effectiveness_edit.setReadOnly(not editable)
        self.effective_combo.setEnabled(editable)

    def _commit_evidence(self, key: str, value: Any) -> None:
        action = self._current_action()
        if action is None or self.controller.read_only or getattr(action, key) == value:
            return
        model = self.actions_model
        self._edit_action(action, model.columns[model.column_of[key]], value)
        self._show_evidence(force=True)  # a refused change shows the stored value again
        if key == "effectiveness_check":
            # the typing is now one step of the app's undo history: the box forgets its own
            # (setText clears it), so Ctrl+Z can never make the box and the file disagree
            edit = self.effectiveness_edit
            pos = edit.cursorPosition()
            edit.setText(edit.text())
            edit.setCursorPosition(pos)

    def flush(self) -> None:
        """Commit typing still waiting (before undo, another row, closing), the effectiveness
        check under the actions table included."""
        super().flush()
        if not self.built or self.effectiveness_edit.isReadOnly():
            return
        edit = self.effectiveness_edit
        action = self._current_action()
        if (action is not None and edit.property("action_id") == action.id
                and edit.text() != self._evidence_shown):
            self._commit_evidence("effectiveness_check", edit.text().strip() or None)

    def _build_attachments_tab(self) -> None:
        from ..attachments import AttachmentsWidget

        self.attachments = AttachmentsWidget(self.controller, self)
        self.attachments_tab_index = self.tabs.addTab(self.attachments, tr("Files"))
        m = self.attachments.model
        for sig in (m.modelReset, m.rowsInserted, m.rowsRemoved):
            sig.connect(self._files_label)

    def _files_label(self, *_args) -> None:
        n = self.attachments.model.rowCount()
        self.tabs.setTabText(self.attachments_tab_index,
                             tr("Files ({n})").format(n=n) if n else tr("Files"))

    # ------------------------------------------------------------------ showing
    def show_risk(self, row: RiskRow | None, *, multiple: int = 0) -> None:
        """Show ``row`` (None: nothing or several selected)."""
        if row is None:
            self.show_row(None)
            self.empty.setText(tr("{n} risks selected. Use Bulk edit to change them together.")
                               .format(n=multiple) if multiple > 1 else
                               tr("Select a risk to see its details."))
            self.stack.setCurrentIndex(0)
            return
        self.build()
        self.stack.setCurrentIndex(1)
        if self._choices_version != self.choices.version:  # people or processes changed
            for key in ("owner_id", "process_id"):
                self.editors[key].set_items(self.choices.items(key))
            self._choices_version = self.choices.version
        self.editors["node_id"].set_items(self.choices.items("node_id", row.process_id))
        self.show_row(row)

    def fill(self, row: RiskRow | None) -> None:
        if row is None or not self.built:
            return
        read_only = self.controller.read_only
        self.set_read_only(read_only)
        self.editors["node_id"].setEnabled(row.process_id is not None and not read_only)
        title = " ".join(row.title.split())  # a title typed over several lines reads as one
        self.heading.setText(f"{row.ref} — {title}" if row.ref else title)
        uses_5x5 = row.method in ("5x5", "both")
        uses_fmea = row.method in ("fmea", "both")
        for stage, score in (("inherent", row.inherent_score), ("residual", row.residual_score)):
            level = getattr(row, f"{stage}_level")
            self.level_labels[stage].show_level(
                tr("{level} ({score})").format(level=style.level_label(level, row.kind),
                                               score=score)
                if level else tr("not rated"), level, row.kind)
        self.note_5x5.setText("" if uses_5x5 else
                              tr("Not used: this risk is scored with FMEA only."))
        self.note_fmea.setText("" if uses_fmea else
                               tr("Not used: this risk is scored with 5×5 only."))
        # the block of a method the risk does not use is greyed (its note says why)
        self.box_5x5.setEnabled(uses_5x5)
        self.box_fmea.setEnabled(uses_fmea)
        for key, help_ in self.help_labels.items():
            value = getattr(row, key)
            help_.setText(HELP10[key].get(value, "") if value else "")
            help_.setVisible(bool(help_.text()))
        fmea = tr("RPN {rpn} · AP {ap}").format(rpn=row.rpn, ap=style.ap_label(row.ap))
        self.rpn_badge.show_level(fmea if row.rpn is not None else tr("not rated"),
                                  AP_LEVEL.get(row.ap, "") if row.rpn is not None else "")
        self.inherent_badge.show_level(
            tr("Inherent: {level}").format(level=style.level_label(row.inherent_level, row.kind))
            if row.inherent_level and uses_5x5 else "", row.inherent_level, row.kind)
        self.residual_badge.show_level(
            tr("Residual: {level}").format(level=style.level_label(row.residual_level, row.kind))
            if row.residual_level and uses_5x5 else "", row.residual_level, row.kind)
        self.fmea_badge.show_level(fmea if row.rpn is not None and uses_fmea else "",
                                   AP_LEVEL.get(row.ap, ""))
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
        for w in (self.rerate_button, self.add_action_button, self.delete_action_button):
            w.setEnabled(not read_only)
        self.actions_model.read_only = read_only
        self.reload_related()

    def reload_related(self) -> None:
        """Re-read the rating history and actions of the shown risk (queries, not painting)."""
        from ...services import risks

        ws = self.controller.workspace
        if self.row is None or ws is None:
            return
        history = risks.rating_history(ws, self.row.id)
        self.history.setRowCount(len(history))
        for i, h in enumerate(history):
            values = [format_date(h.rated_on),
                      tr("Inherent") if h.stage == "inherent" else tr("Residual"),
                      h.likelihood, h.impact, h.severity, h.occurrence, h.detection, h.note]
            for c, v in enumerate(values):
                self.history.setItem(i, c, QTableWidgetItem("" if v is None else str(v)))
        self.attachments.set_owner("risk", self.row.id)
        self._files_label()
        actions = _actions().actions_for(ws, "risk", self.row.id)
        self.actions_model.set_rows(actions)
        self.actions_view.resizeColumnsToContents()
        self._fit_action_title()
        overdue = sum(1 for a in actions if a.overdue)
        label = tr("Actions ({n})").format(n=len(actions)) if actions else tr("Actions")
        if overdue:
            label = tr("Actions ({n}, {m} overdue)").format(n=len(actions), m=overdue)
        self.tabs.setTabText(self.actions_tab_index, label)

    def _fit_action_title(self) -> None:
        """The action's title takes what ID, owner, due date and status leave of the view's
        width (the header stretches it, so a vertical scroll bar coming or going never pushes
        it past the edge); the ID gives way when the title would get less than a few words."""
        view, model = self.actions_view, self.actions_model
        header = view.horizontalHeader()
        fm, hfm = view.fontMetrics(), header.fontMetrics()

        def texts(key: str) -> list[str]:
            column = model.columns[model.column_of[key]]
            display = column.display_of()
            return [" ".join((display(r) or "").split()) for r in model.rows]

        def longest_word(key: str) -> int:
            column = model.columns[model.column_of[key]]
            return max([fm.horizontalAdvance(w) for t in texts(key) for w in t.split()]
                       + [hfm.horizontalAdvance(column.title) + 10]) + 12

        # the owner and the status wrap at their spaces ("Priya / Raman", "In / progress")
        # when the panel is narrow, so the action's own text keeps room
        for key in ("owner_id", "status"):
            logical = model.column_of[key]
            header.resizeSection(logical, min(header.sectionSize(logical), longest_word(key)))
        # the room the title has even with a vertical scroll bar (it may come with the rows)
        width = view.viewport().width()
        if not view.verticalScrollBar().isVisible():
            width -= view.style().pixelMetric(view.style().PixelMetric.PM_ScrollBarExtent,
                                              None, view)
        used = sum(header.sectionSize(model.column_of[k])
                   for k in ("owner_id", "due_date", "status"))
        ref = model.column_of["ref"]
        least = max(fm.averageCharWidth() * 10, longest_word("title"))
        # (a hidden section has no size: the ID's width is measured from its content)
        id_width = max(view.sizeHintForColumn(ref), header.sectionSizeHint(ref))
        header.setSectionHidden(ref, width - used - id_width < least)

    # ------------------------------------------------------------------ editing
    def commit_value(self, field: str, value: Any) -> bool:
        # through the risk service: it validates, and a new process clears the old one's step
        rid, values = self.row.id, {field: value}
        return bool(self.controller.edit(edit_label([rid], values),
                                         lambda ws: _risks().update_risks(ws, [rid], values)))

    def rerate(self) -> None:
        if self.row is None:
            return
        dialog = RerateDialog(self.row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.rerate_risk(self.row.id, stage=dialog.stage.value(), ratings=dialog.ratings(),
                             note=dialog.note.text().strip(), on=dialog.on.value())

    def rerate_risk(self, rid: int, *, stage: str, ratings: dict[str, Any], note: str = "",
                    on: dt.date | None = None) -> bool:
        """Record a new rating of risk ``rid`` (kept in its history) as one undo step."""
        return bool(self.controller.edit(tr("Re-rate risk"), lambda ws: _risks().rerate(
            ws, rid, stage=stage, note=note, on=on or dt.date.today(), **ratings)))

    def add_action(self) -> None:
        if self.row is None:
            return
        rid, values = self.row.id, {"title": tr("New action")}
        if self.row.owner_id is not None:
            values["owner_id"] = self.row.owner_id
        aid = self.controller.edit(tr("Add treatment action"),
                                   lambda ws: _actions().add_action(ws, "risk", rid, values))
        pos = self.actions_model.row_of(aid) if aid else None
        if pos is not None:
            self.tabs.setCurrentIndex(self.actions_tab_index)
            index = self.actions_model.index(pos, self.actions_model.column_of["title"])
            self.actions_view.setCurrentIndex(index)
            self.actions_view.edit(index)

    def delete_action(self) -> None:
        index = self.actions_view.currentIndex()
        if self.row is None or not index.isValid():
            return
        aid = self.actions_model.row_at(index.row()).id
        self.controller.edit(tr("Delete treatment action"),
                             lambda ws: _actions().delete_actions(ws, [aid]))

    def _edit_action(self, action: Any, column, value: Any) -> bool:
        aid, values = action.id, {column.key: value}
        return bool(self.controller.edit(
            tr("Change action {field}").format(field=field_text(column.key)),
            lambda ws: _actions().update_actions(ws, [aid], values)))


def _risks():
    from ...services import risks

    return risks


def _actions():
    from ...services import actions

    return actions
