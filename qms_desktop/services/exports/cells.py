"""The one rule for text written into spreadsheet or CSV cells (formula injection).

A spreadsheet program evaluates a cell typed or imported as ``=…``, ``+…``, ``-…`` or ``@…``
(Excel also reads the full-width forms ``＝ ＋ － ＠`` typed with an East Asian input method as
formulas, and tab, CR and LF at the start are the classic CSV tricks), and it turns a text such
as ``#N/A`` into an error value. Every export writes its text through this module:

* :func:`needs_protection` decides whether a text must be kept as plain text;
* xlsx writers store such a text as a string cell with the quote prefix set (Excel keeps it as
  text even when the cell is edited), see ``exports/risks_xlsx.py``;
* CSV writers use :func:`csv_text`, which puts an apostrophe in front of such a text.

:data:`MAX_CELL_TEXT` is the most characters a cell can hold; imports and edits refuse longer
texts so that a register can always be exported. Pure Python (no openpyxl).
"""

from __future__ import annotations

import re

__all__ = [
    "EXCEL_ERRORS",
    "FORMULA_STARTS",
    "MAX_CELL_TEXT",
    "clean_text",
    "csv_text",
    "needs_protection",
]

#: The most characters an Excel cell holds (the xlsx export refuses longer texts).
MAX_CELL_TEXT = 32767

#: First characters that make a spreadsheet read a cell as a formula (ASCII and full-width)
#: or that CSV injection uses (tab, carriage return, line feed).
FORMULA_STARTS = frozenset("=+-@\t\r\n" "\uff1d\uff0b\uff0d\uff20")

#: Texts Excel reads as error values (compared without regard to case).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#BUSY!", "#CONNECT!",
    "#EXTERNAL!", "#PYTHON!",
})

# Blanks some programs trim before they look at the first character (space, no-break space,
# ideographic space and the other Unicode spaces).
_LEADING_BLANKS = re.compile(r"[ \u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Control characters XML 1.0 cannot hold (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def needs_protection(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula or an error value: it starts
    (after any leading blanks) with ``= + - @`` in ASCII or full-width form, a tab, a carriage
    return or a line feed, or it is one of Excel's error values such as ``#N/A``."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    stripped = _LEADING_BLANKS.sub("", text, count=1) if _LEADING_BLANKS.match(text) else text
    if stripped and stripped[0] in FORMULA_STARTS:
        return True
    return stripped.strip().upper() in EXCEL_ERRORS


def clean_text(text: str) -> str:
    """``text`` without the control characters an xlsx file cannot hold."""
    return _ILLEGAL_XML.sub("", text) if _ILLEGAL_XML.search(text) else text


def csv_text(text: str) -> str:
    """``text`` for a CSV cell: an apostrophe in front when :func:`needs_protection`."""
    return "'" + text if needs_protection(text) else text
