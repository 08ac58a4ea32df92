"""A CSV file in mixed or wrong text encodings is never imported silently as mojibake."""

from __future__ import annotations

from qms_desktop.services.imports.risk_table import open_table, parse_rows


def test_mixed_utf8_and_cp1252_rows_are_read_right_and_flagged(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"ID;Title\n"
                     + "R-1;Schweißnaht prüfen\n".encode("utf-8")
                     + "R-2;Lötstelle prüfen\n".encode("cp1252")
                     + "R-3;Größe messen\n".encode("utf-8"))
    preview = parse_rows(open_table(path))
    titles = [row.values["title"] for row in preview.rows]
    assert titles == ["Schweißnaht prüfen", "Lötstelle prüfen", "Größe messen"]
    flagged = {row.row_number: row.warnings for row in preview.rows if row.warnings}
    assert list(flagged) == [3], flagged
    (warning,) = flagged[3]
    assert "Row 3 is encoded as Windows-1252" in warning and "Lötstelle prüfen" in warning


def test_utf8_read_as_cp1252_before_saving_is_flagged_with_the_intended_text(tmp_path):
    path = tmp_path / "double.csv"
    mangled = "Schweißnaht prüfen".encode("utf-8").decode("cp1252")  # SchweiÃŸnaht prÃ¼fen
    path.write_text(f"ID,Title\nR-1,{mangled}\nR-2,Plain text\n", encoding="utf-8")
    preview = parse_rows(open_table(path))
    first, second = preview.rows
    assert second.warnings == ()
    assert first.status == "warning"
    (warning,) = first.warnings
    assert "Row 2 holds “SchweiÃŸnaht prÃ¼fen”" in warning
    assert "probably means “Schweißnaht prüfen”" in warning


def test_clean_files_get_no_encoding_warning(tmp_path):
    for encoding in ("utf-8", "cp1252", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_text("ID;Title\nR-1;Schweißnaht prüfen\nR-2;Größe messen\n",
                        encoding=encoding)
        preview = parse_rows(open_table(path))
        assert [row.warnings for row in preview.rows] == [(), ()], encoding
        assert preview.rows[0].values["title"] == "Schweißnaht prüfen"
