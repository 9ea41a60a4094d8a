"""Peak memory of one computation, measured in a fresh process: ``python memory_probe.py CASE``.

CASE is JSON: {"kind": ..., "project": {...}} (kinds below). The same kind is first run
on a smaller copy of the project, so that the process's one-off costs are paid before the
measurement (libraries and LAPACK's code paged in, BLAS buffers, thread pools); then the
freed heap is given back, the high-water mark is reset (/proc/PID/clear_refs, Linux 4.0+)
and the resident set is taken as the baseline. Printed: the peak resident
bytes above that baseline, as JSON. The memory guard's estimates are compared with it
(tests/core/test_memory_peaks.py).
"""
from __future__ import annotations

import gc
import json
import sys

import numpy as np

from initviz import Project
from initviz.core import draws, jacobian, network, training
from initviz.core.memory import keep_freed_memory, release_freed_memory


def resident(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def grid(trainer, resolution: int) -> np.ndarray:
    """The decision boundary's grid over the training points (as the Training tab's)."""
    low = trainer.data.train_inputs.min(axis=0)
    high = trainer.data.train_inputs.max(axis=0)
    x, y = (np.linspace(low[k], high[k], resolution) for k in (0, 1))
    return np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)


def run(case: dict, project: Project) -> None:
    kind = case["kind"]
    if kind == "simulate":  # the library's default: no cache
        network.simulate(project).stats()
    elif kind == "window":  # as the Layers tab computes: with the draw cache
        network.simulate(project, cache=draws.SHARED).stats()
    elif kind == "training":
        trainer = training.Trainer(project)
        trainer.step(int(case.get("steps", 12)))
        trainer.evaluate()
    elif kind == "boundary":  # the Training tab's decision boundary, after the trainer is made
        trainer = training.Trainer(project)
        points = grid(trainer, int(case.get("resolution", 100)))
        colours = np.eye(project.widths[-1], 3)
        gc.collect()
        release_freed_memory()
        start = resident("VmRSS")
        _reset_peak()
        trainer.predict_mixture(points, colours)
        case["baseline"] = start
    elif kind == "theory":
        jacobian.jacobian_spectrum(project)
    else:
        raise ValueError(f"unknown kind {kind!r}")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def warm_up_copy(project: Project) -> Project:
    """The project at widths of at most 256 and batch 64: large enough that BLAS runs on
    all its threads and LAPACK's code is paged in, small beside what is measured."""
    small = project.copy()
    widths = project.widths
    small.set("network.widths", [min(widths[0], 256), 256, 256, min(widths[-1], 256)])
    small.set("data.batch_size", 64)
    return small


def main() -> None:
    case = json.loads(sys.argv[1])
    if case.get("tuned"):  # as the window runs: glibc keeps freed arrays (initviz._runtime)
        keep_freed_memory()
    project = Project(case["project"])
    run(dict(case, steps=2), warm_up_copy(project))
    gc.collect()
    release_freed_memory()
    baseline = resident("VmRSS")
    _reset_peak()
    run(case, project)
    peak = resident("VmHWM") - case.get("baseline", baseline)
    print(json.dumps({"peak": peak}))


if __name__ == "__main__":
    main()
