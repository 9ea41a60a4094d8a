"""The document behind a window: one Project, its undo stack, its file and its saved state.

Views and menus talk to the document, never to each other. A change is one of three kinds:

- an edit (``edit``, ``set_project``): validated as a whole, one step on the undo stack
  (``edit_steps``), then ``changed`` with the sections it touched;
- a display setting (``set_display``: heat map, log counts, shared axes, rows shown): kept in
  the project's ``view`` and saved with it, but no edit: no undo step, never modified, only
  ``displayChanged``;
- a new project from a file or a lesson (``load``): a fresh undo stack, the new saved state,
  ``replaced``.

Modified means "differs from the file (or the lesson) it came from". The stack's
clean state answers at once (``cleanChanged``); away from it the content is compared with the
saved one, so a value typed back by hand is not unsaved work either.
"""
from __future__ import annotations

import copy
from pathlib import Path

from PySide6 import QtCore, QtGui

from initviz.errors import ProjectError
from initviz.gui.edit_steps import (
    ABSENT,
    SectionStep,
    changed_fields,
    changed_sections,
    describe,
    display_changes,
    sections_of,
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
        self._saved = self._project.copy()
        self._modified = False
        self._gesture: int | None = None
        self._gestures = 0
        self._loads = 0
        """Projects loaded so far: a save that ends after another load is not this one's."""
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
        before = self._project
        try:
            self._project = before.with_changes(changes)
        except ProjectError as error:
            self.refused.emit(str(error))
            self.message.emit(str(error))
            return False
        self._push(before, changed_fields(changes, before, self._project))
        return True

    def set_project(self, project: Project) -> None:
        """Replace the whole project as one undo step; the file and its saved state stay."""
        before, self._project = self._project, project.copy()
        self._push(before, None)

    def _push(self, before: Project, fields) -> None:
        after = self._project
        sections = changed_sections(before, after)
        display = display_changes(before, after)
        if sections:
            text = describe(fields) if fields is not None else "replace project"
            self.undo_stack.push(SectionStep(
                self, sections_of(before, sections), sections_of(after, sections), text, fields,
                self._gesture))
            self.changed.emit(sections)
        if display:
            self.displayChanged.emit(display)

    def begin_gesture(self) -> None:
        """The edits until ``end_gesture`` (a slider drag, a sweep) are one undo step of their
        own: they merge with each other, never with an edit made before or after."""
        self._gestures += 1
        self._gesture = self._gestures

    def end_gesture(self) -> None:
        self._gesture = None

    def restore_sections(self, sections: dict) -> None:
        """Put these sections back as they were (an undo or a redo); display settings stay."""
        shown = {key: value for key, value in self._project.view.items() if key in DISPLAY_KEYS}
        changes = copy.deepcopy({
            name: {**without_display(value), **shown} if name == "view" else value
            for name, value in sections.items()})
        if ABSENT in changes.values():  # a replacement added or removed an unknown section
            data = {**self._project.to_dict(), **changes}
            self._project = Project({k: v for k, v in data.items() if v is not ABSENT})
        else:
            self._project = self._project.with_changes(changes)
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
        self._loads += 1
        self._project = project.copy()
        self._saved = self._project.copy()
        self.path = Path(path) if path is not None else None
        self.lesson_key = lesson_key
        self.undo_stack.clear()
        self._refresh_modified()
        self.sourceChanged.emit()
        self.replaced.emit()

    def revert(self) -> None:
        """Back to the saved state, with nothing to undo; display settings stay as they are."""
        shown = {key: value for key, value in self._project.view.items() if key in DISPLAY_KEYS}
        saved = self._saved.with_changes({f"view.{key}": value for key, value in shown.items()})
        self.load(saved, self.path, self.lesson_key)

    def save(self, path) -> None:
        """Write the project to ``path`` (ProjectError when that fails: nothing changes)."""
        self._project.save(path)
        self._saved = self._project.copy()
        self.path = Path(path)
        self.undo_stack.setClean()
        self._refresh_modified()
        self.sourceChanged.emit()

    def snapshot_for_save(self) -> tuple[Project, int]:
        """What a save on another thread writes, and the load it belongs to (``saved``)."""
        return self._project.copy(), self._loads

    def saved(self, snapshot: Project, path, load: int) -> bool:
        """``snapshot`` (``snapshot_for_save``) is now in ``path``: it is the saved state,
        unless another project was loaded meanwhile (False). Edits made while it was written
        stay unsaved work."""
        if load != self._loads:
            return False
        self._saved = snapshot
        self.path = Path(path)
        if self._differs_from_saved():
            self.undo_stack.resetClean()  # no step of the stack holds what the file holds
            self._refresh_modified(trust_clean=False)
        else:
            self.undo_stack.setClean()
            self._refresh_modified()
        self.sourceChanged.emit()
        return True

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
        return bool(changed_sections(self._saved, self._project))
