"""Map images: PNG (at a chosen DPI), SVG and PDF, and printing — the one place Qt renders maps.

:func:`render_map` works without a window (``qms export diagram`` calls it): it starts an
offscreen Qt application when none is running, builds the map's scene from the workspace and
paints it. The editor's Export and Print actions use the same functions, so the picture in a
procedure, in a PDF and on paper is the same.

Scene units are CSS pixels (1/96 inch), so a PNG at ``dpi`` is ``dpi / 96`` times the map's size
in pixels and carries that resolution in its header.

PDF and printing lay the map out on sheets (:class:`PageOptions`): one page scaled to fit, or a
grid of overlapping tiles at a readable or chosen scale that can be taped together. Planning
(:func:`plan_pages`, :func:`tile_grid`) is pure arithmetic on a :class:`MapGeometry`, so it is
tested without painting; :func:`paint_sheet` draws one sheet of a :class:`PagePlan`.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from dataclasses import dataclass
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


class TooManyPagesError(DiagramExportError):
    """The chosen layout needs more than :data:`MAX_PAGES` sheets; ``plan`` is that layout
    (its scale and page count), so a dialog can still show the scale and explain."""

    def __init__(self, message: str, plan: "PagePlan"):
        super().__init__(message)
        self.plan = plan


#: Qt's own messages of a headless run (``QPainter::begin(): Returned false`` ...) go here
QT_LOG = logging.getLogger("qms_desktop.qt")
QT_LOG.addHandler(logging.NullHandler())  # (never Python's last-resort print to stderr)


def _qt_message(mode, context, message: str) -> None:
    """Qt message handler of a headless run: Qt's warnings are logged, not printed, so that the
    command line says what went wrong in its own single line."""
    from PySide6.QtCore import QtMsgType

    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING,
             QtMsgType.QtCriticalMsg: logging.ERROR}.get(mode, logging.CRITICAL)
    QT_LOG.log(level, "%s", message)
    if level == logging.CRITICAL:  # Qt aborts after a fatal message: say why first
        print(f"qms: Qt: {message}", file=sys.stderr)


def ensure_app():
    """The running QApplication, or a new one (offscreen when there is no display).

    A QApplication made here (a headless run: ``qms export diagram``) logs Qt's own warnings
    to the ``qms_desktop.qt`` logger instead of printing them on stderr; an application that
    is already running (the GUI, tests) keeps its own message handling."""
    global _APP
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        return app
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    qInstallMessageHandler(_qt_message)  # (before the platform plugin talks)
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
    """Date and audit-trail head (the full hash and its event number, which
    ``qms verify --expect`` checks) printed on every exported or printed map."""
    import datetime as dt

    from ...services.audit_trail import head_stamp

    head, n = head_stamp(ws)
    return f"{dt.date.today().isoformat()} · audit trail head {head} @ event {n}"


def _stamp_of(subtitle: str) -> str:
    """The ``audit head HASH @ event N`` part of an :func:`export_subtitle` ('' if none)."""
    at = subtitle.find("audit trail head ")
    return "audit head " + subtitle[at + len("audit trail head "):] if at >= 0 else ""


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


def _not_written(what: str, path: Path) -> DiagramExportError:
    """The error for a ``what`` ("image", "PDF" ...) Qt could not write to ``path``, naming the
    reason when it can be seen: a missing folder, a folder, a folder that cannot be written."""
    from ...services.filewrite import why_not_written

    return DiagramExportError(f"The {what} could not be written to {path}: "
                              f"{why_not_written(path)}.")


def _written(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        raise _not_written("diagram", path)


def render_png(scene: "MapScene", path: Path, dpi: float = 150, *, stamp: str = "") -> Path:
    """Write the map as a PNG at ``dpi``; ``stamp`` (the audit head) goes into a text chunk
    (keys "Audit head" and "Description")."""
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
    if stamp:
        img.setText("Audit head", stamp)
        img.setText("Description", f"Exported by QMS Workbench · {stamp}")
    if not img.save(str(path), "PNG"):
        raise _not_written("image", path)
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
        raise _not_written("drawing", path)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, w, h), scene.paints.background)
    scene.render(painter, QRectF(0, 0, w, h), src, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    _written(path)
    try:
        text = path.read_text(encoding="utf-8")
        fixed = svg_font_fallbacks(text)
        if fixed != text:
            tmp = path.with_name(f".{path.name}.part")
            tmp.write_text(fixed, encoding="utf-8")
            tmp.replace(path)
    except OSError as e:
        raise _not_written("drawing", path) from e
    return path


#: font names Qt writes for "the default sans-serif font", which browsers do not know
_GENERIC_FAMILIES = {"sans serif", "sans", "sansserif", "helvetica"}


def svg_font_fallbacks(svg: str) -> str:
    """Give every ``font-family`` of an SVG a fallback list ending in the generic
    ``sans-serif``, so browsers and office suites draw the text in a sans-serif font (Qt writes
    only the one family it used, often the alias "Sans Serif" no browser knows)."""
    import re

    def fix(m: "re.Match[str]") -> str:
        family = m.group(1).strip().strip("'")
        if "," in family:
            return m.group(0)
        first = "'DejaVu Sans'" if family.lower() in _GENERIC_FAMILIES else f"'{family}'"
        return f'font-family="{first}, Arial, Helvetica, sans-serif"'

    return re.sub(r'font-family="([^"]*)"', fix, svg)


# ---------------------------------------------------------------------------- pages (pure)
#: paper sizes Workbench prints on: (width, height) in millimetres, portrait
PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
#: page layouts: one page when readable, else several (auto); one page (fit); several (tile)
MODES = ("auto", "fit", "tile")
ORIENTATIONS = ("auto", "portrait", "landscape")
#: blank border on every side of a sheet (what printers need)
MARGIN_MM = 10.0
#: title, subtitle and page caption above the map on every sheet
HEADER_MM = 12.0
#: room around a tile's map area for the crop/join marks and the neighbours' page numbers
GUTTER_MM = 4.0
#: the strip of the map a tile repeats from each neighbour, so sheets can be taped together
OVERLAP_MM = 5.0
#: the smallest text (points on paper) at the default scale of several pages
READABLE_PT = 7.0
#: the smallest text (points on paper) for which "auto" still puts the map on one page
ONE_PAGE_READABLE_PT = 6.0
MIN_SCALE_PCT, MAX_SCALE_PCT = 10.0, 400.0
#: more sheets than this is a mistake (a scale typed wrong), not a wall chart
MAX_PAGES = 400
#: scene pixels (1/96 inch) per millimetre at 100 %
PX_PER_MM = 96.0 / 25.4
#: points per scene pixel at 100 %
PT_PER_PX = 72.0 / 96.0

Rect = tuple[float, float, float, float]  # x, y, width, height (scene units)


@dataclass(frozen=True)
class PageOptions:
    """How a map goes on paper (PDF and printing).

    ``mode``: ``"auto"`` (one page when the text stays at least 6 pt, otherwise several),
    ``"fit"`` (one page, scaled to fit) or ``"tile"`` (several pages at ``scale``).
    ``paper``: ``"A4"`` or ``"A3"``. ``orientation``: ``"auto"`` (the one needing fewer pages),
    ``"portrait"`` or ``"landscape"``. ``scale``: percent for several pages; None picks the
    readable scale (the largest ≤ 100 % needing no more pages than text of 7 pt does)."""

    mode: str = "auto"
    paper: str = "A4"
    orientation: str = "auto"
    scale: float | None = None

    def __post_init__(self) -> None:
        mode = str(self.mode).strip().lower()
        if mode not in MODES:
            raise DiagramExportError(f"“{self.mode}” is not a page layout; choose auto, fit "
                                     "or tile.")
        paper = str(self.paper).strip().upper()
        if paper not in PAPERS:
            raise DiagramExportError(f"“{self.paper}” is not a paper size Workbench prints on; "
                                     "choose A4 or A3.")
        orientation = str(self.orientation).strip().lower()
        if orientation not in ORIENTATIONS:
            raise DiagramExportError(f"“{self.orientation}” is not a page orientation; choose "
                                     "auto, portrait or landscape.")
        scale = self.scale
        if scale is not None:
            try:
                scale = float(scale)
            except (TypeError, ValueError):
                scale = math.nan
            if not (MIN_SCALE_PCT <= scale <= MAX_SCALE_PCT):
                raise DiagramExportError(
                    f"A scale of {self.scale} % cannot be printed; choose a percentage between "
                    f"{MIN_SCALE_PCT:g} and {MAX_SCALE_PCT:g}.")
            if mode == "fit":
                raise DiagramExportError("One page scales the map to the sheet by itself; leave "
                                         "the scale out or choose several pages (tile).")
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "paper", paper)
        object.__setattr__(self, "orientation", orientation)
        object.__setattr__(self, "scale", scale)


@dataclass(frozen=True)
class MapGeometry:
    """What page planning needs to know of a map, in scene units: the area it covers, the
    rectangles that hold something (shapes, connector segments, labels, lane titles; a tile
    meeting none of them is not printed) and the size of its smallest text."""

    rect: Rect
    content: tuple[Rect, ...] = ()
    text_px: float = 11.0


@dataclass(frozen=True)
class Tile:
    """One printed sheet: its number among the printed sheets, its place in the grid (from 1)
    and the part of the scene it shows."""

    number: int
    row: int
    column: int
    rect: Rect

    def caption(self, pages: int) -> str:
        return f"Page {self.number} of {pages} — row {self.row}, column {self.column}"


@dataclass(frozen=True)
class PagePlan:
    """The sheets a map is printed on. ``scale`` is the size on paper (1.0 = 100 %: a scene
    pixel is 1/96 inch); ``area_mm`` the map's room on each sheet; ``tiles`` the printed
    sheets in reading order (empty grid cells are left out)."""

    mode: str  # "fit" or "tile"
    paper: str
    orientation: str
    scale: float
    rows: int
    columns: int
    tiles: tuple[Tile, ...]
    area_mm: tuple[float, float]
    text_pt: float
    #: the map's area in the scene (the tiles cover it)
    map_rect: Rect = (0.0, 0.0, 0.0, 0.0)

    @property
    def pages(self) -> int:
        return len(self.tiles)

    @property
    def skipped(self) -> int:
        return self.rows * self.columns - len(self.tiles)

    @property
    def percent(self) -> int:
        return round(self.scale * 100)

    def neighbours(self, tile: Tile) -> dict[str, Tile]:
        """The printed sheets sharing an edge with ``tile``, by side ("left", "right", "top",
        "bottom")."""
        at = {(t.row, t.column): t for t in self.tiles}
        found = {}
        for side, (dr, dc) in (("left", (0, -1)), ("right", (0, 1)), ("top", (-1, 0)),
                               ("bottom", (1, 0))):
            other = at.get((tile.row + dr, tile.column + dc))
            if other is not None:
                found[side] = other
        return found

    def summary(self) -> str:
        """One line for people: “This map needs 6 pages (3 × 2) at 80 % …”."""
        sheet = f"{self.paper} {self.orientation}"
        if self.mode == "fit":
            text = f"This map fits on one page ({sheet}) at {self.percent} %"
        else:
            pages = "1 page" if self.pages == 1 else f"{self.pages} pages"
            text = (f"This map needs {pages} ({self.columns} × {self.rows}) at {self.percent} % "
                    f"on {sheet}")
            if self.skipped:
                text += (f"; {self.skipped} empty page{'s are' if self.skipped > 1 else ' is'} "
                         "left out")
        return text + f"; its smallest text is {self.text_pt:.1f} pt."


def printable_mm(paper: str, orientation: str) -> tuple[float, float]:
    """The sheet inside its margins (width, height in mm)."""
    w, h = PAPERS[paper]
    if orientation == "landscape":
        w, h = h, w
    return w - 2 * MARGIN_MM, h - 2 * MARGIN_MM


def map_area_mm(printable: tuple[float, float], tiled: bool) -> tuple[float, float]:
    """The map's room on a sheet: the printable area less the header (and, on tiled sheets,
    the gutter for crop marks on every side)."""
    g = 2 * GUTTER_MM if tiled else 0.0
    return printable[0] - g, printable[1] - HEADER_MM - g


def _count(length: float, tile: float, overlap: float) -> int:
    if length <= tile * (1 + 1e-9):
        return 1
    return max(1, math.ceil((length - overlap) / (tile - overlap) - 1e-9))


def _meets(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def fit_rect(area: Rect, size: tuple[float, float]) -> Rect:
    """Where a ``size`` (width, height) map goes in ``area`` on a one-page ("fit") sheet:
    scaled to fit, keeping its proportions, and centred both ways (a wide map on a tall sheet
    sits in the middle, not at the top with the rest of the page empty)."""
    ax, ay, aw, ah = area
    w, h = size
    if w <= 0 or h <= 0 or aw <= 0 or ah <= 0:
        return (ax + max(aw, 0) / 2, ay + max(ah, 0) / 2, 0.0, 0.0)
    k = min(aw / w, ah / h)
    return (ax + (aw - w * k) / 2, ay + (ah - h * k) / 2, w * k, h * k)


def tile_grid(rect: Rect, area_mm: tuple[float, float], scale: float, *,
              overlap_mm: float = OVERLAP_MM, content=()) -> tuple[int, int, tuple[Tile, ...]]:
    """(rows, columns, printed tiles) covering ``rect`` at ``scale`` with sheets whose map area
    is ``area_mm``. Neighbouring tiles share ``overlap_mm`` (on paper); the grid is centred
    across the map and starts at its top. Tiles meeting none of the ``content`` rectangles are
    left out (all are kept when ``content`` is empty or nothing meets it); the rest are numbered
    from 1 in reading order."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    x, y, w, h = rect
    tw = area_mm[0] * PX_PER_MM / scale
    th = area_mm[1] * PX_PER_MM / scale
    o = overlap_mm * PX_PER_MM / scale
    if o >= min(tw, th):
        raise ValueError("the overlap must be smaller than a page")
    cols, rows = _count(w, tw, o), _count(h, th, o)
    x0 = x - (cols * tw - (cols - 1) * o - w) / 2
    sx, sy = tw - o, th - o
    cells = [(r, c, (x0 + c * sx, y + r * sy, tw, th))
             for r in range(rows) for c in range(cols)]
    # the cells each rectangle can meet follow from the regular grid (a big map has
    # thousands of rectangles; the dialog plans again at every click)
    used: set[int] = set()
    for b in content:
        bx, by, bw, bh = b
        c0 = max(0, math.floor((bx - x0 - tw) / sx) + 1)
        c1 = min(cols - 1, math.ceil((bx + bw - x0) / sx) - 1)
        r0 = max(0, math.floor((by - y - th) / sy) + 1)
        r1 = min(rows - 1, math.ceil((by + bh - y) / sy) - 1)
        for r in range(max(0, r0 - 1), min(rows - 1, r1 + 1) + 1):
            for c in range(max(0, c0 - 1), min(cols - 1, c1 + 1) + 1):
                i = r * cols + c
                if i not in used and _meets(cells[i][2], b):
                    used.add(i)
    kept = [cell for i, cell in enumerate(cells) if i in used]
    if not kept:
        kept = cells
    tiles = tuple(Tile(i + 1, r + 1, c + 1, box) for i, (r, c, box) in enumerate(kept))
    return rows, cols, tiles


