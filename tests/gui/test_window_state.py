"""The window opens where it was left, or fitted to the screen it opens on; it has an icon."""
import pytest
from PySide6 import QtCore

from initviz.gui import MainWindow, window_state
from initviz.gui import app as gui_app

PROJECTOR_SCREENS = [QtCore.QRect(0, 0, 1024, 768), QtCore.QRect(0, 0, 1280, 720),
                     QtCore.QRect(0, 0, 1920, 1080), QtCore.QRect(1920, 0, 1280, 720)]


def test_opening_rect_takes_most_of_every_classroom_screen():
    minimum = QtCore.QSize(1000, 680)
    for screen in PROJECTOR_SCREENS:
        rect = window_state.opening_rect(screen, minimum)
        assert window_state.fits(rect, screen), screen
        # most of the screen: a 1920-pixel laptop shows the plots larger than 1500×950
        assert rect.width() >= 0.85 * screen.width() and rect.height() >= 0.85 * screen.height()
        assert rect.width() >= minimum.width() and rect.height() >= minimum.height()
        assert abs(rect.center().x() - screen.center().x()) <= 1  # centred
    # a screen smaller than the window's minimum: the screen wins, nothing off it
    tiny = QtCore.QRect(0, 0, 800, 600)
    assert window_state.opening_rect(tiny, minimum) == tiny


@pytest.mark.parametrize("screen", PROJECTOR_SCREENS[:3])
def test_a_first_window_fits_the_screen_it_opens_on(qtbot, small_project, monkeypatch, screen):
    monkeypatch.setattr(window_state, "_available", lambda window: screen)
    window = MainWindow(small_project)
    qtbot.addWidget(window)
    window_state.restore(window)  # nothing saved: sized to the (simulated) screen
    frame = window.frameGeometry()
    assert window_state.fits(frame, screen)
    assert frame.width() >= 0.85 * screen.width() and frame.height() >= 0.85 * screen.height()
    smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert window.width() >= smallest.width() and window.height() >= smallest.height()


def test_a_saved_geometry_larger_than_the_projector_is_clamped_to_it(
        qtbot, small_project, monkeypatch):
    """Saved on a laptop at 780×760, opened on a screen 700×500 free: the window keeps as
    much of its saved size as the screen holds, all of it on the screen."""
    first = MainWindow(small_project)
    qtbot.addWidget(first)
    first.setGeometry(10, 20, 780, 760)
    window_state.save(first)
    projector = QtCore.QRect(0, 0, 700, 500)
    monkeypatch.setattr(window_state, "_available", lambda window: projector)
    second = MainWindow(small_project)
    qtbot.addWidget(second)
    window_state.restore(second)
    assert window_state.fits(second.frameGeometry(), projector)
    assert second.size() == QtCore.QSize(700, 500)


def test_geometry_and_docks_come_back_at_the_next_start(qtbot, small_project):
    first = MainWindow(small_project)
    qtbot.addWidget(first)
    window_state.restore(first)  # nothing saved yet: fitted to the screen
    first.resize(700, 500)
    first.notes_dock.hide()
    window_state.save(first)

    second = MainWindow(small_project)
    qtbot.addWidget(second)
    window_state.restore(second)
    assert second.size() == QtCore.QSize(700, 500)
    assert second.notes_dock.isHidden() and not second.controls_dock.isHidden()


def test_a_layout_saved_on_a_larger_screen_is_fitted_to_this_one(qtbot, small_project):
    first = MainWindow(small_project)
    qtbot.addWidget(first)
    screen = first.screen().availableGeometry()
    first.setGeometry(screen.x(), screen.y(), screen.width() * 2, screen.height() * 2)
    window_state.save(first)

    second = MainWindow(small_project)
    qtbot.addWidget(second)
    window_state.restore(second)
    assert second.width() <= screen.width() and second.height() <= screen.height()


def test_notes_folded_for_a_narrow_window_come_back_on_a_wide_one_next_time(
        qtbot, small_project):
    first = MainWindow(small_project)
    qtbot.addWidget(first)
    first.show()
    first.resize(1024, 768)  # a projector: the notes fold beside the controls
    qtbot.waitUntil(lambda: first.dock_fit.folded, timeout=2000)
    window_state.save(first)

    second = MainWindow(small_project)
    qtbot.addWidget(second)
    window_state.restore(second)
    assert second.notes_dock in second.tabifiedDockWidgets(second.controls_dock)
    second.show()
    second.resize(1600, 950)  # a wide screen the next day: the notes are beside the plots
    qtbot.waitUntil(
        lambda: second.notes_dock not in second.tabifiedDockWidgets(second.controls_dock),
        timeout=2000)


def test_the_application_has_an_icon_for_its_windows_and_taskbar(qapp):
    icon = gui_app.app_icon()
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    assert image.width() == 64
    # the icon's own colours, not a blank placeholder: its navy ground at the centre-left
    assert image.pixelColor(5, 32).blue() > image.pixelColor(5, 32).red()
