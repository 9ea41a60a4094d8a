"""The main window: controls on the left, views in the centre, lesson notes on the right.

One Project is the truth. Widget edits go through ``apply_edit`` (validated; an
invalid edit leaves the project unchanged and says why in the status bar);
project replacements (open, lesson, undo) refresh the widgets with their
signals blocked. Computation runs in ComputeController's thread; the newest
result is drawn and announced with ``resultsUpdated`` once it is on screen.
"""
from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.controls import ControlPanel
from initviz.gui.dashboard import DashboardView
from initviz.gui.dock_fit import DockFit
from initviz.gui.file_actions import FileActions, remember_file
from initviz.gui.seed_band import SeedBandLink
from initviz.gui.view_settings import ViewSettings
from initviz.gui.window_menus import build_menus
from initviz.gui.worker import ComputeController
from initviz.project import Project

UNDO_MERGE_S = 1.0
"""Edits of the same fields closer together than this are one undo step (a drag is one step)."""


def default_project() -> Project:
    from initviz.lessons import DEFAULT_LESSON, load_lesson

    try:
        return load_lesson(DEFAULT_LESSON)
    except (ProjectError, OSError):
        return Project()


class MainWindow(QtWidgets.QMainWindow):
    resultsUpdated = QtCore.Signal(object)
    """The Simulation the plots now show (emitted after they show it)."""
    projectChanged = QtCore.Signal()
    """After any change of the project (edit, load, lesson, undo)."""

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        self._project = project.copy() if project is not None else default_project()
        self.theme = th.NORMAL
        self.presentation_mode = False
        self.last_data = None
        self._undo: list[tuple[dict, tuple, float]] = []
        self._redo: list[dict] = []
        self._requested_key = None
        self._result_time = 0.0
        self.lesson_key = None
        self.compute = ComputeController(self)
        self.compute.resultReady.connect(self._on_result)
        self.compute.computeFailed.connect(self._on_failed)
        self._build_widgets()
        self.files = FileActions(self)
        self.menus = build_menus(self)
        self.teaching_views = self._add_teaching_views()
        self.seed_band = SeedBandLink(self)
        self.setAcceptDrops(True)
        self.resize(1500, 950)
        self._show_project()
        self._request_compute()

    # --- construction --------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.controls = ControlPanel()
        self.controls.editRequested.connect(self.apply_edit)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)  # narrows instead
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        self.controls_dock = self._dock("Controls", scroll, QtCore.Qt.LeftDockWidgetArea)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.dashboard = DashboardView(self.theme)
        self.dashboard.display_bar.viewEdited.connect(self.edit_view)
        self.dashboard.display_bar.invalidInput.connect(self.show_message)
        self.dashboard.drawn.connect(self._on_drawn)
        self.dashboard.grid.exportRequested.connect(
            lambda cell: self.menus.export_plot_dialog(cell))
        self.add_view(self.dashboard, "Layers")
        self.notes = QtWidgets.QTextBrowser()
        self._notes_html = None
        self.notes.setObjectName("notesPanel")
        self.notes.setOpenExternalLinks(True)
        self.notes_dock = self._dock("Lesson notes", self.notes, QtCore.Qt.RightDockWidgetArea)
        self.notes_dock.setMinimumWidth(160)
        self.dock_fit = DockFit(self, self.controls_dock, self.notes_dock,
                                need=self.dashboard.grid.header.comfortable_width)
        self.timing_label = QtWidgets.QLabel()
        self.timing_label.setObjectName("timingLabel")
        self.statusBar().addPermanentWidget(self.timing_label)

    def _add_teaching_views(self) -> list:
        """Training, Compare and Theory tabs; each computes in its own thread, only when shown."""
        from initviz.gui.compare_view import CompareView
        from initviz.gui.theory_view import TheoryView
        from initviz.gui.training_view import TrainingView

        views = [(TrainingView(self), "Training"), (CompareView(self), "Compare"),
                 (TheoryView(self), "Theory")]
        for view, title in views:
            self.add_view(view, title)
        return [view for view, _ in views]

    def _dock(self, title: str, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "") + "Dock")
        dock.setWidget(widget)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetMovable
                         | QtWidgets.QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def add_view(self, widget: QtWidgets.QWidget, title: str) -> int:
        """Add a tab to the centre (Training, Compare, Theory...). Returns its index.

        A view that wants the project connects to ``projectChanged`` and reads
        ``window.project``; one that wants the newest simulation connects to
        ``resultsUpdated``. Views edit the project through ``apply_edit``.
        """
        index = self.tabs.addTab(widget, title)
        widget.setObjectName(widget.objectName() or f"{title.replace(' ', '')}View")
        return index

    # --- the project -------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self._project

    @property
    def view_settings(self) -> ViewSettings:
        return ViewSettings.from_view(self._project.view)

    def apply_edit(self, changes: dict) -> bool:
        """Apply dotted-path ``changes`` together; on ProjectError nothing changes."""
        before = self._project.to_dict()
        try:
            self._project.update(changes)
        except ProjectError as error:
            self.show_message(str(error))
            self.controls.show_project(self._project)
            return False
        self._push_undo(before, tuple(sorted(changes)))
        self._after_change()
        return True

    def edit_view(self, changes: dict) -> bool:
        """Change display settings (kept in project.view): re-draws, never recomputes."""
        view = self._project.view
        view.update(changes)
        return self.apply_edit({"view": view})

    def set_project(self, project: Project) -> None:
        """Replace the project (scripts, undo); the file and its saved state stay as they are."""
        self._push_undo(self._project.to_dict(), ("*",))
        self._project = project.copy()
        self._after_change()

    def replace_project(self, project: Project, path=None, lesson_key=None) -> None:
        """A project from a file or a lesson: it is the new saved state."""
        self._undo.clear()
        self._redo.clear()
        self._project = project.copy()
        self.lesson_key = lesson_key
        self.files.mark_clean(path)
        self._after_change(replaced=True)

    def load_project(self, path) -> None:
        """Open ``path``; raises ProjectError (and keeps the current project) when it is bad."""
        project = Project.load(path)
        self.replace_project(project, path=Path(path))
        remember_file(path)

    def save_project(self, path) -> None:
        self._project.save(path)
        self.files.mark_clean(Path(path))
        remember_file(path)
        self._update_title()
        self.show_message(f"Saved {Path(path).name}")

    def undo(self) -> None:
        if self._undo:
            before, _, _ = self._undo.pop()
            self._redo.append(self._project.to_dict())
            self._project = Project(before)
            self._after_change()

    def redo(self) -> None:
        if self._redo:
            self._undo.append((self._project.to_dict(), ("redo",), 0.0))
            self._project = Project(self._redo.pop())
            self._after_change()

    def _push_undo(self, before: dict, fields: tuple) -> None:
        now = time.monotonic()
        if self._undo and self._undo[-1][1] == fields and now - self._undo[-1][2] < UNDO_MERGE_S:
            self._undo[-1] = (self._undo[-1][0], fields, now)
        else:
            self._undo.append((before, fields, now))
        del self._undo[:-200]
        self._redo.clear()

    def _after_change(self, replaced: bool = False) -> None:
        self._show_project()
        key = self._project.compute_key()
        if replaced or key != self._requested_key:
            self._request_compute(supersede=replaced, key=key)
        else:
            self._result_time = time.perf_counter()
            self.dashboard.show_settings(self.view_settings)
        self.projectChanged.emit()

    def _show_project(self) -> None:
        self.controls.show_project(self._project)
        self.dashboard.display_bar.show_settings(self.view_settings)
        self._show_notes()
        self._update_title()

    def _show_notes(self) -> None:
        notes = self._project.notes.strip() or "No notes for this project."
        # name and notes are plain text: "depth<10" must show as typed, not as a tag
        text = f"<h3>{html.escape(self._project.name)}</h3>" + "".join(
            f"<p>{html.escape(para)}</p>" for para in notes.split("\n\n"))
        if text != self._notes_html:  # laying out rich text again costs ~0.3 ms per edit
            self.notes.setHtml(text)
            self._notes_html = text

    def _update_title(self) -> None:
        where = f" — {self.files.path.name}" if self.files.path else ""
        self.setWindowTitle(f"{self._project.name}[*]{where} — initviz")  # Qt shows * there
        self.setWindowModified(self.files.is_dirty())

    # --- computing and drawing -------------------------------------------------------------

    def _request_compute(self, supersede: bool = False, key: str | None = None) -> None:
        self._requested_key = key or self._project.compute_key()
        self.compute.request(self._project, supersede=supersede)
        self.timing_label.setText("computing…")

    def _on_result(self, data) -> None:
        self._result_time = time.perf_counter()
        self.last_data = data
        self.dashboard.show_data(data, self.view_settings)

    def _on_drawn(self, data) -> None:
        draw_ms = (time.perf_counter() - self._result_time) * 1000.0
        if data is self.last_data and not self.compute.busy:
            self.timing_label.setText(f"compute {data.compute_ms:.0f} ms + draw {draw_ms:.0f} ms")
        self.resultsUpdated.emit(data.simulation)

    def _on_failed(self, message: str) -> None:
        self.timing_label.setText("failed")
        self.show_message(message)

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)

    # --- presentation -------------------------------------------------------------------------

    def set_presentation_mode(self, on: bool) -> None:
        """Full screen, larger fonts, thicker lines: for a projector."""
        if on == self.presentation_mode:
            return
        self.presentation_mode = on
        self.theme = th.PRESENTATION if on else th.NORMAL
        self._result_time = time.perf_counter()
        app = QtWidgets.QApplication.instance()
        if on:
            self._normal_look = (app.font(), app.palette())
            th.apply_to_application(app, self.theme)
        else:
            app.setFont(self._normal_look[0])
            app.setPalette(self._normal_look[1])
        self.dashboard.apply_theme(self.theme)
        for view in self.teaching_views:
            view.apply_theme(self.theme)
        self._show_docks_for_presentation(on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _show_docks_for_presentation(self, on: bool) -> None:
        """The plots get the projector's whole width: the docks hide (View menu brings them
        back) and reappear as they were when presentation mode ends."""
        docks = self.findChildren(QtWidgets.QDockWidget)
        if on:
            self._docks_shown = [dock for dock in docks if dock.isVisible()]
            for dock in docks:
                dock.hide()
        else:
            for dock in getattr(self, "_docks_shown", docks):
                dock.show()

    # --- window events ------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if any(url.toLocalFile().lower().endswith(".json") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.toLocalFile().lower().endswith(".json")]
        if paths:
            event.acceptProposedAction()
            self.files.open_path(paths[0])

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self.files.confirm_discard():
            event.ignore()
            return
        self.dashboard.grid.cancel()
        for view in self.teaching_views:
            view.shutdown()
        self.compute.shutdown()
        self.seed_band.shutdown()
        event.accept()
