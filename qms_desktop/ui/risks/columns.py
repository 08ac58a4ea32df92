"""The register's columns (kit ``Column`` s): what each shows, how it sorts and is edited, its
colours with the level's name and shape, and the "not used by this method" greying."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any, Callable

from ...core.risk import DETECTION_HELP, LEVELS, METHODS, OCCURRENCE_HELP, SEVERITY_HELP, \
    STATUSES
from ..table import CENTER, CHOICE, COMBO, DATE, LONGTEXT, RATING, TEXT, Column, format_date, \
    natural
from . import style
from .delegates import Choices, choice_items, rating_items

tr = style.tr

#: ratings and computed values that belong to one scoring method
FIVE_BY_FIVE = frozenset({"inherent_likelihood", "inherent_impact", "inherent_score",
                          "inherent_level", "residual_likelihood", "residual_impact",
                          "residual_score", "residual_level"})
FMEA = frozenset({"failure_mode", "severity", "occurrence", "detection", "rpn", "ap"})
HELP10 = {"severity": SEVERITY_HELP, "occurrence": OCCURRENCE_HELP, "detection": DETECTION_HELP}

#: the columns shown at first, in order: what a risk is, its two levels, who looks after it,
#: where it stands and when it is reviewed: what a user reads first, all on screen without
#: scrolling from a 1280 × 720 window up (the ratings behind a level are in the detail panel
#: and a click away in the Columns menu); then its actions, process and FMEA priority
DEFAULT_VISIBLE = ("ref", "title", "inherent_level", "residual_level", "owner_id", "status",
                   "review_date", "actions", "process_id", "method", "rpn", "ap")
#: the columns that must be on screen without scrolling in the default layout
FIRST_READ = ("ref", "title", "inherent_level", "residual_level", "owner_id", "status",
              "review_date")

_RANK = {"level": {n: i for i, n in enumerate(LEVELS)}, "ap": {"H": 3, "M": 2, "L": 1},
         "status": {n: i for i, n in enumerate(STATUSES)},
         "method": {n: i for i, n in enumerate(METHODS)}}


def method_of(key: str) -> str:
    """"5x5" or "fmea" for method-specific columns, "" for the others."""
    return "5x5" if key in FIVE_BY_FIVE else "fmea" if key in FMEA else ""


def applies(row: Any, key: str) -> bool:
    """Whether the scoring method of column ``key`` is the one (or one of those) ``row`` uses."""
    method = method_of(key)
    return not method or row.method == "both" or row.method == method


def _not_used(row) -> str:
    return tr("Not used: this risk is scored with {method} only. Change its method to use "
              "these ratings too.").format(method=style.method_label(row.method))


def _method_aware(key: str, tip=None, colour=None, symbol=None) -> dict[str, Any]:
    """tip/colour/symbol of a method-specific column: greyed with an explanation where the
    row's method does not use it."""
    if not method_of(key):
        return {k: v for k, v in (("tip", tip), ("colour", colour), ("symbol", symbol)) if v}
    return {
        "tip": lambda r: (tip(r) if tip else None) if applies(r, key) else _not_used(r),
        "colour": lambda r, pal: (colour(r, pal) if colour else (None, None))
        if applies(r, key) else (None, pal.muted),
        "symbol": (lambda r, pal: symbol(r, pal) if applies(r, key) else None)
        if symbol else None,
    }


def _overdue_colour(test: Callable[[Any], bool]):
    return lambda r, pal: (None, pal.overdue if test(r) else None)


def _overdue_symbol(test: Callable[[Any], bool]):
    return lambda r, pal: pal.overdue_icon() if test(r) else None


def _text(key, title, width=90, tooltip="", *, editor=TEXT, **kw) -> Column:
    return Column(key, title, tooltip, width, editor=editor, searchable=True,
                  **_method_aware(key, **kw))


def _long(key, title) -> Column:
    get = attrgetter(key)
    return Column(key, title, width=200, editor=LONGTEXT, searchable=True,
                  display=lambda r: get(r).replace("\n", " · ") if get(r) else "",
                  tip=lambda r: get(r) or None)


def _choice(key, title, tooltip="", width=95, label=None) -> Column:
    get, rank = attrgetter(key), _RANK.get(key)
    items = choice_items(key)
    return Column(key, title, tooltip, width, editor=CHOICE, items=lambda r: items,
                  display=lambda r: label(get(r)),
                  sort=(lambda r: rank.get(get(r), len(rank))) if rank else
                  (lambda r: get(r) or None),
                  samples=lambda: [t for t, _v, _tip in items])


