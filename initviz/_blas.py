"""OpenBLAS settings that must be in place before NumPy loads it (imported first by initviz).

OpenBLAS lets its idle threads spin for 2^N cycles after each matrix product: 2^28 by
default, about 0.1 s, which keeps a core busy long after every simulation. The sampling
threads, the window's own thread and the next update then share the other core
(measured: drawing a new seed's weights on two threads gained nothing). At 2^20 cycles,
about 0.4 ms, the products of consecutive layers still find the threads awake, and the
core is free again before anything else needs it. A value the user has set wins; where
NumPy was imported before initviz this has no effect.
"""
import os

THREAD_TIMEOUT = "20"
"""log2 of the cycles an idle OpenBLAS thread spins before it sleeps."""

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT)
