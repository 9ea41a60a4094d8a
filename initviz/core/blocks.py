"""Normalisation and residual skips: the pass of a network that has either.

Hidden layer l (1..L−1) of such a network computes
    z_l = a_{l−1} W_l + b_l,              the raw pre-activation
    ẑ_l = (z_l − mean) / √(var + ε),      BatchNorm: mean, var per unit over the batch
                                          (Ioffe & Szegedy 2015); LayerNorm: per example
                                          over the units (Ba et al. 2016)
    u_l = γ_l ⊙ ẑ_l + β_l,                what φ sees (γ = 1, β = 0 at init)
    a_l = a_{l−1} + α·φ(u_l)              where the layer has a skip (fan_in = fan_out;
                                          He et al. 2016), else a_l = φ(u_l).
The output layer stays linear, without normalisation or skip. A layer's
``preactivation`` is u (the histogram of what φ receives); ``raw_preactivation`` keeps z.

Backward, exactly: with g = dL/du, dL/dγ = Σ g·ẑ, dL/dβ = Σ g, and over the axis the
statistics were taken on (n values) dL/dz = (γg − mean(γg) − ẑ·mean(γg·ẑ)) / √(var + ε);
a skip adds dL/da_l to dL/da_{l−1}.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from initviz.core.activations import resolve_activation
from initviz.core.cancel import ShouldStop, check_stop
from initviz.core.losses import LOSSES

EPSILON = 1e-5
"""Added to the variance before the square root, as torch.nn.BatchNorm1d and LayerNorm do."""
NORMALIZATION_TITLES = {"none": "None", "batch": "BatchNorm", "layer": "LayerNorm"}


@dataclass(frozen=True)
class Architecture:
    """What a project adds to the plain network: its normalisation and which layers skip."""

    normalization: str
    skips: tuple[bool, ...]
    """Per layer 1..L: whether a_l = a_{l−1} + α·φ(u_l)."""
    branch_scale: float

    @property
    def plain(self) -> bool:
        """Neither: the network is the plain multilayer perceptron of core.network."""
        return self.normalization == "none" and not any(self.skips)

    @property
    def normalized(self) -> bool:
        return self.normalization != "none"


def skip_layers(widths: list[int], enabled: bool) -> list[bool]:
    """Per layer 1..L: a hidden layer whose fan_in equals its fan_out has a skip when
    ``enabled``; a layer that changes the width cannot add its input, nor the linear output."""
    depth = len(widths) - 1
    return [bool(enabled) and i < depth - 1 and widths[i] == widths[i + 1] for i in range(depth)]


def architecture(project) -> Architecture:
    residual = project.residual
    return Architecture(project.normalization,
                        tuple(skip_layers(project.widths, residual["enabled"])),
                        float(residual["branch_scale"]))


def initial_norm_params(widths: list[int], dtype=np.float32):
    """(γ, β) per hidden layer at init: ones and zeros."""
    hidden = widths[1:-1]
    return [np.ones(n, dtype) for n in hidden], [np.zeros(n, dtype) for n in hidden]


def _axis(kind: str) -> int:
    return 0 if kind == "batch" else 1


def normalize(z: np.ndarray, kind: str, stats=None):
    """(ẑ, mean, std): ``stats`` = (mean, std) given (BatchNorm at evaluation) or measured."""
    if stats is None:
        axis = _axis(kind)
        mean = z.mean(axis=axis, keepdims=True)
        std = np.sqrt(z.var(axis=axis, keepdims=True) + EPSILON)
    else:
        mean, std = stats
    return (z - mean) / std, mean, std


def normalize_backward(grad_zhat: np.ndarray, zhat: np.ndarray, std: np.ndarray,
                       kind: str) -> np.ndarray:
    """dL/dz from dL/dẑ through the statistics' own dependence on z."""
    axis = _axis(kind)
    centred = grad_zhat - grad_zhat.mean(axis=axis, keepdims=True)
    return (centred - zhat * (grad_zhat * zhat).mean(axis=axis, keepdims=True)) / std


@dataclass
class _Hidden:
    """What the backward pass needs of one hidden layer's forward pass."""

    zhat: np.ndarray | None
    std: np.ndarray | None
    mean: np.ndarray | None
    branch: np.ndarray
    """φ(u)."""


