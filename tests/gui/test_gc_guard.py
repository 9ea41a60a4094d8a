"""Cyclic garbage is collected in the GUI thread, never in a compute thread.

A closed window caught in a reference cycle and freed by the collector inside the
compute thread deadlocked the suite (Qt object destructor vs the GIL); the guard
turns automatic collection off and collects on a GUI-thread timer.
"""
import gc
import threading
import weakref

from initviz.gui import gc_guard
from initviz.gui.workers import compute


class Cycle:
    def __init__(self):
        self.me = self


def test_a_compute_controller_moves_collection_to_the_gui_thread(qtbot):
    controller = compute.ComputeController()
    try:
        collector = gc_guard.collect_in_gui_thread()
        assert collector is gc_guard.collect_in_gui_thread()  # one, process-wide
        assert not gc.isenabled() and collector.timer.isActive()
        freed_in = []
        for _ in range(2000):  # far past generation 0's threshold
            garbage = Cycle()
            weakref.finalize(garbage, lambda: freed_in.append(threading.current_thread().name))
            del garbage
        assert freed_in == []  # allocating collected nothing: no thread can free Qt objects
        collector.check()  # what its GUI-thread timer runs every second
        assert len(freed_in) == 2000 and set(freed_in) == {threading.main_thread().name}
    finally:
        controller.shutdown()
