"""The window fits a classroom projector: at 1024×768 and 1280×720 nothing is cut off."""
import contextlib

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

PROJECTORS = [QtCore.QSize(1024, 768), QtCore.QSize(1280, 720), QtCore.QSize(1500, 950)]
"""Two projectors, and the window as it opens on a 1920×1080 screen (its preferred size)."""


def text_overflow(label: QtWidgets.QLabel) -> tuple[float, float]:
    """How many pixels the label's text is wider and taller than the label shows.

    The text is laid out as the label lays it out (wrapped at its width only if it wraps),
    so a word or a line that does not fit shows here as a positive width.
    """
    document = QtGui.QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(label.font())
    document.setHtml(label.text())
    room = label.contentsRect()
    document.setTextWidth(room.width() if label.wordWrap() else -1)
    return document.idealWidth() - room.width(), document.size().height() - room.height()


def right_edge_in_window(widget: QtWidgets.QWidget, window) -> int:
    return widget.mapTo(window, QtCore.QPoint(widget.width(), 0)).x()


def test_the_window_can_shrink_to_a_projector_on_every_tab(window):
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
        name = window.tabs.tabText(index)
        assert smallest.width() <= 1024, (name, smallest)
        assert smallest.height() <= 700, (name, smallest)


def cut_off(window) -> list[str]:
    """What a class would miss: titles cut off or off screen, columns out of sight."""
    grid = window.dashboard.grid
    missing = []
    titles = [label for label in grid.header.findChildren(QtWidgets.QLabel)
              if label.text() and label.objectName() != "gridYAxisLabel"]
    assert len(titles) == 5
    for title in titles:
        wider, taller = text_overflow(title)
        if wider > 0 or taller > 0:
            missing.append(f"title {title.text()!r} is {wider:.0f} px too wide, "
                           f"{taller:.0f} px too tall")
        if title.mapTo(window, QtCore.QPoint(0, 0)).x() < 0 or (
                right_edge_in_window(title, window) > window.width()):
            missing.append(f"title {title.text()!r} lies off the window")
    if grid.scroll.horizontalScrollBar().isVisible():
        missing.append("the grid scrolls sideways")
    viewport = grid.scroll.viewport()
    if right_edge_in_window(viewport, window) > window.width():
        missing.append("the grid's right edge lies off the window")
    last = grid.rows[0].cells[-1]
    right = grid.view.mapFromScene(last.mapToScene(last.boundingRect().topRight())).x()
    if grid.view.mapTo(viewport, QtCore.QPoint(right, 0)).x() > viewport.width():
        missing.append("the fifth column is out of sight")
    if last.boundingRect().width() < 80:  # narrower, no class reads a histogram
        missing.append(f"the histograms are {last.boundingRect().width():.0f} px wide")
    return missing


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_column_title_and_histogram_is_on_screen(window, qtbot, size):
    window.resize(size)
    with contextlib.suppress(qtbot.TimeoutError):  # the docks settle in later event-loop turns
        qtbot.waitUntil(lambda: window.size() == size and not cut_off(window), timeout=2000)
    assert window.size() == size  # the window is no wider than the projector
    assert cut_off(window) == []


def test_the_notes_fold_beside_the_controls_and_come_back(window, qtbot):
    folded = window.tabifiedDockWidgets
    window.resize(1024, 768)
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: window.notes_dock in folded(window.controls_dock), timeout=2000)
    assert window.notes_dock in folded(window.controls_dock)  # a tab, one click away
    assert window.notes_dock.toggleViewAction().isChecked()
    window.resize(1600, 950)
    qtbot.waitUntil(lambda: window.notes_dock not in folded(window.controls_dock), timeout=2000)
    assert window.dockWidgetArea(window.notes_dock) == QtCore.Qt.RightDockWidgetArea
    assert window.notes_dock.isVisible() and window.controls_dock.isVisible()
