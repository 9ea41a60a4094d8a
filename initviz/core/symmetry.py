"""How many different units a layer has: the symmetry problem, judged as float32 computes.

Zero or constant init gives every unit of a hidden layer the same incoming weights, so
each unit computes, and learns, the same thing (the symmetry problem). In exact
arithmetic their columns stay equal; in float32 they can differ in the last bits,
because a BLAS kernel may accumulate the dot products of one column in another order
than those of its neighbour (edge columns of a tile, FMA or not). So two units count as
the same when they differ by at most a tolerance relative to the layer's scale.
"""
from __future__ import annotations

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)
SAME_UNIT_ULPS = 1024
"""Two columns are the same unit when no entry differs by more than this many float32 ulps
of the layer's scale (max |entry|): a relative 2⁻¹³ ≈ 1.2e-4.

Why this size: a float32 dot product of length n carries an error of up to
~n·eps·Σ|terms| (Higham, *Accuracy and Stability of Numerical Algorithms*, 2002, §3.1),
and two columns that are equal in exact arithmetic differ by at most about twice that.
With Σ|terms| about the scale of the result and n up to the batch sizes and widths of
the lessons (~1000), that is ~1000 ulps of the scale at worst, and the typical error,
with random signs, is nearer √n ulps. Training adds one such difference per step, with
random signs too, so the gap between two such columns grows like the square root of the
number of steps, not in proportion to it. Units of a random init differ by a sizable
fraction of the scale, thousands of times this tolerance, so the count does not hinge on
its exact value.
"""


def tolerance(scale: float) -> float:
    """``SAME_UNIT_ULPS`` float32 ulps of ``scale``, a layer's max |entry|."""
    return SAME_UNIT_ULPS * FLOAT32_EPS * scale


def distinct_units(values: np.ndarray) -> int | None:
    """How many different columns (units) ``values`` has: 1 after zero or constant init.

    ``values`` is (rows, units): a layer's [W; b] or its activations over a batch. Columns
    within ``tolerance`` of each other in every row are one unit; each unit is formed, in
    column order, by the first column not yet counted and every later one within tolerance
    of it. None when ``values`` holds NaN or ±inf (a diverged run): not judged, because
    every comparison with NaN fails and inf − inf is NaN.

    Fast on large layers: one pass finds each row's extremes, which give the scale and, in
    the symmetric case, the answer; otherwise the columns are split where they are apart
    (``_split_count``), which gives the same count without comparing every pair.
    """
    values = np.asarray(values)
    if values.shape[1] <= 1:
        return values.shape[1]
    high, low = values.max(axis=1), values.min(axis=1)
    scale = max(float(np.abs(high).max()), float(np.abs(low).max()))
    if not np.isfinite(scale):  # NaN reaches the extremes, and so does ±inf
        return None
    limit = tolerance(scale)
    with np.errstate(over="ignore"):  # a difference beyond float32's range is inf: apart
        spread = high.astype(np.float64) - low
    if spread.max() <= limit:  # every column within the tolerance of every other
        return 1
    return _split_count(values, limit)


def _split_count(values: np.ndarray, limit: float) -> int:
    """Units among the columns of ``values``, by splitting them where they are apart.

    A group of columns is sorted by the row where it spreads the most and cut wherever
    two neighbours there differ by more than ``limit``: no column on one side of a cut is
    within the tolerance of any on the other, so the greedy grouping of distinct_units
    never joins them, and each part is counted on its own, again by its own widest row.
    Only a group with no such cut (values chained in small steps) is grouped greedily.
    """
    count = 0
    groups = [np.arange(values.shape[1])]
    while groups:
        columns = groups.pop()
        if columns.size == 1:
            count += 1
            continue
        part = values[:, columns]
        with np.errstate(over="ignore"):
            spread = part.max(axis=1).astype(np.float64) - part.min(axis=1)
        if spread.max() <= limit:
            count += 1
            continue
        key = part[int(np.argmax(spread))].astype(np.float64)
        order = np.argsort(key, kind="stable")
        with np.errstate(over="ignore", invalid="ignore"):
            cuts = np.flatnonzero(np.diff(key[order]) > limit) + 1
        if cuts.size == 0:
            count += _greedy_count(part, limit)
            continue
        groups.extend(np.sort(columns[piece]) for piece in np.split(order, cuts))
    return count


def _greedy_count(columns: np.ndarray, limit: float) -> int:
    """Units among ``columns`` (all close in one row), grouped greedily in column order."""
    remaining = np.arange(columns.shape[1])
    count = 0
    while remaining.size:
        first = columns[:, remaining[0]][:, None]
        with np.errstate(over="ignore"):
            close = np.abs(columns[:, remaining] - first).max(axis=0) <= limit
        remaining = remaining[~close]
        count += 1
    return count


def distinct_neurons(simulation) -> list[int | None]:
    """Distinct units per hidden layer, by incoming weights and bias (columns of [W; b]).

    None for a layer whose parameters are not finite: a diverged run says nothing about
    symmetry.
    """
    return [
        distinct_units(np.vstack([layer.weight, layer.bias[None, :]]))
        for layer in simulation.layers[:-1]
    ]
