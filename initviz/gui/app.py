"""``initviz [PROJECT.json]``: the window, on that project or on the default lesson.

Qt is imported inside the functions here, not on top: importing Qt's GUI modules fails
outright (an ImportError) where libGL, libEGL or fontconfig are missing, and ``run_app``
checks for them first, to name the package to install instead.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from initviz.errors import ProjectError
from initviz.gui.system_libraries import install_advice, missing_packages, uses_xcb
from initviz.lessons import resource_path
from initviz.project import Project

EXIT_BAD_INPUT = 2


NOISE = ("This plugin does not support propagateSizeHints()",)
"""Qt messages that say nothing to a user (the offscreen platform, used by render)."""


def _quiet_offscreen_notice() -> None:
    """Drop Qt's NOISE from stderr; every other Qt message still gets through."""
    from PySide6 import QtCore  # not on top: see the module docstring

    def handler(mode, context, message):
        if message not in NOISE:
            sys.stderr.write(message + "\n")

    QtCore.qInstallMessageHandler(handler)


def _no_display() -> bool:
    """True on Linux with no X11 or Wayland display and no Qt platform chosen by the user."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def ensure_application(argv=None):
    """The QApplication, created once; offscreen when there is no display (``render``: the
    window itself refuses to start without one, in ``run_app``)."""
    from PySide6 import QtWidgets  # not on top: see the module docstring

    app = QtWidgets.QApplication.instance()
    if app is None:  # an existing application (a notebook's) is used as it is
        if _no_display():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _quiet_offscreen_notice()
        app = QtWidgets.QApplication(argv if argv is not None else [sys.argv[0]])
        app.setApplicationName("initviz")
        app.setOrganizationName("initviz")
        app.setDesktopFileName("initviz")  # matches resources/initviz.desktop
        app.setWindowIcon(app_icon())
    return app


def app_icon():
    """The window and taskbar icon, ``resources/initviz.svg`` (Qt's SVG image plugin)."""
    from PySide6 import QtGui  # not on top: see the module docstring

    return QtGui.QIcon(str(resource_path("initviz.svg")))


def run_app(path: str | None = None) -> int:
    """Open the window and run the event loop; a bad file is refused before any window opens."""
    project = None
    if path is not None:
        try:
            project = Project.load(path)
        except ProjectError as error:
            print(f"initviz: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    if _no_display():
        print("initviz: there is no display to open the window on (DISPLAY is not set); "
              "run it on a desktop, or use 'initviz render' or 'initviz stats' without one",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    missing = missing_packages() if uses_xcb() else []
    if missing:  # Qt would abort with a plugin error that names no package
        print(f"initviz: {install_advice(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    app = ensure_application()
    # Qt's GUI modules only now that the system is checked (module docstring)
    from initviz.gui import theme, window_state
    from initviz.gui.actions.files import remember_file
    from initviz.gui.main_window import MainWindow

    theme.apply_to_application(app, theme.NORMAL)
    window = MainWindow(project)
    window_state.restore(window)
    if path is not None:
        window.document.load(project, path=Path(path))
        remember_file(path)
    window.show()
    autosave = window.start_autosave()  # offers back the unsaved work a crash left behind
    status = app.exec()
    window_state.save(window)
    autosave.clean_exit()
    return status
