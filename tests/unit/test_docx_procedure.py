"""Reading existing Word procedures (services/imports/docx_procedure.py): values and their
sources, sections as light Markdown, and hostile or broken files refused in one sentence."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from pathlib import Path

import pytest

from qms_desktop.services.imports import docx_procedure as D

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


# -- building documents ---------------------------------------------------------------------

def _procedure(path: Path) -> Path:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title = "SOP-007 Control of documents"
    props.revision = 17  # Word's save counter: never the document's revision
    props.keywords = "QMS"
    d.sections[0].header.paragraphs[0].text = "SOP-007 Control of documents\tRev. D"
    control = d.add_table(rows=3, cols=2)
    for row, (label, value) in enumerate([("Document No.", "SOP-007"), ("Revision", "D"),
                                          ("Owner", "Quality Manager")]):
        control.cell(row, 0).text = label
        control.cell(row, 1).text = value
    d.add_heading("1 Purpose", 1)
    p = d.add_paragraph("Documents ")
    p.add_run("must").bold = True
    p.add_run(" be ")
    p.add_run("approved").italic = True
    p.add_run(" before use.")
    d.add_heading("2 Scope", 1)
    d.add_paragraph("All *controlled* forms_x [draft] | #1 - ok")
    d.add_heading("3 Verantwortung", 1)
    roles = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Rolle", (0, 1): "Aufgabe", (1, 0): "QMB",
                         (1, 1): "Freigabe"}.items():
        roles.cell(r, c).text = text
    d.add_heading("4 Ablauf", 1)
    d.add_paragraph("Draft the document.", style="List Bullet")
    d.add_paragraph("Review it.", style="List Bullet 2")
    d.add_paragraph("Approve it.", style="List Number")
    d.add_heading("4.1 Prüfung", 2)
    d.add_paragraph("1. not a list")
    d.add_heading("5 Mitgeltende Unterlagen", 1)
    d.add_paragraph("F-012 Change request")
    d.add_heading("6 Anhang", 1)
    d.save(path)
    return path


def _plain(path: Path) -> Path:
    """No headings, nothing in the core properties; a revision in the first paragraph."""
    import docx

    d = docx.Document()
    d.add_paragraph("Revision: 2")
    d.add_paragraph("Clean the gauge before use.")
    d.add_paragraph("- Not a list item, a dash typed by hand.")
    d.save(path)
    return path


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Purpose", 1)
    d.add_paragraph("Text.")
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def _replace_part(data: bytes, part: str, content: bytes) -> bytes:
    """The package with ``part`` replaced by (or added as) ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(part, content)
    return out.getvalue()


def _declare_size(data: bytes, part: str, size: int) -> bytes:
    """The ZIP with the uncompressed size ``part`` declares changed to ``size`` (in its
    local header and its central directory entry)."""
    raw = bytearray(data)
    name = part.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", raw, local + 26)[0]
        if bytes(raw[local + 30:local + 30 + name_length]) == name:
            struct.pack_into("<I", raw, local + 22, size)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if bytes(raw[central + 46:central + 46 + name_length]) == name:
            struct.pack_into("<I", raw, central + 24, size)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


# -- a real procedure -------------------------------------------------------------------------

def test_a_procedure_reads_its_values_their_sources_and_its_sections(tmp_path):
    path = _procedure(tmp_path / "SOP-007 Control of documents rev C.docx")
    read = D.read_procedure(path)
    assert (read.file_name, read.number, read.title, read.revision, read.kind, read.owner) == (
        "SOP-007 Control of documents rev C.docx", "SOP-007", "Control of documents", "D",
        "procedure", "Quality Manager")
    assert read.sources == {"number": "core properties", "title": "core properties",
                            "revision": "page header", "owner": "control table",
                            "kind": "the number's prefix SOP"}
    assert read.path == path
    assert read.size == path.stat().st_size
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read.sections == [
        ("purpose", "Purpose", "Documents **must** be *approved* before use."),
        ("scope", "Scope", r"All \*controlled\* forms\_x \[draft\] \| #1 - ok"),
        ("responsibilities", "Verantwortung",
         "| Rolle | Aufgabe |\n| --- | --- |\n| QMB | Freigabe |"),
        ("procedure", "Ablauf",
         "- Draft the document.\n  - Review it.\n\n1. Approve it.\n\n**4.1 Prüfung**\n\n"
         "1\\. not a list"),
        ("references", "Mitgeltende Unterlagen", "F-012 Change request"),
        ("custom-1", "Anhang", ""),
    ]
    assert read.sections[0].key == "purpose"  # named fields as well as a tuple
    # the header's "Rev. D" wins over the file name's "rev C", and says so
    assert read.warnings == ["The file name gives the revision C but the page header gives D; "
                             "D was taken, so check it."]


