"""Dashboard: the cockpit of the workspace — eight tiles that each open their filtered list,
the workspace's counts and the organization profile (editable, undoable).

Tiles: overdue actions, risks by level (bars), training compliance and what expires, the audit
programme, the latest gap analysis by chapter (bars), objectives on/near/off target (bars),
documents due for review, open nonconformities. The first paint shows every tile's frame and
its headline count (``services.dashboard.headline``: a few COUNT queries); each tile's figures
are computed on the controller's worker pool, one tile after the other, and filled in as they
arrive (the bars are painted with QPainter, so drawing never blocks). An edit recomputes only
the tiles whose tables it touched, once edits pause (``services.dashboard.TILE_KINDS``).

A tile (click, or Enter / Space when focused), a bar or a link in a tile or a count card opens
its list through :attr:`DashboardPage.openList` (page key, filters), routed by the main window
like the pages' ``openRecord``; :func:`tile_targets` and :func:`detail_targets` list them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..binding import FieldBinding
from .base import Page, heading


def tr(text: str) -> str:
    return QCoreApplication.translate("DashboardPage", text)


def card_captions() -> list[tuple[str, str]]:
    """(overview count key, caption) for the cards, in display order."""
    return [
        ("people", tr("People")),
        ("roles", tr("Roles")),
        ("processes", tr("Processes")),
        ("process_steps", tr("Process steps")),
        ("risks", tr("Risks and opportunities")),
        ("actions", tr("Open actions")),
        ("courses", tr("Courses")),
        ("training_records", tr("Training records")),
        ("documents", tr("Documents")),
        ("checklist_runs", tr("Gap analyses and audits")),
        ("findings", tr("Findings")),
        ("nonconformities", tr("Nonconformities")),
        ("objectives", tr("Objectives")),
        ("audit_events", tr("Audit events")),
    ]


def card_targets() -> dict[str, tuple[str, dict]]:
    """Card key → (page key, filters) the card opens; "" filters none (the whole list)."""
    training = ("training", _training_filters())
    return {
        "people": training, "roles": training, "courses": training,
        "training_records": training,
        "processes": ("processes", {}), "process_steps": ("processes", {}),
        "risks": ("risks", {}),
        "actions": ("actions", {"status": "unfinished"}),
        "documents": ("documents", {}),
        "checklist_runs": ("checklists", {}), "findings": ("checklists", {}),
        "nonconformities": ("nonconformities", {}),
        "objectives": ("objectives", {}),
        "audit_events": ("audit_trail", {}),
    }


def detail_targets() -> dict[tuple[str, str], tuple[str, dict]]:
    """(card key, link in its detail line) → (page key, filters)."""
    return {
        ("actions", "overdue"): ("actions", {"status": "unfinished", "overdue_only": True}),
        ("risks", "high"): ("risks", _open_risks(level="high+")),
        ("risks", "overdue"): ("risks", {"overdue_only": True}),
        ("documents", "overdue"): ("documents", {"review_overdue": True}),
        ("documents", "revising"): ("documents", {"status": "pending"}),
        ("training_records", "late"): ("training", _training_filters(status="late")),
        ("training_records", "retrain"): ("training", _training_filters(status="retrain")),
        ("training_records", "expiring"): ("training", _training_filters(status="expiring")),
    }


def _open_risks(**values) -> dict:
    """The register's filters that list what the risk figures count: open risks, not
    opportunities (``services.risks.level_counts``), narrowed by ``values``."""
    return {"kind": "risk", "open_only": True, **values}


def _training_filters(**values) -> dict:
    """Every filter of the training matrix, cleared except ``values``."""
    return {"department": None, "role": None, "status": None, "text": "", "course": "",
            **values}


def link(href: str, text: str) -> str:
    return f'<a href="{href}">{escape(text)}</a>'


def count_text(n: int) -> str:
    """``n`` with the locale's digit grouping ("2,169", "2.169"), under the C locale too, whose
    default leaves the grouping out ("2169")."""
    loc = QLocale()
    loc.setNumberOptions(loc.numberOptions() & ~QLocale.NumberOption.OmitGroupSeparator)
    return loc.toString(n)


class ActivatableFrame(QFrame):
    """A focusable frame that a click, Enter or Space activates (the cards and the tiles)."""

    activated = Signal()
    linkActivated = Signal(str)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)


class StatCard(ActivatableFrame):
    """One headline figure: a large number, its caption and an optional detail line. A click
    (or Enter / Space when focused) emits ``activated``; a link in the detail line emits
    ``linkActivated`` with its name."""

    def __init__(self, key: str, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"card_{key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        # a card fills its grid cell: every card of a row as high as the tallest (no staggered
        # cards, no holes beside a long detail)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        self.value = QLabel("–", self)
        f = QFont(self.value.font())
        f.setPointSizeF(max(f.pointSizeF(), 6.0) * 2.0)
        f.setBold(True)
        self.value.setFont(f)
        self.value.setObjectName(f"value_{key}")
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        self.caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.detail = QLabel(self)
        self.detail.setObjectName(f"detail_{key}")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.detail.linkActivated.connect(self.linkActivated)
        self.detail_icon = QLabel(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.detail_icon)
        row.addWidget(self.detail, 1)
        lay.addWidget(self.value)
        lay.addWidget(self.caption)
        lay.addLayout(row)
        lay.addStretch(1)  # the figure, caption and detail at the top of a taller cell
        self.set_detail("")

    def set_value(self, n: int) -> None:
        self.value.setText(count_text(n))
        self.setAccessibleName(f"{self.caption.text()}: {self.value.text()}")

    def set_detail(self, text: str, warning: bool = False, *, html: bool = False) -> None:
        """``text`` is plain unless ``html`` (then it may hold :func:`link`\\ s)."""
        # an empty detail keeps its line, so every card in a row has the same height
        self.detail.setText((text if html else escape(text)) or "&nbsp;")
        if warning and text:
            size = QFontMetrics(self.detail.font()).height()
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.detail_icon.setPixmap(icon.pixmap(QSize(size, size),
                                                   self.devicePixelRatioF()))
            self.detail_icon.show()
        else:
            self.detail_icon.clear()
            self.detail_icon.hide()


class ProfilePanel(QGroupBox):
    """The organization's name, scope, quality policy and sites; edits are undoable commands.

    Once the organization has a policy document (``organization.policy_document_id``) the
    policy box shows the text of the revision in force, read-only — the policy is edited, and
    approved, on Context & policy, never here; without one it is the organization's (legacy)
    text, editable. Either way "Edit on Context & policy" emits ``openPolicy``."""

    #: the "Edit on Context & policy" link was followed
    openPolicy = Signal()

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(tr("Organization profile"), parent)
        self.controller = controller
        lay = QVBoxLayout(self)
        self.empty = QWidget(self)
        empty_lay = QVBoxLayout(self.empty)
        empty_lay.setContentsMargins(0, 0, 0, 0)
        empty_text = QLabel(tr("This workspace has no organization profile yet."), self.empty)
        empty_text.setWordWrap(True)
        self.create_button = QPushButton(tr("Create Profile"), self.empty)
        self.create_button.clicked.connect(self.create_profile)
        empty_lay.addWidget(empty_text)
        empty_lay.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.empty)

        self.form_widget = QWidget(self)
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name_edit = QLineEdit(self.form_widget)
        self.name_edit.setObjectName("orgName")
        self.scope_edit = self._text_edit("orgScope", 6)
        self.policy_edit = self._text_edit("orgPolicy", 8, grow=True)
        # the policy document's revision in force: shown, never edited here
        self.policy_view = self._text_edit("orgPolicyInForce", 8, grow=True)
        self.policy_view.setReadOnly(True)
        # read-only: no frame and the window's background, like a label (the Scope box above
        # is framed and white: editable)
        self.policy_view.setFrameShape(QFrame.Shape.NoFrame)
        self.policy_view.setBackgroundRole(QPalette.ColorRole.Window)
        self.policy_view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.policy_view.viewport().setAutoFillBackground(True)
        self.policy_view.hide()
        self.policy_note = QLabel(self.form_widget)
        self.policy_note.setObjectName("orgPolicyNote")
        self.policy_note.setWordWrap(True)
        self.policy_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.policy_note.hide()
        self.policy_link = QLabel(link("policy", tr("Edit on Context & policy")),
                                  self.form_widget)
        self.policy_link.setObjectName("orgPolicyLink")
        self.policy_link.setTextFormat(Qt.TextFormat.RichText)
        self.policy_link.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.policy_link.linkActivated.connect(lambda _href: self.openPolicy.emit())
        policy_box = QWidget(self.form_widget)
        policy_lay = QVBoxLayout(policy_box)
        policy_lay.setContentsMargins(0, 0, 0, 0)
        policy_lay.addWidget(self.policy_note)
        policy_lay.addWidget(self.policy_edit, 1)
        policy_lay.addWidget(self.policy_view, 1)
        policy_lay.addWidget(self.policy_link)
        self.sites_edit = self._text_edit("orgSites", 3)
        form.addRow(tr("&Name:"), self.name_edit)
        form.addRow(tr("&Scope:"), self.scope_edit)
        policy_label = QLabel(tr("Quality &policy:"), self.form_widget)
        policy_label.setBuddy(self.policy_edit)
        self.policy_label = policy_label
        form.addRow(policy_label, policy_box)
        form.addRow(tr("S&ites:"), self.sites_edit)
        lay.addWidget(self.form_widget, 1)
        self.read_only_note = QLabel(
            tr("The workspace is open read-only: the profile cannot be changed."), self)
        self.read_only_note.setWordWrap(True)
        lay.addWidget(self.read_only_note)
        lay.addStretch(0)

        self.bindings = {
            "name": FieldBinding(controller, self.name_edit, "organization", "name"),
            "scope": FieldBinding(controller, self.scope_edit, "organization", "scope"),
            "quality_policy": FieldBinding(controller, self.policy_edit, "organization",
                                           "quality_policy"),
            "sites": FieldBinding(controller, self.sites_edit, "organization", "sites"),
        }
        self.show_profile(None, read_only=True)

    def _text_edit(self, name: str, lines: int, *, grow: bool = False) -> QPlainTextEdit:
        """A text box ``lines`` lines high (in the user's font); ``grow`` takes spare height."""
        edit = QPlainTextEdit(self.form_widget)
        edit.setObjectName(name)
        edit.setTabChangesFocus(True)
        line = QFontMetrics(edit.font()).lineSpacing()
        height = line * lines + 2 * edit.frameWidth() + int(edit.document().documentMargin() * 2)
        if grow:
            edit.setMinimumHeight(height)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        else:
            edit.setFixedHeight(height)
        return edit

    def show_profile(self, profile, *, read_only: bool, policy=None) -> None:
        """``policy``: ``services.context.get_policy`` (None, or one without a document: the
        organization's own text, editable)."""
        self.empty.setVisible(profile is None and self.controller.workspace is not None)
        self.create_button.setEnabled(not read_only)
        self.form_widget.setVisible(profile is not None)
        self.read_only_note.setVisible(read_only and self.controller.workspace is not None)
        for field, binding in self.bindings.items():
            binding.set_record(profile.id if profile else None,
                               getattr(profile, field) if profile else "")
            binding.set_read_only(read_only)
        self.show_policy(policy if profile is not None else None)

    def show_policy(self, policy) -> None:
        """The policy box: the revision in force of the policy document (read-only), else the
        organization's text (editable)."""
        controlled = policy is not None and policy.document_id is not None
        self.policy_edit.setVisible(not controlled)
        self.policy_view.setVisible(controlled)
        self.policy_note.setVisible(controlled)
        self.policy_label.setBuddy(self.policy_view if controlled else self.policy_edit)
        if not controlled:
            self.policy_view.clear()
            self.policy_note.clear()
            return
        name = " ".join(x for x in (policy.number, policy.title) if x)
        if policy.in_force_id is not None:
            note = tr("{doc}, revision {rev} in force since {day}").format(
                doc=name, rev=policy.revision or "–", day=date_text(policy.effective_on)) \
                if policy.effective_on else tr("{doc}, revision {rev} in force").format(
                    doc=name, rev=policy.revision or "–")
            text = policy.text_in_force
        else:
            note = tr("{doc}: no revision is in force yet").format(doc=name)
            text = ""
        if policy.pending:
            note += " · " + tr("revision {rev} being worked on").format(rev=policy.pending)
        self.policy_note.setText(note)
        if self.policy_view.toPlainText() != text:
            self.policy_view.setPlainText(text)
        self.policy_view.setAccessibleName(tr("Quality policy in force"))

    def create_profile(self) -> None:
        ws = self.controller.workspace
        if ws is None:
            return
        from ...services import records

        name = tr("My organization")
        if self.controller.edit(tr("Create organization profile"),
                                lambda ws: records.create(ws, "organization", {"name": name})):
            self.name_edit.setFocus()
            self.name_edit.selectAll()


# =========================================================================== tiles


def tile_captions() -> list[tuple[str, str]]:
    """(tile key, caption) of the cockpit's tiles, in display order."""
    return [
        ("actions", tr("Overdue actions")),
        ("risks", tr("Risks by level")),
        ("training", tr("Training compliance")),
        ("audits", tr("Audit programme")),
        ("gap", tr("Gap analysis by chapter")),
        ("objectives", tr("Objectives & KPIs")),
        ("documents", tr("Documents due for review")),
        ("nonconformities", tr("Nonconformities")),
    ]


def tile_targets(gap_run: int | None = None) -> dict[tuple[str, str], tuple[str, dict]]:
    """(tile key, link or bar in it; "" the tile itself) → (page key, filters) it opens;
    ``gap_run``: the latest gap analysis (its chapter bars open it at that chapter)."""
    return {
        ("actions", ""): ("actions", {"status": "unfinished", "overdue_only": True}),
        ("actions", "unfinished"): ("actions", {"status": "unfinished"}),
        ("risks", ""): ("risks", _open_risks(level="high+")),
        ("risks", "overdue"): ("risks", {"overdue_only": True}),
        ("risks", "opportunities"): ("risks", {"kind": "opportunity", "open_only": True}),
        **{("risks", f"level:{lv}"): ("risks", _open_risks(level=lv))
           for lv in ("critical", "high", "medium", "low", "none")},
        ("training", ""): ("training", _training_filters(status="late")),
        ("training", "late"): ("training", _training_filters(status="late")),
        ("training", "expiring"): ("training", _training_filters(status="expiring")),
        ("training", "retrain"): ("training", _training_filters(status="retrain")),
        ("audits", ""): ("checklists", {"tab": "programme"}),
        ("audits", "programme"): ("checklists", {"tab": "programme"}),
        ("gap", ""): ("checklists", {"kind": "gap_analysis"}),
        **{("gap", f"chapter:{ch}"): ("checklists", {"tab": "runs", "run": gap_run,
                                                     "chapter": ch}
                                      if gap_run is not None else {"kind": "gap_analysis"})
           for ch in ("4", "5", "6", "7", "8", "9", "10")},
        ("objectives", ""): ("objectives", {"status": "off"}),
        ("objectives", "late"): ("objectives", {"status": "late"}),
        **{("objectives", f"status:{s}"): ("objectives", {"status": s})
           for s in ("on", "near", "off", "none")},
        ("documents", ""): ("documents", {"review_overdue": True}),
        ("documents", "revising"): ("documents", {"status": "pending"}),
        ("nonconformities", ""): ("nonconformities", {"status": "unfinished"}),
        ("nonconformities", "overdue"): ("nonconformities", {"status": "overdue"}),
        **{("nonconformities", f"status:{s}"): ("nonconformities", {"status": s})
           for s in ("open", "contained", "investigating", "action")},
    }


def chapter_names() -> dict[str, str]:
    """ISO 9001 chapter → its short title (numbers and titles only, never the standard's text)."""
    return {"4": tr("Context"), "5": tr("Leadership"), "6": tr("Planning"), "7": tr("Support"),
            "8": tr("Operation"), "9": tr("Evaluation"), "10": tr("Improvement")}


def date_text(day) -> str:
    """A date as the lists show it (the user's format, four-digit year)."""
    from ..table.delegates import format_date

    return format_date(day)


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


#: bar colours (fill, text) of the charts that are not risk levels, light and dark
_GOOD = {False: ("#C6EFCE", "#004D00"), True: ("#1F5130", "#D8F3DF")}
_NEAR = {False: ("#FFEB9C", "#4D3B00"), True: ("#6B5300", "#FFF1C2")}
_BAD = {False: ("#F8CBAD", "#7A2E00"), True: ("#8A3B12", "#FFE2D1")}
_NONE = {False: ("#E7E6E6", "#3A3A3A"), True: ("#3A3A3A", "#E0E0E0")}
_STAGE = {False: ("#BDD7EE", "#163058"), True: ("#21466E", "#E3EEFB")}


def score_colours(percent: float | None, dark: bool) -> tuple[str, str]:
    """A gap-analysis score's bar colour: 80 % and up good, 50 % and up fair, below poor."""
    if percent is None:
        return _NONE[dark]
    return (_GOOD if percent >= 80 else _NEAR if percent >= 50 else _BAD)[dark]


class Bar:
    """One row of a :class:`BarChart`: label, value against ``maximum``, the text drawn after
    the bar (the number: colour never speaks alone) and its colours."""

    __slots__ = ("key", "label", "value", "maximum", "text", "fill", "ink")

    def __init__(self, key: str, label: str, value: float | None, maximum: float, text: str,
                 fill: str, ink: str):
        self.key, self.label, self.value, self.maximum = key, label, value, maximum
        self.text, self.fill, self.ink = text, fill, ink


class BarChart(QWidget):
    """Horizontal bars painted with QPainter (no chart library: instant, never blocking): a
    label column, the bar, the figure after it. A click on a row emits ``barActivated``."""

    barActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in self.bars))
        self.setToolTip("\n".join(f"{b.label}: {b.text}" for b in self.bars))
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, max(1, len(self.bars)) * self._row_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, len(self.bars) * self._row_height())

    def row_at(self, y: float) -> int:
        i = int(y // self._row_height())
        return i if 0 <= i < len(self.bars) else -1

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        i = self.row_at(event.position().y())
        if event.button() == Qt.MouseButton.LeftButton and i >= 0:
            self.barActivated.emit(self.bars[i].key)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QColor, QPainter

        if not self.bars:
            return
        p = QPainter(self)
        fm = QFontMetrics(self.font())
        h = self._row_height()
        label_w = min(max(fm.horizontalAdvance(b.label) for b in self.bars) + 8,
                      self.width() // 2)
        text_w = max(fm.horizontalAdvance(b.text) for b in self.bars) + 6
        bar_w = max(10, self.width() - label_w - text_w)
        text_pen = self.palette().color(QPalette.ColorRole.WindowText)
        for i, b in enumerate(self.bars):
            y = i * h
            p.setPen(text_pen)
            p.drawText(QRectF(0, y, label_w - 6, h),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                       fm.elidedText(b.label, Qt.TextElideMode.ElideRight, label_w - 6))
            share = (b.value or 0) / b.maximum if b.maximum else 0.0
            width = bar_w * max(0.0, min(1.0, share))
            track = QRectF(label_w, y + 2, bar_w, h - 4)
            p.fillRect(track, self.palette().color(QPalette.ColorRole.AlternateBase))
            if width > 0:
                fill = QColor(b.fill)
                p.fillRect(QRectF(label_w, y + 2, max(width, 2.0), h - 4), fill)
                # the outline a shade off the fill: the bar's end shows on any background
                p.setPen(fill.darker(140) if fill.lightness() > 60 else fill.lighter(160))
                p.drawRect(QRectF(label_w, y + 2, max(width, 2.0), h - 4).adjusted(
                    0, 0, -1, -1))
            p.setPen(text_pen)
            p.drawText(QRectF(label_w + bar_w + 6, y, text_w, h),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), b.text)
        p.end()


class Tile(ActivatableFrame):
    """One cockpit tile: caption, a large figure with a line beside it, detail lines (rich
    text, with links) and an optional bar chart. Focusable: Enter, Space or a click emits
    ``activated`` (open the tile's list); a link or a bar emits ``linkActivated`` with its
    name."""

    def __init__(self, key: str, caption: str, *, chart: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.filled = False
        self.setObjectName(f"tile_{key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.setToolTip(tr("Open the list (Enter)"))
        lay = QVBoxLayout(self)
        self.caption = QLabel(caption, self)
        f = QFont(self.caption.font())
        f.setBold(True)
        self.caption.setFont(f)
        self.caption.setWordWrap(True)
        lay.addWidget(self.caption)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.value = QLabel("…", self)
        self.value.setObjectName(f"tileValue_{key}")
        f = QFont(self.value.font())
        f.setPointSizeF(max(f.pointSizeF(), 6.0) * 2.0)
        f.setBold(True)
        self.value.setFont(f)
        self.icon = QLabel(self)
        self.icon.hide()
        self.unit = QLabel(self)
        self.unit.setObjectName(f"tileUnit_{key}")
        self.unit.setWordWrap(True)
        self.unit.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        row.addWidget(self.value, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.unit, 1, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(row)
        self.chart = BarChart(self) if chart else None
        if self.chart is not None:
            self.chart.barActivated.connect(self.linkActivated)
            lay.addWidget(self.chart)
        self.detail = QLabel(self)
        self.detail.setObjectName(f"tileDetail_{key}")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.detail.linkActivated.connect(self.linkActivated)
        lay.addWidget(self.detail)
        lay.addStretch(1)
        self.reset()

    def reset(self) -> None:
        """Back to the empty frame (no workspace)."""
        self.filled = False
        self.value.setText("–")
        self.unit.clear()
        self.set_detail("")
        self.set_warning(False)
        if self.chart is not None:
            self.chart.set_bars([])
        self._name()

    def set_figure(self, value: str, unit: str = "") -> None:
        self.value.setText(value)
        self.unit.setText(unit)
        self._name()

    def set_pending(self) -> None:
        """The details are being computed (the headline figure stays)."""
        self.filled = False
        self.set_detail(escape(tr("Calculating…")))

    def set_detail(self, html: str) -> None:
        self.detail.setText(html or "&nbsp;")
        self._name()

    def set_warning(self, on: bool) -> None:
        if on:
            size = QFontMetrics(self.unit.font()).height()
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.icon.setPixmap(icon.pixmap(QSize(size, size), self.devicePixelRatioF()))
            self.icon.setToolTip(tr("Needs attention"))
            self.icon.show()
        else:
            self.icon.clear()
            self.icon.hide()

    def _name(self) -> None:
        from PySide6.QtGui import QTextDocumentFragment

        detail = QTextDocumentFragment.fromHtml(self.detail.text()).toPlainText().strip()
        self.setAccessibleName(" ".join(x for x in (
            f"{self.caption.text()}:", self.value.text(), self.unit.text()) if x))
        self.setAccessibleDescription(detail)


def _parts(parts: list[str]) -> str:
    return " · ".join(p for p in parts if p)


def _plural(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n=count_text(n))


# --------------------------------------------------------------------------- texts (shared
# by the tiles, the count cards' detail lines and the static helpers other code calls)

def risk_text(t) -> tuple[str, bool]:
    """The risks card's line (rich text): high or critical, overdue — each a link."""
    parts = []
    if t.high:
        parts.append(link("high", tr("{n} high or critical").format(n=count_text(t.high))))
    if t.overdue:
        parts.append(link("overdue", tr("{n} overdue").format(n=count_text(t.overdue))))
    return _parts(parts), bool(t.overdue)


def training_text(t, *, links: bool = False) -> tuple[str, bool]:
    """The training line: share current, to train now, retraining, expiring (links: rich)."""

    def part(text: str, href: str = "") -> str:
        return (link(href, text) if href else escape(text)) if links else text

    if not t.required:
        return part(tr("no training required yet")), False
    text = part(tr("{pct} % of required training current").format(pct=f"{t.percent:.0f}"))
    if t.late:
        text += part(" · ") + part(tr("{n} to train now").format(n=count_text(t.late)), "late")
    if t.retrain:
        text += part(" · ") + part(tr("{n} retraining due after a revision").format(
            n=count_text(t.retrain)), "retrain")
    if t.expiring:
        text += part(" · ") + part(tr("{n} expiring soon").format(
            n=count_text(t.expiring)), "expiring")
    return text, bool(t.late)


def audit_text(audits, gap) -> tuple[str, bool]:
    """The audits card's line: this year's programme (done, planned, overdue, late steps,
    processes without an audit) and the latest gap analysis's score."""
    from ...core.checklists import PROGRAMME_SYMBOLS

    parts = []
    for state in ("done", "planned", "overdue"):
        n = audits.count(state)
        if n:
            parts.append(f"{PROGRAMME_SYMBOLS[state]} " + {
                "done": tr("{n} done"), "planned": tr("{n} planned"),
                "overdue": tr("{n} overdue")}[state].format(n=count_text(n)))
    # an audit done but for a late step (report, follow-up) says which, since when
    parts += [audit_late_text(a) for a in audits.late][:3]
    bare = audits.processes_without
    if bare:
        parts.append(tr("{n} processes without an audit").format(n=count_text(bare))
                     if bare != 1 else tr("1 process without an audit"))
    text = tr("Audit programme {year}: {parts}").format(
        year=audits.year, parts=" · ".join(parts) if parts else tr("nothing planned"))
    if gap is not None and gap.run_id is not None and gap.percent is not None:
        text += " · " + tr("gap analysis {pct} % ({done} of {total} assessed)").format(
            pct=f"{gap.percent:.0f}", done=gap.answered, total=gap.items)
    return text, audits.count("overdue") > 0 or bool(audits.late)


def audit_late_text(a) -> str:
    """What of an audit is overdue, since when: "⚠ IA26-03: Audit report overdue since 28
    Nov" (``a``: ``services.dashboard.AuditEntry`` with late steps)."""
    from ...core.checklists import PROGRAMME_SYMBOLS
    from ..checklists.programme import step_label

    steps = ", ".join(step_label(st) for st in a.late_steps)
    what = f"{a.code or a.title}: " + (
        tr("{steps} overdue since {day}").format(steps=steps, day=short_date(a.late_since))
        if a.late_since else tr("{steps} overdue").format(steps=steps))
    return f"{PROGRAMME_SYMBOLS['overdue']} {what}"


def short_date(day) -> str:
    """A day and month ("28 Nov", in the user's language)."""
    from PySide6.QtCore import QDate

    return QLocale().toString(QDate(day.year, day.month, day.day), "d MMM")


def documents_text(t) -> tuple[str, bool]:
    """The documents card's line (rich text): overdue for review, being revised — links."""
    parts = []
    if t.overdue:
        parts.append(link("overdue", tr("{n} overdue for review").format(
            n=count_text(t.overdue))))
    if t.revising:
        parts.append(link("revising", tr("{n} being revised").format(n=count_text(t.revising))))
    return _parts(parts), bool(t.overdue)


# =========================================================================== the page


class DashboardPage(Page):
    """The cockpit: eight tiles that each open their list, the workspace's counts and the
    organization profile. The headline figures are painted at once; each tile's details are
    computed on a worker thread, one tile after the other, and shown as they arrive. An edit
    recomputes only the tiles whose tables it touched (after a short pause, so a burst of
    edits costs one pass)."""

    kinds = None  # every change adds audit events, so the counts always move
    #: show a page's list filtered: (page key, filters as its set_filters takes them)
    openList = Signal(str, dict)
    #: every tile has its figures (after a refresh)
    tilesFilled = Signal()

    #: ms to wait after an edit before recomputing the tiles it touched
    DEBOUNCE_MS = 150

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        from PySide6.QtCore import QTimer

        self._generation = 0
        self._queue: list[str] = []
        self._running: str | None = None
        self._dirty: set[str] = set()
        self._pending_kinds: set[str] = set()
        self.data: dict[str, object] = {}
        self.headline = None
        self.today = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_changes)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        content = QWidget(scroll)
        scroll.setWidget(content)
        self.scroll = scroll
        lay = QVBoxLayout(content)

        self.title = heading(tr("Dashboard"), parent=content)
        self.title.setObjectName("dashboardTitle")
        self.path_label = QLabel(content)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.path_label.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.path_label)

        tiles_box = QWidget(content)
        self.tile_grid = QGridLayout(tiles_box)
        self.tile_grid.setContentsMargins(0, 0, 0, 0)
        self.tiles: dict[str, Tile] = {}
        for i, (key, caption) in enumerate(tile_captions()):
            t = Tile(key, caption, chart=key in ("risks", "gap", "objectives", "nonconformities"),
                     parent=tiles_box)
            t.activated.connect(lambda k=key: self.open_tile(k))
            t.linkActivated.connect(lambda href, k=key: self.open_tile(k, href))
            self.tiles[key] = t
            self.tile_grid.addWidget(t, i // 4, i % 4)
        for c in range(4):
            self.tile_grid.setColumnStretch(c, 1)
        self._dirty = set(self.tiles)  # built after the workspace opened: all to compute
        lay.addWidget(tiles_box)

        body = QHBoxLayout()
        lay.addLayout(body, 1)
        cards_col = QVBoxLayout()
        counts_title = heading(tr("Counts"), 1.15, content)
        cards_col.addWidget(counts_title)
        cards_box = QWidget(content)
        self.grid = QGridLayout(cards_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.cards: dict[str, StatCard] = {}
        columns = 3
        for i, (key, caption) in enumerate(card_captions()):
            card = StatCard(key, caption, cards_box)
            f = QFont(card.value.font())
            f.setPointSizeF(f.pointSizeF() * 0.7)  # smaller than the tiles' figures
            card.value.setFont(f)
            card.setToolTip(tr("Open the list"))
            card.activated.connect(lambda k=key: self.open_card(k))
            card.linkActivated.connect(lambda href, k=key: self.open_card(k, href))
            self.cards[key] = card
            self.grid.addWidget(card, i // columns, i % columns)
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)
        self.grid.setRowStretch(self.grid.rowCount(), 1)
        cards_col.addWidget(cards_box, 1)
        body.addLayout(cards_col, 3)
        self.profile = ProfilePanel(controller, content)
        self.profile.openPolicy.connect(self.open_policy)
        body.addWidget(self.profile, 2, Qt.AlignmentFlag.AlignTop)

    # ------------------------------------------------------------------ refresh
    def workspace_opened(self, ws) -> None:
        self._generation += 1
        self._queue.clear()
        self.data.clear()
        self._dirty = set(self.tiles)

    def workspace_closed(self) -> None:
        self._generation += 1
        self._queue.clear()
        self._dirty = set(self.tiles)
        self._pending_kinds.clear()
        self._debounce.stop()
        self.data.clear()
        self.headline = None
        self.title.setText(tr("Dashboard"))
        self.path_label.clear()
        for card in self.cards.values():
            card.value.setText("–")
            card.set_detail("")
        for t in self.tiles.values():
            t.reset()
        self.profile.show_profile(None, read_only=True)

    def _on_changed(self, change) -> None:
        """Counts, headline and profile follow at once (cheap); the tiles the change moves are
        recomputed once edits pause."""
        self._pending_kinds |= set(change.kinds)
        self._debounce.start()
        if self.isVisible() and self.workspace is not None:
            self.refresh_counts()
        else:
            self._stale = True

    def _apply_changes(self) -> None:
        from ...services.dashboard import kinds_to_tiles

        self._dirty |= set(kinds_to_tiles(self._pending_kinds))
        self._pending_kinds.clear()
        if self.isVisible() and self.workspace is not None:
            self._queue_dirty()
        else:
            self._stale = True

    def refresh(self) -> None:
        """Counts, headline and profile now (cheap); the dirty tiles' details in the
        background."""
        self.refresh_counts()
        self._queue_dirty()

    def refresh_counts(self) -> None:
        """The title, the count cards, each tile's headline figure and the profile: a few
        COUNT queries, done on the GUI thread."""
        import datetime as dt

        from ...services.dashboard import headline
        from ...services.organization import get_profile

        ws = self.workspace
        ov = self.controller.current_overview()
        if ws is None or ov is None:
            return
        self.title.setText(ov.organization or ws.path.stem)
        self.path_label.setText(str(ws.path))
        self.today = dt.date.today()
        self.headline = headline(ws, self.today)
        for key, card in self.cards.items():
            if key == "actions":
                card.set_value(ov.open_actions)
                if ov.overdue_actions:
                    card.set_detail(link("overdue", tr("{n} overdue").format(
                        n=count_text(ov.overdue_actions))), warning=True, html=True)
                else:
                    card.set_detail(tr("none overdue, {n} in total").format(
                        n=count_text(ov.counts.get("actions", 0))))
            else:
                card.set_value(ov.counts.get(key, 0))
        self._show_headline(self.headline)
        from ...services.context import get_policy

        profile = get_profile(ws)
        self.profile.show_profile(profile, read_only=ws.read_only,
                                  policy=get_policy(ws) if profile is not None else None)

    def _queue_dirty(self) -> None:
        if self.workspace is None:
            return
        dirty = [k for k in self.tiles if k in self._dirty]
        self._dirty.clear()
        for key in dirty:
            if key not in self._queue:
                self._queue.append(key)
            if key not in self.data:
                self.tiles[key].set_pending()
        self._start_next()

    def _show_headline(self, h) -> None:
        """Each tile's big figure from the headline counts (exact; details follow)."""
        t = self.tiles
        t["actions"].set_figure(count_text(h.overdue_actions), tr("overdue of {n} unfinished")
                                .format(n=count_text(h.open_actions)))
        t["actions"].set_warning(h.overdue_actions > 0)
        t["documents"].set_figure(count_text(h.reviews_overdue), tr("overdue for review"))
        t["documents"].set_warning(h.reviews_overdue > 0)
        t["nonconformities"].set_figure(count_text(h.nc_open), tr("open, {n} overdue").format(
            n=count_text(h.nc_overdue)))
        t["nonconformities"].set_warning(h.nc_overdue > 0)
        if "risks" not in self.data:
            t["risks"].set_figure("…", tr("{n} risks and opportunities").format(
                n=count_text(h.risks)))
        if "audits" not in self.data:
            t["audits"].set_figure(count_text(h.audits_this_year),
                                   tr("internal audits in {year}").format(year=h.today.year))
        if "objectives" not in self.data:
            t["objectives"].set_figure("…", tr("off target of {n}").format(
                n=count_text(h.objectives)))
        if "gap" not in self.data:
            t["gap"].set_figure("…" if h.gap_analyses else "–",
                                "" if h.gap_analyses else tr("no gap analysis yet"))
        if "training" not in self.data:
            t["training"].set_figure("…", tr("of required training current"))

    # ------------------------------------------------------------------ the worker
    def _start_next(self) -> None:
        """Compute the next queued tile on the controller's worker pool (its own connection;
        nothing crosses threads but the figures)."""
        ws = self.workspace
        if self._running is not None or ws is None:
            return
        if not self._queue:
            if not self.pending():
                self.tilesFilled.emit()
            return
        from ...services.dashboard import tile

        key = self._queue.pop(0)
        gen, today = self._generation, self.today
        self._running = key
        self.controller.runner.run(
            lambda ctx: tile(key, ws, today),
            on_result=lambda data: self._tile_done(gen, key, data),
            on_error=lambda e: self._tile_failed(gen, key, e),
            on_cancelled=lambda _r: self._tile_done(gen, key, None))

    def _tile_done(self, gen: int, key: str, data) -> None:
        self._running = None
        if gen == self._generation and data is not None:
            self.data[key] = data
            self.fill(key, data)
        self._start_next()

    def _tile_failed(self, gen: int, key: str, error: BaseException) -> None:
        self._running = None
        if gen == self._generation:
            import logging

            logging.getLogger(__name__).warning("dashboard tile %s failed: %s", key, error)
            t = self.tiles[key]
            t.filled = True
            t.set_detail(escape(tr("These figures could not be read ({reason}).").format(
                reason=str(error) or type(error).__name__)))
        self._start_next()

    def pending(self) -> bool:
        """Tiles are still being computed (or queued)."""
        return self._running is not None or bool(self._queue) or bool(self._dirty) \
            or self._debounce.isActive()

    def filled(self) -> bool:
        """Every tile shows its figures."""
        return not self.pending() and all(t.filled for t in self.tiles.values())

    # ------------------------------------------------------------------ filling the tiles
    def fill(self, key: str, data) -> None:
        getattr(self, f"_fill_{key}")(self.tiles[key], data)
        self.tiles[key].filled = True
        if key == "risks":
            self.cards["risks"].set_detail(*risk_text(data), html=True)
        elif key == "training":
            text, warn = training_text(data, links=True)
            self.cards["training_records"].set_detail(text, warn, html=True)
        elif key == "documents":
            self.cards["documents"].set_detail(*documents_text(data), html=True)
        if key in ("audits", "gap") and "audits" in self.data:
            text, warn = audit_text(self.data["audits"], self.data.get("gap"))
            self.cards["checklist_runs"].set_detail(text, warn)

    def _fill_actions(self, t: Tile, d) -> None:
        t.set_figure(count_text(d.overdue), tr("overdue of {n} unfinished").format(
            n=count_text(d.open)))
        t.set_warning(d.overdue > 0)
        parts = []
        if d.overdue and d.oldest_overdue:
            parts.append(escape(tr("oldest due {day}").format(day=date_text(d.oldest_overdue))))
        parts.append(escape(tr("next due {day}").format(day=date_text(d.next_due))
                            if d.next_due else tr("none due later")))
        if d.check_overdue:
            parts.append(escape(_plural(d.check_overdue, tr("{n} effectiveness check overdue"),
                                        tr("{n} effectiveness checks overdue"))))
        if d.open:  # a link to an empty list says nothing
            parts.append(link("unfinished", tr("all {n} unfinished").format(
                n=count_text(d.open))))
        t.set_detail("<br>".join(parts))

    def _fill_risks(self, t: Tile, d) -> None:
        from ...core.palette import LEVEL_COLOURS
        from ...core.risk import LEVEL_LABELS

        t.set_figure(count_text(d.high), tr("high or critical of {n} open risks").format(
            n=count_text(d.total)))
        t.set_warning(d.by_level.get("critical", 0) > 0)
        dark = _is_dark(self)
        top = max([1] + list(d.by_level.values()))
        bars = [Bar(f"level:{lv}", tr(LEVEL_LABELS[lv]), d.by_level.get(lv, 0), top,
                    count_text(d.by_level.get(lv, 0)), *LEVEL_COLOURS[dark][lv])
                for lv in ("critical", "high", "medium", "low")]
        if d.by_level.get(""):
            bars.append(Bar("level:none", tr("Not rated"), d.by_level[""], top,
                            count_text(d.by_level[""]), *_NONE[dark]))
        t.chart.set_bars(bars)
        parts = [link("overdue", _plural(d.overdue, tr("{n} overdue for review or action"),
                                         tr("{n} overdue for review or action")))
                 if d.overdue else escape(tr("none overdue for review"))]
        if d.opportunities:
            parts.append(link("opportunities", _plural(
                d.opportunities, tr("{n} open opportunity"), tr("{n} open opportunities"))))
        t.set_detail("<br>".join(parts))

    def _fill_training(self, t: Tile, d) -> None:
        if not d.required:
            t.set_figure("–", tr("no training required yet"))
            t.set_warning(False)
            t.set_detail("")
            return
        t.set_figure(f"{d.percent:.0f} %", tr("of {n} required trainings current").format(
            n=count_text(d.required)))
        t.set_warning(d.late > 0)
        parts = [link("late", tr("{n} to train now").format(n=count_text(d.late)))
                 if d.late else escape(tr("nobody to train now"))]
        parts.append(link("expiring", tr("{n} expiring within {days} days").format(
            n=count_text(d.expiring), days=d.window_days)) if d.expiring else escape(
            tr("none expiring within {days} days").format(days=d.window_days)))
        if d.retrain:
            parts.append(link("retrain", tr("{n} retraining due after a revision").format(
                n=count_text(d.retrain))))
        t.set_detail("<br>".join(parts))

    def _fill_audits(self, t: Tile, d) -> None:
        from ...core.checklists import PROGRAMME_SYMBOLS

        total = len(d.audits)
        t.set_figure(f"{count_text(d.count('done'))} / {count_text(total)}",
                     tr("internal audits done in {year}").format(year=d.year))
        t.set_warning(d.count("overdue") > 0 or bool(d.late) or d.next_on is None)
        states = _parts([f"{PROGRAMME_SYMBOLS[s]} " + {
            "done": tr("{n} done"), "planned": tr("{n} planned"),
            "overdue": tr("{n} overdue")}[s].format(n=count_text(d.count(s)))
            for s in ("done", "planned", "overdue") if d.count(s)])
        parts = [escape(states)] if states else []
        # a step after the audit (its report, the follow-up) overdue: which, since when
        parts += [link("programme", audit_late_text(a)) for a in d.late[:3]]
        if d.next_on is not None:
            parts.append(escape(tr("next: {day} {code}").format(
                day=date_text(d.next_on), code=d.next_code or d.next_title).strip()))
        else:
            parts.append(escape(tr("⚠ no internal audit scheduled")))
        if d.processes_without:
            parts.append(escape(_plural(d.processes_without,
                                        tr("{n} process without an audit this year"),
                                        tr("{n} processes without an audit this year"))))
        t.set_detail("<br>".join(parts))

    def _fill_gap(self, t: Tile, d) -> None:
        if d.run_id is None:
            t.set_figure("–", tr("no gap analysis yet"))
            t.chart.set_bars([])
            t.set_detail(escape(tr("Start one on the Checklists & Audits page.")))
            return
        t.set_figure("–" if d.percent is None else f"{d.percent:.0f} %",
                     tr("{code} {day}").format(code=d.code or d.title,
                                               day=date_text(d.day)).strip())
        dark = _is_dark(self)
        names = chapter_names()
        t.chart.set_bars([
            Bar(f"chapter:{ch}", f"{ch} {names[ch]}", pct, 100.0,
                "—" if pct is None else f"{pct:.0f} %", *score_colours(pct, dark))
            for ch, pct in d.by_chapter.items()])
        t.set_detail(escape(tr("{done} of {total} items assessed").format(
            done=count_text(d.answered), total=count_text(d.items))))

    def _fill_objectives(self, t: Tile, d) -> None:
        from ...core import kpi

        off = d.counts.get(kpi.OFF, 0)
        t.set_figure(count_text(off), tr("off target of {n}").format(n=count_text(d.total)))
        t.set_warning(off > 0)
        dark = _is_dark(self)
        top = max([1] + list(d.counts.values()))
        colours = {kpi.ON: _GOOD, kpi.NEAR: _NEAR, kpi.OFF: _BAD, kpi.NONE: _NONE}
        labels = {kpi.ON: tr("On target"), kpi.NEAR: tr("Near target"),
                  kpi.OFF: tr("Off target"), kpi.NONE: tr("Not measured")}
        t.chart.set_bars([
            Bar(f"status:{s}", f"{kpi.SYMBOLS[s]} {labels[s]}", d.counts.get(s, 0), top,
                count_text(d.counts.get(s, 0)), *colours[s][dark]) for s in kpi.STATUSES])
        if not d.total:
            t.set_detail(escape(tr("No objectives or KPIs yet.")))
        elif d.late:
            t.set_detail(link("late", _plural(d.late, tr("{n} measured too long ago"),
                                              tr("{n} measured too long ago"))))
        else:
            t.set_detail(escape(tr("every one measured on time")))

    def _fill_documents(self, t: Tile, d) -> None:
        t.set_figure(count_text(d.overdue), tr("overdue for review"))
        t.set_warning(d.overdue > 0)
        parts = []
        if d.oldest_overdue:
            parts.append(escape(tr("oldest due {day}").format(day=date_text(d.oldest_overdue))))
        parts.append(escape(tr("{n} due within 30 days").format(n=count_text(d.due_soon))))
        if d.revising:
            parts.append(link("revising", tr("{n} being revised").format(
                n=count_text(d.revising))))
        parts.append(escape(tr("{n} of {total} in force").format(
            n=count_text(d.in_force), total=count_text(d.total))))
        t.set_detail("<br>".join(parts))

    def _fill_nonconformities(self, t: Tile, d) -> None:
        from ...core import capa

        t.set_figure(count_text(d.open), tr("open, {n} overdue").format(
            n=count_text(d.overdue)))
        t.set_warning(d.overdue > 0)
        dark = _is_dark(self)
        top = max([1] + list(d.by_status.values()))
        t.chart.set_bars([
            Bar(f"status:{s}", f"{capa.STATUS_SYMBOLS.get(s, '')} "
                f"{tr(capa.STATUS_LABELS.get(s, s))}".strip(), n, top, count_text(n),
                *_STAGE[dark]) for s, n in d.by_status.items()])
        parts = []
        if d.overdue:
            parts.append(link("overdue", tr("{n} overdue").format(n=count_text(d.overdue))))
        if d.major:
            parts.append(escape(_plural(d.major, tr("{n} major open"), tr("{n} major open"))))
        parts.append(escape(tr("{n} closed").format(n=count_text(d.closed))))
        t.set_detail(escape(" · ").join(parts))

    # ------------------------------------------------------------------ navigation
    def open_tile(self, key: str, href: str = "") -> None:
        """Open the list a tile (or a link or bar in it) stands for."""
        if self.workspace is None:
            return
        gap = self.data.get("gap")
        targets = tile_targets(getattr(gap, "run_id", None))
        target = targets.get((key, href)) or targets.get((key, ""))
        if target is not None:
            self.openList.emit(target[0], dict(target[1]))

    def open_policy(self) -> None:
        """The quality policy on Context & policy (where it is edited and approved)."""
        if self.workspace is not None:
            self.openList.emit("context", {"tab": "policy"})

    def open_card(self, key: str, href: str = "") -> None:
        """Open the list a count card (or a link in its detail line) stands for."""
        if self.workspace is None:
            return
        target = detail_targets().get((key, href)) if href else None
        page, filters = target or card_targets().get(key, ("", {}))
        if page:
            self.openList.emit(page, dict(filters))

    # ------------------------------------------------------------------ texts, computed now
    @staticmethod
    def audit_detail(ws, today=None) -> tuple[str, bool]:
        """The audits card's line: this year's audit programme and the latest gap score."""
        from ...services import dashboard

        return audit_text(dashboard.audits_tile(ws, today), dashboard.gap_tile(ws, today))

    @staticmethod
    def documents_detail(ws) -> tuple[str, bool]:
        """The documents card's line (rich text), overdue reviews and revisions linked."""
        from ...services import dashboard

        return documents_text(dashboard.documents_tile(ws))

    @staticmethod
    def risk_detail(ws) -> tuple[str, bool]:
        """The risks card's line (rich text), high or critical and overdue linked."""
        from ...services import dashboard

        return risk_text(dashboard.risks_tile(ws))

    @staticmethod
    def training_detail(ws, *, links: bool = False) -> tuple[str, bool]:
        """The training card's line; with ``links`` rich text linking to the matrix."""
        from ...services import dashboard

        return training_text(dashboard.training_tile(ws), links=links)
