"""core/dates.py: dates written many ways, read at their boundaries; ambiguous and impossible
ones flagged with the cell, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.core.dates import DMY, MDY, DateReader, detect_order, read_date

D = dt.date


@pytest.mark.parametrize("text, want", [
    ("2025-03-04", D(2025, 3, 4)),
    ("2025/03/04", D(2025, 3, 4)),
    ("2025-03-04T10:30:00", D(2025, 3, 4)),
    ("20250304", D(2025, 3, 4)),
    ("04.03.2025", D(2025, 3, 4)),
    ("4.3.2025", D(2025, 3, 4)),
    ("29.02.2024", D(2024, 2, 29)),  # a leap day
    ("2000-02-29", D(2000, 2, 29)),  # divisible by 400: a leap year
    # English
    ("4 March 2025", D(2025, 3, 4)),
    ("Mar 4, 2025", D(2025, 3, 4)),
    ("March 4th 2025", D(2025, 3, 4)),
    ("Tuesday, 4 March 2025", D(2025, 3, 4)),
    ("2025 Mar 4", D(2025, 3, 4)),
    # German
    ("4. März 2025", D(2025, 3, 4)),
    ("4. Maerz 2025", D(2025, 3, 4)),
    ("17. Dez. 2024", D(2024, 12, 17)),
    ("1. Oktober 2025", D(2025, 10, 1)),
    # French
    ("4 mars 2025", D(2025, 3, 4)),
    ("1er février 2025", D(2025, 2, 1)),
    ("15 août 2025", D(2025, 8, 15)),
    ("3 déc. 2025", D(2025, 12, 3)),
])
def test_reads(text, want):
    got = read_date(text)
    assert got.date == want and not got.problem, got


@pytest.mark.parametrize("text, year", [("04.03.25", 2025), ("04.03.29", 2029),
                                        ("04.03.30", 1930), ("04.03.99", 1999),
                                        ("04-Mar-25", 2025), ("04.03.00", 2000)])
def test_two_digit_years_follow_excel_and_say_so(text, year):
    got = read_date(text)
    assert got.date.year == year
    assert f"was read as {year}" in got.note


@pytest.mark.parametrize("serial, want", [
    (1, D(1900, 1, 1)), (59, D(1900, 2, 28)), (61, D(1900, 3, 1)),
    (45720, D(2025, 3, 4)), (45720.99, D(2025, 3, 4)), (45351, D(2024, 2, 29)),
])
def test_excel_serials_with_the_1900_leap_bug(serial, want):
    assert read_date(serial).date == want
    assert read_date(str(serial)).date == want  # written as text: read, with a note
    assert "serial" in read_date(str(serial)).note


def test_serial_60_is_the_day_that_never_was():
    got = read_date(60, cell="D9")
    assert got.date is None and "29 February 1900" in got.problem and "D9" in got.problem


def test_serial_out_of_range_and_1904_system():
    assert read_date(0).date is None and "range" in read_date(0).problem
    assert read_date(0, date1904=True).date == D(1904, 1, 1)
    assert read_date(44258, date1904=True).date == D(2025, 3, 4)


def test_datetime_cells():
    assert read_date(dt.datetime(2025, 3, 4, 23, 59)).date == D(2025, 3, 4)
    assert read_date(D(2025, 3, 4)).date == D(2025, 3, 4)
    assert read_date(None).empty and read_date("  ").empty
    assert read_date(True).problem


@pytest.mark.parametrize("text, words", [
    ("2025-13-01", "no month 13"),
    ("31.02.2025", "February 2025 has 28 days"),
    ("29.02.2025", "February 2025 has 28 days"),
    ("29.02.1900", "February 1900 has 28 days"),  # not a leap year (divisible by 100)
    ("31/04/2025", "April 2025 has 30 days"),
    ("13/13/2025", "no month 13"),
    ("14/13/2025", "neither number can be the month"),
])
def test_impossible_dates_are_flagged_with_the_cell(text, words):
    got = read_date(text, cell="C7")
    assert got.date is None
    assert words in got.problem and "C7" in got.problem and text in got.problem


def test_month_year_and_year_alone_are_flagged_not_completed():
    for text in ("März 2025", "March 2025", "mars 2025", "03 2025"):
        got = read_date(text, cell="B2")
        assert got.date is None and "not the day" in got.problem, text
    assert "a year, not a date" in read_date("2025").problem
    assert "is not a date" in read_date("soon").problem


def test_ambiguous_slash_dates_are_flagged_while_the_order_is_unknown():
    got = read_date("03/04/2025", cell="E12")
    assert got.date is None and got.ambiguous
    assert "3 April 2025" in got.problem and "4 March 2025" in got.problem
    assert "E12" in got.problem
    # the same day either way is no ambiguity
    assert read_date("04/04/2025").date == D(2025, 4, 4)
    # one part over 12 settles it on its own
    assert read_date("25/03/2025").date == D(2025, 3, 25)
    assert read_date("03/25/2025").date == D(2025, 3, 25)
    # a known order reads it
    assert read_date("03/04/2025", order=DMY).date == D(2025, 4, 3)
    assert read_date("03/04/2025", order=MDY).date == D(2025, 3, 4)
    assert read_date("03-04-25", order=MDY).date == D(2025, 3, 4)


def test_a_date_against_the_known_order_is_flagged():
    got = read_date("25/03/2025", order=MDY, cell="F3")
    assert got.date is None and "month/day/year" in got.problem and "F3" in got.problem


def test_detect_order_over_a_column():
    assert detect_order(["03/04/2025", "25/03/2025", None, 45000]).order == DMY
    assert detect_order(["03/04/2025", "03/25/2025"]).order == MDY
    g = detect_order(["03/04/2025", "05/06/2025"])
    assert g.order is None and g.ambiguous == 2 and "flagged" in g.note
    g = detect_order(["25/03/2025", "03/25/2025", "01/02/2025"])
    assert g.order is None and g.conflict
    # dotted dates are always day first and say nothing about slash dates
    assert detect_order(["25.03.2025", "03/04/2025"]).order is None


def test_reader_learns_the_order_from_the_file_unless_chosen():
    reader = DateReader()
    reader.learn(["03/04/2025", "13/04/2025"])
    assert reader.read("03/04/2025", "A1").date == D(2025, 4, 3)
    assert "day first" in reader.note
    chosen = DateReader(MDY)
    chosen.learn(["13/04/2025"])
    assert chosen.read("03/04/2025").date == D(2025, 3, 4)
    unknown = DateReader()
    unknown.learn(["03/04/2025"])
    got = unknown.read("03/04/2025", "C5")
    assert got.date is None and "C5" in got.problem
