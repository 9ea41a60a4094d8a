"""Mean-field theory of deep networks at initialisation: order, chaos and depth scales.

Signal propagation (Poole et al. 2016, "Exponential expressivity in deep neural
networks through transient chaos"; Schoenholz et al. 2017, "Deep information
propagation"). For weights W_ij ~ N(0, σ_w²/fan_in) and biases b_i ~ N(0, σ_b²):

- length map:  q_l = σ_w²·E_z[φ(√q_{l-1}·z)²] + σ_b², with fixed point q*;
- χ₁ = σ_w²·E_z[φ'(√q*·z)²], the slope of the correlation map at c = 1:
  χ₁ < 1 ordered (nearby inputs converge, gradients vanish), χ₁ > 1 chaotic
  (nearby inputs diverge, gradients explode), χ₁ = 1 the edge of chaos;
- correlation map: c_l = (σ_w²·E[φ(u₁)φ(u₂)] + σ_b²)/q*, u₁ = √q*·z₁,
  u₂ = √q*·(c·z₁ + √(1−c²)·z₂), with stable fixed point c*;
- depth scale ξ_c = −1/ln χ_c, χ_c = σ_w²·E[φ'(u₁)φ'(u₂)] at c* (Schoenholz eq. 9):
  in the ordered phase c* = 1 and χ_c = χ₁; ξ_c diverges at χ₁ = 1.
  Information about how two inputs differ survives about ξ_c layers.

The input–output Jacobian at the fixed point lives in ``initviz.core.jacobian``.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from initviz.core import blocks, gaussian, network, schemes
from initviz.core.activations import Activation, resolve_activation

Q_FLOOR = 1e-9
"""q below this counts as 0: the signal dies out (tanh, σ_b = 0, σ_w² ≤ 1). The table of
E[φ²] is accurate to ~1e-9 relative, so smaller q cannot be told from a slow decay to 0."""
Q_LIMIT = 1e8
"""q beyond this counts as diverged: the length map has no finite fixed point (ReLU, σ_w² > 2)."""
CRITICAL_TOLERANCE = 0.05
"""|χ₁ − 1| within this is 'critical': then ξ_c = −1/ln χ₁ ≥ 20 layers (about 1/0.05), deeper
than the networks a lesson builds, so order or chaos would not show within them."""
MEAN_TOLERANCE = 0.1
"""How large a weight mean's shift may be, as a fraction of σ_w, and still count as zero."""
_MAX_STEP = 4.0
"""Largest step of ln q per iteration of the length-map solver (a factor e⁴ ≈ 55)."""
_MIN_STEP = 0.1
"""Smallest step of ln q (10 %) where the length map does not contract."""


def _slope(activation: Activation, params: dict, z: np.ndarray) -> np.ndarray:
    return activation.derivative(z, activation.forward(z, **params), **params)


def length_moments(activation: Activation, params: dict) -> gaussian.LengthMoments:
    """V(q) and S(q) of this activation, tabulated once per (activation, parameters)."""
    return _length_moments(activation, tuple(sorted(params.items())))


@functools.lru_cache(maxsize=32)
def _length_moments(activation: Activation, params: tuple) -> gaussian.LengthMoments:
    return gaussian.LengthMoments(activation, dict(params))


