"""Map PDFs on several pages: the demo's biggest map and a synthetic 60-step map written with
each page layout; page counts from the PDF (pdfinfo, or its page objects), and on every page
the title, the audit-trail head and “Page i of N — row r, column c” (pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

# renders with Qt (offscreen)
pytestmark = pytest.mark.gui

from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap  # noqa: E402
from qms_desktop.services.processes import list_processes, load_map_data, save_map  # noqa: E402
from qms_desktop.ui.flowchart import render  # noqa: E402
from qms_desktop.ui.flowchart.render import PageOptions  # noqa: E402

STEPS = 60


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60,
                             check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def page_texts(pdf: Path, pages: int) -> list[str] | None:
    if not shutil.which("pdftotext"):
        return None
    texts = []
    for i in range(1, pages + 1):
        out = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        texts.append(unicodedata.normalize("NFKC", out))  # ligatures (ﬁ, ﬀ) as letters
    return texts


def long_map(steps: int = STEPS) -> ProcessMap:
    """An order-to-delivery map of ``steps`` steps zig-zagging across four lanes."""
    lanes = [Lane(f"L{i}", name, 0.0, i * 160.0, 160.0 * (steps + 2) + 60, 160.0, i)
             for i, name in enumerate(("Sales", "Planning", "Production", "Quality"))]
    nodes = [Node("s", "start", name="Order received", x=60, y=62, w=36, h=36, lane="L0")]
    for i in range(steps):
        lane = i % 4
        nodes.append(Node(f"n{i}", "step", name=f"Step {i + 1} check order item",
                          x=150 + i * 160.0, y=lane * 160 + 50, w=120, h=60, lane=f"L{lane}"))
    nodes.append(Node("e", "end", name="Delivered", x=190 + steps * 160.0, y=62, w=36, h=36,
                      lane="L0"))
    keys = [n.key for n in nodes]
    edges = [Edge(f"e{i}", a, b) for i, (a, b) in enumerate(zip(keys, keys[1:]))]
    return ProcessMap(nodes, edges, lanes)


def l_shaped_map() -> ProcessMap:
    """A row of steps along the top and a column down the right: the lower left is empty."""
    nodes = [Node(f"a{i}", "step", name=f"Top {i}", x=i * 200.0, y=0, w=120, h=60)
             for i in range(25)]
    nodes += [Node(f"b{i}", "step", name=f"Down {i}", x=24 * 200.0, y=200 + i * 150.0,
                   w=120, h=60) for i in range(12)]
    keys = [n.key for n in nodes]
    return ProcessMap(nodes, [Edge(f"e{i}", a, b) for i, (a, b) in enumerate(zip(keys, keys[1:]))])


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    from qms_desktop.services.demo import create_demo
    from qms_desktop.storage.workspace import open_workspace

    path = create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")
    ws = open_workspace(path, read_only=True)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def synth_ws(tmp_path_factory):
    from qms_desktop.storage.workspace import create_workspace

    ws = create_workspace(tmp_path_factory.mktemp("synth") / "synth.qms", organization="Synth")
    ids = {"long": save_map(ws, long_map(), name="Order to delivery (60 steps)").result,
           "l": save_map(ws, l_shaped_map(), name="L-shaped map").result}
    yield ws, ids
    ws.close()


def biggest_map(ws) -> tuple[int, str]:
    best = max(list_processes(ws), key=lambda p: len(load_map_data(ws, p.id).nodes))
    return best.id, f"{best.code} {best.name}".strip()


def expected_plan(ws, pid, options: PageOptions):
    render.ensure_app()
    scene = render.build_scene(ws, pid)
    try:
        return render.plan_pages(render.map_geometry(scene), options)
    finally:
        scene.clear_map()
        scene.deleteLater()


def check_pages(ws, pdf: Path, title: str, plan) -> list[str] | None:
    n = page_count(pdf)
    assert n == plan.pages
    texts = page_texts(pdf, n)
    if texts is None:
        return None
    head = ws.head_hash()[:16]
    for i, (text, tile) in enumerate(zip(texts, plan.tiles), start=1):
        flat = " ".join(text.split())
        assert title in flat, f"page {i} lacks the title"
        assert f"audit trail head {head}" in flat, f"page {i} lacks the audit-trail head"
        if plan.mode == "tile":
            assert f"Page {i} of {n} — row {tile.row}, column {tile.column}" in flat
        else:
            assert "Page 1 of" not in flat
    return texts


@pytest.mark.parametrize("options", [
    PageOptions(),
    PageOptions("fit"),
    PageOptions("tile"),
    PageOptions("tile", "A4", "portrait", 150),
    PageOptions("tile", "A3"),
], ids=["auto", "fit", "tile-readable", "tile-150-portrait", "tile-a3"])
def test_demo_biggest_map_in_each_layout(demo_ws, tmp_path, options):
    pid, title = biggest_map(demo_ws)
    pdf = render.render_map(demo_ws, pid, tmp_path / "map.pdf", pages=options)
    plan = expected_plan(demo_ws, pid, options)
    texts = check_pages(demo_ws, pdf, title, plan)
    if options.mode == "fit":
        assert plan.pages == 1
    else:
        # the demo's widest map does not stay readable on one A4 sheet: auto tiles it
        assert plan.mode == "tile" and plan.pages >= 2
        assert plan.text_pt >= 7.0 - 1e-9 or options.scale is not None
    if options.scale == 150:
        assert plan.percent == 150 and plan.orientation == "portrait"
        assert plan.pages > expected_plan(demo_ws, pid, PageOptions("tile")).pages
    if texts is not None and options.mode != "fit":
        # every word of every step's name is printed somewhere (wrapped labels come out of
        # the PDF line by line)
        words = set(" ".join(texts).split())
        for r in load_map_data(demo_ws, pid).nodes:
            if r["kind"] == "step" and r["name"]:
                assert set(r["name"].split()) <= words, r["name"]


def test_default_pdf_is_auto_and_old_call_still_works(demo_ws, tmp_path):
    pid, title = biggest_map(demo_ws)
    render.ensure_app()
    scene = render.build_scene(demo_ws, pid)
    try:
        pdf = render.render_pdf(scene, tmp_path / "old.pdf", title, "subtitle")
    finally:
        scene.clear_map()
        scene.deleteLater()
    assert page_count(pdf) == expected_plan(demo_ws, pid, PageOptions()).pages


def test_sixty_step_map(synth_ws, tmp_path):
    ws, ids = synth_ws
    title = "Order to delivery (60 steps)"
    auto = render.render_map(ws, ids["long"], tmp_path / "auto.pdf")
    plan = expected_plan(ws, ids["long"], PageOptions())
    assert plan.mode == "tile" and plan.rows == 1 and plan.pages >= 5
    texts = check_pages(ws, auto, title, plan)
    if texts is not None:
        flat = " ".join(" ".join(texts).split())
        for i in range(1, STEPS + 1):
            assert re.search(rf"\bStep {i} check\b", flat), i
    fit = render.render_map(ws, ids["long"], tmp_path / "fit.pdf", pages=PageOptions("fit"))
    assert page_count(fit) == 1
    a3 = render.render_map(ws, ids["long"], tmp_path / "a3.pdf", pages=PageOptions("auto", "A3"))
    assert 1 < page_count(a3) < plan.pages


def test_empty_pages_are_skipped_but_numbered_truthfully(synth_ws, tmp_path):
    ws, ids = synth_ws
    options = PageOptions("tile", "A4", "landscape")
    pdf = render.render_map(ws, ids["l"], tmp_path / "l.pdf", pages=options)
    plan = expected_plan(ws, ids["l"], options)
    assert plan.skipped > 0 and plan.rows > 1 and plan.columns > 1
    texts = check_pages(ws, pdf, "L-shaped map", plan)
    # only the top row and the right-hand column are printed
    assert all(t.row == 1 or t.column == plan.columns for t in plan.tiles)
    if texts is not None:
        last = " ".join(texts[-1].split())
        assert (f"Page {plan.pages} of {plan.pages} — row {plan.rows}, column {plan.columns}"
                in last)


def test_page_options_for_images_are_refused(demo_ws, tmp_path):
    pid, _ = biggest_map(demo_ws)
    with pytest.raises(render.DiagramExportError, match="PDF only"):
        render.render_map(demo_ws, pid, tmp_path / "map.png", pages=PageOptions("tile"))
    # the defaults are fine (the CLI passes them for every format)
    assert render.render_map(demo_ws, pid, tmp_path / "map.svg", pages=PageOptions()).exists()


def test_a_wide_map_on_one_page_is_centred_vertically(synth_ws, tmp_path, monkeypatch):
    """`--pages fit --paper A3`: the long, flat map sits in the middle of the page area, not at
    its top with two thirds of the sheet empty below it."""
    from qms_desktop.ui.flowchart.scene import MapScene

    ws, ids = synth_ws
    painted = []
    real = MapScene.render

    def spy(self, painter, target=None, source=None, mode=None):
        painted.append(target)
        return real(self, painter, target, source, mode)

    monkeypatch.setattr(MapScene, "render", spy)
    options = PageOptions("fit", "A3")
    render.render_map(ws, ids["long"], tmp_path / "fit.pdf", pages=options)
    plan = expected_plan(ws, ids["long"], options)
    assert plan.pages == 1 and len(painted) == 1
    target = painted[0]
    dev_mm = 300 / 25.4  # render_pdf writes at 300 dpi
    page_h = render.printable_mm(plan.paper, plan.orientation)[1] * dev_mm
    area_top = render.HEADER_MM * dev_mm
    gap_above, gap_below = target.top() - area_top, page_h - target.bottom()
    assert target.height() < (page_h - area_top) / 2  # a wide map: much room to spare
    assert gap_above > 0 and abs(gap_above - gap_below) < 2  # centred (device pixels)


def test_every_sheet_names_its_lanes(synth_ws, tmp_path):
    """A sheet right of the lanes' title band repeats the names of the lanes it shows."""
    ws, ids = synth_ws
    pdf = render.render_map(ws, ids["long"], tmp_path / "lanes.pdf", pages=PageOptions("tile"))
    plan = expected_plan(ws, ids["long"], PageOptions("tile"))
    texts = page_texts(pdf, plan.pages)
    if texts is None:
        pytest.skip("pdftotext (poppler) is not installed")
    for i, text in enumerate(texts, 1):
        flat = " ".join(text.split())
        for name in ("Sales", "Planning", "Production", "Quality"):
            assert name in flat, (i, name)
