"""One soak window: initviz's MainWindow driven by a seeded random action loop.

Started by ``bench/soak.py`` (two at once, on one data folder, killed with SIGKILL now and
then). It starts like ``initviz`` does (``_runtime``, the app, the window, autosave and the
offer to restore a crashed window's work) and then acts at random (``soak_actions``) until
``--until``. Everything it sees goes to ``--log`` as JSON lines, flushed at once so that a
kill loses at most the line being written:

- ``started``: pid, autosave instance and folder; ``offered``/``restored``: what the offer to
  restore held and what the window shows after it;
- ``exception`` (sys.excepthook, threading.excepthook, an action that raised), ``warning``
  (every Python warning, not only the first of each place), ``qt`` (Qt's warnings and errors),
  ``dialog`` (a modal dialog, closed by ``DialogWatcher``), ``stall`` (a gap in a 20 ms
  heartbeat over ``STALL_MS``, with the action before it, the GUI thread's and the whole
  process's CPU time in the gap, the time the GUI thread sat queued for a core, and its
  stack sampled during it: a GUI thread that computed, one that waited for the worker
  threads (the GIL), and one the machine did not run tell apart);
- ``stats`` every 2 s: cumulative action counts, the heartbeat gaps as a histogram, RSS, and
  per action its longest synchronous run and the RSS it added;
- ``reference``: RSS, malloc in use and Python's object count at the reference project
  (``ReferenceProbe``), once after ``--probe-after`` seconds and once before the end, after
  the same steps: what a leak adds between the two, at the same memory in use. With
  INITVIZ_SOAK_TRACEMALLOC set, ``held_since_warm_up`` at the end lists the largest
  allocations made after the first probe and still held (tracemalloc; NumPy's arrays too).

Usage: python bench/soak_window.py --log LOG --projects DIR --seed N --until EPOCH
    [--probe-after SECONDS]
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import random
import sys
import threading
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the initviz next to this bench/, as `make` runs it
sys.path.insert(1, str(HERE))

HEARTBEAT_MS = 20
STALL_MS = 200
STATS_EVERY_S = 2.0
HANG_S = 5.0
"""A GUI thread this long without a tick is logged from the watchdog thread, with its stack."""
RSS_JUMP_KB = 50 * 1024
"""RSS growth between two actions that is logged with the project that caused it."""
QT_NOISE = ("This plugin does not support propagateSizeHints()",)
REFERENCE = {
    "name": "soak reference",
    "network": {"widths": [64, 128, 128, 128, 10], "activation": "tanh"},
    "init": {"scheme": "xavier_normal"},
    "data": {"batch_size": 256, "seed": 7},
}
"""The project each window measures its memory at, at warm-up and at the end."""
END_PROBE_S = 30.0
"""The end's reference probe starts this long before ``--until`` (it waits for every tab)."""
PROBE_IDLE_MS = 600
"""A tab counts as done once nothing has computed or drawn for this long."""
PROBE_TIMEOUT_S = 80.0
"""A probe that has not finished by then is logged as timed out (the soak waits 60 s past
the end for a window to close)."""


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def rss_split_kb() -> dict:
    """RSS as anonymous memory (the heap, arenas, stacks: where a leak lands) and pages of
    files (libraries' code, paged in as new code paths run, dropped by the kernel at will)."""
    split = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(("RssAnon:", "RssFile:", "RssShmem:")):
                    name, value = line.split()[:2]
                    split[name[3:-1].lower()] = int(value)
    except (OSError, ValueError):
        pass
    return split


