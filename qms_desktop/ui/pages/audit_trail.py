"""Audit trail: every change, newest first, paged lazily; search; verify the chain.

The model keeps a row cache of display-ready strings. Rows are read from the services in pages
(``fetchMore``, as the view scrolls), never while painting: ``data()`` only reads the cache, so a
trail of hundreds of thousands of events opens at once and scrolls smoothly.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..labels import _entities, entity_label, field_label, op_label
from .base import Page, heading

if TYPE_CHECKING:  # pragma: no cover
    from ...services.audit_trail import AuditFilter, AuditRow
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditTrailPage", text)


#: longest text shown in a cell (the tooltip shows more)
CELL_CHARS = 160
TOOLTIP_CHARS = 4000


def _decode(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def describe_value(value: str | None) -> str:
    """An event's old/new text for people: plain values, records as ``field: value`` pairs."""
    v = _decode(value)
    if v is None:
        return ""
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            if k == "id" or x in (None, ""):
                continue
            parts.append(f"{field_label(k)}: {x}")
        return "; ".join(parts)
    return str(v)


def one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AuditTrailModel(QAbstractTableModel):
    """Read-only, lazily paged table of audit events (newest first)."""

    COLUMNS = ("time", "user", "op", "entity", "record", "field", "old", "new")
    PAGE_SIZE = 500

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ws: "Workspace | None" = None
        self._filter: "AuditFilter | None" = None
        self._events: list["AuditRow"] = []
        self._cells: list[tuple[str, ...]] = []
        self._more = False
        self._locale = QLocale()
        #: how many times the services were asked for rows (tests check paging is lazy)
        self.fetches = 0

    # -- loading
    def set_source(self, ws: "Workspace | None", flt: "AuditFilter | None" = None) -> None:
        """Show the events of ``ws`` matching ``flt``; reads the first page only."""
        self.beginResetModel()
        self._ws = ws
        self._filter = flt
        self._events = []
        self._cells = []
        self._more = ws is not None
        self.endResetModel()
        if ws is not None:
            self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_source(self._ws, self._filter)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._more and self._ws is not None

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or not self._more or self._ws is None:
            return
        from ...services.audit_trail import fetch_events

        before = self._events[-1].id if self._events else None
        rows = fetch_events(self._ws, before_id=before, limit=self.PAGE_SIZE + 1,
                            flt=self._filter)
        self.fetches += 1
        self._more = len(rows) > self.PAGE_SIZE
        rows = rows[: self.PAGE_SIZE]
        if not rows:
            self._more = False
            return
        cells = [self._cells_for(r) for r in rows]
        first = len(self._events)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._events.extend(rows)
        self._cells.extend(cells)
        self.endInsertRows()

    def format_time(self, at: str) -> str:
        """An event's time as stored (UTC), written ISO-like: "2026-11-25 06:14:23 UTC"."""
        return self._when(at)

    def _when(self, at: str) -> str:
        try:
            t = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            return at
        if t.tzinfo is not None:
            t = t.astimezone(dt.timezone.utc)
        return tr("{time} UTC").format(time=t.strftime("%Y-%m-%d %H:%M:%S"))

    def _cells_for(self, r: "AuditRow") -> tuple[str, ...]:
        return (
            self._when(r.at),
            r.user,
            op_label(r.op),
            entity_label(r.entity),
            self._locale.toString(r.record_id),
            field_label(r.field) if r.field else "",
            one_line(describe_value(r.old), CELL_CHARS),
            one_line(describe_value(r.new), CELL_CHARS),
        )

    # -- reading
    def event(self, row: int) -> "AuditRow":  # noqa: A003
        return self._events[row]

    @property
    def has_more(self) -> bool:
        return self._more

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._cells):
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[row][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            name = self.COLUMNS[col]
            if name in ("old", "new"):
                ev = self._events[row]
                text = describe_value(ev.old if name == "old" else ev.new)
                if len(text) > CELL_CHARS or "\n" in text:
                    return text[:TOOLTIP_CHARS]
            if name == "time":
                return self._events[row].at
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.COLUMNS[col] == "record":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "time": tr("Time (UTC)"), "user": tr("User"), "op": tr("Operation"),
                "entity": tr("Record kind"), "record": tr("Record"), "field": tr("Field"),
                "old": tr("Old value"), "new": tr("New value"),
            }[self.COLUMNS[section]]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemNeverHasChildren


