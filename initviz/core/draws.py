"""Random streams per layer, and a bounded cache of their unit draws.

Every layer draws from its own stream, seeded by (seed, layer, role), so changing the
depth or one layer's width leaves the other layers' weights as they were, and a
std or gain slider only rescales the same unit draw (schemes.Scheme). While a teacher
drags a slider the unit draws repeat; the cache keeps them so that an update costs
the matrix products, not the sampling (Ziggurat normals cost about as much as one
forward pass at batch 512).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

WEIGHT, BIAS, DATA = 0, 1, 2
"""Stream roles: a layer's weights and its bias draw from separate streams."""
CACHE_BYTES = 64 * 1024 * 1024


def layer_rng(seed: int, layer: int, role: int) -> np.random.Generator:
    """The stream of ``role`` in ``layer`` (1-based) for ``seed``."""
    return np.random.default_rng([seed, role, layer])


def _nbytes(value) -> int:
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return value.nbytes


def _freeze(value):
    if isinstance(value, tuple):
        return tuple(_freeze(v) for v in value)
    value.flags.writeable = False
    return value


class DrawCache:
    """A thread-safe LRU of read-only arrays, bounded in bytes.

    Values are frozen (not writeable): callers scale them into new arrays. An entry
    larger than half the budget is returned but not kept, so one huge network cannot
    flush everything else.
    """

    def __init__(self, budget_bytes: int = CACHE_BYTES):
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        value = _freeze(make())
        size = _nbytes(value)
        if size <= self.budget_bytes // 2:
            with self._lock:
                if key not in self._items:
                    self._items[key] = value
                    self._bytes += size
                while self._bytes > self.budget_bytes:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= _nbytes(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


SHARED = DrawCache()
"""The process-wide cache simulate() uses by default (pass cache=None to bypass it)."""


def unit_source(seed: int, layer: int, role: int, cache: DrawCache | None):
    """A ``schemes.UnitSource`` for one layer's weights or bias."""
    from initviz.core.schemes import UNIT_DRAWS

    def source(kind: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        def make():
            return UNIT_DRAWS[kind](layer_rng(seed, layer, role), shape, dtype)

        if cache is None:
            return make()
        return cache.get(("unit", seed, layer, role, kind, shape, np.dtype(dtype).str), make)

    return source
