"""The compute worker: newest request wins, stale results are dropped, failures are reported."""
import threading

import pytest

from initviz.gui.workers import compute
from initviz.project import Project


def _project(width, batch=64):
    return Project({"network": {"widths": [32, width, width, 10]}, "data": {"batch_size": batch}})


def _widths_drawn(qtbot, monkeypatch, supersede: bool) -> tuple[list[int], int]:
    gate, real = threading.Event(), compute.compute

    def first_one_slow(snapshot):  # still running when the next ones come, however fast
        if snapshot.widths[1] == 600:
            gate.wait(20)
        return real(snapshot)

    monkeypatch.setattr(compute, "compute", first_one_slow)
    controller = compute.ComputeController(debounce_ms=1)
    results = []
    controller.resultReady.connect(results.append)
    try:
        controller.request(_project(600, batch=512))
        qtbot.waitUntil(lambda: controller._running, timeout=5000)
        for width in (20, 21, 22):
            controller.request(_project(width), supersede=supersede)
        gate.set()
        qtbot.waitUntil(lambda: not controller.busy and len(results) >= 1 + (not supersede),
                        timeout=20000)
        return [r.simulation.project.widths[1] for r in results], controller.generation
    finally:
        gate.set()
        controller.shutdown()


def test_edits_during_a_computation_are_coalesced_into_the_newest(qtbot, monkeypatch):
    """A drag: the running result is drawn, 20 and 21 are never computed, 22 comes last."""
    widths, computed = _widths_drawn(qtbot, monkeypatch, supersede=False)
    assert widths == [600, 22]
    assert computed == 2


def test_a_replaced_project_drops_the_running_result(qtbot, monkeypatch):
    """A file opened mid-computation: the old project's result is never drawn."""
    widths, computed = _widths_drawn(qtbot, monkeypatch, supersede=True)
    assert widths == [22]
    assert computed == 2


def test_failure_reaches_the_caller_not_a_crash(qtbot, monkeypatch):
    def out_of_memory(snapshot):
        raise MemoryError

    monkeypatch.setattr(compute, "compute", out_of_memory)
    controller = compute.ComputeController(debounce_ms=1)
    try:
        with qtbot.waitSignal(controller.computeFailed, timeout=5000) as blocker:
            controller.request(_project(8))
        assert "not enough memory" in blocker.args[0]
    finally:
        controller.shutdown()


def test_window_shows_worker_errors_in_status_bar(qtbot, window, monkeypatch):
    monkeypatch.setattr(compute, "compute", lambda snapshot: 1 / 0)
    with qtbot.waitSignal(window.compute.computeFailed, timeout=5000):
        window.document.edit({"data.seed": 5})
    assert "ZeroDivisionError" in window.statusBar().currentMessage()


def test_closing_during_computation_exits_cleanly(qtbot, small_project, monkeypatch):
    from initviz.gui import MainWindow

    started, closing, real = threading.Event(), threading.Event(), compute.compute

    def wide_one_runs_until_closed(snapshot):
        if snapshot.widths[1] == 700:
            started.set()
            closing.wait(20)
        return real(snapshot)

    monkeypatch.setattr(compute, "compute", wide_one_runs_until_closed)
    win = MainWindow(small_project)
    qtbot.addWidget(win)
    shutdown = win.compute.shutdown
    monkeypatch.setattr(win.compute, "shutdown", lambda: closing.set() or shutdown())
    win.document.edit({"network.widths": [32, 700, 700, 700, 10], "data.batch_size": 700})
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert win.close()  # waits for the 700-wide computation, then stops the thread
    assert closing.is_set() and not win.compute._thread.isRunning()


def test_the_thread_waits_for_the_next_change_then_stops_when_idle(qtbot):
    """During a drag the thread is kept (starting one per change cost 1-3 ms); an idle
    controller holds no running thread."""
    controller = compute.ComputeController()
    controller._idle.setInterval(50)
    try:
        with qtbot.waitSignal(controller.resultReady, timeout=5000):
            controller.request(_project(16))
        thread = controller._thread
        assert thread.isRunning()  # ready for the next change
        with qtbot.waitSignal(controller.resultReady, timeout=5000):
            controller.request(_project(17))
        assert controller._thread is thread  # the same thread, not a new one
        qtbot.waitUntil(lambda: not thread.isRunning(), timeout=5000)
        with qtbot.waitSignal(controller.resultReady, timeout=5000):
            controller.request(_project(18))  # and it starts again when needed
    finally:
        controller.shutdown()


def test_small_networks_compute_on_one_blas_thread_and_leave_the_setting_as_it_was(
        monkeypatch):
    from threadpoolctl import threadpool_info

    from initviz.core import network

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    if not before or before == [1]:
        pytest.skip(f"no BLAS with several threads to limit here ({before})")
    seen = []
    real = network.simulate
    monkeypatch.setattr(network, "simulate", lambda p, **kw: seen.append(
        blas_threads()) or real(p, **kw))
    small = _project(16)
    assert compute.matmul_flops(small) == 6 * 64 * (32 * 16 + 16 * 16 + 16 * 10)
    compute.compute(small)
    libraries = seen[-1]
    assert libraries and all(n == 1 for n in libraries)  # the other core draws
    large = Project({"network": {"widths": [2048] * 4}, "data": {"batch_size": 1024}})
    assert compute.matmul_flops(large) > compute.ONE_BLAS_THREAD_FLOPS
    assert compute.blas_threads(large) is None  # both cores: the products dominate
    assert blas_threads() == before
