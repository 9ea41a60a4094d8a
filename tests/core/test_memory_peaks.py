"""The memory guard's estimates against the peak resident memory each computation reaches.

Each case runs in a fresh process (tests/core/memory_probe.py), which reports its peak
resident memory above a baseline taken after a smaller run of the same kind. A guard
that underestimates lets a project through that then exhausts the machine; one that
overestimates by far refuses projects that would fit. So every estimate must be at
least the measured peak and at most UNDERUSE times it.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from initviz import Project
from initviz.core import draws, footprint, jacobian, schemes, training

PROBE = Path(__file__).with_name("memory_probe.py")
ROOT = Path(__file__).resolve().parents[2]
UNDERUSE = 3.0
"""An estimate may be up to this many times the measured peak (training keeps a margin
for the heap)."""

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="reads Linux's /proc high-water mark")


def measured_peak(case: dict) -> int:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)  # this checkout's initviz, wherever pytest runs
    done = subprocess.run([sys.executable, str(PROBE), json.dumps(case)], capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["peak"]


def estimate(case: dict) -> int:
    project = Project(case["project"])
    widths, batch, scheme = project.widths, project.batch_size, project.scheme
    kind = case["kind"]
    if kind == "simulate":
        return footprint.simulation_bytes(widths, batch, scheme)
    if kind == "window":
        return footprint.simulation_bytes(widths, batch, scheme, draws.CACHE_BYTES)
    if kind == "training":
        optimizer = project.training["optimizer"]
        return footprint.training_bytes(widths, batch, training.dataset_size(batch), scheme,
                                        optimizer)
    if kind == "boundary":
        return footprint.boundary_bytes(widths)
    return footprint.theory_bytes(widths, batch, scheme, jacobian.sample_count(widths))


def check(case: dict) -> None:
    peak, estimated = measured_peak(case), estimate(case)
    numbers = f"estimate {estimated / 2**20:.1f} MiB, measured {peak / 2**20:.1f} MiB"
    assert peak <= estimated, f"underestimated: {numbers}"
    assert estimated <= UNDERUSE * peak, f"overestimated: {numbers}"


def project(widths, batch, scheme="xavier_normal", **sections) -> dict:
    return {"network": {"widths": widths}, "init": {"scheme": scheme},
            "data": {"batch_size": batch, **sections.pop("data", {})}, **sections}


@pytest.mark.parametrize("scheme", sorted(schemes.SCHEMES))
def test_simulate_stays_within_its_estimate_for_every_scheme(scheme):
    """Three 1024-wide layers at batch 64: the weights, not the batch, make the peak, so
    the orthogonal QR of a layer shows."""
    check({"kind": "simulate", "project": project([256, 1024, 1024, 1024, 10], 64, scheme)})


@pytest.mark.parametrize("scheme", ["orthogonal", "he_normal"])
def test_the_windows_simulation_stays_within_its_estimate(scheme):
    """As the Layers tab computes: the draw cache keeps the unit draws beside the weights,
    glibc keeps freed arrays (initviz._runtime)."""
    check({"kind": "window", "tuned": True,
           "project": project([512, 1024, 1024, 1024, 10], 512, scheme)})


@pytest.mark.parametrize("case", [
    {"project": project([2, 512, 512, 512, 512, 2], 256, data={"source": "moons"},
                                      training={"optimizer": "sgd", "momentum": 0.9})},
    {"project": project([64, 1024, 1024, 10], 1024, training={"optimizer": "adam"})},
    {"tuned": True, "project": project([2] + [256] * 20 + [2], 128, "lsuv",
                                                     data={"source": "spiral"})},
], ids=["moons-sgd", "gaussian-adam", "spiral-lsuv-window"])
def test_training_stays_within_its_estimate(case):
    """A Trainer, twelve steps and an evaluation on the test set."""
    check({"kind": "training", **case})


def test_the_decision_boundary_stays_within_its_estimate():
    """10,000 grid points through 20 layers of 256: computed a chunk of rows at a time, the
    boundary costs one chunk, not every layer's values for every point (80 MB here)."""
    check({"kind": "boundary", "project": project([2] + [256] * 20 + [2], 128,
                                                  data={"source": "moons"})})


@pytest.mark.parametrize("widths, scheme", [
    ([256, 1024, 1024, 1024, 256], "xavier_normal"),
    ([2] + [1024] * 6 + [2], "orthogonal"),
    ([64, 1024, 1024, 1024, 10], "lsuv"),
])
def test_the_jacobian_spectrum_stays_within_its_estimate(widths, scheme):
    check({"kind": "theory", "project": project(widths, 256, scheme)})
