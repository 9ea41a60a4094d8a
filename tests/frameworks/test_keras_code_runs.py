"""The Keras code ``initviz code --framework keras`` writes, executed with Keras 3 on the JAX
backend: the kernels it builds have initviz's shapes ((in, out), no transpose), and every
layer's weight and bias std is the one initviz's formula gives, within sampling error
(framework_cases.py derives the tolerance), for every scheme and every mode."""

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

# Keras's own variables warn about NumPy 2's copy keyword: nothing initviz writes
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _build(proj):
    namespace = {"__name__": "initviz_generated"}
    exec(compile(generate(proj, "keras"), "generated.py", "exec"), namespace)
    return namespace["model"]


@pytest.mark.parametrize(("scheme", "params"), scheme_cases(), ids=str)
def test_every_layer_has_the_std_of_initvizs_formula(keras, scheme, params):
    proj = project(scheme, params)
    kernels = [layer.get_weights()[0] for layer in _build(proj).layers]
    assert [k.shape for k in kernels] == list(zip(WIDTHS, WIDTHS[1:]))
    for number, (kernel, (mean, std, within)) in enumerate(
            zip(kernels, expected_weights(proj, scheme, params)), start=1):
        weight = kernel.astype(np.float64)
        assert weight.std() == pytest.approx(std, abs=within(std, weight.size)), number
        assert weight.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3),
                                                                      weight.size))


@pytest.mark.parametrize("case", BIAS_CASES, ids=str)
def test_every_bias_scheme_gives_initvizs_bias_std(keras, case):
    name, params = case_name(case)
    proj = project("xavier_normal", {}, name, params)
    biases = [layer.get_weights()[1] for layer in _build(proj).layers]
    for number, (b, (mean, std)) in enumerate(
            zip(biases, expected_biases(proj, name, params)), start=1):
        bias = b.astype(np.float64)
        assert bias.shape == (WIDTHS[number],)
        # only fan_out values: the same derivation, a little wider for the few samples
        assert bias.std() == pytest.approx(std, abs=1.2 * tolerance(std, bias.size)), number
        assert bias.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3), bias.size))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_network_computes_initvizs_function(keras, activation):
    """initviz's own weights set into the Keras model give the same outputs: the activation,
    its parameter and the linear last layer agree."""
    proj = project("he_normal", {}, "normal", {"std": 0.1}, activation)
    model = _build(proj)
    sim = initviz.simulate(proj)
    for layer, simulated in zip(model.layers, sim.layers):
        layer.set_weights([simulated.weight, simulated.bias])
    out = keras.ops.convert_to_numpy(model(sim.inputs))
    # float32 sums of 300 terms in another order differ in the last bits
    np.testing.assert_allclose(out, sim.layers[-1].preactivation, rtol=1e-4, atol=1e-4)


def test_the_snippet_runs_as_a_script_and_prints_each_layer(keras, tmp_path):
    env = {"KERAS_BACKEND": "jax", "KERAS_HOME": str(tmp_path)}
    assert printed_layers("keras", tmp_path, env) == ["layer 1", "layer 2", "layer 3"]
