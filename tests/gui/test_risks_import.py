"""The risk import wizard: file → sheet → mapping → text ratings → dry run → import, and the
all-or-nothing guarantees (errors block, a failure or Cancel mid-import writes nothing)."""

from __future__ import annotations

import datetime as dt

import pytest

from risks_helpers import seed_register


@pytest.fixture
def page(window, open_ws, qtbot, tmp_path):
    from qms_desktop.ui.pages import page_specs
    from qms_desktop.ui.risks import RisksPage

    path = tmp_path / "register.qms"
    seed_register(path)
    open_ws(window, path)
    spec = next(s for s in page_specs() if s.key == "risks")
    p = RisksPage(window.controller, spec)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.close()


def french_workbook(path):
    """A French register: merged process cells, a blank row, text ratings (one unknown word),
    a date written as text and a computed score column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Registre"
    ws.append(["Registre des risques 2026"])
    ws.append([])
    ws.append(["N°", "Processus", "Titre", "Cause", "Propriétaire", "Probabilité", "Gravité",
               "Score", "Statut", "Date de revue"])
    rows = [
        ["RQ-1", "Purchasing", "Fournisseur unique pour l'acier", "Un seul fournisseur agréé",
         "Ada Lovelace", "Très élevé", "Moyen", 15, "Ouvert", "31/01/2027"],
        ["RQ-2", None, "Certificats matière manquants", "Contrôle à réception faible",
         "Ben Carter", "Faible", "Élevé", 8, "En cours", dt.date(2027, 3, 1)],
        [None] * 10,
        ["RQ-3", "Machining", "Usure des outils", "Pas de compteur de vie", "Nadia Roux",
         "Bof", "Très élevé", 10, "Surveillance", "2027-02-15"],
    ]
    for r in rows:
        ws.append(r)
    ws.merge_cells("B4:B5")  # the process is written once for two rows
    wb.save(path)
    return path


def run_to_preview(wizard, qtbot, path):
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    wizard.page(RiskImportWizard.FILE).path.setText(str(path))
    wizard.next()
    assert wizard.currentId() == RiskImportWizard.SHEET
    wizard.next()
    assert wizard.currentId() == RiskImportWizard.MAPPING
    wizard.next()
    assert wizard.currentId() == RiskImportWizard.RATINGS
    return wizard.page(RiskImportWizard.RATINGS)


def wait_preview(wizard, qtbot):
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    preview = wizard.page(RiskImportWizard.PREVIEW)
    qtbot.waitUntil(lambda: preview.report is not None or preview.error is not None,
                    timeout=20_000)
    assert preview.error is None, preview.error
    return preview


def make_wizard(page, qtbot):
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    wizard = RiskImportWizard(page.controller, page)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_wizard_maps_checks_and_imports_a_french_workbook(page, qtbot, tmp_path):
    from qms_desktop.services import risks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    src = french_workbook(tmp_path / "registre.xlsx")
    wizard = make_wizard(page, qtbot)
    wizard.page(RiskImportWizard.FILE).path.setText(str(src))
    wizard.next()
    sheet = wizard.page(RiskImportWizard.SHEET)
    assert sheet.sheet.value() == "Registre" and sheet.header_row.value() == 3
    wizard.next()
    mapping = wizard.page(RiskImportWizard.MAPPING)
    guessed = mapping.mapping()
    assert guessed[0] == "ref" and guessed[1] == "process" and guessed[2] == "title"
    assert guessed[5] == "inherent_likelihood" and guessed[6] == "inherent_impact"
    assert 7 not in guessed  # the computed score is not imported
    # a mapping with a field twice is refused with a sentence
    mapping.combos[3].set_value("title")
    assert not mapping.isComplete() and "Title" in mapping.problems.text()
    mapping.combos[3].set_value("cause")
    assert mapping.isComplete()
    wizard.next()

    ratings = wizard.page(RiskImportWizard.RATINGS)
    texts = {text: combo.value() for _c, text, combo in ratings.entries}
    assert texts["Très élevé"] == 5 and texts["Faible"] == 2 and texts["Bof"] is None
    ratings.set_override("Bof", 3)
    wizard.next()

    preview = wait_preview(wizard, qtbot)
    report = preview.report
    assert [r.status for r in report.rows].count("error") == 0
    assert report.created == 3 and len(report.rows) == 3
    assert any("Nadia Roux" in m for r in report.rows for m in r.messages)  # new person
    assert preview.isComplete()
    assert risks.list_risks(page.controller.workspace)[-1].title == "Unrated idea"  # dry run

    wizard.next()  # the commit button: "Import"
    done = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: done.is_done, timeout=20_000)
    assert wizard.result_report.committed, done.label.text()
    rows = {r.ref: r for r in risks.list_risks(page.controller.workspace)}
    assert rows["RQ-1"].process == "Purchasing" and rows["RQ-2"].process == "Purchasing"
    assert rows["RQ-3"].inherent_likelihood == 3 and rows["RQ-3"].owner == "Nadia Roux"
    assert rows["RQ-1"].review_date == dt.date(2027, 1, 31)
    assert page.model.rowCount() == 15  # the page refreshed


def test_rows_with_errors_block_the_import(page, qtbot, tmp_path):
    from qms_desktop.services import risks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    src = tmp_path / "bad.csv"
    src.write_text("ID,Title,Likelihood,Impact\nX-1,Fine row,2,3\nX-2,,4,4\nX-3,Bad rating,9,1\n",
                   encoding="utf-8")
    wizard = make_wizard(page, qtbot)
    run_to_preview(wizard, qtbot, src)
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    statuses = [r.status for r in preview.report.rows]
    assert statuses == ["ok", "error", "error"]
    assert not preview.isComplete()
    # why nothing can be imported is said once, under the table
    assert "Nothing will be imported" not in preview.summary.text()
    assert "while a row has an error" not in preview.summary.text()
    assert "while a row has an error" in preview.why_not.text()
    preview.show_filter.set_value("error")
    assert [preview.table.isRowHidden(i) for i in range(3)] == [True, False, False]
    before = len(risks.list_risks(page.controller.workspace))
    assert not wizard.button(RiskImportWizard.WizardButton.CommitButton).isEnabled()
    assert len(risks.list_risks(page.controller.workspace)) == before


def big_csv(path, n=260):
    lines = ["ID,Title,Owner,Likelihood,Impact"]
    lines += [f"B-{i},Imported risk {i},Owner {i % 7},{i % 5 + 1},{(i * 3) % 5 + 1}"
              for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_failure_mid_import_rolls_everything_back(page, qtbot, tmp_path, monkeypatch):
    from qms_desktop.services import risks
    from qms_desktop.ui import tasks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    ws = page.controller.workspace
    people_before = len(risks.lookups(ws)["owner_id"])
    risks_before = len(risks.list_risks(ws))
    wizard = make_wizard(page, qtbot)
    run_to_preview(wizard, qtbot, big_csv(tmp_path / "big.csv"))
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    assert preview.report.created == 260 and preview.isComplete()

    def broken(self, *args):  # the disk fails after 200 rows were written in the transaction
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tasks.TaskContext, "callback", broken)
    wizard.next()
    done = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: done.is_done, timeout=20_000)
    assert "Nothing was imported" in done.label.text()
    assert len(risks.list_risks(ws)) == risks_before
    assert len(risks.lookups(ws)["owner_id"]) == people_before  # new people rolled back too


def test_cancel_mid_import_writes_nothing(page, qtbot, tmp_path, monkeypatch):
    from qms_desktop.services import risks
    from qms_desktop.ui import tasks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    ws = page.controller.workspace
    before = len(risks.list_risks(ws))
    wizard = make_wizard(page, qtbot)
    run_to_preview(wizard, qtbot, big_csv(tmp_path / "big.csv"))
    wizard.next()
    wait_preview(wizard, qtbot)
    real = tasks.TaskContext.callback

    def press_cancel(self, *args):  # the user presses Cancel when the first progress shows
        self._task.cancel()
        return real(self, *args)

    monkeypatch.setattr(tasks.TaskContext, "callback", press_cancel)
    wizard.next()
    done = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: done.is_done, timeout=20_000)
    assert "cancelled" in done.label.text()
    assert len(risks.list_risks(ws)) == before


def test_hostile_files_are_refused_on_the_first_page(page, qtbot, tmp_path):
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    wizard = make_wizard(page, qtbot)
    first = wizard.page(RiskImportWizard.FILE)
    encrypted = tmp_path / "secret.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    first.path.setText(str(encrypted))
    wizard.next()
    assert wizard.currentId() == RiskImportWizard.FILE
    assert "password" in first.error.text()
    first.path.setText(str(tmp_path / "missing.csv"))
    wizard.next()
    assert wizard.currentId() == RiskImportWizard.FILE
    assert "not found" in first.error.text()


def test_reexport_round_trip_through_the_wizard(page, qtbot, tmp_path, dialogs):
    """The page's export re-imports as updates of the same risks, with nothing changed."""
    from qms_desktop.services import risks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    out = tmp_path / "register.xlsx"
    done = []
    page.export_to(out, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    wizard = make_wizard(page, qtbot)
    run_to_preview(wizard, qtbot, out)
    wizard.page(RiskImportWizard.MAPPING)  # mapping already validated
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    # every ID exists: with the default "report an error" nothing can be imported twice
    assert preview.report.errors == 12 and not preview.isComplete()
    wizard.back()
    wizard.back()
    wizard.page(RiskImportWizard.MAPPING).existing.set_value("update")
    wizard.next()
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    # nothing differs: the rows are unchanged, not updates
    assert (preview.report.updated, preview.report.unchanged) == (0, 12)
    assert preview.report.errors == 0
    before = {r.id: r for r in risks.list_risks(page.controller.workspace)}
    wizard.next()
    finished = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: finished.is_done, timeout=20_000)
    after = {r.id: r for r in risks.list_risks(page.controller.workspace)}
    assert after == before


