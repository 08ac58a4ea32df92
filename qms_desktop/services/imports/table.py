"""One spreadsheet reader for every import: an .xlsx workbook or a .csv file in, records out.

Registers kept by real teams are messy: a legend sheet before the register, a title merged
above the header, group headers ("Inherent" over two columns), one record spread over several
merged rows, derived columns (score, RPN, "w/o detection") beside the ratings, ratings written
as words, H/M/L, letters or percentages, template rows holding only formula residue, a
copyright or totals row at the bottom, several people in one cell. This module reads all of
that generically; an import (risks today; training, checklists, KPIs next) supplies a
:class:`Schema` — its fields, header synonyms, rating scales — and turns the records into its
own values.

Typical use::

    source = open_table(path, schema=SCHEMA)    # ImportFileError on a hostile or broken file
    choice = source.choose_sheet()              # skips legend sheets, best header wins
    headers = source.headers(choice.sheet, choice.header_row)
    mapping = guess_mapping(headers, source.sample_rows(choice.sheet, choice.header_row),
                            SCHEMA, sheet_name=choice.sheet)     # the user may edit it
    read = read_records(source, choice.sheet, choice.header_row, mapping)
    for record in read.records: ...             # read.skipped / read.notes say what was left out

No database and no Qt here. openpyxl is imported lazily (only when an .xlsx sheet is read).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import posixpath
import re
import struct
import warnings as _warnings
import zipfile
from xml.parsers import expat
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

# Generic text helpers that happen to live beside the risk rules (core is pure Python).
from qms_desktop.core.dates import MONTHS
from qms_desktop.core.risk import normalize_words, text_rating_to_number

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "Header",
    "HeaderForms",
    "ImportFileError",
    "RatingColumn",
    "RatingReader",
    "Record",
    "Schema",
    "SheetChoice",
    "SkippedRow",
    "StatedScale",
    "TableRead",
    "TableSource",
    "apply_column_overrides",
    "cell_name",
    "cell_text",
    "decimal_mark",
    "detect_decimal",
    "column_letter",
    "computed_columns",
    "guess_header_row",
    "guess_mapping",
    "header_forms",
    "is_placeholder",
    "norm_header",
    "open_table",
    "parse_column_overrides",
    "parse_date",
    "parse_number",
    "read_headers",
    "read_records",
    "rescale",
    "resolve_columns",
    "resolve_mapping",
    "split_people",
    "stated_scale",
    "stated_scales",
    "validate_mapping",
]


class ImportFileError(ValueError):
    """The file cannot be read as a table (wrong type, encrypted, damaged, too big)."""


DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Every part of an xlsx package is capped by the bytes it really inflates to (counted while
# streaming, never by the size its ZIP entry declares): ZIP bombs are refused before any of it
# is held in memory.
_MAX_SHEET_XML_BYTES = 256 * 1024 * 1024  # one worksheet's cell data
_MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # the texts of all cells
_MAX_PART_XML_BYTES = 16 * 1024 * 1024  # workbook, styles, relationships, properties, theme...
_MAX_OTHER_PART_BYTES = 256 * 1024 * 1024  # pictures and other parts an import never reads
_MAX_PACKAGE_BYTES = 1024 * 1024 * 1024  # all parts together
_INFLATE_CHUNK = 64 * 1024
# Counts capped while the parts stream past (bytes alone do not bound memory: a small part can
# describe millions of tiny entries, each an object once read). No register comes near these.
_MAX_CELL_FORMATS = 64_000  # entries of styles.xml's lists; Excel itself allows about 64,000
_MAX_STYLE_ELEMENTS = 200_000  # ...and the elements inside them (a font is eight elements)
_MAX_SHARED_STRINGS = 500_000  # distinct cell texts of the whole workbook
_MAX_WORKBOOK_ENTRIES = 100_000  # sheets, defined names... listed in workbook.xml
_MAX_SHEET_CELLS = 10_000_000  # cells (filled or only formatted) of the rows kept of one sheet
_MAX_COLUMNS = 512
_HEADER_SCAN_ROWS = 30
_SAMPLE_ROWS = 25
_HEADER_MAX_LENGTH = 80


# ============================================================================================
# Schema: what the caller (one import) tells the reader
# ============================================================================================

@dataclass(frozen=True)
class Schema:
    """The fields of one import and how to recognise them; data, not code, as far as possible.

    ``synonyms`` maps a normalised header phrase (see :func:`norm_header`) to the candidate
    fields, best first; a header matches only as a whole phrase (or with its bracketed part
    removed, or by its bracketed part alone). ``computed`` holds normalised headers of derived
    columns and ``computed_words`` words that mark one ("score", "RPN", "x" …): derived columns
    are never mapped onto a rating and never copied anywhere. ``ratings`` gives each rating
    field the top of its scale (1…top); ``inverted_percent`` names ratings where a percentage is
    the chance of the good outcome (a 100 % detection chance is the best, lowest detection
    rating). ``people`` are fields whose cells may name several people. ``key_fields`` identify
    a record, best first: a merged cell in that column spans one record (its rows are folded
    into it); merged cells elsewhere are group values, filled down. A data row with no value in
    any of ``content_fields`` is an empty template row. ``sheet_words`` are words of sheet names
    that hold such records (they outweigh "key", "legend" … in the same name).
    ``companion_sheets`` names sheets (compared without case and surrounding spaces) that the
    import reads beside the records, e.g. the treatment actions of an exported risk register:
    the sheet chooser never takes one of them for the records sheet (when the records sheet
    cannot be read, the import is refused rather than read from a companion), unless the
    workbook has nothing else.

    Hooks (all optional): ``context(forms, sheet_name)`` works out something about the whole
    header (e.g. "this is an FMEA"); ``matcher(forms, context, exact)`` may replace the
    whole-phrase result ``exact`` = (confidence, fields) for one header; ``value_checks`` tell
    whether a sample value fits a field (used to settle ambiguous headers).
    """

    fields: tuple[str, ...]
    labels: Mapping[str, str]
    synonyms: Mapping[str, tuple[str, ...]]
    computed: frozenset[str] = frozenset()
    computed_words: frozenset[str] = frozenset()
    ratings: Mapping[str, int] = field(default_factory=dict)
    inverted_percent: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    joinable: frozenset[str] = frozenset()
    key_fields: tuple[str, ...] = ()
    content_fields: frozenset[str] = frozenset()
    sheet_words: frozenset[str] = frozenset()
    companion_sheets: frozenset[str] = frozenset()
    context: Callable[[Sequence[HeaderForms], str], Any] | None = None
    matcher: Callable[[HeaderForms, Any, tuple[int, tuple[str, ...]]],
                      tuple[int, tuple[str, ...]]] | None = None
    value_checks: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def companion(self, sheet_name: str) -> bool:
        """True for a sheet read beside the records, never as them (``companion_sheets``)."""
        return sheet_name.strip().casefold() in {n.strip().casefold()
                                                 for n in self.companion_sheets}


def synonym_table(groups: Iterable[tuple[tuple[str, ...], Iterable[str]]]
                  ) -> dict[str, tuple[str, ...]]:
    """{normalised phrase: fields} from (fields, phrases) groups; the first group naming a
    phrase wins."""
    table: dict[str, tuple[str, ...]] = {}
    for fields_, phrases in groups:
        for phrase in phrases:
            table.setdefault(norm_header(phrase), tuple(fields_))
    return table


# ============================================================================================
# Text helpers
# ============================================================================================

def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)


@lru_cache(maxsize=8192)
def norm_header(text: str) -> str:
    """A header as compared: lower case, no accents, camelCase and snake_case split, "#" and
    "№" read as "no", punctuation to single spaces."""
    text = text.replace("#", " no ").replace("№", " no ")
    return normalize_words(_split_camel(text))


def cell_text(value: Any) -> str:
    """A cell value as text (dates in ISO form, 3.0 as "3")."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_name(row: int, column: int) -> str:
    """1-based row and column → "B7"."""
    return f"{column_letter(column - 1)}{row}"


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def is_blank(row: Sequence[Any]) -> bool:
    for value in row:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


_EXCEL_ERROR = re.compile(r"^#(?:VALUE!|REF!|DIV/0!|N/A|NAME\?|NUM!|NULL!|SPILL!|CALC!|"
                          r"GETTING_DATA|FIELD!|BLOCKED!|UNKNOWN!|BUSY!|CONNECT!)$")


def is_excel_error(value: Any) -> bool:
    """True for the texts Excel shows for a failed formula (#VALUE!, #REF!, #DIV/0!, #N/A …)."""
    return isinstance(value, str) and "#" in value[:3] and bool(_EXCEL_ERROR.match(value.strip()))


_PLACEHOLDER = re.compile(
    r"^(?:\[.*\]|<.*>|\{.*\}|\.{2,}|-+|–|—|\?+|n/?a|#n/?a|tbd|tbc|tba|todo|to ?do|"
    r"to be (?:confirmed|determined|defined|decided|assessed)|unknown|not (?:yet )?(?:rated|"
    r"assessed|known)|pending|nicht bewertet|unbekannt|k\.? ?a\.?|a definir|à définir|"
    r"a confirmer|à confirmer|inconnu|non évalué|non evalue|nc)$", re.IGNORECASE)
_PLACEHOLDER_WORD = re.compile(r"\b(?:todo|tbd|tbc|fixme|xxx)\b", re.IGNORECASE)


def is_placeholder(value: Any) -> bool:
    """True for texts that stand for "not filled in yet": "[TODO: confirm value]", "TBD",
    "n/a", "-", "?", "à définir" …"""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and (bool(_PLACEHOLDER.match(text)) or bool(_PLACEHOLDER_WORD.search(text))
                           and len(text) <= 60)


# Separators between people in one cell; "and"/"und"/"et" only after an acronym or a name of
# two words or more ("CISO and CFO", "Quality Manager and Buyer", not "Health and Safety").
_PEOPLE_SEPARATORS = re.compile(r"\s*(?:[,;/|\n]|\s\+\s)\s*")
_PEOPLE_AND = re.compile(r"\s+(?:and|und|et|&amp;)\s+", re.IGNORECASE)


def split_people(text: Any) -> list[str]:
    """The people named in one cell: "Anna, Ben / Carl; Dora" → [Anna, Ben, Carl, Dora]."""
    if text is None:
        return []
    out: list[str] = []
    for part in _PEOPLE_SEPARATORS.split(cell_text(text)):
        pieces = [part]
        match = _PEOPLE_AND.search(part)
        if match:
            left = part[:match.start()].strip()
            if len(left.split()) >= 2 or (left.isupper() and len(left) >= 2):
                pieces = [left] + [p for p in _PEOPLE_AND.split(part[match.end():])]
        for piece in pieces:
            piece = " ".join(piece.split()).strip(" .-–")
            if piece and piece.casefold() not in (p.casefold() for p in out):
                out.append(piece)
    return out


# ============================================================================================
# Headers
# ============================================================================================

class Header(str):
    """A header text as shown ("Residual Likelihood") that remembers its own cell text
    ("Likelihood") and the group header above it ("Residual")."""

    own: str
    group: str

    def __new__(cls, own: str, group: str = "") -> "Header":
        shown = f"{group} {own}" if group and own else own
        obj = super().__new__(cls, shown)
        obj.own = own
        obj.group = group
        return obj

    def __reduce__(self):  # copy/pickle keep the parts
        return (Header, (self.own, self.group))


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class HeaderForms:
    """The ways a header is compared: ``full`` (normalised own text), ``bare`` (without its
    bracketed parts, e.g. "Likelihood (H/M/L)" → "likelihood"), ``inner`` (the bracketed
    parts), ``group`` (the normalised group header above), ``percent`` ("%" in the text)."""

    text: str
    full: str
    bare: str
    inner: tuple[str, ...]
    group: str
    percent: bool
    formula: bool

    @property
    def tokens(self) -> list[str]:
        return self.full.split()

    @property
    def all_tokens(self) -> list[str]:
        return (self.group + " " + self.bare).split()


