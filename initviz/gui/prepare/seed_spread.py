"""The measured std over several seeds: the band around the depth plot's curves.

Mean-field theory predicts the average over weight draws (Poole et al. 2016); one
draw of a narrow network wanders far from it. Eight seeds (the project's and the
next seven) show the spread and their average, which approaches the theory.
NumPy only: ``workers.seed_band`` runs it in its own background task.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from initviz.core import blas, network
from initviz.core.stats import summary

SEEDS = 8
"""The project's seed and the next SEEDS − 1."""
@dataclass(frozen=True)
class SeedSpread:
    key: str
    """The computed sections of the project it belongs to (its seed among them)."""
    seeds: tuple[int, ...]
    low: dict[str, np.ndarray]
    """Per curve ("forward": std of z, "backward": std of ∂L/∂z), the least std per layer."""
    high: dict[str, np.ndarray]
    average: dict[str, np.ndarray]
    """√(mean over the seeds of the variance): what the theory predicts."""


CURVE_FIELDS = {"forward": "preactivation", "backward": "grad_preactivation"}


def seed_spread(snapshot, key: str, wanted=lambda key: True, should_stop=None
                ) -> SeedSpread | None:
    """Simulate ``snapshot`` at its seed and the next SEEDS − 1, on one BLAS thread (the
    window's own computation keeps the other core). None as soon as ``wanted(key)`` is
    false: the seeds after the running one are not computed. ``should_stop`` (the window
    closing) stops the running pass too, between layers (core.cancel)."""
    seeds = tuple(snapshot.seed + k for k in range(SEEDS))
    stds = {curve: [] for curve in CURVE_FIELDS}
    with blas.one_blas_thread():
        for seed in seeds:
            if not wanted(key):
                return None
            project = snapshot.copy()
            project.set("data.seed", seed)
            sim = network.simulate(project, should_stop=should_stop)
            for curve, field in CURVE_FIELDS.items():
                stds[curve].append([summary(getattr(layer, field))["std"] for layer in sim.layers])
    with np.errstate(invalid="ignore"):
        arrays = {curve: np.array(values, dtype=np.float64) for curve, values in stds.items()}
        return SeedSpread(
            key, seeds,
            low={c: np.nanmin(a, axis=0) for c, a in arrays.items()},
            high={c: np.nanmax(a, axis=0) for c, a in arrays.items()},
            average={c: np.sqrt(np.nanmean(a * a, axis=0)) for c, a in arrays.items()},
        )
