"""PySide6 6.12.0 decrements ``None``'s reference count in some setters (``setPos`` among them);
on CPython 3.11, where None is not immortal, the app then crashes in ``none_dealloc``. We pin
PySide6 below 6.12 (see DEVELOPERS.md); this test fails on any build with the bug."""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("PySide6.QtWidgets")

pytestmark = pytest.mark.gui


def test_set_pos_does_not_steal_references_to_none():
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem

    app = QApplication.instance() or QApplication([])  # noqa: F841 (items need an app)
    item = QGraphicsRectItem(0, 0, 10, 10)
    calls = 10_000
    before = sys.getrefcount(None)
    for i in range(calls):
        item.setPos(i % 100, i % 50)
    after = sys.getrefcount(None)
    # other code may take or drop a few references meanwhile; the bug drops one per call
    assert after > before - calls // 10, (
        f"None lost {before - after} references in {calls} setPos calls: this PySide6 "
        "build has the refcount bug; install PySide6 < 6.12")
