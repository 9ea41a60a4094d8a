"""Summaries and histograms of every layer's quantities, robust to inf/NaN.

What the plots and `initviz stats` show: mean, std, min, max, the count of
non-finite values, a histogram, the saturated and dead fractions, and the
theory's predicted variances next to the measured ones.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from initviz.core import blocks, residue, schemes, theory
from initviz.core.activations import resolve_activation

QUANTITIES = (
    "weight", "preactivation", "activation", "grad_activation", "grad_preactivation", "grad_weight",
)
"""The per-layer arrays a histogram is drawn of, in the order of the layer grid's columns."""
HISTOGRAM_SAMPLE = 8192
"""Histograms of larger arrays count a sample of at most this many values, every k-th row
(``subsample``; stated on the plot): about 170 values per bin of 48, and the peak bin of
a normal distribution within ±4.5 % (±3 % at 16384, which looked the same in the rendered
lessons but took 2.5 ms more of each update of the default lesson). Means, standard
deviations and every other statistic always use all the values."""


def finite_values(values: np.ndarray) -> np.ndarray:
    flat = values.reshape(-1)
    if np.isfinite(flat).all():
        return flat
    return flat[np.isfinite(flat)]


def summary(values: np.ndarray) -> dict:
    """mean, std, min, max over the finite entries; ``nonfinite`` counts the others.

    min and max are finite only when every entry is (NaN and ±inf always reach one of
    them), so the usual case needs no isfinite mask. mean and std agree with
    ``np.mean``/``np.std(dtype=float64)`` to a relative 1e-5 of the std (``_moments``),
    and are exact for constant arrays.
    """
    flat = values.reshape(-1)
    sums = None
    if flat.dtype in FAST_DTYPES and flat.size:
        low, high, *sums = _float32_passes(flat)
    else:
        low, high = _extremes(flat)
    finite = flat
    if not (math.isfinite(low) and math.isfinite(high)):
        finite, sums = flat[np.isfinite(flat)], None
        low, high = _extremes(finite)
    nonfinite = int(flat.size - finite.size)
    if finite.size == 0:
        nan = math.nan
        return {"mean": nan, "std": nan, "min": nan, "max": nan, "nonfinite": nonfinite, "count": 0}
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = _moments(finite, low, high, sums)
    return {
        "mean": mean, "std": std, "min": low, "max": high,
        "nonfinite": nonfinite, "count": int(finite.size),
    }


def _extremes(flat: np.ndarray) -> tuple[float, float]:
    if flat.size == 0:
        return math.nan, math.nan
    return float(flat.min()), float(flat.max())


FAST_DTYPES = (np.dtype(np.float32),)
"""Arrays summed in their own precision (BLAS products): the simulation's float32."""
CHUNK = 1 << 17
"""``_float32_passes`` reads this many values (512 KiB) at a time: they stay in the core's
cache for its four passes, so a large array is read from memory once, not four times."""
SUM_ROW = 1024
"""Sums add rows of this many values in float32 (a BLAS product), the rows in float64."""
_ONES = np.ones(SUM_ROW, dtype=np.float32)


def _float32_passes(flat: np.ndarray) -> tuple[float, float, float, float]:
    """(min, max, Σx, Σx²) of a float32 vector, chunk by chunk; NaN/inf reach min or max."""
    low, high, total, squares = math.inf, -math.inf, 0.0, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, flat.size, CHUNK):
            part = flat[start:start + CHUNK]
            low = min(low, float(part.min()))
            high = max(high, float(part.max()))
            total += _sum32(part)
            squares += float(np.dot(part, part))
    return low, high, total, squares


def _sum32(flat: np.ndarray) -> float:
    """Σ of a float32 vector as a BLAS matrix-vector product with ones.

    6x faster than NumPy's pairwise sum; each row of SUM_ROW values rounds like a float32
    dot product (relative ~1e-7 of Σ|x| typically), the rows' sums are added in float64.
    """
    whole = flat.size - flat.size % SUM_ROW
    total = float(np.dot(flat[:whole].reshape(-1, SUM_ROW), _ONES).sum(dtype=np.float64))
    return total + float(flat[whole:].sum(dtype=np.float64))


