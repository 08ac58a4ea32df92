"""A quote opened in a CSV row and never closed swallows the rows after it into one cell (the
csv module reads on to the end of the file, or to the next stray quote, without a word): the row
is flagged by number, never imported silently."""

from __future__ import annotations

from qms_desktop.services.imports.risk_table import open_table, parse_rows


def _flagged(path):
    preview = parse_rows(open_table(path))
    return preview, {row.row_number: row.warnings for row in preview.rows if row.warnings}


def test_a_quote_never_closed_before_the_end_of_the_file_is_flagged(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('ID,Title,Owner\n'
                    'R-1,Weld seam,Anna\n'
                    'R-2,"Solder joint,Ben\n'
                    'R-3,Torque check,Carl\n'
                    'R-4,Label print,Dora\n', encoding="utf-8")
    preview, flagged = _flagged(path)
    assert list(flagged) == [3], flagged
    (warning,) = flagged[3]
    assert warning.startswith("Row 3 opens a quote in column B")
    assert "never closed" in warning and "the 2 lines after it" in warning
    assert [row.row_number for row in preview.rows] == [2, 3]


def test_a_quote_open_at_the_end_of_a_one_line_last_row_is_flagged(tmp_path):
    path = tmp_path / "last.csv"
    path.write_text('ID,Title\nR-1,Weld seam\nR-2,"Solder joint', encoding="utf-8")
    _, flagged = _flagged(path)
    assert list(flagged) == [3], flagged
    assert "never closed" in flagged[3][0]


def test_a_forgotten_quote_closed_by_a_stray_one_rows_later_is_flagged(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('ID;Title;Owner\n'
                    'R-1;"Weld seam;Anna\n'
                    'R-2;Solder joint;Ben\n'
                    'R-3;5" screws loose;Carl\n'
                    'R-4;Label print;Dora\n', encoding="utf-8")
    preview, flagged = _flagged(path)
    assert list(flagged) == [2], flagged
    (warning,) = flagged[2]
    assert warning.startswith("Row 2 has a cell in column B")
    assert "runs over 3 lines" in warning and "closing quote is probably missing" in warning
    assert preview.rows[-1].values["title"] == "Label print"


def test_well_quoted_cells_over_several_lines_are_not_flagged(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text('ID,Title,Description\n'
                    'R-1,"Weld seam, left","First line\nsecond, with ""quotes""\nthird"\n'
                    'R-2,Torque check,5" screws\n'
                    'R-3,"Label ""A""",\n', encoding="utf-8")
    preview, flagged = _flagged(path)
    assert flagged == {}
    assert preview.rows[0].values["title"] == "Weld seam, left"
    assert len(preview.rows) == 3
