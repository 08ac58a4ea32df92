"""xlsx ZIP bombs: every part of a workbook is capped by the bytes it really inflates to.

The bombs are built at run time: a small valid workbook whose one part is replaced by a
highly compressible payload (a few hundred KB on disk). Each is opened in a subprocess whose
peak memory is measured; every one must be refused, with a sentence naming the part, under
300 MB.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from qms_desktop.core.risk import Banding
from qms_desktop.services.exports.risks_xlsx import write_risk_register

MB = 1024 * 1024
MEMORY_LIMIT_MB = 300

_WORKER = r"""
import json, resource, sys
# A safety net, not the measure: a bomb that is not refused stops at 2 GB of address space
# instead of taking the machine's memory (the test then fails on its outcome).
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from qms_desktop.services.imports.table import ImportFileError, open_table
try:
    source = open_table(sys.argv[1])
    for sheet in source.sheets:
        source.rows(sheet)
    outcome = "opened"
except ImportFileError as exc:
    outcome = "refused: " + str(exc)
except BaseException as exc:
    outcome = "crashed: " + type(exc).__name__ + ": " + str(exc)[:200]
print(json.dumps(outcome))
"""

# Runs the worker as its own child and reports that child's peak memory alone.
_MEASURE = r"""
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True,
                      text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"outcome": json.loads(done.stdout or '"no output"') if done.returncode == 0
                  else "exit %d: %s" % (done.returncode, done.stderr[-300:]),
                  "peak_mb": peak_kb / 1024}))
"""


def open_in_subprocess(path: Path) -> tuple[str, float]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, _WORKER, str(path)],
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout)
    return result["outcome"], result["peak_mb"]


def _base_workbook(tmp_path: Path) -> dict[str, bytes]:
    path = write_risk_register(tmp_path / "base.xlsx",
                               [{"ref": "R-1", "title": "Weld seam"}], Banding(),
                               head_hash="0" * 64)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    # A shared-strings part as Excel writes it (our export writes inline strings).
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>x</t></si></sst>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return parts


def build_bomb(tmp_path: Path, name: str, member: str, head: bytes, filler: bytes,
               size: int, tail: bytes) -> Path:
    """A copy of the base workbook whose ``member`` is ``head`` + ``filler`` repeated up to
    ``size`` bytes + ``tail``, streamed into the ZIP (never held whole)."""
    parts = _base_workbook(tmp_path)
    path = tmp_path / name
    block = filler * (MB // len(filler))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, data in parts.items():
            if part != member:
                archive.writestr(part, data)
        with archive.open(member, "w") as stream:
            stream.write(head)
            for _ in range(size // len(block)):
                stream.write(block)
            stream.write(tail)
    assert path.stat().st_size < size // 100 + MB  # a small file
    return path


def lie_about_size(path: Path, member: str, declared: int, prefix: bytes) -> None:
    """Make ``member``'s entry declare ``declared`` bytes (with the CRC of ``prefix``, its
    first ``declared`` bytes), in the local header and in the central directory."""
    data = bytearray(path.read_bytes())
    crc = zlib.crc32(prefix[:declared])
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + 14, crc)
    struct.pack_into("<I", data, offset + 22, declared)
    central = data.rfind(b"PK\x01\x02")
    name = member.encode()
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_length] == name:
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    assert central >= 0
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

BOMBS = {
    # part, head, filler, inflated size, tail, what the message names
    "shared_strings": ("xl/sharedStrings.xml", b'<sst ' + MAIN + b'>', b"<si><t>x</t></si>",
                       400 * MB, b"</sst>", "xl/sharedStrings.xml"),
    "styles": ("xl/styles.xml", b'<styleSheet ' + MAIN + b'><cellXfs>', b'<xf numFmtId="0"/>',
               400 * MB, b"</cellXfs></styleSheet>", "xl/styles.xml"),
    "workbook": ("xl/workbook.xml", b'<workbook ' + MAIN + b'>', b" " * 64, 400 * MB,
                 b"</workbook>", "xl/workbook.xml"),
    "worksheet": ("xl/worksheets/sheet1.xml", b'<worksheet ' + MAIN + b'><sheetData>',
                  b'<row><c t="s"><v>0</v></c></row>', 600 * MB,
                  b"</sheetData></worksheet>", "xl/worksheets/sheet1.xml"),
    "theme": ("xl/theme/theme1.xml", b"<a:theme>", b" " * 64, 400 * MB, b"</a:theme>",
              "xl/theme/theme1.xml"),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_xlsx_bomb_is_refused_with_little_memory(tmp_path, kind):
    member, head, filler, size, tail, named = BOMBS[kind]
    path = build_bomb(tmp_path, f"{kind}.xlsx", member, head, filler, size, tail)
    outcome, peak = open_in_subprocess(path)
    assert outcome.startswith("refused: "), outcome
    assert named in outcome and "bomb" in outcome, outcome
    assert peak < MEMORY_LIMIT_MB, f"{kind}: {peak:.0f} MB"


@pytest.mark.slow
@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_entry_that_lies_about_its_size_is_refused(tmp_path, member):
    head = b'<worksheet ' + MAIN + b'><sheetData>' if "sheet" in member else \
        b'<styleSheet ' + MAIN + b'>'
    path = build_bomb(tmp_path, "liar.xlsx", member, head, b" " * 64, 200 * MB, b"")
    lie_about_size(path, member, 1000, head + b" " * 1000)
    outcome, peak = open_in_subprocess(path)
    assert outcome.startswith("refused: "), outcome
    assert member in outcome and "bomb" in outcome, outcome
    assert peak < MEMORY_LIMIT_MB, f"{member}: {peak:.0f} MB"


def test_a_normal_workbook_still_opens(tmp_path):
    parts = _base_workbook(tmp_path)
    path = tmp_path / "ok.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    from qms_desktop.services.imports.table import open_table

    assert open_table(path).rows()[1][:2] == ("R-1", "Weld seam")


def test_a_part_compressed_another_way_is_refused_with_a_sentence(tmp_path):
    """xlsx parts are stored or deflated; a bzip2/lzma part gets a sentence, not a traceback."""
    import zipfile

    from qms_desktop.services.imports.table import ImportFileError, open_table

    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>", compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(ImportFileError, match="compressed in a way spreadsheet programs do not"):
        open_table(path)
