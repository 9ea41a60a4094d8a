"""The Training and Theory tabs refuse a project that would not fit, as the Layers tab does:
a message in the tab and the status bar, nothing computed, the project kept as it is."""
import pytest
from PySide6 import QtWidgets

from initviz.core import draws, footprint, jacobian, training
from initviz.gui.views.theory import TheoryView
from initviz.gui.views.training import TrainingView
from initviz.gui.workers import training as training_worker

TIMEOUT = 20000


def status(win) -> str:
    return win.statusBar().currentMessage()


def budget_between(monkeypatch, allowed: int, refused: int) -> None:
    """A budget that lets the first estimate through and refuses the second."""
    assert allowed < refused
    monkeypatch.setenv("INITVIZ_MEMORY_BUDGET", str((allowed + refused) // 2))


def layers_estimate(widths, batch) -> int:
    """What the Layers tab asks for: with the window's draw cache."""
    return footprint.simulation_bytes(widths, batch, "xavier_normal", draws.CACHE_BYTES)


@pytest.fixture
def recorded(monkeypatch):
    """Every Trainer the Training tab builds and every spectrum the Theory tab starts."""
    calls = []
    trainer, spectrum = training_worker.Trainer, jacobian.jacobian_spectrum

    def build(project, **kwargs):
        calls.append(("trainer", project.widths))
        return trainer(project, **kwargs)

    def compute(project, *args, **kwargs):
        calls.append(("spectrum", project.widths))
        return spectrum(project, *args, **kwargs)

    monkeypatch.setattr(training_worker, "Trainer", build)
    monkeypatch.setattr(jacobian, "jacobian_spectrum", compute)
    return calls


def test_the_training_tab_refuses_what_the_layers_tab_can_show(qtbot, window, monkeypatch,
                                                               recorded):
    view = window.findChild(TrainingView, "trainingView")
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(view)
    widths, batch = [32, 256, 256, 10], window.project.batch_size
    budget_between(monkeypatch, layers_estimate(widths, batch),
                   footprint.training_bytes(widths, batch, training.dataset_size(batch),
                                            "xavier_normal", held=1))
    recorded.clear()
    with qtbot.waitSignal(view.controller.failed, timeout=TIMEOUT) as failed:
        window.findChild(QtWidgets.QSpinBox, "widthSpin").setValue(256)
    message = failed.args[0]
    assert message.startswith("training this project needs about ")
    assert "of memory but only " in message and "make the hidden layers " in message
    assert message in view.status_label.text() and status(window) == message
    assert recorded == [] and view.controller.session.trainer is None  # nothing was built
    assert view.step == 0 and len(view.history) == 0 and not view.controller.in_flight
    assert window.project.widths == widths  # the edit is kept, for the user to change
    qtbot.waitUntil(  # while the Layers tab shows it
        lambda: window.dashboard.data.simulation.project.widths == widths, timeout=TIMEOUT)
    fits = int(message.split("make the hidden layers ")[1].split()[0])
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):  # the suggestion trains
        window.findChild(QtWidgets.QSpinBox, "widthSpin").setValue(fits)
    assert recorded == [("trainer", [32, fits, fits, 10])]


def test_the_theory_tab_refuses_and_keeps_its_last_result(qtbot, window, monkeypatch, recorded):
    view = window.findChild(TheoryView, "theoryView")
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(view)
    shown = view.result
    # wide inputs and outputs: J (n0 × nL per sample) costs more than the pass itself
    widths, batch = [512, 512, 512, 512], window.project.batch_size
    budget_between(monkeypatch, layers_estimate(widths, batch),
                   footprint.theory_bytes(widths, batch, "xavier_normal",
                                          jacobian.sample_count(widths)))
    recorded.clear()
    with qtbot.waitSignal(view.task.failed, timeout=TIMEOUT) as failed:
        window.document.edit({"network.widths": widths})
    message = failed.args[0]
    assert message.startswith("the theory of this project needs about ")
    assert message.endswith("use fewer, narrower layers and a smaller batch")  # J is n0 × nL
    assert message in view.summary.text() and status(window) == message
    assert recorded == []  # no spectrum started
    assert view.result is shown and window.project.widths == widths
    monkeypatch.delenv("INITVIZ_MEMORY_BUDGET")
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        window.document.edit({"network.widths": [32, 64, 64, 10]})
    assert recorded == [("spectrum", [32, 64, 64, 10])]