def legend_and_register_workbook(path):
    """A "Key" sheet first, then the register: a merged title above the header, H/M/L
    ratings, a score column, a risk merged over two rows, one bad row and a footer."""
    from openpyxl import Workbook

    wb = Workbook()
    key = wb.active
    key.title = "Key"
    key.append(["Rating", "Meaning"])
    key.append(["H", "High"])
    ws = wb.create_sheet("Register")
    ws.append(["Supplier risks 2027"])
    ws.append(["ID", "Risk", "Cause", "Effect", "Likelihood", "Impact", "Score",
               "Existing controls", "Owner"])
    ws.append(["S-1", "Single source", "One approved mill", "Line stops", "H", "M", 12,
               "Safety stock", "Ada Lovelace, Ben Carter"])
    ws.append([None, None, None, None, None, None, None, "Second mill audited", None])
    ws.append(["S-2", "Late certificates", "No reminder", "Parts on hold", "Z", "H", 0,
               "None", "Ben Carter"])
    ws.append(["S-3", "Price jump", "Steel index", "Margin", "L", "VH", 10, "Contract",
               "Chen Keller"])
    ws.append(["© 2027 Acme Precision"])
    ws.merge_cells("A1:I1")
    for col in "ABCDEFG":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("I3:I4")
    wb.save(path)
    return path


