"""Presentation mode: a stage a class can read, which leaves the window exactly as it found it."""
import re

import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.lessons import list_lessons

TIMEOUT = 30000
TIMING = re.compile(r"\d\s*ms\b")
"""A compute or draw time on screen ("compute 135 ms", "12 ms per frame")."""
TABS = ("Layers", "Training", "Compare", "Theory")


def show_tab(qtbot, window, title: str, first_visit: bool = True) -> None:
    """Show the tab ``title``; on its first visit, wait until it shows its first result (the
    Layers tab has it from the start; the others compute when first shown)."""
    index = TABS.index(title)
    assert window.tabs.tabText(index) == title
    view = window.tabs.widget(index)
    signal = {"Training": getattr(view, "frameDrawn", None),
              "Compare": getattr(view, "compared", None), "Theory": getattr(view, "shown", None)}
    if index == window.tabs.currentIndex() or title == "Layers" or not first_visit:
        window.tabs.setCurrentIndex(index)
        settle(qtbot)
        return
    with qtbot.waitSignal(signal[title], timeout=TIMEOUT):
        window.tabs.setCurrentIndex(index)
    settle(qtbot)


def laid_out(qtbot, window, title: str) -> None:
    """Every tab laid out at the window's present size, then ``title`` shown. A hidden tab
    keeps the layout of the size it was last shown at, and with it its minimum size; the
    window's minimum size is the largest of its tabs', so it is compared once all are
    current, as they are once the user has looked at each."""
    for other in (*TABS, title):
        show_tab(qtbot, window, other, first_visit=False)
        # painted, as on a screen: pyqtgraph sizes an axis to the tick labels it last painted
        # and fits an autorange to the plot's size before painting, so a plot settles over
        # two paints
        for _ in range(2):
            window.grab()
            settle(qtbot)


def settle(qtbot) -> None:
    """Let posted layout requests and 0-ms timers (the stage's fit) run."""
    qtbot.wait(50)


def toggle(qtbot, window, on: bool) -> None:
    window.menus.presentation_action.setChecked(on)
    settle(qtbot)


def axes_of(window) -> dict:
    """Every pyqtgraph axis of the window: range, label, SI-prefix state, tick font size."""
    axes = {}
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                font = item.style["tickFont"]
                axes[item] = (list(item.range), item.labelText, item.autoSIPrefix,
                              item.autoSIPrefixScale, font.pointSizeF() if font else None)
    return axes


def state_of(window) -> dict:
    """What a user sees of the window, to compare before and after presentation mode."""
    app = QtWidgets.QApplication.instance()
    tabbed = window.tabifiedDockWidgets
    # the tab bars of tabbed docks are the main window's own, made anew when it restores its
    # dock layout: the docks' tabs are compared below instead
    visible = [w for w in window.findChildren(QtWidgets.QWidget) if w.isVisible()
               and not (isinstance(w, QtWidgets.QTabBar) and w.parent() is window)]
    return {
        "app font": app.font().pointSizeF(),
        "palette": app.palette().color(QtGui.QPalette.Window).name(),
        "window": (window.geometry(), window.windowState(), window.isFullScreen()),
        "minimum size": (window.minimumSizeHint(), window.minimumSize()),
        "visible": {id(w) for w in visible},
        "fonts": {id(w): w.font().pointSizeF() for w in visible},
        "sizes": {id(w): w.size() for w in visible  # the times are new: their width too
                  if w is not window.timing_label},
        "labels": {id(w): w.text() for w in visible if isinstance(w, QtWidgets.QLabel)
                   and not TIMING.search(w.text())},  # times are measured afresh each draw
        "docks": {d.objectName(): (d.isVisible(), window.dockWidgetArea(d), d.isFloating(),
                                   d.size(), [t.objectName() for t in tabbed(d)])
                  for d in window.findChildren(QtWidgets.QDockWidget)},
        # by orientation too: the Compare stage turns its splitter sideways
        "splitters": {(id(s), s.parent().objectName(), s.orientation()): s.sizes()
                      for s in window.findChildren(QtWidgets.QSplitter)},
        "theme": window.theme,
    }


