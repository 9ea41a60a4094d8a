"""Where the theory holds, made visible: the seeds' band and the small-width note."""
import numpy as np
import pytest
from PySide6 import QtWidgets

from initviz.core.network import simulate
from initviz.gui.plots.depth_plot import DepthSummaryPlot
from initviz.gui.prepare import plot_data
from initviz.gui.prepare.seed_spread import seed_spread
from initviz.project import Project

TIMEOUT = 60000


def relu_he(width, seed=0):
    return Project({
        "name": "narrow",
        "network": {"widths": [64] + [width] * 10 + [10], "activation": "relu"},
        "init": {"scheme": "he_normal"},
        "data": {"batch_size": 128, "seed": seed},
    })


@pytest.fixture
def narrow_window(qtbot):
    from initviz.gui import MainWindow

    win = MainWindow(relu_he(8))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.resultsUpdated, timeout=TIMEOUT):
        win.show()
    return win


def toggle(win):
    box = win.findChild(QtWidgets.QCheckBox, "seedBandToggle")
    assert box is not None and box.isCheckable()
    return box


def test_the_band_brackets_the_theory_at_width_8(qtbot, narrow_window):
    """Eight seeds' min–max holds the theory (the average over draws) unless all eight fall
    on one side. At width 8 a ReLU draw's std at layer 10 is below the theory four times in
    five (a heavy upper tail carries the average), so all eight fall below about one time
    in six at the deepest layers: at least 80 % of the layers, each way, is the bound."""
    win = narrow_window
    plot = win.dashboard.depth_plot
    assert plot.band is None and not plot.band_areas["forward"].isVisible()
    with qtbot.waitSignal(win.seed_band.bandDrawn, timeout=TIMEOUT) as blocker:
        toggle(win).setChecked(True)
    spread = blocker.args[0]
    assert spread.seeds == tuple(range(8))  # the project's seed and the next seven
    depth = win.last_data.depth
    for curve in ("forward", "backward"):
        assert plot.band_areas[curve].isVisible()
        assert not plot.band_areas[curve].path().isEmpty()
        theory = depth[f"{curve}_theory"]
        inside = (spread.low[curve] <= theory) & (theory <= spread.high[curve])
        assert inside.mean() >= 0.8, (curve, spread.low[curve], theory, spread.high[curve])
        measured = depth[curve]  # this seed is one of the eight
        assert np.all((spread.low[curve] <= measured * (1 + 1e-6))
                      & (measured <= spread.high[curve] * (1 + 1e-6)))  # float32 rounding
    legend = [label.text for _, label in plot.legend.items]
    assert any("seeds 0–7" in text for text in legend)


def test_the_toggle_is_a_display_setting(qtbot, narrow_window):
    win = narrow_window
    generation = win.compute.generation
    with qtbot.waitSignal(win.seed_band.bandDrawn, timeout=TIMEOUT):
        toggle(win).setChecked(True)
    assert win.project.view["seed_band"] is True  # kept with the other display settings
    assert not win.isWindowModified()  # Qt's own unsaved state: no * in the title
    assert win.compute.generation == generation  # the shown seed is not computed again
    win.dashboard.display_bar.log_check.setChecked(True)  # its neighbours neither
    assert not win.isWindowModified()
    with qtbot.waitSignal(win.resultsUpdated, timeout=TIMEOUT):
        win.document.edit({"data.seed": 5})
    assert win.isWindowModified()  # a real change still counts


def test_a_changed_project_drops_the_band_and_gets_its_own(qtbot, narrow_window):
    win = narrow_window
    plot = win.dashboard.depth_plot
    with qtbot.waitSignal(win.seed_band.bandDrawn, timeout=TIMEOUT):
        toggle(win).setChecked(True)
    with qtbot.waitSignal(win.seed_band.bandDrawn, timeout=TIMEOUT) as blocker:
        for seed in (3, 4, 5):  # a drag: only the last value's band is drawn
            win.document.edit({"data.seed": seed})
            assert plot.band is None  # the old seeds' band is gone at once
    assert blocker.args[0].seeds == tuple(range(5, 13))
    toggle(win).setChecked(False)
    assert plot.band is None and not plot.band_areas["forward"].isVisible()
    generation = win.seed_band.task.generation
    with qtbot.waitSignal(win.resultsUpdated, timeout=TIMEOUT):
        win.document.edit({"data.seed": 6})
    assert not win.seed_band._settle.isActive()  # off: no band waits to be asked for
    assert win.seed_band.task.generation == generation and not win.seed_band.task.busy


def test_a_band_no_longer_wanted_stops_between_seeds():
    asked = []

    def wanted(key):
        asked.append(key)
        return len(asked) < 3  # the project changed during the second seed's pass

    assert seed_spread(relu_he(8), "key", wanted) is None
    assert len(asked) == 3  # two passes computed, the six after them never started


@pytest.mark.parametrize(("width", "noted"), [(8, True), (256, False)])
def test_a_narrow_network_says_the_theory_is_an_average(qtbot, width, noted):
    plot = DepthSummaryPlot()
    qtbot.addWidget(plot)
    plot.show_data(plot_data.prepare(simulate(relu_he(width))))
    assert plot.width_note.isVisible() == noted
    if noted:
        text = plot.width_note.toPlainText()
        assert "width 8" in text and "average over weight draws" in text