def _floor_pct(s: float) -> float:
    return math.floor(s * 100 + 1e-6) / 100


def _ceil_pct(s: float) -> float:
    return math.ceil(s * 100 - 1e-6) / 100


def readable_scale(geometry: MapGeometry, area_mm: tuple[float, float], *,
                   overlap_mm: float = OVERLAP_MM) -> float:
    """The largest scale ≤ 100 % (whole percent) that needs no more columns and rows of sheets
    than the scale at which the smallest text is :data:`READABLE_PT` on paper."""
    _x, _y, w, h = geometry.rect
    smallest = max(_ceil_pct(READABLE_PT / (geometry.text_px * PT_PER_PX)), MIN_SCALE_PCT / 100)
    s_min = min(1.0, smallest)
    a, b = area_mm[0] * PX_PER_MM, area_mm[1] * PX_PER_MM  # paper pixels at 96 dpi
    o = overlap_mm * PX_PER_MM
    cols = _count(w * s_min, a, o)
    rows = _count(h * s_min, b, o)
    s_w = (cols * (a - o) + o) / w if w > 0 else 1.0
    s_h = (rows * (b - o) + o) / h if h > 0 else 1.0
    return max(s_min, _floor_pct(min(1.0, s_w, s_h)))


def fit_scale(geometry: MapGeometry, area_mm: tuple[float, float]) -> float:
    """The scale at which the whole map just fits ``area_mm``."""
    _x, _y, w, h = geometry.rect
    return min(area_mm[0] * PX_PER_MM / max(w, 1e-9), area_mm[1] * PX_PER_MM / max(h, 1e-9))


