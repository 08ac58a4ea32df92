"""Risk scoring rules: AIAG-VDA action priority, RPN, 5x5 scores, banding, text ratings."""

from __future__ import annotations

import itertools
import json
import pickle

import pytest

from qms_desktop.core import risk
from qms_desktop.core.risk import (
    IMPACT_LABELS,
    LEVELS,
    LIKELIHOOD_LABELS,
    Banding,
    BandingError,
    action_priority,
    rpn,
    score,
    text_rating_to_number,
)

# The Action Priority table, pasted from standards.md ("Risk scoring") and parsed here, so the
# test does not share a transcription with the code.
STANDARD_TABLE = """
| Severity | O 8–10 | O 6–7 | O 4–5 | O 2–3 | O 1 |
|---|---|---|---|---|---|
| 9–10 | H H H H | H H H H | H H H M | H M L L | L L L L |
| 7–8 | H H H H | H H H M | H M M M | M M L L | L L L L |
| 4–6 | H H M M | M M M L | M L L L | L L L L | L L L L |
| 2–3 | M M L L | L L L L | L L L L | L L L L | L L L L |
| 1 | L L L L | L L L L | L L L L | L L L L | L L L L |
"""
DETECTION_BANDS = [(7, 10), (5, 6), (2, 4), (1, 1)]  # "AP for D = 7–10, 5–6, 2–4, 1"


def _band(text: str) -> tuple[int, int]:
    text = text.replace("O", "").strip()
    if "–" in text:
        low, high = text.split("–")
        return int(low), int(high)
    return int(text), int(text)


