"""Everything the plots draw, computed from a Simulation off the GUI thread.

NumPy only (no Qt): the compute worker calls ``prepare`` so that the GUI thread
only hands finished arrays to pyqtgraph. Histograms are stored as the fraction
of values per bin, so layers of different sizes share one y axis honestly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from initviz.core import blocks, schemes, stats
from initviz.core.activations import resolve_activation
from initviz.core.cancel import ShouldStop, check_stop

COLUMNS = ("weight", "preactivation", "activation", "grad_activation", "grad_weight")
"""The layer grid's columns, left to right."""
COLUMN_TITLES = {
    "weight": "weights W",
    "preactivation": "pre-activations z",
    "activation": "activations a = φ(z)",
    "grad_activation": "gradients ∂L/∂a",
    "grad_weight": "gradients ∂L/∂W",
}
NORMALIZED_SYMBOLS = {"batch": "BN", "layer": "LN"}


def column_titles(project) -> dict[str, str]:
    """COLUMN_TITLES, said of ``project``'s network: with normalisation φ sees u = BN(z) (or
    LN), which the pre-activation column shows; with skips on every hidden layer a is
    a₋₁ + α·φ; on some of them only, a alone, and ``column_legends`` says which is which."""
    arch, argument, hidden_skips = _network_terms(project)
    titles = dict(COLUMN_TITLES)
    if arch.normalized:
        titles["preactivation"] = (
            f"pre-activations u = {NORMALIZED_SYMBOLS[arch.normalization]}(z)")
        titles["activation"] = "activations a = φ(u)"
    if hidden_skips and all(hidden_skips):
        titles["activation"] = f"activations a = {_skip_formula(arch.branch_scale, argument)}"
    elif any(hidden_skips):
        titles["activation"] = "activations a"
    return titles


def column_legends(project) -> dict[str, str]:
    """A line under a column's title where the network makes it say more: the raw z drawn
    behind a normalised pre-activation; what a is where only some rows have a skip."""
    arch, argument, hidden_skips = _network_terms(project)
    legends = {}
    if arch.normalized:
        legends["preactivation"] = (
            f"grey line: z before {NORMALIZED_SYMBOLS[arch.normalization]}")
    if any(hidden_skips) and not all(hidden_skips):
        legends["activation"] = (f"+ skip: {_skip_formula(arch.branch_scale, argument)}, "
                                 f"else φ({argument})")
    return legends


def _network_terms(project):
    """(architecture, the argument φ sees: "u" when normalised else "z", the hidden layers'
    skips): what both the column titles and their legends are said of."""
    arch = blocks.architecture(project)
    return arch, "u" if arch.normalized else "z", arch.skips[:-1]


def _skip_formula(alpha: float, argument: str) -> str:
    """a₋₁ + α·φ(u) with the branch scale's value (none where it is 1)."""
    scale = "" if alpha == 1 else f"{alpha:.3g}·"
    return f"a₋₁ + {scale}φ({argument})"


BINS = 48
GRADIENT_COLUMNS = ("grad_activation", "grad_weight")
"""Columns drawn on log10|x| in the log-magnitude view, where a collapse by 10^7 is a shift
across the plot rather than a change in tiny tick labels."""
LOG_MAGNITUDE_TITLES = {
    "grad_activation": "gradients log₁₀|∂L/∂a|",
    "grad_weight": "gradients log₁₀|∂L/∂W|",
}


@dataclass
class Histogram:
    edges: np.ndarray
    fractions: np.ndarray
    """Share of the sampled values in each bin (sums to 1 over the bins)."""
    sample_size: int
    total: int

    @property
    def subsampled(self) -> bool:
        return self.sample_size < self.total


@dataclass
class Cell:
    """One histogram of the grid: a quantity of a layer, on shared and on its own limits."""

    shared: Histogram
    own: Histogram
    mean: float
    std: float
    nonfinite: int
    saturated: float = 0.0
    dead: float = 0.0
    own_axis: bool = False
    """Drawn on its own limits even when the column shares them (the linear output's a = z)."""
    residue: bool = False
    """float32 rounding of an exact zero (core.residue): drawn as a spike at 0, captioned so."""
    log_shared: Histogram | None = None
    """log10|x| of the non-zero values on the column's shared decades (gradient columns);
    fractions of all values, so exact zeros are the share missing from the bars."""
    log_own: Histogram | None = None
    raw_shared: Histogram | None = None
    """A normalised layer's pre-activation cell: the raw z before the normalisation, binned
    on the same limits as ``shared`` (drawn as an outline behind the normalised values)."""
    raw_own: Histogram | None = None
    raw_std: float = math.nan


