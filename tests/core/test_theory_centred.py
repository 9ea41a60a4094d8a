"""Theory and measurement compared like with like: centred variances, also for a bias of
non-zero mean (z ~ N(E[b], Var(z)) over the weight draws, Poole et al. 2016)."""
import math

import numpy as np
import pytest

import initviz
from initviz.core import theory
from initviz.core.activations import resolve_activation
from initviz.report import stats_table


def shifted_brute_force(func, mean, variance):
    sigma = math.sqrt(variance)
    z = np.linspace(mean - 12 * sigma, mean + 12 * sigma, 2_000_001)
    density = np.exp(-0.5 * ((z - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    return float(np.trapezoid(func(z) * density, z))


@pytest.mark.parametrize("name", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize(("mean", "variance"), [(0.5, 0.3), (-1.0, 1.0), (0.1, 4.0)])
def test_shifted_moments_match_brute_force(name, mean, variance):
    act = resolve_activation(name)
    params = act.resolve({})
    second, slope = theory.shifted_moments(act, params, mean, variance)
    # 2e-3: the trapezoid rule's cell of ~0.01 around ReLU's jump, moved off the grid's middle
    assert second == pytest.approx(
        shifted_brute_force(lambda z: act.forward(z, **params) ** 2, mean, variance), rel=2e-3)
    assert slope == pytest.approx(shifted_brute_force(
        lambda z: act.derivative(z, act.forward(z, **params), **params) ** 2, mean, variance),
        rel=2e-3)


def tanh_with_constant_bias(seed, bias=0.5):
    return initviz.Project.from_dict({
        "network": {"widths": [256] * 11, "activation": "tanh"},
        "init": {"scheme": "xavier_normal",
                 "bias": {"scheme": "constant", "params": {"value": bias}}},
        "data": {"batch_size": 512, "seed": seed},
    })


@pytest.fixture(scope="module")
def biased_records():
    return [initviz.simulate(tanh_with_constant_bias(seed)).stats()["layers"]
            for seed in range(4)]


def layer_column(records_per_seed, getter):
    return np.array([[getter(r) for r in records] for records in records_per_seed])


def test_constant_bias_theory_matches_the_measured_std_layer_by_layer(biased_records):
    """tanh(z) has mean ≈ 0.4 here, so over half of Var(z) is each unit's own offset
    Σ ā_i·W_ij, frozen by the weight draw: one layer's pooled variance is a sample of 256
    such offsets (relative spread √(2/256) ≈ 9 % in variance, 4.4 % in std per seed,
    wandering with depth), and of a batch of 512. Four seeds halve that: 6 % is about two
    such spreads. Backward the same bound holds (cross-entropy: ∂L/∂z has mean 0)."""
    for measured_field, theory_field in (
        ("preactivation", "preactivation_centred_var"),
        ("grad_preactivation", "grad_preactivation_centred_var"),
    ):
        measured = layer_column(biased_records, lambda r, f=measured_field: r[f]["std"] ** 2)
        predicted = layer_column(biased_records, lambda r, f=theory_field: r["theory"][f])
        np.testing.assert_allclose(
            np.sqrt(measured.mean(axis=0)), np.sqrt(predicted.mean(axis=0)), rtol=0.06)
    mean = layer_column(biased_records, lambda r: r["preactivation"]["mean"]).mean(axis=0)
    predicted_mean = layer_column(biased_records, lambda r: r["theory"]["preactivation_mean"])
    np.testing.assert_allclose(predicted_mean, 0.5)  # E[z] = E[b]: zero-mean weights add none
    np.testing.assert_allclose(mean, 0.5, atol=0.05)  # the mean of 256 frozen offsets, 4 seeds


def test_the_root_mean_square_is_not_what_a_std_is_compared_with(biased_records):
    """q = E[z²] = Var(z) + 0.25 here: its root overstates the measured std by 12 % or more
    at every layer, far beyond the finite-width spread bounded above."""
    measured = layer_column(biased_records, lambda r: r["preactivation"]["std"]).mean(axis=0)
    rms = np.sqrt(layer_column(biased_records, lambda r: r["theory"]["preactivation_var"]))
    assert np.all(rms.mean(axis=0) > 1.1 * measured)


def test_the_table_shows_the_centred_theory():
    project = tanh_with_constant_bias(0)
    table = stats_table(initviz.simulate(project).stats(), project)
    assert "centred" in table  # the table says what its theory columns are
    first_row = table.splitlines()[table.splitlines().index(
        next(line for line in table.splitlines() if line.lstrip().startswith("layer"))) + 1]
    z_std, z_theory = (float(v) for v in first_row.split()[4:6])  # after layer, fans, W std
    # layer 1: Var(z_1) = fan_in·Var(W)·E[x²], the batch's own E[x²] and 256·256 values
    assert z_theory == pytest.approx(z_std, rel=0.02)


@pytest.mark.parametrize("bias", [{"scheme": "zeros"},
                                  {"scheme": "normal", "params": {"mean": 0.0, "std": 0.1}}])
def test_zero_mean_bias_leaves_the_theory_as_it_was(bias):
    """With E[b] = 0 the centred variance is the second moment q_l itself."""
    project = initviz.Project.from_dict({
        "network": {"widths": [64, 64, 64, 10], "activation": "relu"},
        "init": {"scheme": "he_normal", "bias": bias},
        "data": {"batch_size": 128},
    })
    records = initviz.simulate(project).stats()["layers"]
    for record in records:
        th = record["theory"]
        assert th["preactivation_mean"] == 0
        assert th["preactivation_centred_var"] == pytest.approx(th["preactivation_var"], rel=1e-12)
        # the output's softmax gradient has mean 0 up to float32 rounding of its rows' sums
        assert th["grad_preactivation_centred_var"] == pytest.approx(
            th["grad_preactivation_var"], rel=1e-6)
