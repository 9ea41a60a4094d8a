"""The input–output Jacobian at initialisation and its singular values (dynamical isometry).

J = ∂z_L/∂x = W₁·D₁·W₂·D₂ ⋯ D_{L−1}·W_L with D_l = diag(φ'(z_l)), in this project's
row-vector convention (Saxe et al. 2013, "Exact solutions to the nonlinear dynamics of
learning in deep linear neural networks"). Dynamical isometry means all its singular
values are near 1 (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in
deep learning through dynamical isometry"). Their theory, like χ₁ on the Theory tab,
holds for inputs whose pre-activation variance sits at the length map's fixed point q*:
orthogonal tanh networks on the χ₁ = 1 line are then nearly isometric, while at
unit-variance inputs the deep tanh layers saturate and the spectrum spreads over decades.

Units with φ'(z) = 0 (a ReLU below zero) zero whole rows of J's factors, so J loses rank:
those singular values are structurally 0, not a spread of small values, and are counted
apart from the others.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initviz.core import blocks, footprint, memory, network, phase
from initviz.core.activations import Activation, resolve_activation
from initviz.core.cancel import ShouldStop, check_stop
from initviz.core.data import make_batch

DATA, Q_STAR = "data", "q_star"
INPUTS = {DATA: "the data batch", Q_STAR: "at the fixed point q*"}
"""Where J is evaluated: the project's own inputs, or those inputs rescaled to q*."""
SAMPLE_INPUTS = 8
"""J is taken at this many inputs (the first of the batch), their spectra pooled."""
FLOP_BUDGET = 1e10
"""Flops (``flops_per_input``) for all inputs together: room for the 8 inputs of a 256-wide,
30-layer network (8.3e9). Wider or deeper networks use fewer inputs."""
FLOP_LIMIT = 4e10
"""Beyond this for a single input the spectrum is not computed: a 16384-wide layer
would take minutes and gigabytes for one matrix."""
SVD_FLOP_LIMIT = 4.5e9
"""Beyond this (``svd_flops``) the singular values are not computed: one SVD is a single
LAPACK call that nothing can stop, so a window closing would wait for it. 1024×1024 (4.3e9)
takes about 1 s here; 2048×2048 (3.4e10) took 17.6 s, 4096 wide minutes."""


@dataclass(frozen=True)
class JacobianSpectrum:
    singular_values: np.ndarray
    """All singular values of the finite J's, pooled over inputs (structural zeros included)."""
    nonzero: np.ndarray
    """The singular values above the rank tolerance (``zero_tolerance``): the spread is theirs."""
    ranks: tuple[int, ...]
    """rank of J at each input whose J is finite."""
    size: int
    """min(n0, nL): singular values per input."""
    inputs: str
    """DATA or Q_STAR: where J was actually evaluated."""
    q_star: float
    """The length map's fixed point for the project's (σ_w², σ_b²); nan when not asked for."""
    note: str = ""
    """Why the spectrum is not what was asked for (fallback to the data, overflow, size)."""
    nonfinite_inputs: int = 0
    """Inputs at which J overflowed (exploding weights): left out of the spectrum."""
    zero_cause: str = ""
    """What makes J rank-deficient: dead units, a narrow layer, or lost precision."""

    @property
    def zero_count(self) -> int:
        return int(self.singular_values.size - self.nonzero.size)

    @property
    def spread(self) -> float:
        """max/min of the non-zero singular values: 1 is perfect isometry; nan if none."""
        if self.nonzero.size == 0:
            return math.nan
        return float(self.nonzero.max() / self.nonzero.min())


def zero_tolerance(values: np.ndarray, shape: tuple[int, int], dtype=np.float64) -> float:
    """Singular values at or below this are 0: s_max·max(m, n)·eps (numpy.linalg.matrix_rank).

    A computed singular value carries an error of about s_max·eps per row or column the
    rounding passes through (Golub & Van Loan, "Matrix Computations", §5.4), so a value
    that small cannot be told from 0. eps is that of the arithmetic J and its SVD were
    done in (float64 here): the float32 weights convert to float64 exactly, so their own
    precision does not enter.
    """
    if values.size == 0:
        return 0.0
    return float(values.max()) * max(shape) * float(np.finfo(dtype).eps)


