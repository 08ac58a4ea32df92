"""Read an existing Word procedure (.docx) so it can be registered as a controlled document.

What is read (no database, no Qt; python-docx and lxml are imported inside the functions):

* the document's **number, title, revision and owner**, each from the first place that states
  it, in this order: the core properties (``dc:title``, ``dc:subject``, ``cp:keywords``,
  ``dc:identifier``, ``cp:version``, and custom properties such as "Revision" or "Document
  number"), the page headers (and then footers), the first table before the first section
  heading (a document-control table: "Rev. | D" beside or below its label), the first
  paragraphs, the Title-styled paragraph or a title heading, and last the file name
  ("SOP-007 Control of documents rev C.docx"). Word's own ``cp:revision`` is a save counter and
  is never taken as the document's revision. Where two places disagree a warning says which
  value was taken. :attr:`DocxProcedure.sources` names where each value came from.
* a **kind** guess (procedure, work instruction, form, policy, manual) from the number's prefix
  ("SOP", "VA", "WI", "AA", "F-", "POL", "QM" ...) or the title's words ("Form", "Policy",
  "Manual", "Verfahrensanweisung", "Arbeitsanweisung", "Formblatt" ...).
* the **sections**: every heading of the top level used (a lone first heading above deeper
  ones is the document's title, not a section) starts one; its key is one of
  ``core.documents.SECTION_KEYS`` when the heading means it ("1 Purpose", "4.2 Scope",
  "3 Verantwortung", "Mitgeltende Unterlagen" ...) and ``custom-N`` otherwise. Section text is
  light Markdown: paragraphs separated by a blank line, **bold** and *italic* runs, list
  paragraphs as ``- `` / ``1. `` (two spaces of indent per level), deeper headings as bold
  paragraphs, tables as pipe tables whose first row is the header, a line break inside a
  paragraph as a newline; Markdown characters in the text are escaped with a backslash.
  Tracked changes are read as if accepted; hidden text, deleted text, text boxes, pictures and
  embedded objects are left out (a warning counts the pictures). A document without heading
  styles is split at short bold or numbered paragraphs that name a known section; failing
  that, its whole text is the Procedure section (with a warning).

Error style: :func:`read_procedure` raises :class:`DocxReadError` (a ``ValueError``) whose text
is one full sentence naming the file, for a missing, empty, oversized, encrypted, damaged,
truncated or hostile file, an old-format .doc, or a ZIP that is not a Word document (a renamed
.xlsx). :func:`read_folder` never raises for one file: each file it cannot read is a
:class:`DocxProblem` carrying that sentence.

Hostile input: the package is checked the way the spreadsheet reader checks an .xlsx
(``services/imports/table.py``): at most :data:`MAX_FILE_BYTES` on disk and
:data:`MAX_ENTRIES` entries, every part inflated by streaming (never trusting the size its
ZIP entry declares) to at most :data:`MAX_PART_BYTES` each and :data:`MAX_PACKAGE_BYTES` in
all, no encrypted parts, no unusual compression. Then every XML part is parsed once with the
hardened parser of ``services/xmlsafe.py`` (no DTD, no entities, no network, bounded depth)
and everything is read from those trees: python-docx's own parser (``resolve_entities=False``
but otherwise lxml's defaults) never sees the file. A part with a DOCTYPE or an entity
declaration is refused: Word never writes one.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from qms_desktop.core.documents import SECTION_TITLES
# The spreadsheet reader's ZIP guards: the streaming size count and the file signatures.
from qms_desktop.services.imports.table import _OLE_SIGNATURE, _ZIP_SIGNATURES, _inflated_size

__all__ = [
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_BYTES",
    "MAX_PART_BYTES",
    "DocxProblem",
    "DocxProcedure",
    "DocxReadError",
    "DocxSection",
    "guess_kind",
    "read_folder",
    "read_procedure",
    "section_key",
    "split_file_name",
]

#: largest .docx file read (on disk)
MAX_FILE_BYTES = 100 * 1024 * 1024
#: all parts of the package together, inflated
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
#: one part, inflated (XML parts are further capped by :data:`MAX_XML_PART_BYTES`)
MAX_PART_BYTES = 200 * 1024 * 1024
MAX_XML_PART_BYTES = 64 * 1024 * 1024
#: entries of the ZIP directory (a long procedure with pictures has about 50)
MAX_ENTRIES = 5_000
#: deepest XML nesting accepted (nested tables and text boxes go deeper than diagrams)
MAX_XML_DEPTH = 256

# Lengths of the workspace's columns (storage.models: Document.number, Revision.number,
# DocumentSection.title)
_NUMBER_LENGTH = 40
_REVISION_LENGTH = 20
_TITLE_LENGTH = 200

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
_WORD_TEMPLATES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.template."
                   "main+xml", "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


class DocxReadError(ValueError):
    """The file cannot be read as a Word procedure; ``str(e)`` is one sentence for the user."""


class DocxSection(NamedTuple):
    """One section read from the document: ``key`` is one of ``SECTION_KEYS`` or
    ``custom-N``; ``title`` is the heading without its numbering; ``text`` light Markdown."""

    key: str
    title: str
    text: str


@dataclass
class DocxProcedure:
    """What :func:`read_procedure` found in one .docx file ("" where nothing was found)."""

    path: Path
    file_name: str
    number: str
    title: str
    revision: str
    kind: str                    # core.documents.KINDS (procedure when nothing says otherwise)
    owner: str
    sections: list[DocxSection] = field(default_factory=list)
    #: full sentences: what was guessed, left out or found contradictory
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    #: {"number" | "title" | "revision" | "owner" | "kind": where the value came from}
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DocxProblem:
    """A file of a folder that could not be read; ``message`` is one sentence naming it."""

    path: Path
    file_name: str
    message: str


# ============================================================================================
# Words
# ============================================================================================

def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss")
    return " ".join(re.sub(r"[^\w&/]+", " ", text).split())


_SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "purpose": ("purpose", "objective", "objectives", "aim", "aims", "goal", "zweck", "ziel",
                "ziele", "zielsetzung"),
    "scope": ("scope", "application", "applicability", "field of application", "geltungsbereich",
              "anwendungsbereich", "geltung", "anwendung"),
    "definitions": ("definitions", "definition", "terms", "abbreviations", "glossary",
                    "begriffe", "begriffsbestimmungen", "definitionen", "abkurzungen",
                    "abkürzungen"),
    "responsibilities": ("responsibilities", "responsibility", "roles", "authorities",
                         "verantwortung", "verantwortlichkeiten", "zustandigkeiten",
                         "zuständigkeiten", "zustandigkeit", "zuständigkeit"),
    "procedure": ("procedure", "process", "method", "description", "ablauf", "vorgehen",
                  "vorgehensweise", "durchfuhrung", "durchführung", "verfahren", "beschreibung",
                  "prozessbeschreibung", "verfahrensablauf"),
    "records": ("records", "record", "documentation", "aufzeichnungen", "dokumentation",
                "nachweise"),
    "references": ("references", "reference", "related documents", "mitgeltende unterlagen",
                   "mitgeltende dokumente", "referenzen", "verweise", "normative references",
                   "applicable documents"),
}
_SYNONYM_KEY = {_norm(word): key for key, words in _SECTION_SYNONYMS.items() for word in words}

_HEADING_NUMBER = re.compile(
    r"^\s*(?:§\s*)?(?:\d{1,3}(?:\.\d{1,3})*\.?|[A-Z]\.|[IVX]{1,5}\.)(?:\s+|\s*[-–—:)]\s*)(?=\S)")


def _strip_numbering(title: str) -> str:
    return _HEADING_NUMBER.sub("", title.strip(), count=1).strip().rstrip(":").strip()


def section_key(title: str) -> str | None:
    """The ``SECTION_KEYS`` key a heading means ("4.2 Scope" → "scope", "Begriffe und
    Abkürzungen" → "definitions"), or None. The whole title is tried, then its first part
    before "and"/"und"/"&"/"/", then each word of that part."""
    text = _norm(_strip_numbering(title))
    if not text:
        return None
    if text in _SYNONYM_KEY:
        return _SYNONYM_KEY[text]
    first = re.split(r"\s+(?:and|und|&)\s+|\s*/\s*|\s*,\s*", text)[0].strip()
    if first in _SYNONYM_KEY:
        return _SYNONYM_KEY[first]
    for word in first.split():
        if word in _SYNONYM_KEY:
            return _SYNONYM_KEY[word]
    return None


# A document number: a prefix of letters (SOP, VA, WI, F, QM-P ...) then digits, as in
# "SOP-007", "VA 7.5-01", "F-023", "WI-PRD-12", "AA_04".
_NUMBER = r"[A-Z][A-Z0-9]{0,7}(?:[-_][A-Z]{1,6}){0,2}(?:[-_ ]?)\d{1,5}(?:[-._]\d{1,4}){0,3}"
_NUMBER_RE = re.compile(rf"(?<![\w-])({_NUMBER})(?![\w])")
_NOT_NUMBERS = {"ISO", "DIN", "EN", "IEC", "ASTM", "REV", "REVISION", "VERSION", "PAGE", "SEITE",
                "ANNEX", "ANHANG", "TABLE", "TABELLE", "FIG", "FIGURE", "BILD", "ABB", "V",
                "NR", "NO", "EU", "CFR", "SECTION", "KAPITEL", "STEP", "SCHRITT", "ISSUE"}


def _as_number(text: str) -> str:
    """``text`` when it is a document number (its prefix is not a standard's or a label)."""
    text = text.strip()
    match = re.fullmatch(_NUMBER, text)
    if not match:
        return ""
    prefix = re.match(r"[A-Z]+", text)
    if prefix is None or prefix.group(0) in _NOT_NUMBERS:
        return ""
    return text[:_NUMBER_LENGTH]


def _leading_number(text: str) -> tuple[str, str]:
    """(number, rest) when ``text`` starts with a document number ("SOP-007 Control of
    documents" → ("SOP-007", "Control of documents")), else ("", text)."""
    match = re.match(rf"\s*({_NUMBER})(?![\w])\s*(?:[-–—:|]\s*)?(.*)$", text, re.S)
    if match:
        number = _as_number(match.group(1))
        if number:
            return number, match.group(2).strip()
    return "", text.strip()


_REV_LABEL = r"(?:rev(?:ision)?(?:sstand)?|version|ver|ausgabe|ausgabestand|index|issue|änderungsstand|aenderungsstand)"
# a revision mark: A, B, AA, C1, 03, 2.1, 1.0a (never a word or a date)
_REV_VALUE = r"(?:[A-Z]{1,2}\d{0,2}|\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?)(?:[.\-]\d{1,3})?"
_REV_VALUE_RE = re.compile(rf"{_REV_VALUE}(?![\w])")
_REV_RE = re.compile(rf"(?<![\w])(?i:{_REV_LABEL})(?=[\s.:#])(?:\s*(?:[.:#]|(?i:no|nr)\.?))*\s*"
                     rf"({_REV_VALUE})(?![\w.\-/])")
_NUM_LABEL = (r"(?:doc(?:ument)?\.?\s*(?:no|nr|number|id|#)\.?|document\s+number|"
              r"dok(?:ument(?:en)?)?\.?[- ]?(?:nr|nummer)\.?|number|nummer|nr\.?|no\.?|ident(?:ifier)?)")
_NUM_RE = re.compile(rf"(?<![\w])(?i:{_NUM_LABEL})\s*[:#]?\s*({_NUMBER})(?![\w])")
_OWNER_LABEL = (r"(?:(?:process|document|procedure)\s+owner|owner|verantwortlich(?:er|e)?|"
                r"prozess(?:eigner|verantwortliche?r?)|dokumentenverantwortliche?r?|"
                r"eigent(?:ü|ue)mer)")
_OWNER_RE = re.compile(rf"^\s*(?i:{_OWNER_LABEL})\s*:\s*(.+?)\s*$")
_TITLE_RE = re.compile(r"^\s*(?i:title|titel|subject|betreff|bezeichnung)\s*:\s*(.+?)\s*$")

# A table cell that is only a label
_LABEL_CELLS = {
    "revision": re.compile(rf"^(?i:{_REV_LABEL})\s*(?:\.|:|#|(?i:no|nr)\.?)*$"),
    "number": re.compile(rf"^(?i:{_NUM_LABEL})\s*[:#]?$"),
    "owner": re.compile(rf"^(?i:{_OWNER_LABEL})\s*:?$"),
    "title": re.compile(r"^(?i:title|titel|subject|betreff|bezeichnung|document title|"
                        r"dokumententitel)\s*:?$"),
}

_KIND_PREFIXES = {
    "procedure": ("SOP", "VA", "QP", "QSP", "PR", "PRO", "P", "QVA", "VFA"),
    "work_instruction": ("WI", "AA", "AW", "SI", "OI", "QAA", "WIN"),
    "form": ("F", "FB", "FO", "FM", "FRM", "FORM", "QF", "CL", "CHK"),
    "policy": ("POL", "QPOL", "PO"),
    "manual": ("QM", "QMH", "MAN", "HB", "QHB", "M"),
}
_KIND_WORDS = (  # checked in this order on the title's words
    ("work_instruction", ("work instruction", "arbeitsanweisung", "betriebsanweisung",
                          "prufanweisung", "pruefanweisung")),
    ("form", ("form", "formblatt", "formular", "vordruck", "template", "checklist",
              "checkliste")),
    ("policy", ("policy", "politik", "leitlinie", "qualitatspolitik", "qualitaetspolitik")),
    ("manual", ("manual", "handbuch", "qm handbuch", "qualitatsmanagementhandbuch")),
    ("procedure", ("procedure", "verfahrensanweisung", "sop", "standard operating procedure",
                   "prozessbeschreibung", "verfahren")),
)


def _fold(text: str) -> str:
    """Lower case without accents (für → fur), for word matching."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return " ".join(re.sub(r"[^\w]+", " ", "".join(c for c in text
                                                    if not unicodedata.combining(c))).split())


def guess_kind(number: str, title: str) -> tuple[str, str]:
    """(kind, why): the kind from the number's prefix ("SOP-007" → procedure, "AA-12" → work
    instruction, "F-023" → form), else from the title's words ("Formblatt …" → form), else
    ("procedure", "")."""
    prefix = re.match(r"[A-Z]+", number.strip().upper()) if number else None
    if prefix:
        for kind, prefixes in _KIND_PREFIXES.items():
            if prefix.group(0) in prefixes:
                return kind, f"the number's prefix {prefix.group(0)}"
    words = f" {_fold(title)} "
    for kind, phrases in _KIND_WORDS:
        for phrase in phrases:
            if f" {_fold(phrase)} " in words:
                return kind, f"the word “{phrase}” in the title"
    return "procedure", ""


def split_file_name(name: str) -> tuple[str, str, str]:
    """(number, title, revision) read from a file name: "SOP-007 Control of documents rev
    C.docx" → ("SOP-007", "Control of documents", "C"); "" for what it does not state."""
    stem = Path(name).name
    if stem.lower().endswith((".docx", ".docm", ".dotx", ".doc")):
        stem = stem.rsplit(".", 1)[0]
    stem = re.sub(r"\s*\((?:\d+|copy|kopie)\)\s*$", "", stem, flags=re.I)  # "x (1)" copies
    stem = re.sub(r"\s+", " ", stem.replace("_", " ")).strip()
    revision = ""
    match = re.search(r"(?:^|[\s\-–])(?i:rev(?:ision)?|version|ver|v|ausgabe|index|issue)"
                      r"(?:\.?\s+|\.|(?=\d))((?i:[A-Z]{1,2}\d{0,2}|\d{1,3}(?:\.\d{1,3}){0,2}))"
                      r"\s*$", stem)
    if match:
        value = match.group(1).rstrip(".")
        revision = value.upper() if len(value) == 1 else value
        stem = stem[:match.start()].rstrip(" -–")
    # the number with "_" read as a separator ("SOP_007" came in as "SOP 007")
    number, rest = _leading_number(stem)
    if not number:
        spaced = re.match(r"([A-Z]{1,6}) (\d{1,5}(?:[-.]\d{1,4})*)\b\s*[-–—]?\s*(.*)$", stem)
        if spaced and _as_number(f"{spaced.group(1)}-{spaced.group(2)}"):
            number, rest = f"{spaced.group(1)} {spaced.group(2)}", spaced.group(3)
    return number, rest.strip(" -–—"), revision[:_REVISION_LENGTH]


# ============================================================================================
# Checking the package
# ============================================================================================

def _mb(n: int) -> str:
    return f"{n / 1048576:.0f} MB"


def _load(path: Path) -> bytes:
    """The file's bytes after the checks that need no unpacking."""
    name = path.name
    try:
        if path.is_dir():
            raise DocxReadError(f"{name} is a folder, not a Word document; choose a .docx file "
                                "or read the folder.")
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocxReadError(f"{name} was not found; check the name and folder.") from None
    except OSError as exc:
        raise DocxReadError(f"{name} cannot be read ({exc.strerror}); check that the file is "
                            "accessible.") from None
    if size == 0:
        raise DocxReadError(f"{name} is empty (0 bytes); choose the saved Word document.")
    if size > MAX_FILE_BYTES:
        raise DocxReadError(f"{name} is {size / 1048576:.1f} MB, more than the "
                            f"{_mb(MAX_FILE_BYTES)} limit for a procedure; remove large "
                            "pictures or embedded files and save it again.")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DocxReadError(f"{name} cannot be read ({exc.strerror}); check that the file is "
                            "accessible.") from None
    if len(data) > MAX_FILE_BYTES:
        raise DocxReadError(f"{name} is more than the {_mb(MAX_FILE_BYTES)} limit for a "
                            "procedure; remove large pictures or embedded files and save it "
                            "again.")
    suffix = path.suffix.lower()
    if data.startswith(_OLE_SIGNATURE[:4]):
        if suffix in (".doc", ".dot"):
            raise DocxReadError(f"{name} is saved in the old Word format (.doc); open it in "
                                "Word and save it as .docx.")
        raise DocxReadError(f"{name} is password-protected (encrypted) or an old Word 97-2003 "
                            "document; remove the password or save it as .docx in Word, then "
                            "read it again.")
    if not data.startswith(_ZIP_SIGNATURES):
        if suffix == ".doc":
            raise DocxReadError(f"{name} is saved in an old or unknown Word format; open it in "
                                "Word and save it as .docx.")
        what = _sniff(data)
        raise DocxReadError(f"{name} is {what}, not a Word document (.docx); choose the "
                            "procedure saved as .docx.")
    return data


def _sniff(data: bytes) -> str:
    head = data[:16]
    for magic, label in ((b"%PDF", "a PDF file"), (b"{\\rtf", "an RTF document"),
                         (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                         (b"SQLite format 3", "an SQLite database")):
        if head.startswith(magic):
            return label
    stripped = data[:512].lstrip()
    if stripped.startswith(b"<"):
        return "an XML or HTML file"
    return "not a ZIP package"


def _check_package(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a package with too many entries, encrypted or oddly compressed parts, or parts
    that inflate to more than their caps or to another size than declared (a ZIP bomb)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DocxReadError(f"{name} was refused because it holds {len(infos):,} parts, more "
                            f"than the {MAX_ENTRIES:,} a Word document could need (a ZIP bomb "
                            "or a damaged file); open it in Word and save it again.")
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise DocxReadError(f"{name} has an encrypted part ({info.filename}); remove the "
                                "password in Word, save it as .docx and try again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DocxReadError(f"{name} was refused because its part {info.filename} is "
                                "compressed in a way Word does not use; open it in Word, save "
                                "it as .docx and try again.")
        cap = MAX_XML_PART_BYTES if _is_xml_name(info.filename) else MAX_PART_BYTES
        size = info.file_size if info.file_size > cap else _inflated_size(archive, info, cap)
        if size > cap:
            raise DocxReadError(f"{name} was refused because its part {info.filename} inflates "
                                f"to more than {_mb(cap)} (a ZIP bomb or a damaged file); open "
                                "it in Word, save it as .docx and try again.")
        if size != info.file_size:
            raise DocxReadError(f"{name} was refused because its part {info.filename} declares "
                                f"{info.file_size:,} bytes but holds {size:,} (a ZIP bomb or a "
                                "damaged file); open it in Word, save it as .docx and try "
                                "again.")
        total += size
        if total > MAX_PACKAGE_BYTES:
            raise DocxReadError(f"{name} was refused because its parts inflate to more than "
                                f"{_mb(MAX_PACKAGE_BYTES)} in all (a ZIP bomb or a very large "
                                "document); remove large pictures or embedded files and save "
                                "it again.")


def _is_xml_name(part: str) -> bool:
    return part.lower().endswith((".xml", ".rels"))


def _not_word(name: str, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return (f"{name} is an Excel workbook (perhaps renamed), not a Word document; choose "
                "the procedure saved as .docx.")
    if "ppt/presentation.xml" in names:
        return (f"{name} is a PowerPoint presentation, not a Word document; choose the "
                "procedure saved as .docx.")
    if "visio/document.xml" in names:
        return (f"{name} is a Visio drawing, not a Word document; choose the procedure saved "
                "as .docx.")
    if "content.xml" in names and "mimetype" in names:
        return (f"{name} is an OpenDocument file; save it as .docx (File > Save as) and read "
                "that file.")
    return (f"{name} is a ZIP archive but not a Word document; choose the procedure saved as "
            ".docx.")


class _Package:
    """The checked package: its parts' names and every XML part parsed by the safe parser."""

    def __init__(self, name: str, data: bytes) -> None:
        from qms_desktop.services import xmlsafe

        self.name = name
        self.roots: dict[str, Any] = {}
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                _check_package(archive, name)
                names = {info.filename for info in archive.infolist() if not info.is_dir()}
                if "word/document.xml" not in names:
                    raise DocxReadError(_not_word(name, names))
                for part in sorted(names):
                    if not _is_xml_name(part):
                        continue
                    raw = archive.read(part)
                    try:
                        self.roots[part] = xmlsafe.parse_xml(
                            raw, max_bytes=MAX_XML_PART_BYTES, max_depth=MAX_XML_DEPTH,
                            what=f"part {part}")
                    except xmlsafe.UnsafeXmlError as exc:
                        raise DocxReadError(_unsafe_message(name, part, str(exc))) from None
                    except xmlsafe.XmlError:
                        raise DocxReadError(f"{name} is damaged (its part {part} is not "
                                            "well-formed XML); open it in Word, save it as "
                                            ".docx and try again.") from None
        except DocxReadError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError,
                NotImplementedError, RuntimeError, ValueError, zlib.error, struct.error):
            raise DocxReadError(f"{name} is damaged or incomplete (perhaps truncated when it "
                                "was copied); open it in Word, save it as .docx and try "
                                "again.") from None
        self.names = names
        self.main = self._main_part()

    def _main_part(self) -> str:
        rels = self.roots.get("_rels/.rels")
        target = ""
        if rels is not None:
            for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    break
        if target != "word/document.xml" or target not in self.roots:
            raise DocxReadError(_not_word(self.name, self.names))
        types = self.roots.get("[Content_Types].xml")
        content_type = ""
        if types is not None:
            for item in types.iter(f"{{{_CT}}}Override"):
                if item.get("PartName", "").lstrip("/") == target:
                    content_type = item.get("ContentType", "")
        if content_type == _WORD_MACRO:
            raise DocxReadError(f"{self.name} is a macro-enabled Word document (.docm); save "
                                "it as .docx (without macros) and read that file.")
        if content_type in _WORD_TEMPLATES:
            raise DocxReadError(f"{self.name} is a Word template (.dotx); create a document "
                                "from it and save that as .docx.")
        if content_type != _WORD_MAIN:
            raise DocxReadError(f"{self.name} is not a Word document (its main part is "
                                f"{content_type or 'of no stated type'}); save it as .docx in "
                                "Word and try again.")
        return target

    def related(self, rel_type_end: str, source: str = "") -> list[str]:
        """Targets (part names) of the relationships of ``source`` ("" = the package) whose
        type ends with ``rel_type_end``."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", base + ".rels") if source else "_rels/.rels"
        rels = self.roots.get(rels_name)
        out = []
        if rels is None:
            return out
        for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith(rel_type_end) and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                out.append(full)
        return out

    def rel_targets(self, source: str) -> dict[str, str]:
        folder, base = posixpath.split(source)
        rels = self.roots.get(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, str] = {}
        if rels is None:
            return out
        for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
        return out


def _unsafe_message(name: str, part: str, detail: str) -> str:
    low = detail.lower()
    if "entit" in low or "dtd" in low or "doctype" in low:
        return (f"{name} was refused because its part {part} declares XML entities or a DTD, "
                "which Word never writes and which can read local files or exhaust memory; "
                "open the original in Word and save it again as .docx.")
    if "levels deep" in low:
        return (f"{name} was refused because its part {part} nests elements more than "
                f"{MAX_XML_DEPTH} levels deep, which no real document does; open it in Word and "
                "save it again as .docx.")
    return (f"{name} was refused because its part {part} is larger than "
            f"{_mb(MAX_XML_PART_BYTES)} of XML; remove embedded content and save it again.")


# ============================================================================================
# Reading the text
# ============================================================================================

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")
_LINE_START = re.compile(r"^(\s*)(#|>|[-+](?=\s)|\d+(?=[.)]\s))", re.M)


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _escape_line_starts(text: str) -> str:
    """Escape what would start a heading, quote or list at a line start ("1\\. item")."""
    out = []
    for line in text.split("\n"):
        m = _LINE_START.match(line)
        if m:
            if m.group(2).isdigit():
                end = m.end()
                line = line[:end] + "\\" + line[end:]
            else:
                line = line[:m.start(2)] + "\\" + line[m.start(2):]
        out.append(line)
    return "\n".join(out)


def _on(element: Any, tag: str) -> bool | None:
    """The value of an on/off property (w:b, w:i, w:vanish) of ``element`` (an rPr), or None."""
    if element is None:
        return None
    child = element.find(_w(tag))
    if child is None:
        return None
    return child.get(_w("val"), "true").lower() not in ("0", "false", "off", "none")


_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_SKIP_RUN_PARENTS = {_w("del"), _w("moveFrom"), _w("txbxContent"), _w("fldData"),
                     f"{{{_MC}}}Fallback"}


class _Styles:
    """Paragraph and character styles by id, resolved through ``basedOn``."""

    def __init__(self, root: Any) -> None:
        self.by_id: dict[str, Any] = {}
        self.default_paragraph = ""
        if root is None:
            return
        for style in root.iter(_w("style")):
            style_id = style.get(_w("styleId"), "")
            self.by_id[style_id] = style
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
                self.default_paragraph = style_id

    def chain(self, style_id: str) -> list[Any]:
        out, seen = [], set()
        while style_id and style_id in self.by_id and style_id not in seen and len(out) < 20:
            seen.add(style_id)
            style = self.by_id[style_id]
            out.append(style)
            based = style.find(_w("basedOn"))
            style_id = based.get(_w("val"), "") if based is not None else ""
        return out

    def name(self, style_id: str) -> str:
        style = self.by_id.get(style_id)
        if style is None:
            return ""
        element = style.find(_w("name"))
        return element.get(_w("val"), "") if element is not None else ""

    def names(self, style_id: str) -> list[str]:
        return [n for s in self.chain(style_id)
                for n in [(s.find(_w("name")).get(_w("val"), "")
                           if s.find(_w("name")) is not None else "")] if n]

    def find(self, style_id: str, path: str) -> Any:
        for style in self.chain(style_id):
            found = style.find(path)
            if found is not None:
                return found
        return None

    def run_flag(self, style_id: str, tag: str) -> bool | None:
        for style in self.chain(style_id):
            value = _on(style.find(_w("rPr")), tag)
            if value is not None:
                return value
        return None


class _Numbering:
    """Which numbering definitions are bullets."""

    def __init__(self, root: Any) -> None:
        self.formats: dict[tuple[str, int], str] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, str]] = {}
        for item in root.iter(_w("abstractNum")):
            levels = {}
            for lvl in item.iter(_w("lvl")):
                fmt = lvl.find(_w("numFmt"))
                levels[int(lvl.get(_w("ilvl"), "0") or 0)] = (
                    fmt.get(_w("val"), "") if fmt is not None else "")
            abstract[item.get(_w("abstractNumId"), "")] = levels
        for num in root.iter(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = dict(abstract.get(ref.get(_w("val"), "") if ref is not None else "", {}))
            for override in num.iter(_w("lvlOverride")):
                lvl = override.find(_w("lvl"))
                fmt = lvl.find(_w("numFmt")) if lvl is not None else None
                if fmt is not None:
                    levels[int(override.get(_w("ilvl"), "0") or 0)] = fmt.get(_w("val"), "")
            for level, fmt in levels.items():
                self.formats[(num.get(_w("numId"), ""), level)] = fmt

    def is_bullet(self, num_id: str, level: int) -> bool:
        return self.formats.get((num_id, level), "decimal") in ("bullet", "none")


@dataclass
class _Para:
    element: Any
    style_id: str
    style_name: str
    level: int | None          # heading level 1-9, None for body text
    is_title: bool
    text: str                  # plain text
    markdown: str              # the paragraph's own Markdown, without a list marker
    list_marker: str           # "- ", "1. " or ""
    list_level: int
    all_bold: bool


class _Reader:
    def __init__(self, package: _Package) -> None:
        self.package = package
        main = package.main
        self.document = package.roots[main]
        targets = package.rel_targets(main)
        styles_part = next(iter(package.related("/styles", main)), "")
        numbering_part = next(iter(package.related("/numbering", main)), "")
        self.styles = _Styles(package.roots.get(styles_part))
        self.numbering = _Numbering(package.roots.get(numbering_part))
        self.targets = targets
        self.pictures = 0

    # -- paragraphs ------------------------------------------------------------------------

    def para(self, p: Any, *, in_table: bool = False) -> _Para:
        ppr = p.find(_w("pPr"))
        style_el = ppr.find(_w("pStyle")) if ppr is not None else None
        style_id = style_el.get(_w("val"), "") if style_el is not None else \
            self.styles.default_paragraph
        names = self.styles.names(style_id)
        style_name = names[0] if names else ""
        level = None
        is_title = False
        if not in_table and not any(n.lower().startswith("toc") for n in names):
            for name in names:
                low = name.strip().lower()
                match = re.fullmatch(r"(?:heading|überschrift|titre|titolo|kop)\s*(\d)", low)
                if match:
                    level = int(match.group(1))
                    break
                if low == "title" or low == "titel":
                    is_title = True
                    break
            if level is None and not is_title:
                outline = ppr.find(_w("outlineLvl")) if ppr is not None else None
                if outline is None:
                    outline = self.styles.find(style_id, f"{_w('pPr')}/{_w('outlineLvl')}")
                if outline is not None:
                    try:
                        value = int(outline.get(_w("val"), "9"))
                    except ValueError:
                        value = 9
                    if 0 <= value < 9:
                        level = value + 1
        text, markdown, all_bold = self.runs(p, style_id)
        marker, list_level = "", 0
        if level is None and not is_title and not in_table:
            marker, list_level = self.list_marker(ppr, style_id, names)
        return _Para(p, style_id, style_name, level, is_title, text, markdown, marker,
                     list_level, all_bold)

    def list_marker(self, ppr: Any, style_id: str, names: list[str]) -> tuple[str, int]:
        num_pr = ppr.find(_w("numPr")) if ppr is not None else None
        if num_pr is None:
            num_pr = self.styles.find(style_id, f"{_w('pPr')}/{_w('numPr')}")
        num_id, level = "", 0
        if num_pr is not None:
            num_el, lvl_el = num_pr.find(_w("numId")), num_pr.find(_w("ilvl"))
            num_id = num_el.get(_w("val"), "") if num_el is not None else ""
            try:
                level = int(lvl_el.get(_w("val"), "0")) if lvl_el is not None else 0
            except ValueError:
                level = 0
        style = (names[0] if names else "").lower()
        by_style = re.fullmatch(r"list (bullet|number)(?: (\d))?", style)
        if num_id and num_id != "0":
            marker = "- " if self.numbering.is_bullet(num_id, level) else "1. "
            if by_style and by_style.group(2) and level == 0:
                level = int(by_style.group(2)) - 1
            return marker, max(0, min(level, 8))
        if by_style:
            marker = "- " if by_style.group(1) == "bullet" else "1. "
            return marker, int(by_style.group(2) or 1) - 1
        return "", 0

    def runs(self, p: Any, style_id: str) -> tuple[str, str, bool]:
        """(plain text, Markdown, whether every visible character is bold)."""
        segments: list[list[Any]] = []  # [text, bold, italic]
        for element in p.iter(_w("r"), _w("drawing"), _w("pict"), _w("object")):
            parent = element.getparent()
            skip = False
            while parent is not None and parent is not p:
                if parent.tag in _SKIP_RUN_PARENTS:
                    skip = True
                    break
                parent = parent.getparent()
            if skip:
                continue
            if element.tag != _w("r"):
                self.pictures += 1
                continue
            rpr = element.find(_w("rPr"))
            rstyle = rpr.find(_w("rStyle")) if rpr is not None else None
            char_style = rstyle.get(_w("val"), "") if rstyle is not None else ""
            hidden = _on(rpr, "vanish")
            if hidden is None and char_style:
                hidden = self.styles.run_flag(char_style, "vanish")
            if hidden:
                continue
            bold = _on(rpr, "b")
            if bold is None and char_style:
                bold = self.styles.run_flag(char_style, "b")
            italic = _on(rpr, "i")
            if italic is None and char_style:
                italic = self.styles.run_flag(char_style, "i")
            parts = []
            for child in element:
                tag = child.tag
                if tag == _w("t"):
                    parts.append(child.text or "")
                elif tag in (_w("tab"), _w("ptab")):
                    parts.append(" ")
                elif tag in (_w("br"), _w("cr")):
                    parts.append("\n")
                elif tag == _w("noBreakHyphen"):
                    parts.append("-")
                elif tag == _w("softHyphen"):
                    continue
            text = "".join(parts)
            if not text:
                continue
            flags = (bool(bold), bool(italic))
            if segments and (segments[-1][1], segments[-1][2]) == flags:
                segments[-1][0] += text
            else:
                segments.append([text, *flags])
        plain = "".join(s[0] for s in segments)
        visible = [s for s in segments if s[0].strip()]
        all_bold = bool(visible) and all(s[1] for s in visible)
        out = []
        for text, bold, italic in segments:
            escaped = _escape(text)
            if (bold or italic) and escaped.strip():
                mark = "***" if bold and italic else "**" if bold else "*"
                lead = escaped[:len(escaped) - len(escaped.lstrip())]
                trail = escaped[len(escaped.rstrip()):]
                # a line break inside emphasis: close and reopen around it
                inner = f"{mark}\n{mark}".join(
                    piece.strip() for piece in escaped.strip().split("\n"))
                out.append(f"{lead}{mark}{inner}{mark}{trail}")
            else:
                out.append(escaped)
        markdown = "".join(out)
        markdown = "\n".join(line.strip() for line in markdown.split("\n")).strip()
        return plain.strip(), _escape_line_starts(markdown), all_bold

    # -- tables ----------------------------------------------------------------------------

    def table_rows(self, tbl: Any) -> list[list[str]]:
        """The plain text of each cell, row by row; a cell spanning columns is followed by
        empty cells, a vertically merged continuation is empty."""
        rows = []
        for tr in tbl.iterchildren(_w("tr")):
            cells = []
            for tc in tr.iterchildren(_w("tc")):
                tcpr = tc.find(_w("tcPr"))
                span = 1
                merged = False
                if tcpr is not None:
                    grid = tcpr.find(_w("gridSpan"))
                    if grid is not None:
                        try:
                            span = max(1, min(int(grid.get(_w("val"), "1")), 64))
                        except ValueError:
                            span = 1
                    vmerge = tcpr.find(_w("vMerge"))
                    merged = vmerge is not None and vmerge.get(_w("val"), "continue") != "restart"
                text = "" if merged else " ".join(
                    t for t in (self.para(p, in_table=True).text
                                for p in tc.iter(_w("p"))) if t)
                cells.append(" ".join(text.split()))
                cells.extend([""] * (span - 1))
            rows.append(cells)
        return rows

    def table_markdown(self, tbl: Any) -> str:
        rows = []
        for tr in tbl.iterchildren(_w("tr")):
            cells = []
            for tc in tr.iterchildren(_w("tc")):
                tcpr = tc.find(_w("tcPr"))
                span, merged = 1, False
                if tcpr is not None:
                    grid = tcpr.find(_w("gridSpan"))
                    if grid is not None:
                        try:
                            span = max(1, min(int(grid.get(_w("val"), "1")), 64))
                        except ValueError:
                            span = 1
                    vmerge = tcpr.find(_w("vMerge"))
                    merged = vmerge is not None and vmerge.get(_w("val"), "continue") != "restart"
                texts = []
                if not merged:
                    for p in tc.iter(_w("p")):
                        para = self.para(p, in_table=True)
                        if para.markdown:
                            marker = self.list_marker(p.find(_w("pPr")), para.style_id,
                                                      self.styles.names(para.style_id))[0]
                            texts.append(marker + para.markdown.replace("\n", " "))
                cells.append(" ".join(" ".join(texts).split()))
                cells.extend([""] * (span - 1))
            rows.append(cells)
        rows = [row for row in rows if any(row)]
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |",
                 "| " + " | ".join(["---"] * width) + " |"]
        lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
        return "\n".join(lines)


def _blocks(container: Any) -> list[Any]:
    """The paragraphs and tables of the body in order (content controls opened up)."""
    out = []
    for child in container:
        if child.tag in (_w("p"), _w("tbl")):
            out.append(child)
        elif child.tag == _w("sdt"):
            gallery = child.find(f"{_w('sdtPr')}/{_w('docPartObj')}/{_w('docPartGallery')}")
            if gallery is not None and "contents" in gallery.get(_w("val"), "").lower():
                continue  # a table of contents repeats the headings
            content = child.find(_w("sdtContent"))
            if content is not None:
                out.extend(_blocks(content))
        elif child.tag in (_w("customXml"), _w("ins"), _w("moveTo")):
            out.extend(_blocks(child))
    return out


# ============================================================================================
# Labels (number, revision, owner, title) in headers, the control table and first paragraphs
# ============================================================================================

@dataclass
class _Found:
    number: str = ""
    revision: str = ""
    owner: str = ""
    title: str = ""

    def take(self, other: "_Found") -> None:
        for name in ("number", "revision", "owner", "title"):
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))


def _clean_revision(value: str) -> str:
    value = value.strip().rstrip(".")
    return value[:_REVISION_LENGTH]


def _labels_in_text(text: str, *, unlabelled_number: bool = False) -> _Found:
    found = _Found()
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if not found.revision:
            match = _REV_RE.search(line)
            if match:
                found.revision = _clean_revision(match.group(1))
        if not found.number:
            match = _NUM_RE.search(line)
            if match and _as_number(match.group(1)):
                found.number = _as_number(match.group(1))
            elif unlabelled_number:
                number, _rest = _leading_number(line)
                found.number = number
        if not found.owner:
            match = _OWNER_RE.match(line)
            if match:
                found.owner = match.group(1)[:200]
        if not found.title:
            match = _TITLE_RE.match(line)
            if match:
                found.title = match.group(1)[:_TITLE_LENGTH]
    return found


def _labels_in_table(rows: list[list[str]]) -> tuple[_Found, bool]:
    """Labels in a table: a value beside its label cell, or below it (a column header); when
    a column header has more than two values below it the table is a revision history and the
    last value counts. Then labels written inside cells ("Rev. C"). Returns (found, whether a
    revision history was read)."""
    found = _Found()
    history = False

    def valid(name: str, value: str) -> str:
        value = " ".join(value.split())
        if not value or any(label.match(value) for label in _LABEL_CELLS.values()):
            return ""
        if name == "number":
            return _as_number(value) or _leading_number(value)[0]
        if name == "revision":  # a date or a sentence is not a revision mark
            match = _REV_VALUE_RE.fullmatch(value) or _REV_VALUE_RE.match(value + " ")
            return _clean_revision(match.group(0)) if match and len(value) <= 12 else ""
        return value[:_TITLE_LENGTH]

    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            for name, label in _LABEL_CELLS.items():
                if getattr(found, name) or not label.match(cell.strip()):
                    continue
                beside = next((v for v in row[c + 1:] if v.strip()), "")
                value = valid(name, beside)
                if not value:
                    below = [valid(name, rows[i][c]) for i in range(r + 1, len(rows))
                             if c < len(rows[i]) and rows[i][c].strip()]
                    below = [v for v in below if v]
                    if len(below) > 2 and name == "revision":
                        history, value = True, below[-1]
                    elif below:
                        value = below[0]
                if value:
                    setattr(found, name, value)
    text = "\n".join(cell for row in rows for cell in row if cell)
    found.take(_labels_in_text(text, unlabelled_number=False))
    return found, history


# ============================================================================================
# The reader
# ============================================================================================

def read_procedure(path: str | Path) -> DocxProcedure:
    """Read one .docx procedure. Raises :class:`DocxReadError` (one sentence naming the file)
    when it cannot be read safely; see the module's docstring for what is read and how."""
    path = Path(path)
    name = path.name
    data = _load(path)
    package = _Package(name, data)
    reader = _Reader(package)
    warnings: list[str] = []
    sources: dict[str, str] = {}
    body = reader.document.find(_w("body"))
    if body is None:
        raise DocxReadError(f"{name} is damaged (its document part has no body); open it in "
                            "Word, save it as .docx and try again.")
    blocks = _blocks(body)
    paras: dict[int, _Para] = {}
    for index, block in enumerate(blocks):
        if block.tag == _w("p"):
            paras[index] = reader.para(block)

    # -- where the sections start ----------------------------------------------------------
    headings = [i for i, p in paras.items() if p.level is not None and p.text]
    title_index = next((i for i, p in paras.items() if p.is_title and p.text), None)
    pseudo = False
    if not headings:
        headings = [i for i, p in paras.items() if _pseudo_heading(p)]
        pseudo = bool(headings)
        for i in headings:
            paras[i].level = 1
    core = _core_properties(package)
    doc_title_heading = None
    if len(headings) > 1:
        # a first heading above all others, or one naming the document, is its title
        first = headings[0]
        number_part, rest_text = _leading_number(paras[first].text)
        core_title = _norm(_leading_number(core.get("title", ""))[1])
        if section_key(paras[first].text) is None and (
                paras[first].level < min(paras[i].level for i in headings[1:])
                or number_part or (core_title and _norm(rest_text) == core_title)):
            doc_title_heading = first
    if headings:
        body_heads = [i for i in headings if i != doc_title_heading]
        top = min((paras[i].level for i in body_heads), default=1)
        section_starts = [i for i in body_heads if paras[i].level == top]
    else:
        section_starts = []
    first_section = section_starts[0] if section_starts else len(blocks)

    # -- labels ----------------------------------------------------------------------------
    custom = _custom_properties(package)
    header_found, footer_found = _Found(), _Found()
    for kind, found in (("header", header_found), ("footer", footer_found)):
        for part in _header_parts(package, reader, body, kind):
            root = package.roots.get(part)
            if root is None:
                continue
            found.take(_labels_in_part(reader, root))
    table_found, history = _Found(), False
    control_table = None
    for index in range(min(first_section, len(blocks))):
        if blocks[index].tag == _w("tbl"):
            table_found, history = _labels_in_table(reader.table_rows(blocks[index]))
            if any((table_found.number, table_found.revision, table_found.owner,
                    table_found.title)):
                control_table = index
            break
    first_text = "\n".join(paras[i].text for i in range(min(first_section, len(blocks), 40))
                           if i in paras and i != title_index and i != doc_title_heading)
    para_found = _labels_in_text(first_text)
    file_number, file_title, file_revision = split_file_name(name)

    # number
    core_title_number, core_title_rest = _leading_number(core.get("title", ""))
    candidates = [
        ("core properties", _as_number(core.get("identifier", ""))
         or custom.get("number", "") or core_title_number
         or _as_number(core.get("subject", "")) or _as_number(core.get("keywords", ""))
         or _leading_number(core.get("subject", ""))[0]),
        ("page header", header_found.number),
        ("control table", table_found.number),
        ("first paragraphs", para_found.number),
        ("title", _leading_number(paras[title_index].text)[0] if title_index is not None
         else ""),
        ("first heading", _leading_number(paras[doc_title_heading].text)[0]
         if doc_title_heading is not None else ""),
        ("page footer", footer_found.number),
        ("file name", file_number),
    ]
    number, sources["number"] = _first(candidates)
    _disagree(warnings, "number", number, sources["number"], candidates)

    # revision
    candidates = [
        ("core properties", custom.get("revision", "") or _clean_revision(core.get("version", ""))),
        ("page header", header_found.revision),
        ("control table", table_found.revision),
        ("first paragraphs", para_found.revision),
        ("page footer", footer_found.revision),
        ("file name", file_revision),
    ]
    revision, sources["revision"] = _first(candidates)
    if history and sources["revision"] == "control table":
        warnings.append(f"The revision {revision} was taken from the last row of the revision "
                        "history in the first table; check it.")
    _disagree(warnings, "revision", revision, sources["revision"], candidates)

    # title
    def _title_of(text: str) -> str:
        return _leading_number(text)[1] if text else ""

    core_title = _clean_core_title(core_title_rest)
    candidates = [
        ("core properties", core_title or custom.get("title", "")),
        ("control table", _title_of(table_found.title)),
        ("page header", _title_of(header_found.title)),
        ("first paragraphs", _title_of(para_found.title)),
        ("title", _title_of(paras[title_index].text) if title_index is not None else ""),
        ("first heading", _title_of(paras[doc_title_heading].text)
         if doc_title_heading is not None else ""),
        ("file name", file_title),
    ]
    title, sources["title"] = _first(candidates)
    title = " ".join(title.split())[:_TITLE_LENGTH]

    # owner
    candidates = [("core properties", custom.get("owner", "")),
                  ("page header", header_found.owner), ("control table", table_found.owner),
                  ("first paragraphs", para_found.owner), ("page footer", footer_found.owner)]
    owner, sources["owner"] = _first(candidates)

    kind, why = guess_kind(number, title)
    if not why:
        kind, why = guess_kind("", " ".join((core.get("category", ""), core.get("subject", ""),
                                             core.get("keywords", ""))))
    sources["kind"] = why or "nothing stated it: procedure assumed"
    for key in [k for k, v in sources.items() if not v]:
        del sources[key]
    if not number:
        warnings.append("No document number was found (core properties, page header, control "
                        "table, first paragraphs or file name); it gets the next number of the "
                        "workspace's scheme — change it in the register.")
    if not revision:
        warnings.append("No revision was found (a “Rev.”, “Revision”, “Version”, “Ausgabe” or "
                        "“Index” label, or the file name); it is registered as revision A.")
    if not title:
        warnings.append("No title was found; the file name is used as its title — change it "
                        "in the register.")

    # -- sections --------------------------------------------------------------------------
    sections: list[DocxSection] = []
    used: set[str] = set()
    custom_count = 0
    if section_starts:
        if pseudo:
            warnings.append("The document uses no heading styles; its sections were found by "
                            "their bold or numbered titles, so check them.")
        front = [i for i in range(first_section)
                 if i not in (title_index, doc_title_heading, control_table)
                 and (blocks[i].tag == _w("tbl") or (i in paras and paras[i].text))
                 and not (i in paras and _is_label_line(paras[i].text))]
        if front:
            warnings.append(f"The text before the first heading ({len(front)} "
                            f"{'paragraph or table' if len(front) == 1 else 'paragraphs or tables'}) "
                            "was not read into a section.")
        bounds = section_starts + [len(blocks)]
        for start, end in zip(bounds, bounds[1:]):
            heading = " ".join(paras[start].text.split())
            title_text = _strip_numbering(heading)[:_TITLE_LENGTH] or heading[:_TITLE_LENGTH]
            key = section_key(heading)
            if key is None or key in used:
                custom_count += 1
                key = f"custom-{custom_count}"
            used.add(key)
            sections.append(DocxSection(key, title_text,
                                        _section_text(reader, blocks, paras, start + 1, end)))
    else:
        skip = {title_index, doc_title_heading, control_table}
        start = 0
        text = _section_text(reader, blocks, paras, start, len(blocks), skip=skip,
                             skip_labels=True)
        if text:
            sections.append(DocxSection("procedure", SECTION_TITLES["procedure"], text))
            warnings.append("The document has no headings, so its whole text was read as the "
                            "Procedure section.")
        else:
            warnings.append("The document has no text to read as sections.")
    if reader.pictures:
        warnings.append(f"{reader.pictures} picture{'s' if reader.pictures != 1 else ''} or "
                        "embedded object" + ("s were" if reader.pictures != 1 else " was")
                        + " not read into the sections; they stay in the source file.")
    if reader.document.find(f".//{_w('ins')}") is not None or \
            reader.document.find(f".//{_w('del')}") is not None:
        warnings.append("The document has tracked changes; they were read as if accepted.")

    return DocxProcedure(
        path=path, file_name=name, number=number, title=title, revision=revision, kind=kind,
        owner=owner, sections=sections, warnings=warnings,
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), sources=sources)


def _first(candidates: list[tuple[str, str]]) -> tuple[str, str]:
    for source, value in candidates:
        value = (value or "").strip()
        if value:
            return value, source
    return "", ""


def _same(a: str, b: str) -> bool:
    return re.sub(r"[\s_\-.]", "", a).casefold() == re.sub(r"[\s_\-.]", "", b).casefold() or \
        a.lstrip("0").casefold() == b.lstrip("0").casefold()


def _disagree(warnings: list[str], what: str, value: str, source: str,
              candidates: list[tuple[str, str]]) -> None:
    for other_source, other in candidates:
        other = (other or "").strip()
        if other and other_source != source and not _same(value, other):
            warnings.append(f"The {other_source} gives the {what} {other} but the {source} "
                            f"gives {value}; {value} was taken, so check it.")
            return


_JUNK_TITLES = {"word document", "document", "title", "titel", "dokument", "procedure",
                "template", "vorlage", "normal"}


def _clean_core_title(title: str) -> str:
    title = re.sub(r"^Microsoft Word\s*-\s*", "", title.strip())
    title = re.sub(r"\.docx?$", "", title, flags=re.I).strip()
    return "" if _norm(title) in _JUNK_TITLES else title


def _is_label_line(text: str) -> bool:
    """A short line that only states labels ("Rev. C", "Owner: QA", "SOP-007")."""
    text = " ".join(text.split())
    if len(text) > 80:
        return False
    found = _labels_in_text(text)
    return bool(found.revision or found.owner or found.number or found.title) or bool(
        _as_number(text))


def _pseudo_heading(para: _Para) -> bool:
    text = " ".join(para.text.split())
    if not text or len(text) > 80 or para.list_marker and not _HEADING_NUMBER.match(text):
        return False
    if section_key(text) is not None and (para.all_bold or _HEADING_NUMBER.match(text)):
        return True
    return False


def _section_text(reader: _Reader, blocks: list[Any], paras: dict[int, _Para], start: int,
                  end: int, *, skip: set[Any] = frozenset(), skip_labels: bool = False) -> str:
    pieces: list[tuple[str, str]] = []  # (markdown, list marker or "")
    for index in range(start, end):
        if index in skip:
            continue
        block = blocks[index]
        if block.tag == _w("tbl"):
            table = reader.table_markdown(block)
            if table:
                pieces.append((table, ""))
            continue
        para = paras[index]
        if not para.markdown:
            continue
        if skip_labels and index < 12 and _is_label_line(para.text):
            continue
        if para.level is not None or para.is_title:
            text = " ".join(para.markdown.split())
            bare = text.replace("**", "")
            pieces.append((f"**{bare}**", ""))
        elif para.list_marker:
            pieces.append(("  " * para.list_level + para.list_marker
                           + para.markdown.replace("\n", "\n" + "  " * (para.list_level + 1)),
                           para.list_marker if para.list_level == 0 else "nested"))
        else:
            pieces.append((para.markdown, ""))
    out = []
    top = ""  # the marker of the list being written ("" when none)
    for i, (text, marker) in enumerate(pieces):
        # items of one list on consecutive lines; a new kind of list starts a new block
        same_list = bool(marker and top and (marker == "nested" or marker == top))
        if i:
            out.append("\n" if same_list else "\n\n")
        if marker != "nested":
            top = marker
        elif not top:
            top = "- "
        out.append(text)
    return "".join(out).strip()


def _core_properties(package: _Package) -> dict[str, str]:
    """{title, subject, keywords, identifier, version, category} from docProps/core.xml
    ("" where absent). ``cp:revision`` (Word's save counter) is deliberately not read."""
    out = {}
    parts = package.related("/metadata/core-properties")
    root = package.roots.get(parts[0]) if parts else None
    if root is None:
        return out
    for element in root:
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        if local in ("title", "subject", "keywords", "identifier", "version", "category",
                     "contentStatus"):
            out[local] = " ".join((element.text or "").split())
    return out


_CUSTOM_NAMES = {
    "number": re.compile(r"^(?:doc(?:ument)?[ _.]*(?:no|nr|number|id)|dok(?:ument)?[ _.-]*"
                         r"(?:nr|nummer)|number|nummer|docnumber|documentnumber|"
                         r"documentid)\.?$", re.I),
    "revision": re.compile(rf"^(?:{_REV_LABEL})(?:[ _.]*(?:no|nr|number))?\.?$", re.I),
    "owner": re.compile(rf"^(?:{_OWNER_LABEL})$", re.I),
    "title": re.compile(r"^(?:doc(?:ument)?[ _]*)?(?:title|titel)$", re.I),
}


def _custom_properties(package: _Package) -> dict[str, str]:
    """Custom document properties that name the number, revision, owner or title."""
    out: dict[str, str] = {}
    parts = package.related("/custom-properties")
    root = package.roots.get(parts[0]) if parts else None
    if root is None:
        return out
    for prop in root.iter(f"{{{_CUSTOM}}}property"):
        label = (prop.get("name") or "").strip()
        value = " ".join("".join(t for t in prop.itertext()).split())
        if not value:
            continue
        for key, pattern in _CUSTOM_NAMES.items():
            if key not in out and pattern.match(label):
                if key == "number":
                    value = _as_number(value) or _leading_number(value)[0] or value[:40]
                elif key == "revision":
                    value = _clean_revision(value)
                out[key] = value[:_TITLE_LENGTH]
    return out


def _header_parts(package: _Package, reader: _Reader, body: Any, kind: str) -> list[str]:
    """The header (or footer) parts the sections use, first-page ones first, each once."""
    references = []
    for sect in body.iter(_w("sectPr")):
        for ref in sect.iterchildren(_w(f"{kind}Reference")):
            references.append((0 if ref.get(_w("type")) == "first" else 1,
                               ref.get(f"{{{_R}}}id", "")))
    out = []
    for _order, rel_id in sorted(references, key=lambda r: r[0]):
        target = reader.targets.get(rel_id)
        if target and target not in out:
            out.append(target)
    return out


def _labels_in_part(reader: _Reader, root: Any) -> _Found:
    found = _Found()
    pictures = reader.pictures
    for block in _blocks(root):
        if block.tag == _w("tbl"):
            found.take(_labels_in_table(reader.table_rows(block))[0])
        else:
            found.take(_labels_in_text(reader.para(block, in_table=True).text,
                                       unlabelled_number=True))
    reader.pictures = pictures  # a logo in the header is not a lost picture
    return found


# ============================================================================================
# A folder
# ============================================================================================

_READ_SUFFIXES = (".docx", ".docm", ".dotx")
_OLD_SUFFIXES = (".doc", ".dot")


def read_folder(path: str | Path) -> list[DocxProcedure | DocxProblem]:
    """Every Word document directly in the folder ``path`` (not its subfolders), sorted by
    name: a :class:`DocxProcedure` for each one read, a :class:`DocxProblem` for each one that
    could not be (an old .doc file included). Word's lock files (``~$…``) and hidden files are
    skipped. Raises :class:`DocxReadError` only when the folder itself cannot be listed."""
    folder = Path(path)
    try:
        entries = [entry for entry in folder.iterdir() if entry.is_file()]
    except FileNotFoundError:
        raise DocxReadError(f"The folder {folder.name} was not found; check its name.") from None
    except NotADirectoryError:
        raise DocxReadError(f"{folder.name} is a file, not a folder; read it as one "
                            "document.") from None
    except OSError as exc:
        raise DocxReadError(f"The folder {folder.name} cannot be read ({exc.strerror}); check "
                            "that it is accessible.") from None
    out: list[DocxProcedure | DocxProblem] = []
    for entry in sorted(entries, key=lambda p: (p.name.casefold(), p.name)):
        name = entry.name
        suffix = entry.suffix.lower()
        if name.startswith(("~$", ".")):
            continue
        if suffix in _OLD_SUFFIXES:
            out.append(DocxProblem(entry, name, f"{name} is saved in the old Word format; "
                                                "open it in Word and save it as .docx."))
            continue
        if suffix not in _READ_SUFFIXES:
            continue
        try:
            out.append(read_procedure(entry))
        except DocxReadError as exc:
            out.append(DocxProblem(entry, name, str(exc)))
        except Exception as exc:  # noqa: BLE001 — one odd file never stops the folder
            out.append(DocxProblem(entry, name, f"{name} could not be read "
                                                f"({type(exc).__name__}: {exc}); open it in "
                                                "Word, save it as .docx and try again."))
    return out
