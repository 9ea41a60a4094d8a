"""Notebooks: a Project or Simulation shows itself as the dashboard picture (_repr_png_), and
initviz.render returns it as PNG bytes or saves it, without a window and without changing
the process a notebook runs in."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6 import QtGui

import initviz
from initviz.notebook import NOTEBOOK_SIZE

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _image(data: bytes) -> QtGui.QImage:
    image = QtGui.QImage()
    assert image.loadFromData(data, "PNG")
    return image


def _ink(image: QtGui.QImage) -> float:
    """Share of pixels that are not white: plots and text drawn, not an empty canvas."""
    image = image.convertToFormat(QtGui.QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    return float(np.mean(pixels & 0xFFFFFF != 0xFFFFFF))


def test_render_returns_png_bytes_of_the_size_asked(qtbot, small_project):
    data = initviz.render(small_project, None, size=(900, 600))
    assert data.startswith(PNG_MAGIC)
    image = _image(data)
    assert (image.width(), image.height()) == (900, 600)
    assert _ink(image) > 0.05


def test_render_saves_png_and_svg(qtbot, small_project, tmp_path):
    assert initviz.render(small_project, tmp_path / "d.png").read_bytes().startswith(PNG_MAGIC)
    assert b"<svg" in initviz.render(small_project, str(tmp_path / "d.svg")).read_bytes()[:2000]


def test_project_and_trained_simulation_show_themselves(qtbot, small_project):
    picture = small_project._repr_png_()
    image = _image(picture)
    assert (image.width(), image.height()) == NOTEBOOK_SIZE
    trainer = initviz.Trainer(small_project)
    trained = trainer.step(20)._repr_png_()
    # the simulation is drawn as it is: after 20 steps its histograms are not the project's
    assert trained.startswith(PNG_MAGIC) and trained != picture


SCRIPT = r"""
import json, os, sys
before = dict(os.environ)
import initviz
qt_on_import = any(m.startswith("PySide6") for m in sys.modules)
p = initviz.Project.from_dict({"network": {"widths": [8, 16, 16, 4]}})
png = p._repr_png_()
sim_png = initviz.simulate(p)._repr_png_()
from PySide6 import QtWidgets
from initviz.core import draws
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
print(json.dumps({"qt_on_import": qt_on_import, "png": png[:8].hex(), "sim": sim_png[:8].hex(),
                  "changed_env": changed, "platform": QtWidgets.QApplication.platformName(),
                  "cached": draws.SHARED._bytes}))
"""


def test_a_fresh_notebook_process_gets_pictures_and_keeps_its_environment():
    """No display and no QT_QPA_PLATFORM, as in a notebook on a server: the picture is drawn
    on an offscreen QApplication chosen by argument, not by setting the environment."""
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not even Qt's offscreen notices in the notebook's output
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["qt_on_import"] is False
    assert seen["png"] == seen["sim"] == PNG_MAGIC.hex()
    assert seen["changed_env"] == [] and seen["platform"] == "offscreen"
    assert seen["cached"] == 0  # no weight draws kept behind the notebook's back
