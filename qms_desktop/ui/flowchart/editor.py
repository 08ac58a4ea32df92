"""The map editor: canvas, palette, overview, properties and validation, and its actions.

The editor turns each gesture into one undo step — ``controller.edit(label, service call)`` — and
when the controller reports a change to map records, it reads the map's rows again and lets the
scene sync its items. The scene never writes, and undo never touches items.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QMimeData, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.processmap import DEFAULT_SIZES
from ..commands import field_edit_text
from ..dialogs import last_dir, remember_dir
from .items import EdgeItem, LaneItem, NodeItem
from .palette import Palette
from .properties import PropertiesPanel, ValidationPanel
from .scene import MapScene, gc_paused
from .style import DETAIL_SCALE, GRID, is_process_io, kind_titles, theme_for
from .view import MapView, Overview

if TYPE_CHECKING:  # pragma: no cover
    from ...services.processes import MapData, MapIssue
    from ...services.records import Change
    from ..controller import WorkspaceController

#: clipboard format of copied map items (JSON: {"nodes": [...], "edges": [...]})
MAP_ITEMS_MIME = "application/x-qms-map-items"
MAP_RECORDS = frozenset({"process_node", "process_edge", "process_lane"})
LINK_RECORDS = frozenset({"node_document", "node_objective", "risk"})

#: the editor's three columns: palette and overview, canvas, properties and validation
LEFT_PANE, CANVAS, RIGHT_PANE = 0, 1, 2
#: width of a side pane when it is opened (until the user drags it to another width)
PANE_WIDTHS = {LEFT_PANE: 170, RIGHT_PANE: 300}
#: name of the editor's splitter in the settings (which panes are folded, kept between runs)
SPLITTER_SETTING = "flowchart"

#: kinds linked to steps with a dotted association rather than the sequence flow
ASSOCIATED = frozenset({"document", "record", "annotation"})


def tr(text: str) -> str:
    return QCoreApplication.translate("flowchart", text)


def default_name(kind: str) -> str:
    return {
        "step": tr("New step"),
        "decision": tr("Decision?"),
        "subprocess": tr("Sub-process"),
        "document": tr("Document"),
        "record": tr("Record"),
        "annotation": tr("Note"),
        "start": tr("Start"),
        "end": tr("End"),
    }.get(kind, "")


def zoom_text(factor: float) -> str:
    """The zoom readout: “Zoom: 75 %”."""
    return tr("Zoom: {percent} %").format(percent=f"{factor * 100:.0f}")


class FlowchartEditor(QWidget):
    """Edits one process map. :meth:`open_process` shows a map; sub-processes open in place
    (Back returns)."""

    #: the shown map changed: (process id, container node id or None)
    mapOpened = Signal(object, object)
    #: the shown process no longer exists (deleted, or its workspace closed)
    mapClosed = Signal()
    #: the editor wants the process list shown again
    backToList = Signal()

    def __init__(self, controller: "WorkspaceController", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowchartEditor")
        self.controller = controller
        self.process_id: int | None = None
        self.container: int | None = None
        self.data: "MapData | None" = None
        self.history: list[tuple[int, int | None]] = []
        self._clipboard: dict | None = None
        self._paste_count = 0
        self._menu_buttons: dict[str, QToolButton] = {}
        #: the last "why nothing happened" message (also shown in the status bar)
        self.last_status = ""
        #: the map whose validation list is on show (kept up to date while it is)
        self._validated: tuple | None = None
        self._title = ""
        #: the map on show was said to be shown only in part (see :meth:`_fit_hint`)
        self._fit_hinted = False

        self.scene = MapScene(theme_for(self.palette()), self)
        self.view = MapView(self.scene, self)
        self.view.setObjectName("flowchartView")
        self.palette_list = Palette(self)
        self.overview = Overview(self.view, self)
        self.properties = PropertiesPanel(controller, self)
        self.validation = ValidationPanel(self)

        self.actions: dict[str, QAction] = {}
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("flowchartToolbar")
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._build_actions()

        self.back_button = QToolButton(self)
        self.back_button.setObjectName("mapBack")
        self.back_button.setText(tr("◀ Back"))
        self.back_button.setToolTip(tr("Back to the previous map or to the process list"))
        self.back_button.clicked.connect(self.go_back)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("mapTitle")
        f = self.title_label.font()
        f.setBold(True)
        f.setPointSizeF(max(f.pointSizeF(), 8.0) * 1.2)
        self.title_label.setFont(f)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance(
            zoom_text(8.0)) + 8)
        self.zoom_label.setToolTip(tr("Current zoom; Fit shows the whole map, 100 % shows it at "
                                      "actual size"))
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        head = QHBoxLayout()
        head.setContentsMargins(6, 4, 8, 4)
        head.setSpacing(12)
        head.addWidget(self.back_button)
        head.addWidget(self.title_label, 1)
        # the readout sits right after the Fit and 100 % buttons
        self.toolbar.insertWidget(self._zoom_separator, self.zoom_label)

        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        shapes = QLabel(tr("Shapes"), left)
        ll.addWidget(shapes)
        ll.addWidget(self.palette_list, 1)
        ll.addWidget(QLabel(tr("Overview"), left))
        ll.addWidget(self.overview)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.properties, tr("Properties"))
        self.tabs.addTab(self.validation, tr("Validation"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(LEFT_PANE, 0)
        self.splitter.setStretchFactor(CANVAS, 1)
        self.splitter.setStretchFactor(RIGHT_PANE, 0)
        # the side panes fold away (toolbar buttons or dragging their edge) so the canvas gets
        # the room; the properties start folded: a map is read more often than edited
        self.splitter.setCollapsible(LEFT_PANE, True)
        self.splitter.setCollapsible(CANVAS, False)
        self.splitter.setCollapsible(RIGHT_PANE, True)
        self._pane_width = dict(PANE_WIDTHS)
        self._pane_open = {LEFT_PANE: True, RIGHT_PANE: False}
        self.splitter.setSizes([PANE_WIDTHS[LEFT_PANE], 1000, 0])
        self._restore_panes()
        self.splitter.splitterMoved.connect(lambda _pos, _index: self._panes_moved())
        self._sync_pane_actions()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.splitter, 1)

        self.view.command.connect(self._key_command)
        self.view.kindDropped.connect(self.add_kind_at)
        self.view.connectRequested.connect(lambda s, t: self.connect_nodes(s.nid, t.nid))
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(zoom_text(z)))
        self.view.readableFit.connect(self._fit_hint)
        self.palette_list.kindActivated.connect(self.add_kind_center)
        self.scene.nodesMoved.connect(self.nodes_dragged)
        self.scene.geometryEdited.connect(self.geometry_edited)
        self.view.contextMenuRequested.connect(self.context_menu)
        self.scene.nodeDoubleClicked.connect(self.node_double_clicked)
        self.scene.edgeDoubleClicked.connect(self.scene.begin_edit)
        self.scene.laneDoubleClicked.connect(self.scene.begin_edit)
        self.scene.labelEdited.connect(self.label_edited)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.validation.validateRequested.connect(self.validate)
        self.validation.issueActivated.connect(self.show_issue)
        controller.changed.connect(self._changed)
        controller.closed.connect(self.close_map)
        controller.flushRequested.connect(self._flush)
        QGuiApplication.clipboard().dataChanged.connect(self._update_actions)
        self._update_actions()

    # ------------------------------------------------------------------ actions
    def _act(self, key: str, text: str, slot, *, shortcut=None, tip: str = "",
             checkable: bool = False, toolbar: bool = True) -> QAction:
        a = QAction(text, self)
        a.setObjectName(f"flowchart_{key}")
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.setCheckable(checkable)
        if checkable:
            a.toggled.connect(slot)
        else:
            a.triggered.connect(lambda _=False: slot())
        self.addAction(a)
        if toolbar:
            self.toolbar.addAction(a)
        self.actions[key] = a
        return a

    def _menu_button(self, text: str, entries: list[tuple[str, str, object]], key: str) -> QMenu:
        menu = QMenu(text, self)
        for k, label, slot in entries:
            a = QAction(label, self)
            a.setObjectName(f"flowchart_{k}")
            a.triggered.connect(lambda _=False, s=slot: s())
            menu.addAction(a)
            self.actions[k] = a
        btn = QToolButton(self)
        btn.setObjectName(f"flowchart_{key}_menu")
        btn.setText(text)
        btn.setMenu(menu)
        btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(btn)
        self._menu_buttons[key] = btn
        return menu

    def _build_actions(self) -> None:
        group = self.controller.undo_group
        undo = self._act("undo", tr("Undo"), self.controller.undo)
        redo = self._act("redo", tr("Redo"), self.controller.redo)
        undo.setEnabled(group.canUndo())
        redo.setEnabled(group.canRedo())
        group.canUndoChanged.connect(undo.setEnabled)
        group.canRedoChanged.connect(redo.setEnabled)
        group.undoTextChanged.connect(self._undo_text)
        group.redoTextChanged.connect(self._redo_text)
        self.toolbar.addSeparator()
        self._act("connect", tr("Connect"), self.set_connect_mode, checkable=True,
                  tip=tr("Draw connectors: press on a shape and release on another "
                         "(Alt+drag does it too)"))
        self._act("add_lane", tr("Add lane"), self.add_lane, tip=tr("Add a swimlane for a role"))
        self._act("delete", tr("Delete"), self.delete_selected,
                  tip=tr("Delete the selection; connectors of deleted shapes go with them"))
        self._act("cut", tr("Cut"), self.cut, toolbar=False)
        self._act("copy", tr("Copy"), self.copy, toolbar=False)
        self._act("paste", tr("Paste"), self.paste, toolbar=False)
        self._act("rename", tr("Rename"), self.rename_selected, toolbar=False)
        self._act("select_all", tr("Select all"), self.select_all, toolbar=False)
        # the map view handles these keys itself; the actions only show them in menus
        for key, seq in (("delete", QKeySequence(QKeySequence.StandardKey.Delete)),
                         ("cut", QKeySequence(QKeySequence.StandardKey.Cut)),
                         ("copy", QKeySequence(QKeySequence.StandardKey.Copy)),
                         ("paste", QKeySequence(QKeySequence.StandardKey.Paste)),
                         ("rename", QKeySequence("F2")),
                         ("select_all", QKeySequence(QKeySequence.StandardKey.SelectAll))):
            self.actions[key].setShortcut(seq)
            self.actions[key].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._act("lane_up", tr("Move lane up"), lambda: self.move_lane(-1),
                  shortcut="Ctrl+Shift+Up", toolbar=False,
                  tip=tr("Swap the selected lane with the one before it, shapes included"))
        self._act("lane_down", tr("Move lane down"), lambda: self.move_lane(1),
                  shortcut="Ctrl+Shift+Down", toolbar=False,
                  tip=tr("Swap the selected lane with the one after it, shapes included"))
        self._act("auto_route", tr("Route automatically"), self.route_automatically,
                  shortcut="Ctrl+Shift+R", toolbar=False,
                  tip=tr("Forget the bends drawn by hand on the selected connectors"))
        self._menu_button(tr("Arrange"), [
            ("align_left", tr("Align left"), lambda: self.align("left")),
            ("align_center", tr("Align centres vertically"), lambda: self.align("hcenter")),
            ("align_right", tr("Align right"), lambda: self.align("right")),
            ("align_top", tr("Align top"), lambda: self.align("top")),
            ("align_middle", tr("Align middles horizontally"), lambda: self.align("vcenter")),
            ("align_bottom", tr("Align bottom"), lambda: self.align("bottom")),
            ("distribute_h", tr("Distribute horizontally"), lambda: self.distribute("h")),
            ("distribute_v", tr("Distribute vertically"), lambda: self.distribute("v")),
        ], "arrange")
        self._menu_button(tr("Layout"), [
            ("layout_lr", tr("Automatic layout, left to right"), lambda: self.auto_layout("LR")),
            ("layout_tb", tr("Automatic layout, top to bottom"), lambda: self.auto_layout("TB")),
        ], "layout")
        snap = self._act("snap", tr("Snap"), self.set_snap, checkable=True,
                         tip=tr("Snap shapes to the grid while dragging"))
        snap.setChecked(True)
        self.toolbar.addSeparator()
        self._act("zoom_in", tr("Zoom in"), lambda: self.view.zoom_by(1),
                  shortcut=QKeySequence.StandardKey.ZoomIn, toolbar=False)
        self._act("zoom_out", tr("Zoom out"), lambda: self.view.zoom_by(-1),
                  shortcut=QKeySequence.StandardKey.ZoomOut, toolbar=False)
        # the map stays fitted when a pane folds or the window resizes, until the user zooms
        self._act("zoom_fit", tr("Fit"), lambda: self.view.request_fit(readable=False),
                  shortcut="Ctrl+Shift+F", tip=tr("Zoom to show the whole map"))
        self._act("zoom_100", tr("100 %"), self.view.zoom_actual, shortcut="Ctrl+0",
                  tip=tr("Zoom to actual size"))
        self._zoom_separator = self.toolbar.addSeparator()
        self._act("validate", tr("Validate"), self.validate,
                  tip=tr("List unreachable steps, dead ends, decisions with fewer than two "
                         "exits and steps without a role"))
        self._menu_button(tr("Export"), [
            ("export_png", tr("Image (PNG)…"), lambda: self.export_image("png")),
            ("export_svg", tr("Drawing (SVG)…"), lambda: self.export_image("svg")),
            ("export_pdf", tr("PDF…"), lambda: self.export_image("pdf")),
            ("export_bpmn", tr("BPMN 2.0 XML…"), self.export_bpmn),
        ], "export")
        self._menu_button(tr("Import"), [
            ("import_bpmn", tr("BPMN 2.0 XML…"), lambda: self.import_file("bpmn")),
            ("import_drawio", tr("draw.io diagram…"), lambda: self.import_file("drawio")),
            ("update_from_file", tr("Update this map from a file…"), self.update_from_file),
        ], "import")
        self._act("print", tr("Print…"), self.print_map, shortcut=QKeySequence.StandardKey.Print,
                  tip=tr("Print the map on one page or on several pages to tape together"))
        self._act("print_preview", tr("Print preview…"), self.print_preview)
        self.toolbar.addSeparator()
        self._act("show_shapes", tr("Shapes"), lambda on: self.set_pane_open(LEFT_PANE, on),
                  checkable=True, shortcut="Ctrl+Shift+1",
                  tip=tr("Show or hide the shapes and the overview (the canvas gets the room)"))
        self._act("show_properties", tr("Properties"),
                  lambda on: self.set_pane_open(RIGHT_PANE, on), checkable=True,
                  shortcut="Ctrl+Shift+2",
                  tip=tr("Show or hide the properties and the validation list"))

    # ------------------------------------------------------------------ side panes
    def pane_open(self, index: int) -> bool:
        """Whether the side pane ``index`` (LEFT_PANE or RIGHT_PANE) is shown."""
        self._read_panes()
        return self._pane_open[index]

    def _read_panes(self) -> None:
        """Take the panes' state from the splitter once it is laid out (its sizes may have been
        set directly)."""
        if self.splitter.isVisible() and self.splitter.width() > 0:
            sizes = self.splitter.sizes()
            for index in (LEFT_PANE, RIGHT_PANE):
                self._pane_open[index] = sizes[index] > 0

    def set_pane_open(self, index: int, on: bool) -> None:
        """Show or fold away a side pane; the canvas takes (or gives back) its width. A map
        that is still fitted to the window is fitted again to the new room."""
        on = bool(on)
        self._read_panes()
        if on == self._pane_open[index]:
            self._sync_pane_actions()
            return
        sizes = self.splitter.sizes()
        if on:
            width = self._pane_width[index]
            sizes[index] = width
            sizes[CANVAS] = max(sizes[CANVAS] - width, 1)
        else:
            if sizes[index] > 0:
                self._pane_width[index] = sizes[index]
            sizes[CANVAS] += sizes[index]
            sizes[index] = 0
        self._pane_open[index] = on
        self.splitter.setSizes(sizes)
        self._sync_pane_actions()
        self._save_panes()

    def _panes_moved(self) -> None:
        """The user dragged a pane's edge: a pane dragged shut is folded, one dragged open is
        shown (and keeps its new width)."""
        self._read_panes()
        sizes = self.splitter.sizes()
        for index in (LEFT_PANE, RIGHT_PANE):
            if sizes[index] > 0:
                self._pane_width[index] = sizes[index]
        self._sync_pane_actions()
        self._save_panes()

    def _save_panes(self) -> None:
        from ..settings import Settings

        Settings().set_splitter(SPLITTER_SETTING, self.splitter.saveState())

    def _restore_panes(self) -> None:
        """Fold and size the panes as the user left them last time (when that was saved)."""
        from ..settings import Settings

        state = Settings().splitter(SPLITTER_SETTING)
        if state is None or not self.splitter.restoreState(state):
            return
        sizes = self.splitter.sizes()
        if len(sizes) != 3 or sizes[CANVAS] <= 0:  # (not this editor's layout)
            self.splitter.setSizes([PANE_WIDTHS[LEFT_PANE], 1000, 0])
            return
        for index in (LEFT_PANE, RIGHT_PANE):
            self._pane_open[index] = sizes[index] > 0
            if sizes[index] > 0:
                self._pane_width[index] = sizes[index]

    def show_step(self, node_id: int) -> bool:
        """Select step ``node_id`` for a user who came from another page (e.g. a risk's "Show
        on map"): the properties pane unfolds so the step's details and links show, and the
        step is brought into view. False when the step is not on this map."""
        from ...services.processes import MapIssue

        self.tabs.setCurrentWidget(self.properties)
        self.set_pane_open(RIGHT_PANE, True)
        self.show_issue(MapIssue("link", "", node_id, None, "info"))
        return node_id in self.scene.nodes and self.scene.nodes[node_id].isSelected()

    def _fit_hint(self, partial: bool) -> None:
        """A map opened (or fitted again) with readable labels shows only part of itself: say
        in the status line how to see it whole, once per map."""
        if not partial or self._fit_hinted or not self.view.isVisible():
            return
        self._fit_hinted = True
        fit = self.actions["zoom_fit"].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        # (not pane_open(): this may run while the splitter is moving its panes)
        if self._pane_open[LEFT_PANE]:
            shapes = self.actions["show_shapes"].shortcut().toString(
                QKeySequence.SequenceFormat.NativeText)
            self._status(tr("Fold the Shapes pane ({shapes}) or press Fit ({fit}) to see the "
                            "whole map").format(shapes=shapes, fit=fit))
        else:
            self._status(tr("Press Fit ({fit}) to see the whole map").format(fit=fit))

    def _sync_pane_actions(self) -> None:
        for key, index in (("show_shapes", LEFT_PANE), ("show_properties", RIGHT_PANE)):
            action = self.actions.get(key)
            if action is not None and action.isChecked() != self._pane_open[index]:
                action.blockSignals(True)
                action.setChecked(self._pane_open[index])
                action.blockSignals(False)

    def _undo_text(self, text: str) -> None:
        self.actions["undo"].setToolTip(tr("Undo {what}").format(what=text) if text
                                        else tr("Undo"))

    def _redo_text(self, text: str) -> None:
        self.actions["redo"].setToolTip(tr("Redo {what}").format(what=text) if text
                                        else tr("Redo"))

    def _update_actions(self) -> None:
        has_map = self.process_id is not None
        writable = has_map and not self.controller.read_only
        for key in ("connect", "add_lane", "delete", "cut", "paste", "layout_lr", "layout_tb",
                    "update_from_file",
                    "align_left", "align_center", "align_right", "align_top", "align_middle",
                    "align_bottom", "distribute_h", "distribute_v", "rename", "import_bpmn",
                    "import_drawio"):
            if key in self.actions:
                self.actions[key].setEnabled(writable if key not in (
                    "import_bpmn", "import_drawio") else
                    self.controller.workspace is not None and not self.controller.read_only)
        for key in ("copy", "select_all", "zoom_fit", "zoom_100", "validate", "export_png",
                    "export_svg", "export_pdf", "export_bpmn", "print", "print_preview"):
            self.actions[key].setEnabled(has_map)
        self.palette_list.setEnabled(writable)
        for key in ("arrange", "layout"):  # nothing in them works on a read-only workspace
            self._menu_buttons[key].setEnabled(writable)
        self.actions["paste"].setEnabled(writable and self._can_paste())
        if self.scene.editable != writable:
            self.scene.set_editable(writable)
        self.back_button.setEnabled(True)
        try:
            self._update_selection_actions()
        except RuntimeError:  # the scene is being destroyed
            pass

    # ------------------------------------------------------------------ opening
    @property
    def ws(self):
        return self.controller.workspace

    def open_process(self, process_id: int, container: int | None = None, *,
                     remember: bool = True, fit: bool = True) -> None:
        """Show the map of ``process_id`` (or the content of its collapsed sub-process
        ``container``)."""
        from ...services.processes import load_map_data

        self._flush()
        if remember and self.process_id is not None and (
                self.process_id, self.container) != (process_id, container):
            self.history.append((self.process_id, self.container))
        with gc_paused():  # (reading, building and placing the labels in view)
            data = load_map_data(self.ws, process_id)
            self.process_id, self.container, self.data = process_id, container, data
            self._paste_count = 0
            self.validation.clear_issues()
            self.scene.editable = not self.controller.read_only
            self.scene.detail = False  # labels are built once the zoom says they can be read
            self.scene.load(data, container)
            self.scene.settle_after_paint()
            self._update_title()
            rect = self.view.update_scene_rect()
            if fit:
                self._fit_hinted = False
                self.view.resetTransform()
                self.view.request_fit(rect)
            else:
                self.scene.set_detail(self.view.zoom() >= DETAIL_SCALE)
        self.properties.forget_choices()
        self._selection_changed()
        self._update_actions()
        self.mapOpened.emit(process_id, container)

    def _update_title(self) -> None:
        from ...services.records import RecordError, get

        try:
            p = get(self.ws, "process", self.process_id)
        except RecordError:
            self._title = ""
            self.title_label.setText("")
            return
        title = f"{p['code'] or ''} {p['name'] or ''}".strip()
        if self.container is not None and self.data is not None:
            node = next((r for r in self.data.nodes if r["id"] == self.container), None)
            if node is not None:
                title += " › " + (node["name"] or kind_titles()["subprocess"])
        self._title = title
        self.title_label.setText(title)

    def reload(self) -> None:
        """Read the map again and update the items that changed."""
        from ...services.processes import load_map_data
        from ...services.records import RecordError

        if self.process_id is None or self.ws is None:
            return
        try:
            data = load_map_data(self.ws, self.process_id)
        except RecordError:
            self.close_map()
            return
        if self.container is not None and not any(r["id"] == self.container for r in data.nodes):
            self.container = None
            self.data = data
            self.scene.load(data, None)
        else:
            self.data = data
            self.scene.sync(data)
        self.view.update_scene_rect()
        self._selection_changed()

    def close_map(self) -> None:
        self.scene.clear_map()
        self.process_id = None
        self.container = None
        self.data = None
        self.history.clear()
        self.validation.clear_issues()
        self.properties.show_selection(None, [], [], [])
        self.title_label.setText("")
        self._update_actions()
        self.mapClosed.emit()

    def go_back(self) -> None:
        self._flush()
        while self.history:
            pid, container = self.history.pop()
            try:
                self.open_process(pid, container, remember=False)
                return
            except Exception:  # that process was deleted meanwhile: go further back
                continue
        self.backToList.emit()

    def _changed(self, change: "Change") -> None:
        if self.process_id is None:
            return
        kinds = change.kinds
        self.properties.forget_choices(kinds)
        if kinds & MAP_RECORDS or "process" in kinds:
            self.reload()
            if "process" in kinds:
                self._update_title()
            if self._validated == (self.process_id, self.container):
                # the list on show follows the map (a fixed issue leaves it)
                from ...services.processes import validate_map

                self.validation.show_issues(validate_map(self.ws, self.process_id))
        elif kinds & {"role"}:
            self._selection_changed()
        if kinds & LINK_RECORDS:
            self.properties.refresh_links()
        self._update_actions()

    def _flush(self) -> None:
        ed = self.scene.editor
        if ed is not None:
            ed.finish(True)

    # ------------------------------------------------------------------ editing
    def edit(self, label: str, fn, *, merge_key=None):
        """One undo step (``controller.edit``); a refused change puts the items back where the
        data says they are. Returns the service's result (True when it has none), or None."""
        if self.ws is None:
            return None
        out = self.controller.edit(label, fn, merge_key=merge_key)
        if out is None:
            self.reload()
        return out

    # ------------------------------------------------------------------ adding
    def add_kind_at(self, kind: str, pos: QPointF) -> int | None:
        """Add a shape of ``kind`` centred at scene point ``pos``; returns its id."""
        if self.process_id is None or kind not in DEFAULT_SIZES:
            return None
        w, h = DEFAULT_SIZES[kind]
        cx, cy = pos.x(), pos.y()
        if self.scene.snap_enabled:
            cx, cy = round(cx / GRID) * GRID, round(cy / GRID) * GRID
        lane = self.scene.lane_at(QPointF(cx, cy)) if self.container is None else None
        pid, x, y = self.process_id, cx - w / 2, cy - h / 2
        nid = self.edit(tr("Add {kind}").format(kind=kind_titles().get(kind, kind).lower()),
                        lambda ws: processes().add_node(ws, pid, kind, x, y,
                                                        name=default_name(kind), lane_id=lane))
        if nid is None:
            return None
        self.scene.select_ids(nodes=[nid])
        self.view.setFocus()
        return nid

    def add_kind_center(self, kind: str) -> int | None:
        """Add a shape of ``kind`` in the middle of the view — or, when a shape is there, on
        the nearest free spot in the same lane (a double click in the palette)."""
        c = self.view.mapToScene(self.view.viewport().rect().center())
        return self.add_kind_at(kind, self._free_spot(kind, c))

    def _free_spot(self, kind: str, c: QPointF) -> QPointF:
        w, h = DEFAULT_SIZES.get(kind, (100.0, 80.0))
        lane_id = self.scene.lane_at(c) if self.container is None else None
        lane = self.scene.lanes.get(lane_id)
        room = lane.scene_rect() if lane is not None else None

        def free(x: float, y: float) -> bool:
            r = QRectF(x - w / 2 - 10, y - h / 2 - 10, w + 20, h + 20)
            if room is not None and not room.contains(r.adjusted(10, 10, -10, -10)):
                return False
            return not any(isinstance(i, NodeItem) and not i.expanded and i.kind != "pool"
                           for i in self.scene.items(r))

        step = GRID * 4
        for ring in range(0, 12):
            for dx, dy in ([(0, 0)] if ring == 0 else
                           [(ring * step, 0), (-ring * step, 0), (0, ring * step),
                            (0, -ring * step), (ring * step, ring * step),
                            (-ring * step, ring * step), (ring * step, -ring * step),
                            (-ring * step, -ring * step)]):
                if free(c.x() + dx, c.y() + dy):
                    return QPointF(c.x() + dx, c.y() + dy)
        return c

    def connect_nodes(self, source_id: int, target_id: int) -> int | None:
        if self.process_id is None or source_id == target_id:
            return None
        src, tgt = self.scene.nodes.get(source_id), self.scene.nodes.get(target_id)
        if src is None or tgt is None:
            return None
        if any(e.target is tgt for e in src.edges if e.source is src):
            self._status(tr("“{a}” already leads to “{b}”.").format(
                a=src.row.get("name") or kind_titles().get(src.kind, src.kind),
                b=tgt.row.get("name") or kind_titles().get(tgt.kind, tgt.kind)))
            return None
        label = ""
        kind = "sequence"
        if src.kind in ASSOCIATED or tgt.kind in ASSOCIATED:
            kind = "association"
        elif src.kind == "decision":
            exits = [e for e in src.edges if e.source is src and e.kind == "sequence"]
            label = {0: tr("yes"), 1: tr("no")}.get(len(exits), "")
        pid = self.process_id
        eid = self.edit(tr("Connect shapes"), lambda ws: processes().add_edge(
            ws, pid, source_id, target_id, label=label, kind=kind))
        if eid is None:
            return None
        self.scene.select_ids(edges=[eid])
        return eid

    def add_lane(self) -> int | None:
        if self.process_id is None:
            return None
        roles = self.properties.choices()["roles"]
        names = [n for _, n in roles]
        name, ok = QInputDialog.getItem(self, tr("Add lane"),
                                        tr("Role done in this lane (pick one or type a name):"),
                                        names, 0, True)
        if not ok or not name.strip():
            return None
        return self.add_lane_named(name.strip())

    def add_lane_named(self, name: str) -> int | None:
        roles = {n.casefold(): i for i, n in self.properties.choices()["roles"]}
        pid, role = self.process_id, roles.get(name.casefold())
        return self.edit(tr("Add lane"), lambda ws: processes().add_lane(ws, pid, name, role))

    # ------------------------------------------------------------------ moving
    def _lane_changes(self, new: dict[int, tuple[float, float]]) -> dict[int, int | None]:
        """The shapes that land in another lane, with that lane (their role follows it).

        A shape with no lane of its own counts as being in the lane its centre was in (as when
        a lane is moved or resized): dropped in that lane again, it keeps having none. The
        inputs and outputs of the whole process never take a lane (nor a role): they belong
        to the process, not to a participant of it."""
        lanes: dict[int, int | None] = {}
        if not self.scene.lanes or self.container is not None:
            return lanes
        for nid, (x, y) in new.items():
            item = self.scene.nodes.get(nid)
            if item is None or item.kind in ("pool", "annotation") or is_process_io(item.row):
                continue
            parent = item.row.get("parent_node_id")
            if parent is not None and parent in new:
                continue  # content of a moved sub-process keeps its place in it
            lane = self.scene.lane_at(QPointF(x + item.w / 2, y + item.h / 2))
            had = item.row.get("lane_id")
            if had not in self.scene.lanes:  # none (or a lane that is gone): where it was
                ox, oy, w, h = item.row_box()
                if lane == self.scene.lane_at(QPointF(ox + w / 2, oy + h / 2)):
                    continue
            if lane != had:
                lanes[nid] = lane
        return lanes

    def _kept_routes(self, new: dict[int, tuple[float, float]]) -> dict[int, str]:
        """Routes drawn by hand on connectors of the moved shapes that follow the move (see
        :func:`~qms_desktop.core.mapedit.follow_ends`), as stored text."""
        from ...core.mapedit import follow_ends
        from ...services.map_geometry import route_text
        from .items import near_box, parse_points

        out = {}
        for e in self.scene.edges.values():
            s, t = e.source, e.target
            if s is t or not (s.nid in new or t.nid in new) or not e.row.get("waypoints"):
                continue
            pts = parse_points(e.row["waypoints"])
            sr, tr_ = s.row_box(), t.row_box()
            sx, sy = new.get(s.nid, sr[:2])
            tx, ty = new.get(t.nid, tr_[:2])
            kept = follow_ends(pts, (sx - sr[0], sy - sr[1]), (tx - tr_[0], ty - tr_[1]))
            if kept is not None and near_box((sx, sy, sr[2], sr[3]), kept[0]) and \
                    near_box((tx, ty, tr_[2], tr_[3]), kept[-1]):
                out[e.eid] = route_text(kept)
        return out

    def nodes_dragged(self, old: dict, new: dict) -> None:
        if self.process_id is None:
            return
        self._move(new)

    def _move(self, new: dict[int, tuple[float, float]], *, nudge: bool = False,
              text: str | None = None) -> bool:
        """One undo step moving shapes; a shape that lands in another lane takes that lane and
        its role; routes drawn by hand follow where they can. Runs of nudges of the same shapes
        merge into one step."""
        lanes = self._lane_changes(new)
        kept = self._kept_routes(new)
        if text is None:
            text = (tr("Move to another lane") if lanes else
                    tr("Move {n} shapes").format(n=len(new)) if len(new) > 1 else
                    tr("Move shape"))
        key = ("nudge", frozenset(new)) if nudge else None
        return self.edit(text, lambda ws: processes().move_nodes(ws, new, lanes or None, kept),
                         merge_key=key) is not None

    def move_nodes_to(self, new: dict[int, tuple[float, float]], *, nudge: bool = False,
                      text: str | None = None) -> bool:
        old = {}
        for nid in list(new):
            item = self.scene.nodes.get(nid)
            if item is None:
                new.pop(nid)
                continue
            old[nid] = (item.row["x"], item.row["y"])
        new = {k: v for k, v in new.items() if old.get(k) != v}
        if not new:
            return False
        return self._move(new, nudge=nudge, text=text)

    def _selected_nodes(self, with_inner: bool = True) -> list[NodeItem]:
        items = [i for i in self.scene.selectedItems() if isinstance(i, NodeItem)]
        if with_inner:
            seen = {i.nid for i in items}
            for i in list(items):
                for d in self.scene.descendants(i):
                    if d.nid not in seen:
                        seen.add(d.nid)
                        items.append(d)
        return items

    def nudge(self, dx: float, dy: float) -> bool:
        items = self._selected_nodes()
        if not items or self.controller.read_only:
            return False
        new = {i.nid: (i.row["x"] + dx, i.row["y"] + dy) for i in items}
        return self.move_nodes_to(new, nudge=True, text=tr("Nudge"))

    def align(self, how: str) -> bool:
        items = [i for i in self.scene.selectedItems() if isinstance(i, NodeItem)]
        if len(items) < 2:
            return False
        boxes = {i.nid: i.box() for i in items}
        new = {}
        if how == "left":
            x0 = min(b[0] for b in boxes.values())
            new = {n: (x0, b[1]) for n, b in boxes.items()}
        elif how == "right":
            x1 = max(b[0] + b[2] for b in boxes.values())
            new = {n: (x1 - b[2], b[1]) for n, b in boxes.items()}
        elif how == "hcenter":
            cx = sum(b[0] + b[2] / 2 for b in boxes.values()) / len(boxes)
            new = {n: (cx - b[2] / 2, b[1]) for n, b in boxes.items()}
        elif how == "top":
            y0 = min(b[1] for b in boxes.values())
            new = {n: (b[0], y0) for n, b in boxes.items()}
        elif how == "bottom":
            y1 = max(b[1] + b[3] for b in boxes.values())
            new = {n: (b[0], y1 - b[3]) for n, b in boxes.items()}
        elif how == "vcenter":
            cy = sum(b[1] + b[3] / 2 for b in boxes.values()) / len(boxes)
            new = {n: (b[0], cy - b[3] / 2) for n, b in boxes.items()}
        new.update(self._inner_shift(items, new))
        return self.move_nodes_to(new, text=tr("Align shapes"))

    def distribute(self, axis: str) -> bool:
        items = [i for i in self.scene.selectedItems() if isinstance(i, NodeItem)]
        if len(items) < 3:
            return False
        k = 0 if axis == "h" else 1
        boxes = sorted(((i.nid, i.box()) for i in items), key=lambda t: t[1][k] + t[1][k + 2] / 2)
        first = boxes[0][1][k] + boxes[0][1][k + 2] / 2
        last = boxes[-1][1][k] + boxes[-1][1][k + 2] / 2
        step = (last - first) / (len(boxes) - 1)
        new = {}
        for n, (nid, b) in enumerate(boxes):
            c = first + step * n
            new[nid] = (c - b[2] / 2, b[1]) if k == 0 else (b[0], c - b[3] / 2)
        new.update(self._inner_shift(items, new))
        return self.move_nodes_to(new, text=tr("Distribute shapes"))

    def _inner_shift(self, items: list[NodeItem], new: dict) -> dict:
        out = {}
        for i in items:
            if i.nid not in new:
                continue
            dx, dy = new[i.nid][0] - i.row["x"], new[i.nid][1] - i.row["y"]
            for d in self.scene.descendants(i):
                if d.nid not in new:
                    out[d.nid] = (d.row["x"] + dx, d.row["y"] + dy)
        return out

    # ------------------------------------------------------------------ deleting, clipboard
    def delete_selected(self) -> bool:
        if self.process_id is None or self.controller.read_only:
            return False
        nodes = [i.nid for i in self._selected_nodes()]
        _n, edges, lanes = self.scene.selected_ids()
        if not (nodes or edges or lanes):
            return False
        kept = sum(1 for n in self.scene.nodes.values()
                   if n.row.get("lane_id") in lanes and n.nid not in nodes)
        n = len(nodes) + len(edges) + len(lanes)
        ok = self.edit(tr("Delete {n} items").format(n=n) if n > 1 else tr("Delete item"),
                       lambda ws: processes().delete_items(ws, nodes, edges, lanes)) is not None
        if ok and kept:
            self._status(tr("The lane’s {n} shapes stay on the map without a lane (Undo brings "
                            "the lane back).").format(n=kept) if kept != 1 else
                         tr("The lane’s shape stays on the map without a lane (Undo brings the "
                            "lane back)."))
        return ok

    def copy(self) -> bool:
        items = self._selected_nodes()
        if not items:
            return False
        ids = {i.nid for i in items}
        nodes = [dict(i.row) for i in items]
        edges = [dict(e.row) for e in self.scene.edges.values()
                 if e.source.nid in ids and e.target.nid in ids]
        payload = {"process_id": self.process_id, "nodes": nodes, "edges": edges}
        self._clipboard = payload
        self._paste_count = 0
        md = QMimeData()
        md.setData(MAP_ITEMS_MIME, json.dumps(payload, default=str).encode("utf-8"))
        md.setText("\n".join(n["name"] for n in nodes if n.get("name")))
        QGuiApplication.clipboard().setMimeData(md)
        return True

    def cut(self) -> bool:
        return self.copy() and self.delete_selected()

    def _can_paste(self) -> bool:
        """Whether the clipboard holds map items (copied here or in another window)."""
        md = QGuiApplication.clipboard().mimeData()
        return bool((md is not None and md.hasFormat(MAP_ITEMS_MIME)) or self._clipboard)

    def paste(self) -> bool:
        if self.process_id is None or self.controller.read_only:
            return False
        payload = None
        md = QGuiApplication.clipboard().mimeData()
        if md is not None and md.hasFormat(MAP_ITEMS_MIME):
            try:
                payload = json.loads(bytes(md.data(MAP_ITEMS_MIME)).decode("utf-8"))
            except ValueError:
                payload = None
        if payload is None:
            payload = self._clipboard
        if not payload or not payload.get("nodes"):
            return False
        self._paste_count += 1
        off = 20.0 * self._paste_count if payload.get("process_id") == self.process_id else 0.0
        nodes = payload["nodes"]
        if payload.get("process_id") != self.process_id:
            for n in nodes:
                n["lane_id"] = None  # lanes belong to the other map
        pid, edges = self.process_id, payload.get("edges", [])
        got = self.edit(tr("Paste"), lambda ws: processes().paste_items(ws, pid, nodes, edges,
                                                                         off, off))
        if got is None:
            return False
        node_ids, edge_ids = got
        self.scene.select_ids(nodes=node_ids, edges=edge_ids)
        return True

    def select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)
        for item in self.scene.edges.values():
            item.setSelected(True)

    # ------------------------------------------------------------------ labels
    def rename_selected(self) -> bool:
        sel = self.scene.selectedItems()
        if len(sel) != 1 or self.controller.read_only:
            return False
        self.view.setFocus()
        return self.scene.begin_edit(sel[0]) is not None

    def label_edited(self, item, text: str) -> None:
        if isinstance(item, NodeItem):
            entity, rid, field, old = "process_node", item.nid, "name", item.row.get("name") or ""
        elif isinstance(item, EdgeItem):
            entity, rid, field, old = "process_edge", item.eid, "label", item.row.get("label") or ""
        elif isinstance(item, LaneItem):
            entity, rid, field, old = "process_lane", item.lid, "name", item.row.get("name") or ""
        else:
            return
        if text == old or self.ws is None:
            return
        self.edit(field_edit_text(entity, field),
                  lambda ws: records().update_field(ws, entity, rid, field, text))

    def node_double_clicked(self, item: NodeItem) -> None:
        if item.kind == "subprocess":
            sub = item.row.get("subprocess_id")
            if sub:
                self.open_process(sub)
                return
            if self.data is not None and item.nid not in self.scene.expanded and any(
                    r["parent_node_id"] == item.nid for r in self.data.nodes):
                self.open_process(self.process_id, item.nid)
                return
        if not self.controller.read_only:
            self.scene.begin_edit(item)

    # ------------------------------------------------------------------ modes, keys
    def set_connect_mode(self, on: bool) -> None:
        self.view.connect_mode = bool(on)
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor if on
                                       else Qt.CursorShape.ArrowCursor)

    def set_snap(self, on: bool) -> None:
        self.scene.snap_enabled = bool(on)

    def _key_command(self, cmd) -> None:
        if self.scene.dragging and cmd != "escape":
            return  # keys wait until the mouse lets go (Escape cancels a handle drag)
        if isinstance(cmd, tuple) and cmd[0] == "nudge":
            self.nudge(cmd[1], cmd[2])
            return
        if cmd == "escape":
            if (self.scene.cancel_handle_drag() or self.scene.cancel_node_drag()
                    or self.view.cancel_connect()):
                return
            if self.actions["connect"].isChecked():
                self.actions["connect"].setChecked(False)
            else:
                self.scene.clearSelection()
            return
        handler = {"delete": self.delete_selected, "rename": self.rename_selected,
                   "copy": self.copy, "cut": self.cut, "paste": self.paste,
                   "select_all": self.select_all}.get(cmd)
        if handler is not None:
            handler()

    def _selection_changed(self) -> None:
        try:
            nodes, edges, lanes = self.scene.selected_ids()
        except RuntimeError:  # the scene is being destroyed
            return
        self.properties.show_selection(self.data, nodes, edges, lanes)
        self._update_selection_actions(edges, lanes)

    def _update_selection_actions(self, edges=None, lanes=None) -> None:
        """Lane and route actions are offered only when the selection allows them."""
        if edges is None or lanes is None:
            _n, edges, lanes = self.scene.selected_ids()
        writable = self.process_id is not None and not self.controller.read_only
        up = down = False
        if writable and len(lanes) == 1:
            from ...core.mapedit import move_lane
            from .handles import lane_boxes

            boxes = lane_boxes(self.scene)
            up = bool(move_lane(boxes, {}, lanes[0], -1))
            down = bool(move_lane(boxes, {}, lanes[0], 1))
        self.actions["lane_up"].setEnabled(up)
        self.actions["lane_down"].setEnabled(down)
        self.actions["auto_route"].setEnabled(writable and any(
            self.scene.edges[e].row.get("waypoints") for e in edges if e in self.scene.edges))

    # ------------------------------------------------------------------ hand geometry
    def geometry_edited(self, text: str, old: dict, new: dict) -> bool:
        """A handle drag finished (a shape or lane resized, a route moved): one undo step."""
        if self.process_id is None:
            return False
        return self._set_geometry(text, new)

    def _set_geometry(self, text: str, new: dict) -> bool:
        from ...services.map_geometry import set_geometry

        return self.edit(text, lambda ws: set_geometry(ws, **new)) is not None

    def _selected_lane(self):
        _n, _e, lanes = self.scene.selected_ids()
        return self.scene.lanes.get(lanes[0]) if len(lanes) == 1 else None

    def move_lane(self, step: int) -> bool:
        """Swap the selected lane with its neighbour (``step`` -1: before, +1: after)."""
        from ...core.mapedit import move_lane
        from .handles import lane_boxes, node_boxes, plan_geometry

        if self.controller.read_only:
            self._status(tr("The workspace is open read-only; lanes cannot be moved."))
            return False
        lane = self._selected_lane()
        if lane is None:
            self._status(tr("Select one lane (click its title) to move it."))
            return False
        lanes, nodes = lane_boxes(self.scene), node_boxes(self.scene)
        orders = {lid: int(item.row.get("order") or 0) for lid, item in self.scene.lanes.items()}
        plan = move_lane(lanes, nodes, lane.lid, step, orders)
        if not plan:
            self._status(tr("The lane is already the first.") if step < 0
                         else tr("The lane is already the last."))
            return False
        _old, new = plan_geometry(plan, lanes, nodes, self.scene, orders)
        text = tr("Move lane up") if step < 0 else tr("Move lane down")
        ok = self._set_geometry(text, new)
        if ok:
            self.scene.select_ids(lanes=[lane.lid])
        return ok

    def route_automatically(self) -> bool:
        """The selected connectors forget their hand-drawn bends."""
        if self.controller.read_only:
            self._status(tr("The workspace is open read-only; routes cannot be changed."))
            return False
        _n, edges, _l = self.scene.selected_ids()
        routes = {eid: self.scene.edges[eid].row.get("waypoints") for eid in edges
                  if self.scene.edges[eid].row.get("waypoints")}
        if not routes:
            self._status(tr("Select a connector with bends of its own to route it "
                            "automatically."))
            return False
        return self._set_geometry(tr("Route automatically"),
                                  {"edges": {eid: "" for eid in routes}})

    def _status(self, text: str) -> None:
        """Say why nothing happened, in the main window's status bar."""
        self.last_status = text
        bar = getattr(self.window(), "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 5000)

    def context_menu(self, global_pos, scene_pos) -> None:
        """Right click: select what is under the pointer (unless it is selected) and offer what
        can be done with the selection."""
        hit = [i for i in self.view.items(self.view.mapFromScene(scene_pos))
               if isinstance(i, (NodeItem, EdgeItem, LaneItem))]
        if hit and not hit[0].isSelected():
            self.scene.clearSelection()
            hit[0].setSelected(True)
        elif not hit:
            self.scene.clearSelection()
        nodes, edges, lanes = self.scene.selected_ids()
        menu = QMenu(self)
        menu.setObjectName("flowchartContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        entries = []
        if nodes or edges or lanes:
            entries += ["rename", "cut", "copy", "delete"]
        entries += ["paste", None]
        if len(lanes) == 1:
            entries += ["lane_up", "lane_down"]
        if any(self.scene.edges[e].row.get("waypoints") for e in edges):
            entries += ["auto_route"]
        entries += [None, "select_all", "zoom_fit"]
        last_sep = True
        for key in entries:
            if key is None:
                if not last_sep:
                    menu.addSeparator()
                last_sep = True
                continue
            menu.addAction(self.actions[key])
            last_sep = False
        self._context_menu = menu
        menu.popup(global_pos)

    # ------------------------------------------------------------------ layout, validation
    def auto_layout(self, direction: str = "LR") -> bool:
        if self.process_id is None:
            return False
        pid = self.process_id
        ok = self.edit(tr("Automatic layout"),
                       lambda ws: processes().layout(ws, pid, direction)) is not None
        if ok:
            self.view.zoom_fit()
        return ok

    def validate(self) -> list["MapIssue"]:
        from ...services.processes import validate_map

        if self.process_id is None:
            return []
        issues = validate_map(self.ws, self.process_id)
        self.validation.show_issues(issues)
        self.tabs.setCurrentWidget(self.validation)
        self.set_pane_open(RIGHT_PANE, True)  # (the list is what the user asked to see)
        self._validated = (self.process_id, self.container)
        return issues

    def show_issue(self, issue: "MapIssue") -> None:
        if issue.node_id is not None and issue.node_id not in self.scene.nodes and \
                self.data is not None:
            # the shape is inside a collapsed sub-process: open that first
            by_id = {r["id"]: r for r in self.data.nodes}
            cur = by_id.get(issue.node_id)
            while cur is not None and cur["parent_node_id"] is not None:
                parent = cur["parent_node_id"]
                if parent not in self.scene.expanded:
                    self.open_process(self.process_id, parent, fit=False)
                    break
                cur = by_id.get(parent)
        items = self.scene.select_ids(nodes=[issue.node_id] if issue.node_id else [],
                                      edges=[issue.edge_id] if issue.edge_id else [])
        if items:
            if not self.view.visible_scene_rect().contains(items[0].sceneBoundingRect()):
                # a fit redone later (a pane folding) would take it out of view again
                self.view.fit_pending = False
            self.view.ensureVisible(items[0], 80, 80)

    # ------------------------------------------------------------------ files
    def _ask_save(self, caption: str, suffix: str, filt: str) -> Path | None:
        start = str(Path(last_dir()) / f"{self._file_stem()}.{suffix}")
        name, _ = QFileDialog.getSaveFileName(self, caption, start, filt)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_suffix(f".{suffix}")
        remember_dir(path.parent)
        return path

    def _file_stem(self) -> str:
        stem = "".join(c if c.isalnum() or c in " -_" else "_" for c in self._title).strip()
        return stem or "process-map"

    def export_image(self, fmt: str, path: Path | None = None, dpi: int | None = None,
                     pages=None) -> Path | None:
        """Export the map as PNG, SVG or PDF. A PDF is laid out on sheets by ``pages`` (a
        :class:`~.render.PageOptions`): asked first when no ``path`` is given, otherwise the
        last choice."""
        from . import render

        if self.process_id is None:
            return None
        filters = {"png": tr("PNG image (*.png)"), "svg": tr("SVG drawing (*.svg)"),
                   "pdf": tr("PDF document (*.pdf)")}
        if fmt == "pdf" and pages is None:
            from .page_options import ask_page_options, load_page_options

            if path is None:
                pages = ask_page_options(self, self.ws, self.process_id, self.container,
                                         title=tr("Export map as PDF"), action=tr("Continue…"))
                if pages is None:
                    return None
            else:
                pages = load_page_options()
        if path is None:
            path = self._ask_save(tr("Export map"), fmt, filters[fmt])
            if path is None:
                return None
        if fmt == "png" and dpi is None:
            dpi, ok = QInputDialog.getInt(self, tr("Export map"), tr("Resolution (dots per inch):"),
                                          150, 10, 2400, 50)
            if not ok:
                return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            out = render.render_map(self.ws, self.process_id, path, dpi or 150,
                                    container=self.container,
                                    pages=pages if fmt == "pdf" else None)
            self.controller.record_head("export")  # the head the file carries, kept
            return out
        except Exception as e:
            self._error(e)
            return None
        finally:
            QApplication.restoreOverrideCursor()

    def _error(self, e: BaseException) -> None:
        from ..errors import report_exception, show_error

        if isinstance(e, ValueError):
            show_error(self, e)
        else:
            report_exception(e, self)

    def _printer(self, pages=None):
        """A high-resolution printer named after the map, on the paper of ``pages``."""
        from PySide6.QtGui import QPageLayout, QPageSize
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title or tr("Process map"))
        if pages is not None:
            printer.setPageSize(QPageSize(QPageSize.PageSizeId.A3 if pages.paper == "A3"
                                          else QPageSize.PageSizeId.A4))
            if pages.orientation != "auto":
                printer.setPageOrientation(QPageLayout.Orientation.Landscape
                                           if pages.orientation == "landscape"
                                           else QPageLayout.Orientation.Portrait)
        return printer

    def _paint_printer(self, printer, pages=None):
        """Print the map on ``printer`` laid out by ``pages`` (default: the last choice);
        returns the plan of the sheets."""
        from . import render
        from .page_options import load_page_options

        scene = render.build_scene(self.ws, self.process_id, self.container)
        try:
            return render.print_scene(printer, scene, self._title,
                                      render.export_subtitle(self.ws),
                                      pages=pages if pages is not None else load_page_options())
        finally:
            scene.clear_map()
            scene.deleteLater()

    def print_map(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog

        from .page_options import ask_page_options

        if self.process_id is None:
            return
        pages = ask_page_options(self, self.ws, self.process_id, self.container,
                                 title=tr("Print map"), action=tr("Continue…"))
        if pages is None:
            return
        printer = self._printer(pages)
        dlg = QPrintDialog(printer, self)
        if dlg.exec() == QPrintDialog.DialogCode.Accepted:
            try:
                self._paint_printer(printer, pages)
            except Exception as e:
                self._error(e)

    def print_preview(self) -> None:
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        from .page_options import ask_page_options

        if self.process_id is None:
            return
        pages = ask_page_options(self, self.ws, self.process_id, self.container,
                                 title=tr("Print preview"), action=tr("Preview…"))
        if pages is None:
            return
        printer = self._printer(pages)
        dlg = QPrintPreviewDialog(printer, self)
        dlg.setWindowTitle(tr("Print preview"))

        def paint(device) -> None:
            try:
                self._paint_printer(device, pages)
            except Exception as e:
                self._error(e)

        dlg.paintRequested.connect(paint)
        dlg.resize(1000, 750)
        dlg.exec()

    def export_bpmn(self, path: Path | None = None) -> Path | None:
        """Write the map as BPMN 2.0 XML (the same file ``qms export bpmn`` writes)."""
        from ...services.processes import export_bpmn_file
        from ...services.records import RecordError

        if self.process_id is None:
            return None
        if path is None:
            path = self._ask_save(tr("Export BPMN"), "bpmn",
                                  tr("BPMN 2.0 XML (*.bpmn *.xml)"))
            if path is None:
                return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            export_bpmn_file(self.ws, self.process_id, path)
            self.controller.record_head("export")
        except RecordError as e:
            from ..errors import show_error

            show_error(self, str(e))
            return None
        except Exception as e:
            self._error(e)
            return None
        finally:
            QApplication.restoreOverrideCursor()
        return path

    def import_file(self, kind: str, path: Path | None = None, *,
                    always_ask: bool = False) -> int | None:
        """Import a BPMN or draw.io file (one undo step) and open the map. When the file looks
        like an existing process (same name, code or shape ids) — or ``always_ask`` — the user
        chooses between a new process and updating that one (links and roles are kept)."""
        if self.ws is None:
            return None
        from .import_target import ask_import_target, choose_map_file, show_import_warnings

        if path is None:
            path = choose_map_file(self, kind)
            if path is None:
                return None
        try:
            target = ask_import_target(self, self.ws, path, kind, self.process_id,
                                       always=always_ask)
        except OSError as e:
            from ..errors import show_error

            show_error(self, tr("{path} could not be read: {reason}. Check the file and try "
                                "again.").format(path=path, reason=e.strerror or e))
            return None
        except Exception as e:
            self._error(e)
            return None
        if target is None:
            return None
        pid = self.controller.edit(target.label(), target.run)
        if pid is None:
            return None
        self.open_process(pid)
        show_import_warnings(self, target)
        return pid

    def update_from_file(self, path: Path | None = None) -> int | None:
        """Update the open map from a BPMN or draw.io file (the format is told by the file)."""
        if self.ws is None or self.process_id is None:
            return None
        from ...services.processes import guess_map_format
        from .import_target import choose_map_file

        if path is None:
            path = choose_map_file(self, None)
            if path is None:
                return None
        try:
            kind = guess_map_format(path)
        except Exception as e:
            self._error(e)
            return None
        return self.import_file(kind, path, always_ask=True)


def processes():
    from ...services import processes

    return processes


def records():
    from ...services import records

    return records


__all__ = ["FlowchartEditor", "MAP_ITEMS_MIME"]
