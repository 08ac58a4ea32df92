"""Hardened XML parsing for every file the user imports (BPMN, draw.io, ...).

Untrusted XML is refused, with a one-sentence reason, when it:

* is bigger than ``max_bytes`` (default :data:`MAX_XML_BYTES`),
* is not XML at all (a ZIP archive such as a renamed ``.docx``, a PDF, an image, random bytes),
* declares entities in a DOCTYPE (XXE such as ``file:///etc/passwd``, "billion laughs") or
  points to an external DTD,
* nests elements deeper than ``max_depth`` (default :data:`MAX_XML_DEPTH`),
* is not well-formed.

A namespace name that is not a valid URI (``xmlns:x="http://example.com/my model"``, as IBM
Process Designer writes) is only a namespace warning in XML: such a file is read (namespaces
are compared as strings, as Python's own parser and bpmn-moddle do), as long as that is the
only fault found.

The parser never resolves entities, never loads a DTD, never touches the network and keeps
libxml2's "huge tree" safety limits on. lxml is imported lazily (start-up stays fast).
"""

from __future__ import annotations

import codecs
from typing import Any

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_DEPTH",
    "UnsafeXmlError",
    "XmlError",
    "XmlFormatError",
    "element_depth",
    "make_parser",
    "parse_stored",
    "parse_xml",
    "read_xml_file",
]

#: Largest XML document we accept (a 2,000-step BPMN map is about 2 MB).
MAX_XML_BYTES = 16 * 1024 * 1024
#: Deepest element nesting we accept (real BPMN/draw.io files stay well below 40).
MAX_XML_DEPTH = 128


class XmlError(ValueError):
    """Base class of the XML input errors; the message is meant for the user."""


class UnsafeXmlError(XmlError):
    """The input looks hostile (entities, external DTD, too big, too deep) and was refused."""


class XmlFormatError(XmlError):
    """The input is not (well-formed) XML, or not the kind of XML that was expected."""


