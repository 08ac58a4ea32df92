"""Test hygiene: a test outside tests/gui/ that imports Qt says so with the ``gui`` marker
(tests/gui/conftest.py marks everything under tests/gui/), and pytest refuses unknown markers."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
QT = ("PySide6", "shiboken6")


def _imports_qt(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Import) and any(a.name.split(".")[0] in QT for a in n.names):
            return True
        if isinstance(n, ast.ImportFrom) and not n.level and n.module \
                and n.module.split(".")[0] in QT:
            return True
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "importorskip" and n.args
                and isinstance(n.args[0], ast.Constant)
                and str(n.args[0].value).split(".")[0] in QT):
            return True
    return False


def _is_gui_mark(node: ast.AST) -> bool:
    """``pytest.mark.gui`` (possibly inside a list, or called)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_gui_mark(e) for e in node.elts)
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and node.attr == "gui"
            and isinstance(node.value, ast.Attribute) and node.value.attr == "mark")


def unmarked_qt_tests(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_marked = any(
        isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                          for t in n.targets) and _is_gui_mark(n.value)
        for n in tree.body)
    if module_marked:
        return []
    top_level = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef,
                                                            ast.AsyncFunctionDef))]
    if any(_imports_qt(n) for n in top_level):
        return [f"{path.name}: the module imports Qt but has no pytestmark = pytest.mark.gui"]
    bad = []
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test"):
            if _imports_qt(n) and not any(_is_gui_mark(d) for d in n.decorator_list):
                bad.append(f"{path.name}:{n.lineno} {n.name} imports Qt but is not marked gui")
    return bad


def test_qt_tests_outside_tests_gui_are_marked():
    gui = TESTS / "gui"
    bad = []
    for f in sorted(TESTS.rglob("test_*.py")):
        if gui in f.parents:
            continue
        bad += unmarked_qt_tests(f)
    assert not bad, "\n".join(bad)


def test_the_check_catches_an_unmarked_qt_test(tmp_path):
    f = tmp_path / "test_x.py"
    f.write_text("import pytest\n\ndef test_a():\n    from PySide6.QtCore import QPointF\n\n"
                 "@pytest.mark.gui\ndef test_b():\n    import PySide6\n\n"
                 "def test_c():\n    pass\n", encoding="utf-8")
    assert unmarked_qt_tests(f) == ["test_x.py:3 test_a imports Qt but is not marked gui"]
    f.write_text("import pytest\npytest.importorskip('PySide6.QtWidgets')\n", encoding="utf-8")
    assert unmarked_qt_tests(f) == [
        "test_x.py: the module imports Qt but has no pytestmark = pytest.mark.gui"]
    f.write_text("import pytest\npytest.importorskip('PySide6.QtWidgets')\n"
                 "pytestmark = [pytest.mark.gui, pytest.mark.slow]\n", encoding="utf-8")
    assert unmarked_qt_tests(f) == []


def test_markers_are_strict_and_declared():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    opts = cfg["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in opts["addopts"].split()
    declared = {m.split(":")[0].strip() for m in opts["markers"]}
    assert {"gui", "slow"} <= declared
