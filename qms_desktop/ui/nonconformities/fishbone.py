"""The fishbone (Ishikawa) diagram of one nonconformity, painted on a QGraphicsScene.

The problem sits in the head at the right; the six 6M bones meet the spine; each cause is a
label along its bone. A root cause is bold, boxed and starts with "★ ROOT" — never marked by
colour alone. The view never writes: clicking a bone (or its name) asks for a new cause there
(:attr:`FishboneView.boneClicked`), double-clicking a cause asks to edit it
(:attr:`causeActivated`), its context menu marks the root or deletes
(:attr:`rootToggled`, :attr:`deleteRequested`); the page turns each into one undo step and the
controller's change brings the new causes back (:meth:`FishboneView.set_data`).
"""

from __future__ import annotations

import textwrap
from typing import Sequence

from PySide6.QtCore import QCoreApplication, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, \
    QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsScene, \
    QGraphicsSimpleTextItem, QGraphicsView, QMenu, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("nonconformities", text)


def category_label(cat: str) -> str:
    return {"man": tr("Man"), "machine": tr("Machine"), "method": tr("Method"),
            "material": tr("Material"), "measurement": tr("Measurement"),
            "environment": tr("Environment")}.get(cat, cat)


TOP = ("man", "machine", "method")
BOTTOM = ("material", "measurement", "environment")
W, H = 1120.0, 560.0
SPINE_Y, HEAD_X = 280.0, 880.0
BONE_ENDS = (300.0, 580.0, 860.0)
BONE_RISE = 230.0
BONE_RUN = 140.0
ROOT_PREFIX = "★ ROOT  "
KIND = 0      # item data key: "bone" / "cause"
VALUE = 1     # the category or the cause id


class _BoneItem(QGraphicsLineItem):
    """A bone: a line with a wide, easy to hit shape."""

    def shape(self) -> QPainterPath:  # noqa: D401 (Qt's name)
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(18)
        return stroker.createStroke(path)


