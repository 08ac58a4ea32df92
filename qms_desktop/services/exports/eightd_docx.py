"""The 8D report of a nonconformity as a Word file (.docx; python-docx, lxml and matplotlib
imported lazily; no Qt).

Written on the same template as the controlled documents (``procedure_docx``: the shipped
``procedure.docx`` or the company's letterhead chosen in the settings / ``--template``), with
its writer: the template's body is cleared, its page setup, styles, headers and footers kept,
our lines at ``[QMS header]`` / ``[QMS footer]`` or below the letterhead.

Content: a header block (number, title, customer or supplier, source, severity, dates, owner,
status), D1–D8 (``core.capa.EIGHT_D``): the team; the problem; containment and correction; the
root cause with the 5 Whys table and the fishbone (an Ishikawa diagram drawn with matplotlib,
the root causes marked "ROOT" — not by colour only; a table by bone follows it, so the causes
read without the picture too); the corrective actions (owner, due, status, completion,
effectiveness); prevention; the effectiveness check, its verdict, who verified it and when,
the closure — or what still keeps it from closing. Every page: "8D report", the number,
"Page X of Y"; the footer carries the audit trail's head hash and event number and when and by
whom it was exported. All text passes ``procedure_docx.xml_text`` and is XML-escaped.

Layout on any template: the header line's tab stops come from the template section's own text
width (the style's tabs cleared); its runs are :data:`HEADER_PT` whatever the template's Header
style says, and the title is shortened to the room its measured width (:func:`text_width_pt`)
leaves beside the status; the header ends with space below its rule, so a section heading at a
page top never touches it; the fishbone figure keeps with its caption and its causes; dates
never break (non-breaking hyphens, U+2011); the small tables (header block, team, whys,
actions, D8) keep together on one page (:func:`keep_together`); the bold sub-headings
("5 Whys", "Fishbone …") have space before; a template whose body font is only a theme
reference (python-docx's default: a serif) writes in the built-in template's font instead.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...core import capa

if TYPE_CHECKING:  # pragma: no cover
    from ...storage.workspace import Workspace
    from ..actions import ActionRow
    from ..nonconformities import CauseRow, NcRow

ACTION_STATUS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                 "verified": "Verified", "cancelled": "Cancelled"}
ACTION_KIND = {"treatment": "Treatment", "correction": "Correction", "corrective": "Corrective",
               "preventive": "Preventive", "improvement": "Improvement", "review": "Review"}
ROOT_MARK = "ROOT"
GREEN = "2E7D32"
#: the built-in template's font: the fallback for a template that names none but its theme's
FALLBACK_FONT = "Arial"
#: a table of at most this many rows is kept on one page
KEEP_ROWS = 14
#: a bold sub-heading inside a discipline: space before, kept with what follows
SUBHEAD = '<w:spacing w:before="160" w:after="60"/>'


def keep_together(table_xml: str, max_rows: int = KEEP_ROWS) -> str:
    """``table_xml`` (one ``<w:tbl>``) with "keep with next" on the paragraphs of every row
    but the last, so a small table is not split across pages (rows already do not split);
    tables longer than ``max_rows`` rows are left as they are."""
    import re

    parts = re.split(r"(?=<w:tr>)", table_xml)
    rows = [k for k, part in enumerate(parts) if part.startswith("<w:tr>")]
    if not rows or len(rows) > max_rows:
        return table_xml
    for k in rows[:-1]:
        part = re.sub(r"<w:p><w:pPr>(<w:pStyle [^>]*/>)?", lambda x: x.group(0)
                      + "<w:keepNext/>", parts[k])
        parts[k] = re.sub(r"<w:p>(?!<w:pPr>)", "<w:p><w:pPr><w:keepNext/></w:pPr>", part)
    return "".join(parts)


def nb_date(day: dt.date | None) -> str:
    """A date that never breaks across lines: "2026‑11‑18" with non-breaking hyphens."""
    return day.isoformat().replace("-", "\u2011") if day else "—"


def _explicit_fonts(doc) -> bool:
    """When the document's default font is only a theme reference (no font named in the
    defaults or the Normal style), name :data:`FALLBACK_FONT` in the defaults; True if it did."""
    from docx.oxml.ns import qn

    styles = doc.styles.element
    normal = next((st for st in styles.findall(qn("w:style"))
                   if st.get(qn("w:styleId")) == "Normal"), None)
    for holder in (normal, styles.find(qn("w:docDefaults"))):
        fonts = holder.find(".//" + qn("w:rFonts")) if holder is not None else None
        if fonts is not None and fonts.get(qn("w:ascii")):
            return False
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return False
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = defaults.makeelement(qn("w:rPrDefault"), {})
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = rpr_default.makeelement(qn("w:rPr"), {})
        rpr_default.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), FALLBACK_FONT)
    return True


#: the size (pt) of the running header's lines, set on each run: a letterhead's Header style
#: is often its body size (11 pt), too large for two lines beside its own
HEADER_PT = 8.5


def text_width_pt(text: str, size: float, bold: bool = False) -> float:
    """The width (pt) of ``text`` at ``size`` pt in DejaVu Sans (matplotlib's font, read with
    Pillow; wider than Calibri, Arial or Liberation Sans: a title that fits in it fits in
    those), else an estimate of 0.6 em a letter."""
    font = _measure_font(bool(bold))
    if font is None:
        return len(text) * size * 0.6
    return font.getlength(text) * size / 100.0


_FONTS: dict[bool, object] = {}


def _measure_font(bold: bool):
    """DejaVu Sans at 100 pt (Pillow), loaded once; None when it cannot be read."""
    if bold not in _FONTS:
        try:
            from pathlib import Path as _P

            import matplotlib
            from PIL import ImageFont

            name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
            _FONTS[bold] = ImageFont.truetype(
                str(_P(matplotlib.get_data_path()) / "fonts" / "ttf" / name), 100)
        except Exception:  # pragma: no cover - matplotlib and Pillow are dependencies
            _FONTS[bold] = None
    return _FONTS[bold]


def fit_title(title: str, room_pt: float, size: float = HEADER_PT) -> str:
    """``title`` shortened (with "…") to ``room_pt`` points at ``size`` pt."""
    from .procedure_docx import short

    title = " ".join((title or "").split())
    if text_width_pt(title, size) <= room_pt:
        return title
    lo, hi = 1, len(title)
    while lo < hi:   # the longest cut that fits
        mid = (lo + hi + 1) // 2
        if text_width_pt(short(title, mid), size) <= room_pt:
            lo = mid
        else:
            hi = mid - 1
    return short(title, max(lo, 4))


def _style_tabs(doc, style_id: str | None) -> list[str]:
    """The tab stop positions a paragraph style (and what it is based on) sets, to clear."""
    from docx.oxml.ns import qn

    by_id = {st.get(qn("w:styleId")): st for st in doc.styles.element.findall(qn("w:style"))}
    out, seen = [], 0
    st = by_id.get(style_id) if style_id else None
    while st is not None and seen < 6:
        for tab in st.findall(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"):
            pos = tab.get(qn("w:pos"))
            if pos and tab.get(qn("w:val")) != "clear" and pos not in out:
                out.append(pos)
        based = st.find(qn("w:basedOn"))
        st = by_id.get(based.get(qn("w:val"))) if based is not None else None
        seen += 1
    return out


@dataclass
class EightDExport:
    """Everything the report prints, read from the workspace in one go."""
    nc: "NcRow"
    causes: list["CauseRow"]
    actions: list["ActionRow"]
    organization: str = ""
    audit_head: str = ""
    audit_event: int = 0
    exported_at: dt.datetime | None = None
    exported_by: str = ""
    fishbone_png: bytes | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def whys(self) -> list["CauseRow"]:
        return sorted((c for c in self.causes if c.method == "why"), key=lambda c: c.position)

    def bone(self, category: str) -> list["CauseRow"]:
        return sorted((c for c in self.causes if c.method == "fishbone"
                       and c.category == category), key=lambda c: c.position)


def export_data(ws: "Workspace", nc_id: int, *, fishbone: bool = True,
                today: dt.date | None = None) -> EightDExport:
    """The 8D report's content for nonconformity ``nc_id`` (the fishbone drawn unless
    ``fishbone`` is False)."""
    from sqlalchemy import select

    from ...storage import models as m
    from .. import nonconformities
    from ..audit_trail import head_stamp

    detail = nonconformities.get(ws, nc_id, today)
    with ws.connect() as c:
        org = c.execute(select(m.Organization.name)).scalar() or ""
    head, event = head_stamp(ws)
    data = EightDExport(detail.row, detail.causes, detail.actions, organization=org,
                        audit_head=head, audit_event=event,
                        exported_at=dt.datetime.now(dt.timezone.utc).replace(
                            tzinfo=None, microsecond=0), exported_by=ws.user or "")
    if fishbone and any(c.method == "fishbone" for c in detail.causes):
        data.fishbone_png = fishbone_png(detail.row.title or detail.row.ref,
                                         {k: [(c.text, c.is_root) for c in data.bone(k)]
                                          for k in capa.CATEGORIES})
    return data


# --------------------------------------------------------------------------- the fishbone

#: the bones above the spine (left to right), then below
TOP = ("man", "machine", "method")
BOTTOM = ("material", "measurement", "environment")


def fishbone_figure(problem: str, bones: dict[str, Sequence[tuple[str, bool]]], *,
                    size: tuple[float, float] = (8.6, 4.8)):
    """A matplotlib ``Figure`` (not registered with pyplot): the spine to the problem at the
    head, the six 6M bones with their causes; a root cause is bold, dark red and marked
    "ROOT" (readable in black and white)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    fig = Figure(figsize=size, dpi=100, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 56)
    ax.axis("off")
    spine_y, head_x = 28.0, 78.0
    ax.annotate("", xy=(head_x, spine_y), xytext=(2, spine_y),
                arrowprops=dict(arrowstyle="-|>", lw=2.2, color="#1F3864",
                                mutation_scale=18))
    head = FancyBboxPatch((head_x + 0.6, spine_y - 9), 20, 18,
                          boxstyle="round,pad=0.4,rounding_size=1.2", fc="#DCE3EE",
                          ec="#1F3864", lw=1.6)
    ax.add_patch(head)
    text = "\n".join(textwrap.wrap(" ".join(problem.split()), 22)[:7]) or "Problem"
    ax.text(head_x + 10.6, spine_y, text, ha="center", va="center", fontsize=8.5,
            weight="bold", color="#1F3864")
    xs = (24.0, 48.0, 72.0)   # where each bone meets the spine
    for row, cats, sign in ((0, TOP, 1), (1, BOTTOM, -1)):
        for x_end, cat in zip(xs, cats):
            tip_y = spine_y + sign * 24
            x_tip = x_end - 14
            ax.plot([x_tip, x_end], [tip_y, spine_y], color="#1F3864", lw=1.6)
            label = capa.CATEGORY_LABELS.get(cat, cat).split(" (")[0]
            ax.text(x_tip, tip_y + sign * 1.6, label, ha="center",
                    va="bottom" if sign > 0 else "top", fontsize=9.5, weight="bold",
                    color="white", bbox=dict(boxstyle="round,pad=0.3", fc="#1F3864",
                                             ec="#1F3864"))
            causes = list(bones.get(cat, ()))[:6]
            n = len(causes)
            for k, (cause, root) in enumerate(causes):
                t = (k + 1) / (n + 1)
                y = tip_y + (spine_y - tip_y) * t
                x = x_tip + (x_end - x_tip) * t
                ax.plot([x - 1.2, x], [y, y], color="#7F7F7F", lw=0.9)
                words = textwrap.wrap(" ".join(cause.split()), 24)[:2] or ["—"]
                if len(textwrap.wrap(" ".join(cause.split()), 24)) > 2:
                    words[-1] = words[-1][:24].rstrip() + "…"
                line = "\n".join(words)
                if root:
                    line = f"{ROOT_MARK} ▶ " + line
                ax.text(x - 1.5, y, line, ha="right", va="center", fontsize=7.2,
                        weight="bold" if root else "normal",
                        color="#8B0000" if root else "#262626",
                        bbox=dict(boxstyle="round,pad=0.2", fc="#FDECEA", ec="#8B0000",
                                  lw=0.8) if root else None)
            more = len(list(bones.get(cat, ()))) - len(causes)
            if more > 0:
                ax.text(x_end - 2, spine_y + sign * 2, f"+{more} more", fontsize=6.5,
                        ha="right", color="#595959")
    return fig


