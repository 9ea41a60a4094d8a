"""What the generated-code tests of every framework share: the cases, the network, the
tolerance and initviz's own numbers to compare with.

Tolerance: the sample std s of n independent draws with std σ and kurtosis κ has
SD(s) ≈ σ·√((κ − 1)/(4n)). The schemes draw normal (κ = 3), truncated normal (κ ≈ 2.4) or
uniform (κ = 1.8) values, so κ = 3 bounds them all: SD(s)/σ ≤ 1/√(2n). Five of those
(a false alarm once in ~10⁶ comparisons) plus float32 rounding is the tolerance.
Orthogonal matrices have a fixed sum of squares, well inside it.
"""
import math
import os
import subprocess
import sys

import initviz
from initviz.codegen import generate
from initviz.core.activations import resolve_activation
from initviz.core.schemes import SCHEMES, LayerContext, layer_moments

WIDTHS = [300, 200, 120, 60]
"""fan_in ≠ fan_out in every layer, so a wrong mode changes the std by 20 % or more."""
ACTIVATION_PARAMS = {"leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.5},
                     "softplus": {"beta": 2.0}}
ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
               "softplus"]


def scheme_cases():
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


BIAS_CASES = ["zeros", ("constant", {"value": 0.2}), ("normal", {"std": 0.5}), "uniform",
              "truncated_normal", "xavier_normal", "xavier_uniform",
              ("he_normal", {"mode": "fan_out"}), "he_uniform", "lecun_normal", "lecun_uniform",
              ("variance_scaling", {"distribution": "uniform", "mode": "fan_avg"}),
              ("variance_scaling", {"distribution": "truncated_normal"}), "kumar",
              "pytorch_default", "orthogonal"]  # lsuv is refused for a bias by the project


def project(scheme, params, bias="zeros", bias_params=None, activation="tanh"):
    return initviz.Project.from_dict({
        "network": {"widths": WIDTHS, "activation": activation,
                    "activation_params": ACTIVATION_PARAMS.get(activation, {})},
        "init": {"scheme": scheme, "params": params,
                 "bias": {"scheme": bias, "params": bias_params or {}}},
        "data": {"batch_size": 512, "seed": 3},
    })


def tolerance(sigma, n):
    return 5 * sigma / math.sqrt(2 * n) + 1e-6 * max(sigma, 1.0)


def app_moments(proj, scheme, params):
    """(mean, std) initviz's formula gives each layer."""
    activation = resolve_activation(proj.activation)
    act_params = activation.resolve(proj.activation_params)
    resolved = SCHEMES[scheme].resolve(params)
    return [SCHEMES[scheme].moments(LayerContext(i, o, activation, act_params), resolved)
            for i, o in zip(WIDTHS[:-1], WIDTHS[1:])]


def expected_weights(proj, scheme, params):
    """Per layer (mean, std, tolerance as a function of n): LSUV's are the std initviz's own
    rescaling reaches, within 6 % (√(1 ± tol) moves a std by 5 %; the batches differ)."""
    if scheme == "lsuv":
        return [(0.0, float(layer.weight.std()), lambda std, n: 0.06 * std)
                for layer in initviz.simulate(proj).layers]
    return [(mean, std, tolerance) for mean, std in app_moments(proj, scheme, params)]


def expected_biases(proj, scheme, params):
    """Per layer (mean, std) of the bias: initviz's bias formula (schemes.bias_moments: an
    orthogonal bias is one unit vector, std 1/√fan_out)."""
    return [(moments.bias_mean, moments.bias_std) for moments in layer_moments(proj)]


def case_name(case) -> tuple[str, dict]:
    return (case, {}) if isinstance(case, str) else case


def printed_layers(framework: str, folder, env=None) -> list[str]:
    """The LSUV snippet for ``framework`` run as a script in ``folder``: the "layer n" that
    starts each line it prints (it fails the test, with stderr, if the script fails)."""
    path = folder / "init.py"
    path.write_text(generate(project("lsuv", {}), framework))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return [line.split(":")[0] for line in done.stdout.splitlines()]