def plan_pages(geometry: MapGeometry, options: PageOptions | None = None, *,
               printable: tuple[float, float] | None = None) -> PagePlan:
    """The sheets ``geometry`` is printed on with ``options`` (pure: no Qt, no painting).

    ``printable`` (width, height in mm) replaces the paper's nominal printable area, for a
    printer that could not take the asked paper; its orientation is then the sheet's.
    Raises :class:`TooManyPagesError` (a :class:`DiagramExportError`) when the map would need
    more than :data:`MAX_PAGES`."""
    opts = options or PageOptions()
    if printable is not None:
        orientations = ["landscape" if printable[0] > printable[1] else "portrait"]
    elif opts.orientation == "auto":
        _x, _y, w, h = geometry.rect
        orientations = ["landscape", "portrait"] if w >= h else ["portrait", "landscape"]
    else:
        orientations = [opts.orientation]

    def sheet(orientation: str) -> tuple[float, float]:
        return printable if printable is not None else printable_mm(opts.paper, orientation)

    def fit(orientation: str) -> PagePlan:
        area = map_area_mm(sheet(orientation), tiled=False)
        s = fit_scale(geometry, area)
        return PagePlan("fit", opts.paper, orientation, s, 1, 1,
                        (Tile(1, 1, 1, geometry.rect),), area, geometry.text_px * PT_PER_PX * s,
                        geometry.rect)

    def tile(orientation: str) -> PagePlan:
        area = map_area_mm(sheet(orientation), tiled=True)
        s = opts.scale / 100 if opts.scale is not None else readable_scale(geometry, area)
        rows, cols, tiles = tile_grid(geometry.rect, area, s, content=geometry.content)
        return PagePlan("tile", opts.paper, orientation, s, rows, cols, tiles, area,
                        geometry.text_px * PT_PER_PX * s, geometry.rect)

    mode = opts.mode
    if mode == "auto":
        if opts.scale is None:
            best_fit = max((fit(o) for o in orientations), key=lambda p: p.scale)
            if best_fit.text_pt >= ONE_PAGE_READABLE_PT - 1e-9:
                return best_fit
        mode = "tile"
    if mode == "fit":
        return max((fit(o) for o in orientations), key=lambda p: p.scale)
    plans = [tile(o) for o in orientations]
    # fewer sheets first, then bigger print, then fewer grid cells; ties keep the map's shape
    best = min(plans, key=lambda p: (p.pages, -p.percent, p.rows * p.columns))
    if best.pages > MAX_PAGES:
        raise TooManyPagesError(
            f"At {best.percent} % this map needs {best.pages} pages, more than the {MAX_PAGES} "
            "Workbench prints at once; choose a smaller scale or A3 paper.", best)
    return best


