"""The window opens where it was left, or fitted to the screen it opens on; it has an icon."""
from PySide6 import QtCore

from initviz.gui import MainWindow, window_state
from initviz.gui import app as gui_app

PROJECTOR_SCREENS = [QtCore.QRect(0, 0, 1024, 768), QtCore.QRect(0, 0, 1280, 720),
                     QtCore.QRect(0, 0, 1920, 1080), QtCore.QRect(1920, 0, 1280, 720)]


def test_opening_rect_lies_on_every_classroom_screen():
    preferred = QtCore.QSize(1500, 950)
    for screen in PROJECTOR_SCREENS:
        rect = window_state.opening_rect(screen, preferred)
        assert window_state.fits(rect, screen), screen
        assert rect.width() <= 1500 and rect.height() <= 950
    # a screen larger than the preferred size gets the preferred size, centred
    large = window_state.opening_rect(QtCore.QRect(0, 0, 2560, 1440), preferred)
    assert large.size() == preferred and large.center() == QtCore.QPoint(1279, 719)


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
