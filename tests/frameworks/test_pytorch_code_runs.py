"""The PyTorch code ``initviz code`` writes, executed with torch: the network it builds has
initviz's widths and activation, and every layer's weight and bias std is the one
initviz's formula gives, within sampling error (framework_cases.py derives the tolerance),
for every scheme and every mode."""

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


def _build(torch, proj):
    namespace = {"__name__": "initviz_generated"}
    exec(compile(generate(proj, "pytorch"), "generated.py", "exec"), namespace)
    return [m for m in namespace["model"] if isinstance(m, torch.nn.Linear)], namespace["model"]


@pytest.mark.parametrize(("scheme", "params"), scheme_cases(), ids=str)
def test_every_layer_has_the_std_of_initvizs_formula(torch, scheme, params):
    proj = project(scheme, params)
    linears, _ = _build(torch, proj)
    assert [(m.in_features, m.out_features) for m in linears] == list(zip(WIDTHS, WIDTHS[1:]))
    for number, (linear, (mean, std, within)) in enumerate(
            zip(linears, expected_weights(proj, scheme, params)), start=1):
        weight = linear.weight.detach().double().numpy()
        assert weight.std() == pytest.approx(std, abs=within(std, weight.size)), number
        assert weight.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3),
                                                                      weight.size))


@pytest.mark.parametrize("case", BIAS_CASES, ids=str)
def test_every_bias_scheme_gives_initvizs_bias_std(torch, case):
    name, params = case_name(case)
    proj = project("xavier_normal", {}, name, params)
    linears, _ = _build(torch, proj)
    for number, (linear, (mean, std)) in enumerate(
            zip(linears, expected_biases(proj, name, params)), start=1):
        bias = linear.bias.detach().double().numpy()
        # only fan_out values: the same derivation, a little wider for the few samples
        assert bias.std() == pytest.approx(std, abs=1.2 * tolerance(std, bias.size)), number
        assert bias.mean() == pytest.approx(mean, abs=2 * tolerance(max(std, 1e-3), bias.size))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_network_computes_initvizs_function(torch, activation):
    """initviz's weights copied into the torch model (transposed: (in, out) → (out, in)) give
    the same outputs: the activation, its parameter and the linear last layer agree."""
    proj = project("he_normal", {}, "normal", {"std": 0.1}, activation)
    linears, model = _build(torch, proj)
    sim = initviz.simulate(proj)
    with torch.no_grad():
        for linear, layer in zip(linears, sim.layers):
            linear.weight.copy_(torch.from_numpy(layer.weight.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.bias))
        out = model(torch.from_numpy(sim.inputs)).numpy()
    # float32 sums of 300 terms in another order differ in the last bits
    np.testing.assert_allclose(out, sim.layers[-1].preactivation, rtol=1e-4, atol=1e-4)


def test_the_snippet_runs_as_a_script_and_prints_each_layer(torch, tmp_path):
    assert printed_layers("pytorch", tmp_path) == ["layer 1", "layer 2", "layer 3"]