@lru_cache(maxsize=4096)
def _forms(own: str, group: str) -> HeaderForms:
    full = norm_header(own)
    inner = tuple(n for n in (norm_header(m[1:-1]) for m in _BRACKETS.findall(own)) if n)
    bare = norm_header(_BRACKETS.sub(" ", _strip_scale(own))) or full
    return HeaderForms(text=own, full=full, bare=bare, inner=inner, group=norm_header(group),
                       percent="%" in own, formula="=" in own)


def header_forms(header: Any) -> HeaderForms:
    if header is None:
        return _forms("", "")
    if isinstance(header, Header):
        return _forms(header.own, header.group)
    return _forms(cell_text(header), "")


# Words that make a column derived (a product, a score, a priority worked out from others).
_COMPUTED_WORDS = frozenset({
    "x", "implied", "rpn", "rpz", "npr", "ipr", "prio", "priority", "score", "product",
    "formula", "calculated", "computed", "ohne", "sans", "without", "automatic",
})


def _is_computed(forms: HeaderForms, schema: Schema) -> bool:
    if not forms.full:
        return False
    if forms.formula or forms.full in schema.computed or forms.bare in schema.computed:
        return True
    tokens = forms.tokens
    words = _COMPUTED_WORDS | schema.computed_words
    if words.intersection(tokens):
        return True
    text = " " + forms.full + " "
    return " w o " in text  # "w/o"


@dataclass(frozen=True)
class HeaderMatch:
    confidence: int  # 3 whole header, 2 a form of it, 1 a guess; 0 unknown
    fields: tuple[str, ...]
    computed: bool


_MATCHES: dict[int, dict[tuple[HeaderForms, Any], HeaderMatch]] = {}


def match_header(forms: HeaderForms, schema: Schema, context: Any = None) -> HeaderMatch:
    """What one header may hold: whole-phrase synonyms (the header, the header without its
    bracketed part, the bracketed part alone), then the schema's own rules; a derived column
    never gets a rating field."""
    cache = _MATCHES.setdefault(id(schema), {})
    key = (forms, context)
    found = cache.get(key)
    if found is None:
        if len(cache) > 20000:
            cache.clear()
        found = cache[key] = _match_header(forms, schema, context)
    return found


def _match_header(forms: HeaderForms, schema: Schema, context: Any) -> HeaderMatch:
    computed = _is_computed(forms, schema)
    if not forms.full:
        return HeaderMatch(0, (), False)
    syn = schema.synonyms
    exact: tuple[int, tuple[str, ...]] = (0, ())
    if forms.full in syn:
        exact = (3, syn[forms.full])
    elif computed:
        exact = (0, ())
    elif forms.bare in syn:
        exact = (3, syn[forms.bare])
    else:
        for inner in forms.inner:
            if inner in syn:
                exact = (2, syn[inner])
                break
    if schema.matcher is not None and not (computed and exact[0] == 0):
        exact = schema.matcher(forms, context, exact)
    confidence, fields_ = exact
    if computed:
        fields_ = tuple(f for f in fields_ if f not in schema.ratings)
    if not fields_:
        return HeaderMatch(0, (), computed)
    return HeaderMatch(confidence, fields_, computed and not fields_)


def _contexts(forms: Sequence[HeaderForms], schema: Schema, sheet_name: str) -> Any:
    return schema.context(forms, sheet_name) if schema.context is not None else None


def computed_columns(headers: Sequence[Any], schema: Schema) -> set[int]:
    """Indexes of derived columns (score, level, RPN, "w/o detection" …): never imported."""
    result = set()
    for index, header in enumerate(headers):
        forms = header_forms(header)
        if forms.full and _is_computed(forms, schema):
            if match_header(forms, schema).confidence == 0:
                result.add(index)
    return result


def guess_mapping(headers: Sequence[Any], sample_rows: Sequence[Sequence[Any]] | None = None,
                  schema: Schema | None = None, *, sheet_name: str = "") -> dict[int, str]:
    """Guess {column index (0-based): field} from the header texts.

    ``sample_rows`` (a few data rows) settle ambiguous headers: a column whose values do not
    fit a candidate field (see :meth:`RatingReader.fits`, dates, ``schema.value_checks``)
    gets the next candidate. Each field is used once, except ``schema.joinable`` ones.
    """
    if schema is None:
        raise TypeError("guess_mapping needs the import's schema")
    forms = [header_forms(h) for h in headers]
    context = _contexts(forms, schema, sheet_name)
    ranked = []
    for index, form in enumerate(forms):
        found = match_header(form, schema, context)
        if found.confidence:
            ranked.append((-found.confidence, index, found.fields))
    ranked.sort()
    taken: set[str] = set()
    mapping: dict[int, str] = {}
    for _, index, fields_ in ranked:
        samples: list[Any] = []
        if sample_rows:
            samples = [row[index] if index < len(row) else None for row in sample_rows]
        for candidate in fields_:
            if candidate in taken and candidate not in schema.joinable:
                continue
            if samples and not _fits_samples(candidate, samples, schema, forms[index]):
                continue
            mapping[index] = candidate
            taken.add(candidate)
            break
    return dict(sorted(mapping.items()))


def _fits_samples(name: str, samples: Sequence[Any], schema: Schema,
                  forms: HeaderForms) -> bool:
    values = [value for value in samples if _filled(value) and not is_excel_error(value)]
    if not values:
        return True
    if name in schema.ratings:
        return RatingReader(name, schema.ratings[name], values, percent_header=forms.percent,
                            inverted=name in schema.inverted_percent,
                            stated=stated_scale(forms.text)).fits(values)
    if name in schema.dates:
        good = 0
        for value in values:
            try:
                good += parse_date(value)[0] is not None
            except ValueError:
                pass
        return good * 2 >= len(values)
    check = schema.value_checks.get(name)
    if check is None:
        return True
    return sum(1 for value in values if check(value)) * 2 >= len(values)


def validate_mapping(mapping: Mapping[int, str], schema: Schema,
                     column_count: int | None = None) -> list[str]:
    """Problems with a (possibly user-edited) mapping, as user-facing sentences."""
    problems = []
    seen: dict[str, int] = {}
    for index, name in mapping.items():
        if not isinstance(index, int) or index < 0 or (
                column_count is not None and index >= column_count):
            problems.append(f"Column {index!r} does not exist in the sheet; remove it from the "
                            "mapping.")
            continue
        if name not in schema.fields:
            problems.append(f"Column {index + 1} is mapped to unknown field {name!r}; choose "
                            "one of the listed fields.")
            continue
        if name in seen and name not in schema.joinable:
            problems.append(f"{schema.label(name)} is mapped from columns {seen[name] + 1} and "
                            f"{index + 1}; keep only one of them.")
        seen.setdefault(name, index)
    return problems


#: what ``--map "Column=…"`` accepts for "this column is not imported" (not even into notes)
NOT_IMPORTED = ("-", "ignore")


def parse_column_overrides(specs: Iterable[str], headers: Sequence[Any],
                           schema: Schema, width: int | None = None) -> dict[int, str | None]:
    """{column index: field or None} from "Column=field" texts (``--map``). Column is a header
    text (any case), a column letter (A, AB) or a 1-based number within the sheet's ``width``
    (default: the header row's); field is a field name or its label, or "-" (or "ignore") for
    "not imported". ValueError with one sentence otherwise."""
    width = max(len(headers), width or 0)
    by_header: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header is None:
            continue
        for key in (" ".join(cell_text(header).split()).casefold(), norm_header(cell_text(header)),
                    norm_header(getattr(header, "own", "") or "")):
            if key:
                by_header.setdefault(key, index)
    by_field = {}
    for name in schema.fields:
        by_field[name.casefold()] = name
        by_field[norm_header(name)] = name
        by_field[norm_header(schema.label(name))] = name
    out: dict[int, str | None] = {}
    for spec in specs:
        if "=" not in spec:
            raise ValueError(f"--map “{spec}” must read Column=field, for example "
                             "“Problem=title”.")
        column, target = (part.strip() for part in spec.rsplit("=", 1))
        index = by_header.get(" ".join(column.split()).casefold(), by_header.get(
            norm_header(column)))
        by_position = False
        if index is None and re.fullmatch(r"[A-Za-z]{1,3}", column):
            index, by_position = _column_number(column) - 1, True
        if index is None and column.isdigit() and int(column) >= 1:
            index, by_position = int(column) - 1, True
        if index is None:
            shown = ", ".join(f"“{' '.join(cell_text(h).split())}”" for h in headers if h) \
                or "none"
            raise ValueError(f"--map “{spec}”: no column is called “{column}”; use a header "
                             f"({shown}), a column letter or a number.")
        if by_position and index >= width:
            last = column_letter(width - 1) if width else ""
            raise ValueError(f"--map “{spec}”: the sheet has no column {column.upper()}; its "
                             f"columns end at {last} (column {width})." if width else
                             f"--map “{spec}”: the sheet has no columns.")
        if target.casefold() in NOT_IMPORTED:
            out[index] = None
            continue
        name = by_field.get(target.casefold()) or by_field.get(norm_header(target))
        if name is None:
            raise ValueError(f"--map “{spec}”: unknown field “{target}”; use one of "
                             f"{', '.join(schema.fields)} (or “-” for not imported).")
        out[index] = name
    return out


def apply_column_overrides(mapping: Mapping[int, str], overrides: Mapping[int, str | None],
                           schema: Schema) -> dict[int, str]:
    """The mapping with the user's choices applied: a field given to a column is taken from
    any other column (unless several columns may feed it)."""
    result = dict(mapping)
    for index, name in overrides.items():
        if name is None:
            result.pop(index, None)
            continue
        if name not in schema.joinable:
            for other, other_name in list(result.items()):
                if other_name == name and other != index:
                    del result[other]
        result[index] = name
    return dict(sorted(result.items()))


def resolve_mapping(source: "TableSource", sheet: str | int | None, header_row: int | None,
                    schema: Schema, mapping: Mapping[int, str] | None = None,
                    column_map: Iterable[str] = ()) -> dict[int, str]:
    """The mapping an import uses: ``mapping`` (None: guessed from the chosen sheet's header
    and samples) with the user's "Column=field" choices applied."""
    return resolve_columns(source, sheet, header_row, schema, mapping, column_map)[0]


def resolve_columns(source: "TableSource", sheet: str | int | None, header_row: int | None,
                    schema: Schema, mapping: Mapping[int, str] | None = None,
                    column_map: Iterable[str] = ()) -> tuple[dict[int, str], set[int]]:
    """(mapping, the columns the user said are not imported at all): see resolve_mapping."""
    name = source._sheet_name(sheet)
    if header_row is None:
        header_row = source.guess_header_row(name)
    headers = source.headers(name, header_row)
    if mapping is None:
        mapping = guess_mapping(headers, source.sample_rows(name, header_row), schema,
                                sheet_name=name)
    width = 0  # up to the last column holding anything (rows may be padded with empty cells)
    for row in source.rows(name):
        for index in range(min(len(row), _MAX_COLUMNS) - 1, width - 1, -1):
            if _filled(row[index]):
                width = index + 1
                break
    overrides = parse_column_overrides(column_map, headers, schema, width)
    ignored = {index for index, name_ in overrides.items() if name_ is None}
    return apply_column_overrides(mapping, overrides, schema), ignored


# ============================================================================================
# Header rows, title and footer rows, sheets
# ============================================================================================

def _banner(merged_range: tuple[int, int, int, int], used: tuple[int, int]) -> bool:
    """A merged range spanning (nearly) the whole table is a title or footer banner, never a
    group header."""
    _, c1, _, c2 = merged_range
    first, last = used
    width = max(1, last - first + 1)
    return (min(c2, last) - max(c1, first) + 1) >= 0.8 * width


