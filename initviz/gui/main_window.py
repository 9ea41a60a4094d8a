"""The main window: controls on the left, views in the centre, lesson notes on the right.

The window shows a ProjectDocument (``initviz.gui.document``): the project, its undo stack,
its file and its saved state. Controls, views and menus edit the document and follow its
signals; the window re-shows the project, asks for a computation when a computed section
changed, and mirrors the saved state in its title (Qt's ``[*]``). Computation runs in
ComputeController's thread; the newest result is drawn and announced with ``resultsUpdated``
once it is on screen.
"""
from __future__ import annotations

import dataclasses
import html
import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.actions.autosave import AutosaveController
from initviz.gui.actions.files import FileActions, remember_file
from initviz.gui.actions.menus import build_menus
from initviz.gui.controls.panel import ControlPanel
from initviz.gui.dock_fit import DockFit
from initviz.gui.document import ProjectDocument
from initviz.gui.presentation import PresentationMode
from initviz.gui.view_settings import ViewSettings
from initviz.gui.views.compare import CompareView
from initviz.gui.views.layers import DashboardView
from initviz.gui.views.theory import TheoryView
from initviz.gui.views.training import TrainingView
from initviz.gui.workers.compute import ComputeController
from initviz.gui.workers.seed_band import SeedBandLink
from initviz.lessons import DEFAULT_LESSON, load_lesson
from initviz.project import COMPUTED_SECTIONS, Project


def default_project() -> Project:
    return default_lesson()[0]


def default_lesson() -> tuple[Project, str | None]:
    """The lesson a window opens on when given no project, and its key (None if unreadable)."""
    try:
        return load_lesson(DEFAULT_LESSON), DEFAULT_LESSON
    except (ProjectError, OSError):
        return Project(), None


