"""Gaussian expectations of the theory, narrow and wide, against brute-force integration."""
import dataclasses
import math

import numpy as np
import pytest

import initviz
import initviz.lessons
from initviz.core import theory
from initviz.core.activations import resolve_activation
from initviz.core.stats import theory_prediction


def brute_force(func, variance):
    sigma = math.sqrt(variance)
    z = np.linspace(-12 * sigma, 12 * sigma, 2_000_001)
    density = np.exp(-0.5 * (z / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    return float(np.trapezoid(func(z) * density, z))


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "selu", "gelu"])
@pytest.mark.parametrize("variance", [1e-4, 0.3, 1.0, 2.5, 256.0, 1e4])
def test_slope_and_second_moments_match_brute_force(name, variance):
    act = resolve_activation(name)
    params = act.resolve({})

    def slope_sq(z):
        return act.derivative(z, act.forward(z, **params), **params) ** 2

    assert theory.slope_moment(act, params, variance) == pytest.approx(
        brute_force(slope_sq, variance), rel=2e-3, abs=1e-12)
    assert theory.second_moment(act, params, variance) == pytest.approx(
        brute_force(lambda z: act.forward(z, **params) ** 2, variance), rel=2e-3, abs=1e-12)


def test_saturated_tanh_backward_theory_follows_the_measurement():
    """N(0, 1) weights, tanh, width 256: saturated units, yet gradients grow ~2.9x per layer
    backward (256·E[tanh'(z)²] ≈ 8.5 at Var(z) = 256); the theory must say so too."""
    project = initviz.Project.load(initviz.lessons.lessons_dir() / "04_too_large_normal.json")
    sim = initviz.simulate(project)
    predicted = np.sqrt(theory_prediction(sim).grad_preactivation_var)
    measured = np.array(
        [np.std(layer.grad_preactivation, dtype=np.float64) for layer in sim.layers]
    )
    np.testing.assert_allclose(measured, predicted, rtol=0.25)
    assert measured[0] > 1000 * measured[-2]


@pytest.mark.parametrize("name, params, half", [
    ("relu", {}, 0.5), ("leaky_relu", {"negative_slope": 0.2}, 0.52), ("linear", {}, 1.0),
])
def test_piecewise_linear_units_use_the_formula_the_grid_agrees_with(name, params, half):
    """E[φ²] = c·q and E[φ'²] = c (ReLU c = 1/2, leaky (1+s²)/2, linear 1): the closed form
    is exact and skips the 3600-point grid; the grid's own answer matches it to 1e-6."""
    act = resolve_activation(name)
    params = act.resolve(params)
    for variance in (1e-3, 0.7, 5.0):
        exact = theory.moments(act, params, variance)
        assert exact == pytest.approx((half * variance, half), rel=1e-15)
        on_the_grid = dataclasses.replace(act, gaussian_moments=None)
        assert theory.moments(on_the_grid, params, variance) == pytest.approx(exact, rel=1e-6)
