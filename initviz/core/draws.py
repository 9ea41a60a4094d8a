"""Random streams per layer, and a bounded cache of their unit draws.

Every layer draws from its own stream, seeded by (seed, layer, role), so changing the
depth or one layer's width leaves the other layers' weights as they were, and a
std or gain slider only rescales the same unit draw (schemes.Scheme). While a teacher
drags a slider the unit draws repeat; the cache keeps them so that an update costs
the matrix products, not the sampling (Ziggurat normals cost about as much as one
forward pass at batch 512).
"""
from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

from initviz.core.schemes import UNIT_DRAWS

WEIGHT, BIAS, DATA = 0, 1, 2
"""Stream roles: a layer's weights and its bias draw from separate streams."""
CACHE_BYTES = 128 * 1024 * 1024
"""Unit draws kept: all of a 10 x 1024 x 1024 network, the first 32 layers of 50 x 1024 x 1024
(the rest is drawn anew each time)."""


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
    """A thread-safe cache of read-only arrays, bounded in bytes, that a cycle cannot flush.

    Values are frozen (not writeable): callers scale them into new arrays. An entry
    larger than half the budget is returned but not kept, so one huge network cannot
    flush everything else.

    Callers that draw a whole network pass one ``generation`` (``new_generation()``) to
    all its draws. A new entry evicts the least recently used entries only as long as
    they belong to an earlier generation; where that does not make room, it is not kept.
    A network larger than the budget then keeps its first layers between updates
    (plain LRU would evict each layer just before the next update asks for it again, and
    never hit), while a new seed's draws still replace the previous seed's.
    """

    def __init__(self, budget_bytes: int = CACHE_BYTES):
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[Hashable, list] = OrderedDict()  # key -> [value, generation]
        self._bytes = 0
        self._lock = threading.Lock()
        self._generations = itertools.count(1)
        self.hits = self.misses = 0

    def new_generation(self) -> int:
        """A number for the draws of one network: they never evict one another."""
        with self._lock:
            return next(self._generations)

    def get(self, key: Hashable, make: Callable[[], object], generation: int | None = None):
        if generation is None:
            generation = self.new_generation()
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
                entry[1] = generation
                self.hits += 1
                return entry[0]
            self.misses += 1
        value = _freeze(make())
        size = _nbytes(value)
        if size <= self.budget_bytes // 2:
            with self._lock:
                self._keep(key, value, size, generation)
        return value

    def _keep(self, key, value, size: int, generation: int) -> None:
        if key in self._items:
            return
        while self._bytes + size > self.budget_bytes and self._items:
            oldest = next(iter(self._items.values()))
            if oldest[1] == generation:
                return  # only this network's own draws are left to evict
            self._bytes -= _nbytes(self._items.popitem(last=False)[1][0])
        if self._bytes + size <= self.budget_bytes:
            self._items[key] = [value, generation]
            self._bytes += size

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


SHARED = DrawCache()
"""The window's cache of unit draws (``simulate(..., cache=SHARED)``), bounded in bytes."""


def unit_key(seed: int, layer: int, role: int, kind: str, shape: tuple, dtype) -> tuple:
    """The cache key of one layer's unit draw."""
    return ("unit", seed, layer, role, kind, tuple(shape), np.dtype(dtype).str)


def unit_source(seed: int, layer: int, role: int, cache: DrawCache | None,
                generation: int | None = None):
    """A ``schemes.UnitSource`` for one layer's weights or bias (``generation``: DrawCache)."""
    def source(kind: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        def make():
            return UNIT_DRAWS[kind](layer_rng(seed, layer, role), shape, dtype)

        if cache is None:
            return make()
        return cache.get(unit_key(seed, layer, role, kind, shape, dtype), make, generation)

    return source
