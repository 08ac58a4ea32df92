"""Import an existing training matrix from .xlsx or .csv, in either shape people keep.

* **matrix** — people in rows (name, maybe employee number, department, role) × courses in
  columns; a cell holds a completion date or a mark;
* **records** — one row per training record: person, course, date, expiry, trainer, result,
  evidence.

The file is read through the shared reader (:mod:`services.imports.table`: sheet and header
detection, synonyms in English, German and French, a visible and editable mapping). The shape
is detected: a column mapped to *course* means one row per record; otherwise the columns
whose cells are dates and marks are the courses of a matrix (their headers name them).

Dates are read by :mod:`core.dates` with one day/month order for the whole file (chosen, or
detected from every date of the file); ambiguous and impossible dates are flagged with their
row and cell, never guessed.

Marks in a matrix cell:

* a date — a completion on that day (result *passed*);
* "x", "✓", "yes", "done"… — completed, but on an unknown day. A training record needs the day
  it was completed (the service's rule), so such a cell is **flagged**, unless the user chose a
  date for undated marks (``undated_as``): the record then gets that date and a note saying the
  matrix gave none;
* "n/a", "not required", "-", empty — no record;
* "planned", "booked", "open", "no"… — not completed: no record (listed in the row's actions);
* "expired" — an expired completion of unknown date: flagged (enter its date, or leave the cell
  empty so the matrix shows it missing);
* anything else is flagged.

People are matched to the workspace by employee number, then by name (case, accents, spaces
and the order "Last, First" ignored); courses by code, then title; roles by name. What is not
found is proposed as new; the proposals are in the report (``people``, ``courses``, ``roles``)
before anything is written. A name that matches nobody exactly but looks like someone (or a
course that looks like one: a close title, or the same code but for punctuation and zero
padding) makes its row an error naming the likely match, until the user confirms it is new
(``ImportOptions.new_people`` / ``new_courses``). A record already in the workspace (same
person, course and day) is not imported twice. Values quoted in the report are cut to
:data:`QUOTE_LIMIT` characters with their full length noted.

:func:`import_training` with ``dry_run`` reports per row and writes nothing; otherwise it is
all or nothing in one ``ws.session()`` (any row with an error: nothing is written), or with
``skip_errors`` the rows with errors are skipped (and named). The report's ``change`` is the
commit's :class:`Change` (one undo step in the app).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from qms_desktop.core import dates as dates_
from qms_desktop.core import training as rules
from qms_desktop.services.exports.cells import MAX_CELL_TEXT, needs_protection
from qms_desktop.services.imports import table
from qms_desktop.services.imports.table import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    ImportFileError,
    Schema,
    TableSource,
    cell_name,
    cell_text,
    column_letter,
)

__all__ = [
    "FIELDS", "FIELD_LABELS", "SCHEMA", "SHAPES", "ImportFileError", "TrainingImportReport",
    "import_training", "open_table", "read_plan", "validate_mapping",
]

MATRIX, RECORDS = "matrix", "records"
SHAPES = (MATRIX, RECORDS)
COURSE_COLUMN = "course_column"

PERSON_FIELDS = ("person", "first_name", "last_name", "employee_no", "department", "role",
                 "email", "hired_on")
RECORD_FIELDS = ("course", "course_code", "completed_on", "expires_on", "trainer", "result",
                 "evidence", "notes")
FIELDS = PERSON_FIELDS + RECORD_FIELDS + (COURSE_COLUMN,)

FIELD_LABELS = {
    "person": "Person (name)", "first_name": "First name", "last_name": "Last name",
    "employee_no": "Employee no.", "department": "Department", "role": "Role(s)",
    "email": "E-mail", "hired_on": "Start date", "course": "Course", "course_code":
    "Course code", "completed_on": "Completed on", "expires_on": "Expires on",
    "trainer": "Trainer", "result": "Result", "evidence": "Evidence", "notes": "Notes",
    COURSE_COLUMN: "a course (named by its header)",
}

#: longest text per field (the model's column sizes; the export cap for free text)
MAX_LENGTH = {"person": 200, "employee_no": 40, "department": 120, "role": 200, "email": 200,
              "course_code": 40, "trainer": 200}

_GROUPS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("person",), (
        "Name", "Full name", "Employee", "Employee name", "Person", "Staff", "Staff member",
        "Staff name", "Trainee", "Attendee", "Participant", "Worker", "Operator name",
        "Mitarbeiter", "Mitarbeiterin", "Mitarbeiter/in", "Name Mitarbeiter", "Teilnehmer",
        "Teilnehmerin", "Beschäftigter", "Nom", "Nom prénom", "Nom et prénom", "Prénom nom",
        "Salarié", "Employé", "Collaborateur", "Collaboratrice", "Stagiaire", "Agent")),
    (("first_name",), ("First name", "Firstname", "Given name", "Forename", "Vorname",
                       "Prénom")),
    (("last_name",), ("Last name", "Lastname", "Surname", "Family name", "Nachname",
                      "Familienname", "Nom de famille")),
    (("employee_no",), (
        "Employee no", "Employee number", "Employee ID", "Emp no", "Emp ID", "Staff no",
        "Staff number", "Staff ID", "Personnel no", "Personnel number", "Payroll no",
        "Badge", "Badge no", "Clock no", "Personalnummer", "Personal-Nr", "Pers Nr",
        "Pers-Nr", "Mitarbeiternummer", "MA-Nr", "Matricule", "N° matricule",
        "Numéro de matricule", "N° salarié", "Numéro salarié")),
    (("department",), (
        "Department", "Dept", "Team", "Section", "Unit", "Business unit", "Area", "Cost centre",
        "Abteilung", "Bereich", "Kostenstelle", "Département", "Service", "Atelier",
        "Unité")),
    (("role",), (
        "Role", "Roles", "Job role", "Job title", "Position", "Job", "Function", "Job function",
        "Rolle", "Rollen", "Funktion", "Stelle", "Tätigkeit", "Berufsbezeichnung", "Poste",
        "Fonction", "Rôle", "Métier", "Emploi")),
    (("email",), ("E-mail", "Email", "Mail", "Email address", "E-Mail-Adresse",
                  "Adresse e-mail", "Courriel")),
    (("hired_on",), ("Start date", "Hire date", "Date hired", "Joined", "Date joined",
                     "Eintrittsdatum", "Eintritt", "Date d'entrée", "Date d'embauche",
                     "Entrée")),
    (("course",), (
        "Course", "Course title", "Course name", "Training", "Training course", "Training title",
        "Training name", "Module", "Subject", "Topic", "Qualification", "Competence",
        "Schulung", "Schulungsthema", "Kurs", "Thema", "Unterweisung", "Qualifikation",
        "Formation", "Intitulé de la formation", "Cours", "Thème", "Habilitation")),
    (("course_code",), ("Course code", "Course ID", "Course no", "Training code",
                        "Training ID", "Code", "Kursnummer", "Schulungsnummer", "Code formation",
                        "Code cours")),
    (("completed_on",), (
        "Date", "Completed", "Completed on", "Completion date", "Date completed", "Trained on",
        "Training date", "Date of training", "Date trained", "Attended on", "Passed on",
        "Datum", "Schulungsdatum", "Abgeschlossen am", "Durchgeführt am", "Teilnahme am",
        "Date de formation", "Date de réalisation", "Réalisé le", "Date de session",
        "Formé le")),
    (("expires_on",), (
        "Expiry", "Expiry date", "Expires", "Expires on", "Expiration", "Expiration date",
        "Valid until", "Valid to", "Renewal date", "Refresher due", "Gültig bis", "Ablaufdatum",
        "Ablauf", "Date d'expiration", "Valable jusqu'au", "Échéance", "Date d'échéance",
        "Validité")),
    (("trainer",), (
        "Trainer", "Instructor", "Tutor", "Trained by", "Given by", "Delivered by", "Coach",
        "Referent", "Referentin", "Schulungsleiter", "Ausbilder", "Unterwiesen durch",
        "Formateur", "Formatrice", "Animateur", "Intervenant")),
    (("result",), ("Result", "Outcome", "Pass/fail", "Pass fail", "Passed", "Ergebnis",
                   "Bestanden", "Résultat", "Statut", "Status")),
    (("evidence",), (
        "Evidence", "Certificate", "Certificate no", "Certificate number", "Proof", "Record",
        "Attachment", "Nachweis", "Zertifikat", "Bescheinigung", "Preuve", "Certificat",
        "Attestation", "Justificatif")),
    (("notes",), ("Notes", "Note", "Comments", "Comment", "Remarks", "Remark", "Bemerkung",
                  "Bemerkungen", "Kommentar", "Anmerkung", "Commentaire", "Commentaires",
                  "Remarques", "Observations")),
]

SCHEMA = Schema(
    fields=FIELDS,
    labels=FIELD_LABELS,
    synonyms=table.synonym_table(_GROUPS),
    dates=frozenset({"completed_on", "expires_on", "hired_on"}),
    joinable=frozenset({COURSE_COLUMN}),
    key_fields=("employee_no", "person"),
    content_fields=frozenset({"person", "first_name", "last_name", "employee_no", "course",
                              "course_code"}),
    sheet_words=frozenset({"training", "matrix", "schulung", "schulungen", "qualifikation",
                           "formation", "formations", "records", "competence"}),
)

# --------------------------------------------------------------------------- marks

def plain(text: Any) -> str:
    """Lower case, no accents, punctuation as single spaces (for matching names and marks)."""
    text = unicodedata.normalize("NFKD", str(text).casefold().replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


DONE, NOT_REQUIRED, NOT_DONE, EXPIRED, FAILED = "done", "not_required", "not_done", \
    "expired", "failed"

_SYMBOL_MARKS = {"x": DONE, "✓": DONE, "✔": DONE, "☑": DONE, "✅": DONE, "●": DONE, "+": DONE,
                 "-": NOT_REQUIRED, "–": NOT_REQUIRED, "—": NOT_REQUIRED, "/": NOT_REQUIRED,
                 "✗": NOT_DONE, "✘": NOT_DONE, "○": NOT_DONE, "?": NOT_DONE}
_WORD_MARKS = {}
for _kind, _words in (
    (DONE, ("x", "xx", "yes", "y", "done", "ok", "completed", "complete", "trained", "passed",
            "pass", "attended", "ja", "j", "erledigt", "geschult", "bestanden", "oui", "o",
            "fait", "realise", "forme", "acquis", "valide")),
    (NOT_REQUIRED, ("n a", "na", "not applicable", "not required", "n r", "nr", "none",
                    "not needed", "entfallt", "nicht erforderlich", "nicht relevant", "k a",
                    "sans objet", "s o", "non applicable", "non requis", "non concerne")),
    (NOT_DONE, ("planned", "plan", "booked", "scheduled", "open", "missing", "no", "n",
                "not done", "not trained", "pending", "in progress", "due", "to do", "todo",
                "required", "geplant", "offen", "nein", "fehlt", "ausstehend", "prevu",
                "planifie", "a faire", "en cours", "non", "manquant", "a planifier")),
    (EXPIRED, ("expired", "exp", "lapsed", "out of date", "overdue", "abgelaufen",
               "uberfallig", "expire", "perime", "echu")),
    (FAILED, ("failed", "fail", "not passed", "nicht bestanden", "echec", "echoue",
              "non acquis")),
):
    for _w in _words:
        _WORD_MARKS[_w] = _kind


def read_mark(value: Any) -> str | None:
    """The kind of mark a text is (DONE, NOT_REQUIRED, NOT_DONE, EXPIRED, FAILED), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in _SYMBOL_MARKS:
        return _SYMBOL_MARKS[text]
    return _WORD_MARKS.get(plain(text))


