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
import weakref

LOCK = threading.RLock()
"""Held from a check to its promise, so two computations cannot both take the last bytes."""
_promised: dict[int, int] = {}
_tokens = itertools.count()


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
        _promised.pop(token, None)
