"""Python's cyclic garbage collector runs in the GUI thread only.

CPython collects cycles in whichever thread happens to allocate when a threshold
is crossed. When that is a compute thread and the garbage holds a Qt object (a
closed window caught in a reference cycle), the object is destroyed outside the
GUI thread, and Qt deadlocks: the compute thread waits for the GIL inside
QObject's destructor while the GUI thread waits for that object's mutex (seen in
this project's test suite). pyqtgraph's GarbageCollector turns automatic
collection off and collects on a timer in the GUI thread instead.
"""
from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 1.0
_collector: GarbageCollector | None = None


def collect_in_gui_thread() -> GarbageCollector:
    """Install the collector once; call from the GUI thread before starting a worker thread."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_S)
    return _collector
