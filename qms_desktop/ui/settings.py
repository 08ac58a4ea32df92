"""Typed access to the user's settings (QSettings), with versioned upgrades.

Everything the app remembers between runs goes through :class:`Settings`, so keys and types live
in one place. ``SETTINGS_VERSION`` is stored under ``meta/version``; when it grows, add a function
to ``_UPGRADES`` that moves the old keys to the new layout (it runs once, on first start of the
newer build).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

SETTINGS_VERSION = 1
MAX_RECENT = 10
DEFAULT_BACKUP_MINUTES = 15
#: keys of the map page layout (``Settings.map_pages``)
KEY_MAP_MODE = "map_pages/mode"
KEY_MAP_PAPER = "map_pages/paper"
KEY_MAP_ORIENTATION = "map_pages/orientation"
KEY_MAP_SCALE = "map_pages/scale"


#: version -> function moving the previous version's keys to that version's layout (runs once).
#: Version 1 is the first layout, so there is nothing to move yet; add e.g. ``2: _upgrade_to_2``
#: when a key is renamed or changes type.
_UPGRADES: dict[int, Callable[[QSettings], None]] = {}


def data_dir() -> Path:
    """The user's data folder for this app (logs, the demo workspace); created on demand."""
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(loc) if loc else Path.home() / ".qms-workbench"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Settings:
    """The app's settings. Construct after QCoreApplication's names are set."""

    def __init__(self, qsettings: QSettings | None = None):
        self._s = qsettings if qsettings is not None else QSettings()
        self._upgrade()

    # -- versioning
    @property
    def version(self) -> int:
        return self._int("meta/version", 0)

    def _upgrade(self) -> None:
        current = self.version
        if current > SETTINGS_VERSION:
            return  # written by a newer build: read what we understand, change nothing
        for v in range(current + 1, SETTINGS_VERSION + 1):
            step = _UPGRADES.get(v)
            if step is not None:
                step(self._s)
        if current != SETTINGS_VERSION:
            self._s.setValue("meta/version", SETTINGS_VERSION)

    # -- helpers
    def _int(self, key: str, default: int) -> int:
        v = self._s.value(key, default)
        try:
            return int(v)
        except (TypeError, ValueError):
            return default

    def _str(self, key: str, default: str = "") -> str:
        v = self._s.value(key, default)
        return v if isinstance(v, str) else default

    def _bytes(self, key: str) -> QByteArray | None:
        v = self._s.value(key)
        if isinstance(v, QByteArray) and not v.isEmpty():
            return v
        if isinstance(v, (bytes, bytearray)) and v:
            return QByteArray(bytes(v))
        return None

    def sync(self) -> None:
        self._s.sync()

    @property
    def qsettings(self) -> QSettings:
        return self._s

    # -- recent files
    @property
    def recent_files(self) -> list[str]:
        raw = self._str("files/recent", "[]")
        try:
            items = json.loads(raw)
        except ValueError:
            return []
        if not isinstance(items, list):
            return []
        return [p for p in items if isinstance(p, str) and p][:MAX_RECENT]

    def _set_recent(self, items: list[str]) -> None:
        self._s.setValue("files/recent", json.dumps(items[:MAX_RECENT]))

    def add_recent_file(self, path: str | os.PathLike) -> None:
        p = str(Path(path).absolute())
        items = [x for x in self.recent_files if os.path.normcase(x) != os.path.normcase(p)]
        self._set_recent([p, *items])

    def remove_recent_file(self, path: str | os.PathLike) -> None:
        p = os.path.normcase(str(Path(path).absolute()))
        self._set_recent([x for x in self.recent_files if os.path.normcase(x) != p])

    def clear_recent_files(self) -> None:
        self._set_recent([])

    # -- folders
    @property
    def last_directory(self) -> str:
        return self._str("files/last_directory", "")

    @last_directory.setter
    def last_directory(self, value: str | os.PathLike) -> None:
        self._s.setValue("files/last_directory", str(value))

    # -- window
    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._s.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._s.setValue("window/state", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._s.setValue("window/splitter", value)

    @property
    def last_page(self) -> str:
        return self._str("window/last_page", "dashboard")

    @last_page.setter
    def last_page(self, value: str) -> None:
        self._s.setValue("window/last_page", value)

    # -- backups
    @property
    def backup_interval_minutes(self) -> int:
        """Minutes between automatic backups while edits are made (0 turns them off)."""
        return max(0, self._int("backup/interval_minutes", DEFAULT_BACKUP_MINUTES))

    @backup_interval_minutes.setter
    def backup_interval_minutes(self, value: int) -> None:
        self._s.setValue("backup/interval_minutes", int(value))

    # -- tables (the table kit's column choice, order and width; a page's splitter)
    def column_layout(self, table: str) -> list[tuple[str, int]]:
        """(column key, width) of the columns shown in table ``table``, in on-screen order;
        empty when none was saved or what was saved is unusable."""
        raw = self._str(f"{table}/columns", "")
        if not raw:
            return []
        try:
            return [(str(k), int(w)) for k, w in json.loads(raw)]
        except (ValueError, TypeError):
            return []

    def set_column_layout(self, table: str, layout: list[tuple[str, int]]) -> None:
        self._s.setValue(f"{table}/columns", json.dumps([[k, int(w)] for k, w in layout]))

    def splitter(self, name: str) -> QByteArray | None:
        """The saved state of page ``name``'s splitter (None when none was saved)."""
        return self._bytes(f"{name}/splitter")

    def set_splitter(self, name: str, state: QByteArray) -> None:
        self._s.setValue(f"{name}/splitter", state)

    # -- map pages (PDF / print layout of a process map)
    @property
    def map_pages(self) -> tuple[str, str, str, float]:
        """(mode, paper, orientation, scale %) chosen last; scale 0 means "readable"."""
        raw = self._s.value(KEY_MAP_SCALE, 0)
        try:
            scale = float(raw) if raw not in (None, "") else 0.0
        except (TypeError, ValueError):
            scale = 0.0
        return (self._str(KEY_MAP_MODE, "auto"), self._str(KEY_MAP_PAPER, "A4"),
                self._str(KEY_MAP_ORIENTATION, "auto"), scale)

    @map_pages.setter
    def map_pages(self, value: tuple[str, str, str, float]) -> None:
        mode, paper, orientation, scale = value
        self._s.setValue(KEY_MAP_MODE, mode)
        self._s.setValue(KEY_MAP_PAPER, paper)
        self._s.setValue(KEY_MAP_ORIENTATION, orientation)
        self._s.setValue(KEY_MAP_SCALE, float(scale or 0.0))