def test_wizard_reads_like_the_dry_run_and_can_skip_rows_with_errors(page, qtbot, tmp_path):
    from qms_desktop.services import risks
    from qms_desktop.services.imports import risk_table as rt
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    src = legend_and_register_workbook(tmp_path / "supplier.xlsx")
    ws = page.controller.workspace
    dry = risks.import_risks(ws, src, dry_run=True)  # what `qms import risks --dry-run` shows
    wizard = make_wizard(page, qtbot)
    wizard.page(RiskImportWizard.FILE).path.setText(str(src))
    wizard.next()
    sheet = wizard.page(RiskImportWizard.SHEET)
    assert sheet.sheet.value() == "Register" == dry.sheet  # the "Key" sheet is passed over
    assert sheet.header_row.value() == 2 == dry.header_row
    assert "not read" in sheet.sheet.itemText(0)
    wizard.next()
    mapping = wizard.page(RiskImportWizard.MAPPING)
    assert mapping.mapping() == {c["index"]: c["field"] for c in dry.columns if c["field"]}
    assert mapping.headers[:2] == ["ID", "Risk"]  # the title above is not glued on
    shown = {column: imported for column, _header, imported in mapping.rows_text()}
    assert shown["G"] == "— computed, not imported" and shown["B"] == rt.FIELD_LABELS["title"]
    wizard.next()
    ratings = wizard.page(RiskImportWizard.RATINGS)
    texts = {(col, text): combo.value() for col, text, combo in ratings.entries}
    assert texts[(4, "H")] == 4 and texts[(5, "VH")] == 5 and texts[(4, "Z")] is None
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    report = preview.report
    assert [(r.row_number, r.last_row, r.status) for r in report.rows] == [
        (3, 4, "warning"), (5, 5, "error"), (6, 6, "ok")]
    assert preview.table.item(0, 0).text() == "3–4"
    assert "Sheet “Register”, header row 2" in preview.summary.text()
    assert not preview.isComplete()
    commit = wizard.button(RiskImportWizard.WizardButton.CommitButton)
    assert not commit.isEnabled()
    preview.skip_invalid.setChecked(True)
    assert preview.isComplete() and commit.isEnabled()
    assert "will be skipped" in preview.summary.text()
    before = len(risks.list_risks(ws))
    wizard.next()
    done = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: done.is_done, timeout=20_000)
    assert wizard.result_report.committed, done.label.text()
    assert "skipped" in done.label.text()
    rows = {r.ref: r for r in risks.list_risks(ws)}
    assert len(rows) == before + 2 and "S-2" not in rows
    assert rows["S-1"].controls == "Safety stock\nSecond mill audited"
    assert rows["S-1"].owner == "Ada Lovelace" and "Also responsible: Ben Carter" in \
        rows["S-1"].notes
    assert (rows["S-3"].inherent_likelihood, rows["S-3"].inherent_impact) == (2, 5)


