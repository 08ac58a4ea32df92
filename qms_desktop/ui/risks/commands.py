"""Undo commands of the risk register. Each calls services (one unit of work per call) and
reports a :class:`RiskChange` naming the risks it touched, so the register re-reads only
those rows.

Push them through ``WorkspaceController.push`` like the generic ones in ``ui/commands.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from PySide6.QtCore import QCoreApplication

from ...services.records import Change
from ..commands import RecordCommand
from ..labels import field_label

if TYPE_CHECKING:  # pragma: no cover
    from ...core.risk import Banding
    from ...services.records import Deleted
    from ...storage.workspace import Workspace


def tr(text: str) -> str:
    return QCoreApplication.translate("risks", text)


@dataclass(frozen=True)
class RiskChange(Change):
    """A Change that also names the risks whose rows changed (empty: unknown, reload all)."""

    ids: frozenset[int] = frozenset()


def _risks():
    from ...services import risks

    return risks


def _records():
    from ...services import records

    return records


def _with_ids(change: Change, ids: Iterable[int]) -> RiskChange:
    return RiskChange(change.kinds, frozenset(ids))


_FIELD_TEXT = {
    "ref": "ID", "owner_id": "owner", "process_id": "process", "node_id": "step",
    "inherent_likelihood": "inherent likelihood", "inherent_impact": "inherent impact",
    "residual_likelihood": "residual likelihood", "residual_impact": "residual impact",
    "controls": "existing controls", "review_date": "review date",
}


def field_text(name: str) -> str:
    return tr(_FIELD_TEXT[name]) if name in _FIELD_TEXT else field_label(name)


class EditRisksCommand(RecordCommand):
    """Set the same values on one or many risks (an inline edit or a bulk edit), in one
    transaction; undo puts every risk's previous values back."""

    def __init__(self, ws: "Workspace", ids: Iterable[int], values: dict[str, Any], *,
                 text: str | None = None):
        self.ids = list(dict.fromkeys(ids))
        self.values = dict(values)
        if text is None:
            if len(self.ids) == 1 and len(self.values) == 1:
                text = tr("Change risk {field}").format(field=field_text(next(iter(values))))
            else:
                text = tr("Edit {n} risks").format(n=len(self.ids))
        super().__init__(ws, text)
        self.old: dict[int, dict] | None = None

    def apply(self) -> Change:
        risks = _risks()
        if self.old is None:
            names = list(self.values)
            if "process_id" in names and "node_id" not in names:
                names.append("node_id")  # a new process clears a step of the old one
            self.old = risks.current_values(self.ws, self.ids, names)
        return _with_ids(risks.update_risks(self.ws, self.ids, self.values), self.ids)

    def revert(self) -> Change:
        return _with_ids(_risks().restore_values(self.ws, self.old or {}), self.ids)


class AddRiskCommand(RecordCommand):
    """A new risk (reference assigned by the service); undo deletes it, redo restores it with
    the same id."""

    def __init__(self, ws: "Workspace", values: dict[str, Any] | None = None, *,
                 text: str | None = None):
        super().__init__(ws, text or tr("Add risk"))
        self.values = dict(values or {})
        self.rid: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> Change:
        if self._deleted is not None:
            change = _records().restore(self.ws, self._deleted)
            self._deleted = None
            return _with_ids(change, [self.rid])
        self.rid, change = _risks().add_risk(self.ws, self.values)
        return _with_ids(change, [self.rid])

    def revert(self) -> Change:
        self._deleted = _records().delete(self.ws, "risk", self.rid)
        return _with_ids(self._deleted.change() | Change(frozenset({"risk"})), [self.rid])


class DeleteRisksCommand(RecordCommand):
    """Delete risks with their ratings and actions; undo restores all of it (same ids)."""

    def __init__(self, ws: "Workspace", ids: Iterable[int], *, text: str | None = None):
        self.ids = list(dict.fromkeys(ids))
        super().__init__(ws, text or (tr("Delete risk") if len(self.ids) == 1 else
                                      tr("Delete {n} risks").format(n=len(self.ids))))
        self.deleted: list["Deleted"] = []

    def apply(self) -> Change:
        records = _records()
        done: list["Deleted"] = []
        try:
            for rid in self.ids:
                done.append(records.delete(self.ws, "risk", rid))
        except Exception:
            for d in reversed(done):
                records.restore(self.ws, d)
            raise
        self.deleted = done
        total = Change(frozenset({"risk"}))
        for d in done:
            total = total | d.change()
        return _with_ids(total, self.ids)

    def revert(self) -> Change:
        records = _records()
        total = Change(frozenset({"risk"}))
        for d in reversed(self.deleted):
            total = total | records.restore(self.ws, d)
        return _with_ids(total, self.ids)


