"""The canvas (zoom, pan, grid, drops from the palette, connecting shapes) and its overview."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QPixmapCache
from PySide6.QtWidgets import QFrame, QGraphicsLineItem, QGraphicsView, QSizePolicy, QWidget

from .items import EdgeItem, LaneItem, NodeItem
from .scene import InlineEditor, MapScene
from .style import DETAIL_SCALE, GRID

#: mime type of a palette drag: the node kind as UTF-8
NODE_KIND_MIME = "application/x-qms-node-kind"

MIN_SCALE, MAX_SCALE = 0.02, 8.0

#: the zoom a map opens at when fitting its width would make its labels unreadable
READABLE_SCALE = 0.75
#: the smallest zoom a map opens at fitted to the window (or to its width): its 12 px labels are
#: then at least 5.4 px high, small but readable
READABLE_FIT_SCALE = 0.45
#: room left around a fitted map, in screen pixels
FIT_MARGIN = 12.0

#: keys the editor handles itself even when the main window has shortcuts for them
_EDITOR_KEYS = {
    Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2, Qt.Key.Key_Left, Qt.Key.Key_Right,
    Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Escape,
}
_EDITOR_SEQUENCES = (QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut,
                     QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.SelectAll)


class MapView(QGraphicsView):
    #: the zoom factor changed
    zoomChanged = Signal(float)
    #: a palette item was dropped: (kind, scene position)
    kindDropped = Signal(str, QPointF)
    #: the user drew a connector from one shape to another: (source item, target item)
    connectRequested = Signal(object, object)
    #: keys for the editor: "delete", "rename", "copy", "cut", "paste", "select_all",
    #: "escape", or ("nudge", dx, dy)
    command = Signal(object)
    #: right click: (global position, scene position)
    contextMenuRequested = Signal(QPoint, QPointF)
    #: the visible area changed (scrolling, zooming, resizing)
    viewportMoved = Signal()
    #: a fit that keeps labels readable (how a map opens) was done: True when it shows only
    #: part of the map
    readableFit = Signal(bool)

    def __init__(self, scene: MapScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # one rectangle around what changed: cheapest for a drag (a shape and its connectors)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        # room for the label pixmaps of a screenful of shapes at high zoom (Qt's default is 10 MB)
        if QPixmapCache.cacheLimit() < 64 * 1024:
            QPixmapCache.setCacheLimit(64 * 1024)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.connect_mode = False
        self._connect_from: NodeItem | None = None
        self._connect_line: QGraphicsLineItem | None = None
        self._pan_from: QPointF | None = None
        self._space = False
        #: fit the map to the window at every resize (a pane folding or unfolding, the window
        #: resizing) until the user zooms or scrolls
        self.fit_pending = False
        #: the pending fit keeps labels readable (see :meth:`zoom_fit`)
        self._fit_readable = False
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self.viewportMoved)
            # the user moved a scroll bar (dragged, clicked, wheel, Page Down): the view is theirs
            bar.actionTriggered.connect(self._user_scrolled)

    def map_scene(self) -> MapScene:
        return self.scene()  # type: ignore[return-value]

    # ------------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        self.fit_pending = False
        factor = max(MIN_SCALE, min(MAX_SCALE, factor))
        current = self.zoom()
        if current <= 0 or abs(factor - current) < 1e-9:
            return
        old_anchor = self.transformationAnchor()
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor / current, factor / current)
        self.setTransformationAnchor(old_anchor)
        self._zoomed()

    def zoom_by(self, steps: float) -> None:
        self.fit_pending = False
        self.set_zoom(self.zoom() * math.pow(1.2, steps), anchor=QPointF())

    def request_fit(self, rect: QRectF | None = None, *, readable: bool = True) -> None:
        """Fit now and again whenever the view is resized, until the user zooms.

        With ``readable`` (how a map opens) a map too big to fit with legible labels is fitted
        to its width, or shown at :data:`READABLE_SCALE` from its start when even that would
        make its labels too small (see :meth:`zoom_fit`)."""
        self.fit_pending = True
        self._fit_readable = readable
        self.zoom_fit(rect, readable=readable)
        self.fit_pending = True

    def _user_scrolled(self, _action: int) -> None:
        self.fit_pending = False

    def zoom_fit(self, rect: QRectF | None = None, *, readable: bool = False) -> None:
        """Show the whole map (never above 100 %).

        With ``readable``, when the whole map would only fit below
        :data:`READABLE_FIT_SCALE`, fit its width instead (from its top) when that is readable,
        else zoom to :data:`READABLE_SCALE` and show the start of the flow: the map's top-left
        corner, or its start event when that is elsewhere."""
        self.fit_pending = False
        sc = self.map_scene()
        rect = rect if rect is not None else sc.map_rect()
        self.setSceneRect(self._scene_area(rect))
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:  # never blow a small map up
            self.resetTransform()
            self.centerOn(rect.center())
        elif readable and self.zoom() < READABLE_FIT_SCALE:
            width = self.fit_width_scale(rect)
            self.resetTransform()
            if width >= READABLE_FIT_SCALE:
                self.scale(width, width)
            else:
                self.scale(READABLE_SCALE, READABLE_SCALE)
            self.show_start(rect)
        self._zoomed()
        if readable:
            whole = self.visible_scene_rect().adjusted(-1, -1, 1, 1).contains(rect)
            self.readableFit.emit(not whole)

    def fit_width_scale(self, rect: QRectF | None = None) -> float:
        """The zoom (at most 100 %) at which the map's width fills the window."""
        rect = rect if rect is not None else self.map_scene().map_rect()
        room = self.viewport().width() - 2 * FIT_MARGIN
        if rect.width() <= 0 or room <= 0:
            return 1.0
        return min(1.0, room / rect.width())

    def show_start(self, rect: QRectF | None = None) -> None:
        """Scroll so the start of the flow is in view: the map's top-left corner (centred
        vertically when the map is not taller than the window), or its first start event
        when that corner does not show it."""
        rect = rect if rect is not None else self.map_scene().map_rect()
        z = self.zoom() or 1.0
        vw, vh = self.viewport().width() / z, self.viewport().height() / z
        margin = 2 * FIT_MARGIN / z
        cx = rect.left() - margin + vw / 2 if rect.width() + 2 * margin > vw else rect.center().x()
        cy = rect.top() - margin + vh / 2 if rect.height() + 2 * margin > vh else rect.center().y()
        self.centerOn(QPointF(cx, cy))
        starts = sorted((n for n in self.map_scene().nodes.values() if n.kind == "start"),
                        key=lambda n: (n.box()[0], n.box()[1]))
        if starts and not self.visible_scene_rect().contains(starts[0].sceneBoundingRect()):
            self.ensureVisible(starts[0], 40, 40)

    def zoom_actual(self) -> None:
        self.fit_pending = False
        center = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(center)
        self._zoomed()

    def _zoomed(self) -> None:
        z = self.zoom()
        self.map_scene().view_scale = z
        self.map_scene().set_detail(z >= DETAIL_SCALE - 1e-9)  # (scaling rounds)
        self.zoomChanged.emit(z)
        self.viewportMoved.emit()

    def _scene_area(self, rect: QRectF) -> QRectF:
        """Room around the map so the user can scroll it anywhere on screen."""
        pad_x, pad_y = max(rect.width(), 800.0), max(rect.height(), 600.0)
        return rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def update_scene_rect(self, rect: QRectF | None = None) -> QRectF:
        """Let the view scroll around the map (``rect``: the map's area, if known)."""
        rect = rect if rect is not None else self.map_scene().map_rect()
        self.setSceneRect(self._scene_area(rect))
        return rect

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        mods = event.modifiers()
        if mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            super().wheelEvent(event)  # scroll
            return
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            return
        self.fit_pending = False
        self.set_zoom(self.zoom() * math.pow(1.2, delta / 120.0), anchor=event.position())
        event.accept()

    # ------------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt's name)
        sc = self.map_scene()
        p = sc.paints
        painter.fillRect(rect, p.background)
        step = GRID * 2
        if self.zoom() * step < 8:
            return
        painter.setPen(p.grid_pen)
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        lines = []
        x = left
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.drawLines(lines)

    # ------------------------------------------------------------------ keys
    def _editing(self) -> bool:
        return isinstance(self.map_scene().focusItem(), InlineEditor)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and not self._editing():
            if event.key() in _EDITOR_KEYS and not (
                    event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                event.accept()
                return True
            if any(event.matches(k) for k in _EDITOR_SEQUENCES):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # (the keys that zoom or scroll end a pending fit themselves; a modifier pressed for a
        # shortcut such as Ctrl+Shift+1 must not)
        if self._editing():
            super().keyPressEvent(event)
            return
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                  Qt.Key.Key_Down: (0, 1)}
        if key in arrows:
            dx, dy = arrows[key]
            step = 1.0 if shift else GRID
            self.command.emit(("nudge", dx * step, dy * step))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.command.emit("delete")
        elif key == Qt.Key.Key_F2:
            self.command.emit("rename")
        elif key == Qt.Key.Key_Escape:
            self.command.emit("escape")
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.command.emit("copy")
        elif event.matches(QKeySequence.StandardKey.Cut):
            self.command.emit("cut")
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.command.emit("paste")
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.command.emit("select_all")
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(-1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space:
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ------------------------------------------------------------------ mouse
    def _node_at(self, pos) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.MiddleButton or self._space:
            self.fit_pending = False  # the user pans: keep the view where they put it
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        wants_connect = self.connect_mode or (
            event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if event.button() == Qt.MouseButton.LeftButton and wants_connect and not self._editing():
            node = self._node_at(event.position().toPoint())
            if node is not None:
                self._connect_from = node
                c = node.center()
                line = QGraphicsLineItem(c.x(), c.y(), c.x(), c.y())
                pen = QPen(QColor(self.map_scene().theme.selection), 1.5, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                line.setPen(pen)
                line.setZValue(999)
                self.map_scene().addItem(line)
                self._connect_line = line
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
            event.accept()
            return
        if self._connect_line is not None and self._connect_from is not None:
            c = self._connect_from.center()
            p = self.mapToScene(event.position().toPoint())
            self._connect_line.setLine(c.x(), c.y(), p.x(), p.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._pan_from is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._connect_line is not None:
            src = self._connect_from
            self.map_scene().removeItem(self._connect_line)
            self._connect_line = None
            self._connect_from = None
            tgt = self._node_at(event.position().toPoint())
            if src is not None and tgt is not None and tgt is not src:
                self.connectRequested.emit(src, tgt)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._editing():
            super().contextMenuEvent(event)
            return
        self.contextMenuRequested.emit(event.globalPos(), self.mapToScene(event.pos()))
        event.accept()

    def cancel_connect(self) -> bool:
        """Escape while drawing a connector: nothing is connected. False when none is drawn."""
        if self._connect_line is None:
            return False
        if self._connect_line.scene() is not None:
            self._connect_line.scene().removeItem(self._connect_line)
        self._connect_line = None
        self._connect_from = None
        return True

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt's name)
        super().scrollContentsBy(dx, dy)
        self.viewportMoved.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fit_pending:
            self.zoom_fit(readable=self._fit_readable)
            self.fit_pending = True
        self.viewportMoved.emit()

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasFormat(NODE_KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasFormat(NODE_KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        md = event.mimeData()
        if md.hasFormat(NODE_KIND_MIME):
            kind = bytes(md.data(NODE_KIND_MIME)).decode("utf-8")
            self.kindDropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        super().dropEvent(event)

    def items_under(self, pos) -> list:
        return [i for i in self.items(pos) if isinstance(i, (NodeItem, EdgeItem, LaneItem))]


class Overview(QWidget):
    """A small picture of the whole map with the visible area outlined; click or drag in it to
    move the view there. The picture is re-rendered lazily after changes, never while dragging."""

    def __init__(self, view: MapView, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.setMinimumSize(QSize(160, 110))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Overview: click or drag to move the view"))
        self._image: QImage | None = None
        self._source = QRectF()
        self._target = QRectF()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.render_now)
        view.viewportMoved.connect(self.update)
        view.map_scene().contentChanged.connect(self.invalidate)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(220, 150)

    def invalidate(self) -> None:
        self._timer.start()

    def render_now(self) -> None:
        """Draw the map in miniature: lanes as bands, connectors as hairlines, shapes as blocks
        in their kind's colour (a scaled-down rendering would leave hairline borders invisible)."""
        self._timer.stop()
        sc = self.view.map_scene()
        src = sc.map_rect()
        size = self.size()
        if size.width() < 10 or size.height() < 10:
            return
        ratio = self.devicePixelRatioF()
        img = QImage(int(size.width() * ratio), int(size.height() * ratio),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(ratio)
        img.fill(QColor(sc.theme.background))
        scale = min(size.width() / max(src.width(), 1), size.height() / max(src.height(), 1))
        w, h = src.width() * scale, src.height() * scale
        target = QRectF((size.width() - w) / 2, (size.height() - h) / 2, w, h)
        p = sc.paints
        painter = QPainter(img)
        painter.translate(target.left(), target.top())
        painter.scale(scale, scale)
        painter.translate(-src.left(), -src.top())
        lane_pen = QPen(QColor(sc.theme.lane_line), 0)
        for i, lane in enumerate(sc.lanes.values()):
            r = lane.scene_rect()
            painter.fillRect(r, p.lane_fill[i % 2])
            painter.fillRect(lane.header_rect().translated(lane.pos()), p.lane_header)
            painter.setPen(lane_pen)
            painter.drawRect(r)
        lines = []
        for e in sc.edges.values():
            pts = e.points
            lines.extend(QLineF(a[0], a[1], b[0], b[1]) for a, b in zip(pts, pts[1:]))
        edge = QColor(sc.theme.edge)
        edge.setAlpha(150)
        painter.setPen(QPen(edge, 0))
        painter.drawLines(lines)
        by_kind: dict[str, list[QRectF]] = {}
        for item in sc.nodes.values():
            x, y, bw, bh = item.box()
            by_kind.setdefault(item.kind, []).append(QRectF(x, y, bw, bh))
        painter.setPen(Qt.PenStyle.NoPen)
        for kind, rects in by_kind.items():
            if kind in ("pool", "annotation"):
                continue
            painter.setBrush(p.node_pen.get(kind, p.node_pen["step"]).color())
            painter.drawRects(rects)
        painter.end()
        self._image, self._source, self._target = img, src, target
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.invalidate()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.invalidate()

    def _to_widget(self, p: QPointF) -> QPointF:
        s, t = self._source, self._target
        if s.width() <= 0 or s.height() <= 0:
            return QPointF()
        return QPointF(t.left() + (p.x() - s.left()) * t.width() / s.width(),
                       t.top() + (p.y() - s.top()) * t.height() / s.height())

    def _to_scene(self, p: QPointF) -> QPointF:
        s, t = self._source, self._target
        if t.width() <= 0 or t.height() <= 0:
            return QPointF()
        return QPointF(s.left() + (p.x() - t.left()) * s.width() / t.width(),
                       s.top() + (p.y() - t.top()) * s.height() / t.height())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.view.map_scene().theme.background))
        if self._image is not None:
            painter.drawImage(0, 0, self._image)
            vis = self.view.visible_scene_rect()
            a, b = self._to_widget(vis.topLeft()), self._to_widget(vis.bottomRight())
            r = QRectF(a, b).intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1))
            if not r.adjusted(-2, -2, 2, 2).contains(self._target):  # shows only part of it
                color = QColor(self.view.map_scene().theme.selection)
                painter.setPen(QPen(color, 1.5))
                color.setAlpha(40)
                painter.setBrush(color)
                painter.drawRect(r)
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self.view.centerOn(self._to_scene(event.position()))
            event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self._to_scene(event.position()))
            event.accept()