def test_a_document_without_headings_is_one_procedure_section(tmp_path):
    read = D.read_procedure(_plain(tmp_path / "WI-12 Gauge cleaning.docx"))
    assert (read.number, read.title, read.revision, read.kind, read.owner) == (
        "WI-12", "Gauge cleaning", "2", "work_instruction", "")
    assert read.sources == {"number": "file name", "title": "file name",
                            "revision": "first paragraphs", "kind": "the number's prefix WI"}
    assert read.sections == [
        ("procedure", "Procedure",
         "Clean the gauge before use.\n\n\\- Not a list item, a dash typed by hand."),
    ]
    assert read.warnings == ["The document has no headings, so its whole text was read as the "
                             "Procedure section."]


def test_the_title_heading_and_bold_pseudo_headings(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("VA 7.5-01 Lenkung von Dokumenten", 0)  # the Title style
    d.add_paragraph("Ausgabe: 03")
    for heading, text in (("1. Zweck", "Regelt die Lenkung."),
                          ("2. Geltungsbereich", "Alle Standorte.")):
        d.add_paragraph().add_run(heading).bold = True
        d.add_paragraph(text)
    d.save(tmp_path / "lenkung.docx")
    read = D.read_procedure(tmp_path / "lenkung.docx")
    assert (read.number, read.title, read.revision, read.kind) == (
        "VA 7.5-01", "Lenkung von Dokumenten", "03", "procedure")
    assert read.sources["title"] == "title" and read.sources["revision"] == "first paragraphs"
    assert read.sections == [("purpose", "Zweck", "Regelt die Lenkung."),
                             ("scope", "Geltungsbereich", "Alle Standorte.")]
    assert read.warnings == ["The document uses no heading styles; its sections were found by "
                             "their bold or numbered titles, so check them."]


def test_a_title_heading_a_revision_history_and_tracked_changes(tmp_path):
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    d.add_heading("Quality Manual", 1)  # above the Heading 2 sections: the title
    history = d.add_table(rows=4, cols=3)
    for r, row in enumerate([("Rev", "Date", "Change"), ("A", "2024-01-05", "First issue"),
                             ("B", "2025-02-01", "Scope"), ("C", "2026-03-01", "Owner")]):
        for c, value in enumerate(row):
            history.cell(r, c).text = value
    d.add_heading("1 Scope", 2)
    d.add_paragraph("Whole company.")
    d.add_heading("2 Process", 2)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p = d.add_paragraph("Step ")
    p._p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>one</w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>two</w:delText>'
                          '</w:r></w:del>'))
    d.sections[0].footer.paragraphs[0].text = "Owner: QA Lead"
    d.save(tmp_path / "qm.docx")
    read = D.read_procedure(tmp_path / "qm.docx")
    assert (read.number, read.title, read.revision, read.kind, read.owner) == (
        "", "Quality Manual", "C", "manual", "QA Lead")
    assert read.sources == {"title": "first heading", "revision": "control table",
                            "owner": "page footer", "kind": "the word “manual” in the title"}
    assert read.sections == [("scope", "Scope", "Whole company."),
                             ("procedure", "Process", "Step one")]
    assert read.warnings == [
        "The revision C was taken from the last row of the revision history in the first "
        "table; check it.",
        "No document number was found (core properties, page header, control table, first "
        "paragraphs or file name); it gets the next number of the workspace's scheme — "
        "change it in the register.",
        "The document has tracked changes; they were read as if accepted."]


def test_every_section_key_has_synonyms():
    from qms_desktop.core.documents import SECTION_KEYS

    assert set(D._SECTION_SYNONYMS) == set(SECTION_KEYS)
    assert [D.section_key(D.SECTION_TITLES[key]) for key in SECTION_KEYS] == list(SECTION_KEYS)


