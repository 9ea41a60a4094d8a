"""File menu behaviour: new, open, save, save as, recent files, unsaved-change prompts.

Recent files live in QSettings (organisation "initviz"); tests point QSettings
at a temporary folder with ``QSettings.setPath``.

Save and Save As from the menu write on a thread of their own: a save waits for the disk
(``fsync``, twice with the backup), and the window goes on answering meanwhile. A failure
is shown when it comes back, as before. A second save, a question about unsaved changes
and closing the window first wait for the save in flight (``wait_for_save``). Saves that
need their answer at once (Save in "Unsaved changes?") run as before, in the GUI thread.
"""
from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.errors import ProjectError, ProtectedFileError
from initviz.gui.gc_guard import collect_in_gui_thread
from initviz.project import Project

MAX_RECENT = 8
FILTER = "initviz projects (*.json);;All files (*)"


def settings() -> QtCore.QSettings:
    return QtCore.QSettings(
        QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, "initviz", "initviz")


def recent_files() -> list[str]:
    value = settings().value("recentFiles", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def remember_file(path: str) -> None:
    path = str(Path(path).resolve())
    files = [path] + [f for f in recent_files() if f != path]
    settings().setValue("recentFiles", files[:MAX_RECENT])


class FileActions(QtCore.QObject):
    """The File menu of a MainWindow and its document; all prompts go through QMessageBox and
    QFileDialog statics. The file and its saved state are the document's."""

    _saveEnded = QtCore.Signal(int)
    """From the save thread: the save with this number is done (``_finish_save``)."""

    def __init__(self, window, document):
        super().__init__(window)
        self.window = window
        self.document = document
        collect_in_gui_thread()  # Python's GC must never free a Qt object in the save thread
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initviz-save")
        self._numbers = itertools.count(1)
        self._in_flight: tuple | None = None  # (number, future, snapshot, path, load)
        self._saveEnded.connect(self._save_ended)
        self.save_action: QtGui.QAction | None = None
        self.revert_action: QtGui.QAction | None = None
        self.lesson_shelf = None
        """The window's LessonShelf: a changed shipped lesson is kept by it, not asked about."""
        self.recent_menu = QtWidgets.QMenu("Open &recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        document.modifiedChanged.connect(self._enable_save)
        document.sourceChanged.connect(self._enable_save)

    @property
    def path(self) -> Path | None:
        return self.document.path

    # --- menu -------------------------------------------------------------------------------

    def build_menu(self, menu: QtWidgets.QMenu) -> None:
        window = self.window
        menu.addAction("&New", self.new, QtGui.QKeySequence.New)
        menu.addAction("&Open…", self.open, QtGui.QKeySequence.Open)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        self.save_action = menu.addAction("&Save", self.save_in_background,
                                          QtGui.QKeySequence.Save)
        self.save_action.setObjectName("saveAction")
        self.save_as_action = menu.addAction("Save &as…", self.save_as_in_background,
                                             QtGui.QKeySequence("Ctrl+Shift+S"))
        self.save_as_action.setObjectName("saveAsAction")
        self.revert_action = menu.addAction("Re&vert to saved", self.revert)
        self.revert_action.setObjectName("revertAction")
        menu.addSeparator()
        menu.addAction("&Quit", window.close, QtGui.QKeySequence("Ctrl+Q"))
        self._enable_save()

    def _enable_save(self, *_) -> None:
        """Save has work to do when there are unsaved changes, or no file to keep them in yet;
        Revert when there are unsaved changes."""
        if self.save_action is not None:
            modified = self.document.is_modified()
            self.save_action.setEnabled(modified or self.document.path is None)
            self.revert_action.setEnabled(modified)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name, lambda p=path: self.open_path(p))
            action.setToolTip(path)
        if not files:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # --- actions ------------------------------------------------------------------------------

    def confirm_discard(self) -> bool:
        """True when it is fine to replace the project: saved, discarded, kept for the session
        (a shipped lesson), or nothing to lose."""
        self.wait_for_save()
        if self.lesson_shelf is not None and self.lesson_shelf.leave_lesson():
            return True
        if not self.document.is_modified():
            return True
        answer = QtWidgets.QMessageBox.question(
            self.window, "Unsaved changes",
            f"“{self.document.project.name}” has unsaved changes. Save them first?",
            QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard
            | QtWidgets.QMessageBox.Cancel,
            QtWidgets.QMessageBox.Save,
        )
        if answer == QtWidgets.QMessageBox.Save:
            return self.save()
        return answer == QtWidgets.QMessageBox.Discard

    def revert(self) -> bool:
        """Drop the unsaved changes (after asking): the project as its file or lesson has it."""
        if not self.document.is_modified():
            return False
        answer = QtWidgets.QMessageBox.question(
            self.window, "Revert to saved",
            f"Discard the unsaved changes to “{self.document.project.name}”?",
            QtWidgets.QMessageBox.Discard | QtWidgets.QMessageBox.Cancel,
            QtWidgets.QMessageBox.Cancel,
        )
        if answer != QtWidgets.QMessageBox.Discard:
            return False
        self.document.revert()
        return True

    def new(self) -> None:
        if self.confirm_discard():
            self.document.load(Project())

    def open(self) -> None:
        if not self.confirm_discard():
            return
        start = str(self.path.parent) if self.path else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open project", start, FILTER)
        if path:
            self.open_path(path, confirmed=True)

    def open_path(self, path, confirmed: bool = False) -> bool:
        """Open ``path``, telling the user in a dialog when it is not a usable project."""
        if not confirmed and not self.confirm_discard():
            return False
        try:
            self.window.load_project(path)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(self.window, "Cannot open project", str(error))
            return False
        return True

    def save(self) -> bool:
        """Save now, in the GUI thread: True once the file holds the project."""
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self, suggestion: str | None = None) -> bool:
        path = self._ask_save_name(suggestion)
        return path is not None and self._save_to(path)

    def save_in_background(self) -> bool:
        """The menu's Save: written on the save thread (False: nothing was started)."""
        if self.path is None:
            return self.save_as_in_background()
        return self._start_save(self.path)

    def save_as_in_background(self) -> bool:
        path = self._ask_save_name(None)
        return path is not None and self._start_save(path)

    def _ask_save_name(self, suggestion: str | None) -> Path | None:
        if suggestion is None:
            suggestion = str(self.path) if self.path else f"{self.document.project.name}.json"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save project", suggestion, FILTER)
        if not path:
            return None
        if not path.lower().endswith(".json"):
            path += ".json"
        return Path(path)

    def _save_to(self, path: Path) -> bool:
        self.wait_for_save()
        try:
            self.window.save_project(path)
        except ProjectError as error:
            return self._save_failed(error)
        return True

    def _save_failed(self, error: ProjectError) -> bool:
        if isinstance(error, ProtectedFileError):
            return self._offer_save_as(str(error))
        QtWidgets.QMessageBox.critical(self.window, "Cannot save project", str(error))
        return False

    # --- saving on the save thread ----------------------------------------------------------

    def _start_save(self, path: Path) -> bool:
        self.wait_for_save()  # one save at a time, in the order asked
        snapshot, load = self.document.snapshot_for_save()
        number = next(self._numbers)
        future = self._writer.submit(_write, snapshot, path)
        self._in_flight = (number, future, snapshot, path, load)
        future.add_done_callback(lambda _, number=number: self._announce(number))
        return True

    def _announce(self, number: int) -> None:
        """In the save thread, as a save ends: the GUI thread takes it from there."""
        try:
            self._saveEnded.emit(number)
        except RuntimeError:  # the window is gone
            pass

    @property
    def saving(self) -> bool:
        return self._in_flight is not None

    def wait_for_save(self) -> None:
        """Let the save in flight (if any) end, and show how it went."""
        if self._in_flight is not None:
            self._in_flight[1].result()
            self._finish_save()

    def _save_ended(self, number: int) -> None:
        if self._in_flight is not None and self._in_flight[0] == number:
            self._finish_save()

    def _finish_save(self) -> None:
        _, future, snapshot, path, load = self._in_flight
        self._in_flight = None
        error = future.result()
        if error is not None:
            self._save_failed(error)
        elif self.document.saved(snapshot, path, load):
            self.window.project_saved(path)
        else:  # another project was opened meanwhile: the file still holds what was saved
            remember_file(str(path))

    def _offer_save_as(self, message: str) -> bool:
        """The file must be kept as it is: say why and offer another name instead."""
        answer = QtWidgets.QMessageBox.warning(
            self.window, "Cannot save project", message,
            QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Cancel,
            QtWidgets.QMessageBox.Save,
        )
        if answer != QtWidgets.QMessageBox.Save:
            return False
        folder = self.path.parent if self.path else Path.home()
        return self.save_as(str(folder / f"{self.document.project.name} copy.json"))


def _write(project: Project, path: Path) -> ProjectError | None:
    """In the save thread: write ``project``; the error that says why it failed, or None."""
    try:
        project.save(path)
    except ProjectError as error:
        return error
    return None
