"""The generic spreadsheet reader (services/imports/table.py) on rows in memory: header
matching, derived columns, ratings as text, people lists, footers, records."""

from __future__ import annotations

import pytest

from qms_desktop.services.imports import risk_table as rt
from qms_desktop.services.imports import table as T

# A tiny schema of another import (a training matrix), to show the reader is not about risks.
TRAINING = T.Schema(
    fields=("person", "course", "level", "done_on", "trainer", "notes"),
    labels={"person": "Person", "course": "Course", "level": "Level", "done_on": "Completed",
            "trainer": "Trainer", "notes": "Notes"},
    synonyms=T.synonym_table([
        (("person",), ("Employee", "Name", "Mitarbeiter", "Salarié")),
        (("course",), ("Course", "Training", "Schulung", "Formation")),
        (("level",), ("Level", "Competence", "Niveau")),
        (("done_on",), ("Completed", "Date completed", "Abgeschlossen am")),
        (("trainer",), ("Trainer", "Trainers", "Formateur")),
        (("notes",), ("Notes", "Remarks")),
    ]),
    ratings={"level": 4},
    dates=frozenset({"done_on"}),
    people=frozenset({"trainer"}),
    key_fields=("person",),
    content_fields=frozenset({"person", "course"}),
)


def test_whole_phrase_matching_never_matches_inside_a_longer_header():
    headers = ["Root cause analysis", "Control Short Description", "Risk owner (name)",
               "Likelihood (H/M/L)", "Recommended Action(s)", "What are we already doing "
               "about it? (Mitigating factors)"]
    mapping = rt.guess_mapping(headers)
    assert 0 not in mapping and 1 not in mapping  # no "cause", no "description" inside
    assert mapping[2] == "owner"  # the header without its bracketed part
    assert mapping[3] == "inherent_likelihood"
    assert mapping[4] == "treatment"
    assert mapping[5] == "controls"  # the bracketed part alone


@pytest.mark.parametrize("header", [
    "RPN", "RPZ", "Risk prio w/o detection", "occurrence_x_detection_implied", "score", "x",
    "Severity x Occurrence", "SLE = (AV x EF)", "Risk Score", "Risk level", "Risikowert",
    "Detection score", "Likelihood x Impact", "Occurrence (implied)"])
def test_derived_columns_never_become_ratings(header):
    headers = ["Failure mode", "Severity", "Occurrence", "Detection", header]
    mapping = rt.guess_mapping(headers)
    assert 4 not in mapping, mapping
    assert 4 in rt.computed_columns(headers)
    # alone (no real rating column to lose against) it still maps to nothing
    assert rt.guess_mapping(["Title", header]) == {0: "title"}


def test_group_header_qualifies_but_a_title_banner_does_not():
    rows = [
        ["Register of ACME risks", None, None, None, None],
        ["ID", "Risk", "Inherent", None, "Residual"],
        [None, None, "Likelihood", "Impact", "Likelihood"],
        ["R-1", "Late parts", 3, 4, 2],
    ]
    merged = [(1, 1, 1, 5), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 4)]
    headers = T.read_headers(rows, 3, merged)
    assert headers == ["ID", "Risk", "Inherent Likelihood", "Inherent Impact", "Likelihood"]
    assert headers[2].own == "Likelihood" and headers[2].group == "Inherent"
    assert T.guess_header_row(rows, merged, rt.SCHEMA) == 3
    # the banner over the whole width is never glued on
    headers = T.read_headers([["Register of ACME risks"], ["ID", "Risk", "Owner"]], 2,
                             [(1, 1, 1, 3)])
    assert headers == ["ID", "Risk", "Owner"] and headers[0].group == ""


@pytest.mark.parametrize("text, scale, number", [
    ("H", 5, 4), ("M", 5, 3), ("L", 5, 2), ("VH", 5, 5), ("h", 10, 7),
    ("A", 5, 1), ("E", 5, 5), ("C", 10, 5),
    ("M to H", 5, 4), ("L - M", 5, 3), ("Low-Medium", 5, 3),
    ("Very High", 5, 5), ("Very Low", 5, 1), ("sehr hoch", 5, 5), ("faible", 5, 2),
    ("80%", 5, 4), ("80 %", 10, 8), ("5%", 10, 1), ("3", 5, 3), (4, 5, 4), (4.0, 5, 4),
])
def test_text_ratings(text, scale, number):
    reader = T.RatingReader("x", scale)
    assert reader.read(text) == (number, None)


def test_rating_placeholders_and_unreadable_texts():
    reader = T.RatingReader("x", 10)
    for text in ("[TODO: confirm value]", "TBD", "n/a", "-", "?", "à définir"):
        assert reader.read(text) == (None, "placeholder"), text
    assert reader.read("banana") == (None, "unreadable")
    assert reader.read(11) == (None, "unreadable")
    table = reader.column.entries
    assert table["TBD"].number is None and table["TBD"].how == "placeholder"
    assert table["banana"].how == "unreadable"