def map_geometry(scene: "MapScene") -> MapGeometry:
    """The geometry :func:`plan_pages` needs, measured on ``scene`` (labels by their text)."""
    r = scene.map_rect(tight=True)  # builds every label that has text
    content: list[Rect] = []

    def add(box) -> None:
        if box.width() > 0 or box.height() > 0:
            content.append((box.x(), box.y(), box.width(), box.height()))

    for item in scene.nodes.values():
        add(item.sceneBoundingRect())
        if item.has_label() and item.label.text:
            add(item.label.mapRectToScene(item.label.text_rect()))
    for item in scene.edges.values():
        # a connector counts where its segments run, not across its whole bounding box
        pts = [item.mapToScene(float(px), float(py)) for px, py in item.points]
        for a, b in zip(pts, pts[1:]):
            x0, y0 = min(a.x(), b.x()) - 2, min(a.y(), b.y()) - 2
            content.append((x0, y0, abs(a.x() - b.x()) + 4, abs(a.y() - b.y()) + 4))
        if item.has_label() and item.label is not None and item.label.text:
            add(item.label.mapRectToScene(item.label.text_rect()))
    for item in scene.lanes.values():
        add(item.mapRectToScene(item.header_rect()))
    sizes = [f.pixelSize() for f in (scene.paints.font, scene.paints.small_font)
             if f.pixelSize() > 0]
    return MapGeometry((r.x(), r.y(), r.width(), r.height()), tuple(content),
                       float(min(sizes)) if sizes else 11.0)


