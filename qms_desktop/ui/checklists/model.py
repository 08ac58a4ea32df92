"""The Checklists page's tables, declared with the kit: runs, the items of one run, findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from ...core import checklists as rules
from ..table import CENTER, RIGHT, Column, FilterProxy, Item, RowModel, equals, flag, natural

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("checklists", text)


# ---------------------------------------------------------------------------- labels
def kind_items() -> list[Item]:
    return [(tr("Gap analysis"), "gap_analysis", ""), (tr("Internal audit"), "internal_audit", ""),
            (tr("Inspection"), "inspection", "")]


def stage_items() -> list[Item]:
    return [(tr("Initiate"), "initiate", ""), (tr("Prepare"), "prepare", ""),
            (tr("Conduct"), "conduct", ""), (tr("Report"), "report", ""),
            (tr("Complete"), "complete", ""), (tr("Follow-up"), "follow_up", "")]


def result_label(result: str | None) -> str:
    return {"conform": tr("Conform"), "partial": tr("Partly conform"),
            "nonconform": tr("Nonconform"), "na": tr("Not applicable"),
            None: tr("Not yet assessed")}.get(result, str(result))


#: a mark that says the result without colour
RESULT_SYMBOL = {"conform": "✓", "partial": "◐", "nonconform": "✗", "na": "–", None: "·"}
#: the key that gives each result (core.checklists.RESULT_KEYS turned round)
RESULT_KEY = {v: k for k, v in rules.RESULT_KEYS.items()}
_RESULT_COLOUR = {"conform": "#d8efd9", "partial": "#fbefc9", "nonconform": "#f6d2d2",
                  "na": "#e6e6e6"}


def result_text(result: str | None) -> str:
    """"✗ Nonconform [3]": symbol, word and the key that gives it."""
    return f"{RESULT_SYMBOL[result]} {result_label(result)} [{RESULT_KEY[result]}]"


def finding_kind_items() -> list[Item]:
    return [(tr("Major nonconformity"), "major", ""), (tr("Minor nonconformity"), "minor", ""),
            (tr("Observation"), "observation", ""),
            (tr("Opportunity for improvement"), "ofi", "")]


def _label(items: Callable[[], list[Item]]) -> Callable[[Any], str]:
    return lambda value: {v: text for text, v, _t in items()}.get(value, value or "")


def score_rule() -> str:
    return tr(rules.SCORE_RULE)


def percent_text(p: float | None) -> str:
    return "—" if p is None else f"{p:.0f} %"


# ---------------------------------------------------------------------------- runs
def run_columns() -> tuple[Column, ...]:
    kind, stage = _label(kind_items), _label(stage_items)
    rule = score_rule()
    return (
        Column("code", tr("Code"), sort=lambda r: natural(r.code), searchable=True,
               samples=lambda: ["IA26-03"], tooltip=tr("The code printed on a blank")),
        Column("title", tr("Title"), searchable=True, width=240),
        Column("kind", tr("Kind"), display=lambda r: kind(r.kind),
               samples=lambda: [tr("Internal audit")]),
        Column("template", tr("Template"), value=lambda r: r.template_name,
               display=lambda r: tr("{name} v{version}").format(
                   name=r.template_name, version=r.template_version) if r.template_name
               else "", searchable=True, width=200),
        Column("process", tr("Process"), searchable=True, width=140),
        Column("auditor", tr("Auditor"), searchable=True, width=120),
        Column("auditee", tr("Auditee"), searchable=True, width=120, visible=False),
        Column("planned_on", tr("Planned"), display=lambda r: RowModel.format_date(r.planned_on)),
        Column("started_on", tr("Started"), display=lambda r: RowModel.format_date(r.started_on),
               visible=False),
        Column("completed_on", tr("Completed"),
               display=lambda r: RowModel.format_date(r.completed_on)),
        Column("stage", tr("Stage"), display=lambda r: stage(r.stage),
               samples=lambda: [tr("Follow-up")]),
        Column("progress", tr("Progress"), value=lambda r: r.progress, align=RIGHT,
               display=lambda r: tr("{done} of {total}").format(done=r.answered, total=r.items),
               tip=lambda r: tr("{p:.0f} % of the items assessed").format(p=100 * r.progress),
               samples=lambda: ["300 of 300"]),
        Column("percent", tr("Score"), align=RIGHT, display=lambda r: percent_text(r.percent),
               tooltip=rule, tip=lambda r: rule, samples=lambda: ["100 %"]),
        Column("findings", tr("Findings"), align=RIGHT,
               display=lambda r: tr("{n} ({open} open)").format(n=r.findings,
                                                                open=r.open_findings)
               if r.findings else "0", samples=lambda: ["12 (12 open)"]),
    )


def make_run_model(controller: "WorkspaceController", parent=None,
                   related: Callable[[Any], Any] | None = None) -> RowModel:
    """The runs; ``related(change)`` names the runs whose answers or findings a change
    touched (None: cannot tell, every run is re-read)."""
    from ...services import checklists

    def load(ids):
        ws = controller.workspace
        if ws is None:
            return []
        return checklists.list_runs(ws) if ids is None else checklists.get_runs(ws, ids)

    return RowModel(run_columns(), kind="checklist_run", load=load,
                    reload_kinds={"checklist_template", "process"}, related=related,
                    order=None, parent=parent)


def make_run_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={
        "kind": (None, equals(lambda r: r.kind)),
        "stage": (None, equals(lambda r: r.stage)),
        "open_only": (False, flag(lambda r: r.completed_on is None)),
    })


# ---------------------------------------------------------------------------- items of a run
def item_columns() -> tuple[Column, ...]:
    def colour(r, _pal):
        c = _RESULT_COLOUR.get(r.result)
        return (QBrush(QColor(c)) if c else None, QBrush(QColor("#202020")) if c else None)

    return (
        Column("number", tr("No."), align=RIGHT, samples=lambda: ["300"],
               tooltip=tr("The item number printed on a blank")),
        Column("clause", tr("Clause"), sort=lambda r: rules.clause_key(r.clause),
               searchable=True, samples=lambda: ["10.2.1"]),
        Column("section", tr("Section"), searchable=True, width=150, visible=False),
        Column("title", tr("Question"), searchable=True, width=380,
               tip=lambda r: "\n\n".join(x for x in (
                   r.title, r.guidance and tr("Guidance: {t}").format(t=r.guidance),
                   r.expected_evidence and tr("Expected evidence: {t}").format(
                       t=r.expected_evidence)) if x)),
        Column("result", tr("Result"), display=lambda r: result_text(r.result), colour=colour,
               sort=lambda r: rules.STATES.index(r.result),
               tip=lambda r: tr("Keys: 1 conform, 2 partial, 3 nonconform, 4 not applicable, "
                                "5 not yet assessed"),
               samples=lambda: [result_text("partial")]),
        Column("evidence", tr("Evidence"), searchable=True, width=260,
               tip=lambda r: r.evidence or None),
        Column("links", tr("Links"), align=CENTER,
               display=lambda r: "🔗 {n}".format(n=r.links + r.attachments)
               if r.links + r.attachments else "",
               tip=lambda r: tr("{links} linked records, {files} files").format(
                   links=r.links, files=r.attachments), samples=lambda: ["🔗 10"]),
        Column("findings", tr("Findings"), align=CENTER,
               display=lambda r: str(r.findings) if r.findings else "",
               samples=lambda: ["Findings"]),
    )


def make_item_model(controller: "WorkspaceController", run_id: Callable[[], int | None],
                    parent=None) -> RowModel:
    from ...services import checklists

    def load(ids):
        ws, rid = controller.workspace, run_id()
        if ws is None or rid is None:
            return []
        return checklists.run_items(ws, rid, ids)

    def related(change):
        # links, files and findings change a row's counts
        out: set[int] = set()
        for kind, fk in (("evidence_link", "response_id"), ("finding", "response_id")):
            if change.touches(kind):
                from ..table import linked_ids

                got = linked_ids(change, kind, fk)
                if got is None:
                    return None
                out |= got
        if change.touches("attachment"):
            return None
        return out

    return RowModel(item_columns(), kind="response", load=load, related=related,
                    reload_kinds={"checklist_item"}, order=lambda r: r.number, parent=parent)


def make_item_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={
        "result": (None, lambda v: None if v is None else (
            (lambda r: r.result is None) if v == "open" else (lambda r: r.result == v))),
    })


def item_filter_items() -> list[Item]:
    return [(tr("Any result"), None, ""), (tr("Not yet assessed"), "open", "")] + [
        (f"{RESULT_SYMBOL[s]} {result_label(s)}", s, "") for s in rules.RESULTS]


__all__ = ["Qt", "finding_kind_items", "item_columns", "item_filter_items", "kind_items",
           "make_item_model", "make_item_proxy", "make_run_model", "make_run_proxy",
           "percent_text", "result_label", "result_text", "run_columns", "score_rule",
           "stage_items", "tr"]
