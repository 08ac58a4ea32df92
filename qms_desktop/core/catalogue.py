"""Clause catalogues: the structure of a standard (numbers, short titles) plus our own guidance.

Catalogues are data, not code: one JSON file per catalogue in ``qms_desktop/resources/catalogues``
(ISO 9001:2015 ships; ISO 13485 or a company's own list can be added as further files, and
:func:`load_catalogue_file` reads one from anywhere). Pure Python: no Qt, no SQLAlchemy.

File format (``"format": 1``)::

    {"format": 1, "name": "iso9001_2015", "standard": "ISO 9001:2015", "title": "...",
     "catalogue_version": "...", "notice": "...", "amendments": [...],
     "clauses": [{"number": "4", "title": "...", "pdca": "plan", "children": [
         {"number": "4.1", "title": "...", "note": "...", "flags": ["..."],
          "guidance": ["question", ...], "evidence": ["what to look at", ...]}]}]}

Rules checked on load: numbers are dotted integers, unique, each child numbered
``<parent>.<n>`` and siblings in ascending order; every top clause has a PDCA phase (children
inherit it); every leaf clause has 1-3 guidance questions and at least one expected evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

PDCA_PHASES = ("plan", "do", "check", "act")
FORMAT = 1
MAX_GUIDANCE = 3
DEFAULT_CATALOGUE = "iso9001_2015"

_PACKAGE = "qms_desktop.resources.catalogues"
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_CLAUSE_KEYS = {"number", "title", "pdca", "note", "flags", "guidance", "evidence", "children"}
_REQUIRED_TOP = ("name", "standard", "catalogue_version", "clauses")


class CatalogueError(ValueError):
    """A catalogue is missing or malformed; ``str(e)`` is one sentence for the user."""


@dataclass
class Clause:
    number: str
    title: str
    parent: str | None
    pdca: str
    guidance: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    note: str = ""
    flags: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def depth(self) -> int:
        """1 for a top clause (``"4"``), 2 for ``"4.1"`` and so on."""
        return self.number.count(".") + 1

    @property
    def top(self) -> str:
        return self.number.split(".", 1)[0]

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"


@dataclass(frozen=True)
class ChecklistItemSpec:
    """One checklist question built from a leaf clause (for a gap-analysis template)."""

    order: int
    clause: str
    title: str
    guidance: str
    expected_evidence: str


@dataclass
class Catalogue:
    name: str
    standard: str
    title: str
    version: str
    clauses: list[Clause]
    notice: str = ""
    amendments: list[str] = field(default_factory=list)
    _index: dict[str, Clause] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index = {c.number: c for c in self.clauses}

    # -- access
    def __iter__(self) -> Iterator[Clause]:
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)

    def __contains__(self, number: object) -> bool:
        return number in self._index

    def clause(self, number: str) -> Clause:
        try:
            return self._index[number]
        except KeyError:
            raise KeyError(f"{self.standard} has no clause {number}") from None

    def top_clauses(self) -> list[Clause]:
        return [c for c in self.clauses if c.parent is None]

    def children(self, number: str) -> list[Clause]:
        return [self._index[n] for n in self.clause(number).children]

    def leaf_clauses(self) -> list[Clause]:
        """Clauses without sub-clauses, in document order: what a gap analysis asks about."""
        return [c for c in self.clauses if c.is_leaf]

    def ancestors(self, number: str) -> list[Clause]:
        out = []
        parent = self.clause(number).parent
        while parent is not None:
            c = self._index[parent]
            out.append(c)
            parent = c.parent
        return out[::-1]

    def flagged(self, flag: str) -> list[Clause]:
        return [c for c in self.clauses if flag in c.flags]

    def checklist_items(self) -> list[ChecklistItemSpec]:
        """One item per leaf clause; guidance and evidence joined one per line."""
        items = []
        for i, c in enumerate(self.leaf_clauses(), start=1):
            guidance = list(c.guidance)
            if c.note:
                guidance.append(f"Note: {c.note}")
            items.append(ChecklistItemSpec(
                order=i, clause=c.number, title=c.title,
                guidance="\n".join(guidance), expected_evidence="\n".join(c.evidence)))
        return items


# --------------------------------------------------------------------------- loading


def available_catalogues() -> list[str]:
    """Names of the catalogues shipped with the application."""
    folder = resources.files(_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir()
                  if p.name.endswith(".json") and _NAME.match(p.name[:-5]))


def load_catalogue(name: str = DEFAULT_CATALOGUE) -> Catalogue:
    """Load and validate a shipped catalogue by name (e.g. ``"iso9001_2015"``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise CatalogueError(
            f"“{name}” is not a valid catalogue name; use lower-case letters, digits and "
            "underscores, for example iso9001_2015.")
    res = resources.files(_PACKAGE).joinpath(f"{name}.json")
    if not res.is_file():
        shipped = ", ".join(available_catalogues()) or "none"
        raise CatalogueError(
            f"There is no clause catalogue called “{name}”; choose one of: {shipped}.")
    return _parse_text(res.read_text(encoding="utf-8"), f"{name}.json")


def load_catalogue_file(path: Path | str) -> Catalogue:
    """Load and validate a catalogue from a JSON file anywhere (a company's own list)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"The catalogue file “{path.name}” does not exist.") from None
    except UnicodeDecodeError:
        raise CatalogueError(
            f"The catalogue file “{path.name}” is not UTF-8 text; save it as UTF-8 JSON."
        ) from None
    except OSError as e:
        raise CatalogueError(
            f"The catalogue file “{path.name}” cannot be read ({e.strerror}).") from None
    return _parse_text(text, path.name)


def _parse_text(text: str, source: str) -> Catalogue:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CatalogueError(
            f"The catalogue file “{source}” is not valid JSON (line {e.lineno}, column "
            f"{e.colno}: {e.msg}); correct the file.") from None
    return parse_catalogue(data, source=source)


def parse_catalogue(data: Any, *, source: str = "catalogue") -> Catalogue:
    """Validate already-decoded JSON data and build a :class:`Catalogue`."""

    def bad(what: str) -> CatalogueError:
        return CatalogueError(
            f"The catalogue “{source}” is malformed: {what}; correct the file.")

    if not isinstance(data, dict):
        raise bad("the file must hold a JSON object at the top level")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise CatalogueError(
            f"The catalogue “{source}” uses format {fmt!r}, which this version does not know; "
            "update QMS Workbench or convert the file to format 1.")
    for key in _REQUIRED_TOP:
        if key not in data:
            raise bad(f"the field “{key}” is missing")
    for key in ("name", "standard", "catalogue_version"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise bad(f"“{key}” must be a non-empty text")
    for key in ("title", "notice"):
        if key in data and not isinstance(data[key], str):
            raise bad(f"“{key}” must be text")
    amendments = data.get("amendments", [])
    if not _str_list(amendments):
        raise bad("“amendments” must be a list of texts")
    roots = data["clauses"]
    if not isinstance(roots, list) or not roots:
        raise bad("“clauses” must be a non-empty list")

    out: list[Clause] = []
    seen: set[str] = set()

    def walk(nodes: list, parent: Clause | None) -> list[str]:
        numbers: list[str] = []
        prev: tuple[int, ...] | None = None
        for raw in nodes:
            where = f"under clause {parent.number}" if parent else "at the top level"
            if not isinstance(raw, dict):
                raise bad(f"an entry {where} is not an object")
            number = raw.get("number")
            if not isinstance(number, str) or not _NUMBER.match(number):
                raise bad(f"the clause number {number!r} {where} is not a dotted number "
                          "such as 7.1.5")
            label = f"clause {number}"
            unknown = set(raw) - _CLAUSE_KEYS
            if unknown:
                raise bad(f"{label} has unknown field(s) {', '.join(sorted(unknown))}")
            if number in seen:
                raise bad(f"{label} appears twice")
            seen.add(number)
            if parent is None:
                if "." in number:
                    raise bad(f"{label} is at the top level but is numbered like a sub-clause")
            elif not (number.startswith(parent.number + ".")
                      and number.count(".") == parent.number.count(".") + 1):
                raise bad(f"{label} is listed under clause {parent.number} but is not "
                          f"numbered {parent.number}.<n>")
            key = tuple(int(p) for p in number.split("."))
            if prev is not None and key <= prev:
                raise bad(f"{label} is out of order (it must come after the clause before it)")
            prev = key
            title = raw.get("title")
            if not isinstance(title, str) or not title.strip():
                raise bad(f"{label} has no title")
            pdca = raw.get("pdca")
            if parent is None:
                if pdca not in PDCA_PHASES:
                    raise bad(f"top {label} needs a PDCA phase ({', '.join(PDCA_PHASES)})")
            else:
                if pdca is not None and pdca != parent.pdca:
                    raise bad(f"{label} has PDCA phase {pdca!r} but its parent has "
                              f"{parent.pdca!r}")
                pdca = parent.pdca
            note = raw.get("note", "")
            if not isinstance(note, str):
                raise bad(f"the note of {label} must be text")
            flags = raw.get("flags", [])
            if not _str_list(flags):
                raise bad(f"the flags of {label} must be a list of texts")
            guidance = raw.get("guidance", [])
            evidence = raw.get("evidence", [])
            if not _str_list(guidance, nonempty_items=True):
                raise bad(f"the guidance of {label} must be a list of non-empty texts")
            if not _str_list(evidence, nonempty_items=True):
                raise bad(f"the evidence of {label} must be a list of non-empty texts")
            kids = raw.get("children", [])
            if not isinstance(kids, list):
                raise bad(f"the children of {label} must be a list")
            clause = Clause(number=number, title=title.strip(),
                            parent=parent.number if parent else None, pdca=pdca,
                            guidance=[g.strip() for g in guidance],
                            evidence=[e.strip() for e in evidence],
                            note=note.strip(), flags=list(flags))
            out.append(clause)
            if kids:
                clause.children = walk(kids, clause)
            elif not 1 <= len(guidance) <= MAX_GUIDANCE:
                raise bad(f"leaf {label} needs 1 to {MAX_GUIDANCE} guidance questions, "
                          f"it has {len(guidance)}")
            elif not evidence:
                raise bad(f"leaf {label} lists no expected evidence")
            numbers.append(number)
        return numbers

    walk(roots, None)
    return Catalogue(name=data["name"].strip(), standard=data["standard"].strip(),
                     title=data.get("title", "").strip(),
                     version=data["catalogue_version"].strip(), clauses=out,
                     notice=data.get("notice", "").strip(), amendments=list(amendments))


def _str_list(value: Any, *, nonempty_items: bool = False) -> bool:
    if not isinstance(value, list):
        return False
    for v in value:
        if not isinstance(v, str) or (nonempty_items and not v.strip()):
            return False
    return True
