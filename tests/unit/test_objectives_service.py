"""services/objectives: objectives and KPIs with their status computed from measurements, the
edit rules, and pasting measurements copied from Excel (all or nothing, rows named)."""

from __future__ import annotations

import datetime as dt

import pytest

from qms_desktop.services import objectives as O
from qms_desktop.services import records as R
from qms_desktop.services.imports.table import detect_decimal, parse_number
from qms_desktop.services.records import RecordError

TODAY = dt.date(2026, 6, 15)


def _kpi(ws, **values) -> int:
    base = {"title": "On-time delivery", "kind": "kpi", "target": 95, "unit": "%",
            "tolerance": 2, "direction": ">="}
    return O.add_objective(ws, {**base, **values}).result


def _row(ws, oid, today=TODAY):
    return O.list_objectives(ws, [oid], today=today)[0]


# --------------------------------------------------------------------------- CRUD and status


def test_add_objective_gets_next_ref_and_defaults(ws):
    a = O.add_objective(ws).result
    b = O.add_objective(ws, {"title": "Scrap"}).result
    rows = {r.id: r for r in O.list_objectives(ws)}
    assert rows[a].ref == "OBJ-01" and rows[a].title == "New objective"
    assert rows[b].ref == "OBJ-02" and rows[b].kind == "objective"
    assert rows[a].direction == ">=" and rows[a].frequency == "monthly"
    assert rows[a].status == "active" and rows[a].kpi.status == "none"
    R.create(ws, "objective", {"ref": "OBJ-009", "title": "x"})
    assert O.next_objective_ref(ws) == "OBJ-010"  # keeps the numbering's width


def test_status_follows_the_latest_measurement(ws):
    oid = _kpi(ws)
    assert _row(ws, oid).kpi.status == "none"
    O.add_measurement(ws, oid, {"measured_on": TODAY - dt.timedelta(days=40), "value": 96})
    O.add_measurement(ws, oid, {"measured_on": TODAY - dt.timedelta(days=10), "value": "93,5"})
    row = _row(ws, oid)
    assert row.kpi.status == "near" and row.kpi.value == 93.5
    assert row.measurement_count == 2 and not row.kpi.late
    assert "≥ 95 %" in row.kpi.rule and row.target_text == "≥ 95 %"
    mid = O.measurements(ws, oid)[-1].id
    O.update_measurement(ws, mid, {"value": "90"})
    assert _row(ws, oid).kpi.status == "off"
    assert [m.status for m in O.measurements(ws, oid)] == ["on", "off"]


def test_late_and_overdue(ws):
    oid = _kpi(ws, kind="objective", due_date=TODAY - dt.timedelta(days=1))
    O.add_measurement(ws, oid, {"measured_on": TODAY - dt.timedelta(days=100), "value": 90})
    row = _row(ws, oid)
    assert row.kpi.late and row.overdue
    O.update_objectives(ws, [oid], {"status": "achieved"})
    row = _row(ws, oid)
    assert not row.kpi.late and not row.overdue  # not followed any more


def test_a_kpi_without_target_is_followed_not_judged(ws):
    oid = _kpi(ws, target="")
    O.add_measurement(ws, oid, {"measured_on": TODAY, "value": 12})
    row = _row(ws, oid)
    assert row.target is None and row.kpi.status == "none" and row.kpi.value == 12


@pytest.mark.parametrize("values, words", [
    ({"direction": ">"}, "direction"),
    ({"frequency": "daily"}, "frequency"),
    ({"tolerance": -1}, "negative"),
    ({"target": "lots"}, "not a number"),
    ({"target": float("inf")}, "finite"),
    ({"kind": "goal"}, "kpi"),
    ({"category": "money"}, "category"),
    ({"status": "done"}, "status"),
    ({"title": "  "}, "title"),
    ({"due_date": "31.02.2026"}, "not a real date"),
])
def test_bad_values_are_refused_with_a_sentence(ws, values, words):
    oid = _kpi(ws)
    with pytest.raises(RecordError, match=words):
        O.update_objectives(ws, [oid], values)
    assert _row(ws, oid).direction == ">="  # nothing changed


def test_numbers_in_both_forms_and_unique_ref(ws):
    oid = _kpi(ws)
    O.update_objectives(ws, [oid], {"target": "1.234,5", "tolerance": "0,5", "baseline": "1,200.5"})
    row = _row(ws, oid)
    assert (row.target, row.tolerance, row.baseline) == (1234.5, 0.5, 1200.5)
    other = _kpi(ws)
    with pytest.raises(RecordError, match="already has the ID"):
        O.update_objectives(ws, [other], {"ref": row.ref})


