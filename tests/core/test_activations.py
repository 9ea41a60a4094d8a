"""Activations: derivatives against finite differences, parameters that bite, no overflow."""
import math
import warnings

import numpy as np
import pytest

import initviz
from initviz.core import activations
from initviz.core.activations import SELU_ALPHA, SELU_SCALE

# Points away from the kink at 0 (ReLU, leaky ReLU, SELU) but across the interesting range.
Z = np.concatenate([np.linspace(-6, -0.05, 60), np.linspace(0.05, 6, 60)])

PARAM_CASES = [
    (name, {}) for name in initviz.ACTIVATIONS
] + [
    ("leaky_relu", {"negative_slope": 0.3}),
    ("elu", {"alpha": 2.5}),
    ("softplus", {"beta": 3.0}),
]


@pytest.mark.parametrize("name, params", PARAM_CASES, ids=[f"{n}{p}" for n, p in PARAM_CASES])
def test_derivative_matches_central_differences(name, params):
    h = 1e-6
    a = activations.apply(name, Z, params)
    slope = activations.derivative(name, Z, a, params)
    up, down = activations.apply(name, Z + h, params), activations.apply(name, Z - h, params)
    numeric = (up - down) / (2 * h)
    assert a.dtype == np.float64 and slope.shape == Z.shape
    np.testing.assert_allclose(slope, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, z, params, expected", [
    ("leaky_relu", -2.0, {}, -0.02),
    ("leaky_relu", -2.0, {"negative_slope": 0.3}, -0.6),
    ("elu", -1.0, {}, math.exp(-1) - 1),
    ("elu", -1.0, {"alpha": 2.5}, 2.5 * (math.exp(-1) - 1)),
    ("softplus", 0.5, {}, math.log1p(math.exp(0.5))),
    ("softplus", 0.5, {"beta": 3.0}, math.log1p(math.exp(1.5)) / 3),
    ("selu", -1.0, {}, SELU_SCALE * SELU_ALPHA * (math.exp(-1) - 1)),
    ("selu", 2.0, {}, SELU_SCALE * 2.0),
    ("gelu", 1.0, {}, 0.8413447460685429),  # 1·Φ(1)
    ("silu", 2.0, {}, 2.0 / (1 + math.exp(-2.0))),
    ("sigmoid", 0.0, {}, 0.5),
    ("tanh", 0.5, {}, math.tanh(0.5)),
])
def test_values_and_parameters_have_effect(name, z, params, expected):
    value = activations.apply(name, np.array([z]), params)[0]
    assert value == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("name", sorted(initviz.ACTIVATIONS))
def test_no_overflow_at_plus_minus_1000(name):
    z = np.array([-1000.0, -80.0, 0.0, 80.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            a = activations.apply(name, z, {})
            slope = activations.derivative(name, z, a, {})
            a32 = activations.apply(name, z.astype(np.float32), {})
    assert np.isfinite(a).all() and np.isfinite(slope).all()
    assert a32.dtype == np.float32 and np.isfinite(a32).all()


def test_bounded_units_reach_their_limits_without_nan():
    z = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(activations.apply("sigmoid", z, {}), [0.0, 1.0])
    np.testing.assert_array_equal(activations.apply("softplus", z, {}), [0.0, 1000.0])
    np.testing.assert_array_equal(activations.apply("tanh", z, {}), [-1.0, 1.0])


def test_aliases_and_unknown_names():
    assert activations.resolve_activation("swish").name == "silu"
    assert activations.resolve_activation("ReLU").name == "relu"
    with pytest.raises(initviz.ProjectError, match="network.activation must be one of linear"):
        activations.resolve_activation("relu6")


def test_parameters_are_validated_with_their_path():
    with pytest.raises(initviz.ProjectError, match=r"network.activation_params.negative_slope"):
        activations.apply("leaky_relu", Z, {"negative_slope": -1})
    with pytest.raises(initviz.ProjectError, match=r"activation_params.alpha is not a parameter"):
        activations.apply("relu", Z, {"alpha": 1})
