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


def resized(window, qtbot, size: QtCore.QSize, done) -> None:
    """Resize ``window`` and give its layout the event-loop turns it takes to settle."""
    window.resize(size)
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: window.size() == size and done(), timeout=1000)


def test_the_window_can_shrink_to_a_projector_on_every_tab(window):
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
        name = window.tabs.tabText(index)
        assert smallest.width() <= 1024, (name, smallest)
        assert smallest.height() <= 700, (name, smallest)


def titles_fit(window) -> bool:
    grid = window.dashboard.grid
    return all(max(text_overflow(title)) <= 0 for title in grid.header.titles[1:])


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_column_title_and_histogram_is_on_screen(window, qtbot, size):
    resized(window, qtbot, size, lambda: titles_fit(window))
    assert window.size() == size  # the window is no wider than the projector
    grid = window.dashboard.grid
    for title in grid.header.titles[1:]:
        wider, taller = text_overflow(title)
        assert wider <= 0 and taller <= 0, (title.text(), title.size(), wider, taller)
        assert 0 <= title.mapTo(window, QtCore.QPoint(0, 0)).x()
        assert right_edge_in_window(title, window) <= window.width()
    assert not grid.scroll.horizontalScrollBar().isVisible()
    viewport = grid.scroll.viewport()
    assert right_edge_in_window(viewport, window) <= window.width()
    last = grid.rows[0].cells[-1]
    right = grid.view.mapFromScene(last.mapToScene(last.boundingRect().topRight())).x()
    right = grid.view.mapTo(viewport, QtCore.QPoint(right, 0)).x()
    assert right <= viewport.width(), (right, viewport.width())
    assert last.boundingRect().width() >= 80  # a histogram a class can still read
