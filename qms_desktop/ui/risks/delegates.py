"""What the register's pickers offer: ratings with their labels and help texts, the enum
choices, and the people/processes/steps of the workspace (read once, until they change).

The widgets themselves are the table kit's (``ui/table/delegates.py``), so a rating reads the
same in the table, the detail panel, the bulk edit and the import wizard.
"""

from __future__ import annotations

from typing import Any, Callable

from ...core.risk import DETECTION_HELP, KINDS, METHODS, OCCURRENCE_HELP, SEVERITY_HELP, STATUSES
from ..table import DateEditor, Item, ValueCombo
from ..table import rating_items as _rating_items
from . import style

ACTION_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
_HELP10 = {"severity": SEVERITY_HELP, "occurrence": OCCURRENCE_HELP,
           "detection": DETECTION_HELP}


def rating_items(field: str) -> list[Item]:
    """(label, value, tooltip) items of a rating picker for ``field``."""
    if field in _HELP10:
        labels = {n: _HELP10[field][n] for n in range(1, 11)}
    else:
        label = style.likelihood_label if field.endswith("likelihood") else style.impact_label
        labels = {n: label(n) for n in range(1, 6)}
    return _rating_items(labels, style.tr("Not rated"))


def choice_items(field: str) -> list[Item]:
    if field == "kind":
        return [(style.kind_label(k), k, "") for k in KINDS]
    if field == "status":
        return [(style.status_label(s), s, "") for s in STATUSES]
    if field == "method":
        return [(style.method_label(m), m, "") for m in METHODS]
    if field == "action_status":
        return [(style.action_status_label(s), s, "") for s in ACTION_STATUSES]
    if field == "effective":
        return [("—", None, style.tr("Not checked yet")), (style.tr("Effective"), True, ""),
                (style.tr("Not effective"), False, "")]
    raise KeyError(field)


class Choices:
    """People, processes and steps offered by the pickers (re-read when those change)."""

    def __init__(self, lookups: Callable[[], dict], steps: Callable[[int], list]):
        self._lookups = lookups
        self._steps = steps
        self._cache: dict | None = None
        self._step_cache: dict[int, list] = {}
        #: grows whenever the choices may have changed (editors holding a list compare it)
        self.version = 0

    def invalidate(self) -> None:
        self._cache = None
        self._step_cache.clear()
        self.version += 1

    def items(self, field: str, process_id: int | None = None) -> list[Item]:
        none: list[Item] = [("—", None, "")]
        if field == "node_id":
            if process_id is None:
                return none
            steps = self._step_cache.get(process_id)
            if steps is None:
                steps = self._step_cache[process_id] = self._steps(process_id)
            return none + [(c.name, c.id, "") for c in steps]
        if self._cache is None:
            self._cache = self._lookups()
        return none + [(c.name, c.id, "") for c in self._cache.get(field, [])]


def workspace_choices(controller) -> Choices:
    """Choices read from the controller's open workspace."""
    def lookups() -> dict[str, Any]:
        from ...services import risks

        ws = controller.workspace
        return risks.lookups(ws) if ws is not None else {}

    def steps(process_id: int) -> list:
        from ...services import risks

        ws = controller.workspace
        return risks.steps_of(ws, process_id) if ws is not None else []

    return Choices(lookups, steps)


__all__ = ["ACTION_STATUSES", "Choices", "DateEditor", "ValueCombo", "choice_items",
           "rating_items", "workspace_choices"]
