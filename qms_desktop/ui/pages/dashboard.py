"""Dashboard: the workspace's headline figures and the organization profile (editable, undoable).

Each card opens its list (click, or Enter when focused); a card's detail line may hold links to
a filtered list ("7 overdue" → the overdue actions). Both go through :attr:`DashboardPage.openList`
(page key, filters), routed by the main window like the pages' ``openRecord``.
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
        "nonconformities": ("actions", {"source_kind": "nonconformity"}),
        "objectives": ("objectives", {}),
        "audit_events": ("audit_trail", {}),
    }


def detail_targets() -> dict[tuple[str, str], tuple[str, dict]]:
    """(card key, link in its detail line) → (page key, filters)."""
    return {
        ("actions", "overdue"): ("actions", {"status": "unfinished", "overdue_only": True}),
        ("risks", "high"): ("risks", {"level": "high+"}),
        ("risks", "overdue"): ("risks", {"overdue_only": True}),
        ("documents", "overdue"): ("documents", {"review_overdue": True}),
        ("documents", "revising"): ("documents", {"status": "pending"}),
        ("training_records", "late"): ("training", _training_filters(status="late")),
        ("training_records", "retrain"): ("training", _training_filters(status="retrain")),
        ("training_records", "expiring"): ("training", _training_filters(status="expiring")),
    }


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


class StatCard(QFrame):
    """One headline figure: a large number, its caption and an optional detail line. A click
    (or Enter / Space when focused) emits ``activated``; a link in the detail line emits
    ``linkActivated`` with its name."""

    activated = Signal()
    linkActivated = Signal(str)

    def __init__(self, key: str, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"card_{key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
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
        self.set_detail("")

    def set_value(self, n: int) -> None:
        self.value.setText(count_text(n))
        self.setAccessibleName(f"{self.caption.text()}: {self.value.text()}")

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
    """The organization's name, scope, quality policy and sites; edits are undoable commands."""

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
        self.sites_edit = self._text_edit("orgSites", 3)
        form.addRow(tr("&Name:"), self.name_edit)
        form.addRow(tr("&Scope:"), self.scope_edit)
        form.addRow(tr("Quality &policy:"), self.policy_edit)
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

    def show_profile(self, profile, *, read_only: bool) -> None:
        self.empty.setVisible(profile is None and self.controller.workspace is not None)
        self.create_button.setEnabled(not read_only)
        self.form_widget.setVisible(profile is not None)
        self.read_only_note.setVisible(read_only and self.controller.workspace is not None)
        for field, binding in self.bindings.items():
            binding.set_record(profile.id if profile else None,
                               getattr(profile, field) if profile else "")
            binding.set_read_only(read_only)

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