def fishbone_png(problem: str, bones: dict[str, Sequence[tuple[str, bool]]], *,
                 dpi: int = 170) -> bytes:
    """:func:`fishbone_figure` as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = fishbone_figure(problem, bones)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


# --------------------------------------------------------------------------- the document


def _d(day: dt.date | None) -> str:
    return nb_date(day)


def _verdict(effective: bool | None) -> str:
    return "—" if effective is None else ("Effective" if effective else "Not effective")


def write_8d(data: EightDExport, path: str | Path, *, template: Path | None = None) -> Path:
    """Write ``data`` as the 8D report at ``path`` (see the module's docstring)."""
    from .procedure_docx import (
        GREY,
        RED,
        R,
        field_xml,
        runs_xml,
        set_core_properties,
        short,
        template_writer,
        xml_text,
    )
    from .risks_xlsx import _check_target

    path = Path(path)
    _check_target(path)
    nc = data.nc
    w = template_writer(template)
    _explicit_fonts(w.doc)
    lab = lambda s: w.cell_p((R(s, bold=True),))  # noqa: E731
    status = capa.STATUS_LABELS.get(nc.status, nc.status)
    source = capa.SOURCE_LABELS.get(nc.source, nc.source.capitalize() or "—")
    lines = 0

    # -- title and header block
    w.add(w.p((R("8D report · nonconformity and corrective action", caps=True),), "QMS Kind"))
    w.add(w.p((R(f"{xml_text(nc.ref)}  {xml_text(nc.title)}".strip()),),
              "QMS Document Title", fallback=("Title",)))
    w.add(w.spacer(4))
    party = ("Customer", nc.customer) if nc.source == "customer complaint" else \
        ("Supplier", nc.supplier) if nc.source == "supplier" else \
        ("Audit finding", nc.finding_ref) if nc.source == "internal audit" else \
        ("Reported by", nc.reported_by)
    rows = [
        [lab("Number"), w.cell_p(nc.ref or "—"), lab("Status"),
         w.cell_p((R(status, bold=nc.closed),))],
        [lab("Source"), w.cell_p(source), lab(party[0]), w.cell_p(party[1] or "—")],
        [lab("Severity"), w.cell_p(capa.SEVERITY_LABELS.get(nc.severity, nc.severity)),
         lab("Process"), w.cell_p(nc.process or "—")],
        [lab("Detected"), w.cell_p(_d(nc.detected_on)), lab("Due"), w.cell_p(_d(nc.due_date))],
        [lab("Owner"), w.cell_p(nc.owner or "—"), lab("Closed"), w.cell_p(_d(nc.closed_on))],
        [lab("Reported by"), w.cell_p(nc.reported_by or "—"), lab("Organization"),
         w.cell_p(data.organization or "—")],
    ]
    w.add(keep_together(w.table((3.0, 5.5, 3.0, 5.5), None, rows, label_cols=(0, 2))))
    lines += 14

    def section(d: capa.Discipline) -> None:
        w.heading(d.title, 1, number=d.code)
        w.add(w.p((R(d.purpose, italic=True, colour=GREY, size=8.5),), "Normal",
                  keep_next=True))

    def text(value: str, empty: str) -> int:
        if value.strip():
            w.blocks(value)
            return 2 + value.count("\n") + len(value) // 95
        w.add(w.p((R(empty, italic=True, colour=GREY),), "Normal"))
        return 2

    by = {d.code: d for d in capa.EIGHT_D}
    # D1
    section(by["D1"])
    team = [t.strip() for t in nc.team.splitlines() if t.strip()]
    if team:
        w.add(keep_together(w.table((1.0, 16.0), ["No.", "Team member"], [
            [w.cell_p(str(k)), w.cell_p(t)] for k, t in enumerate(team, 1)])))
    else:
        w.add(w.p((R("No team is named yet.", italic=True, colour=GREY),), "Normal"))
    w.add(w.spacer(4))
    w.add(w.p((R("Owner: ", bold=True), R(nc.owner or "—")), "Normal"))
    lines += 6 + len(team)
    # D2
    section(by["D2"])
    lines += text(nc.description, "The problem is not described yet.")
    # D3
    section(by["D3"])
    w.add(w.p((R("Containment", bold=True),), "Normal", keep_next=True, ppr=SUBHEAD))
    lines += text(nc.containment, "No containment recorded.")
    w.add(w.p((R("Correction", bold=True),), "Normal", keep_next=True, ppr=SUBHEAD))
    lines += text(nc.correction, "No correction recorded.")
    # D4
    section(by["D4"])
    roots = capa.root_causes(nc.root_cause, [c.state() for c in data.causes])
    w.add(w.p((R("Root cause", bold=True),), "Normal", keep_next=True, ppr=SUBHEAD))
    if nc.root_cause.strip():
        lines += text(nc.root_cause, "")
    elif roots:
        for r in roots:
            w.add(w.p((R(r),), "Normal"))
            lines += 2
    else:
        lines += text("", "No root cause recorded yet.")
    whys = data.whys
    w.add(w.p((R("5 Whys", bold=True),), "Normal", keep_next=True, ppr=SUBHEAD))
    if whys:
        root_k = capa.whys_root([c.state() for c in whys])
        rows, fills = [], []
        for k, c in enumerate(whys):
            is_root = k == root_k
            rows.append([w.cell_p(f"Why {k + 1}"),
                         w.cell_p((R(xml_text(c.text) or "—", bold=is_root),)),
                         w.cell_p((R(ROOT_MARK if is_root else "", bold=True, colour=RED),))])
            fills.append("FDECEA" if is_root else None)
        w.add(keep_together(w.table((2.0, 13.0, 2.0), [
            "Step", "Answer (each why answers the one before)", "Root"], rows, fills=fills)))
        lines += 3 + 2 * len(whys)
    else:
        w.add(w.p((R("No 5 Whys chain recorded.", italic=True, colour=GREY),), "Normal"))
    fish = [c for c in data.causes if c.method == "fishbone"]
    w.add(w.p((R("Fishbone (Ishikawa, 6M)", bold=True),), "Normal", keep_next=True,
              ppr=SUBHEAD))
    if fish:
        pic = w.picture(data.fishbone_png, max_height_share=0.45) if data.fishbone_png else None
        if pic:
            w.add(pic)
            w.add(w.p((R(f"Figure 1 — Fishbone of {xml_text(nc.ref)}; root causes marked "
                         f"{ROOT_MARK}.", italic=True, size=8.5, colour=GREY),), "Normal",
                      align="center", keep_next=True))   # the figure, its caption and
            # its table of causes on one page
            lines += 26
        rows = []
        for cat in capa.CATEGORIES:
            for c in data.bone(cat):
                rows.append([w.cell_p(capa.CATEGORY_LABELS[cat]),
                             w.cell_p((R(xml_text(c.text) or "—", bold=c.is_root),)),
                             w.cell_p((R(ROOT_MARK if c.is_root else "", bold=True,
                                         colour=RED),))])
        w.add(keep_together(w.table((4.0, 11.0, 2.0), ["Category", "Cause", "Root"], rows)))
        lines += 3 + 2 * len(rows)
    else:
        w.add(w.p((R("No fishbone causes recorded.", italic=True, colour=GREY),), "Normal"))
    # D5 / D6
    live = list(data.actions)
    for code in ("D5", "D6"):
        section(by[code])
        if code == "D5":
            if not live:
                w.add(w.p((R("No corrective action raised yet.", italic=True, colour=GREY),),
                          "Normal"))
                continue
            rows = [[w.cell_p((R(xml_text(a.ref), bold=True),)), w.cell_p(a.title),
                     w.cell_p(ACTION_KIND.get(a.kind, a.kind)), w.cell_p(a.owner or "—"),
                     w.cell_p(_d(a.due_date))] for a in live]
            w.add(keep_together(w.table((2.0, 7.6, 2.6, 3.2, 2.8),
                                        ["ID", "Action", "Kind", "Owner", "Due"], rows)))
            lines += 3 + 2 * len(live)
        else:
            if not live:
                w.add(w.p((R("Nothing implemented yet.", italic=True, colour=GREY),),
                          "Normal"))
                continue
            rows, fills = [], []
            for a in live:
                state = ACTION_STATUS.get(a.status, a.status)
                rows.append([w.cell_p((R(xml_text(a.ref), bold=True),)),
                             w.cell_p((R(state + (" — overdue" if a.overdue else ""),
                                         bold=a.overdue, colour=RED if a.overdue else None),)),
                             w.cell_p(_d(a.completed_on)),
                             w.cell_p(a.effectiveness_check or "—"),
                             w.cell_p(_verdict(a.effective))])
                fills.append("FBE3E3" if a.overdue else None)
            w.add(keep_together(w.table((2.0, 3.0, 2.8, 7.0, 3.0), [
                "ID", "Status", "Completed", "Effectiveness check", "Verdict"], rows,
                fills=fills)))
            lines += 3 + 2 * len(live)
    # D7
    section(by["D7"])
    lines += text(nc.prevention, "No preventive measures recorded.")
    # D8
    section(by["D8"])
    verdict = _verdict(nc.effective)
    rows = [[lab("Effectiveness check"), w.cell_p(nc.effectiveness_check or "—")],
            [lab("Verdict"), w.cell_p((R(verdict, bold=True,
                                         colour=GREEN if nc.effective else
                                         RED if nc.effective is False else None),))],
            [lab("Verified by"), w.cell_p(nc.verified_by or "—")],
            [lab("Verified on"), w.cell_p(_d(nc.verified_on))],
            [lab("Closed on"), w.cell_p(_d(nc.closed_on))]]
    w.add(keep_together(w.table((4.0, 13.0), None, rows, label_cols=(0,))))
    lines += 12
    if nc.closed:
        w.add(w.p((R("Closed: the corrective actions were found effective "
                     "(ISO 9001 10.2.1 d).", bold=True),), "Normal",
                  ppr='<w:spacing w:before="120"/>'))
    else:
        problems = capa.closure_problems(
            capa.NcState(description=nc.description, containment=nc.containment,
                         correction=nc.correction, team=nc.team, root_cause=nc.root_cause,
                         causes=tuple(c.state() for c in data.causes),
                         actions=tuple(capa.ActionState(a.status, ref=a.ref)
                                       for a in data.actions),
                         effectiveness_check=nc.effectiveness_check, effective=nc.effective))
        if problems:
            w.add(w.p((R("Before it can close:", bold=True, colour=RED),), "Normal",
                      keep_next=True, ppr='<w:spacing w:before="120"/>'))
            for k, p in enumerate(problems, 1):
                w.add(w.p((R(f"{k}. {p}"),), "Normal"))
            lines += 2 + len(problems)
        else:
            w.add(w.p((R("Ready to close: every requirement of ISO 9001 10.2 is met.",
                         bold=True),), "Normal", ppr='<w:spacing w:before="120"/>'))

    # -- headers and footers
    pages = str(max(1, math.ceil(lines / 50)))
    # the right tab at the text width of the template's own section; the style's tabs (a
    # letterhead's Header: centre 4680, right 9360) cleared so the status goes to the right
    sec_now = w.doc.sections[-1]
    width = w.width
    try:
        width = int((sec_now.page_width - sec_now.left_margin - sec_now.right_margin) / 635)
    except TypeError:   # a section without page size: the writer's default
        pass
    clear = "".join(f'<w:tab w:val="clear" w:pos="{pos}"/>'
                    for pos in _style_tabs(w.doc, w.sid("Header"))
                    if pos != str(width))
    tab = f'<w:tabs>{clear}<w:tab w:val="right" w:pos="{width}"/></w:tabs>'
    # the header's runs at HEADER_PT whatever the template's Header style says; the title
    # shortened to the room its real width leaves beside the status
    pt = HEADER_PT
    used = (text_width_pt("8D report", pt, True) + text_width_pt("  ·  ", pt)
            + text_width_pt(nc.ref, pt, True) + text_width_pt("  ", pt)
            + text_width_pt(status, pt, True) + pt * 2)
    title = fit_title(nc.title, width / 20 - used, pt)
    size = f'<w:sz w:val="{round(pt * 2)}"/><w:szCs w:val="{round(pt * 2)}"/>'

    def header(own: bool) -> list[str]:
        left = [R("8D report", bold=True, size=pt), R("  ·  ", size=pt),
                R(xml_text(nc.ref), bold=True, size=pt), R("  ", size=pt),
                R(xml_text(title), size=pt)]
        second = f"{source}  ·  detected {_d(nc.detected_on)}"
        if not own and data.organization:
            second = f"{short(data.organization, 40)}  ·  {second}"
        # space after the rule: a section heading at a page top never touches it (a
        # letterhead's header runs below the top margin and pushes the text down to it)
        return [w.p((*left, R("\t", size=pt), R(status, bold=True, size=pt)), "Header",
                    fallback=("QMS Small" if own else "Normal",), ppr=tab),
                w.p((R(second, size=pt), R("\tPage ", size=pt)), "Header",
                    fallback=("Normal",),
                    ppr=tab + '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="3" '
                              'w:color="A6A6A6"/></w:pBdr><w:spacing w:after="240"/>',
                    extra=field_xml("PAGE", "1", rpr=size) + runs_xml((R(" of ", size=pt),))
                    + field_xml("NUMPAGES", pages, rpr=size))]

    def footer(own: bool) -> list[str]:
        out = [w.p((R(f"Audit trail head {xml_text(data.audit_head) or '—'}  ·  event "
                      f"{data.audit_event:,}", size=7),), "Footer", fallback=("Normal",),
                   ppr='<w:pBdr><w:top w:val="single" w:sz="4" w:space="3" '
                       'w:color="A6A6A6"/></w:pBdr><w:spacing w:after="0"/>')]
        if data.exported_at:
            who = f" by {xml_text(data.exported_by)}" if data.exported_by else ""
            out.append(w.p((R(f"Exported {data.exported_at:%Y-%m-%d %H:%M} UTC{who} from QMS "
                              "Workbench — a record: the workspace holds the current state.",
                              size=7),), "Footer", fallback=("Normal",),
                           ppr='<w:spacing w:after="0"/>'))
        return out

    sec = w.first_section(w.doc.sections[-1])
    w.fill_stories(sec, header, footer, fresh=False)
    set_core_properties(w.doc, author=nc.owner or data.organization,
                        title=f"8D report {nc.ref} {nc.title}".strip(),
                        subject=f"Nonconformity {nc.ref}: {source}, {status}",
                        keywords=[nc.ref, "8D", source, status, nc.process, data.organization],
                        category="8D report", status=status, audit_head=data.audit_head,
                        audit_event=data.audit_event, exported_at=data.exported_at)
    return w.save(path)


def default_name(nc: "NcRow") -> str:
    """A file name for the report: "8D NC-0147 Customer complaint bore oversize….docx"."""
    import re

    text = re.sub(r'[<>:"/\\|?*\x00-\x1f]', " ", f"8D {nc.ref} {nc.title}")
    return (" ".join(text.split()).strip(" .")[:120] or "8D report") + ".docx"


__all__ = ["EightDExport", "default_name", "export_data", "fishbone_figure", "fishbone_png",
           "write_8d"]