def _moments(flat: np.ndarray, low: float, high: float, sums=None) -> tuple[float, float]:
    """mean and std of finite values whose extremes are ``low`` and ``high``.

    float32 arrays, the simulation's own, are summed in float32 without a converted copy,
    from ``sums`` = (Σx, Σx²) of ``_float32_passes`` when given: 3x faster than the float64
    two-pass, and within a relative 1e-5 of its std (tests/core/test_stats.py). Where
    E[x²] − mean² would cancel (|mean| not small against the std), the deviations from
    the mean are summed instead. A constant array has std 0 exactly. Magnitudes whose
    squares would overflow or underflow float32 take the float64 two-pass.
    """
    if low == high:  # zero or constant init: exactly that value, no rounding residue
        return low, 0.0
    n = flat.size
    largest = max(abs(low), abs(high))
    if flat.dtype not in FAST_DTYPES or not 1e-12 < largest < math.sqrt(1e37 / n):
        return _mean_std_exact(flat)
    total, squares = sums if sums is not None else _float32_passes(flat)[2:]
    mean, square = total / n, squares / n
    variance = square - mean * mean
    if not variance > 0.5 * square:  # more than one bit would be lost to cancellation
        centre = np.float32(mean)
        shift, spread = 0.0, 0.0
        for start in range(0, n, CHUNK):
            deviations = flat[start:start + CHUNK] - centre
            shift += _sum32(deviations)
            spread += float(np.dot(deviations, deviations))
        shift /= n  # the float32 mean's own rounding
        mean = float(centre) + shift
        variance = spread / n - shift * shift
    return mean, math.sqrt(max(variance, 0.0))


def _mean_std_exact(flat: np.ndarray) -> tuple[float, float]:
    """Two-pass mean and std in float64: Σx/n, then √(Σ(x − mean)²/n) as a dot product."""
    deviations = flat.astype(np.float64)  # a copy even when flat is float64: it is overwritten
    mean = float(deviations.sum()) / deviations.size
    np.subtract(deviations, mean, out=deviations)
    return mean, math.sqrt(float(np.dot(deviations, deviations)) / deviations.size)


def subsample(values: np.ndarray, limit: int = HISTOGRAM_SAMPLE) -> np.ndarray:
    """At most ``limit`` finite values, deterministic, with no copy when there are fewer.

    A (batch, units) or (fan_in, fan_out) array gives every k-th row, each whole: samples
    of the batch (or input units) with all their units. Rows are contiguous, so this reads
    only the sampled values, where a stride over single values would touch every cache
    line of a large array. Other shapes: every k-th value.
    """
    flat = values.reshape(-1)
    if flat.size <= limit:
        return finite_values(flat)
    if values.ndim == 2 and values.shape[1] <= limit // 4:
        rows = limit // values.shape[1]
        sample = values[:: int(math.ceil(values.shape[0] / rows))].reshape(-1)
    else:
        sample = flat[:: int(math.ceil(flat.size / limit))]
    return finite_values(sample)


def histogram_sample(values: np.ndarray, limit: int = HISTOGRAM_SAMPLE) -> np.ndarray:
    """``subsample`` ready for several ``bin_counts`` on other limits: float32 stays float32
    (the simulation's precision), anything else becomes float64."""
    sample = subsample(values, limit)
    return sample if sample.dtype == np.float32 else sample.astype(np.float64)


def value_range(values: np.ndarray) -> tuple[float, float]:
    """A plot range that contains every finite value and is never empty."""
    low, high = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
    if not (math.isfinite(low) and math.isfinite(high)):
        return -1.0, 1.0
    if high - low <= 1e-12 * max(abs(low), abs(high), 1e-30):
        # all values equal (zero or constant init): a spike in the middle of a readable range
        pad = abs(low) * 0.5 if low else 1.0
        return low - pad, high + pad
    return low, high


