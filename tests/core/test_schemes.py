"""Every init scheme samples what DESIGN's table says, and what its moments() claim.

The formulas are recomputed here, independently of initviz/core/schemes.py, from
Glorot & Bengio (2010), He et al. (2015), LeCun et al. (1998), Kumar (2017) and
torch.nn.init.
"""
import math

import numpy as np
import pytest

import initviz
from initviz import ProjectError
from initviz.core import schemes
from initviz.core.activations import resolve_activation

FAN_IN, FAN_OUT = 1000, 800
COUNT = FAN_IN * FAN_OUT


def ctx(activation="linear", fan_in=FAN_IN, fan_out=FAN_OUT, **act_params):
    return schemes.LayerContext(fan_in, fan_out, resolve_activation(activation), act_params)


def draw(name, params=None, context=None, seed=0, dtype=np.float64, bias=False):
    scheme = schemes.resolve_scheme(name)
    resolved = scheme.resolve(params or {})
    rng = np.random.default_rng(seed)
    return schemes.sample(scheme, resolved, context or ctx(), rng, dtype, bias=bias)


def assert_moments(values, mean, std):
    """Sample mean within 6 standard errors, sample std within 1 % (800 000 draws)."""
    assert abs(values.mean() - mean) < 6 * std / math.sqrt(values.size) + 1e-12
    assert values.std() == pytest.approx(std, rel=0.01, abs=1e-12)


# --- the README's table of schemes, recomputed -------------------------------------------------

# (scheme, params, activation, expected (mean, std), expected uniform half-width or None)
TABLE = [
    ("zeros", {}, "linear", (0.0, 0.0), None),
    ("constant", {"value": 0.3}, "linear", (0.3, 0.0), None),
    ("normal", {"mean": 0.5, "std": 0.2}, "linear", (0.5, 0.2), None),
    ("uniform", {"low": -0.1, "high": 0.3}, "linear", (0.1, 0.4 / math.sqrt(12)), None),
    ("truncated_normal", {"mean": 0.0, "std": 0.05}, "linear", (0.0, 0.05 * 0.8796256610342398),
     None),  # the std of N(0, 1) cut at ±2 is 0.8796
    ("xavier_normal", {"gain": 5 / 3}, "linear", (0.0, 5 / 3 * math.sqrt(2 / 1800)), None),
    ("xavier_uniform", {"gain": 2.0}, "linear", (0.0, 2 * math.sqrt(2 / 1800)),
     2 * math.sqrt(6 / 1800)),
    ("he_normal", {}, "linear", (0.0, math.sqrt(2 / 1000)), None),
    ("he_normal", {"mode": "fan_out"}, "linear", (0.0, math.sqrt(2 / 800)), None),
    ("he_normal", {"a": 0.5}, "linear", (0.0, math.sqrt(2 / (1.25 * 1000))), None),
    ("he_uniform", {"mode": "fan_out", "a": 0.2}, "linear",
     (0.0, math.sqrt(2 / (1.04 * 800))), math.sqrt(6 / (1.04 * 800))),
    ("lecun_normal", {}, "linear", (0.0, math.sqrt(1 / 1000)), None),
    ("lecun_uniform", {}, "linear", (0.0, math.sqrt(1 / 1000)), math.sqrt(3 / 1000)),
    ("pytorch_default", {}, "linear", (0.0, 1 / math.sqrt(3 * 1000)), 1 / math.sqrt(1000)),
    ("orthogonal", {"gain": 2.0}, "linear", (0.0, 2 / math.sqrt(1000)), None),
    ("kumar", {}, "sigmoid", (0.0, math.sqrt(12.8 / 1000)), None),
    ("kumar", {}, "relu", (0.0, math.sqrt(2 / 1000)), None),
    ("kumar", {}, "tanh", (0.0, math.sqrt(1 / 1000)), None),
] + [
    ("variance_scaling", {"scale": 2.0, "mode": mode, "distribution": dist}, "linear",
     (0.0, math.sqrt(2.0 / fan)), math.sqrt(3 * 2.0 / fan) if dist == "uniform" else None)
    for mode, fan in (("fan_in", 1000), ("fan_out", 800), ("fan_avg", 900))
    for dist in ("normal", "truncated_normal", "uniform")
]


