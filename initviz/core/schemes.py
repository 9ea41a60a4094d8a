"""Weight initialisation schemes, as a registry.

Each scheme samples a ``(fan_in, fan_out)`` matrix (or a ``(fan_out,)`` bias)
from a ``numpy.random.Generator`` and knows the mean and standard deviation it
aims at, so the formula panel can show the numbers and the theory can propagate
the variance. References: Glorot & Bengio (2010) for Xavier, He et al. (2015)
for He/Kaiming, LeCun et al. (1998) for LeCun, Saxe et al. (2013) for
orthogonal, Kumar (2017), Mishkin & Matas (2015) for LSUV.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from initviz.core.activations import Activation, resolve_activation
from initviz.core.registry import Param, resolve_params
from initviz.errors import ProjectError

TRUNCATED_STD_FACTOR = 0.8796256610342398
"""Std of N(0, 1) truncated to ±2: the truncated normal's std is this times the nominal one."""


@dataclass(frozen=True)
class LayerContext:
    """What a scheme may need to know about the layer it initialises."""

    fan_in: int
    fan_out: int
    activation: Activation = field(default_factory=lambda: resolve_activation("linear"))
    activation_params: dict = field(default_factory=dict)


Moments = Callable[[LayerContext, dict], tuple[float, float]]
Affine = Callable[[LayerContext, dict], tuple[float, float]]


@dataclass(frozen=True)
class Scheme:
    """A scheme is an affine map of a unit draw: W = scale·U + shift.

    ``draw(params)`` names the unit distribution U (normal, uniform on ±1, truncated normal,
    orthogonal; None for constants) and ``affine(ctx, params)`` gives (scale, shift) for the
    layer. Separating the two lets a layer keep its unit draw while the user drags a std or
    gain slider: the histogram changes scale, not shape, and nothing is resampled.
    """

    name: str
    title: str
    formula: str
    moments: Moments
    """(mean, std) of the entries the scheme aims at, for this layer."""
    draw: Callable[[dict], str | None]
    affine: Affine
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    bound: Callable[[LayerContext, dict], float] | None = None
    """Half-width of the support for uniform schemes (the ± limit)."""
    data_dependent: bool = False
    reference: str = ""

    def resolve(self, given: dict | None, path: str = "init.params") -> dict:
        return resolve_params(self.params, given, path)

    def describe(self, ctx: LayerContext, params: dict) -> str:
        """The formula with this layer's numbers filled in, for the formula panel."""
        mean, std = self.moments(ctx, params)
        text = f"fan_in={ctx.fan_in}, fan_out={ctx.fan_out}: "
        if self.bound is not None:
            text += f"limit ±{self.bound(ctx, params):.4g}, "
        text += f"std = {std:.4g}"
        if mean:
            text += f", mean = {mean:.4g}"
        if self.data_dependent:
            text += " before rescaling on the batch"
        return text


# --- unit draws ------------------------------------------------------------------------


def _unit_normal(rng, shape, dtype):
    return rng.standard_normal(shape, dtype=dtype)


def _unit_uniform(rng, shape, dtype):
    """U(−1, 1)."""
    out = rng.random(shape, dtype=dtype)
    out *= 2.0
    out -= 1.0
    return out


def _unit_truncated_normal(rng, shape, dtype):
    """N(0, 1) with every draw beyond ±2 redrawn (as TensorFlow's truncated_normal)."""
    z = rng.standard_normal(shape, dtype=dtype)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()), dtype=dtype)
        outside = np.abs(z) > 2.0
    return z


def _unit_orthogonal(rng, shape, dtype):
    """Saxe et al. (2013): QR of a Gaussian matrix, signs fixed by diag(R), so Q is Haar."""
    rows, cols = (shape[0], 1) if len(shape) == 1 else shape
    flat = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(dtype, copy=False)


UNIT_DRAWS = {
    "normal": _unit_normal,
    "uniform": _unit_uniform,
    "truncated_normal": _unit_truncated_normal,
    "orthogonal": _unit_orthogonal,
}
"""The unit distributions every scheme is an affine map of."""


# --- fan helpers -----------------------------------------------------------------------


