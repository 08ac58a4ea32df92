"""Source records for action tests: an audit finding (in a checklist run), a nonconformity and a
management review, made in one transaction; returns their ids by source kind."""

from __future__ import annotations

import datetime as dt

from qms_desktop.storage import models as m


def make_sources(ws) -> dict[str, int]:
    with ws.session() as s:
        template = m.ChecklistTemplate(name="ISO 9001 internal audit")
        s.add(template)
        s.flush()
        run = m.ChecklistRun(template_id=template.id, title="Audit 2026")
        s.add(run)
        s.flush()
        finding = m.Finding(run_id=run.id, ref="F-12", description="Calibration overdue\nmore")
        nc = m.Nonconformity(ref="NC-3", title="Scratched housings")
        review = m.ManagementReview(title="Review 2025", held_on=dt.date(2025, 12, 1))
        s.add_all([finding, nc, review])
        s.flush()
        return {"finding": finding.id, "nonconformity": nc.id, "review": review.id}
