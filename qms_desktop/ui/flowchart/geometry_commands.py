"""Undo command for hand edits of a map's geometry: a resized shape or lane, lanes swapped, a
connector's route moved by hand or handed back to automatic routing.

The command holds the old and the new geometry as keyword arguments of
:func:`qms_desktop.services.map_geometry.set_geometry`; do and undo each store one of them in one
transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..commands import RecordCommand

if TYPE_CHECKING:  # pragma: no cover
    from ...services.records import Change
    from ...storage.workspace import Workspace


class GeometryCommand(RecordCommand):
    """Store ``new`` geometry; undo stores ``old`` (both ``set_geometry`` keyword dicts)."""

    def __init__(self, ws: "Workspace", text: str, old: dict, new: dict):
        super().__init__(ws, text)
        self.old = _copy(old)
        self.new = _copy(new)

    def apply(self) -> "Change":
        from ...services.map_geometry import set_geometry

        return set_geometry(self.ws, **self.new)

    def revert(self) -> "Change":
        from ...services.map_geometry import set_geometry

        # undo puts back the routes the edit cleared, so it clears nothing itself
        old = {k: v for k, v in self.old.items() if k != "clear_routes_of"}
        return set_geometry(self.ws, **old)


def _copy(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        out[k] = dict(v) if isinstance(v, dict) else list(v)
    return out


__all__ = ["GeometryCommand"]
