"""Gaussian expectations E[f(u)], u ~ N(m, σ²), for the mean-field theory of every activation.

Composite Gauss–Legendre: the line is cut into panels at the places where activations
bend — 0 (the kink of ReLU, ELU, SELU) and ±2^k, a geometric grading that resolves a
bend at any scale from 1/8 to 32 — and at m ± {½, 1, 2, …, 10}·σ, where the Gaussian's
mass lies. Each panel carries ``ORDER`` Legendre nodes. On every panel the integrand
is smooth, so the rule converges fast whatever σ is. A global Gauss–Hermite rule does
not: its nodes spread as σ grows (spacing ~σ/4 near 0), so at σ² ≈ 250 they step over
tanh′'s peak of width ~1, and they converge slowly across a jump in φ′.

Two dimensions (the correlation map): u₁ ~ N(0, q), and given u₁, u₂ ~ N(c·u₁,
q·(1 − c²)); the inner rule is rebuilt around every outer node, so the kink at u₂ = 0
is a panel edge there too.
"""
from __future__ import annotations

import functools
import math

import numpy as np

ORDER = 6
"""Legendre nodes per panel: a panel is at most 3.5σ wide (in the far tail) or one octave of
a bend; 6 nodes reach a relative error near 1e-10 on every activation in the registry."""
DRAFT_ORDER = 3
"""Nodes per panel for a first approximation that a full-order step then polishes."""
_REACH = 10.0
"""The rule spans m ± 10σ: the Gaussian mass beyond is below 1e-22."""
_SPREAD = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.5, 6.5, _REACH])
_SPREAD = np.concatenate((-_SPREAD[:0:-1], _SPREAD))
_OCTAVES = 2.0 ** np.arange(-3, 6)
_FEATURES = np.concatenate((-_OCTAVES[::-1], [0.0], _OCTAVES))
"""Where activations bend, in pre-activation units: the kink at 0, GELU and SiLU near ±1,
tanh and sigmoid within ±4, and their exponential tails out to ±32."""


