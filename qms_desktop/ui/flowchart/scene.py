"""The scene of one map: builds items from the map's rows and keeps them in step with the data.

:meth:`MapScene.load` builds every item; :meth:`MapScene.sync` compares new rows (after an edit,
an undo or a redo) with what is shown and touches only the items that differ. The scene reports
what the user did with the mouse (a drag of shapes, a double-click, a finished label edit) as
signals; the editor turns those into undo commands. Nothing here writes to the workspace.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPen, QTextCursor, QTextOption
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsTextItem

from ...core import processmap as pmod
from .handles import HandleDrag, Handles, handles_of
from .items import Z_EDIT, EdgeItem, LaneItem, NodeItem, parse_all_points
from .style import GRID, LABEL_BELOW, LIGHT, Theme, paints

#: labels built per event-loop turn after a big map opens
LABEL_SLICE = 250

if TYPE_CHECKING:  # pragma: no cover
    from ...services.processes import MapData


@contextmanager
def gc_paused():
    """Hold the cyclic garbage collector off while a map's rows are read and its items built.

    That allocates tens of thousands of objects which all live on, and the collector would walk
    the whole heap several times meanwhile for nothing (a third of the time it takes to open a
    big map). Reference counting still frees everything as usual; the collector resumes after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _extra(text: str) -> dict:
    if not text:
        return {}
    try:
        got = json.loads(text)
    except ValueError:
        return {}
    return got if isinstance(got, dict) else {}


def visible_nodes(data: "MapData", container: int | None) -> tuple[set[int], set[int]]:
    """Ids of the shapes shown when looking at ``container`` (None = the map itself, or the id
    of a collapsed sub-process whose content is opened), and the ids of expanded sub-processes.

    A shape is shown where its nearest collapsed enclosing sub-process is ``container``; the
    content of an expanded sub-process is drawn inside it."""
    by_id = {r["id"]: r for r in data.nodes}
    kids: dict[int, list[dict]] = defaultdict(list)
    for r in data.nodes:
        if r["parent_node_id"] is not None and r["parent_node_id"] in by_id:
            kids[r["parent_node_id"]].append(r)
    expanded: set[int] = set()
    for pid, children in kids.items():
        parent = by_id[pid]
        node = pmod.Node(str(pid), parent["kind"] if parent["kind"] in pmod.NODE_KINDS else "step",
                         extra=_extra(parent["extra"]))
        kid_nodes = [pmod.Node(str(k["id"]), k["kind"] if k["kind"] in pmod.NODE_KINDS else "step",
                               extra=_extra(k["extra"])) for k in children[:1]]
        if node.kind == "subprocess" and pmod.is_expanded(None, node, {node.key: kid_nodes}):
            expanded.add(pid)
        elif node.kind != "subprocess":
            expanded.add(pid)  # a pool or a group: its content is drawn inside it

    holder_cache: dict[int, int | None] = {}

    def holder(rid: int) -> int | None:
        seen = []
        cur = by_id[rid]["parent_node_id"]
        result = None
        while cur is not None and cur in by_id:
            if cur in holder_cache:
                result = holder_cache[cur] if cur in expanded else cur
                break
            if cur not in expanded:
                result = cur
                break
            seen.append(cur)
            cur = by_id[cur]["parent_node_id"]
        for s in seen:
            holder_cache[s] = result
        return result

    shown = set()
    for r in data.nodes:
        if r["parent_node_id"] is None or r["parent_node_id"] not in by_id:
            if container is None:
                shown.add(r["id"])
            continue
        if holder(r["id"]) == container:
            shown.add(r["id"])
    return shown, expanded


def _meets(area: QRectF, row: dict) -> bool:
    """Whether the shape of ``row`` (scene coordinates x, y, w, h) meets ``area``."""
    x, y = float(row.get("x") or 0), float(row.get("y") or 0)
    return (x <= area.right() and x + float(row.get("w") or 0) >= area.left()
            and y <= area.bottom() and y + float(row.get("h") or 0) >= area.top())


