"""The audit log workbook (services/exports/audit_log_xlsx.py): sheets, tables, filters, names
of records (deleted ones too), hostile texts, the row-limit split, cancel, the chain check."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from qms_desktop.services import records
from qms_desktop.services.audit_trail import AuditFilter, head_stamp
from qms_desktop.services.exports import audit_log_xlsx as A
from qms_desktop.storage.workspace import create_workspace, open_workspace

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)",
           "-2+3", "\uff1d1+1", "#N/A"]


@pytest.fixture
def trail(tmp_path) -> Path:
    """A workspace changed by two users: people (one with a formula for a name), a document,
    a risk owned by a person, a risk deleted, a field set to a hostile text."""
    path = tmp_path / "trail.qms"
    ws = create_workspace(path, organization="Hostile & Co", user="tester")
    try:
        priya = records.create(ws, "person", {"name": "Priya Raman"}).result
        records.create(ws, "person", {"name": HOSTILE[0]})
        records.create(ws, "document", {"number": "SOP-007",
                                        "title": "Control of documents"})
        risk = records.create(ws, "risk", {"ref": "R-001", "title": "Late delivery",
                                           "owner_id": priya}).result
        gone = records.create(ws, "risk", {"ref": "R-009", "title": "Gone risk"}).result
        records.update_field(ws, "risk", risk, "cause", HOSTILE[1])
    finally:
        ws.close()
    ws = open_workspace(path, user="alice")
    try:
        records.update_field(ws, "risk", risk, "effect", HOSTILE[2])
        records.delete(ws, "risk", gone)
    finally:
        ws.close()
    return path


def export(path: Path, out: Path, **kw) -> A.AuditLogResult:
    with open_workspace(path, read_only=True) as ws:
        return A.export_audit_log(ws, out, **kw)


def table_rows(wb, title: str) -> list[dict]:
    sheet = wb[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_sheets_tables_frozen_headers_and_cover(trail, tmp_path):
    out = tmp_path / "log.xlsx"
    got = export(trail, out)
    with open_workspace(trail, read_only=True) as ws:
        head, n = head_stamp(ws)
    assert got.path == out and got.head_hash == head and got.head_event == n
    assert got.chain_ok and got.events == n
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Cover", "Audit trail", "Internal-audit findings",
                             "Document approvals"]
    names = []
    for title, columns in (("Audit trail", A._TRAIL_COLUMNS),
                           ("Internal-audit findings", A._FINDING_COLUMNS),
                           ("Document approvals", A._APPROVAL_COLUMNS)):
        sheet = wb[title]
        assert sheet.freeze_panes == "A2"
        (name, ref), = sheet.tables.items()
        names.append(name)
        header = [c.value for c in sheet[1]]
        assert header == [h for h, _ in columns] and len(set(header)) == len(header)
        table = sheet.tables[name]
        assert [c.name for c in table.tableColumns] == header
        last = openpyxl.utils.get_column_letter(len(columns))
        assert ref == f"A1:{last}{max(sheet.max_row, 2)}"
        assert {c.font.name for row in sheet.iter_rows() for c in row
                if c.value is not None} == {"Calibri"}
    assert len(set(names)) == 3
    assert wb["Audit trail"].tables["AuditTrail"].ref == f"A1:K{n + 1}"
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r[0]}
    assert cover["Workspace file"] == "trail.qms"
    assert cover["Organization"] == "Hostile & Co"
    assert cover["Period"] == "whole trail" and cover["Filters"] == "none"
    assert cover["Audit trail head"] == head and cover["Last event number"] == n
    assert cover["Verification"].startswith("passed")
    assert "chain check" in cover["Verified by"]
    assert isinstance(cover["Exported at (UTC)"], dt.datetime)
    assert cover["Exported by"]


def test_rows_name_records_and_times_are_datetimes(trail, tmp_path):
    out = tmp_path / "log.xlsx"
    export(trail, out)
    wb = openpyxl.load_workbook(out)
    sheet = wb["Audit trail"]
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        assert isinstance(cell.value, dt.datetime) and cell.is_date
        assert cell.number_format == "yyyy-mm-dd hh:mm:ss"
    rows = table_rows(wb, "Audit trail")
    assert [r["Event no."] for r in rows] == list(range(1, len(rows) + 1))
    risk = [r for r in rows if r["Record kind"] == "risk"]
    created = next(r for r in risk if r["Record"] == "R-001 Late delivery")
    assert created["Operation"] == "created" and created["User"] == "tester"
    assert "title: Late delivery" in created["New value"]
    assert "owner: Priya Raman" in created["New value"]  # a reference, by name
    assert created["Old value"] is None
    effect = next(r for r in risk if r["Field"] == "effect")
    assert effect["User"] == "alice" and effect["Operation"] == "changed"
    # the deleted risk keeps the name its deletion recorded
    deleted = [r for r in risk if r["Record"] == "R-009 Gone risk (deleted)"]
    assert [r["Operation"] for r in deleted] == ["created", "deleted"]
    assert "title: Gone risk" in deleted[1]["Old value"] and deleted[1]["New value"] is None
    assert any(r["Record"] == "SOP-007 Control of documents" for r in rows)
    assert all(len(r["Hash"]) == A.SHORT_HASH + 1 for r in rows)


def test_hostile_texts_are_text_never_formulas(trail, tmp_path):
    with open_workspace(trail, user="mallory") as ws:
        records.create(ws, "organization", {"name": HOSTILE[3]})
        for text in HOSTILE[4:]:
            records.create(ws, "person", {"name": text})
    out = tmp_path / "log.xlsx"
    export(trail, out)
    wb = openpyxl.load_workbook(out)
    values = set()
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    values.add(c.value)
                    if c.value in HOSTILE:
                        assert c.quotePrefix, c.value
    for text in HOSTILE:
        assert text in values


@pytest.mark.parametrize("flt, expect", [
    (AuditFilter(entity="risk"), lambda r: r["Record kind"] == "risk"),
    (AuditFilter(exact_user="alice"), lambda r: r["User"] == "alice"),
])
def test_entity_and_user_filters(trail, tmp_path, flt, expect):
    out = tmp_path / "log.xlsx"
    got = export(trail, out, flt=flt)
    rows = table_rows(openpyxl.load_workbook(out), "Audit trail")
    assert rows and all(expect(r) for r in rows) and got.events == len(rows)
    assert got.chain_ok  # checked over the whole trail in a pass of its own
    with open_workspace(trail, read_only=True) as ws:
        everything = list(A.trail_values(ws))
    assert len(rows) == sum(1 for r in everything if expect(dict(zip(
        [h for h, _ in A._TRAIL_COLUMNS], r))))
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Cover"].iter_rows(
        values_only=True) if r[0]}
    assert cover["Filters"] != "none"


def test_since_and_until_filters(trail, tmp_path):
    con = sqlite3.connect(trail)
    first, last = [dt.datetime.fromisoformat(v).date() for v in con.execute(
        "SELECT min(at), max(at) FROM audit_event").fetchone()]
    total = con.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    con.close()
    day = dt.timedelta(days=1)
    cases = [(first.isoformat(), last.isoformat(), total), ((last + day).isoformat(), "", 0),
             ("", (first - day).isoformat(), 0)]
    for since, until, n in cases:
        out = tmp_path / f"log-{since}-{until}.xlsx"
        got = export(trail, out, flt=AuditFilter(since=since, until=until))
        assert got.events == n
        wb = openpyxl.load_workbook(out)
        rows = table_rows(wb, "Audit trail")
        assert len([r for r in rows if r["Event no."] is not None]) == n
        ref = wb["Audit trail"].tables["AuditTrail"].ref
        assert ref == f"A1:K{max(n, 1) + 1}"  # an empty table keeps one (empty) data row
        cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(values_only=True) if r[0]}
        assert cover["Period"] != "whole trail"


def test_a_long_trail_continues_on_more_sheets(trail, tmp_path, monkeypatch):
    from qms_desktop.storage.audit import bulk_insert
    from qms_desktop.storage.models import Person

    with open_workspace(trail) as ws:
        with ws.session() as s:
            bulk_insert(s, Person, [{"name": f"Person {i:03d}"} for i in range(110)])
    monkeypatch.setattr(A, "MAX_SHEET_ROWS", 50)
    out = tmp_path / "log.xlsx"
    got = export(trail, out)
    wb = openpyxl.load_workbook(out)
    per_sheet = 49
    sheets = -(-got.events // per_sheet)
    titles = ["Audit trail"] + [f"Audit trail ({i})" for i in range(2, sheets + 1)]
    assert got.trail_sheets == titles
    assert wb.sheetnames == ["Cover", *titles, "Internal-audit findings", "Document approvals"]
    numbers = []
    table_names = set()
    for i, title in enumerate(titles, start=1):
        sheet = wb[title]
        assert sheet.max_row <= 50 and sheet.freeze_panes == "A2"
        (name, ref), = sheet.tables.items()
        table_names.add(name)
        assert name == ("AuditTrail" if i == 1 else f"AuditTrail{i}")
        assert ref == f"A1:K{sheet.max_row}"
        assert [c.value for c in sheet[1]][0] == "Time (UTC)"
        numbers += [r[9] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == list(range(1, got.events + 1))
    assert len(table_names) == len(titles)


def test_cancel_leaves_no_file_and_keeps_an_earlier_one(trail, tmp_path):
    out = tmp_path / "log.xlsx"
    out.write_bytes(b"earlier")
    asked = []
    got = export(trail, out, cancel=lambda: asked.append(1) or True)
    assert got is None and asked
    assert out.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "heads-log") == [
        "log.xlsx", "trail.qms"]

    class Stop(Exception):
        pass

    def progress(done, total):
        raise Stop  # (the task runner's progress callback raises when Cancel is pressed)

    fresh = tmp_path / "fresh.xlsx"
    with pytest.raises(Stop):
        export(trail, fresh, progress=progress)
    assert not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_progress_counts_up_to_the_total(trail, tmp_path, monkeypatch):
    monkeypatch.setattr(A, "_REPORT_EVERY", 3)
    seen = []
    got = export(trail, tmp_path / "log.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, got.events) and seen[-1] == (got.events, got.events)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_tampered_trail_fails_the_check_on_the_cover(trail, tmp_path):
    con = sqlite3.connect(trail)
    con.execute("UPDATE audit_event SET new = '\"Early delivery\"' WHERE field = 'effect'")
    con.commit()
    con.close()
    out = tmp_path / "log.xlsx"
    got = export(trail, out)
    assert not got.chain_ok and "altered" in got.check
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Cover"].iter_rows(
        values_only=True) if r[0]}
    assert cover["Verification"].startswith("FAILED")


def test_full_verify_is_said_on_the_cover(trail, tmp_path):
    out = tmp_path / "log.xlsx"
    got = export(trail, out, full_verify=True)
    assert got.chain_ok
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Cover"].iter_rows(
        values_only=True) if r[0]}
    assert cover["Verified by"].startswith("qms verify")


def test_entity_words():
    assert A.entity_by_word("training record") == "training_record"
    assert A.entity_by_word("Training_Record") == "training_record"
    assert A.entity_by_word("risks") == "risk"
    assert A.entity_by_word("process step") == "process_node"
    with pytest.raises(ValueError, match="not a kind of record"):
        A.entity_by_word("unicorn")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from qms_desktop.services.demo import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo.qms")


def test_findings_and_document_approvals_from_the_demo(demo, tmp_path):
    out = tmp_path / "log.xlsx"
    got = export(demo, out)
    con = sqlite3.connect(demo)
    findings = con.execute("SELECT count(*) FROM finding").fetchone()[0]
    signed = con.execute("SELECT count(*) FROM signature WHERE entity = 'revision'"
                         ).fetchone()[0]
    con.close()
    assert got.findings == findings > 0 and got.approvals == signed > 0
    wb = openpyxl.load_workbook(out)
    found = table_rows(wb, "Internal-audit findings")
    assert len(found) == findings and all(r["Run"] and r["Finding"] for r in found)
    assert any(r["Linked actions"] for r in found)
    approvals = table_rows(wb, "Document approvals")
    assert len(approvals) == signed
    for r in approvals:
        assert r["Document"] and r["Revision"] and r["Meaning"] in ("authored", "reviewed",
                                                                    "approved")
        assert isinstance(r["Signed at (UTC)"], dt.datetime) and r["Local time"]
        assert r["Valid"] == "yes"
    signature_rows = [r for r in table_rows(wb, "Audit trail")
                      if r["Record kind"] == "signature"]
    assert signature_rows and all(r["Signature meaning"] for r in signature_rows)
    created = [r for r in signature_rows if r["Operation"] == "created"]
    # the signed record by name ("QP-01 … rev C"), in the record column and the summary
    assert created and all(" rev " in r["Record"] and " on " in r["Record"] for r in created)
    assert all("record kind: revision; record: " in r["New value"] and "record id" not in
               r["New value"] for r in created)


def test_validity_comes_from_the_documents_service(demo, tmp_path, monkeypatch):
    from qms_desktop.services import documents

    def checks(ws, ids=None):
        return {i: (False, "the revision changed after signing") for i in ids}

    monkeypatch.setattr(documents, "signature_checks", checks)
    out = tmp_path / "log.xlsx"
    export(demo, out)
    approvals = table_rows(openpyxl.load_workbook(out), "Document approvals")
    assert approvals and all(r["Valid"] == "no" and r["Check"] ==
                             "the revision changed after signing" for r in approvals)


def test_password_hashes_never_reach_the_workbook(tmp_path):
    from openpyxl import load_workbook

    from qms_desktop.services import documents
    from qms_desktop.services.exports.audit_log_xlsx import export_audit_log
    from qms_desktop.storage.workspace import create_workspace

    w = create_workspace(tmp_path / "pw.qms", user="qm")
    try:
        documents.add_user(w, "dan", "Daniel Okafor", "a long password")
        uid = documents.list_users(w)[0].id
        documents.set_password(w, uid, "another long password", old_password="a long password")
        export_audit_log(w, tmp_path / "log.xlsx")
        out = tmp_path / "log.xlsx"
    finally:
        w.close()
    wb = load_workbook(out, read_only=True)
    texts = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    assert not any("scrypt$" in t for t in texts)
    assert any("password hash, not shown" in t for t in texts)
    assert any("Daniel Okafor" in t for t in texts)


def test_printed_trail_wraps_long_values_in_rows_tall_enough(trail, tmp_path):
    """The trail prints readably: landscape, fitted to the width, the header repeated; long
    texts wrap (the columns' format and the default format wrap at the top) in rows as tall
    as they need; New value is the widest column; the hash stands clear of the event
    number."""
    out = tmp_path / "log.xlsx"
    export(trail, out)
    wb = openpyxl.load_workbook(out)
    sheet = wb["Audit trail"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.fitToWidth == 1
    assert setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    widths = {h: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
              for i, (h, _) in enumerate(A._TRAIL_COLUMNS, start=1)}
    assert widths["New value"] == max(widths.values())
    assert widths["Field"] < widths["Old value"] < widths["New value"]
    for letter in "ABCDEFGHIJK":
        column = sheet.column_dimensions[letter]
        assert column.alignment.wrap_text and column.alignment.vertical == "top", letter
    assert wb._cell_styles[0] != openpyxl.styles.cell_style.StyleArray()  # xf 0 wraps too
    header = [c.value for c in sheet[1]]
    new, eid = header.index("New value"), header.index("Event no.")
    tall = 0
    for row in sheet.iter_rows(min_row=2):
        text = row[new].value
        # the event number stands at the left of its column, clear of the hash beside it
        assert row[eid].alignment.horizontal == "left" and row[eid].alignment.wrap_text
        if text is not None:
            assert row[new].alignment.vertical == "top" and row[new].alignment.wrap_text
        per_line = widths["New value"] * 1.3   # more than a line ever holds
        if isinstance(text, str) and len(text) > per_line:
            # LibreOffice and Excel keep the height written: it must hold every line
            height = sheet.row_dimensions[row[0].row].height
            assert height and height >= 15 * -(-len(text) // per_line), (text, height)
            tall += 1
    assert tall  # the created records' summaries
    assert sheet.row_dimensions[1].height >= 30  # "Signature meaning" on two lines
