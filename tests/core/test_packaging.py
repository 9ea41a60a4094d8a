"""`pip install .` ships everything the app reads: every package, the lessons, the icon.

Installed into a folder of its own and run from elsewhere, so nothing comes from this
checkout: the lessons and the icon are then found inside the installed package.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from initviz.core import digits

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import importlib, json, pkgutil, initviz, initviz.gui
from initviz import lessons
from initviz.core import digits
packages = [m.name for m in pkgutil.walk_packages(initviz.gui.__path__, "initviz.gui.")]
for name in packages:
    importlib.import_module(name)
print(json.dumps({
    "file": initviz.__file__,
    "lessons": sorted(p.name for p in lessons.lessons_dir().glob("*.json")),
    "icon": lessons.resource_path("initviz.svg").is_file(),
    "desktop": lessons.resource_path("initviz.desktop").is_file(),
    "digits": len(digits.load().test_labels),
    "modules": len(packages),
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(target), str(ROOT)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return target


def run_installed(target: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(target), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=target.parent, env=env, timeout=120, check=False)


def test_the_installed_package_has_its_lessons_icon_and_every_module(installed):
    done = run_installed(installed, "-c", CHECK)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["file"]).is_relative_to(installed)  # not this checkout
    shipped = sorted(p.name for p in (ROOT / "resources" / "lessons").glob("*.json"))
    assert found["lessons"] == shipped
    assert found["icon"] and found["desktop"]
    assert found["digits"] == digits.TEST_COUNT  # the data set, read from the package
    source = [p for p in (ROOT / "initviz" / "gui").rglob("*.py") if p.name != "__init__.py"]
    assert found["modules"] >= len(source)


def test_the_installed_command_answers(installed):
    done = run_installed(installed, "-m", "initviz", "--version")
    assert done.returncode == 0 and done.stdout.startswith("initviz "), done.stderr
