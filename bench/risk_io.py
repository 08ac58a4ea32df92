"""Benchmark the risk register import and export against bare openpyxl (same run).

    .venv/bin/python bench/risk_io.py [N]

Targets (issue 4): importing an N-row .xlsx takes at most 1.5x the time openpyxl alone needs
to read it; exporting takes at most 1.3x a bare openpyxl write-only loop writing the same rows.
Each timing is the best of 3.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qms_desktop.core.risk import KINDS, STATUSES, Banding, action_priority, rpn  # noqa: E402

IMPORT_LIMIT = 1.5
EXPORT_LIMIT = 1.3

_WORDS = ("supplier", "delivery", "late", "calibration", "drift", "operator", "training",
          "missing", "customer", "complaint", "audit", "finding", "software", "release",
          "defect", "label", "mix-up", "storage", "humidity", "contract", "review", "scope")


def make_risks(n: int, seed: int = 4) -> list[dict[str, Any]]:
    """n realistic-looking risks with every field filled in most rows."""
    rng = random.Random(seed)

    def sentence(words: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize()

    risks = []
    start = dt.date(2025, 1, 1)
    for index in range(1, n + 1):
        fmea = rng.random() < 0.4
        il, ii = rng.randint(1, 5), rng.randint(1, 5)
        risks.append({
            "ref": f"R-{index:05d}",
            "title": sentence(6),
            "kind": rng.choice(KINDS),
            "category": rng.choice(("Supply", "Production", "Quality", "IT", "People")),
            "process": rng.choice(("Purchasing", "Production", "Sales", "Design")),
            "step": sentence(2),
            "cause": sentence(10),
            "effect": sentence(8),
            "owner": rng.choice(("A. Martin", "B. Schmidt", "C. Dupont", "D. Rossi")),
            "controls": sentence(9),
            "treatment": sentence(12),
            "status": rng.choice(STATUSES),
            "review_date": start + dt.timedelta(days=rng.randint(0, 700)),
            "identified_on": start + dt.timedelta(days=rng.randint(-400, 0)),
            "method": "both" if fmea else "5x5",
            "inherent_likelihood": il,
            "inherent_impact": ii,
            "residual_likelihood": rng.randint(1, il),
            "residual_impact": rng.randint(1, ii),
            "failure_mode": sentence(4) if fmea else "",
            "severity": rng.randint(1, 10) if fmea else None,
            "occurrence": rng.randint(1, 10) if fmea else None,
            "detection": rng.randint(1, 10) if fmea else None,
            # some notes start with "-" (a bullet): the export must write them as text
            "notes": rng.choice(("", sentence(5), "- " + sentence(4))),
        })
    return risks


def _row_values(risk: dict[str, Any], banding: Banding) -> list[Any]:
    """The exact cell values our export writes for one risk (computed columns included)."""
    def pair(l_value, i_value):
        if l_value is None or i_value is None:
            return None, None
        return l_value * i_value, banding.level(l_value, i_value).capitalize()

    s, o, d = risk["severity"], risk["occurrence"], risk["detection"]
    fmea = None not in (s, o, d)
    inherent = pair(risk["inherent_likelihood"], risk["inherent_impact"])
    residual = pair(risk["residual_likelihood"], risk["residual_impact"])
    return [
        risk["ref"], risk["title"], risk["kind"], risk["category"], risk["process"],
        risk["step"], risk["cause"], risk["effect"], risk["owner"], risk["controls"],
        risk["treatment"], risk["status"], risk["identified_on"], risk["review_date"],
        risk["method"], risk["inherent_likelihood"], risk["inherent_impact"], *inherent,
        risk["residual_likelihood"], risk["residual_impact"], *residual,
        risk["failure_mode"] or None, s, o, d, rpn(s, o, d) if fmea else None,
        action_priority(s, o, d) if fmea else None, risk["notes"] or None,
    ]


def _best_of(repeat: int, function: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def bench_risk_io(n: int = 5000, repeat: int = 3) -> dict[str, Any]:
    """Time import and export of n risks against bare openpyxl; returns seconds and ratios."""
    from openpyxl import Workbook, load_workbook

    from qms_desktop.services.exports.risks_xlsx import COLUMNS, write_risk_register
    from qms_desktop.services.imports.risk_table import open_table, parse_rows

    banding = Banding()
    risks = make_risks(n)
    headers = [header for _, header, _ in COLUMNS]
    rows = [_row_values(risk, banding) for risk in risks]

    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        export_path = Path(folder) / "export.xlsx"
        bare_path = Path(folder) / "bare.xlsx"

        def bare_write() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Risks")
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
            workbook.save(bare_path)

        def our_export() -> None:
            write_risk_register(export_path, risks, banding, head_hash="0" * 64,
                                title="Benchmark register")

        def bare_read() -> None:
            with export_path.open("rb") as handle:
                workbook = load_workbook(handle, read_only=True, data_only=True,
                                         keep_links=False)
                for _ in workbook["Risks"].iter_rows(values_only=True):
                    pass
                workbook.close()

        imported: list[int] = []

        def our_import() -> None:
            preview = parse_rows(open_table(export_path))
            imported.append(len(preview.records))

        # Interleave candidate and baseline so machine load affects both alike.
        export_s = bare_write_s = import_s = bare_read_s = float("inf")
        for _ in range(repeat):
            bare_write_s = min(bare_write_s, _best_of(1, bare_write))
            export_s = min(export_s, _best_of(1, our_export))
        for _ in range(repeat):
            bare_read_s = min(bare_read_s, _best_of(1, bare_read))
            import_s = min(import_s, _best_of(1, our_import))
        if imported[-1] != n:
            raise RuntimeError(f"import read {imported[-1]} of {n} rows")

    return {
        "n": n,
        "import_s": round(import_s, 4),
        "openpyxl_read_s": round(bare_read_s, 4),
        "import_ratio": round(import_s / bare_read_s, 3),
        "import_limit": IMPORT_LIMIT,
        "export_s": round(export_s, 4),
        "openpyxl_write_s": round(bare_write_s, 4),
        "export_ratio": round(export_s / bare_write_s, 3),
        "export_limit": EXPORT_LIMIT,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 5000
    result = bench_risk_io(n)
    print(json.dumps(result, indent=2))
    ok = result["import_ratio"] <= IMPORT_LIMIT and result["export_ratio"] <= EXPORT_LIMIT
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