@dataclass
class FormulaRow:
    layer: int
    fan_in: int
    fan_out: int
    std: float
    limit: float | None
    text: str


@dataclass
class PlotData:
    """A Simulation plus everything drawn from it."""

    simulation: object
    stats: dict
    cells: dict[str, list[Cell]]
    limits: dict[str, tuple[float, float]]
    """Shared x range of each column, over all layers."""
    heat: dict[str, np.ndarray]
    """(layers, bins) fractions on the shared limits: the heat-map image of each column."""
    depth: dict[str, np.ndarray]
    formula: list[FormulaRow] = field(default_factory=list)
    compute_ms: float = 0.0
    log_limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Shared log10|x| range of each GRADIENT_COLUMNS column, in whole decades."""
    marks: dict[str, tuple[float, ...]] = field(default_factory=dict)
    """Values worth a tick per column: a bounded φ's limits and its value at 0."""

    @property
    def depth_count(self) -> int:
        return len(self.simulation.layers)


def histogram_of(
    sample: np.ndarray, total: int, limits: tuple[float, float], sample_range=None
) -> Histogram:
    """The fractions per bin of a ``stats.histogram_sample`` (finite values) on ``limits``."""
    counts, edges = stats.bin_counts(sample, BINS, *limits, sample_range=sample_range)
    fractions = counts / max(sample.size, 1)
    return Histogram(edges, fractions, int(sample.size), int(total))


