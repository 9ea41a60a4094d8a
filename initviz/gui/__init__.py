"""The desktop app (PySide6 + pyqtgraph): the only part of initviz that imports Qt.

``from initviz.gui import MainWindow`` loads Qt on first use; importing this
package alone creates no QApplication and imports nothing heavy.

The parts, each importing only those after it: the window shell (app, render,
main_window), ``actions/``, ``views/`` (one per tab), ``controls/``, ``plots/``,
``workers/`` and ``export/``, the ProjectDocument (``document``), and ``prepare/``
(NumPy only). The README's Development section says what lives in each.
"""
from __future__ import annotations

__all__ = ["MainWindow", "render_project", "run_app"]


def __getattr__(name):
    # imported on first use, so that importing initviz.gui loads no Qt (docstring)
    if name == "MainWindow":
        from initviz.gui.main_window import MainWindow

        return MainWindow
    if name == "render_project":
        from initviz.gui.render import render_project

        return render_project
    if name == "run_app":
        from initviz.gui.app import run_app

        return run_app
    raise AttributeError(f"module 'initviz.gui' has no attribute {name!r}")