@pytest.mark.parametrize(
    "name, params, activation, expected, limit", TABLE,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(TABLE)],
)
def test_samples_match_design_table_and_moments(name, params, activation, expected, limit):
    context = ctx(activation)
    scheme = schemes.resolve_scheme(name)
    mean, std = scheme.moments(context, scheme.resolve(params))
    assert (mean, std) == pytest.approx(expected, rel=1e-9, abs=1e-15)
    values = draw(name, params, context)
    assert values.shape == (FAN_IN, FAN_OUT)
    assert_moments(values, *expected)
    if limit is not None:
        if scheme.bound is not None:  # the ± limit the formula panel shows
            assert scheme.bound(context, scheme.resolve(params)) == pytest.approx(limit, rel=1e-12)
        assert np.abs(values).max() <= limit
        assert np.abs(values).max() > 0.999 * limit  # the bound is nearly reached
        assert values.min() < -0.999 * limit


def test_every_scheme_is_in_the_table():
    assert {row[0] for row in TABLE} | {"lsuv"} == set(initviz.SCHEMES)


def test_uniform_bounds_hold_in_float32_too():
    values = draw("uniform", {"low": -0.2, "high": 0.7}, dtype=np.float32)
    assert values.dtype == np.float32
    assert values.min() >= np.float32(-0.2) and values.max() <= np.float32(0.7)
    assert values.min() < -0.199 and values.max() > 0.699


@pytest.mark.parametrize("name, params", [
    ("truncated_normal", {"mean": 1.0, "std": 0.3}),
    ("variance_scaling", {"distribution": "truncated_normal"}),
])
def test_truncated_normal_never_beyond_two_std(name, params):
    values = draw(name, params)
    if name == "truncated_normal":
        nominal, centre = 0.3, 1.0
    else:  # Keras' correction: the nominal std is the target std / 0.8796
        nominal, centre = math.sqrt(1 / FAN_IN) / schemes.TRUNCATED_STD_FACTOR, 0.0
    assert np.abs(values - centre).max() <= 2 * nominal
    assert np.abs(values - centre).max() > 1.99 * nominal


@pytest.mark.parametrize("fan_in, fan_out", [(300, 120), (120, 300), (64, 64)])
@pytest.mark.parametrize("gain", [1.0, 1.7])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(fan_in, fan_out, gain):
    w = draw("orthogonal", {"gain": gain}, ctx(fan_in=fan_in, fan_out=fan_out))
    assert w.shape == (fan_in, fan_out)
    gram = w.T @ w if fan_in >= fan_out else w @ w.T  # tall: columns, wide: rows
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(fan_in, fan_out)), atol=1e-10)


@pytest.mark.parametrize("alias, name", [
    ("glorot_normal", "xavier_normal"), ("glorot_uniform", "xavier_uniform"),
    ("kaiming_normal", "he_normal"), ("kaiming_uniform", "he_uniform"),
    ("Kaiming_Uniform", "he_uniform"), ("torch_default", "pytorch_default"), ("zero", "zeros"),
])
def test_aliases_resolve(alias, name):
    assert schemes.resolve_scheme(alias).name == name
    assert initviz.Project.from_dict({"init": {"scheme": alias}}).scheme == name


@pytest.mark.parametrize("bad", ["glorot", "", None, 3, ["he_normal"]])
def test_unknown_scheme_lists_the_names(bad):
    with pytest.raises(ProjectError) as info:
        schemes.resolve_scheme(bad)
    message = str(info.value)
    assert message.startswith("init.scheme must be one of")
    for name in initviz.SCHEMES:
        assert name in message


@pytest.mark.parametrize("name", sorted(initviz.SCHEMES))
def test_deterministic_for_a_generator_seed_and_float32_by_default(name):
    scheme = initviz.SCHEMES[name]
    params, context = scheme.resolve({}), ctx("tanh", 40, 30)
    first = schemes.sample(scheme, params, context, np.random.default_rng(7))
    again = schemes.sample(scheme, params, context, np.random.default_rng(7))
    other = schemes.sample(scheme, params, context, np.random.default_rng(8))
    assert first.dtype == np.float32 and first.shape == (40, 30)
    np.testing.assert_array_equal(first, again)
    if name not in ("zeros", "constant"):
        assert not np.array_equal(first, other)
    wide = schemes.sample(scheme, params, context, np.random.default_rng(7), np.float64)
    assert wide.dtype == np.float64


