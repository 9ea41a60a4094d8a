"""Mean-field theory of deep networks at initialisation: order, chaos and the Jacobian.

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

Input–output Jacobian (Saxe et al. 2013; Pennington et al. 2017, "Resurrecting
the sigmoid"): J = ∂z_L/∂x = W₁·D₁·W₂·D₂ ⋯ D_{L−1}·W_L with D_l = diag(φ'(z_l)), in
this project's row-vector convention. Dynamical isometry means all its singular
values are near 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initviz.core import network, schemes
from initviz.core.activations import Activation

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(100)  # even count: no node at a kink
_WEIGHTS = _WEIGHTS / math.sqrt(2.0 * math.pi)
_NODES_2D, _WEIGHTS_2D = np.polynomial.hermite_e.hermegauss(40)
_WEIGHTS_2D = _WEIGHTS_2D / math.sqrt(2.0 * math.pi)
Q_FLOOR = 1e-12
Q_LIMIT = 1e8
"""q beyond this counts as diverged: the length map has no finite fixed point (ReLU, σ_w² > 2)."""


def _expect(values: np.ndarray) -> np.ndarray:
    """E over z ~ N(0, 1) of values computed at the nodes (last axis)."""
    return values @ _WEIGHTS


def _phi(activation: Activation, params: dict, z: np.ndarray) -> np.ndarray:
    return activation.forward(z, **params)


def _slope(activation: Activation, params: dict, z: np.ndarray) -> np.ndarray:
    return activation.derivative(z, activation.forward(z, **params), **params)


def fixed_point_q(
    activation: Activation, params: dict, weight_var, bias_var,
    q0: float = 1.0, max_iter: int = 1000, rtol: float = 1e-10,
) -> np.ndarray:
    """q* of the length map, iterated from q0 for each (σ_w², σ_b²) (broadcast arrays).

    Returns inf where q grows past Q_LIMIT (no finite fixed point).
    """
    weight_var, bias_var = np.broadcast_arrays(
        np.asarray(weight_var, dtype=np.float64), np.asarray(bias_var, dtype=np.float64)
    )
    q = np.full(weight_var.shape, float(q0))
    active = np.ones(q.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if not active.any():
                break
            qa = q[active]
            z = np.sqrt(qa)[:, None] * _NODES
            new = weight_var[active] * _expect(_phi(activation, params, z) ** 2) + bias_var[active]
            settled = np.abs(new - qa) <= rtol * np.maximum(qa, 1e-300)
            done = settled | (new > Q_LIMIT) | (new < 1e-30)
            q[active] = new
            active[active] = ~done
    q = np.where(q > Q_LIMIT, np.inf, q)
    return np.where(q < 1e-30, 0.0, q)


def chi1(activation: Activation, params: dict, weight_var, q) -> np.ndarray:
    """χ₁ = σ_w²·E[φ'(√q·z)²]; a diverged q is taken at Q_LIMIT (the limit for ReLU-like units)."""
    # q* = 0 (the signal dies out): χ₁ is the limit q → 0⁺, which for ReLU is still σ_w²/2.
    q = np.clip(np.asarray(q, dtype=np.float64), Q_FLOOR, Q_LIMIT)
    z = np.sqrt(q)[..., None] * _NODES
    with np.errstate(all="ignore"):
        return np.asarray(weight_var) * _expect(_slope(activation, params, z) ** 2)


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


def chi1_at(activation: Activation, params: dict, weight_var, bias_var) -> np.ndarray:
    """χ₁ at the fixed point q* of (σ_w², σ_b²) (broadcast arrays)."""
    q = fixed_point_q(activation, params, weight_var, bias_var)
    return chi1(activation, params, weight_var, q)


def critical_weight_var(
    activation: Activation, params: dict, bias_var,
    low: float = 0.05, high: float = 4.0, iterations: int = 30,
) -> np.ndarray:
    """σ_w² where χ₁ = 1 at each σ_b², by bisection (χ₁ grows with σ_w²), all σ_b² at once.

    nan where χ₁ = 1 is not crossed within [low, high].
    """
    bias_var = np.asarray(bias_var, dtype=np.float64)
    lows, highs = np.full(bias_var.shape, float(low)), np.full(bias_var.shape, float(high))
    crossed = (chi1_at(activation, params, lows, bias_var) < 1) & (
        chi1_at(activation, params, highs, bias_var) > 1
    )
    for _ in range(iterations):
        middle = 0.5 * (lows + highs)
        below = chi1_at(activation, params, middle, bias_var) < 1.0
        lows = np.where(below, middle, lows)
        highs = np.where(below, highs, middle)
    return np.where(crossed, 0.5 * (lows + highs), np.nan)


def weight_var_range(activation: Activation, params: dict, include: float = 0.0) -> float:
    """The top of the σ_w² axis: twice the edge of chaos at σ_b² = 0 (at least 4), and ``include``.

    Sigmoid's slope is at most 1/4, so its edge lies near σ_w² = 16, far beyond tanh's 1.
    """
    edge = float(critical_weight_var(activation, params, 0.0, 0.05, 100.0, iterations=16))
    top = max(4.0, 2.0 * edge) if math.isfinite(edge) else 4.0
    return float(max(top, 1.2 * include))


def _pair(q: float, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes (u₁, u₂) with Var = q and correlation c, and their 2-D quadrature weights."""
    z1, z2 = np.meshgrid(_NODES_2D, _NODES_2D, indexing="ij")
    c = min(max(c, -1.0), 1.0)
    u1 = math.sqrt(q) * z1
    u2 = math.sqrt(q) * (c * z1 + math.sqrt(1.0 - c * c) * z2)
    return u1.ravel(), u2.ravel(), np.outer(_WEIGHTS_2D, _WEIGHTS_2D).ravel()


@dataclass(frozen=True)
class DepthScale:
    q_star: float
    chi1: float
    c_star: float
    chi_c: float
    xi_c: float
    """ξ_c = −1/ln χ_c: inf at the edge of chaos, nan where q* diverges."""


def depth_scale(
    activation: Activation, params: dict, weight_var: float, bias_var: float,
    max_iter: int = 500, tol: float = 1e-10,
) -> DepthScale:
    """Schoenholz et al. (2017): the correlation fixed point c* and the depth scale ξ_c."""
    q = float(fixed_point_q(activation, params, weight_var, bias_var))
    slope_sq = float(chi1(activation, params, weight_var, q))
    if not math.isfinite(q) or q == 0.0:
        # no finite signal: q* diverges (unbounded unit, σ_w² too large) or collapses to 0.
        xi = -1.0 / math.log(slope_sq) if q == 0.0 and 0 < slope_sq < 1 else math.nan
        return DepthScale(q, slope_sq, 1.0 if q == 0.0 else math.nan, slope_sq, xi)
    if slope_sq <= 1.0:
        c_star, chi_c = 1.0, slope_sq
    else:
        c_star = _correlation_fixed_point(
            activation, params, weight_var, bias_var, q, max_iter, tol
        )
        u1, u2, w = _pair(q, c_star)
        with np.errstate(all="ignore"):
            slopes = _slope(activation, params, u1) * _slope(activation, params, u2)
            chi_c = float(weight_var * np.dot(w, slopes))
    xi = math.inf if chi_c >= 1.0 - 1e-12 or chi_c <= 0 else -1.0 / math.log(chi_c)
    return DepthScale(q, slope_sq, c_star, chi_c, xi)


def _correlation_fixed_point(activation, params, weight_var, bias_var, q, max_iter, tol) -> float:
    """The stable c* < 1 of the correlation map in the chaotic phase, iterated from c = 0."""
    c = 0.0
    for _ in range(max_iter):
        u1, u2, w = _pair(q, c)
        with np.errstate(all="ignore"):
            mixed = float(np.dot(w, _phi(activation, params, u1) * _phi(activation, params, u2)))
        new = (weight_var * mixed + bias_var) / q
        if abs(new - c) < tol:
            return new
        c = new
    return c


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


def project_point(project) -> ProjectPoint:
    moments = schemes.layer_moments(project)
    if schemes.resolve_scheme(project.scheme).data_dependent:  # LSUV: the rescaled weights
        sim = network.simulate(project)
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
                        per_layer, mean)