_RESULTS = {}
for _code, _words in (("passed", ("passed", "pass", "p", "ok", "yes", "y", "completed", "done",
                                  "competent", "bestanden", "erfolgreich", "ja", "reussi",
                                  "acquis", "valide", "oui", "x", "✓", "✔")),
                      ("attended", ("attended", "attendance", "participated", "teilgenommen",
                                    "anwesend", "present", "participe", "presente")),
                      ("failed", ("failed", "fail", "f", "not passed", "not competent", "no",
                                  "nicht bestanden", "nein", "echec", "echoue", "non acquis",
                                  "non"))):
    for _w in _words:
        _RESULTS[_w] = _code


def read_result(value: Any) -> str | None:
    text = "" if value is None else cell_text(value).strip()
    if not text:
        return "passed"
    return _RESULTS.get(text) or _RESULTS.get(plain(text))


# --------------------------------------------------------------------------- reading the file

def open_table(path: str | Path, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES) -> TableSource:
    """:func:`table.open_table` for a training matrix or record list."""
    return table.open_table(path, max_rows=max_rows, max_bytes=max_bytes, schema=SCHEMA)


def validate_mapping(mapping: Mapping[int, str], column_count: int | None = None) -> list[str]:
    return table.validate_mapping(mapping, SCHEMA, column_count)


#: the earliest completion date taken as real (an earlier one is flagged: a typo, or a number
#: read as an Excel serial)
EARLIEST = dt.date(1950, 1, 1)
_SERIAL_LOW, _SERIAL_HIGH = 18264, 73051  # 1950-01-01 … 2100-01-01


def _looks_like_entry(value: Any) -> bool:
    """A matrix cell: a date (or a date-like text, flagged later) or a mark."""
    if isinstance(value, dt.date):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # an Excel serial of a plausible training date, not an employee number or a count
        return _SERIAL_LOW <= value <= _SERIAL_HIGH
    if not isinstance(value, str):
        return False
    if read_mark(value) is not None:
        return True
    got = dates_.read_date(value)
    if got.date is not None:
        return got.date.year >= EARLIEST.year
    if got.ambiguous:
        return True
    text = value.strip()
    return len(text) <= 30 and bool(re.search(r"\d", text)) and not re.search(
        r"[a-z]{6,}", plain(text))


def course_columns(headers: Sequence[Any], rows: Sequence[Sequence[Any]],
                   mapping: Mapping[int, str]) -> list[int]:
    """Unmapped columns with a header whose filled cells are (mostly) dates and marks."""
    out = []
    for index, header in enumerate(headers):
        if index in mapping or not str(header).strip():
            continue
        values = [row[index] for row in rows if index < len(row)
                  and row[index] is not None and cell_text(row[index]).strip()]
        if not values:
            # an empty column with a header is a course nobody has taken yet
            out.append(index)
            continue
        good = sum(1 for value in values if _looks_like_entry(value))
        if good * 10 >= len(values) * 6:
            out.append(index)
    return out


def left_out_reasons(headers: Sequence[Any], rows: Sequence[Sequence[Any]],
                     mapping: Mapping[int, str]) -> dict[int, str]:
    """{column: why it is no course column} for the unmapped columns with a header whose
    filled cells are not (mostly) dates and marks: "1 of 2 cells is not a date or a mark"."""
    out = {}
    for index, header in enumerate(headers):
        if index in mapping or not str(header or "").strip():
            continue
        values = [row[index] for row in rows if index < len(row)
                  and row[index] is not None and cell_text(row[index]).strip()]
        bad = sum(1 for value in values if not _looks_like_entry(value))
        if bad:
            out[index] = (f"{bad:,} of {len(values):,} cells "
                          + ("is not a date or a mark" if bad == 1
                             else "are not dates or marks"))
    return out


def _data_rows(source: TableSource, sheet: str, header_row: int) -> list[Sequence[Any]]:
    rows = source.rows(sheet)
    return [row for row in rows[header_row:header_row + 400] if not table.is_blank(row)]


def guess_columns(source: TableSource, sheet: str, header_row: int) -> dict[int, str]:
    """The guessed mapping: header synonyms, then (when no column is the course) the columns
    of dates and marks as the courses of a matrix."""
    headers = source.headers(sheet, header_row)
    mapping = table.guess_mapping(headers, source.sample_rows(sheet, header_row), SCHEMA,
                                  sheet_name=sheet)
    if "course" not in mapping.values():
        # in a matrix, the record columns (date, trainer …) cannot exist: a course may be
        # called "Date"; only the person's columns stay mapped
        person_only = {i: f for i, f in mapping.items() if f in PERSON_FIELDS}
        found = course_columns(headers, _data_rows(source, sheet, header_row), person_only)
        if found:
            mapping = dict(person_only)
            for index in found:
                mapping[index] = COURSE_COLUMN
    return dict(sorted(mapping.items()))


def detect_shape(mapping: Mapping[int, str]) -> str | None:
    names = set(mapping.values())
    if "course" in names or "course_code" in names:
        return RECORDS
    if COURSE_COLUMN in names:
        return MATRIX
    return None


