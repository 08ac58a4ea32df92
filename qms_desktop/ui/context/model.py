"""The Context & policy page's three tables, declared with the kit: interested parties, internal
and external issues, and the scope's exclusions — their columns, filters and one edit line each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication

from ...services import context as cx
from ..table import CHOICE, COMBO, DATE, LONGTEXT, TEXT, Column, FilterProxy, Item, RowModel, \
    equals, natural

if TYPE_CHECKING:  # pragma: no cover
    from ..controller import WorkspaceController


def tr(text: str) -> str:
    return QCoreApplication.translate("context", text)


def kind_items() -> list[Item]:
    return [(tr("Internal"), "internal", tr("Within the organization: people, knowledge, "
                                            "infrastructure, culture, performance")),
            (tr("External"), "external", tr("Outside: market, economy, law, technology, "
                                            "society, environment, climate"))]


def category_items() -> list[Item]:
    words = {"political": tr("Political"), "economic": tr("Economic"), "social": tr("Social"),
             "technological": tr("Technological"), "legal": tr("Legal"),
             "environmental": tr("Environmental"), "climate": tr("Climate"),
             "market": tr("Market"), "organisational": tr("Organisational"),
             "people": tr("People"), "infrastructure": tr("Infrastructure"),
             "other": tr("Other")}
    return [("—", "", tr("No category"))] + [(words.get(c, c), c, "") for c in cx.CATEGORIES]


def relevant_items() -> list[Item]:
    return [(tr("Yes"), True, tr("Its needs bear on the QMS")),
            (tr("No"), False, tr("Listed, but its needs do not bear on the QMS"))]


def _label(items: Callable[[], list[Item]]) -> Callable[[Any], str]:
    table = {value: label for label, value, _t in items()}
    return lambda value: table.get(value, value or "")


# --------------------------------------------------------------------------- parties


def party_columns() -> tuple[Column, ...]:
    rel = _label(relevant_items)
    return (
        Column("name", tr("Interested party"), editor=TEXT, searchable=True, width=210),
        Column("needs", tr("Needs and expectations"), editor=LONGTEXT, searchable=True,
               width=380, tip=lambda r: r.needs or None),
        Column("monitoring", tr("How monitored"), editor=LONGTEXT, searchable=True, width=260,
               tip=lambda r: r.monitoring or None),
        Column("relevant", tr("Relevant"), editor=CHOICE, items=lambda r: relevant_items(),
               display=lambda r: rel(r.relevant), samples=lambda: [tr("Relevant")],
               tooltip=tr("Whether its needs are relevant to the QMS (ISO 9001 4.2)")),
        Column("reviewed_on", tr("Reviewed"), editor=DATE,
               tooltip=tr("When its needs were last reviewed")),
    )


def make_party_model(controller: "WorkspaceController", parent=None) -> RowModel:
    def load(ids):
        ws = controller.workspace
        return [] if ws is None else cx.list_parties(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(tr("Change interested party"), lambda ws: cx.update_parties(
            ws, [row.id], {column.key: value})) is not None

    return RowModel(party_columns(), kind="interested_party", load=load, commit=commit,
                    order=lambda r: (r.position, r.id), parent=parent)


def make_party_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={"relevant": (None, equals(lambda r: r.relevant))})


# --------------------------------------------------------------------------- issues


def issue_columns(risks: Callable[[], list[Item]]) -> tuple[Column, ...]:
    kind, cat = _label(kind_items), _label(category_items)
    return (
        Column("kind", tr("Kind"), editor=CHOICE, items=lambda r: kind_items(),
               display=lambda r: kind(r.kind), samples=lambda: [tr("External")],
               tooltip=tr("Internal or external issue")),
        Column("category", tr("Category"), editor=CHOICE, items=lambda r: category_items(),
               display=lambda r: cat(r.category) if r.category else "",
               samples=lambda: [tr("Technological")]),
        Column("text", tr("Issue"), editor=LONGTEXT, searchable=True, width=280,
               tip=lambda r: r.text or None),
        Column("effect", tr("Effect on the QMS"), editor=LONGTEXT, searchable=True, width=300,
               tip=lambda r: r.effect or None),
        Column("risk_id", tr("Linked risk"), editor=COMBO, items=lambda r: risks(),
               display=lambda r: r.risk, sort=lambda r: natural(r.risk_ref) if r.risk_ref
               else None, searchable=True, width=180,
               tooltip=tr("The risk or opportunity of the register that addresses it "
                          "(Ctrl+Enter opens it)"),
               tip=lambda r: r.risk or None),
        Column("reviewed_on", tr("Reviewed on"), editor=DATE,
               tooltip=tr("When the issue was last reviewed")),
    )


def make_issue_model(controller: "WorkspaceController", risks: Callable[[], list[Item]],
                     parent=None) -> RowModel:
    def load(ids):
        ws = controller.workspace
        return [] if ws is None else cx.list_issues(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(tr("Change issue"), lambda ws: cx.update_issues(
            ws, [row.id], {column.key: value})) is not None

    return RowModel(issue_columns(risks), kind="context_issue", load=load, commit=commit,
                    order=cx.issue_order, reload_kinds={"risk"}, parent=parent)


def make_issue_proxy(parent=None) -> FilterProxy:
    return FilterProxy(parent, filters={"kind": (None, equals(lambda r: r.kind)),
                                        "category": (None, equals(lambda r: r.category))})


# --------------------------------------------------------------------------- exclusions


def clause_items() -> list[Item]:
    return [(f"{n} {t}", n, "") for n, t in cx.excludable_clauses()]


def exclusion_columns() -> tuple[Column, ...]:
    return (
        Column("clause", tr("Clause"), editor=CHOICE, items=lambda r: clause_items(),
               display=lambda r: r.clause, sort=lambda r: natural(r.clause),
               samples=lambda: ["7.1.5.2"], tooltip=tr(cx.EXCLUSION_RULE)),
        Column("title", tr("Requirement"), searchable=True, width=340),
        Column("justification", tr("Justification"), editor=LONGTEXT, searchable=True,
               width=520, tip=lambda r: r.justification or None),
    )


def make_exclusion_model(controller: "WorkspaceController", parent=None) -> RowModel:
    def load(ids):
        ws = controller.workspace
        return [] if ws is None else cx.list_exclusions(ws, ids)

    def commit(row, column: Column, value: Any) -> bool:
        return controller.edit(tr("Change exclusion"), lambda ws: cx.update_exclusion(
            ws, row.id, {column.key: value})) is not None

    return RowModel(exclusion_columns(), kind="scope_exclusion", load=load, commit=commit,
                    order=lambda r: natural(r.clause), parent=parent)


__all__ = ["category_items", "clause_items", "kind_items", "make_exclusion_model",
           "make_issue_model", "make_issue_proxy", "make_party_model", "make_party_proxy",
           "relevant_items", "tr"]
