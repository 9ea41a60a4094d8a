"""What the variance-propagation theory predicts, layer by layer.

Forward (Glorot & Bengio 2010; He et al. 2015; Poole et al. 2016): with zero-mean,
independent weights, z_l is Gaussian over the weight draws with mean μ_l = E[b_l] and
    v_l = Var(z_l) = fan_in_l · E[W_l²] · E[a_{l-1}²] + Var(b_l),
    E[a_l²] = E_{z~N(μ_l, v_l)}[φ(z)²],   q_l = E[z_l²] = v_l + μ_l².
Backward, on second moments (E[δ_l²], δ = ∂L/∂z; the sum over fan_out_{l+1} products
δ_{l+1}·W has zero mean, so E[δ_l] = 0 below the output):
    r_l = E_{z~N(μ_l, v_l)}[φ'(z)²] · fan_out_{l+1}·E[W_{l+1}²] · r_{l+1},
started at the measured E[δ_L²]. A measured std is centred, so it is compared with √v_l
(and √r_l below the output, the measured std at it): with a bias of non-zero mean
√q_l overstates it. Gaussian expectations use the rule of initviz.core.gaussian, fine
where activations bend and where the Gaussian's mass lies. The theory is an average over
weight draws: it holds at large width.

Residual skips a_l = a_{l−1} + α·φ(z_l) (Yang & Schoenholz 2017, "Mean Field Residual
Networks", their reduced residual network): at large width z_l is independent of any one
unit of a_{l−1}, so with m_l = E[a_l]
    E[a_l²] = E[a_{l−1}²] + 2α·m_{l−1}·E[φ(z_l)] + α²·E[φ(z_l)²],   m_l = m_{l−1} + α·E[φ(z_l)],
and q_l = q_{l−1} + α²·σ_w²·E[φ(z)²] where φ is odd (tanh): the variance grows with depth
instead of settling at a fixed point. Backward, with g_l = E[(∂L/∂a_l)²]:
    r_l = α²·E[φ'²]·g_l,   g_{l−1} = g_l + fan_out_l·E[W_l²]·r_l.
Normalisation (BatchNorm, LayerNorm): φ sees u = ẑ of variance v/(v + ε) whatever the
init, which the forward recursion uses; the backward pass through the batch statistics
has no closed form here (Yang et al. 2019 derive its gradient explosion for BatchNorm at
init): its dL/dz is measured only (NaN in the prediction).
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


def shifted_moments(
    activation: Activation, params: dict, mean: float, variance: float
) -> tuple[float, float]:
    """(E[φ(z)²], E[φ'(z)²]) for z ~ N(mean, variance): a bias of non-zero mean shifts z."""
    if mean == 0 or not (math.isfinite(variance) and math.isfinite(mean)):
        return moments(activation, params, variance)
    with np.errstate(all="ignore"):
        z, weights = gaussian.rule(max(variance, 0.0), mean)
        value = activation.forward(z, **params)
        slope = activation.derivative(z, value, **params)
        return float(np.dot(value * value, weights)), float(np.dot(slope * slope, weights))


def first_moment(activation: Activation, params: dict, mean: float, variance: float) -> float:
    """E[φ(z)] for z ~ N(mean, variance): what a skip adds to the mean of a_l."""
    if not (math.isfinite(variance) and math.isfinite(mean)):
        return math.nan
    with np.errstate(all="ignore"):
        z, weights = gaussian.rule(max(variance, 0.0), mean)
        return float(np.dot(activation.forward(z, **params), weights))


def branch_moments(activation: Activation, params: dict, mean: float,
                   variance: float) -> tuple[float, float, float]:
    """(E[φ(z)²], E[φ'(z)²], E[φ(z)]) for z ~ N(mean, variance): ``shifted_moments`` and
    ``first_moment`` together, on one rule and one evaluation of φ where both would
    integrate (what a layer of core.blocks needs; the same numbers as the two)."""
    closed = mean == 0 and variance > 0 and activation.gaussian_moments is not None
    if closed or not (math.isfinite(variance) and math.isfinite(mean)):
        return (*shifted_moments(activation, params, mean, variance),
                first_moment(activation, params, mean, variance))
    with np.errstate(all="ignore"):
        z, weights = gaussian.rule(max(variance, 0.0), mean)
        value = activation.forward(z, **params)
        slope = activation.derivative(z, value, **params)
        return (float(np.dot(value * value, weights)), float(np.dot(slope * slope, weights)),
                float(np.dot(value, weights)))


def second_moment(activation: Activation, params: dict, variance: float) -> float:
    """E[φ(z)²] for z ~ N(0, variance)."""
    return moments(activation, params, variance)[0]


def slope_moment(activation: Activation, params: dict, variance: float) -> float:
    """E[φ'(z)²] for z ~ N(0, variance)."""
    return moments(activation, params, variance)[1]


@dataclass(frozen=True)
class Prediction:
    preactivation_var: list[float]
    """q_l = E[z_l²] for l = 1..L, the mean-field length (Poole et al. 2016); the variance
    only when the bias has mean 0."""
    grad_preactivation_var: list[float]
    """r_l = E[(∂L/∂z_l)²] for l = 1..L, anchored at the measured E[(∂L/∂z_L)²]."""
    preactivation_mean: list[float]
    """μ_l = E[z_l] = E[b_l]: zero-mean weights add nothing to it."""
    preactivation_centred_var: list[float]
    """v_l = q_l − μ_l² = Var(z_l): what a measured std of z is compared with."""
    grad_preactivation_centred_var: list[float]
    """Var(∂L/∂z_l): r_l below the output (mean 0 there), the measured variance at it."""


def not_applicable(depth: int) -> Prediction:
    """No prediction (NaN): non-zero-mean weights correlate every unit, beyond this theory."""
    return Prediction(*([math.nan] * depth for _ in range(5)))


def predict(
    widths: list[int],
    weight_second_moments: list[float],
    bias_second_moments: list[float],
    activation: Activation,
    params: dict,
    input_second_moment: float,
    output_grad_second_moment: float,
    bias_means: list[float] | None = None,
    output_grad_mean: float = 0.0,
    blocks: Blocks | None = None,
) -> Prediction:
    """The recursions above; ``bias_means`` None: every bias has mean 0; ``blocks`` None:
    a plain network."""
    if blocks is not None and (blocks.normalized or any(blocks.skips)):
        return _predict_blocks(widths, weight_second_moments, bias_second_moments,
                               activation, params, input_second_moment,
                               output_grad_second_moment, bias_means, output_grad_mean, blocks)
    depth = len(widths) - 1
    means = list(bias_means) if bias_means is not None else [0.0] * depth
    pre, centred, slopes = [], [], []
    a_sq = input_second_moment
    for layer in range(depth):
        mean = means[layer]
        spread = bias_second_moments[layer] - mean * mean  # Var(b_l)
        v = widths[layer] * weight_second_moments[layer] * a_sq + max(spread, 0.0)
        centred.append(v)
        pre.append(v + mean * mean)
        if layer < depth - 1:  # the output layer is linear
            a_sq, slope_sq = shifted_moments(activation, params, mean, v)
            slopes.append(slope_sq)
    grad = [0.0] * depth
    grad[-1] = output_grad_second_moment
    for layer in range(depth - 2, -1, -1):
        fan_out_next = widths[layer + 2]
        grad[layer] = slopes[layer] * fan_out_next * (
            weight_second_moments[layer + 1] * grad[layer + 1]
        )
    grad_centred = grad[:-1] + [output_grad_second_moment - output_grad_mean**2]
    return Prediction(pre, grad, means, centred, grad_centred)


@dataclass(frozen=True)
class Blocks:
    """What the theory needs of core.blocks.Architecture, and the inputs' mean."""

    normalized: bool
    skips: tuple[bool, ...]
    branch_scale: float
    input_mean: float = 0.0
    epsilon: float = 1e-5


def _predict_blocks(widths, w2, b2, activation, params, input_sq, output_grad_sq, bias_means,
                    output_grad_mean, blocks: Blocks) -> Prediction:
    """The recursions of the module docstring for skips and normalisation."""
    depth = len(widths) - 1
    means = list(bias_means) if bias_means is not None else [0.0] * depth
    alpha = blocks.branch_scale
    pre, centred, shown_means, slopes = [], [], [], []
    a_sq, a_mean = input_sq, blocks.input_mean
    for layer in range(depth):
        mean = means[layer]
        v = widths[layer] * w2[layer] * a_sq + max(b2[layer] - mean * mean, 0.0)
        hidden = layer < depth - 1
        if hidden and blocks.normalized:  # u = ẑ: mean 0, variance v/(v + ε)
            mean, v = 0.0, v / (v + blocks.epsilon) if math.isfinite(v) else 1.0
        centred.append(v)
        pre.append(v + mean * mean)
        shown_means.append(mean)
        if not hidden:
            break
        phi_sq, slope_sq, phi_mean = branch_moments(activation, params, mean, v)
        slopes.append(slope_sq)
        if blocks.skips[layer]:
            a_sq = a_sq + 2 * alpha * a_mean * phi_mean + alpha * alpha * phi_sq
            a_mean = a_mean + alpha * phi_mean
        else:
            a_sq, a_mean = phi_sq, phi_mean
    grad = [math.nan] * depth
    grad[-1] = output_grad_sq
    if not blocks.normalized:
        grad_a = 0.0  # E[(∂L/∂a_l)²], from the layer above
        for layer in range(depth - 2, -1, -1):
            above = layer + 1
            through = widths[above + 1] * w2[above] * grad[above]
            grad_a = (grad_a if blocks.skips[above] else 0.0) + through
            scale = alpha * alpha if blocks.skips[layer] else 1.0
            grad[layer] = scale * slopes[layer] * grad_a
    grad_centred = grad[:-1] + [output_grad_sq - output_grad_mean**2]
    return Prediction(pre, grad, shown_means, centred, grad_centred)


def chi1(activation: Activation, params: dict, weight_var: float, q: float) -> float:
    """χ₁ = σ_w²·E[φ'(z)²] (Poole et al. 2016): > 1 chaotic, < 1 ordered."""
    return weight_var * slope_moment(activation, params, q)
