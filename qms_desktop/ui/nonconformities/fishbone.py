"""The fishbone (Ishikawa) diagram of one nonconformity, painted on a QGraphicsScene.

The problem sits in the head at the right; the six 6M bones meet the spine; each cause is a
label along its bone, wrapped to two lines (the full text is its tooltip) and laid out clear of
the bones and of each other (bones grow longer and further apart for more or wider causes).
Causes are drawn at the table font's size at 100 %. The view fits the whole diagram in
(:meth:`FishboneView.fit`, the default on first show and while the view is resized; the page's
"Fit" button) but never below :data:`MIN_SCALE`, where a cause reads at 0.8 of the table font —
it scrolls instead; Ctrl+0 shows it at 100 % (:meth:`FishboneView.actual_size`), Ctrl+wheel and
Ctrl++ / Ctrl+- zoom. A root cause is bold, boxed and starts with "★ ROOT" — never marked by
colour alone. The view never writes: clicking a bone (or its name) asks for a new cause there
(:attr:`FishboneView.boneClicked`), double-clicking a cause asks to edit it
(:attr:`causeActivated`), its context menu marks the root or deletes
(:attr:`rootToggled`, :attr:`deleteRequested`); the page turns each into one undo step and the
controller's change brings the new causes back (:meth:`FishboneView.set_data`).
"""

from __future__ import annotations

import math
import textwrap
from typing import Sequence