def anonymous_by_kind_kb() -> dict:
    """Anonymous RSS by the kind of mapping (/proc/self/smaps): the main heap, thread stacks
    (8 MB mappings), glibc's per-thread malloc arenas (64 MB reservations), and the rest
    (Python's 1 MB object arenas, large arrays, libraries' own mmaps) by size."""
    kinds = Counter()
    try:
        with open("/proc/self/smaps") as smaps:
            size = name = None
            for line in smaps:
                head = line.split()
                if "-" in head[0] and len(head) >= 5:  # a mapping's first line
                    low, high = (int(x, 16) for x in head[0].split("-"))
                    size, name = (high - low) // 1024, head[5] if len(head) > 5 else ""
                elif head[0] == "Anonymous:" and int(head[1]):
                    if name == "[heap]":
                        kind = "heap"
                    elif name.startswith("["):
                        kind = name
                    elif name:
                        kind = "files' private pages"
                    elif size in (8192, 8196):
                        kind = "thread stacks"
                    elif size >= 60 * 1024:
                        kind = "malloc arenas / large mmaps"
                    elif size <= 1028:
                        kind = "mmaps up to 1 MB (Python's arenas)"
                    else:
                        kind = "other mmaps"
                    kinds[kind] += int(head[1])
    except (OSError, ValueError, IndexError):
        pass
    return dict(kinds)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_kb() -> int | None:
    """Bytes malloc has handed out and not had back (glibc's mallinfo2), in kB; None elsewhere.

    RSS keeps the largest update's memory on purpose (``_runtime``: freed blocks are kept
    for reuse); what is in use tells a leak from that high-water mark.
    """
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return (info.uordblks + info.hblkhd) // 1024


def queued_s() -> float:
    """Seconds the calling thread has waited for a core while it could run (Linux schedstat;
    0 elsewhere): a stall the GUI thread spent queued is the scheduler's, one it spent neither
    on a core nor queued it spent waiting (for the GIL, a lock or a worker)."""
    try:
        with open("/proc/thread-self/schedstat") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def compact(widths: list[int]) -> str:
    return f"{widths[0]}→{max(widths[1:-1], default=0)}×{len(widths) - 2}→{widths[-1]}"


