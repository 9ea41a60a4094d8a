"""A project as a Keras 3 snippet: the same MLP as a Sequential of Dense layers, initialised
by ``keras.initializers``.

Keras stores a Dense kernel as (in, out), as initviz does. Its named normal initialisers
(HeNormal, GlorotNormal, LecunNormal) are truncated and initviz's are not, so those are
written as ``VarianceScaling(..., "untruncated_normal")``. Keras would count a 1-D bias's
fans as (n, n): a fan-based bias gets its std from the layer's fans instead.
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
    "sigmoid": "keras.activations.sigmoid(z)",
    "tanh": "keras.activations.tanh(z)",
    "relu": "keras.activations.relu(z)",
    "leaky_relu": "keras.activations.leaky_relu(z, negative_slope={negative_slope!r})",
    "elu": "keras.activations.elu(z, alpha={alpha!r})",
    "selu": "keras.activations.selu(z)",
    "gelu": "keras.activations.gelu(z, approximate=False)",
    "silu": "keras.activations.silu(z)",
    "softplus": "keras.activations.softplus({beta!r} * z) / {beta!r}",
}
_KERAS_DISTRIBUTION = {"normal": "untruncated_normal", "truncated_normal": "truncated_normal",
                       "uniform": "uniform"}
_NAMED_UNIFORM = {"xavier_uniform": ("GlorotUniform", {"gain": 1.0}),
                  "he_uniform": ("HeUniform", {"a": 0.0, "mode": "fan_in"}),
                  "lecun_uniform": ("LecunUniform", {})}
"""Keras's named initialisers that are exactly initviz's scheme (with these parameters)."""


def _fixed(name: str, p: dict) -> str | None:
    if name == "zeros":
        return "initializers.Zeros()"
    if name == "constant":
        return f"initializers.Constant({_num(p['value'])})"
    if name == "normal":
        return f"initializers.RandomNormal(mean={_num(p['mean'])}, stddev={_num(p['std'])})"
    if name == "uniform":
        return f"initializers.RandomUniform(minval={_num(p['low'])}, maxval={_num(p['high'])})"
    if name == "truncated_normal":  # redrawn beyond 2 std, as initviz
        return f"initializers.TruncatedNormal(mean={_num(p['mean'])}, stddev={_num(p['std'])})"
    return None


def _comment(name: str) -> list[str]:
    if name in ("he_normal", "xavier_normal", "lecun_normal"):
        return ["# Keras's named normal initialisers are truncated; initviz's is not"]
    if name == "kumar":
        return ["# no built-in: Var = 1/(φ'(0)²·(1+φ(0)²)·fan_in); the divisor is that factor"]
    if name == "pytorch_default":
        return ["# nn.Linear's default U(±1/√fan_in): variance 1/(3·fan_in)"]
    if name == "lsuv":
        return ["# no built-in: orthogonal here, then lsuv() below rescales each layer"]
    return []


def _bias_from_fans(scale: str, mode: str, distribution: str) -> list[str]:
    lines = [f"std = math.sqrt({scale} / {FAN[mode]})"]
    if distribution == "normal":
        return [*lines, "return initializers.RandomNormal(stddev=std)"]
    if distribution == "uniform":
        return [*lines, "bound = math.sqrt(3) * std",
                "return initializers.RandomUniform(minval=-bound, maxval=bound)"]
    return [*lines, f"# widened: after the cut at ±2 the std is right (÷ {TRUNCATED_STD_FACTOR!r})",
            f"return initializers.TruncatedNormal(stddev=std / {TRUNCATED_STD_FACTOR!r})"]


def _body(target: str, name: str, p: dict, project) -> list[str]:
    fixed = _fixed(name, p)
    if fixed is not None:
        return [f"return {fixed}"]
    if name in ("orthogonal", "lsuv"):
        gain = _num(p.get("gain", 1.0))
        if target == "bias":
            return ["# a bias is drawn as a (fan_out, 1) orthogonal matrix: a unit vector",
                    f"orthogonal = initializers.Orthogonal({gain})",
                    "return lambda shape, dtype=None: orthogonal((shape[0], 1), dtype)[:, 0]"]
        return [f"return initializers.Orthogonal({gain})"]
    scale, mode, distribution = variance_scaling(name, p, project)
    if target == "bias":
        return _bias_from_fans(scale, mode, distribution)
    named, exact = _NAMED_UNIFORM.get(name, (None, None))
    if named and all(p[k] == v for k, v in exact.items()):
        return [f"return initializers.{named}()"]
    return [f"return initializers.VarianceScaling({scale}, {mode!r}, "
            f"{_KERAS_DISTRIBUTION[distribution]!r})"]


def _init_function(target: str, scheme, params: dict, project) -> list[str]:
    return init_function(f"{target}_initializer(fan_in, fan_out)", target, scheme,
                         _comment(scheme.name), _body(target, scheme.name, params, project))


_MODEL = '''

def build_model():
    model = keras.Sequential([keras.Input(shape=(WIDTHS[0],))])
    for i, (fan_in, fan_out) in enumerate(zip(WIDTHS[:-1], WIDTHS[1:])):
        hidden = i < len(WIDTHS) - 2  # hidden layers apply the activation; the last is linear
        model.add(layers.Dense(fan_out, activation=activation if hidden else None,
                               kernel_initializer=weight_initializer(fan_in, fan_out),
                               bias_initializer=bias_initializer(fan_in, fan_out)))
    return model
'''

_LSUV = '''

def lsuv(model, batch, tol={tol}, max_iter={max_iter}):
    """LSUV (Mishkin & Matas 2015), not built into Keras: scale each layer's kernel until its
    pre-activations have variance 1 on the batch, first layer first."""
    a = batch
    for i, layer in enumerate(model.layers):
        kernel, bias = layer.get_weights()
        for _ in range(max_iter):
            var = float(np.var(a @ kernel + bias))
            if not math.isfinite(var) or var <= 0 or abs(var - 1) < tol:
                break
            kernel = kernel / math.sqrt(var)
        layer.set_weights([kernel, bias])
        z = a @ kernel + bias
        a = z if i == len(model.layers) - 1 else keras.ops.convert_to_numpy(activation(z))
'''


def _lsuv_batch(project) -> list[str]:
    n0, size = project.widths[0], project.batch_size
    rng = f"np.random.default_rng({project.seed})"
    return lsuv_batch(project, f"{rng}.uniform(-math.sqrt(3), math.sqrt(3), ({size}, {n0}))"
                      ".astype('float32')",
                      f"{rng}.standard_normal(({size}, {n0}), dtype='float32')")


def snippet(project) -> str:
    """The runnable Keras 3 script for ``project`` (any backend)."""
    scheme = resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    bias_scheme = resolve_scheme(project.bias_scheme, "init.bias.scheme")
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")
    activation = resolve_activation(project.activation)
    phi = _ACTIVATIONS[activation.name].format(**activation.resolve(project.activation_params))
    lsuv = scheme.name == "lsuv"
    lines = [
        *header(project, "keras", "Keras", [
            "# Keras stores a Dense kernel as (in, out), as initviz: the same matrix, no",
            "# transpose.",
            "# Keras 3 runs on JAX, TensorFlow or PyTorch: set KERAS_BACKEND before importing it.",
        ]),
        "import math", "", "import keras", *(["import numpy as np"] if lsuv else []),
        "from keras import initializers, layers", "",
        f"keras.utils.set_random_seed({project.seed})",
        f"WIDTHS = {widths_code(project.widths)[1]}", "", "",
        *_init_function("weight", scheme, params, project), "", "",
        *_init_function("bias", bias_scheme, bias_params, project), "", "",
        "def activation(z):", f"    return {phi}",
    ]
    text = "\n".join(lines) + "\n" + _MODEL
    if lsuv:
        text += _LSUV.format(tol=_num(params["tol"]), max_iter=params["max_iter"])
    text += "\n\nmodel = build_model()\n"
    if lsuv:
        text += "\n".join(_lsuv_batch(project)) + "\nlsuv(model, batch)\n"
    text += (
        '\nif __name__ == "__main__":\n'
        "    for number, layer in enumerate(model.layers, start=1):\n"
        "        kernel, bias = layer.get_weights()\n"
        "        print(f\"layer {number}: weight std {kernel.std():.4g}, \"\n"
        "              f\"bias std {bias.std():.4g}\")\n"
    )
    return text
