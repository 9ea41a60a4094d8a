"""The theory for residual skips and normalisation against what the pass measures."""
import math

import numpy as np
import pytest

import initviz
from initviz.core import stats


def _project(activation, scheme, alpha, depth, width, seed, normalization="none", batch=128):
    return initviz.Project.from_dict({
        "network": {"widths": [width] * depth + [10], "activation": activation,
                    "normalization": normalization,
                    "residual": {"enabled": alpha is not None,
                                 "branch_scale": 1.0 if alpha is None else alpha}},
        "init": {"scheme": scheme},
        "data": {"batch_size": batch, "seed": seed},
    })


def _measured_and_predicted(project, field="preactivation"):
    sim = initviz.simulate(project)
    prediction = stats.theory_prediction(sim)
    measured = [float(getattr(layer, field).std()) for layer in sim.layers]
    return np.array(measured), np.sqrt(getattr(prediction, f"{field}_centred_var"))


@pytest.mark.parametrize("activation,scheme,alpha", [
    ("tanh", "xavier_normal", 1.0),  # odd φ: q_l = q_{l−1} + α²σ_w²E[φ²] exactly
    ("relu", "he_normal", 1 / math.sqrt(20)),  # the mean term 2α·m·E[φ] counts here
])
def test_residual_std_against_depth_follows_the_theory_within_3_percent(activation, scheme,
                                                                         alpha):
    """Yang & Schoenholz 2017 at width 1024, averaged over 3 seeds, hidden layers 1..19."""
    runs = [_measured_and_predicted(_project(activation, scheme, alpha, 20, 1024, seed))
            for seed in range(3)]
    measured = np.mean([m for m, _ in runs], axis=0)[:-1]
    predicted = np.mean([p for _, p in runs], axis=0)[:-1]
    np.testing.assert_allclose(measured, predicted, rtol=0.03)
    assert measured[-1] > 2.0 * measured[0]  # the variance grows with depth: no fixed point


def test_residual_gradient_std_follows_the_theory_within_3_percent():
    """g_{l−1} = g_l + fan_out·E[W²]·α²·E[φ'²]·g_l: the skip carries the gradient down."""
    runs = [_measured_and_predicted(_project("tanh", "xavier_normal", 1.0, 20, 1024, seed),
                                    "grad_preactivation") for seed in range(2)]
    measured = np.mean([m for m, _ in runs], axis=0)
    predicted = np.mean([p for _, p in runs], axis=0)
    np.testing.assert_allclose(measured, predicted, rtol=0.03)
    assert measured[0] > 1.5 * measured[-2]  # the gradient too grows towards the input


def test_branch_scale_slows_the_growth():
    plain = _measured_and_predicted(_project("tanh", "xavier_normal", 1.0, 20, 256, 0))[1]
    scaled = _measured_and_predicted(_project("tanh", "xavier_normal", 0.2, 20, 256, 0))[1]
    assert plain[18] / plain[0] > 3.0 > 1.5 > scaled[18] / scaled[0]


def test_normalised_forward_theory_is_unit_variance_and_measured_matches():
    measured, predicted = _measured_and_predicted(
        _project("relu", "normal", None, 12, 256, 0, normalization="batch"))
    np.testing.assert_allclose(predicted[:-1], 1.0, rtol=1e-3)
    np.testing.assert_allclose(measured[:-1], predicted[:-1], rtol=1e-3)


def _gradient_growth(depth, normalization="batch", seeds=3):
    """std of dL/dW in layer 1 over that of the last hidden layer, averaged over seeds."""
    ratios = []
    for seed in range(seeds):
        sim = initviz.simulate(_project("relu", "he_normal", None, depth, 256, seed,
                                        normalization))
        ratios.append(float(sim.layers[0].grad_weight.std() / sim.layers[-2].grad_weight.std()))
    return float(np.mean(ratios))


def test_batchnorm_gradients_grow_with_depth_at_init():
    """Yang et al. 2019: with BatchNorm the gradients explode with depth at init; for ReLU
    at large batch the squared norm grows by π/(π−1) a layer, the std by √(π/(π−1)) ≈ 1.211."""
    growth = {depth: _gradient_growth(depth) for depth in (10, 30, 50)}
    assert 1 < growth[10] < growth[30] < growth[50]
    assert growth[50] > 1000
    per_layer = growth[50] ** (1 / 48)
    assert per_layer == pytest.approx(math.sqrt(math.pi / (math.pi - 1)), rel=0.03)
    assert _gradient_growth(50, "none") < 2  # He without BatchNorm keeps them level


def test_batchnorm_gradient_theory_is_measured_only():
    sim = initviz.simulate(_project("relu", "he_normal", None, 5, 64, 0, "batch"))
    prediction = stats.theory_prediction(sim)
    assert all(math.isnan(r) for r in prediction.grad_preactivation_var[:-1])
    assert math.isfinite(prediction.grad_preactivation_var[-1])


@pytest.mark.parametrize("activation", sorted(initviz.ACTIVATIONS))
def test_branch_moments_are_the_moments_and_the_mean_of_one_rule(activation):
    """What a normalised or residual layer's recursion takes: E[φ²], E[φ'²] and E[φ]."""
    from initviz.core import theory
    from initviz.core.activations import resolve_activation

    unit = resolve_activation(activation)
    params = unit.resolve(None)
    for mean, variance in [(0.0, 1.0), (0.3, 0.99), (-1.5, 4.0), (0.0, 0.0), (0.0, math.inf)]:
        together = theory.branch_moments(unit, params, mean, variance)
        apart = (*theory.shifted_moments(unit, params, mean, variance),
                 theory.first_moment(unit, params, mean, variance))
        assert together == pytest.approx(apart, rel=1e-12, nan_ok=True)
