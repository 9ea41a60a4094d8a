"""A monkey at the controls: 1,000 random edits, extreme values included, and nothing breaks.

Every action goes through a widget's own setter, as a click or a key would. Extremes:
the maximum width (16384) and depth (200), depth 1, batch 1 and 65536, the largest std,
every scheme × activation, 2-D data sources with the wrong input width (invalid: refused
in the status bar), undo and redo. A small memory budget turns the huge networks into a
status-bar refusal within microseconds, so the test stays fast while still exercising the
path. At the end the controls must show what the project holds, and the last drawn result
must be the project's.
"""
import random

import pytest
from PySide6 import QtWidgets

from initviz.core.activations import ACTIVATIONS
from initviz.core.schemes import SCHEMES

TIMEOUT = 30000
ACTIONS = 1000


def spin(win, name) -> QtWidgets.QSpinBox:
    widget = win.findChild(QtWidgets.QSpinBox, name)
    assert widget is not None, name
    return widget


def combo(win, name) -> QtWidgets.QComboBox:
    widget = win.findChild(QtWidgets.QComboBox, name)
    assert widget is not None, name
    return widget


def extreme_int(rng, widget, usual):
    return rng.choice([widget.minimum(), widget.maximum(), *usual])


def set_param(rng, editor):
    """One parameter of a ParamEditor to its minimum, its maximum or an ordinary value."""
    if not editor.editors:
        return
    widget = rng.choice(list(editor.editors.values()))
    if isinstance(widget, QtWidgets.QComboBox):
        widget.setCurrentIndex(rng.randrange(widget.count()))
    else:
        widget.setValue(rng.choice([widget.minimum(), widget.maximum(), 0, 1, 0.5, 100]))


def monkey_actions(win):
    controls = win.controls
    return [
        lambda rng: combo(win, "schemeCombo").setCurrentIndex(rng.randrange(len(SCHEMES))),
        lambda rng: combo(win, "activationCombo").setCurrentIndex(rng.randrange(len(ACTIVATIONS))),
        lambda rng: combo(win, "biasSchemeCombo").setCurrentIndex(
            rng.randrange(combo(win, "biasSchemeCombo").count())),
        lambda rng: combo(win, "sourceCombo").setCurrentIndex(
            rng.randrange(combo(win, "sourceCombo").count())),
        lambda rng: combo(win, "lossCombo").setCurrentIndex(rng.randrange(2)),
        lambda rng: set_param(rng, controls.scheme_params),
        lambda rng: set_param(rng, controls.activation_params),
        lambda rng: set_param(rng, controls.bias_params),
        lambda rng: spin(win, "depthSpin").setValue(extreme_int(rng, spin(win, "depthSpin"),
                                                                [1, 2, 3, 5, 8])),
        lambda rng: spin(win, "widthSpin").setValue(extreme_int(rng, spin(win, "widthSpin"),
                                                                [1, 2, 7, 16])),
        lambda rng: spin(win, "inputWidthSpin").setValue(rng.choice([1, 2, 3, 16, 16384])),
        lambda rng: spin(win, "outputWidthSpin").setValue(rng.choice([1, 2, 3, 10])),
        lambda rng: spin(win, "batchSpin").setValue(extreme_int(rng, spin(win, "batchSpin"),
                                                                [1, 2, 9, 32])),
        lambda rng: spin(win, "seedSpin").setValue(extreme_int(rng, spin(win, "seedSpin"),
                                                               [0, 1, rng.randrange(10**6)])),
        lambda rng: win.document.undo(),
        lambda rng: win.document.redo(),
    ]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_thousand_random_actions(qtbot, window, monkeypatch):
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", "24M")
    rng = random.Random(20261129)
    actions = monkey_actions(window)
    messages, failures = [], []
    window.statusBar().messageChanged.connect(messages.append)
    window.compute.computeFailed.connect(failures.append)
    computed = 0
    for step in range(1, ACTIONS + 1):
        rng.choice(actions)(rng)
        if step % 50 == 0:  # let the worker catch up, then check the newest setting won
            qtbot.waitUntil(lambda: not window.compute.busy, timeout=TIMEOUT)
            if window.timing_label.text() != "failed":
                drawn = window.dashboard.data.simulation.project
                assert drawn.compute_key() == window.project.compute_key(), step
                computed += 1
    assert computed >= 8
    assert not any(m.startswith("computation failed") for m in messages + failures), failures
    assert any("must be" in m for m in messages)  # invalid edits were refused and said so
    assert any(m.startswith("this project needs about") for m in failures)  # memory guard
    # end on a network that fits, then wait for the worker
    window.controls.width_spin.setValue(8)
    window.controls.batch_spin.setValue(16)
    window.controls.depth_spin.setValue(3)
    if window.project.widths[0] > 64:
        window.controls.input_spin.setValue(2 if window.project.source != "gaussian" else 64)
    qtbot.waitUntil(lambda: not window.compute.busy and window.dashboard.data is not None
                    and window.dashboard.data.simulation.project == window.project,
                    timeout=TIMEOUT)
    assert_consistent(window)


def assert_consistent(win):
    """The controls show what the project holds; the drawn simulation is the project's."""
    project = win.project
    assert combo(win, "schemeCombo").currentData() == project.scheme
    assert combo(win, "activationCombo").currentData() == project.activation
    assert combo(win, "biasSchemeCombo").currentData() == project.bias_scheme
    assert combo(win, "sourceCombo").currentData() == project.source
    assert combo(win, "lossCombo").currentData() == project.loss
    assert spin(win, "depthSpin").value() == project.depth
    if project.depth > 1:
        assert spin(win, "widthSpin").value() == project.widths[1]
    assert spin(win, "inputWidthSpin").value() == project.widths[0]
    assert spin(win, "outputWidthSpin").value() == project.widths[-1]
    assert win.controls.widths_table.widths() == project.widths
    assert spin(win, "batchSpin").value() == project.batch_size
    assert spin(win, "seedSpin").value() == min(project.seed, spin(win, "seedSpin").maximum())
    assert win.controls.scheme_params.values() == project.scheme_params
    assert win.controls.activation_params.values() == project.activation_params
    sim = win.dashboard.data.simulation
    assert sim.project == project
    assert [layer.fan_out for layer in sim.layers] == project.widths[1:]
    assert sim.inputs.shape == (project.batch_size, project.widths[0])
