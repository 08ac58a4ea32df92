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


@pytest.mark.gui
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


@pytest.mark.gui
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


@pytest.mark.gui
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


def test_reimporting_an_unchanged_export_changes_nothing(tmp_path, capsys):
    """`qms export bpmn` then `qms import bpmn --into` the same process: the pool the export
    draws around the lanes is not added; the map already matches, nothing is written."""
    from dumps import map_dump

    from qms_desktop.services import processes as P
    from qms_desktop.storage.workspace import open_workspace

    demo = tmp_path / "demo.qms"
    assert qms(["demo", str(demo)]) == 0
    out = tmp_path / "x.bpmn"
    assert qms(["export", "bpmn", str(demo), "CP-02", "-o", str(out)]) == 0
    capsys.readouterr()

    def state():
        with open_workspace(demo, read_only=True) as ws:
            pid = P.process_id_by_ref(ws, "CP-02")
            return map_dump(ws, pid), ws.head_hash()

    before = state()
    for extra in (["--dry-run"], []):
        assert qms(["import", "bpmn", str(demo), str(out), "--into", "CP-02", *extra]) == 0
        text = capsys.readouterr().out
        assert "added" not in text and "updated" not in text.split(":")[0]
        assert "already matches" in text and text.startswith("nothing to update")
    assert state() == before


@pytest.mark.gui
@pytest.mark.parametrize("ext", ["pdf", "svg", "png"])
def test_a_diagram_that_cannot_be_written_gives_one_line_on_stderr(wsfile, tmp_path,
                                                                   corpus_dir, ext):
    """Qt's own warnings (``QPainter::begin(): Returned false``) stay off stderr in a headless
    run: the user reads the one-line reason only. A fresh process, so that the QApplication
    is the one the export makes (as for a user)."""
    import os
    import subprocess
    import sys

    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.1.0.bpmn")]) == 0
    target = tmp_path / "missing" / "dir" / f"x.{ext}"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_LOGGING_RULES", "QT_DEBUG_PLUGINS")}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    got = subprocess.run([sys.executable, "-m", "qms_desktop.cli", "export", "diagram",
                          str(wsfile), "1", "-o", str(target)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert got.returncode == 1
    assert got.stderr.count("\n") == 1, got.stderr
    assert got.stderr.startswith("qms: ") and "QPainter" not in got.stderr
    assert f"the folder “{target.parent}” does not exist" in got.stderr


@pytest.mark.gui
def test_qt_messages_of_a_headless_run_are_logged_not_printed(capfd, caplog):
    """The message handler render.ensure_app installs when it makes the QApplication."""
    import logging

    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from qms_desktop.ui.flowchart import render

    capfd.readouterr()
    with caplog.at_level(logging.DEBUG, logger="qms_desktop.qt"):
        render._qt_message(QtMsgType.QtWarningMsg, QMessageLogContext(),
                           "QPainter::begin(): Returned false")
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    assert [r.getMessage() for r in caplog.records] == ["QPainter::begin(): Returned false"]
    assert caplog.records[0].levelno == logging.WARNING


def test_processes_lists_what_process_arguments_take(wsfile, corpus_dir, capsys):
    import json

    from qms_desktop.services import processes as P
    from qms_desktop.services import records
    from qms_desktop.storage.workspace import open_workspace

    assert qms(["processes", str(wsfile)]) == 0
    assert capsys.readouterr().out.strip() == "no processes"
    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.1.0.bpmn")]) == 0
    with open_workspace(wsfile) as ws:
        pid = P.add_process(ws, {"name": "Purchasing", "code": "SP-01",
                                    "status": "under_review"}).result
        steps = P.get_process(ws, 1).steps
        assert records.get(ws, "process", pid)["code"] == "SP-01"
    capsys.readouterr()
    assert qms(["processes", str(wsfile), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert {"id": 1, "code": "", "name": "A.1.0", "steps": steps, "status": "draft"} in got
    assert {"id": pid, "code": "SP-01", "name": "Purchasing", "steps": 0,
            "status": "under_review"} in got
    assert qms(["processes", str(wsfile)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "code", "name", "steps", "status"]
    assert any(ln.split() == [str(pid), "SP-01", "Purchasing", "0", "under", "review"]
               for ln in lines)
    # every listed id and code is a PROCESS the other commands take
    for row in got:
        for ref in (str(row["id"]), row["code"] or row["name"]):
            assert qms(["export", "bpmn", str(wsfile), ref, "-o",
                        str(wsfile.parent / "p.bpmn")]) == 0


def test_help_of_verbs_taking_process_points_to_processes(capsys):
    for argv in (["export", "bpmn", "--help"], ["export", "diagram", "--help"],
                 ["import", "bpmn", "--help"], ["import", "drawio", "--help"]):
        with pytest.raises(SystemExit):
            qms(argv)
        text = " ".join(capsys.readouterr().out.split())
        assert "id, exact name or code; `qms processes WS` lists them" in text
    with pytest.raises(SystemExit):
        qms(["--help"])
    assert "processes" in capsys.readouterr().out


@pytest.mark.gui
def test_svg_text_falls_back_to_a_sans_serif_font(wsfile, tmp_path, corpus_dir):
    import re

    assert qms(["import", "bpmn", str(wsfile), str(corpus_dir / "bpmn" / "A.1.0.bpmn")]) == 0
    out = tmp_path / "d.svg"
    assert qms(["export", "diagram", str(wsfile), "1", "-o", str(out)]) == 0
    families = set(re.findall(r'font-family="([^"]*)"', out.read_text(encoding="utf-8")))
    assert families and all(f.endswith(", sans-serif") for f in families)
    assert not out.with_name(f".{out.name}.part").exists()


def _two_pages(tmp_path):
    page = ('<diagram name="{name}"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            '<mxCell id="{key}" value="{label}" style="rounded=1;" vertex="1" parent="1">'
            '<mxGeometry x="10" y="10" width="120" height="60" as="geometry"/></mxCell>'
            '</root></mxGraphModel></diagram>')
    f = tmp_path / "two.drawio"
    f.write_text("<mxfile>" + page.format(name="Order", key="a", label="Take order")
                 + page.format(name="Returns", key="b", label="Take return") + "</mxfile>")
    return f


def test_drawio_import_chooses_the_page_by_name_or_number(wsfile, tmp_path, capsys):
    f = _two_pages(tmp_path)
    assert qms(["import", "drawio", str(wsfile), str(f), "--page", "Returns"]) == 0
    out = capsys.readouterr().out
    assert "page 2, 'Returns', was imported" in out and "one by one" not in out
    assert "created process 1 “Returns”: 1 shapes" in out
    assert qms(["import", "drawio", str(wsfile), str(f), "--page", "1", "--dry-run"]) == 0
    assert "would create process “Order”" in capsys.readouterr().out
    assert qms(["import", "drawio", str(wsfile), str(f), "--into", "1", "--page", "2",
                "--dry-run"]) == 0
    capsys.readouterr()
    assert qms(["import", "drawio", str(wsfile), str(f), "--page", "3"]) == 1
    assert capsys.readouterr().err == (
        "qms: The draw.io file has 2 page(s), so page 3 does not exist; choose a page from 1 "
        "to 2 or by name (Order, Returns).\n")
    assert qms(["import", "drawio", str(wsfile), str(f), "--page", "Nope"]) == 1
    assert "its pages are Order, Returns" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --page is a draw.io option only
        qms(["import", "bpmn", str(wsfile), str(f), "--page", "1"])
