"""Map images: PNG (at a chosen DPI), SVG and PDF, and printing — the one place Qt renders maps.

:func:`render_map` works without a window (``qms export diagram`` calls it): it starts an
offscreen Qt application when none is running, builds the map's scene from the workspace and
paints it. The editor's Export and Print actions use the same functions, so the picture in a
procedure, in a PDF and on paper is the same.

Scene units are CSS pixels (1/96 inch), so a PNG at ``dpi`` is ``dpi / 96`` times the map's size
in pixels and carries that resolution in its header.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPagedPaintDevice, QPainter

    from ...storage.workspace import Workspace
    from .scene import MapScene

#: the largest PNG we write (pixels); beyond it SVG or PDF is the answer
MAX_PIXELS = 80_000_000
FORMATS = (".png", ".svg", ".pdf")

_APP = None


class DiagramExportError(ValueError):
    """A map image could not be written; the message says why and what to do."""


def ensure_app():
    """The running QApplication, or a new one (offscreen when there is no display)."""
    global _APP
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        return app
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _APP = QApplication(sys.argv[:1] or ["qms"])
    return _APP


def build_scene(ws: "Workspace", process_id: int, container: int | None = None) -> "MapScene":
    """A scene of the map (light theme, every label shown), read from the workspace."""
    from ...services.processes import load_map_data
    from .scene import MapScene
    from .style import LIGHT

    scene = MapScene(LIGHT)
    scene.load(load_map_data(ws, process_id), container)
    scene.set_label_cache(False)  # vector text in SVG and PDF, sharp text at any DPI
    return scene


def export_subtitle(ws: "Workspace") -> str:
    """Date and audit-trail head printed on every exported or printed map."""
    import datetime as dt

    return f"{dt.date.today().isoformat()} · audit trail head {ws.head_hash()[:16]}"


def map_title(ws: "Workspace", process_id: int) -> str:
    from ...services.processes import get_process

    p = get_process(ws, process_id)
    return f"{p.code} {p.name}".strip()


def image_size(source: "QRectF", dpi: float) -> tuple[int, int]:
    f = dpi / 96.0
    return max(1, math.ceil(source.width() * f)), max(1, math.ceil(source.height() * f))


def _check_dpi(dpi: float) -> None:
    if not (10 <= dpi <= 2400):
        raise DiagramExportError(f"{dpi:g} dpi is not a usable resolution; choose a value "
                                 "between 10 and 2400 (150 suits documents, 300 print).")


def _written(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        raise DiagramExportError(f"The diagram could not be written to {path}; check that the "
                                 "folder exists and that you may write there.")


def render_png(scene: "MapScene", path: Path, dpi: float = 150) -> Path:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    _check_dpi(dpi)
    src = scene.map_rect(tight=True)
    w, h = image_size(src, dpi)
    if w * h > MAX_PIXELS:
        best = int(96 * math.sqrt(MAX_PIXELS / max(src.width() * src.height(), 1)))
        raise DiagramExportError(
            f"The map is too large for a {dpi:g} dpi PNG ({w} x {h} pixels); choose {best} dpi "
            "or less, or export it as SVG or PDF, which have no size limit.")
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    if img.isNull():
        raise DiagramExportError(f"There is not enough memory for a {w} x {h} pixel image; "
                                 "choose a lower resolution or export SVG or PDF.")
    dpm = round(dpi / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    img.fill(QColor(scene.theme.background))
    painter = QPainter(img)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, QRectF(0, 0, w, h), src, Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    if not img.save(str(path), "PNG"):
        raise DiagramExportError(f"The image could not be written to {path}; check that the "
                                 "folder exists and that you may write there.")
    _written(path)
    return path


def render_svg(scene: "MapScene", path: Path, title: str = "", subtitle: str = "") -> Path:
    from PySide6.QtCore import QRect, QRectF, QSize, Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    src = scene.map_rect(tight=True)
    w, h = math.ceil(src.width()), math.ceil(src.height())
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRect(0, 0, w, h))
    gen.setResolution(96)
    gen.setTitle(title or "Process map")
    gen.setDescription("Exported by QMS Workbench" + (f" · {subtitle}" if subtitle else ""))
    painter = QPainter()
    if not painter.begin(gen):
        raise DiagramExportError(f"The drawing could not be written to {path}; check that the "
                                 "folder exists and that you may write there.")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, w, h), scene.paints.background)
    scene.render(painter, QRectF(0, 0, w, h), src, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    _written(path)
    return path


def paint_page(painter: "QPainter", page: "QRectF", scene: "MapScene", title: str = "",
               subtitle: str = "") -> None:
    """Draw a titled map scaled to fit ``page`` (device coordinates of a printer or PDF)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont, QFontMetricsF

    src = scene.map_rect(tight=True)
    top = page.top()
    if title:
        font = QFont(scene.paints.title_font)
        font.setPixelSize(max(8, int(page.height() * 0.028)))
        painter.setFont(font)
        painter.setPen(scene.paints.text)
        fm = QFontMetricsF(font)
        painter.drawText(QRectF(page.left(), top, page.width(), fm.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
        top += fm.height() * 1.2
        if subtitle:
            small = QFont(font)
            small.setBold(False)
            small.setPixelSize(max(6, int(font.pixelSize() * 0.6)))
            painter.setFont(small)
            fm2 = QFontMetricsF(small)
            painter.drawText(QRectF(page.left(), top, page.width(), fm2.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             subtitle)
            top += fm2.height() * 1.5
    area = QRectF(page.left(), top, page.width(), page.bottom() - top)
    scale = min(area.width() / src.width(), area.height() / src.height())
    w, h = src.width() * scale, src.height() * scale
    target = QRectF(area.left() + (area.width() - w) / 2, area.top(), w, h)
    scene.render(painter, target, src, Qt.AspectRatioMode.KeepAspectRatio)


def _page_setup(device: "QPagedPaintDevice", src: "QRectF") -> None:
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    landscape = src.width() >= src.height()
    size = QPageSize(QPageSize.PageSizeId.A4)
    # a long map gets a bigger sheet rather than shrinking below a third of its size
    a4_long = 297 / 25.4 * 96
    if max(src.width(), src.height()) / a4_long > 3:
        size = QPageSize(QPageSize.PageSizeId.A3)
    layout = QPageLayout(size, QPageLayout.Orientation.Landscape if landscape
                         else QPageLayout.Orientation.Portrait, QMarginsF(12, 12, 12, 12),
                         QPageLayout.Unit.Millimeter)
    device.setPageLayout(layout)


def render_pdf(scene: "MapScene", path: Path, title: str = "", subtitle: str = "") -> Path:
    from PySide6.QtGui import QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title or "Process map")
    writer.setCreator("QMS Workbench")
    _page_setup(writer, scene.map_rect(tight=True))
    painter = QPainter()
    if not painter.begin(writer):
        raise DiagramExportError(f"The PDF could not be written to {path}; check that the "
                                 "folder exists and that you may write there.")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    from PySide6.QtCore import QRectF

    paint_page(painter, QRectF(0, 0, page.width(), page.height()), scene, title, subtitle)
    painter.end()
    _written(path)
    return path


def print_scene(printer, scene: "MapScene", title: str = "", subtitle: str = "") -> None:
    """Print the map on one page of ``printer`` (a QPrinter, or what a preview hands over)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter

    _page_setup(printer, scene.map_rect(tight=True))
    painter = QPainter()
    if not painter.begin(printer):
        raise DiagramExportError("The printer could not be started; check that it is "
                                 "connected and try again.")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    page = printer.pageLayout().paintRectPixels(printer.resolution())
    paint_page(painter, QRectF(0, 0, page.width(), page.height()), scene, title, subtitle)
    painter.end()


def render_map(ws: "Workspace", process_id: int, path: str | os.PathLike, dpi: float = 150, *,
               container: int | None = None) -> Path:
    """Write the map of ``process_id`` to ``path``: ``.png`` at ``dpi``, ``.svg`` or ``.pdf``.

    Works headless. Raises :class:`DiagramExportError` (a ValueError) with a clear message when
    the format is unknown, the image would be too large or the file cannot be written, and the
    services' RecordError when the process does not exist."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DiagramExportError(f"“{path.name}” has no diagram format Workbench writes; end "
                                 "the file name with .png, .svg or .pdf.")
    if suffix == ".png":
        _check_dpi(dpi)
    ensure_app()
    scene = build_scene(ws, process_id, container)
    try:
        title = map_title(ws, process_id)
        if suffix == ".png":
            return render_png(scene, path, dpi)
        if suffix == ".svg":
            return render_svg(scene, path, title, export_subtitle(ws))
        return render_pdf(scene, path, title, export_subtitle(ws))
    finally:
        scene.clear_map()
        scene.deleteLater()
