"""What `make bench` times: the matrix-product floor, simulate(), and simulate() + statistics.

The floor is the least any implementation must do for one forward and backward pass:
per layer the three float32 matrix products a@W, g@Wᵀ and aᵀ@g, written into
preallocated arrays, on as many BLAS threads as the window gives that network (one at
size S, whose other core is the GUI's), so that a ratio compares like with like.
simulate() also samples the weights, draws the batch, applies the activation and its
derivative and the loss; the statistics add sim.stats() and the
histograms the GUI's layer grid draws. "simulate" is the warm case, as while a slider is
dragged (the unit draws come from initviz.core.draws' cache); "simulate cold" draws every
weight anew (cache=None), as after a new seed.
"""
from __future__ import annotations

import functools
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

import initviz
from initviz.core import blas, draws
from initviz.core.stats import histogram
from initviz.gui.workers.compute import blas_threads

GRID_QUANTITIES = ("weight", "preactivation", "activation", "grad_activation", "grad_weight")
"""The five histograms per layer in the GUI's grid."""


@dataclass(frozen=True)
class Size:
    name: str
    depth: int
    width: int
    batch: int
    repeats: int

    @property
    def label(self) -> str:
        return f"{self.name}: {self.depth} x {self.width} wide, batch {self.batch}"


SIZES = (
    Size("S", 10, 256, 512, 9),
    Size("M", 20, 512, 1024, 7),
    Size("L", 50, 1024, 1024, 3),
)


def bench_project(size: Size) -> initviz.Project:
    """The default project (Xavier normal, ReLU, cross-entropy) at ``size``, every layer square."""
    project = initviz.Project()
    project.update({
        "network.widths": [size.width] * (size.depth + 1),
        "data.batch_size": size.batch,
    })
    return project


class MatmulFloor:
    """Per layer a@W, g@Wᵀ and aᵀ@g on preallocated float32 arrays, nothing else."""

    def __init__(self, size: Size):
        rng = np.random.default_rng(0)
        shape_w, shape_a = (size.width, size.width), (size.batch, size.width)
        scale = np.float32(1.0 / np.sqrt(size.width))
        self.weights = [
            rng.standard_normal(shape_w, dtype=np.float32) * scale for _ in range(size.depth)
        ]
        self.grad_weights = [np.empty(shape_w, np.float32) for _ in range(size.depth)]
        self.acts = [rng.standard_normal(shape_a, dtype=np.float32)]
        self.acts += [np.empty(shape_a, np.float32) for _ in range(size.depth)]
        self.grads = [np.empty(shape_a, np.float32) for _ in range(size.depth + 1)]
        self.grads[-1][...] = rng.standard_normal(shape_a, dtype=np.float32)

    def __call__(self) -> None:
        acts, grads = self.acts, self.grads
        for i, weight in enumerate(self.weights):
            np.matmul(acts[i], weight, out=acts[i + 1])
        for i in range(len(self.weights) - 1, -1, -1):
            np.matmul(acts[i].T, grads[i + 1], out=self.grad_weights[i])
            np.matmul(grads[i + 1], self.weights[i].T, out=grads[i])


def grid_histograms(sim, bins: int = 40) -> list[dict]:
    """The layer grid's histograms: per layer, the five GRID_QUANTITIES."""
    return [
        histogram(getattr(layer, name), bins) for layer in sim.layers for name in GRID_QUANTITIES
    ]


def windows_threads(project):
    """A context with the BLAS threads the window computes ``project`` on: one below
    compute.ONE_BLAS_THREAD_FLOPS (size S: the other core is the GUI's), every core above."""
    return blas.one_blas_thread() if blas_threads(project) == 1 else nullcontext()


def simulate_as_the_window(project, cache=draws.SHARED):
    """simulate() as the window calls it: the draw cache kept, on the window's BLAS threads."""
    with windows_threads(project):
        return initviz.simulate(project, cache=cache)


def floor_as_the_window(project, floor: MatmulFloor) -> None:
    with windows_threads(project):
        floor()


def simulate_and_statistics(project) -> None:
    sim = simulate_as_the_window(project)
    sim.stats()
    grid_histograms(sim)


def median_times(workloads: dict, repeats: int) -> dict[str, float]:
    """Median wall time in seconds of each workload; one warm-up each, then rounds interleaved."""
    for run in workloads.values():
        run()
    samples = {name: [] for name in workloads}
    for _ in range(repeats):
        for name, run in workloads.items():
            start = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - start)
    return {name: float(np.median(times)) for name, times in samples.items()}


def time_size(size: Size) -> dict[str, float]:
    """Median seconds of floor, simulate (warm and cold) and simulate + statistics at ``size``."""
    project = bench_project(size)
    floor = MatmulFloor(size)
    times = median_times(
        {
            "floor": functools.partial(floor_as_the_window, project, floor),
            "simulate": lambda: simulate_as_the_window(project),
            "simulate cold": lambda: simulate_as_the_window(project, cache=None),
            "simulate+stats": lambda: simulate_and_statistics(project),
        },
        size.repeats,
    )
    del floor
    return times
