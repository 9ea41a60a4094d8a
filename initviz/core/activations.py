"""Activation functions with their derivatives, as a registry.

Each entry knows its formula, its parameters, its derivative (for backprop and
for the theory's Gaussian expectations), its recommended gain (as
``torch.nn.init.calculate_gain``) and, for bounded units, when it counts as
saturated.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from initviz.core.registry import Param, resolve_params
from initviz.errors import ProjectError

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SATURATION_LEVEL = 0.05
"""A unit counts as saturated where φ'(z) is below 5 % of its largest value."""


@dataclass(frozen=True)
class Activation:
    name: str
    title: str
    formula: str
    forward: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    """derivative(z, a, **params) -> φ'(z); ``a`` = φ(z) saves recomputation."""
    gain: Callable[..., float]
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    saturates_below: float | None = None
    """For bounded units: φ'(z) below this is 'saturated'. None where it never saturates."""
    into: Callable[..., np.ndarray] | None = None
    """into(z, out) writes φ(z) into ``out`` without a temporary: for the units with one ufunc."""
    chain: Callable[..., np.ndarray] | None = None
    """chain(grad_a, z, a, out) writes dL/da · φ'(z) into ``out``, in fewer passes than
    ``derivative`` and a product (same numbers); only for units without parameters."""
    gaussian_moments: Callable[..., tuple[float, float]] | None = None
    """gaussian_moments(q, **params) = (E[φ(z)²], E[φ'(z)²]) for z ~ N(0, q > 0), where a
    formula exists (the piecewise-linear units); theory integrates the others numerically."""

    def resolve(self, given: dict | None, path: str = "network.activation_params") -> dict:
        return resolve_params(self.params, given, path)

    @property
    def is_identity(self) -> bool:
        """φ(z) = z: the activations are the pre-activations themselves."""
        return self.name == "linear"

    def forward_into(self, z: np.ndarray, out: np.ndarray, params: dict) -> np.ndarray:
        """φ(z) written into ``out`` (returned)."""
        if self.into is not None:
            return self.into(z, out)
        out[...] = self.forward(z, **params)
        return out

    def chain_into(self, grad_a, z, a, out: np.ndarray, params: dict) -> np.ndarray:
        """dL/dz = dL/da · φ'(z) written into ``out`` (returned)."""
        if self.chain is not None:
            return self.chain(grad_a, z, a, out)
        return np.multiply(grad_a, self.derivative(z, a, **params), out=out)


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): NumPy has no erf."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def _sigmoid(z):
    # exp of a non-positive number only: no overflow warnings for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def _softplus(z):
    return (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(z.dtype, copy=False)


def _elu(z, alpha):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def _elu_grad(z, alpha):
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


def _gelu(z):
    return (0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))).astype(z.dtype, copy=False)


def _gelu_grad(z):
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return (cdf + z * pdf).astype(z.dtype, copy=False)


def _tanh_chain(grad_a, z, a, out):
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)
    return np.multiply(out, grad_a, out=out)


def _sigmoid_chain(grad_a, z, a, out):
    np.subtract(1, a, out=out)
    np.multiply(out, a, out=out)
    return np.multiply(out, grad_a, out=out)


def _leaky_moments(q, negative_slope):
    half = 0.5 * (1.0 + negative_slope**2)  # each side of the kink: slope 1 or negative_slope
    return half * q, half


def _silu_grad(z, a):
    s = _sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


_SLOPE = Param("negative_slope", 0.01, "slope for z < 0", minimum=0.0, maximum=1.0)
_ALPHA = Param("alpha", 1.0, "value approached for z → -∞ is -alpha", minimum=0.0, maximum=10.0)
_BETA = Param(
    "beta", 1.0, "sharpness: softplus(z) = log(1+exp(beta·z))/beta", minimum=0.01, maximum=100.0
)