# ---------------------------------------------------------------------------- painting pages
def _header(painter: "QPainter", page: "QRectF", dev_mm: float, scene: "MapScene", title: str,
            subtitle: str, caption: str = "", note: str = "") -> None:
    """Title (and ``caption`` on the right) on the first line, subtitle (and ``note``) on the
    second, a hairline below: the top :data:`HEADER_MM` of ``page``."""
    from PySide6.QtCore import QLineF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

    pt = dev_mm * 25.4 / 72.0  # device pixels per point
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    big = QFont(scene.paints.title_font)
    big.setPixelSize(max(1, round(12 * pt)))
    small = QFont(scene.paints.font)
    small.setBold(False)
    small.setPixelSize(max(1, round(7.5 * pt)))
    for tag in ("liga", "clig"):  # the audit head must copy out of the PDF as written ("ff",
        small.setFeature(QFont.Tag(tag), 0)  # never the "ﬀ" ligature)
    mid = QFont(small)
    mid.setPixelSize(max(1, round(8.5 * pt)))
    device = painter.device()
    fm_big, fm_mid, fm_small = (QFontMetricsF(big, device), QFontMetricsF(mid, device),
                                QFontMetricsF(small, device))
    line1 = QRectF(page.left(), page.top(), page.width(), fm_big.height())
    line2 = QRectF(page.left(), line1.bottom() + 0.8 * dev_mm, page.width(), fm_small.height())
    gap = 4 * dev_mm
    painter.save()
    painter.setPen(scene.paints.text)
    room = page.width()
    if caption:
        painter.setFont(mid)
        painter.drawText(line1, int(right), caption)
        room -= fm_mid.horizontalAdvance(caption) + gap
    if title:
        painter.setFont(big)
        painter.drawText(line1, int(left),
                         fm_big.elidedText(title, Qt.TextElideMode.ElideRight, max(room, 0)))
    painter.setFont(small)
    room = page.width()
    if note:
        painter.drawText(line2, int(right), note)
        room -= fm_small.horizontalAdvance(note) + gap
    if subtitle:
        painter.drawText(line2, int(left),
                         fm_small.elidedText(subtitle, Qt.TextElideMode.ElideRight, max(room, 0)))
    rule = page.top() + (HEADER_MM - 1.5) * dev_mm
    painter.setPen(QPen(QColor("#b0b0b0"), 0.2 * dev_mm))
    painter.drawLine(QLineF(page.left(), rule, page.right(), rule))
    painter.restore()