@pytest.mark.parametrize("title, key", [
    ("1 Purpose", "purpose"), ("4.2 Scope", "scope"), ("Objective", "purpose"),
    ("Ziel", "purpose"), ("Anwendungsbereich", "scope"), ("Application", "scope"),
    ("Terms and definitions", "definitions"), ("Begriffe und Abkürzungen", "definitions"),
    ("Roles and responsibilities", "responsibilities"), ("Zuständigkeiten", "responsibilities"),
    ("Process description", "procedure"), ("Durchführung", "procedure"),
    ("Vorgehen", "procedure"), ("Aufzeichnungen", "records"), ("7 Documentation", "records"),
    ("Related documents", "references"), ("Mitgeltende Unterlagen", "references"),
    ("Anhang A", None), ("Revision history", None),
])
def test_section_keys_by_synonyms(title, key):
    assert D.section_key(title) == key


@pytest.mark.parametrize("number, title, kind", [
    ("SOP-007", "", "procedure"), ("VA-12", "", "procedure"), ("WI-3", "", "work_instruction"),
    ("AA 04", "", "work_instruction"), ("F-023", "", "form"), ("", "Formblatt Reklamation",
                                                               "form"),
    ("", "Quality Policy", "policy"), ("", "Quality Manual", "manual"),
    ("", "Arbeitsanweisung Wareneingang", "work_instruction"),
    ("", "Verfahrensanweisung Audits", "procedure"), ("", "Form: change request", "form"),
    ("", "Calibration", "procedure"),
])
def test_kind_guess(number, title, kind):
    assert D.guess_kind(number, title)[0] == kind


@pytest.mark.parametrize("name, expected", [
    ("SOP-007 Control of documents rev C.docx", ("SOP-007", "Control of documents", "C")),
    ("WI_12_Gauge cleaning_v2.docx", ("WI 12", "Gauge cleaning", "2")),
    ("F-023 - Change request (1).docx", ("F-023", "Change request", "")),
    ("Process review.docx", ("", "Process review", "")),
    ("Quality Policy Version 3.1.docx", ("", "Quality Policy", "3.1")),
])
def test_file_names(name, expected):
    assert D.split_file_name(name) == expected


def test_word_save_counter_is_not_the_revision(tmp_path):
    import docx

    d = docx.Document()
    d.core_properties.revision = 42
    d.add_paragraph("Text.")
    d.save(tmp_path / "notes.docx")
    read = D.read_procedure(tmp_path / "notes.docx")
    assert read.revision == "" and "revision" not in read.sources
    assert "No revision was found" in " ".join(read.warnings)


# -- hostile and broken files -----------------------------------------------------------------

def _refused(path: Path) -> str:
    with pytest.raises(D.DocxReadError) as caught:
        D.read_procedure(path)
    message = str(caught.value)
    assert message.startswith(path.name) and message.endswith(".")
    return message


def test_an_entity_bomb_is_refused(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b'<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "bomb.docx"
    path.write_bytes(_replace_part(_docx_bytes(), "word/document.xml", bomb))
    assert _refused(path) == (
        "bomb.docx was refused because its part word/document.xml declares XML entities or a "
        "DTD, which Word never writes and which can read local files or exhaust memory; open "
        "the original in Word and save it again as .docx.")


def test_an_external_entity_is_refused(tmp_path):
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
           b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           b'<dc:title>&e;</dc:title></cp:coreProperties>')
    path = tmp_path / "xxe.docx"
    path.write_bytes(_replace_part(_docx_bytes(), "docProps/core.xml", xxe))
    assert "its part docProps/core.xml declares XML entities" in _refused(path)


def test_an_encrypted_or_old_format_file_is_refused(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    (tmp_path / "secret.docx").write_bytes(ole)
    assert _refused(tmp_path / "secret.docx") == (
        "secret.docx is password-protected (encrypted) or an old Word 97-2003 document; remove "
        "the password or save it as .docx in Word, then read it again.")
    (tmp_path / "old.doc").write_bytes(ole)
    assert _refused(tmp_path / "old.doc") == (
        "old.doc is saved in the old Word format (.doc); open it in Word and save it as .docx.")


def test_a_renamed_workbook_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Risk"
    book.save(tmp_path / "register.docx")
    assert _refused(tmp_path / "register.docx") == (
        "register.docx is an Excel workbook (perhaps renamed), not a Word document; choose "
        "the procedure saved as .docx.")


def test_a_zip_that_is_not_word_and_a_file_that_is_not_a_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "photos.docx", "w") as archive:
        archive.writestr("a.txt", "hello")
    assert _refused(tmp_path / "photos.docx") == (
        "photos.docx is a ZIP archive but not a Word document; choose the procedure saved as "
        ".docx.")
    (tmp_path / "notes.docx").write_text("just text", encoding="utf-8")
    assert _refused(tmp_path / "notes.docx") == (
        "notes.docx is not a ZIP package, not a Word document (.docx); choose the procedure "
        "saved as .docx.")