_ENTRIES = [
    Activation(
        "linear", "Linear (identity)", "φ(z) = z",
        lambda z: z, lambda z, a: np.ones_like(z), lambda: 1.0, aliases=("identity",),
        chain=lambda grad_a, z, a, out: np.copyto(out, grad_a) or out,
        gaussian_moments=lambda q: (q, 1.0),
    ),
    Activation(
        "sigmoid", "Sigmoid", "φ(z) = 1 / (1 + e^(−z))",
        _sigmoid, lambda z, a: a * (1 - a), lambda: 1.0, aliases=("logistic",),
        saturates_below=SATURATION_LEVEL * 0.25, chain=_sigmoid_chain,
    ),
    Activation(
        "tanh", "Tanh", "φ(z) = tanh(z)",
        np.tanh, lambda z, a: 1 - a * a, lambda: 5.0 / 3.0,
        saturates_below=SATURATION_LEVEL * 1.0,
        into=lambda z, out: np.tanh(z, out=out), chain=_tanh_chain,
    ),
    Activation(
        "relu", "ReLU", "φ(z) = max(0, z)",
        lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype), lambda: math.sqrt(2.0),
        into=lambda z, out: np.maximum(z, 0, out=out),
        chain=lambda grad_a, z, a, out: np.multiply(grad_a, z > 0, out=out),
        gaussian_moments=lambda q: (0.5 * q, 0.5),  # half the mass on each side of the kink
    ),
    Activation(
        "leaky_relu", "Leaky ReLU", "φ(z) = z if z > 0 else negative_slope·z",
        lambda z, negative_slope: np.where(z > 0, z, negative_slope * z).astype(
            z.dtype, copy=False
        ),
        lambda z, a, negative_slope: np.where(z > 0, 1.0, negative_slope).astype(z.dtype),
        lambda negative_slope: math.sqrt(2.0 / (1.0 + negative_slope**2)),
        params=(_SLOPE,), gaussian_moments=_leaky_moments,
    ),
    Activation(
        "elu", "ELU", "φ(z) = z if z > 0 else alpha·(e^z − 1)",
        _elu, lambda z, a, alpha: _elu_grad(z, alpha), lambda alpha: 1.0, params=(_ALPHA,),
    ),
    Activation(
        "selu", "SELU", "φ(z) = λ·z if z > 0 else λ·α·(e^z − 1), λ≈1.0507, α≈1.6733",
        lambda z: (SELU_SCALE * _elu(z, SELU_ALPHA)).astype(z.dtype, copy=False),
        lambda z, a: (SELU_SCALE * _elu_grad(z, SELU_ALPHA)).astype(z.dtype, copy=False),
        lambda: 0.75,
    ),
    Activation(
        "gelu", "GELU", "φ(z) = z·Φ(z), Φ the standard normal CDF",
        _gelu, lambda z, a: _gelu_grad(z), lambda: 1.0,
    ),
    Activation(
        "silu", "SiLU (swish)", "φ(z) = z·sigmoid(z)",
        lambda z: (z * _sigmoid(z)).astype(z.dtype, copy=False), _silu_grad, lambda: 1.0,
        aliases=("swish",),
    ),
    Activation(
        "softplus", "Softplus", "φ(z) = log(1 + e^(beta·z)) / beta",
        lambda z, beta: (_softplus(beta * z) / beta).astype(z.dtype, copy=False),
        lambda z, a, beta: _sigmoid(beta * z), lambda beta: 1.0, params=(_BETA,),
    ),
]

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in _ENTRIES}
ALIASES: dict[str, str] = {alias: a.name for a in _ENTRIES for alias in a.aliases}


def resolve_activation(name: str, path: str = "network.activation") -> Activation:
    """The activation called ``name`` (or one of its aliases), else ProjectError."""
    if isinstance(name, str):
        key = ALIASES.get(name.lower(), name.lower())
        if key in ACTIVATIONS:
            return ACTIVATIONS[key]
    raise ProjectError(f"{path} must be one of {', '.join(ACTIVATIONS)}, got {name!r}")


def gain(activation: str, **params) -> float:
    """Recommended weight gain for ``activation``, as ``torch.nn.init.calculate_gain``.

    linear/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)), selu 3/4;
    the other activations, which PyTorch has no gain for, take 1.
    """
    entry = resolve_activation(activation)
    return float(entry.gain(**entry.resolve(params, "gain")))


def apply(name: str, z: np.ndarray, params: dict) -> np.ndarray:
    entry = resolve_activation(name)
    return entry.forward(z, **entry.resolve(params))


def derivative(name: str, z: np.ndarray, a: np.ndarray, params: dict) -> np.ndarray:
    entry = resolve_activation(name)
    return entry.derivative(z, a, **entry.resolve(params))