def assert_same(before: dict, after: dict, axes_before: dict, axes_after: dict) -> None:
    for key in before:
        if before[key] != after[key] and isinstance(before[key], dict):
            changed = {k: (v, after[key].get(k)) for k, v in before[key].items()
                       if after[key].get(k) != v}
            raise AssertionError(f"{key} not restored: {changed}")
        assert before[key] == after[key], f"{key} not restored"
    assert axes_before.keys() == axes_after.keys()
    for axis, (span, label, auto, scale, font) in axes_before.items():
        # An autorange is padded by a share of the span that depends on the plot's size in
        # pixels when it last painted, and on markers a fixed number of pixels wide: a plot
        # on a hidden tab can keep padding from another size, about 1 % of the span either
        # side. 2 % still tells a range that moved or a scale that changed (0.5 → 500).
        width = abs(span[1] - span[0])
        assert axes_after[axis][0] == pytest.approx(span, abs=0.02 * width), label
        assert axes_after[axis][1:] == (label, auto, scale, font)


@pytest.fixture
def window(window, qtbot):
    """The window at a size the 800×800 offscreen screen holds, as a user's window would be."""
    window.resize(780, 700)
    settle(qtbot)
    return window


@pytest.mark.parametrize("title", TABS)
def test_round_trip_restores_every_widget_font_dock_and_axis(qtbot, window, title):
    for other in TABS:
        show_tab(qtbot, window, other)  # each computes its first result
    laid_out(qtbot, window, title)
    before, axes_before = state_of(window), axes_of(window)
    toggle(qtbot, window, True)
    assert window.isFullScreen() and window.presentation.strip.isVisible()
    assert QtWidgets.QApplication.font().pointSizeF() > before["app font"]
    assert not any(d.isVisible() for d in window.findChildren(QtWidgets.QDockWidget))
    assert not window.isWindowModified()
    view = window.tabs.currentWidget()
    if title == "Training":  # its stage: three large plots, no histograms
        assert view.curves.staged and not view.grid.isVisible()
    if title == "Compare":  # its stage: the depth plot beside a few rows, fitted
        assert view.findChild(QtWidgets.QSplitter).orientation() == QtCore.Qt.Horizontal
        qtbot.waitUntil(lambda: view.stage_rows is not None, timeout=TIMEOUT)
    toggle(qtbot, window, False)
    laid_out(qtbot, window, title)
    assert_same(before, state_of(window), axes_before, axes_of(window))
    assert not window.isWindowModified() and not window.document.is_modified()


def test_twice_in_a_row_leaves_nothing_behind(qtbot, window):
    """Visiting every tab in presentation mode, twice, still restores the Theory tab."""
    for title in TABS:
        show_tab(qtbot, window, title)
    laid_out(qtbot, window, "Theory")
    before, axes_before = state_of(window), axes_of(window)
    for _ in range(2):
        toggle(qtbot, window, True)
        laid_out(qtbot, window, "Theory")
        toggle(qtbot, window, False)
    laid_out(qtbot, window, "Theory")
    assert_same(before, state_of(window), axes_before, axes_of(window))


def test_theory_axes_read_their_values_after_presentation(qtbot, window):
    """σ_b² runs 0–0.5 on the phase diagram: an axis scaled by an SI prefix would read
    0–500 (and the singular values' log axis −500…500)."""
    show_tab(qtbot, window, "Theory")
    toggle(qtbot, window, True)
    toggle(qtbot, window, False)
    plots = window.findChild(QtWidgets.QWidget, "theoryView").plots
    bias_axis = plots.phase_plot.getAxis("left")
    assert bias_axis.range[1] == pytest.approx(0.5, abs=0.05)
    for plot in (plots.phase_plot, plots.depth_plot, plots.jacobian_plot):
        for name in ("left", "bottom"):
            assert plot.getAxis(name).autoSIPrefixScale == 1.0, plot.getAxis(name).labelText
    for axis in (bias_axis, plots.phase_plot.getAxis("bottom")):  # linear: ticks as values
        strings = axis.tickStrings([0.25], axis.autoSIPrefixScale * axis.scale, 0.05)
        assert strings == ["0.25"], axis.labelText