def read_headers(rows: Sequence[Sequence[Any]], header_row: int,
                 merged: Sequence[tuple[int, int, int, int]] = ()) -> list[Header]:
    """Header texts of ``header_row`` (1-based). A header cell merged down from the row above
    ("ID" over two rows) reads its value; under a group header merged across some columns
    ("Residual" over two) the group is kept with each header ("Residual Likelihood"). A title
    merged across the whole table is never glued onto the headers."""
    if header_row < 1 or header_row > max(len(rows), 1):
        raise ValueError(f"Row {header_row} is outside the sheet; choose a row from 1 to "
                         f"{len(rows)}.")
    row = rows[header_row - 1] if rows else ()
    own = ["" if value is None else cell_text(value).strip() for value in row]
    width = len(own)
    for first_row, first_col, last_row, last_col in merged:
        if first_row < header_row <= last_row:
            # a header spanning several rows: its text is in the top-left cell
            top = rows[first_row - 1] if first_row - 1 < len(rows) else ()
            value = top[first_col - 1] if first_col - 1 < len(top) else None
            if value is not None and first_col - 1 < _MAX_COLUMNS:
                if len(own) < first_col:
                    own.extend([""] * (first_col - len(own)))
                if not own[first_col - 1]:
                    own[first_col - 1] = cell_text(value).strip()
    width = len(own)
    used_cols = [i + 1 for i, text in enumerate(own) if text]
    used = (used_cols[0], used_cols[-1]) if used_cols else (1, max(width, 1))
    groups = [""] * width
    for merged_range in merged:
        first_row, first_col, last_row, last_col = merged_range
        if last_row != header_row - 1 or last_col <= first_col or _banner(merged_range, used):
            continue
        group_row = rows[first_row - 1] if first_row - 1 < len(rows) else ()
        group = group_row[first_col - 1] if first_col - 1 < len(group_row) else None
        group = "" if group is None else cell_text(group).strip()
        if not group:
            continue
        for col in range(first_col, min(last_col, width) + 1):
            text = own[col - 1]
            if text and normalize_words(text) != normalize_words(group):
                groups[col - 1] = group
    return [Header(text, group) for text, group in zip(own, groups)]


def _text_count(row: Sequence[Any]) -> int:
    return sum(1 for value in row if isinstance(value, str) and value.strip())


def guess_header_row(rows: Sequence[Sequence[Any]], merged: Sequence[tuple[int, int, int, int]]
                     = (), schema: Schema | None = None, *, sheet_name: str = "") -> int:
    """1-based number of the row (among the first 30) whose headers match most fields."""
    return _best_header(rows, merged, schema, sheet_name)[0]


def _best_header(rows: Sequence[Sequence[Any]], merged: Sequence[tuple[int, int, int, int]],
                 schema: Schema | None, sheet_name: str) -> tuple[int, int]:
    best, best_score = 0, 0
    first_texty = 0
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        texts = _text_count(row)
        if texts >= 2 and not first_texty:
            first_texty = index + 1
        if schema is None:
            continue
        headers = read_headers(rows, index + 1, merged)
        if sum(1 for h in headers if h) < 2:
            continue  # a title row or a lone note
        # Headers are short texts: long sentences and numbers are data, not headers.
        headers = [h if len(h.own) <= _HEADER_MAX_LENGTH else Header("") for h in headers]
        recognised = len(set(guess_mapping(headers, None, schema,
                                           sheet_name=sheet_name).values()))
        if recognised >= 2 and recognised > best_score:
            best, best_score = index + 1, recognised
    return (best or first_texty or 1), best_score


_FOOTER_ANY = re.compile(r"©|^\(c\)\s|^copyright\s*(?:©|\(c\)|\d{4})|all rights reserved",
                         re.IGNORECASE)
_FOOTER_TOTALS = re.compile(
    r"^(?:grand\s+)?(?:totals?|sum|sums|subtotal|sub-total|summe|gesamt|gesamtsumme|"
    r"zwischensumme|total g[ée]n[ée]ral|sous[- ]total)\s*:?$", re.IGNORECASE)
_FOOTER_MARKER = re.compile(
    r"^(?:\(?\*+\)?|references?\s*:?|r[ée]f[ée]rences\s*:|sources?\s*:|quellen\s*:|"
    r"footnotes?\s*:?|notes?\s*:|anmerkungen\s*:|legend\s*:?|l[ée]gende\s*:?|key\s*:|"
    r"end of (?:the )?(?:register|table|list)|(?:prepared|approved|reviewed|checked|signed|"
    r"issued|erstellt|gepr[üu]ft|freigegeben|établi|valid[ée]) (?:by|von|par)\b.*|"
    r"page \d+ (?:of|/) \d+|printed on\b.*)$", re.IGNORECASE)


def footer_text(row: Sequence[Any]) -> str | None:
    """The text that makes ``row`` a footer (copyright, totals, references, a footnote, a
    signature block), or None. Footer rows are never data, nor is anything below them."""
    cells: list[str] = []
    for value in row:  # only the first few cells matter; rows are often wide
        if value is None:
            continue
        if value.__class__ is str:
            text = value.strip()
            if not text:
                continue
        else:
            text = cell_text(value)
        cells.append(text)
        if len(cells) > 3:
            break
    if not cells:
        return None
    first = cells[0]
    if _FOOTER_ANY.search(first):
        return first
    for text in cells[:2]:
        if _FOOTER_TOTALS.match(text):
            return text
    if len(cells) <= 3:
        for text in cells[:2]:
            if _FOOTER_MARKER.match(text):
                return " ".join(cells)
    return None


def _is_residue(row: Sequence[Any]) -> bool:
    """Only Excel errors (#VALUE! …) and blanks: what a template row's formulas leave."""
    error = False
    for value in row:
        if not _filled(value):
            continue
        if is_excel_error(value):
            error = True
            continue
        return False
    return error


_LEGEND_WORDS = frozenset({
    "legend", "legende", "key", "keys", "instruction", "instructions", "anleitung",
    "hinweise", "lookup", "lookups", "dropdown", "dropdowns", "help", "hilfe", "aide", "readme",
    "about", "cover", "guide", "guidance", "definitions", "definition", "scales", "scale",
    "criteria", "kriterien", "criteres", "matrix", "heatmap", "heat", "info", "information",
    "changelog", "version", "versions", "settings", "parameters", "parametres", "config",
    "configuration", "validation", "codes", "notes", "bareme", "explications", "lists",
    "listes", "listen", "options", "chart", "charts", "dashboard", "summary",
})
_TABLE_WORDS = frozenset({"register", "log", "data", "table", "records", "register"})


def legend_sheet(name: str, schema: Schema | None = None) -> bool:
    """True for a sheet that, by its name, holds a legend, key, instructions or lookup lists
    rather than records ("Key", "Legend", "Instructions", "Lookup lists", "Heat map")."""
    tokens = set(normalize_words(name).split())
    if not tokens & _LEGEND_WORDS:
        return False
    wanted = _TABLE_WORDS | (schema.sheet_words if schema else frozenset())
    return not tokens & wanted


@dataclass(frozen=True)
class SheetChoice:
    """The sheet an import reads, its header row, and why the other sheets were passed over."""

    sheet: str
    header_row: int
    score: int
    passed_over: tuple[tuple[str, str], ...] = ()

    def note(self) -> str:
        if not self.passed_over:
            return ""
        return "Other sheets not read: " + "; ".join(
            f"“{name}” ({why})" for name, why in self.passed_over) + "."


# ============================================================================================
# Ratings
# ============================================================================================

_TEN_POINT = {1: 1, 2: 3, 3: 5, 4: 7, 5: 9}
_HML = {"vl": 1, "l": 2, "lo": 2, "m": 3, "med": 3, "mid": 3, "h": 4, "hi": 4, "vh": 5,
        "eh": 5, "el": 1, "n": 1}
_LETTERS = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|\bto\b|\bbis\b|\bà\b|\ba\b|>)\s*(.+)$", re.IGNORECASE)
_NUMBER_TEXT = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(%?)\s*$")


# A rating scale stated by the sheet itself, in a rating header ("Severity (1-6)", "Impact
# 1 to 5", "Likelihood /6") or in the cell just above it ("(1 - 6)", "Scale 1-3").
_SCALE_WORD = r"(?:scale|rating|rated|range|skala|bewertung|[ée]chelle|note|cotation)"
_SCALE_SEP = r"\s*(?:-|–|—|\.\.|\bto\b|\bbis\b|\bà\b)\s*"
_SCALE_NUMBERS = re.compile(rf"^(?:{_SCALE_WORD}\s*:?\s*)?(?:from\s+|von\s+|de\s+)?"
                            rf"(\d{{1,4}}){_SCALE_SEP}(\d{{1,4}})$", re.IGNORECASE)
_SCALE_OUT_OF = re.compile(rf"^(?:{_SCALE_WORD}\s*:?\s*)?(?:/|out of\s+|sur\s+|von\s+)"
                           r"(\d{1,4})$", re.IGNORECASE)
_SCALE_LETTERS = re.compile(rf"^(?:{_SCALE_WORD}\s*:?\s*)?([A-Za-z]){_SCALE_SEP}([A-Za-z])$",
                            re.IGNORECASE)
# inside a longer header: "Severity 1-6", "Severity scale 1 to 5", "Severity /6"
_SCALE_TAIL = re.compile(rf"(?:(?<=\s)|^)((?:{_SCALE_WORD}\s*:?\s*)?(?:\d{{1,4}}{_SCALE_SEP}"
                         r"\d{1,4}|/\s*\d{1,4}))\s*$", re.IGNORECASE)
_SCALE_PARTS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")


@dataclass(frozen=True)
class StatedScale:
    """A scale the sheet states for a column: ``low``–``high`` (numbers; ``high`` < ``low``
    for a scale written from high to low) or ``letters`` ("A", "E"); ``text`` as written and
    ``where`` ("in its header" or "above its header")."""

    text: str
    low: int | None = None
    high: int | None = None
    letters: tuple[str, str] | None = None
    where: str = "in its header"

    def shown(self) -> str:
        if self.letters:
            return f"{self.letters[0]}–{self.letters[1]}"
        return f"{self.low}–{self.high}"

    def convertible(self) -> bool:
        """True when numbers on this scale can be put on ours (low below high, at most
        1000 steps); letter scales other than A–E are not converted."""
        if self.letters:
            return self.letters == ("A", "E")
        return self.low is not None and self.high is not None and \
            0 <= self.low < self.high <= 1000


def _scale_of(text: str, where: str) -> StatedScale | None:
    inner = " ".join(text.split()).strip(" :;,.")
    match = _SCALE_NUMBERS.match(inner)
    if match:
        return StatedScale(text.strip(), int(match[1]), int(match[2]), where=where)
    match = _SCALE_OUT_OF.match(inner)
    if match:
        return StatedScale(text.strip(), 1, int(match[1]), where=where)
    match = _SCALE_LETTERS.match(inner)
    if match and match[1].isupper() == match[2].isupper():
        return StatedScale(text.strip(), letters=(match[1].upper(), match[2].upper()),
                           where=where)
    return None


def stated_scale(text: Any, *, whole: bool = False) -> StatedScale | None:
    """The scale a text states: with ``whole`` the text is nothing but the scale ("(1 - 6)",
    "Scale 1-3", "1 to 5", "/6", "(A - E)", a cell above a header); otherwise it is a header
    that may carry one in brackets or at its end ("Severity (1-6)", "Impact 1 to 5",
    "Likelihood /6"). Percentages ("0-100 %") are not scales. None when there is none."""
    if text is None or not isinstance(text, str) or "%" in text or not text.strip():
        return None
    if whole:
        inner = text.strip()
        while inner[:1] in "([" and inner[-1:] in ")]":
            inner = inner[1:-1].strip()
        return _scale_of(inner, "above its header")
    for match in _SCALE_PARTS.finditer(text):
        found = _scale_of(match[1] if match[1] is not None else match[2], "in its header")
        if found is not None:
            return StatedScale(match[0], found.low, found.high, found.letters, found.where)
    match = _SCALE_TAIL.search(_SCALE_PARTS.sub(" ", text).strip())
    if match:
        found = _scale_of(match[1], "in its header")
        if found is not None and found.letters is None:
            return found
    return None


