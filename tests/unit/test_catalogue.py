"""The clause catalogue: shipped data matches the standard's structure; the loader validates."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from qms_desktop.core.catalogue import (
    PDCA_PHASES,
    CatalogueError,
    available_catalogues,
    load_catalogue,
    load_catalogue_file,
    parse_catalogue,
)

# ISO 9001:2015 clause numbers and titles, transcribed from the project's domain notes
# (standards.md), in document order.
EXPECTED = [
    ("4", "Context of the organization"),
    ("4.1", "Understanding the organization and its context"),
    ("4.2", "Understanding the needs and expectations of interested parties"),
    ("4.3", "Determining the scope of the quality management system"),
    ("4.4", "Quality management system and its processes"),
    ("5", "Leadership"),
    ("5.1", "Leadership and commitment"),
    ("5.1.1", "General"),
    ("5.1.2", "Customer focus"),
    ("5.2", "Policy"),
    ("5.2.1", "Establishing the quality policy"),
    ("5.2.2", "Communicating the quality policy"),
    ("5.3", "Organizational roles, responsibilities and authorities"),
    ("6", "Planning"),
    ("6.1", "Actions to address risks and opportunities"),
    ("6.2", "Quality objectives and planning to achieve them"),
    ("6.3", "Planning of changes"),
    ("7", "Support"),
    ("7.1", "Resources"),
    ("7.1.1", "General"),
    ("7.1.2", "People"),
    ("7.1.3", "Infrastructure"),
    ("7.1.4", "Environment for the operation of processes"),
    ("7.1.5", "Monitoring and measuring resources"),
    ("7.1.5.1", "General"),
    ("7.1.5.2", "Measurement traceability"),
    ("7.1.6", "Organizational knowledge"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("7.5.1", "General"),
    ("7.5.2", "Creating and updating"),
    ("7.5.3", "Control of documented information"),
    ("8", "Operation"),
    ("8.1", "Operational planning and control"),
    ("8.2", "Requirements for products and services"),
    ("8.2.1", "Customer communication"),
    ("8.2.2", "Determining the requirements for products and services"),
    ("8.2.3", "Review of the requirements for products and services"),
    ("8.2.4", "Changes to requirements for products and services"),
    ("8.3", "Design and development of products and services"),
    ("8.3.1", "General"),
    ("8.3.2", "Design and development planning"),
    ("8.3.3", "Design and development inputs"),
    ("8.3.4", "Design and development controls"),
    ("8.3.5", "Design and development outputs"),
    ("8.3.6", "Design and development changes"),
    ("8.4", "Control of externally provided processes, products and services"),
    ("8.4.1", "General"),
    ("8.4.2", "Type and extent of control"),
    ("8.4.3", "Information for external providers"),
    ("8.5", "Production and service provision"),
    ("8.5.1", "Control of production and service provision"),
    ("8.5.2", "Identification and traceability"),
    ("8.5.3", "Property belonging to customers or external providers"),
    ("8.5.4", "Preservation"),
    ("8.5.5", "Post-delivery activities"),
    ("8.5.6", "Control of changes"),
    ("8.6", "Release of products and services"),
    ("8.7", "Control of nonconforming outputs"),
    ("9", "Performance evaluation"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.1.1", "General"),
    ("9.1.2", "Customer satisfaction"),
    ("9.1.3", "Analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.3", "Management review"),
    ("9.3.1", "General"),
    ("9.3.2", "Management review inputs"),
    ("9.3.3", "Management review outputs"),
    ("10", "Improvement"),
    ("10.1", "General"),
    ("10.2", "Nonconformity and corrective action"),
    ("10.3", "Continual improvement"),
]

PDCA = {"4": "plan", "5": "plan", "6": "plan", "7": "do", "8": "do", "9": "check",
        "10": "act"}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def _raw():
    from importlib import resources

    text = resources.files("qms_desktop.resources.catalogues").joinpath(
        "iso9001_2015.json").read_text(encoding="utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------- shipped data


def test_every_clause_number_and_title_exactly(cat):
    assert [(c.number, c.title) for c in cat] == EXPECTED


def test_no_duplicate_numbers(cat):
    numbers = [c.number for c in cat]
    assert len(numbers) == len(set(numbers)) == 75


def test_metadata(cat):
    assert cat.name == "iso9001_2015"
    assert cat.standard == "ISO 9001:2015"
    assert cat.version
    assert "own words" in cat.notice
    assert any("2024" in a for a in cat.amendments)
    raw = _raw()
    assert raw["catalogue_version"] == cat.version and raw["standard"] == cat.standard


def test_hierarchy(cat):
    assert [c.number for c in cat.top_clauses()] == ["4", "5", "6", "7", "8", "9", "10"]
    assert [c.number for c in cat.children("7.1.5")] == ["7.1.5.1", "7.1.5.2"]
    assert cat.clause("7.1.5.2").parent == "7.1.5"
    assert [c.number for c in cat.ancestors("7.1.5.2")] == ["7", "7.1", "7.1.5"]
    assert cat.clause("7.1.5.2").depth == 4
    for c in cat:
        if c.parent is not None:
            assert c.number in cat.clause(c.parent).children


def test_pdca_per_top_clause_and_inherited(cat):
    for c in cat:
        assert c.pdca in PDCA_PHASES
        assert c.pdca == PDCA[c.top], c.number


def test_leaves_have_guidance_and_evidence(cat):
    leaves = cat.leaf_clauses()
    assert len(leaves) == 57
    assert [c.number for c in leaves][:3] == ["4.1", "4.2", "4.3"]
    assert "7.1.5" not in [c.number for c in leaves]
    for c in leaves:
        assert 1 <= len(c.guidance) <= 3, c.number
        assert all(g.endswith("?") for g in c.guidance), c.number
        assert c.evidence, c.number


def test_guidance_is_our_own_questions_not_requirement_text(cat):
    for c in cat:
        for text in c.guidance + c.evidence + [c.note]:
            assert "shall" not in text.lower(), c.number


def test_climate_change_amendment_flagged_on_4_1_and_4_2_only(cat):
    flagged = cat.flagged("amd1_2024_climate")
    assert [c.number for c in flagged] == ["4.1", "4.2"]
    for c in flagged:
        assert "climate change" in c.note.lower()
        assert "2024" in c.note
    assert all(not c.note for c in cat if c.number not in ("4.1", "4.2"))


def test_checklist_items_one_per_leaf(cat):
    items = cat.checklist_items()
    assert [i.clause for i in items] == [c.number for c in cat.leaf_clauses()]
    assert [i.order for i in items] == list(range(1, 58))
    first = items[0]
    assert first.title == "Understanding the organization and its context"
    assert first.guidance.count("\n") == 3  # three questions and the amendment note
    assert "climate" in first.guidance.lower()
    assert all(len(i.clause) <= 20 for i in items)  # fits ChecklistItem.clause


def test_available_and_fresh_objects():
    assert "iso9001_2015" in available_catalogues()
    a = load_catalogue()
    a.clause("4.1").guidance.append("changed")
    assert "changed" not in load_catalogue().clause("4.1").guidance


def test_unknown_clause_lookup_names_it(cat):
    with pytest.raises(KeyError, match="no clause 11.1"):
        cat.clause("11.1")


def test_core_loader_imports_no_qt_or_sqlalchemy():
    code = ("import sys, qms_desktop.core.catalogue as c; c.load_catalogue(); "
            "print(any(m.split('.')[0] in ('PySide6', 'sqlalchemy') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- validation


def _bad(mutate, match):
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(CatalogueError, match=match) as e:
        parse_catalogue(data, source="test.json")
    msg = str(e.value)
    assert msg.startswith("The catalogue") and msg.endswith(".")
    return msg


def _clause(data, number):
    def walk(nodes):
        for n in nodes:
            if n["number"] == number:
                return n
            found = walk(n.get("children", []))
            if found:
                return found
    return walk(data["clauses"])


def test_valid_copy_parses():
    assert len(parse_catalogue(_raw())) == 75


def test_missing_top_field():
    _bad(lambda d: d.pop("catalogue_version"), "catalogue_version")
    _bad(lambda d: d.pop("standard"), "standard")


def test_not_an_object():
    with pytest.raises(CatalogueError, match="JSON object"):
        parse_catalogue([1, 2, 3])


def test_unknown_format():
    _bad(lambda d: d.update(format=2), "format 2")


def test_duplicate_number():
    _bad(lambda d: _clause(d, "4")["children"].append(
        copy.deepcopy(_clause(d, "4.4"))), "4.4 appears twice")


def test_child_numbered_under_wrong_parent():
    _bad(lambda d: _clause(d, "7.1.5.2").update(number="7.2.9"),
         "7.2.9 is listed under clause 7.1.5")


def test_out_of_order():
    def swap(d):
        kids = _clause(d, "4")["children"]
        kids[0], kids[1] = kids[1], kids[0]
    _bad(swap, "out of order")


def test_bad_number():
    _bad(lambda d: _clause(d, "4.3").update(number="4.x"), "dotted number")


def test_leaf_without_guidance():
    _bad(lambda d: _clause(d, "8.6").update(guidance=[]), "8.6 needs 1 to 3 guidance")


def test_leaf_with_too_much_guidance():
    _bad(lambda d: _clause(d, "8.6").update(guidance=["a?", "b?", "c?", "d?"]),
         "8.6 needs 1 to 3")


def test_leaf_without_evidence():
    _bad(lambda d: _clause(d, "9.2").update(evidence=[]), "9.2 lists no expected evidence")


def test_bad_pdca():
    _bad(lambda d: _clause(d, "9").update(pdca="study"), "PDCA phase")
    _bad(lambda d: _clause(d, "9.2").update(pdca="do"), "9.2 has PDCA phase")


def test_unknown_clause_field():
    _bad(lambda d: _clause(d, "5.3").update(guidence=["typo?"]), "unknown field")


def test_missing_title():
    _bad(lambda d: _clause(d, "5.3").update(title="  "), "5.3 has no title")


def test_load_file_errors(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 1,', encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue_file(broken)
    good = tmp_path / "own.json"
    data = _raw()
    data["name"] = "own_list"
    good.write_text(json.dumps(data), encoding="utf-8")
    assert load_catalogue_file(good).name == "own_list"


def test_load_unknown_or_unsafe_name():
    with pytest.raises(CatalogueError, match="no clause catalogue called"):
        load_catalogue("iso13485_2016")
    with pytest.raises(CatalogueError, match="not a valid catalogue name"):
        load_catalogue("../secrets")