def test_a_truncated_and_an_empty_file_are_refused(tmp_path):
    data = _docx_bytes()
    (tmp_path / "cut.docx").write_bytes(data[:len(data) // 2])
    assert _refused(tmp_path / "cut.docx") == (
        "cut.docx is damaged or incomplete (perhaps truncated when it was copied); open it in "
        "Word, save it as .docx and try again.")
    (tmp_path / "empty.docx").write_bytes(b"")
    assert _refused(tmp_path / "empty.docx") == (
        "empty.docx is empty (0 bytes); choose the saved Word document.")


def test_zip_bombs_are_refused_by_declared_and_by_real_size(tmp_path):
    huge = _declare_size(_docx_bytes(), "word/document.xml", 300 * 1024 * 1024)
    (tmp_path / "huge.docx").write_bytes(huge)
    assert _refused(tmp_path / "huge.docx") == (
        "huge.docx was refused because its part word/document.xml inflates to more than 64 MB "
        "(a ZIP bomb or a damaged file); open it in Word, save it as .docx and try again.")
    # a part that holds more than its entry declares (1 MB of zeros said to be 1,000 bytes)
    stuffed = _replace_part(_docx_bytes(), "word/media/zeros.bin", bytes(1024 * 1024))
    (tmp_path / "liar.docx").write_bytes(_declare_size(stuffed, "word/media/zeros.bin", 1000))
    assert _refused(tmp_path / "liar.docx") == (
        "liar.docx was refused because its part word/media/zeros.bin declares 1,000 bytes but "
        "holds 1,048,576 (a ZIP bomb or a damaged file); open it in Word, save it as .docx and "
        "try again.")


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    data = _docx_bytes()
    for n in range(40):
        data = _replace_part(data, f"word/media/{n}.bin", b"x")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        count = len(archive.infolist())
    monkeypatch.setattr(D, "MAX_ENTRIES", 30)
    (tmp_path / "many.docx").write_bytes(data)
    assert _refused(tmp_path / "many.docx") == (
        f"many.docx was refused because it holds {count} parts, more than the 30 a Word "
        "document could need (a ZIP bomb or a damaged file); open it in Word and save it "
        "again.")


# -- a folder ---------------------------------------------------------------------------------

def test_a_folder_reads_every_docx_and_reports_each_bad_file(tmp_path):
    _procedure(tmp_path / "b SOP-007.docx")
    _plain(tmp_path / "A notes.docx")
    (tmp_path / "~$b SOP-007.docx").write_bytes(b"lock")
    (tmp_path / "c old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    (tmp_path / "d cut.docx").write_bytes(_docx_bytes()[:300])
    (tmp_path / "e readme.txt").write_text("not read", encoding="utf-8")
    results = D.read_folder(tmp_path)
    assert [r.file_name for r in results] == ["A notes.docx", "b SOP-007.docx", "c old.doc",
                                              "d cut.docx"]
    assert [type(r).__name__ for r in results] == ["DocxProcedure", "DocxProcedure",
                                                   "DocxProblem", "DocxProblem"]
    assert results[2].message == ("c old.doc is saved in the old Word format; open it in Word "
                                  "and save it as .docx.")
    assert results[3].message.startswith("d cut.docx is damaged or incomplete")


def test_a_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(D.DocxReadError, match=r"^The folder nowhere was not found; "):
        D.read_folder(tmp_path / "nowhere")


# -- real files ---------------------------------------------------------------------------------

CORPUS_FILES = sorted(CORPUS.rglob("*.docx")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="no .docx files in ../shared/corpus (the shared "
                                             "corpus is absent or holds no Word documents)")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_documents_read_or_are_refused_in_one_sentence(path):
    try:
        read = D.read_procedure(path)
    except D.DocxReadError as exc:
        assert str(exc).startswith(path.name) and str(exc).endswith(".")
        return
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert all(w.endswith(".") for w in read.warnings)
    keys = [s.key for s in read.sections]
    assert len(keys) == len(set(keys))