def run(project, weights, biases, inputs, labels, norm_params=None, *,
        should_stop: ShouldStop = None):
    """(loss, per-layer keyword dicts for core.network.Layer), forward and backward.

    ``norm_params`` = (γ list, β list) per hidden layer; None: the values at init.
    """
    arch = architecture(project)
    activation = resolve_activation(project.activation)
    params = activation.resolve(project.activation_params)
    dtype = np.result_type(inputs, *weights)
    at_init = norm_params is None  # γ = 1, β = 0: u is ẑ itself, no product to take
    if at_init:
        norm_params = initial_norm_params(project.widths, dtype)
    gammas, betas = norm_params
    last = len(weights) - 1
    acts, pres, raws, hidden = [], [], [], []
    a = inputs
    with np.errstate(all="ignore"):  # overflow is counted and shown, not warned
        for i, (w, b) in enumerate(zip(weights, biases)):
            check_stop(should_stop)
            z = a @ w
            if b.any():  # a zero bias (the default) would only cost a pass over z
                z += b
            raws.append(z)
            if i == last:
                pres.append(z)
                acts.append(z)
                break
            zhat = mean = std = None
            u = z
            if arch.normalized:
                zhat, mean, std = normalize(z, arch.normalization)
                u = zhat if at_init else zhat * gammas[i] + betas[i]
            branch = activation.forward(u, **params)
            a = a + arch.branch_scale * branch if arch.skips[i] else branch
            pres.append(u)
            acts.append(a)
            hidden.append(_Hidden(zhat, std, mean, branch))
        loss, grad_out = LOSSES[project.loss](acts[-1], labels)
        records = _backward(arch, activation, params, weights, biases, inputs, (gammas, betas),
                            raws, pres, acts, hidden, grad_out.astype(dtype, copy=False),
                            should_stop)
    return float(loss), records


def _backward(arch, activation, params, weights, biases, inputs, norm_params, raws, pres,
              acts, hidden, grad_out, should_stop):
    gammas, betas = norm_params
    last = len(weights) - 1
    records = [None] * len(weights)
    grad_a = grad_out  # dL/da_l, filled from the layer above
    for i in range(last, -1, -1):
        check_stop(should_stop)
        record = {"raw_preactivation": None, "grad_raw_preactivation": None,
                  "skip": arch.skips[i]}
        if i == last:
            grad_u = grad_z = grad_out
        else:
            layer = hidden[i]
            grad_branch = arch.branch_scale * grad_a if arch.skips[i] else grad_a
            grad_u = grad_branch * activation.derivative(pres[i], layer.branch, **params)
            grad_z = grad_u
            if arch.normalized:
                grad_z = normalize_backward(grad_u * gammas[i], layer.zhat, layer.std,
                                            arch.normalization)
                record.update(
                    raw_preactivation=raws[i], grad_raw_preactivation=grad_z,
                    gamma=gammas[i], beta=betas[i], grad_gamma=(grad_u * layer.zhat).sum(axis=0),
                    grad_beta=grad_u.sum(axis=0))
                if arch.normalization == "batch":
                    record.update(norm_mean=layer.mean[0], norm_std=layer.std[0])
        a_prev = inputs if i == 0 else acts[i - 1]
        record.update(
            index=i + 1, weight=weights[i], bias=biases[i], preactivation=pres[i],
            activation=acts[i], grad_activation=grad_a, grad_preactivation=grad_u,
            grad_weight=a_prev.T @ grad_z, grad_bias=grad_z.sum(axis=0))
        records[i] = record
        if i:
            below = grad_z @ weights[i].T
            if arch.skips[i]:  # a_i = a_{i−1} + α·φ(u_i): dL/da_i reaches a_{i−1} directly
                below += grad_a
            grad_a = below
    return records


def forward_output(project, weights, biases, inputs, norm_params, batch_stats=None):
    """z_L for ``inputs`` (forward only). BatchNorm uses ``batch_stats`` = [(mean, std)] per
    hidden layer, the statistics of the batch shown (a Trainer's current minibatch), so a
    point's output does not depend on which other points are evaluated with it."""
    arch = architecture(project)
    activation = resolve_activation(project.activation)
    params = activation.resolve(project.activation_params)
    gammas, betas = norm_params or initial_norm_params(project.widths, inputs.dtype)
    last = len(weights) - 1
    a = inputs
    with np.errstate(all="ignore"):
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w + b
            if i == last:
                return z
            u = z
            if arch.normalized:
                stats = batch_stats[i] if arch.normalization == "batch" and batch_stats else None
                u = normalize(z, arch.normalization, stats)[0] * gammas[i] + betas[i]
            branch = activation.forward(u, **params)
            a = a + arch.branch_scale * branch if arch.skips[i] else branch
    return a
