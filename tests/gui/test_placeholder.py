"""Placeholder pages count what the workspace holds in correct English."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


def test_count_phrases_are_singular_for_one(qapp):
    from qms_desktop.ui.pages.placeholder import count_phrase

    assert count_phrase("nonconformities", 1) == "1 nonconformity"
    assert count_phrase("nonconformities", 2) == "2 nonconformities"
    assert count_phrase("people", 1) == "1 person"
    assert count_phrase("risks", 0) == "0 risks"
    assert count_phrase("checklist_runs", 1) == "1 gap analysis or audit"
    assert count_phrase("unknown_things", 1) == "1 unknown things"
