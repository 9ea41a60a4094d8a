"""Summaries and histograms of every layer's quantities, robust to inf/NaN.

What the plots and `initviz stats` show: mean, std, min, max, the count of
non-finite values, a histogram, the saturated and dead fractions, and the
theory's predicted variances next to the measured ones.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from initviz.core import schemes, theory
from initviz.core.activations import resolve_activation

QUANTITIES = (
    "weight", "preactivation", "activation", "grad_activation", "grad_preactivation", "grad_weight",
)
"""The per-layer arrays a histogram is drawn of, in the order of the layer grid's columns."""
HISTOGRAM_SAMPLE = 65536
"""Histograms of larger arrays use an evenly strided sample of this many values (stated on the plot)."""
SUMMARY_BLOCK = 1 << 15
"""Values per block when summing squared deviations: 256 kB of float64, well inside the L2 cache."""


def finite_values(values: np.ndarray) -> np.ndarray:
    flat = values.reshape(-1)
    if np.isfinite(flat).all():
        return flat
    return flat[np.isfinite(flat)]


def summary(values: np.ndarray) -> dict:
    """mean, std, min, max over the finite entries; ``nonfinite`` counts the others.

    Exact, in float64 like ``np.mean``/``np.std(dtype=float64)``, but with fewer passes over
    the data: min and max come first and are finite only when every entry is (NaN and ±inf
    always reach one of them), so the usual case needs no isfinite mask and no copy.
    """
    flat = values.reshape(-1)
    low, high = _extremes(flat)
    finite = flat
    if not (math.isfinite(low) and math.isfinite(high)):
        finite = flat[np.isfinite(flat)]
        low, high = _extremes(finite)
    nonfinite = int(flat.size - finite.size)
    if finite.size == 0:
        nan = math.nan
        return {"mean": nan, "std": nan, "min": nan, "max": nan, "nonfinite": nonfinite, "count": 0}
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.add.reduce(finite, dtype=np.float64)) / finite.size
        std = math.sqrt(_sum_squared_deviations(finite, mean) / finite.size)
    return {
        "mean": mean, "std": std, "min": low, "max": high,
        "nonfinite": nonfinite, "count": int(finite.size),
    }


def _extremes(flat: np.ndarray) -> tuple[float, float]:
    if flat.size == 0:
        return math.nan, math.nan
    return float(flat.min()), float(flat.max())


def _sum_squared_deviations(flat: np.ndarray, mean: float) -> float:
    """Σ(x − mean)² in float64, one cache-sized block at a time.

    np.std's two-pass formula without its float64 copy of the whole array: the
    deviations of a block are squared and summed while they are still in the cache.
    """
    block = np.empty(min(flat.size, SUMMARY_BLOCK), dtype=np.float64)
    total = 0.0
    for start in range(0, flat.size, SUMMARY_BLOCK):
        part = flat[start:start + SUMMARY_BLOCK]
        deviations = np.subtract(part, mean, out=block[: part.size], dtype=np.float64)
        np.multiply(deviations, deviations, out=deviations)
        total += float(np.add.reduce(deviations))
    return total


def subsample(values: np.ndarray, limit: int = HISTOGRAM_SAMPLE) -> np.ndarray:
    """At most ``limit`` finite values, evenly strided (deterministic, no copy when small)."""
    flat = values.reshape(-1)
    if flat.size > limit:
        flat = flat[:: int(math.ceil(flat.size / limit))]
    return finite_values(flat)


def value_range(values: np.ndarray) -> tuple[float, float]:
    """A plot range that contains every finite value and is never empty."""
    low, high = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
    if not (math.isfinite(low) and math.isfinite(high)):
        return -1.0, 1.0
    if high - low <= 1e-12 * max(abs(low), abs(high), 1e-30):
        pad = max(abs(low) * 0.05, 1e-3)
        return low - pad, high + pad
    return low, high


def histogram(values: np.ndarray, bins: int = 40, limits: tuple[float, float] | None = None) -> dict:
    """Counts and edges (len(edges) = len(counts) + 1) of a sample of the finite values.

    ``sample_size`` says how many values were counted; ``limits`` fixes the range so
    that histograms of several layers share an axis.
    """
    ordered = np.sort(subsample(values))
    usable = limits is not None and all(map(math.isfinite, limits)) and limits[1] > limits[0]
    ends = ordered[[0, -1]] if ordered.size else ordered  # the sample's min and max
    low, high = limits if usable else value_range(ends)  # NaN or empty limits: the data's own
    if isinstance(bins, (int, np.integer)):
        counts, edges = _sorted_counts(ordered, bins, (low, high))
    else:
        counts, edges = np.histogram(ordered, bins=bins, range=(low, high))
    sizes = {"sample_size": int(ordered.size), "total": int(values.size)}
    return {"edges": edges, "counts": counts, **sizes}