def nice_limits(low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` widened to multiples of a round step (1, 2 or 5 × 10^k, ~4 per span).

    Axes that jump with every new seed are hard to read and slow to draw (every tick label
    re-rendered); rounded limits stay put while a slider moves, and put 0 on a tick.
    """
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return low, high
    magnitude = 10.0 ** math.floor(math.log10(span / 4))
    step = next(m * magnitude for m in (1, 2, 5, 10) if span / (m * magnitude) <= 5)
    nice = (math.floor(low / step) * step, math.ceil(high / step) * step)
    return nice if all(map(math.isfinite, nice)) and nice[1] > nice[0] else (low, high)


def shown_sample(values: np.ndarray, residue: bool, limit: int = stats.HISTOGRAM_SAMPLE):
    """``stats.histogram_sample`` of ``values``; zeros of its size where ``values`` are rounding
    residue of an exact zero: their spread is float32's, not the network's."""
    sample = stats.histogram_sample(values, limit)
    return np.zeros_like(sample) if residue else sample


def _column(values_per_layer: list[np.ndarray], records: list[dict], apart: int | None = None):
    """One sample per layer (float32, as simulated), binned on the column's shared limits
    and on its own (once, where they are the same).

    Layer index ``apart`` (if any) does not widen the shared limits and is drawn on its own;
    nor does residue (``shown_sample``), whose spike at 0 is padded to a readable range.
    """
    residues = [record.get("rounding_residue", False) for record in records]
    samples = [shown_sample(v, r) for v, r in zip(values_per_layer, residues, strict=True)]
    ranges = [stats.value_range(s) for s in samples]
    own_limits = [nice_limits(*r) for r in ranges]
    sharing = [
        lim for i, lim in enumerate(own_limits) if i != apart and not residues[i]
    ] or [lim for lim, residue in zip(own_limits, residues) if not residue] or own_limits
    shared = (min(lim[0] for lim in sharing), max(lim[1] for lim in sharing))
    cells = []
    for values, sample, span, own, record, residue in zip(
        values_per_layer, samples, ranges, own_limits, records, residues
    ):
        on_shared = histogram_of(sample, values.size, shared, span)
        # a layer that spans the column's range has the same histogram on both
        on_own = on_shared if own == shared else histogram_of(sample, values.size, own, span)
        cells.append(Cell(
            shared=on_shared, own=on_own,
            mean=record["mean"], std=record["std"], nonfinite=record["nonfinite"],
            residue=residue,
        ))
    if apart is not None and len(cells) > 1:
        cells[apart].own_axis = True
    return cells, shared


def decade_limits(low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` (log10 values) widened to whole decades, never empty."""
    bottom, top = math.floor(low), math.ceil(high)
    return (float(bottom), float(top if top > bottom else bottom + 1))


def _log_magnitudes(sample: np.ndarray) -> np.ndarray:
    """log10|x| of the finite non-zero values of ``sample``."""
    magnitudes = np.abs(sample[np.isfinite(sample) & (sample != 0)]).astype(np.float64)
    return np.log10(magnitudes)


def _log_column(values_per_layer: list[np.ndarray], cells: list[Cell]):
    """Each cell's log10|x| histogram on the column's shared decades and on its own; the
    shared decades. The output layer shares them: decades hold every layer readably."""
    logs = [_log_magnitudes(shown_sample(v, c.residue)) for v, c in zip(
        values_per_layer, cells, strict=True)]
    ranges = [_log_range(x) for x in logs]
    own_limits = [decade_limits(*r) for r in ranges]
    shared = (min(lim[0] for lim in own_limits), max(lim[1] for lim in own_limits))
    for values, cell, log, span, own in zip(
            values_per_layer, cells, logs, ranges, own_limits, strict=True):
        sample_size = cell.shared.sample_size  # zeros count in the denominator
        cell.log_shared = _log_histogram(log, sample_size, values.size, shared, span)
        cell.log_own = (cell.log_shared if own == shared
                        else _log_histogram(log, sample_size, values.size, own, span))
    return shared


LOG_TAIL = 1.0
"""Percent of the smallest magnitudes left off the left of a log10|x| axis: values near 0
stretch log10|x| down without end (a Gaussian's lowest 1 % lie 2 decades below its σ)."""


def _log_range(log: np.ndarray) -> tuple[float, float]:
    if not log.size:
        return (-1.0, 0.0)
    low = float(np.percentile(log, LOG_TAIL))
    return stats.value_range(np.array([low, float(log.max())]))


def _log_histogram(log, sample_size: int, total: int, limits, span) -> Histogram:
    counts, edges = stats.bin_counts(log, BINS, *limits, sample_range=None)
    return Histogram(edges, counts / max(sample_size, 1), int(sample_size), int(total))


def activation_marks(project) -> tuple[float, ...]:
    """A bounded φ's limits and its value at 0 (tanh -1, 0, 1; sigmoid 0, 0.5, 1): where the
    lesson says the saturated spikes pile up. Empty for an unbounded φ, and with skips,
    where a = a_{l−1} + α·φ(u) is not bounded by φ's limits."""
    activation = resolve_activation(project.activation)
    if activation.saturates_below is None or any(blocks.architecture(project).skips):
        return ()
    params = activation.resolve(project.activation_params)
    points = np.array([-1e4, 0.0, 1e4])
    with np.errstate(all="ignore"):
        values = activation.forward(points, **params)
    if not np.isfinite(values).all():
        return ()
    return tuple(sorted({round(float(v), 6) + 0.0 for v in values}))


def _formula_rows(project) -> list[FormulaRow]:
    scheme = schemes.resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    activation = resolve_activation(project.activation)
    widths = project.widths
    rows = []
    for i in range(len(widths) - 1):
        ctx = schemes.LayerContext(widths[i], widths[i + 1], activation, project.activation_params)
        try:
            _, std = scheme.moments(ctx, params)
            limit = scheme.bound(ctx, params) if scheme.bound is not None else None
            text = scheme.describe(ctx, params)
        except (ValueError, ZeroDivisionError, ArithmeticError) as error:
            std, limit, text = math.nan, None, str(error)
        rows.append(FormulaRow(i + 1, widths[i], widths[i + 1], std, limit, text))
    return rows


def _depth_curves(records: list[dict]) -> dict[str, np.ndarray]:
    """Measured and predicted std of z (forward) and of ∂L/∂z (backward), per layer: both
    centred, so a bias of non-zero mean compares like with like. A ∂L/∂z that is rounding
    residue of an exact zero is left out of the line (a gap): its std is float32's."""

    def column(getter):
        return np.array([getter(r) for r in records], dtype=np.float64)

    def theory_std(name):
        return np.sqrt(column(lambda r: r["theory"][name]))

    with np.errstate(invalid="ignore"):
        return {
            "layer": column(lambda r: r["layer"]),
            "forward": column(lambda r: r["preactivation"]["std"]),
            "forward_theory": theory_std("preactivation_centred_var"),
            "backward": column(lambda r: math.nan if r["grad_preactivation"].get(
                "rounding_residue") else r["grad_preactivation"]["std"]),
            "backward_theory": theory_std("grad_preactivation_centred_var"),
        }


def prepare(simulation, should_stop: ShouldStop = None, log_columns: bool = True) -> PlotData:
    """Statistics, histograms (shared and own limits), heat maps and depth curves;
    ``should_stop`` is asked between the columns (core.cancel). ``log_columns``: also the
    gradients' log10|x| histograms (a sixth of the preparation at the default lesson), for
    a view that shows them or may be switched to them without a new computation."""
    record = simulation.stats()
    layers = record["layers"]
    cells, limits, heat, log_limits = {}, {}, {}, {}
    for quantity in COLUMNS:
        check_stop(should_stop)
        values = [getattr(layer, quantity) for layer in simulation.layers]
        # the linear output's activation is its pre-activation (logits, often far wider than
        # φ's range): it must not squeeze the hidden layers' tanh or sigmoid into a spike
        # the same for the output's gradients: softmax's ±1/B would set every hidden layer's
        # range and turn healthy gradients into needles
        apart = len(values) - 1 if quantity in ("activation", *GRADIENT_COLUMNS) else None
        cells[quantity], limits[quantity] = _column(values, [r[quantity] for r in layers], apart)
        heat[quantity] = np.stack([c.shared.fractions for c in cells[quantity]])
        if log_columns and quantity in GRADIENT_COLUMNS:
            log_limits[quantity] = _log_column(values, cells[quantity])
    _raw_overlays(cells["preactivation"], simulation.layers, layers, limits["preactivation"])
    for cell, r in zip(cells["activation"], layers):
        cell.saturated = r["activation"]["saturated_fraction"]
        cell.dead = r["activation"]["dead_fraction"]
    return PlotData(
        simulation, record, cells, limits, heat, _depth_curves(layers),
        formula=_formula_rows(simulation.project), log_limits=log_limits,
        marks={"activation": activation_marks(simulation.project)},
    )


def _raw_overlays(cells: list[Cell], layers, records: list[dict], shared) -> None:
    """The raw z of each normalised layer, on its cell's shared and own limits: beside the
    normalised values, how far the init left z from mean 0 and std 1 (lesson 13's "bad
    init": σ 0.11 raw, 1.00 after BatchNorm). Values beyond the axis are not drawn; the
    caption gives the raw σ whatever it is."""
    for cell, layer, record in zip(cells, layers, records, strict=True):
        raw = layer.raw_preactivation
        if raw is None:
            continue
        sample = shown_sample(raw, False)
        cell.raw_shared = histogram_of(sample, raw.size, shared)
        own = (float(cell.own.edges[0]), float(cell.own.edges[-1]))
        cell.raw_own = (cell.raw_shared if cell.own is cell.shared
                        else histogram_of(sample, raw.size, own))
        cell.raw_std = record["raw_preactivation"]["std"]


def rebin(data, limits: dict) -> None:
    """Re-draw the shared-axis histograms of ``data`` (PlotData) on ``limits``, in place."""
    for quantity, (low, high) in limits.items():
        if tuple(data.limits[quantity]) == tuple(limits[quantity]):
            continue
        for cell, layer in zip(data.cells[quantity], data.simulation.layers, strict=True):
            values = getattr(layer, quantity)
            sample = shown_sample(values, cell.residue)
            cell.shared = histogram_of(sample, values.size, (low, high))
            raw = layer.raw_preactivation if quantity == "preactivation" else None
            if raw is not None:
                cell.raw_shared = histogram_of(shown_sample(raw, False), raw.size, (low, high))
        data.limits[quantity] = (low, high)
        data.heat[quantity] = np.stack([c.shared.fractions for c in data.cells[quantity]])


def rebin_log(data, log_limits: dict) -> None:
    """Re-draw the log10|x| histograms of ``data`` (PlotData) on the decades ``log_limits``
    (gradient columns), in place: two projects compared on one scale of decades."""
    for quantity, limits in log_limits.items():
        if tuple(data.log_limits[quantity]) == tuple(limits):
            continue
        for cell, layer in zip(data.cells[quantity], data.simulation.layers, strict=True):
            values = getattr(layer, quantity)
            log = _log_magnitudes(shown_sample(values, cell.residue))
            cell.log_shared = _log_histogram(
                log, cell.shared.sample_size, values.size, limits, None)
        data.log_limits[quantity] = tuple(limits)