def _strip_scale(text: str) -> str:
    """A header without the scale written at its end ("Severity 1-6" → "Severity")."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    match = _SCALE_TAIL.search(text)
    if match and match.start() > 0 and _scale_of(match[1], "") is not None:
        return text[:match.start()]
    return text


def rescale(value: float, low: int, high: int, top: int) -> int:
    """``value`` on the scale ``low``–``high`` put on 1–``top``, ends onto ends, in between
    in proportion (halves round up)."""
    position = (value - low) / (high - low)
    return max(1, min(top, math.floor(1 + position * (top - 1) + 0.5)))


@dataclass
class RatingEntry:
    number: int | None
    count: int
    how: str


@dataclass
class RatingColumn:
    """How one rating column was read: the rule and every non-numeric text with the number it
    became (the table a preview shows, and the user may change)."""

    column: int
    header: str
    field: str
    scale: int
    mode: str  # "numbers", "percent", "fraction", "scaled" (the sheet's own scale, converted)
    inverted: bool
    entries: dict[str, RatingEntry] = field(default_factory=dict)
    stated: StatedScale | None = None
    #: "" or what is wrong with the column's numbers: "above" (values above our scale, none
    #: stated), "above stated" (values outside the stated scale), "unconvertible" (a stated
    #: scale that cannot be put on ours)
    problem: str = ""
    highest: float | None = None

    def conversion(self) -> str:
        """"1→1, 2→3, …, 6→10" for a converted scale ("" otherwise)."""
        stated = self.stated
        if self.mode != "scaled" or stated is None or stated.high - stated.low > 20:
            return ""
        return ", ".join(f"{n}→{rescale(n, stated.low, stated.high, self.scale)}"
                         for n in range(stated.low, stated.high + 1))

    def rule(self) -> str:
        if self.mode == "scaled" and self.stated is not None:
            return (f"the sheet's own scale {self.stated.shown()} put on 1–{self.scale}: "
                    f"{self.stated.low} reads as 1, {self.stated.high} as {self.scale}")
        if self.mode in ("percent", "fraction"):
            if self.inverted:
                return (f"percentages are a chance of the good outcome: 100 % reads as 1, "
                        f"0 % as {self.scale}")
            return f"percentages: 0–100 % read as 1–{self.scale}"
        return f"words and letters read as 1–{self.scale}"

    def note(self) -> str:
        """One sentence on the column's scale for the report ("" when there is nothing to
        say): a converted scale, or numbers that do not fit."""
        name = f"Column {column_letter(self.column)} “{' '.join(self.header.split())}”"
        stated = self.stated
        highest = "" if self.highest is None else cell_text(self.highest)
        if self.problem == "unconvertible" and stated is not None:
            return (f"{name} states its own scale “{stated.text}”, which cannot be converted to "
                    f"our 1–{self.scale} scale; its values are read as they are, so check "
                    "them.")
        if self.problem == "above stated" and stated is not None:
            return (f"{name} states the scale {stated.shown()} but holds values up to "
                    f"{highest}; the rows with a value outside {stated.shown()} cannot be "
                    "imported until the value or the scale is corrected.")
        if self.problem == "above":
            return (f"{name} holds values up to {highest}, above our 1–{self.scale} scale, so "
                    f"those rows cannot be imported; write the sheet's scale into the header "
                    f"(for example “{' '.join(self.header.split())} (1-{highest})”) to have "
                    "its values converted.")
        if self.mode == "scaled" and stated is not None:
            return (f"{name} uses the sheet's own scale {stated.shown()} (stated "
                    f"{stated.where}); its values were converted to our 1–{self.scale} scale"
                    + (f": {self.conversion()}." if self.conversion() else "."))
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {"column": column_letter(self.column), "header": self.header,
                "field": self.field, "scale": self.scale, "rule": self.rule(),
                "stated_scale": self.stated.shown() if self.stated else "",
                "conversion": self.conversion(), "note": self.note(),
                "values": [{"text": text, "number": entry.number, "rows": entry.count,
                            "how": entry.how} for text, entry in self.entries.items()]}


def _scaled(level: int, scale: int) -> int:
    """A level 1–5 on ``scale``."""
    if scale == 5:
        return level
    if scale == 10:
        return _TEN_POINT[level]
    return max(1, min(scale, math.ceil(level * scale / 5)))


class RatingReader:
    """Reads one rating column: whole numbers 1…scale as they are; words ("Very High",
    "faible", "sehr hoch"), H/M/L, letters A–E (A lowest), ranges ("M to H": the upper
    middle) and percentages (a column of 0–100 with values above the scale, or a header or cell
    with "%") become numbers, each recorded in :attr:`column` with its count. Placeholders
    ("TBD", "[TODO …]") read as no rating."""

    def __init__(self, name: str, scale: int, values: Iterable[Any] = (), *,
                 column: int = -1, header: str = "", percent_header: bool = False,
                 inverted: bool = False, overrides: Mapping[str, int] | None = None,
                 stated: StatedScale | None = None) -> None:
        self.scale = scale
        self.overrides = dict(overrides or {})
        mode = "numbers"
        numbers = []
        for value in values:
            kind = value.__class__
            if kind is int or kind is float:
                numbers.append(value)
            elif kind is str:
                if value[:1].isalpha():
                    continue  # a word: no number in it
                match = _NUMBER_TEXT.match(value)
                if match:
                    if match[2]:
                        mode = "percent"
                    numbers.append(float(match[1].replace(",", ".")))
            elif kind is not bool and isinstance(value, (int, float)):
                numbers.append(float(value))
        problem = ""
        numeric_scale = stated is not None and stated.letters is None
        if stated is not None and not stated.convertible():
            problem = "unconvertible"
        elif numeric_scale and (stated.low, stated.high) != (1, scale) and \
                mode == "numbers" and not percent_header:
            mode = "scaled"
        if numbers and mode == "numbers":
            low, high = min(numbers), max(numbers)
            if percent_header and 0 <= low and high <= 1:
                mode = "fraction"
            elif (percent_header or high > max(scale, 10) and not numeric_scale) and \
                    0 <= low and high <= 100:
                mode = "percent"
        elif percent_header and not numbers:
            mode = "percent"
        highest = max(numbers) if numbers else None
        if highest is not None and not problem:
            if mode == "scaled" and (highest > stated.high or min(numbers) < stated.low):
                problem = "above stated"
            elif mode == "numbers" and highest > scale:
                problem = "above stated" if numeric_scale else "above"
        self.column = RatingColumn(column, header, name, scale, mode,
                                   inverted and mode not in ("numbers", "scaled"),
                                   stated=stated, problem=problem, highest=highest)

    # -- reading ---------------------------------------------------------------------------
    def _percent(self, pct: float) -> int:
        pct = min(100.0, max(0.0, pct))
        number = max(1, min(self.scale, math.ceil(pct * self.scale / 100 - 1e-9)))
        if self.column.inverted:
            number = self.scale + 1 - number
        return number

    def _note(self, text: str, number: int | None, how: str) -> None:
        entry = self.column.entries.get(text)
        if entry is None:
            self.column.entries[text] = RatingEntry(number, 1, how)
        else:
            entry.count += 1

    def _level(self, text: str) -> int | None:
        """A level 1–5 for a word, an H/M/L code or a letter; None when unknown."""
        key = re.sub(r"[\s.]", "", text).lower()
        if key in _HML:
            return _HML[key]
        if key in _LETTERS:
            return _LETTERS[key]
        return text_rating_to_number(text, 5)

    def read(self, value: Any) -> tuple[int | None, str | None]:
        """(number, problem): problem is None, "placeholder" or "unreadable"."""
        if value is None:
            return None, None
        scale = self.scale
        mode = self.column.mode
        if type(value) is int and mode == "numbers":  # fast path
            return (value, None) if 1 <= value <= scale else (None, "unreadable")
        if isinstance(value, bool):
            return None, "unreadable"
        if mode == "scaled" and (isinstance(value, (int, float)) or _NUMBER_TEXT.match(
                cell_text(value)) and "%" not in cell_text(value)):
            return self._scaled_number(value)
        if isinstance(value, (int, float)):
            if mode == "fraction":
                number = self._percent(float(value) * 100)
                self._note(cell_text(value), number, "percent")
                return number, None
            if mode == "percent":
                number = self._percent(float(value))
                self._note(cell_text(value), number, "percent")
                return number, None
            if float(value).is_integer() and 1 <= value <= scale:
                return int(value), None
            return None, "unreadable"
        text = cell_text(value).strip()
        if not text:
            return None, None
        if text in self.overrides:
            number = self.overrides[text]
            self._note(text, number, "your choice")
            return number, None
        match = _NUMBER_TEXT.match(text)
        if match:
            number_value = float(match[1].replace(",", "."))
            if match[2] or mode == "percent":
                number = self._percent(number_value)
                self._note(text, number, "percent")
                return number, None
            if mode == "fraction":
                number = self._percent(number_value * 100)
                self._note(text, number, "percent")
                return number, None
            if number_value.is_integer() and 1 <= number_value <= scale:
                return int(number_value), None
            return None, "unreadable"
        if scale in (5, 10):
            number = text_rating_to_number(text, scale)
            if number is not None:
                self._note(text, number, "word" if not text[:1].isdigit() else "number")
                return number, None
        level = self._level(text)
        how = "letter" if re.sub(r"[\s.]", "", text).lower() in _LETTERS else "H/M/L"
        if level is None:
            match = _RANGE.match(text)
            if match:
                low, high = self._level(match[1]), self._level(match[2])
                if low is not None and high is not None:
                    number = math.ceil((_scaled(low, scale) + _scaled(high, scale)) / 2)
                    self._note(text, number, "range")
                    return number, None
            if is_placeholder(text):
                self._note(text, None, "placeholder")
                return None, "placeholder"
            self._note(text, None, "unreadable")
            return None, "unreadable"
        number = _scaled(level, scale)
        self._note(text, number, how)
        return number, None

    def _scaled_number(self, value: Any) -> tuple[int | None, str | None]:
        """A number on the sheet's own scale, put on ours."""
        text = cell_text(value).strip()
        if text in self.overrides:
            number = self.overrides[text]
            self._note(text, number, "your choice")
            return number, None
        stated = self.column.stated
        number_value = float(value) if isinstance(value, (int, float)) else float(
            _NUMBER_TEXT.match(text)[1].replace(",", "."))
        if not stated.low <= number_value <= stated.high:
            return None, "unreadable"
        number = rescale(number_value, stated.low, stated.high, self.scale)
        self._note(text, number, "scale")
        return number, None

    def fits(self, values: Iterable[Any]) -> bool:
        """True when at least half the (non-placeholder) values read as ratings."""
        saved = dict(self.column.entries)
        good = total = 0
        for value in values:
            number, problem = self.read(value)
            if problem == "placeholder":
                continue
            total += 1
            good += number is not None
        self.column.entries = saved
        return total == 0 or good * 2 >= total


# ============================================================================================
# Dates
# ============================================================================================

#: month names in English, German and French (one table for every reader of dates)
_MONTHS = MONTHS

_ISO_DATE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\.?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_WORD_DATE_DMY = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})$")
_WORD_DATE_MDY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)