def _link(key, title, shown, choices: Choices, tooltip="", width=130, **kw) -> Column:
    name = attrgetter(shown)
    if key == "node_id":
        items = lambda r: choices.items(key, r.process_id if r is not None else None)  # noqa: E731
    else:
        items = lambda r: choices.items(key)  # noqa: E731
    return Column(key, title, tooltip, width, editor=COMBO, items=items, searchable=True,
                  display=name, sort=lambda r: name(r).casefold() or None, **kw)


def _date(key, title, tooltip="", width=100, **kw) -> Column:
    return Column(key, title, tooltip, width, editor=DATE, icon=True,
                  samples=lambda: [format_date(dt.date(2026, 12, 28))], **kw)


def _rating(key, title, tooltip, width) -> Column:
    get = attrgetter(key)
    items = rating_items(key)
    labels = {v: t for _l, v, t in items}
    return Column(key, title, tooltip, width, editor=RATING, items=lambda r: items,
                  align=CENTER, display=lambda r: "" if get(r) is None else str(get(r)),
                  samples=lambda: ["100"],
                  **_method_aware(key, tip=lambda r: None if get(r) is None
                                  else f"{get(r)} – {labels.get(get(r), '')}"))


def _number(key, title, tooltip, width) -> Column:
    get = attrgetter(key)
    return Column(key, title, tooltip, width, align=CENTER, samples=lambda: ["100"],
                  display=lambda r: "" if get(r) is None else str(get(r)),
                  **_method_aware(key))


def _fmea_only(r) -> bool:
    """A risk scored with FMEA only: it has no 5×5 level (its rating is its RPN and Action
    Priority, in their own columns)."""
    return r.method == "fmea"


def _level(stage: str, title: str, tooltip: str) -> Column:
    """A 5×5 level (a shape and its word). A risk scored with FMEA only has none: its cell
    stays empty and greyed like the other 5×5 cells of that risk, and its tooltip names the
    risk's RPN and Action Priority (shown in the RPN and AP columns). An Action Priority is
    not an inherent or residual level, so it is never shown, sorted or filtered as one."""
    key = f"{stage}_level"
    get, score = attrgetter(key), attrgetter(f"{stage}_score")
    rank = _RANK["level"]

    def display(r) -> str:
        if not applies(r, key):
            return ""
        return style.level_label(get(r), r.kind) if get(r) else ""

    def tip(r) -> str | None:
        if _fmea_only(r):
            if r.ap:
                return tr("No 5×5 level: this risk is scored with FMEA only; its rating is "
                          "RPN {rpn}, Action Priority {ap} (the RPN and AP columns)."
                          ).format(rpn=r.rpn, ap=style.ap_label(r.ap))
            return _not_used(r)
        if not applies(r, key):
            return _not_used(r)
        return tr("{level} (score {score})").format(
            level=style.level_label(get(r), r.kind), score=score(r)) if get(r) else None

    def colour(r, pal):
        if not applies(r, key):
            return None, pal.muted
        return pal.level_colours(get(r), r.kind)

    def symbol(r, pal):
        return pal.level_icon(get(r), r.kind) if get(r) and applies(r, key) else None

    return Column(
        key, title, tooltip, 80, display=display,
        sort=lambda r: rank.get(get(r)) if applies(r, key) else None, icon=True,
        # the threat words: compact; the page widens the column to the longer opportunity
        # words when the register has them
        samples=lambda: [style.level_label(v) for v in LEVELS],
        tip=tip, colour=colour, symbol=symbol)


def _ap() -> Column:
    rank = _RANK["ap"]
    return Column(
        "ap", tr("AP"), tr("AIAG-VDA Action Priority (High, Medium, Low)"), 96,
        display=lambda r: style.ap_label(r.ap) if r.ap else "", sort=lambda r: rank.get(r.ap),
        icon=True, samples=lambda: [style.ap_label(v) for v in ("H", "M", "L")],
        **_method_aware("ap", colour=lambda r, pal: pal.ap_colours(r.ap),
                        symbol=lambda r, pal: pal.ap_icon(r.ap) if r.ap else None))


def _actions_text(r) -> str:
    if not r.open_actions:
        return ""
    if r.overdue_actions:
        return tr("{n} open · {m} overdue").format(n=r.open_actions, m=r.overdue_actions)
    return tr("{n} open").format(n=r.open_actions)


def _ref_tip(r) -> str | None:
    if not r.overdue:
        return None
    parts = []
    if r.review_overdue:
        parts.append(tr("the review is overdue"))
    if r.overdue_actions:
        parts.append(tr("{n} treatment action(s) overdue").format(n=r.overdue_actions))
    return tr("Overdue: {what}.").format(what="; ".join(parts))


def _spoken_overdue(get) -> Callable[[Any], str]:
    return lambda r: tr("{text}, review overdue").format(text=get(r)) if r.review_overdue \
        else get(r)