class FishboneView(QGraphicsView):
    boneClicked = Signal(str)
    causeActivated = Signal(int)
    rootToggled = Signal(int)
    deleteRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fishbone")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.setMinimumHeight(220)
        self.setToolTip(tr("Click a bone to add a cause on it; double-click a cause to edit "
                           "it; right-click a cause to mark it as the root or delete it."))
        self.read_only = False
        self.problem = ""
        self.bones: dict[str, list] = {}
        self.cause_items: dict[int, QGraphicsSimpleTextItem] = {}
        self.bone_items: dict[str, QGraphicsLineItem] = {}
        self._build()

    # ------------------------------------------------------------------ drawing
    def _colours(self) -> tuple[QColor, QColor, QColor]:
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        dark = pal.color(QPalette.ColorRole.Base).lightness() < 128
        line = QColor("#8FB3E8") if dark else QColor("#1F3864")
        root = QColor("#FF8A80") if dark else QColor("#8B0000")
        return text, line, root

    def set_data(self, problem: str, bones: dict[str, Sequence]) -> None:
        """Show ``bones`` (category → causes with ``id``, ``text``, ``is_root``) for the
        problem ``problem``."""
        self.problem = problem
        self.bones = {k: list(v) for k, v in bones.items()}
        self._build()

    def _build(self) -> None:
        scene = self.scene()
        scene.clear()
        self.cause_items.clear()
        self.bone_items.clear()
        text_c, line_c, root_c = self._colours()
        pen = QPen(line_c, 3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        scene.addLine(QLineF(20, SPINE_Y, HEAD_X - 10, SPINE_Y), pen)
        arrow = QPolygonF([QPointF(HEAD_X - 4, SPINE_Y), QPointF(HEAD_X - 22, SPINE_Y - 9),
                           QPointF(HEAD_X - 22, SPINE_Y + 9)])
        scene.addPolygon(arrow, QPen(line_c, 1), QBrush(line_c))
        head = QRectF(HEAD_X, SPINE_Y - 80, W - HEAD_X - 10, 160)
        scene.addRect(head, QPen(line_c, 2), QBrush(QColor(line_c.red(), line_c.green(),
                                                           line_c.blue(), 40)))
        base = QFont(self.font())
        size = base.pointSizeF() if base.pointSizeF() > 0 else 9.0
        base.setPointSizeF(size * 1.7)   # the scene is scaled down to fit the view
        bold = QFont(base)
        bold.setBold(True)
        problem = "\n".join(textwrap.wrap(" ".join(self.problem.split()), 18)[:6]) or \
            tr("The problem")
        t = scene.addSimpleText(problem, bold)
        t.setBrush(QBrush(text_c))
        r = t.boundingRect()
        t.setPos(head.center().x() - r.width() / 2, head.center().y() - r.height() / 2)
        small = QFont(base)
        small.setPointSizeF(size * 1.35)
        root_font = QFont(small)
        root_font.setBold(True)
        for cats, sign in ((TOP, -1), (BOTTOM, 1)):
            for x_end, cat in zip(BONE_ENDS, cats):
                tip = QPointF(x_end - BONE_RUN, SPINE_Y + sign * BONE_RISE)
                bone = _BoneItem(QLineF(tip, QPointF(x_end, SPINE_Y)))
                bone.setPen(pen)
                bone.setData(KIND, "bone")
                bone.setData(VALUE, cat)
                bone.setCursor(Qt.CursorShape.PointingHandCursor)
                bone.setToolTip(tr("Click to add a cause on the {bone} bone").format(
                    bone=category_label(cat)))
                scene.addItem(bone)
                self.bone_items[cat] = bone
                label = scene.addSimpleText(f"{category_label(cat)}  +", bold)
                label.setBrush(QBrush(line_c))
                lr = label.boundingRect()
                label.setPos(tip.x() - lr.width() / 2,
                             tip.y() - lr.height() - 4 if sign < 0 else tip.y() + 4)
                label.setData(KIND, "bone")
                label.setData(VALUE, cat)
                label.setCursor(Qt.CursorShape.PointingHandCursor)
                label.setToolTip(bone.toolTip())
                causes = self.bones.get(cat, [])
                n = len(causes)
                for k, cause in enumerate(causes):
                    f = (k + 1) / (n + 1)
                    p = QPointF(tip.x() + (x_end - tip.x()) * f,
                                tip.y() + (SPINE_Y - tip.y()) * f)
                    scene.addLine(QLineF(p.x() - 14, p.y(), p.x(), p.y()), QPen(line_c, 1))
                    words = textwrap.wrap(" ".join((cause.text or "").split()), 20)
                    text = "\n".join(words[:3]) + ("…" if len(words) > 3 else "")
                    text = text or tr("(no text)")
                    if cause.is_root:
                        text = ROOT_PREFIX + text
                    item = scene.addSimpleText(text, root_font if cause.is_root else small)
                    item.setBrush(QBrush(root_c if cause.is_root else text_c))
                    br = item.boundingRect()
                    item.setPos(p.x() - 18 - br.width(), p.y() - br.height() / 2)
                    item.setData(KIND, "cause")
                    item.setData(VALUE, cause.id)
                    item.setToolTip((tr("Root cause: ") if cause.is_root else "")
                                    + (cause.text or ""))
                    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
                    if cause.is_root:
                        box = scene.addRect(item.sceneBoundingRect().adjusted(-4, -2, 4, 2),
                                            QPen(root_c, 1.5))
                        box.setZValue(-1)
                    self.cause_items[cause.id] = item
        scene.setSceneRect(QRectF(0, -10, W, H + 20))
        self._fit()

    def _fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    # ------------------------------------------------------------------ gestures
    def hit(self, pos) -> tuple[str, object] | None:
        for item in self.items(pos):
            kind = item.data(KIND)
            if kind in ("bone", "cause"):
                return kind, item.data(VALUE)
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802
        hit = self.hit(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and hit and hit[0] == "bone" \
                and not self.read_only:
            self.boneClicked.emit(str(hit[1]))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        hit = self.hit(event.position().toPoint())
        if hit and hit[0] == "cause" and not self.read_only:
            self.causeActivated.emit(int(hit[1]))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        hit = self.hit(event.pos())
        if not hit or hit[0] != "cause" or self.read_only:
            return
        cid = int(hit[1])
        menu = QMenu(self)
        menu.addAction(tr("Edit…"), lambda: self.causeActivated.emit(cid))
        menu.addAction(tr("Mark / unmark as root cause"), lambda: self.rootToggled.emit(cid))
        menu.addAction(tr("Delete"), lambda: self.deleteRequested.emit(cid))
        menu.exec(event.globalPos())

    def scene_pos_of_bone(self, cat: str) -> QPointF:
        """The middle of bone ``cat`` in view coordinates (for tests and keyboard help)."""
        line = self.bone_items[cat].line()
        return self.mapFromScene(line.pointAt(0.5))


__all__ = ["FishboneView", "category_label"]
