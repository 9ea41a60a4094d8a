"""What the variance-propagation theory predicts, layer by layer.

Forward (Glorot & Bengio 2010; He et al. 2015; Poole et al. 2016):
    q_l = fan_in_l · E[W_l²] · E[a_{l-1}²] + E[b_l²],  E[a_l²] = E_{z~N(0,q_l)}[φ(z)²].
Backward:
    r_l = E_{z~N(0,q_l)}[φ'(z)²] · fan_out_{l+1}·E[W_{l+1}²] · r_{l+1},
started at the measured variance of dL/dz_L. Gaussian expectations use the rule
of initviz.core.gaussian, fine where activations bend and where the Gaussian's mass
lies. The theory assumes zero-mean, independent weights.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initviz.core import gaussian
from initviz.core.activations import Activation


def moments(activation: Activation, params: dict, variance: float) -> tuple[float, float]:
    """(E[φ(z)²], E[φ'(z)²]) for z ~ N(0, variance): by the unit's own formula where it has
    one (``Activation.gaussian_moments``), else on one rule and one evaluation of φ."""
    if not math.isfinite(variance):
        return math.inf, math.inf
    if variance > 0 and activation.gaussian_moments is not None:
        return activation.gaussian_moments(variance, **params)
    with np.errstate(all="ignore"):
        z, weights = gaussian.rule(max(variance, 0.0))
        value = activation.forward(z, **params)
        slope = activation.derivative(z, value, **params)
        return float(np.dot(value * value, weights)), float(np.dot(slope * slope, weights))


def second_moment(activation: Activation, params: dict, variance: float) -> float:
    """E[φ(z)²] for z ~ N(0, variance)."""
    return moments(activation, params, variance)[0]


def slope_moment(activation: Activation, params: dict, variance: float) -> float:
    """E[φ'(z)²] for z ~ N(0, variance)."""
    return moments(activation, params, variance)[1]


@dataclass(frozen=True)
class Prediction:
    preactivation_var: list[float]
    """q_l, the predicted Var(z_l) for l = 1..L."""
    grad_preactivation_var: list[float]
    """r_l, the predicted Var(dL/dz_l) for l = 1..L, anchored at the measured r_L."""


def not_applicable(depth: int) -> Prediction:
    """No prediction (NaN): non-zero-mean weights correlate every unit, beyond this theory."""
    return Prediction([math.nan] * depth, [math.nan] * depth)


def predict(
    widths: list[int],
    weight_second_moments: list[float],
    bias_second_moments: list[float],
    activation: Activation,
    params: dict,
    input_second_moment: float,
    output_grad_var: float,
) -> Prediction:
    depth = len(widths) - 1
    pre, slopes = [], []
    a_sq = input_second_moment
    for layer in range(depth):
        q = widths[layer] * weight_second_moments[layer] * a_sq + bias_second_moments[layer]
        pre.append(q)
        if layer < depth - 1:  # the output layer is linear
            a_sq, slope_sq = moments(activation, params, q)
            slopes.append(slope_sq)
    grad = [0.0] * depth
    grad[-1] = output_grad_var
    for layer in range(depth - 2, -1, -1):
        fan_out_next = widths[layer + 2]
        grad[layer] = slopes[layer] * fan_out_next * (
            weight_second_moments[layer + 1] * grad[layer + 1]
        )
    return Prediction(pre, grad)


def chi1(activation: Activation, params: dict, weight_var: float, q: float) -> float:
    """χ₁ = σ_w²·E[φ'(z)²] (Poole et al. 2016): > 1 chaotic, < 1 ordered."""
    return weight_var * slope_moment(activation, params, q)