def slopes_along(weights, biases, x: np.ndarray, activation: Activation, params: dict, *,
                 should_stop: ShouldStop = None):
    """φ'(z_l) of the hidden layers 1..L−1 at input ``x``: the diagonals D_l of J."""
    a = np.asarray(x, dtype=np.float64)
    slopes = []
    with np.errstate(all="ignore"):
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            check_stop(should_stop)
            z = a @ np.asarray(w, dtype=np.float64) + b
            a = activation.forward(z, **params)
            slopes.append(activation.derivative(z, a, **params))
    return slopes


def chain(weights, slopes, count: int, *, should_stop: ShouldStop = None) -> np.ndarray:
    """W₁·D₁·W₂ ⋯ D_{L−1}·W_L for ``count`` inputs (``slopes[l]`` of shape (count, n_l)).

    Returns (count, n0, nL). Multiplied from the narrower end, so a 784-input, 10-output
    net costs ~10 rows per layer; the inputs are stacked into one matrix product per layer.
    """
    if weights[0].shape[0] > weights[-1].shape[1]:  # Jᵀ = W_Lᵀ·D_{L−1}·W_{L−1}ᵀ ⋯ D₁·W₁ᵀ
        flipped = chain([w.T for w in reversed(weights)], slopes[::-1], count,
                        should_stop=should_stop)
        return flipped.transpose(0, 2, 1)
    first = np.asarray(weights[0], dtype=np.float64)
    jac = np.broadcast_to(first, (count, *first.shape))
    with np.errstate(all="ignore"):
        for slope, weight in zip(slopes, weights[1:], strict=True):
            check_stop(should_stop)
            w = np.asarray(weight, dtype=np.float64)  # one layer in float64 at a time
            scaled = jac * slope[:, None, :]
            jac = (scaled.reshape(-1, w.shape[0]) @ w).reshape(count, -1, w.shape[1])
    return np.array(jac)


def input_output_jacobian(weights, biases, x: np.ndarray, activation: Activation, params: dict):
    """J[i, k] = ∂z_L[k]/∂x[i] at input ``x``, shape (n0, nL)."""
    slopes = slopes_along(weights, biases, np.asarray(x)[None, :], activation, params)
    return chain(weights, slopes, 1)[0]


def flops_per_input(widths: list[int]) -> float:
    """Flops of J and its singular values at one input: min(n0, nL) rows through every
    layer's matrix but the one ``chain`` starts from, and the bidiagonalisation of the
    (n0, nL) result, ~4·m·n² (Golub & Van Loan, "Matrix Computations", §5.4.8). The
    forward pass for the slopes is one row per layer: left out."""
    narrow = min(widths[0], widths[-1])
    layers = list(zip(widths[:-1], widths[1:], strict=True))
    inner = layers[1:] if widths[0] <= widths[-1] else layers[:-1]
    return 2.0 * narrow * sum(a * b for a, b in inner) + svd_flops(widths)


def svd_flops(widths: list[int]) -> float:
    """Flops of the singular values of one (n0, nL) J: ~4·m·n², m ≥ n (Golub & Van Loan,
    "Matrix Computations", §5.4.8)."""
    narrow, wide = sorted((widths[0], widths[-1]))
    return 4.0 * wide * narrow**2


def _too_large(widths: list[int]) -> str:
    """Why J is not computed for these widths ("" if it is)."""
    per_input = flops_per_input(widths)
    if per_input > FLOP_LIMIT:
        return (f"J is not computed: one input would take {per_input / 1e9:.0f} GFLOP "
                f"(limit {FLOP_LIMIT / 1e9:.0f}); narrow or shorten the network")
    svd = svd_flops(widths)
    if svd > SVD_FLOP_LIMIT:
        return (f"J is not computed: the singular values of a {widths[0]}×{widths[-1]} J "
                f"would take {svd / 1e9:.0f} GFLOP (limit {SVD_FLOP_LIMIT / 1e9:.1f} GFLOP, "
                "about a 1024×1024 J); narrow the input or the output layer")
    return ""


