"""Compiling ``forms/*.ui`` with pyside6-uic (used by ``python -m qms_desktop.ui.forms`` and the
test that the committed modules are current)."""


from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: the Designer files live at the top of the source tree, beside the package
FORMS_DIR = PACKAGE_DIR.parents[2] / "forms"
#: the comment line uic writes with its version; ignored when comparing outputs
VERSION_LINE = "## Created by: Qt User Interface Compiler version"


def module_name(ui_file: Path) -> str:
    return f"ui_{ui_file.stem}.py"


def ui_files(forms_dir: Path = FORMS_DIR) -> list[Path]:
    return sorted(forms_dir.glob("*.ui"))


def uic_command() -> list[str] | None:
    """How to run PySide6's ``uic`` here, or None when it is not installed."""
    exe_dir = Path(sys.executable).parent
    for name in ("pyside6-uic", "pyside6-uic.exe"):
        found = shutil.which(name, path=str(exe_dir)) or shutil.which(name)
        if found:
            return [found]
    try:
        from PySide6.scripts import pyside_tool  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-c",
            "import sys; from PySide6.scripts.pyside_tool import uic; "
            "sys.argv[0] = 'pyside6-uic'; sys.exit(uic())"]


def compile_ui(ui_file: Path) -> str:
    """The Python source uic generates for ``ui_file`` (raises RuntimeError when it fails)."""
    cmd = uic_command()
    if cmd is None:
        raise RuntimeError("pyside6-uic is not installed (it comes with PySide6).")
    proc = subprocess.run([*cmd, "-g", "python", str(ui_file)], capture_output=True,
                          text=True, encoding="utf-8", env={**os.environ, "PYTHONUTF8": "1"})
    if proc.returncode != 0:
        raise RuntimeError(f"pyside6-uic failed on {ui_file.name}: {proc.stderr.strip()}")
    return proc.stdout.replace("\r\n", "\n")


def comparable(source: str) -> str:
    """``source`` without uic's version line, so another uic version compares equal."""
    return "\n".join(line for line in source.replace("\r\n", "\n").split("\n")
                     if not line.startswith(VERSION_LINE))
