"""The register's model and filter proxy: the kit's ``RowModel`` over ``services.risks.RiskRow``
(computed scores included) and a ``FilterProxy`` with the register's filters."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable

from ...core.risk import LEVELS
from ..table import IdRole, KeyRole, RowModel, linked_ids
from ..table.proxy import FilterProxy, equals, flag
from . import style
from .columns import risk_columns
from .delegates import Choices

__all__ = ["IdRole", "KeyRole", "RiskFilterProxy", "RiskTableModel"]

#: names shown in many rows, or the banding every level follows: a change reloads the register
RELOAD_KINDS = frozenset({"setting", "person", "process", "process_node"})


class RiskTableModel(RowModel):
    """Rows of the register (``load(ids or None)`` reads them, ``commit(row, column, value)``
    makes an edit); actions and ratings that change re-read the risks they belong to."""

    def __init__(self, choices: Choices, load, commit, action_risks: Callable[[set[int]], Any],
                 parent=None):
        super().__init__(risk_columns(choices), kind="risk", load=load, commit=commit,
                         palette=style.Palette, reload_kinds=RELOAD_KINDS,
                         related=self._related, parent=parent)
        self._action_risks = action_risks

    def _related(self, change) -> set[int] | None:
        if not change.touches("action", "risk_rating"):
            return set()
        actions = linked_ids(change, "action", "risk_id", self._action_risks)
        return None if actions is None else actions | linked_ids(change, "risk_rating", "risk_id")

    def risk(self, rid: int):
        return self.get(rid)


def _level_test(level: str | None):
    if not level:
        return None
    if level == "high+":
        return lambda r: r.level in ("high", "critical")
    if level == "none":  # no 5×5 rating (services.risks.level_counts' "")
        return lambda r: r.level not in LEVELS
    if level.startswith("ap:"):
        ap = level[3:]
        return lambda r: r.ap == ap
    return lambda r: r.level == level


def _cell_test(cell: tuple[str, int, int] | None):
    if cell is None:
        return None
    stage, lk, im = cell
    a, b = attrgetter(f"{stage}_likelihood"), attrgetter(f"{stage}_impact")
    return lambda r: a(r) == lk and b(r) == im


class RiskFilterProxy(FilterProxy):
    """Text, owner, process, kind (risk / opportunity), level (``"high+"``, ``"none"`` = not
    rated, ``"ap:H"``…), open only (not closed), overdue and a heat-map cell."""

    def __init__(self, parent=None):
        super().__init__(parent, filters={
            "owner": (None, equals(attrgetter("owner_id"))),
            "process": (None, equals(attrgetter("process_id"))),
            "kind": (None, equals(attrgetter("kind"))),
            "level": (None, _level_test),
            "open_only": (False, flag(lambda r: r.status != "closed")),
            "overdue_only": (False, flag(lambda r: r.review_overdue or r.overdue_actions > 0)),
            "cell": (None, _cell_test),
        })

    def risk_at(self, proxy_row: int):
        return self.row_at(proxy_row)

    def chart_rows(self) -> list:
        """Rows passing every filter except the heat-map cell (what the heat maps count)."""
        return self.filtered_rows(without=("cell",))