@functools.lru_cache(maxsize=4)
def _legendre(order: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(order)


def rule(variance: float, mean=0.0, order: int = ORDER) -> tuple[np.ndarray, np.ndarray]:
    """Nodes u and weights w, Σ w·f(u) ≈ E[f(u)] for u ~ N(mean, variance).

    ``mean`` may be an array: then one rule per mean, nodes of shape (len(mean), n).
    A variance of 0 gives the single node u = mean.
    """
    means = np.atleast_1d(np.asarray(mean, dtype=np.float64))
    if not variance > 0:
        nodes = means[:, None].copy()
        weights = np.ones_like(nodes)
    else:
        nodes, weights = rules(np.full(means.shape, math.sqrt(variance)), means, order)
    return (nodes, weights) if np.ndim(mean) else (nodes[0], weights[0])


def rules(sigmas: np.ndarray, means: np.ndarray, order: int = ORDER):
    """One rule per row for N(means[i], sigmas[i]²), σ > 0: nodes and weights (rows, n)."""
    legendre_x, legendre_w = _legendre(order)
    sigmas, means = sigmas[:, None], means[:, None]
    low, high = means - _REACH * sigmas, means + _REACH * sigmas
    features = np.clip(_FEATURES[None, :], low, high)  # outside the reach: 0-wide panels
    cuts = np.sort(np.concatenate((features, means + sigmas * _SPREAD), axis=1), axis=1)
    half = 0.5 * np.diff(cuts, axis=1)[..., None]
    nodes = 0.5 * (cuts[:, 1:] + cuts[:, :-1])[..., None] + half * legendre_x
    density = np.exp(-0.5 * ((nodes - means[..., None]) / sigmas[..., None]) ** 2)
    weights = half * legendre_w * density / (sigmas[..., None] * math.sqrt(2.0 * math.pi))
    return nodes.reshape(len(means), -1), weights.reshape(len(means), -1)


def pair_rule(variance: float, correlation: float, order: int = ORDER):
    """Nodes (u₁, u₂) and weights for E[f(u₁, u₂)], both N(0, variance), correlation c.

    Nested 1-D rules: outer over u₁, inner over u₂ given u₁ (flattened, nodes of weight 0
    left out).
    """
    c = min(max(float(correlation), -1.0), 1.0)
    outer, outer_weights = rule(variance, order=order)
    inner, inner_weights = rule(variance * (1.0 - c * c), c * outer, order)
    first = np.broadcast_to(outer[:, None], inner.shape).ravel()
    weights = (outer_weights[:, None] * inner_weights).ravel()
    used = weights > 0  # panels outside an inner rule's reach have width 0
    return first[used], inner.ravel()[used], weights[used]


def expect(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ w·f over the last axis, where ``values`` = f at the nodes of a rule."""
    return np.sum(values * weights, axis=-1)


# --- the length map's moments, tabulated -------------------------------------------

Q_RANGE = (1e-14, 1e10)
"""q covered by the table; the length map treats q beyond Q_LIMIT (below 1e10) as diverged."""
_FAR = 1e4
"""|u| where every unit's φ′ has reached its limit (tanh′ is e^(−2·10⁴) there)."""
_NEAR = 1e-12
"""|u| where every unit's φ′ equals its one-sided value at 0."""
PER_DECADE = 32
"""Cubic Hermite on ln q with exact slopes: error ~(ln 10/32)⁴/384 of the 4th derivative."""


class LengthMoments:
    """V(q) = E[φ(u)²] and S(q) = E[φ′(u)²], u ~ N(0, q), for one activation, tabulated.

    The length map and χ₁ (Poole et al. 2016) only need these two functions of q; a fixed-point
    solve over a whole (σ_w², σ_b²) grid then costs interpolations instead of integrals. Both
    are interpolated as ln V, ln S against ln q with cubic Hermite polynomials whose slopes come
    from the same rule: d E[g(u)]/d ln q = ½·E[g(u)·(u²/q − 1)] (differentiate the density).
    """

    def __init__(self, activation, params: dict):
        self.activation, self.params = activation, params
        log_low, log_high = (math.log(q) for q in Q_RANGE)
        count = int(round((log_high - log_low) / math.log(10.0) * PER_DECADE)) + 1
        self.log_q = np.linspace(log_low, log_high, count)
        self.step = self.log_q[1] - self.log_q[0]
        q = np.exp(self.log_q)
        phi_sq, dphi_sq, u, w = self._squares(np.sqrt(q))
        tilt = 0.5 * (u * u / q[:, None] - 1.0) * w
        value, slope = expect(phi_sq, w), expect(dphi_sq, w)
        value_tilt, slope_tilt = expect(phi_sq, tilt), expect(dphi_sq, tilt)
        self.slope_at_zero = self._side_slopes(_NEAR)
        """lim S(q), q → 0⁺: the mean of φ′(0±)², half the mass on each side of a kink."""
        self.slope_at_infinity = self._side_slopes(_FAR)
        """lim S(q), q → ∞: the mean of φ′(±∞)², half the mass going to each side."""
        tiny = np.finfo(float).tiny
        self.log_value, self.log_slope = np.log(value + tiny), np.log(slope + tiny)
        self.value_gradient = value_tilt / (value + tiny)
        self.slope_gradient = slope_tilt / (slope + tiny)

    def _side_slopes(self, distance: float) -> float:
        u = np.array([-distance, distance])
        slopes = self.activation.derivative(u, self.activation.forward(u, **self.params),
                                            **self.params)
        return float(np.mean(slopes**2))

    def _squares(self, sigmas: np.ndarray):
        u, w = rules(sigmas, np.zeros_like(sigmas))
        with np.errstate(all="ignore"):
            phi = self.activation.forward(u, **self.params)
            dphi = self.activation.derivative(u, phi, **self.params)
        return phi * phi, dphi * dphi, u, w

    def _interpolate(self, log_q, values, gradients):
        t = np.clip((log_q - self.log_q[0]) / self.step, 0.0, len(self.log_q) - 1.0)
        i = np.minimum(t.astype(int), len(self.log_q) - 2)
        t = t - i
        h00, h10 = (1 + 2 * t) * (1 - t) ** 2, t * (1 - t) ** 2
        h01, h11 = t * t * (3 - 2 * t), t * t * (t - 1)
        d00, d10 = 6 * t * (t - 1), (1 - t) * (1 - 3 * t)
        d01, d11 = -d00, t * (3 * t - 2)
        value = (h00 * values[i] + h01 * values[i + 1]
                 + self.step * (h10 * gradients[i] + h11 * gradients[i + 1]))
        gradient = ((d00 * values[i] + d01 * values[i + 1]) / self.step
                    + d10 * gradients[i] + d11 * gradients[i + 1])
        return value, gradient

    def value(self, q) -> tuple[np.ndarray, np.ndarray]:
        """(V(q), d ln V/d ln q) for an array of q in Q_RANGE (clamped at its ends)."""
        log_value, gradient = self._interpolate(np.log(q), self.log_value, self.value_gradient)
        return np.exp(log_value), gradient

    def slope(self, q) -> np.ndarray:
        """S(q) = E[φ′(u)²] for an array of q in Q_RANGE (clamped at its ends)."""
        return np.exp(self._interpolate(np.log(q), self.log_slope, self.slope_gradient)[0])

    def exact(self, q: float) -> tuple[float, float, float]:
        """(V, S, dV/dq) at one q from the rule itself, dV/dq = E[φ(u)φ′(u)·u]/q (Stein)."""
        u, w = rule(q)
        with np.errstate(all="ignore"):
            phi = self.activation.forward(u, **self.params)
            dphi = self.activation.derivative(u, phi, **self.params)
        return float(phi * phi @ w), float(dphi * dphi @ w), float(phi * dphi * u @ w) / q