def histogram(
    values: np.ndarray, bins: int = 40, limits: tuple[float, float] | None = None
) -> dict:
    """Counts and edges (len(edges) = len(counts) + 1) of a sample of the finite values.

    ``sample_size`` says how many values were counted; ``limits`` fixes the range so
    that histograms of several layers share an axis (values outside it are not counted).
    """
    sample = subsample(values)
    usable = limits is not None and all(map(math.isfinite, limits)) and limits[1] > limits[0]
    low, high = limits if usable else value_range(sample)  # NaN or empty limits: the data's own
    counts, edges = bin_counts(sample, bins, low, high)
    sizes = {"sample_size": int(sample.size), "total": int(values.size)}
    return {"edges": edges, "counts": counts, **sizes}


FLOAT32_BINNING_LIMIT = 1e4
"""float32 samples are binned in float32 while every position (value − low) · bins / span
stays below this in magnitude: its rounding is then under 1e-3 of a bin."""
FLOAT32_SCALE_LIMIT = 1e30
"""... and while bins / span itself is a float32 (a range of 1e-38 is not)."""


def bin_counts(
    sample: np.ndarray, bins: int, low: float, high: float, sample_range=None
) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram(sample, bins, (low, high))`` of finite values, by index arithmetic.

    Bin i holds edges[i] <= x < edges[i+1], the last bin also x == high; values outside
    are dropped (``sample_range``, the sample's (min, max) when known, saves looking for
    them). One pass and a bincount: several times faster than np.histogram, which also
    checks every value against the edges. float32 samples are binned in float32 unless
    the positions would lose precision (``FLOAT32_BINNING_LIMIT``); a value within ~1e-6
    of a bin's width from an edge may then fall in the neighbouring bin. Otherwise float64,
    because on a range near float32's limit (an exploding init) float32 arithmetic overflows.
    """
    edges = _ramp(bins) * ((high - low) / bins) + low  # np.linspace's arithmetic, 3x cheaper
    edges[-1] = high
    scale = bins / (high - low)
    if sample_range is None:
        sample_range = (sample.min(), sample.max()) if sample.size else (low, high)
    # as Python floats: a float32 minimum against a limit beyond float32 (an exploding run's
    # widened axis) would otherwise cast the limit to float32, with an overflow warning
    inside = low <= float(sample_range[0]) and float(sample_range[1]) <= high
    reach = max(abs(low), abs(high)) * scale
    if sample.dtype == np.float32 and reach < FLOAT32_BINNING_LIMIT and scale < FLOAT32_SCALE_LIMIT:
        position = np.multiply(sample, np.float32(scale), dtype=np.float32)
        position -= np.float32(low * scale)
    else:
        position = np.subtract(sample, low, dtype=np.float64)
        position *= scale
    if not inside:  # before the cast: a value far outside would overflow the integers
        position = position[(position >= 0) & (position <= bins)]
    index = position.astype(np.int32)  # SIMD conversion (positions are <= bins); bincount widens it
    np.minimum(index, bins - 1, out=index)  # x == high: the last bin (truncation keeps -0.x at 0)
    return np.bincount(index, minlength=bins), edges


@functools.lru_cache(maxsize=8)
def _ramp(bins: int) -> np.ndarray:
    ramp = np.arange(bins + 1, dtype=np.float64)
    ramp.flags.writeable = False
    return ramp


def saturated_fraction(layer, activation, params) -> float:
    """Share of activations where φ'(z) is below the unit's saturation level (bounded units)."""
    if activation.saturates_below is None:
        return 0.0
    z = layer.preactivation
    slope = activation.derivative(z, _phi(layer), **params)
    return np.count_nonzero(np.abs(slope) < activation.saturates_below) / slope.size


def _phi(layer) -> np.ndarray:
    """φ of the layer's pre-activation: its activation, or with a skip the branch φ(u) that
    a_{l−1} is added to (a unit of it is dead or saturated, not of the sum)."""
    return layer.activation if getattr(layer, "branch", None) is None else layer.branch


def dead_fraction(layer) -> float:
    """Share of units whose φ outputs 0 for every sample of the batch (with a skip: the
    branch's units, through which no gradient then reaches the layer's weights)."""
    a = _phi(layer)
    return float(np.mean(~np.any(a != 0, axis=0)))


def theory_prediction(sim, summarise=summary) -> theory.Prediction:
    """``summarise`` gives an array's mean and std: ``simulation_stats`` passes the ones it has."""
    project = sim.project
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    measured_weights = schemes.resolve_scheme(project.scheme).data_dependent  # LSUV rescales
    w_moments, b_moments, b_means = [], [], []
    for layer, nominal in zip(sim.layers, schemes.layer_moments(project), strict=True):
        if nominal.weight_mean != 0:
            return theory.not_applicable(len(sim.layers))
        if measured_weights:
            weight = summarise(layer.weight)
            w_moments.append(weight["mean"] ** 2 + weight["std"] ** 2)
        else:
            w_moments.append(nominal.weight_std**2)
        b_moments.append(nominal.bias_mean**2 + nominal.bias_std**2)
        b_means.append(nominal.bias_mean)
    inputs = summarise(sim.inputs)
    input_sq = inputs["mean"] ** 2 + inputs["std"] ** 2
    output_grad = summarise(sim.layers[-1].grad_preactivation)
    widths = [sim.layers[0].fan_in] + [layer.fan_out for layer in sim.layers]
    arch = blocks.architecture(project)
    return theory.predict(
        widths, w_moments, b_moments, activation, act_params, input_sq,
        output_grad["mean"] ** 2 + output_grad["std"] ** 2, b_means, output_grad["mean"],
        theory.Blocks(arch.normalized, arch.skips, arch.branch_scale, inputs["mean"],
                      blocks.EPSILON),
    )


