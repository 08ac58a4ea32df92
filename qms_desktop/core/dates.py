"""Reading dates written many ways, and flagging the ones that cannot be read for sure.

Pure Python (no Qt, no database); imports (training matrices first) use it through
:class:`DateReader`, which knows the file's day/month order.

What is read:

* date and datetime values (a spreadsheet cell formatted as a date; the time is dropped);
* Excel serial numbers, as a number cell or as text ("45720", "45720.5"): 1 is 1 January 1900;
  Excel counts a 29 February 1900 that never existed (serial 60), so serials 1–59 are one day
  off the simple count and 60 itself is flagged; the 1904 date system is supported;
* ISO text: 2025-03-04, 2025/03/04, 2025.03.04, 20250304, with or without a time;
* dotted dates, always day first (the German and French way): 04.03.2025, 4.3.25;
* slash and dash dates: 04/03/2025, 04-03-2025. Day/month or month/day is the file's
  convention: given by the user (``order="dmy"`` or ``"mdy"``), or detected over the whole
  column or file (:func:`detect_order`: a value whose first part is over 12 shows day first,
  one whose second part is over 12 shows month first). A date both of whose parts are 12 or
  less is **flagged**, never guessed, while the convention is unknown; one that contradicts a
  known convention is flagged too;
* text months in English, German and French, abbreviated or not, accents optional, with an
  optional weekday: "4 March 2025", "4. März 2025", "4 mars 2025", "1er mars 2025",
  "Mar 4, 2025", "March 4th 2025", "04-Mar-25", "Tuesday, 4 March 2025";
* two-digit years as Excel reads them: 00–29 are 2000–2029, 30–99 are 1930–1999 (each such
  value carries a note saying which year was taken).

What is flagged (``date`` None, ``problem`` a sentence naming the text and the cell):
impossible dates (2025-13-01, 31.02.2025, 29.02.2025, serial 60), ambiguous slash dates,
a month and year without a day ("März 2025": we do not invent the day), a year alone
("2025"), and anything else that is not a date. Nothing is ever guessed silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

DMY = "dmy"
MDY = "mdy"
ORDERS = (DMY, MDY)

#: month names (lower case, without accents) in English, German and French, with abbreviations
MONTHS: dict[str, int] = {}
for _n, _names in enumerate((
    ("jan", "january", "januar", "janner", "janv", "janvier"),
    ("feb", "february", "februar", "febr", "fev", "fevr", "fevrier"),
    ("mar", "march", "marz", "maerz", "mrz", "mars"),
    ("apr", "april", "avr", "avril"),
    ("may", "mai"),
    ("jun", "june", "juni", "juin"),
    ("jul", "july", "juli", "juil", "juillet"),
    ("aug", "august", "aout"),
    ("sep", "sept", "september", "septembre"),
    ("oct", "october", "okt", "oktober", "octobre"),
    ("nov", "november", "novembre"),
    ("dec", "december", "dez", "dezember", "decembre"),
), start=1):
    for _name in _names:
        MONTHS[_name] = _n

_WEEKDAYS = frozenset({
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
    "mo", "montag", "di", "dienstag", "mi", "mittwoch", "do", "donnerstag", "fr", "freitag",
    "sa", "samstag", "sonnabend", "so", "sonntag",
    "lun", "lundi", "mar", "mardi", "mer", "mercredi", "jeu", "jeudi", "ven", "vendredi",
    "sam", "samedi", "dim", "dimanche",
})

_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
                  r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{2}|\d{4})\.?"
                     r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_SLASHED = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})"
                      r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,7}(?:[.,]\d+)?$")
# after normalising: lower case, no accents, punctuation but "-" turned into spaces
_WORD_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|e)?\s+([a-z]+)\s+(\d{4}|\d{2})$")
_WORD_MDY = re.compile(r"^([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4}|\d{2})$")
_WORD_YMD = re.compile(r"^(\d{4})\s+([a-z]+)\s+(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\s+(\d{4})$|^(\d{1,2})\s+(\d{4})$")
_YEAR = re.compile(r"^(19|20)\d{2}$")

_EPOCH_1900 = dt.date(1899, 12, 31)  # serial 1 = 1900-01-01 (up to the phantom 29 Feb)
_EPOCH_1900_LATE = dt.date(1899, 12, 30)  # from serial 61 (1 March 1900) on
_EPOCH_1904 = dt.date(1904, 1, 1)  # serial 0 = 1904-01-01
_MAX_SERIAL = 2958465  # 31 December 9999


@dataclass(frozen=True)
class DateRead:
    """What one value reads as: ``date`` (None when empty or flagged), ``problem`` (a sentence
    when the value is there but is not a date for sure), ``note`` (a remark on a value that was
    read, e.g. a two-digit year or a serial number written as text) and ``cell`` ("C7")."""

    date: dt.date | None
    problem: str = ""
    note: str = ""
    cell: str = ""
    #: a slash date both of whose parts could be the month (flagged while the order is unknown)
    ambiguous: bool = False

    @property
    def empty(self) -> bool:
        return self.date is None and not self.problem


def stored_date(value: Any) -> dt.date | None:
    """A date as the database gives it back (a date, a datetime, or ISO text as SQLite keeps
    it); anything that is no date — a value written by another program — reads as None, never
    raises. Not for reading what people typed: that is :func:`read_date`."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _plain(text: str) -> str:
    """Lower case, accents removed, "ß" as "ss"."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _in(cell: str) -> str:
    return f" in cell {cell}" if cell else ""


def _year(text: str) -> tuple[int, str]:
    """A year and, for a two-digit one, the note saying which century was taken."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
        return year, f"the two-digit year {text} was read as {year}"
    return year, ""