def fixed_point_q(
    activation: Activation, params: dict, weight_var, bias_var,
    q0=1.0, max_iter: int = 300, rtol: float = 1e-9,
) -> np.ndarray:
    """q* of the length map q ← σ_w²·V(q) + σ_b², from q0, for each (σ_w², σ_b²) (broadcast).

    The stable fixed point the iteration from q0 reaches (Poole et al. 2016), found on ln q:
    a Newton step where the map contracts (its slope σ_w²·V′(q) < 1), elsewhere a step the
    way the map moves q, at least 10 % and at most a factor e⁴. Returns inf where q grows
    past Q_LIMIT and 0 where it falls below Q_FLOOR.
    """
    table = length_moments(activation, params)
    weight_var, bias_var, q0 = np.broadcast_arrays(
        np.asarray(weight_var, dtype=np.float64), np.asarray(bias_var, dtype=np.float64),
        np.asarray(q0, dtype=np.float64))
    shape = weight_var.shape
    weight_var, bias_var = weight_var.ravel(), bias_var.ravel()
    log_q = np.log(np.clip(q0, Q_FLOOR, Q_LIMIT)).ravel()
    state = np.zeros(log_q.shape)  # 0 running, 1 settled, +inf diverged, -inf died out
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            active = state == 0
            if not active.any():
                break
            s, w, b = log_q[active], weight_var[active], bias_var[active]
            value, gradient = table.value(np.exp(s))
            image = w * value + b
            residual = np.log(image) - s
            contraction = w * value * gradient / image - 1.0  # d residual / d ln q
            settled = np.abs(residual) <= rtol
            # where the map does not contract, q runs away from a fixed point: follow it at
            # least _MIN_STEP at a time, so a slow runaway (ReLU-like units just past
            # σ_w² = 2) still reaches Q_LIMIT; a stable fixed point ahead pulls it back
            runaway = np.sign(residual) * np.maximum(np.abs(residual), _MIN_STEP)
            step = np.where(contraction < 0, -residual / contraction, runaway)
            step = np.clip(np.nan_to_num(step, nan=-_MAX_STEP), -_MAX_STEP, _MAX_STEP)
            s = np.where(settled, s, s + step)
            log_q[active] = s
            state[active] = np.select(
                [settled, (s > math.log(Q_LIMIT)) & (residual > 0),
                 (s < math.log(Q_FLOOR)) & (residual < 0)], [1.0, np.inf, -np.inf], 0.0)
    q = np.where(state == np.inf, np.inf, np.exp(log_q))
    return np.where((state == -np.inf) | (q < Q_FLOOR), 0.0, q).reshape(shape)


def chi1(activation: Activation, params: dict, weight_var, q) -> np.ndarray:
    """χ₁ = σ_w²·S(q); q* = 0 in the limit q → 0⁺ (σ_w²·φ′(0)²) and a diverged q in the
    limit q → ∞ (σ_w²/2 for ReLU)."""
    table = length_moments(activation, params)
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(all="ignore"):
        slope = table.slope(np.clip(q, Q_FLOOR, Q_LIMIT))
        slope = np.where(q > Q_LIMIT, table.slope_at_infinity, slope)
        return np.asarray(weight_var) * np.where(q < Q_FLOOR, table.slope_at_zero, slope)


@dataclass(frozen=True)
class PhaseDiagram:
    """χ₁ over a grid: ``chi1[i, j]`` at (weight_vars[i], bias_vars[j])."""

    weight_vars: np.ndarray
    bias_vars: np.ndarray
    q_star: np.ndarray
    chi1: np.ndarray
    critical_weight_var: np.ndarray
    """σ_w² where χ₁ = 1, for each bias variance (nan where the line leaves the grid)."""

    @property
    def diverged(self) -> np.ndarray:
        return ~np.isfinite(self.q_star)


def phase_diagram(
    activation: Activation, params: dict,
    weight_vars: np.ndarray | None = None, bias_vars: np.ndarray | None = None,
) -> PhaseDiagram:
    """χ₁ on a (σ_w², σ_b²) grid and the χ₁ = 1 line (Poole et al. 2016, Fig. 2)."""
    if weight_vars is None:
        weight_vars = np.linspace(0.05, 4.0, 80)
    if bias_vars is None:
        bias_vars = np.linspace(0.0, 0.5, 41)
    weight_vars, bias_vars = np.asarray(weight_vars, float), np.asarray(bias_vars, float)
    w_grid, b_grid = np.meshgrid(weight_vars, bias_vars, indexing="ij")
    q = fixed_point_q(activation, params, w_grid, b_grid)
    values = chi1(activation, params, w_grid, q)
    low, high = float(weight_vars.min()), float(weight_vars.max())
    line = critical_weight_var(activation, params, bias_vars, low, high)
    return PhaseDiagram(weight_vars, bias_vars, q, values, line)