THEORY_FIELDS = (
    "preactivation_var", "grad_preactivation_var",
    "preactivation_mean", "preactivation_centred_var", "grad_preactivation_centred_var",
)
"""A layer's ``theory`` record (theory.Prediction): the two second moments of the mean-field
recursion, then E[z] and the centred variances a measured std is compared with."""


def _mean_std(values) -> dict:
    record = summary(values)
    return {k: record[k] for k in ("mean", "std", "min", "max", "nonfinite")}


SUMMARISED = (
    "weight", "bias", "preactivation", "activation",
    "grad_activation", "grad_preactivation", "grad_weight", "grad_bias",
)
"""The per-layer arrays ``initviz stats`` summarises."""
def _layer_summaries(layers) -> dict[int, dict]:
    """``_mean_std`` of every summarised array by ``id``, each array read once.

    The output layer's activation *is* its pre-activation (and its dL/da its dL/dz), so
    those are summarised once. (Threads were tried: these passes are memory-bound, and two
    threads were slower than one at every bench size.)
    """
    arrays = {id(a): a for layer in layers for a in (getattr(layer, n) for n in SUMMARISED)}
    return {key: _mean_std(array) for key, array in arrays.items()}


def largest(record: dict) -> float:
    """max |value| from a ``summary`` record; inf when a value is not finite."""
    if record["nonfinite"]:
        return math.inf
    return max(abs(record["min"]), abs(record["max"]))


def simulation_stats(sim, bins: int = 40) -> dict:
    """The records of ``initviz stats --json`` (the README documents them), one per layer."""
    activation = resolve_activation(sim.project.activation)
    act_params = activation.resolve(sim.project.activation_params)
    summaries = _layer_summaries(sim.layers)
    prediction = theory_prediction(sim, lambda a: summaries.get(id(a)) or summary(a))
    residues = residue.residue_layers(sim.layers, lambda a: largest(summaries[id(a)]))
    last = len(sim.layers) - 1
    records = []

    def _mean_std(values) -> dict:
        return dict(summaries[id(values)])

    for i, layer in enumerate(sim.layers):
        hidden = i != last
        act_record = _mean_std(layer.activation)
        act_record["saturated_fraction"] = (
            saturated_fraction(layer, activation, act_params) if hidden else 0.0
        )
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
            "theory": {name: getattr(prediction, name)[i] for name in THEORY_FIELDS},
        })
        if layer.raw_preactivation is not None:  # normalised: z before it, what the init made
            raw = summary(layer.raw_preactivation)
            records[-1]["raw_preactivation"] = {k: raw[k] for k in ("mean", "std")}
        for name in residue.GRADIENTS:  # the statistics stay those of the values themselves
            records[-1][name]["rounding_residue"] = residues[i]
    return {"loss": sim.loss, "layers": records}