def risk_columns(choices: Choices) -> tuple[Column, ...]:
    review_overdue = attrgetter("review_overdue")
    return (
        Column("ref", tr("ID"), tr("Reference of the risk"), 76, editor=TEXT, searchable=True,
               samples=lambda: ["R-000"], icon=True,
               sort=lambda r: natural(r.ref) if r.ref else None, tip=_ref_tip,
               symbol=_overdue_symbol(attrgetter("overdue")),
               spoken=_spoken_overdue(attrgetter("ref"))),
        _text("title", tr("Title"), 260, tr("What could happen")),
        _choice("kind", tr("Kind"), tr("Risk or opportunity"), 90, style.kind_label),
        _text("category", tr("Category"), 110),
        _link("process_id", tr("Process"), "process", choices,
              tr("The process this risk belongs to")),
        _link("node_id", tr("Step"), "step", choices,
              tr("The process step this risk belongs to"), 140,
              editable=lambda r: r.process_id is not None),  # choose a process first
        _long("cause", tr("Cause")),
        _long("effect", tr("Effect")),
        _link("owner_id", tr("Owner"), "owner", choices, tr("Who owns this risk")),
        _long("controls", tr("Existing controls")),
        _long("treatment", tr("Treatment")),
        _choice("status", tr("Status"), label=style.status_label),
        _date("review_date", tr("Review date"), tr("When the risk is reviewed next"), 110,
              colour=_overdue_colour(review_overdue), symbol=_overdue_symbol(review_overdue),
              tip=lambda r: tr("The review is overdue (due {date}).").format(
                  date=format_date(r.review_date)) if r.review_overdue else None,
              spoken=_spoken_overdue(lambda r: format_date(r.review_date))),
        _date("identified_on", tr("Identified on")),
        _choice("method", tr("Method"),
                tr("How the risk is scored: 5×5 likelihood × impact, FMEA, or both"),
                label=style.method_label),
        _rating("inherent_likelihood", tr("Inh. L"),
                tr("Inherent likelihood (before controls), 1–5"), 58),
        _rating("inherent_impact", tr("Inh. I"), tr("Inherent impact (before controls), 1–5"),
                58),
        _number("inherent_score", tr("Inh. score"), tr("Inherent score: likelihood × impact"),
                70),
        _level("inherent", tr("Inherent"), tr("Inherent 5×5 level from the banding (a risk "
                                             "scored with FMEA only has none: see its RPN "
                                             "and AP)")),
        _rating("residual_likelihood", tr("Res. L"),
                tr("Residual likelihood (with controls and treatment), 1–5"), 58),
        _rating("residual_impact", tr("Res. I"),
                tr("Residual impact (with controls and treatment), 1–5"), 58),
        _number("residual_score", tr("Res. score"), tr("Residual score: likelihood × impact"),
                70),
        _level("residual", tr("Residual"), tr("Residual 5×5 level from the banding (a risk "
                                             "scored with FMEA only has none: see its RPN "
                                             "and AP)")),
        _text("failure_mode", tr("Failure mode"), 180, tr("FMEA failure mode")),
        _rating("severity", tr("S"), tr("FMEA severity, 1–10"), 42),
        _rating("occurrence", tr("O"), tr("FMEA occurrence, 1–10"), 42),
        _rating("detection", tr("D"),
                tr("FMEA detection, 1–10 (10 = the failure would not be detected)"), 42),
        _number("rpn", tr("RPN"), tr("Risk priority number S × O × D"), 56),
        _ap(),
        Column("actions", tr("Actions"), tr("Open treatment actions, and how many are overdue"),
               120, value=attrgetter("open_actions"), display=_actions_text,
               sort=lambda r: (r.overdue_actions, r.open_actions) if r.open_actions else None,
               tip=lambda r: _actions_text(r) or None,
               colour=_overdue_colour(attrgetter("overdue_actions")),
               symbol=_overdue_symbol(attrgetter("overdue_actions")), icon=True,
               samples=lambda: [tr("{n} open · {m} overdue").format(n=10, m=10)]),
        _long("notes", tr("Notes")),
    )


_FIELD_TEXT = {
    "ref": "ID", "owner_id": "owner", "process_id": "process", "node_id": "step",
    "inherent_likelihood": "inherent likelihood", "inherent_impact": "inherent impact",
    "residual_likelihood": "residual likelihood", "residual_impact": "residual impact",
    "controls": "existing controls", "review_date": "review date", "due_date": "due date",
}


def field_text(name: str) -> str:
    from ..labels import field_label

    return tr(_FIELD_TEXT[name]) if name in _FIELD_TEXT else field_label(name)


def edit_label(ids, values: dict) -> str:
    """The undo label of an edit of risks: "Change risk title", "Edit 3 risks"."""
    if len(ids) == 1 and len(values) == 1:
        return tr("Change risk {field}").format(field=field_text(next(iter(values))))
    return tr("Edit {n} risks").format(n=len(ids))