def test_an_import_is_one_undo_step(page, qtbot, tmp_path):
    from qms_desktop.services import risks
    from qms_desktop.services.verify import verify
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    ws = page.controller.workspace
    before = {r.id: r.title for r in risks.list_risks(ws)}
    src = french_workbook(tmp_path / "registre.xlsx")
    wizard = make_wizard(page, qtbot)
    wizard.page(RiskImportWizard.FILE).path.setText(str(src))
    wizard.next()
    wizard.next()
    wizard.next()
    wizard.page(RiskImportWizard.RATINGS).set_override("Bof", 3)
    wizard.next()
    wait_preview(wizard, qtbot)
    wizard.next()
    done = wizard.page(RiskImportWizard.DONE)
    qtbot.waitUntil(lambda: done.is_done, timeout=20_000)
    assert wizard.result_report.committed, done.label.text()
    stack = page.controller.undo_stack
    assert stack.undoText() == "Import risks from registre.xlsx"
    assert page.model.rowCount() == len(before) + 3
    page.controller.undo()
    assert {r.id: r.title for r in risks.list_risks(ws)} == before
    assert page.model.rowCount() == len(before)
    page.controller.redo()
    assert {r.ref for r in risks.list_risks(ws)} >= {"RQ-1", "RQ-2", "RQ-3"}
    assert verify(ws).ok


def test_check_page_messages_stay_readable_and_import_says_why_it_is_greyed(page, qtbot,
                                                                           tmp_path):
    """The Messages column takes the room the data leaves (wrapped, full text as tooltip);
    with every row failing and "Skip rows with errors" ticked the page says why Import is
    greyed out."""
    from PySide6.QtWidgets import QHeaderView

    from qms_desktop.ui.risks.import_wizard import PreviewPage, RiskImportWizard

    long_title = "A very long risk title that goes on and on " * 6
    path = tmp_path / "bad.csv"
    long_id = "B-" + "1" * 45  # longer than an ID may be: every row has an error
    path.write_text("ID,Title,Likelihood,Impact\n"
                    f"{long_id},{long_title},2,2\n{long_id}2,Second,3,3\n", encoding="utf-8")
    wizard = make_wizard(page, qtbot)
    wizard.resize(900, 620)
    run_to_preview(wizard, qtbot, path)
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    table = preview.table
    header = table.horizontalHeader()
    assert header.sectionResizeMode(PreviewPage.MESSAGES) == QHeaderView.ResizeMode.Stretch
    assert table.wordWrap()
    assert table.columnWidth(3) <= PreviewPage.MAX_DATA_WIDTH
    # the messages column starts inside the visible part of the table and is wide enough
    viewport = table.viewport().width()
    assert header.sectionPosition(PreviewPage.MESSAGES) < viewport - 200
    message = table.item(0, PreviewPage.MESSAGES)
    assert "ID is longer than 40 characters" in message.text()
    assert message.toolTip() == message.text()
    assert table.item(0, 3).toolTip().startswith("A very long risk title")

    assert not preview.isComplete()
    assert "tick “Skip rows with errors”" in preview.why_not.text()
    preview.skip_invalid.setChecked(True)
    assert not preview.isComplete()
    assert preview.why_not.text() == "Every row has an error; nothing would be imported."
    assert "will be skipped" not in preview.summary.text()


