"""The input-output Jacobian: its values, dynamical isometry at q*, and structural zeros."""
import math

import numpy as np
import pytest

import initviz
from initviz.core import jacobian, network, phase
from initviz.core.activations import resolve_activation
from initviz.core.data import make_batch

TANH = resolve_activation("tanh")


def project(widths, scheme="xavier_normal", params=None, activation="tanh", bias=None):
    return initviz.Project({
        "network": {"widths": widths, "activation": activation},
        "init": {"scheme": scheme, "params": params or {}, "bias": bias or {"scheme": "zeros"}},
        "data": {"source": "gaussian", "batch_size": 16, "seed": 0},
    })


def edge_of_chaos_tanh(depth: int, bias_var: float = 1e-4):
    """Orthogonal tanh on the χ₁ = 1 line: gain² = the critical σ_w² for this σ_b²."""
    weight_var = float(phase.critical_weight_var(TANH, {}, bias_var))
    bias = {"scheme": "normal", "params": {"std": math.sqrt(bias_var)}}
    return project([256] * (depth + 1), "orthogonal", {"gain": math.sqrt(weight_var)}, bias=bias)


@pytest.mark.parametrize("gain", [1.0, 1.1])
def test_orthogonal_linear_network_is_an_isometry_times_gain_to_the_depth(gain):
    """Saxe et al. (2013): with linear units and square orthogonal layers W = g·Q, J = g^L·Q₁⋯Q_L,
    so all singular values equal g^L exactly (depth L = 5 here)."""
    p = project([24] * 6, "orthogonal", {"gain": gain}, activation="linear")
    spectrum = jacobian.jacobian_spectrum(p, jacobian.DATA, count=3)
    assert spectrum.singular_values.shape == (72,) and spectrum.zero_count == 0
    # float32 weights: each layer's orthogonality holds to ~1e-7, five layers to ~1e-6
    np.testing.assert_allclose(spectrum.singular_values, gain**5, rtol=1e-5)


def test_gaussian_tanh_network_has_a_spread_spectrum():
    """Pennington et al. (2017): Gaussian weights cannot give dynamical isometry."""
    gaussian = jacobian.jacobian_spectrum(project([32] * 8), jacobian.DATA, count=4)
    assert gaussian.spread > 100
    orthogonal = jacobian.jacobian_spectrum(
        project([32] * 8, "orthogonal"), jacobian.DATA, count=4)
    assert np.std(np.log(orthogonal.nonzero)) < np.std(np.log(gaussian.nonzero))


@pytest.mark.parametrize("widths", [[5, 7, 6, 3], [3, 7, 6, 5]])
def test_jacobian_matches_finite_differences(widths):
    """Both multiplication orders (n0 < nL and n0 > nL) against central differences in float64."""
    rng = np.random.default_rng(0)
    shapes = zip(widths, widths[1:], strict=False)
    weights = [rng.standard_normal((a, b)) / math.sqrt(a) for a, b in shapes]
    biases = [0.1 * rng.standard_normal(b) for b in widths[1:]]
    x = rng.standard_normal(widths[0])

    def output(v):
        a = v
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            a = a @ w + b
            a = a if i == len(weights) - 1 else np.tanh(a)
        return a

    jac = jacobian.input_output_jacobian(weights, biases, x, TANH, {})
    eps = 1e-6
    steps = np.eye(len(x)) * eps
    numeric = np.stack([(output(x + e) - output(x - e)) / (2 * eps) for e in steps])
    # central differences: O(eps²) truncation plus ~1e-16/eps rounding, both below 1e-8
    np.testing.assert_allclose(jac, numeric, rtol=1e-6, atol=1e-8)


def test_orthogonal_tanh_at_the_edge_of_chaos_is_nearly_isometric_at_q_star():
    """Pennington et al. (2017), Fig. 3: orthogonal tanh at χ₁ = 1 with inputs at a small q*
    keeps every singular value near 1; unit-variance inputs saturate the units and spread the
    spectrum over decades."""
    p = edge_of_chaos_tanh(depth=10)
    at_q = jacobian.jacobian_spectrum(p, jacobian.Q_STAR, count=4)
    at_data = jacobian.jacobian_spectrum(p, jacobian.DATA, count=4)
    assert at_q.inputs == jacobian.Q_STAR and at_q.note == ""
    assert 0 < at_q.q_star < 0.2  # σ_b² = 1e-4 puts q* near 0.05
    assert at_q.zero_count == 0 and at_q.spread < 5
    assert at_data.spread > 1000


def test_inputs_at_the_fixed_point_have_layer_one_variance_q_star():
    p = edge_of_chaos_tanh(depth=3)
    x, _ = make_batch(p.source, p.batch_size, 256, 256, p.seed)
    weights, biases = network.init_parameters(p, x)
    scaled = jacobian.inputs_at_fixed_point(x, weights[0], biases[0], 0.05)
    z = scaled @ weights[0].astype(np.float64) + biases[0]
    # the cross term 2·(x·W)·b is a mean of 256 zero-mean products: a few % of q* at most
    np.testing.assert_allclose(np.mean(z**2, axis=1), 0.05, rtol=0.05)


