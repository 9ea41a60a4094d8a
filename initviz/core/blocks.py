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
from initviz.core.losses import LOSSES_INTO

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


def run(project, weights, biases, inputs, labels, norm_params=None, *,
        should_stop: ShouldStop = None):
    """(loss, per-layer keyword dicts for core.network.Layer), forward and backward.

    ``norm_params`` = (γ list, β list) per hidden layer; None: the values at init.
    """
    state = _BlockPass(project, weights, biases, inputs, norm_params, should_stop)
    with np.errstate(all="ignore"):  # overflow is counted and shown, not warned
        state.forward()
        batch = inputs.shape[0]
        loss_sum = LOSSES_INTO[project.loss](state.raws[-1], labels, state.grad_us[-1], batch)
        state.backward()
    return float(loss_sum) / batch, state.records()


def _first(*arrays):
    """The first of ``arrays`` that is not None."""
    return next(a for a in arrays if a is not None)


class _BlockPass:
    """The arrays of one pass, allocated once: every step writes into its place (``out=``)
    and the batch sums are BLAS products with a vector of ones, as in core.network._Pass.
    Per hidden layer: z, ẑ (normalised), u (γ, β away from init; at init u is ẑ itself),
    φ(u) (skip: apart from a), dL/da, dL/du, dL/dz (normalised; else dL/du itself)."""

    def __init__(self, project, weights, biases, inputs, norm_params, should_stop):
        self.arch = arch = architecture(project)
        self.activation = resolve_activation(project.activation)
        self.params = self.activation.resolve(project.activation_params)
        self.weights, self.biases, self.inputs = weights, biases, inputs
        self.should_stop = should_stop
        dtype = np.result_type(inputs, *weights)
        self.at_init = norm_params is None  # γ = 1, β = 0: u is ẑ itself, no product to take
        self.gammas, self.betas = norm_params or initial_norm_params(project.widths, dtype)
        batch, last = inputs.shape[0], len(weights) - 1
        self.ones_batch = np.ones(batch, dtype)

        def per_layer(wanted):
            return [np.empty((batch, w.shape[1]), dtype) if wanted(i) else None
                    for i, w in enumerate(weights)]

        hidden = [i != last for i in range(last + 1)]
        normalized = [h and arch.normalized for h in hidden]
        self.raws = per_layer(lambda i: True)
        self.zhats = per_layer(lambda i: normalized[i])
        moved = per_layer(lambda i: normalized[i] and not self.at_init)  # u = γ⊙ẑ + β
        self.pres = [_first(u, zhat, z) for u, zhat, z in zip(moved, self.zhats, self.raws)]
        self.branches = per_layer(lambda i: hidden[i])
        self.acts = [np.empty_like(b) if arch.skips[i] else b for i, b in enumerate(self.branches)]
        self.grad_us = per_layer(lambda i: True)
        self.grad_as = per_layer(lambda i: hidden[i])
        self.acts[last], self.grad_as[last] = self.raws[last], self.grad_us[last]  # linear
        self.grad_zs = [_first(g, u) for g, u in zip(per_layer(lambda i: normalized[i]),
                                                     self.grad_us)]
        widest = max((w.shape[1] for w in weights[:-1]), default=0)
        self.scratch = np.empty(batch * widest, dtype) if arch.normalized else None
        self.means, self.stds, self.inv_stds = [None] * last, [None] * last, [None] * last
        self.grad_ws = [np.empty(w.shape, dtype) for w in weights]
        self.grad_bs = [np.empty(w.shape[1], dtype) for w in weights]
        self.grad_gammas, self.grad_betas = [None] * last, [None] * last

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        return self.scratch[:like.size].reshape(like.shape)

    def forward(self) -> None:
        arch, last = self.arch, len(self.weights) - 1
        a = self.inputs
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            check_stop(self.should_stop)
            z = np.matmul(a, w, out=self.raws[i])
            if b.any():  # a zero bias (the default) would only cost a pass over z
                z += b
            if i == last:
                break
            if arch.normalized:
                self._normalize(i, z)
                if not self.at_init:
                    np.multiply(self.zhats[i], self.gammas[i], out=self.pres[i])
                    self.pres[i] += self.betas[i]
            branch = self.activation.forward_into(self.pres[i], self.branches[i], self.params)
            if arch.skips[i]:  # a_l = a_{l−1} + α·φ(u_l)
                np.multiply(branch, arch.branch_scale, out=self.acts[i])
                self.acts[i] += a
            a = self.acts[i]

    def _normalize(self, i: int, z: np.ndarray) -> None:
        """ẑ into its place; the statistics' mean, √(var + ε) and its inverse."""
        zhat = self.zhats[i]
        count = z.shape[_axis(self.arch.normalization)]
        mean = self._batch_sum(z)
        mean /= count
        np.subtract(z, self._across(mean), out=zhat)
        squares = np.multiply(zhat, zhat, out=self._scratch(zhat))
        variance = self._batch_sum(squares)
        variance /= count
        std = np.sqrt(variance + EPSILON)
        inv_std = 1 / std
        zhat *= self._across(inv_std)
        self.means[i], self.stds[i], self.inv_stds[i] = mean, std, inv_std

    def _batch_sum(self, values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Σ over the axis the statistics are taken on (BLAS: a product with ones, or with
        ``weights`` per unit for LayerNorm)."""
        if self.arch.normalization == "batch":
            return self.ones_batch @ values
        if weights is None:
            weights = np.ones(values.shape[1], values.dtype)
        return values @ weights

    def _across(self, per_stat: np.ndarray) -> np.ndarray:
        """A statistic shaped to broadcast over (B, n): per unit (BatchNorm) or per row."""
        return per_stat if self.arch.normalization == "batch" else per_stat[:, None]

    def backward(self) -> None:
        arch, last = self.arch, len(self.weights) - 1
        for i in range(last, -1, -1):
            check_stop(self.should_stop)
            grad_a = self.grad_as[i]
            if i != last:
                grad_u = self.activation.chain_into(grad_a, self.pres[i], self.branches[i],
                                                    self.grad_us[i], self.params)
                if arch.skips[i]:
                    grad_u *= arch.branch_scale
                if arch.normalized:
                    self._normalize_backward(i, grad_u)
            grad_z = self.grad_zs[i]
            a_prev = self.inputs if i == 0 else self.acts[i - 1]
            np.matmul(a_prev.T, grad_z, out=self.grad_ws[i])
            np.matmul(self.ones_batch, grad_z, out=self.grad_bs[i])
            if i:
                below = np.matmul(grad_z, self.weights[i].T, out=self.grad_as[i - 1])
                if arch.skips[i]:  # a_i = a_{i−1} + α·φ(u_i): dL/da_i reaches a_{i−1} directly
                    below += grad_a

    def _normalize_backward(self, i: int, grad_u: np.ndarray) -> None:
        """dL/dz = (γg − mean(γg) − ẑ·mean(γg·ẑ)) / √(var + ε), g = dL/du, the means over the
        statistics' axis; dL/dγ = Σ g·ẑ and dL/dβ = Σ g over the batch."""
        zhat, gamma, grad_z = self.zhats[i], self.gammas[i], self.grad_zs[i]
        batch_norm = self.arch.normalization == "batch"
        count = zhat.shape[_axis(self.arch.normalization)]
        product = np.multiply(grad_u, zhat, out=self._scratch(zhat))
        self.grad_gammas[i] = self.ones_batch @ product
        self.grad_betas[i] = self.ones_batch @ grad_u
        if batch_norm:  # γ is per unit, the sums' axis: mean(γg) = γ·Σg / B
            mean_grad = self.grad_betas[i] if self.at_init else self.grad_betas[i] * gamma
            mean_product = self.grad_gammas[i] if self.at_init else self.grad_gammas[i] * gamma
        else:
            mean_grad = self._batch_sum(grad_u, gamma)
            mean_product = self._batch_sum(product, gamma)
        mean_grad, mean_product = mean_grad / count, mean_product / count
        scaled = grad_u if self.at_init else np.multiply(grad_u, gamma,
                                                         out=self._scratch(zhat))
        np.subtract(scaled, self._across(mean_grad), out=grad_z)
        grad_z -= np.multiply(zhat, self._across(mean_product), out=self._scratch(zhat))
        grad_z *= self._across(self.inv_stds[i])

    def records(self) -> list[dict]:
        arch, last = self.arch, len(self.weights) - 1
        records = []
        for i in range(last + 1):
            record = {"raw_preactivation": None, "grad_raw_preactivation": None,
                      "skip": arch.skips[i], "branch": self.branches[i] if arch.skips[i] else None}
            if arch.normalized and i != last:
                record.update(
                    raw_preactivation=self.raws[i], grad_raw_preactivation=self.grad_zs[i],
                    gamma=self.gammas[i], beta=self.betas[i], grad_gamma=self.grad_gammas[i],
                    grad_beta=self.grad_betas[i])
                if arch.normalization == "batch":
                    record.update(norm_mean=self.means[i], norm_std=self.stds[i])
            record.update(
                index=i + 1, weight=self.weights[i], bias=self.biases[i],
                preactivation=self.pres[i], activation=self.acts[i],
                grad_activation=self.grad_as[i], grad_preactivation=self.grad_us[i],
                grad_weight=self.grad_ws[i], grad_bias=self.grad_bs[i])
            records.append(record)
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