def flow_direction(data: "MapData") -> str:
    """"LR" when the map flows left to right (lanes are rows), "TB" when it flows downward."""
    lanes = [r for r in data.lanes if r["w"] and r["h"]]
    if lanes:
        return "LR" if lanes[0]["w"] >= lanes[0]["h"] else "TB"
    if not data.nodes:
        return "LR"
    xs = [r["x"] for r in data.nodes]
    ys = [r["y"] for r in data.nodes]
    return "LR" if max(xs) - min(xs) >= max(ys) - min(ys) else "TB"


class InlineEditor(QGraphicsTextItem):
    """Edits a label in place: Enter (or leaving it) commits, Shift+Enter breaks the line,
    Escape cancels."""

    def __init__(self, target: QGraphicsItem, text: str, rect: QRectF, scene: "MapScene"):
        super().__init__()
        self.target = target
        self._scene = scene
        self._done = False
        self.original = text
        self.setFont(scene.paints.font)
        self.setDefaultTextColor(QColor("#202124"))
        self.setPlainText(text)
        self.setTextWidth(max(rect.width(), 60.0))
        opt = QTextOption(Qt.AlignmentFlag.AlignHCenter)
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDefaultTextOption(opt)
        self.setPos(rect.left(), rect.center().y() - self.boundingRect().height() / 2)
        self.setZValue(Z_EDIT)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self._bg = QBrush(QColor("#ffffff"))
        self._pen = QPen(QColor(scene.theme.selection), 1.5)

    def select_all(self) -> None:
        cur = self.textCursor()
        cur.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cur)

    def paint(self, painter, option, widget=None) -> None:
        painter.setPen(self._pen)
        painter.setBrush(self._bg)
        painter.drawRect(self.boundingRect())
        super().paint(painter, option, widget)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.finish(True)
            return
        if key == Qt.Key.Key_Escape:
            self.finish(False)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().focusOutEvent(event)
        self.finish(True)

    def finish(self, commit: bool) -> None:
        if self._done:
            return
        self._done = True
        text = self.toPlainText()
        self._scene.end_edit(self, text if commit else None)


