"""Regenerating procedure sections: the user's edits are never overwritten silently."""

from __future__ import annotations

from qms_desktop.core.procedure_merge import (changed_lines, describe, merge3, merge_regenerated,
                                              normalize)


def one(text, generated, fresh, key="procedure"):
    [got] = merge_regenerated([(key, text, generated)], {key: fresh})
    return got


def test_untouched_section_takes_the_fresh_text():
    m = one("1. Old step.", "1. Old step.", "1. New step.")
    assert m.status == "update" and m.changes
    assert (m.apply_text, m.apply_generated) == ("1. New step.", "1. New step.")
    assert "-1. Old step." in m.diff_generated and "+1. New step." in m.diff_generated
    assert m.diff_user == ""


def test_unchanged_map_keeps_whatever_the_user_wrote():
    m = one("My own words.", "1. Step.", "1. Step.")
    assert m.status == "kept" and not m.changes and m.differs  # not "unchanged": it differs
    assert (m.apply_text, m.apply_generated) == ("My own words.", "1. Step.")
    assert m.resolve(take_fresh=True) == ("1. Step.", "1. Step.")
    assert m.resolve(take_fresh=False) == ("My own words.", "1. Step.")
    assert "-My own words." in m.diff_user
    same = one("1. Step.", "1. Step.", "1. Step.")
    assert same.status == "unchanged" and not same.differs


def test_edit_plus_map_change_is_a_conflict_that_keeps_the_edit():
    m = one("1. Step, done twice.", "1. Step.", "1. Step.\n2. Another.")
    assert m.status == "conflict" and not m.changes
    assert (m.apply_text, m.apply_generated) == ("1. Step, done twice.", "1. Step.")
    assert "+2. Another." in m.diff_generated
    assert "-1. Step, done twice." in m.diff_user and "+1. Step." in m.diff_user
    assert m.resolve(take_fresh=True) == ("1. Step.\n2. Another.", "1. Step.\n2. Another.")
    # keeping one's text records the fresh text as seen: the same map asks no more
    text, generated = m.resolve(take_fresh=False)
    assert text == "1. Step, done twice."
    assert one(text, generated, "1. Step.\n2. Another.").status == "kept"


def test_hand_written_sections_are_left_alone():
    m = one("Written by hand.", "", "1. Generated.")
    assert m.status == "manual" and not m.changes
    assert m.apply_text == "Written by hand."
    [d] = merge_regenerated([("definitions", "NCR: report", "")], {"procedure": ""})[:1]
    assert d.status == "manual" and d.title == "Definitions"


def test_empty_never_generated_section_is_filled():
    m = one("", "", "1. Step.")
    assert m.status == "update" and m.apply_text == "1. Step."


def test_new_sections_in_section_order_after_existing_ones():
    got = merge_regenerated([("scope", "s", "s")],
                            {"references": "r", "scope": "s", "purpose": "p", "zzz": "z"})
    assert [(g.key, g.status) for g in got] == [
        ("scope", "unchanged"), ("purpose", "new"), ("references", "new"), ("zzz", "new")]
    assert got[1].apply_text == "p" and got[1].apply_generated == "p" and got[1].changes
    assert got[3].title == "Zzz"


def test_line_endings_and_trailing_spaces_are_no_edit():
    m = one("1. Step.  \r\n2. Two.\r\n\r\n", "1. Step.\n2. Two.", "1. Step.\n2. Three.")
    assert m.status == "update"
    assert normalize("\n\n a \r\nb  \n\n") == " a\nb"


def test_describe():
    merges = merge_regenerated(
        [("purpose", "x", "x"), ("scope", "mine", "old"), ("procedure", "a", "a")],
        {"purpose": "y", "scope": "new", "procedure": "a", "records": "r"})
    assert [m.status for m in merges] == ["update", "conflict", "unchanged", "new"]
    assert describe(merges) == ("1 section updated from the map; 1 new section; 1 section "
                                "you edited whose map part changed (your text is kept until "
                                "you choose).")
    assert describe(merge_regenerated([("purpose", "x", "x")], {"purpose": "x"})) == ""
    assert describe(merge_regenerated([("purpose", "mine", "x")], {"purpose": "x"})) == (
        "1 section keeps your own text (it differs from the map's, which has not changed).")


OLD = "Steps:\n\n1. Receive the order.\n2. Check the drawing.\n3. Confirm the order."


def test_merge3_takes_both_changes_on_different_lines():
    mine = OLD + "\n\nAsk sales when in doubt."                    # added at the end
    fresh = OLD.replace("Check the drawing.", "Check the drawing revision.")
    got = merge3(OLD, mine, fresh)
    assert got.clean
    assert got.text == ("Steps:\n\n1. Receive the order.\n2. Check the drawing revision.\n"
                        "3. Confirm the order.\n\nAsk sales when in doubt.")
    assert got.origin == ("base", "base", "base", "theirs", "base", "mine", "mine")
    m = one(mine, OLD, fresh)
    assert m.status == "conflict" and m.merged == got.text
    assert m.resolve_merged() == (got.text, fresh)


def test_merge3_neighbouring_and_deleted_lines():
    mine = OLD.replace("1. Receive the order.", "1. Receive and log the order.")
    fresh = OLD.replace("\n2. Check the drawing.", "")                 # the map drops step 2
    got = merge3(OLD, mine, fresh)
    assert got.text == "Steps:\n\n1. Receive and log the order.\n3. Confirm the order."
    # an insertion just before a line the other side rewrote: both kept, insertion first
    got = merge3("a\nb", "a\nnew\nb", "a\nB")
    assert got.text == "a\nnew\nB" and got.origin == ("base", "mine", "theirs")
    # the same change on both sides counts once
    assert merge3("a\nb", "a\nc", "a\nc").text == "a\nc"
    assert merge3("a\nb", "a\nc", "a\nc").origin == ("base", "both")


def test_merge3_same_lines_is_no_clean_merge():
    got = merge3(OLD, OLD.replace("Check the drawing.", "Check it twice."),
                 OLD.replace("Check the drawing.", "Check the drawing revision."))
    assert not got.clean and got.text is None and got.clashes == ((3, 4),)
    assert merge3("a", "a\nx", "a\ny").clashes == ((1, 1),)   # two additions at the end
    m = one(OLD.replace("Check the drawing.", "Check it twice."), OLD,
            OLD.replace("Check the drawing.", "Check the drawing revision."))
    assert m.status == "conflict" and m.merged is None
    assert m.resolve_merged() == m.resolve(take_fresh=False)


def test_merge3_from_nothing_and_line_endings():
    assert merge3("", "mine", "").text == "mine"
    assert merge3("a\r\nb  \n", "a\nb\nc", "A\nb").text == "A\nb\nc"


def test_changed_lines():
    assert changed_lines("a\nb\nc", "a\nB\nc\nd") == ({1}, {1, 3})
    assert changed_lines("", "x") == (set(), {0})