def _from_serial(serial: float, date1904: bool) -> dt.date:
    if not 1 <= serial < 2958466:
        raise ValueError(f"{serial:g} is outside the range of Excel dates")
    epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH_1900
    return epoch + dt.timedelta(days=int(serial))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_date(value: Any, *, dayfirst: bool = True,
               date1904: bool = False) -> tuple[dt.date | None, str | None]:
    """(date, warning) from a cell value; (None, None) when empty; ValueError if unreadable.

    Reads date/datetime objects, Excel serial numbers, ISO text ("2026-01-13", with or
    without a time), "13/01/2026", "13.01.2026", "13-01-26", "20260113", "13 Jan 2026",
    "13. Januar 2026", "13 janvier 2026" and "January 13, 2026". Slashed dates are read day
    first unless ``dayfirst`` is False or the day/month order is unambiguous.
    """
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, (int, float)):
        return _from_serial(float(value), date1904), None
    text = str(value).strip()
    if not text:
        return None, None
    match = _ISO_DATE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), None
    match = _NUMERIC_DATE.match(text)
    if match:
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        warning = None
        if first > 12 and second <= 12:
            day, month = first, second
        elif second > 12 and first <= 12:
            day, month = second, first
            if dayfirst:
                warning = f"'{text}' was read as month/day/year."
        elif dayfirst:
            day, month = first, second
        else:
            day, month = second, first
        return dt.date(year, month, day), warning
    match = _COMPACT_DATE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), None
    if _SERIAL.match(text):
        return (_from_serial(float(text), date1904),
                f"'{text}' was read as an Excel date serial number.")
    words = normalize_words(text)
    match = _WORD_DATE_DMY.match(words)
    if match and match[2] in _MONTHS:
        return dt.date(int(match[3]), _MONTHS[match[2]], int(match[1])), None
    match = _WORD_DATE_MDY.match(words)
    if match and match[1] in _MONTHS:
        return dt.date(int(match[3]), _MONTHS[match[1]], int(match[2])), None
    raise ValueError(f"'{text}' is not a date")



# ============================================================================================
# Numbers
# ============================================================================================

#: spaces that separate thousands ("12 345,6"): space, no-break space, narrow no-break space,
#: thin space, and the apostrophe of Swiss numbers (1'234.5)
_GROUP_SPACES = " \u00a0\u202f\u2009'’"
_NUMBER_SHAPE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*(?:[.,]\d*)?|[.,]\d+)$")


def _number_body(value: Any) -> tuple[str, str] | None:
    """(sign and digits with "." and "," as written, the text shown) or None when not a
    number's shape."""
    shown = " ".join(str(value).split())
    text = shown.replace("\u2212", "-").replace("%", "").strip()
    for ch in _GROUP_SPACES:
        text = text.replace(ch, "")
    if not text or not _NUMBER_SHAPE.match(text):
        return None
    return text, shown


def decimal_mark(value: Any) -> str | None:
    """The decimal mark a number written as text shows for sure: "." ("95.3", "1,234.5"),
    "," ("95,3", "1.234,5"), or None (whole numbers, and "1,234" / "1.234", which could be
    either)."""
    if isinstance(value, (int, float)) or value is None:
        return None
    body = _number_body(value)
    if body is None:
        return None
    digits = body[0].lstrip("+-")
    if "." in digits and "," in digits:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    for mark in ".,":
        if mark in digits:
            if digits.count(mark) > 1:  # "1.234.567": that mark groups thousands
                return "," if mark == "." else "."
            whole, _, part = digits.partition(mark)
            if len(part) != 3 or not whole or whole == "0" or whole.lstrip("+-") == "":
                return mark
            return None
    return None


def detect_decimal(values: Iterable[Any]) -> str | None:
    """The decimal mark of a column of numbers written as text: the one its values show for
    sure (see :func:`decimal_mark`), or None when none shows it or both are seen."""
    seen = {mark for mark in map(decimal_mark, values) if mark is not None}
    return seen.pop() if len(seen) == 1 else None


def _grouped_well(digits: str, mark: str) -> bool:
    """True when ``digits`` read with decimal ``mark`` has one decimal mark at most, no
    thousands separator after it, and groups of exactly three digits after each separator
    ("1,234.5", "1.234.567"; not "95.3.2", "1,23" with a decimal point, "1.2.3")."""
    group = "," if mark == "." else "."
    if digits.count(mark) > 1:
        return False
    whole, _, part = digits.partition(mark)
    if group in part:
        return False
    if group not in whole:
        return True
    first, *rest = whole.split(group)
    return 1 <= len(first) <= 3 and all(len(g) == 3 for g in rest)


def parse_number(value: Any, *, decimal: str | None = None) -> float | None:
    """A number from a cell value: None when empty; ValueError with a sentence otherwise.

    Reads numbers (not booleans) and text written either way — "1,234.5", "1.234,5",
    "95,3 %", "12 345,6", "−3.5" (a trailing "%" is dropped: 95 % is 95). A thousands
    separator is followed by exactly three digits: "95.3.2", "1.2.3" and (in a column with a
    decimal point) "1,23" are refused, never read as 9532. "1,234" and "1.234"
    could be a thousand or a decimal; they are read with ``decimal`` (the column's mark, see
    :func:`detect_decimal`) and refused without one. Infinity and NaN are refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"“{value}” is not a number.")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        if not str(value).strip():
            return None
        body = _number_body(value)
        if body is None:
            raise ValueError(f"“{' '.join(str(value).split())}” is not a number.")
        text, shown = body
        sign = -1.0 if text.startswith("-") else 1.0
        digits = text.lstrip("+-")
        mark = decimal_mark(digits)
        if decimal in (".", ",") and mark not in (None, decimal) and \
                not ("." in digits and "," in digits) and digits.count(mark) == 1 and \
                not digits.startswith(mark):
            mark = decimal  # one "," in a column written "95.3": a thousands separator
        if mark is None and ("." in digits or "," in digits):
            # "1,234" / "1.234": a thousands separator or a decimal mark?
            if decimal not in (".", ","):
                whole, _, part = digits.replace(",", ".").partition(".")
                raise ValueError(f"“{shown}” is ambiguous: {whole}{part} or {whole} point "
                                 f"{part}? Nothing else shows the decimal mark, so write it "
                                 f"without a thousands separator, or with one more decimal "
                                 f"(“{shown}0”).")
            mark = decimal
        if mark is not None and not _grouped_well(digits, mark):
            raise ValueError(f"“{shown}” is not a number: a thousands separator is followed "
                             f"by exactly three digits (“1,234.5”).")
        if mark == ",":
            digits = digits.replace(".", "").replace(",", ".")
        else:
            digits = digits.replace(",", "")
        if digits.count(".") > 1:
            raise ValueError(f"“{shown}” is not a number.")
        number = sign * float(digits)
    if not math.isfinite(number):
        raise ValueError(f"“{value}” is not a finite number.")
    return number


# ============================================================================================
# Reading files
# ============================================================================================

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class _SheetData:
    #: the rows as in the file: a merged range's value is in its top-left cell only
    rows: list[Sequence[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    no_value_formulas: set[tuple[int, int]] = field(default_factory=set)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)


class TableSource:
    """An opened .xlsx workbook or .csv file. Sheets are read on demand and cached.

    Attributes: ``path``, ``format`` ("xlsx" or "csv"), ``sheets`` (names, in workbook
    order; a CSV has one sheet named after the file), ``hidden_sheets``, ``encoding`` and
    ``delimiter`` (CSV), ``date1904`` (xlsx date system), ``schema`` (the import's
    :class:`Schema`, used to find header rows and sheets), ``fill_merged`` (False reads merged
    cells as they are, without filling group values down or folding grouped records).
    """

    def __init__(self, path: Path, fmt: str, sheets: list[str], *, max_rows: int,
                 fill_merged: bool = True, schema: Schema | None = None) -> None:
        self.path = path
        self.format = fmt
        self.sheets = sheets
        self.max_rows = max_rows
        self.fill_merged = fill_merged
        self.schema = schema
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.date1904 = False
        self.hidden_sheets: set[str] = set()
        self.notes: list[str] = []
        #: warnings about single rows found while reading the file (row number -> sentences),
        #: e.g. a CSV row in another text encoding than the rest
        self.row_notes: dict[int, list[str]] = {}
        self._sheet_paths: dict[str, str] = {}
        self._cache: dict[str, _SheetData] = {}
        self._choice: SheetChoice | None = None

    def __repr__(self) -> str:
        return f"TableSource({str(self.path)!r}, format={self.format!r}, sheets={self.sheets!r})"

    # -- sheets --------------------------------------------------------------------------
    def _sheet_name(self, sheet: str | int | None) -> str:
        if sheet is None:
            if self.schema is not None:
                return self.choose_sheet().sheet
            visible = [name for name in self.sheets if name not in self.hidden_sheets]
            return (visible or self.sheets)[0]
        if isinstance(sheet, int):
            try:
                return self.sheets[sheet]
            except IndexError:
                raise ValueError(f"The file has {len(self.sheets)} sheet(s); sheet number "
                                 f"{sheet + 1} does not exist.") from None
        if sheet not in self.sheets:
            raise ValueError(f"The file has no sheet named {sheet!r}; choose one of: "
                             f"{', '.join(self.sheets)}.")
        return sheet

    def _data(self, sheet: str | int | None) -> _SheetData:
        name = self._sheet_name(sheet)
        data = self._cache.get(name)
        if data is None:
            if self.format == "csv":
                raise AssertionError("CSV data is loaded when the file is opened")
            data = _read_xlsx_sheet(self, name)
            self._cache[name] = data
        return data

    def choose_sheet(self) -> SheetChoice:
        """The sheet holding the records: legend, key, instruction and lookup sheets are
        passed over, empty ones too; of the rest, the one whose header matches most fields
        (the first on a tie; visible sheets before hidden ones). The schema's companion
        sheets are never chosen while the workbook has another sheet."""
        if self._choice is not None:
            return self._choice
        if len(self.sheets) == 1 or self.schema is None:
            name = self.sheets[0] if len(self.sheets) == 1 else self._sheet_name(None)
            header_row = self.guess_header_row(name)
            self._choice = SheetChoice(name, header_row, 0)
            return self._choice
        order = [n for n in self.sheets if n not in self.hidden_sheets] + \
            [n for n in self.sheets if n in self.hidden_sheets]
        # companion sheets are read with the records, never as them (not "passed over")
        main = [n for n in order if not self.schema.companion(n)]
        order = main or order
        passed: list[tuple[str, str]] = []
        best: tuple[int, int, str] | None = None  # (score, -order, name)
        header_rows: dict[str, int] = {}
        failure: ImportFileError | None = None
        for position, name in enumerate(order):
            if legend_sheet(name, self.schema):
                passed.append((name, "a legend or instructions"))
                continue
            try:
                data = self._data(name)
            except ImportFileError as exc:  # too big or damaged: the answer if nothing else
                failure = failure or exc
                passed.append((name, str(exc).rstrip(".")))
                continue
            if is_blank([v for row in data.rows[:200] for v in row]):
                passed.append((name, "empty"))
                continue
            header_row, score = _best_header(data.rows, data.merged, self.schema, name)
            header_rows[name] = header_row
            if best is None or (score, -position) > (best[0], best[1]):
                best = (score, -position, name)
        if best is None:
            if failure is not None:
                raise failure
            name = order[0]
            self._choice = SheetChoice(name, self.guess_header_row(name), 0,
                                       tuple(p for p in passed if p[0] != name))
            return self._choice
        chosen = best[2]
        for name in order:
            if name in header_rows and name != chosen:
                passed.append((name, "fewer matching columns"))
        passed.sort(key=lambda item: order.index(item[0]))
        self._choice = SheetChoice(chosen, header_rows[chosen], best[0], tuple(passed))
        return self._choice

    def rows(self, sheet: str | int | None = None) -> list[Sequence[Any]]:
        """All rows of a sheet (index 0 is row 1) as in the file: a merged range's value
        is in its top-left cell. Rows are tuples or lists of cell values (str, int, float,
        datetime, None)."""
        return self._data(sheet).rows

    def merged_ranges(self, sheet: str | int | None = None) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (first_row, first_col, last_row, last_col), 1-based."""
        return list(self._data(sheet).merged)

    def guess_header_row(self, sheet: str | int | None = None) -> int:
        """1-based number of the row that most looks like the column headers."""
        name = self._sheet_name(sheet)
        if self._choice is not None and self._choice.sheet == name:
            return self._choice.header_row
        data = self._data(name)
        return guess_header_row(data.rows, data.merged, self.schema, sheet_name=name)

    def headers(self, sheet: str | int | None = None,
                header_row: int | None = None) -> list[Header]:
        """Header texts of ``header_row`` (guessed when None); see :func:`read_headers`."""
        data = self._data(sheet)
        if header_row is None:
            header_row = self.guess_header_row(sheet)
        return read_headers(data.rows, header_row, data.merged)

    def sample_rows(self, sheet: str | int | None = None, header_row: int | None = None,
                    count: int = _SAMPLE_ROWS) -> list[Sequence[Any]]:
        """The first ``count`` data rows below the header (for guess_mapping): blank rows,
        formula residue and anything from a footer on are left out; merged values are filled
        in."""
        data = self._data(sheet)
        if header_row is None:
            header_row = self.guess_header_row(sheet)
        fills = _vertical_fills(data, header_row, ()) if self.fill_merged else {}
        samples = []
        for index in range(header_row, len(data.rows)):
            row = data.rows[index]
            if is_blank(row):
                continue
            if footer_text(row) is not None:
                break
            if _is_residue(row):
                continue
            samples.append(_with_fills(row, fills.get(index)))
            if len(samples) >= count:
                break
        return samples


