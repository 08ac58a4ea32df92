"""design.md §1: core, storage and services never import Qt; heavy libraries load lazily."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "qms_desktop"
HEAVY = {"openpyxl", "docx", "matplotlib", "lxml"}


def imports(path: Path, top_level_only=False):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0], node.lineno


def test_no_qt_below_ui():
    bad = []
    for layer in ("core", "storage", "services"):
        for f in (PKG / layer).rglob("*.py"):
            for mod, line in imports(f):
                if mod in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                    bad.append(f"{f.relative_to(PKG)}:{line} imports {mod}")
    assert not bad, bad


def test_core_is_pure():
    for f in (PKG / "core").rglob("*.py"):
        for mod, line in imports(f):
            assert mod != "sqlalchemy", f"{f.name}:{line}: core must not use SQLAlchemy"


def test_heavy_libraries_imported_lazily():
    bad = []
    for f in PKG.rglob("*.py"):
        for mod, line in imports(f, top_level_only=True):
            if mod in HEAVY:
                bad.append(f"{f.relative_to(PKG)}:{line} imports {mod} at module level")
    assert not bad, bad
