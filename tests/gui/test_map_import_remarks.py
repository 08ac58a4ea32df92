"""What a BPMN import says afterwards (issue: "imported with 1 remarks; elements … were kept as
generic steps" when nothing was): the headline is built from the remarks, counts are worded
right, remarks that only inform are notes (the window's icon, the CLI's ``note:``) and warnings
stay warnings."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox, QWidget  # noqa: E402

from qms_desktop.cli import main as qms  # noqa: E402
from qms_desktop.services.imports.bpmn import Note, is_note, read_bpmn  # noqa: E402
from qms_desktop.services.processes import import_remarks_headline  # noqa: E402
from qms_desktop.storage.workspace import create_workspace  # noqa: E402

from test_flowchart_outside_labels import FILE  # noqa: E402


def test_process_inputs_and_outputs_are_one_short_note():
    got = read_bpmn(FILE)
    assert len(got.warnings) == 1 and is_note(got.warnings[0])
    text = got.warnings[0]
    assert text.startswith("1 process input or output is shown as a data input or data output "
                           "shape") or text.startswith("1 process input or output is shown")
    assert "(s)" not in text and "ioSpecification" not in text
    assert all(len(sentence) < 120 for sentence in text.split(". "))


def test_the_headline_counts_what_happened():
    assert import_remarks_headline([]) == "The map was imported."
    assert import_remarks_headline([Note("a")]) == "The map was imported with 1 note."
    assert import_remarks_headline(["w", Note("a"), Note("b")]) == \
        "The map was imported with 1 warning and 2 notes."
    assert import_remarks_headline(["w", "v"]) == "The map was imported with 2 warnings."


def test_the_window_after_an_import_tells_the_truth(qtbot):
    from qms_desktop.ui.flowchart.import_target import ImportTarget, show_import_warnings

    got = read_bpmn(FILE)
    target = ImportTarget("new", None, "bpmn", got.map, "Hiring", got.name, list(got.warnings))
    parent = QWidget()
    qtbot.addWidget(parent)
    show_import_warnings(parent, target)
    box = parent.findChild(QMessageBox, "importRemarks")
    assert box is not None
    try:
        assert box.text() == "The map was imported with 1 note."
        assert "generic step" not in box.text() + box.informativeText() + box.detailedText()
        assert box.informativeText().startswith("Note: 1 process input or output is shown")
        assert box.icon() == QMessageBox.Icon.Information
    finally:
        box.close()


def test_the_command_line_prints_a_note_not_a_warning(tmp_path, capsys):
    wsfile = tmp_path / "w.qms"
    create_workspace(wsfile).close()
    src = tmp_path / "hiring.bpmn"
    src.write_bytes(FILE)
    assert qms(["import", "bpmn", str(wsfile), str(src)]) == 0
    out = capsys.readouterr().out
    assert "note: 1 process input or output is shown" in out, out
    assert "warning:" not in out, out
