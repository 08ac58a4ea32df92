"""Word from the Documents editor: export a procedure (map included, or left out with a note),
the manual, the letterhead template setting; registering Word files with a preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from qms_desktop.services import documents as docs
from qms_desktop.services import processes
from qms_desktop.ui.documents import exporting, register_files

PW = {"dan": "dan's long password", "eve": "eve reviews things"}


class Page(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.controller = controller


@pytest.fixture
def page(qtbot, controller):
    p = Page(controller)
    qtbot.addWidget(p)
    return p


@pytest.fixture
def opened(monkeypatch):
    got: list[Path] = []
    monkeypatch.setattr(exporting, "open_file", lambda path: got.append(path) or True)
    return got


def _procedure(ws, *, with_map=True, effective=True):
    pid = None
    if with_map:
        pid = processes.add_process(ws, {"name": "Order intake"}).result
        a = processes.add_node(ws, pid, "start", 0, 0, name="Order received").result
        b = processes.add_node(ws, pid, "step", 120, 0, name="Check the drawing").result
        processes.add_edge(ws, pid, a, b)
    did = docs.add_document(ws, {"title": "Order review", "process_id": pid}).result
    docs.edit_section(ws, did, "purpose", "Accept only orders we can **deliver**.")
    if effective:
        docs.add_user(ws, "dan", "Daniel Okafor", PW["dan"])
        docs.add_user(ws, "eve", "Eve Park", PW["eve"], rights=["reviewed"],
                      admin=("dan", PW["dan"]))
        rid = docs.get_document(ws, did).pending_id
        docs.sign(ws, rid, "authored", "dan", PW["dan"])
        docs.sign(ws, rid, "reviewed", "eve", PW["eve"])
        docs.add_user(ws, "max", "Max Brandt", "max approves all", rights=["approved"],
                      admin=("dan", PW["dan"]))
        docs.sign(ws, rid, "approved", "max", "max approves all")
        docs.make_effective(ws, rid)
    return did


def _wait(qtbot, task):
    with qtbot.waitSignal(task.finished, timeout=60_000):
        pass


def _docx_text(path: Path) -> str:
    from docx import Document

    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_export_procedure_with_map_and_offer_to_open(ws, controller, page, qtbot, dialogs,
                                                     opened, tmp_path):
    did = _procedure(ws)
    assert exporting.default_name(docs.get_document(ws, did)) == "SOP-001 rev A Order review.docx"
    dialogs.save_files = [str(tmp_path / "out")]  # the suffix is added
    task = exporting.export_procedure(page, did)
    _wait(qtbot, task)
    out = tmp_path / "out.docx"
    assert out.is_file() and page.last_export == out
    text = _docx_text(out)
    assert "Order review" in text and "Accept only orders we can deliver." in text
    from docx import Document

    assert Document(str(out)).inline_shapes, "the process map is in the document"
    assert dialogs.kinds()[-1] == "question" and opened == [out]


def test_map_that_cannot_be_drawn_is_left_out_with_a_note(ws, controller, page, qtbot, dialogs,
                                                          opened, tmp_path, monkeypatch):
    did = _procedure(ws)

    def broken(*_a, **_k):
        raise RuntimeError("no paint")

    monkeypatch.setattr(exporting, "map_png", broken)
    dialogs.question_answer = QMessageBox.StandardButton.No
    task = exporting.export_procedure(page, did, tmp_path / "p.docx")
    _wait(qtbot, task)
    assert (tmp_path / "p.docx").is_file()
    assert "could not be drawn (no paint)" in dialogs.messages("question")[-1]
    assert opened == []


def test_template_setting_bad_file_refused_good_kept(ws, controller, page, qtbot, dialogs,
                                                     tmp_path, opened):
    bad = tmp_path / "letterhead.docx"
    bad.write_text("not a Word file")
    dialogs.open_files = [str(bad)]
    assert exporting.choose_template(page) is False
    assert "cannot be used as the Word template" in dialogs.messages("warning")[-1]
    assert exporting.template_path() == ""
    # a real .docx: an export of ours serves as a letterhead
    did = _procedure(ws, with_map=False, effective=False)
    first = tmp_path / "first.docx"
    _wait(qtbot, exporting.export_procedure(page, did, first))
    dialogs.open_files = [str(first)]
    assert exporting.choose_template(page) is True
    assert exporting.template_path() == str(first)
    _wait(qtbot, exporting.export_procedure(page, did, tmp_path / "second.docx"))
    assert (tmp_path / "second.docx").is_file()
    first.unlink()  # gone: said clearly at the next export
    assert exporting.export_procedure(page, did, tmp_path / "third.docx") is None
    assert "no longer there" in dialogs.messages("warning")[-1]
    exporting.reset_template(page)
    assert exporting.template_path() == ""


def test_export_manual(ws, controller, page, qtbot, dialogs, opened, tmp_path):
    did = _procedure(ws)
    docs.add_document(ws, {"title": "Draft only"})  # not in force: not in the manual
    dialogs.question_answer = QMessageBox.StandardButton.No
    task = exporting.export_manual(page, tmp_path / "manual.docx")
    _wait(qtbot, task)
    text = _docx_text(tmp_path / "manual.docx")
    assert docs.get_document(ws, did).number in text and "Draft only" not in text


def test_register_word_files_preview_and_one_undo_step(ws, controller, page, qtbot, dialogs,
                                                       tmp_path, opened, monkeypatch):
    did = _procedure(ws, with_map=False, effective=False)
    folder = tmp_path / "in"
    folder.mkdir()
    _wait(qtbot, exporting.export_procedure(page, did, folder / "SOP-001 Order review.docx"))
    (folder / "broken.docx").write_text("no zip")
    seen = []

    def exec_(self):
        seen.append(self)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(register_files.RegisterFilesDialog, "exec", exec_)
    task = register_files.register_word_files(page, [folder])
    _wait(qtbot, task)
    dialog = seen[0]
    by_name = {r.path.name: r for r in dialog.rows}
    assert "is already registered" in by_name["SOP-001 Order review.docx"].problem
    assert not by_name["broken.docx"].ok and by_name["broken.docx"].problem
    assert dialog.ticked() == []  # nothing registrable: nothing done
    assert controller.undo_stack.count() == 0
    # into a workspace without that number
    docs.delete_documents(ws, [did])
    seen.clear()
    task = register_files.register_word_files(page, [folder])
    _wait(qtbot, task)
    assert [p.name for p in seen[0].ticked()] == ["SOP-001 Order review.docx"]
    rows = docs.list_documents(ws)
    assert [(r.number, r.status, r.revision) for r in rows] == [("SOP-001", "effective", "A")]
    assert controller.undo_stack.count() == 1
    assert controller.undo_stack.text(0) == "Register 1 Word file"
    controller.undo()
    assert docs.list_documents(ws) == []


def test_editor_word_menu_offers_exports_template_and_registering(ws, controller, qtbot):
    from qms_desktop.ui.documents.editor import ProcedureEditor

    ed = ProcedureEditor(controller)
    qtbot.addWidget(ed)
    ed.set_document(_procedure(ws, with_map=False, effective=False))
    ed._fill_export_menu()
    texts = [a.text() for a in ed.export_menu.actions() if a.text()]
    assert texts == ["Export to Word…", "Export manual…", "Word template…",
                     "Use the built-in template", "Register Word files…",
                     "Register a folder of Word files…"]
    ed._fill_export_menu()  # refilled, not doubled
    assert len([a for a in ed.export_menu.actions() if a.text()]) == 6


def test_map_is_drawn_at_print_resolution_for_the_size_it_is_printed(ws, qtbot):
    """A long map is printed scaled to the page: its image holds about 300 pixels per printed
    inch at that size, not 300 per inch of the map's own size (which only costs time)."""
    from PySide6.QtGui import QImage

    pid = processes.add_process(ws, {"name": "Long line"}).result
    prev = processes.add_node(ws, pid, "start", 0, 0, name="Start").result
    for i in range(60):
        nxt = processes.add_node(ws, pid, "step", 160 * (i + 1), 0, name=f"Step {i}").result
        processes.add_edge(ws, pid, prev, nxt)
        prev = nxt
    img = QImage.fromData(exporting.map_png(ws, pid))
    assert not img.isNull()
    assert img.width() <= exporting.MAX_PRINT_IN[0] * 300 + 2
    assert img.width() >= exporting.MAX_PRINT_IN[0] * 300 * 0.9
    small = processes.add_process(ws, {"name": "Short"}).result
    processes.add_node(ws, small, "step", 0, 0, name="Only step")
    one = QImage.fromData(exporting.map_png(ws, small))
    assert one.dotsPerMeterX() == round(300 / 0.0254)  # fits the page: full 300 dpi
