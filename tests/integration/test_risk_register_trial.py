"""New-user trial of the risk register: renumbered opportunities keep their prefix, action
dates read like the Risks sheet's, the export's filters and print set-up, and a quiet dry run."""

import datetime as dt

from qms_desktop.cli import main as qms
from qms_desktop.services import actions
from qms_desktop.services import risks as RS

TODAY = dt.date(2026, 12, 5)


def _register(ws):
    r1 = RS.add_risk(ws, {"title": "Supplier late", "inherent_likelihood": 3,
                          "inherent_impact": 4}).result
    o1 = RS.add_risk(ws, {"ref": "O-001", "kind": "opportunity", "title": "New market",
                          "inherent_likelihood": 2, "inherent_impact": 3}).result
    actions.add_action(ws, "risk", o1, {"title": "Visit the fair"}, today=TODAY)
    actions.add_action(ws, "risk", r1, {"title": "Second source"}, today=TODAY)
    return r1, o1


def test_a_renumbered_opportunity_keeps_its_prefix_and_its_actions_name_the_new_id(ws, tmp_path):
    _register(ws)
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)
    dry = RS.import_risks(ws, out, on_existing="renumber", dry_run=True)
    assert sorted(r.ref for r in dry.rows) == ["O-002", "R-002"]
    assert "ID O-001 already exists in the workspace: imported as O-002" in \
        next(r for r in dry.rows if r.ref == "O-002").messages[0]
    # the action rows name the ID their risk gets, not the existing record
    assert sorted(r.risk_ref for r in dry.action_rows) == ["O-002", "R-002"]
    rep = RS.import_risks(ws, out, on_existing="renumber")
    assert rep.committed and rep.errors == 0
    rows = {r.ref: r for r in RS.list_risks(ws, TODAY)}
    assert rows["O-002"].kind == "opportunity" and "R-003" not in rows
    new = {a.title: a.source_ref for a in actions.list_actions(ws, TODAY)
           if a.ref not in ("A-001", "A-002")}
    assert new == {"Visit the fair": "O-002", "Second source": "R-002"}


def _workbook(path, actions_rows, header=("Risk ID", "Action ID", "Action", "Due date")):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Risks"
    book.active.append(["ID", "Title", "Review date"])
    book.active.append(["R-010", "Setter leaves", "28/02/2027"])
    book.active.append(["R-011", "Press breaks", "02/28/2027"])
    sheet = book.create_sheet("Treatment actions")
    sheet.append(list(header))
    for row in actions_rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_action_dates_are_read_like_the_risk_dates(ws, tmp_path):
    path = _workbook(tmp_path / "d.xlsx", [("R-010", "", "Train a setter", "28/02/2027"),
                                           ("R-011", "", "Spare press", "02/28/2027"),
                                           ("R-011", "", "Quote", "soon")])
    rep = RS.import_risks(ws, path, dry_run=True)
    risk_dates = [r.messages for r in rep.rows]
    assert risk_dates[0] == [] and "month/day" in " ".join(risk_dates[1])
    first, second, third = rep.action_rows
    assert first.status == "ok" and first.messages == []
    assert second.status == "warning"
    assert second.messages == ["Due date: '02/28/2027' was read as month/day/year."]
    assert third.status == "error"
    assert third.messages == ["Due date: 'soon' is not a date; write it as 2026-01-31 or "
                              "31/01/2026."]
    rep = RS.import_risks(ws, path, skip_invalid=True)
    due = sorted((a.title, a.due_date) for a in actions.list_actions(ws, TODAY))
    assert due == [("Spare press", dt.date(2027, 2, 28)), ("Train a setter", dt.date(2027, 2, 28))]


def test_a_verdict_error_names_the_choices_once(ws, tmp_path):
    path = _workbook(tmp_path / "v.xlsx", [("R-010", "", "Train", "Maybe")],
                     header=("Risk ID", "Action ID", "Action", "Effective"))
    rep = RS.import_risks(ws, path, dry_run=True)
    (msg,) = rep.action_rows[0].messages
    assert msg == "Effective: “Maybe” is not a verdict (use one of: Yes, No)"


def test_unknown_risk_ids_are_not_counted_as_risks(ws, tmp_path):
    path = _workbook(tmp_path / "u.xlsx", [("R-010", "", "Train", None),
                                           ("R-999", "", "Ghost", None)])
    rep = RS.import_risks(ws, path, dry_run=True)
    line = rep.actions_read()
    assert "2 action rows for 1 risk (R-010)" in line, line
    assert "R-999: row 3" in line and "neither the file nor the workspace" in line, line
    assert rep.unknown_risks == ["R-999"]