def chi1_at(activation: Activation, params: dict, weight_var, bias_var, q0=1.0) -> np.ndarray:
    """χ₁ at the fixed point q* of (σ_w², σ_b²) (broadcast arrays)."""
    q = fixed_point_q(activation, params, weight_var, bias_var, q0)
    return chi1(activation, params, weight_var, q)


def critical_weight_var(
    activation: Activation, params: dict, bias_var,
    low: float = 0.05, high: float = 4.0, iterations: int = 48,
) -> np.ndarray:
    """σ_w² where χ₁ = 1 at each σ_b², by bisection on ln σ_w² (χ₁ grows with σ_w²).

    nan where χ₁ = 1 is not crossed within [low, high].
    """
    bias_var = np.asarray(bias_var, dtype=np.float64)
    lows, highs = np.full(bias_var.shape, float(low)), np.full(bias_var.shape, float(high))
    crossed = (chi1_at(activation, params, lows, bias_var) < 1) & (
        chi1_at(activation, params, highs, bias_var) > 1
    )
    for _ in range(iterations):
        middle = np.sqrt(lows * highs)
        below = chi1_at(activation, params, middle, bias_var) < 1.0
        lows = np.where(below, middle, lows)
        highs = np.where(below, highs, middle)
    return np.where(crossed, np.sqrt(lows * highs), np.nan)


def weight_var_range(activation: Activation, params: dict, include: float = 0.0) -> float:
    """The top of the σ_w² axis: twice the edge of chaos at σ_b² = 0 (at least 4), and ``include``.

    Sigmoid's slope is at most 1/4 and its mean is 1/2, so q* grows with σ_w² and pushes
    χ₁ down: its edge lies near σ_w² = 103, far beyond tanh's 1; the search reaches 1000.
    """
    edge = _edge_of_chaos(activation, tuple(sorted(params.items())))
    top = max(4.0, 2.0 * edge) if math.isfinite(edge) else 4.0
    return float(max(top, 1.2 * include))


@functools.lru_cache(maxsize=32)
def _edge_of_chaos(activation: Activation, params: tuple) -> float:
    """σ_w² where χ₁ = 1 at σ_b² = 0, once per (activation, parameters): a bisection of
    fixed-point solves, all Python and small arrays, which holds the GIL while it runs."""
    return float(critical_weight_var(activation, dict(params), 0.0, 0.05, 1000.0,
                                     iterations=24))


@dataclass(frozen=True)
class DepthScale:
    q_star: float
    chi1: float
    c_star: float
    chi_c: float
    xi_c: float
    """ξ_c = −1/ln χ_c: inf at the edge of chaos, nan where q* diverges."""
    xi_q: float
    """ξ_q = −1/ln(σ_w²·V′(q*)) (Schoenholz et al. 2017, eq. 5), V′ = dE[φ(√q·z)²]/dq: how many
    layers the length q takes to reach q*. nan where q* diverges."""


