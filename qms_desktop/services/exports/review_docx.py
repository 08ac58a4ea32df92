"""The management review pack as a Word file (.docx; python-docx and matplotlib, imported
lazily; no Qt).

Written on the same template mechanism as the procedures (``procedure_docx.template_writer``:
the shipped template or the company's letterhead, body cleared, styles kept):

* a cover: "Management review", the title, a table of the day it was held, status, chair,
  attendees, the period looked back on and the organization (a planned review is marked as
  a preparation, not yet held);
* the inputs of ISO 9001 9.3.2 in the standard's order, each with its clause, its text (light
  Markdown, rendered as a procedure's sections) and — from the figures stored with the item, so
  the pack reads as it did on the day — a run chart per objective and KPI
  (``kpi_chart.run_chart_png``, two to a row; a KPI filed under two inputs is charted under
  the first) and the open risks by level;
  an input the team edited says so;
* the outputs of 9.3.3 (decisions, resource needs, improvement actions) with their action,
  owner, due date and status;
* the minutes;
* every page's header names the review and "Page X of Y"; the footer carries the audit trail's
  head hash and event number at the export (as the procedures do).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, Callable

from ...core import kpi
from .procedure_docx import R, field_xml, runs_xml, set_core_properties, template_writer, \
    xml_text

__all__ = ["export_review", "risk_level_png", "write_review"]

#: figures keys holding KPI lists, per input section
KPI_KEYS = {"customer": "kpis", "objectives": "objectives", "processes": "kpis",
            "monitoring": "kpis", "suppliers": "kpis", "resources": "kpis"}
STATUS_TEXT = {"planned": "Planned", "held": "Held", "completed": "Completed"}
ACTION_STATUS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                 "verified": "Verified", "cancelled": "Cancelled"}
GREY = "595959"
RED = "C00000"
#: charts are drawn at this resolution and size (inches): two to a row of A4 text width
CHART_DPI = 100
CHART_SIZE = (5.8, 2.7)
#: where the axes sit in a chart (left, bottom, width, height as fractions): room for the
#: y labels on the left, the title above and the legend below
CHART_AXES = (0.095, 0.27, 0.885, 0.62)


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def _points(k: dict[str, Any]) -> list[tuple[dt.date, float]]:
    out = []
    for day, value in k.get("points") or []:
        try:
            out.append((dt.date.fromisoformat(str(day)[:10]), float(value)))
        except (TypeError, ValueError):
            continue
    return out


def kpi_png(k: dict[str, Any]) -> bytes:
    """The run chart of one KPI entry of an item's figures (``kpi_chart.run_chart_figure``),
    without title or legend: the pack names each chart in its caption (:func:`kpi_caption`)
    and explains the lines once (:data:`CHART_KEY`), which draws a pack of 40 KPIs about a
    third faster than charts carrying their own.

    Laid out by hand instead of by matplotlib's constrained layout: every chart of the pack has
    the same size and the same parts, so fixed margins fit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .kpi_chart import run_chart_figure

    fig = run_chart_figure(_points(k), target=k.get("target"),
                           direction=k.get("direction") or kpi.HIGHER, unit=k.get("unit") or "",
                           dpi=CHART_DPI, size=CHART_SIZE, legend=False)
    fig.set_layout_engine("none")
    if fig.axes:
        fig.axes[0].set_position(CHART_AXES)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, facecolor=fig.get_facecolor())
    return buf.getvalue()


#: how to read the pack's run charts, said once before the first
CHART_KEY = ("How to read the run charts: the blue line is the measured values; the green line "
             "is the target; from 12 points on, the grey line is the mean and the dashed orange "
             "lines are the control limits, and ringed points are signals worth a look (a point "
             "beyond a limit, or 8 in a row on one side of the mean).")


def kpi_caption(k: dict[str, Any]) -> str:
    """"OBJ-01 On-time delivery · target ≥ 95 %" — the name of a chart in the pack."""
    title = " ".join(x for x in (k.get("ref", ""), k.get("title", "")) if x)
    if len(title) > 60:
        title = title[:59] + "…"
    target = k.get("target")
    if target is None:
        return title
    sign = "≤" if (k.get("direction") or kpi.HIGHER) == kpi.LOWER else "≥"
    return f"{title} · target {sign} {kpi.fmt(target, k.get('unit') or '')}"


