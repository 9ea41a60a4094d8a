"""A project as a PyTorch snippet: the same MLP, initialised by torch's own initialisers.

torch stores a Linear weight as (out, in), initviz as (in, out): fan_in is the same number
in both, and torch.nn.init computes the fans from that layout, so its built-ins give the
std initviz's formulas give. Schemes torch has no built-in for (variance scaling, Kumar,
LSUV, any fan-based scheme on a 1-D bias, where torch cannot compute fans) are written out
with the formula in a comment.
"""
from __future__ import annotations

from initviz.codegen.common import FAN as _FAN
from initviz.codegen.common import (
    header,
    init_function,
    kumar_factor,
    lsuv_batch,
    widths_code,
)
from initviz.codegen.common import number as _num
from initviz.core.activations import resolve_activation
from initviz.core.schemes import TRUNCATED_STD_FACTOR, resolve_scheme

_ACTIVATION_MODULES = {
    "linear": "nn.Identity()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(negative_slope={negative_slope!r})",
    "elu": "nn.ELU(alpha={alpha!r})",
    "selu": "nn.SELU()",
    "gelu": "nn.GELU()",  # exact z·Φ(z), as initviz (approximate="none")
    "silu": "nn.SiLU()",
    "softplus": "nn.Softplus(beta={beta!r})",
}


def _std_expression(name: str, p: dict, project) -> str | None:
    """The scheme's std as Python in terms of fan_in and fan_out, for the written-out forms."""
    if name == "xavier_normal":
        return f"{_num(p['gain'])} * math.sqrt(2 / (fan_in + fan_out))"
    if name in ("he_normal", "he_uniform"):
        return f"math.sqrt(2 / ((1 + {_num(p['a'])} ** 2) * {_FAN[p['mode']]}))"
    if name in ("lecun_normal", "lecun_uniform"):
        return "math.sqrt(1 / fan_in)"
    if name == "variance_scaling":
        return f"math.sqrt({_num(p['scale'])} / {_FAN[p['mode']]})"
    if name == "kumar":
        return f"1 / math.sqrt({kumar_factor(project)!r} * fan_in)"
    return None


def _explicit(name: str, p: dict, tensor: str, project) -> list[str]:
    """Any scheme with nn.init's elementwise samplers, which also work on a 1-D bias."""
    if name == "zeros":
        return [f"nn.init.zeros_({tensor})"]
    if name == "constant":
        return [f"nn.init.constant_({tensor}, {_num(p['value'])})"]
    if name == "normal":
        return [f"nn.init.normal_({tensor}, mean={_num(p['mean'])}, std={_num(p['std'])})"]
    if name == "uniform":
        return [f"nn.init.uniform_({tensor}, a={_num(p['low'])}, b={_num(p['high'])})"]
    if name == "truncated_normal":
        mean, std = _num(p["mean"]), _num(p["std"])
        return [
            "# torch's a, b are absolute cut-offs; initviz redraws beyond 2 std of the mean",
            f"nn.init.trunc_normal_({tensor}, mean={mean}, std={std}, "
            f"a={mean} - 2 * {std}, b={mean} + 2 * {std})",
        ]
    if name in ("orthogonal", "lsuv"):
        gain = _num(p.get("gain", 1.0))
        if tensor == "bias":
            return ["# a bias is drawn as a (fan_out, 1) orthogonal matrix: a unit vector",
                    f"nn.init.orthogonal_(bias.view(-1, 1), gain={gain})"]
        return [f"nn.init.orthogonal_({tensor}, gain={gain})"]
    if name in ("pytorch_default", "xavier_uniform", "he_uniform", "lecun_uniform"):
        bound = {
            "pytorch_default": "1 / math.sqrt(fan_in)",
            "xavier_uniform": f"{_num(p.get('gain', 1.0))} * math.sqrt(6 / (fan_in + fan_out))",
        }.get(name) or f"math.sqrt(3) * {_std_expression(name, p, project)}"
        return [f"bound = {bound}", f"nn.init.uniform_({tensor}, -bound, bound)"]
    if name == "variance_scaling" and p["distribution"] != "normal":
        lines = [f"std = {_std_expression(name, p, project)}"]
        if p["distribution"] == "uniform":
            return [*lines, f"nn.init.uniform_({tensor}, -math.sqrt(3) * std, math.sqrt(3) * std)"]
        return [
            *lines,
            "# as Keras: the normal is widened so that after cutting at ±2 its std is `std`",
            f"std /= {TRUNCATED_STD_FACTOR!r}  # std of N(0, 1) cut at ±2",
            f"nn.init.trunc_normal_({tensor}, std=std, a=-2 * std, b=2 * std)",
        ]
    return [f"nn.init.normal_({tensor}, mean=0.0, std={_std_expression(name, p, project)})"]


