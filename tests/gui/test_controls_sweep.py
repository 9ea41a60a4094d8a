"""Controls a teacher drags: the log slider beside std and gain, the sweep, the recommended gain."""
import math

import pytest
from PySide6 import QtCore, QtWidgets

import initviz
from initviz.gui.controls.log_slider import LOG_RANGES, STEPS, position_of, value_at

TIMEOUT = 20000


def choose(combo_name, name, window):
    combo = window.findChild(QtWidgets.QComboBox, combo_name)
    combo.setCurrentIndex(combo.findData(name))
    assert combo.currentData() == name


def slider(window, name):
    found = window.findChild(QtWidgets.QSlider, f"param_{name}_slider")
    assert found is not None, f"no slider for {name}"
    return found


@pytest.mark.parametrize("name", sorted(LOG_RANGES))
def test_log_slider_maps_positions_and_values_both_ways(name):
    low, high = LOG_RANGES[name]
    assert value_at(0, low, high) == pytest.approx(low)
    assert value_at(STEPS, low, high) == pytest.approx(high)
    middle = value_at(STEPS // 2, low, high)
    assert middle == pytest.approx(math.sqrt(low * high), rel=5e-3)  # log scale: geometric mean
    for position in range(0, STEPS + 1, 37):
        value = value_at(position, low, high)
        # values are rounded to 3 digits (0.5 %), a step is 1/1000 of 2-5 decades (>= 0.46 %)
        assert abs(position_of(value, low, high) - position) <= 1
    assert position_of(low / 10, low, high) == 0 and position_of(high * 10, low, high) == STEPS
    assert position_of(0.0, low, high) == 0


def test_dragging_the_std_slider_edits_std_as_one_undo_step(qtbot, window):
    choose("schemeCombo", "normal", window)
    spin = window.controls.scheme_params.editors["std"]
    spin.setValue(0.02)  # an edit of std just before the drag: a step of its own
    drag = slider(window, "std")
    steps_before = window.document.undo_stack.count()
    drag.setSliderDown(True)
    drag.sliderPressed.emit()  # setSliderDown does not emit it; a mouse press does
    positions = [position_of(v, *LOG_RANGES["std"]) for v in (0.05, 0.1, 0.3, 0.5)]
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        for position in positions:
            drag.setValue(position)
    drag.setSliderDown(False)
    drag.sliderReleased.emit()
    assert window.project.scheme_params["std"] == pytest.approx(0.5, rel=5e-3)
    assert spin.value() == pytest.approx(0.5, rel=5e-3)  # the spin box follows the slider
    assert window.document.undo_stack.count() == steps_before + 1
    window.document.undo()
    assert window.project.scheme_params["std"] == pytest.approx(0.02)  # the drag, whole
    assert drag.value() == position_of(0.02, *LOG_RANGES["std"])  # the slider follows undo


def test_typing_in_the_spin_box_moves_the_slider(window):
    choose("schemeCombo", "xavier_normal", window)
    window.controls.scheme_params.editors["gain"].setValue(1.0)
    assert slider(window, "gain").value() == STEPS // 2  # 1 is the middle of 0.1..10


def run_sweep(qtbot, window, duration_ms=400):
    tools = window.controls.scale_tools
    tools.sweep.duration_ms = duration_ms
    values = []
    window.document.changed.connect(
        lambda _s: values.append(window.project.scheme_params.get(tools.param)))
    button = window.findChild(QtWidgets.QPushButton, "sweepButton")
    return tools, values, button


def test_sweep_moves_std_up_monotonically_to_its_target_in_one_undo_step(qtbot, window):
    choose("schemeCombo", "normal", window)
    window.controls.scheme_params.editors["std"].setValue(0.2)
    tools, values, button = run_sweep(qtbot, window)
    assert button.text() == "Sweep std" and button.isVisible()
    steps_before = window.document.undo_stack.count()
    with qtbot.waitSignal(tools.sweep.finished, timeout=TIMEOUT):
        button.click()
        assert button.text() == "Stop"
    assert len(values) >= 3  # the class saw a transition, not a jump
    assert all(a < b for a, b in zip(values, values[1:]))
    assert values[0] == pytest.approx(0.01) and values[-1] == 1.0  # ends on the target itself
    assert window.project.scheme_params["std"] == 1.0
    assert button.text() == "Sweep std"
    assert window.document.undo_stack.count() == steps_before + 1
    qtbot.waitUntil(lambda: not window.compute.busy, timeout=TIMEOUT)  # computed on the worker
    window.document.undo()
    assert window.project.scheme_params["std"] == pytest.approx(0.2)


def test_sweep_stops_where_the_teacher_stops_it(qtbot, window):
    choose("schemeCombo", "xavier_normal", window)
    tools, values, button = run_sweep(qtbot, window, duration_ms=60_000)
    button.click()
    qtbot.waitUntil(lambda: len(values) >= 2, timeout=TIMEOUT)
    with qtbot.waitSignal(tools.sweep.finished, timeout=TIMEOUT):
        button.click()
    stopped = window.project.scheme_params["gain"]
    assert 0.1 <= stopped < 10.0 and not tools.sweep.running
    count = len(values)
    qtbot.wait(200)  # a few ticks' time: a stopped sweep edits nothing more
    assert len(values) == count and window.project.scheme_params["gain"] == stopped


def test_changing_the_scheme_stops_a_sweep(qtbot, window):
    choose("schemeCombo", "normal", window)
    tools, _, button = run_sweep(qtbot, window, duration_ms=60_000)
    button.click()
    assert tools.sweep.running
    choose("schemeCombo", "he_normal", window)  # He has no std, gain or scale
    assert not tools.sweep.running and not tools.isVisible()


@pytest.mark.parametrize("activation, expected", [("tanh", 5 / 3), ("relu", math.sqrt(2))])
def test_recommended_gain_is_calculate_gains(qtbot, window, activation, expected):
    choose("schemeCombo", "xavier_normal", window)
    choose("activationCombo", activation, window)
    button = window.findChild(QtWidgets.QPushButton, "recommendedGainButton")
    assert button.text() == "Recommended gain"
    assert f"{expected:.4g}" in button.toolTip() and "calculate_gain" in button.toolTip()
    button.click()
    # 5/3 and √2 are not exact in binary: the gain is compared within float rounding
    assert window.project.scheme_params["gain"] == pytest.approx(expected, rel=1e-12)
    assert window.project.scheme_params["gain"] == pytest.approx(initviz.gain(activation))


def test_recommended_std_is_the_gain_over_the_root_of_fan_in(window):
    choose("schemeCombo", "normal", window)
    choose("activationCombo", "relu", window)
    button = window.findChild(QtWidgets.QPushButton, "recommendedGainButton")
    assert button.text() == "Recommended std"
    button.click()
    fan_in = window.project.widths[1]  # 32: every layer of the small project has fan_in 32
    expected = math.sqrt(2) / math.sqrt(fan_in)
    assert window.project.scheme_params["std"] == pytest.approx(expected, rel=1e-12)
    assert f"{expected:.3g}" in button.toolTip() and f"√{fan_in}" in button.toolTip()


def test_slider_keys_edit_like_a_drag(qtbot, window):
    choose("schemeCombo", "xavier_normal", window)
    drag = slider(window, "gain")
    drag.setFocus()
    before = window.project.scheme_params["gain"]
    qtbot.keyClick(drag, QtCore.Qt.Key_PageUp)
    assert window.project.scheme_params["gain"] > before


def test_closing_the_window_stops_a_sweep(qtbot, window):
    choose("schemeCombo", "normal", window)
    tools, values, button = run_sweep(qtbot, window, duration_ms=60_000)
    button.click()
    assert tools.sweep.running
    assert window.close()
    count = len(values)
    assert not tools.sweep.running
    qtbot.wait(200)  # a few ticks' time: nothing edits a closed window's project
    assert len(values) == count
