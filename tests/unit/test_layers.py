"""design.md §1: imports flow downward only (core → storage → services → ui → app/cli), core,
storage and services never import Qt, core never uses SQLAlchemy, heavy libraries load lazily.

Relative imports (``from ..ui import x``) are resolved against the importing file's package, so
they obey the same rules as absolute ones.
"""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "qms_desktop"
TOP = PKG.name
HEAVY = {"openpyxl", "docx", "matplotlib", "lxml"}
QT = {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
#: each layer may import its own layer and the ones below (a lower rank)
RANK = {"core": 0, "resources": 0, "storage": 1, "services": 2, "ui": 3, "app": 4, "cli": 4,
        "__main__": 4}


def module_of(path: Path, root: Path) -> tuple[str, str]:
    """(the module's dotted name, the package its relative imports start from)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def imports(path: Path, top_level_only: bool = False, root: Path = PKG.parent):
    """Yield (absolute dotted module name, line) for every import in ``path``; a relative
    import is resolved against the file's package (``from ..ui import x`` in
    ``qms_desktop/services/a.py`` gives ``qms_desktop.ui``; ``from . import b`` gives
    ``qms_desktop.services.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    _name, package = module_of(path, root)
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg_parts = package.split(".") if package else []
                up = node.level - 1
                if up > len(pkg_parts) - 1:
                    yield f"<relative import beyond {TOP}>", node.lineno
                    continue
                base = ".".join(pkg_parts[:len(pkg_parts) - up])
            else:
                base = ""
            if node.module:
                yield ".".join(p for p in (base, node.module) if p), node.lineno
            else:  # from . import a, b: each name is a module of that package
                for a in node.names:
                    yield f"{base}.{a.name}", node.lineno


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != TOP or len(parts) < 2:
        return None
    return parts[1]


def problems(path: Path, root: Path = PKG.parent) -> list[str]:
    """Every rule broken by one file of the package under ``root``."""
    name, _pkg = module_of(path, root)
    here = layer(name)
    where = path.relative_to(root)
    out = []
    for mod, line in imports(path, root=root):
        top = mod.split(".")[0]
        if mod.startswith("<"):
            out.append(f"{where}:{line}: {mod}")
            continue
        if here in ("core", "storage", "services") and top in QT:
            out.append(f"{where}:{line} imports {mod} (no Qt below ui)")
        if here == "core" and top == "sqlalchemy":
            out.append(f"{where}:{line} imports {mod} (core must not use SQLAlchemy)")
        there = layer(mod)
        if here in RANK and there in RANK and RANK[there] > RANK[here]:
            out.append(f"{where}:{line} imports {mod} ({here} must not import {there})")
    for mod, line in imports(path, top_level_only=True, root=root):
        if mod.split(".")[0] in HEAVY:
            out.append(f"{where}:{line} imports {mod} at module level (import it lazily)")
    return out


def test_the_package_keeps_its_layers():
    bad = [p for f in sorted(PKG.rglob("*.py")) for p in problems(f)]
    assert not bad, "\n".join(bad)


def test_every_layer_is_known():
    """A new top-level module must be given a place in RANK, or the rules would skip it."""
    here = {p.stem if p.is_file() else p.name for p in PKG.iterdir()
            if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
            and p.name != "__init__.py"}
    assert here <= set(RANK), sorted(here - set(RANK))


# --------------------------------------------------------------------------- the rules catch

def _fake(tmp_path: Path, rel: str, source: str) -> Path:
    f = tmp_path / TOP / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    for d in [f.parent, *f.parent.parents]:
        if d == tmp_path:
            break
        (d / "__init__.py").touch()
    f.write_text(source, encoding="utf-8")
    return f


@pytest.mark.parametrize("rel, source, expect", [
    ("services/bad.py", "from ..ui import attachments\n",
     "imports qms_desktop.ui (services must not import ui)"),
    ("services/bad.py", "def f():\n    from ..ui.controller import WorkspaceController\n",
     "imports qms_desktop.ui.controller (services must not import ui)"),
    ("services/bad.py", "from .. import ui\n",
     "imports qms_desktop.ui (services must not import ui)"),
    ("services/imports/bad.py", "from ...ui import errors\n",
     "imports qms_desktop.ui (services must not import ui)"),
    ("storage/bad.py", "from ..services import records\n",
     "imports qms_desktop.services (storage must not import services)"),
    ("core/bad.py", "from ..storage.models import Risk\n",
     "imports qms_desktop.storage.models (core must not import storage)"),
    ("core/bad.py", "from sqlalchemy.orm import Session\n",
     "imports sqlalchemy.orm (core must not use SQLAlchemy)"),
    ("storage/bad.py", "import PySide6.QtCore\n", "imports PySide6.QtCore (no Qt below ui)"),
    ("ui/bad.py", "from .. import app\n", "imports qms_desktop.app (ui must not import app)"),
    ("ui/bad.py", "import openpyxl\n", "imports openpyxl at module level"),
    ("services/bad.py", "from .... import x\n", "relative import beyond qms_desktop"),
])
def test_a_synthetic_file_breaking_a_rule_is_caught(tmp_path, rel, source, expect):
    found = problems(_fake(tmp_path, rel, source), root=tmp_path)
    assert len(found) == 1 and expect in found[0], found


@pytest.mark.parametrize("rel, source", [
    ("services/ok.py", "from . import records\nfrom ..storage import models\n"
                       "from ..core.audit_chain import GENESIS\n"),
    ("services/imports/ok.py", "from ..records import Change\nfrom ...storage import audit\n"),
    ("ui/ok.py", "from ..services import attachments\nfrom . import errors\n"
                 "def f():\n    import openpyxl\n"),
    ("storage/__init__.py", "from . import models\n"),
    ("cli.py", "from .ui.flowchart import render\n"),
])
def test_imports_that_follow_the_rules_pass(tmp_path, rel, source):
    assert problems(_fake(tmp_path, rel, source), root=tmp_path) == []


def test_relative_imports_resolve_against_the_package(tmp_path):
    f = _fake(tmp_path, "services/imports/table.py",
              "from . import risk_table\nfrom .. import records\nfrom ..records import x\n"
              "from ...storage.models import Risk\n")
    assert [m for m, _ in imports(f, root=tmp_path)] == [
        "qms_desktop.services.imports.risk_table", "qms_desktop.services.records",
        "qms_desktop.services.records", "qms_desktop.storage.models"]
    init = _fake(tmp_path, "storage/__init__.py", "from . import audit\n")
    assert [m for m, _ in imports(init, root=tmp_path)] == ["qms_desktop.storage.audit"]