def _with_fills(row: Sequence[Any], fills: Mapping[int, Any] | None) -> Sequence[Any]:
    if not fills:
        return row
    values = list(row)
    top = max(fills) + 1
    if len(values) < top:
        values.extend([None] * (top - len(values)))
    for col, value in fills.items():
        if not _filled(values[col]):
            values[col] = value
    return values


def open_table(path: str | Path, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES, fill_merged: bool = True,
               schema: Schema | None = None) -> TableSource:
    """Open an .xlsx/.xlsm workbook or a .csv/.tsv/.txt file for import.

    The type is decided by the content, not the name. Raises :class:`ImportFileError` with a
    one-sentence message for a missing, empty, oversized, encrypted, damaged or unsupported
    file. Sheets of a workbook are read on first use (``rows``/``headers``), which may raise
    ImportFileError too (more than ``max_rows`` rows, damaged sheet).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFileError(f"File not found: {path.absolute()}; check the name and "
                              "folder.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    if path.is_dir():
        raise ImportFileError(f"{path.name} is a folder; choose an .xlsx or .csv file.")
    if size == 0:
        raise ImportFileError(f"{path.name} is empty; choose a file that contains the "
                              "register.")
    if size > max_bytes:
        raise ImportFileError(
            f"{path.name} is {size / 1048576:.1f} MB, more than the {max_bytes / 1048576:.0f} "
            "MB import limit; split it into smaller files.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    suffix = path.suffix.lower()
    if head.startswith(_OLE_SIGNATURE):
        if suffix == ".xls":
            raise ImportFileError(f"{path.name} is an old Excel 97-2003 workbook; save it as "
                                  ".xlsx in Excel and import that file.")
        raise ImportFileError(
            f"{path.name} is password-protected (encrypted) or an old Excel 97-2003 file; "
            "remove the password or save it as .xlsx in Excel, then import it again.")
    if head.startswith(_ZIP_SIGNATURES):
        source = _open_xlsx(path, max_rows=max_rows, fill_merged=fill_merged)
    elif suffix in _XLSX_SUFFIXES or suffix in (".xls", ".ods", ".docx", ".pdf"):
        raise ImportFileError(f"{path.name} is not a valid Excel workbook (its content is not "
                              "an .xlsx package); save it again as .xlsx or export it as .csv.")
    elif suffix in _CSV_SUFFIXES or not suffix:
        source = _open_csv(path, max_rows=max_rows)
        source.fill_merged = fill_merged
    else:
        raise ImportFileError(f"{path.name} has an unsupported type ({suffix}); import an "
                              ".xlsx workbook or a .csv file.")
    source.schema = schema
    return source


# -- xlsx ------------------------------------------------------------------------------------

def _open_xlsx(path: Path, *, max_rows: int, fill_merged: bool) -> TableSource:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_parts(archive, path)  # every part's real size: ZIP bombs stop here
            names = set(archive.namelist())
            workbook_path = _office_document(archive, names)
            if workbook_path is None or workbook_path not in names:
                raise ImportFileError(_not_a_workbook_message(path, names))
            workbook_xml = archive.read(workbook_path)
            rels_path = posixpath.join(posixpath.dirname(workbook_path), "_rels",
                                       posixpath.basename(workbook_path) + ".rels")
            rels_xml = archive.read(rels_path) if rels_path in names else b""
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError,
            NotImplementedError, RuntimeError, zlib.error, struct.error):
        raise ImportFileError(f"{path.name} is damaged or not a real Excel workbook; open it "
                              "in Excel, save it as .xlsx and try again.") from None
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        rels = ElementTree.fromstring(rels_xml) if rels_xml else None
    except ElementTree.ParseError:
        raise ImportFileError(f"{path.name} is damaged (its workbook part cannot be read); "
                              "open it in Excel, save it as .xlsx and try again.") from None

    targets = {}
    if rels is not None:
        base = posixpath.dirname(workbook_path)
        for rel in rels:
            if _local(rel.tag) != "Relationship" or not rel.get("Type", "").endswith(
                    "/worksheet"):
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                full = target.lstrip("/")
            else:
                full = posixpath.normpath(posixpath.join(base, target))
            targets[rel.get("Id")] = full
    sheets, hidden, sheet_paths = [], set(), {}
    date1904 = False
    for element in workbook.iter():
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            rel_id = element.get(f"{{{_REL_NS}}}id")
            if rel_id not in targets:
                continue  # a chart sheet or dialog sheet: no cells to import
            title = element.get("name", f"Sheet{len(sheets) + 1}")
            sheets.append(title)
            sheet_paths[title] = targets[rel_id]
            if element.get("state", "visible") != "visible":
                hidden.add(title)
    if not sheets:
        raise ImportFileError(f"{path.name} has no worksheets with cells; choose a workbook "
                              "that contains the register.")
    source = TableSource(path, "xlsx", sheets, max_rows=max_rows, fill_merged=fill_merged)
    source._sheet_paths = sheet_paths
    source.hidden_sheets = hidden
    source.date1904 = date1904
    return source


def _part_limit(name: str) -> int:
    low = name.lower()
    if low.startswith("xl/worksheets/") and low.endswith(".xml"):
        return _MAX_SHEET_XML_BYTES
    if low.endswith("sharedstrings.xml"):
        return _MAX_SHARED_STRINGS_BYTES
    if low.endswith((".xml", ".rels", ".vml")) or "." not in posixpath.basename(low):
        return _MAX_PART_XML_BYTES
    return _MAX_OTHER_PART_BYTES


class _TooManyEntries(Exception):
    """A part lists more entries than its cap (raised from inside the XML parser)."""


class _EntryCount:
    """Counts the elements at one depth of a part's XML as its bytes stream past (shared
    strings: ``sst/si``; styles: ``styleSheet/cellXfs/xf``, fonts, fills…), and the elements
    inside them, and raises :class:`_TooManyEntries` as soon as there are more than ``cap``
    entries or ``max_elements`` elements. Damaged XML is not its concern: counting just stops
    (the reader that parses the part names the damage)."""

    def __init__(self, depth: int, cap: int, what: str, advice: str,
                 max_elements: int | None = None) -> None:
        self.depth, self.cap, self.what, self.advice = depth, cap, what, advice
        self.max_elements = max_elements
        self.level = self.count = self.elements = 0
        self.broken = False
        self._parser = expat.ParserCreate()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end

    def _start(self, _tag: str, _attrs: Any) -> None:
        self.level += 1
        if self.level >= self.depth:
            if self.level == self.depth:
                self.count += 1
                if self.count > self.cap:
                    raise _TooManyEntries()
            if self.max_elements is not None:
                self.elements += 1
                if self.elements > self.max_elements:
                    raise _TooManyEntries()

    def _end(self, _tag: str) -> None:
        self.level -= 1

    def feed(self, chunk: bytes) -> None:
        if self.broken:
            return
        try:
            self._parser.Parse(chunk, False)
        except expat.ExpatError:
            self.broken = True


def _entry_count(name: str) -> _EntryCount | None:
    """The counter for a part read whole into objects when a workbook is opened, or None."""
    low = name.lower()
    if low.endswith("sharedstrings.xml"):
        return _EntryCount(2, _MAX_SHARED_STRINGS, "cell texts",
                           "split the register into smaller files")
    if low.endswith("styles.xml"):
        return _EntryCount(3, _MAX_CELL_FORMATS, "cell formats and styles",
                           "open it in Excel, save it as .xlsx and try again",
                           _MAX_STYLE_ELEMENTS)
    if low.endswith("workbook.xml"):
        return _EntryCount(3, _MAX_WORKBOOK_ENTRIES, "sheets and names",
                           "open it in Excel, save it as .xlsx and try again")
    return None


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int,
                   feed: Callable[[bytes], None] | None = None) -> int:
    """The bytes ``info`` really inflates to, counted by streaming its compressed data in
    small chunks (nothing is kept; each chunk is passed to ``feed`` when given); ``cap + 1``
    as soon as it passes ``cap``."""
    if info.compress_type == zipfile.ZIP_STORED and feed is None:
        return info.compress_size
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"compression method {info.compress_type}")  # refused before
    handle = archive.fp
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(info.filename)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    remaining = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        total = 0
        while remaining > 0:
            raw = handle.read(min(_INFLATE_CHUNK, remaining))
            if not raw:
                raise EOFError(info.filename)
            remaining -= len(raw)
            total += len(raw)
            if total > cap:
                return cap + 1
            feed(raw)
        return total
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
        elif remaining > 0:
            raw = handle.read(min(_INFLATE_CHUNK, remaining))
            if not raw:
                raise EOFError(info.filename)
            remaining -= len(raw)
            chunk = inflater.decompress(raw, _INFLATE_CHUNK)
        else:
            break
        total += len(chunk)
        if total > cap:
            return cap + 1
        if feed is not None:
            feed(chunk)
    return total


def _check_parts(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse the package, naming the part, when a part inflates to more than its cap or to
    another size than its entry declares (a ZIP bomb, or a damaged file)."""
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ImportFileError(f"{path.name} has an encrypted part ({info.filename}); remove "
                                  "the password in Excel, save it as .xlsx and try again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(
                f"{path.name} was refused because its part {info.filename} is compressed in a "
                "way spreadsheet programs do not use; open it in Excel, save it as .xlsx and "
                "try again.")
        cap = _part_limit(info.filename)
        counter = _entry_count(info.filename)
        try:
            size = info.file_size if info.file_size > cap else _inflated_size(
                archive, info, cap, counter.feed if counter is not None else None)
        except _TooManyEntries:
            raise ImportFileError(
                f"{path.name} was refused because its part {info.filename} lists more "
                f"{counter.what} than the import reads ({counter.cap:,}"
                + (f" entries or {counter.max_elements:,} elements" if counter.max_elements
                   and counter.elements > counter.max_elements else "")
                + f", far more than a register needs: a ZIP bomb or a damaged file); "
                f"{counter.advice}.") from None
        if size > cap:
            raise ImportFileError(
                f"{path.name} was refused because its part {info.filename} inflates to more "
                f"than {cap / 1048576:.0f} MB (a ZIP bomb or a damaged file); open it in Excel, "
                "save it as .xlsx and try again.")
        if size != info.file_size:
            raise ImportFileError(
                f"{path.name} was refused because its part {info.filename} declares "
                f"{info.file_size:,} bytes but holds {size:,} (a ZIP bomb or a damaged file); "
                "open it in Excel, save it as .xlsx and try again.")
        total += size
        if total > _MAX_PACKAGE_BYTES:
            raise ImportFileError(
                f"{path.name} was refused because its parts inflate to more than "
                f"{_MAX_PACKAGE_BYTES / 1048576:.0f} MB in all (a ZIP bomb or a very large "
                "workbook); split the register into smaller files.")


