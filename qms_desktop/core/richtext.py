"""The light Markdown of document section texts, parsed into blocks (pure, no Qt, never raises).

Blocks (:func:`parse`):

* :class:`Heading` — ``# ``, ``## ``, ``### `` (more ``#`` count as level 3; ``#word`` is text);
* :class:`Paragraph` — consecutive text lines joined by a space; a line ending in two spaces or
  a backslash keeps its line break (``"\\n"`` inside a run);
* :class:`ListBlock` — items of ``- `` / ``* `` (bullets) and ``1. `` / ``1) `` (numbered), an
  item's level from its indentation (2 spaces or more: level 1; one level of nesting); a
  following line indented by 2 or more spaces that starts no item continues the item;
* :class:`Table` — pipe tables: ``| a | b |`` rows with a ``|---|---|`` separator after the
  first (the header); ``:---:`` / ``---:`` give the column's alignment; ``\\|`` is a literal
  pipe; short rows are padded, long ones keep their extra cells.

Inline text becomes :class:`Run` s: ``**bold**``, ``*italic*``, ``***both***``, ```code```;
a backslash before ``\\ * _ ` # | - + . ! [ ] ( ) { } < >`` keeps that character literal.
An opener followed by a space or without its closer is plain text (``2 * 3 * 4``). Anything
else is text as typed: nothing is dropped but the markup itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "Heading", "ListBlock", "ListItem", "Paragraph", "Run", "Table",
           "parse", "parse_inline", "plain_text"]


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    level: int                      # 1..3
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class ListItem:
    runs: tuple[Run, ...]
    ordered: bool
    level: int = 0                  # 0 or 1
    number: int | None = None       # as typed, for numbered items


@dataclass(frozen=True)
class ListBlock:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]
    #: per header column: "left" | "center" | "right"
    align: tuple[str, ...] = ()


Block = Paragraph | Heading | ListBlock | Table

ESCAPABLE = frozenset("\\*_`#|-+.![](){}<>~")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_BULLET = re.compile(r"^( *)([-*])[ \t]+(.*)$")
_NUMBER = re.compile(r"^( *)(\d{1,9})[.)][ \t]+(.*)$")
_SEP_CELL = re.compile(r"^\s*(:?)-{1,}(:?)\s*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")


# --------------------------------------------------------------------------- inline

def _find_closer(text: str, start: int, marker: str) -> int:
    """Index of the closing ``marker`` at or after ``start`` (outside code spans and escapes,
    preceded by a non-space), or -1."""
    n = len(marker)
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            i += 2
            continue
        if c == "`":
            ticks = _run_length(text, i, "`")
            end = text.find("`" * ticks, i + ticks)
            while end != -1 and _run_length(text, end, "`") != ticks:
                end = text.find("`" * ticks, end + _run_length(text, end, "`"))
            if end != -1:
                i = end + ticks
                continue
            i += ticks
            continue
        if c == "*":
            stars = _run_length(text, i, "*")
            if i > start and not text[i - 1].isspace():
                if stars == n or (stars > n and n == 3):
                    return i
                if n == 1 and stars >= 3:
                    return i            # "*a **b***": the italic closes on the first star
                if n == 2 and stars == 3:
                    return i + 1        # "**a *b***": the inner italic takes the first star
            if n == 1 and stars == 2:   # a nested bold inside an italic: skip its pair
                inner = _find_closer(text, i + 2, "**")
                if inner != -1 and text[i + 2:i + 3].strip():
                    i = inner + 2
                    continue
            i += stars
            continue
        i += 1
    return -1


def _run_length(text: str, i: int, ch: str) -> int:
    j = i
    while j < len(text) and text[j] == ch:
        j += 1
    return j - i


def _inline(text: str, bold: bool, italic: bool, out: list[Run], depth: int) -> None:
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(Run("".join(buf), bold, italic))
            buf.clear()

    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in ESCAPABLE:
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            ticks = _run_length(text, i, "`")
            end = text.find("`" * ticks, i + ticks)
            while end != -1 and _run_length(text, end, "`") != ticks:
                end = text.find("`" * ticks, end + _run_length(text, end, "`"))
            if end != -1 and end > i + ticks:
                code = text[i + ticks:end]
                if len(code) >= 2 and code[0] == " " and code[-1] == " " and code.strip():
                    code = code[1:-1]
                flush()
                out.append(Run(code, bold, italic, code=True))
                i = end + ticks
                continue
            buf.append("`" * ticks)
            i += ticks
            continue
        if c == "*" and depth < 8:
            stars = _run_length(text, i, "*")
            for k in ((3, 2, 1) if stars >= 3 else (2, 1) if stars == 2 else (1,)):
                body = i + k
                if body >= n or text[body].isspace() or text[body] == "*" and k < stars:
                    continue
                close = _find_closer(text, body, "*" * k)
                if close <= body:
                    continue
                flush()
                _inline(text[body:close], bold or k >= 2, italic or k != 2, out, depth + 1)
                i = close + k
                if k < stars:        # the extra opening stars stay literal
                    buf.append("*" * (stars - k))
                break
            else:
                buf.append("*" * stars)
                i += stars
            continue
        buf.append(c)
        i += 1
    flush()


def parse_inline(text: str) -> tuple[Run, ...]:
    """Runs of ``text`` with their bold / italic / code flags; adjacent equal runs merged."""
    try:
        raw: list[Run] = []
        _inline(_clean(text), False, False, raw, 0)
    except Exception:  # pragma: no cover - a last resort: the text as typed
        return (Run(_clean(text)),) if text else ()
    merged: list[Run] = []
    for r in raw:
        if not r.text:
            continue
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].code) == \
                (r.bold, r.italic, r.code):
            merged[-1] = Run(merged[-1].text + r.text, r.bold, r.italic, r.code)
        else:
            merged.append(r)
    return tuple(merged)


# --------------------------------------------------------------------------- blocks

def _clean(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, buf, i = [], [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] == "|":
            buf.append("\\|")
            i += 2
            continue
        if s[i] == "|":
            cells.append("".join(buf).strip())
            buf = []
        else:
            buf.append(s[i])
        i += 1
    cells.append("".join(buf).strip())
    return cells


def _separator(line: str) -> list[str] | None:
    """The alignments of a ``|---|:--:|`` row, or None if ``line`` is no separator."""
    if "-" not in line or "|" not in line:
        return None
    cells = _split_cells(line)
    out = []
    for cell in cells:
        m = _SEP_CELL.match(cell)
        if not m:
            return None
        out.append("center" if m.group(1) and m.group(2) else "right" if m.group(2)
                   else "left")
    return out


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def _item(line: str) -> tuple[int, bool, int | None, str] | None:
    """(indent, ordered, number, text) of a list item line, or None."""
    m = _BULLET.match(line)
    if m and not re.fullmatch(r"\s*([-*])(\s*\1){2,}\s*", line):   # "---", "* * *": rules
        return len(m.group(1)), False, None, m.group(3)
    m = _NUMBER.match(line)
    if m:
        return len(m.group(1)), True, int(m.group(2)), m.group(3)
    return None


def _heading(line: str) -> tuple[int, str] | None:
    m = _HEADING.match(line)
    if not m:
        return None
    text = _CLOSING_HASHES.sub("", m.group(2) or "")
    return min(len(m.group(1)), 3), text.strip()


def _join(lines: list[str]) -> str:
    """Paragraph lines joined by spaces, keeping hard breaks (two spaces or a backslash)."""
    out = []
    for k, line in enumerate(lines):
        last = k == len(lines) - 1
        if not last and line.endswith("  "):
            out.append(line.rstrip() + "\n")
        elif not last and line.endswith("\\") and not line.endswith("\\\\"):
            out.append(line[:-1].rstrip() + "\n")
        else:
            out.append(line.strip() + ("" if last else " "))
    return "".join(out).strip(" ")


def _parse(text: str) -> list[Block]:
    lines = _clean(text).expandtabs(4).split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    items: list[ListItem] = []
    item_lines: list[str] = []
    item_head: tuple[bool, int, int | None] | None = None

    def end_item() -> None:
        nonlocal item_head
        if item_head is not None:
            ordered, level, number = item_head
            items.append(ListItem(parse_inline(_join(item_lines)), ordered, level, number))
            item_lines.clear()
            item_head = None

    def end_list() -> None:
        end_item()
        if items:
            blocks.append(ListBlock(tuple(items)))
            items.clear()

    def end_para() -> None:
        if para:
            runs = parse_inline(_join(para))
            if runs:
                blocks.append(Paragraph(runs))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\n")
        if not line.strip():
            end_para()
            end_list()
            i += 1
            continue
        # a pipe table: a row, then a separator with the same number of cells or more
        if _is_table_row(line) and i + 1 < len(lines) and _is_table_row(lines[i + 1]):
            align = _separator(lines[i + 1])
            if align is not None:
                end_para()
                end_list()
                header = _split_cells(line)
                rows = []
                j = i + 2
                while j < len(lines) and _is_table_row(lines[j]):
                    cells = _split_cells(lines[j])
                    cells += [""] * (len(header) - len(cells))
                    rows.append(tuple(parse_inline(c) for c in cells))
                    j += 1
                align += ["left"] * (len(header) - len(align))
                blocks.append(Table(tuple(parse_inline(c) for c in header), tuple(rows),
                                    tuple(align[:len(header)])))
                i = j
                continue
        head = _heading(line)
        if head is not None:
            end_para()
            end_list()
            level, htext = head
            runs = parse_inline(htext)
            if runs:
                blocks.append(Heading(level, runs))
            i += 1
            continue
        it = _item(line)
        if it is not None:
            end_para()
            end_item()
            indent, ordered, number, rest = it
            item_head = (ordered, 1 if indent >= 2 else 0, number)
            item_lines.append(rest)
            i += 1
            continue
        if item_head is not None and len(line) - len(line.lstrip(" ")) >= 2:
            item_lines.append(line.strip())      # the item goes on
            i += 1
            continue
        end_list()
        para.append(line.strip() if not line.endswith(("  ", "\\")) else line.lstrip())
        i += 1
    end_para()
    end_list()
    return blocks


def parse(text: object) -> list[Block]:
    """The blocks of a section text. Never raises: anything it cannot read is plain text."""
    try:
        return _parse(_clean(text))
    except Exception:  # pragma: no cover - a last resort: every line a paragraph as typed
        return [Paragraph((Run(line),)) for line in _clean(text).split("\n") if line.strip()]


def plain_text(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)