def test_owner_and_process(ws):
    ann = R.create(ws, "person", {"name": "Ann"}).result
    gone = R.create(ws, "person", {"name": "Old", "active": False}).result
    proc = R.create(ws, "process", {"code": "CP-01", "name": "Sales"}).result
    oid = _kpi(ws, owner_id=ann, process_id=proc)
    row = _row(ws, oid)
    assert (row.owner, row.process) == ("Ann", "Sales")
    with pytest.raises(RecordError, match="no longer active"):
        O.update_objectives(ws, [oid], {"owner_id": gone})


def test_delete_cascades_measurements(ws):
    oid = _kpi(ws)
    keep = _kpi(ws, title="Other")
    for i in range(3):
        O.add_measurement(ws, oid, {"measured_on": TODAY - dt.timedelta(days=i), "value": i})
    O.add_measurement(ws, keep, {"measured_on": TODAY, "value": 1})
    assert O.measurement_counts(ws, [oid]) == 3
    change = O.delete_objectives(ws, [oid])
    assert change.result == 3
    assert change.touches("measurement") and len(change.ids_of("measurement")) == 3
    assert [r.id for r in O.list_objectives(ws)] == [keep]
    assert O.measurements(ws, oid) == []
    with pytest.raises(RecordError):
        O.delete_objectives(ws, [oid])


def test_one_measurement_per_day(ws):
    oid = _kpi(ws)
    a = O.add_measurement(ws, oid, {"measured_on": TODAY, "value": 1}).result
    with pytest.raises(RecordError, match="already has a measurement"):
        O.add_measurement(ws, oid, {"measured_on": TODAY, "value": 2})
    b = O.add_measurement(ws, oid, {"measured_on": TODAY - dt.timedelta(days=1),
                                    "value": 2}).result
    with pytest.raises(RecordError, match="already has a measurement"):
        O.update_measurement(ws, b, {"measured_on": TODAY})
    with pytest.raises(RecordError, match="needs a value"):
        O.add_measurement(ws, oid, {"measured_on": TODAY + dt.timedelta(days=3), "value": ""})
    O.delete_measurements(ws, [a])
    assert [m.id for m in O.measurements(ws, oid)] == [b]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, number", [
    ("1,234.5", 1234.5), ("1.234,5", 1234.5), ("95,3 %", 95.3), ("95.3%", 95.3),
    ("12 345,6", 12345.6), ("\u22123.5", -3.5), ("0,500", 0.5), ("1.234.567", 1234567.0),
    (7, 7.0), ("", None),
])
def test_parse_number(text, number):
    assert parse_number(text) == number


def test_ambiguous_thousands_need_the_column():
    with pytest.raises(ValueError, match="ambiguous"):
        parse_number("1,234")
    assert parse_number("1,234", decimal=",") == 1.234
    assert parse_number("1,234", decimal=".") == 1234.0
    assert detect_decimal(["1,234", "95,3"]) == ","
    assert detect_decimal(["1,234"]) is None
    assert detect_decimal(["1.5", "2,5"]) is None  # both seen: undecided
    with pytest.raises(ValueError):
        parse_number("nan")


# --------------------------------------------------------------------------- paste


EXCEL = ("Datum\tWert\tBemerkung\r\n"
         "31.01.2026\t94,3 %\tStart\r\n"
         "28.02.2026\t1.234,5\t\r\n"
         "31.03.2026\t95,1\t\"two\nlines\"\r\n")


def test_paste_excel_block_with_header_and_german_decimals(ws):
    oid = _kpi(ws)
    preview = O.paste_preview(ws, oid, EXCEL)
    assert preview.header == ("Datum", "Wert", "Bemerkung")
    assert not preview.problems
    assert [(r.number, r.measured_on, r.value) for r in preview.rows] == [
        (2, dt.date(2026, 1, 31), 94.3), (3, dt.date(2026, 2, 28), 1234.5),
        (4, dt.date(2026, 3, 31), 95.1)]
    assert preview.rows[2].note == "two\nlines"
    change = O.paste_measurements(ws, oid, EXCEL)
    assert change.result == (3, 0)
    assert [m.value for m in O.measurements(ws, oid)] == [94.3, 1234.5, 95.1]


def test_paste_english_excel_and_header_in_other_order(ws):
    oid = _kpi(ws)
    text = "Value\tDate\n1,234.5\t2026-01-31\n95\tJanuary 31, 2025\n"
    preview = O.paste_preview(ws, oid, text)
    assert not preview.problems
    assert [(r.measured_on, r.value) for r in preview.rows] == [
        (dt.date(2026, 1, 31), 1234.5), (dt.date(2025, 1, 31), 95.0)]


def test_bad_date_is_named_by_row_and_nothing_is_written(ws):
    oid = _kpi(ws)
    text = "Date\tValue\n31/01/2026\t94\n31/02/2026\t95\nsoon\t96\n"
    preview = O.paste_preview(ws, oid, text)
    messages = preview.messages()
    assert messages[0].startswith("row 3: “31/02/2026” is not a real date")
    assert messages[1].startswith("row 4: “soon” is not a date")
    with pytest.raises(RecordError, match="Nothing was pasted: row 3"):
        O.paste_measurements(ws, oid, text)
    assert O.measurements(ws, oid) == []
    # the user chose to skip the named rows
    assert O.paste_measurements(ws, oid, text, skip_rows=[3, 4]).result == (1, 0)
    assert [m.measured_on for m in O.measurements(ws, oid)] == [dt.date(2026, 1, 31)]