# --------------------------------------------------------------------------- report

#: quoted values longer than this are cut in the report (with their full length noted)
QUOTE_LIMIT = 60


def length_text(n: int) -> str:
    """"50,000 characters"; a text at the cell cap was cut by the spreadsheet (or its reader),
    so it is "at least 32,767 characters (the most a spreadsheet cell holds)"."""
    if n == MAX_CELL_TEXT:
        return f"at least {n:,} characters (the most a spreadsheet cell holds)"
    return f"{n:,} characters"


def _clip_note(n: int) -> str:
    """The length noted after a cut text: "(50,000 characters)"."""
    if n == MAX_CELL_TEXT:
        return f"(at least {n:,} characters, the most a spreadsheet cell holds)"
    return f"({n:,} characters)"


def clip(text: Any, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters with "…" and its full length noted."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… {_clip_note(len(text))}"


def quote(text: Any, limit: int = QUOTE_LIMIT) -> str:
    """``text`` in quotes for a report line, cut like :func:`clip`."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return f"“{text}”"
    return f"“{text[:limit]}…” {_clip_note(len(text))}"


# a quote already cut by quote() holds limit + 1 characters: it is not cut again
_QUOTED = re.compile(r"“([^”]{%d,})”" % (QUOTE_LIMIT + 2))


def clip_quotes(message: str) -> str:
    """Every quoted value in ``message`` longer than :data:`QUOTE_LIMIT` cut (messages of the
    date reader quote the whole cell)."""
    if len(message) <= QUOTE_LIMIT + 2 or "“" not in message:
        return message
    return _QUOTED.sub(lambda m: quote(m[1]), message)


def _rows_text(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]} has errors"
    return f"rows {_numbers(rows)} have errors"


@dataclass
class PersonMatch:
    """One person of the file: matched to ``person_id`` (``how``: "employee no." / "name") or
    proposed as new (``person_id`` None); ``rows`` the rows without errors where they appear,
    ``error_rows`` those with errors (not imported). ``near``: the workspace people the name
    looks like when it matches nobody exactly (such a row is an error unless ``confirmed``:
    the user said it is a new person)."""

    name: str
    employee_no: str = ""
    department: str = ""
    person_id: int | None = None
    how: str = ""
    workspace_name: str = ""
    rows: list[int] = field(default_factory=list)
    email: str = ""
    hired_on: dt.date | None = None
    near: str = ""
    confirmed: bool = False
    error_rows: list[int] = field(default_factory=list)

    @property
    def action(self) -> str:
        if not self.rows:
            return "error"
        return "match" if self.person_id is not None else "new"

    def match_text(self) -> str:
        who = clip(self.name) + (f" (employee no. {clip(self.employee_no)})"
                                 if self.employee_no else "")
        if self.person_id is None:
            if self.near and self.confirmed:
                return f"{who}: new person (confirmed; not {self.near})"
            if self.near:
                return f"{who}: nobody in the workspace, but looks like {self.near}"
            return f"{who}: new person"
        shown = f" “{clip(self.workspace_name)}”" if self.workspace_name != self.name else ""
        return f"{who}: matches{shown} by {self.how}"

    def text(self) -> str:
        out = self.match_text()
        if self.error_rows and not self.rows:
            out += f" [not imported: {_rows_text(self.error_rows)}]"
        elif self.error_rows:
            out += f" [{_rows_text(self.error_rows)}]"
        return out


@dataclass
class CourseMatch:
    """One course of the file, matched (``course_id``) or new; ``near``: the workspace
    courses it looks like when it matches none exactly (its rows are errors unless
    ``confirmed``)."""

    name: str
    code: str = ""
    course_id: int | None = None
    how: str = ""
    workspace_name: str = ""
    where: str = ""  # the column (matrix) or the first row (records)
    near: str = ""
    confirmed: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.near) and not self.confirmed and self.course_id is None

    @property
    def action(self) -> str:
        if self.blocked:
            return "error"
        return "match" if self.course_id is not None else "new"

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip() if self.code and self.code != self.name \
            else self.name

    def text(self) -> str:
        label = clip(self.label)
        if self.blocked:
            return (f"{label}: not in the workspace, but looks like {self.near} [not "
                    "imported]")
        if self.course_id is None:
            return f"{label}: new course" + (f" (confirmed; not {self.near})" if self.near
                                             else "")
        shown = f" “{clip(self.workspace_name)}”" if self.workspace_name != self.label else ""
        return f"{label}: matches{shown} by {self.how}"


@dataclass
class RoleMatch:
    name: str
    role_id: int | None = None

    @property
    def action(self) -> str:
        return "match" if self.role_id is not None else "new"

    def text(self) -> str:
        return f"{self.name}: " + ("existing role" if self.role_id is not None else "new role")


@dataclass
class RowReport:
    """One row of the file: ``status`` ok / warning / error; ``actions`` what it would create
    or match (sentences); ``messages`` its problems (errors first, then warnings)."""

    row_number: int
    status: str
    person: str = ""
    actions: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    records: int = 0


@dataclass
class TrainingImportReport:
    """What :func:`import_training` found and did. ``columns``: every column with what it is
    read as; ``people`` / ``courses`` / ``roles``: the proposed matches; ``rows``: the per-row
    report; ``change``: the commit's Change (None when nothing was written)."""

    file: str
    dry_run: bool
    shape: str | None = None
    sheet: str = ""
    header_row: int = 0
    mapping: dict[int, str] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)
    date_order: str | None = None
    people: list[PersonMatch] = field(default_factory=list)
    courses: list[CourseMatch] = field(default_factory=list)
    roles: list[RoleMatch] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    #: the names confirmed as new (``new_people`` / ``new_courses``) that nothing in the file
    #: is called: ("person" / "course", the name as given)
    unmatched_new: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""  # why the file cannot be imported at all ("" when it can)
    skip_errors: bool = False
    committed: bool = False
    people_added: int = 0
    courses_added: int = 0
    roles_added: int = 0
    assignments_added: int = 0
    records_added: int = 0
    change: Any = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.status == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.rows if r.status == "warning")

    @property
    def error_rows(self) -> list[int]:
        return [r.row_number for r in self.rows if r.status == "error"]

    @property
    def blocked(self) -> bool:
        """Nothing can be written: no usable rows, or errors without skip_errors."""
        return bool(self.problem) or not self.rows or (self.errors > 0 and not self.skip_errors)

    def _counts(self) -> str:
        parts = [_plural(self.records_added, "training record", "training records")]
        for n, one, many in ((self.people_added, "person", "people"),
                             (self.courses_added, "course", "courses"),
                             (self.roles_added, "role", "roles"),
                             (self.assignments_added, "role assignment", "role assignments")):
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        return ", ".join(parts)

    def summary(self) -> str:
        if self.problem:
            return self.problem
        if not self.rows:
            return "No rows with people or training were found, so nothing was imported."
        head = (f"{_plural(len(self.rows), 'row', 'rows')}: {self.errors} with errors, "
                f"{self.warnings} with warnings")
        rows = _row_numbers(self.error_rows)
        one = len(self.error_rows) == 1
        if self.dry_run:
            if self.errors and not self.skip_errors:
                head += f"; nothing would be imported while a row has an error ({rows})"
            else:
                head += f"; would create {self._counts()}"
                if self.errors:
                    head += f"; {rows} would be skipped"
        elif self.committed:
            head += f"; created {self._counts()}"
            if self.errors:
                head += f"; {rows} {'was' if one else 'were'} skipped"
        elif self.errors and not self.skip_errors:
            head += f"; nothing was imported because of the errors ({rows})"
        else:
            head += "; nothing was imported"
        return head + "."

    def lines(self) -> list[str]:
        """The report as text (the CLI prints it)."""
        out = [f"{self.file}: sheet “{self.sheet}”, header row {self.header_row}, shape: "
               f"{_SHAPE_TEXT.get(self.shape or '', 'not recognised')}"]
        out.append("columns:")
        for c in self.columns:
            header = " ".join(c["header"].split()) or "(no header)"
            out.append(f"  {c['column']:>3}  {header[:40]:<40}  → {c['label']}")
        for n in self.notes:
            out.append(f"note: {n}")
        for s in self.skipped:
            rows = f"rows {s['row']}-{s['last_row']}" if s.get("last_row", s["row"]) != \
                s["row"] else f"row {s['row']}"
            out.append(f"{rows}: not read ({s['reason']})")
        if self.people:
            out.append("people:")
            out.extend(f"  {p.text()}" for p in self.people)
        if self.courses:
            out.append("courses:")
            out.extend(f"  {c.text()}" for c in self.courses)
        if self.roles:
            out.append("roles:")
            out.extend(f"  {r.text()}" for r in self.roles)
        for r in self.rows:
            who = r.person or "(nobody named)"  # cut once, when the row was read
            if r.status == "error":
                # the problem first: what the row would otherwise do comes after it
                skipped = " (skipped)" if self.skip_errors else ""
                first, rest = (r.messages[0], r.messages[1:]) if r.messages else ("", [])
                out.append(f"row {r.row_number:>5}  error    {who}: {first}{skipped}")
                out.extend(f"             {msg}" for msg in rest)
                if r.actions:
                    out.append("             (not imported; the rest of the row reads: "
                               + "; ".join(r.actions) + ")")
                continue
            what = "; ".join(r.actions) if r.actions else "nothing to import"
            out.append(f"row {r.row_number:>5}  {r.status:<7}  {who}: {what}")
            for msg in r.messages:
                out.append(f"             {msg}")
        out.append(self.summary())
        return out

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("change", "people", "courses", "roles", "rows")}
        out["mapping"] = {column_letter(i): name for i, name in self.mapping.items()}
        out["people"] = [dict(asdict(p), action=p.action) for p in self.people]
        out["courses"] = [dict(asdict(c), action=c.action) for c in self.courses]
        out["roles"] = [dict(asdict(r), action=r.action) for r in self.roles]
        out["rows"] = [asdict(r) for r in self.rows]
        out["errors"], out["warnings"] = self.errors, self.warnings
        out["summary"] = self.summary()
        return out