def _make(year: int, month: int, day: int, text: str, cell: str, note: str = "") -> DateRead:
    if not 1 <= month <= 12:
        return DateRead(None, f"“{text}”{_in(cell)} is not a real date: there is no month "
                              f"{month}.", cell=cell)
    if year < 1 or year > 9999:
        return DateRead(None, f"“{text}”{_in(cell)} is not a real date: the year {year} is "
                              "out of range.", cell=cell)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        return DateRead(None, f"“{text}”{_in(cell)} is not a real date: {name} {year} has "
                              f"{last} days.", cell=cell)
    return DateRead(dt.date(year, month, day), note=note, cell=cell)


def from_serial(serial: float, date1904: bool = False, *, text: str = "",
                cell: str = "") -> DateRead:
    """An Excel serial number as a date (the time of day dropped)."""
    shown = text or (f"{serial:g}" if isinstance(serial, float) else str(serial))
    if isinstance(serial, float) and not math.isfinite(serial):
        return DateRead(None, f"“{shown}”{_in(cell)} is not a date.", cell=cell)
    whole = int(math.floor(serial))
    if date1904:
        if not 0 <= whole <= _MAX_SERIAL - 1462:
            return DateRead(None, f"{shown}{_in(cell)} is outside the range of Excel dates.",
                            cell=cell)
        return DateRead(_EPOCH_1904 + dt.timedelta(days=whole), cell=cell)
    if not 1 <= whole <= _MAX_SERIAL:
        return DateRead(None, f"{shown}{_in(cell)} is outside the range of Excel dates (1 is "
                              "1 January 1900).", cell=cell)
    if whole == 60:
        return DateRead(None, f"{shown}{_in(cell)} is Excel's 29 February 1900, a day that "
                              "never existed (a known Excel error); enter the real date.",
                        cell=cell)
    if whole < 60:
        return DateRead(_EPOCH_1900 + dt.timedelta(days=whole), cell=cell)
    return DateRead(_EPOCH_1900_LATE + dt.timedelta(days=whole), cell=cell)


def slash_parts(value: Any) -> tuple[int, int] | None:
    """The first two numbers of a slash or dash date ("04/03/2025" → (4, 3)), else None."""
    if not isinstance(value, str):
        return None
    match = _SLASHED.match(value.strip())
    return (int(match[1]), int(match[3])) if match else None


@dataclass(frozen=True)
class OrderGuess:
    """The day/month order found in a set of values: ``order`` ("dmy", "mdy" or None),
    ``evidence`` (a value that shows it), ``conflict`` (both orders were seen) and a ``note``
    for the report."""

    order: str | None
    evidence: str = ""
    conflict: bool = False
    ambiguous: int = 0

    @property
    def note(self) -> str:
        if self.conflict:
            return ("The file writes slash dates both day first and month first; dates that "
                    "could be either are flagged.")
        if self.order == DMY:
            return f"Slash dates are read day first (“{self.evidence}” can only be day/month)."
        if self.order == MDY:
            return (f"Slash dates are read month first (“{self.evidence}” can only be "
                    "month/day).")
        if self.ambiguous:
            return (f"{self.ambiguous} slash dates could be day/month or month/day and nothing "
                    "in the file shows which; they are flagged (choose the order).")
        return ""


def detect_order(values: Iterable[Any]) -> OrderGuess:
    """The day/month order of the slash and dash dates among ``values`` (a column or a file).

    A value whose first number is over 12 (25/03/2025) shows day first; one whose second
    number is over 12 (03/25/2025) shows month first. Dotted, ISO and text dates say nothing
    about slash dates and are not counted."""
    dmy = mdy = ""
    ambiguous = 0
    for value in values:
        parts = slash_parts(value)
        if parts is None:
            continue
        first, second = parts
        if first > 12 >= second and not dmy:
            dmy = value.strip()
        elif second > 12 >= first and not mdy:
            mdy = value.strip()
        elif first <= 12 and second <= 12 and first != second:
            ambiguous += 1
    if dmy and mdy:
        return OrderGuess(None, conflict=True, ambiguous=ambiguous)
    if dmy:
        return OrderGuess(DMY, dmy, ambiguous=ambiguous)
    if mdy:
        return OrderGuess(MDY, mdy, ambiguous=ambiguous)
    return OrderGuess(None, ambiguous=ambiguous)


