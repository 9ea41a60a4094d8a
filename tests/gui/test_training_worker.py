"""The Training tab's worker: the one background mechanism, its thread kept while playing,
the Trainer's memory promise held for as long as the Trainer is kept."""
import gc

from initviz.core import ledger
from initviz.gui.views.training import TrainingView
from initviz.gui.workers.background import IDLE_STOP_MS
from initviz.project import Project

TIMEOUT = 30000


def moons(learning_rate=0.1) -> Project:
    return Project({
        "network": {"widths": [2, 16, 16, 2], "activation": "tanh"},
        "data": {"source": "moons", "batch_size": 32, "seed": 0},
        "training": {"optimizer": "sgd", "learning_rate": learning_rate},
    })


def open_view(qtbot, project) -> TrainingView:
    view = TrainingView(project=project)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.show()
    return view


def test_playing_keeps_one_thread_and_an_idle_view_stops_it(qtbot):
    """Starting and stopping a thread for every frame cost time and crashed now and then:
    the thread is started once, serves every frame, and stops only once nothing is asked."""
    view = open_view(qtbot, moons())
    thread = view.controller._thread
    starts = []
    thread.started.connect(lambda: starts.append(1))
    view.toolbar.speed_spin.setValue(2)
    view.set_playing(True)
    qtbot.waitUntil(lambda: view.step >= 40, timeout=TIMEOUT)  # 20 frames
    view.set_playing(False)
    qtbot.waitUntil(lambda: not view.controller.in_flight, timeout=TIMEOUT)
    assert view.controller._thread is thread and thread.isRunning() and starts == []
    qtbot.waitUntil(lambda: not thread.isRunning(), timeout=IDLE_STOP_MS + 5000)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT) as drawn:  # and starts again
        view.single_step()
    assert drawn.args == [view.step] and view.step % 2 == 0 and starts == [1]


def test_the_trainer_keeps_its_memory_promise_while_idle_and_a_reset_releases_it(qtbot):
    view = open_view(qtbot, moons())
    qtbot.waitUntil(lambda: not view.controller._thread.isRunning(),
                    timeout=IDLE_STOP_MS + 5000)
    trainer = view.controller.session.trainer
    first = trainer.memory
    assert first.nbytes > 0 and first._token in ledger._promised  # held by the idle tab
    del trainer
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT) as drawn:
        view.document.edit({"training.learning_rate": 0.05})  # a new project: a new trainer
    assert drawn.args == [0]
    gc.collect()  # the window collects on its GUI-thread timer; a test cannot wait for it
    assert first._token not in ledger._promised
    assert view.controller.session.trainer.memory._token in ledger._promised


def test_a_reset_drops_the_frame_of_the_steps_it_interrupts(qtbot):
    """Steps asked for before a reset must not land on the new, empty history."""
    view = open_view(qtbot, moons())
    frames = []
    view.controller.frameReady.connect(frames.append)
    view.toolbar.speed_spin.setValue(200)
    assert view.controller.advance(200)
    view.reset()
    qtbot.waitUntil(lambda: not view.controller.in_flight and bool(frames), timeout=TIMEOUT)
    assert [f.step for f in frames] == [0] and frames[0].reset
    assert view.step == 0 and len(view.history) == 0