class MapScene(QGraphicsScene):
    #: the user dragged shapes: ({node id: (x, y)} before, {node id: (x, y)} after)
    nodesMoved = Signal(object, object)
    #: double-click on a shape / connector / lane header (the item)
    nodeDoubleClicked = Signal(object)
    edgeDoubleClicked = Signal(object)
    laneDoubleClicked = Signal(object)
    #: an inline label edit finished with new text: (item, text)
    labelEdited = Signal(object, str)
    #: the items were rebuilt or changed (for the overview)
    contentChanged = Signal()
    #: a handle drag finished: (undo text, old geometry, new geometry), each a dict of
    #: :func:`qms_desktop.services.map_geometry.set_geometry` keyword arguments
    geometryEdited = Signal(str, dict, dict)

    def __init__(self, theme: Theme = LIGHT, parent=None):
        super().__init__(parent)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.theme = theme
        self.paints = paints(theme)
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[int, EdgeItem] = {}
        self.lanes: dict[int, LaneItem] = {}
        self.expanded: set[int] = set()
        self.process_id: int | None = None
        self.container: int | None = None
        self.direction = "LR"
        self.detail = True
        self.snap_enabled = True
        #: False for a read-only workspace: shapes cannot be dragged
        self.editable = True
        self.editor: InlineEditor | None = None
        #: a drag of shapes in progress: [(item, x0, y0, [(inner shape, x0, y0), ...]), ...]
        self._drag: list | None = None
        self._drag_origin = QPointF()
        self._selected: set[QGraphicsItem] = set()
        self.selectionChanged.connect(self._restyle_selection)
        #: shapes whose label is still to be built (see :meth:`set_detail`)
        self._pending_labels: list[NodeItem] = []
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self._build_pending_labels)
        #: grab handles of the single selected shape, lane or connector (see handles.py)
        self.handles: Handles | None = None
        self._handle_drag: HandleDrag | None = None
        self._cursor_widget = None
        self._saved_cursor = None
        #: the zoom of the view showing the scene (the view keeps it up to date)
        self.view_scale = 1.0
        #: connectors whose label was placed roughly during a drag (placed properly after it)
        self.rough_labels: set[EdgeItem] = set()
        #: connectors routed the quick way during a drag (routed round shapes after it)
        self.rough_routes: set[EdgeItem] = set()
        #: a map is being opened: labels are placed finely after the first paint
        self.settling = False

    # ------------------------------------------------------------------ building
    def clear_map(self) -> None:
        self.cancel_edit()
        self._drag = None
        self._selected = set()
        self._pending_labels = []
        self._label_timer.stop()
        self._handle_drag = None
        self.rough_labels = set()
        self.rough_routes = set()
        self.handles = None  # (deleted with the other items)
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self.lanes.clear()
        self.expanded = set()

    def load(self, data: "MapData", container: int | None = None) -> None:
        """Show ``data`` (all items rebuilt); ``container`` opens a collapsed sub-process."""
        with gc_paused():
            self.clear_map()
            self.process_id = data.process_id
            self.container = container
            self.sync(data)

    def sync(self, data: "MapData") -> None:
        """Bring the items in line with ``data``, touching only what differs."""
        # the data changed under a handle drag (a key pressed meanwhile, an undo): its preview
        # and its idea of the map are stale, so it ends here
        self.cancel_handle_drag()
        if self.editor is not None and (
                getattr(self.editor.target, "nid", None) not in {r["id"] for r in data.nodes}):
            self.cancel_edit()
        self.process_id = data.process_id
        self.direction = flow_direction(data)
        shown, expanded = visible_nodes(data, self.container)
        rows = {r["id"]: r for r in data.nodes if r["id"] in shown}
        for nid in [n for n in self.nodes if n not in rows]:
            self._remove_node(nid)
        moved: set[int] = set()
        added: list[NodeItem] = []
        for nid, r in rows.items():
            item = self.nodes.get(nid)
            exp = nid in expanded
            if item is None:
                item = NodeItem(r, self.paints, expanded=exp)
                if not self.editable:
                    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)
                self.nodes[nid] = item
                added.append(item)
            else:
                pos = item.pos()
                if item.row != r or item.expanded != exp or (pos.x(), pos.y()) != (r["x"], r["y"]):
                    if (pos.x(), pos.y(), item.w, item.h) != (r["x"], r["y"], r["w"], r["h"]):
                        moved.add(nid)
                    item.apply(r, expanded=exp)
        for item in added:
            self.addItem(item)
            if self.detail:
                item.label  # noqa: B018 (built now: it is shown)
        self.expanded = expanded
        for item in self.nodes.values():
            item.inner = []
        for item in self.nodes.values():
            parent = item.row.get("parent_node_id")
            if parent in self.nodes and parent in expanded:
                self.nodes[parent].inner.append(item)
        self._sync_edges(data, moved)
        self._sync_lanes(data)
        self._selected = {i for i in self._selected if i.scene() is self}
        if self._handle_drag is None:
            self.update_handles()
        self.contentChanged.emit()

    def _sync_edges(self, data: "MapData", moved: set[int]) -> None:
        rows = {r["id"]: r for r in data.edges
                if r["source_id"] in self.nodes and r["target_id"] in self.nodes}
        for eid in [e for e in self.edges if e not in rows]:
            self._remove_edge(eid)
        fixed = parse_all_points({eid: r.get("waypoints") for eid, r in rows.items()
                                  if eid not in self.edges})
        for eid, r in rows.items():
            item = self.edges.get(eid)
            if item is not None and (item.source.nid, item.target.nid) != (r["source_id"],
                                                                          r["target_id"]):
                self._remove_edge(eid)
                item = None
            if item is None:
                item = EdgeItem(r, self.nodes[r["source_id"]], self.nodes[r["target_id"]],
                                self.paints, self.direction, fixed.get(eid), self)
                self.edges[eid] = item
                self.addItem(item)
                if self.detail:
                    item.label  # noqa: B018 (built now: it is shown)
                continue
            ends = r["source_id"] in moved or r["target_id"] in moved
            if item.direction != self.direction:
                item.direction = self.direction
                ends = True
            if ends or item.row != r:
                item.apply(r, ends_moved=ends)

    def _sync_lanes(self, data: "MapData") -> None:
        rows = {r["id"]: (i, r) for i, r in enumerate(data.lanes)} if self.container is None \
            else {}
        for lid in [x for x in self.lanes if x not in rows]:
            self.removeItem(self.lanes.pop(lid))
        for lid, (i, r) in rows.items():
            item = self.lanes.get(lid)
            if item is None:
                item = LaneItem(r, self.paints, i)
                item.label.setVisible(self.detail)
                self.lanes[lid] = item
                self.addItem(item)
            elif item.row != r or item.index != i:
                item.apply(r, i)

    def _remove_node(self, nid: int) -> None:
        item = self.nodes.pop(nid)
        for e in list(item.edges):
            if e.eid in self.edges:
                self._remove_edge(e.eid)
        if self.editor is not None and self.editor.target is item:
            self.cancel_edit()
        self._selected.discard(item)
        self.removeItem(item)

    def _remove_edge(self, eid: int) -> None:
        item = self.edges.pop(eid)
        item.detach()
        if self.editor is not None and self.editor.target is item:
            self.cancel_edit()
        self._selected.discard(item)
        self.removeItem(item)

    def set_editable(self, on: bool) -> None:
        """Shapes can be dragged only in a writable workspace."""
        self.editable = bool(on)
        for item in self.nodes.values():
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, self.editable)
        self.update_handles()

    # ------------------------------------------------------------------ level of detail
    def set_detail(self, on: bool) -> None:
        """Show or hide every label (the view hides them when zoomed out)."""
        if on == self.detail:
            return
        self.detail = on
        if on:
            # labels in (or near) view are built now; the others right after the first paint,
            # a slice per event-loop turn, so opening a big map does not wait for them
            area = self._shown_area()
            pending = []
            for item in self.nodes.values():
                if item.has_label():
                    item.label.setVisible(True)
                elif area is None or _meets(area, item.row):
                    item.label  # noqa: B018 (built now: it is shown)
                else:
                    pending.append(item)
            for e in self.edges.values():
                if e.has_label():
                    e.label.setVisible(True)
                elif not e.has_text():
                    continue
                elif area is None or area.intersects(e.bounds()):
                    e.label  # noqa: B018 (built now: it is shown)
                else:
                    pending.append(e)
            self._pending_labels = pending
            if pending:
                self._label_timer.start()
        else:
            self._pending_labels = []
            self._label_timer.stop()
            for item in self.nodes.values():
                if item.has_label():
                    item.label.setVisible(False)
            for e in self.edges.values():
                if e.has_label():
                    e.label.setVisible(False)
        for lane in self.lanes.values():
            lane.label.setVisible(on)
        self.update_handles()

    def _shown_area(self) -> QRectF | None:
        """The part of the scene the views show, widened by the room a label may take outside
        its shape (None when no view shows the scene)."""
        area = None
        for view in self.views():
            if not view.isVisible():
                continue
            r = view.mapToScene(view.viewport().rect()).boundingRect()
            area = r if area is None else area.united(r)
        return None if area is None else area.adjusted(-160.0, -80.0, 160.0, 80.0)

    def _build_pending_labels(self) -> None:
        """Build the next slice of labels left for later by :meth:`set_detail`."""
        pending = self._pending_labels
        if not self.detail or not pending:
            self._pending_labels = []
            return
        chunk, self._pending_labels = pending[:LABEL_SLICE], pending[LABEL_SLICE:]
        for item in chunk:
            if item.scene() is self and not item.has_label():
                item.label  # noqa: B018 (built now: detail is on)
        if self._pending_labels:
            self._label_timer.start()

    def flush_labels(self) -> None:
        """Build every label still waiting (before measuring or exporting the map)."""
        while self._pending_labels:
            self._build_pending_labels()
        self._label_timer.stop()

    def labels(self):
        for item in self.nodes.values():
            if item.has_label():
                yield item.label
        for e in self.edges.values():
            if e.has_label():
                yield e.label
        for lane in self.lanes.values():
            yield lane.label

    def set_label_cache(self, on: bool) -> None:
        """Labels are cached as pixmaps on screen; exports turn that off to keep text as text."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if on else \
            QGraphicsItem.CacheMode.NoCache
        for label in self.labels():
            label.setCacheMode(mode)

    # ------------------------------------------------------------------ queries
    def map_rect(self, margin: float = 20.0, *, tight: bool = False) -> QRectF:
        """The area the map covers, plus ``margin``. ``tight`` measures labels by their text
        (exports); otherwise by the room they may use (fast, for the view)."""
        if not tight:
            # from the data the items hold (cheaper than asking every item, labels included),
            # in one pass keeping running extremes
            inf = float("inf")
            x0 = y0 = inf
            x1 = y1 = -inf
            for item in self.nodes.values():
                p = item.pos()
                px, py = p.x(), p.y()
                row = item.row
                w, h = float(row.get("w") or 0), float(row.get("h") or 0)
                if w <= 0 and h <= 0:
                    continue  # (not drawn: a pool its file hides)
                kind = row.get("kind", "step")
                if kind == "decision":  # label above-left
                    ax, ay, bx, by = px - 120, py - 64, px + w, py + h
                elif kind in LABEL_BELOW:  # label below
                    spread = max(w * 2.4, 110.0)
                    ax = px + w / 2 - spread / 2
                    ay, bx, by = py, ax + spread, py + h + 64
                else:
                    ax, ay, bx, by = px, py, px + w, py + h
                if ax < x0:
                    x0 = ax
                if ay < y0:
                    y0 = ay
                if bx > x1:
                    x1 = bx
                if by > y1:
                    y1 = by
            for item in self.edges.values():
                ax, ay, bx, by = item.extent
                if item.has_text():
                    by += 20
                if ax < x0:
                    x0 = ax
                if ay < y0:
                    y0 = ay
                if bx > x1:
                    x1 = bx
                if by > y1:
                    y1 = by
            for item in self.lanes.values():
                b = item.scene_rect()
                x0, y0 = min(x0, b.left()), min(y0, b.top())
                x1, y1 = max(x1, b.right()), max(y1, b.bottom())
            r = QRectF(x0, y0, x1 - x0, y1 - y0) if x0 != inf else QRectF()
        else:
            r = QRectF()
            for item in self.nodes.values():
                r = r.united(item.sceneBoundingRect())
                if item.label.text:
                    r = r.united(item.label.mapRectToScene(item.label.text_rect()))
            for item in self.lanes.values():
                r = r.united(item.sceneBoundingRect())
            for item in self.edges.values():
                r = r.united(item.bounds())
                if item.label is not None and item.label.text:
                    r = r.united(item.label.mapRectToScene(item.label.text_rect()))
        if r.isNull() or r.isEmpty():
            return QRectF(0, 0, 400, 300)
        return r.adjusted(-margin, -margin, margin, margin)

    def lane_at(self, point: QPointF) -> int | None:
        """The lane under ``point`` (the innermost when lanes nest), or None."""
        best, area = None, None
        for lid, item in self.lanes.items():
            r = item.scene_rect()
            if r.contains(point):
                a = r.width() * r.height()
                if area is None or a < area:
                    best, area = lid, a
        return best

    def selected_ids(self) -> tuple[list[int], list[int], list[int]]:
        """(node ids, edge ids, lane ids) of the selection."""
        nodes, edges, lanes = [], [], []
        for item in self.selectedItems():
            if isinstance(item, NodeItem):
                nodes.append(item.nid)
            elif isinstance(item, EdgeItem):
                edges.append(item.eid)
            elif isinstance(item, LaneItem):
                lanes.append(item.lid)
        return sorted(nodes), sorted(edges), sorted(lanes)

    def select_ids(self, nodes: Iterable[int] = (), edges: Iterable[int] = (),
                   lanes: Iterable[int] = ()) -> list[QGraphicsItem]:
        """Select exactly these items; returns them."""
        want = [self.nodes[i] for i in nodes if i in self.nodes]
        want += [self.edges[i] for i in edges if i in self.edges]
        want += [self.lanes[i] for i in lanes if i in self.lanes]
        self.clearSelection()
        for item in want:
            item.setSelected(True)
        return want

    def descendants(self, item: NodeItem) -> list[NodeItem]:
        out, stack = [], list(item.inner)
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(c.inner)
        return out

    def snap_node(self, item: NodeItem, value: QPointF) -> QPointF:
        """Snap the centre of ``item`` to the grid."""
        cx = round((value.x() + item.w / 2) / GRID) * GRID
        cy = round((value.y() + item.h / 2) / GRID) * GRID
        return QPointF(cx - item.w / 2, cy - item.h / 2)

    def _restyle_selection(self) -> None:
        """Draw newly (de)selected shapes and connectors in the selection colour, or back."""
        now = set(self.selectedItems())
        for item in now ^ self._selected:
            restyle = getattr(item, "restyle", None)
            if restyle is not None and item.scene() is self:
                restyle()
        self._selected = now
        self.update_handles()

    def settle_after_paint(self) -> None:
        """Opening a map: connector labels take their first spot now and their proper one
        (clear of shapes) right after the first paint, so the map shows without waiting."""
        self.settling = True
        QTimer.singleShot(0, self._settle)

    def _settle(self) -> None:
        if not self.settling:
            return
        self.settling = False
        if not self.dragging:
            self.place_rough_labels()

    def place_rough_labels(self) -> None:
        """A drag ended: route the connectors routed the quick way meanwhile round the shapes
        in their way, and give the labels placed roughly their proper place."""
        routes, self.rough_routes = self.rough_routes, set()
        for e in routes:
            if e.scene() is self and not e.fixed:
                e.reroute()
        rough, self.rough_labels = self.rough_labels, set()
        for e in rough:
            if e.scene() is self:
                e._place_label()

    @property
    def dragging(self) -> bool:
        """Shapes are being dragged or a handle is (labels then skip their fine placement)."""
        return bool(self._drag) or self._handle_drag is not None

    # ------------------------------------------------------------------ handles
    def handle_target(self) -> QGraphicsItem | None:
        """The item whose handles show: the one selected shape, lane or connector, when the map
        may be edited and is zoomed in enough to read."""
        if not self.editable or not self.detail:
            return None
        sel = self.selectedItems()
        if len(sel) != 1 or not isinstance(sel[0], (NodeItem, LaneItem, EdgeItem)):
            return None
        return sel[0]

    def update_handles(self) -> None:
        """Show the handles of the selected item where it is now (or none)."""
        target = self.handle_target()
        if target is None:
            if self.handles is not None:
                self.handles.clear()
            return
        if self.handles is None:
            self.handles = Handles(self.theme.selection)
            self.addItem(self.handles)
        points, cursors = handles_of(self, target)
        self.handles.show_for(target, points, cursors)

    def handle_at(self, pos: QPointF):
        """The key of the handle under ``pos`` (scene coordinates), or None."""
        if self.handles is None or self._drag:
            return None
        return self.handles.hit(pos, self.view_scale)

    def begin_handle_drag(self, key, pos: QPointF) -> bool:
        target = self.handles.target if self.handles is not None else None
        if target is None or key is None:
            return False
        self._handle_drag = HandleDrag(self, target, key, pos)
        return True

    def cancel_handle_drag(self) -> bool:
        """Escape during a handle drag: everything back as it was. False when none runs."""
        drag, self._handle_drag = self._handle_drag, None
        if drag is None:
            return False
        drag.cancel()
        self.place_rough_labels()
        self.update_handles()
        return True

    def cancel_node_drag(self) -> bool:
        """Escape while shapes are dragged: they go back where they were and nothing is
        stored. False when no drag runs."""
        drag = self._drag
        if not drag:
            return False
        # an empty drag swallows the moves left until the button is released (Qt would
        # otherwise move the shapes itself)
        self._drag = []
        edges: set[EdgeItem] = set()
        for item, x0, y0, inner in drag:
            for n, x, y in [(item, x0, y0), *inner]:
                if n.scene() is self and (n.pos().x(), n.pos().y()) != (x, y):
                    n.setPos(x, y)
                    edges.update(n.edges)
        for e in edges:
            e.restore_route()
        self.place_rough_labels()
        self.update_handles()
        return True

    def _set_cursor(self, widget, shape) -> None:
        """Show a resize cursor over a handle; give the view its own cursor back after (the
        cross of connect mode, a pan hand…)."""
        if widget is None:
            return
        if shape is None:
            if self._cursor_widget is widget:
                saved, self._saved_cursor = self._saved_cursor, None
                if saved is None:
                    widget.unsetCursor()
                else:
                    widget.setCursor(saved)
                self._cursor_widget = None
            return
        if self._cursor_widget is not widget:
            self._saved_cursor = widget.cursor() if widget.testAttribute(
                Qt.WidgetAttribute.WA_SetCursor) else None
        widget.setCursor(shape)
        self._cursor_widget = widget

    # ------------------------------------------------------------------ mouse: dragging shapes
    # The scene moves dragged shapes itself (instead of Qt's per-item move with a Python
    # itemChange callback on every change of every item): one pass per mouse move, snapping,
    # the content of expanded sub-processes moving along, and each touched connector re-routed
    # once. The drop is reported as one nodesMoved signal, which the editor makes one undo step.
    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self.editable and \
                self.begin_handle_drag(self.handle_at(event.scenePos()), event.scenePos()):
            event.accept()  # a handle: no selection change, no rubber band
            return
        super().mousePressEvent(event)
        self._drag = None
        if event.button() != Qt.MouseButton.LeftButton or not self.editable:
            return
        grabber = self.mouseGrabberItem()
        if not isinstance(grabber, NodeItem) or not grabber.isSelected():
            return
        movable = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
        inside = set()
        for item in movable:
            inside.update(d.nid for d in self.descendants(item))
        drag = []
        for item in movable:
            if item.nid in inside:
                continue  # moves with the sub-process around it
            inner = [(d, d.pos().x(), d.pos().y()) for d in self.descendants(item)]
            drag.append((item, item.pos().x(), item.pos().y(), inner))
        self._drag = drag
        self._drag_origin = event.scenePos()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._handle_drag is not None:
            if event.buttons() & Qt.MouseButton.LeftButton:
                self._handle_drag.move(event.scenePos(), event.modifiers())
                points, cursors = self._handle_drag.handles()
                self.handles.show_for(self._handle_drag.target, points, cursors)
            event.accept()
            return
        if not event.buttons():
            key = self.handle_at(event.scenePos())
            self._set_cursor(event.widget(), None if key is None else
                             self.handles.cursor_for(key))
        if self._drag is None or not (event.buttons() & Qt.MouseButton.LeftButton):
            super().mouseMoveEvent(event)
            return
        if self.handles is not None and self.handles.isVisible():
            self.handles.clear()  # back where the shape lands
        d = event.scenePos() - self._drag_origin
        edges: set[EdgeItem] = set()
        for item, x0, y0, inner in self._drag:
            p = QPointF(x0 + d.x(), y0 + d.y())
            if self.snap_enabled:
                p = self.snap_node(item, p)
            if p == item.pos():
                continue
            item.setPos(p)
            edges.update(item.edges)
            dx, dy = p.x() - x0, p.y() - y0
            for c, cx, cy in inner:
                c.setPos(cx + dx, cy + dy)
                edges.update(c.edges)
        for e in edges:
            e.ends_moved()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._handle_drag is not None:
            hd, self._handle_drag = self._handle_drag, None
            event.accept()
            self.place_rough_labels()
            if hd.changed:
                hd.finish()
                self.geometryEdited.emit(hd.text, hd.old, hd.new)
            else:
                hd.cancel()
            self.update_handles()
            return
        super().mouseReleaseEvent(event)
        drag, self._drag = self._drag, None
        self.place_rough_labels()
        if not drag or event.button() != Qt.MouseButton.LeftButton:
            self.update_handles()
            return
        old, new = {}, {}
        for item, x0, y0, inner in drag:
            for n, x, y in [(item, x0, y0), *inner]:
                p = n.pos()
                if abs(p.x() - x) > 1e-6 or abs(p.y() - y) > 1e-6:
                    old[n.nid] = (x, y)
                    new[n.nid] = (p.x(), p.y())
        if new:
            self.nodesMoved.emit(old, new)
        self.update_handles()

    def node_double_clicked(self, item: NodeItem) -> None:
        self.nodeDoubleClicked.emit(item)

    def edge_double_clicked(self, item: EdgeItem) -> None:
        self.edgeDoubleClicked.emit(item)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        for item in self.items(event.scenePos()):
            if isinstance(item, LaneItem) and item.shape().contains(item.mapFromScene(event.scenePos())):
                self.laneDoubleClicked.emit(item)
                event.accept()
                return
            if isinstance(item, (NodeItem, EdgeItem, InlineEditor)):
                break
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------------ inline editing
    def begin_edit(self, item: QGraphicsItem) -> InlineEditor | None:
        """Edit the label of a shape, connector or lane in place."""
        self.cancel_edit()
        if isinstance(item, NodeItem):
            text = item.row.get("name") or ""
            x, y, w, h = item.box()
            width = max(w, 140.0)
            rect = QRectF(x + w / 2 - width / 2, y + h / 2 - 12, width, 24)
        elif isinstance(item, EdgeItem):
            text = item.row.get("label") or ""
            a = item.label_anchor()
            rect = QRectF(a.x() - 50, a.y() - 12, 100, 24)
        elif isinstance(item, LaneItem):
            text = item.row.get("name") or ""
            r = item.scene_rect()
            rect = QRectF(r.left() + 2, r.top() + 2, 180, 24)
        else:
            return None
        ed = InlineEditor(item, text, rect, self)
        self.addItem(ed)
        self.editor = ed
        ed.setFocus(Qt.FocusReason.OtherFocusReason)
        ed.select_all()
        return ed

    def end_edit(self, ed: InlineEditor, text: str | None) -> None:
        if self.editor is ed:
            self.editor = None
        target = ed.target
        QTimer.singleShot(0, lambda: ed.scene() is self and self.removeItem(ed))
        ed.setVisible(False)
        if text is not None and text != ed.original:
            self.labelEdited.emit(target, text)

    def cancel_edit(self) -> None:
        ed = self.editor
        if ed is None:
            return
        self.editor = None
        ed._done = True
        if ed.scene() is self:
            self.removeItem(ed)
