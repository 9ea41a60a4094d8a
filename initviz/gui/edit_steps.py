"""The steps of a ProjectDocument's undo stack: what Edit > Undo and Redo walk through.

A step keeps, for each top-level section it changed, the section's content before and after,
so undoing it restores exactly those sections and leaves the rest (display settings above all)
as they are now. Consecutive edits of the same fields are one step through Qt's own merging
(``id``/``mergeWith``): a drag of the std slider is one "Undo change std", however long it
took. A merge that ends where it began is obsolete, and the stack drops it.
"""
from __future__ import annotations

from PySide6 import QtGui

from initviz.gui.view_settings import DISPLAY_KEYS, without_display
from initviz.project import Project

EDIT_ID = 1
"""The id of every mergeable edit step; ``mergeWith`` compares the fields themselves."""
LIST_PART_NAMES = {"network.widths[len]": "depth"}


def content(data: dict, section: str):
    """A section as an unsaved-changes check sees it: display settings are not content."""
    value = data.get(section)
    if section == "view":
        return without_display(value or {})
    return value


def changed_sections(before: Project, after: Project) -> tuple[str, ...]:
    """The top-level sections whose content differs (display settings are no content)."""
    names = after.differing_sections(before)
    if "view" in names and without_display(before.view) == without_display(after.view):
        names = tuple(name for name in names if name != "view")
    return names


def display_changes(before: Project, after: Project) -> dict:
    """The display settings that differ, with their new values."""
    if "view" not in after.differing_sections(before):
        return {}
    old, new = before.view, after.view
    return {key: value for key, value in new.items()
            if key in DISPLAY_KEYS and old.get(key) != value}


def sections_of(project: Project, names) -> dict:
    """Copies of these sections of ``project`` (ABSENT for one it does not have)."""
    return {name: _lookup(project, name, ABSENT) for name in names}


def changed_fields(changes: dict, before: Project, after: Project) -> tuple[str, ...]:
    """The dotted fields an edit changed; a parameter dict names the parameters within it."""
    fields = []
    for path in changes:
        old, new = _lookup(before, path), _lookup(after, path)
        if isinstance(old, dict) and isinstance(new, dict):
            fields += [f"{path}.{key}" for key in sorted(old.keys() | new.keys())
                       if old.get(key) != new.get(key)]
        elif isinstance(old, list) and isinstance(new, list) and old != new:
            fields.append(_list_field(path, old, new))
        elif old != new:
            fields.append(path)
    return tuple(fields)


def _list_field(path: str, old: list, new: list) -> str:
    """Which part of a list changed: its length (the depth) or these entries (a hidden width,
    the inputs...), so that a depth drag and a width drag are two undo steps, not one."""
    if len(old) != len(new):
        return f"{path}[len]"
    return f"{path}[{','.join(str(i) for i, (a, b) in enumerate(zip(old, new)) if a != b)}]"


def describe(fields: tuple[str, ...]) -> str:
    """'change std', 'change scheme': what the Edit menu shows after Undo/Redo. A new scheme
    or activation brings its own parameters: the step is named after the choice."""
    chosen = [field for field in fields if ".params" not in field] or list(fields)
    names = []
    for field in chosen:
        leaf = LIST_PART_NAMES.get(field) or field.split(".")[-1].split("[")[0].replace("_", " ")
        if leaf not in names:
            names.append(leaf)
    if not names:
        return "change project"
    return "change " + ", ".join(names[:2]) + (", …" if len(names) > 2 else "")


def _lookup(project: Project, path: str, missing=None):
    try:
        return project.get(path)
    except (KeyError, TypeError):
        return missing


class _Absent:
    """A section the project did not have (an unknown key a replacement added or removed)."""

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


class SectionStep(QtGui.QUndoCommand):
    """Sections of the project before and after one edit (or one replacement)."""

    def __init__(self, document, before: dict, after: dict, text: str,
                 fields: tuple[str, ...] | None = None, gesture: int | None = None):
        super().__init__(text)
        self.document = document
        self.before, self.after = before, after
        self.fields = fields
        """The fields this step changed; None for a replacement, which never merges."""
        self.gesture = gesture
        """The slider drag or sweep this step belongs to (None: a plain edit). Steps merge only
        within one gesture, so a drag never swallows the edit before it or the one after."""
        self._applied = True
        """Pushed after the document has applied it: the first ``redo`` has nothing to do."""

    def id(self) -> int:
        return EDIT_ID if self.fields is not None else -1

    def mergeWith(self, other) -> bool:
        """Take in the next edit of the same fields: one step, from our before to its after."""
        if not isinstance(other, SectionStep) or other.fields != self.fields or (
                other.gesture != self.gesture):
            return False
        for section, value in other.after.items():
            self.before.setdefault(section, other.before[section])
            self.after[section] = value
        if all(content(self.before, s) == content(self.after, s) for s in self.after):
            self.setObsolete(True)  # dragged back to where it started: nothing to undo
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.document.restore_sections(self.after)

    def undo(self) -> None:
        self.document.restore_sections(self.before)