def test_escape_leaves_presentation_and_full_screen(qtbot, window):
    toggle(qtbot, window, True)
    window.activateWindow()
    qtbot.keyClick(window.presentation.strip.seed_spin, QtCore.Qt.Key_Escape)
    settle(qtbot)
    assert not window.presentation_mode and not window.isFullScreen()
    assert not window.menus.presentation_action.isChecked()
    assert all(d.isVisible() for d in window.findChildren(QtWidgets.QDockWidget))


def visible_texts(window) -> list[str]:
    texts = [w.text() for w in window.findChildren(QtWidgets.QLabel) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QtWidgets.QAbstractButton) if w.isVisible()]
    if window.statusBar().isVisible():
        texts.append(window.statusBar().currentMessage())
    return texts


def test_no_timings_on_screen_in_presentation(qtbot, window):
    assert any(TIMING.search(t) for t in visible_texts(window))  # the desk shows them
    toggle(qtbot, window, True)
    for title in TABS:
        show_tab(qtbot, window, title)
        if title == "Training":  # a training step writes its time per frame
            view = window.tabs.currentWidget()
            with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
                view.single_step()
        if title == "Layers":  # a new result writes the compute and draw times
            with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
                window.presentation.strip.seed_spin.setValue(5)
        settle(qtbot)
        timings = [t for t in visible_texts(window) if TIMING.search(t)]
        assert timings == [], title


def test_presentation_never_marks_the_lesson_unsaved(qtbot, window):
    modified = []
    window.document.modifiedChanged.connect(modified.append)
    for title in TABS:
        show_tab(qtbot, window, title)
        toggle(qtbot, window, True)
        assert not window.isWindowModified()
        toggle(qtbot, window, False)
        assert not window.isWindowModified()
    assert True not in modified


def test_strip_edits_through_the_document(qtbot, window):
    """The strip's scheme, depth and seed are project edits, one undo step each, as the
    control panel's are; the panel shows them too."""
    toggle(qtbot, window, True)
    strip = window.presentation.strip
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT) as drawn:
        strip.scheme_combo.setCurrentIndex(strip.scheme_combo.findData("he_normal"))
    assert window.project.scheme == "he_normal" == drawn.args[0].project.scheme
    assert window.isWindowModified()  # an edit, not a display setting
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        strip.depth_spin.setValue(5)
    assert window.project.depth == 5
    assert window.controls.depth_spin.value() == 5
    window.document.undo()
    assert window.project.depth == 3 and strip.depth_spin.value() == 3


def test_strip_gain_follows_the_scheme(qtbot, window):
    toggle(qtbot, window, True)
    strip = window.presentation.strip
    gain = strip.params.editors["gain"]
    gain.setValue(2.0)
    assert window.project.scheme_params == {"gain": 2.0}
    strip.scheme_combo.setCurrentIndex(strip.scheme_combo.findData("lecun_normal"))
    assert not strip.params_action.isVisible()  # LeCun has no parameters to show
    strip.scheme_combo.setCurrentIndex(strip.scheme_combo.findData("xavier_uniform"))
    # nothing to carry over from LeCun: Xavier's default gain, not the 2 set before
    assert window.project.scheme_params == {"gain": 1.0} and strip.params_action.isVisible()


