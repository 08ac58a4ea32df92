"""The committed ui_*.py modules equal what pyside6-uic makes of forms/*.ui today."""

from __future__ import annotations

import pytest

from qms_desktop.ui.forms import build


def test_every_form_is_compiled_and_current():
    if build.uic_command() is None:
        pytest.skip("pyside6-uic is not installed (it comes with PySide6); cannot compare")
    files = build.ui_files()
    assert {f.stem for f in files} >= {"about", "workspace_locked"}
    for ui in files:
        target = build.PACKAGE_DIR / build.module_name(ui)
        assert target.exists(), f"{target.name} is missing: run python -m qms_desktop.ui.forms"
        fresh = build.compile_ui(ui)
        assert build.comparable(target.read_text(encoding="utf-8")) == build.comparable(fresh), (
            f"{target.name} is out of date: run python -m qms_desktop.ui.forms")


def test_compiled_forms_build_their_dialogs(qtbot):
    from qms_desktop.storage.workspace import WorkspaceLockedError
    from qms_desktop.ui.dialogs import WorkspaceLockedDialog

    err = WorkspaceLockedError("The workspace is in use by dana on lab-pc since 2026-01-05 "
                               "09:30. You can open it read-only.",
                               {"user": "dana", "host": "lab-pc",
                                "since": "2026-01-05T09:30:00+00:00"})
    d = WorkspaceLockedDialog(None, err)
    qtbot.addWidget(d)
    assert d.ui.userLabel.text() == "dana" and d.ui.hostLabel.text() == "lab-pc"
    assert "2026" in d.ui.sinceLabel.text() or "26" in d.ui.sinceLabel.text()
    from PySide6.QtWidgets import QDialogButtonBox
    assert d.ui.buttonBox.button(QDialogButtonBox.StandardButton.Open).text() == \
        "Open &Read-Only"