def _office_document(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        try:
            root = ElementTree.fromstring(archive.read("_rels/.rels"))
        except ElementTree.ParseError:
            root = None
        if root is not None:
            for rel in root:
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target.startswith("xl/") or target.endswith("workbook.xml"):
                        return target
                    return None
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _not_a_workbook_message(path: Path, names: set[str]) -> str:
    if "word/document.xml" in names:
        return (f"{path.name} is a Word document, not an Excel workbook; choose the .xlsx or "
                ".csv file of the register.")
    if "ppt/presentation.xml" in names:
        return (f"{path.name} is a PowerPoint presentation, not an Excel workbook; choose the "
                ".xlsx or .csv file of the register.")
    if "content.xml" in names and "mimetype" in names:
        return (f"{path.name} is an OpenDocument file; save it as .xlsx (File > Save as) and "
                "import that file.")
    return (f"{path.name} is a ZIP archive but not an Excel workbook; choose the .xlsx or .csv "
            "file of the register.")


_REF_RE = re.compile(r"([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?$")


class _SheetScan:
    """One pass over a worksheet's XML as it streams out of the package (never held whole):
    merged ranges, formula cells without a saved result and error cells (openpyxl's fast
    read-only mode reports none of these), and the rows counted on the way. Raises
    :class:`_TooManyEntries` as soon as the sheet has more than ``max_rows`` rows holding a
    value, or more than ``max_row_tags`` rows in all (empty formatted rows included), or
    states such a size in its ``dimension``."""

    def __init__(self, max_rows: int, max_row_tags: int) -> None:
        self.max_rows, self.max_row_tags = max_rows, max_row_tags
        self.merged: list[tuple[int, int, int, int]] = []
        self.no_value: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}
        self.rows = self.value_rows = 0
        self._row_has_value = False
        self._cell: tuple[int, int] | None = None  # the cell being read, when it has a ref
        self._cell_type = ""
        self._formula = False
        self._value: list[str] | None = None  # text of the cell's <v>, while inside it
        self._value_text = ""
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._text

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self._parser.Parse(chunk, final)

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        name = tag.rpartition(" ")[2]
        if name == "c":
            ref = _REF_RE.match(attrs.get("r", ""))
            self._cell = (int(ref[2]), _column_number(ref[1])) if ref and not ref[3] else None
            self._cell_type = attrs.get("t", "")
            self._formula = False
            self._value_text = ""
        elif name == "v":
            self._row_has_value = True
            self._value = []
        elif name == "is":
            self._row_has_value = True
        elif name == "f":
            self._formula = True
        elif name == "row":
            self.rows += 1
            self._row_has_value = False
            if self.rows > self.max_row_tags:
                raise _TooManyEntries()
        elif name == "mergeCell":
            ref = _REF_RE.match(attrs.get("ref", ""))
            if ref:
                r1, c1 = int(ref[2]), _column_number(ref[1])
                r2, c2 = (int(ref[4]), _column_number(ref[3])) if ref[3] else (r1, c1)
                if (r1, c1) != (r2, c2):
                    self.merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        elif name == "dimension":
            ref = _REF_RE.match(attrs.get("ref", ""))
            if ref and int(ref[4] or ref[2]) > self.max_row_tags:
                raise _TooManyEntries()

    def _text(self, text: str) -> None:
        if self._value is not None:
            self._value.append(text)

    def _end(self, tag: str) -> None:
        name = tag.rpartition(" ")[2]
        if name == "v":
            self._value_text = "".join(self._value or ()).strip()
            self._value = None
        elif name == "c":
            if self._cell is not None:
                if self._formula and not self._value_text and self._cell_type != "str":
                    self.no_value.add(self._cell)
                elif self._cell_type == "e" and self._value_text:
                    self.errors[self._cell] = self._value_text
            self._cell = None
        elif name == "row" and self._row_has_value:
            self.value_rows += 1
            if self.value_rows > self.max_rows:
                raise _TooManyEntries()


def _scan_sheet(archive: zipfile.ZipFile, member: str, scan: _SheetScan) -> bool:
    """Stream ``member`` through ``scan``; False when it inflates to more than the sheet cap."""
    total = 0
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_INFLATE_CHUNK)
            total += len(chunk)
            if total > _MAX_SHEET_XML_BYTES:
                return False
            scan.feed(chunk, final=not chunk)
            if not chunk:
                return True


def _read_xlsx_sheet(source: TableSource, sheet: str) -> _SheetData:
    path = source.path
    member = source._sheet_paths[sheet]
    # rows in all (empty formatted ones too): as many as Excel's dimension check allowed
    scan = _SheetScan(source.max_rows, source.max_rows * 4 + 1000)
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > _MAX_SHEET_XML_BYTES or not _scan_sheet(archive, member, scan):
                raise ImportFileError(
                    f"Sheet {sheet!r} of {path.name} is too large to import (more than "
                    f"{_MAX_SHEET_XML_BYTES / 1048576:.0f} MB of cell data); split the register "
                    "into smaller files.")
    except ImportFileError:
        raise
    except _TooManyEntries:
        _too_many_rows(source, sheet)
    except expat.ExpatError as exc:
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} cannot be read (its XML is "
                              f"damaged: {expat.ErrorString(exc.code)}, line {exc.lineno}); "
                              "open the file in Excel, save it as .xlsx and try again.") from None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError,
            NotImplementedError, zipfile.LargeZipFile):
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} is damaged; open the file in "
                              "Excel, save it as .xlsx and try again.") from None
    except Exception as exc:  # zlib.error and friends from a corrupted stream
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} is damaged ({exc}); open the "
                              "file in Excel, save it as .xlsx and try again.") from None
    merged, no_value, errors = scan.merged, scan.no_value, scan.errors
    del scan

    from openpyxl import load_workbook  # heavy: imported only when a workbook is read

    rows: list[Sequence[Any]] = []
    filled = cells = 0
    last_filled = 0
    limit = source.max_rows
    try:
        with path.open("rb") as handle, _warnings.catch_warnings():
            # openpyxl warns about parts it skips (extensions, VML, slicers): not our concern.
            _warnings.simplefilter("ignore")
            workbook = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            try:
                worksheet = workbook[sheet]
                worksheet.reset_dimensions()
                empty: tuple = ()
                append = rows.append
                for values in worksheet.iter_rows(values_only=True):
                    if not values:
                        append(empty)
                        continue
                    if len(values) > _MAX_COLUMNS:
                        values = values[:_MAX_COLUMNS]
                    cells += len(values)
                    if cells > _MAX_SHEET_CELLS:
                        raise ImportFileError(
                            f"Sheet {sheet!r} of {path.name} has more than "
                            f"{_MAX_SHEET_CELLS:,} cells (filled or formatted), the import "
                            "limit; split the register into smaller files.")
                    append(values)
                    for value in values:
                        if value is not None and value != "":
                            filled += 1
                            last_filled = len(rows)
                            break
                    if filled > limit:
                        _too_many_rows(source, sheet)
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl/lxml raise many types on damaged content
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} cannot be read ({exc}); open "
                              "the file in Excel, save it as .xlsx and try again.") from None
    del rows[last_filled:]  # trailing empty (formatted) rows
    merged = [m for m in merged if m[0] <= len(rows) and m[1] <= _MAX_COLUMNS]
    return _SheetData(rows=rows, merged=merged, no_value_formulas=no_value, error_cells=errors)


def _too_many_rows(source: TableSource, sheet: str) -> None:
    where = f"Sheet {sheet!r} of {source.path.name}" if source.format == "xlsx" else \
        source.path.name
    raise ImportFileError(f"{where} has more than {source.max_rows:,} rows, the import limit; "
                          "split the register into smaller files.")


# -- csv -------------------------------------------------------------------------------------

def _open_csv(path: Path, *, max_rows: int) -> TableSource:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    text, encoding, odd_lines = _decode_text(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text and "\n" not in text \
        else text
    delimiter = None
    first_line_end = text.find("\n")
    first_line = text[: first_line_end if first_line_end >= 0 else len(text)].strip()
    line_offset = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter = first_line[4]
        text = text[first_line_end + 1:] if first_line_end >= 0 else ""
        line_offset = 1
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    rows: list[Sequence[Any]] = []
    filled = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    source = TableSource(path, "csv", [path.stem or "CSV"], max_rows=max_rows)
    other = "Windows-1252" if encoding == "utf-8" else "UTF-8"
    last_line = 0
    spans: list[tuple[int, int, int]] = []  # records over several lines: (row, first, last)
    try:
        for record in reader:
            row = [value if value != "" else None for value in record[:_MAX_COLUMNS]]
            rows.append(row)
            first_line, last_line = last_line + 1, reader.line_num
            if last_line > first_line:
                spans.append((len(rows), first_line, last_line))
            if odd_lines and any(line + line_offset in odd_lines
                                 for line in range(first_line, last_line + 1)):
                _note_row(source, len(rows), row,
                          f"is encoded as {other}, unlike the rest of the file "
                          f"({_ENCODING_NAMES.get(encoding, encoding)}); it was read as")
            for value in row:
                if value and _MOJIBAKE.search(value):
                    intended = _unmangled(value)
                    if intended is not None:
                        source.row_notes.setdefault(len(rows), []).append(
                            f"Row {len(rows)} holds “{_snippet(value)}”, which looks like "
                            f"UTF-8 text read with the wrong encoding; it probably means "
                            f"“{_snippet(intended)}”: save the file as UTF-8 and import it "
                            "again.")
            if not is_blank(row):
                filled += 1
                if filled > max_rows:
                    _too_many_rows(source, source.sheets[0])
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not a well-formed CSV file ({exc}); check the "
                              "quotes and separators, then try again.") from None
    if rows and '"' in text:
        _check_quotes(source, text, delimiter, rows, spans, last_line)
    while rows and is_blank(rows[-1]):
        rows.pop()
    source.encoding = encoding
    source.delimiter = delimiter
    source._cache[source.sheets[0]] = _SheetData(rows=rows)
    return source