def test_ambiguous_slash_dates_are_flagged_until_the_order_is_chosen(ws):
    oid = _kpi(ws)
    text = "03/04/2026\t90\n04/05/2026\t91\n"
    preview = O.paste_preview(ws, oid, text)
    assert len(preview.problems) == 2 and "could be" in preview.problems[0].problem
    preview = O.paste_preview(ws, oid, text, order="mdy")
    assert [r.measured_on for r in preview.rows] == [dt.date(2026, 3, 4), dt.date(2026, 4, 5)]


def test_same_day_is_said_and_replaced_only_when_asked(ws):
    oid = _kpi(ws)
    O.add_measurement(ws, oid, {"measured_on": dt.date(2026, 1, 31), "value": 80})
    text = "2026-01-31\t94\n2026-02-28\t95\n"
    preview = O.paste_preview(ws, oid, text)
    assert [r.number for r in preview.problems] == [1]
    assert "already has a measurement (80)" in preview.problems[0].problem
    with pytest.raises(RecordError):
        O.paste_measurements(ws, oid, text)
    assert O.paste_measurements(ws, oid, text, replace_same_day=True).result == (1, 1)
    assert [(m.measured_on.day, m.value) for m in O.measurements(ws, oid)] == [(31, 94.0),
                                                                               (28, 95.0)]
    # one day twice in the block is always a problem
    twice = "2026-03-31\t1\n2026-03-31\t2\n"
    assert O.paste_preview(ws, oid, twice).messages() == [
        "row 2: 2026-03-31 is also on row 1; a day has one measurement."]


def test_paste_rows_without_value_or_date(ws):
    oid = _kpi(ws)
    preview = O.paste_preview(ws, oid, "94\n2026-01-31\t\tnote\n\n")
    assert preview.messages() == [
        "row 1: a row needs a date and a value side by side: copy both columns.",
        "row 2: there is no value beside the date."]
    with pytest.raises(RecordError, match="no rows"):
        O.paste_measurements(ws, oid, "")


# --------------------------------------------------------------------------- trial findings


@pytest.mark.parametrize("text", ["95.3.2", "1.2.3", "1,23.5", "1,2,3"])
def test_digit_groups_after_a_thousands_separator_are_three(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


def test_one_comma_in_a_decimal_point_column_must_group_thousands():
    with pytest.raises(ValueError, match="not a number"):
        parse_number("1,23", decimal=".")
    assert parse_number("1,23") == 1.23  # alone it is a decimal comma
    assert parse_number("1,234,567.5", decimal=".") == 1234567.5


def test_a_target_typed_with_two_points_is_refused(ws):
    oid = _kpi(ws)
    with pytest.raises(RecordError, match="95.3.2"):
        O.update_objectives(ws, [oid], {"target": "95.3.2"})
    assert _row(ws, oid).target == 95


def test_paste_warns_of_future_days_impossible_percentages_and_negatives(ws):
    oid = _kpi(ws)
    text = ("Date\tValue\n2026-04-30\t94\n2026-05-31\t1.234,5\n2026-06-01\t-0,02 %\n"
            "2027-05-31\t95\n")
    preview = O.paste_preview(ws, oid, text, today=TODAY)
    assert not preview.problems  # warnings do not block
    assert preview.warnings() == [
        "row 3: 1,234.5 % is outside 0–100 %.",
        "row 4: -0.02 % is outside 0–100 %.",
        "row 5: 31 May 2027 is in the future."]
    scrap = _kpi(ws, title="Scrap", unit="ppm", direction="<=", target=500)
    preview = O.paste_preview(ws, scrap, "2026-01-31\t-3\n2026-02-28\t1200\n", today=TODAY)
    assert preview.warnings() == ["row 1: -3 ppm is below zero, which a value in ppm cannot be."]
    assert O.measurement_warning(-3, "EUR", TODAY) == ""


def test_the_order_is_learnt_from_real_dates_only(ws):
    oid = _kpi(ws)
    # "31/02/2026" is no date: it must not decide that 03/04/2026 is day first
    preview = O.paste_preview(ws, oid, "31/02/2026\t90\n03/04/2026\t91\n")
    assert not any("day first" in n for n in preview.notes)
    assert "not a real date" in preview.rows[0].problem
    assert "could be" in preview.rows[1].problem


def test_unreadable_clipboard_text_is_a_known_error(ws):
    oid = _kpi(ws)
    with pytest.raises(RecordError, match="cannot be read as cells"):
        O.paste_preview(ws, oid, "2026-01-31\t\"" + "9" * 200_000 + "\"\n")