def test_reimporting_the_same_register_reports_unchanged_not_updates(ws, tmp_path):
    _register(ws)
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)
    rep = RS.import_risks(ws, out, on_existing="update", dry_run=True)
    assert (rep.created, rep.updated, rep.unchanged) == (0, 0, 2)
    assert (rep.actions_created, rep.actions_updated, rep.actions_unchanged) == (0, 0, 2)
    assert "update 0 (2 unchanged)" in rep.summary()
    real = RS.import_risks(ws, out, on_existing="update")
    assert not real.committed and real.change is None
    assert "every row matches the workspace already" in real.summary()


def test_the_clash_hint_is_given_once(ws, ws_path, tmp_path, capsys):
    for i in range(3):
        RS.add_risk(ws, {"title": f"Risk {i}"})
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)
    rep = RS.import_risks(ws, out, dry_run=True)
    assert [r.messages for r in rep.rows] == [
        [f"ID R-00{i} already exists in the workspace"] for i in (1, 2, 3)]
    assert rep.clash_hint.startswith("3 rows have an ID that already exists")
    ws.close()
    capsys.readouterr()
    assert qms(["import", "risks", str(ws_path), str(out), "--dry-run"]) == 1
    got = capsys.readouterr()
    both = got.out + got.err
    assert both.count("--renumber") == 1 and both.count("--update-existing") == 1, both
    assert "3 of them have an ID that already exists" in got.err


def test_the_export_has_filters_print_breaks_and_readable_rpn_and_ap(ws, tmp_path):
    from openpyxl import load_workbook

    for i in range(40):
        RS.add_risk(ws, {"title": f"Risk {i} " + "with a long title " * (i % 4),
                         "cause": "cause " * (5 * (i % 3)), "severity": 7, "occurrence": 4,
                         "detection": 3, "method": "both", "inherent_likelihood": 3,
                         "inherent_impact": 4})
    rid = RS.list_risks(ws, TODAY)[0].id
    actions.add_action(ws, "risk", rid, {"title": "Second source"}, today=TODAY)
    out = RS.export_risks(ws, tmp_path / "reg.xlsx", today=TODAY)
    book = load_workbook(out)
    for name, rows, cols in (("Risks", 41, "AD"), ("Treatment actions", 2, "L")):
        sheet = book[name]
        (table,) = sheet.tables.values()
        # filters on exactly the header and data (a table's own filter: a sheet filter over a
        # table is an error in Excel)
        assert table.ref == table.autoFilter.ref == f"A1:{cols}{rows}", name
        assert sheet.print_title_rows.replace("$", "") == "1:1", name
    sheet = book["Risks"]
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert 10 <= sheet.page_setup.scale <= 100
    assert [b.id for b in sheet.col_breaks.brk] and len(sheet.row_breaks.brk) >= 1
    # every page about as full as the others: no page holding a row or two
    heights = [sheet.row_dimensions[r].height or 15 for r in range(2, 42)]
    edges = [1, *[b.id for b in sheet.row_breaks.brk], 41]
    pages = [sum(heights[a - 1:b - 1]) for a, b in zip(edges, edges[1:])]
    assert min(pages) > 0.5 * max(pages), pages
    header = [c.value for c in sheet[1]]
    rpn, ap = header.index("RPN") + 1, header.index("Action priority (AP)") + 1
    for column in (rpn, ap):
        cell = sheet.cell(2, column)
        assert cell.alignment.horizontal == "center", cell.value
    assert sheet.cell(2, rpn).value == 84 and sheet.cell(2, ap).value == "M"


def test_the_print_plan_never_leaves_a_row_or_two_on_a_last_page():
    from qms_desktop.services.exports.risks_xlsx import COLUMNS, print_plan

    widths = [w for _, _, w in COLUMNS]
    for count in (1, 10, 40, 41, 120):
        for height in (15, 45, 75):
            plan = print_plan([height] * count, widths, pages_across=2, repeated=2)
            edges = [1, *plan.row_breaks, count + 1]
            sizes = [b - a for a, b in zip(edges, edges[1:])]
            assert max(sizes) - min(sizes) <= 1 + max(sizes) // 4, (count, height, sizes)
            assert 2 < plan.column_break < len(widths)