def test_mapping_page_offers_new_ids_for_clashing_rows(page, qtbot, tmp_path):
    from qms_desktop.services import risks
    from qms_desktop.ui.risks.import_wizard import RiskImportWizard

    ws = page.controller.workspace
    taken = risks.list_risks(ws)[0].ref
    path = tmp_path / "clash.csv"
    path.write_text(f"ID,Title\n{taken},From another register\n", encoding="utf-8")
    wizard = make_wizard(page, qtbot)
    wizard.page(RiskImportWizard.FILE).path.setText(str(path))
    wizard.next()
    wizard.next()
    mapping = wizard.page(RiskImportWizard.MAPPING)
    assert [mapping.existing.itemData(i) for i in range(mapping.existing.count())] == [
        "error", "renumber", "update"]
    mapping.existing.set_value("renumber")
    wizard.next()
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    row = preview.report.rows[0]
    assert row.status == "warning" and row.ref != taken
    assert f"ID {taken} already exists in the workspace: imported as {row.ref}" in row.messages[-1]
    assert preview.isComplete() and preview.why_not.text() == ""


def workbook_with_actions(path):
    """Two risks and a "Treatment actions" sheet: two actions of T-1, one of T-2 with a status
    that is no status, one of a risk that is nowhere."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Risks"
    sheet.append(["ID", "Title", "Likelihood", "Impact"])
    sheet.append(["T-1", "Supplier late", 3, 4])
    sheet.append(["T-2", "Wrong grade", 2, 5])
    acts = wb.create_sheet("Treatment actions")
    acts.append(["Risk ID", "Action ID", "Action", "Status"])
    acts.append(["T-1", "A-101", "Second source", "Open"])
    acts.append(["T-1", "A-102", "Audit supplier", "Open"])
    acts.append(["T-2", "A-103", "Check certificates", "Finished-ish"])
    acts.append(["T-9", "A-104", "Spare spindle", "Open"])
    wb.save(path)
    return path


def test_check_page_lists_the_treatment_action_rows(page, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    path = workbook_with_actions(tmp_path / "with_actions.xlsx")
    wizard = make_wizard(page, qtbot)
    run_to_preview(wizard, qtbot, path)
    wizard.next()
    preview = wait_preview(wizard, qtbot)
    report = preview.report
    assert report.action_sheet == "Treatment actions" and len(report.action_rows) == 4
    summary = preview.summary.text()
    assert ("Sheet “Treatment actions”: 4 action rows for 2 risks (T-1 ×2, T-2), 1 for a risk "
            "in neither the file nor the workspace (T-9: row 5; errors)") in summary
    assert "rows 4, 5" in summary  # the two rows with errors, named
    table = preview.table
    assert table.rowCount() == len(report.rows) + 1 + 4
    heading = len(report.rows)
    assert "Treatment actions" in table.item(heading, 0).text()
    assert table.columnSpan(heading, 0) == table.columnCount()
    shown = [(table.item(i, 0).text(), table.item(i, 1).data(Qt.ItemDataRole.UserRole),
              table.item(i, 2).text()) for i in range(heading + 1, table.rowCount())]
    assert shown == [("2", "ok", "A-101 → T-1"), ("3", "ok", "A-102 → T-1"),
                     ("4", "error", "A-103 → T-2"), ("5", "error", "A-104 → T-9")]
    assert "neither in the file nor in the workspace" in table.item(heading + 4, 4).text()
    assert summary.count("while a row has an error") + preview.why_not.text().count(
        "while a row has an error") == 1 and not preview.isComplete()
    preview.show_filter.set_value("error")  # only the action rows with errors, under their sheet
    visible = [i for i in range(table.rowCount()) if not table.isRowHidden(i)]
    assert visible == [heading, heading + 3, heading + 4]
    preview.show_filter.set_value("warning")  # no action row: the sheet's line goes too
    assert table.isRowHidden(heading)
