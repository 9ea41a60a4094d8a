"""Menus and keyboard shortcuts of the main window: File, Edit, View, Lessons, Export, Help.

Shortcuts a teacher uses with one hand: Ctrl+R new seed, Ctrl+L log counts,
Ctrl+H heat map, Alt+→ / Alt+← next / previous lesson (Ctrl+PgDown / Ctrl+PgUp
too), F5 or F11 presentation mode (as slide shows start), F1 what the plots mean.
Ctrl+P stays free: people expect it to print.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.errors import ProjectError
from initviz.gui.actions.help import build_help_menu
from initviz.gui.actions.lessons import LessonShelf, menu_text
from initviz.gui.export import writers

IMAGE_FILTER = "PNG image (*.png);;SVG vector image (*.svg)"


DISPLAY_TOGGLES = (
    ("&Log counts", "log_counts", "logCountsToggle", ("Ctrl+L",)),
    ("&Heat map", "heatmap", "heatMapToggle", ("Ctrl+H",)),
    ("&Shared axes", "shared_axes", "sharedAxesToggle", ()),
    ("Gradients as log₁₀|&x|", "log_magnitude", "logMagnitudeToggle", ("Ctrl+G",)),
    ("Loc&k axes", "lock_axes", "lockAxesToggle", ("Ctrl+K",)),
)
"""View menu entries for display settings: (text, ViewSettings field, objectName, shortcuts)."""


class WindowMenus(QtCore.QObject):
    """The menu bar. Edits and display settings go to the window's document, which answers
    through its signals; Undo and Redo are its undo stack's own actions."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.display_actions: dict[str, QtGui.QAction] = {}
        self.shelf = LessonShelf(window, self.document)
        """The lessons, the one shown (``current_lesson_index``, ``lessonChanged``) and the
        session's edits to them."""
        window.files.lesson_shelf = self.shelf
        self.lessons = self.shelf.lessons
        self.lesson_actions: list[QtGui.QAction] = []
        bar = window.menuBar()
        window.files.build_menu(bar.addMenu("&File"))
        self._edit_menu(bar.addMenu("&Edit"))
        self._view_menu(bar.addMenu("&View"))
        self.lessons_menu = bar.addMenu("&Lessons")
        self._fill_lessons()
        self._export_menu(bar.addMenu("E&xport"))
        self.help = build_help_menu(window, bar.addMenu("&Help"))

    def _action(self, menu, text, slot, *keys, checkable=False, name=None) -> QtGui.QAction:
        action = QtGui.QAction(text, self.window)
        action.setShortcuts([QtGui.QKeySequence(k) for k in keys])
        action.setShortcutContext(QtCore.Qt.WindowShortcut)
        action.setCheckable(checkable)
        if name:
            action.setObjectName(name)
        (action.toggled if checkable else action.triggered).connect(slot)
        menu.addAction(action)
        return action

    # --- menus ----------------------------------------------------------------------------------

    def _edit_menu(self, menu) -> None:
        w, stack = self.window, self.document.undo_stack
        self.undo_action = stack.createUndoAction(w, "&Undo")  # "Undo change std"
        self.redo_action = stack.createRedoAction(w, "&Redo")
        for action, name, keys in ((self.undo_action, "undoAction", QtGui.QKeySequence.Undo),
                                   (self.redo_action, "redoAction", QtGui.QKeySequence.Redo)):
            action.setObjectName(name)
            action.setShortcuts(keys)
            action.setShortcutContext(QtCore.Qt.WindowShortcut)
            menu.addAction(action)
        menu.addSeparator()
        self._action(menu, "New &seed", w.controls.new_seed, "Ctrl+R", name="newSeedAction")

    def _view_menu(self, menu) -> None:
        w = self.window
        self.presentation_action = self._action(
            menu, "&Presentation mode", w.set_presentation_mode, "F5", "F11",
            checkable=True, name="presentationAction")
        menu.addSeparator()
        for text, key, name, keys in DISPLAY_TOGGLES:
            self.display_actions[key] = self._action(
                menu, text, lambda on, key=key: self.document.set_display({key: on}), *keys,
                checkable=True, name=name)
        self.document.displayChanged.connect(self._show_display)
        self.document.replaced.connect(self._show_display)
        self._show_display()
        menu.addSeparator()
        menu.addAction(w.controls_dock.toggleViewAction())
        menu.addAction(w.notes_dock.toggleViewAction())

    def _show_display(self, *_) -> None:
        """Tick the display toggles as the document has them, without toggling anything."""
        settings = self.document.settings
        for key, action in self.display_actions.items():
            action.blockSignals(True)
            action.setChecked(getattr(settings, key))
            action.blockSignals(False)

    def _fill_lessons(self) -> None:
        """Numbered lessons, the one shown ticked; then next, previous and reset."""
        menu = self.lessons_menu
        self.lesson_group = QtGui.QActionGroup(self)
        self.lesson_group.setExclusionPolicy(QtGui.QActionGroup.ExclusionPolicy.ExclusiveOptional)
        for lesson in self.lessons:
            action = menu.addAction(menu_text(lesson), lambda key=lesson.key: self.open_lesson(key))
            action.setObjectName(f"lesson_{lesson.key}")
            action.setCheckable(True)
            self.lesson_group.addAction(action)
            self.lesson_actions.append(action)
        menu.addSeparator()
        self.next_lesson_action = self._action(
            menu, "&Next lesson", lambda: self.step_lesson(1), "Alt+Right", "Ctrl+PgDown",
            name="nextLessonAction")
        self.previous_lesson_action = self._action(
            menu, "&Previous lesson", lambda: self.step_lesson(-1), "Alt+Left", "Ctrl+PgUp",
            name="previousLessonAction")
        menu.addSeparator()
        self.reset_lesson_action = self._action(
            menu, "&Reset lesson", self.shelf.reset_lesson, name="resetLessonAction")
        self.reset_lesson_action.setToolTip("Back to the lesson as shipped (Undo brings your "
                                            "changes back)")
        self.lesson_indicator = QtWidgets.QLabel()
        self.lesson_indicator.setObjectName("lessonIndicator")
        self.window.statusBar().insertPermanentWidget(0, self.lesson_indicator)
        self.shelf.lessonChanged.connect(self._show_lesson)
        self.document.modifiedChanged.connect(self._mark_changed)
        self._show_lesson(self.shelf.current_lesson_index(), self.shelf.lesson_count())

    def _show_lesson(self, index: int, count: int) -> None:
        """Tick the lesson shown and say "Lesson n / N"; neither when the project is no lesson."""
        for position, action in enumerate(self.lesson_actions):
            action.setChecked(position == index)  # unticks all when index is -1 (optional group)
        self.lesson_indicator.setText(self.shelf.indicator_text())
        self.lesson_indicator.setToolTip(self.lessons[index].title if index >= 0 else "")
        self.lesson_indicator.setVisible(index >= 0)
        self.reset_lesson_action.setEnabled(index >= 0)
        self._mark_changed()

    def _mark_changed(self, *_) -> None:
        """"3. Too small — changed": the lessons whose edits this session keeps."""
        for lesson, action in zip(self.lessons, self.lesson_actions):
            text = menu_text(lesson) + (" — changed" if self.shelf.is_changed(lesson.key) else "")
            if text != action.text():
                action.setText(text)

    def open_lesson(self, key: str) -> bool:
        opened = self.shelf.open_lesson(key)
        self._show_lesson(self.shelf.current_lesson_index(), self.shelf.lesson_count())
        return opened  # a refused or cancelled choice leaves the tick where it was

    def step_lesson(self, step: int) -> None:
        self.shelf.step_lesson(step)

    def _export_menu(self, menu) -> None:
        self._action(menu, "Selected &plot as PNG/SVG…", lambda: self.export_plot_dialog(None))
        self._action(menu, "&Dashboard as PNG/SVG…", self.export_dashboard_dialog, "Ctrl+E")
        self._action(menu, "&Statistics as CSV…", self.export_stats_dialog)
        self._action(menu, "Se&ttings as JSON…", self.export_settings_dialog)

    # --- export dialogs ---------------------------------------------------------------------------

    def _ask_path(self, title: str, suggestion: str, filters: str) -> Path | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, title, suggestion, filters)
        return Path(path) if path else None

    def _run(self, job, path: Path) -> None:
        try:
            job(path)
        except (ProjectError, OSError) as error:
            QtWidgets.QMessageBox.critical(self.window, "Export failed", str(error))
            return
        self.window.show_message(f"Exported {path}")

    def export_plot_dialog(self, item=None) -> None:
        """The clicked histogram, else the depth summary plot."""
        item = item or self.window.dashboard.selected_plot()
        path = self._ask_path(
            "Export plot", f"{self.document.project.name}-plot.png", IMAGE_FILTER)
        if path:
            self._run(lambda p: writers.export_plot(item, p), path)

    def export_dashboard_dialog(self) -> None:
        path = self._ask_path("Export dashboard", f"{self.document.project.name}.png", IMAGE_FILTER)
        if path:
            self._run(lambda p: writers.export_widget(self.window.dashboard, p), path)

    def export_stats_dialog(self) -> None:
        data = self.window.last_data
        if data is None:
            self.window.show_message("Nothing computed yet")
            return
        name = f"{self.document.project.name}.csv"
        path = self._ask_path("Export statistics", name, "CSV (*.csv)")
        if path:
            self._run(lambda p: writers.export_stats_csv(data.stats, p), path)

    def export_settings_dialog(self) -> None:
        name = f"{self.document.project.name}.json"
        path = self._ask_path("Export settings", name, "JSON (*.json)")
        if path:
            self._run(self.document.project.save, path)


def build_menus(window) -> WindowMenus:
    return WindowMenus(window)
