"""The shipped lessons in a window: which one is shown, moving between them, and the edits a
teacher makes to them during a class.

A shipped lesson is never "unsaved work" to be asked about mid-lesson. Leaving a lesson the
teacher changed keeps the changed project in memory, for this session, and coming back shows
it again; only when the app closes are the changed lessons offered to be saved as the
teacher's own files (``offer_save_on_close``). Reset lesson goes back to the shipped file, as
one undo step, so even that asks nothing.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.errors import ProjectError
from initviz.gui.actions.files import FILTER, remember_file
from initviz.lessons import Lesson, list_lessons, load_lesson
from initviz.project import Project


def menu_text(lesson: Lesson) -> str:
    """"&3. Too small": the number the file name gives the lesson, a mnemonic for 1-9."""
    if lesson.number is None:
        return lesson.title
    mnemonic = "&" if lesson.number < 10 else ""
    return f"{mnemonic}{lesson.number}. {lesson.title}"


class LessonShelf(QtCore.QObject):
    """The lessons a window can show, and the session's edits to them (by lesson key)."""

    lessonChanged = QtCore.Signal(int, int)
    """(index of the lesson shown, 0-based, or -1 when the project is no lesson; lesson count)."""

    def __init__(self, window, document):
        super().__init__(window)
        self.window = window
        self.document = document
        self.kept: dict[str, Project] = {}
        """Projects of lessons changed and left this session, by lesson key."""
        try:
            self.lessons = list_lessons()
        except (ProjectError, OSError) as error:
            self.lessons = []
            window.show_message(f"lessons unavailable: {error}")
        self._keys = [lesson.key for lesson in self.lessons]
        document.sourceChanged.connect(self._announce)

    # --- where we are ------------------------------------------------------------------------

    def current_lesson_index(self) -> int:
        key = self.document.lesson_key
        return self._keys.index(key) if key in self._keys else -1

    def lesson_count(self) -> int:
        return len(self.lessons)

    def indicator_text(self) -> str:
        """"Lesson 3 / 12", or "" when the project is not a lesson."""
        index = self.current_lesson_index()
        return f"Lesson {index + 1} / {self.lesson_count()}" if index >= 0 else ""

    def _announce(self) -> None:
        self.lessonChanged.emit(self.current_lesson_index(), self.lesson_count())

    def is_changed(self, key: str) -> bool:
        """Whether lesson ``key`` differs from its shipped file this session."""
        if key == self.document.lesson_key and self._is_shipped_lesson():
            return self.document.is_modified()
        return key in self.kept

    def _is_shipped_lesson(self) -> bool:
        """The project is a lesson as shipped or changed, not yet saved to a file of its own."""
        return self.document.lesson_key in self._keys and self.document.path is None

    # --- moving between lessons --------------------------------------------------------------

    def leave_lesson(self) -> bool:
        """Before the document shows another project: keep this lesson's edits for the session
        (or forget older ones, when it is unchanged). False when the project is no lesson."""
        if not self._is_shipped_lesson():
            return False
        key = self.document.lesson_key
        if self.document.is_modified():
            self.kept[key] = self.document.project.copy()
        else:
            self.kept.pop(key, None)
        return True

    def open_lesson(self, key: str) -> bool:
        """Show lesson ``key``, with this session's edits to it when there are any."""
        window = self.window
        if key == self.document.lesson_key and self._is_shipped_lesson():
            return True  # already shown, edits and all
        if not window.files.confirm_discard():
            return False
        try:
            project = load_lesson(key)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(window, "Cannot open lesson", str(error))
            return False
        self.document.load(project, lesson_key=key)
        kept = self.kept.pop(key, None)
        if kept is not None:
            self.document.set_project(kept)
            window.show_message("Your changes to this lesson are back (Lessons ▸ Reset lesson "
                                "shows it as shipped)")
        window.notes_dock.show()
        return True

    def step_lesson(self, step: int) -> None:
        if not self._keys:
            return
        index = self.current_lesson_index()
        if index < 0:
            index = 0 if step > 0 else len(self._keys) - 1
        else:
            index = (index + step) % len(self._keys)
        self.open_lesson(self._keys[index])

    def reset_lesson(self) -> bool:
        """The lesson as its shipped file has it: one undo step, so Undo brings the edits back."""
        key = self.document.lesson_key
        if key not in self._keys:
            return False
        try:
            shipped = load_lesson(key)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(self.window, "Cannot reset lesson", str(error))
            return False
        self.kept.pop(key, None)
        self.document.set_project(shipped)
        self.window.show_message("Lesson reset as shipped (Undo brings your changes back)")
        return True

    # --- closing ------------------------------------------------------------------------------

    def edited_lessons(self) -> list[tuple[Lesson, Project]]:
        """The lessons changed this session, in menu order, the one shown included."""
        self.leave_lesson()
        return [(lesson, self.kept[lesson.key]) for lesson in self.lessons
                if lesson.key in self.kept]

    def offer_save_on_close(self) -> bool:
        """Offer to save the lessons changed this session as files of one's own; False when the
        user cancels (the app then stays open, nothing lost)."""
        edited = self.edited_lessons()
        if not edited:
            return True
        names = "".join(f"<li>{menu_text(lesson).replace('&', '')}</li>" for lesson, _ in edited)
        answer = QtWidgets.QMessageBox.question(
            self.window, "Keep your changed lessons?",
            f"You changed these lessons in this session:<ul>{names}</ul>"
            "The shipped lessons stay as they are. Save your versions as projects of your own?",
            QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard
            | QtWidgets.QMessageBox.Cancel,
            QtWidgets.QMessageBox.Save,
        )
        if answer == QtWidgets.QMessageBox.Discard:
            return True
        if answer != QtWidgets.QMessageBox.Save:
            return False
        return all(self._save_as(lesson, project) for lesson, project in edited)

    def _save_as(self, lesson: Lesson, project: Project) -> bool:
        suggestion = str(Path.home() / f"{project.name} (my version).json")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, f"Save your version of “{lesson.title}”", suggestion, FILTER)
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        try:
            project.save(path)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(self.window, "Cannot save project", str(error))
            return False
        self.kept.pop(lesson.key, None)
        remember_file(path)
        return True