def depth_scale(
    activation: Activation, params: dict, weight_var: float, bias_var: float,
    max_iter: int = 100, tol: float = 1e-10,
) -> DepthScale:
    """Schoenholz et al. (2017): the correlation fixed point c* and the depth scales ξ_c, ξ_q."""
    q = float(fixed_point_q(activation, params, weight_var, bias_var))
    slope_sq = float(chi1(activation, params, weight_var, q))
    if not math.isfinite(q):  # q* diverges (unbounded unit, σ_w² too large)
        return DepthScale(q, slope_sq, math.nan, slope_sq, math.nan, math.nan)
    value_slope = length_moments(activation, params).exact(max(q, Q_FLOOR))[2]
    xi_q = _depth(weight_var * value_slope)
    if q == 0.0:  # the signal dies out: only the limit q → 0⁺ is left
        return DepthScale(q, slope_sq, 1.0, slope_sq, _depth(slope_sq), xi_q)
    if slope_sq <= 1.0:
        c_star, chi_c = 1.0, slope_sq
    else:
        c_star, chi_c = _correlation_fixed_point(
            activation, params, weight_var, bias_var, q, max_iter, tol)
    return DepthScale(q, slope_sq, c_star, chi_c, _depth(chi_c), xi_q)


def _depth(rate: float) -> float:
    """−1/ln(rate): layers per e-fold of a perturbation shrinking by ``rate`` per layer."""
    if not math.isfinite(rate):
        return math.nan
    return math.inf if rate >= 1.0 - 1e-12 or rate <= 0 else -1.0 / math.log(rate)


def correlation_map(activation, params, weight_var, bias_var, q, c, order=gaussian.ORDER):
    """(c_next, χ_c(c)): the correlation map at c and its slope σ_w²·E[φ′(u₁)φ′(u₂)]."""
    u1, u2, w = gaussian.pair_rule(q, c, order)
    with np.errstate(all="ignore"):
        a1, a2 = activation.forward(u1, **params), activation.forward(u2, **params)
        slopes = (activation.derivative(u1, a1, **params)
                  * activation.derivative(u2, a2, **params))
        return ((weight_var * float(a1 * a2 @ w) + bias_var) / q,
                weight_var * float(slopes @ w))


def _correlation_fixed_point(activation, params, weight_var, bias_var, q, max_iter, tol):
    """(c*, χ_c) for the stable c* < 1 of the chaotic phase, by Newton's method from c = 0.

    The map is increasing and convex on [0, 1] (its Taylor coefficients in c are squared
    Hermite coefficients, Poole et al. 2016) and lies above the diagonal at 0, so Newton
    steps from 0 climb monotonically to c*. The climb runs on the draft rule; Newton steps
    on the full rule then polish c* (each doubles the correct digits).
    """
    c = 0.0
    for order in (gaussian.DRAFT_ORDER, gaussian.ORDER):
        for _ in range(max_iter):
            image, slope = correlation_map(activation, params, weight_var, bias_var, q, c, order)
            step = (image - c) / (1.0 - slope) if slope < 1.0 else image - c
            if abs(step) < tol:  # χ_c moves by about |step| more: below the rule's own error
                break
            c = min(max(c + step, 0.0), 1.0)
    return c, slope


# --- the project's own numbers -------------------------------------------------------


@dataclass(frozen=True)
class ProjectPoint:
    """Where the project sits on the phase diagram."""

    weight_var: float
    """σ_w² = fan_in·Var(W), the median over the hidden-to-hidden layers (all layers if none)."""
    bias_var: float
    """σ_b² = E[b²] (a shared bias enters the length and correlation maps as its square)."""
    per_layer_weight_var: list[float]
    weight_mean: float
    """Mean of W; the theory assumes 0 (constant init breaks it)."""
    weight_mean_shift: float = 0.0
    """fan_in·|mean of W| in the first layer: the shift a mean gives each pre-activation per
    unit of input."""

    @property
    def zero_mean(self) -> bool:
        """The mean is negligible: its shift is below MEAN_TOLERANCE of the spread σ_w (the
        mean measured on LSUV's rescaled weights is sampling noise, not a constant init)."""
        return self.weight_mean_shift <= MEAN_TOLERANCE * math.sqrt(self.weight_var)