class MainWindow(QtWidgets.QMainWindow):
    resultsUpdated = QtCore.Signal(object)
    """The Simulation the plots now show (emitted after they show it)."""

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        lesson_key = None
        if project is None:
            project, lesson_key = default_lesson()
        self.document = ProjectDocument(project, self)
        self.document.lesson_key = lesson_key  # the shelf ticks the default lesson in the menu
        self.theme = th.NORMAL
        self.presentation_mode = False
        self.last_data = None
        self.autosave = None
        """The AutosaveController once ``start_autosave`` ran (the app does; scripts need not)."""
        self._result_time = 0.0
        self.compute = ComputeController(self)
        self.compute.resultReady.connect(self._on_result)
        self.compute.computeFailed.connect(self._on_failed)
        self._build_widgets()
        self._follow_document()  # first: the window asks for the computation before views catch up
        self.files = FileActions(self, self.document)
        self.menus = build_menus(self)
        self.presentation = PresentationMode(self)
        self.teaching_views = self._add_teaching_views()
        self.seed_band = SeedBandLink(self.document, self.dashboard.depth_plot, self)
        self.setAcceptDrops(True)
        self.resize(1500, 950)
        self._show_project()
        self._request_compute()

    # --- construction --------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.controls = ControlPanel()
        self.controls.editRequested.connect(self.document.edit)
        self.controls.gestureStarted.connect(self.document.begin_gesture)
        self.controls.gestureFinished.connect(self.document.end_gesture)
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
        self.dashboard.display_bar.viewEdited.connect(self.document.set_display)
        self.dashboard.display_bar.invalidInput.connect(self.show_message)
        self.dashboard.drawn.connect(self._on_drawn)
        self.dashboard.exportRequested.connect(lambda cell: self.menus.export_plot_dialog(cell))
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

    def _follow_document(self) -> None:
        document = self.document
        document.changed.connect(self._on_changed)
        document.replaced.connect(self._on_replaced)
        document.displayChanged.connect(self._on_display_changed)
        document.modifiedChanged.connect(self.setWindowModified)
        document.sourceChanged.connect(self._update_title)
        document.refused.connect(lambda _message: self.controls.show_project(document.project))
        document.message.connect(self.show_message)

    def _add_teaching_views(self) -> list:
        """Training, Compare and Theory tabs; each computes in its own thread, only when shown."""
        views = [(TrainingView(self.document), "Training"), (CompareView(self.document), "Compare"),
                 (TheoryView(self.document), "Theory")]
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

        A view that wants the project takes ``window.document``: it reads ``document.project``,
        edits through ``document.edit`` and follows ``changed``, ``replaced`` and
        ``displayChanged``; one that wants the newest simulation connects to ``resultsUpdated``.
        """
        index = self.tabs.addTab(widget, title)
        widget.setObjectName(widget.objectName() or f"{title.replace(' ', '')}View")
        return index

    def start_autosave(self, store=None):
        """Keep unsaved work in ``store`` (the user's data folder by default) and offer back what
        a crash left behind; the AutosaveController, which the app tells of a clean exit."""
        self.autosave = AutosaveController(self.document, store)
        self.autosave.offer_restore()
        return self.autosave

    # --- the project -------------------------------------------------------------------------

    @property
    def project(self) -> Project:
        return self.document.project

    @property
    def view_settings(self) -> ViewSettings:
        return self.document.settings

    def load_project(self, path) -> None:
        """Open ``path``; raises ProjectError (and keeps the current project) when it is bad."""
        project = Project.load(path)
        self.document.load(project, path=Path(path))
        remember_file(path)

    def save_project(self, path) -> None:
        self.document.save(path)
        self.project_saved(path)

    def project_saved(self, path) -> None:
        """``path`` holds the project now (a save here or on the File menu's thread)."""
        remember_file(path)
        self.show_message(f"Saved {Path(path).name}")

    def _on_changed(self, sections: tuple) -> None:
        if set(sections) & set(COMPUTED_SECTIONS):
            self._request_compute()
        self.controls.show_project(self.document.project)
        self._show_notes()
        self._update_title()

    def _on_replaced(self) -> None:
        self._request_compute(supersede=True)
        self._show_project()

    def _on_display_changed(self, _changes: dict) -> None:
        """Display settings: the last result drawn again, nothing computed (but see
        ``_settings_for``)."""
        self._result_time = time.perf_counter()
        self.dashboard.show_settings(self._settings_for(self.dashboard.data))

    def _settings_for(self, data) -> ViewSettings:
        """The display settings ``data`` can be drawn with. The log10|x| view's histograms
        are prepared only while that view is on (compute.compute): a result without them
        is drawn linear, and the result that has them is asked for."""
        settings = self.view_settings
        if settings.log_magnitude and data is not None and not data.log_limits:
            self._request_compute(supersede=True)
            return dataclasses.replace(settings, log_magnitude=False)
        return settings

    def _show_project(self) -> None:
        self.controls.show_project(self.document.project)
        self.dashboard.display_bar.show_settings(self.view_settings)
        self._show_notes()
        self._update_title()

    def _show_notes(self) -> None:
        project = self.document.project
        notes = project.notes.strip() or "No notes for this project."
        # name and notes are plain text: "depth<10" must show as typed, not as a tag
        text = f"<h3>{html.escape(project.name)}</h3>" + "".join(
            f"<p>{html.escape(para)}</p>" for para in notes.split("\n\n"))
        if text != self._notes_html:  # laying out rich text again costs ~0.3 ms per edit
            self.notes.setHtml(text)
            self._notes_html = text

    def _update_title(self) -> None:
        path = self.document.path
        where = f" — {path.name}" if path else ""
        title = f"{self.document.project.name}[*]{where} — initviz"  # Qt shows * there
        if title != self.windowTitle():
            self.setWindowTitle(title)
        self.setWindowModified(self.document.is_modified())

    # --- computing and drawing -------------------------------------------------------------

    def _request_compute(self, supersede: bool = False) -> None:
        self.compute.request(self.document.project, supersede=supersede)
        self.timing_label.setText("computing…")

    def _on_result(self, data) -> None:
        self._result_time = time.perf_counter()
        self.last_data = data
        self.dashboard.show_data(data, self._settings_for(data))

    def _on_drawn(self, data) -> None:
        draw_ms = (time.perf_counter() - self._result_time) * 1000.0
        if data is self.last_data and not self.compute.busy and self.theme.show_timings:
            self.timing_label.setText(f"compute {data.compute_ms:.0f} ms + draw {draw_ms:.0f} ms")
        self.resultsUpdated.emit(data.simulation)

    def _on_failed(self, message: str) -> None:
        self.timing_label.setText("failed")
        self.show_message(message)

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)

    # --- presentation -------------------------------------------------------------------------

    def set_presentation_mode(self, on: bool) -> None:
        """Full screen, larger fonts, the lesson's story on a stage: for a projector
        (``initviz.gui.presentation``); off puts the window back as it was."""
        self._result_time = time.perf_counter()  # the re-draw in the new look is timed anew
        self.presentation.set_active(on)
        self.presentation_mode = on

    # --- window events ------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if any(url.toLocalFile().lower().endswith(".json") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.toLocalFile().lower().endswith(".json")]
        if paths:
            event.acceptProposedAction()
            self.files.open_path(paths[0])

    def closeEvent(self, event) -> None:
        self.controls.scale_tools.sweep.stop()  # no edits under the question, nor after it
        self.files.wait_for_save()  # a save from the menu still writing: its end first
        if not (self.menus.shelf.offer_save_on_close() and self.files.confirm_discard()):
            event.ignore()
            return
        self.presentation.shutdown()  # the application's font back
        self.dashboard.grid.cancel()
        for view in self.teaching_views:
            view.shutdown()
        self.compute.shutdown()
        self.seed_band.shutdown()
        event.accept()