def test_lesson_buttons_are_the_lesson_actions(qtbot, window):
    lessons = list_lessons()
    toggle(qtbot, window, True)
    next_button = window.findChild(QtWidgets.QToolButton, "stageNextLessonAction")
    previous_button = window.findChild(QtWidgets.QToolButton, "stagePreviousLessonAction")
    triggered = []
    window.menus.next_lesson_action.triggered.connect(lambda: triggered.append("next"))
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        qtbot.mouseClick(next_button, QtCore.Qt.LeftButton)
    assert triggered == ["next"] and window.document.lesson_key == lessons[0].key
    assert window.presentation.strip.scheme_combo.currentData() == window.project.scheme
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        qtbot.mouseClick(previous_button, QtCore.Qt.LeftButton)
    assert window.document.lesson_key == lessons[-1].key
    assert window.presentation_mode  # a new lesson keeps the stage


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_stage_sizes_on_a_projector(qtbot, window, size):
    """The depth plot at least 220 px tall (under a third of a 720-line screen: its title,
    three decades of 15 pt ticks, the axis title and the legend), and the first and the last
    layer as rows of at least 120 px (two 15 pt caption lines, 45 px, over a histogram with
    its ticks of 75 px: the "0" and the top tick apart), both wholly in sight; every demo
    control in the strip, none in its overflow menu."""
    toggle(qtbot, window, True)
    window.resize(*size)
    dashboard = window.dashboard
    qtbot.waitUntil(lambda: dashboard.grid.theme.row_height >= 110 and window.size().height()
                    == size[1], timeout=TIMEOUT)
    settle(qtbot)
    assert dashboard.depth_plot.height() >= 220
    axis = dashboard.depth_plot.plot_item.getAxis("left")
    # the rotated label's length against the axis's height: not cut at either end
    assert axis.label.boundingRect().width() <= axis.boundingRect().height()
    grid = dashboard.grid
    rows = [row for row in grid.rows if row.isVisible()]
    assert len(rows) >= 2
    assert all(row.size().height() >= 120 for row in rows)
    bottom = rows[-1].geometry().bottom()
    assert bottom <= grid.scroll.viewport().height()
    assert "layer 1" in str(rows[0].label._lines) and "output" in str(rows[-1].label._lines)
    strip = window.presentation.strip
    extension = strip.findChild(QtWidgets.QToolButton, "qt_toolbar_ext_button")
    # the strip narrows its spin boxes one event-loop turn after the stage's font changes
    qtbot.waitUntil(lambda: extension is None or not extension.isVisible(), timeout=TIMEOUT)
    assert strip.geometry().right() <= window.width()
    assert window.theme.font_pt >= 15.0


def test_closing_in_presentation_gives_the_application_its_font_back(qtbot, window):
    font = QtWidgets.QApplication.font().pointSizeF()
    toggle(qtbot, window, True)
    window.close()
    assert QtWidgets.QApplication.font().pointSizeF() == font


def test_stage_fonts_follow_the_screen_height():
    """15 pt at 720 lines (20 px, 1/36 of the height), growing with the screen to 22.5 pt at
    1080 and no further; never below 15 pt on a smaller screen (as the README says)."""
    from initviz.gui import theme as th

    heights = (600, 720, 768, 1080, 1440)
    sizes = {height: th.presentation_theme(height).font_pt for height in heights}
    assert sizes == {600: 15.0, 720: 15.0, 768: 16.0, 1080: 22.5, 1440: 22.5}
    assert not th.presentation_theme(1080).show_timings and th.NORMAL.show_timings


def test_strip_sweep_and_recommended_gain_act_as_the_panels_do(qtbot, window):
    """On stage the teacher sweeps the gain and sets the recommended one from the strip; the
    buttons press the control panel's own, so the edits and the undo step are the same."""
    from initviz.core.activations import gain

    toggle(qtbot, window, True)
    strip = window.presentation.strip
    sweep = window.findChild(QtWidgets.QToolButton, "stageSweepButton")
    recommended = window.findChild(QtWidgets.QToolButton, "stageRecommendedGainButton")
    assert sweep.isVisible() and recommended.isVisible()
    assert recommended.text() == "Recommended" and sweep.text() == "Sweep"
    assert "gain" in recommended.toolTip() and "gain" in sweep.toolTip()
    strip.params.editors["gain"].setValue(3.0)
    qtbot.mouseClick(recommended, QtCore.Qt.LeftButton)
    assert window.project.scheme_params["gain"] == pytest.approx(gain("tanh"))
    assert strip.params.editors["gain"].value() == pytest.approx(gain("tanh"), abs=1e-3)

    tools = window.controls.scale_tools
    tools.sweep.duration_ms = 300
    before = dict(window.project.scheme_params)
    with qtbot.waitSignal(tools.sweep.finished, timeout=TIMEOUT):
        qtbot.mouseClick(sweep, QtCore.Qt.LeftButton)
        assert sweep.text() == "Stop"  # pressed again, it stops the sweep where it is
    assert window.project.scheme_params["gain"] == pytest.approx(10.0)
    assert sweep.text() == "Sweep"
    window.document.undo()  # the whole sweep is one step, as from the panel
    assert window.project.scheme_params == before
    strip.scheme_combo.setCurrentIndex(strip.scheme_combo.findData("lecun_normal"))
    settle(qtbot)
    assert not sweep.isVisible() and not recommended.isVisible()  # LeCun has no scale
