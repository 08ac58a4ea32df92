"""Word procedure export (``services.exports.procedure_docx``) against bare python-docx.

``bench_procedure_export_figures()`` builds its documents in memory (no workspace needed):

* one procedure of 200 steps (numbered, in four headed parts, with a table every 50 steps),
  the usual other sections, 3 signatures, 3 revisions, 10 risks, 5 courses and a large
  process-map PNG (6000 × 2400 px) — ``write_procedure`` (issue 13: ≤ 2 s), against a bare
  python-docx document holding the same paragraphs and the same picture;
* 400 such documents of 15 steps, each with its own map (1600 × 700 px), as one manual —
  ``write_manual`` (issue 13: ≤ 60 s), against a bare python-docx document of the same
  paragraphs and pictures with a page break between documents.

The baselines apply no template, styles, fields, headers or tables: the ratios show what the
export's formatting costs over writing the same text and images. Times are wall-clock, best
of several runs for the procedure, one run for the manual (two without ``--quick``).

    python -m bench procedure_export
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

PROCEDURE_LIMIT_S = 2.0
MANUAL_LIMIT_S = 60.0
MANUAL_DOCS = 400


def _map_png(width: int, height: int, steps: int, seed: int = 0, grain: bool = False) -> bytes:
    """A swimlane-like map; ``grain``: a band of noise, so the PNG weighs what an
    anti-aliased print-resolution map does (a few MB) instead of compressing to nothing."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    lanes = 5
    lh = height // lanes
    for k in range(lanes):
        d.rectangle([0, k * lh, width - 1, (k + 1) * lh], outline=(140, 140, 140),
                    fill=(247, 249, 252) if k % 2 else (255, 255, 255))
    cols = max(1, (steps + lanes - 1) // lanes)
    gap = (width - 120) // cols
    prev = None
    for i in range(steps):
        lane, col = (i + seed) % lanes, i // lanes
        x, y = 100 + col * gap, lane * lh + lh // 2 - 30
        d.rounded_rectangle([x, y, x + min(160, gap - 20), y + 60], 10, outline=(31, 56, 100),
                            width=3, fill=(238, 242, 248))
        d.text((x + 10, y + 22), f"Step {i + 1}", fill=(0, 0, 0))
        if prev:
            d.line([prev, (x, y + 30)], fill=(60, 60, 60), width=2)
        prev = (x + min(160, gap - 20), y + 30)
    if grain:
        import random

        size = (width, height // 12)
        noise = random.Random(seed).randbytes(size[0] * size[1])
        band = Image.frombytes("L", size, bytes(215 + (c & 31) for c in noise)).convert("RGB")
        img.paste(band, (0, height - size[1]))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _steps(n: int) -> str:
    parts = []
    for k in range(1, n + 1):
        if k % 50 == 1:
            parts.append(f"\n# Part {k // 50 + 1}\n")
        parts.append(f"{k}. **Step {k}**: check the lot against the order and record the result "
                     f"in the *goods-in log*; escalate deviations to `Quality`.")
        if k % 50 == 0:
            parts.append("\n| Characteristic | Method | Acceptance |\n|---|---|---|\n"
                         + "\n".join(f"| Dimension {j} | Caliper | AQL 1.0 |"
                                     for j in range(1, 9)) + "\n")
    return "\n".join(parts)


def _procedure(number: str, steps: int, png: bytes):
    from qms_desktop.services.exports.procedure_model import (
        ProcedureExport,
        RevisionLine,
        RiskLine,
        Section,
        SignatureLine,
        TrainingLine,
    )

    t = dt.datetime(2026, 10, 2, 8, 15)
    return ProcedureExport(
        number=number, title=f"Incoming inspection {number}", kind="procedure", revision="C",
        status="effective", effective_on=dt.date(2026, 10, 15), owner="Quality manager",
        process="Goods-in", organization="Nordwerk GmbH", next_review_on=dt.date(2028, 10, 15),
        sections=[
            Section("purpose", "Purpose", "Only conforming purchased goods are used."),
            Section("scope", "Scope", "All **production material** delivered to the site."),
            Section("definitions", "Definitions", "- **AQL**: acceptance quality limit\n"
                    "- **Lot**: one delivery of one part number"),
            Section("responsibilities", "Responsibilities",
                    "| Role | Responsibility |\n|---|---|\n| Buyer | Orders |\n"
                    "| Inspector | Releases lots |\n| Stores | Quarantine |"),
            Section("procedure", "Procedure", _steps(steps)),
            Section("records", "Records", "- Goods-in log\n- Inspection record"),
            Section("references", "References", "- SOP-007 Nonconforming product")],
        signatures=[SignatureLine(m, f"Signer {m}", m[:4], t, "2026-10-02T10:15:00+02:00", True)
                    for m in ("authored", "reviewed", "approved")],
        history=[RevisionLine(r, "obsolete" if r != "C" else "effective", dt.date(2024, 3, 1),
                              dt.date(2024, 3, 15), "Changes.", "A. Author", "R. Viewer",
                              "A. Prover") for r in "ABC"],
        map_png=png, map_caption="Goods-in process",
        risks=[RiskLine(f"R-{k:03d}", "Nonconforming lot released", "threat", "12 High",
                        "6 Medium", "Sampling plan") for k in range(10)],
        training=[TrainingLine(f"TR-{k:03d} Course", "Inspector", "24 months")
                  for k in range(5)],
        records=["Goods-in log", "Inspection record"], audit_head="ab" * 32, audit_event=48213,
        exported_at=dt.datetime(2026, 12, 5, 9, 30), exported_by="bench")


def _bare(docs, path: Path) -> None:
    """The same paragraphs and pictures with bare python-docx: no template, no styles."""
    from docx import Document
    from docx.shared import Cm

    from qms_desktop.core import richtext

    d = Document()
    for k, data in enumerate(docs):
        if k:
            d.add_page_break()
        d.add_paragraph(f"{data.number} {data.title}")
        for s in data.signatures:
            d.add_paragraph(f"{s.meaning} {s.signer_name} {s.signed_at_utc}")
        for h in data.history:
            d.add_paragraph(f"{h.number} {h.status} {h.change_summary}")
        for sec in data.sections:
            d.add_paragraph(sec.title)
            for block in richtext.parse(sec.text):
                if isinstance(block, richtext.ListBlock):
                    for item in block.items:
                        d.add_paragraph(richtext.plain_text(item.runs))
                elif isinstance(block, richtext.Table):
                    for row in (block.header, *block.rows):
                        d.add_paragraph(" | ".join(richtext.plain_text(c) for c in row))
                else:
                    d.add_paragraph(richtext.plain_text(block.runs))
        if data.map_png:
            d.add_picture(io.BytesIO(data.map_png), width=Cm(17))
        for r in data.risks:
            d.add_paragraph(f"{r.ref} {r.title} {r.rating}")
        for t in data.training:
            d.add_paragraph(f"{t.course} {t.roles}")
    d.save(str(path))


def _best(fn, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return min(runs), runs


def bench_procedure_export_figures(quick: bool = False) -> list[Figure]:
    one = Figure("procedure_export", "Word file of a 200-step procedure with a 6000×2400 map",
                 None, "s", baseline_label="bare python-docx, same paragraphs and picture",
                 target=PROCEDURE_LIMIT_S, target_on="value")
    manual = Figure("procedure_export", f"Word manual of {MANUAL_DOCS} documents (15 steps, "
                    "a map each)", None, "s",
                    baseline_label="bare python-docx, same paragraphs and pictures",
                    target=MANUAL_LIMIT_S, target_on="value")
    try:
        import docx  # noqa: F401
        from PIL import Image  # noqa: F401

        from qms_desktop.services.exports.procedure_docx import write_manual, write_procedure
    except ImportError as e:
        for fig in (one, manual):
            fig.unavailable = f"python-docx or Pillow not importable ({e})"
        return [one, manual]

    big = _procedure("SOP-200", 200, _map_png(6000, 2400, 200, grain=True))
    docs = [_procedure(f"SOP-{k:03d}", 15, _map_png(1600, 700, 15, seed=k))
            for k in range(MANUAL_DOCS)]
    repeat = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        out = Path(folder)
        write_procedure(big, out / "warm.docx")  # warm-up: imports, the template
        _bare([big], out / "warm-bare.docx")
        one.value, runs = _best(lambda: write_procedure(big, out / "one.docx"), repeat)
        one.baseline, base = _best(lambda: _bare([big], out / "one-bare.docx"), repeat)
        size = (out / "one.docx").stat().st_size
        one.note = (f"{len(big.map_png) / 1e6:.1f} MB map PNG, {size / 1e6:.1f} MB file; best "
                    f"of {repeat}: {', '.join(f'{v:.2f}' for v in runs)} s; baseline "
                    f"{', '.join(f'{v:.2f}' for v in base)} s")
        repeat = 1 if quick else 2
        manual.value, runs = _best(lambda: write_manual(docs, out / "manual.docx"), repeat)
        manual.baseline, base = _best(lambda: _bare(docs, out / "manual-bare.docx"), repeat)
        size = (out / "manual.docx").stat().st_size
        manual.note = (f"{size / 1e6:.1f} MB file; runs {', '.join(f'{v:.1f}' for v in runs)} s;"
                       f" baseline {', '.join(f'{v:.1f}' for v in base)} s")
    return [one, manual]


if __name__ == "__main__":  # pragma: no cover
    import sys

    for fig in bench_procedure_export_figures(quick="--quick" in sys.argv):
        print(fig.line())
