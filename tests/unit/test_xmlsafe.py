"""Hardened XML parsing: hostile and wrong input is refused with a clear one-sentence message."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from qms_desktop.services.imports.bpmn import read_bpmn
from qms_desktop.services.imports.drawio import read_drawio
from qms_desktop.services.xmlsafe import (
    MAX_XML_BYTES,
    MAX_XML_DEPTH,
    UnsafeXmlError,
    XmlError,
    XmlFormatError,
    element_depth,
    make_parser,
    parse_xml,
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
<task id="t" name="&xxe;"/></process></definitions>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="urn:w"/>')
    return buf.getvalue()


def _one_sentence(msg: str) -> None:
    assert msg.endswith(".") and msg[0].isupper()
    assert ". " not in msg.rstrip(".")


def test_errors_are_value_errors():
    assert issubclass(UnsafeXmlError, ValueError) and issubclass(XmlFormatError, ValueError)
    assert issubclass(UnsafeXmlError, XmlError) and issubclass(XmlFormatError, XmlError)


def test_plain_xml_parses_in_any_declared_encoding():
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><a n="Prüfung"/>'.encode("iso-8859-1"))
    assert root.get("n") == "Prüfung"
    root = parse_xml('<?xml version="1.0" encoding="UTF-16"?><a n="Größe"/>'.encode("utf-16"))
    assert root.get("n") == "Größe"
    assert parse_xml(b'<!DOCTYPE a><a/>').tag == "a"  # a bare DOCTYPE without entities is fine


@pytest.mark.parametrize("data", [
    XXE,
    XXE.replace(b"file:///etc/passwd", b"http://127.0.0.1:9/steal"),
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>',
    b'<!DOCTYPE r [<!ENTITY e "plain text">]><r>&e;</r>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'.encode("utf-16"),
], ids=["xxe-file", "xxe-http", "parameter-entity", "internal-entity", "xxe-utf16"])
def test_entity_declarations_are_refused(data):
    with pytest.raises(UnsafeXmlError, match="entities") as info:
        parse_xml(data, what="BPMN file")
    msg = str(info.value)
    _one_sentence(msg)
    assert "root:" not in msg  # nothing of /etc/passwd leaks


def test_xxe_is_refused_by_both_importers():
    with pytest.raises(UnsafeXmlError):
        read_bpmn(XXE)
    with pytest.raises(UnsafeXmlError):
        read_drawio(XXE.replace(b"definitions", b"mxfile"))


def test_billion_laughs_is_refused_quickly():
    t0 = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="entities"):
        parse_xml(BILLION_LAUGHS)
    with pytest.raises(UnsafeXmlError):
        read_bpmn(BILLION_LAUGHS)
    assert time.perf_counter() - t0 < 1.0


def test_external_dtd_is_refused():
    with pytest.raises(UnsafeXmlError, match="external DTD") as info:
        parse_xml(b'<!DOCTYPE r SYSTEM "http://example.com/evil.dtd"><r/>')
    _one_sentence(str(info.value))


def test_a_local_external_dtd_is_never_read(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ATTLIST r leaked CDATA "LEAKED">', encoding="ascii")
    data = f'<!DOCTYPE r SYSTEM "{dtd.as_uri()}"><r/>'.encode()
    with pytest.raises(UnsafeXmlError, match="external DTD") as info:
        parse_xml(data)
    assert "LEAKED" not in str(info.value)
    from lxml import etree

    # parse_xml's own parser, without the final DOCTYPE check: the DTD is not even loaded.
    assert etree.fromstring(data, make_parser()).get("leaked") is None


def test_a_20_mb_file_is_refused_before_parsing():
    big = b"<definitions>" + b"<a>" + b"x" * (20 * 1024 * 1024) + b"</a></definitions>"
    t0 = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match=r"20\.0 MB, more than the 16\.0 MB limit") as info:
        read_bpmn(big)
    assert time.perf_counter() - t0 < 1.0
    _one_sentence(str(info.value))
    assert MAX_XML_BYTES < 20 * 1024 * 1024
    with pytest.raises(UnsafeXmlError, match="limit"):
        parse_xml(b"<a/>" + b" " * 100, max_bytes=50)


@pytest.mark.parametrize("depth", [10_000, MAX_XML_DEPTH + 1, 300])
def test_deep_nesting_is_refused(depth):
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(UnsafeXmlError, match="levels deep") as info:
        read_bpmn(data)
    _one_sentence(str(info.value))


def test_depth_limit_is_exact_and_configurable():
    ok = b"<a>" * MAX_XML_DEPTH + b"</a>" * MAX_XML_DEPTH
    assert element_depth(parse_xml(ok)) == MAX_XML_DEPTH
    with pytest.raises(UnsafeXmlError, match="more than 5 levels"):
        parse_xml(b"<a>" * 6 + b"</a>" * 6, max_depth=5)


@pytest.mark.parametrize("data, pattern", [
    (_docx_bytes(), "ZIP archive"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office"),
    (b"SQLite format 3\x00rest", "SQLite database"),
    (bytes(range(256)) * 4, "binary data"),
    (b"hello, this is not xml", "not well-formed XML"),
    (b"<a><b></a>", "not well-formed XML"),
    (b"   \n  ", "empty"),
], ids=["docx", "pdf", "png", "ole", "sqlite", "random", "text", "mismatched", "blank"])
def test_not_xml_is_refused_clearly(data, pattern):
    with pytest.raises(XmlFormatError, match=pattern) as info:
        parse_xml(data, what="BPMN file")
    msg = str(info.value)
    assert msg.startswith("The BPMN file ")
    _one_sentence(msg)


def test_a_renamed_docx_is_refused_by_both_importers():
    with pytest.raises(XmlFormatError, match="ZIP archive"):
        read_bpmn(_docx_bytes())
    with pytest.raises(XmlFormatError, match="ZIP archive"):
        read_drawio(_docx_bytes())


def test_only_bytes_are_accepted():
    with pytest.raises(TypeError):
        parse_xml("<a/>")  # type: ignore[arg-type]
    assert parse_xml(bytearray(b"<a/>")).tag == "a"