def _join_marks(painter: "QPainter", shown: "QRectF", dev_mm: float, plan: PagePlan,
                tile: Tile) -> None:
    """Light marks where this sheet overlaps a printed neighbour. ``shown`` is the part of the
    sheet's map area the map covers (device pixels). Along each shared edge: crop ticks beyond
    the map at the edge (trim here) and at the end of the shared strip, a dashed line along
    the strip (lay the neighbour's trimmed edge on it) and the neighbour's page number."""
    from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

    found = plan.neighbours(tile)
    if not found:
        return
    o = OVERLAP_MM * dev_mm
    g = GUTTER_MM * dev_mm
    gap = 0.8 * dev_mm
    grey = QColor("#8c8c8c")
    tick = QPen(grey, 0.2 * dev_mm)
    dashed = QPen(QColor("#b4b4b4"), 0.15 * dev_mm, Qt.PenStyle.DashLine)
    font = QFont(painter.font())
    font.setBold(False)
    font.setPixelSize(max(1, round(6 * dev_mm * 25.4 / 72.0)))
    fm = QFontMetricsF(font, painter.device())
    t = shown
    painter.save()
    painter.setFont(font)
    for side, other in found.items():
        if side in ("left", "right"):
            edge = t.left() if side == "left" else t.right()
            inner = edge + o if side == "left" else edge - o
            painter.setPen(tick)
            for x in (edge, inner):
                painter.drawLine(QLineF(x, t.top() - g, x, t.top() - gap))
                painter.drawLine(QLineF(x, t.bottom() + gap, x, t.bottom() + g))
            painter.setPen(dashed)
            painter.drawLine(QLineF(inner, t.top(), inner, t.bottom()))
        else:
            edge = t.top() if side == "top" else t.bottom()
            inner = edge + o if side == "top" else edge - o
            painter.setPen(tick)
            for y in (edge, inner):
                painter.drawLine(QLineF(t.left() - g, y, t.left() - gap, y))
                painter.drawLine(QLineF(t.right() + gap, y, t.right() + g, y))
            painter.setPen(dashed)
            painter.drawLine(QLineF(t.left(), inner, t.right(), inner))
        label = f"page {other.number}"
        w, h = fm.horizontalAdvance(label) + 2, fm.height()
        painter.setPen(grey)
        painter.save()
        if side == "top":
            painter.translate(QPointF(t.center().x(), t.top() - g / 2))
        elif side == "bottom":
            painter.translate(QPointF(t.center().x(), t.bottom() + g / 2))
        elif side == "left":
            painter.translate(QPointF(t.left() - g / 2, t.center().y()))
            painter.rotate(-90)
        else:
            painter.translate(QPointF(t.right() + g / 2, t.center().y()))
            painter.rotate(90)
        painter.drawText(QRectF(-w / 2, -h / 2, w, h), int(Qt.AlignmentFlag.AlignCenter), label)
        painter.restore()
    painter.restore()


