"""Columns declared as data: what a column shows, how it sorts, how it is edited.

A :class:`Column` names a row attribute (``key``) and, optionally, functions of the row for each
thing a cell can say. Everything has a default, so a plain column is one line::

    Column("title", tr("Title"), editor=TEXT, searchable=True)

and a coloured, computed one only says what differs::

    Column("level", tr("Level"), display=lambda r: level_label(r.level),
           sort=lambda r: LEVEL_RANK.get(r.level),
           colour=lambda r, pal: pal.level_colours(r.level),   # (background, foreground)
           symbol=lambda r, pal: pal.level_icon(r.level))      # readable without colour

The functions are called while painting, so they must only read the row (never query).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt

#: editor kinds (``Column.editor``); "" means the column is not edited in the table
TEXT, LONGTEXT, CHOICE, COMBO, DATE, RATING = "text", "longtext", "choice", "combo", "date", \
    "rating"

#: an item of a choice: (label, value, tooltip)
Item = tuple[str, Any, str]

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)

_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple:
    """A sort key putting "R-2" before "R-10" (case-insensitive)."""
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(text.casefold()))


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a :class:`~.model.RowModel`. Functions take the row (``colour`` and
    ``symbol`` also the model's palette) and must not query."""

    key: str
    title: str
    #: header tooltip (what the column means)
    tooltip: str = ""
    #: width in pixels when no ``samples`` say better
    width: int = 90
    #: the stored value (EditRole, what editors start from); default ``getattr(row, key)``
    value: Callable[[Any], Any] | None = None
    #: the text shown; default: the value as text (dates in the user's format)
    display: Callable[[Any], str] | None = None
    #: sort key (None sorts last in both orders); default: the value (text case-folded, empty
    #: text last); :func:`natural` sorts "R-2" before "R-10"
    sort: Callable[[Any], Any] | None = None
    #: editor kind (TEXT, LONGTEXT, CHOICE, COMBO, DATE, RATING) or "" (read-only)
    editor: str = ""
    #: the choices of a CHOICE / COMBO / RATING editor for this row
    items: Callable[[Any], Sequence[Item]] | None = None
    #: whether this row's cell may be edited (default: yes, when the column has an editor)
    editable: Callable[[Any], bool] | None = None
    #: TextAlignmentRole (``RIGHT``, ``CENTER``…)
    align: int | None = None
    #: cell tooltip
    tip: Callable[[Any], str | None] | None = None
    #: (background, foreground) brushes, either may be None
    colour: Callable[[Any, Any], tuple[Any, Any]] | None = None
    #: an icon that says with its shape what the colour says
    symbol: Callable[[Any, Any], Any] | None = None
    #: a font (e.g. italic for drafts)
    font: Callable[[Any], Any] | None = None
    #: the text a screen reader speaks (default: the display text)
    spoken: Callable[[Any], str] | None = None
    #: the text search looks into this column's display text
    searchable: bool = False
    #: typical texts, so the default width shows them unclipped; ``icon`` adds room for one
    samples: Callable[[], Sequence[str]] | None = None
    icon: bool = False
    #: shown until the user chooses columns
    visible: bool = True

    # -- resolved functions (defaults filled in)
    def value_of(self) -> Callable[[Any], Any]:
        if self.value is not None:
            return self.value
        key = self.key
        return lambda r: getattr(r, key)

    def display_of(self) -> Callable[[Any], str]:
        if self.display is not None:
            return self.display
        value = self.value_of()
        if self.editor == DATE:
            from .delegates import format_date

            return lambda r: format_date(value(r))
        if self.editor in (CHOICE, COMBO, RATING) and self.items is not None:
            items = self.items

            def label(r):
                v = value(r)
                if v is None:
                    return ""
                for text, item, _tip in items(r):
                    if item == v:
                        return text
                return str(v)
            return label
        return lambda r: _text(value(r))

    def sort_of(self) -> Callable[[Any], Any]:
        if self.sort is not None:
            return self.sort
        value = self.value_of()

        def key(r):
            v = value(r)
            if isinstance(v, str):
                return v.casefold() or None
            return v
        return key

    def spoken_of(self) -> Callable[[Any], str]:
        return self.spoken or self.display_of()


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, dt.date):
        from .delegates import format_date

        return format_date(v)
    return str(v)
