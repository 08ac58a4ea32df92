"""core.capa: the nonconformity lifecycle, the closure rule (ISO 9001 10.2, shared with the
audit findings), the 5 Whys rule and the 8D steps as data."""

from __future__ import annotations

import pytest

from qms_desktop.core import capa
from qms_desktop.core import checklists as cl
from qms_desktop.core.capa import ActionState, Cause, NcState
from qms_desktop.storage import models as m


def complete(**kw) -> NcState:
    base = dict(description="Bores oversize", containment="Stock blocked", correction="Sorted",
                team="Gemma", root_cause="Tool wear", actions=(ActionState("verified"),),
                effectiveness_check="Ten batches without oversize bores", effective=True)
    base.update(kw)
    return NcState(**base)


def test_the_constants_are_the_schema_s():
    assert capa.STATUSES == m.NC_STATUSES
    assert capa.SOURCES == m.NC_SOURCES
    assert capa.SEVERITIES == m.NC_SEVERITIES
    assert capa.CATEGORIES == m.CAUSE_CATEGORIES
    assert set(capa.STATUS_SYMBOLS) == set(capa.STATUSES)


def test_a_complete_nonconformity_may_close():
    assert capa.closure_problems(complete()) == []
    # a cancelled action does not count; containment alone is the correction
    assert capa.closure_problems(complete(actions=(ActionState("done"),
                                                   ActionState("cancelled")),
                                          correction="")) == []


def test_cannot_close_without_the_effectiveness_check():
    problems = capa.closure_problems(complete(effectiveness_check="", effective=None))
    # every gap at once: the verdict is asked for even before the check is described
    assert problems == ["Describe how the effectiveness of the actions was checked.",
                        "Judge whether the actions were effective."]
    assert capa.closure_problems(complete(effectiveness_check="")) == [
        "Describe how the effectiveness of the actions was checked."]
    assert capa.closure_problems(complete(effective=None)) == [
        "Judge whether the actions were effective."]


def test_not_effective_asks_for_a_new_action():
    problems = capa.closure_problems(complete(effective=False))
    assert len(problems) == 1 and "not effective: raise a new action" in problems[0]


@pytest.mark.parametrize("change, words", [
    ({"description": " "}, "Describe the nonconformity"),
    ({"containment": "", "correction": ""}, "containment or correction"),
    ({"root_cause": ""}, "root cause"),
    ({"actions": ()}, "Raise at least one corrective action"),
    ({"actions": (ActionState("cancelled"),)}, "Raise at least one corrective action"),
    ({"actions": (ActionState("done"), ActionState("in_progress"))},
     "Finish every action of the nonconformity"),
])
def test_each_missing_piece_keeps_it_open(change, words):
    problems = capa.closure_problems(complete(**change))
    assert len(problems) == 1 and words in problems[0]


def test_a_marked_cause_is_a_root_cause():
    causes = (Cause("fishbone", "Calliper for an H7 bore", True, "measurement"),)
    assert capa.closure_problems(complete(root_cause="", causes=causes)) == []
    unmarked = (Cause("fishbone", "Calliper", False, "measurement"),)
    assert capa.closure_problems(complete(root_cause="", causes=unmarked)) != []
    assert capa.root_cause_summary("", causes) == "Calliper for an H7 bore"


def test_one_rule_with_the_audit_findings():
    """The finding rule is the same function; its own wording stays."""
    nc = capa.closure_problems(complete(actions=(ActionState("open"),)))
    finding = cl.closure_problems("minor", correction="x", root_cause="y",
                                  actions=[ActionState("open")], effectiveness_check="z",
                                  effective=True)
    assert finding == ["Finish every action of the finding first."]
    assert nc == ["Finish every action of the nonconformity first."]


def test_the_refusal_is_one_sentence():
    text = capa.closure_refusal("NC-0147", ["Record the root cause.",
                                            "Describe how the effectiveness of the actions was "
                                            "checked."])
    assert text == ("NC-0147 cannot be closed yet: record the root cause; describe how the "
                    "effectiveness of the actions was checked.")
    assert text.count(".") == 1


def test_lifecycle_steps_say_what_they_need():
    assert capa.STATUSES == ("open", "contained", "investigating", "action", "closed")
    empty = NcState()
    assert capa.step_problems("open", empty) == ["Describe the nonconformity."]
    need = capa.step_problems("action", NcState(description="x"))
    assert [p.split()[0] for p in need] == ["Record", "Name", "Record"]
    assert capa.step_problems("action", complete()) == []
    assert capa.step_problems("closed", complete(effective=None)) == [
        "Judge whether the actions were effective."]
    assert [capa.status_index(s) for s in capa.STATUSES] == [0, 1, 2, 3, 4]


