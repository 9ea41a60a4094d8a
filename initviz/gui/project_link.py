"""What a centre view (Training, Compare, Theory) needs from the main window, and nothing more.

A view reads ``link.project``, listens to ``link.changed`` and edits through
``link.edit``. With a MainWindow the link forwards to it (so edits are validated,
undoable and saved with the project); without one (scripts, tests) it holds its
own Project.
"""
from __future__ import annotations

from PySide6 import QtCore

from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.view_settings import ViewSettings


class ProjectLink(QtCore.QObject):
    changed = QtCore.Signal()
    """The project changed (any field)."""
    message = QtCore.Signal(str)

    def __init__(self, window=None, project=None, parent=None):
        super().__init__(parent)
        self.window = window
        self._project = None if window is not None else project.copy()
        if window is not None:
            window.projectChanged.connect(self.changed)

    @property
    def project(self):
        return self.window.project if self.window is not None else self._project

    @property
    def theme(self) -> th.Theme:
        return getattr(self.window, "theme", th.NORMAL)

    @property
    def settings(self) -> ViewSettings:
        return ViewSettings.from_view(self.project.view)

    def edit(self, changes: dict) -> bool:
        """Dotted-path changes, validated together; False (and a message) when refused."""
        if self.window is not None:
            return self.window.apply_edit(changes)
        try:
            self._project.update(changes)
        except ProjectError as error:
            self.message.emit(str(error))
            return False
        self.changed.emit()
        return True

    def set_project(self, project) -> None:
        if self.window is not None:
            self.window.set_project(project)
            return
        self._project = project.copy()
        self.changed.emit()

    def show_message(self, text: str) -> None:
        if self.window is not None and hasattr(self.window, "show_message"):
            self.window.show_message(text)
        self.message.emit(text)


class RefreshWhenVisible:
    """Mixin for a tab that computes: it works only while visible; a hidden tab marks itself
    stale and catches up when it is shown. The class defines ``_refresh`` and connects
    ``_project_changed`` to its ProjectLink's ``changed``."""

    _stale = True

    def _project_changed(self) -> None:
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._refresh()
