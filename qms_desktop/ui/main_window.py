"""The main window: navigation, pages, menus, toolbar, status bar, opening and closing files.

Start-up cost matters (the window must paint fast even for a large workspace), so this module
imports only Qt and the light UI modules; the storage layer is imported by the background task
that opens the workspace, and pages are built the first time they are shown.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .controller import WorkspaceController, same_file
from . import errors
from .pages import PageSpec, load_factory, page_specs
from .settings import Settings
from .tasks import TaskRunner

if TYPE_CHECKING:  # pragma: no cover
    from ..storage.workspace import Workspace
    from .pages.base import Page

SUFFIX = ".qms"
DEFAULT_SIZE = QSize(1280, 800)


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def file_filter() -> str:
    return tr("QMS workspaces (*.qms);;All files (*)")


def _escape(text: str) -> str:
    """Text for a menu entry: a literal ampersand is written twice."""
    return text.replace("&", "&&")


class WelcomePage(QWidget):
    """Shown while no workspace is open: start a new one, open one, or try the demo."""

    openRecent = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from .pages.base import heading

        outer = QHBoxLayout(self)
        outer.addStretch(1)
        col = QVBoxLayout()
        outer.addLayout(col, 3)
        outer.addStretch(1)
        col.addStretch(1)
        col.addWidget(heading(tr("QMS Workbench"), 2.0, self))
        self.intro = QLabel(tr("Your quality management system in one file: processes, risks, "
                               "training, audits, documents and actions, with an audit trail "
                               "of every change."), self)
        self.intro.setWordWrap(True)
        col.addWidget(self.intro)
        self.status = QLabel(self)
        self.status.setObjectName("welcomeStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        col.addWidget(self.status)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(tr("&New Workspace…"), self)
        self.open_button = QPushButton(tr("&Open Workspace…"), self)
        self.demo_button = QPushButton(tr("Open the &Demo Workspace"), self)
        self.demo_button.setToolTip(tr("A small manufacturer with people, processes, risks, "
                                       "training, an audit and procedures, to explore freely"))
        for b in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        col.addLayout(buttons)
        self.recent_title = QLabel(tr("Recent workspaces"), self)
        col.addWidget(self.recent_title)
        self.recent = QListWidget(self)
        self.recent.setObjectName("recentList")
        self.recent.itemActivated.connect(lambda item: self.openRecent.emit(
            item.data(Qt.ItemDataRole.UserRole)))
        col.addWidget(self.recent, 2)
        col.addStretch(1)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            item = QListWidgetItem(Path(p).name)
            item.setToolTip(p)
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.recent.addItem(item)
        self.recent_title.setVisible(bool(paths))
        self.recent.setVisible(bool(paths))

    def set_busy(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        for b in (self.new_button, self.open_button, self.demo_button):
            b.setEnabled(not text)
        self.recent.setEnabled(not text)


#: record kinds whose page shows them through ``page.select_record(entity, id) -> bool``
RECORD_PAGES = {
    "objective": "objectives", "measurement": "objectives",
    "nonconformity": "nonconformities", "nc_cause": "nonconformities",
    "management_review": "reviews", "review_item": "reviews",
    "context_issue": "context", "interested_party": "context", "scope_exclusion": "context",
}


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.setObjectName("MainWindow")
        self.setWindowTitle(tr("QMS Workbench"))
        self.setAcceptDrops(True)
        self.runner = TaskRunner(self)
        self.runner.error_handler = lambda e, parent: errors.report_exception(e, parent or self)
        self.undo_group = QUndoGroup(self)
        self.controller = WorkspaceController(
            self.runner, self.undo_group, self,
            backup_minutes=self.settings.backup_interval_minutes)
        try:  # the log of audit heads seen lives in the user's data folder, not the workspace
            from ..services.heads import log_folder
            from .settings import data_dir

            self.controller.heads_dir = log_folder(data_dir())  # (QMS_HEADS_DIR moves it)
        except OSError:
            pass
        self._specs: dict[str, PageSpec] = {s.key: s for s in page_specs()}
        self._pages: dict[str, "Page"] = {}
        self._backup_warned = False
        self._closing = False

        self._build_central()
        self._build_actions()
        self.welcome.new_button.clicked.connect(self.acts["new"].trigger)
        self.welcome.open_button.clicked.connect(self.acts["open"].trigger)
        self.welcome.demo_button.clicked.connect(lambda: self.open_demo())
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_controller()
        self._restore_state()
        self._update_for_workspace()

    # ================================================================== construction
    def _build_central(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.nav = QListWidget(self.splitter)
        self.nav.setObjectName("navigation")
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setAccessibleName(tr("Navigation"))
        for spec in self._specs.values():
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(spec.description)
            self.nav.addItem(item)
        spacing = self.nav.fontMetrics().height() // 3
        self.nav.setSpacing(max(1, spacing))
        self.nav.currentRowChanged.connect(self._nav_row_changed)
        self.stack = QStackedWidget(self.splitter)
        self.stack.setObjectName("pages")
        self.welcome = WelcomePage(self.stack)
        self.stack.addWidget(self.welcome)
        self.welcome.openRecent.connect(lambda p: self.open_path(p))
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        em = self.fontMetrics().horizontalAdvance("M")
        self.splitter.setSizes([em * 14, DEFAULT_SIZE.width() - em * 14])
        self.setCentralWidget(self.splitter)

    def _icon(self, theme: QIcon.ThemeIcon, fallback: QStyle.StandardPixmap) -> QIcon:
        icon = QIcon.fromTheme(theme)
        return icon if not icon.isNull() else self.style().standardIcon(fallback)

    def _action(self, name: str, text: str, slot, shortcut=None, *, icon: QIcon | None = None,
                tip: str = "") -> QAction:
        a = QAction(text, self)
        a.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, list):
                a.setShortcuts(shortcut)
            else:
                a.setShortcut(shortcut)
        if icon is not None:
            a.setIcon(icon)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        if slot is not None:
            a.triggered.connect(slot)
        self.acts[name] = a
        return a

    def _build_actions(self) -> None:
        self.acts: dict[str, QAction] = {}
        SP = QStyle.StandardPixmap
        TI = QIcon.ThemeIcon
        self._action("new", tr("&New…"), self.new_workspace, QKeySequence.StandardKey.New,
                     icon=self._icon(TI.DocumentNew, SP.SP_FileIcon),
                     tip=tr("Create a new, empty workspace file"))
        self._action("open", tr("&Open…"), self.choose_and_open, QKeySequence.StandardKey.Open,
                     icon=self._icon(TI.DocumentOpen, SP.SP_DialogOpenButton),
                     tip=tr("Open a workspace file"))
        self._action("save_copy", tr("Save a &Copy…"), self.save_copy,
                     QKeySequence("Ctrl+Shift+S"),
                     icon=self._icon(TI.DocumentSaveAs, SP.SP_DialogSaveButton),
                     tip=tr("Write a consistent copy of the workspace to another file"))
        self._action("close", tr("&Close"), self.close_workspace, QKeySequence.StandardKey.Close,
                     tip=tr("Close the workspace"))
        self._action("quit", tr("&Quit"), self.close, QKeySequence.StandardKey.Quit,
                     tip=tr("Quit QMS Workbench"))
        self.acts["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        self._action("undo", tr("&Undo"), self.undo, QKeySequence.StandardKey.Undo,
                     icon=self._icon(TI.EditUndo, SP.SP_ArrowBack))
        self._action("redo", tr("&Redo"), self.redo, QKeySequence.StandardKey.Redo,
                     icon=self._icon(TI.EditRedo, SP.SP_ArrowForward))
        self._action("find", tr("&Find…"), self.find, QKeySequence.StandardKey.Find,
                     tip=tr("Search the current page"))
        self._action("about", tr("&About QMS Workbench"), self.show_about,
                     icon=self._icon(TI.HelpAbout, SP.SP_MessageBoxInformation))
        self.acts["about"].setMenuRole(QAction.MenuRole.AboutRole)
        self.undo_group.canUndoChanged.connect(lambda _b: self._update_undo_actions())
        self.undo_group.canRedoChanged.connect(lambda _b: self._update_undo_actions())
        self.undo_group.undoTextChanged.connect(lambda _t: self._update_undo_actions())
        self.undo_group.redoTextChanged.connect(lambda _t: self._update_undo_actions())
        self.undo_group.activeStackChanged.connect(lambda _s: self._update_undo_actions())

        self.page_group = QActionGroup(self)
        self.page_group.setExclusive(True)
        self.page_actions: dict[str, QAction] = {}
        for i, spec in enumerate(self._specs.values()):
            a = self._action(f"page_{spec.key}", _escape(spec.title),
                             lambda _c=False, k=spec.key: self.show_page(k),
                             QKeySequence(f"Ctrl+{i + 1}") if i < 9 else None,
                             tip=spec.description)
            a.setCheckable(True)
            self.page_group.addAction(a)
            self.page_actions[spec.key] = a
        self._update_undo_actions()

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.file_menu = mb.addMenu(tr("&File"))
        self.file_menu.setObjectName("fileMenu")
        self.file_menu.addAction(self.acts["new"])
        self.file_menu.addAction(self.acts["open"])
        self.recent_menu = QMenu(tr("Open &Recent"), self.file_menu)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.acts["save_copy"])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.acts["close"])
        self.file_menu.addAction(self.acts["quit"])
        self._fill_recent_menu()

        self.edit_menu = mb.addMenu(tr("&Edit"))
        self.edit_menu.setObjectName("editMenu")
        self.edit_menu.addAction(self.acts["undo"])
        self.edit_menu.addAction(self.acts["redo"])
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.acts["find"])

        self.view_menu = mb.addMenu(tr("&View"))
        self.view_menu.setObjectName("viewMenu")
        for a in self.page_actions.values():
            self.view_menu.addAction(a)

        self.help_menu = mb.addMenu(tr("&Help"))
        self.help_menu.setObjectName("helpMenu")
        self.help_menu.addAction(self.acts["about"])

    def _build_toolbar(self) -> None:
        tb = QToolBar(tr("Main toolbar"), self)
        tb.setObjectName("mainToolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in ("new", "open", "save_copy"):
            tb.addAction(self.acts[name])
        tb.addSeparator()
        tb.addAction(self.acts["undo"])
        tb.addAction(self.acts["redo"])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.file_label = QLabel(self)
        self.file_label.setObjectName("statusFile")
        self.read_only_badge = QLabel(tr("Read-only"), self)
        self.read_only_badge.setObjectName("statusReadOnly")
        self.read_only_badge.setFrameShape(QFrame.Shape.StyledPanel)
        f = self.read_only_badge.font()
        f.setBold(True)
        self.read_only_badge.setFont(f)
        self.read_only_badge.setToolTip(tr("The workspace is open read-only: nothing can be "
                                           "changed"))
        self.head_label = QLabel(self)
        self.head_label.setObjectName("statusHead")
        self.head_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.head_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sb.addPermanentWidget(self.file_label)
        sb.addPermanentWidget(self.read_only_badge)
        sb.addPermanentWidget(self.head_label)

    def _connect_controller(self) -> None:
        c = self.controller
        c.opened.connect(self._on_opened)
        c.openFailed.connect(self._on_open_failed)
        c.closed.connect(self._on_closed)
        c.headHashChanged.connect(self._show_head_hash)
        c.historyChanged.connect(self._history_changed)
        c.errorOccurred.connect(lambda e: errors.report_exception(e, self))
        c.notice.connect(lambda text: self.statusBar().showMessage(text, 10000))
        c.backupWritten.connect(lambda p: self.statusBar().showMessage(
            tr("Automatic backup written to {path}").format(path=p), 8000))
        c.backupFailed.connect(self._backup_failed)

    # ================================================================== state
    def _restore_state(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self._default_size())
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _default_size(self) -> QSize:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        avail = screen.availableGeometry().size()
        return DEFAULT_SIZE.boundedTo(QSize(int(avail.width() * 0.95),
                                            int(avail.height() * 0.95)))

    def save_state(self) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.splitter_state = self.splitter.saveState()
        key = self.current_page_key()
        if key:
            self.settings.last_page = key
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self._closing = True
        self.save_state()
        self.controller.close()
        self.runner.cancel_all()
        self.runner.wait_all(30.0)
        # deliver what finished meanwhile (a cancelled open closes the workspace it opened)
        QCoreApplication.processEvents()
        self.controller.close()
        super().closeEvent(event)

    # ================================================================== pages
    def page(self, key: str) -> "Page":
        """The page for ``key``, built on first use."""
        page = self._pages.get(key)
        if page is None:
            spec = self._specs[key]
            if spec.factory:
                cls = load_factory(spec)
            else:
                from .pages.placeholder import PlaceholderPage

                cls = PlaceholderPage
            page = cls(self.controller, spec, self.stack)
            page.setObjectName(f"page_{key}")
            if hasattr(page, "openRecord"):
                page.openRecord.connect(self.open_record)
            if hasattr(page, "openList"):
                page.openList.connect(self.open_list)
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def open_record(self, entity: str, rid: int) -> None:
        """Show record ``rid`` of kind ``entity`` (e.g. an action's source) on its page."""
        if entity == "risk":
            self.show_page("risks")
            if not self.page("risks").select_risk(rid):
                self.statusBar().showMessage(tr("That risk no longer exists."), 8000)
        elif entity in ("process", "process_node"):  # the map, with the step selected
            self.show_page("processes")
            page = self.page("processes")
            shown = page.show_node(rid) if entity == "process_node" else page.show_step(rid)
            if not shown:
                self.statusBar().showMessage(tr("That process or step no longer exists."),
                                             8000)
        elif entity in ("document", "revision"):  # the register, with that revision shown
            self.show_page("documents")
            page = self.page("documents")
            shown = page.select_document(rid) if entity == "document" else \
                page.open_revision(rid)
            if not shown:
                self.statusBar().showMessage(tr("That document no longer exists."), 8000)
        elif entity in RECORD_PAGES:  # a page that selects its records by (entity, id)
            key = RECORD_PAGES[entity]
            self.show_page(key)
            page = self.page(key)
            select = getattr(page, "select_record", None)
            if select is None or not select(entity, rid):
                from .labels import entity_label

                self.statusBar().showMessage(
                    tr("That {kind} no longer exists.").format(kind=entity_label(entity)), 8000)
        else:  # findings get their page with their module
            from .labels import entity_label

            self.statusBar().showMessage(
                tr("The {kind} this comes from has no page yet.").format(
                    kind=entity_label(entity)), 8000)

    def open_list(self, key: str, filters: dict) -> None:
        """Show page ``key`` filtered by ``filters`` (what its filter widgets would set; the
        others are cleared), e.g. the overdue actions from the dashboard."""
        self.show_page(key)
        page = self.page(key)
        bar = getattr(page, "filters", None)
        if bar is not None and hasattr(bar, "widgets") and hasattr(bar, "clear"):
            bar.clear()  # a table-kit FilterBar: what is not given is cleared
        setter = getattr(page, "set_filters", None)
        if setter is not None:  # the page knows its filters (and more: a tab, a record)
            setter(**filters)
        elif bar is not None and hasattr(bar, "widgets"):
            # set the FilterBar's widgets, so what they show is what is filtered
            from PySide6.QtWidgets import QCheckBox, QLineEdit

            for name, value in filters.items():
                w = bar.widgets.get(name)
                if isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                elif isinstance(w, QLineEdit):
                    w.setText(value or "")
                elif w is not None:
                    w.set_value(value)

    def current_page_key(self) -> str | None:
        w = self.stack.currentWidget()
        for key, page in self._pages.items():
            if page is w:
                return key
        return None

    def show_page(self, key: str) -> None:
        if key not in self._specs:
            key = "dashboard"
        if self.controller.workspace is None:
            self.stack.setCurrentWidget(self.welcome)
            return
        self.stack.setCurrentWidget(self.page(key))
        row = list(self._specs).index(key)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        self.page_actions[key].setChecked(True)
        self.acts["find"].setEnabled(self.page(key).search_widget() is not None)

    def _nav_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._specs):
            self.show_page(list(self._specs)[row])

    def find(self) -> None:
        key = self.current_page_key()
        w = self._pages[key].search_widget() if key else None
        if w is not None:
            w.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if hasattr(w, "selectAll"):
                w.selectAll()

    # ================================================================== workspace state
    def _update_for_workspace(self) -> None:
        ws = self.controller.workspace
        has = ws is not None
        self.nav.setEnabled(has)
        for a in self.page_actions.values():
            a.setEnabled(has)
        self.acts["save_copy"].setEnabled(has)
        self.acts["close"].setEnabled(has)
        if not has:
            self.acts["find"].setEnabled(False)
            self.setWindowTitle(tr("QMS Workbench"))
            self.setWindowFilePath("")
            self.file_label.setText("")
            self.file_label.setToolTip("")
            self.read_only_badge.hide()
            self.welcome.set_recent(self.settings.recent_files)
            self.welcome.set_busy("")
            self.stack.setCurrentWidget(self.welcome)
            self.nav.clearSelection()
            return
        name = ws.path.name
        title = name + (" " + tr("(read-only)") if ws.read_only else "")
        self.setWindowTitle(tr("{file} — QMS Workbench").format(file=title))
        self.setWindowFilePath(str(ws.path))
        self.file_label.setText(name)
        self.file_label.setToolTip(str(ws.path))
        self.read_only_badge.setVisible(ws.read_only)

    def _show_head_hash(self, head: str) -> None:
        if not head:
            self.head_label.clear()
            self.head_label.setToolTip("")
            return
        n = self.controller.head_event
        self.head_label.setText(tr("Audit head {hash}… @ {n}").format(
            hash=head[:12], n=QLocale().toString(n)))
        self.head_label.setToolTip(tr("Hash of the latest audit trail event (the chain's head), "
                                      "event {n}:\n{hash}\nCompare it with the head printed on "
                                      "an export: qms verify --expect checks a copy against "
                                      "it.").format(hash=head, n=QLocale().toString(n)))

    def _history_changed(self, problem: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        if not self._closing:
            QMessageBox.warning(self, tr("Audit Trail History Changed"), problem)

    def undo(self) -> None:
        """Undo the last step (on whatever page it was made) and say which in the status bar."""
        text = self.undo_group.undoText()
        self.controller.undo()
        if text and self.undo_group.redoText() == text:
            self.statusBar().showMessage(tr("Undone: {step}").format(step=text), 5000)

    def redo(self) -> None:
        text = self.undo_group.redoText()
        self.controller.redo()
        if text and self.undo_group.undoText() == text:
            self.statusBar().showMessage(tr("Redone: {step}").format(step=text), 5000)

    def _update_undo_actions(self) -> None:
        undo, redo = self.acts["undo"], self.acts["redo"]
        can_undo, can_redo = self.undo_group.canUndo(), self.undo_group.canRedo()
        undo.setEnabled(can_undo)
        redo.setEnabled(can_redo)
        ut, rt = self.undo_group.undoText(), self.undo_group.redoText()
        undo.setText(tr("&Undo {command}").format(command=_escape(ut)) if can_undo and ut
                     else tr("&Undo"))
        redo.setText(tr("&Redo {command}").format(command=_escape(rt)) if can_redo and rt
                     else tr("&Redo"))

    # ================================================================== open / new / close
    def _start_dir(self) -> str:
        last = self.settings.last_directory
        if last and os.path.isdir(last):
            return last
        if self.controller.path is not None:
            return str(self.controller.path.parent)
        from PySide6.QtCore import QStandardPaths

        return QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    def choose_and_open(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        fn, _ = QFileDialog.getOpenFileName(self, tr("Open Workspace"), self._start_dir(),
                                            file_filter())
        if fn:
            self.open_path(fn)

    def open_path(self, path: str | os.PathLike, *, read_only: bool = False) -> bool:
        """Open ``path`` (in the background); errors are shown, the app stays up."""
        path = Path(path)
        current = self.controller.path
        if current is not None and same_file(current, path) and (
                read_only or not self.controller.read_only):
            self.show_page(self.current_page_key() or "dashboard")
            self.statusBar().showMessage(tr("“{name}” is already open.").format(name=path.name),
                                         5000)
            return False
        if self.controller.workspace is None:
            self.welcome.set_busy(tr("Opening “{name}”…").format(name=path.name))
        started = self.controller.open_async(
            path, read_only=read_only, label=tr("Opening “{name}”…").format(name=path.name),
            parent=self)
        if not started:
            self.statusBar().showMessage(tr("Another workspace is still being opened."), 5000)
        return started

    def new_workspace(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        fn, _ = QFileDialog.getSaveFileName(self, tr("New Workspace"),
                                            str(Path(self._start_dir()) / tr("Workspace.qms")),
                                            file_filter())
        if not fn:
            return
        path = Path(fn)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
            if path.exists() and QMessageBox.question(
                    self, tr("New Workspace"),
                    tr("“{name}” already exists. Replace it with a new, empty workspace?").format(
                        name=path.name)) != QMessageBox.StandardButton.Yes:
                return
        if self.controller.path is not None and same_file(self.controller.path, path):
            errors.show_error(self, tr("“{name}” is the open workspace; choose another name for "
                                       "the new one.").format(name=path.name))
            return
        self.settings.last_directory = str(path.parent)
        if self.controller.workspace is None:
            self.welcome.set_busy(tr("Creating “{name}”…").format(name=path.name))
        self.controller.create_async(path, organization=path.stem, overwrite=path.exists(),
                                     label=tr("Creating “{name}”…").format(name=path.name),
                                     parent=self)

    def open_demo(self, *, read_only: bool = False) -> None:  # noqa: C901
        """Open today's demo workspace, creating it first if needed (in the background)."""
        from .settings import data_dir

        folder = data_dir() / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"QMS demo {dt.date.today().isoformat()}{SUFFIX}"
        if path.exists() and _demo_is_current(path):
            self.open_path(path, read_only=read_only)
            return
        # yesterday's demos, and today's made by an older build (its schema or demo data are
        # behind this one's: upgraded, it would lack what the new modules put in it), unless
        # in use
        for old in folder.glob(f"QMS demo *{SUFFIX}"):
            if not old.with_name(old.name + ".lock").exists():
                try:
                    old.unlink()
                except OSError:
                    pass
        if self.controller.workspace is None:
            self.welcome.set_busy(tr("Creating the demo workspace…"))

        def create(ctx):
            from ..services.demo import create_demo

            return create_demo(path, overwrite=False, progress=ctx.callback)

        def discard(_result=None) -> None:
            # create_demo builds in a temporary file and moves it into place only when
            # complete, so a cancelled or failed run leaves nothing to clean up
            if self.controller.workspace is None:
                self.welcome.set_busy("")

        def failed(error: BaseException) -> None:
            discard()
            errors.report_exception(error, self)

        self.runner.run(create, label=tr("Creating the demo workspace…"), parent=self,
                        on_result=lambda p: self.open_path(p or path, read_only=read_only),
                        on_error=failed, on_cancelled=discard)

    def _on_opened(self, ws: "Workspace") -> None:
        from PySide6.QtWidgets import QMessageBox

        if self._closing:
            return
        self.settings.add_recent_file(ws.path)
        self.settings.last_directory = str(ws.path.parent)
        self._update_for_workspace()
        self.show_page(self.settings.last_page)
        info = getattr(ws, "info", None)
        if info is not None and getattr(info, "notice", ""):  # e.g. an interrupted save undone
            self.statusBar().showMessage(info.notice, 15000)
        if info is not None and info.network_share:  # once per open
            QMessageBox.warning(
                self, tr("Workspace on a Network Drive"),
                tr("“{name}” is on a network drive. File locking is unreliable there, so two "
                   "people editing it at the same time could damage it. Copy it to a local drive "
                   "to work on it, or make sure nobody else opens it while you edit.").format(
                    name=ws.path.name))
        self._warn_bad_dates(ws)
        if info is not None and info.upgraded_from:
            QMessageBox.information(
                self, tr("Workspace Upgraded"),
                tr("“{name}” was upgraded to this version's format. The original was saved as "
                   "“{backup}”.").format(name=ws.path.name,
                                         backup=info.backup_path.name if info.backup_path
                                         else "?"))

    def _warn_bad_dates(self, ws: "Workspace") -> None:
        """Dates another program wrote as something else (“banana”) are shown blank; say which
        record holds the first of them, in one line."""
        from PySide6.QtWidgets import QMessageBox

        from ..services import actions, risks

        try:
            problems = risks.date_problems(ws) + actions.date_problems(ws)
        except Exception:  # a check only: it never stops a workspace from opening
            import logging

            logging.getLogger(__name__).exception("checking the stored dates failed")
            return
        if problems:
            more = len(problems) - 1
            QMessageBox.warning(self, tr("Dates That Are Not Dates"), problems[0] + (
                tr(" {n} more dates are not dates either.").format(n=more) if more > 1 else
                tr(" One more date is not a date either.") if more else ""))

    def _on_open_failed(self, path: Path, error: BaseException, read_only: bool) -> None:
        from ..storage import workspace as W

        if self.controller.workspace is None:
            self.welcome.set_busy("")
        if isinstance(error, (W.WorkspaceLockedError, W.ReadOnlyFileError)) and not read_only:
            if self.ask_open_read_only(error):
                self.open_path(path, read_only=True)
            return
        if isinstance(error, W.InterruptedWriteError) and read_only and error.writable:
            from .dialogs import InterruptedWriteDialog

            dialog = InterruptedWriteDialog(self, error)
            try:
                recover = dialog.recover_now()
            finally:
                dialog.deleteLater()
            if recover:  # a writable open finishes the recovery under the lock
                self.open_path(path, read_only=False)
            return
        if isinstance(error, W.NotAWorkspaceError) and not path.exists():
            self.settings.remove_recent_file(path)
            self.welcome.set_recent(self.settings.recent_files)
        if isinstance(error, W.WorkspaceError):
            errors.show_error(self, error, tr("Cannot Open Workspace"))
        else:
            errors.report_exception(error, self)

    def ask_open_read_only(self, error: BaseException) -> bool:
        from .dialogs import WorkspaceLockedDialog

        dialog = WorkspaceLockedDialog(self, error)
        try:
            return dialog.open_read_only()
        finally:
            dialog.deleteLater()

    def close_workspace(self) -> None:
        self.controller.close()

    def _on_closed(self) -> None:
        if not self._closing:
            self._update_for_workspace()

    def _backup_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(str(error), 15000)
        if not self._backup_warned and not self._closing:
            self._backup_warned = True
            errors.show_error(self, error, tr("Automatic Backup Failed"))

    # ================================================================== copies
    def save_copy(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        ws = self.controller.workspace
        if ws is None:
            return
        self.controller.flush_edits()
        suggested = ws.path.with_name(tr("{name} copy").format(name=ws.path.stem) + SUFFIX)
        fn, _ = QFileDialog.getSaveFileName(self, tr("Save a Copy"), str(suggested),
                                            file_filter())
        if not fn:
            return
        dest = Path(fn)
        if dest.suffix.lower() != SUFFIX:
            dest = dest.with_name(dest.name + SUFFIX)
        existed = dest.exists()

        def done(path) -> None:
            self.settings.last_directory = str(Path(path).parent)
            self.controller.record_head("copy")
            self.statusBar().showMessage(tr("Copy saved to {path}").format(path=path), 10000)

        def cancelled(path) -> None:
            # the copy is written in one step; drop it unless it replaced an existing file
            if path is not None and not existed:
                try:
                    Path(path).unlink()
                except OSError:
                    pass
            self.statusBar().showMessage(tr("The copy was cancelled."), 5000)

        self.runner.run(lambda ctx: ws.save_copy(dest),
                        label=tr("Saving a copy of “{name}”…").format(name=ws.path.name),
                        parent=self, on_result=done, on_cancelled=cancelled,
                        on_error=lambda e: errors.show_error(self, e, tr("Copy Failed")))

    # ================================================================== recent files
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = self.settings.recent_files
        for i, p in enumerate(paths):
            label = f"&{i + 1} {_escape(Path(p).name)}" if i < 9 else _escape(Path(p).name)
            a = menu.addAction(label)
            a.setData(p)
            a.setStatusTip(p)
            a.setToolTip(p)
            a.triggered.connect(lambda _c=False, path=p: self.open_path(path))
        if paths:
            menu.addSeparator()
            clear = menu.addAction(tr("&Clear Menu"))
            clear.setObjectName("clearRecent")
            clear.triggered.connect(self._clear_recent)
        else:
            empty = menu.addAction(tr("No recent workspaces"))
            empty.setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self.welcome.set_recent([])

    # ================================================================== help
    def show_about(self) -> None:
        from .dialogs import AboutDialog

        ws = self.controller.workspace
        dialog = AboutDialog(self, head_hash=self.controller.head_hash,
                             workspace_name=ws.path.name if ws is not None else "",
                             head_event=self.controller.head_event if ws is not None else None)
        dialog.exec()
        dialog.deleteLater()

    # ================================================================== drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() and u.toLocalFile().lower().endswith(SUFFIX) for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for u in event.mimeData().urls():
            if u.isLocalFile() and u.toLocalFile().lower().endswith(SUFFIX):
                event.acceptProposedAction()
                QTimer.singleShot(0, self, lambda p=u.toLocalFile(): self.open_path(p))
                return


def _demo_is_current(path) -> bool:
    """Whether a demo file was made by this build's schema (read without writing)."""
    import sqlite3

    from ..storage.workspace import SCHEMA_HEAD

    try:
        c = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rev = c.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            c.close()
    except sqlite3.Error:
        return False
    return rev is not None and rev[0] == SCHEMA_HEAD
