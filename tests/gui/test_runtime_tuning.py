"""The window's process tuning (initviz._runtime): its computations yield a core to the GUI
thread, and the memory kept for the next update goes back once the window is quiet.

The priority and allocator checks run in a fresh interpreter: the tuning is process-wide,
and this test process must stay as a library user's would.
"""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from initviz.gui.workers import background

REPO = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values and glibc are Linux's")

WINDOW = r"""
import json, os, sys, threading, time
from initviz import _runtime
_runtime.apply_window()
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
from initviz.gui.workers.background import BackgroundTask

def nice(task):
    return os.getpriority(os.PRIO_PROCESS, task)

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def compute(_):
    import numpy as np
    started = []  # a thread the computation starts (LAPACK's, a library's) inherits it
    helper = threading.Thread(target=lambda: started.append(nice(threading.get_native_id())))
    helper.start()
    helper.join()
    # 400 MB in 8 MB arrays, below glibc's mmap threshold here, each followed by a small
    # one that outlives the call (as a result does): the freed space between them is kept
    arrays, pinned = [], []
    for _ in range(50):
        arrays.append(np.ones(1024 * 1024))
        pinned.append(np.ones(64))
    del arrays
    return {"worker": nice(threading.get_native_id()),
            "started": started,
            "everyone": {task: nice(int(task)) for task in os.listdir("/proc/self/task")},
            "rss_after_mb": rss_mb(), "pinned": pinned}

seen = {"gui": nice(threading.get_native_id()), "gui_id": str(threading.get_native_id()),
        "rss_before_mb": rss_mb()}
task = BackgroundTask(compute, "test")

kept_alive = []

def finished(result):
    kept_alive.append(result.pop("pinned"))
    seen.update(result)
    started = time.monotonic()
    def poll():  # the release comes on its own, a moment after the computation
        if rss_mb() < seen["rss_after_mb"] - 300 or time.monotonic() - started > 20:
            seen["rss_quiet_mb"] = rss_mb()
            app.quit()
    timer.timeout.connect(poll)
    timer.start(50)

timer = QtCore.QTimer()
task.resultReady.connect(finished)
task.request(1)
app.exec()
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def window_process():
    done = subprocess.run([sys.executable, "-c", WINDOW], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@linux_only
def test_computing_threads_run_below_the_gui_thread(window_process):
    """A drawing gets a contended core before a computation (nice values, Linux)."""
    from initviz import _runtime

    lowered = min(window_process["gui"] + _runtime.WORKER_NICE, 19)
    assert window_process["worker"] == lowered  # the view's QThread
    assert window_process["started"] == [lowered]  # a thread the computation started
    others = {task: value for task, value in window_process["everyone"].items()
              if task != window_process["gui_id"]}
    assert set(others.values()) == {lowered}  # BLAS's threads too
    assert window_process["everyone"][window_process["gui_id"]] == window_process["gui"]


@linux_only
def test_memory_kept_for_the_next_update_goes_back_when_the_window_is_quiet(window_process):
    """400 MB freed by a computation is kept at first (the next update reuses it) and
    handed back once nothing computes: RSS follows the work, not its high-water mark."""
    kept = window_process["rss_after_mb"] - window_process["rss_before_mb"]
    assert kept > 300
    assert window_process["rss_quiet_mb"] < window_process["rss_after_mb"] - 300


def test_memory_is_released_when_no_computation_runs(qtbot, monkeypatch):
    """A view that finishes while another still computes (a drag on one, a slow pass on
    the other) releases nothing, unless the last release is RELEASE_EVERY_S old: the
    running one would fault its memory back in."""
    released = []
    monkeypatch.setattr(background._runtime, "release_kept_memory", lambda: released.append(1))
    monkeypatch.setattr(background, "_released_at", time.monotonic())
    gate = threading.Event()
    slow = background.BackgroundTask(lambda _: gate.wait(20), "slow")
    quick = background.BackgroundTask(lambda _: 1, "quick")
    try:
        slow.request(1)
        qtbot.waitUntil(lambda: slow._running, timeout=5000)
        with qtbot.waitSignal(quick.resultReady, timeout=5000):
            quick.request(1)
        background._release_if_quiet()  # the quiet timer firing now
        assert released == []
        with qtbot.waitSignal(slow.resultReady, timeout=20000):
            gate.set()
        assert background._release_timer.isActive()  # counting the quiet from the last end
        background._release_if_quiet()
        assert released == [1]
    finally:
        gate.set()
        slow.shutdown()
        quick.shutdown()


@linux_only
def test_computations_without_a_pause_still_release_now_and_then(qtbot, monkeypatch):
    """A stream of computations with no quiet moment (a class clicking through lessons)
    releases the kept memory once RELEASE_EVERY_S has passed, so RSS cannot only grow."""
    released = []
    monkeypatch.setattr(background._runtime, "release_kept_memory", lambda: released.append(1))
    monkeypatch.setattr(background, "_released_at", time.monotonic())
    task = background.BackgroundTask(lambda _: 1, "stream")
    try:
        with qtbot.waitSignal(task.resultReady, timeout=5000):
            task.request(1)
        assert released == []  # the last release is recent
        background._released_at -= background.RELEASE_EVERY_S
        with qtbot.waitSignal(task.resultReady, timeout=5000):
            task.request(2)
        assert released == [1]
    finally:
        task.shutdown()


@linux_only
def test_without_the_window_tuning_computations_keep_their_priority(qtbot, monkeypatch):
    """A notebook using the views (no ``apply_window``): its computations run at the
    caller's priority."""
    from initviz import _runtime

    monkeypatch.setattr(_runtime, "_worker_nice", None)  # as in a process never tuned
    task = background.BackgroundTask(
        lambda _: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), "plain")
    try:
        with qtbot.waitSignal(task.resultReady, timeout=5000) as result:
            task.request(1)
        assert result.args == [os.getpriority(os.PRIO_PROCESS, threading.get_native_id())]
    finally:
        task.shutdown()


