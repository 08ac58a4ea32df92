"""The shape palette: drag a shape onto the canvas (or double-click it to add it in the middle)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from .style import LIGHT, kind_titles, paints, shape_path
from .view import NODE_KIND_MIME

#: what the palette offers, in order
PALETTE_KINDS = ("start", "step", "decision", "subprocess", "document", "record", "end",
                 "event", "annotation")

ICON_SIZE = QSize(36, 28)


def kind_icon(kind: str, size: QSize = ICON_SIZE, ratio: float = 1.0) -> QIcon:
    """A small picture of a shape, drawn with the map's own outline and colours."""
    from ...core.processmap import DEFAULT_SIZES

    pm = QPixmap(int(size.width() * ratio), int(size.height() * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    w, h = DEFAULT_SIZES.get(kind, (100.0, 80.0))
    scale = min((size.width() - 4) / w, (size.height() - 4) / h)
    p = paints(LIGHT)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate((size.width() - w * scale) / 2, (size.height() - h * scale) / 2)
    painter.scale(scale, scale)
    pen = p.node_pen.get(kind, p.node_pen["step"])
    pen = type(pen)(pen)
    pen.setWidthF(max(pen.widthF(), 1.2) / max(scale, 0.05) * 0.6)
    painter.setPen(pen)
    painter.setBrush(p.node_brush.get(kind, p.node_brush["step"]))
    painter.drawPath(shape_path(kind, w, h))
    painter.end()
    return QIcon(pm)


class Palette(QListWidget):
    """The shapes the user can add. Emits :attr:`kindActivated` on double-click / Enter."""

    kindActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowchartPalette")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(ICON_SIZE)
        self.setUniformItemSizes(True)
        titles = kind_titles()
        ratio = self.devicePixelRatioF()
        for kind in PALETTE_KINDS:
            item = QListWidgetItem(kind_icon(kind, ICON_SIZE, ratio), titles[kind])
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setToolTip(self.tr("Drag onto the map, or double-click to add it in the middle"))
            self.addItem(item)
        self.itemActivated.connect(lambda it: self.kindActivated.emit(
            it.data(Qt.ItemDataRole.UserRole)))

    def kind_at(self, row: int) -> str:
        return self.item(row).data(Qt.ItemDataRole.UserRole)

    def mime_for(self, kind: str) -> QMimeData:
        md = QMimeData()
        md.setData(NODE_KIND_MIME, kind.encode("utf-8"))
        md.setText(kind)
        return md

    def startDrag(self, actions) -> None:  # noqa: N802 (Qt's name)
        item = self.currentItem()
        if item is None:
            return
        kind = item.data(Qt.ItemDataRole.UserRole)
        drag = QDrag(self)
        drag.setMimeData(self.mime_for(kind))
        drag.setPixmap(item.icon().pixmap(ICON_SIZE))
        drag.setHotSpot(QPointF(ICON_SIZE.width() / 2, ICON_SIZE.height() / 2).toPoint())
        drag.exec(Qt.DropAction.CopyAction)