def _fan(ctx: LayerContext, mode: str) -> float:
    fans = {"fan_in": ctx.fan_in, "fan_out": ctx.fan_out, "fan_avg": (ctx.fan_in + ctx.fan_out) / 2}
    return fans[mode]


def _kumar_std(ctx: LayerContext, p: dict) -> float:
    """Kumar (2017): var = 1/(fan_in·φ'(0)²·(1+φ(0)²)).

    At a kink (ReLU, leaky ReLU, SELU) φ'(0)² is the mean of the two one-sided
    squares, which gives Kumar's 2/fan_in for ReLU.
    """
    act, ap = ctx.activation, ctx.activation.resolve(ctx.activation_params)
    eps = np.array([-1e-9, 0.0, 1e-9])
    value = act.forward(eps, **ap)
    slope = act.derivative(eps, value, **ap)
    slope_sq = 0.5 * (slope[0] ** 2 + slope[2] ** 2)
    if slope_sq <= 0:
        raise ProjectError(f"init.scheme kumar needs φ'(0) ≠ 0, which {act.name} does not have")
    return math.sqrt(1.0 / (ctx.fan_in * slope_sq * (1.0 + value[1] ** 2)))


_TRUNCATION = "redrawn beyond 2 std"
_MODE = Param(
    "mode", "fan_in", "fan_in keeps the forward pass normalised, fan_out the backward",
    choices=("fan_in", "fan_out"),
)
_GAIN = Param(
    "gain", 1.0, "scale factor; initviz.gain(activation) gives the recommended one",
    minimum=0.0, maximum=100.0,
)
_A = Param(
    "a", 0.0, "negative slope of the rectifier after this layer (0 for ReLU)",
    minimum=0.0, maximum=1.0,
)
_STD = Param("std", 0.01, "standard deviation", minimum=0.0, maximum=1e6)
_MEAN = Param("mean", 0.0, "mean", minimum=-1e6, maximum=1e6)


def _he_std(ctx, p):
    return math.sqrt(2.0 / ((1.0 + p["a"] ** 2) * _fan(ctx, p["mode"])))


def _xavier_std(ctx, p):
    return p["gain"] * math.sqrt(2.0 / (ctx.fan_in + ctx.fan_out))


def _scaling_std(ctx, p):
    return math.sqrt(p["scale"] / _fan(ctx, p["mode"]))


def _scaling_draw(p):
    return p["distribution"]


def _scaling_affine(ctx, p):
    std = _scaling_std(ctx, p)
    scale = {  # as Keras: the truncated normal is corrected so the std is the target
        "normal": std,
        "uniform": math.sqrt(3.0) * std,
        "truncated_normal": std / TRUNCATED_STD_FACTOR,
    }[p["distribution"]]
    return scale, 0.0


def _constant(value_of):
    return {"draw": lambda p: None, "affine": lambda ctx, p: (0.0, value_of(p))}


def _fixed(kind):
    return lambda p: kind


def _uniform_scheme(name, title, formula, limit_of, **kw):
    return Scheme(
        name, title, formula,
        moments=lambda ctx, p: (0.0, limit_of(ctx, p) / math.sqrt(3.0)),
        draw=_fixed("uniform"), affine=lambda ctx, p: (limit_of(ctx, p), 0.0),
        bound=limit_of, **kw,
    )


def _normal_scheme(name, title, formula, std_of, **kw):
    return Scheme(
        name, title, formula, moments=lambda ctx, p: (0.0, std_of(ctx, p)),
        draw=_fixed("normal"), affine=lambda ctx, p: (std_of(ctx, p), 0.0), **kw,
    )


