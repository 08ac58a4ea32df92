"""xlsx parts under their byte caps can still describe millions of tiny entries (cell formats,
shared strings, rows), each an object once read: the reader counts them while the part streams
past and refuses the file as soon as a count passes its cap, before anything is built from it.

The caps are checked by their counts (never by memory, which depends on the machine); the
attack bench (``python -m bench.attacks bombs``) measures the memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qms_desktop.services.imports import table
from qms_desktop.services.imports.table import ImportFileError, open_table

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook {MAIN} xmlns:r="{RELS}"><sheets><sheet name="Risks" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'),
    "xl/worksheets/sheet1.xml": (
        f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c>'
        '<c r="B2" t="s"><v>3</v></c></row></sheetData></worksheet>'),
    "xl/sharedStrings.xml": (
        f'<sst {MAIN}><si><t>ID</t></si><si><t>Title</t></si><si><t>R-1</t></si>'
        '<si><t>A risk</t></si></sst>'),
    "xl/styles.xml": (
        f'<styleSheet {MAIN}><fonts count="1"><font><sz val="11"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="1"><xf/></cellXfs></styleSheet>'),
}


def workbook(path: Path, compression: int = zipfile.ZIP_DEFLATED, **replace: str) -> Path:
    """The small register above, with parts replaced (keyword: part name with / → _)."""
    parts = dict(PARTS)
    for key, text in replace.items():
        parts[next(name for name in parts if name.replace("/", "_").replace(".", "_")
                   == key)] = text
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def sheet_rows(n: int, extra: str = "") -> str:
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>R-{i}</t></is></c>{extra}'
                   f'</row>' for i in range(2, n + 2))
    return (f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
            f'<c r="B1" t="s"><v>1</v></c></row>{rows}</sheetData></worksheet>')


def test_the_small_register_opens(tmp_path):
    source = open_table(workbook(tmp_path / "ok.xlsx"))
    assert [tuple(r[:2]) for r in source.rows()] == [("ID", "Title"), ("R-1", "A risk")]


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_more_cell_formats_than_excel_allows_are_refused_when_opened(tmp_path, compression):
    xfs = '<xf numFmtId="0" fontId="0"/>' * (table._MAX_CELL_FORMATS + 1)
    path = workbook(tmp_path / "styles.xlsx", compression,
                    xl_styles_xml=f"<styleSheet {MAIN}><cellXfs>{xfs}</cellXfs></styleSheet>")
    with pytest.raises(ImportFileError) as caught:
        open_table(path)
    message = str(caught.value)
    assert "xl/styles.xml" in message and "64,000" in message and "cell formats" in message
    assert message.count(". ") == 0 and "\n" not in message  # one sentence


def test_heavy_style_entries_are_capped_by_their_elements(tmp_path, monkeypatch):
    monkeypatch.setattr(table, "_MAX_STYLE_ELEMENTS", 1000)
    fonts = '<font><b/><i/><sz val="11"/><name val="Calibri"/></font>' * 250  # 1,250 elements
    path = workbook(tmp_path / "fonts.xlsx",
                    xl_styles_xml=f"<styleSheet {MAIN}><fonts>{fonts}</fonts></styleSheet>")
    with pytest.raises(ImportFileError, match=r"xl/styles\.xml.*1,000 elements"):
        open_table(path)


def test_more_shared_strings_than_the_cap_are_refused_when_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(table, "_MAX_SHARED_STRINGS", 1000)
    strings = "<si><t>a</t></si>" * 1001
    path = workbook(tmp_path / "sst.xlsx", xl_sharedStrings_xml=f"<sst {MAIN}>{strings}</sst>")
    with pytest.raises(ImportFileError, match=r"xl/sharedStrings\.xml lists more cell texts "
                                              r"than the import reads \(1,000"):
        open_table(path)


def test_shared_strings_at_the_cap_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(table, "_MAX_SHARED_STRINGS", 1000)
    strings = "<si><t>ID</t></si><si><t>Title</t></si>" + "<si><t>a</t></si>" * 998
    path = workbook(tmp_path / "sst.xlsx", xl_sharedStrings_xml=f"<sst {MAIN}>{strings}</sst>",
                    xl_worksheets_sheet1_xml=sheet_rows(5))
    assert len(open_table(path).rows()) == 6


def test_too_many_workbook_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(table, "_MAX_WORKBOOK_ENTRIES", 100)
    names = "".join(f'<definedName name="n{i}">Risks!$A$1</definedName>' for i in range(100))
    path = workbook(tmp_path / "names.xlsx", xl_workbook_xml=(
        f'<workbook {MAIN} xmlns:r="{RELS}"><sheets><sheet name="Risks" sheetId="1" '
        f'r:id="rId1"/></sheets><definedNames>{names}</definedNames></workbook>'))
    with pytest.raises(ImportFileError, match=r"xl/workbook\.xml lists more sheets and names"):
        open_table(path)


def test_a_sheet_is_refused_as_soon_as_it_passes_the_row_limit(tmp_path, monkeypatch):
    """The rows are counted while the sheet streams in: reading stops at row 51 of 20,000,
    and the spreadsheet library never sees the sheet."""
    path = workbook(tmp_path / "rows.xlsx", xl_worksheets_sheet1_xml=sheet_rows(20_000))
    fed = []
    feed = table._SheetScan.feed
    monkeypatch.setattr(table._SheetScan, "feed",
                        lambda self, chunk, final=False: (fed.append(len(chunk)),
                                                          feed(self, chunk, final)))
    monkeypatch.setattr(table, "_INFLATE_CHUNK", 1024)
    import openpyxl

    def no_workbook(*_a, **_k):
        raise AssertionError("the whole sheet was handed to openpyxl")

    monkeypatch.setattr(openpyxl, "load_workbook", no_workbook)
    source = open_table(path, max_rows=50)
    with pytest.raises(ImportFileError, match=r"^Sheet 'Risks' of rows\.xlsx has more than 50 "
                                              r"rows, the import limit; split the register"):
        source.rows()
    size = len(sheet_rows(20_000))
    assert 0 < sum(fed) < size // 20  # stopped near row 51, not at the end of the sheet


def test_empty_formatted_rows_are_capped_too(tmp_path):
    """Rows without a value do not count against the limit, but there cannot be more than
    four times as many rows in all, plus 1,000 (they are objects once read too)."""
    rows = "".join(f'<row r="{i}" ht="20" customHeight="1"/>' for i in range(3, 2000))
    sheet = sheet_rows(1).replace("</sheetData>", rows + "</sheetData>")
    path = workbook(tmp_path / "empty.xlsx", xl_worksheets_sheet1_xml=sheet)
    with pytest.raises(ImportFileError, match="more than 100 rows"):
        open_table(path, max_rows=100).rows()
    assert len(open_table(path, max_rows=300).rows()) == 2  # 1,997 empty rows: within 2,200


def test_a_sheet_of_formatted_cells_is_capped_by_its_cells(tmp_path, monkeypatch):
    """A few formatted cells far to the right make every row hundreds of cells wide."""
    monkeypatch.setattr(table, "_MAX_SHEET_CELLS", 1000)
    path = workbook(tmp_path / "wide.xlsx",
                    xl_worksheets_sheet1_xml=sheet_rows(20, extra='<c r="{col}1" s="0"/>'
                                                        .replace("{col}", "CV")))
    with pytest.raises(ImportFileError, match=r"has more than 1,000 cells \(filled or "
                                              r"formatted\), the import limit"):
        open_table(path).rows()


def test_formula_and_error_cells_are_still_found_while_streaming(tmp_path):
    sheet = (f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>R-1'
             '</t></is></c><c r="B2"><f>C2*2</f></c><c r="C2" t="e"><v>#REF!</v></c>'
             '<c r="D2" t="str"><f>"x"</f></c></row></sheetData>'
             '<mergeCells count="1"><mergeCell ref="A1:A2"/><mergeCell ref="C1"/></mergeCells>'
             '</worksheet>')
    source = open_table(workbook(tmp_path / "f.xlsx", xl_worksheets_sheet1_xml=sheet),
                        fill_merged=False)
    data = source._data(None)
    assert data.no_value_formulas == {(2, 2)}
    assert data.error_cells == {(2, 3): "#REF!"}
    assert data.merged == [(1, 1, 2, 1)]


def test_damaged_sheet_xml_gets_a_sentence(tmp_path):
    path = workbook(tmp_path / "bad.xlsx",
                    xl_worksheets_sheet1_xml=f"<worksheet {MAIN}><sheetData><row><c>")
    with pytest.raises(ImportFileError, match=r"^Sheet 'Risks' of bad\.xlsx cannot be read"):
        open_table(path).rows()
