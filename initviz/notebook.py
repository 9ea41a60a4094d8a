"""Pictures for notebooks and scripts: ``initviz.render(project, path=None)`` and the
``_repr_png_`` Jupyter calls on a ``Project`` or a ``Simulation``.

The picture is the dashboard ``initviz render`` draws, made without a window. Qt is loaded
only when a picture is asked for. The caller's process is left as it was: an existing
QApplication (a notebook running ``%gui qt``) is used as it is; otherwise one is made on
Qt's offscreen platform, chosen by its command-line argument rather than the environment,
and no draw cache is kept after the call.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

NOTEBOOK_SIZE = (1200, 760)
"""Fits a notebook's output column at full size; ``render`` defaults to 1600×1000."""


def _application():
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        from initviz.gui.app import _quiet_offscreen_notice  # the same quiet as `initviz render`

        _quiet_offscreen_notice()
        program = sys.argv[0] if sys.argv and sys.argv[0] else "initviz"
        app = QtWidgets.QApplication([program, "-platform", "offscreen"])
    return app


def _project_and_data(subject):
    """(project, plot data) for a Project (simulated here, nothing cached) or a Simulation
    (drawn as it is: after training its weights are the trained ones)."""
    from initviz.core.network import Simulation, simulate
    from initviz.gui.prepare import plot_data

    simulation = subject if isinstance(subject, Simulation) else simulate(subject)
    return simulation.project, plot_data.prepare(simulation)


def render(subject, path: str | os.PathLike | None = None, size=(1600, 1000)):
    """The dashboard of a Project or Simulation: PNG bytes when ``path`` is None, else written
    to ``path`` (.png or .svg) and the path returned. Raises ProjectError on a bad project."""
    project, data = _project_and_data(subject)
    _application()
    from initviz.gui.render import render_project

    if path is not None:
        return render_project(project, path, size=tuple(size), data=data)
    with tempfile.TemporaryDirectory(prefix="initviz-render-") as folder:
        out = render_project(project, Path(folder) / "dashboard.png", size=tuple(size),
                             data=data)
        return out.read_bytes()


def repr_png(subject) -> bytes | None:
    """For ``_repr_png_``: the picture, or None (Jupyter then shows the text repr) when it
    cannot be drawn here, e.g. a project too large for memory."""
    from initviz.errors import ProjectError

    try:
        return render(subject, None, NOTEBOOK_SIZE)
    except (ProjectError, ImportError):
        return None
