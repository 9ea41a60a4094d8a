"""A project as a JAX snippet: the same MLP as a list of (W, b), initialised by
``jax.nn.initializers``.

JAX stores a kernel as (in, out), as initviz does, and counts fans the same way. Its named
He, Glorot and LeCun *normal* initialisers are truncated (as Keras's), initviz's are not,
so every fan-based scheme is written as ``variance_scaling(scale, mode, distribution)``,
which says exactly which one it is. A 1-D bias has no fans for JAX to compute: those are
written out with the layer's fans.
"""
from __future__ import annotations

from initviz.codegen.common import (
    FAN,
    header,
    init_function,
    lsuv_batch,
    variance_scaling,
    widths_code,
)
from initviz.codegen.common import number as _num
from initviz.core.activations import resolve_activation
from initviz.core.schemes import TRUNCATED_STD_FACTOR, resolve_scheme

_ACTIVATIONS = {
    "linear": "z",
    "sigmoid": "jax.nn.sigmoid(z)",
    "tanh": "jnp.tanh(z)",
    "relu": "jax.nn.relu(z)",
    "leaky_relu": "jax.nn.leaky_relu(z, negative_slope={negative_slope!r})",
    "elu": "jax.nn.elu(z, alpha={alpha!r})",
    "selu": "jax.nn.selu(z)",
    "gelu": "jax.nn.gelu(z, approximate=False)  # jax's default is the tanh approximation",
    "silu": "jax.nn.silu(z)",
    "softplus": "jax.nn.softplus({beta!r} * z) / {beta!r}",
}


def _comment(name: str) -> list[str]:
    if name in ("he_normal", "xavier_normal", "lecun_normal"):
        return ["# jax's named normal initialisers are truncated; initviz's is not: hence 'normal'"]
    if name == "kumar":
        return ["# no built-in: Var = 1/(φ'(0)²·(1+φ(0)²)·fan_in); the divisor is that factor"]
    if name == "pytorch_default":
        return ["# nn.Linear's default U(±1/√fan_in): variance 1/(3·fan_in)"]
    if name == "lsuv":
        return ["# no built-in: orthogonal here, then lsuv() below rescales each layer"]
    return []


def _fixed(name: str, p: dict, shape: str) -> str | None:
    """The schemes whose numbers do not depend on the fans."""
    if name == "zeros":
        return f"jnp.zeros({shape}, jnp.float32)"
    if name == "constant":
        return f"jnp.full({shape}, {_num(p['value'])}, jnp.float32)"
    if name == "normal":
        return f"{_num(p['mean'])} + initializers.normal({_num(p['std'])})(key, {shape})"
    if name == "uniform":  # jax's uniform(scale) draws from [0, scale)
        low, high = _num(p["low"]), _num(p["high"])
        return f"{low} + initializers.uniform({high} - {low})(key, {shape})"
    if name == "truncated_normal":  # cut at ±2 std of the mean, as initviz
        return f"{_num(p['mean'])} + initializers.truncated_normal({_num(p['std'])})(key, {shape})"
    return None


def _bias_written_out(scale: str, mode: str, distribution: str) -> list[str]:
    std = f"math.sqrt({scale} / {FAN[mode]})"
    if distribution == "normal":
        return [f"return {std} * jax.random.normal(key, (fan_out,))"]
    if distribution == "uniform":
        return [f"bound = math.sqrt(3) * {std}",
                "return jax.random.uniform(key, (fan_out,), minval=-bound, maxval=bound)"]
    return [f"std = {std} / {TRUNCATED_STD_FACTOR!r}  # widened: after the cut at ±2 it is right",
            "return std * jax.random.truncated_normal(key, -2.0, 2.0, (fan_out,))"]


