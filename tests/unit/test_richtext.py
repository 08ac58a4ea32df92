"""core.richtext: the light Markdown of section texts."""

import random

import pytest

from qms_desktop.core.richtext import (
    Heading,
    ListBlock,
    Paragraph,
    Run,
    Table,
    parse,
    parse_inline,
    plain_text,
)


def test_paragraphs_join_lines_and_split_on_blank_lines():
    blocks = parse("First line\nsame paragraph\n\nSecond one")
    assert blocks == [Paragraph((Run("First line same paragraph"),)),
                      Paragraph((Run("Second one"),))]


def test_hard_break_with_two_spaces_or_backslash():
    (p,) = parse("a  \nb\\\nc")
    assert plain_text(p.runs) == "a\nb\nc"


def test_headings_three_levels_and_hash_word_is_text():
    blocks = parse("# One\n## Two ##\n### Three\n#### Four\n#hashtag")
    assert [(b.level, plain_text(b.runs)) for b in blocks[:4]] == \
        [(1, "One"), (2, "Two"), (3, "Three"), (3, "Four")]
    assert blocks[4] == Paragraph((Run("#hashtag"),))


def test_inline_bold_italic_code():
    assert parse_inline("a **b** *c* `d*e*` ***f***") == (
        Run("a "), Run("b", bold=True), Run(" "), Run("c", italic=True), Run(" "),
        Run("d*e*", code=True), Run(" "), Run("f", bold=True, italic=True))


def test_nested_bold_inside_italic():
    assert parse_inline("*a **b** c*") == (
        Run("a ", italic=True), Run("b", bold=True, italic=True), Run(" c", italic=True))


@pytest.mark.parametrize("text", ["2 * 3 * 4", "a ** b", "**unclosed", "*", "**", "***",
                                  "`open", "* not a list*"[2:], "x*y"])
def test_unmatched_or_spaced_markers_stay_text(text):
    assert plain_text(parse_inline(text)) == text
    assert all(not r.bold and not r.code for r in parse_inline(text))


def test_escaped_asterisks_stay_literal():
    assert parse_inline(r"\*not italic\* and \\ and \`x\`") == (
        Run("*not italic* and \\ and `x`"),)
    assert parse_inline(r"**bold \*star**") == (Run("bold *star", bold=True),)


def test_bullets_nested_and_numbered():
    (lst,) = parse("- one\n- two\n  - two a\n  continued\n* three")
    assert isinstance(lst, ListBlock)
    assert [(plain_text(i.runs), i.level, i.ordered) for i in lst.items] == [
        ("one", 0, False), ("two", 0, False), ("two a continued", 1, False),
        ("three", 0, False)]
    (num,) = parse("1. Receive\n2. **Inspect**\n   - visual\n3) Store")
    assert [(i.number, i.level, i.ordered) for i in num.items] == [
        (1, 0, True), (2, 0, True), (None, 1, False), (3, 0, True)]
    assert num.items[1].runs == (Run("Inspect", bold=True),)


def test_list_after_paragraph_without_blank_line_and_paragraph_after_list():
    blocks = parse("Steps:\n1. a\n2. b\nAfter")
    assert [type(b) for b in blocks] == [Paragraph, ListBlock, Paragraph]


def test_rules_are_not_bullets():
    assert all(isinstance(b, Paragraph) for b in parse("---\n\n* * *"))


def test_pipe_table_with_header_alignment_escaped_pipe_and_ragged_rows():
    (t,) = parse("| Step | Who | Time |\n|---|:--:|--:|\n| **Check** | QA \\| QC |\n"
                 "| b | c | d | extra |")
    assert isinstance(t, Table)
    assert [plain_text(c) for c in t.header] == ["Step", "Who", "Time"]
    assert t.align == ("left", "center", "right")
    assert t.rows[0][0] == (Run("Check", bold=True),)
    assert plain_text(t.rows[0][1]) == "QA | QC"
    assert t.rows[0][2] == ()
    assert len(t.rows[1]) == 4


def test_pipe_lines_without_separator_are_text():
    blocks = parse("| a | b |\n| c | d |")
    assert blocks and all(isinstance(b, Paragraph) for b in blocks)


def test_table_then_text():
    blocks = parse("| a |\n|---|\n| 1 |\nafter")
    assert [type(b) for b in blocks] == [Table, Paragraph]


@pytest.mark.parametrize("text", [None, "", "   \n\n", 42, "\x00\x0b\r\n\r", "|", "|-|",
                                  "| a |\n|---|", "#", "# ", "-", "- ", "1.", "1. ",
                                  "*" * 500, "`" * 301, "\\", "\t- tab item", "  ## x"])
def test_never_raises(text):
    parse(text)


def test_random_text_never_raises_and_keeps_the_words():
    rng = random.Random(7)
    alphabet = "ab *`_\\|-#1.:\n\t)\u202e\U0001F600"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        blocks = parse(text)
        letters = sum(text.count(c) for c in "ab")
        seen = 0
        for b in blocks:
            if isinstance(b, (Paragraph, Heading)):
                seen += sum(plain_text(b.runs).count(c) for c in "ab")
            elif isinstance(b, ListBlock):
                seen += sum(plain_text(i.runs).count(c) for i in b.items for c in "ab")
            else:
                cells = list(b.header) + [c for row in b.rows for c in row]
                seen += sum(plain_text(c).count(x) for c in cells for x in "ab")
        assert seen == letters, repr(text)