def _builtin_weight(name: str, p: dict) -> list[str] | None:
    """torch.nn.init's named initialiser for a (out, in) weight, where there is one."""
    if name in ("xavier_normal", "xavier_uniform"):
        return [f"nn.init.{name}_(weight, gain={_num(p['gain'])})"]
    if name in ("he_normal", "he_uniform"):
        kind = name.replace("he_", "kaiming_")
        if p["a"] == 0:
            return [f"nn.init.{kind}_(weight, mode={p['mode']!r}, nonlinearity='relu')"]
        return [
            "# torch's a is initviz's a, the rectifier's negative slope: gain √(2/(1+a²))",
            f"nn.init.{kind}_(weight, a={_num(p['a'])}, mode={p['mode']!r}, "
            "nonlinearity='leaky_relu')",
        ]
    if name in ("lecun_normal", "lecun_uniform"):
        kind = name.replace("lecun_", "kaiming_")
        return ["# torch has no LeCun initialiser: Kaiming with gain 1 (linear) is the same",
                f"nn.init.{kind}_(weight, mode='fan_in', nonlinearity='linear')"]
    if name == "pytorch_default":
        return ["# nn.Linear's own default, U(±1/√fan_in), written as torch writes it",
                "nn.init.kaiming_uniform_(weight, a=math.sqrt(5))"]
    return None


_NOTES = {
    "kumar": "# no built-in: φ'(0)²·(1+φ(0)²) for this activation is the number below",
    "variance_scaling": "# Keras's VarianceScaling; torch has no built-in, so written out",
    "lsuv": "# no built-in: orthogonal here, then lsuv() below rescales each layer",
}
"""Where torch has no initialiser of the scheme's own."""


def _init_function(target: str, scheme, params: dict, project) -> list[str]:
    body = (_builtin_weight(scheme.name, params) if target == "weight" else None) or _explicit(
        scheme.name, params, target, project
    )
    notes = [_NOTES[scheme.name]] if scheme.name in _NOTES else []
    return init_function(f"init_{target}({target}, fan_in, fan_out)", target, scheme, notes,
                         body)


def _lsuv_batch(project) -> list[str]:
    n0, size = project.widths[0], project.batch_size
    return lsuv_batch(project, f"(torch.rand({size}, {n0}) * 2 - 1) * math.sqrt(3)",
                      f"torch.randn({size}, {n0})")


_LSUV = '''

def lsuv(model, batch, tol={tol}, max_iter={max_iter}):
    """LSUV (Mishkin & Matas 2015), not built into torch: scale each layer's weight until its
    pre-activations have variance 1 on the batch, first layer first."""
    a = batch
    with torch.no_grad():
        for module in model:
            if isinstance(module, nn.Linear):
                for _ in range(max_iter):
                    var = module(a).var(correction=0).item()
                    if not math.isfinite(var) or var <= 0 or abs(var - 1) < tol:
                        break
                    module.weight.mul_(1 / math.sqrt(var))
            a = module(a)

'''


def snippet(project) -> str:
    """The runnable PyTorch script for ``project``."""
    scheme = resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    bias_scheme = resolve_scheme(project.bias_scheme, "init.bias.scheme")
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")
    activation = resolve_activation(project.activation)
    module = _ACTIVATION_MODULES[activation.name].format(
        **activation.resolve(project.activation_params)
    )
    lines = [
        *header(project, "pytorch", "PyTorch", [
            "# torch.nn.Linear stores its weight as (out, in), initviz as (in, out): fan_in is the",
            "# same number in both, but a matrix passed across must be transposed (W.T).",
        ]),
        "import math", "", "import torch", "from torch import nn", "",
        f"torch.manual_seed({project.seed})",
        f"WIDTHS = {widths_code(project.widths)[1]}", "", "",
        *_init_function("weight", scheme, params, project), "", "",
        *_init_function("bias", bias_scheme, bias_params, project), "", "",
        "def build_model():",
        "    layers = []",
        "    for i, (fan_in, fan_out) in enumerate(zip(WIDTHS[:-1], WIDTHS[1:])):",
        "        linear = nn.Linear(fan_in, fan_out)",
        "        with torch.no_grad():",
        "            init_weight(linear.weight, fan_in, fan_out)",
        "            init_bias(linear.bias, fan_in, fan_out)",
        "        layers.append(linear)",
        "        if i < len(WIDTHS) - 2:  # hidden layers apply the activation; the last is linear",
        f"            layers.append({module})",
        "    return nn.Sequential(*layers)",
    ]
    text = "\n".join(lines) + "\n"
    if scheme.name == "lsuv":
        text += _LSUV.format(tol=_num(params["tol"]), max_iter=params["max_iter"])
    else:
        text += "\n\n"
    text += "model = build_model()\n"
    if scheme.name == "lsuv":
        text += "\n".join(_lsuv_batch(project)) + "\nlsuv(model, batch)\n"
    text += (
        '\nif __name__ == "__main__":\n'
        "    layers = [m for m in model if isinstance(m, nn.Linear)]\n"
        "    for number, linear in enumerate(layers, start=1):\n"
        "        print(f\"layer {number}: weight std {linear.weight.std().item():.4g}, \"\n"
        "              f\"bias std {linear.bias.std().item():.4g}\")\n"
    )
    return text