_ENTRIES = [
    Scheme(
        "zeros", "Zeros", "W = 0", lambda ctx, p: (0.0, 0.0), **_constant(lambda p: 0.0),
        aliases=("zero",),
    ),
    Scheme(
        "constant", "Constant", "W = value", lambda ctx, p: (p["value"], 0.0),
        **_constant(lambda p: p["value"]),
        params=(Param("value", 0.1, "every weight takes this value", minimum=-1e6, maximum=1e6),),
    ),
    Scheme(
        "normal", "Normal (random)", "W ~ N(mean, std²)", lambda ctx, p: (p["mean"], p["std"]),
        _fixed("normal"), lambda ctx, p: (p["std"], p["mean"]),
        params=(_MEAN, _STD), aliases=("gaussian", "random_normal"),
    ),
    Scheme(
        "uniform", "Uniform (random)", "W ~ U(low, high)",
        lambda ctx, p: ((p["low"] + p["high"]) / 2, (p["high"] - p["low"]) / math.sqrt(12.0)),
        _fixed("uniform"), lambda ctx, p: ((p["high"] - p["low"]) / 2, (p["high"] + p["low"]) / 2),
        params=(
            Param("low", -0.05, "lower end", minimum=-1e6, maximum=1e6),
            Param("high", 0.05, "upper end (at least low)", minimum=-1e6, maximum=1e6),
        ),
        aliases=("random_uniform",),
    ),
    Scheme(
        "truncated_normal", "Truncated normal", f"W ~ N(mean, std²), {_TRUNCATION}",
        lambda ctx, p: (p["mean"], p["std"] * TRUNCATED_STD_FACTOR),
        _fixed("truncated_normal"), lambda ctx, p: (p["std"], p["mean"]),
        params=(_MEAN, Param("std", 0.05, "std before truncation", minimum=0.0, maximum=1e6)),
    ),
    _normal_scheme(
        "xavier_normal", "Xavier/Glorot normal", "W ~ N(0, gain²·2/(fan_in+fan_out))", _xavier_std,
        params=(_GAIN,), aliases=("glorot_normal",), reference="Glorot & Bengio (2010)",
    ),
    _uniform_scheme(
        "xavier_uniform", "Xavier/Glorot uniform", "W ~ U(±gain·√(6/(fan_in+fan_out)))",
        lambda ctx, p: p["gain"] * math.sqrt(6.0 / (ctx.fan_in + ctx.fan_out)),
        params=(_GAIN,), aliases=("glorot_uniform",), reference="Glorot & Bengio (2010)",
    ),
    _normal_scheme(
        "he_normal", "He/Kaiming normal", "W ~ N(0, 2/((1+a²)·fan))", _he_std,
        params=(_MODE, _A), aliases=("kaiming_normal",), reference="He et al. (2015)",
    ),
    _uniform_scheme(
        "he_uniform", "He/Kaiming uniform", "W ~ U(±√(6/((1+a²)·fan)))",
        lambda ctx, p: math.sqrt(3.0) * _he_std(ctx, p),
        params=(_MODE, _A), aliases=("kaiming_uniform",), reference="He et al. (2015)",
    ),
    _normal_scheme(
        "lecun_normal", "LeCun normal", "W ~ N(0, 1/fan_in)",
        lambda ctx, p: math.sqrt(1.0 / ctx.fan_in), reference="LeCun et al. (1998)",
    ),
    _uniform_scheme(
        "lecun_uniform", "LeCun uniform", "W ~ U(±√(3/fan_in))",
        lambda ctx, p: math.sqrt(3.0 / ctx.fan_in), reference="LeCun et al. (1998)",
    ),
    Scheme(
        "orthogonal", "Orthogonal", "W = gain·Q, Q from the QR of a Gaussian matrix",
        lambda ctx, p: (0.0, p["gain"] / math.sqrt(max(ctx.fan_in, ctx.fan_out))),
        _fixed("orthogonal"), lambda ctx, p: (p["gain"], 0.0),
        params=(_GAIN,), reference="Saxe et al. (2013)",
    ),
    Scheme(
        "variance_scaling", "Variance scaling", "Var(W) = scale/n, n = fan_in, fan_out or fan_avg",
        lambda ctx, p: (0.0, _scaling_std(ctx, p)), _scaling_draw, _scaling_affine,
        params=(
            Param("scale", 1.0, "target variance times n", minimum=0.0, maximum=1e6),
            Param("mode", "fan_in", "which fan n is", choices=("fan_in", "fan_out", "fan_avg")),
            Param("distribution", "normal", "shape of the distribution",
                  choices=("normal", "truncated_normal", "uniform")),
        ),
    ),
    _normal_scheme(
        "kumar", "Kumar", "W ~ N(0, 1/(fan_in·φ'(0)²·(1+φ(0)²)))", _kumar_std,
        reference="Kumar (2017)",
    ),
    _uniform_scheme(
        "pytorch_default", "PyTorch nn.Linear default", "W ~ U(±1/√fan_in)",
        lambda ctx, p: 1.0 / math.sqrt(ctx.fan_in), aliases=("torch_default",),
    ),
    Scheme(
        "lsuv", "LSUV", "orthogonal, then each layer scaled so Var(z) = 1 on the batch",
        lambda ctx, p: (0.0, 1.0 / math.sqrt(max(ctx.fan_in, ctx.fan_out))),
        _fixed("orthogonal"), lambda ctx, p: (1.0, 0.0),
        params=(
            Param("tol", 0.1, "stop when |Var(z) − 1| is below this", minimum=1e-6, maximum=1.0),
            Param("max_iter", 10, "rescaling rounds per layer", minimum=1, maximum=100,
                  integer=True),
        ),
        data_dependent=True, reference="Mishkin & Matas (2015)",
    ),
]

