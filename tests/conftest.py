"""Shared fixtures: isolated folders, the corpus, workspaces.

Markers are declared in pyproject.toml (``--strict-markers`` refuses any other). Tests under
tests/gui/ are marked ``gui`` by tests/gui/conftest.py (the one place that does it); a test
elsewhere that needs Qt carries ``@pytest.mark.gui`` (or ``pytestmark``) itself.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

# Tests never need a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def heads_log(tmp_path, monkeypatch) -> Path:
    """The log of audit heads seen (services/heads.py) that `qms` exports and the app write:
    a private folder for each test, never the user's own."""
    folder = tmp_path / "heads-log"
    monkeypatch.setenv("QMS_HEADS_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """Real files made by other tools (see tests/corpus/README.md for their sources)."""
    return ROOT / "tests" / "corpus"


@pytest.fixture
def ws_path(tmp_path) -> Path:
    return tmp_path / "test.qms"


@pytest.fixture
def ws(ws_path):
    from qms_desktop.storage.workspace import create_workspace

    w = create_workspace(ws_path, organization="Test Org", user="tester")
    yield w
    w.close()


@pytest.fixture
def tmpfs(tmp_path):
    """``tmpfs(opts)``: a context manager mounting a small tmpfs (e.g. ``"size=64k"``,
    ``"ro,size=64k"``) below ``tmp_path``; it yields None where mounting is not possible
    (not root, no mount), so the test can skip."""

    @contextlib.contextmanager
    def mount(opts: str):
        d = tmp_path / ("mnt-" + opts.replace(",", "-").replace("=", ""))
        d.mkdir()
        if os.geteuid() != 0 or subprocess.run(
                ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)],
                capture_output=True).returncode:
            yield None
            return
        try:
            yield d
        finally:
            subprocess.run(["umount", "-l", str(d)], capture_output=True)

    return mount