def sample_count(widths: list[int], wanted: int = SAMPLE_INPUTS) -> int:
    """Inputs J is taken at: ``wanted``, fewer where they would pass FLOP_BUDGET, none
    where one alone would pass FLOP_LIMIT."""
    per_input = flops_per_input(widths)
    if per_input > FLOP_LIMIT:
        return 0
    return int(max(1, min(wanted, FLOP_BUDGET // max(per_input, 1.0))))


def theory_estimate(project, count: int = SAMPLE_INPUTS):
    """The Jacobian spectrum's footprint.theory_bytes at ``count`` inputs, a memory.Estimate."""

    def estimate(widths, batch):
        return footprint.theory_bytes(widths, batch, project.scheme, sample_count(widths, count))

    return estimate


def check_theory_fits(project, count: int = SAMPLE_INPUTS, budget: int | None = None) -> int:
    """The Jacobian spectrum's estimate; raises ProjectError with a fix when it would not
    fit (memory.check_estimate)."""
    return memory.check_estimate("the theory of this project", theory_estimate(project, count),
                                 project, budget)


def inputs_at_fixed_point(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, q_star: float
) -> np.ndarray:
    """Each input rescaled along its own direction so that its layer-1 pre-activations
    z = x·W₁ + b₁ have mean square q*: the input the length map (Poole et al. 2016)
    assumes when it starts at its fixed point. (The cross term x·W₁·b₁ averages to 0.)
    """
    x = np.asarray(x, dtype=np.float64)
    signal = np.mean((x @ np.asarray(weight, dtype=np.float64)) ** 2, axis=1)
    room = max(q_star - float(np.mean(np.square(bias, dtype=np.float64))), 0.0)
    scale = np.sqrt(np.divide(room, signal, out=np.ones_like(signal), where=signal > 0))
    return x * scale[:, None]


def _fixed_point(project, activation: Activation, params: dict, q_star: float | None
                 ) -> tuple[float, str]:
    """q* at the project's (σ_w², σ_b²), and why the data batch is used instead ("" if not)."""
    if q_star is None:
        point = phase.project_point(project)
        q_star = float(phase.fixed_point_q(activation, params, point.weight_var, point.bias_var))
    instead = "J is shown at the data batch instead"
    if math.isinf(q_star):
        return q_star, f"q* is infinite (the variance grows without bound): {instead}"
    if math.isnan(q_star):
        return q_star, f"q* is undefined for this network: {instead}"
    if q_star <= 0:  # q* ≥ σ_b², so only a zero bias lets the signal die out
        return q_star, (f"q* = 0 (the signal dies out with depth; a small bias variance "
                        f"gives q* > 0): {instead}")
    return q_star, ""


def _zero_cause(widths: list[int], weights, slopes, ranks) -> str:
    """Why J has rank below min(n0, nL). Its rank is at most that of every factor: a weight
    matrix of rank 0 or 1 (zero or constant init), a narrow layer, or a layer whose units
    with φ'(z) = 0 (a ReLU below zero) zero their rows of every product through them."""
    if not ranks or min(ranks) >= min(widths[0], widths[-1]):
        return ""
    if any(not np.any(w) for w in weights):
        return "zero weights"
    if any((w == w[:1]).all() or (w == w[:, :1]).all() for w in weights):
        return "constant weights make every unit of a layer alike"
    narrowest = min(widths)
    active = [int(np.count_nonzero(s, axis=1).min()) for s in slopes] or [narrowest]
    if min(active) < narrowest and min(ranks) <= min(active):
        return "dead units, φ'(z) = 0"
    if min(ranks) <= narrowest < min(widths[0], widths[-1]):
        return f"a hidden layer of {narrowest} units"
    return "values below the float64 precision of the product"


def jacobian_spectrum(project, inputs: str = Q_STAR, count: int = SAMPLE_INPUTS,
                      q_star: float | None = None, *, should_stop: ShouldStop = None
                      ) -> JacobianSpectrum:
    """Singular values of J at initialisation at the first inputs of the batch, pooled.

    The weights are the project's own (float32 draws, as ``simulate``), the algebra float64.
    ``inputs`` = Q_STAR rescales those inputs to the fixed point q* (``q_star`` if the caller
    has it, else phase.fixed_point_q at phase.project_point); where q* is 0 or infinite the
    data batch is used and ``note`` says so. Too large a J (FLOP_LIMIT, SVD_FLOP_LIMIT) is
    refused at once, with a note that says why; ProjectError, before allocating anything,
    when the computation would not fit in memory (core.memory). ``should_stop`` is asked
    between layers and inputs (core.cancel).
    """
    widths = project.widths
    size = min(widths[0], widths[-1])
    refused = _too_large(widths) or _beyond_chain(project)
    if refused:
        return _empty(size, inputs, refused)
    with memory.promise_estimate("the theory of this project",
                                 theory_estimate(project, count), project):
        return _spectrum(project, inputs, sample_count(widths, count), q_star, should_stop)


def _spectrum(project, inputs: str, count: int, q_star, should_stop: ShouldStop
              ) -> JacobianSpectrum:
    widths = project.widths
    size = min(widths[0], widths[-1])
    batch, _ = make_batch(project.source, project.batch_size, widths[0], widths[-1], project.seed)
    with np.errstate(all="ignore"):
        weights, biases = network.init_parameters(project, batch, should_stop=should_stop)
    activation = resolve_activation(project.activation)
    params = activation.resolve(project.activation_params)
    x, note, used = batch[:count], "", DATA
    if inputs != Q_STAR:
        q_star = math.nan
    else:
        q_star, note = _fixed_point(project, activation, params, q_star)
        if not note:
            x, used = inputs_at_fixed_point(x, weights[0], biases[0], q_star), Q_STAR
    slopes = slopes_along(weights, biases, x, activation, params, should_stop=should_stop)
    jac = chain(weights, slopes, len(x), should_stop=should_stop)
    finite = np.isfinite(jac).all(axis=(1, 2))
    values, nonzero, ranks = _singular_values(jac[finite], should_stop)
    if not finite.all():
        overflow = (f"J is not finite at {int((~finite).sum())} of {count} inputs: the weights "
                    "make the signal overflow")
        note = f"{note}; {overflow}" if note else overflow
    cause = _zero_cause(widths, weights, [s[finite] for s in slopes], ranks)
    return JacobianSpectrum(values, nonzero, ranks, size, used, q_star, note,
                            int((~finite).sum()), cause)


def _singular_values(jac: np.ndarray, should_stop: ShouldStop = None
                     ) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """(all singular values, the non-zero ones, the rank at each input) of a stack of J's,
    one SVD at a time so that ``should_stop`` is asked between them."""
    if jac.shape[0] == 0:
        return np.zeros(0), np.zeros(0), ()
    values = np.empty((jac.shape[0], min(jac.shape[1:])))
    for row, matrix in zip(values, jac, strict=True):
        check_stop(should_stop)
        row[:] = np.linalg.svd(matrix, compute_uv=False)
    above = values > np.array([[zero_tolerance(v, jac.shape[1:])] for v in values])
    return values.ravel(), values[above], tuple(int(n) for n in above.sum(axis=1))


def _beyond_chain(project) -> str:
    """Why J is not W₁D₁⋯W_L here: normalisation couples the inputs of a batch (or the units
    of a layer) and a skip adds the identity to a factor; '' for a plain network."""
    arch = blocks.architecture(project)
    if arch.normalized:
        return ("not computed with normalisation: the pre-activations then depend on the "
                "other inputs or units, so J is no longer the product W₁D₁⋯W_L")
    if any(arch.skips):
        return ("not computed with residual skips: each skip adds the identity to a factor "
                "of J = W₁D₁⋯W_L")
    return ""


def _empty(size: int, inputs: str, note: str) -> JacobianSpectrum:
    return JacobianSpectrum(np.zeros(0), np.zeros(0), (), size, inputs, math.nan, note)


def log_histogram(values: np.ndarray, bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts) of log10(values) over the values' own range, which always takes in
    isometry (0) so the eye has its reference; one bin's width of margin each side."""
    logs = np.log10(values[np.isfinite(values) & (values > 0)])
    if logs.size == 0:
        return np.array([-0.5, 0.5]), np.array([0])
    low, high = min(float(logs.min()), 0.0), max(float(logs.max()), 0.0)
    pad = max(high - low, 0.5) / bins
    counts, edges = np.histogram(logs, bins=bins, range=(low - pad, high + pad))
    return edges, counts
