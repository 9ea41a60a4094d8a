"""The variance recursions of Glorot & Bengio (2010) and He et al. (2015), visible in numbers.

Ten weight layers of width 512 on a batch of 1024 Gaussian inputs:
- tanh with PyTorch's default U(±1/√fan_in) (variance 1/(3·fan_in)): the signal
  shrinks by about √3 per layer and is gone by layer 10;
- ReLU with Xavier (variance 1/fan_in here): ReLU halves the second moment, so
  Var(z) halves per layer;
- ReLU with He (variance 2/fan_in) makes up for that: Var(z) holds.
Measured stds agree with theory_prediction within 10 %, forward and backward. The
theory gives the ensemble's variance; one finite-width draw wanders from it like a
random walk in depth (a few % per layer for ReLU), so that comparison averages the
measured variance over four seeds.
"""
import numpy as np
import pytest

import initviz
from initviz.core.stats import theory_prediction

CASES = {
    "tanh_pytorch_default": ("tanh", "pytorch_default"),
    "relu_xavier": ("relu", "xavier_normal"),
    "relu_he": ("relu", "he_normal"),
}


def simulate_case(key, seed=0):
    activation, scheme = CASES[key]
    project = initviz.Project.from_dict({
        "network": {"widths": [512] * 11, "activation": activation},
        "init": {"scheme": scheme},
        "data": {"batch_size": 1024, "seed": seed},
    })
    return initviz.simulate(project)


@pytest.fixture(scope="module")
def sims():
    return {key: simulate_case(key) for key in CASES}


def stds(sim, field):
    return np.array([np.std(getattr(layer, field), dtype=np.float64) for layer in sim.layers])


def test_tanh_with_pytorch_default_vanishes(sims):
    activation_std = stds(sims["tanh_pytorch_default"], "activation")
    assert np.all(np.diff(activation_std) < 0), activation_std
    assert activation_std[9] < 0.01
    # From layer 3 on (tanh nearly linear there) the variance ratio is 1/3.
    pre_var = stds(sims["tanh_pytorch_default"], "preactivation") ** 2
    np.testing.assert_allclose(pre_var[3:] / pre_var[2:-1], 1 / 3, rtol=0.1)


def test_relu_with_xavier_halves_the_variance_per_layer(sims):
    pre_var = stds(sims["relu_xavier"], "preactivation") ** 2
    np.testing.assert_allclose(pre_var[1:] / pre_var[:-1], 0.5, rtol=0.15)
    assert pre_var[-1] < 0.01 * pre_var[0]


def test_relu_with_he_holds_the_variance(sims):
    pre_std = stds(sims["relu_he"], "preactivation")
    np.testing.assert_allclose(pre_std / pre_std[0], 1.0, rtol=0.15)
    assert pre_std[0] == pytest.approx(np.sqrt(2.0), rel=0.05)  # He: Var(z_1) = 2·E[x²]


@pytest.mark.parametrize("case", sorted(CASES))
def test_measured_std_matches_theory_forward_and_backward(sims, case):
    seeds = [sims[case]] + [simulate_case(case, seed) for seed in (1, 2, 3)]
    for field, theory_field in (("preactivation", "preactivation_var"),
                                ("grad_preactivation", "grad_preactivation_var")):
        measured_var = np.mean([stds(sim, field) ** 2 for sim in seeds], axis=0)
        predicted = [getattr(theory_prediction(sim), theory_field) for sim in seeds]
        predicted_var = np.mean(predicted, axis=0)
        np.testing.assert_allclose(np.sqrt(measured_var), np.sqrt(predicted_var), rtol=0.10)


def test_stats_records_carry_the_same_theory(sims):
    sim = sims["relu_he"]
    prediction = theory_prediction(sim)
    records = sim.stats()["layers"]
    assert [r["theory"]["preactivation_var"] for r in records] == prediction.preactivation_var
    grad_var = [r["theory"]["grad_preactivation_var"] for r in records]
    assert grad_var == prediction.grad_preactivation_var
