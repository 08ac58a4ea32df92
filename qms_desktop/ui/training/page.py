"""The Training page: the competence matrix, what is due, compliance charts, people and courses.

* **Matrix** — people × required courses, computed (``services.training.load_matrix``); names
  and course headers stay put while scrolling; filters by name, department, role, course and
  status; the expiring window (30/60/90 days) is kept in the workspace. Enter or a double click
  on a cell opens it: its history, why it is required, a new record, the evidence files.
* **Due** — what needs training now or within the next N days, overdue first.
* **Compliance** — charts per department and per course (matplotlib), exportable.
* **People** and **Courses** — lists from the table kit, edited inline; roles over time,
  which roles require a course, a course marked revised (everyone is due again).

Record session (Ctrl+Shift+R), What if…, Import…, Export… and Print… act on the whole matrix.
Every change is one ``controller.edit``; after it, only the rows of the people it touched are
recomputed when the columns cannot change.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...core import training as rules
from ...services.training import LATE
from ..pages.base import Page, heading
from ..table import COMBO, DATE, TEXT, CHOICE, Column, ColumnLayout, FilterProxy, IdRole, \
    RowModel, TableDelegate, ValueCombo, edit_triggers
from .matrix import CourseRole, MatrixModel, MatrixView, PersonRole, cell_text, fmt, \
    status_label, tr

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec

#: kinds whose change can alter the matrix
MATRIX_KINDS = frozenset({"person", "role", "person_role", "course", "role_course",
                          "training_record", "document", "revision", "process",
                          "process_node", "process_lane", "node_document", "setting"})


def kind_items():
    return [(tr("Read and understood"), "read_and_understood", ""),
            (tr("Classroom"), "classroom", ""), (tr("On the job"), "on_the_job", ""),
            (tr("External certificate"), "external", "")]


def provider_items():
    return [(tr("Internal"), "internal", ""), (tr("External"), "external", "")]


def legend_text() -> str:
    return "   ".join(f"{rules.SYMBOLS[s]} {status_label(s)}" for s in rules.STATUSES
                      if rules.SYMBOLS[s])


class TrainingPage(Page):
    kinds = MATRIX_KINDS | {"attachment"}
    openRecord = Signal(str, int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)
        self.matrix = None
        self._people_items = None
        self._lists_stale = True
        self._due_stale = True

        # -- filters
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("Search name or employee no…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda t: self._filter(text=t))
        bar.addWidget(self.search, 2)
        self.department = ValueCombo([(tr("Any department"), None, "")], self)
        self.department.currentIndexChanged.connect(
            lambda: self._filter(department=self.department.value()))
        bar.addWidget(self.department, 1)
        self.role = ValueCombo([(tr("Any role"), None, "")], self, searchable=False)
        self.role.currentIndexChanged.connect(lambda: self._filter(role=self.role.value()))
        bar.addWidget(self.role, 1)
        self.course_search = QLineEdit(self)
        self.course_search.setPlaceholderText(tr("Course…"))
        self.course_search.setClearButtonEnabled(True)
        self.course_search.textChanged.connect(lambda t: self._filter(course=t))
        bar.addWidget(self.course_search, 1)
        self.status = ValueCombo([(tr("Any status"), None, ""),
                                  (tr("To train now"), LATE, tr(
                                      "Expired, missing, or retraining past its grace period"))
                                  ] + [
            (f"{rules.SYMBOLS[s]} {status_label(s)}", s, "") for s in rules.STATUSES
            if s != rules.NOT_REQUIRED], self)
        self.status.currentIndexChanged.connect(lambda: self._filter(status=self.status.value()))
        bar.addWidget(self.status, 1)
        self.window_box = ValueCombo([(tr("Expiring within {n} days").format(n=n), n, "")
                                      for n in rules.WINDOWS], self)
        self.window_box.setToolTip(tr("How soon an expiry counts as “expiring” (kept in the "
                                      "workspace)"))
        self.window_box.activated.connect(self._window_chosen)

        for combo in (self.department, self.role, self.status):
            combo.setSizeAdjustPolicy(ValueCombo.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
        for edit in (self.search, self.course_search):
            edit.setMinimumWidth(80)

        # -- commands (a tool bar: what does not fit goes into its » menu)
        cmds = QHBoxLayout()
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        cmds.addWidget(self.toolbar, 1)
        self.session_action = self._button(cmds, tr("&Record session…"), self.record_session,
                                           QKeySequence("Ctrl+Shift+R"),
                                           tr("One course, many attendees (Ctrl+Shift+R)"))
        self.open_action = self._button(cmds, tr("&Open cell…"), self.open_current, None,
                                        tr("History, reasons and a new record (Enter)"))
        self.whatif_action = self._button(cmds, tr("&What if…"), self.what_if, None,
                                          tr("See the training a person would lack in a role"))
        self.import_action = self._button(cmds, tr("&Import…"), self.import_file, None,
                                          tr("Read a training matrix or record list from "
                                             ".xlsx or .csv"))
        self.export_action = self._button(cmds, tr("E&xport…"), self.export_file, None,
                                          tr("The matrix as .xlsx or PDF"))
        self.print_action = self._button(cmds, tr("&Print…"), self.print_matrix, None,
                                         tr("Print the matrix (preview first)"))
        self.count = QLabel(self)
        self.count.setWordWrap(True)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count.setMinimumWidth(60)
        cmds.addWidget(self.count, 1)
        cmds.addWidget(self.window_box)

        # -- matrix
        self.model = MatrixModel(self)
        self.view = MatrixView(self)
        self.view.setModel(self.model)
        self.view.activated.connect(lambda index: self.open_cell(index))
        self.view.doubleClicked.connect(lambda index: self.open_cell(index))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._cell_menu)
        self.legend = QLabel(legend_text(), self)
        self.legend.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        matrix_tab = self.matrix_tab = QWidget(self)
        ml = QVBoxLayout(matrix_tab)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.view, 1)
        ml.addWidget(self.legend)
        ml.addWidget(self.note)

        # -- due
        due_tab = self.due_tab = QWidget(self)
        dl = QVBoxLayout(due_tab)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Needed now or within"), due_tab))
        self.due_days = QSpinBox(due_tab)
        self.due_days.setRange(0, 730)
        self.due_days.setValue(60)
        self.due_days.setSuffix(tr(" days"))
        self.due_days.valueChanged.connect(lambda _v: self._fill_due())
        row.addWidget(self.due_days)
        row.addStretch(1)
        dl.addLayout(row)
        self.due = QTableWidget(0, 5, due_tab)
        self.due.setObjectName("dueTable")
        self.due.setHorizontalHeaderLabels([tr("Person"), tr("Department"), tr("Course"),
                                            tr("Status"), tr("Expiry or deadline")])
        self.due.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.due.verticalHeader().hide()
        self.due.horizontalHeader().setStretchLastSection(True)
        self.due.doubleClicked.connect(self._due_open)
        dl.addWidget(self.due, 1)

        # -- compliance charts (built when first shown)
        self.charts_tab = QWidget(self)
        self._charts = None

        # -- people and courses
        self.people_tab, self.people_model, self.people_view = self._people_list()
        self.courses_tab, self.courses_model, self.courses_view = self._courses_list()

        self.tabs = QTabWidget(self)
        self.tabs.addTab(matrix_tab, tr("&Matrix"))
        self.tabs.addTab(due_tab, tr("&Due"))
        self.tabs.addTab(self.charts_tab, tr("&Compliance"))
        self.tabs.addTab(self.people_tab, tr("P&eople"))
        self.tabs.addTab(self.courses_tab, tr("C&ourses"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.read_only_note = QLabel(tr("The workspace is open read-only: training can be "
                                        "viewed, filtered, exported and printed, not changed."),
                                     self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        self.filter_row = QWidget(self)
        self.filter_row.setLayout(bar)
        bar.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_row)
        layout.addLayout(cmds)
        layout.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ building blocks
    def _button(self, row: QHBoxLayout, text: str, slot, key, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        if key is not None:
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(lambda _c=False: slot())
        self.toolbar.addAction(action)
        return action

    def _tools(self, parent: QWidget, entries) -> QToolBar:
        bar = QToolBar(parent)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for text, slot in entries:
            bar.addAction(text, lambda s=slot: s())
        return bar

    def _list_view(self, model: RowModel, name: str) -> tuple[QTableView, FilterProxy]:
        proxy = FilterProxy(self)
        proxy.setSourceModel(model)
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(proxy)
        view.setItemDelegate(TableDelegate(view))
        view.setEditTriggers(edit_triggers())
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        view.horizontalHeader().setStretchLastSection(True)
        keeper = ColumnLayout(view, model, name)
        keeper.restore()
        view._keeper = keeper  # kept alive with the view
        view._proxy = proxy
        return view, proxy

    def _people_list(self):
        from ...services import training

        def load(ids):
            ws = self.workspace
            return [] if ws is None else training.list_people(ws, ids)

        def commit(row, column: Column, value: Any) -> bool:
            return self.controller.edit(
                tr("Change person"), lambda ws: training.update_people(
                    ws, [row.id], {column.key: value})) is not None

        cols = (
            Column("name", tr("Name"), editor=TEXT, searchable=True, width=180),
            Column("employee_no", tr("Employee no."), editor=TEXT, searchable=True),
            Column("department", tr("Department"), editor=TEXT, searchable=True, width=120),
            Column("manager_id", tr("Manager"), editor=COMBO, display=lambda r: r.manager,
                   items=lambda r: self.people_items(), width=150),
            Column("roles", tr("Roles today"), width=220, searchable=True,
                   tip=lambda r: r.roles or tr("No role: nothing is required")),
            Column("hired_on", tr("Started"), editor=DATE),
            Column("left_on", tr("Left"), editor=DATE,
                   tip=lambda r: tr("Left the company: kept with their records, not in the "
                                    "matrix") if r.left else None),
            Column("email", tr("E-mail"), editor=TEXT, visible=False, width=200),
        )
        model = RowModel(cols, kind="person", load=load, commit=commit,
                         reload_kinds={"person_role", "role"}, parent=self)
        view, proxy = self._list_view(model, "trainingPeople")
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        row = QHBoxLayout()
        find = QLineEdit(tab)
        find.setPlaceholderText(tr("Search people…"))
        find.setClearButtonEnabled(True)
        find.textChanged.connect(lambda t, p=proxy: p.set_filters(text=t))
        find.setMinimumWidth(80)
        row.addWidget(find, 1)
        row.addWidget(self._tools(tab, ((tr("Add person"), self.add_person),
                                        (tr("Roles…"), self.edit_roles),
                                        (tr("Mark as left"), self.mark_left),
                                        (tr("What if…"), self.what_if))), 1)
        lay.addLayout(row)
        lay.addWidget(view, 1)
        return tab, model, view

    def _courses_list(self):
        from ...services import training

        def load(ids):
            ws = self.workspace
            return [] if ws is None else training.list_courses(ws, ids)

        def commit(row, column: Column, value: Any) -> bool:
            key = "validity_months" if column.key == "validity" else column.key
            return self.controller.edit(
                tr("Change course"), lambda ws: training.update_courses(
                    ws, [row.id], {key: value})) is not None

        cols = (
            Column("code", tr("Code"), editor=TEXT, searchable=True),
            Column("title", tr("Title"), editor=TEXT, searchable=True, width=260),
            Column("kind", tr("Method"), editor=CHOICE, items=lambda r: kind_items(),
                   display=lambda r: dict((v, t) for t, v, _x in kind_items()).get(r.kind,
                                                                                   r.kind),
                   width=140),
            Column("provider", tr("Given"), editor=CHOICE, items=lambda r: provider_items(),
                   display=lambda r: dict((v, t) for t, v, _x in provider_items()).get(
                       r.provider, r.provider)),
            Column("validity", tr("Valid for"), editor=TEXT,
                   value=lambda r: str(r.validity_months or ""),
                   display=lambda r: r.validity_text,
                   tip=lambda r: tr("Months a completion stays valid; empty for once")),
            Column("document_id", tr("Procedure"), editor=COMBO,
                   display=lambda r: f"{r.document} rev. {r.revision}" if r.revision
                   else r.document, items=lambda r: self.document_items(), width=120),
            Column("revised_on", tr("Revised on"), editor=DATE,
                   tip=lambda r: tr("Completions before this day are due again")),
            Column("roles", tr("Required for"), width=260, searchable=True,
                   tip=lambda r: r.roles or None),
        )
        model = RowModel(cols, kind="course", load=load, commit=commit,
                         reload_kinds={"role_course", "role", "document", "revision"},
                         parent=self)
        view, proxy = self._list_view(model, "trainingCourses")
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        row = QHBoxLayout()
        find = QLineEdit(tab)
        find.setPlaceholderText(tr("Search courses…"))
        find.setClearButtonEnabled(True)
        find.textChanged.connect(lambda t, p=proxy: p.set_filters(text=t))
        find.setMinimumWidth(80)
        row.addWidget(find, 1)
        row.addWidget(self._tools(tab, ((tr("Add course"), self.add_course),
                                        (tr("Required for…"), self.edit_requirements),
                                        (tr("Mark revised"), self.mark_revised),
                                        (tr("Record session…"), self.record_session))), 1)
        lay.addLayout(row)
        lay.addWidget(view, 1)
        return tab, model, view

    def people_items(self):
        if self._people_items is None:
            from ...services import training

            ws = self.workspace
            self._people_items = [("—", None, tr("No manager"))] + (
                [(p.name, p.id, "") for p in training.people(ws)] if ws is not None else [])
        return self._people_items

    def document_items(self):
        from ...services import training

        ws = self.workspace
        return [("—", None, tr("No linked procedure"))] + (
            [(d.name, d.id, "") for d in training.documents(ws)] if ws is not None else [])

    def search_widget(self) -> QWidget:
        return self.search

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        from ...services import training

        ws = self.workspace
        self._people_items = None
        if ws is None:
            self.model.set_matrix(None)
            return
        window = training.window_days(ws)
        self.window_box.set_value(window)
        self.matrix = training.load_matrix(ws, window=window)
        self.model.set_matrix(self.matrix)
        self._fill_filters()
        self._lists_stale = True
        self._load_lists()
        self._after_change()

    def _load_lists(self) -> None:
        """The people and courses lists are read when their tab is shown (not on every open)."""
        if not self._lists_stale or self.tabs.currentWidget() not in (self.people_tab,
                                                                     self.courses_tab):
            return
        self._lists_stale = False
        self.people_model.reload()
        self.courses_model.reload()

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        if change.touches("person"):
            self._people_items = None
        if not (self.isVisible() and not self._stale and self.workspace is not None):
            self._stale = True
            return
        if not change.touches(*MATRIX_KINDS):
            return  # attachments only
        kinds = set(change.kinds)
        if kinds <= {"training_record"} and self.matrix is not None:
            pids = self._record_people(change)
            self._refresh_rows(pids)
        else:
            self.refresh()
            return
        if not self._lists_stale:
            self.people_model.refresh_ids(change)
            self.courses_model.refresh_ids(change)

    def _record_people(self, change: "Change") -> set[int]:
        pids: set[int] = set()
        updated: set[int] = set()
        for op in change.changeset.ops:
            if op.entity != "training_record":
                continue
            if op.values is not None and "person_id" in op.values:
                pids.add(op.values["person_id"])
            else:
                updated.add(op.id)
        if updated and self.workspace is not None:
            with self.workspace.connect() as c:
                ids = ",".join(str(int(i)) for i in updated)
                pids.update(r[0] for r in c.exec_driver_sql(
                    f"SELECT person_id FROM training_record WHERE id IN ({ids})"))
        return pids

    def _refresh_rows(self, pids: set[int]) -> None:
        from ...services import training

        mx = self.matrix
        part = training.load_matrix(self.workspace, mx.today, mx.window_days,
                                    person_ids=pids, all_courses=True, base=mx)
        before = {pid: (list(mx.status[mx.row_of[pid]]), list(mx.dates[mx.row_of[pid]]))
                  for pid in pids if pid in mx.row_of}
        if not mx.replace_rows(part):
            self.refresh()
            return
        self.model.rows_changed(pids, before)
        self._after_change(charts=False)

    def workspace_closed(self) -> None:
        self.matrix = None
        self._people_items = None
        self.model.set_matrix(None)
        self.people_model.set_rows([])
        self.courses_model.set_rows([])

    def _fill_filters(self) -> None:
        mx = self.matrix
        depts = sorted({p.department for p in mx.people if p.department}, key=str.casefold)
        self.department.set_items([(tr("Any department"), None, "")]
                                  + [(d, d, "") for d in depts])
        roles = sorted({r for p in mx.people for r in p.roles if r}, key=str.casefold)
        self.role.set_items([(tr("Any role"), None, "")] + [(r, r, "") for r in roles])

    def _filter(self, **values: Any) -> None:
        self.model.set_filters(**values)
        self._after_change(charts=False, due=False)

    def set_filters(self, **values: Any) -> None:
        """department, role, course, status, text — as the filter widgets would set them."""
        if "text" in values:
            self.search.setText(values["text"] or "")
        if "course" in values:
            self.course_search.setText(values["course"] or "")
        if "department" in values:
            self.department.set_value(values["department"])
        if "role" in values:
            self.role.set_value(values["role"])
        if "status" in values:
            self.status.set_value(values["status"])
        self.model.set_filters(**values)
        self._after_change(charts=False, due=False)

    def _after_change(self, charts: bool = True, due: bool = True) -> None:
        mx = self.matrix
        ro = self.controller.read_only
        self.read_only_note.setVisible(ro)
        for a in (self.session_action, self.import_action):
            a.setEnabled(not ro and self.workspace is not None)
        if mx is None:
            self.count.setText("")
            return
        n = mx.counts()
        required = sum(n.values())
        ok = n[rules.CURRENT] + n[rules.EXPIRING]
        self.count.setText(tr("{shown} of {people} people · {courses} courses · {pct} current "
                              "· {late} to train now · {retrain} of them after a revision"
                              ).format(
            shown=f"{self.model.rowCount():,}", people=f"{len(mx.people):,}",
            courses=f"{self.model.columnCount():,}",
            pct=f"{100 * ok / required:.0f} %" if required else "—",
            late=f"{mx.late():,}",
            retrain=f"{n[rules.RETRAIN]:,}"))
        note = []
        if mx.uncovered:
            docs = sorted({u[0] for u in mx.uncovered})
            note.append(tr("Maps link documents with no read-and-understood course, so no "
                           "training can be required for them: {docs}.").format(
                docs=", ".join(docs)))
        self.note.setText(" ".join(note))
        self.note.setVisible(bool(note))
        if due:
            self._fill_due()
        if charts and self._charts is not None:
            self._charts.set_matrix(mx)

    def _fill_due(self) -> None:
        """The due list, filled when its tab is shown (it may hold thousands of rows)."""
        if self.tabs.currentWidget() is not self.due_tab:
            self._due_stale = True
            return
        self._due_stale = False
        mx = self.matrix
        if mx is None:
            self.due.setRowCount(0)
            return
        rows = mx.due_within(self.due_days.value())
        self.due.setSortingEnabled(False)
        self.due.setRowCount(len(rows))
        for i, (p, c, s, d) in enumerate(rows):
            texts = (p.name, p.department, f"{c.code} {c.title}".strip(),
                     f"{rules.SYMBOLS[s]} {status_label(s)}", fmt(d))
            for j, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (p.id, c.id))
                item.setToolTip(cell_text(s, d, mx.today))
                self.due.setItem(i, j, item)
        self.due.resizeColumnsToContents()

    def _tab_changed(self, index: int) -> None:
        # the matrix filters apply to the matrix and the due list, not to the two lists
        self.filter_row.setVisible(self.tabs.widget(index) not in (self.people_tab,
                                                                   self.courses_tab))
        self._load_lists()
        if self.tabs.widget(index) is self.due_tab and self._due_stale:
            self._fill_due()
        if self.tabs.widget(index) is self.charts_tab and self._charts is None:
            from .charts import ComplianceCharts

            self._charts = ComplianceCharts(self.charts_tab)
            QVBoxLayout(self.charts_tab).addWidget(self._charts)
            if self.matrix is not None:
                self._charts.set_matrix(self.matrix)

    # ------------------------------------------------------------------ cells
    def current_cell(self) -> tuple[int, int] | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return index.data(PersonRole), index.data(CourseRole)

    def open_current(self) -> bool:
        return self.open_cell(self.view.currentIndex())

    def open_cell(self, index) -> bool:
        if index is None or not index.isValid() or self.matrix is None:
            return False
        return self.open_cell_of(index.data(PersonRole), index.data(CourseRole))

    def open_cell_of(self, person_id: int, course_id: int):
        from .dialogs import CellDialog

        dialog = CellDialog(self.controller, self.matrix, person_id, course_id, self)
        self._dialog = dialog  # tests reach it
        dialog.open()
        return True

    def _due_open(self, index) -> None:
        item = self.due.item(index.row(), 0)
        if item is not None:
            pid, cid = item.data(Qt.ItemDataRole.UserRole)
            self.open_cell_of(pid, cid)

    def _cell_menu(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        menu.addAction(tr("Open cell…"), lambda: self.open_cell(index))
        menu.addAction(tr("Record session for this course…"),
                       lambda: self.record_session(index.data(CourseRole)))
        menu.addAction(tr("What if this person took on a role…"),
                       lambda: self.what_if(index.data(PersonRole)))
        menu.addAction(tr("Export this person's training record…"),
                       lambda: self.export_person(index.data(PersonRole)))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ commands
    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:  # read-only or closed: say so, change nothing
            self.controller.errorOccurred.emit(e)
            return False
        return True

    def record_session(self, course_id: int | None = None):
        from .dialogs import SessionDialog

        if not self._writable():
            return None
        if course_id is None:
            cell = self.current_cell()
            course_id = cell[1] if cell else None
            rows = self.courses_view.selectionModel().selectedRows() \
                if self.tabs.currentWidget() is self.courses_tab else []
            if rows:
                course_id = rows[0].data(IdRole)
        dialog = SessionDialog(self.controller, self.matrix, course_id, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def what_if(self, person_id: int | None = None):
        from .dialogs import WhatIfDialog

        if self.workspace is None:
            return None
        if person_id is None:
            person_id = self._selected_person()
        dialog = WhatIfDialog(self.controller, person_id, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def _selected_person(self) -> int | None:
        if self.tabs.currentWidget() is self.people_tab:
            rows = self.people_view.selectionModel().selectedRows()
            return rows[0].data(IdRole) if rows else None
        cell = self.current_cell()
        return cell[0] if cell else None

    def window_changed(self, days: int) -> bool:
        from ...services import training

        if self.controller.read_only:  # a view setting only, this time
            self.model.set_matrix(training.load_matrix(self.workspace, window=days))
            self.matrix = self.model.matrix
            self._after_change()
            return True
        return self.controller.edit(tr("Change expiring window"),
                                    lambda ws: training.set_window_days(ws, days)) is not None

    def _window_chosen(self, _i: int) -> None:
        days = self.window_box.value()
        if self.matrix is not None and days != self.matrix.window_days:
            self.window_changed(days)

    def add_person(self) -> int | None:
        from ...services import training

        if not self._writable():
            return None
        pid = self.controller.edit(tr("Add person"), lambda ws: training.add_person(
            ws, {"name": tr("New person"), "hired_on": dt.date.today()}))
        if pid:
            self._select_in(self.people_view, self.people_model, pid)
        return pid

    def add_course(self) -> int | None:
        from ...services import training

        if not self._writable():
            return None
        cid = self.controller.edit(tr("Add course"), lambda ws: training.add_course(
            ws, {"title": tr("New course"), "kind": "classroom"}))
        if cid:
            self._select_in(self.courses_view, self.courses_model, cid)
        return cid

    def _select_in(self, view: QTableView, model: RowModel, rid: int) -> None:
        pos = model.row_of(rid)
        if pos is None:
            return
        proxy = view._proxy
        index = proxy.mapFromSource(model.index(pos, 0))
        if index.isValid():
            view.setCurrentIndex(index)
            view.scrollTo(index)
            view.edit(index)

    def _selected_ids(self, view: QTableView) -> list[int]:
        return [i.data(IdRole) for i in view.selectionModel().selectedRows()]

    def edit_roles(self):
        from .dialogs import RolesDialog

        ids = self._selected_ids(self.people_view)
        if not ids:
            return None
        row = self.people_model.get(ids[0])
        dialog = RolesDialog(self.controller, row.id, row.name, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def mark_left(self, on: dt.date | None = None) -> bool:
        """The selected people leave on ``on`` (asked, today by default): their roles end
        that day, their records stay, they leave the matrix."""
        from ...services import training
        from .dialogs import ask_date

        ids = self._selected_ids(self.people_view)
        if not ids or not self._writable():
            return False
        day = on or ask_date(self, tr("Mark as left"), tr(
            "The last day with the company of the {n} selected people. Their roles end that "
            "day; their training records are kept.").format(n=len(ids)) if len(ids) > 1 else
            tr("The last day with the company. Their roles end that day; their training "
               "records are kept."), future=True)
        if day is None:
            return False

        def run(ws):
            for pid in ids:
                training.mark_left(ws, pid, day)
            return True

        return self.controller.edit(tr("Mark as left"), run) is not None

    def edit_requirements(self):
        from .dialogs import RequirementsDialog

        ids = self._selected_ids(self.courses_view)
        if not ids:
            return None
        row = self.courses_model.get(ids[0])
        dialog = RequirementsDialog(self.controller, row.id, row.code or row.title, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def mark_revised(self, on: dt.date | None = None) -> bool:
        """The selected courses were revised on ``on`` (asked, today by default): everyone
        who completed them before is due again."""
        from ...services import training
        from .dialogs import ask_date

        ids = self._selected_ids(self.courses_view)
        if not ids or not self._writable():
            return False
        on = on or ask_date(self, tr("Mark course revised"), tr(
            "The day the course changed. Everyone required to take it who completed it "
            "before that day is due for it again."))
        if on is None:
            return False
        label = tr("Mark course revised") if len(ids) == 1 else \
            tr("Mark {n} courses revised").format(n=len(ids))

        def run(ws):
            for cid in ids:
                training.mark_course_revised(ws, cid, on)
            return True

        return self.controller.edit(label, run) is not None

    # ------------------------------------------------------------------ files
    def import_file(self) -> None:
        if not self._writable():
            return
        try:
            from .import_dialog import import_training
        except ImportError:
            self.controller.errorOccurred.emit(RuntimeError(
                tr("Importing training is not available in this build.")))
            return
        import_training(self, self.controller)

    def export_file(self, path: str | None = None) -> str | None:
        if self.matrix is None:
            return None
        if path is None:
            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export the training matrix"), "training-matrix.xlsx",
                tr("Excel workbook (*.xlsx);;PDF (*.pdf)"))
            if not path:
                return None
        return self._export(path, None)

    def export_person(self, person_id: int, path: str | None = None) -> str | None:
        if self.matrix is None or person_id is None:
            return None
        if path is None:
            name = self.matrix.people[self.matrix.row_of[person_id]].name
            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export the training record of {p}").format(p=name),
                f"training-record-{name}.pdf", tr("PDF (*.pdf);;Excel workbook (*.xlsx)"))
            if not path:
                return None
        return self._export(path, person_id)

    def _export(self, path: str, person_id: int | None) -> str | None:
        from . import exporting

        return exporting.export(self, path, person_id)

    def print_matrix(self) -> None:
        from . import exporting

        exporting.print_preview(self)
