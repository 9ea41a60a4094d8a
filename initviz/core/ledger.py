"""Memory promised to the computations running now.

The window starts several computations at once (the Layers pass, Compare's two, the
Theory tab's Jacobian, a Trainer that lives while the Training tab is open), and each is
checked against the memory budget. Checked alone, each fits, and together they do not:
so each check counts what the others have been promised, and a computation that passes
is promised its estimate until it ends (or, for a Trainer, until it is collected).
A promise counts in full even once part of it is allocated, so a busy window is refused
a little early rather than late.
"""
from __future__ import annotations

import itertools
import threading
import time
import weakref

from initviz.core.cancel import ShouldStop, check_stop

LOCK = threading.RLock()
"""Held from a check to its promise, so two computations cannot both take the last bytes."""
_promised: dict[int, int] = {}
_tokens = itertools.count()
_released = threading.Condition(LOCK)
"""Notified whenever a promise ends: what a computation waiting for room waits on."""


def promised_bytes() -> int:
    with LOCK:
        return sum(_promised.values())


class Promise:
    """``nbytes`` promised until ``release``, the end of a ``with`` block, or the owner's
    collection (``owner``: an object that holds the memory for its lifetime)."""

    def __init__(self, nbytes: int, owner=None):
        self.nbytes = int(nbytes)
        self._token = next(_tokens)
        with LOCK:
            _promised[self._token] = self.nbytes
        if owner is not None:
            weakref.finalize(owner, _release, self._token)

    def release(self) -> None:
        _release(self._token)

    def __enter__(self) -> Promise:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _release(token: int) -> None:
    with LOCK:
        if _promised.pop(token, None) is not None:
            _released.notify_all()


def wait_for_room(needed: int, total: int, timeout_s: float,
                  should_stop: ShouldStop = None) -> None:
    """Wait, at most ``timeout_s``, until ``needed`` bytes of ``total`` are not promised to
    other computations: one that fits alone but not beside the ones running now (the
    Layers pass of the same edit, which ends within moments) starts once they end rather
    than being refused. Returns on time-out too: the caller's check then says what is
    wrong. ``should_stop`` is asked every 0.1 s (core.cancel)."""
    deadline = time.monotonic() + timeout_s
    with _released:
        while total - promised_bytes() < needed:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            _released.wait(min(left, 0.1))
            check_stop(should_stop)