def _sorted_counts(ordered: np.ndarray, bins: int, limits) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram(ordered, bins, limits)``, counted by bisecting the sorted sample.

    Same edges and counts (bin i holds edges[i] <= x < edges[i+1], the last bin also
    x == edges[-1]); about twice as fast, since NumPy's sort is vectorised and its
    histogram corrects every value's bin against the edges one by one.
    """
    edges = np.histogram_bin_edges(ordered, bins, range=limits)
    below = np.searchsorted(ordered, edges, side="left")
    below[-1] = np.searchsorted(ordered, edges[-1], side="right")
    return np.diff(below), edges


def saturated_fraction(layer, activation, params) -> float:
    """Share of activations where φ'(z) is below the unit's saturation level (bounded units only)."""
    if activation.saturates_below is None:
        return 0.0
    z = layer.preactivation
    slope = activation.derivative(z, layer.activation, **params)
    return np.count_nonzero(np.abs(slope) < activation.saturates_below) / slope.size


def dead_fraction(layer) -> float:
    """Share of units that output 0 for every sample of the batch."""
    a = layer.activation
    return float(np.mean(~np.any(a != 0, axis=0)))


def distinct_units(values: np.ndarray, decimals: int = 6) -> int:
    """How many different columns (units) ``values`` has: 1 after zero or constant init."""
    rounded = np.round(values.astype(np.float64), decimals)
    return int(np.unique(rounded, axis=1).shape[1])


def theory_prediction(sim) -> theory.Prediction:
    project = sim.project
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    scheme = schemes.resolve_scheme(project.scheme)
    bias_scheme = schemes.resolve_scheme(project.bias_scheme)
    params = scheme.resolve(project.scheme_params)
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")
    w_moments, b_moments = [], []
    for layer in sim.layers:
        ctx = schemes.LayerContext(layer.fan_in, layer.fan_out, activation, act_params)
        if scheme.moments(ctx, params)[0] != 0:
            return theory.not_applicable(len(sim.layers))
        if scheme.data_dependent:
            w_moments.append(float(np.mean(np.square(layer.weight, dtype=np.float64))))
        else:
            mean, std = scheme.moments(ctx, params)
            w_moments.append(mean**2 + std**2)
        b_mean, b_std = bias_scheme.moments(ctx, bias_params)
        b_moments.append(b_mean**2 + b_std**2)
    input_sq = float(np.mean(np.square(sim.inputs, dtype=np.float64)))
    output_grad = sim.layers[-1].grad_preactivation
    output_grad_var = float(np.var(output_grad, dtype=np.float64))
    widths = [sim.layers[0].fan_in] + [layer.fan_out for layer in sim.layers]
    return theory.predict(widths, w_moments, b_moments, activation, act_params, input_sq, output_grad_var)


def _mean_std(values) -> dict:
    record = summary(values)
    return {k: record[k] for k in ("mean", "std", "min", "max", "nonfinite")}


SUMMARISED = (
    "weight", "bias", "preactivation", "activation",
    "grad_activation", "grad_preactivation", "grad_weight", "grad_bias",
)
"""The per-layer arrays ``initviz stats`` summarises."""
PARALLEL_MIN_VALUES = 1 << 20
"""Summaries of fewer values in all run on the calling thread: starting threads would cost more."""


def _layer_summaries(layers) -> dict[int, dict]:
    """``_mean_std`` of every summarised array by ``id``, each array read once.

    The output layer's activation *is* its pre-activation (and its dL/da its dL/dz), so
    those are summarised once. Big networks use every core: NumPy releases the GIL in
    its reductions, each summary is independent, so the numbers are the same either way.
    """
    arrays = {id(a): a for layer in layers for a in (getattr(layer, n) for n in SUMMARISED)}
    values = sum(a.size for a in arrays.values())
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or values < PARALLEL_MIN_VALUES:
        records = list(map(_mean_std, arrays.values()))
    else:
        with ThreadPoolExecutor(workers) as pool:
            records = list(pool.map(_mean_std, arrays.values()))
    return dict(zip(arrays, records, strict=True))


def simulation_stats(sim, bins: int = 40) -> dict:
    """The records of ``initviz stats --json`` (DESIGN §5), one per layer."""
    activation = resolve_activation(sim.project.activation)
    act_params = activation.resolve(sim.project.activation_params)
    prediction = theory_prediction(sim)
    last = len(sim.layers) - 1
    records = []
    summaries = _layer_summaries(sim.layers)

    def _mean_std(values) -> dict:
        return dict(summaries[id(values)])

    for i, layer in enumerate(sim.layers):
        hidden = i != last
        act_record = _mean_std(layer.activation)
        act_record["saturated_fraction"] = saturated_fraction(layer, activation, act_params) if hidden else 0.0
        act_record["dead_fraction"] = dead_fraction(layer) if hidden else 0.0
        records.append({
            "layer": layer.index,
            "fan_in": layer.fan_in,
            "fan_out": layer.fan_out,
            "weight": _mean_std(layer.weight),
            "bias": _mean_std(layer.bias),
            "preactivation": _mean_std(layer.preactivation),
            "activation": act_record,
            "grad_activation": _mean_std(layer.grad_activation),
            "grad_preactivation": _mean_std(layer.grad_preactivation),
            "grad_weight": _mean_std(layer.grad_weight),
            "grad_bias": _mean_std(layer.grad_bias),
            "theory": {
                "preactivation_var": prediction.preactivation_var[i],
                "grad_preactivation_var": prediction.grad_preactivation_var[i],
            },
        })
    return {"loss": sim.loss, "layers": records}
