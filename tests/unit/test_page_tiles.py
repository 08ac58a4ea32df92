"""Page planning of map PDFs and prints (render.plan_pages / tile_grid): pure arithmetic, no Qt."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms_desktop.ui.flowchart.render import (
    GUTTER_MM,
    HEADER_MM,
    MARGIN_MM,
    MAX_PAGES,
    OVERLAP_MM,
    PX_PER_MM,
    DiagramExportError,
    MapGeometry,
    PageOptions,
    fit_rect,
    map_area_mm,
    plan_pages,
    printable_mm,
    readable_scale,
    tile_grid,
)

MM = PX_PER_MM  # scene pixels per millimetre at 100 %


def covered(tiles, rect) -> bool:
    x, y, w, h = rect
    xs0 = min(t.rect[0] for t in tiles)
    ys0 = min(t.rect[1] for t in tiles)
    xs1 = max(t.rect[0] + t.rect[2] for t in tiles)
    ys1 = max(t.rect[1] + t.rect[3] for t in tiles)
    return xs0 <= x + 1e-6 and ys0 <= y + 1e-6 and xs1 >= x + w - 1e-6 and ys1 >= y + h - 1e-6


def test_planning_imports_no_qt():
    import subprocess

    code = ("import sys; import qms_desktop.ui.flowchart.render as r; "
            "r.plan_pages(r.MapGeometry((0, 0, 3000, 500))); "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_one_tile_when_the_map_fits():
    rows, cols, tiles = tile_grid((10, 20, 300, 200), (100, 100), 1.0)
    assert (rows, cols) == (1, 1)
    assert len(tiles) == 1 and tiles[0].number == 1 and (tiles[0].row, tiles[0].column) == (1, 1)
    x, y, w, h = tiles[0].rect
    assert w == pytest.approx(100 * MM) and h == pytest.approx(100 * MM)
    assert y == 20  # the grid starts at the map's top
    assert x + w / 2 == pytest.approx(10 + 150)  # and is centred across it


def test_grid_of_known_size_overlaps_by_five_mm():
    page = 100 * MM
    o = OVERLAP_MM * MM
    # three pages across need 3*page - 2*overlap; a bit less than that still needs three
    width = 3 * page - 2 * o - 1
    rows, cols, tiles = tile_grid((0, 0, width, 50), (100, 100), 1.0)
    assert (rows, cols) == (1, 3)
    xs = [t.rect[0] for t in tiles]
    assert xs[1] - xs[0] == pytest.approx(page - o)
    assert xs[2] - xs[1] == pytest.approx(page - o)
    # neighbours share exactly the overlap
    assert tiles[0].rect[0] + tiles[0].rect[2] - tiles[1].rect[0] == pytest.approx(o)
    # a bit more than three pages hold needs a fourth
    assert tile_grid((0, 0, 3 * page - 2 * o + 1, 50), (100, 100), 1.0)[1] == 4


def test_scale_shrinks_the_grid():
    rect = (0, 0, 4000, 1500)
    at_100 = tile_grid(rect, (250, 170), 1.0)
    at_50 = tile_grid(rect, (250, 170), 0.5)
    assert at_100[0] * at_100[1] > at_50[0] * at_50[1]
    # at half size a tile covers twice the scene
    assert at_50[2][0].rect[2] == pytest.approx(2 * at_100[2][0].rect[2])


def test_empty_tiles_are_left_out_and_numbering_stays_truthful():
    page = 100 * MM
    # an L: a row along the top and a column down the right
    content = [(0, 0, 5 * page, 20), (5 * page - 30, 0, 20, 3 * page)]
    rows, cols, tiles = tile_grid((0, 0, 5 * page, 3 * page), (100, 100), 1.0, content=content)
    assert rows * cols > len(tiles)
    assert [t.number for t in tiles] == list(range(1, len(tiles) + 1))
    places = [(t.row, t.column) for t in tiles]
    assert places == sorted(places)  # reading order
    assert all(r == 1 or c == cols for r, c in places)  # only the L's tiles
    assert (rows, cols) in places and (1, 1) in places
    assert tiles[-1].caption(len(tiles)) == (
        f"Page {len(tiles)} of {len(tiles)} — row {rows}, column {cols}")


def test_no_content_keeps_every_tile():
    rows, cols, tiles = tile_grid((0, 0, 2000, 2000), (100, 100), 1.0)
    assert len(tiles) == rows * cols
    rows, cols, tiles = tile_grid((0, 0, 2000, 2000), (100, 100), 1.0,
                                  content=[(-5000, -5000, 10, 10)])
    assert len(tiles) == rows * cols  # nothing meets any tile: all kept, never zero pages


@settings(max_examples=200, deadline=None)
@given(w=st.floats(50, 30_000), h=st.floats(50, 8_000), scale=st.floats(0.1, 4.0),
       aw=st.floats(120, 400), ah=st.floats(100, 400))
def test_grid_covers_the_map_with_no_spare_row_or_column(w, h, scale, aw, ah):
    rect = (-17.0, 33.0, w, h)
    rows, cols, tiles = tile_grid(rect, (aw, ah), scale)
    assert len(tiles) == rows * cols
    assert covered(tiles, rect)
    tw, th = aw * MM / scale, ah * MM / scale
    o = OVERLAP_MM * MM / scale
    # one column (row) fewer would not reach across (down)
    if cols > 1:
        assert (cols - 1) * tw - (cols - 2) * o < w
    if rows > 1:
        assert (rows - 1) * th - (rows - 2) * o < h


def test_readable_scale_keeps_text_at_seven_points_and_uses_the_room():
    area = map_area_mm(printable_mm("A4", "landscape"), tiled=True)
    geo = MapGeometry((0, 0, 2243, 556), (), 11.0)
    s = readable_scale(geo, area)
    assert s <= 1.0 and 11.0 * 0.75 * s >= 7.0 - 1e-9
    rows, cols, _ = tile_grid(geo.rect, area, s)
    # one percent more would need another column or row
    r2, c2, _ = tile_grid(geo.rect, area, s + 0.01)
    assert r2 * c2 > rows * cols
    # and the smallest readable scale needs as many pages
    r3, c3, _ = tile_grid(geo.rect, area, math.ceil(7.0 / (11.0 * 0.75) * 100) / 100)
    assert (r3, c3) == (rows, cols)


def test_readable_scale_is_at_most_100_percent():
    area = map_area_mm(printable_mm("A3", "landscape"), tiled=True)
    assert readable_scale(MapGeometry((0, 0, 300, 200), (), 11.0), area) == 1.0


def test_printable_and_map_area():
    assert printable_mm("A4", "portrait") == (210 - 2 * MARGIN_MM, 297 - 2 * MARGIN_MM)
    assert printable_mm("A3", "landscape") == (420 - 2 * MARGIN_MM, 297 - 2 * MARGIN_MM)
    w, h = printable_mm("A4", "landscape")
    assert map_area_mm((w, h), tiled=False) == (w, h - HEADER_MM)
    assert map_area_mm((w, h), tiled=True) == (w - 2 * GUTTER_MM, h - HEADER_MM - 2 * GUTTER_MM)


def test_auto_is_one_page_for_a_small_map_and_tiles_for_a_long_one():
    small = plan_pages(MapGeometry((0, 0, 900, 400), (), 11.0))
    assert small.mode == "fit" and small.pages == 1 and small.orientation == "landscape"
    assert small.text_pt >= 6.0
    long = plan_pages(MapGeometry((0, 0, 10_000, 680), (), 11.0))
    assert long.mode == "tile" and long.pages > 1 and long.text_pt >= 7.0 - 1e-9
    assert long.scale <= 1.0
    # one page would have been unreadable
    assert plan_pages(MapGeometry((0, 0, 10_000, 680), (), 11.0),
                      PageOptions("fit")).text_pt < 6.0


def test_fit_is_always_one_page_even_when_tiny():
    plan = plan_pages(MapGeometry((0, 0, 40_000, 3_000), (), 11.0), PageOptions("fit", "A3"))
    assert plan.pages == 1 and plan.mode == "fit" and plan.paper == "A3"
    assert plan.text_pt < 2
    assert "one page" in plan.summary()


def test_auto_orientation_picks_fewer_pages():
    tall = MapGeometry((0, 0, 700, 6_000), (), 11.0)
    plan = plan_pages(tall, PageOptions("tile"))
    assert plan.orientation == "portrait"
    landscape = plan_pages(tall, PageOptions("tile", orientation="landscape"))
    assert landscape.pages > plan.pages
    wide = MapGeometry((0, 0, 6_000, 700), (), 11.0)
    assert plan_pages(wide, PageOptions("tile")).orientation == "landscape"


def test_explicit_scale_and_a3():
    geo = MapGeometry((0, 0, 5_200, 1_200), (), 11.0)
    a4 = plan_pages(geo, PageOptions("tile", "A4", "landscape", 100))
    a3 = plan_pages(geo, PageOptions("tile", "A3", "landscape", 100))
    half = plan_pages(geo, PageOptions("tile", "A4", "landscape", 50))
    assert a4.percent == a3.percent == 100 and half.percent == 50
    assert a3.pages < a4.pages and half.pages < a4.pages
    assert (a4.columns, a4.rows) == (6, 2)  # 5200 px over 269 mm pages, 1200 px over 170 mm
    assert a4.summary().startswith(f"This map needs {a4.pages} pages (6 × 2) at 100 % on A4 "
                                   "landscape")


def test_auto_with_a_scale_tiles():
    plan = plan_pages(MapGeometry((0, 0, 900, 400), (), 11.0), PageOptions("auto", scale=200))
    assert plan.mode == "tile" and plan.percent == 200


def test_printable_override_replans_for_the_sheet_a_printer_has():
    geo = MapGeometry((0, 0, 3_000, 600), (), 11.0)
    letter = (279.4 - 2 * MARGIN_MM, 215.9 - 2 * MARGIN_MM)
    plan = plan_pages(geo, PageOptions("tile", scale=100), printable=letter)
    assert plan.orientation == "landscape"
    assert plan.area_mm == map_area_mm(letter, tiled=True)


def test_too_many_pages_is_refused_with_advice():
    with pytest.raises(DiagramExportError, match=r"smaller scale or A3"):
        plan_pages(MapGeometry((0, 0, 60_000, 20_000), (), 11.0),
                   PageOptions("tile", "A4", scale=400))
    assert MAX_PAGES >= 100


def test_neighbours_skip_missing_tiles():
    page = 100 * MM
    content = [(0, 0, 3 * page, 20)]  # only the top row has anything
    geo = MapGeometry((0, 0, 3 * page - 40, 1.5 * page), tuple(content), 11.0)
    plan = plan_pages(geo, PageOptions("tile", scale=100), printable=(
        100 + 2 * GUTTER_MM, 100 + HEADER_MM + 2 * GUTTER_MM))
    assert plan.rows == 2 and plan.skipped == plan.columns
    middle = [t for t in plan.tiles if t.column == 2][0]
    assert set(plan.neighbours(middle)) == {"left", "right"}


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "poster"}, "auto, fit or tile"),
    ({"paper": "Letter"}, "A4 or A3"),
    ({"orientation": "upside"}, "portrait or landscape"),
    ({"mode": "tile", "scale": 5}, "between 10 and 400"),
    ({"mode": "tile", "scale": "much"}, "between 10 and 400"),
    ({"mode": "fit", "scale": 80}, "leave the scale out"),
])
def test_options_are_checked_with_clear_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PageOptions(**kwargs)


def test_options_are_normalised_and_frozen():
    o = PageOptions(" Tile ", "a3", "Landscape", "80")
    assert o == PageOptions("tile", "A3", "landscape", 80.0)
    with pytest.raises(AttributeError):
        o.mode = "fit"  # type: ignore[misc]
    assert PageOptions() == PageOptions("auto", "A4", "auto", None)


@settings(max_examples=150, deadline=None)
@given(w=st.floats(100, 20_000), h=st.floats(100, 6_000), scale=st.floats(0.2, 3.0),
       boxes=st.lists(st.tuples(st.floats(-200, 20_000), st.floats(-200, 6_000),
                                st.floats(0, 800), st.floats(0, 300)), min_size=1, max_size=40))
def test_kept_tiles_are_exactly_those_meeting_content(w, h, scale, boxes):
    rect = (0.0, 0.0, w, h)
    rows, cols, every = tile_grid(rect, (180, 120), scale)
    _r, _c, kept = tile_grid(rect, (180, 120), scale, content=boxes)

    def meets(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] \
            and b[1] < a[1] + a[3]

    expected = [t.rect for t in every if any(meets(t.rect, b) for b in boxes)] or \
        [t.rect for t in every]
    assert [t.rect for t in kept] == expected


def test_too_many_pages_carries_the_layout_it_refused():
    """A map too large for MAX_PAGES sheets at the readable scale: the error still tells that
    scale and page count (the page dialog shows them instead of failing to open)."""
    from qms_desktop.ui.flowchart.render import TooManyPagesError

    huge = MapGeometry((0, 0, 60_000, 20_000), (), 11.0)
    with pytest.raises(TooManyPagesError) as got:
        plan_pages(huge, PageOptions("tile"))
    plan = got.value.plan
    assert isinstance(got.value, DiagramExportError)
    assert plan.pages > MAX_PAGES and plan.mode == "tile"
    assert f"At {plan.percent} % this map needs {plan.pages} pages" in str(got.value)
    area = map_area_mm(printable_mm("A4", plan.orientation), True)
    assert plan.percent == round(readable_scale(huge, area) * 100)
    with pytest.raises(TooManyPagesError):
        plan_pages(huge)  # auto: one page is unreadable, several are too many
    assert plan_pages(huge, PageOptions("fit")).pages == 1


def test_fit_rect_centres_the_map_both_ways():
    # a wide map on a tall area: full width, centred vertically (not stuck to the top)
    x, y, w, h = fit_rect((10, 20, 400, 600), (4000, 500))
    assert (x, w) == (10, 400) and h == pytest.approx(50)
    assert y - 20 == pytest.approx(20 + 600 - (y + h))  # as much room above as below
    assert y == pytest.approx(20 + 275)
    # a tall map on a wide area: full height, centred horizontally
    x, y, w, h = fit_rect((0, 0, 800, 300), (100, 300))
    assert (y, h) == (0, 300) and (x, w) == (350, 100)
    # an empty map: a point in the middle, never a division by zero
    assert fit_rect((0, 0, 100, 50), (0, 0)) == (50, 25, 0, 0)


@given(st.floats(1, 1e5), st.floats(1, 1e5), st.floats(1, 2000), st.floats(1, 2000))
@settings(max_examples=200, deadline=None)
def test_fit_rect_fits_inside_and_keeps_the_proportions(w, h, aw, ah):
    x, y, fw, fh = fit_rect((5, 7, aw, ah), (w, h))
    assert x >= 5 - 1e-6 and y >= 7 - 1e-6
    assert x + fw <= 5 + aw + 1e-6 and y + fh <= 7 + ah + 1e-6
    assert fw / fh == pytest.approx(w / h, rel=1e-6)
    assert math.isclose(fw, aw, rel_tol=1e-9) or math.isclose(fh, ah, rel_tol=1e-9)
    assert (x - 5) == pytest.approx(5 + aw - (x + fw), abs=1e-6)
    assert (y - 7) == pytest.approx(7 + ah - (y + fh), abs=1e-6)