@pytest.mark.parametrize("name", sorted(set(initviz.SCHEMES) - {"lsuv"}))
def test_bias_shape_is_fan_out(name):
    bias = draw(name, context=ctx("tanh", 40, 30), bias=True, dtype=np.float32)
    assert bias.shape == (30,) and bias.dtype == np.float32


def test_pytorch_default_bias_is_uniform_one_over_sqrt_fan_in():
    bias = draw("pytorch_default", context=ctx(fan_in=400, fan_out=200_000), bias=True)
    assert np.abs(bias).max() <= 1 / math.sqrt(400)
    assert bias.std() == pytest.approx(1 / math.sqrt(3 * 400), rel=0.01)


@pytest.mark.parametrize("name", sorted(initviz.SCHEMES))
def test_describe_fills_in_this_layers_numbers(name):
    scheme = initviz.SCHEMES[name]
    context = ctx("tanh", 256, 128)
    params = scheme.resolve({})
    text = scheme.describe(context, params)
    assert "fan_in=256" in text and "fan_out=128" in text
    assert f"{scheme.moments(context, params)[1]:.4g}" in text
    assert scheme.formula and scheme.title


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "selu", "linear"])
def test_lsuv_gives_unit_preactivation_variance_on_the_batch(activation):
    project = initviz.Project.from_dict({
        "network": {"widths": [64, 128, 96, 128, 64, 10], "activation": activation},
        "init": {"scheme": "lsuv", "params": {"tol": 0.05}},
        "data": {"batch_size": 256},
    })
    sim = initviz.simulate(project)
    for layer in sim.layers:
        assert abs(float(np.var(layer.preactivation, dtype=np.float64)) - 1.0) < 0.05


# --- initviz.gain against torch.nn.init.calculate_gain ---------------------------------------

# Values printed by torch 2.x: calculate_gain(name[, param]).
TORCH_GAINS = [
    ("linear", {}, 1.0),
    ("sigmoid", {}, 1.0),
    ("tanh", {}, 1.6666666666666667),
    ("relu", {}, 1.4142135623730951),
    ("leaky_relu", {}, 1.4141428569978354),  # default slope 0.01
    ("leaky_relu", {"negative_slope": 0.2}, 1.3867504905630728),
    ("leaky_relu", {"negative_slope": 1.0}, 1.0),
    ("selu", {}, 0.75),
]


@pytest.mark.parametrize("activation, params, expected", TORCH_GAINS)
def test_gain_matches_torch_calculate_gain(activation, params, expected):
    assert initviz.gain(activation, **params) == pytest.approx(expected, rel=1e-12)


def test_gain_refuses_unknown_activation_and_parameter():
    with pytest.raises(ProjectError, match="network.activation must be one of"):
        initviz.gain("swishy")
    with pytest.raises(ProjectError, match="slope"):
        initviz.gain("relu", slope=0.1)


def test_an_orthogonal_bias_has_the_std_the_theory_is_given():
    """A bias is one vector: drawn "orthogonal" it is a unit vector, std 1/√fan_out, not an
    orthogonal matrix's 1/√max(fan_in, fan_out); the theory and phase read layer_moments."""
    project = initviz.Project.from_dict({
        "network": {"widths": [64, 1000, 100, 10], "activation": "tanh"},
        "init": {"scheme": "xavier_normal", "bias": {"scheme": "orthogonal",
                                                       "params": {"gain": 1.5}}},
    })
    sim = initviz.simulate(project, dtype=np.float64)
    for layer, moments in zip(sim.layers, schemes.layer_moments(project), strict=True):
        # gain times a unit vector: Σb² = gain² up to float64 rounding, so its root mean
        # square is gain/√n, the std that a zero-mean scheme's moments state
        rms = math.sqrt(float(np.mean(layer.bias.astype(np.float64) ** 2)))
        assert rms == pytest.approx(moments.bias_std, rel=1e-9)
        assert moments.bias_std == pytest.approx(1.5 / math.sqrt(layer.bias.size))
