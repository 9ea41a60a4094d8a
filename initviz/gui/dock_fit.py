"""Room for the plots on a narrow window: the lesson notes fold into the controls' dock.

Side by side, the Controls and Lesson notes docks take ~600 pixels: on a 1024- or
1280-pixel projector the five histogram columns would be left too narrow for their
titles. When the window becomes too narrow for that, the notes dock becomes a tab
beside the controls (one click away); when it becomes wide enough again, the notes
go back to where they were. Only the change across that width acts, so a layout the
user arranges by hand on a narrow window stays as they left it.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

HYSTERESIS = 40
"""Extra pixels the window must gain before the notes unfold again: no flicker at the edge."""


class DockFit(QtCore.QObject):
    """Folds ``folding`` (a dock) into ``host``'s tabs while the centre has less than
    ``need()`` pixels, and unfolds it once the window has room again."""

    def __init__(self, window: QtWidgets.QMainWindow, host: QtWidgets.QDockWidget,
                 folding: QtWidgets.QDockWidget, need: Callable[[], int]):
        super().__init__(window)
        self.window, self.host, self.folding, self.need = window, host, folding, need
        self.folded = False
        self._area = QtCore.Qt.RightDockWidgetArea
        self._width = folding.sizeHint().width()
        self._timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.fit)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() in (
                QtCore.QEvent.Type.Resize, QtCore.QEvent.Type.Show):
            self._timer.start()  # once the docks and the centre have their new sizes
        return False

    def fit(self) -> None:
        """Fold or unfold for the window's present width."""
        if not all(dock.toggleViewAction().isChecked() for dock in (self.host, self.folding)):
            return  # presentation mode, or a dock the user closed: theirs to bring back
        if self.host.isFloating() or self.folding.isFloating():
            return
        centre = self.window.centralWidget().width()
        if not self.folded and self._side_by_side() and centre < self.need():
            self._fold()
        elif self.folded and self._still_folded() and (
                centre - self._width - self._separator() >= self.need() + HYSTERESIS):
            self._unfold()

    def restore(self, folded: bool) -> None:
        """After the window's saved dock layout is restored: whether its fold was ours (so
        a window saved narrow and opened on a wide screen shows its notes again)."""
        self.folded = folded and self._still_folded()
        self._timer.start()

    def _side_by_side(self) -> bool:
        window = self.window
        return (window.dockWidgetArea(self.folding) != window.dockWidgetArea(self.host)
                and self.folding not in window.tabifiedDockWidgets(self.host))

    def _still_folded(self) -> bool:
        return self.folding in self.window.tabifiedDockWidgets(self.host)

    def _separator(self) -> int:
        return self.window.style().pixelMetric(
            QtWidgets.QStyle.PM_DockWidgetSeparatorExtent, None, self.window)

    def _fold(self) -> None:
        self._area = self.window.dockWidgetArea(self.folding)
        self._width = self.folding.width()
        self.window.tabifyDockWidget(self.host, self.folding)
        self.host.raise_()  # the controls stay in front; the notes are the next tab
        self.folded = True

    def _unfold(self) -> None:
        self.window.addDockWidget(self._area, self.folding)
        self.window.resizeDocks([self.folding], [self._width], QtCore.Qt.Horizontal)
        self.folded = False
