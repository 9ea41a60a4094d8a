"""The JAX code ``initviz code --framework jax`` writes, executed with jax: the parameters it
builds have initviz's shapes ((in, out), no transpose), and every layer's weight and bias
std is the one initviz's formula gives, within sampling error (framework_cases.py derives
the tolerance), for every scheme and every mode."""

import numpy as np
import pytest
from framework_cases import (
    ACTIVATIONS,
    BIAS_CASES,
    WIDTHS,
    case_name,
    expected_biases,
    expected_weights,
    printed_layers,
    project,
    scheme_cases,
    tolerance,
)

import initviz
from initviz.codegen import generate


def _build(proj):
    namespace = {"__name__": "initviz_generated"}
    exec(compile(generate(proj, "jax"), "generated.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("scheme", "params"), scheme_cases(), ids=str)
def test_every_layer_has_the_std_of_initvizs_formula(jax, scheme, params):
    proj = project(scheme, params)
    layers = _build(proj)["params"]
    assert [w.shape for w, _ in layers] == list(zip(WIDTHS, WIDTHS[1:]))
    for number, ((w, _), (mean, std, within)) in enumerate(
            zip(layers, expected_weights(proj, scheme, params)), start=1):
        weight = np.asarray(w, dtype=np.float64)
        assert weight.std() == pytest.approx(std, abs=within(std, weight.size)), number
        assert weight.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3),
                                                                      weight.size))


@pytest.mark.parametrize("case", BIAS_CASES, ids=str)
def test_every_bias_scheme_gives_initvizs_bias_std(jax, case):
    name, params = case_name(case)
    proj = project("xavier_normal", {}, name, params)
    layers = _build(proj)["params"]
    for number, ((_, b), (mean, std)) in enumerate(
            zip(layers, expected_biases(proj, name, params)), start=1):
        bias = np.asarray(b, dtype=np.float64)
        assert bias.shape == (WIDTHS[number],)
        # only fan_out values: the same derivation, a little wider for the few samples
        assert bias.std() == pytest.approx(std, abs=1.2 * tolerance(std, bias.size)), number
        assert bias.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3), bias.size))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_network_computes_initvizs_function(jax, activation):
    """initviz's own weights through the generated forward(): the same outputs, so the
    activation, its parameter and the linear last layer agree."""
    proj = project("he_normal", {}, "normal", {"std": 0.1}, activation)
    namespace = _build(proj)
    sim = initviz.simulate(proj)
    weights = [(layer.weight, layer.bias) for layer in sim.layers]
    out = np.asarray(namespace["forward"](weights, sim.inputs))
    # float32 sums of 300 terms in another order differ in the last bits
    np.testing.assert_allclose(out, sim.layers[-1].preactivation, rtol=1e-4, atol=1e-4)


def test_the_snippet_runs_as_a_script_and_prints_each_layer(jax, tmp_path):
    assert printed_layers("jax", tmp_path) == ["layer 1", "layer 2", "layer 3"]
