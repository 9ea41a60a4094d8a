"""Presentation mode: the window as a stage for a projector, and back exactly as it was.

Entering: full screen, fonts and lines scaled to the screen (``theme.presentation_theme``),
the docks out of the way, the demo strip in reach, no timings anywhere. On the Layers tab the
lesson's story fills the stage: the std-against-depth plot on top and a few layer rows
(first, …, last) below, sized to the screen; the display toggles and the formula table step
aside. The Training and Compare tabs have stages of their own (``training_stage``,
``compare_stage``): three large training plots; A and B's depth plot beside a few of their
rows.
The Theory tab shows its own view at the presentation theme.

Leaving (the action again, or Esc) puts back everything entering changed, as recorded when
it entered: the window's state, geometry and dock layout, the application's font and
palette, the views' theme, the room each plot axis keeps for its labels, the Layers tab's
parts and the sizes of the splitters. Hidden tabs are laid out at the window's fonts before
the window's geometry and the splitters' sizes are set back, so neither is clamped to a
minimum the stage's fonts set.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.presentation.compare_stage import CompareStage
from initviz.gui.presentation.rows import stage_rows
from initviz.gui.presentation.strip import DemoStrip
from initviz.gui.presentation.training_stage import TrainingStage

DEPTH_SHARE = 0.4
"""Share of the Layers stage the std-against-depth plot takes: the lesson in one picture."""
@dataclass
class SavedLook:
    """What entering changes, as it was before."""

    geometry: QtCore.QRect
    dock_state: QtCore.QByteArray
    window_state: QtCore.Qt.WindowState
    font: QtGui.QFont
    palette: QtGui.QPalette
    theme: th.Theme
    visible: dict
    splitter_sizes: dict
    text_space: dict
    """Each axis's room for its tick labels, (width, height) in px. An axis grows it to the
    labels it paints but shrinks it only when they are 10 px smaller, so after the stage's
    larger labels it would keep a pixel or more: a taller plot, a larger minimum."""


def axes_of(window) -> list:
    """Every pyqtgraph axis in the window, hidden tabs' too."""
    return [item for view in window.findChildren(pg.GraphicsView)
            for item in view.scene().items() if isinstance(item, pg.AxisItem)]


def settle_layouts() -> None:
    """Lay out now what the fonts and theme just put back, hidden tabs too.

    The application's font reaches its widgets by a posted event, and a widget's minimum
    size follows its font only once its layout has handled the request that posts in turn
    (a plot's graphics layout posts one more). Until then a hidden tab keeps the stage's
    minimum, and the window's geometry and the splitters' sizes set back meanwhile would
    be clamped to it: a taller window, a larger summary plot. Only these two kinds of
    event are handled here, those posted meanwhile too; the rest waits for the event loop.
    """
    Event = QtCore.QEvent.Type
    for kind in (Event.ApplicationFontChange, Event.LayoutRequest):
        QtCore.QCoreApplication.sendPostedEvents(None, kind)