def paint_sheet(painter: "QPainter", page: "QRectF", dev_mm: float, scene: "MapScene",
                plan: PagePlan, tile: Tile, title: str = "", subtitle: str = "") -> None:
    """Draw one sheet of ``plan`` into ``page`` (the printable area, device pixels;
    ``dev_mm`` device pixels per millimetre): header, the tile's part of the map at the plan's
    scale and, on tiled sheets, the page caption and the join marks."""
    from PySide6.QtCore import QRectF, Qt

    x, y, w, h = tile.rect
    if plan.mode == "fit":
        _header(painter, page, dev_mm, scene, title, subtitle, note=f"scale {plan.percent} %")
        area = QRectF(page.left(), page.top() + HEADER_MM * dev_mm, page.width(),
                      page.height() - HEADER_MM * dev_mm)
        target = QRectF(*fit_rect((area.left(), area.top(), area.width(), area.height()),
                                  (w, h)))
        shown = target
    else:
        _header(painter, page, dev_mm, scene, title, subtitle, caption=tile.caption(plan.pages),
                note=(f"scale {plan.percent} % · {plan.columns} × {plan.rows} sheets, "
                      f"{OVERLAP_MM:g} mm overlap"))
        g = GUTTER_MM * dev_mm
        k = plan.scale * dev_mm / PX_PER_MM  # device pixels per scene unit
        target = QRectF(page.left() + g, page.top() + HEADER_MM * dev_mm + g, w * k, h * k)
        # the part of the tile the map covers (the last row and column reach beyond it)
        mx, my, mw, mh = plan.map_rect if plan.map_rect[2] > 0 else tile.rect
        left, top = max(x, mx), max(y, my)
        right, bottom = min(x + w, mx + mw), min(y + h, my + mh)
        shown = QRectF(target.left() + (left - x) * k, target.top() + (top - y) * k,
                       max(right - left, 0) * k, max(bottom - top, 0) * k)
    painter.save()
    painter.setClipRect(target)
    scene.render(painter, target, QRectF(x, y, w, h), Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.restore()
    if plan.mode != "fit":
        _lane_names(painter, shown, (left, top, right - left, bottom - top), k, dev_mm, scene)
        _join_marks(painter, shown, dev_mm, plan, tile)


def _lane_names(painter: "QPainter", shown: "QRectF", part: tuple, k: float, dev_mm: float,
                scene: "MapScene") -> None:
    """On a sheet that does not show a lane's title band, its name again in a narrow band at
    the sheet's left (rows) or top (columns) edge, so each sheet can be read on its own.
    ``part`` is the scene rectangle ``shown`` (device pixels) draws, ``k`` the scale."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont

    from .style import LANE_HEADER

    x, y, w, h = part
    if w <= 0 or h <= 0:
        return
    font = QFont(scene.paints.title_font)
    font.setPixelSize(max(1, round(7 / 72 * 25.4 * dev_mm)))  # 7 pt on paper
    band = 5.0 * dev_mm
    painter.save()
    painter.setFont(font)
    for lane in scene.lanes.values():
        name = (lane.row.get("name") or "").strip()
        r = lane.scene_rect()
        if not name:
            continue
        if lane.horizontal:
            if r.left() + LANE_HEADER > x or r.right() <= x or r.bottom() <= y or \
                    r.top() >= y + h:
                continue  # its title is on this sheet, or the lane is not
            a, b = max(r.top(), y), min(r.bottom(), y + h)
            box = QRectF(shown.left(), shown.top() + (a - y) * k, band, (b - a) * k)
        else:
            if r.top() + LANE_HEADER > y or r.bottom() <= y or r.right() <= x or \
                    r.left() >= x + w:
                continue
            a, b = max(r.left(), x), min(r.right(), x + w)
            box = QRectF(shown.left() + (a - x) * k, shown.top(), (b - a) * k, band)
        if box.width() < 1 or box.height() < 1:
            continue
        painter.fillRect(box, QColor(236, 239, 243, 235))
        painter.setPen(scene.paints.text)
        if lane.horizontal:
            painter.save()
            painter.translate(box.left(), box.bottom())
            painter.rotate(-90)
            painter.drawText(QRectF(0, 0, box.height(), box.width()),
                             int(Qt.AlignmentFlag.AlignCenter), name)
            painter.restore()
        else:
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), name)
    painter.restore()


def paint_page(painter: "QPainter", page: "QRectF", scene: "MapScene", title: str = "",
               subtitle: str = "") -> None:
    """Draw a titled map scaled to fit ``page`` (device coordinates of a printer or PDF)."""
    dev_mm = painter.device().logicalDpiX() / 25.4
    geometry = map_geometry(scene)
    area = map_area_mm((page.width() / dev_mm, page.height() / dev_mm), tiled=False)
    s = fit_scale(geometry, area)
    plan = PagePlan("fit", "", "landscape" if page.width() >= page.height() else "portrait", s,
                    1, 1, (Tile(1, 1, 1, geometry.rect),), area,
                    geometry.text_px * PT_PER_PX * s, geometry.rect)
    paint_sheet(painter, page, dev_mm, scene, plan, plan.tiles[0], title, subtitle)


def _page_setup(device: "QPagedPaintDevice", paper: str, orientation: str) -> bool:
    """Give ``device`` the paper, orientation and margins; False when it refused them."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    size = QPageSize(QPageSize.PageSizeId.A3 if paper == "A3" else QPageSize.PageSizeId.A4)
    layout = QPageLayout(size, QPageLayout.Orientation.Landscape if orientation == "landscape"
                         else QPageLayout.Orientation.Portrait,
                         QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                         QPageLayout.Unit.Millimeter)
    return bool(device.setPageLayout(layout))


def _paint_plan(device: "QPagedPaintDevice", painter: "QPainter", scene: "MapScene",
                plan: PagePlan, title: str, subtitle: str) -> None:
    from PySide6.QtCore import QRectF

    dpi = device.resolution() if hasattr(device, "resolution") else device.logicalDpiX()
    dev_mm = dpi / 25.4
    r = device.pageLayout().paintRectPixels(dpi)
    page = QRectF(0, 0, r.width(), r.height())
    for i, tile in enumerate(plan.tiles):
        if i:
            device.newPage()
        paint_sheet(painter, page, dev_mm, scene, plan, tile, title, subtitle)


def _device_plan(device: "QPagedPaintDevice", geometry: MapGeometry,
                 options: PageOptions) -> PagePlan:
    """Plan the pages and set ``device`` up for them; a device that kept another paper (a
    printer without A3) gets the plan re-made for the sheet it really has."""
    from PySide6.QtGui import QPageLayout

    plan = plan_pages(geometry, options)
    _page_setup(device, plan.paper, plan.orientation)
    rect = device.pageLayout().paintRect(QPageLayout.Unit.Millimeter)
    have = (rect.width(), rect.height())
    want = printable_mm(plan.paper, plan.orientation)
    if abs(have[0] - want[0]) > 0.5 or abs(have[1] - want[1]) > 0.5:
        plan = plan_pages(geometry, options, printable=have)
    return plan


def render_pdf(scene: "MapScene", path: Path, title: str = "", subtitle: str = "", *,
               pages: PageOptions | None = None) -> Path:
    """Write the map as a PDF laid out by ``pages`` (default: :class:`PageOptions` ``()``,
    one page when readable, otherwise readable tiles)."""
    from PySide6.QtGui import QPainter, QPdfWriter

    path = Path(path)
    plan_geometry = map_geometry(scene)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title or "Process map")
    stamp = _stamp_of(subtitle)
    writer.setCreator("QMS Workbench" + (f" · {stamp}" if stamp else ""))
    plan = _device_plan(writer, plan_geometry, pages or PageOptions())
    painter = QPainter()
    if not painter.begin(writer):
        raise _not_written("PDF", path)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    _paint_plan(writer, painter, scene, plan, title, subtitle)
    painter.end()
    _written(path)
    return path