def test_percent_columns_and_the_visible_table():
    values = [100, 80, 50, 0, 20]
    reader = T.RatingReader("severity", 10, values, column=8, header="Severity")
    assert reader.column.mode == "percent"
    assert [reader.read(v)[0] for v in values] == [10, 8, 5, 1, 2]
    assert reader.read(50) == (5, None)
    entries = {text: (e.number, e.count) for text, e in reader.column.entries.items()}
    assert entries["50"] == (5, 2) and entries["100"] == (10, 1)
    assert reader.column.as_dict()["column"] == "I"
    # a chance of detection: 100 % found is the best (lowest) detection rating
    detection = T.RatingReader("detection", 10, [100, 50, 0], percent_header=True,
                               inverted=True)
    assert [detection.read(v)[0] for v in (100, 50, 0)] == [1, 6, 10]
    assert "chance" in detection.column.rule()
    # fractions under a "%" header
    fraction = T.RatingReader("x", 5, [0.2, 0.8], percent_header=True)
    assert fraction.column.mode == "fraction" and fraction.read(0.8) == (4, None)
    # a 1–10 column on a 1–5 field is not a percentage: the 7 is an error, not 1
    plain = T.RatingReader("x", 5, [1, 7, 3])
    assert plain.column.mode == "numbers" and plain.read(7) == (None, "unreadable")
    # the user's reading of a text wins
    chosen = T.RatingReader("x", 5, overrides={"Bof": 3})
    assert chosen.read("Bof") == (3, None)
    assert chosen.column.entries["Bof"].how == "your choice"


@pytest.mark.parametrize("cell, people", [
    ("Anna, Ben / Carl; Dora", ["Anna", "Ben", "Carl", "Dora"]),
    ("CISO and CFO", ["CISO", "CFO"]),
    ("Quality Manager and Buyer", ["Quality Manager", "Buyer"]),
    ("Health and Safety", ["Health and Safety"]),
    ("Identity & Access Management", ["Identity & Access Management"]),
    ("Anna\nBen\nAnna", ["Anna", "Ben"]),
    ("  ", []), (None, []),
])
def test_people_in_one_cell(cell, people):
    assert T.split_people(cell) == people


@pytest.mark.parametrize("row, footer", [
    (["© 2025 Amma K. | Register"], True),
    (["Copyright 2024 ACME"], True),
    (["Total", None, 12, 30], True),
    ([None, "TOTALS:", 3], True),
    (["(*)", "For Risk#15, AV was estimated"], True),
    (["#", "References:"], True),
    (["Prepared by: A. Martin", None, "2026-01-01"], True),
    (["Copyright infringement by a supplier", "Legal", 3, 4], False),
    (["Total loss of power", "Utilities", 2, 5], False),
    (["R-1", "Notes", 3], False),
])
def test_footer_rows(row, footer):
    assert (T.footer_text(row) is not None) is footer


def test_legend_sheets_are_recognised_by_name():
    for name in ("Key", "Legend", "Instructions", "Lookup lists", "Heat map", "Info",
                 "Scales & criteria", "Anleitung"):
        assert T.legend_sheet(name, rt.SCHEMA), name
    for name in ("Risks", "Key risks", "Register", "FMEA", "Sheet1", "1. Risk Assessment",
                 "Risk matrix and register"):
        assert not T.legend_sheet(name, rt.SCHEMA), name


def test_column_overrides():
    headers = ["ID", "Problem", "Consequence", "Comment"]
    got = rt.parse_column_overrides(["Problem=description", "C=effect", "4=-",
                                     "consequence = Effect"], headers)
    assert got == {1: "description", 2: "effect", 3: None}
    mapping = rt.apply_column_overrides({0: "ref", 1: "title", 3: "notes", 2: "title"},
                                        {2: "title"})
    assert mapping == {0: "ref", 2: "title", 3: "notes"}  # title taken from column B
    with pytest.raises(ValueError, match="must read Column=field"):
        rt.parse_column_overrides(["Problem"], headers)
    with pytest.raises(ValueError, match="no column is called"):
        rt.parse_column_overrides(["Nope=title"], headers)
    with pytest.raises(ValueError, match="unknown field"):
        rt.parse_column_overrides(["Problem=headline"], headers)
    # a header holding "=" is still found (the field never holds one)
    assert rt.parse_column_overrides(["SLE = (AV x EF)=notes"], ["SLE = (AV x EF)"]) == {
        0: "notes"}


def test_another_schema_uses_the_same_reader():
    headers = ["Employee", "Training", "Competence", "Completed", "Trainers", "Score"]
    mapping = T.guess_mapping(headers, [["Anna", "ISO 9001", "H", "2026-01-31",
                                         "Ben / Carl", 80]], TRAINING)
    assert mapping == {0: "person", 1: "course", 2: "level", 3: "done_on", 4: "trainer"}
    assert T.computed_columns(headers, TRAINING) == {5}
    assert T.validate_mapping({0: "person", 1: "person"}, TRAINING) != []
    reader = T.RatingReader("level", 4)
    assert reader.read("3") == (3, None) and reader.read(5) == (None, "unreadable")