def _quote_trouble(raw: str, delimiter: str) -> tuple[str, int] | None:
    """How the quotes of one CSV record's raw text go wrong, read by the rules the csv module
    uses: ("open", field) when a quoted field is still open at the end of the text, ("closed",
    field) when a quoted field running over several lines is closed by a quote that is not
    followed by a separator or the end of the line (a stray quote in a later row, which is
    what closes a forgotten one). ``field`` is the 0-based field index; None when all is well."""
    at_start, quoted, field, multiline = True, False, 0, False
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if quoted:
            if char == '"':
                if i + 1 < n and raw[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
                after = raw[i + 1] if i + 1 < n else "\n"
                if multiline and after not in (delimiter, "\n", "\r"):
                    return "closed", field
            elif char in "\n\r":
                multiline = True
        elif char == delimiter:
            at_start = True
            field += 1
            i += 1
            continue
        elif char in "\n\r":
            at_start, field = True, 0
            i += 1
            continue
        elif char == '"' and at_start:
            quoted, multiline = True, False
        at_start = False
        i += 1
    return ("open", field) if quoted else None


def _check_quotes(source: TableSource, text: str, delimiter: str, rows: list[Sequence[Any]],
                  spans: list[tuple[int, int, int]], line_count: int) -> None:
    """Flag the rows whose quotes swallowed later rows: a quote opened and never closed reads
    the rest of the file into one cell, and the csv module says nothing about it."""
    lines: list[str] | None = None
    last = len(rows)
    if not spans or spans[-1][0] != last:  # the last record may be open at the end of the file
        spans = spans + [(last, line_count, line_count)]
    for number, first, end in spans:
        if lines is None:
            lines = io.StringIO(text, newline="").readlines()
        raw = "".join(lines[first - 1:end])
        if '"' not in raw:
            continue
        trouble = _quote_trouble(raw, delimiter)
        if trouble is None:
            continue
        kind, field = trouble
        row = rows[number - 1]
        cell = row[field] if field < len(row) else None
        shown = _snippet(cell or "", 40)
        more = end - first
        if kind == "open":
            if number != last:
                continue
            what = (f"opens a quote in column {column_letter(field)} (“{shown}”) that is never "
                    "closed, so ")
            what += (f"the {more} lines after it, to the end of the file, were read into that "
                     "one cell" if more else "the cell runs to the end of the file")
        else:
            what = (f"has a cell in column {column_letter(field)} (“{shown}”) that runs over "
                    f"{more + 1} lines of the file, ended by a quote in the middle of a cell: a "
                    "closing quote is probably missing, and the rows in between were read "
                    "into that one cell")
        source.row_notes.setdefault(number, []).append(
            f"Row {number} {what}; check the quotes in the file and import it again.")


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
# A UTF-8 lead byte read as Windows-1252 (Ã, Â, â, ...) followed by a continuation byte read
# the same way: the signature of UTF-8 text decoded with the wrong encoding ("SchweiÃŸnaht").
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178"
                       "\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a"
                       "\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


def _unmangled(text: str) -> str | None:
    """The text ``text`` was before UTF-8 bytes were read as Windows-1252, or None."""
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return None
    return fixed if fixed != text else None


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _note_row(source: TableSource, number: int, row: Sequence[Any], what: str) -> None:
    shown = "; ".join(_snippet(value, 40) for value in row
                      if isinstance(value, str) and not value.isascii())
    source.row_notes.setdefault(number, []).append(
        f"Row {number} {what} “{_snippet(shown, 80)}”; check the text, or save the whole file "
        "in one encoding (UTF-8) and import it again.")


def _decode_text(raw: bytes, path: Path) -> tuple[str, str, set[int]]:
    """The text of a CSV file, its encoding, and the 1-based numbers of the lines that are in
    another encoding than the rest (a file that mixes UTF-8 and Windows-1252 lines: each line
    is decoded in its own encoding, and the minority is reported)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", set()
        except UnicodeDecodeError:
            pass
    sample = raw[:65536]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if b"\x00" in sample or controls > len(sample) // 100:
        raise ImportFileError(f"{path.name} does not look like a text (CSV) file; choose the "
                              "register saved as .csv or .xlsx.")
    try:
        text = raw.decode("utf-8-sig")
        return text, ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), set()
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    if lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    kinds = []  # per line: "ascii", "utf-8" or "cp1252"
    for line in lines:
        if line.isascii():
            kinds.append("ascii")
            continue
        try:
            line.decode("utf-8")
            kinds.append("utf-8")
        except UnicodeDecodeError:
            kinds.append("cp1252")
    utf8, legacy = kinds.count("utf-8"), kinds.count("cp1252")
    if utf8 == 0:
        try:
            return raw.decode("cp1252"), "cp1252", set()
        except UnicodeDecodeError:
            return raw.decode("latin-1"), "latin-1", set()
    main = "utf-8" if utf8 > legacy else "cp1252"
    decoded = []
    for line, kind in zip(lines, kinds):
        if kind == "cp1252":
            decoded.append(line.decode("cp1252", errors="replace"))
        else:
            decoded.append(line.decode("utf-8"))
    odd = {number for number, kind in enumerate(kinds, start=1)
           if kind not in ("ascii", main)}
    return "\n".join(decoded), main, odd


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.split("\n", 60)[:60] if line.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            counts = [len(record) for record in csv.reader(io.StringIO(sample),
                                                             delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        candidate = (consistency, mode)
        if candidate > best_score:
            best, best_score = delimiter, candidate
    return best


# ============================================================================================
# Records
# ============================================================================================

@dataclass
class Record:
    """One record below the header: its top row (with group values filled down) and, when
    the record spans several merged rows, the further rows folded into it."""

    row_number: int
    values: Sequence[Any]
    more: list[tuple[int, Sequence[Any]]] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        return self.more[-1][0] if self.more else self.row_number

    def get(self, column: int) -> Any:
        return self.values[column] if column < len(self.values) else None

    def column_values(self, column: int) -> list[tuple[int, Any]]:
        """(row number, value) of every filled cell of ``column`` in this record, top first."""
        out = []
        values = self.values
        value = values[column] if column < len(values) else None
        if value is not None and (value.__class__ is not str or value.strip()):
            out.append((self.row_number, value))
        if not self.more:
            return out
        for number, row in self.more:
            value = row[column] if column < len(row) else None
            if _filled(value):
                out.append((number, value))
        return out


@dataclass(frozen=True)
class SkippedRow:
    row_number: int
    reason: str
    last_row: int = 0

    def rows_text(self) -> str:
        if self.last_row and self.last_row != self.row_number:
            return f"rows {self.row_number}–{self.last_row}"
        return f"row {self.row_number}"


@dataclass
class TableRead:
    """What :func:`read_records` found: the records, the rows it left out and why."""

    sheet: str
    header_row: int
    headers: list[Header]
    records: list[Record]
    skipped: list[SkippedRow] = field(default_factory=list)
    blank_rows: int = 0
    footer_row: int | None = None
    footer: str = ""
    folded_rows: int = 0
    notes: list[str] = field(default_factory=list)
    no_value_formulas: set[tuple[int, int]] = field(default_factory=set)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    #: {column: scale} stated in a header or in the cell just above it ("(1 - 6)")
    stated_scales: dict[int, StatedScale] = field(default_factory=dict)


def stated_scales(rows: Sequence[Sequence[Any]], header_row: int,
                  headers: Sequence[Any]) -> dict[int, StatedScale]:
    """{column: the scale stated in its header ("Severity (1-6)") or alone in the cell just
    above it ("(1 - 6)")}."""
    out: dict[int, StatedScale] = {}
    above = rows[header_row - 2] if 2 <= header_row <= len(rows) + 1 else ()
    for index in range(max(len(headers), len(above))):
        header = headers[index] if index < len(headers) else None
        found = stated_scale(getattr(header, "own", None) if header is not None else None)
        if found is None and index < len(above):
            found = stated_scale(above[index], whole=True)
        if found is not None:
            out[index] = found
    return out


def _vertical_fills(data: _SheetData, header_row: int,
                    key_columns: Iterable[int]) -> dict[int, dict[int, Any]]:
    """{row index: {column: value}} for group values merged down over several data rows, in
    columns that are not the record's key (those mean one record over several rows)."""
    keys = set(key_columns)
    fills: dict[int, dict[int, Any]] = {}
    rows = data.rows
    for first_row, first_col, last_row, last_col in data.merged:
        if last_row <= first_row or first_row <= header_row:
            continue
        if keys.intersection(range(first_col - 1, last_col)):
            continue
        top = rows[first_row - 1] if first_row - 1 < len(rows) else ()
        value = top[first_col - 1] if first_col - 1 < len(top) else None
        if not _filled(value):
            continue
        for index in range(first_row, min(last_row, len(rows))):
            fills.setdefault(index, {})[first_col - 1] = value
    return fills


def _key_columns(mapping: Mapping[int, str], schema: Schema | None) -> list[int]:
    if schema is None:
        return []
    for key in schema.key_fields:
        columns = [index for index, name in mapping.items() if name == key]
        if columns:
            return columns
    return []


def read_records(source: TableSource, sheet: str | int | None, header_row: int | None,
                 mapping: Mapping[int, str], schema: Schema | None = None, *,
                 fill_down: Iterable[int] = ()) -> TableRead:
    """The records below the header row of a sheet.

    - Blank rows are counted, not returned. Reading stops at a footer (copyright, totals,
      references, footnotes, a signature block); nothing below it is data.
    - Rows holding only formula residue (#VALUE!, #REF! …) and empty template rows (no value in
      any mapped ``schema.content_fields``) are skipped, each with a reason.
    - A merged cell over several rows in a key column (``schema.key_fields``) spans one
      record: the rows below are folded into it (:attr:`Record.more`). Merged cells in other
      columns are group values, filled into each row of their range that has values of its
      own. Merged cells across columns are not spread (their value stays in the first).
    - ``fill_down`` columns repeat the last value above into empty cells (the user's choice).
    """
    schema = schema if schema is not None else source.schema
    name = source._sheet_name(sheet)
    data = source._data(name)
    rows = data.rows
    if header_row is None:
        header_row = source.guess_header_row(name)
    headers = read_headers(rows, header_row, data.merged) if rows else []
    key_columns = _key_columns(mapping, schema)
    folded_into: dict[int, int] = {}
    fills: dict[int, dict[int, Any]] = {}
    if source.fill_merged and data.merged:
        fills = _vertical_fills(data, header_row, key_columns)
        keys = set(key_columns)
        for first_row, first_col, last_row, last_col in data.merged:
            if last_row > first_row > header_row and keys.intersection(
                    range(first_col - 1, last_col)):
                for index in range(first_row, min(last_row, len(rows))):
                    folded_into[index] = first_row - 1
    # rows whose only value sits in a range merged across the table: section headings
    banners: set[int] = set()
    if data.merged and headers:
        used_cols = [i + 1 for i, h in enumerate(headers) if h]
        used = (used_cols[0], used_cols[-1]) if used_cols else (1, len(headers))
        for merged_range in data.merged:
            first_row, first_col, last_row, last_col = merged_range
            if first_row > header_row and last_col > first_col and _banner(merged_range, used):
                banners.add(first_row - 1)
    content_columns = [index for index, field_name in mapping.items()
                       if schema is not None and field_name in schema.content_fields]
    fill_columns = sorted(set(fill_down))
    previous: dict[int, Any] = {}
    read = TableRead(sheet=name, header_row=header_row, headers=headers, records=[],
                     no_value_formulas=data.no_value_formulas, error_cells=data.error_cells,
                     stated_scales=stated_scales(rows, header_row, headers))
    open_records: dict[int, Record] = {}
    residue: list[int] = []
    template: list[int] = []
    sections: list[int] = []
    for index in range(header_row, len(rows)):
        row = rows[index]
        if index in folded_into:
            record = open_records.get(folded_into[index])
            if record is not None and not is_blank(row):
                record.more.append((index + 1, row))
                read.folded_rows += 1
            continue
        if is_blank(row):
            read.blank_rows += 1
            continue
        footer = footer_text(row)
        if footer is not None:
            read.footer_row, read.footer = index + 1, footer
            break
        if _is_residue(row):
            residue.append(index + 1)
            continue
        if index in banners and sum(1 for value in row if _filled(value)) == 1:
            sections.append(index + 1)
            continue
        values = _with_fills(row, fills.get(index))
        if content_columns and not any(
                index_ < len(values) and _filled(values[index_])
                and not is_excel_error(values[index_]) for index_ in content_columns):
            template.append(index + 1)
            continue
        if fill_columns:
            values = list(values)
            if len(values) <= fill_columns[-1]:
                values.extend([None] * (fill_columns[-1] + 1 - len(values)))
            for col in fill_columns:
                if _filled(values[col]):
                    previous[col] = values[col]
                elif col in previous:
                    values[col] = previous[col]
        record = Record(index + 1, values)
        read.records.append(record)
        open_records[index] = record
    for numbers, reason in ((residue, "only formula residue (#VALUE!, #REF! …), no data"),
                            (template, "an empty template row: nothing in the columns that "
                                       "make a record"),
                            (sections, "a heading merged across the table")):
        for start, end in _runs(numbers):
            read.skipped.append(SkippedRow(start, reason, end))
    read.skipped.sort(key=lambda s: s.row_number)
    # (the rows left out are listed once, in read.skipped with their reasons, not again here)
    if read.folded_rows:
        read.notes.append(f"{read.folded_rows} rows continue a record merged over several rows "
                          "above them and were read into it.")
    if read.footer_row is not None and read.footer_row < len(rows):
        shown = read.footer if len(read.footer) <= 50 else read.footer[:47] + "…"
        read.notes.append(f"Reading stopped at row {read.footer_row} (“{shown}”): a footer; "
                          "the rows below it are not data.")
    return read


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs

