"""The management review pack as Word: written from a review, reopened with python-docx (the
inputs in 9.3.2 order, a run chart per objective and KPI, the risks chart, the outputs with
their actions, the minutes, the audit head in the footer), the CLI verb, and LibreOffice's
layout of it (page count matches the NUMPAGES shown, the text is there)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest

from qms_desktop.services import records, review
from qms_desktop.services.audit_trail import head_stamp
from qms_desktop.services.exports.review_docx import export_review

soffice = shutil.which("soffice") or shutil.which("libreoffice")
pdfinfo = shutil.which("pdfinfo")
pdftotext = shutil.which("pdftotext")

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=330)


@pytest.fixture
def pack(ws):
    def make(entity, **values):
        return records.create(ws, entity, values).result

    ann = make("person", name="Ann Smith")
    for ref, kind, cat in (("OBJ-1", "objective", "customer"), ("KPI-1", "kpi", "process"),
                           ("KPI-2", "kpi", "supplier")):
        oid = make("objective", ref=ref, title=f"{ref} measure", kind=kind, category=cat,
                   target=95, unit="%")
        for k in range(10):
            make("measurement", objective_id=oid, value=90 + k % 7,
                 measured_on=START + dt.timedelta(days=30 * k + 3))
    make("risk", ref="R-1", title="Late steel", inherent_likelihood=4, inherent_impact=4)
    make("nonconformity", ref="NC-1", title="Bore oversize", source="customer complaint",
         detected_on=TODAY - dt.timedelta(days=20), customer="Hydra")
    rid = review.create_review(ws, "Management review test", START, TODAY,
                               held_on=TODAY, chair="Ann Smith",
                               attendees="Ann Smith, Bob Jones").result
    r = review.get_review(ws, rid)
    review.update_item(ws, r.item("customer").id, r.item("customer").text +
                       "\n\n**In the meeting:** scorecards rated B.")
    review.add_output(ws, rid, "decision", review.NO_CHANGES, make_action=False)
    review.add_output(ws, rid, "resource_need", "Second CMM operator", owner_id=ann,
                      due_date=TODAY + dt.timedelta(days=90))
    review.update_review(ws, rid, {"minutes": "The chair opened the review.\n\n- point one"})
    return ws, rid


def test_pack_reopens_with_its_parts(pack, tmp_path):
    from docx import Document

    ws, rid = pack
    out = export_review(ws, rid, tmp_path / "pack.docx")
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert [h.split("\u2003")[0] for h in heads] == [
        review.section_clause(s) for s in review.INPUTS]
    assert "Management review test" in text and "Inputs (ISO 9001 9.3.2)" in text
    assert "Edited by the team" in text and "scorecards rated B" in text
    assert "The chair opened the review." in text
    cover = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ["Chair", "Ann Smith"] in cover and ["Attendees", "Ann Smith, Bob Jones"] in cover
    outputs = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert outputs[0] == ["Output", "Text", "Action", "Owner", "Due", "Status"]
    assert any(r[1] == "Second CMM operator" and r[2].startswith("A-") and r[3] == "Ann Smith"
               for r in outputs)
    assert any(r[1] == review.NO_CHANGES and r[5] == "no action" for r in outputs)
    # three KPI run charts and the risks-by-level chart
    assert len(doc.inline_shapes) == 4
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    head, event = head_stamp(ws)
    assert f"Audit trail head {head}" in footer and f"event {event:,}" in footer
    assert doc.core_properties.title == "Management review test"


def test_a_stale_edited_input_says_its_figures_are_as_edited(pack, tmp_path):
    from docx import Document

    ws, rid = pack
    records.create(ws, "nonconformity", {"ref": "NC-2", "title": "Burr", "detected_on": TODAY,
                                         "source": "customer complaint"})
    review.refresh_inputs(ws, rid)
    out = export_review(ws, rid, tmp_path / "pack.docx")
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert f"Figures as edited on {TODAY.isoformat()}. Collected again on " \
        f"{TODAY.isoformat()}, the figures differ" in text
    assert "scorecards rated B" in text  # the edited text stays; nothing overwritten


def test_charts_come_from_the_stored_figures(pack, tmp_path):
    """Measurements entered after the review was collected do not change its pack."""
    from docx import Document

    ws, rid = pack
    before = export_review(ws, rid, tmp_path / "a.docx")
    records.create(ws, "objective", {"ref": "OBJ-9", "title": "Later", "kind": "kpi",
                                     "target": 1})
    after = export_review(ws, rid, tmp_path / "b.docx")
    assert len(Document(str(before)).inline_shapes) == len(Document(str(after)).inline_shapes)


def test_cli_export_review(pack, tmp_path, capsys):
    from qms_desktop.cli import main

    ws, rid = pack
    path = ws.path
    ws.close()
    assert main(["export", "review", str(path), "Management review test", "-o",
                 str(tmp_path / "cli.docx")]) == 0
    assert (tmp_path / "cli.docx").stat().st_size > 10_000
    assert main(["export", "review", str(path), "no such review", "-o",
                 str(tmp_path / "x.docx")]) == 1
    assert "No management review" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not soffice, reason="LibreOffice (soffice) is not on PATH; the pack "
                                        "cannot be laid out to count its pages")
@pytest.mark.skipif(not (pdfinfo and pdftotext),
                    reason="poppler (pdfinfo, pdftotext) is not installed")
def test_libreoffice_lays_it_out(pack, tmp_path):
    ws, rid = pack
    out = export_review(ws, rid, tmp_path / "pack.docx")
    profile = tmp_path / "lo-profile"
    env = dict(os.environ, HOME=str(profile))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=240, env=env)
    pdf = tmp_path / "pack.pdf"
    info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert pages >= 2
    assert f"Page 1 of {pages}" in text.replace("\u00a0", " ")
    flat = " ".join(text.split())
    for words in ("Management review test", "Status of actions from previous management",
                  "Opportunities for improvement", "Second CMM operator", "Minutes",
                  "Audit trail head"):
        assert words in flat, words
