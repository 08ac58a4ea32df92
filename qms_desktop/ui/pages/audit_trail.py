"""Audit trail: every change, newest first, paged lazily; search and filters; verify the chain.

The model keeps a row cache of display-ready strings. Rows are read from the services in pages
(``fetchMore``, as the view scrolls), never while painting: ``data()`` only reads the cache, so a
trail of hundreds of thousands of events opens at once and scrolls smoothly. Values that refer to
other records are shown by name ("owner: Priya Raman"): each page of events looks its names up
in one batch (``services.audit_trail.record_names``), when the page is read.

Filters: the record (kind, and its id, reference or name), the user and a range of days; the
search box narrows further (``user:``, ``entity:``, ``record:``, ``since:``… as the service says).
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
from ..table import DateEditor, ValueCombo
from .base import Page, heading

if TYPE_CHECKING:  # pragma: no cover
    from ...services.audit_trail import AuditFilter, AuditRow
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditTrailPage", text)


#: the date edits' "no bound" value (shown as "any day")

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


#: (kind, id) → the record's name, as ``services.audit_trail.record_names`` returns them
Names = dict  # dict[tuple[str, int], RecordName]


def reference_text(kind: str, value: Any, names: "Names | None") -> str:
    """A value that refers to a record of ``kind``: its name ("Priya Raman"; "… (deleted)"
    when it no longer exists), or the kind and id when it has none ("checklist response 7")."""
    if not isinstance(value, int) or isinstance(value, bool):
        return "" if value is None else str(value)
    name = (names or {}).get((kind, value))
    if name is None:
        return tr("{kind} {id}").format(kind=entity_label(kind), id=value)
    if name.deleted:
        return tr("{name} (deleted)").format(name=name.text)
    return name.text


def reference_label(field: str) -> str:
    """The label of a field that refers to a record: ``owner_id`` → "owner"."""
    return field_label(field[:-3] if field.endswith("_id") else field)


def describe_value(value: str | None, entity: str = "", names: "Names | None" = None,
                   field: str = "") -> str:
    """An event's old/new text for people: plain values, records as ``field: value`` pairs;
    references to other records (``owner_id``) by the record's name, when ``entity`` is given."""
    from ...services.audit_trail import reference_of

    v = _decode(value)
    if v is None:
        return ""
    if field and entity:
        kind = reference_of(entity, field)
        return reference_text(kind, v, names) if kind else str(v)
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            if k == "id" or x in (None, ""):
                continue
            kind = reference_of(entity, k, v) if entity else None
            if kind:
                parts.append(f"{reference_label(k)}: {reference_text(kind, x, names)}")
            else:
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
        self._names: "Names" = {}
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
        self._names = {}
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
        from ...services.audit_trail import fetch_events, record_names, references

        before = self._events[-1].id if self._events else None
        rows = fetch_events(self._ws, before_id=before, limit=self.PAGE_SIZE + 1,
                            flt=self._filter)
        self.fetches += 1
        self._more = len(rows) > self.PAGE_SIZE
        rows = rows[: self.PAGE_SIZE]
        if not rows:
            self._more = False
            return
        # the names this page of events mentions, in one batch (never while painting)
        self._names.update(record_names(self._ws, references(rows)))
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

    def record_text(self, r: "AuditRow") -> str:
        """The record an event changed, by name when it has one ("R-001 Wrong drawing…")."""
        name = self._names.get((r.entity, r.record_id))
        if name is None:
            return self._locale.toString(r.record_id)
        return tr("{name} (deleted)").format(name=name.text) if name.deleted else name.text

    def field_text(self, r: "AuditRow") -> str:
        from ...services.audit_trail import reference_of

        if not r.field:
            return ""
        return reference_label(r.field) if reference_of(r.entity, r.field) else \
            field_label(r.field)

    def value_text(self, r: "AuditRow", which: str) -> str:
        return describe_value(r.old if which == "old" else r.new, r.entity, self._names, r.field)

    def _cells_for(self, r: "AuditRow") -> tuple[str, ...]:
        return (
            self._when(r.at),
            r.user,
            op_label(r.op),
            entity_label(r.entity),
            self.record_text(r),
            self.field_text(r),
            one_line(self.value_text(r, "old"), CELL_CHARS),
            one_line(self.value_text(r, "new"), CELL_CHARS),
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
                text = self.value_text(self._events[row], name)
                if len(text) > CELL_CHARS or "\n" in text:
                    return text[:TOOLTIP_CHARS]
            if name == "time":
                return self._events[row].at
            if name == "record":
                ev = self._events[row]
                return tr("{kind} {id}").format(kind=entity_label(ev.entity),
                                                id=self._locale.toString(ev.record_id))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.COLUMNS[col] == "record" \
                and (self._events[row].entity, self._events[row].record_id) not in self._names:
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
        self._export_task = None
        #: the file the last export wrote (None until one finished)
        self.last_export = None
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
        self.export_button = QPushButton(tr("E&xport to Excel…"), self)
        self.export_button.setObjectName("auditExportButton")
        self.export_button.setToolTip(tr("Write the events the filters show, the internal-audit "
                                         "findings and the document approvals to an Excel "
                                         "workbook"))
        self.export_button.clicked.connect(lambda: self.export_to_excel())
        bar.addWidget(self.export_button)
        lay.addLayout(bar)
        self._build_filters(lay)

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
        for col, width_em in enumerate((7, 7, 11, 16, 9, 18), start=1):
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

    def _build_filters(self, lay: QVBoxLayout) -> None:
        """Record (kind + id, reference or name), user and a range of days."""
        row = QHBoxLayout()
        self.kind_filter = ValueCombo(
            [(tr("Any record kind"), None, "")] + sorted(
                ((label, kind, "") for kind, label in _entities().items()
                 if kind != "audit_event"), key=lambda item: item[0].casefold()),
            self, searchable=True)
        self.kind_filter.setObjectName("auditKindFilter")
        self.kind_filter.setAccessibleName(tr("Record kind filter"))
        self.record_filter = QLineEdit(self)
        self.record_filter.setObjectName("auditRecordFilter")
        self.record_filter.setClearButtonEnabled(True)
        self.record_filter.setPlaceholderText(tr("Record: ID, reference or name"))
        self.record_filter.setAccessibleName(tr("Record filter"))
        self.record_filter.setToolTip(tr("A record's number, or a part of its reference, code, "
                                         "name or title (deleted records too)"))
        self.user_filter = ValueCombo([(tr("Any user"), None, "")], self, searchable=True)
        self.user_filter.setObjectName("auditUserFilter")
        self.user_filter.setAccessibleName(tr("User filter"))
        self.since_filter = self._date_edit("auditSince", tr("From (UTC)"))
        self.until_filter = self._date_edit("auditUntil", tr("To (UTC)"))
        self.clear_filters_button = QPushButton(tr("C&lear filters"), self)
        self.clear_filters_button.setObjectName("auditClearFilters")
        self.clear_filters_button.clicked.connect(self.clear_filters)
        row.addWidget(self.kind_filter, 2)
        row.addWidget(self.record_filter, 3)
        row.addWidget(self.user_filter, 2)
        row.addWidget(QLabel(tr("From:"), self))
        row.addWidget(self.since_filter)
        row.addWidget(QLabel(tr("to:"), self))
        row.addWidget(self.until_filter)
        row.addWidget(self.clear_filters_button)
        lay.addLayout(row)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.apply_search())
        self.user_filter.currentIndexChanged.connect(lambda _i: self.apply_search())
        for edit in (self.since_filter, self.until_filter):
            edit.dateChanged.connect(lambda _d: self.apply_search())  # calendar, Up/Down
            edit.editingFinished.connect(lambda e=edit: self._date_typed(e))
        self.record_filter.textChanged.connect(lambda _t: self._search_timer.start())
        self.record_filter.returnPressed.connect(self.apply_search)

    def _date_edit(self, name: str, accessible: str) -> DateEditor:
        """An optional day (empty: no bound), typed or picked; a day that is not one is refused
        with a sentence and the filter keeps its last day."""
        edit = DateEditor(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setSpecialValueText(tr("any day"))  # shown while empty: no bound
        edit.setToolTip(tr("Days are UTC, as the trail's times are; empty: any day"))
        edit.applied = None  # the day the events shown were filtered by
        return edit

    def _date_typed(self, edit: DateEditor) -> None:
        """Enter or leaving a date filter: a day it takes filters (once); one it refuses is
        marked and said, and the events stay as they are."""
        if edit.accept_text() and edit.value() != edit.applied:
            self.apply_search()

    def search_widget(self) -> QWidget | None:
        return self.search

    # -- filters
    def set_filters(self, *, entity: str | None = None, record: int | str | None = None,
                    user: str | None = None, since: "dt.date | None" = None,
                    until: "dt.date | None" = None, text: str = "") -> None:
        """Show the events matching these filters (one reload); None means any."""
        widgets = (self.kind_filter, self.record_filter, self.user_filter, self.since_filter,
                   self.until_filter, self.search)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.kind_filter.set_value(entity)
            self.record_filter.setText("" if record is None else str(record))
            if user is not None and self.user_filter.findData(user) < 0:
                self.user_filter.set_items(self._user_items([user]))
            self.user_filter.set_value(user)
            for edit, day in ((self.since_filter, since), (self.until_filter, until)):
                edit.set_value(day)
            self.search.setText(text)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.apply_search()

    def show_record(self, entity: str, rid: int) -> None:
        """The history of one record."""
        self.set_filters(entity=entity, record=rid)

    def clear_filters(self) -> None:
        self.set_filters()

    def current_filter(self) -> "AuditFilter":
        """The search box's filter narrowed by the filter widgets."""
        import dataclasses

        from ...services.audit_trail import parse_filter

        flt = parse_filter(self.search.text())
        values: dict[str, Any] = {}
        kind = self.kind_filter.value()
        if kind:
            values["entity"] = kind
        record = self.record_filter.text().strip()
        if record:
            if record.lstrip("#").isdigit():
                values["record_id"] = int(record.lstrip("#"))
            else:
                values["record_text"] = record
        user = self.user_filter.value()
        if user:
            values["exact_user"] = user
        for key, edit in (("since", self.since_filter), ("until", self.until_filter)):
            edit.applied = day = edit.value()
            if day is not None:
                values[key] = day.isoformat()
        return dataclasses.replace(flt, **values) if values else flt

    def _user_items(self, extra: list[str] = ()) -> list:
        from ...services.audit_trail import users

        ws = self.workspace
        names = set(users(ws)) if ws is not None else set()
        names.update(u for u in extra if u)
        return [(tr("Any user"), None, "")] + [(u, u, "") for u in sorted(names, key=str.casefold)]

    # -- loading
    def refresh(self) -> None:
        self.user_filter.blockSignals(True)
        try:
            self.user_filter.set_items(self._user_items([self.user_filter.value()]))
        finally:
            self.user_filter.blockSignals(False)
        self.apply_search()

    def apply_search(self) -> None:
        from ...services.audit_trail import count_events

        self._search_timer.stop()
        ws = self.workspace
        if ws is None:
            return
        flt = self.current_filter()
        self.clear_filters_button.setEnabled(not flt.empty)
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
        self.set_filters()  # the next workspace opens unfiltered, with its own users
        self.user_filter.set_items([(tr("Any user"), None, "")])
        self.count_label.clear()
        self._clear_verify()

    def workspace_opened(self, ws) -> None:
        self._clear_verify()

    def _clear_verify(self) -> None:
        self.verify_label.clear()
        self.verify_icon.hide()
        self.verify_button.setEnabled(True)

    # -- export
    def export_to_excel(self, path: str | None = None):
        """Write the audit log of the events the filters show (``services.exports.
        audit_log_xlsx``) to ``path`` (asked for when None) in the background, with progress
        and Cancel (a cancelled export leaves no file); returns the task."""
        ws = self.workspace
        if ws is None or (self._export_task is not None and self._export_task.running):
            return None
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export the audit log"), "audit-log.xlsx",
                tr("Excel workbook (*.xlsx)"))
            if not path:
                return None
        from pathlib import Path

        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        self.controller.flush_edits()
        flt = self.current_filter()
        if flt.problem:
            self.controller.errorOccurred.emit(ValueError(flt.problem))
            return None

        def work(ctx):
            from ...services.exports.audit_log_xlsx import export_audit_log

            return export_audit_log(ws, target, flt=flt, progress=ctx.callback,
                                    cancel=lambda: ctx.cancelled)

        def done(result) -> None:
            self.export_button.setEnabled(True)
            if result is None:
                return
            self.controller.record_head("export")
            self.last_export = result.path
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(
                    tr("Exported {n} events to {path}").format(
                        n=QLocale().toString(result.events), path=result.path), 8000)

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.controller.errorOccurred.emit(error)

        self.export_button.setEnabled(False)
        self._export_task = self.controller.runner.run(
            work, label=tr("Exporting the audit log…"), parent=self.window(),
            on_result=done, on_cancelled=lambda _r: self.export_button.setEnabled(True),
            on_error=failed)
        return self._export_task

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
