"""`qms import bpmn|drawio` and `qms export bpmn|diagram` end to end."""

import struct

import pytest

from qms_desktop.cli import main as qms
from qms_desktop.storage.workspace import create_workspace


@pytest.fixture
def wsfile(tmp_path):
    p = tmp_path / "m.qms"
    create_workspace(p).close()
    return p


def test_bpmn_import_export_roundtrip(wsfile, tmp_path, corpus_dir, capsys):
    from lxml import etree

    src = corpus_dir / "bpmn" / "A.4.0.bpmn"
    assert qms(["import", "bpmn", str(wsfile), str(src)]) == 0
    assert "created process 1" in capsys.readouterr().out
    out = tmp_path / "a.bpmn"
    assert qms(["export", "bpmn", str(wsfile), "A.4.0", "-o", str(out)]) == 0
    ns = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    ids = lambda p: {e.get("id") for e in etree.parse(str(p)).iter()  # noqa: E731
                     if isinstance(e.tag, str) and e.tag.startswith(ns) and e.get("id")}
    assert ids(src) <= ids(out)
    assert qms(["verify", str(wsfile)]) == 0


def test_hostile_bpmn_refused_nothing_imported(wsfile, tmp_path, capsys):
    evil = tmp_path / "evil.bpmn"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
                    '</definitions>')
    assert qms(["import", "bpmn", str(wsfile), str(evil)]) == 1
    assert capsys.readouterr().err.startswith("qms: ")
    assert qms(["info", str(wsfile), "--json"]) == 0
    assert '"processes": 0' in capsys.readouterr().out


def test_drawio_import(wsfile, tmp_path, capsys):
    plain = tmp_path / "f.drawio"
    plain.write_text(
        '<mxfile><diagram name="P"><mxGraphModel><root><mxCell id="0"/>'
        '<mxCell id="1" parent="0"/>'
        '<mxCell id="a" value="Receive order" style="rounded=1;" vertex="1" parent="1">'
        '<mxGeometry x="10" y="10" width="120" height="60" as="geometry"/></mxCell>'
        '<mxCell id="b" value="In stock?" style="rhombus;" vertex="1" parent="1">'
        '<mxGeometry x="200" y="10" width="80" height="80" as="geometry"/></mxCell>'
        '<mxCell id="e" value="" edge="1" parent="1" source="a" target="b">'
        '<mxGeometry relative="1" as="geometry"/></mxCell>'
        '</root></mxGraphModel></diagram></mxfile>')
    assert qms(["import", "drawio", str(wsfile), str(plain), "--name", "Sales"]) == 0
    assert "2 shapes, 1 connectors" in capsys.readouterr().out


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_export_diagram(wsfile, tmp_path, corpus_dir, ext):
    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.1.0.bpmn")]) == 0
    out = tmp_path / f"d.{ext}"
    assert qms(["export", "diagram", str(wsfile), "1", "-o", str(out), "--dpi", "96"]) == 0
    data = out.read_bytes()
    assert len(data) > 500
    if ext == "png":
        w, h = struct.unpack(">II", data[16:24])
        assert w > 100 and h > 50


def test_export_unknown_process(wsfile, tmp_path, capsys):
    assert qms(["export", "bpmn", str(wsfile), "Nope", "-o", str(tmp_path / "x.bpmn")]) == 1
    assert "no process “Nope”" in capsys.readouterr().err


def _pdf_pages(path) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def test_export_diagram_pdf_page_options(wsfile, tmp_path, corpus_dir, capsys):
    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.4.0.bpmn")]) == 0
    fit, tiled = tmp_path / "fit.pdf", tmp_path / "tiled.pdf"
    assert qms(["export", "diagram", str(wsfile), "1", "-o", str(fit), "--pages", "fit",
                "--paper", "a3"]) == 0
    assert _pdf_pages(fit) == 1
    assert qms(["export", "diagram", str(wsfile), "1", "-o", str(tiled), "--pages", "tile",
                "--scale", "150", "--orientation", "portrait"]) == 0
    assert _pdf_pages(tiled) > 1
    capsys.readouterr()
    # page options on an image, a scale with one page, a silly scale: one sentence each
    for extra, out in ((["--pages", "tile"], "x.png"), (["--pages", "fit", "--scale", "50"], "x.pdf"),
                       (["--scale", "1"], "x.pdf")):
        assert qms(["export", "diagram", str(wsfile), "1", "-o", str(tmp_path / out), *extra]) == 1
        err = capsys.readouterr().err
        assert err.startswith("qms: ") and err.count("\n") == 1
        assert not (tmp_path / out).exists()


def test_page_options_on_an_image_are_refused_once_with_the_options_named(
        wsfile, tmp_path, corpus_dir, capsys, monkeypatch):
    """One check (render_map's) refuses page options for PNG and SVG; the CLI has none of its
    own, so the message is render_map's and names the options."""
    from qms_desktop.ui.flowchart import render

    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.4.0.bpmn")]) == 0
    capsys.readouterr()
    calls = []
    real = render.render_map
    monkeypatch.setattr(render, "render_map",
                        lambda *a, **k: calls.append(k.get("pages")) or real(*a, **k))
    for ext, extra in (("png", ["--paper", "A3"]), ("svg", ["--orientation", "portrait"])):
        out = tmp_path / f"x.{ext}"
        assert qms(["export", "diagram", str(wsfile), "1", "-o", str(out), *extra]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith("qms: The page options (pages, paper, orientation, scale) apply "
                              f"to PDF only, not to {ext.upper()}")
        assert not out.exists()
    assert len(calls) == 2 and all(p is not None for p in calls)  # render_map decided
    # default options are no page options: images export as before
    assert qms(["export", "diagram", str(wsfile), "1", "-o", str(tmp_path / "ok.svg")]) == 0
    assert calls[-1] is None


def test_import_dry_run_opens_the_workspace(tmp_path, corpus_dir, capsys):
    missing = tmp_path / "missing.qms"
    src = str(corpus_dir / "bpmn" / "A.2.0.bpmn")
    assert qms(["import", "bpmn", str(missing), src, "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "would create" not in captured.out
    assert captured.err.startswith("qms: ") and captured.err.count("\n") == 1
    assert not missing.exists()
    notes = tmp_path / "notes.qms"
    notes.write_text("not a workspace", encoding="utf-8")
    assert qms(["import", "bpmn", str(notes), src, "--dry-run"]) == 1
    assert capsys.readouterr().err.startswith("qms: ")


def test_import_dry_run_names_the_process_as_the_real_import_would(wsfile, corpus_dir,
                                                                   capsys):
    import json

    src = str(corpus_dir / "bpmn" / "A.2.0.bpmn")
    assert qms(["import", "bpmn", str(wsfile), src]) == 0
    assert "“A.2.0”" in capsys.readouterr().out
    before = wsfile.read_bytes()
    assert qms(["import", "bpmn", str(wsfile), src, "--dry-run"]) == 0
    assert "would create process “A.2.0 (2)”: 8 shapes" in capsys.readouterr().out
    assert qms(["import", "bpmn", str(wsfile), src, "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "A.2.0 (2)"
    assert qms(["import", "bpmn", str(wsfile), src, "--dry-run", "--name", "Sales"]) == 0
    assert "would create process “Sales”" in capsys.readouterr().out
    assert wsfile.read_bytes() == before  # read-only: nothing written
    assert qms(["import", "bpmn", str(wsfile), src]) == 0  # the real import: the same name
    assert "created process 2 “A.2.0 (2)”" in capsys.readouterr().out
    assert qms(["info", str(wsfile), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["processes"] == 2
