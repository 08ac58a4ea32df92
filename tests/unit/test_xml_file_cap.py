"""An XML file bigger than the import limit is refused without being read whole."""

from __future__ import annotations

import pytest

from qms_desktop.services.xmlsafe import UnsafeXmlError, parse_xml, read_xml_file


def test_a_big_xml_file_is_refused_after_reading_only_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "huge.drawio"
    with path.open("wb") as handle:
        handle.write(b"<mxfile>")
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB that take no disk space
    asked: list[int] = []
    real_open = open

    def spying_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        read = handle.read
        handle_read = lambda size=-1: (asked.append(size), read(size))[1]  # noqa: E731
        return type("Spy", (), {"read": staticmethod(handle_read),
                                "__enter__": lambda self: self,
                                "__exit__": lambda self, *a: handle.close()})()

    monkeypatch.setattr("builtins.open", spying_open)
    with pytest.raises(UnsafeXmlError, match="draw.io file is more than the 16.0 MB limit"):
        read_xml_file(path, what="draw.io file")
    assert asked and all(0 <= size <= 16 * 1024 * 1024 + 1 for size in asked)


def test_a_small_xml_file_is_read(tmp_path):
    path = tmp_path / "ok.bpmn"
    path.write_bytes(b"<a><b/></a>")
    assert parse_xml(read_xml_file(path)).tag == "a"


def test_a_map_import_never_reads_an_oversized_file_whole(tmp_path, monkeypatch):
    from pathlib import Path

    from qms_desktop.services import processes as P
    from qms_desktop.services.records import RecordError
    from qms_desktop.services.xmlsafe import MAX_XML_BYTES

    big = tmp_path / "big.bpmn"
    with open(big, "wb") as f:  # sparse: cheap to make, as big as it says
        f.write(b"<definitions>")
        f.seek(MAX_XML_BYTES + 1024)
        f.write(b"</definitions>")

    def whole(self):
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    with pytest.raises(RecordError, match="limit for an import"):
        P.read_map(big, "bpmn")
    sniffed = tmp_path / "map"  # no suffix: the format is told by the first bytes only
    sniffed.write_bytes(b"<mxfile>" + b" " * 10_000)
    assert P.guess_map_format(sniffed) == "drawio"