def _whys(*texts, root=None):
    return [Cause("why", t, k == root, "", k) for k, t in enumerate(texts)]


def test_five_whys_the_last_why_or_the_marked_one_is_the_root():
    chain = _whys("Bore oversize", "Bar worn", "Tool life not counted", "No counter", "")
    assert capa.whys_root(chain) == 3   # the last one written
    assert capa.whys_root(_whys("a", "b", "c", root=1)) == 1
    assert capa.whys_root([]) is None
    assert capa.why_problems(_whys("a", "", "c")) == [
        "Why 2 is empty: each why answers the one before it."]
    too_many = _whys(*"abcdefgh")
    assert len(too_many) > capa.MAX_WHYS
    assert "at most" in capa.why_problems(too_many)[0]
    assert capa.can_add_why(_whys(*"abcdef")) and not capa.can_add_why(_whys(*"abcdefg"))


def test_eight_d_steps_as_data():
    assert [d.code for d in capa.EIGHT_D] == [f"D{k}" for k in range(1, 9)]
    fields = {f for d in capa.EIGHT_D for f in d.fields}
    for name in ("team", "description", "containment", "correction", "root_cause",
                 "prevention", "effectiveness_check", "effective", "closed_on"):
        assert name in fields
        assert name in ("causes", "actions", "owner", "finding") or \
            hasattr(m.Nonconformity, name)


def test_the_closure_list_names_every_gap_and_the_unfinished_actions():
    acts = (ActionState("done", ref="A-036"), ActionState("in_progress", ref="A-037"),
            ActionState("open", ref="A-038"), ActionState("cancelled", ref="A-039"))
    problems = capa.closure_problems(complete(actions=acts, effectiveness_check="",
                                              effective=None, root_cause=""))
    assert problems == [
        "Record the root cause, or mark a cause of the 5 Whys or the fishbone as the root.",
        "Finish A-037 (in progress) first.", "Finish A-038 (open) first.",
        "Describe how the effectiveness of the actions was checked.",
        "Judge whether the actions were effective."]
    # the audit findings keep their wording
    finding = cl.closure_problems("minor", correction="x", root_cause="y", actions=acts,
                                  effectiveness_check="", effective=None)
    assert finding == ["Finish every action of the finding first.",
                       "Describe how the effectiveness of the actions was checked."]


def test_suggested_status_offers_the_step_the_data_has_reached():
    assert capa.suggested_status("open", NcState(description="x")) is None
    contained = NcState(description="x", containment="Stock blocked")
    assert capa.suggested_status("open", contained) == "contained"
    assert capa.suggested_status("contained", contained) is None
    whys = (Cause("why", "Bar worn", False, "", 0),)
    investigating = NcState(description="x", containment="c", causes=whys, team="QA")
    assert capa.suggested_status("open", investigating) == "investigating"
    full = NcState(description="x", containment="c", causes=whys, root_cause="Tool wear",
                   team="QA", actions=(ActionState("open"),))
    assert capa.suggested_status("open", full) == "action"
    assert capa.suggested_status("investigating", full) == "action"
    # never backwards, never to closed, nothing once closed
    assert capa.suggested_status("action", full) is None
    assert capa.suggested_status("action", complete()) is None
    assert capa.suggested_status("closed", full) is None
    # a cancelled action is no corrective action
    assert capa.suggested_status("open", NcState(
        description="x", containment="c", root_cause="r", team="QA",
        actions=(ActionState("cancelled"),))) == "investigating"


def test_suggested_status_never_offers_a_step_whose_needs_are_missing():
    # a new nonconformity with a containment but no description: "contained" would be
    # accepted while the banner says "Describe the nonconformity." — not offered
    bare = NcState(containment="Stock blocked")
    assert capa.step_problems("contained", bare) == ["Describe the nonconformity."]
    assert capa.suggested_status("open", bare) is None
    whys = (Cause("why", "Bar worn", False, "", 0),)
    assert capa.suggested_status("open", NcState(containment="c", causes=whys,
                                                 root_cause="r")) is None
    # the investigation needs a team: whys and a root cause but no team offer "contained"
    no_team = NcState(description="x", containment="c", causes=whys, root_cause="r",
                      actions=(ActionState("open"),))
    assert capa.suggested_status("open", no_team) == "contained"
    assert capa.suggested_status("contained", no_team) is None
