"""The document behind a window: one Project, its undo stack, its file and its saved state.

Views and menus talk to the document, never to each other. A change is one of three kinds:

- an edit (``edit``, ``set_project``): validated as a whole, one step on the undo stack
  (``edit_steps``), then ``changed`` with the sections it touched;
- a display setting (``set_display``: heat map, log counts, shared axes, rows shown): kept in
  the project's ``view`` and saved with it, but no edit: no undo step, never modified, only
  ``displayChanged``;
- a new project from a file or a lesson (``load``): a fresh undo stack, the new saved state,
  ``replaced``.

Modified means "differs from the file (or the lesson) it came from" (DESIGN §6). The stack's
clean state answers at once (``cleanChanged``); away from it the content is compared with the
saved one, so a value typed back by hand is not unsaved work either.
"""
from __future__ import annotations

import copy
from pathlib import Path

from PySide6 import QtCore, QtGui

from initviz.errors import ProjectError
from initviz.gui.edit_steps import (
    SectionStep,
    changed_fields,
    changed_sections,
    content,
    describe,
)
from initviz.gui.view_settings import DISPLAY_KEYS, ViewSettings, without_display
from initviz.project import Project

UNDO_LIMIT = 200


class ProjectDocument(QtCore.QObject):
    changed = QtCore.Signal(tuple)
    """An edit, an undo or a redo changed these top-level sections ("network", "view", ...)."""
    replaced = QtCore.Signal()
    """A new project from a file or a lesson: every section may differ, work on the old is moot."""
    displayChanged = QtCore.Signal(dict)
    """Display settings (``view`` keys in DISPLAY_KEYS) and their new values."""
    modifiedChanged = QtCore.Signal(bool)
    sourceChanged = QtCore.Signal()
    """The file or the lesson the project belongs to (``path``, ``lesson_key``)."""
    refused = QtCore.Signal(str)
    """An edit was invalid and changed nothing; the message says why."""
    message = QtCore.Signal(str)
    """Something to tell the user in passing (the window's status bar)."""

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        self._project = project.copy() if project is not None else Project()
        self.path: Path | None = None
        self.lesson_key: str | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._saved = self._project.to_dict()
        self._modified = False
        self.undo_stack.cleanChanged.connect(self._stack_moved)
        self.undo_stack.indexChanged.connect(self._stack_moved)

    # --- reading ----------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        """The project itself (read it; change it only through this document)."""
        return self._project

    @property
    def settings(self) -> ViewSettings:
        return ViewSettings.from_view(self._project.view)

    def is_modified(self) -> bool:
        return self._modified

    # --- edits (undoable) -----------------------------------------------------------------------

    def edit(self, changes: dict) -> bool:
        """Apply dotted-path ``changes`` together as one undo step; False (nothing changed and
        ``refused`` says why) when the result would be invalid."""
        before = self._project.to_dict()
        try:
            self._project.update(changes)
        except ProjectError as error:
            self.refused.emit(str(error))
            self.message.emit(str(error))
            return False
        after = self._project.to_dict()
        self._push(before, after, changed_fields(changes, before, after))
        return True

    def set_project(self, project: Project) -> None:
        """Replace the whole project as one undo step; the file and its saved state stay."""
        before = self._project.to_dict()
        self._project = project.copy()
        self._push(before, self._project.to_dict(), None)

    def _push(self, before: dict, after: dict, fields) -> None:
        sections = changed_sections(before, after)
        display = {key: value for key, value in after.get("view", {}).items()
                   if key in DISPLAY_KEYS and before.get("view", {}).get(key) != value}
        if sections:
            text = describe(fields) if fields is not None else "replace project"
            self.undo_stack.push(SectionStep(
                self, {name: before.get(name, ABSENT) for name in sections},
                {name: after.get(name, ABSENT) for name in sections}, text, fields))
            self.changed.emit(sections)
        if display:
            self.displayChanged.emit(display)

    def restore_sections(self, sections: dict) -> None:
        """Put these sections back as they were (an undo or a redo); display settings stay."""
        data = self._project.to_dict()
        shown = {key: value for key, value in data.get("view", {}).items() if key in DISPLAY_KEYS}
        for name, value in sections.items():
            if value is ABSENT:
                data.pop(name, None)
            elif name == "view":
                data[name] = {**without_display(copy.deepcopy(value)), **shown}
            else:
                data[name] = copy.deepcopy(value)
        self._project = Project(data)
        self._refresh_modified(trust_clean=False)  # the stack's index moves only after this
        self.changed.emit(tuple(sections))

    def undo(self) -> None:
        self.undo_stack.undo()

    def redo(self) -> None:
        self.undo_stack.redo()

    # --- display settings (never edits) ------------------------------------------------------

    def set_display(self, changes: dict) -> bool:
        """Heat map, log counts, shared axes, rows shown...: re-drawn, saved with the project,
        but never unsaved work and never an undo step."""
        unknown = set(changes) - DISPLAY_KEYS
        if unknown:
            raise ValueError(f"not display settings: {sorted(unknown)}")
        view = self._project.view
        changes = {key: value for key, value in changes.items() if view.get(key) != value}
        if not changes:
            return True
        try:
            self._project.update({f"view.{key}": value for key, value in changes.items()})
        except ProjectError as error:
            self.message.emit(str(error))
            return False
        self.displayChanged.emit(changes)
        return True

    # --- files and lessons ---------------------------------------------------------------------

    def load(self, project: Project, path=None, lesson_key: str | None = None) -> None:
        """A project from a file or a lesson: the new saved state, with nothing to undo."""
        self._project = project.copy()
        self._saved = self._project.to_dict()
        self.path = Path(path) if path is not None else None
        self.lesson_key = lesson_key
        self.undo_stack.clear()
        self._refresh_modified()
        self.sourceChanged.emit()
        self.replaced.emit()

    def save(self, path) -> None:
        """Write the project to ``path`` (ProjectError when that fails: nothing changes)."""
        self._project.save(path)
        self._saved = self._project.to_dict()
        self.path = Path(path)
        self.undo_stack.setClean()
        self._refresh_modified()
        self.sourceChanged.emit()

    def show_message(self, text: str) -> None:
        self.message.emit(text)

    # --- the saved state ---------------------------------------------------------------------

    def _stack_moved(self, *_) -> None:
        """A step was pushed, undone or redone, or the stack became clean (a save)."""
        self._refresh_modified()

    def _refresh_modified(self, trust_clean: bool = True) -> None:
        if trust_clean and self.undo_stack.isClean():
            modified = False
        else:
            modified = self._differs_from_saved()
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _differs_from_saved(self) -> bool:
        if self._project.matches(self._saved):
            return False
        now = self._project.to_dict()
        names = set(now) | set(self._saved)
        return any(content(now, name) != content(self._saved, name) for name in names)


class _Absent:
    """A section the project did not have (an unknown key a replacement added or removed)."""

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