def worker_stacks() -> list[str]:
    """What the other threads are running in initviz now: the work that grows the memory."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        if ident == threading.main_thread().ident:
            continue
        stack = [f for f in traceback.extract_stack(frame) if "initviz" in f.filename]
        if stack:
            found.append(f"{names.get(ident, ident)}: " + " < ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack[-5:])))
    return found


class Log:
    """JSON lines, one write and flush each: a SIGKILL cuts at most the last line."""

    def __init__(self, path: str):
        self.file = open(path, "a", buffering=1, encoding="utf-8")
        self.started = time.time()

    def __call__(self, event: str, **fields) -> None:
        fields.update(event=event, t=round(time.time() - self.started, 3))
        self.file.write(json.dumps(fields, default=str) + "\n")
        self.file.flush()


def install_recorders(log: Log, state: dict) -> None:
    """Exceptions, warnings and Qt messages are logged (and still printed to stderr)."""

    def on_exception(kind, value, tb, where="excepthook"):
        text = "".join(traceback.format_exception(kind, value, tb))
        log("exception", where=where, action=state.get("action"), text=text)
        sys.__stderr__.write(text)

    sys.excepthook = on_exception
    threading.excepthook = lambda a: on_exception(
        a.exc_type, a.exc_value, a.exc_traceback, f"thread {a.thread and a.thread.name}")
    state["on_exception"] = on_exception

    def on_warning(message, category, filename, lineno, file=None, line=None):
        log("warning", category=category.__name__, message=str(message),
            where=f"{filename}:{lineno}", action=state.get("action"))
        sys.__stderr__.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.simplefilter("always")
    warnings.showwarning = on_warning
    from PySide6 import QtCore

    def on_qt_message(mode, context, message):
        if message in QT_NOISE:
            return
        if mode != QtCore.QtMsgType.QtDebugMsg and mode != QtCore.QtMsgType.QtInfoMsg:
            log("qt", kind=str(mode).rsplit(".", 1)[-1], message=message,
                action=state.get("action"))
        sys.__stderr__.write(message + "\n")

    QtCore.qInstallMessageHandler(on_qt_message)


class DialogWatcher:
    """Closes every modal dialog that opens (a nested event loop keeps timers running) and logs
    it. The offer to restore gets its default button (Yes: the soak checks what comes back);
    other message boxes a random one of theirs (Unsaved changes: Save, Discard or Cancel);
    other dialogs are rejected."""

    def __init__(self, log: Log, state: dict, rng: random.Random):
        from PySide6 import QtCore

        self.log, self.state, self.rng = log, state, rng
        self.timer = QtCore.QTimer(interval=50)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        from PySide6 import QtWidgets

        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            return
        title = dialog.windowTitle()
        text = dialog.text() if isinstance(dialog, QtWidgets.QMessageBox) else ""
        self.log("dialog", kind=type(dialog).__name__, title=title, text=text,
                 action=self.state.get("action"))
        if isinstance(dialog, QtWidgets.QMessageBox) and dialog.buttons():
            default = dialog.defaultButton()
            restore = title.startswith("Restore") and default is not None
            choices = [b for b in dialog.buttons() if not (
                self.state.get("closing")  # at the end the user saves or discards, then quits
                and dialog.buttonRole(b) == QtWidgets.QMessageBox.RejectRole)]
            (default if restore else self.rng.choice(choices or dialog.buttons())).click()
        elif isinstance(dialog, QtWidgets.QDialog):
            dialog.reject()
        else:
            dialog.close()


class Heartbeat:
    """A 20 ms timer; a late tick is time the GUI thread could not answer a user."""

    def __init__(self, log: Log, state: dict):
        from PySide6 import QtCore

        self.log, self.state = log, state
        self.samples = []  # the GUI thread's stack, taken while a tick is late
        self.worker_samples = []  # what the other threads ran meanwhile (the GIL's holder?)
        self.main = threading.main_thread().ident
        threading.Thread(target=self._watch, name="soak-watchdog", daemon=True).start()
        self.gaps = Counter()  # whole ms of lateness -> ticks
        self.worst = 0.0
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.last_process, self.last_queued = time.process_time(), queued_s()
        self.timer = QtCore.QTimer(interval=HEARTBEAT_MS, timerType=QtCore.Qt.PreciseTimer)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        now, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
        queued = queued_s()
        late = max(0.0, (now - self.last) * 1000.0 - HEARTBEAT_MS)
        if self.state.pop("harness_gap", False):  # the probe's own gc.collect: not the app's
            self.log("harness_gap", ms=round(late, 1))
            late = 0.0
        self.gaps[int(late)] += 1
        self.worst = max(self.worst, late)
        if late > STALL_MS:
            at = self.state.get("action_at")
            self.log("stall", ms=round(late, 1), gui_cpu_ms=round((cpu - self.last_cpu) * 1e3, 1),
                     process_cpu_ms=round((process - self.last_process) * 1e3, 1),
                     gui_queued_ms=round((queued - self.last_queued) * 1e3, 1),
                     action=self.state.get("action"), tab=self.state.get("tab"),
                     project=self.state.get("project"),
                     since_action_ms=round((now - at) * 1000.0) if at else None,
                     stacks=self.samples[:4], workers=self.worker_samples[:4])
        self.samples, self.worker_samples = [], []
        self.last, self.last_cpu, self.last_process = now, cpu, process
        self.last_queued = queued

    def _watch(self) -> None:
        """Where the GUI thread is while a tick is late: its Python stack every 100 ms (a stack
        that ends in ``app.exec`` means Qt itself is busy: painting, layout)."""
        hung = None
        while True:
            time.sleep(0.1)
            waited = time.perf_counter() - self.last
            frame = sys._current_frames().get(self.main) if waited > 0.15 else None
            if frame is None:
                hung = None
                continue
            stack = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                               for f in reversed(traceback.extract_stack(frame)[-8:]))
            if len(self.samples) < 8:
                self.samples.append(stack)
                self.worker_samples.append(" | ".join(worker_stacks()))
            if waited > HANG_S and hung != self.last:  # it may never tick again: say it now
                hung = self.last
                self.log("hang", waited_s=round(waited, 1), stack=stack,
                         action=self.state.get("action"), project=self.state.get("project"))


class ReferenceProbe:
    """RSS and malloc in use at one fixed project, after the same steps each time.

    Memory in use follows what the window shows (each tab keeps its latest results), so two
    samples at different projects cannot tell a leak from a larger project. The probe
    pauses the random actions, empties the cache of unit draws (bounded at 128 MB, it fills
    as projects come and go: after this it holds the reference's draws alone), loads
    REFERENCE (no question asked: the soak's work is expendable), visits every tab in order
    until it has computed and drawn, comes back to the first, collects Python's garbage and
    returns the freed memory glibc keeps (``malloc_trim``, on a thread as the window does),
    then logs a ``reference`` event.
    """

    def __init__(self, window, log: Log, state: dict):
        from PySide6 import QtCore

        self.window, self.log, self.state = window, log, state
        self.timer = QtCore.QTimer(interval=100)
        self.timer.timeout.connect(self._poll)
        self.steps, self.phase, self.done, self.started = [], "", None, 0.0

    def run(self, phase: str, done) -> None:
        from initviz.core import draws
        from initviz.project import Project

        self.state["probing"] = phase
        self.phase, self.done, self.started = phase, done, time.time()
        window = self.window
        for view in window.teaching_views:  # the Training tab stops playing
            if getattr(view, "playing", False):
                view.set_playing(False)
        draws.SHARED.clear()
        window.document.load(Project(REFERENCE))
        tabs = list(range(window.tabs.count()))
        self.steps = [("tab", index) for index in tabs + [0]] + [("trim", None)]
        self._next()

    def _next(self) -> None:
        self.step, self.arg = self.steps.pop(0)
        self.idle_since = None
        if self.step == "tab":
            self.window.tabs.setCurrentIndex(self.arg)
        else:
            self.state["harness_gap"] = True
            gc.collect()
            self.trimmer = threading.Thread(target=_trim, name="soak-trim")
            self.trimmer.start()
        self.timer.start()

    def _idle(self) -> bool:
        from initviz.gui.workers import background

        if any(owner.busy for owner in list(background._COMPUTING)):
            return False
        grids = [getattr(view, "grid", None) for view in self.window.teaching_views]
        grids.append(self.window.dashboard.grid)
        return not any(getattr(grid, "drawing", False) for grid in grids)

    def _poll(self) -> None:
        now = time.time()
        if self.step == "trim":
            if self.trimmer.is_alive():
                return
            self._finish(timed_out=False)
            return
        if not self._idle():
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        if now - self.started > PROBE_TIMEOUT_S:
            self._finish(timed_out=True)
        elif self.idle_since is not None and now - self.idle_since >= PROBE_IDLE_MS / 1000:
            self.timer.stop()
            self._next()

    def _finish(self, timed_out: bool) -> None:
        import tracemalloc

        from initviz.core import draws

        self.timer.stop()
        if os.environ.get("INITVIZ_SOAK_TRACEMALLOC") and self.phase == "warm":
            tracemalloc.start(12)  # what is allocated from here on and still held at the end
        elif tracemalloc.is_tracing():
            grown = tracemalloc.take_snapshot().statistics("traceback")[:12]
            self.log("held_since_warm_up", top=[
                {"kb": stat.size // 1024, "count": stat.count,
                 "where": [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback][-6:]}
                for stat in grown])
        split = rss_split_kb()
        self.log("reference", phase=self.phase, rss_kb=rss_kb(), heap_kb=heap_kb(),
                 anon_kb=split.get("anon"), file_kb=split.get("file"),
                 anon_by_kind_kb=anonymous_by_kind_kb(), threads=threading.active_count(),
                 draw_cache_kb=draws.SHARED._bytes // 1024,
                 objects=len(gc.get_objects()), took_s=round(time.time() - self.started, 1),
                 timed_out=timed_out)
        self.state["probing"] = None
        self.done()


def _trim() -> None:
    from initviz.core import memory

    memory.release_freed_memory()


class Soak:
    """The action loop and the periodic stats of one window."""

    def __init__(self, window, log: Log, state: dict, rng: random.Random, until: float,
                 probe_after: float):
        import soak_actions
        from PySide6 import QtCore

        self.window, self.log, self.state, self.rng, self.until = window, log, state, rng, until
        self.probe = ReferenceProbe(window, log, state)
        self.probe_at = {"warm": time.time() + probe_after, "end": until - END_PROBE_S}
        self.table = soak_actions.actions(window)
        self.choose = soak_actions.choose
        self.counts = Counter()
        self.longest = defaultdict(float)  # action -> longest synchronous run, ms
        self.rss_added = defaultdict(int)  # action -> kB of RSS growth until the next action
        self.heartbeat = Heartbeat(log, state)
        self.rss = rss_kb()
        self.timer = QtCore.QTimer(singleShot=True)
        self.timer.timeout.connect(self.act)
        self.stats_timer = QtCore.QTimer(interval=int(STATS_EVERY_S * 1000))
        self.stats_timer.timeout.connect(self.stats)
        self.stats_timer.start()
        self.timer.start(500)

    def act(self) -> None:
        if time.time() >= self.until:
            self.finish()
            return
        due = [phase for phase, at in self.probe_at.items() if time.time() >= at]
        if due:  # no random action while the reference project is measured
            phase = due[0]
            del self.probe_at[phase]
            if phase == "end":
                self.probe_at.pop("warm", None)  # too late for one: the end's has no pair
            self.probe.run(phase, lambda: self.timer.start(100))
            return
        rss = rss_kb()
        if self.state.get("action"):
            self.rss_added[self.state["action"]] += rss - self.rss
            if rss - self.rss > RSS_JUMP_KB:
                project = self.window.project
                self.log("rss_jump", mb=round((rss - self.rss) / 1024), rss_mb=rss // 1024,
                         action=self.state["action"], tab=self.state.get("tab"),
                         widths=compact(project.widths), batch=project.batch_size,
                         workers=worker_stacks())
        self.rss = rss
        name = self.choose(self.table, self.rng)
        self.state.update(action=name, action_at=time.perf_counter())
        started = time.perf_counter()
        try:
            self.table[name][1](self.rng)
        except Exception:  # every exception is a finding: log it, go on
            self.state["on_exception"](*sys.exc_info(), where=f"action {name}")
        self.longest[name] = max(self.longest[name], (time.perf_counter() - started) * 1000.0)
        self.counts[name] += 1
        self.state["tab"] = self.window.tabs.tabText(self.window.tabs.currentIndex())
        project = self.window.project
        self.state["project"] = (f"{project.scheme} {project.activation} "
                                 f"{compact(project.widths)} batch {project.batch_size}")
        self.timer.start(self.rng.randint(30, 400))

    def stats(self) -> None:
        self.log("stats", actions=sum(self.counts.values()), counts=dict(self.counts),
                 rss_kb=rss_kb(), heap_kb=heap_kb(),
                 gaps={str(k): v for k, v in self.heartbeat.gaps.items()},
                 worst_ms=round(self.heartbeat.worst, 1),
                 longest_ms={k: round(v, 1) for k, v in self.longest.items()},
                 rss_added_kb=dict(self.rss_added))

    def finish(self) -> None:
        """The soak's end: close as a user would, saving or discarding (``run_app``'s order)."""
        from PySide6 import QtWidgets

        self.stats()
        self.state["closing"] = True
        closed = self.window.close()
        self.window.autosave.clean_exit()
        self.log("exit", rss_kb=rss_kb(), closed=closed)
        QtWidgets.QApplication.instance().exit(0)  # not quit(): that asks every window again


def start_window(log: Log, state: dict):
    """The app as ``initviz`` opens it, plus what the offer to restore held."""
    from initviz.gui.app import ensure_application

    app = ensure_application()
    from initviz.gui import theme
    from initviz.gui.actions.autosave import AutosaveController, owner_alive
    from initviz.gui.main_window import MainWindow

    theme.apply_to_application(app, theme.NORMAL)
    window = MainWindow()
    window.show()
    # kept alive here: it answers the offer to restore, below
    state["watcher"] = DialogWatcher(log, state, random.Random(state["seed"]))
    controller = AutosaveController(window.document)  # as window.start_autosave, in two halves
    window.autosave = controller
    store = controller.store
    log("started", pid=os.getpid(), instance=store.instance, folder=str(store.folder),
        autosave=str(store.autosave_path), locked=controller._lock is not None)
    pending = store.pending(owner_alive)
    if pending is not None:
        log("offered", autosave=str(pending.autosave), project=pending.project.to_dict(),
            source=str(pending.source) if pending.source else None)
    restored = controller.offer_restore()
    log("restored", restored=restored, project=window.project.to_dict())
    return app, window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--projects", required=True, help="the shared folder of project files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--until", type=float, required=True, help="stop at this time.time()")
    parser.add_argument("--probe-after", type=float, default=40.0,
                        help="seconds into the window's life of the first reference probe")
    args = parser.parse_args()
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1)  # soak.py asks for every thread's stack on a hang
    from initviz import _runtime

    _runtime.apply_window()  # as `initviz` does, before NumPy loads
    log, state = Log(args.log), {"seed": args.seed}
    install_recorders(log, state)
    rng = random.Random(args.seed)
    import soak_actions

    soak_actions.FileDialogs(Path(args.projects), rng).install()
    app, window = start_window(log, state)
    soak = Soak(window, log, state, rng, args.until, args.probe_after)  # noqa: F841 - kept alive by the loop
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