SCHEMES: dict[str, Scheme] = {s.name: s for s in _ENTRIES}
ALIASES: dict[str, str] = {alias: s.name for s in _ENTRIES for alias in s.aliases}


def resolve_scheme(name: str, path: str = "init.scheme") -> Scheme:
    """The scheme called ``name`` (or one of its aliases), else ProjectError listing the names."""
    if isinstance(name, str):
        key = ALIASES.get(name.lower(), name.lower())
        if key in SCHEMES:
            return SCHEMES[key]
    raise ProjectError(f"{path} must be one of {', '.join(SCHEMES)}, got {name!r}")


def check_params(scheme: Scheme, params: dict, path: str) -> None:
    """Constraints between parameters that a single Param cannot state."""
    if scheme.name == "uniform" and params["low"] > params["high"]:
        raise ProjectError(
            f"{path}.low must not exceed {path}.high, got {params['low']} > {params['high']}"
        )


UnitSource = Callable[[str, tuple, np.dtype], np.ndarray]
"""unit_source(kind, shape, dtype) -> a unit draw; the network passes one that caches per layer."""


def sample(
    scheme: Scheme, params: dict, ctx: LayerContext, rng: np.random.Generator | None = None,
    dtype=np.float32, bias: bool = False, unit_source: UnitSource | None = None,
) -> np.ndarray:
    """Draw a fresh weight matrix ``(fan_in, fan_out)``, or a bias ``(fan_out,)`` when ``bias``.

    The unit draw comes from ``rng``, or from ``unit_source`` when given (never modified).
    """
    dtype = np.dtype(dtype)
    shape = (ctx.fan_out,) if bias else (ctx.fan_in, ctx.fan_out)
    kind = scheme.draw(params)
    scale, shift = scheme.affine(ctx, params)
    if kind is None:
        return np.full(shape, shift, dtype=dtype)
    unit = unit_source(kind, shape, dtype) if unit_source else UNIT_DRAWS[kind](rng, shape, dtype)
    out = np.multiply(unit, dtype.type(scale), dtype=dtype)
    if shift:
        out += dtype.type(shift)
    return out


@dataclass(frozen=True)
class LayerMoments:
    """What the schemes aim at in one layer: the input of the theory and the phase diagram."""

    context: LayerContext
    weight_mean: float
    weight_std: float
    bias_mean: float
    bias_std: float


def bias_moments(scheme: Scheme, ctx: LayerContext, params: dict) -> tuple[float, float]:
    """(mean, std) of a bias drawn by ``scheme``: as its weights, except an orthogonal draw,
    which for one vector is a unit vector, entries of std 1/√fan_out, not an orthogonal
    matrix's 1/√max(fan_in, fan_out)."""
    if scheme.draw(params) != "orthogonal":
        return scheme.moments(ctx, params)
    scale, shift = scheme.affine(ctx, params)
    return shift, abs(scale) / math.sqrt(ctx.fan_out)


def layer_moments(project) -> list[LayerMoments]:
    """Nominal mean and std of every layer's weights and bias (before LSUV's rescaling)."""
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    scheme = resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    bias_scheme = resolve_scheme(project.bias_scheme, "init.bias.scheme")
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")
    widths = project.widths
    moments = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        ctx = LayerContext(fan_in, fan_out, activation, act_params)
        moments.append(LayerMoments(
            ctx, *scheme.moments(ctx, params), *bias_moments(bias_scheme, ctx, bias_params)
        ))
    return moments