class AuditTrailPage(Page):
    kinds = None  # every change appends events

    def __init__(self, controller, spec, parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self._verify_task = None
        lay = QVBoxLayout(self)
        lay.addWidget(heading(tr("Audit trail"), parent=self))
        intro = QLabel(tr("Every change to the workspace, newest first. Events are chained by "
                          "their hashes: Verify checks that none was altered, removed or "
                          "inserted, and that every record matches its history."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)

        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("auditSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            tr("Search (words, or user:NAME entity:KIND op:update record:ID field:NAME)"))
        self.search.setToolTip(tr("Words must appear in the user, record kind, field or values. "
                                  "user:, entity:, op:, record: and field: narrow the search."))
        bar.addWidget(self.search, 1)
        self.verify_button = QPushButton(tr("&Verify"), self)
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip(tr("Check the file, the hash chain and every record "
                                         "against its history"))
        self.verify_button.clicked.connect(self.verify)
        bar.addWidget(self.verify_button)
        lay.addLayout(bar)

        self.search_problem = QLabel(self)
        self.search_problem.setWordWrap(True)
        self.search_problem.hide()
        lay.addWidget(self.search_problem)

        self.model = AuditTrailModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("auditView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(
            self.view.fontMetrics().height() + self.view.fontMetrics().height() // 2)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        fm = self.view.fontMetrics()
        em = fm.horizontalAdvance("M")
        # widths follow the font (200% scaling) and the locale's date format
        sample = self.model.format_time("2026-12-28T23:59:59.000000Z")
        self.view.setColumnWidth(0, fm.horizontalAdvance(sample) + 2 * em)
        for col, width_em in enumerate((7, 7, 11, 5, 9, 18), start=1):
            self.view.setColumnWidth(col, width_em * em)
        # the record kind column fits the longest kind ("management review") unclipped
        kinds = max(fm.horizontalAdvance(label) for label in _entities().values())
        self.view.setColumnWidth(self.model.COLUMNS.index("entity"),
                                 max(11 * em, kinds + em))
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        lay.addWidget(self.view, 1)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("auditCount")
        lay.addWidget(self.count_label)
        result = QHBoxLayout()
        self.verify_icon = QLabel(self)
        self.verify_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.verify_icon.hide()
        result.addWidget(self.verify_icon)
        self.verify_label = QLabel(self)
        self.verify_label.setObjectName("verifyResult")
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result.addWidget(self.verify_label, 1)
        lay.addLayout(result)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)

    def search_widget(self) -> QWidget | None:
        return self.search

    # -- loading
    def refresh(self) -> None:
        self.apply_search()

    def apply_search(self) -> None:
        from ...services.audit_trail import count_events, parse_filter

        self._search_timer.stop()
        ws = self.workspace
        if ws is None:
            return
        flt = parse_filter(self.search.text())
        self.search_problem.setText(flt.problem)
        self.search_problem.setVisible(bool(flt.problem))
        self.model.set_source(ws, None if flt.empty else flt)
        n = count_events(ws, None if flt.empty else flt)
        loc = QLocale()
        if flt.empty:
            self.count_label.setText(tr("{n} events").format(n=loc.toString(n)))
        else:
            self.count_label.setText(tr("{n} matching events").format(n=loc.toString(n)))

    def workspace_closed(self) -> None:
        self.model.set_source(None)
        self.count_label.clear()
        self._clear_verify()

    def workspace_opened(self, ws) -> None:
        self._clear_verify()

    def _clear_verify(self) -> None:
        self.verify_label.clear()
        self.verify_icon.hide()
        self.verify_button.setEnabled(True)

    # -- verify
    def verify(self) -> None:
        from ...services.verify import verify

        ws = self.workspace
        if ws is None or (self._verify_task is not None and self._verify_task.running):
            return
        self.controller.flush_edits()
        self.verify_button.setEnabled(False)
        self.verify_label.setText(tr("Verifying…"))
        self.verify_icon.hide()

        def done(report) -> None:
            if self.workspace is ws:
                self.show_report(report)

        def stopped(_result) -> None:
            if self.workspace is ws:
                self._clear_verify()
                self.verify_label.setText(tr("Verification cancelled."))

        def failed(error: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self.verify_label.setText(tr("The verification could not run: {error}").format(
                error=error))
            self.controller.errorOccurred.emit(error)

        self._verify_task = self.controller.runner.run(
            lambda ctx: verify(ws, progress=ctx.callback),
            label=tr("Verifying the workspace and its audit trail…"), parent=self.window(),
            on_result=done, on_cancelled=stopped, on_error=failed)

    def show_report(self, report) -> None:
        self.verify_button.setEnabled(True)
        size = self.fontMetrics().height()
        if report.ok:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
            text = tr("Verified: the workspace is intact. {events} events and {records} records "
                      "checked; the chain's head hash is {head}.").format(
                events=QLocale().toString(report.events),
                records=QLocale().toString(report.records), head=report.head_hash)
            self.verify_label.setToolTip("")
        else:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
            more = len(report.problems) - 1
            text = tr("Verification failed: {problem}.").format(problem=report.first_problem)
            if more > 0:
                text += " " + tr("({n} more problems; see the tooltip.)").format(n=more)
            self.verify_label.setToolTip("\n".join(report.problems))
        self.verify_icon.setPixmap(icon.pixmap(size, size))
        self.verify_icon.show()
        self.verify_label.setText(text)
