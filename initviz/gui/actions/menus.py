"""Menus and keyboard shortcuts of the main window: File, Edit, View, Lessons, Export.

Shortcuts a teacher uses with one hand: Ctrl+R new seed, Ctrl+L log counts,
Ctrl+H heat map, Alt+→ / Alt+← next / previous lesson (Ctrl+PgDown / Ctrl+PgUp
too), F11 or Ctrl+P presentation mode.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.errors import ProjectError
from initviz.gui.export import writers
from initviz.lessons import list_lessons, load_lesson

IMAGE_FILTER = "PNG image (*.png);;SVG vector image (*.svg)"


DISPLAY_TOGGLES = (
    ("&Log counts", "log_counts", "logCountsToggle", ("Ctrl+L",)),
    ("&Heat map", "heatmap", "heatMapToggle", ("Ctrl+H",)),
    ("&Shared axes", "shared_axes", "sharedAxesToggle", ()),
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
        self.lessons = []
        self.lesson_actions: list[QtGui.QAction] = []
        bar = window.menuBar()
        window.files.build_menu(bar.addMenu("&File"))
        self._edit_menu(bar.addMenu("&Edit"))
        self._view_menu(bar.addMenu("&View"))
        self.lessons_menu = bar.addMenu("&Lessons")
        self._fill_lessons()
        self._export_menu(bar.addMenu("E&xport"))

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
            menu, "&Presentation mode", w.set_presentation_mode, "F11", "Ctrl+P",
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
        try:
            self.lessons = list_lessons()
        except (ProjectError, OSError) as error:
            self.lessons = []
            self.window.show_message(f"lessons unavailable: {error}")
        menu = self.lessons_menu
        for lesson in self.lessons:
            action = menu.addAction(lesson.title, lambda key=lesson.key: self.open_lesson(key))
            action.setObjectName(f"lesson_{lesson.key}")
            self.lesson_actions.append(action)
        menu.addSeparator()
        self.next_lesson_action = self._action(
            menu, "&Next lesson", lambda: self.step_lesson(1), "Alt+Right", "Ctrl+PgDown",
            name="nextLessonAction")
        self.previous_lesson_action = self._action(
            menu, "&Previous lesson", lambda: self.step_lesson(-1), "Alt+Left", "Ctrl+PgUp",
            name="previousLessonAction")

    def open_lesson(self, key: str) -> bool:
        w = self.window
        if not w.files.confirm_discard():
            return False
        try:
            project = load_lesson(key)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(w, "Cannot open lesson", str(error))
            return False
        self.document.load(project, lesson_key=key)
        w.notes_dock.show()
        return True

    def step_lesson(self, step: int) -> None:
        keys = [lesson.key for lesson in self.lessons]
        if not keys:
            return
        current = self.document.lesson_key
        if current in keys:
            index = keys.index(current) + step
        else:
            index = 0 if step > 0 else len(keys) - 1
        self.open_lesson(keys[index % len(keys)])

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