def test_relu_zero_singular_values_are_its_dead_units():
    """A ReLU with z < 0 zeroes its row of every factor after it: J = W₁·D₁ ⋯ has rank at most
    the fewest active units of any layer, and generic weights reach that bound."""
    p = project([256] * 11, "he_normal", activation="relu")
    spectrum = jacobian.jacobian_spectrum(p, jacobian.DATA, count=4)
    x, _ = make_batch(p.source, p.batch_size, 256, 256, p.seed)
    weights, biases = network.init_parameters(p, x)
    expected = []
    for row in x[:4].astype(np.float64):
        a, active = row, []
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            z = a @ w + b
            active.append(int(np.count_nonzero(z > 0)))
            a = np.maximum(z, 0.0)
        expected.append(min(256, *active))
    # ranks are integers: the tolerance lives in the zero test (s ≤ s_max·n·eps)
    assert spectrum.ranks == tuple(expected)
    assert spectrum.zero_count == sum(256 - r for r in expected)
    assert spectrum.zero_count > 0.4 * spectrum.singular_values.size  # about half are off
    assert "dead units" in spectrum.zero_cause
    assert spectrum.nonzero.min() > 1e-10 * spectrum.nonzero.max()  # the spread excludes zeros
    jac = jacobian.input_output_jacobian(weights, biases, x[0], resolve_activation("relu"), {})
    assert spectrum.ranks[0] == np.linalg.matrix_rank(jac)  # numpy's own convention


@pytest.mark.parametrize(("scheme", "params", "why"), [
    ("xavier_normal", {}, "q* = 0"),  # ReLU at σ_w² = 1: the signal halves each layer
    ("normal", {"std": math.sqrt(3 / 32)}, "q* is infinite"),  # σ_w² = 3 > 2
])
def test_without_a_finite_fixed_point_the_data_batch_is_used_and_said(scheme, params, why):
    p = project([32] * 6, scheme, params, activation="relu")
    spectrum = jacobian.jacobian_spectrum(p, jacobian.Q_STAR)
    assert spectrum.inputs == jacobian.DATA and why in spectrum.note
    data = jacobian.jacobian_spectrum(p, jacobian.DATA)
    np.testing.assert_array_equal(spectrum.singular_values, data.singular_values)


def test_an_overflowing_jacobian_is_reported_not_spread():
    """σ_w² = 8·10¹² over 60 linear layers: J ~ 10⁴⁰⁰, beyond float64."""
    p = project([8] * 61, "normal", {"std": 1e6}, activation="linear")
    spectrum = jacobian.jacobian_spectrum(p, jacobian.DATA)
    assert spectrum.nonfinite_inputs == jacobian.SAMPLE_INPUTS
    assert spectrum.singular_values.size == 0 and "not finite" in spectrum.note
    assert math.isnan(spectrum.spread)


def test_the_work_is_bounded_for_wide_deep_networks(monkeypatch):
    """Fewer inputs once the products pass the budget, none past the limit: the Theory tab
    never waits minutes on a 16384-wide network."""
    p = project([24] * 6, "orthogonal", activation="linear")
    per_input = jacobian.flops_per_input(p.widths)
    monkeypatch.setattr(jacobian, "FLOP_BUDGET", 2.5 * per_input)
    assert jacobian.jacobian_spectrum(p, jacobian.DATA).singular_values.size == 2 * 24
    monkeypatch.setattr(jacobian, "FLOP_LIMIT", 0.5 * per_input)
    spectrum = jacobian.jacobian_spectrum(p)
    assert spectrum.singular_values.size == 0 and "not computed" in spectrum.note


def test_the_cost_of_j_is_the_cost_of_its_transpose():
    """J is multiplied from its narrow end either way round: 10 rows through 784×256."""
    mnist, mirror = [784, 256, 256, 10], [10, 256, 256, 784]
    assert jacobian.flops_per_input(mnist) == jacobian.flops_per_input(mirror)
    assert jacobian.flops_per_input(mnist) < jacobian.flops_per_input([256] * 4)


def test_log_histogram_covers_values_far_from_isometry():
    values = np.array([1e-30, 3e11, 5e11, 1e12, np.inf, 0.0])
    edges, counts = jacobian.log_histogram(values)
    assert counts.sum() == 4 and edges[0] < -30 and edges[-1] > 12


@pytest.mark.parametrize(("scheme", "params", "rank", "cause"), [
    ("zeros", {}, 0, "zero weights"),
    ("constant", {"value": 0.1}, 1, "constant weights"),  # every W = 0.1·11ᵀ has rank 1
])
def test_symmetric_inits_lose_rank_for_their_own_reason(scheme, params, rank, cause):
    spectrum = jacobian.jacobian_spectrum(project([12] * 5, scheme, params), jacobian.DATA)
    assert set(spectrum.ranks) == {rank} and cause in spectrum.zero_cause
    assert spectrum.zero_count == jacobian.SAMPLE_INPUTS * (12 - rank)