def project_point(project, *, should_stop=None) -> ProjectPoint:
    """Where ``project`` sits on the phase diagram; LSUV's rescaled weights take a whole
    pass, which ``should_stop`` can stop between layers (core.cancel)."""
    moments = schemes.layer_moments(project)
    if schemes.resolve_scheme(project.scheme).data_dependent:  # LSUV: the rescaled weights
        sim = network.simulate(project, should_stop=should_stop)
        per_layer = [
            float(layer.fan_in * np.var(layer.weight, dtype=np.float64)) for layer in sim.layers
        ]
        mean = float(np.mean(sim.layers[0].weight))
    else:
        per_layer = [m.context.fan_in * m.weight_std**2 for m in moments]
        mean = float(moments[0].weight_mean)
    hidden = per_layer[1:-1] or per_layer
    bias = moments[min(1, len(moments) - 1)]
    return ProjectPoint(float(np.median(hidden)), bias.bias_mean**2 + bias.bias_std**2,
                        per_layer, mean, project.widths[0] * abs(mean))


def regime(chi1_value: float) -> str:
    """'ordered' (χ₁ < 1), 'chaotic' (χ₁ > 1) or 'critical' within CRITICAL_TOLERANCE of 1."""
    if abs(chi1_value - 1.0) <= CRITICAL_TOLERANCE:
        return "critical"
    return "ordered" if chi1_value < 1.0 else "chaotic"


def project_phase(project) -> dict:
    """Where the project sits in mean-field theory: σ_w², σ_b², q*, χ₁, the regime, ξ_c
    (``depth_scale``) and ξ_q, as ``initviz stats --json`` reports it.

    Values are None where the theory does not apply, and ``note`` says why.
    """
    point = project_point(project)
    summary = {"weight_var": point.weight_var, "bias_var": point.bias_var, "q_star": None,
               "chi1": None, "regime": None, "depth_scale": None, "xi_q": None, "note": None}
    beyond = beyond_phase(project)
    if beyond:
        summary["note"] = beyond
        return summary
    if not point.zero_mean:
        summary["note"] = (f"the weights have mean {point.weight_mean:.3g}: mean-field theory "
                           "assumes zero-mean, independent weights")
        return summary
    if point.weight_var == 0:
        summary["note"] = ("all weights are zero: every unit computes the same value, which "
                           "mean-field theory (random weights) does not describe")
        return summary
    activation = resolve_activation(project.activation)
    params = activation.resolve(project.activation_params)
    scale = depth_scale(activation, params, point.weight_var, point.bias_var)
    if not math.isfinite(scale.q_star):
        summary["note"] = ("q* diverges: the variance grows without bound from layer to layer, "
                           "so there is no fixed point to be ordered or chaotic about")
        return summary
    summary.update(q_star=scale.q_star, chi1=scale.chi1, regime=regime(scale.chi1),
                   depth_scale=_finite(scale.xi_c), xi_q=_finite(scale.xi_q))
    notes = []
    if scale.q_star == 0:
        notes.append("q* = 0: the signal dies out with depth; χ₁ is its limit as q → 0")
    if math.isinf(scale.xi_c):
        notes.append("ξ_c is unbounded at the edge of chaos")
    if schemes.resolve_scheme(project.scheme).data_dependent:
        notes.append("σ_w² is measured on the weights after the data-dependent rescaling, "
                     "the median over the hidden layers")
    summary["note"] = "; ".join(notes) or None
    return summary


def beyond_phase(project) -> str:
    """Why the ordered/chaotic phase does not describe ``project``; '' where it does."""
    arch = blocks.architecture(project)
    if arch.normalized:
        return ("not applicable with normalisation: φ always sees unit-variance pre-"
                "activations, so there is no q* to settle at; with BatchNorm the gradients "
                "grow with depth at init (Yang et al. 2019), measured on the Layers tab")
    if any(arch.skips):
        return ("not applicable with residual skips: the variance grows with depth instead of "
                "settling at a fixed point (Yang & Schoenholz 2017); the depth plot's dashed "
                "line follows that growth")
    return ""


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
