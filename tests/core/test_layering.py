"""The core never imports Qt (STYLE.md: layers you can see in the tree).

A notebook or a headless server can use initviz.core, initviz.project and the
`initviz stats` command without PySide6 or pyqtgraph being loaded.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "initviz"
CORE_FILES = sorted((PACKAGE / "core").glob("*.py")) + [
    PACKAGE / name for name in ("project.py", "project_fields.py", "project_json.py",
                                "errors.py", "lessons.py", "__init__.py")
]
QT = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6", "initviz.gui")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_importing_the_core_and_the_cli_loads_no_qt():
    modules = sorted({_module_name(p) for p in CORE_FILES} | {"initviz", "initviz.cli"})
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import initviz\n"
        "initviz.simulate(initviz.Project.from_dict({'network': {'widths': [4, 4, 2]}}))\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r} "
        "or m.startswith('initviz.gui'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"Qt loaded by the core: {done.stdout.strip()}"


def _imports(tree: ast.AST, top_level_only: bool):
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _qt_imports(path: Path, top_level_only: bool) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [name for name in _imports(tree, top_level_only)
            if name.split(".")[0] in QT or name == "initviz.gui" or name.startswith("initviz.gui.")]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_files_import_no_qt_anywhere(path):
    assert _qt_imports(path, top_level_only=False) == []


def test_cli_imports_the_gui_only_inside_the_commands_that_draw():
    cli = PACKAGE / "cli.py"
    assert _qt_imports(cli, top_level_only=True) == []
    tree = ast.parse(cli.read_text(encoding="utf-8"))
    direct = [name for name in _imports(tree, top_level_only=False)
              if name.split(".")[0] in ("PySide6", "pyqtgraph")]
    assert direct == [], "the CLI reaches Qt through initviz.gui only"


def test_the_scan_would_catch_a_qt_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from PySide6 import QtCore\n    import pyqtgraph as pg\n")
    assert _qt_imports(sneaky, top_level_only=False) == ["PySide6", "pyqtgraph"]
    assert _qt_imports(sneaky, top_level_only=True) == []
