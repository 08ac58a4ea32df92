"""The Checklists & Audits page: gap analyses and internal audits run from templates.

* **Runs** — every run (table kit): code, title, kind, template and version, process, auditor,
  dates, stage, progress, score (the rule in the tooltip), findings; filters; Start run… from a
  template; delete. Enter or a double click opens the run.
* **Run** — the open run's items in order, keyboard-first (``run.py``): 1–5 set the result and
  move on, Enter moves on, Ctrl+F jumps to a clause, Ctrl+E edits the evidence; evidence links,
  files and the findings of the run.
* **Fast entry** — type back a printed blank: run code, then one key per item (``fastentry.py``).
* **Templates** and **Programme** — the template editor and the audit programme.

Every change is one ``controller.edit``. Workshop mode (F11) asks the main window for the
full-screen view of the open run (:attr:`ChecklistsPage.workshopRequested`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMessageBox,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..pages.base import Page, heading
from ..table import ColumnLayout, IdRole
from ..table.filterbar import FilterBar
from .fastentry import FastEntry
from .model import kind_items, make_run_model, make_run_proxy, stage_items, tr
from .programme import ProgrammeView
from .run import RunView
from .templates import TemplatesView

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.changes import Change
    from ..controller import WorkspaceController
    from ..pages import PageSpec

#: what the page shows
KINDS = frozenset({"checklist_template", "checklist_item", "checklist_run", "response",
                   "evidence_link", "finding", "action", "audit_step", "process", "attachment"})


#: ``set_filters(tab=…)``
TABS = ("runs", "programme", "templates")


class ChecklistsPage(Page):
    kinds = KINDS
    openRecord = Signal(str, int)
    #: the user asked for workshop mode on this run (its id)
    workshopRequested = Signal(int)

    def __init__(self, controller: "WorkspaceController", spec: "PageSpec",
                 parent: QWidget | None = None):
        super().__init__(controller, spec, parent)

        # -- runs
        self._runs_stale = False
        self.runs_model = make_run_model(controller, self, self._runs_touched)
        self.runs_proxy = make_run_proxy(self)
        self.runs_proxy.setSourceModel(self.runs_model)
        self.runs_tab = QWidget(self)
        self.run_filters = FilterBar(self.runs_proxy, tr("Search code, title, template, process, "
                                                     "auditor…"), self.runs_tab)
        self.search = self.run_filters.search
        self.filters = self.run_filters
        self.run_filters.add_choice("kind", [(tr("Any kind"), None, "")] + kind_items())
        self.run_filters.add_choice("stage", [(tr("Any stage"), None, "")] + stage_items())
        self.run_filters.add_flag("open_only", tr("Not &completed"),
                              tr("Runs without a completion date"))
        self.run_filters.changed.connect(self._count)
        self.count = QLabel(self.runs_tab)
        self.run_filters.row.addWidget(self.count, 1, Qt.AlignmentFlag.AlignRight)
        self.runs = QTableView(self.runs_tab)
        self.runs.setObjectName("checklistRunsTable")
        self.runs.setModel(self.runs_proxy)
        self.runs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runs.setWordWrap(False)
        self.runs.verticalHeader().hide()
        self.runs.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.runs.setSortingEnabled(True)
        self.runs.activated.connect(lambda _i: self.open_selected())
        self.runs_layout = ColumnLayout(self.runs, self.runs_model, "checklist_runs")
        self.runs_layout.restore()
        rl = QVBoxLayout(self.runs_tab)
        rl.addWidget(self.run_filters)
        rl.addWidget(self.runs, 1)

        # -- the open run, fast entry
        self.run_view = RunView(controller, self)
        self.run_view.openRecord.connect(self.openRecord)
        self.fast_entry = FastEntry(controller, self)
        self.fast_entry.runOpened.connect(self.open_run)

        # -- the template editor and the audit programme (each refreshes itself on changes)
        self.templates_tab = TemplatesView(controller, self)
        self.programme_tab = ProgrammeView(controller, self)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.runs_tab, tr("&Runs"))
        self.run_tab_index = self.tabs.addTab(self.run_view, tr("R&un"))
        self.tabs.addTab(self.fast_entry, tr("&Fast entry"))
        self.tabs.addTab(self.templates_tab, tr("&Templates"))
        self.tabs.addTab(self.programme_tab, tr("&Programme"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())

        # -- commands
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.start_action = self._command(tr("&Start run…"), self.start_run,
                                          tip=tr("A gap analysis or audit from a template"))
        self.open_action = self._command(tr("&Open run"), self.open_selected,
                                         tip=tr("Answer the selected run (Enter)"))
        self.delete_action = self._command(tr("&Delete run"), self.delete_selected,
                                           tip=tr("Delete the selected run with its answers "
                                                  "and findings"))
        self.workshop_action = self._command(
            tr("&Workshop mode (F11)"), self.request_workshop, QKeySequence(Qt.Key.Key_F11),
            tip=tr("The current item full-screen in large type, for a projector (F11)"))
        self.workshopRequested.connect(self.open_workshop)
        self.print_action = self._command(
            tr("&Print…"), self.print_preview, QKeySequence(QKeySequence.StandardKey.Print),
            tip=tr("Print the open or selected run (on the Templates tab: the template's "
                   "blank), with a preview first (Ctrl+P)"))
        self.blank_action = self._command(
            tr("Print &blank…"), self.print_blank,
            tip=tr("The blank for the shop floor: the selected template's, or the run's with "
                   "its code, to fill in by hand and type back in Fast entry"))
        self.chart_action = self._command(
            tr("&Chart…"), self.export_chart,
            tip=tr("Conformity per chapter, per PDCA phase and as a radar, against the "
                   "previous run of the same template, as PNG or SVG"))
        self.export_action = self._command(
            tr("E&xport…"), self.export_file,
            tip=tr("The open run or a blank checklist as PDF, Word or Excel; an internal "
                   "audit's report as Word"))
        self.read_only_note = QLabel(tr("The workspace is open read-only: runs can be viewed, "
                                        "not answered or changed."), self)
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(heading(spec.title, parent=self))
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tabs, 1)
        self.runs.selectionModel().currentRowChanged.connect(lambda *_: self._update_commands())
        self._update_commands()

    def _command(self, text: str, slot, key=None, *, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        if key is not None:
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(lambda _c=False: slot())
        self.toolbar.addAction(action)
        return action

    def search_widget(self) -> QWidget:
        """Edit ▸ Find: on the Run tab the clause box (jump to a clause), else the runs' search."""
        if self.tabs.currentIndex() == self.run_tab_index:
            return self.run_view.jump
        return self.search

    def select_response(self, response_id: int) -> bool:
        """Back from workshop mode: the item it was on becomes the current one."""
        if self.run_view.select_item(response_id):
            self.tabs.setCurrentIndex(self.run_tab_index)
            self.run_view.table.setFocus()
            return True
        return False

    # ------------------------------------------------------------------ print and export
    def _what_to_print(self, blank: bool | None = None
                       ) -> tuple[int | None, int | None, bool | None]:
        """(template id, run id, blank): on the Templates tab the selected template (always a
        blank); else the open run when the Run tab shows, else the run selected on the Runs
        tab (its completed form, or its blank with its run code when ``blank``)."""
        if self.tabs.currentWidget() is self.templates_tab:
            row = self.templates_tab.current_template()
            return (row.id, None, True) if row is not None else (None, None, None)
        if self.tabs.currentIndex() == self.run_tab_index and self.current_run_id():
            return None, self.current_run_id(), blank
        rid = self.selected_run_id()
        return (None, rid, blank) if rid is not None else (None, None, None)

    def print_blank(self):
        """Print the blank for the shop floor: the selected template's, or the open/selected
        run's with its run code (typed back in Fast entry)."""
        return self.print_preview(blank=True)

    def print_preview(self, blank: bool | None = None):
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from . import print as printing

        ws = self.workspace
        template_id, run_id, blank = self._what_to_print(blank)
        if ws is None or (run_id is None and template_id is None):
            self.controller.errorOccurred.emit(RuntimeError(tr(
                "Choose a run (on the Runs tab) or a template (on the Templates tab) to print "
                "first.")))
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(tr("Print checklist"))
        def paint(device) -> None:
            try:
                printing.print_checklist(ws, template_id, run_id, printer=device, blank=blank)
            except Exception as e:  # a sentence, never a crash inside Qt's painting
                self.controller.errorOccurred.emit(e)

        dialog.paintRequested.connect(paint)
        # the preview paints on the printer long after this returns: keep both alive
        self._dialog, self._printer = dialog, printer
        dialog.open()
        return dialog

    def export_chart(self, path: str | None = None, kind: str = "overview") -> str | None:
        """The open (or selected) run's scores as a chart image (.png or .svg)."""
        from PySide6.QtWidgets import QFileDialog

        from ...services.exports import checklist_charts as charts

        ws = self.workspace
        _t, run_id, _b = self._what_to_print()
        if ws is None or run_id is None:
            self.controller.errorOccurred.emit(RuntimeError(tr("Choose a run first.")))
            return None
        if path is None:
            path, _f = QFileDialog.getSaveFileName(
                self, tr("Export chart"), "checklist-scores.png",
                tr("PNG image (*.png);;SVG image (*.svg)"))
            if not path:
                return None
        try:
            return str(charts.write_chart(path, charts.chart_data(ws, run_id), kind))
        except (OSError, ValueError) as e:
            self.controller.errorOccurred.emit(RuntimeError(tr(
                "The chart could not be written ({reason}); choose another file.").format(
                reason=getattr(e, "strerror", None) or e)))
            return None

    def export_file(self, path: str | None = None, *, blank: bool | None = None,
                    report: bool = False):
        """Write the open (or selected) run as .pdf/.docx/.xlsx — ``report``: the audit
        report .docx — in the background; returns the task."""
        from PySide6.QtWidgets import QFileDialog

        ws = self.workspace
        if path is None:
            path, chosen = QFileDialog.getSaveFileName(
                self, tr("Export checklist"), "checklist.pdf",
                tr("PDF (*.pdf);;Word document (*.docx);;Excel workbook (*.xlsx);;"
                   "Blank for the shop floor, PDF (*.pdf);;"
                   "Blank for the shop floor, Word (*.docx);;Audit report, Word (*.docx)"))
            if not path:
                return None
            report = report or chosen.startswith(tr("Audit report"))
            if chosen.startswith(tr("Blank")):
                blank = True
        template_id, run_id, blank = self._what_to_print(blank)
        if ws is None or (run_id is None and template_id is None) or (
                report and run_id is None):
            self.controller.errorOccurred.emit(RuntimeError(tr(
                "Choose a run (on the Runs tab) or a template (on the Templates tab) to export "
                "first.")))
            return None
        from pathlib import Path

        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".pdf", ".docx", ".xlsx"):
            target = target.with_suffix(".pdf")
            suffix = ".pdf"

        def work(_ctx):
            if report:
                from ...services.exports.checklist_docx import export_audit_report

                return export_audit_report(ws, run_id, target.with_suffix(".docx"))
            if suffix == ".docx":
                from ...services.exports.checklist_docx import export_checklist_docx

                return export_checklist_docx(ws, target, template_id, run_id, blank=blank)
            if suffix == ".xlsx":
                from ...services.exports.checklist_xlsx import export_checklist_xlsx

                return export_checklist_xlsx(ws, target, template_id, run_id, blank=blank)
            from .print import write_checklist_pdf

            return write_checklist_pdf(ws, template_id, run_id, path=target, blank=blank)

        def done(result) -> None:
            self.controller.record_head("export")
            self.last_export = result
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(tr("Exported to {path}").format(path=result),
                                               8000)

        return self.controller.runner.run(work, label=tr("Exporting the checklist…"),
                                          parent=self, on_result=done)

    # ------------------------------------------------------------------ refreshing
    def refresh(self) -> None:
        ro = self.controller.read_only
        self._runs_stale = False
        self.runs_model.reload()
        self.run_view.refresh()
        self.fast_entry.set_read_only(ro)
        self.read_only_note.setVisible(ro)
        self._count()
        self.templates_tab.refresh()
        self.programme_tab.refresh()

    def _tab_shown(self, index: int) -> None:
        view = self.tabs.widget(index)
        if view in (self.templates_tab, self.programme_tab) and self.workspace is not None:
            view.refresh()

    def _on_changed(self, change: "Change") -> None:
        if not self.touches(change):
            return
        if self.isVisible() and not self._stale and self.workspace is not None:
            if self.tabs.currentWidget() is self.runs_tab:
                self.runs_model.refresh_ids(change)
            else:  # the list is re-read when it is shown again: answering stays cheap
                self._runs_stale = True
            self.run_view.on_change(change)
            self._count()
        else:
            self._stale = True

    def _runs_touched(self, change: "Change") -> set[int] | None:
        """The runs whose answers, links or findings ``change`` touched: the open run when
        they are all its own, else None (every run is re-read)."""
        kinds = ("response", "finding", "evidence_link", "action", "attachment")
        if not change.touches(*kinds):
            return set()
        view = self.run_view
        mine = view.run_id is not None and all(
            view.model.row_of(i) is not None for i in change.ids_of("response")) and \
            not change.touches("finding", "evidence_link", "action", "attachment")
        return {view.run_id} if mine else None

    def _tab_changed(self) -> None:
        if self._runs_stale and self.tabs.currentWidget() is self.runs_tab:
            self._runs_stale = False
            self.runs_model.reload()
            self._count()
        self._update_commands()

    def workspace_closed(self) -> None:
        self.runs_model.set_rows([])
        self.run_view.set_run(None)
        self._count()

    def _count(self) -> None:
        self.count.setText(tr("{shown} of {total} runs").format(
            shown=self.runs_proxy.rowCount(), total=self.runs_model.rowCount()))
        self._update_commands()

    def set_filters(self, **values: Any) -> None:
        """What ``openList("checklists", {...})`` asks for; the runs' filters not named are
        cleared.

        * ``kind``, ``stage``, ``open_only``, ``text`` — the runs' filters;
        * ``tab`` — "runs", "programme" or "templates" (filters alone show the Runs tab);
        * ``run`` — a run id: open it (Run tab); ``chapter`` ("4"…"10") — in the open run,
          make the first item of that chapter current;
        * ``start`` — "gap_analysis" (or another kind): the Start run dialog with a template
          of that kind selected; for a gap analysis with none installed, it offers to install
          the shipped ISO 9001:2015 one first (:meth:`start_gap_analysis`).
        """
        tab = values.pop("tab", None)
        run = values.pop("run", None)
        chapter = values.pop("chapter", None)
        start = values.pop("start", None)
        if self._stale and self.workspace is not None:
            self.refresh()
            self._stale = False
        self.run_filters.clear()
        self.run_filters.apply(**{k: v for k, v in values.items()
                                  if k in self.run_filters.widgets})
        if tab in TABS:
            self.tabs.setCurrentWidget({"runs": self.runs_tab, "programme": self.programme_tab,
                                        "templates": self.templates_tab}[tab])
        elif values and run is None and chapter is None:
            self.tabs.setCurrentWidget(self.runs_tab)
        if run is not None:
            self.open_run(int(run))
        if chapter is not None and self.run_view.run_id is not None:
            self.tabs.setCurrentIndex(self.run_tab_index)
            self.run_view.jump_to(str(chapter))
            self.run_view.table.setFocus()
        if start == "gap_analysis":
            self.start_gap_analysis()
        elif start:
            self.start_run(kind=str(start))

    def install_gap_template(self) -> int | None:
        """Install the shipped ISO 9001:2015 gap analysis (one undo step, the Templates tab's
        service; nothing written when it is there); its template id."""
        from ...services import checklists
        from .dialogs import GAP_TEMPLATE

        if not self._writable():
            return None
        tid = self.controller.edit(tr("Install checklist template"),
                                   lambda ws: checklists.install_template(ws, GAP_TEMPLATE))
        if tid is not None:
            self.templates_tab.refresh()
        return tid

    def start_gap_analysis(self, confirm: bool = True) -> int | None:
        """Start a gap analysis: when the workspace has no gap analysis template, ask to install
        the shipped one first; then the Start run dialog with it selected."""
        from ...services import checklists

        if not self._writable():
            return None
        has = any(t.kind == "gap_analysis" and t.latest and t.items
                  for t in checklists.list_templates(self.workspace))
        if not has:
            if confirm and QMessageBox.question(
                    self, tr("Start a gap analysis"),
                    tr("The workspace has no gap analysis template yet. Install the ISO "
                       "9001:2015 gap analysis shipped with the application (you can undo "
                       "it)?")) != QMessageBox.StandardButton.Yes:
                return None
            if self.install_gap_template() is None:
                return None
        return self.start_run(kind="gap_analysis")

    # ------------------------------------------------------------------ runs
    def selected_run_id(self) -> int | None:
        index = self.runs.currentIndex()
        return index.data(IdRole) if index.isValid() else None

    def current_run_id(self) -> int | None:
        """The run open in the Run tab (None: none)."""
        return self.run_view.run_id

    def open_run(self, run_id: int) -> None:
        """Show run ``run_id`` in the Run tab, its first open item current."""
        self.run_view.set_run(run_id)
        pos = self.runs_model.row_of(run_id)
        if pos is not None:
            index = self.runs_proxy.mapFromSource(self.runs_model.index(pos, 0))
            if index.isValid():
                self.runs.setCurrentIndex(index)
        self.tabs.setCurrentIndex(self.run_tab_index)
        self.run_view.table.setFocus()
        self._update_commands()

    def open_selected(self) -> bool:
        rid = self.selected_run_id()
        if rid is None:
            return False
        self.open_run(rid)
        return True

    def request_workshop(self) -> bool:
        rid = self.current_run_id() or self.selected_run_id()
        if rid is None:
            return False
        self.workshopRequested.emit(rid)
        return True

    def open_workshop(self, run_id: int):
        """Workshop mode on ``run_id`` (``workshop.py``); on closing it asks this page to
        select the item it was on (``select_response``, when the page has it)."""
        from .workshop import WorkshopWindow

        w = WorkshopWindow(self.controller, run_id, self)
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        w.start()
        return w

    def start_run(self, template_id: int | None = None,
                  values: dict[str, Any] | None = None, *, kind: str | None = None
                  ) -> int | None:
        """Start a run of a template (asked in a dialog when ``values`` is None, a template of
        ``kind`` selected) and open it."""
        from ...services import checklists
        from .dialogs import StartRunDialog

        if not self._writable():
            return None
        if values is None:
            dialog = self.start_dialog(kind)
            if dialog.exec() != StartRunDialog.DialogCode.Accepted:
                return None
            template_id, values = dialog.template_id(), dialog.values()
        if template_id is None:
            return None
        rid = self.controller.edit(tr("Start run"), lambda ws: checklists.start_run(
            ws, template_id, values))
        if rid is None:
            return None
        self.open_run(rid)
        return rid

    def start_dialog(self, kind: str | None = None):
        """The Start run dialog (``kind``'s template selected; it offers to install the shipped
        gap analysis when no template fits)."""
        from .dialogs import StartRunDialog

        return StartRunDialog(self.workspace, self, kind=kind,
                              install=self.install_gap_template)

    def delete_selected(self, confirm: bool = True) -> bool:
        from ...services import checklists

        rid = self.selected_run_id()
        if rid is None or not self._writable():
            return False
        row = self.runs_model.get(rid)
        if confirm and QMessageBox.question(
                self, tr("Delete run"),
                tr("Delete {code} “{title}” with its answers and findings? You can undo it.")
                .format(code=row.code, title=row.title)) != QMessageBox.StandardButton.Yes:
            return False
        ok = self.controller.edit(tr("Delete run"), lambda ws: checklists.delete_run(ws, rid))
        if ok is not None and self.run_view.run_id == rid:
            self.run_view.set_run(None)
        return ok is not None

    def _update_commands(self) -> None:
        writable = self.workspace is not None and not self.controller.read_only
        selected = self.selected_run_id() is not None
        self.start_action.setEnabled(writable)
        self.open_action.setEnabled(selected)
        self.delete_action.setEnabled(writable and selected)
        self.workshop_action.setEnabled(self.current_run_id() is not None or selected)

    def _writable(self) -> bool:
        try:
            self.controller.require_writable()
        except Exception as e:
            self.controller.errorOccurred.emit(e)
            return False
        return True