class DashboardPage(Page):
    kinds = None  # every change adds audit events, so the figures always move
    #: show a page's list filtered: (page key, filters as its set_filters takes them)
    openList = Signal(str, dict)

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        content = QWidget(scroll)
        scroll.setWidget(content)
        lay = QVBoxLayout(content)

        self.title = heading(tr("Dashboard"), parent=content)
        self.title.setObjectName("dashboardTitle")
        self.path_label = QLabel(content)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.path_label.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.path_label)

        body = QHBoxLayout()
        lay.addLayout(body, 1)
        cards_box = QWidget(content)
        self.grid = QGridLayout(cards_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.cards: dict[str, StatCard] = {}
        columns = 3
        for i, (key, caption) in enumerate(card_captions()):
            card = StatCard(key, caption, cards_box)
            card.setToolTip(tr("Open the list"))
            card.activated.connect(lambda k=key: self.open_card(k))
            card.linkActivated.connect(lambda href, k=key: self.open_card(k, href))
            self.cards[key] = card
            self.grid.addWidget(card, i // columns, i % columns)
        self.grid.setRowStretch(self.grid.rowCount(), 1)
        body.addWidget(cards_box, 3, Qt.AlignmentFlag.AlignTop)
        self.profile = ProfilePanel(controller, content)
        body.addWidget(self.profile, 2)

    def refresh(self) -> None:
        from ...services.organization import get_profile

        ws = self.workspace
        ov = self.controller.current_overview()
        if ws is None or ov is None:
            return
        self.title.setText(ov.organization or ws.path.stem)
        self.path_label.setText(str(ws.path))
        for key, card in self.cards.items():
            if key == "actions":
                card.set_value(ov.open_actions)
                if ov.overdue_actions:
                    card.set_detail(link("overdue", tr("{n} overdue").format(
                        n=count_text(ov.overdue_actions))), warning=True, html=True)
                else:
                    card.set_detail(tr("none overdue, {n} in total").format(
                        n=count_text(ov.counts.get("actions", 0))))
            elif key == "training_records":
                card.set_value(ov.counts.get(key, 0))
                text, warn = self.training_detail(ws, links=True)
                card.set_detail(text, warn, html=True)
            elif key == "risks":
                card.set_value(ov.counts.get(key, 0))
                text, warn = self.risk_detail(ws)
                card.set_detail(text, warn, html=True)
            elif key == "checklist_runs":
                card.set_value(ov.counts.get(key, 0))
                card.set_detail(*self.audit_detail(ws))
            elif key == "documents":
                card.set_value(ov.counts.get(key, 0))
                text, warn = self.documents_detail(ws)
                card.set_detail(text, warn, html=True)
            else:
                card.set_value(ov.counts.get(key, 0))
        self.profile.show_profile(get_profile(ws), read_only=ws.read_only)

    @staticmethod
    def audit_detail(ws, today=None) -> tuple[str, bool]:
        """The audits card's line: this year's audit programme (done, planned, overdue,
        processes without an audit) and the latest gap analysis's score."""
        import datetime as dt

        from ...core.checklists import PROGRAMME_SYMBOLS
        from ...services import checklists

        today = today or dt.date.today()
        from ..checklists.programme import late_text

        rows = checklists.programme(ws, today.year, today)
        audits = [a for r in rows for a in r.audits]
        states = [a.state for a in audits]
        parts = []
        for state in ("done", "planned", "overdue"):
            n = states.count(state)
            if n:
                parts.append(f"{PROGRAMME_SYMBOLS[state]} " + {
                    "done": tr("{n} done"), "planned": tr("{n} planned"),
                    "overdue": tr("{n} overdue")}[state].format(n=count_text(n)))
        # an audit done but for a late step (report, follow-up) says which
        parts += [late_text(a) for a in audits if a.late_steps][:3]
        bare = sum(1 for r in rows if r.process_id is not None and not r.audits)
        if bare:
            parts.append(tr("{n} processes without an audit").format(n=count_text(bare))
                         if bare != 1 else tr("1 process without an audit"))
        text = tr("Audit programme {year}: {parts}").format(
            year=today.year, parts=" · ".join(parts) if parts else tr("nothing planned"))
        gaps = [r for r in checklists.list_runs(ws, today) if r.kind == "gap_analysis"]
        if gaps:
            latest = max(gaps, key=lambda r: (r.started_on or r.planned_on or dt.date.min,
                                              r.id))
            if latest.percent is not None:
                text += " · " + tr("gap analysis {pct} % ({done} of {total} assessed)").format(
                    pct=f"{latest.percent:.0f}", done=latest.answered, total=latest.items)
        return text, "overdue" in states

    def open_card(self, key: str, href: str = "") -> None:
        """Open the list a card (or a link in its detail line) stands for."""
        if self.workspace is None:
            return
        target = detail_targets().get((key, href)) if href else None
        page, filters = target or card_targets().get(key, ("", {}))
        if page:
            self.openList.emit(page, dict(filters))

    @staticmethod
    def documents_detail(ws) -> tuple[str, bool]:
        """The documents card's line (rich text): how many are due for their periodic review
        or being revised — each a link to that part of the register."""
        from ...services.documents import list_documents

        rows = list_documents(ws)
        late = sum(1 for r in rows if r.review_state == "overdue")
        revising = sum(1 for r in rows if r.pending_status)
        parts = []
        if late:
            parts.append(link("overdue", tr("{n} overdue for review").format(
                n=count_text(late))))
        if revising:
            parts.append(link("revising", tr("{n} being revised").format(
                n=count_text(revising))))
        return " · ".join(parts), bool(late)

    @staticmethod
    def risk_detail(ws) -> tuple[str, bool]:
        """The risks card's line (rich text): how many are high or critical, how many overdue
        for review or treatment — each a link to that part of the register."""
        from ...services.risks import list_risks

        rows = list_risks(ws)
        high = sum(1 for r in rows if r.level in ("high", "critical"))
        late = sum(1 for r in rows if r.review_overdue or r.overdue_actions)
        parts = []
        if high:
            parts.append(link("high", tr("{n} high or critical").format(n=count_text(high))))
        if late:
            parts.append(link("overdue", tr("{n} overdue").format(n=count_text(late))))
        return " · ".join(parts), bool(late)

    @staticmethod
    def training_detail(ws, *, links: bool = False) -> tuple[str, bool]:
        """The training card's line: share current, overdue, retraining due (the matrix).
        With ``links`` it is rich text, retraining and expiring linked to the matrix showing
        them."""
        from ...services.training import summary

        def part(text: str, href: str = "") -> str:
            return (link(href, text) if href else escape(text)) if links else text

        t = summary(ws)
        if not t.required:
            return part(tr("no training required yet")), False
        late = t.late
        text = part(tr("{pct} % of required training current").format(pct=f"{t.percent:.0f}"))
        if late:
            text += part(" · ") + part(tr("{n} to train now").format(n=count_text(late)),
                                       "late")
        if t.retrain:
            text += part(" · ") + part(tr("{n} retraining due after a revision").format(
                n=count_text(t.retrain)), "retrain")
        if t.expiring:
            text += part(" · ") + part(tr("{n} expiring soon").format(
                n=count_text(t.expiring)), "expiring")
        return text, bool(late)

    def workspace_closed(self) -> None:
        self.title.setText(tr("Dashboard"))
        self.path_label.clear()
        for card in self.cards.values():
            card.value.setText("–")
            card.set_detail("")
        self.profile.show_profile(None, read_only=True)
