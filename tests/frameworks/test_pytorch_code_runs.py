"""The PyTorch code ``initviz code`` writes, executed with torch: the network it builds has
initviz's widths and activation, and every layer's weight and bias std is the one
initviz's formula gives, within sampling error, for every scheme and every mode.

Tolerance: the sample std s of n independent draws with std σ and kurtosis κ has
SD(s) ≈ σ·√((κ − 1)/(4n)). The schemes draw normal (κ = 3), truncated normal (κ ≈ 2.4) or
uniform (κ = 1.8) values, so κ = 3 bounds them all: SD(s)/σ ≤ 1/√(2n). Five of those
(a false alarm once in ~10⁶ comparisons) plus float32 rounding is the tolerance.
Orthogonal matrices have a fixed sum of squares, well inside it.
"""
import math
import subprocess
import sys

import numpy as np
import pytest

import initviz
from initviz.codegen import generate
from initviz.core.activations import resolve_activation
from initviz.core.schemes import SCHEMES, LayerContext

WIDTHS = [300, 200, 120, 60]
"""fan_in ≠ fan_out in every layer, so a wrong mode changes the std by 20 % or more."""


def _cases():
    """Every scheme with its defaults, every value of every choice (mode, distribution),
    and a non-default number where a default would hide a wrong parameter."""
    cases = []
    for name, scheme in SCHEMES.items():
        cases.append((name, {}))
        for param in scheme.params:
            for choice in param.choices[1:]:
                cases.append((name, {param.name: choice}))
    cases += [("he_normal", {"a": 0.3, "mode": "fan_out"}), ("he_uniform", {"a": 0.5}),
              ("xavier_normal", {"gain": 5 / 3}), ("orthogonal", {"gain": 1.5}),
              ("variance_scaling", {"scale": 2.0, "mode": "fan_avg",
                                    "distribution": "truncated_normal"}),
              ("normal", {"mean": 0.2, "std": 0.3}), ("uniform", {"low": -0.1, "high": 0.3}),
              ("truncated_normal", {"mean": -0.1, "std": 0.2})]
    return cases


def _project(scheme, params, bias="zeros", bias_params=None, activation="tanh"):
    return initviz.Project.from_dict({
        "network": {"widths": WIDTHS, "activation": activation},
        "init": {"scheme": scheme, "params": params,
                 "bias": {"scheme": bias, "params": bias_params or {}}},
        "data": {"batch_size": 512, "seed": 3},
    })


def _build(torch, project):
    namespace = {"__name__": "initviz_generated"}
    exec(compile(generate(project, "pytorch"), "generated.py", "exec"), namespace)
    return [m for m in namespace["model"] if isinstance(m, torch.nn.Linear)], namespace["model"]


def _tolerance(sigma, n):
    return 5 * sigma / math.sqrt(2 * n) + 1e-6 * max(sigma, 1.0)


def _app_moments(project, scheme, params):
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    resolved = SCHEMES[scheme].resolve(params)
    return [SCHEMES[scheme].moments(LayerContext(i, o, activation, act_params), resolved)
            for i, o in zip(WIDTHS[:-1], WIDTHS[1:])]


@pytest.mark.parametrize(("scheme", "params"), _cases(), ids=str)
def test_every_layer_has_the_std_of_initvizs_formula(torch, scheme, params):
    project = _project(scheme, params)
    linears, _ = _build(torch, project)
    assert [(m.in_features, m.out_features) for m in linears] == list(zip(WIDTHS, WIDTHS[1:]))
    if scheme == "lsuv":
        expected = [(0.0, float(layer.weight.std())) for layer in initviz.simulate(project).layers]
    else:
        expected = _app_moments(project, scheme, params)
    for number, (linear, (mean, std)) in enumerate(zip(linears, expected), start=1):
        weight = linear.weight.detach().double().numpy()
        n = weight.size
        tolerance = _tolerance(std, n)
        if scheme == "lsuv":  # both rescale until |Var(z) − 1| < tol on a batch of 512
            tolerance = 0.06 * std  # √(1 ± 0.1) moves the std by 5 %; batches differ too
        assert weight.std() == pytest.approx(std, abs=tolerance), f"layer {number}"
        assert weight.mean() == pytest.approx(mean, abs=_tolerance(max(std, 1e-3), n) * 2)


BIAS_CASES = ["zeros", ("constant", {"value": 0.2}), ("normal", {"std": 0.5}), "uniform",
              "truncated_normal", "xavier_normal", "xavier_uniform",
              ("he_normal", {"mode": "fan_out"}), "he_uniform", "lecun_normal", "lecun_uniform",
              ("variance_scaling", {"distribution": "uniform", "mode": "fan_avg"}),
              ("variance_scaling", {"distribution": "truncated_normal"}), "kumar",
              "pytorch_default", "orthogonal"]  # lsuv is refused for a bias by the project


@pytest.mark.parametrize("case", BIAS_CASES, ids=str)
def test_every_bias_scheme_gives_initvizs_bias_std(torch, case):
    """Compared with the bias initviz draws itself: torch cannot compute fans for a 1-D
    tensor, so these are the written-out forms, and an orthogonal bias is a unit vector."""
    name, params = (case, {}) if isinstance(case, str) else case
    project = _project("xavier_normal", {}, name, params)
    linears, _ = _build(torch, project)
    sim = initviz.simulate(project)
    formulas = _app_moments(project, name, params)
    for number, (linear, layer, (_, formula_std)) in enumerate(
            zip(linears, sim.layers, formulas), start=1):
        bias = linear.bias.detach().double().numpy()
        std = float(np.std(layer.bias)) if name == "orthogonal" else formula_std
        # a bias has only fan_out values: the tolerance is wider, derived the same way
        assert bias.std() == pytest.approx(std, abs=_tolerance(std, bias.size) * 1.2), number
        assert bias.mean() == pytest.approx(float(np.mean(layer.bias)),
                                            abs=_tolerance(max(std, 1e-3), bias.size) * 2)


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                        "selu", "gelu", "silu", "softplus"])
def test_the_network_computes_initvizs_function(torch, activation):
    """initviz's weights copied into the torch model (transposed: (in, out) → (out, in)) give
    the same outputs: the activation, its parameter and the linear last layer agree."""
    project = _project("he_normal", {}, "normal", {"std": 0.1}, activation)
    project.set("network.activation_params",
                {"leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.5},
                 "softplus": {"beta": 2.0}}.get(activation, {}))
    linears, model = _build(torch, project)
    sim = initviz.simulate(project)
    with torch.no_grad():
        for linear, layer in zip(linears, sim.layers):
            linear.weight.copy_(torch.from_numpy(layer.weight.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.bias))
        out = model(torch.from_numpy(sim.inputs)).numpy()
    # float32 sums of 300 terms in another order differ in the last bits
    np.testing.assert_allclose(out, sim.layers[-1].preactivation, rtol=1e-4, atol=1e-4)


def test_the_snippet_runs_as_a_script_and_prints_each_layer(torch, tmp_path):
    path = tmp_path / "init.py"
    path.write_text(generate(_project("lsuv", {}), "pytorch"))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        "layer 1", "layer 2", "layer 3"]
