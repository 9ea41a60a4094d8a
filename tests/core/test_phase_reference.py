"""The mean-field numbers against adaptive quadrature, over the whole phase diagram.

The references use scipy.integrate.quad with the kink and the bends of the units as
break points and tolerances near machine precision, and solve the fixed points with
brentq, independently of initviz's rule, its table and its solvers.
"""
import math

import numpy as np
import pytest
from scipy import integrate, optimize

from initviz.core import phase
from initviz.core.activations import ACTIVATIONS, resolve_activation

BENDS = (-8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0)
RTOL = 1e-6
"""initviz's rule is accurate to ~1e-9 and its table to ~1e-8 (relative); a fixed point
amplifies that by 1/(1 − slope of its map), which stays below ~100 at these points."""


def unit(name):
    activation = resolve_activation(name)
    return activation, activation.resolve({})


def phi(activation, params):
    return lambda u: float(activation.forward(np.array([u]), **params)[0])


def dphi(activation, params):
    def slope(u):
        z = np.array([u])
        return float(activation.derivative(z, activation.forward(z, **params), **params)[0])
    return slope


def expectation(g, variance, mean=0.0, epsrel=1e-12):
    """E[g(u)], u ~ N(mean, variance), by adaptive Gauss–Kronrod broken at the bends."""
    sigma = math.sqrt(variance)
    low, high = mean - 12 * sigma, mean + 12 * sigma
    points = [p for p in BENDS if low < p < high]
    density = 1.0 / math.sqrt(2 * math.pi * variance)
    value, _ = integrate.quad(lambda u: g(u) * math.exp(-0.5 * (u - mean) ** 2 / variance)
                              * density, low, high, points=points or None, limit=500,
                              epsabs=1e-15, epsrel=epsrel)
    return value


def reference_q_star(activation, params, weight_var, bias_var):
    """The fixed point q = σ_w²·E[φ(√q·z)²] + σ_b² that the iteration from q = 1 reaches.

    The map is increasing, so from 1 it runs monotonically to the nearest fixed point on
    the side it moves to; brentq finds that one. inf past 1e9, 0 below 1e-12 (σ_b² = 0).
    """
    near = far = 1.0
    step = excess(activation, params, weight_var, bias_var, near)
    if step == 0:
        return near
    while np.sign(excess(activation, params, weight_var, bias_var, far)) == np.sign(step):
        far = far * 4 if step > 0 else max(far / 4, bias_var)
        if far > 1e9:
            return math.inf
        if far < 1e-12:
            return 0.0
    return optimize.brentq(lambda q: excess(activation, params, weight_var, bias_var, q),
                           min(near, far), max(near, far), xtol=1e-15, rtol=1e-13)


def excess(activation, params, weight_var, bias_var, q):
    """How far the length map moves q: σ_w²·E[φ(√q·z)²] + σ_b² − q."""
    f = phi(activation, params)
    return weight_var * expectation(lambda u: f(u) ** 2, q) + bias_var - q


def reference_chi1(activation, params, weight_var, q):
    g = dphi(activation, params)
    return weight_var * expectation(lambda u: g(u) ** 2, q)


def length_slope(activation, params, weight_var, q):
    """σ_w²·dV/dq = σ_w²·E[φ(u)φ′(u)·u]/q (Stein's lemma), the length map's slope."""
    f, g = phi(activation, params), dphi(activation, params)
    return weight_var * expectation(lambda u: f(u) * g(u) * u, q) / q


def assert_stable_fixed_point(activation, params, weight_var, bias_var, q, where=""):
    """q solves the reference length map to RTOL, and the map contracts there.

    Newton's estimate of the distance to the reference root is excess/(1 − slope).
    """
    slope = length_slope(activation, params, weight_var, q)
    assert slope < 1, where
    distance = excess(activation, params, weight_var, bias_var, q) / (1 - slope)
    assert abs(distance) <= RTOL * q, where