_SHAPE_TEXT = {MATRIX: "matrix (people in rows, courses in columns)",
               RECORDS: "one row per training record"}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _row_numbers(numbers: Sequence[int]) -> str:
    """"row 3" / "rows 3, 4"."""
    return ("row " if len(numbers) == 1 else "rows ") + _numbers(numbers)


def _numbers(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


# --------------------------------------------------------------------------- workspace index

def _name_key(name: str) -> str:
    return plain(name)


def _token_key(name: str) -> tuple[str, ...]:
    return tuple(sorted(plain(name).split()))


def _emp_key(value: Any) -> str:
    return "" if value is None else cell_text(value).strip().casefold()


@dataclass
class _Index:
    people: dict[int, tuple[str, str, str, bool]]  # id → name, employee no, department, left
    by_emp: dict[str, int]
    by_name: dict[str, list[int]]
    by_tokens: dict[tuple[str, ...], list[int]]
    courses: dict[int, Any]  # id → CourseInfo
    course_by_code: dict[str, int]
    course_by_title: dict[str, int]
    roles: dict[str, int]
    holds: set[tuple[int, int]]  # (person, role) held today or later
    records: set[tuple[int, int, dt.date]]


def _index(ws) -> _Index:
    from qms_desktop.services import training as svc

    today = dt.date.today()
    with ws.connect() as c:
        prow = c.exec_driver_sql(
            "SELECT id, name, employee_no, department, active, left_on FROM person").fetchall()
        roles = c.exec_driver_sql("SELECT id, name FROM role").fetchall()
        holds = c.exec_driver_sql(
            "SELECT person_id, role_id, valid_to FROM person_role").fetchall()
        recs = c.exec_driver_sql(
            "SELECT person_id, course_id, completed_on FROM training_record").fetchall()
    people = {}
    by_emp: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    by_tokens: dict[tuple[str, ...], list[int]] = {}
    for pid, name, emp, dept, active, left_on in prow:
        left = rules.has_left(bool(active), svc._day(left_on), today)
        people[pid] = (name or "", emp or "", dept or "", left)
        if emp:
            by_emp.setdefault(_emp_key(emp), pid)
        by_name.setdefault(_name_key(name or ""), []).append(pid)
        by_tokens.setdefault(_token_key(name or ""), []).append(pid)
    courses = {c.id: c for c in svc.courses(ws)}
    by_code = {plain(c.code): c.id for c in courses.values() if c.code}
    by_title: dict[str, int] = {}
    for c in sorted(courses.values(), key=lambda c: c.id):
        by_title.setdefault(plain(c.title), c.id)
    held = set()
    for pid, rid, valid_to in holds:
        end = svc._day(valid_to)
        if end is None or end >= today:
            held.add((pid, rid))
    done = {(p, c, svc._day(d)) for p, c, d in recs if svc._day(d)}
    return _Index(people, by_emp, by_name, by_tokens, courses, by_code, by_title,
                  {plain(n): i for i, n in roles}, held, done)


# --------------------------------------------------------------------------- the plan

@dataclass
class _Planned:
    row: int
    person_key: str
    course_keys: list[str]
    records: list[dict]  # course key, completed_on, expires_on, trainer, result, evidence, notes
    roles: list[str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(cell_text(value).split()) if not isinstance(value, str) else value.strip()


def _check_length(name: str, text: str, cell: str, errors: list[str]) -> None:
    limit = MAX_LENGTH.get(name, MAX_CELL_TEXT)
    if len(text) > limit:
        errors.append(f"the {FIELD_LABELS[name].lower()} in cell {cell} is "
                      f"{_long(len(text))}; at most {limit:,} fit")


def _long(n: int) -> str:
    """"50,000 characters long", or "at least 32,767 characters (the most …)"."""
    return length_text(n) if n == MAX_CELL_TEXT else f"{n:,} characters long"


def _split_roles(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*[;,/|\n]\s*|\s+\+\s+", text) if p.strip()]


@dataclass
class ImportOptions:
    """``shape``: "matrix" / "records" / None (detected). ``date_order``: "dmy" / "mdy" / None
    (detected from the file; ambiguous dates flagged). ``undated_as``: the completion date given
    to "x"/"✓" marks without a date (None: they are flagged). ``header_row`` None: guessed.
    ``new_people`` / ``new_courses``: names (as the file writes them) the user confirmed are
    new although they look like someone or something in the workspace (without that, such a
    near match is an error)."""

    shape: str | None = None
    date_order: str | None = None
    undated_as: dt.date | None = None
    header_row: int | None = None
    today: dt.date | None = None
    new_people: Iterable[str] = ()
    new_courses: Iterable[str] = ()


#: where the user chooses what the report asks for (the CLI's flag, the dialog's box)
UNDATED_ADVICE = "(--undated-as YYYY-MM-DD, or the date box in the import dialog)"
ORDER_ADVICE = "(--date-order dmy|mdy, or the “Dates like 03/04/2025” box in the import dialog)"


def _advice(message: str) -> str:
    """``message`` with the date reader's "choose the order" naming where to choose it."""
    message = message.replace("choose the order (day/month or month/day)",
                              f"choose the order, day/month or month/day {ORDER_ADVICE}")
    return message.replace("(choose the order)", f"(choose the order with {ORDER_ADVICE[1:]}")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

#: how alike two normalised names must be (difflib's ratio) to be taken for the same one
NEAR_RATIO = 0.85


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < NEAR_RATIO or m.quick_ratio() < NEAR_RATIO:
        return 0.0
    return m.ratio()


def _first_last(name: str) -> tuple[str, str]:
    """(first given name, surname) of "First Last" or "Last, First" (normalised)."""
    if "," in name:
        last, _c, first = name.partition(",")
        words = plain(first).split() + plain(last).split()
    else:
        words = plain(name).split()
    return (words[0], words[-1]) if len(words) >= 2 else ("", "")


def loose_code(code: str) -> str:
    """A course code without punctuation, case or zero padding ("SAF-01" and "saf 1" alike)."""
    parts = re.findall(r"[a-z]+|\d+", plain(code))
    return "".join((p.lstrip("0") or "0") if p.isdigit() else p for p in parts)


def _digits(text: str) -> list[str]:
    return [d.lstrip("0") or "0" for d in re.findall(r"\d+", text)]


def _known_course(title: str, index: _Index) -> tuple[int, str] | None:
    """(course id, "title" / "code") of the workspace course ``title`` names exactly: its
    title or code, or a code first or in brackets ("FS-01 Forklift safety", "FS-01: Forklift
    safety", "Forklift safety (FS-01)"); None for none."""
    t = plain(title)
    if not t:
        return None
    if t in index.course_by_title:
        return index.course_by_title[t], "title"
    if t in index.course_by_code:
        return index.course_by_code[t], "code"
    words = title.replace(":", " ").split()
    inner = [plain(x) for pair in re.findall(r"\(([^)]*)\)|\[([^\]]*)\]", title)
             for x in pair if x]
    for cand in [plain(words[0]) if words else "", *inner]:
        if cand and cand in index.course_by_code:
            return index.course_by_code[cand], "code"
    return None


def read_plan(ws, source: TableSource | str | Path, *, sheet: str | int | None = None,
              mapping: Mapping[int, str] | None = None, column_map: Iterable[str] = (),
              options: ImportOptions | None = None, dry_run: bool = True,
              skip_errors: bool = False) -> tuple[TrainingImportReport, list[_Planned], _Index]:
    """Read the file and check every row against the workspace (nothing written)."""
    options = options or ImportOptions()
    today = options.today or dt.date.today()
    if options.shape not in (None, *SHAPES):
        raise ValueError("shape must be 'matrix', 'records' or None")
    if not hasattr(source, "rows"):
        source = open_table(Path(source))
    if source.schema is None:
        source.schema = SCHEMA
    name = source._sheet_name(sheet)
    header_row = options.header_row or source.guess_header_row(name)
    headers = source.headers(name, header_row)
    report = TrainingImportReport(Path(str(source.path)).name, dry_run, sheet=name,
                                  header_row=header_row, skip_errors=skip_errors,
                                  headers=[str(h) for h in headers])
    index = _index(ws)
    guessed = mapping is None
    if mapping is None:
        mapping = guess_columns(source, name, header_row)
        if "course" not in mapping.values():
            # a header that names a course of the workspace is a course column, whatever
            # its cells hold (those that are no date or mark are errors on their rows)
            known = [i for i, h in enumerate(headers) if i not in mapping
                     and _known_course(" ".join(str(h or "").split()), index) is not None]
            if known:
                mapping = {i: f for i, f in mapping.items() if f in PERSON_FIELDS
                           or f == COURSE_COLUMN}
                mapping.update((i, COURSE_COLUMN) for i in known)
    mapping = dict(mapping)
    overridden: set[int] = set()
    if column_map:
        width = max([len(headers)] + [len(r) for r in source.rows(name)[:200]])
        overrides = table.parse_column_overrides(column_map, headers, SCHEMA, width)
        overridden = set(overrides)
        mapping = table.apply_column_overrides(mapping, overrides, SCHEMA)
    problems = validate_mapping(mapping)
    shape = options.shape or detect_shape(mapping)
    report.shape, report.mapping = shape, dict(sorted(mapping.items()))
    report.columns = _columns(headers, mapping, shape)
    if guessed and shape == MATRIX:
        # why a column of the matrix was left out (the user's own choices need no reason)
        why = left_out_reasons(headers, _data_rows(source, name, header_row), mapping)
        for c in report.columns:
            if c["field"] is None and c["index"] in why and c["index"] not in overridden:
                c["label"] = f"not imported: {why[c['index']]}"
    if problems:
        report.problem = " ".join(problems)
        return report, [], index
    names = set(mapping.values())
    if shape is None:
        report.problem = ("The file's shape was not recognised: no column names the course, "
                          "and no columns hold dates or marks under course names; map the "
                          "columns (a Course column, or course columns of a matrix).")
        return report, [], index
    if not names & {"person", "first_name", "last_name", "employee_no"}:
        report.problem = ("No column names the people (Name, Employee, Employee no. …); map "
                          "the column that holds them.")
        return report, [], index
    if shape == RECORDS and not names & {"course", "course_code"}:
        report.problem = "No column names the course; map the column that holds it."
        return report, [], index
    if shape == MATRIX and COURSE_COLUMN not in names:
        report.problem = "No column is a course; map the course columns of the matrix."
        return report, [], index

    read = table.read_records(source, name, header_row, mapping, SCHEMA)
    report.notes.extend(read.notes)
    cols = {f: [i for i, n in mapping.items() if n == f] for f in FIELDS}
    # a row left out as empty whose name is a formula without a saved value (openpyxl and
    # other programs save none) is not empty: it is an error that says so
    name_cols = {i for f in ("person", "first_name", "last_name", "employee_no")
                 for i in cols[f]}
    formula_rows: dict[int, str] = {}
    for r, c in sorted(read.no_value_formulas, key=lambda rc: (rc[0], rc[1])):
        if c - 1 in name_cols:
            formula_rows.setdefault(r, cell_name(r, c))
    for s in read.skipped:
        last = s.last_row or s.row_number
        runs, start = [], None
        for n in range(s.row_number, last + 2):
            if n <= last and n not in formula_rows:
                start = n if start is None else start
            elif start is not None:
                runs.append((start, n - 1))
                start = None
        report.skipped.extend({"row": a, "last_row": b, "reason": s.reason} for a, b in runs)
        for n in range(s.row_number, last + 1):
            if n in formula_rows:
                report.rows.append(RowReport(n, "error", "", [], [
                    f"cell {formula_rows[n]} holds a formula, not a name; type the name as "
                    "text"]))
    date_cols = cols[COURSE_COLUMN] if shape == MATRIX else cols["completed_on"] + \
        cols["expires_on"]
    reader = dates_.DateReader(options.date_order, date1904=source.date1904)
    reader.learn(rec.get(i) for rec in read.records for i in date_cols + cols["hired_on"])
    report.date_order = reader.order
    if reader.note:
        report.notes.append(clip_quotes(_advice(reader.note)))
    # the cell that decided the day/month order (named on each row where it matters)
    evidence = ""
    if reader.chosen is None and reader.order in (dates_.DMY, dates_.MDY):
        for rec in read.records:
            for i in date_cols + cols["hired_on"]:
                parts = dates_.slash_parts(rec.get(i))
                if parts and ((reader.order == dates_.DMY and parts[0] > 12 >= parts[1]) or
                              (reader.order == dates_.MDY and parts[1] > 12 >= parts[0])):
                    evidence = f"cell {cell_name(rec.row_number, i + 1)} " \
                        f"{quote(' '.join(rec.get(i).split()))}"
                    break
            if evidence:
                break

    def read_date(value: Any, cell: str, said: list[str]) -> dates_.DateRead:
        """The date of a cell; a slash date that could be either order, read in the order
        another cell showed, says so in ``said``."""
        got = reader.read(value, cell)
        parts = dates_.slash_parts(value) if evidence and got.date is not None else None
        if parts and parts[0] != parts[1] and max(parts) <= 12:
            first = "day" if reader.order == dates_.DMY else "month"
            d = got.date
            said.append(f"cell {cell}: {quote(' '.join(value.split()))} read as {d.day} "
                        f"{_MONTHS[d.month - 1]} {d.year} ({first} first, as {evidence} shows)")
        return got
    if shape == MATRIX and (cols["completed_on"] or cols["expires_on"] or cols["course"]):
        report.notes.append("In a matrix the cells under each course are the completion "
                            "dates; the columns mapped to record fields are not read.")

    people: dict[str, PersonMatch] = {}
    courses: dict[str, CourseMatch] = {}
    roles: dict[str, RoleMatch] = {}
    plans: list[_Planned] = []
    seen_records: set[tuple[str, str, dt.date]] = set()
    # one entry per workspace person / course however the file writes them
    course_alias: dict[str, str] = {}
    course_by_id: dict[int, str] = {}
    person_alias: dict[str, str] = {}
    person_by_id: dict[int, str] = {}
    new_people = {plain(n) for n in options.new_people if plain(n)}
    new_courses = {plain(n) for n in options.new_courses if plain(n)}
    no_value = read.no_value_formulas  # (row, column) of formula cells without a saved value
    person_names: set[str] = set()  # every name of the file (for unmatched confirmations)
    course_names: set[str] = set()
    how_by_key: dict[str, str] = {}  # how a key of the file (emp:/name:) matched its person

    def _name_clash(pname: str, emp: str) -> str:
        """The error when the row's employee number is one person and its name another person
        of the workspace ("" when the name fits the number, or is nobody else's)."""
        pid = index.by_emp.get(_emp_key(emp))
        if not pname or pid is None:
            return ""
        wname = index.people[pid][0]
        if _name_key(pname) == _name_key(wname) or _token_key(pname) == _token_key(wname):
            return ""
        others = [i for i in (index.by_name.get(_name_key(pname))
                              or index.by_tokens.get(_token_key(pname)) or []) if i != pid]
        if not others:
            return ""
        nos = [index.people[i][1] for i in others if index.people[i][1]]
        who = clip(pname) + (f" ({' or '.join(clip(n) for n in nos)})" if nos else "")
        return (f"employee no. {clip(emp)} is {clip(wname)}, but the name says {who}: correct "
                "one of them")
    near_people: list[tuple] = []

    def people_like(pname: str, emp: str) -> str:
        """The workspace people ``pname`` looks like (a sentence part; "" for none)."""
        if not near_people:
            near_people.extend(
                (_name_key(n), " ".join(_token_key(n)), _first_last(n), n, e)
                for n, e, _d, _l in index.people.values())
        key, flat = _name_key(pname), " ".join(_token_key(pname))
        first, last = _first_last(pname)
        found = []
        for wkey, wflat, (wfirst, wlast), wname, wemp in near_people:
            if emp and wemp and _emp_key(wemp) != _emp_key(emp):
                continue  # the file gives another employee number: someone else
            score = max(_ratio(key, wkey), _ratio(flat, wflat))
            if score < NEAR_RATIO and last and last == wlast and wfirst and \
                    first[0] == wfirst[0] and (len(first) == 1 or len(wfirst) == 1
                                               or first.startswith(wfirst)
                                               or wfirst.startswith(first)):
                score = NEAR_RATIO  # "K. Price", "Kev Price" and "Kevin Price"
            if score >= NEAR_RATIO:
                found.append((-score, wname, wemp))
        found.sort()
        return " or ".join(clip(n) + (f" (employee no. {clip(e)})" if e else "")
                           for _s, n, e in found[:3])

    def courses_like(title: str, code: str) -> str:
        """The workspace courses ``title`` / ``code`` look like ("" for none)."""
        codes = {loose_code(code)} if code else set()
        t = plain(title)
        if title:
            words = title.replace(":", " ").split()
            codes |= {loose_code(words[0]), loose_code(title)}
            codes |= {loose_code(x) for pair in re.findall(r"\(([^)]*)\)|\[([^\]]*)\]",
                                                           title) for x in pair if x}
        codes.discard("")
        found = []
        for info in index.courses.values():
            wcode = loose_code(info.code) if info.code else ""
            if wcode and wcode in codes:
                score = 1.0
            else:
                wt = plain(info.title)
                score = _ratio(t, wt) if t and _digits(t) == _digits(wt) else 0.0
            if score >= NEAR_RATIO:
                found.append((-score, f"{info.code} {info.title}".strip()))
        found.sort()
        return " or ".join(clip(n) for _s, n in found[:3])

    def formula_in(rec, names: Iterable[str]) -> str:
        """The cell of ``rec`` in the columns of ``names`` holding a formula without a saved
        value ("" when none does)."""
        for f in names:
            for i in cols[f]:
                if (rec.row_number, i + 1) in no_value:
                    return cell_name(rec.row_number, i + 1)
        return ""

    def near_course_error(cm: CourseMatch) -> str:
        label = cm.label
        return (f"{quote(label)} ({cm.where}) is no course in the workspace but looks like "
                f"{cm.near}: correct it in the file, or confirm that {quote(label)} is a new "
                "course")

    def first(rec, f: str) -> tuple[Any, str]:
        for i in cols[f]:
            value = rec.get(i)
            if value is not None and cell_text(value).strip():
                return value, cell_name(rec.row_number, i + 1)
        return None, cell_name(rec.row_number, (cols[f] or [0])[0] + 1)

    def course_for(title: str, code: str, where: str, errors: list[str]) -> str | None:
        course_names.update((plain(title), plain(code), plain(f"{code} {title}")))
        key = ("code:" + plain(code)) if code else ("title:" + plain(title))
        key = course_alias.get(key, key)
        if key in courses:
            if courses[key].blocked:
                errors.append(near_course_error(courses[key]))
                return None
            return key
        cid, how = None, ""
        if code and plain(code) in index.course_by_code:
            cid, how = index.course_by_code[plain(code)], "code"
        elif title:
            cid, how = _known_course(title, index) or (None, "")
        if cid is None:
            like = courses_like(title, code)
            if not title:
                looks = f" (it looks like {like})" if like else ""
                errors.append(f"the course code {quote(code)} ({where}) is not in the "
                              f"workspace{looks} and the row gives no course title to create "
                              "it with")
                return None
            if like:
                cm = CourseMatch(title, code, None, "", "", where, near=like,
                                 confirmed=bool({plain(title), plain(code),
                                                 plain(f"{code} {title}")} & new_courses))
                courses[key] = cm
                if cm.blocked:
                    errors.append(near_course_error(cm))
                    return None
                return key
        if cid is not None and cid in course_by_id:  # the same course written another way
            course_alias[key] = course_by_id[cid]
            return course_by_id[cid]
        if cid is not None:
            course_by_id[cid] = key
        info = index.courses.get(cid) if cid is not None else None
        shown = "" if info is None else f"{info.code} {info.title}".strip()
        courses[key] = CourseMatch(title or (info.title if info else ""), code, cid, how,
                                   shown, where)
        return key

    # matrix: one course per column, matched once
    matrix_courses: dict[int, str | None] = {}
    matrix_errors: dict[int, str] = {}
    if shape == MATRIX:
        for i in cols[COURSE_COLUMN]:
            title = " ".join(str(headers[i]).split()) if i < len(headers) else ""
            errs: list[str] = []
            if not title:
                title = f"Column {column_letter(i)}"
            matrix_courses[i] = course_for(title, "", f"column {column_letter(i)}", errs)
            if errs:
                matrix_errors[i] = errs[0]

    for rec in read.records:
        errors: list[str] = []
        warnings: list[str] = []
        actions: list[str] = []
        row = rec.row_number
        # ---------------------------------------------------------------- the person
        pname_v, pcell = first(rec, "person")
        pname = _text(pname_v)
        if not pname:
            fn, _ = first(rec, "first_name")
            ln, _ = first(rec, "last_name")
            pname = " ".join(x for x in (_text(fn), _text(ln)) if x)
        emp_v, ecell = first(rec, "employee_no")
        emp = _text(emp_v)
        dept_v, dcell = first(rec, "department")
        dept = _text(dept_v)
        mail_v, mcell = first(rec, "email")
        mail = _text(mail_v)
        for fname, text, cell in (("person", pname, pcell), ("employee_no", emp, ecell),
                                  ("department", dept, dcell), ("email", mail, mcell)):
            _check_length(fname, text, cell, errors)
        hired = None
        hired_v, hcell = first(rec, "hired_on")
        if hired_v is not None:
            got = read_date(hired_v, hcell, actions)
            if got.problem:
                errors.append(got.problem.rstrip("."))
            hired = got.date
        person_key = ""
        person_names.add(_name_key(pname))
        name_formula = "" if pname else formula_in(rec, ("person", "first_name", "last_name"))
        if not pname and not emp:
            if name_formula:
                errors.append(f"cell {name_formula} holds a formula, not a name; type the name "
                              "as text")
            elif formula_in(rec, ("employee_no",)):
                errors.append(f"cell {formula_in(rec, ('employee_no',))} holds a formula, not "
                              "an employee number; type the number as text")
            else:
                errors.append(f"no person is named (cell {pcell})")
        else:
            if pname and needs_protection(pname):
                warnings.append(f"the name {quote(pname)} in cell {pcell} starts like a "
                                "spreadsheet formula; it is imported as text, and exports keep "
                                "it as text")
            person_key = ("emp:" + _emp_key(emp)) if emp else ("name:" + _name_key(pname))
            row_key = person_key
            person_key = person_alias.get(person_key, person_key)
            match = people.get(person_key)
            row_how = how_by_key.get(row_key, match.how if match else "")
            clash = _name_clash(pname, emp) if emp else ""
            if clash:  # the number is one person, the name another: neither is matched
                errors.append(clash)
            if match is None:
                match = PersonMatch(pname, emp, dept, email=mail, hired_on=hired)
                pid = index.by_emp.get(_emp_key(emp)) if emp else None
                if pid is not None:
                    match.person_id, match.how = pid, "employee no."
                elif pname:
                    ids = index.by_name.get(_name_key(pname)) or \
                        index.by_tokens.get(_token_key(pname)) or []
                    if len(ids) > 1:
                        errors.append(f"{len(ids)} people in the workspace are called "
                                      f"{quote(pname)}; add their employee numbers to the file")
                    elif ids:
                        other = index.people[ids[0]][1]
                        if emp and other and _emp_key(other) != _emp_key(emp):
                            errors.append(f"{quote(pname)} has employee no. {clip(emp)} in the "
                                          f"file but {other} in the workspace; correct the file "
                                          "(or the workspace) first")
                        else:
                            match.person_id, match.how = ids[0], "name"
                    elif not errors:
                        match.near = people_like(pname, emp)
                        match.confirmed = bool(match.near) and _name_key(pname) in new_people
                elif emp:
                    if name_formula:
                        errors.append(f"employee no. {clip(emp)} (cell {ecell}) is nobody in "
                                      f"the workspace, and cell {name_formula} holds a formula, "
                                      "not a name; type the name as text")
                    else:
                        errors.append(f"employee no. {clip(emp)} (cell {ecell}) is nobody in "
                                      "the workspace and the row gives no name to create them "
                                      "with")
                row_how = how_by_key[row_key] = match.how
                if match.person_id is not None and match.person_id in person_by_id:
                    person_alias[person_key] = person_key = person_by_id[match.person_id]
                    match = people[person_key]
                elif match.person_id is not None:
                    match.workspace_name = index.people[match.person_id][0]
                    if not errors:
                        people[person_key] = match
                        person_by_id[match.person_id] = person_key
                elif not errors:
                    people[person_key] = match
            if match.near and not match.confirmed:
                errors.append(f"{quote(pname)} (cell {pcell}) is nobody in the workspace but "
                              f"looks like {match.near}: correct the name in the file, or "
                              f"confirm that {quote(pname)} is a new person")
            if match.person_id is not None:
                wname, _e, wdept, left = index.people[match.person_id]
                if left:
                    warnings.append(f"{wname} has left the company; their records are "
                                    "imported all the same")
                if dept and wdept and plain(dept) != plain(wdept):
                    warnings.append(f"the department in the file ({clip(dept)}) differs from "
                                    f"the workspace's ({wdept}), which is kept")
            if not errors:
                # this row's own spelling and how it matched (not the first row's)
                own = replace(match, name=pname or match.name, employee_no=emp,
                              how=row_how or match.how)
                actions.append(f"person: {own.match_text()}")
        # ---------------------------------------------------------------- roles
        role_keys: list[str] = []
        role_v, rcell = first(rec, "role")
        for rname in _split_roles(_text(role_v)):
            if len(rname) > MAX_LENGTH["role"]:
                errors.append(f"a role in cell {rcell} is {_long(len(rname))}; at "
                              f"most {MAX_LENGTH['role']} fit")
                continue
            rk = plain(rname)
            if rk not in roles:
                roles[rk] = RoleMatch(rname, index.roles.get(rk))
            role_keys.append(rk)
        # ---------------------------------------------------------------- records
        records: list[dict] = []
        course_keys: list[str] = []

        def add_record(ckey: str | None, done: dt.date | None, cell: str, values: dict) -> None:
            if ckey is None:
                return
            if done is None:
                return
            if done < EARLIEST:
                errors.append(f"cell {cell}: {done.isoformat()} is not a plausible training "
                              f"date (before {EARLIEST.year}); check the cell")
                return
            if done > today:
                errors.append(f"cell {cell}: {done.isoformat()} is in the future; a training "
                              "cannot be completed in the future")
                return
            exp = values.get("expires_on")
            if exp is not None and exp <= done:
                errors.append(f"cell {cell}: the training expires ({exp.isoformat()}) on or "
                              f"before the day it was completed ({done.isoformat()})")
                return
            cm = courses[ckey]
            dup = (person_key, ckey, done)
            pid = people[person_key].person_id if person_key in people else None
            if dup in seen_records:
                warnings.append(f"cell {cell}: the same training ({cm.name}, "
                                f"{done.isoformat()}) is already in the file above; imported "
                                "once")
                return
            seen_records.add(dup)
            if pid is not None and cm.course_id is not None and \
                    (pid, cm.course_id, done) in index.records:
                actions.append(f"{cm.name} {done.isoformat()}: already recorded")
                return
            records.append(dict(values, course=ckey, completed_on=done, cell=cell))
            course_keys.append(ckey)

        if shape == MATRIX:
            for i in cols[COURSE_COLUMN]:
                value = rec.get(i)
                if value is None or not cell_text(value).strip():
                    if (row, i + 1) in no_value:
                        warnings.append(f"cell {cell_name(row, i + 1)} holds a formula without "
                                        "a saved value and is read as empty; type the date as "
                                        "a value")
                    continue
                cell = cell_name(row, i + 1)
                ckey = matrix_courses.get(i)
                cname = clip(courses[ckey].name) if ckey else column_letter(i)
                mark = read_mark(value)
                if mark is None and isinstance(value, str) and re.fullmatch(r"\s*[xX]\s*",
                                                                            value):
                    mark = DONE
                if mark == NOT_REQUIRED:
                    continue
                if mark == NOT_DONE:
                    actions.append(f"{cname}: “{_text(value)}”, not completed (no record)")
                    continue
                if ckey is None and i in matrix_errors:
                    errors.append(f"cell {cell}: {matrix_errors[i]}")
                    continue
                if mark == EXPIRED:
                    errors.append(f"cell {cell} ({cname}) says “{_text(value)}” but gives no "
                                  "date: enter the date of the expired training, or leave the "
                                  "cell empty to show it as missing")
                    continue
                if mark == FAILED:
                    errors.append(f"cell {cell} ({cname}) says “{_text(value)}” but gives no "
                                  "date: enter the date of the attempt, or leave the cell empty")
                    continue
                if mark == DONE:
                    if options.undated_as is None:
                        errors.append(f"cell {cell} ({cname}) says “{_text(value)}” "
                                      "(completed) but gives no date; a training record needs "
                                      "the day it was completed: enter it in the file, or "
                                      "choose a date for undated marks "
                                      f"{UNDATED_ADVICE}")
                        continue
                    warnings.append(f"cell {cell} ({cname}): “{_text(value)}” without a date, "
                                    f"recorded as completed on {options.undated_as.isoformat()}")
                    add_record(ckey, options.undated_as, cell, {
                        "notes": f"Marked “{_text(value)}” without a date in the imported "
                                 f"matrix ({report.file}, cell {cell}); the date "
                                 f"{options.undated_as.isoformat()} was chosen at import."})
                    continue
                got = read_date(value, cell, actions)
                if got.problem:
                    problem = got.problem.rstrip(".")
                    errors.append(problem if cname in problem else f"{cname}: {problem}")
                    continue
                if got.note:
                    warnings.append(f"cell {cell}: {got.note}")
                add_record(ckey, got.date, cell, {})
        else:
            title_v, tcell = first(rec, "course")
            code_v, ccell = first(rec, "course_code")
            title, code = _text(title_v), _text(code_v)
            _check_length("course_code", code, ccell, errors)
            if len(title) > MAX_CELL_TEXT:
                errors.append(f"the course in cell {tcell} is {_long(len(title))}; "
                              f"at most {MAX_CELL_TEXT:,} fit")
                title = ""
            ckey = None
            if not title and not code:
                fcell = formula_in(rec, ("course", "course_code"))
                errors.append(f"cell {fcell} holds a formula, not a course; type the course as "
                              "text" if fcell else f"no course is named (cell {tcell})")
            elif not any(e.startswith("the course") for e in errors):
                ckey = course_for(title, code, f"row {row}", errors)
            values: dict[str, Any] = {}
            done_v, done_cell = first(rec, "completed_on")
            exp_v, exp_cell = first(rec, "expires_on")
            done = None
            if done_v is None:
                fcell = formula_in(rec, ("completed_on",))
                errors.append(f"cell {fcell} holds a formula without a saved value, not a "
                              "date; type the date as a value" if fcell else
                              f"no completion date (cell {done_cell}); a training record needs "
                              "the day it was completed")
            else:
                got = read_date(done_v, done_cell, actions)
                if got.problem:
                    errors.append(got.problem.rstrip("."))
                elif got.note:
                    warnings.append(f"cell {done_cell}: {got.note}")
                done = got.date
            if exp_v is not None:
                mark = read_mark(exp_v)
                if mark not in (NOT_REQUIRED,) and plain(exp_v) not in ("never", "once",
                                                                        "unbegrenzt", "jamais"):
                    got = read_date(exp_v, exp_cell, actions)
                    if got.problem:
                        errors.append(got.problem.rstrip("."))
                    else:
                        if got.note:
                            warnings.append(f"cell {exp_cell}: {got.note}")
                        values["expires_on"] = got.date
            res_v, res_cell = first(rec, "result")
            result = read_result(res_v)
            if result is None:
                errors.append(f"the result “{_text(res_v)}” in cell {res_cell} is not passed, "
                              "attended or failed")
            else:
                values["result"] = result
            for fname in ("trainer", "evidence", "notes"):
                v, cell = first(rec, fname)
                text = _text(v) if not isinstance(v, str) else v.strip()
                _check_length(fname, text, cell, errors)
                if text:
                    values[fname] = text
            if not errors:
                add_record(ckey, done, done_cell, values)
        # ---------------------------------------------------------------- the row
        if not errors and person_key in people:
            pm = people[person_key]
            pid = pm.person_id
            for rk in role_keys:
                rm = roles[rk]
                if pid is None or rm.role_id is None or (pid, rm.role_id) not in index.holds:
                    actions.append(f"role: {rm.name}"
                                   + (" (new role)" if rm.role_id is None else ""))
            if records:
                shown = ", ".join(f"{clip(courses[r['course']].name)} "
                                  f"{r['completed_on'].isoformat()}" for r in records[:6])
                more = f" and {len(records) - 6} more" if len(records) > 6 else ""
                actions.append(f"{_plural(len(records), 'record', 'records')}: {shown}{more}")
        status = "error" if errors else "warning" if warnings else "ok"
        report.rows.append(RowReport(row, status, clip(pname or emp),
                                     [clip_quotes(a) for a in actions],
                                     [clip_quotes(_advice(m)) for m in errors + warnings],
                                     0 if errors else len(records)))
        if person_key in people:
            (people[person_key].error_rows if errors else people[person_key].rows).append(row)
        if not errors:
            plans.append(_Planned(row, person_key, course_keys, records, role_keys))

    report.rows.sort(key=lambda r: r.row_number)
    report.unmatched_new = [("person", n) for n in options.new_people
                            if plain(n) and plain(n) not in person_names]
    report.unmatched_new += [("course", n) for n in options.new_courses
                             if plain(n) and plain(n) not in course_names]
    # only what the rows without errors use is proposed (and created)
    used = plans
    used_people = {p.person_key for p in used}
    used_courses = {k for p in used for k in p.course_keys}
    if shape == MATRIX:  # a matrix shows every course column, even one nobody took yet
        used_courses |= {k for k in matrix_courses.values() if k}
    used_roles = {k for p in used for k in p.roles}
    # the people of rows with errors are listed too (marked: their rows are not imported), and
    # the courses that only look like one in the workspace (not imported until confirmed)
    report.people = [people[k] for k in people if k in used_people or people[k].error_rows]
    report.courses = [courses[k] for k in courses if k in used_courses or courses[k].blocked]
    report.roles = [roles[k] for k in roles if k in used_roles]
    report.people_added = sum(1 for k in people if k in used_people
                              and people[k].person_id is None)
    report.courses_added = sum(1 for k in courses if k in used_courses
                               and courses[k].course_id is None)
    report.roles_added = sum(1 for r in report.roles if r.role_id is None)
    report.records_added = sum(len(p.records) for p in used)
    assignments = set()
    for p in used:
        pid = people[p.person_key].person_id
        for rk in p.roles:
            rid = roles[rk].role_id
            if pid is None or rid is None or (pid, rid) not in index.holds:
                assignments.add((p.person_key, rk))
    report.assignments_added = len(assignments)
    return report, plans, index


def _columns(headers: Sequence[Any], mapping: Mapping[int, str], shape: str | None
             ) -> list[dict]:
    out = []
    width = max([len(headers)] + [i + 1 for i in mapping])
    for i in range(width):
        header = str(headers[i]) if i < len(headers) and headers[i] is not None else ""
        name = mapping.get(i)
        if name is None and not header:
            continue
        if name == COURSE_COLUMN:
            label = f"course “{' '.join(header.split())}”"
        elif name is not None and shape == MATRIX and name in RECORD_FIELDS:
            label = f"{FIELD_LABELS[name]} (not read in a matrix)"
        elif name is not None:
            label = FIELD_LABELS[name]
        else:
            label = "not imported"
        out.append({"column": column_letter(i), "index": i, "header": header, "field": name,
                    "label": label})
    return out


def import_training(ws, source: TableSource | str | Path, *, sheet: str | int | None = None,
                    mapping: Mapping[int, str] | None = None, column_map: Iterable[str] = (),
                    options: ImportOptions | None = None, dry_run: bool = False,
                    skip_errors: bool = False,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> TrainingImportReport:
    """Import a training matrix or record list (see the module's docstring).

    ``dry_run``: report only. Otherwise all or nothing in one transaction; ``skip_errors``
    writes the rows without errors and names the others. ``mapping`` None guesses the columns
    ({column index: field}); ``column_map`` ("Column=field" texts) overrides single columns.
    """
    from qms_desktop.services.records import Change, RecordError
    from qms_desktop.storage import models as m

    report, plans, index = read_plan(ws, source, sheet=sheet, mapping=mapping,
                                     column_map=column_map, options=options, dry_run=dry_run,
                                     skip_errors=skip_errors)
    if dry_run or report.blocked or not plans:
        return report
    if not (report.records_added or report.people_added or report.courses_added
            or report.assignments_added):
        return report
    people = {}
    for p in report.people:
        if not p.rows:
            continue  # only in rows with errors (skipped)
        key = ("emp:" + _emp_key(p.employee_no)) if p.employee_no else \
            ("name:" + _name_key(p.name))
        people[key] = p
    courses: dict[str, CourseMatch] = {}
    for c in report.courses:
        if c.blocked:
            continue
        courses[("code:" + plain(c.code)) if c.code else ("title:" + plain(c.name))] = c
    roles = {plain(r.name): r for r in report.roles}
    total = sum(len(p.records) for p in plans) or 1
    done_n = 0
    with ws.session() as s:
        role_ids = {}
        for key, r in roles.items():
            if r.role_id is None:
                row = m.Role(name=r.name, description="")
                s.add(row)
                s.flush()
                role_ids[key] = row.id
            else:
                role_ids[key] = r.role_id
        person_ids = {}
        for key, p in people.items():
            if p.person_id is None:
                row = m.Person(name=p.name, employee_no=p.employee_no,
                               department=p.department, email=p.email, hired_on=p.hired_on)
                s.add(row)
                s.flush()
                person_ids[key] = row.id
            else:
                person_ids[key] = p.person_id
        course_ids: dict[str, int] = {}
        course_info: dict[str, Any] = {}
        for key, c in courses.items():
            if c.course_id is None:
                row = m.Course(code=c.code, title=c.name or c.code, kind="classroom",
                               provider="internal")
                s.add(row)
                s.flush()
                course_ids[key] = row.id
                course_info[key] = None
            else:
                course_ids[key] = c.course_id
                course_info[key] = index.courses.get(c.course_id)
        assigned = set()
        for plan in plans:
            if cancelled and cancelled():
                raise RecordError("The import was cancelled; nothing was imported.")
            pid = person_ids[plan.person_key]
            for rk in plan.roles:
                rid = role_ids[rk]
                if (pid, rid) in index.holds or (pid, rid) in assigned:
                    continue
                assigned.add((pid, rid))
                s.add(m.PersonRole(person_id=pid, role_id=rid,
                                   valid_from=people[plan.person_key].hired_on))
            for r in plan.records:
                info = course_info[r["course"]]
                exp = r.get("expires_on")
                if exp is None and info is not None:
                    exp = rules.expiry(r["completed_on"], info.validity_months)
                revision = r.get("document_revision") or (
                    info.revision if info is not None and info.kind == "read_and_understood"
                    else "")
                s.add(m.TrainingRecord(
                    person_id=pid, course_id=course_ids[r["course"]],
                    completed_on=r["completed_on"], expires_on=exp,
                    trainer=r.get("trainer", ""), result=r.get("result", "passed"),
                    evidence=r.get("evidence", ""), notes=r.get("notes", ""),
                    document_revision=revision))
                done_n += 1
                if progress and (done_n % 200 == 0 or done_n == total):
                    progress(done_n, total)
    report.committed = True
    report.change = Change.of(s, result=report)
    return report
