"""One palette of risk-level colours (core/palette.py): readable pairs, used by both the xlsx
export and the register on screen."""

from __future__ import annotations

import pytest

from qms_desktop.core import palette


@pytest.mark.parametrize("dark", [False, True])
def test_every_level_text_is_readable_on_its_fill(dark):
    colours = palette.LEVEL_COLOURS[dark]
    assert tuple(colours) == palette.LEVEL_ORDER
    for level, (fill, ink) in colours.items():
        assert palette.contrast(fill, ink) >= 4.5, level


def test_contrast_and_hex_helpers():
    assert palette.contrast("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert palette.contrast("#777777", "#777777") == pytest.approx(1.0)
    assert palette.hex6("#c6efce") == "C6EFCE"
    assert palette.ap_colours("H") == palette.level_colours("critical")
    assert palette.level_colours("") is None


def test_xlsx_export_uses_the_palette():
    from qms_desktop.services.exports import risks_xlsx

    for level, (fill, ink) in palette.LEVEL_COLOURS[False].items():
        assert risks_xlsx.LEVEL_COLOURS[level] == (palette.hex6(fill), palette.hex6(ink))


@pytest.mark.parametrize("dark", [False, True])
def test_every_training_status_is_readable_on_its_fill(dark):
    from qms_desktop.core import training

    colours = palette.TRAINING_COLOURS[dark]
    assert set(colours) == set(training.STATUSES) - {training.NOT_REQUIRED}
    for status, (fill, ink) in colours.items():
        assert palette.contrast(fill, ink) >= 4.5, status
    assert palette.training_colours(training.NOT_REQUIRED) is None


@pytest.mark.parametrize("dark", [False, True])
def test_opportunities_have_their_own_readable_scale(dark):
    threat, chance = palette.LEVEL_COLOURS[dark], palette.OPPORTUNITY_COLOURS[dark]
    assert tuple(chance) == palette.LEVEL_ORDER
    for level, (fill, ink) in chance.items():
        assert palette.contrast(fill, ink) >= 4.5, level
        assert fill not in {f for f, _ in threat.values()}, level  # never a threat's colour
    assert palette.kind_level_colours("opportunity", "high", dark) == chance["high"]
    assert palette.kind_level_colours("risk", "high", dark) == threat["high"]


def test_opportunity_words_are_not_threat_words():
    from qms_desktop.core.risk import LEVEL_LABELS

    assert set(palette.OPPORTUNITY_WORDS) == set(palette.LEVEL_ORDER)
    assert not set(palette.OPPORTUNITY_WORDS.values()) & set(LEVEL_LABELS.values())