def risk_level_png(by_level: dict[str, int], opportunities: dict[str, int] | None = None, *,
                   dpi: int = CHART_DPI) -> bytes:
    """A bar chart of open risks per level (low … critical), in the banding's colours, the
    count written on each bar (readable without colour)."""
    from matplotlib.figure import Figure

    from ...core.risk import LEVEL_LABELS, LEVELS
    from .risk_charts import LEVEL_COLOURS

    levels = list(LEVELS)
    counts = [int(by_level.get(k, 0)) for k in levels]
    fig = Figure(figsize=(5.2, 2.4), dpi=dpi, facecolor="#FFFFFF")
    ax = fig.add_axes((0.08, 0.13, 0.9, 0.74))
    colours = [(LEVEL_COLOURS[False].get(k) or ("#888888",))[0] for k in levels]
    bars = ax.bar([LEVEL_LABELS[k] for k in levels], counts, color=colours,
                  edgecolor="#333333", linewidth=0.6)
    for b, n in zip(bars, counts):
        ax.annotate(f"{n}", (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                    textcoords="offset points")
    ax.set_title("Open risks by current level", fontsize=10, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.set_ylim(0, max(counts + [1]) * 1.18)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if opportunities and any(opportunities.values()):
        n = sum(int(v) for v in opportunities.values())
        ax.text(1.0, 1.0, f"+ {n} open opportunit{'y' if n == 1 else 'ies'}",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#555555")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def edited_note(item) -> str:
    """The note above an input the team edited; when the figures were collected again since
    and differ (or the team kept its text after that), it says the text and charts are the
    figures as edited — no silent contradiction with the workspace."""
    on = f" on {item.edited_on}" if getattr(item, "edited_on", "") else " in the meeting"
    if getattr(item, "stale", False):
        return (f"Figures as edited{on}. Collected again on {item.fresh_on or '—'}, the "
                "figures differ; the team has not taken them over — the text and charts "
                "below are those of the edited text.")
    kept = (item.figures or {}).get("kept_on") if isinstance(item.figures, dict) else None
    if kept:
        return (f"Figures as edited{on}; the team kept this text when the figures were "
                f"collected again on {kept}.")
    return f"Edited by the team{on} (the text collected was changed)."


def _pictures_in_rows(w, pngs: list[tuple[bytes, str]]) -> None:
    """Charts (PNG, caption) two to a row (a borderless table), or one across when alone;
    the caption above its chart."""
    if not pngs:
        return
    if len(pngs) == 1:
        png, caption = pngs[0]
        if caption:
            w.add(w.p((R(caption, bold=True, size=9),), "Normal", keep_next=True))
        p = w.picture(png, box=(int(w.width_emu * 0.6), int(w.height_emu * 0.3)))
        if p:
            w.add(p)
        return
    half = w.width_emu // 2 - 90000
    box = (half, int(w.height_emu * 0.3))
    cells = []
    for png, caption in pngs:
        p = w.picture(png, box=box) or w.cell_p("")
        head = w.cell_p((R(caption, bold=True, size=9),)) if caption else ""
        cells.append(head + p.replace("<w:keepNext/>", ""))
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    tw = w.width
    col = tw // 2
    xml = ['<w:tbl><w:tblPr>', f'<w:tblW w:w="{tw}" w:type="dxa"/>',
           '<w:tblLayout w:type="fixed"/>',
           '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
           '</w:tblCellMar></w:tblPr>',
           f'<w:tblGrid><w:gridCol w:w="{col}"/><w:gridCol w:w="{col}"/></w:tblGrid>']
    for r in rows:
        r = r + [w.cell_p("")] * (2 - len(r))
        xml.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{col}" w:type="dxa"/></w:tcPr>{c}</w:tc>' for c in r)
            + "</w:tr>")
    xml.append("</w:tbl>")
    w.add("".join(xml))
    w.add(w.spacer())


def _header(w, title: str, pages: str) -> Callable[[bool], list[str]]:
    tab = f'<w:tabs><w:tab w:val="right" w:pos="{w.width}"/></w:tabs>'

    def make(own: bool) -> list[str]:
        return [w.p((R("Management review", bold=True), R("  ·  "), R(_short(title, 70)),
                     R("\tPage ")), "Header", fallback=("Normal",),
                    ppr=tab + '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="3" '
                              'w:color="A6A6A6"/></w:pBdr><w:spacing w:after="0"/>',
                    extra=field_xml("PAGE", "1") + runs_xml((R(" of "),))
                    + field_xml("NUMPAGES", pages))]

    return make


def _footer(w, head: str, event: int, exported: str) -> Callable[[bool], list[str]]:
    def make(own: bool) -> list[str]:
        border = ('<w:pBdr><w:top w:val="single" w:sz="4" w:space="3" w:color="A6A6A6"/>'
                  '</w:pBdr>')
        return [
            w.p((R(f"Audit trail head {xml_text(head) or '—'}  ·  event {event:,}", size=7),),
                "Footer", fallback=("Normal",), ppr=border + '<w:spacing w:after="0"/>'),
            w.p((R(exported, size=7),), "Footer", fallback=("Normal",),
                ppr='<w:spacing w:after="0"/>'),
        ]

    return make


def _short(text: str, n: int) -> str:
    text = " ".join(xml_text(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def write_review(review, path: str | Path, *, template: str | Path | None = None,
                 organization: str = "", audit_head: str = "", audit_event: int = 0,
                 exported_at: dt.datetime | None = None, exported_by: str = "",
                 progress: Callable[[int, int], Any] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Path | None:
    """Write ``review`` (``services.review.Review``) as the pack at ``path``. ``progress(done,
    total)`` after each input; ``cancel()`` before each (True: nothing written, None back)."""
    from ..review import INPUTS, OUTPUTS, section_clause, section_title
    from .risks_xlsx import _check_target

    path = Path(path)
    _check_target(path)
    exported_at = exported_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None,
                                                                           microsecond=0)
    row = review.row
    w = template_writer(template)
    lab = lambda s: w.cell_p((R(s, bold=True),))  # noqa: E731

    # -- cover
    w.add(w.p((R("Management review", caps=True),), "QMS Kind"))
    w.add(w.p((R(xml_text(row.title) or "Management review"),), "QMS Document Title",
              fallback=("Title",)))
    if row.status not in ("held", "completed"):
        w.add(w.p((R("Preparation.  ", bold=True),
                   R("This review has not been held yet: the inputs are as collected for the "
                     "meeting.")), "QMS Marking",
                  ppr='<w:shd w:val="clear" w:color="auto" w:fill="FDF0F0"/>'
                      '<w:spacing w:before="80" w:after="120"/>'))
    w.add(w.spacer(4))
    period = f"{_date(row.period_from)} to {_date(row.period_to)}"
    w.add(w.table((3.0, 14.0), None, [
        [lab("Held on"), w.cell_p(_date(row.held_on))],
        [lab("Status"), w.cell_p(STATUS_TEXT.get(row.status, row.status))],
        [lab("Chair"), w.cell_p(row.chair or "—")],
        [lab("Attendees"), w.cell_p(row.attendees or "—")],
        [lab("Period reviewed"), w.cell_p(period)],
        [lab("Organization"), w.cell_p(organization or "—")],
    ], label_cols=(0,)))
    w.add(w.p((R("The inputs below were collected from the QMS Workbench workspace for the "
                 "period and edited by the team where marked. The figures and charts are those "
                 "of the day they were collected.", italic=True, colour=GREY, size=8.5),),
              "Normal"))

    # -- inputs
    w.heading("Inputs (ISO 9001 9.3.2)", 1)
    items = {i.section: i for i in review.items if i.section in INPUTS}
    total = len(INPUTS)
    lines = 40
    charted: set = set()   # a KPI filed under two inputs is charted under the first
    for n, section in enumerate(INPUTS, 1):
        if cancel is not None and cancel():
            return None
        it = items.get(section)
        w.heading(f"{section_title(section)}", 2, number=section_clause(section))
        if it is None:
            w.add(w.p((R("Not collected for this review.", italic=True),), "Normal"))
        else:
            if it.text != it.generated:
                w.add(w.p((R(edited_note(it), italic=True, colour=GREY, size=8.5),),
                          "Normal"))
            w.blocks(it.text or "")
            lines += 4 + (it.text or "").count("\n") * 1.5
            pngs = []
            key = KPI_KEYS.get(section)
            for k in (it.figures.get(key) or []) if key else []:
                if isinstance(k, dict) and k.get("points") and k.get("id") not in charted:
                    if not charted:
                        w.add(w.p((R(CHART_KEY, italic=True, colour=GREY, size=8.5),),
                                  "Normal", keep_next=True))
                    charted.add(k.get("id"))
                    pngs.append((kpi_png(k), kpi_caption(k)))
            if section == "risks" and it.figures.get("by_level") and \
                    any(it.figures["by_level"].values()):
                pngs.append((risk_level_png(it.figures["by_level"],
                                            it.figures.get("opportunities_by_level")), ""))
            _pictures_in_rows(w, pngs)
            lines += 14 * ((len(pngs) + 1) // 2)
        if progress is not None:
            progress(n, total + 1)
        if n % 4 == 0:
            w.flush()

    # -- outputs
    w.heading("Outputs (ISO 9001 9.3.3)", 1)
    outs = [i for s in OUTPUTS for i in review.items if i.section == s]
    if outs:
        rows = []
        for i in outs:
            status = ACTION_STATUS.get(i.action_status, i.action_status) if i.action_id else \
                "no action"
            if i.overdue:
                status += " (overdue)"
            rows.append([w.cell_p(section_title(i.section)), w.cell_p(i.text),
                         w.cell_p(i.action_ref or "—"), w.cell_p(i.owner or "—"),
                         w.cell_p(_date(i.due_date) if i.action_id else "—"),
                         w.cell_p(status)])
        w.add(w.table((2.6, 6.6, 1.6, 2.6, 2.6, 2.2),
                      ["Output", "Text", "Action", "Owner", "Due", "Status"], rows))
        lines += 3 * len(outs)
    else:
        w.add(w.p((R("No outputs are recorded yet.", italic=True),), "Normal"))

    # -- minutes
    w.heading("Minutes", 1)
    if (row.minutes or "").strip():
        w.blocks(row.minutes)
        lines += row.minutes.count("\n") + len(row.minutes) // 90
    else:
        w.add(w.p((R("No minutes recorded.", italic=True),), "Normal"))

    stamp = f"Exported {exported_at:%Y-%m-%d %H:%M} UTC" + (f" by {exported_by}"
                                                            if exported_by else "")
    sec = w.doc.sections[-1]
    pages = str(max(1, int(lines // 48) + 1))
    w.fill_stories(sec, _header(w, row.title, pages), _footer(w, audit_head, audit_event,
                                                              stamp), fresh=False)
    set_core_properties(w.doc, author=row.chair or organization, title=row.title,
                        subject=f"Management review, {period}",
                        keywords=["management review", "ISO 9001 9.3", row.title],
                        category="Management review",
                        status=STATUS_TEXT.get(row.status, row.status),
                        audit_head=audit_head, audit_event=audit_event,
                        exported_at=exported_at)
    out = w.save(path)
    if progress is not None:
        progress(total + 1, total + 1)
    return out


def export_review(ws, review_id: int, path: str | Path, *, template: str | Path | None = None,
                  today: dt.date | None = None,
                  progress: Callable[[int, int], Any] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Path | None:
    """Read review ``review_id`` from ``ws`` and write its pack (see :func:`write_review`)."""
    from sqlalchemy import select

    from ...storage import models as m
    from ..audit_trail import head_stamp
    from ..review import get_review

    review = get_review(ws, review_id, today)
    with ws.connect() as c:
        org = c.execute(select(m.Organization.name).order_by(m.Organization.id).limit(1)
                        ).scalar() or ""
    head, event = head_stamp(ws)
    return write_review(review, path, template=template, organization=org, audit_head=head,
                        audit_event=event, exported_by=ws.user or "", progress=progress,
                        cancel=cancel)