def _body(target: str, name: str, p: dict, project) -> list[str]:
    shape = "(fan_in, fan_out)" if target == "weight" else "(fan_out,)"
    fixed = _fixed(name, p, shape)
    if fixed is not None:
        return [f"return {fixed}"]
    if name in ("orthogonal", "lsuv"):
        gain = _num(p.get("gain", 1.0))
        if target == "bias":
            return ["# a bias is drawn as a (fan_out, 1) orthogonal matrix: a unit vector",
                    f"return initializers.orthogonal({gain})(key, (fan_out, 1))[:, 0]"]
        return [f"return initializers.orthogonal({gain})(key, (fan_in, fan_out))"]
    scale, mode, distribution = variance_scaling(name, p, project)
    if target == "bias":
        return _bias_written_out(scale, mode, distribution)
    return [f"init = initializers.variance_scaling({scale}, {mode!r}, {distribution!r})",
            f"return init(key, {shape}, jnp.float32)"]


def _init_function(target: str, scheme, params: dict, project) -> list[str]:
    return init_function(f"init_{target}(key, fan_in, fan_out)", target, scheme,
                         _comment(scheme.name), _body(target, scheme.name, params, project))


_LSUV = '''

def lsuv(params, batch, tol={tol}, max_iter={max_iter}):
    """LSUV (Mishkin & Matas 2015), not built into jax: scale each layer's weight until its
    pre-activations have variance 1 on the batch, first layer first."""
    a, out = batch, []
    for i, (w, b) in enumerate(params):
        for _ in range(max_iter):
            var = float(jnp.var(a @ w + b))
            if not math.isfinite(var) or var <= 0 or abs(var - 1) < tol:
                break
            w = w / math.sqrt(var)
        out.append((w, b))
        z = a @ w + b
        a = z if i == len(params) - 1 else activation(z)
    return out
'''


def _lsuv_batch(project) -> list[str]:
    n0, size, key = project.widths[0], project.batch_size, f"jax.random.key({project.seed + 1})"
    return lsuv_batch(project, f"jax.random.uniform({key}, ({size}, {n0}), minval=-math.sqrt(3), "
                      "maxval=math.sqrt(3))", f"jax.random.normal({key}, ({size}, {n0}))")


_MODEL = '''

def init_params(key):
    params = []
    for fan_in, fan_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        key, weight_key, bias_key = jax.random.split(key, 3)
        params.append((init_weight(weight_key, fan_in, fan_out),
                       init_bias(bias_key, fan_in, fan_out)))
    return params


def forward(params, x):
    for i, (w, b) in enumerate(params):
        x = x @ w + b  # (batch, in) @ (in, out), as initviz
        if i < len(params) - 1:  # hidden layers apply the activation; the last is linear
            x = activation(x)
    return x
'''


def snippet(project) -> str:
    """The runnable JAX script for ``project``."""
    scheme = resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    bias_scheme = resolve_scheme(project.bias_scheme, "init.bias.scheme")
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")
    activation = resolve_activation(project.activation)
    phi = _ACTIVATIONS[activation.name].format(**activation.resolve(project.activation_params))
    lines = [
        *header(project, "jax", "JAX", [
            "# JAX stores a kernel as (in, out), as initviz: the same matrix, no transpose.",
        ]),
        "import math", "", "import jax", "import jax.numpy as jnp",
        "from jax.nn import initializers", "",
        f"WIDTHS = {widths_code(project.widths)[1]}", "", "",
        *_init_function("weight", scheme, params, project), "", "",
        *_init_function("bias", bias_scheme, bias_params, project), "", "",
        "def activation(z):", f"    return {phi}",
    ]
    text = "\n".join(lines) + "\n" + _MODEL
    if scheme.name == "lsuv":
        text += _LSUV.format(tol=_num(params["tol"]), max_iter=params["max_iter"])
    text += f"\n\nparams = init_params(jax.random.key({project.seed}))\n"
    if scheme.name == "lsuv":
        text += "\n".join(_lsuv_batch(project)) + "\nparams = lsuv(params, batch)\n"
    text += (
        '\nif __name__ == "__main__":\n'
        "    for number, (w, b) in enumerate(params, start=1):\n"
        "        print(f\"layer {number}: weight std {float(w.std()):.4g}, \"\n"
        "              f\"bias std {float(b.std()):.4g}\")\n"
    )
    return text