def assert_runs_away(activation, params, weight_var, bias_var, where=""):
    """From q = 1 the reference length map only grows, past 1e9: q* diverges."""
    for q in np.geomspace(1.0, 1e9, 10):
        assert excess(activation, params, weight_var, bias_var, q) > 0, where


def assert_dies_out(activation, params, weight_var, bias_var, where=""):
    """From q = 1 the reference length map only shrinks, below 1e-12: q* = 0."""
    for q in np.geomspace(1e-12, 1.0, 7):
        assert excess(activation, params, weight_var, bias_var, q) < 0, where


def reference_pair(activation, params, q, c, f):
    """E[f(u₁)·f(u₂)], both N(0, q), correlation c: outer quad over u₁, inner given u₁."""
    g = f(activation, params)
    inner_var = q * (1 - c * c)
    return expectation(lambda u1: g(u1) * expectation(g, inner_var, c * u1, 1e-11), q,
                       epsrel=1e-10)


GRID_WEIGHT_VARS = np.array([0.3, 1.2, 2.5, 3.9])
GRID_BIAS_VARS = np.array([0.0, 0.1, 0.5])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_phase_diagram_matches_adaptive_quadrature_for_every_activation(name):
    """q* and χ₁ at a spread of (σ_w², σ_b²) over the diagram the Theory tab draws."""
    activation, params = unit(name)
    weight_vars = GRID_WEIGHT_VARS
    if name == "sigmoid":  # its diagram reaches twice its edge of chaos, σ_w² ≈ 206
        weight_vars = np.concatenate((weight_vars, [50.0, 120.0, 200.0]))
    diagram = phase.phase_diagram(activation, params, weight_vars, GRID_BIAS_VARS)
    for i, weight_var in enumerate(weight_vars):
        for j, bias_var in enumerate(GRID_BIAS_VARS):
            q, where = diagram.q_star[i, j], f"{name} at σ_w² = {weight_var}, σ_b² = {bias_var}"
            if math.isinf(q):
                assert_runs_away(activation, params, weight_var, bias_var, where)
            elif q == 0:
                assert_dies_out(activation, params, weight_var, bias_var, where)
            else:
                assert_stable_fixed_point(activation, params, weight_var, bias_var, q, where)
                chi = reference_chi1(activation, params, weight_var, q)
                assert diagram.chi1[i, j] == pytest.approx(chi, rel=RTOL), where


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_critical_line_is_where_chi1_crosses_one_by_adaptive_quadrature(name):
    """The drawn χ₁ = 1 line: the reference χ₁ is 1 at a finite q* there, or it tends to 1 as
    q* → 0 (tanh, ELU, SELU at σ_b² = 0), or the line is the border past which q* runs away
    (GELU, SiLU, softplus, ReLU with a bias) with χ₁ < 1 before it."""
    activation, params = unit(name)
    bias_vars = np.array([0.0, 0.05, 0.25, 0.5])
    line = phase.critical_weight_var(activation, params, bias_vars, 0.05, 1000.0)
    assert np.isfinite(line).all()
    for weight_var, bias_var in zip(line, bias_vars, strict=True):
        where = f"{name} at σ_b² = {bias_var}"
        above, below = weight_var * (1 + 1e-5), weight_var * (1 - 1e-5)
        q = float(phase.fixed_point_q(activation, params, weight_var, bias_var))
        if math.isinf(phase.fixed_point_q(activation, params, above, bias_var)):
            assert_runs_away(activation, params, above, bias_var, where)
            q_below = float(phase.fixed_point_q(activation, params, below, bias_var))
            assert float(phase.chi1(activation, params, below, q_below)) < 1, where
        elif q < 1e-3:  # σ_b² = 0 and q* → 0 at the edge: χ₁ → σ_w²·E[φ′(0±)²]
            slope_at_zero = reference_chi1(activation, params, 1.0, 1e-12)
            assert weight_var * slope_at_zero == pytest.approx(1.0, abs=1e-4), where
        else:
            assert_stable_fixed_point(activation, params, weight_var, bias_var, q, where)
            chi = reference_chi1(activation, params, weight_var, q)
            assert chi == pytest.approx(1.0, abs=RTOL), where