class RerateCommand(RecordCommand):
    """Record a new rating of a risk (kept in its rating history); undo removes that history
    entry and puts the previous ratings back."""

    _NAMES = {"likelihood": "{stage}_likelihood", "impact": "{stage}_impact",
              "severity": "severity", "occurrence": "occurrence", "detection": "detection"}

    def __init__(self, ws: "Workspace", rid: int, *, stage: str, ratings: dict[str, Any],
                 note: str = "", on: dt.date | None = None):
        super().__init__(ws, tr("Re-rate risk"))
        self.rid = rid
        self.stage = stage
        self.ratings = dict(ratings)
        self.note = note
        self.on = on
        self.old: dict[int, dict] | None = None
        self.rating_id: int | None = None

    def apply(self) -> Change:
        risks = _risks()
        names = sorted({self._NAMES[k].format(stage=self.stage) for k in self.ratings}
                       | {f"{self.stage}_likelihood", f"{self.stage}_impact"})
        if self.old is None:
            self.old = risks.current_values(self.ws, [self.rid], names)
        before = {r.id for r in risks.rating_history(self.ws, self.rid)}
        change = risks.rerate(self.ws, self.rid, stage=self.stage, note=self.note, on=self.on,
                              **self.ratings)
        after = [r.id for r in risks.rating_history(self.ws, self.rid) if r.id not in before]
        self.rating_id = after[-1] if after else None
        return _with_ids(change, [self.rid])

    def revert(self) -> Change:
        records = _records()
        change = Change(frozenset({"risk", "risk_rating"}))
        if self.rating_id is not None:
            change = change | records.delete(self.ws, "risk_rating", self.rating_id).change()
        change = change | _risks().restore_values(self.ws, self.old or {})
        return _with_ids(change, [self.rid])


class SetBandingCommand(RecordCommand):
    """Change the 5x5 banding (every risk's level follows)."""

    def __init__(self, ws: "Workspace", old: "Banding", new: "Banding"):
        super().__init__(ws, tr("Change risk banding"))
        self.old = old
        self.new = new

    def apply(self) -> Change:
        return _risks().set_banding(self.ws, self.new)

    def revert(self) -> Change:
        return _risks().set_banding(self.ws, self.old)


class AddActionCommand(RecordCommand):
    """A new treatment action on a risk; undo deletes it, redo restores it (same id)."""

    def __init__(self, ws: "Workspace", rid: int, values: dict[str, Any] | None = None):
        super().__init__(ws, tr("Add treatment action"))
        self.rid = rid
        self.values = dict(values or {})
        self.aid: int | None = None
        self._deleted: "Deleted | None" = None

    def apply(self) -> Change:
        if self._deleted is not None:
            change = _records().restore(self.ws, self._deleted)
            self._deleted = None
        else:
            self.aid, change = _risks().add_action(self.ws, self.rid, self.values)
        return _with_ids(change | Change(frozenset({"action", "risk"})), [self.rid])

    def revert(self) -> Change:
        self._deleted = _records().delete(self.ws, "action", self.aid)
        return _with_ids(self._deleted.change() | Change(frozenset({"action", "risk"})),
                         [self.rid])


class EditActionCommand(RecordCommand):
    """Fields of a risk's treatment action (owner, due date, status, effectiveness...):
    ``new`` values are set, undo sets ``old`` back."""

    def __init__(self, ws: "Workspace", rid: int, aid: int, old: dict[str, Any],
                 new: dict[str, Any]):
        name = next(iter(new)) if len(new) >= 1 else ""
        super().__init__(ws, tr("Change action {field}").format(field=field_text(name)))
        self.rid = rid
        self.aid = aid
        self.old = dict(old)
        self.new = dict(new)

    def _set(self, values: dict[str, Any]) -> Change:
        change = _records().update_fields(self.ws, "action", self.aid, values)
        return _with_ids(change | Change(frozenset({"action", "risk"})), [self.rid])

    def apply(self) -> Change:
        return self._set(self.new)

    def revert(self) -> Change:
        return self._set(self.old)


class DeleteActionCommand(RecordCommand):
    def __init__(self, ws: "Workspace", rid: int, aid: int):
        super().__init__(ws, tr("Delete treatment action"))
        self.rid = rid
        self.aid = aid
        self.deleted: "Deleted | None" = None

    def apply(self) -> Change:
        self.deleted = _records().delete(self.ws, "action", self.aid)
        return _with_ids(self.deleted.change() | Change(frozenset({"action", "risk"})),
                         [self.rid])

    def revert(self) -> Change:
        return _with_ids(_records().restore(self.ws, self.deleted)
                         | Change(frozenset({"action", "risk"})), [self.rid])