from PySide6.QtCore import QCoreApplication, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontInfo, QFontMetricsF, QPainter, \
    QPainterPath, QPainterPathStroker, QPalette, QPen, QPolygonF, QTransform
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
#: the least height of a bone and the least distance between two bones (scene units)
BONE_RISE = 150.0
BONE_SPACING = 200.0
#: how far a bone leans: across per unit up
RUN_PER_RISE = 140.0 / 230.0
#: the smallest and largest scale of the fit: at 1.0 (100 %) a cause is the table font's
#: size, at MIN_SCALE 0.8 of it (still readable)
MIN_SCALE = 0.8
MAX_SCALE = 1.5
#: the zoom steps of Ctrl++ / Ctrl+- and Ctrl+wheel, and their bounds
ZOOM_STEP = 1.15
ZOOM_RANGE = (0.3, 3.0)
#: a cause label wraps at this many letters, on two lines at most (the tooltip is the text)
WRAP = 20
PAD = 4.0
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
        #: True while the view fits the diagram (it refits when resized); a zoom ends it
        self.fitting = True
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
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

    def fonts(self) -> tuple[QFont, QFont, QFont]:
        """(cause, root cause, bone name / problem) fonts of the scene: at 100 % a cause reads
        at the table font's size."""
        base = QFont(self.font())
        px = QFontInfo(base).pixelSize() or 12
        small = QFont(base)
        small.setPixelSize(px)
        root = QFont(small)
        root.setBold(True)
        bold = QFont(base)
        bold.setPixelSize(math.ceil(px * 1.1))
        bold.setBold(True)
        return small, root, bold

    def _build(self) -> None:
        scene = self.scene()
        scene.clear()
        self.cause_items.clear()
        self.bone_items.clear()
        text_c, line_c, root_c = self._colours()
        small, root_font, bold = self.fonts()
        pen = QPen(line_c, 3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        # 1. the cause labels, wrapped to two lines (the full text is the tooltip), measured
        labels: dict[str, list[QGraphicsSimpleTextItem]] = {}
        for cat in TOP + BOTTOM:
            items = []
            for cause in self.bones.get(cat, []):
                words = textwrap.wrap(" ".join((cause.text or "").split()), WRAP)
                text = "\n".join(words[:2]) + ("…" if len(words) > 2 else "")
                text = text or tr("(no text)")
                if cause.is_root:
                    text = ROOT_PREFIX + text
                item = QGraphicsSimpleTextItem(text)
                item.setFont(root_font if cause.is_root else small)
                item.setBrush(QBrush(root_c if cause.is_root else text_c))
                item.setData(KIND, "cause")
                item.setData(VALUE, cause.id)
                item.setToolTip((tr("Root cause: ") if cause.is_root else "")
                                + (cause.text or ""))
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
                items.append(item)
                self.cause_items[cause.id] = item
            labels[cat] = items
        every = [i for items in labels.values() for i in items]
        line_h = QFontMetricsF(small).lineSpacing()
        label_h = max([i.boundingRect().height() for i in every] + [2 * line_h]) + 2 * PAD
        label_w = max([i.boundingRect().width() for i in every] + [8 * line_h]) + 2 * PAD
        most = max([len(v) for v in labels.values()] + [1])
        # 2. the bones: long enough for their labels one above the other, far enough apart
        # for the widest label between two bones
        rise = max(BONE_RISE, (most + 1) * (label_h + 6))
        run = rise * RUN_PER_RISE
        slant = (label_h / 2) * RUN_PER_RISE     # how far a bone moves across half a label
        gap = slant + 10
        spacing = max(BONE_SPACING, label_w + gap + slant + 12)
        name_h = QFontMetricsF(bold).lineSpacing() + 8
        spine_y = name_h + rise + 10
        first = 10 + label_w + gap + run
        ends = [first + k * spacing for k in range(3)]
        head_x = ends[-1] + 40
        scene.addLine(QLineF(first - run, spine_y, head_x - 10, spine_y), pen)
        arrow = QPolygonF([QPointF(head_x - 4, spine_y), QPointF(head_x - 22, spine_y - 9),
                           QPointF(head_x - 22, spine_y + 9)])
        scene.addPolygon(arrow, QPen(line_c, 1), QBrush(line_c))
        problem = "\n".join(textwrap.wrap(" ".join(self.problem.split()), 15)[:7]) or \
            tr("The problem")
        t = scene.addSimpleText(problem, bold)
        t.setBrush(QBrush(text_c))
        r = t.boundingRect()
        head = QRectF(head_x, spine_y - max(80, r.height() / 2 + 12), r.width() + 28,
                      max(160, r.height() + 24))
        box = scene.addRect(head, QPen(line_c, 2), QBrush(QColor(
            line_c.red(), line_c.green(), line_c.blue(), 40)))
        box.setZValue(-1)
        t.setPos(head.center().x() - r.width() / 2, head.center().y() - r.height() / 2)
        for cats, sign in ((TOP, -1), (BOTTOM, 1)):
            for x_end, cat in zip(ends, cats):
                tip = QPointF(x_end - run, spine_y + sign * rise)
                bone = _BoneItem(QLineF(tip, QPointF(x_end, spine_y)))
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
                items = labels[cat]
                n = len(items)
                for k, item in enumerate(items):
                    f = (k + 1) / (n + 1)
                    p = QPointF(tip.x() + (x_end - tip.x()) * f,
                                tip.y() + (spine_y - tip.y()) * f)
                    br = item.boundingRect()
                    # clear of the bone over the label's whole height (it slants)
                    right = p.x() - (br.height() / 2 + PAD) * RUN_PER_RISE - 8
                    scene.addLine(QLineF(right + 2, p.y(), p.x(), p.y()), QPen(line_c, 1))
                    scene.addItem(item)
                    item.setPos(right - PAD - br.width(), p.y() - br.height() / 2)
                    if str(item.text()).startswith(ROOT_PREFIX):
                        frame = scene.addRect(item.sceneBoundingRect().adjusted(
                            -PAD, -PAD / 2, PAD, PAD / 2), QPen(root_c, 1.5))
                        frame.setZValue(-1)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-6, -6, 6, 6))
        if self.fitting:
            self._fit()

    def fit_scale(self, width: float | None = None, height: float | None = None) -> float:
        """The scale at which the whole diagram fits a viewport of ``width`` × ``height``
        (the view's own by default), before the bounds of :meth:`fit`."""
        rect = self.scene().sceneRect()
        view = self.viewport().rect()
        w = view.width() if width is None else width
        h = view.height() if height is None else height
        if rect.isEmpty() or w <= 0 or h <= 0:
            return 1.0
        return min(w / rect.width(), h / rect.height())

    def _fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isEmpty() or self.viewport().rect().isEmpty():
            return
        scale = max(MIN_SCALE, min(MAX_SCALE, self.fit_scale()))
        self.setTransform(QTransform.fromScale(scale, scale))
        self.centerOn(rect.center())

    def fit(self) -> None:
        """Fit the whole diagram in the view (and keep fitting it while the view is
        resized), but never below :data:`MIN_SCALE`: smaller than that, it scrolls."""
        self.fitting = True
        self._fit()

    def actual_size(self) -> None:
        """100 %: a cause at the table font's size."""
        self.set_zoom(1.0)

    def set_zoom(self, scale: float) -> None:
        self.fitting = False
        scale = max(ZOOM_RANGE[0], min(ZOOM_RANGE[1], scale))
        self.setTransform(QTransform.fromScale(scale, scale))

    def zoom(self) -> float:
        return self.transform().m11()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.fitting:
            self._fit()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.fitting:
            self._fit()

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP
            self.set_zoom(self.zoom() * step)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            key = event.key()
            if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.set_zoom(self.zoom() * ZOOM_STEP)
                return
            if key == Qt.Key.Key_Minus:
                self.set_zoom(self.zoom() / ZOOM_STEP)
                return
        super().keyPressEvent(event)

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
