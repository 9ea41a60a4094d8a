"""Which layers' gradients are float32 rounding of an exact zero, not a measurement.

When the output layer's weight columns are all the same (constant init), every hidden
unit receives dL/da = Σⱼ dL/dzⱼ·w, and for softmax cross-entropy Σⱼ dL/dzⱼ = Σⱼ(softmaxⱼ −
yⱼ)/B = 0: the hidden gradients are exactly zero in exact arithmetic. float32 leaves a
residue of ~1e-11 whose histogram looks like a measured distribution. This module says
when to call it what it is.

The rule, for the back-propagated product dL/da_l = dL/dz_{l+1}·W_{l+1}ᵀ (a dot product of
length n = fan_out of layer l+1): float32 computes a dot product to within n·eps·Σ|terms|
(Higham, *Accuracy and Stability of Numerical Algorithms*, 2002, §3.1), and here
Σ|terms| = Σⱼ|dL/dz_{b,j}|·|W_{i,j}| ≤ ‖dL/dz_b‖₁·max|W|. When every |dL/da_l| is within
that floor, n·eps·max_b‖dL/dz_b‖₁·max|W|, and some are not zero, the product's value is
indistinguishable from the rounding of a zero: it is residue. Every gradient of layer l
and of the layers below is then residue too, because back-propagation only multiplies it
(dL/dz = dL/da·φ'(z), dL/dW = a_prevᵀ·dL/dz, dL/db = Σ_b dL/dz, dL/da_{l−1} = dL/dz·Wᵀ).
A gradient that is exactly zero in float32 as well is not residue: it is just zero.
"""
from __future__ import annotations

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)
GRADIENTS = ("grad_activation", "grad_preactivation", "grad_weight", "grad_bias")
"""The per-layer arrays that are residue together."""


def rounding_floor(grad_next: np.ndarray, weight_next: np.ndarray) -> float:
    """n·eps·max_b‖dL/dz_b‖₁·max|W|: the rounding bound of dL/dz·Wᵀ (n = W's fan_out)."""
    n = weight_next.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        row_sums = np.abs(grad_next).sum(axis=1, dtype=np.float64)
        return n * FLOAT32_EPS * float(row_sums.max()) * float(np.abs(weight_next).max())


def residue_layers(layers, largest=None) -> list[bool]:
    """Per layer (1..L), whether its gradients are rounding residue of an exact zero.

    ``largest(array)`` gives max |array| (default: computed); ``stats`` passes the extremes
    its summaries already have, so a healthy network costs no extra pass: the floor is
    computed only where max|dL/da| is under its cheap upper bound n²·eps·max|dL/dz|·max|W|.
    """
    largest = largest or _largest
    flags = [False] * len(layers)
    below = False  # a layer above is residue: this one is too (back-propagation is linear)
    for i in range(len(layers) - 2, -1, -1):
        layer, above = layers[i], layers[i + 1]
        size = largest(layer.grad_activation)
        if not (size > 0 and np.isfinite(size)):  # exactly zero, or diverged: not residue
            continue
        if not below:
            n = above.weight.shape[1]
            bound = n * n * FLOAT32_EPS * largest(above.grad_preactivation) * largest(above.weight)
            below = size <= bound and size <= rounding_floor(above.grad_preactivation, above.weight)
        flags[i] = below
    return flags


def _largest(values: np.ndarray) -> float:
    return float(np.abs(values).max()) if values.size else 0.0