CONVOY = r"""
import json, statistics, sys, threading, time
default = sys.getswitchinterval()
from initviz import _runtime
_runtime.apply_window()
tuned = sys.getswitchinterval()
import numpy as np
from initviz.core import phase
from initviz.core.activations import resolve_activation

stop = threading.Event()

def compute():  # the Theory tab's solver: Python and small NumPy calls, all holding the GIL
    _runtime.lower_this_thread()
    tanh = resolve_activation("tanh")
    while not stop.is_set():
        phase.critical_weight_var(tanh, {}, np.linspace(0.0, 0.5, 41), 0.05, 4.0)

def callbacks():
    # a paint: Qt's C++ (which runs without the GIL) calling into Python a hundred times
    started = time.perf_counter()
    for _ in range(100):
        time.sleep(0.0001)
        sum(range(100))
    return time.perf_counter() - started

worker = threading.Thread(target=compute)
worker.start()
time.sleep(0.2)
times = {}
for interval in (default, tuned) * 3:
    sys.setswitchinterval(interval)
    times.setdefault(interval, []).append(callbacks())
stop.set()
worker.join()
print(json.dumps({"default": default, "tuned": tuned,
                  "default_s": statistics.median(times[default]),
                  "tuned_s": statistics.median(times[tuned])}))
"""


def test_a_computation_in_python_holds_a_paint_back_one_short_switch_at_a_time():
    """While a computing thread runs Python, each of the GUI thread's returns to Python
    waits for the GIL's switch interval: the window's is a tenth of Python's 5 ms, so a
    paint that calls into Python a hundred times comes through several times sooner. A
    library user's interpreter keeps Python's own interval (test_process_untouched)."""
    from initviz import _runtime

    done = subprocess.run([sys.executable, "-c", CONVOY], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["default"] == pytest.approx(0.005)
    assert seen["tuned"] == pytest.approx(_runtime.SWITCH_INTERVAL_S) and seen["tuned"] <= 0.001
    # each of 100 returns waits up to a whole interval: ~0.5 s at 5 ms, well under at 0.5 ms
    assert seen["tuned_s"] < 0.5 * seen["default_s"], seen


ARENAS = r"""
import json, sys, threading
from initviz import _runtime
_runtime.apply_window()
import numpy as np
from initviz.core import memory

def anonymous_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon")) / 1024

kept = []

def update():  # a computing thread's update: arrays of 1-3 MB, a few alive at a time
    alive = []
    for i in range(60):
        alive.append(np.ones(1024 * 1024 // 8 * (1 + i % 3)))
        if len(alive) > 10:
            alive.pop(0)
    kept.append(np.ones(64))  # its result outlives it

before = anonymous_mb()
for _ in range(4):
    thread = threading.Thread(target=update)
    thread.start()
    thread.join()
memory.release_freed_memory()  # what the window does once it is quiet
print(json.dumps({"kept_mb": anonymous_mb() - before}))
"""


@linux_only
def test_memory_a_computing_thread_freed_goes_back_when_the_window_is_quiet():
    """Four updates on threads of their own free everything but a small result; once the
    window is quiet (malloc_trim) RSS is back where it was. A thread with its own malloc
    arena kept over 20 MB of it for good, out of malloc_trim's reach."""
    done = subprocess.run([sys.executable, "-c", ARENAS], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["kept_mb"] < 4.0