# Binary signatures that users commonly feed to an XML import by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (for example a .docx, .xlsx or .vsdx file renamed)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc, .xls or .vsd)"),
    (b"SQLite format 3\x00", "an SQLite database (perhaps a workspace)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)

_ENTITY_MARKERS = tuple(
    "<!ENTITY".encode(enc) for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _sniff_binary(data: bytes, what: str) -> None:
    for magic, label in _SIGNATURES:
        if data.startswith(magic):
            raise XmlFormatError(
                f"The {what} is {label}, not XML; choose the XML file exported by the modelling tool."
            )
    head = data[:1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                        codecs.BOM_UTF32_BE)):
        return
    # XML text never contains NUL bytes unless it is UTF-16/32 (which starts with '<' or a BOM).
    if b"\x00" in head and not (head[:1] == b"<" or head[1:2] == b"<" or head[3:4] == b"<"):
        raise XmlFormatError(
            f"The {what} contains binary data, not XML; choose the XML file exported by the modelling tool."
        )


def read_xml_file(path: Any, *, max_bytes: int = MAX_XML_BYTES, what: str = "file") -> bytes:
    """The bytes of the file at ``path`` for :func:`parse_xml`, never more than ``max_bytes``:
    a bigger file is refused (:class:`UnsafeXmlError`) after reading at most ``max_bytes + 1``
    bytes, whatever its directory entry says. ``OSError`` passes through."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeXmlError(
            f"The {what} is more than the {_mb(max_bytes)} limit for an import; split it or "
            "remove embedded content and try again."
        )
    return data


def element_depth(root: Any) -> int:
    """Depth of the deepest element below (and including) ``root`` (root alone = 1)."""
    from lxml import etree

    depth = 0
    deepest = 0
    for event, _el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def make_parser(_lenient: bool = False) -> Any:
    """The hardened lxml parser used by :func:`parse_xml` (no entity resolution, no DTD loading,
    no network, libxml2's huge-tree limits on). Use it for XML the app itself stored."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        no_network=True,
        huge_tree=False,
        recover=bool(_lenient),
        remove_pis=False,
        # collect_ids stays at its default: collect_ids=False makes libxml2 load external DTDs.
    )


#: libxml2's complaint about a namespace name that is not a valid URI (a warning in XML)
_NS_URI_WARNINGS = frozenset({"WAR_NS_URI", "WAR_NS_URI_RELATIVE"})


class _OtherFault(Exception):
    """What libxml2 found besides an odd namespace name (message, line)."""


def _with_odd_namespace_names(data: Any, exc: Any) -> Any:
    """The document again when the only fault libxml2 found is a namespace name that is not a
    valid URI (read with recovery on, every other message refused), else None. Raises
    :class:`_OtherFault` with the first other fault when there is one."""
    from lxml import etree

    codes = {getattr(etree.ErrorTypes, n) for n in _NS_URI_WARNINGS}
    if getattr(exc, "code", None) not in codes:
        return None
    # Well-formedness first, by a parser that does not judge namespace names (expat, without
    # namespace processing; entity declarations were refused before) ...
    from xml.parsers import expat

    checker = expat.ParserCreate()
    try:
        checker.Parse(data if isinstance(data, bytes) else data.encode("utf-8"), True)
    except expat.ExpatError as bad:
        raise _OtherFault(expat.errors.messages[bad.code], bad.lineno) from None
    # ... then libxml2 with recovery on, which reads the odd names as they are.
    parser = make_parser(_lenient=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as again:
        raise _OtherFault(str(again.msg or again), getattr(again, "lineno", None)) from None
    other = [e for e in parser.error_log if e.type_name not in _NS_URI_WARNINGS]
    if other:
        raise _OtherFault(other[0].message, other[0].line)
    return root


def parse_stored(text: str | bytes, parser: Any = None) -> Any:
    """Parse XML the app itself stored (e.g. a kept fragment of an imported file) with the
    hardened parser, accepting namespace names that are not valid URIs as :func:`parse_xml`
    does."""
    from lxml import etree

    try:
        return etree.fromstring(text, parser if parser is not None else make_parser())
    except etree.XMLSyntaxError as exc:
        try:
            root = _with_odd_namespace_names(text, exc)
        except _OtherFault:
            raise exc from None
        if root is None:
            raise
        return root


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_XML_DEPTH,
    what: str = "file",
) -> Any:
    """Parse untrusted XML bytes and return the root element (an ``lxml.etree._Element``).

    The encoding comes from the BOM or the XML declaration (ISO-8859-1, UTF-16, ... all work).
    ``what`` names the input in messages ("BPMN file", "draw.io diagram").
    Raises :class:`UnsafeXmlError` or :class:`XmlFormatError` (both ``ValueError``).
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError("parse_xml() expects bytes; read the file in binary mode")
    if len(data) > max_bytes:
        raise UnsafeXmlError(
            f"The {what} is {_mb(len(data))}, more than the {_mb(max_bytes)} limit for an import; "
            "split it or remove embedded content and try again."
        )
    if not data.strip():
        raise XmlFormatError(f"The {what} is empty; choose a file that contains a diagram.")
    _sniff_binary(data, what)
    if any(marker in data for marker in _ENTITY_MARKERS):
        raise UnsafeXmlError(
            f"The {what} declares XML entities (<!ENTITY> in a DOCTYPE), which can read local files "
            "or exhaust memory, so it was refused; export it again without a DTD."
        )

    from lxml import etree

    parser = make_parser()
    try:
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            root = _with_odd_namespace_names(data, exc)
            if root is None:
                raise
    except (etree.XMLSyntaxError, _OtherFault) as exc:
        if isinstance(exc, _OtherFault):
            msg, line = str(exc.args[0]), exc.args[1]
        else:
            msg, line = str(exc.msg or exc), getattr(exc, "lineno", None)
        low = msg.lower()
        if "depth" in low:
            raise UnsafeXmlError(
                f"The {what} nests elements more than {max_depth} levels deep, which no real "
                "diagram does, so it was refused."
            ) from None
        if "entit" in low or "amplification" in low:
            raise UnsafeXmlError(
                f"The {what} uses XML entities, which can read local files or exhaust memory, "
                "so it was refused; export it again without a DTD."
            ) from None
        where = f" at line {line}" if line else ""
        first = msg.split(",")[0].strip().rstrip(".") or "syntax error"
        raise XmlFormatError(
            f"The {what} is not well-formed XML ({first}{where}); re-export it from the tool "
            "that made it."
        ) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding name in the declaration
        raise XmlFormatError(
            f"The {what} cannot be decoded as XML ({exc}); save it as UTF-8 and try again."
        ) from None

    tree = root.getroottree()
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXmlError(
            f"The {what} declares XML entities in its DOCTYPE, which can read local files or "
            "exhaust memory, so it was refused; export it again without a DTD."
        )
    if docinfo.system_url or docinfo.public_id:
        raise UnsafeXmlError(
            f"The {what} refers to an external DTD ({docinfo.system_url or docinfo.public_id}), "
            "which is never loaded for safety, so it was refused; export it again without a DOCTYPE."
        )
    for _ in root.iter(etree.Entity):
        raise UnsafeXmlError(
            f"The {what} uses undeclared XML entities, so it was refused; export it again "
            "without entities."
        )
    if element_depth(root) > max_depth:
        raise UnsafeXmlError(
            f"The {what} nests elements more than {max_depth} levels deep, which no real diagram "
            "does, so it was refused."
        )
    return root