def print_scene(printer, scene: "MapScene", title: str = "", subtitle: str = "", *,
                pages: PageOptions | None = None) -> PagePlan:
    """Print the map on ``printer`` (a QPrinter, or what a preview hands over) laid out by
    ``pages``; returns the plan of the sheets printed."""
    from PySide6.QtGui import QPainter

    plan = _device_plan(printer, map_geometry(scene), pages or PageOptions())
    painter = QPainter()
    if not painter.begin(printer):
        raise DiagramExportError("The printer could not be started; check that it is "
                                 "connected and try again.")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    _paint_plan(printer, painter, scene, plan, title, subtitle)
    painter.end()
    return plan


def render_map(ws: "Workspace", process_id: int, path: str | os.PathLike, dpi: float = 150, *,
               container: int | None = None, pages: PageOptions | None = None) -> Path:
    """Write the map of ``process_id`` to ``path``: ``.png`` at ``dpi``, ``.svg`` or ``.pdf``
    (laid out on sheets by ``pages``; PNG and SVG are always one image).

    Works headless. Raises :class:`DiagramExportError` (a ValueError) with a clear message when
    the format is unknown, page options are given for an image, the image would be too large
    or the file cannot be written, and the services' RecordError when the process does not
    exist."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DiagramExportError(f"“{path.name}” has no diagram format Workbench writes; end "
                                 "the file name with .png, .svg or .pdf.")
    if suffix != ".pdf" and pages is not None and pages != PageOptions():
        raise DiagramExportError(f"The page options (pages, paper, orientation, scale) apply "
                                 f"to PDF only, not to {suffix[1:].upper()}; end the file name "
                                 "with .pdf or leave those options out.")
    if suffix == ".png":
        _check_dpi(dpi)
    ensure_app()
    scene = build_scene(ws, process_id, container)
    try:
        title = map_title(ws, process_id)
        subtitle = export_subtitle(ws)
        if suffix == ".png":
            return render_png(scene, path, dpi, stamp=_stamp_of(subtitle))
        if suffix == ".svg":
            return render_svg(scene, path, title, subtitle)
        return render_pdf(scene, path, title, subtitle, pages=pages)
    finally:
        scene.clear_map()
        scene.deleteLater()