class PresentationMode(QtCore.QObject):
    """Presentation mode of ``window`` (a MainWindow); ``set_active`` enters and leaves it."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = False
        self.theme = th.PRESENTATION
        self.strip: DemoStrip | None = None
        self._saved: SavedLook | None = None
        self._pending_sizes: dict = {}
        """Splitter sizes to put back once the splitter has its old length again (a tab
        that was hidden on leaving keeps the stage's size until it is next shown)."""
        self.tab_stages: list = []
        """The Training and Compare tabs' stages, made on first entering (the tabs come
        after this object)."""
        self._fit_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self.fit_stage)
        self.escape = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key_Escape), window)
        self.escape.setContext(QtCore.Qt.WindowShortcut)
        self.escape.setEnabled(False)
        self.escape.activated.connect(
            lambda: window.menus.presentation_action.setChecked(False))
        window.dashboard.splitter.installEventFilter(self)
        window.tabs.installEventFilter(self)  # the window's size, whichever tab is shown

    def _hidden_parts(self) -> list[QtWidgets.QWidget]:
        """Widgets that step aside on stage: the Layers tab's toggles and formula table,
        and the compute and draw times."""
        dashboard = self.window.dashboard
        return [dashboard.display_bar, dashboard.formula_panel, self.window.timing_label]

    def _splitters(self) -> list[QtWidgets.QSplitter]:
        """The Layers tab's splitter and the teaching views' (summary over histograms)."""
        splitters = [self.window.dashboard.splitter]
        for view in self.window.teaching_views:
            splitters += view.findChildren(QtWidgets.QSplitter)
        return splitters

    def set_active(self, on: bool) -> None:
        if on != self.active:
            self._enter() if on else self._leave()

    def shutdown(self) -> None:
        """Before the window closes: the application's own font and palette back (a script
        or a test goes on with them), and the splitters no longer watched. The window itself
        is left as it is: re-laying out a closing window only costs time."""
        if self.active:
            self.active = False
            app = QtWidgets.QApplication.instance()
            app.setFont(self._saved.font)
            app.setPalette(self._saved.palette)
        self._pending_sizes = {}
        for watched in (*self._splitters(), self.window.tabs):
            watched.removeEventFilter(self)

    # --- entering -----------------------------------------------------------------------------

    def _enter(self) -> None:
        window = self.window
        app = QtWidgets.QApplication.instance()
        self._saved = SavedLook(
            window.geometry(), window.saveState(), window.windowState(), app.font(),
            app.palette(), window.theme, {w: not w.isHidden() for w in self._hidden_parts()},
            {splitter: self._pending_sizes.get(splitter, splitter.sizes())  # still the old
             for splitter in self._splitters()},
            {axis: (axis.textWidth, axis.textHeight) for axis in axes_of(window)})
        self.active = True
        self._pending_sizes = {}
        for splitter in self._saved.splitter_sizes:
            splitter.installEventFilter(self)
        screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
        self.theme = th.presentation_theme(screen.geometry().height())
        th.apply_to_application(app, self.theme)
        for dock in window.findChildren(QtWidgets.QDockWidget):
            dock.hide()
        for widget in self._hidden_parts():
            widget.hide()
        self._show_strip()
        self._apply_theme(self.theme)
        for stage in self._tab_stages():
            stage.enter()
        self.escape.setEnabled(True)
        window.showFullScreen()
        self.fit_stage()

    def _show_strip(self) -> None:
        if self.strip is None:
            menus = self.window.menus
            actions = {"previous": menus.previous_lesson_action, "next": menus.next_lesson_action}
            self.strip = DemoStrip(self.window.document, actions,
                                   self.window.controls.scale_tools, self.window)
            self.window.addToolBar(QtCore.Qt.TopToolBarArea, self.strip)
        self.strip.show_project(self.window.document.project)
        self.strip.show()

    def _tab_stages(self) -> list:
        if not self.tab_stages:
            views = {view.objectName(): view for view in self.window.teaching_views}
            self.tab_stages = [TrainingStage(views["trainingView"]),
                               CompareStage(views["compareView"], self)]
        return self.tab_stages

    def _apply_theme(self, theme: th.Theme) -> None:
        window = self.window
        window.theme = theme
        if self.strip is not None and self.active:
            self.strip.set_point_size(theme.font_pt)
        window.dashboard.apply_theme(theme)
        for view in window.teaching_views:
            view.apply_theme(theme)
        if self.active:
            for stage in self.tab_stages:
                stage.theme_changed()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize:
            if self.active and watched in (self.window.dashboard.splitter, self.window.tabs):
                self._fit_timer.start()  # once the layout has settled on the new size
            if watched in self._pending_sizes:  # after the splitter has shared out its length
                QtCore.QTimer.singleShot(0, functools.partial(self._restore_sizes, watched))
        return False

    def _restore_sizes(self, splitter: QtWidgets.QSplitter) -> None:
        """The sizes it had, once its length is what it was: set at any other length, they
        would be scaled and rounded when the splitter gets its old length back."""
        sizes = self._pending_sizes.get(splitter)
        if sizes is not None and sum(splitter.sizes()) == sum(sizes):
            splitter.setSizes(sizes)
            del self._pending_sizes[splitter]

    def fit_stage(self) -> None:
        """Split the Layers stage between the depth plot and a few rows that fill the rest."""
        if not self.active:
            return
        theme = th.presentation_theme(self.window.height())  # the stage's own size
        if theme != self.theme:
            self.theme = theme
            th.apply_to_application(QtWidgets.QApplication.instance(), theme)
            self._apply_theme(theme)
        dashboard = self.window.dashboard
        splitter = dashboard.splitter
        total = sum(splitter.sizes())
        if total <= 0:
            return
        depth_px = int(total * DEPTH_SHARE)
        splitter.setSizes([depth_px, total - depth_px])
        header = dashboard.grid.header
        room = total - depth_px - max(header.height(), header.sizeHint().height())
        rows, row_px = stage_rows(room)
        theme = dataclasses.replace(self.theme, row_height=row_px)
        if theme != dashboard.grid.theme:
            dashboard.apply_theme(theme)
        dashboard.set_stage_rows(rows)

    # --- leaving --------------------------------------------------------------------------------

    def _leave(self) -> None:
        window, saved = self.window, self._saved
        app = QtWidgets.QApplication.instance()
        self.active = False
        self._fit_timer.stop()
        self.escape.setEnabled(False)
        self.strip.hide()
        app.setFont(saved.font)  # first: the window's layout then sizes its bars for this font
        app.setPalette(saved.palette)
        for widget, visible in saved.visible.items():
            widget.setVisible(visible)
        window.dashboard.stage_rows = None  # drawn again with the window's theme, next
        for stage in self.tab_stages:
            stage.leave()
        self._apply_theme(saved.theme)
        for stage in self.tab_stages:
            stage.restore()
        for axis in axes_of(window):  # not one the stage made and removed (a layer row)
            if axis not in saved.text_space:
                continue
            width, height = saved.text_space[axis]
            axis.textWidth, axis.textHeight = width, height
            axis.setStyle()  # sized again for that room
        settle_layouts()
        if saved.window_state & QtCore.Qt.WindowMaximized:
            window.showMaximized()
        else:
            window.showNormal()
            window.setGeometry(saved.geometry)  # restoreGeometry would clamp it to the screen
        window.restoreState(saved.dock_state)
        self._pending_sizes = dict(saved.splitter_sizes)
        for splitter in saved.splitter_sizes:
            self._restore_sizes(splitter)
        window.layout().invalidate()  # the status bar kept the height of the stage's font
        self._saved = None
