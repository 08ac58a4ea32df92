"""Checklist PDFs: the blank ISO 9001 gap analysis and the large workspace's biggest run.

``bench_checklist_export_figures(workspace)`` times ``ui.checklists.print.paint_checklist``
(reading included: ``load_checklist`` then painting, as ``qms export checklist`` does) for

* the blank of the shipped ISO 9001:2015 gap-analysis template, installed into a copy of the
  large workspace (issue 12: ≤ 2 s);
* the completed form of the large workspace's run with the most items (issue 12: ≤ 4 s).

    python -m bench checklist_export
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

BLANK_LIMIT_S = 2.0
RUN_LIMIT_S = 4.0


def _pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def bench_checklist_export_figures(workspace: Path, quick: bool = False) -> list[Figure]:
    from sqlalchemy import func, select

    from qms_desktop.services import checklists
    from qms_desktop.services.exports.checklist_xlsx import load_checklist
    from qms_desktop.storage import models as m
    from qms_desktop.storage.workspace import open_workspace

    blank = Figure("checklist_export", "PDF of the blank ISO 9001 gap-analysis checklist",
                   None, "s", target=BLANK_LIMIT_S, target_on="value")
    run = Figure("checklist_export", "PDF of the large workspace's biggest run, completed",
                 None, "s", target=RUN_LIMIT_S, target_on="value")
    try:
        from qms_desktop.ui.checklists.print import paint_checklist
        from qms_desktop.ui.flowchart.render import ensure_app
    except ImportError as e:
        for fig in (blank, run):
            fig.unavailable = f"PDF printing not importable ({e})"
        return [blank, run]
    ensure_app()
    repeat = 2 if quick else 5
    with open_workspace(workspace) as ws:  # a private copy: installing the template is allowed
        tid = checklists.install_template(ws, "iso9001_gap").result
        with ws.connect() as c:
            biggest, n_items = c.execute(
                select(m.Response.run_id, func.count()).group_by(m.Response.run_id)
                .order_by(func.count().desc(), m.Response.run_id).limit(1)).one()
        with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
            for fig, kwargs, name in ((blank, {"template_id": tid}, "blank.pdf"),
                                      (run, {"run_id": biggest, "blank": False}, "run.pdf")):
                out = Path(folder) / name

                def once() -> int:
                    doc = load_checklist(ws, **kwargs)
                    return paint_checklist(doc, out)[1]

                once()  # warm-up: fonts, imports
                runs = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    pages = once()
                    runs.append(time.perf_counter() - t)
                fig.value = min(runs)
                items = len(checklists.template_items(ws, tid)) if "template_id" in kwargs \
                    else n_items
                fig.note = (f"{items} items, {pages} A4 pages ({_pages(out)} in the file); "
                            f"best of {repeat}: {', '.join(f'{v:.2f}' for v in runs)} s")
    return [blank, run]


if __name__ == "__main__":  # pragma: no cover
    import shutil
    import sys

    from bench.large import cached_large

    with tempfile.TemporaryDirectory() as d:
        copy = Path(d) / "large.qms"
        shutil.copyfile(cached_large(), copy)
        for fig in bench_checklist_export_figures(copy, quick="--quick" in sys.argv):
            print(fig.line())
