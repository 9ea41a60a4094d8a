"""Menus and keyboard shortcuts of the main window: File, Edit, View, Lessons, Export.

Shortcuts a teacher uses with one hand: Ctrl+R new seed, Ctrl+L log counts,
Ctrl+H heat map, Alt+→ / Alt+← next / previous lesson (Ctrl+PgDown / Ctrl+PgUp
too), F11 or Ctrl+P presentation mode.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.errors import ProjectError
from initviz.gui import export

IMAGE_FILTER = "PNG image (*.png);;SVG vector image (*.svg)"


class WindowMenus(QtCore.QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
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
        w = self.window
        self._action(menu, "&Undo", w.undo, QtGui.QKeySequence.Undo)
        self._action(menu, "&Redo", w.redo, QtGui.QKeySequence.Redo)
        menu.addSeparator()
        self._action(menu, "New &seed", w.controls.new_seed, "Ctrl+R", name="newSeedAction")

    def _view_menu(self, menu) -> None:
        w = self.window
        self.presentation_action = self._action(
            menu, "&Presentation mode", w.set_presentation_mode, "F11", "Ctrl+P",
            checkable=True, name="presentationAction")
        menu.addSeparator()
        self.log_action = self._action(
            menu, "&Log counts", lambda: self._toggle_view("log_counts"), "Ctrl+L",
            name="logAction")
        self._action(menu, "&Heat map", lambda: self._toggle_view("heatmap"), "Ctrl+H")
        self._action(menu, "&Shared axes", lambda: self._toggle_view("shared_axes", True))
        menu.addSeparator()
        menu.addAction(w.controls_dock.toggleViewAction())
        menu.addAction(w.notes_dock.toggleViewAction())

    def _toggle_view(self, key: str, default: bool = False) -> None:
        self.window.edit_view({key: not self.window.project.view.get(key, default)})

    def _fill_lessons(self) -> None:
        from initviz.lessons import list_lessons

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
        self._action(menu, "&Next lesson", lambda: self.step_lesson(1), "Alt+Right", "Ctrl+PgDown")
        self._action(
            menu, "&Previous lesson", lambda: self.step_lesson(-1), "Alt+Left", "Ctrl+PgUp")

    def open_lesson(self, key: str) -> bool:
        from initviz.lessons import load_lesson

        w = self.window
        if not w.files.confirm_discard():
            return False
        try:
            project = load_lesson(key)
        except ProjectError as error:
            QtWidgets.QMessageBox.critical(w, "Cannot open lesson", str(error))
            return False
        w.replace_project(project, path=None, lesson_key=key)
        w.notes_dock.show()
        return True

    def step_lesson(self, step: int) -> None:
        keys = [lesson.key for lesson in self.lessons]
        if not keys:
            return
        current = self.window.lesson_key
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
        w = self.window
        item = item or w.dashboard.grid.selected_cell or w.dashboard.depth_plot.plot_item
        w.dashboard.grid.draw_pending()  # a cell scrolled out of sight shows the newest data
        path = self._ask_path("Export plot", f"{w.project.name}-plot.png", IMAGE_FILTER)
        if path:
            self._run(lambda p: export.export_plot(item, p), path)

    def export_dashboard_dialog(self) -> None:
        path = self._ask_path("Export dashboard", f"{self.window.project.name}.png", IMAGE_FILTER)
        if path:
            self._run(lambda p: export.export_widget(self.window.dashboard, p), path)

    def export_stats_dialog(self) -> None:
        data = self.window.last_data
        if data is None:
            self.window.show_message("Nothing computed yet")
            return
        path = self._ask_path("Export statistics", f"{self.window.project.name}.csv", "CSV (*.csv)")
        if path:
            self._run(lambda p: export.export_stats_csv(data.stats, p), path)

    def export_settings_dialog(self) -> None:
        name = f"{self.window.project.name}.json"
        path = self._ask_path("Export settings", name, "JSON (*.json)")
        if path:
            self._run(self.window.project.save, path)


def build_menus(window) -> WindowMenus:
    return WindowMenus(window)