def _slashed(match: re.Match, text: str, order: str | None, cell: str) -> DateRead:
    first, second = int(match[1]), int(match[3])
    year, note = _year(match[4])
    if first == second:  # 04/04/2025 is the same day either way
        return _make(year, first, first, text, cell, note)
    if first > 12 and second > 12:
        return DateRead(None, f"“{text}”{_in(cell)} is not a real date: neither number can "
                              "be the month.", cell=cell)
    if order is None:
        if first > 12:
            return _make(year, second, first, text, cell, note)
        if second > 12:
            return _make(year, first, second, text, cell, note)
        year_text = f" {year}"
        a = f"{first} {calendar.month_name[second]}{year_text}"
        b = f"{second} {calendar.month_name[first]}{year_text}"
        return DateRead(None, f"“{text}”{_in(cell)} could be {a} or {b}, and the file does not "
                              "show whether it writes the day or the month first; choose the "
                              "order (day/month or month/day).", cell=cell, ambiguous=True)
    day, month = (first, second) if order == DMY else (second, first)
    if month > 12:
        way = "day/month/year" if order == DMY else "month/day/year"
        return DateRead(None, f"“{text}”{_in(cell)} cannot be {way} (there is no month "
                              f"{month}), the order the file's dates are read in.", cell=cell)
    return _make(year, month, day, text, cell, note)


def read_date(value: Any, *, order: str | None = None, date1904: bool = False,
              cell: str = "") -> DateRead:
    """What ``value`` (a cell value or text) reads as; see the module's docstring.

    ``order`` is the file's day/month order for slash and dash dates ("dmy", "mdy", or None
    when unknown: ambiguous ones are flagged); ``cell`` ("C7") goes into the sentences."""
    if order not in (None, DMY, MDY):
        raise ValueError("order must be 'dmy', 'mdy' or None")
    if value is None:
        return DateRead(None, cell=cell)
    if isinstance(value, dt.datetime):
        return DateRead(value.date(), cell=cell)
    if isinstance(value, dt.date):
        return DateRead(value, cell=cell)
    if isinstance(value, bool):
        return DateRead(None, f"“{value}”{_in(cell)} is not a date.", cell=cell)
    if isinstance(value, (int, float)):
        return from_serial(value, date1904, cell=cell)
    text = " ".join(str(value).split())
    if not text:
        return DateRead(None, cell=cell)
    match = _ISO.match(text)
    if match:
        return _make(int(match[1]), int(match[3]), int(match[4]), text, cell)
    match = _COMPACT.match(text)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]), text, cell)
    match = _DOTTED.match(text)
    if match:
        year, note = _year(match[3])
        return _make(year, int(match[2]), int(match[1]), text, cell, note)
    match = _SLASHED.match(text)
    if match:
        return _slashed(match, text, order, cell)
    if _YEAR.match(text):
        return DateRead(None, f"“{text}”{_in(cell)} is a year, not a date; enter the day.",
                        cell=cell)
    if _NUMBER.match(text):
        got = from_serial(float(text.replace(",", ".")), date1904, text=text, cell=cell)
        if got.date is not None:
            return DateRead(got.date, note=f"“{text}” was read as an Excel date serial number "
                                           f"({got.date.isoformat()})", cell=cell)
        return got
    return _word_date(text, cell)


def _word_date(text: str, cell: str) -> DateRead:
    words = re.sub(r"[^\w]+|_", " ", _plain(text)).split()
    if words and words[0] in _WEEKDAYS and len(words) > 3:
        words = words[1:]
    plain = " ".join(words)
    for pattern, d, mo, y in ((_WORD_DMY, 1, 2, 3), (_WORD_MDY, 2, 1, 3), (_WORD_YMD, 3, 2, 1)):
        match = pattern.match(plain)
        if match and match[mo] in MONTHS:
            year, note = _year(match[y])
            return _make(year, MONTHS[match[mo]], int(match[d]), text, cell, note)
    match = _MONTH_YEAR.match(plain)
    if match and (match[1] in MONTHS or match[3]):
        return DateRead(None, f"“{text}”{_in(cell)} gives the month but not the day; enter the "
                              "full date.", cell=cell)
    return DateRead(None, f"“{text}”{_in(cell)} is not a date.", cell=cell)


class DateReader:
    """Reads the dates of one file with one day/month order.

    ``order`` is the user's choice ("dmy"/"mdy"); without one, :meth:`learn` detects it from
    every date-holding value of the file (call it before reading). ``note`` says what was
    found, for the report."""

    def __init__(self, order: str | None = None, *, date1904: bool = False):
        if order not in (None, DMY, MDY):
            raise ValueError("order must be 'dmy', 'mdy' or None")
        self.chosen = order
        self.order = order
        self.date1904 = date1904
        self.guess: OrderGuess | None = None

    def learn(self, values: Iterable[Any]) -> OrderGuess:
        self.guess = detect_order(values)
        if self.chosen is None:
            self.order = self.guess.order
        return self.guess

    @property
    def note(self) -> str:
        if self.chosen is not None:
            return ("Slash dates are read day first, as chosen." if self.chosen == DMY else
                    "Slash dates are read month first, as chosen.")
        return self.guess.note if self.guess is not None else ""

    def read(self, value: Any, cell: str = "") -> DateRead:
        return read_date(value, order=self.order, date1904=self.date1904, cell=cell)
