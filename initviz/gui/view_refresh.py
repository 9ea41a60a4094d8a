"""What the centre views (Training, Compare, Theory) share: a document to follow, and work only
while they are seen.

A view reads ``document.project``, edits through ``document.edit`` and follows the document's
signals; it never reaches into the window. Given no document (scripts, tests), a view keeps one
of its own on the project it was given.
"""
from __future__ import annotations

from initviz.gui.document import ProjectDocument


def view_document(document: ProjectDocument | None, project, owner) -> ProjectDocument:
    """The window's document, or a document of the view's own on ``project``."""
    return document if document is not None else ProjectDocument(project, owner)


class RefreshWhenVisible:
    """Mixin for a tab that computes: it works only while visible; a hidden tab marks itself
    stale and catches up when it is shown. The class defines ``_refresh`` and calls ``follow``
    with its document."""

    _stale = True

    def follow(self, document: ProjectDocument) -> None:
        """Refresh after any change of the project, its replacement or its display settings."""
        document.changed.connect(self._project_changed)
        document.replaced.connect(self._project_changed)
        document.displayChanged.connect(self._project_changed)

    def _project_changed(self, *_) -> None:
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
