"""Make the README's screenshot (and the user guide's) from a fresh demo workspace, offscreen.

    .venv/bin/python tools/screenshot.py                 # docs/screenshot.png: training matrix
    .venv/bin/python tools/screenshot.py --page processes --out map.png   # the process map
    .venv/bin/python tools/screenshot.py --all docs/screenshots   # one PNG per page

The demo is made with ``qms demo`` in a temporary folder; the window is the app's own
``MainWindow`` on Qt's offscreen platform, so no display is needed and nothing on screen moves.
Settings, the data folder and the log of audit heads are redirected to the temporary folder:
the user's own are never read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1440, 900)
#: the process whose map the screenshot shows, and the step selected on it (demo names)
MAP_PROCESS = "CP-02"
MAP_STEP = "Set up machine and produce first-off"
PAGES = ("training", "processes", "risks", "dashboard", "actions", "audit_trail")


def _isolate(folder: Path) -> None:
    """Point every user folder Qt and the app use at ``folder`` (before Qt is imported)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = folder / "home"
    home.mkdir()
    os.environ["HOME"] = str(home)
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        os.environ[var] = str(folder / sub)
    os.environ["QMS_HEADS_DIR"] = str(folder / "heads")


def _wait(app, done, what: str, timeout: float = 60.0) -> None:
    """Run the event loop until ``done()`` (the app works in background tasks)."""
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _settle(app, rounds: int = 20) -> None:
    """Let queued work (deferred fits, lazy labels, layouts) run before grabbing."""
    for _ in range(rounds):
        app.processEvents()
        app.sendPostedEvents()


def _show(window, app, page: str) -> None:
    window.show_page(page)
    if page == "processes":
        from qms_desktop.services.processes import list_processes

        ws = window.controller.workspace
        procs = window.page("processes")
        pid = next((p.id for p in list_processes(ws) if p.code == MAP_PROCESS), None)
        if pid is None:
            raise SystemExit(f"screenshot: the demo has no process {MAP_PROCESS}")
        procs.show_step(pid)
        _settle(app)
        editor = procs.editor
        if hasattr(editor, "set_pane_open"):  # the step's properties, not the palette
            from qms_desktop.ui.flowchart import editor as E

            editor.set_pane_open(E.LEFT_PANE, False)
            editor.set_pane_open(E.RIGHT_PANE, True)
            _settle(app)
        node = next((n["id"] for n in editor.data.nodes if n["name"] == MAP_STEP), None)
        if node is not None:  # a selected step shows its links (documents, risks…)
            procs.show_step(pid, node)
        _settle(app)
        editor.view.zoom_fit()  # the whole map, as the Fit button shows it
    elif page == "risks":
        rp = window.page("risks")
        if rp.model.rowCount():
            rp.select_ids([rp.model.rows[0].id])
    _settle(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=PAGES, default="training",
                        help="the page to show (default: the training matrix)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png",
                        help="the PNG to write (default: docs/screenshot.png)")
    parser.add_argument("--all", type=Path, metavar="FOLDER",
                        help="write one PNG per page into FOLDER instead")
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}",
                        help="window size in pixels, WIDTHxHEIGHT (default: %(default)s)")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory(prefix="qms-screenshot-") as tmp:
        folder = Path(tmp)
        _isolate(folder)
        from qms_desktop import cli

        demo = folder / "QMS demo.qms"
        if cli.main(["demo", str(demo)]) != 0:
            raise SystemExit("screenshot: `qms demo` failed")

        from PySide6.QtCore import QLocale, QSettings

        from qms_desktop.app import setup_application

        app = setup_application([sys.argv[0]])
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(folder / "settings"))
        # numbers and dates as an English-speaking reader expects, whatever the machine's
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))

        from qms_desktop.ui.main_window import MainWindow
        from qms_desktop.ui.settings import Settings

        window = MainWindow(Settings())
        window.resize(width, height)
        window.show()
        window.open_path(demo)
        _wait(app, lambda: window.controller.workspace is not None
              and window.controller.opening is None, "the demo to open")
        jobs = ([(p, args.all / f"{p}.png") for p in PAGES] if args.all
                else [(args.page, args.out)])
        for page, out in jobs:
            _show(window, app, page)
            window.nav.setFocus()  # no text cursor blinking in a search box
            _settle(app)
            out.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(out), "PNG"):
                raise SystemExit(f"screenshot: could not write {out}")
            print(out)
        window.close()
        _settle(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
