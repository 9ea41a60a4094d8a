"""Stopping a long computation between its steps, when its caller asks.

NumPy cannot be interrupted inside a call: a window that waits for a 30-layer pass to
end before it closes waits seconds. So the core's loops (each layer of a pass, each
layer's draw, each step of training, of the Jacobian) call ``check_stop(should_stop)``
between calls; ``should_stop`` is any callable that turns true once the work is no longer
wanted (the window passes its thread's stop flag, gui.workers.background.stop_requested).
None, the default of every API function, never stops.
"""
from __future__ import annotations

from collections.abc import Callable

from initviz.errors import Cancelled

ShouldStop = Callable[[], bool] | None


def check_stop(should_stop: ShouldStop) -> None:
    """Raise Cancelled if ``should_stop`` says the work is no longer wanted."""
    if should_stop is not None and should_stop():
        raise Cancelled("stopped before the end, as asked")