LESSONS = [  # (activation, σ_w², σ_b²): the points the course shows
    ("tanh", 256.0, 0.0),  # lesson 04, "too large": N(0, 1) weights at fan_in 256
    ("tanh", 64.0, 0.0),
    ("selu", 1.0, 0.0),  # lesson 08, SELU with LeCun init
    ("selu", 1.0, 0.1),
    ("sigmoid", 12.8, 0.0),  # Kumar's init for the sigmoid
]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # E[tanh] = 0
@pytest.mark.parametrize("name, weight_var, bias_var", LESSONS)
def test_lesson_points_match_adaptive_quadrature(name, weight_var, bias_var):
    activation, params = unit(name)
    scale = phase.depth_scale(activation, params, weight_var, bias_var)
    q = reference_q_star(activation, params, weight_var, bias_var)
    chi = reference_chi1(activation, params, weight_var, q)
    assert scale.q_star == pytest.approx(q, rel=RTOL)
    assert scale.chi1 == pytest.approx(chi, rel=RTOL)
    f, g = phi(activation, params), dphi(activation, params)
    slope = weight_var * expectation(lambda u: f(u) * g(u) * u, q) / q  # σ_w²·dV/dq (Stein)
    assert scale.xi_q == pytest.approx(-1.0 / math.log(slope), rel=RTOL)
    if chi < 1:
        assert scale.c_star == 1.0 and scale.chi_c == pytest.approx(chi, rel=RTOL)
    elif abs(expectation(f, q)) < 1e-9 and bias_var == 0:
        # E[φ] = 0 and σ_b = 0 map c = 0 to itself: c* = 0, where u₁, u₂ are independent.
        assert abs(scale.c_star) < 1e-9
        assert scale.chi_c == pytest.approx(weight_var * expectation(g, q) ** 2, rel=RTOL)
    else:
        mixed = reference_pair(activation, params, q, scale.c_star, phi)
        image = (weight_var * mixed + bias_var) / q
        assert image == pytest.approx(scale.c_star, abs=RTOL)  # c* is the map's fixed point
        slopes = reference_pair(activation, params, q, scale.c_star, dphi)
        assert scale.chi_c == pytest.approx(weight_var * slopes, rel=RTOL)
    assert scale.xi_c == pytest.approx(-1.0 / math.log(scale.chi_c), rel=1e-12)


def test_lesson_04_is_chaotic_with_exploding_gradients():
    """tanh with N(0, 1) weights at fan_in 256: q* ≈ 243, χ₁ ≈ 8.7 (chaotic), not ordered."""
    scale = phase.depth_scale(*unit("tanh"), 256.0, 0.0)
    assert scale.q_star == pytest.approx(242.9, abs=0.05)
    assert scale.chi1 == pytest.approx(8.73, abs=0.01)
    assert scale.xi_c == pytest.approx(2.48, abs=0.01)


def test_sigmoid_edge_of_chaos_is_found_and_drawn():
    """Sigmoid at σ_b² = 0 turns chaotic near σ_w² = 103, and the diagram's axis reaches it."""
    activation, params = unit("sigmoid")
    edge = float(phase.critical_weight_var(activation, params, 0.0, 0.05, 1000.0))
    assert edge == pytest.approx(103.0, abs=0.1)
    q = float(phase.fixed_point_q(activation, params, edge, 0.0))
    assert_stable_fixed_point(activation, params, edge, 0.0, q)
    assert reference_chi1(activation, params, edge, q) == pytest.approx(1.0, abs=RTOL)
    assert phase.weight_var_range(activation, params) > 1.5 * edge
