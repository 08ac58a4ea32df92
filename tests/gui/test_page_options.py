"""The page layout dialog (auto / one page / several pages at NN %, paper, orientation, the live
line) and its use before PDF export, printing and print preview — no dialog is ever shown:
exec() is replaced, printers write PDF files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog  # noqa: E402
from PySide6.QtWidgets import QDialog, QDialogButtonBox  # noqa: E402

from qms_desktop.core.processmap import Edge, Lane, Node, ProcessMap  # noqa: E402
from qms_desktop.ui.flowchart import page_options as po  # noqa: E402
from qms_desktop.ui.flowchart import render  # noqa: E402
from qms_desktop.ui.flowchart.render import MapGeometry, PageOptions  # noqa: E402

#: the size of the demo's order-to-delivery map: two A4 landscape pages at 89 %
DEMO_LIKE = MapGeometry((0.0, 0.0, 2243.0, 556.0), (), 11.0)


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                             timeout=60, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def pdf_text(pdf: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


# messages shown are recorded instead (the shared ``shown`` fixture in conftest.py)
pytestmark = pytest.mark.usefixtures("shown")


@pytest.fixture
def answer(monkeypatch):
    """Make PageOptionsDialog.exec answer at once: ``answer.set(fn)`` gets the dialog to
    adjust; ``answer.accept = False`` cancels. Records the dialogs asked."""

    class Answer:
        accept = True
        adjust = None
        asked: list = []

        def set(self, fn):
            self.adjust = fn

    ans = Answer()
    ans.asked = []

    def fake_exec(dlg):
        ans.asked.append(dlg.windowTitle())
        if ans.adjust is not None:
            ans.adjust(dlg)
        return QDialog.DialogCode.Accepted if ans.accept else QDialog.DialogCode.Rejected

    monkeypatch.setattr(po.PageOptionsDialog, "exec", fake_exec)
    return ans


@pytest.fixture
def wide_pid(ws):
    from qms_desktop.services.processes import save_map

    lanes = [Lane(f"L{i}", name, 0.0, i * 160.0, 160.0 * 22 + 60, 160.0, i)
             for i, name in enumerate(("Sales", "Production", "Quality"))]
    nodes = [Node(f"n{i}", "step", name=f"Step {i + 1}", x=120 + i * 160.0,
                  y=(i % 3) * 160 + 50, w=120, h=60, lane=f"L{i % 3}") for i in range(20)]
    edges = [Edge(f"e{i}", f"n{i}", f"n{i + 1}") for i in range(19)]
    pid = save_map(ws, ProcessMap(nodes, edges, lanes), name="Wide map").result
    return pid


@pytest.fixture
def editor(qtbot, controller, wide_pid):
    from qms_desktop.ui.flowchart.editor import FlowchartEditor

    ed = FlowchartEditor(controller)
    qtbot.addWidget(ed)
    ed.resize(1100, 700)
    ed.show()
    qtbot.waitExposed(ed)
    ed.open_process(wide_pid)
    return ed


# --------------------------------------------------------------------------- the dialog
def test_live_line_follows_the_choices(qtbot):
    dlg = po.PageOptionsDialog(DEMO_LIKE)
    qtbot.addWidget(dlg)
    line = dlg.summary_label
    assert dlg.auto_radio.isChecked() and dlg.options() == PageOptions()
    assert line.text().startswith("Automatic: This map needs 2 pages (2 × 1) at 89 % on A4 "
                                  "landscape.")
    assert dlg.scale_spin.value() == 89  # the readable scale, shown in the spin box

    dlg.fit_radio.setChecked(True)
    assert dlg.options() == PageOptions("fit")
    assert "fits on one page (A4 landscape)" in line.text()
    assert "only" in line.text()  # its text would be too small to read

    dlg.tile_radio.setChecked(True)
    assert dlg.options() == PageOptions("tile")  # still the readable scale
    dlg.scale_spin.setValue(150)
    assert dlg.options() == PageOptions("tile", "A4", "auto", 150)
    plan = render.plan_pages(DEMO_LIKE, dlg.options())
    assert f"needs {plan.pages} pages ({plan.columns} × {plan.rows}) at 150 %" in line.text()
    assert dlg.readable_button.isEnabled()

    qtbot.mouseClick(dlg.readable_button, Qt.MouseButton.LeftButton)
    assert dlg.options().scale is None and dlg.scale_spin.value() == 89
    assert not dlg.readable_button.isEnabled()

    dlg.paper_combo.setCurrentIndex(dlg.paper_combo.findData("A3"))
    assert dlg.scale_spin.value() == 100  # A3 holds it at full size on two sheets
    assert "at 100 % on A3 landscape" in line.text()

    dlg.orientation_combo.setCurrentIndex(dlg.orientation_combo.findData("portrait"))
    assert dlg.options() == PageOptions("tile", "A3", "portrait")
    assert "A3 portrait" in line.text()


def test_typing_a_scale_chooses_several_pages(qtbot):
    dlg = po.PageOptionsDialog(DEMO_LIKE)
    qtbot.addWidget(dlg)
    dlg.scale_spin.setValue(60)
    assert dlg.tile_radio.isChecked()
    assert dlg.options() == PageOptions("tile", scale=60)
    assert "at 60 %" in dlg.summary_label.text()


def test_too_many_pages_disables_ok(qtbot):
    dlg = po.PageOptionsDialog(MapGeometry((0, 0, 60_000, 20_000), (), 11.0),
                               PageOptions("tile", "A4", "auto", 300))
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert "smaller scale" in dlg.summary_label.text()
    dlg.fit_radio.setChecked(True)
    assert ok.isEnabled()


def test_last_choice_is_remembered(qtbot, ws, wide_pid, answer):
    assert po.load_page_options() == PageOptions()

    def choose(dlg):
        dlg.paper_combo.setCurrentIndex(dlg.paper_combo.findData("A3"))
        dlg.orientation_combo.setCurrentIndex(dlg.orientation_combo.findData("landscape"))
        dlg.scale_spin.setValue(70)

    answer.set(choose)
    got = po.ask_page_options(None, ws, wide_pid, title="Print map")
    assert got == PageOptions("tile", "A3", "landscape", 70)
    assert po.load_page_options() == got
    assert QSettings().value(po.KEY_PAPER) == "A3"

    seen = {}
    answer.set(lambda dlg: seen.update(options=dlg.options(), spin=dlg.scale_spin.value()))
    assert po.ask_page_options(None, ws, wide_pid) == got  # opens on the last choice
    assert seen == {"options": got, "spin": 70}

    answer.accept = False
    answer.set(lambda dlg: dlg.fit_radio.setChecked(True))
    assert po.ask_page_options(None, ws, wide_pid) is None
    assert po.load_page_options() == got  # a cancelled dialog changes nothing


def test_unusable_stored_values_fall_back_to_defaults():
    s = QSettings()
    s.setValue(po.KEY_MODE, "poster")
    s.setValue(po.KEY_SCALE, "lots")
    assert po.load_page_options() == PageOptions()
    s.setValue(po.KEY_MODE, "tile")
    s.setValue(po.KEY_PAPER, "A3")
    s.setValue(po.KEY_SCALE, "0")
    assert po.load_page_options() == PageOptions("tile", "A3")


# --------------------------------------------------------------------------- the editor
def test_export_pdf_asks_pages_first(editor, answer, dialogs, tmp_path, shown):
    out = tmp_path / "wide.pdf"
    dialogs.save_files = [str(out)]
    answer.set(lambda dlg: dlg.scale_spin.setValue(120))
    path = editor.export_image("pdf")
    assert path == out and not shown
    assert answer.asked == ["Export map as PDF"] and dialogs.kinds() == ["save-file"]
    plan = render.plan_pages(editor_geometry(editor), PageOptions("tile", scale=120))
    assert plan.pages > 1 and pdf_pages(out) == plan.pages
    text = pdf_text(out)
    if text is not None:
        assert "Wide map" in text and f"Page {plan.pages} of {plan.pages}" in text


def test_cancelled_page_dialog_exports_nothing(editor, answer, dialogs, tmp_path):
    answer.accept = False
    assert editor.export_image("pdf") is None
    assert "save-file" not in dialogs.kinds()


def test_export_with_a_path_uses_the_last_choice(editor, answer, tmp_path):
    po.save_page_options(PageOptions("fit"))
    assert pdf_pages(editor.export_image("pdf", tmp_path / "one.pdf")) == 1
    assert answer.asked == []
    po.save_page_options(PageOptions("tile", scale=150))
    assert pdf_pages(editor.export_image("pdf", tmp_path / "many.pdf")) > 1


def test_png_and_svg_stay_one_image_without_asking(editor, answer, tmp_path):
    assert editor.export_image("png", tmp_path / "m.png", dpi=72).exists()
    assert editor.export_image("svg", tmp_path / "m.svg").exists()
    assert answer.asked == []


def editor_geometry(ed) -> MapGeometry:
    scene = render.build_scene(ed.ws, ed.process_id, ed.container)
    try:
        return render.map_geometry(scene)
    finally:
        scene.clear_map()
        scene.deleteLater()


def test_paint_printer_writes_the_planned_pages(editor, tmp_path):
    out = tmp_path / "printed.pdf"
    plan = editor._paint_printer(pdf_printer(out), PageOptions("tile", "A4", "portrait", 100))
    assert plan.mode == "tile" and plan.orientation == "portrait" and plan.pages > 1
    assert pdf_pages(out) == plan.pages
    text = pdf_text(out)
    if text is not None:
        for i in range(1, plan.pages + 1):
            assert f"Page {i} of {plan.pages}" in text
        assert "audit trail head" in text


def test_print_preview_paints_the_chosen_layout(editor, answer, monkeypatch, tmp_path, shown):
    out = tmp_path / "preview.pdf"
    answer.set(lambda dlg: dlg.fit_radio.setChecked(True))

    def fake_exec(dlg):
        assert dlg.windowTitle() == "Print preview"
        dlg.paintRequested.emit(pdf_printer(out))
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    editor.print_preview()
    assert answer.asked == ["Print preview"] and not shown
    assert pdf_pages(out) == 1


def test_print_map_prints_after_both_dialogs(editor, answer, monkeypatch, tmp_path, shown):
    out = tmp_path / "print.pdf"
    answer.set(lambda dlg: dlg.scale_spin.setValue(100))

    def fake_exec(dlg):
        printer = dlg.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    editor.print_map()
    assert not shown
    plan = render.plan_pages(editor_geometry(editor), PageOptions("tile", scale=100))
    assert pdf_pages(out) == plan.pages > 1


def test_print_map_cancelled_at_page_dialog_prints_nothing(editor, answer, monkeypatch):
    answer.accept = False
    monkeypatch.setattr(QPrintDialog, "exec",
                        lambda dlg: pytest.fail("the print dialog must not open"))
    editor.print_map()


# --------------------------------------------------------------------------- too large to tile
#: a map so large that even the readable scale needs more than MAX_PAGES sheets (content empty:
#: every sheet counts)
HUGE = MapGeometry((0.0, 0.0, 60_000.0, 20_000.0), (), 11.0)


@pytest.mark.parametrize("remembered", [PageOptions(), PageOptions("fit"), PageOptions("tile")])
def test_a_map_too_large_to_tile_still_opens_the_dialog(qtbot, remembered):
    with pytest.raises(render.DiagramExportError, match="more than the 400") as too_many:
        render.plan_pages(HUGE, PageOptions("tile"))
    readable = too_many.value.plan.percent  # the layout that needs too many sheets
    dlg = po.PageOptionsDialog(HUGE, remembered)  # used to raise “… needs 1386 pages …”
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    line = dlg.summary_label.text()
    assert dlg.scale_spin.value() == readable  # still shows the readable scale
    if remembered.mode == "fit":
        assert ok.isEnabled()
        assert "fits on one page" in line
        assert "would need" in line and "more than the 400" in line  # why not several pages
    else:
        assert not ok.isEnabled()  # this choice cannot be printed ...
        assert "more than the 400" in line and "One page, scaled to fit" in line
    # ... one page can, and so can several pages at a small enough scale
    dlg.fit_radio.setChecked(True)
    assert ok.isEnabled() and dlg.options() == PageOptions("fit")
    dlg.auto_radio.setChecked(True)
    assert not ok.isEnabled()
    dlg.scale_spin.setValue(20)
    assert dlg.tile_radio.isChecked() and ok.isEnabled()
    assert dlg.plan().pages <= render.MAX_PAGES
    assert "at 20 %" in dlg.summary_label.text()
    qtbot.mouseClick(dlg.readable_button, Qt.MouseButton.LeftButton)
    assert not ok.isEnabled() and dlg.scale_spin.value() == readable


@pytest.fixture
def huge_geometry(monkeypatch):
    """Every map measures as HUGE (the real scene is built, its geometry replaced)."""
    monkeypatch.setattr(render, "map_geometry", lambda scene: HUGE)
    return HUGE


def test_ask_page_options_never_raises_for_a_huge_map(qtbot, ws, wide_pid, answer,
                                                      huge_geometry):
    seen = []
    answer.set(lambda dlg: seen.append(
        (dlg.mode(), dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled())))
    po.save_page_options(PageOptions("fit"))
    assert po.ask_page_options(None, ws, wide_pid) == PageOptions("fit")
    po.save_page_options(PageOptions())  # "auto": cannot be printed for this map
    answer.set(lambda dlg: seen.append(
        (dlg.mode(), dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()))
        or dlg.fit_radio.setChecked(True))
    assert po.ask_page_options(None, ws, wide_pid) == PageOptions("fit")
    assert seen == [("fit", True), ("auto", False)]


def test_editor_pdf_export_of_a_huge_map_does_not_crash(editor, answer, dialogs, tmp_path,
                                                        shown, huge_geometry):
    po.save_page_options(PageOptions())
    answer.accept = False
    assert editor.export_image("pdf") is None  # the dialog opened (and was cancelled)
    assert answer.asked == ["Export map as PDF"] and not shown


def test_map_geometry_counts_connectors_by_their_points_only(qtbot, ws, wide_pid, monkeypatch):
    """A connector's content is the segments of its points (EdgeItem always has them); its
    painter path is never consulted."""
    from qms_desktop.ui.flowchart.items import EdgeItem

    scene = render.build_scene(ws, wide_pid)
    try:
        monkeypatch.setattr(EdgeItem, "path", lambda self: pytest.fail("path() was used"))
        full = render.map_geometry(scene)
        edge = next(iter(scene.edges.values()))
        segments = len(edge.points) - 1
        assert segments >= 1
        edge.points = []  # no route: the connector adds nothing (and no path is built)
        assert len(render.map_geometry(scene).content) == len(full.content) - segments
    finally:
        scene.clear_map()
        scene.deleteLater()