def _expected_table() -> dict[tuple[int, int, int], str]:
    lines = [line.strip() for line in STANDARD_TABLE.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    occurrence_bands = [_band(cell) for cell in header[1:]]
    expected = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        s_low, s_high = _band(cells[0])
        for (o_low, o_high), letters in zip(occurrence_bands, cells[1:]):
            letters = letters.split()
            assert len(letters) == 4
            for (d_low, d_high), letter in zip(DETECTION_BANDS, letters):
                for s, o, d in itertools.product(range(s_low, s_high + 1),
                                                 range(o_low, o_high + 1),
                                                 range(d_low, d_high + 1)):
                    assert (s, o, d) not in expected
                    expected[(s, o, d)] = letter
    return expected


EXPECTED = _expected_table()


def test_transcription_covers_every_combination():
    assert len(EXPECTED) == 1000
    assert set(EXPECTED.values()) == {"H", "M", "L"}


@pytest.mark.parametrize("severity", range(1, 11))
def test_action_priority_matches_the_table_for_every_cell(severity):
    for occurrence, detection in itertools.product(range(1, 11), repeat=2):
        assert action_priority(severity, occurrence, detection) == \
            EXPECTED[(severity, occurrence, detection)], (severity, occurrence, detection)


def test_worked_checks_from_the_standard():
    assert action_priority(8, 6, 2) == "H"
    assert action_priority(2, 6, 8) == "L"
    assert rpn(8, 6, 2) == rpn(2, 6, 8) == 96


def test_action_priority_is_not_an_rpn_threshold():
    # Same RPN, different priorities; and a high RPN with a low priority.
    assert action_priority(10, 1, 10) == "L"  # RPN 100
    assert action_priority(9, 4, 1) == "M"  # RPN 36, severity 9
    assert action_priority(5, 10, 10) == "H"  # RPN 500
    assert action_priority(3, 10, 10) == "M"  # RPN 300
    assert action_priority(1, 10, 10) == "L"  # RPN 100


@pytest.mark.parametrize("bad", [0, 11, -1, 5.0, 5.5, True, False, "5", None, 1e3])
def test_action_priority_rejects_values_outside_1_to_10(bad):
    for args in ((bad, 5, 5), (5, bad, 5), (5, 5, bad)):
        with pytest.raises(ValueError):
            action_priority(*args)
        with pytest.raises(ValueError):
            rpn(*args)


def test_rpn_and_score_ranges():
    assert rpn(1, 1, 1) == 1
    assert rpn(10, 10, 10) == 1000
    assert score(1, 1) == 1
    assert score(5, 5) == 25
    assert score(4, 3) == 12
    for bad in (0, 6, 2.0, True, "3", None):
        with pytest.raises(ValueError):
            score(bad, 3)
        with pytest.raises(ValueError):
            score(3, bad)


def test_labels_and_levels():
    assert LIKELIHOOD_LABELS[1] == "Rare" and LIKELIHOOD_LABELS[5] == "Almost certain"
    assert IMPACT_LABELS[1] == "Insignificant" and IMPACT_LABELS[5] == "Severe"
    assert sorted(LIKELIHOOD_LABELS) == sorted(IMPACT_LABELS) == [1, 2, 3, 4, 5]
    assert LEVELS == ("low", "medium", "high", "critical")


@pytest.mark.parametrize("table", [risk.SEVERITY_HELP, risk.OCCURRENCE_HELP,
                                   risk.DETECTION_HELP])
def test_fmea_help_texts_cover_1_to_10(table):
    assert sorted(table) == list(range(1, 11))
    assert len(set(table.values())) == 10
    assert all(text.strip() and text.endswith(".") for text in table.values())


# -- banding ------------------------------------------------------------------------------

def test_default_banding_is_sensible():
    banding = Banding()
    assert banding.level(1, 1) == "low"
    assert banding.level(5, 5) == "critical"
    assert banding.level(3, 3) == "medium"
    # Cell by cell, not by score alone: same score 4, different levels.
    assert banding.level(1, 4) != banding.level(4, 1)
    assert banding.non_monotonic_cells() == []
    assert {level for row in banding.cells for level in row} == set(LEVELS)


def test_with_cell_returns_a_changed_copy():
    banding = Banding()
    edited = banding.with_cell(2, 3, "critical")
    assert edited.level(2, 3) == "critical"
    assert banding.level(2, 3) == "medium"  # the original is untouched
    assert edited != banding
    assert edited.with_cell(2, 3, "medium") == banding
    assert hash(edited.with_cell(2, 3, "medium")) == hash(banding)
    assert edited.non_monotonic_cells() == [(2, 4), (3, 3)]  # now below their neighbour


def test_banding_is_immutable():
    banding = Banding()
    with pytest.raises(AttributeError):
        banding._cells = ()
    with pytest.raises(TypeError):
        banding.cells[0] = ("low",) * 5


@pytest.mark.parametrize("call", [
    lambda b: b.with_cell(0, 1, "low"),
    lambda b: b.with_cell(1, 6, "low"),
    lambda b: b.with_cell(1, 1, "severe"),
    lambda b: b.level(6, 1),
    lambda b: b.level(1, True),
])
def test_banding_rejects_bad_edits(call):
    with pytest.raises(ValueError):
        call(Banding())


def test_banding_json_round_trip():
    banding = Banding().with_cell(1, 5, "high").with_cell(5, 1, "low")
    text = banding.to_json()
    data = json.loads(text)
    assert data["version"] == 1
    assert data["levels"][0][4] == "high"  # levels[likelihood - 1][impact - 1]
    assert Banding.from_json(text) == banding
    assert Banding.from_json(text.encode()) == banding
    assert pickle.loads(pickle.dumps(banding)) == banding


@pytest.mark.parametrize("text, fragment", [
    ("not json", "not valid JSON"),
    ("[]", "JSON object"),
    ('{"version": 1}', '"levels"'),
    ('{"version": 2, "levels": []}', "version 2"),
    ('{"levels": "low"}', "list of 5 rows"),
    ('{"levels": [["low","low","low","low","low"]]}', "1 rows"),
    ('{"levels": [["low"], ["low"], ["low"], ["low"], ["low"]]}', "row 1 has 1 cells"),
    ('{"levels": [' + ",".join(['["low","low","low","low","low"]'] * 4)
     + ',["low","low","low","low","extreme"]]}', "likelihood 5 x impact 5"),
])
def test_banding_from_json_rejects_malformed_configs(text, fragment):
    with pytest.raises(BandingError) as info:
        Banding.from_json(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


# -- text ratings ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Very High", 5), ("very high", 5), ("VERY-HIGH", 5), ("Severe", 5), ("Almost certain", 5),
    ("Rare", 1), ("Very low", 1), ("Insignificant", 1), ("Low", 2), ("Minor", 2),
    ("Unlikely", 2), ("Moderate", 3), ("Medium", 3), ("Possible", 3), ("High", 4),
    ("Likely", 4), ("Major", 4), ("Catastrophic", 5),
    # French
    ("élevé", 4), ("Élevée", 4), ("très élevé", 5), ("faible", 2), ("Très faible", 1),
    ("moyen", 3), ("modéré", 3), ("critique", 5), ("peu probable", 2), ("quasi certain", 5),
    # German
    ("sehr hoch", 5), ("hoch", 4), ("mittel", 3), ("gering", 2), ("sehr gering", 1),
    ("mäßig", 3), ("niedrig", 2), ("unwahrscheinlich", 2), ("möglich", 3), ("kritisch", 5),
    # digits
    ("3", 3), (" 4 ", 4), ("3 - Possible", 3), ("5 – Almost certain", 5), ("2.0", 2),
    ("(4) High", 4), ("High (4)", 4), ("2/5", 2), (3, 3), (4.0, 4),
    # unknown or out of range
    ("", None), ("   ", None), ("banana", None), ("6", None), ("0", None), ("3.5", None),
    (3.5, None), (True, None), (None, None), ("Medium-High", None), (7, None),
])
def test_text_rating_to_number_on_five_point_scale(text, expected):
    assert text_rating_to_number(text, 5) == expected


@pytest.mark.parametrize("text, expected", [
    ("10", 10), ("7", 7), ("Very High", 9), ("High", 7), ("Moderate", 5), ("Low", 3),
    ("Very low", 1), ("Catastrophic", 10), ("Hazardous", 10), ("sehr hoch", 9),
    ("11", None), ("0", None), ("whatever", None),
])
def test_text_rating_to_number_on_ten_point_scale(text, expected):
    assert text_rating_to_number(text, 10) == expected


def test_text_rating_rejects_unknown_scale():
    with pytest.raises(ValueError):
        text_rating_to_number("3", 7)
