"""One forward and backward pass of a multilayer perceptron at initialisation.

Layer l (1..L) maps a_{l-1} (B, fan_in) to z_l = a_{l-1} @ W_l + b_l and
a_l = φ(z_l); the output layer L is linear. Backprop: dL/dz_l = dL/da_l · φ'(z_l),
dL/dW_l = a_{l-1}ᵀ · dL/dz_l, dL/da_{l-1} = dL/dz_l · W_lᵀ.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from initviz.core import draws, schemes
from initviz.core.activations import Activation, resolve_activation
from initviz.core.data import make_batch
from initviz.core.losses import LOSSES
from initviz.core.memory import check_fits


@dataclass
class Layer:
    """Everything about layer ``index`` (1-based) after one forward and backward pass."""

    index: int
    weight: np.ndarray
    bias: np.ndarray
    preactivation: np.ndarray
    activation: np.ndarray
    grad_activation: np.ndarray
    grad_preactivation: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray

    @property
    def fan_in(self) -> int:
        return self.weight.shape[0]

    @property
    def fan_out(self) -> int:
        return self.weight.shape[1]


@dataclass
class Simulation:
    """What ``simulate`` returns: the batch, the loss and every layer (layers[0] is layer 1)."""

    project: object
    inputs: np.ndarray
    labels: np.ndarray
    loss: float
    layers: list[Layer] = field(default_factory=list)

    def stats(self, bins: int = 40) -> dict:
        """Per-layer statistics: the records of ``initviz stats --json``."""
        from initviz.core.stats import simulation_stats

        return simulation_stats(self, bins=bins)


def layer_contexts(project) -> list[schemes.LayerContext]:
    activation = resolve_activation(project.activation)
    widths = project.widths
    return [
        schemes.LayerContext(widths[i], widths[i + 1], activation, project.activation_params)
        for i in range(len(widths) - 1)
    ]


PARALLEL_SAMPLING_VALUES = 1 << 18
"""Networks with more weights than this draw their layers on several threads: each layer has
its own stream (draws.layer_rng), so the numbers are the same, and NumPy's samplers release
the GIL. Drawing normals costs ~9 ns a value: at the default lesson (10 x 256 x 256) 6 ms of
a new seed's update, and 0.4x the matrix products at 50 x 1024 x 1024."""
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _sampling_workers() -> int:
    return min(os.cpu_count() or 1, 4)


def _pool() -> ThreadPoolExecutor:
    """Threads kept for sampling: starting a pool per call costs more than a small draw."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(_sampling_workers(), thread_name_prefix="initviz-draw")
        return _POOL


def _balanced_groups(items: list, sizes: list[int], groups: int) -> list[list]:
    """``items`` in at most ``groups`` runs of consecutive items with similar total size."""
    target = sum(sizes) / groups
    runs, current, filled = [], [], 0.0
    for item, size in zip(items, sizes):
        current.append(item)
        filled += size
        if filled >= target * (len(runs) + 1) and len(runs) < groups - 1:
            runs.append(current)
            current = []
    if current or not runs:
        runs.append(current)
    return runs


def _map_in_parallel(function, items: list, sizes: list[int]) -> list:
    """``[function(i) for i in items]``, in groups on the pool's threads and this one."""
    workers = _sampling_workers()
    if sum(sizes) <= PARALLEL_SAMPLING_VALUES or workers < 2 or len(items) < 2:
        return [function(item) for item in items]
    groups = _balanced_groups(items, sizes, workers)
    futures = [_pool().submit(lambda group=g: [function(i) for i in group]) for g in groups[1:]]
    results = [function(item) for item in groups[0]]  # this thread draws too
    for future in futures:
        results += future.result()
    return results


def init_parameters(project, inputs: np.ndarray, dtype=np.float32, cache=draws.SHARED):
    """Sample every layer's (W, b); LSUV also rescales on ``inputs`` (Mishkin & Matas 2015).

    Layer l draws from its own streams (draws.layer_rng), so its weights do not depend
    on the other layers' shapes; ``cache`` keeps the unit draws between calls.
    """
    scheme = schemes.resolve_scheme(project.scheme)
    bias_scheme = schemes.resolve_scheme(project.bias_scheme)
    params = scheme.resolve(project.scheme_params)
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")

    def draw_layer(item):
        layer, ctx = item
        weight_source = draws.unit_source(project.seed, layer, draws.WEIGHT, cache)
        bias_source = draws.unit_source(project.seed, layer, draws.BIAS, cache)
        weight = schemes.sample(scheme, params, ctx, dtype=dtype, unit_source=weight_source)
        bias = schemes.sample(
            bias_scheme, bias_params, ctx, dtype=dtype, bias=True, unit_source=bias_source
        )
        return weight, bias

    layers = list(enumerate(layer_contexts(project), start=1))
    pairs = _map_in_parallel(draw_layer, layers, [ctx.fan_in * ctx.fan_out for _, ctx in layers])
    weights = [w for w, _ in pairs]
    biases = [b for _, b in pairs]
    if scheme.data_dependent:
        _lsuv_rescale(project, weights, biases, inputs, params)
    return weights, biases


def _lsuv_rescale(project, weights, biases, inputs, params) -> None:
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    a = inputs
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        for _ in range(int(params["max_iter"])):
            var = float(np.var(a @ w + b))
            if not np.isfinite(var) or var <= 0 or abs(var - 1.0) < params["tol"]:
                break
            w *= 1.0 / np.sqrt(var)
        z = a @ w + b
        a = z if i == last else activation.forward(z, **act_params)


def forward(weights, biases, inputs, activation: Activation, act_params: dict):
    """Pre-activations and activations of every layer; the last layer is linear."""
    zs, acts = [], []
    a = inputs
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w
        if b.any():  # a zero bias (the default) would only cost a pass over z
            z += b
        a = z if i == last else activation.forward(z, **act_params)
        zs.append(z)
        acts.append(a)
    return zs, acts


def backward(weights, inputs, zs, acts, grad_output, activation: Activation, act_params: dict):
    """Gradients (dL/da, dL/dz, dL/dW, dL/db) of every layer, from dL/dz_L."""
    depth = len(weights)
    grads = [None] * depth
    grad_z = grad_output
    grad_a = grad_output
    for i in range(depth - 1, -1, -1):
        if i != depth - 1:
            slope = activation.derivative(zs[i], acts[i], **act_params)
            grad_z = _chain(grad_a, slope, zs[i], acts[i])
        a_prev = inputs if i == 0 else acts[i - 1]
        grad_w = a_prev.T @ grad_z
        grad_b = grad_z.sum(axis=0)
        grads[i] = (grad_a, grad_z, grad_w, grad_b)
        if i:
            grad_a = grad_z @ weights[i].T
    return grads


def _chain(grad_a: np.ndarray, slope: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dL/dz = dL/da · φ'(z), written into ``slope`` when that is a fresh array of its own.

    Same numbers as ``grad_a * slope``; reusing the derivative's buffer saves a (B, n)
    allocation per layer. A derivative that returns z, a or a view is left untouched.
    """
    reusable = (
        slope is not z and slope is not a and isinstance(slope, np.ndarray)
        and slope.flags.owndata and slope.flags.writeable
        and slope.shape == grad_a.shape and slope.dtype == grad_a.dtype
    )
    if not reusable:
        return grad_a * slope
    return np.multiply(slope, grad_a, out=slope)


def run(project, weights, biases, inputs, labels) -> tuple[float, list[Layer]]:
    """Forward, loss and backward for given parameters: shared by simulate and the Trainer."""
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    with np.errstate(all="ignore"):  # overflow is counted and shown per layer, not warned about
        zs, acts = forward(weights, biases, inputs, activation, act_params)
        loss, grad_output = LOSSES[project.loss](zs[-1], labels)
        grads = backward(weights, inputs, zs, acts, grad_output, activation, act_params)
    layers = [
        Layer(i + 1, weights[i], biases[i], zs[i], acts[i], *grads[i]) for i in range(len(weights))
    ]
    return loss, layers


def simulate(project, dtype=np.float32, cache=draws.SHARED) -> Simulation:
    """Initialise ``project``'s network and run one forward and backward pass on its batch.

    Deterministic: the same project and seed give the same numbers. Raises ProjectError,
    before allocating anything, when the arrays would not fit in memory (core.memory).
    """
    snapshot = project.copy()
    check_fits(snapshot)
    widths = snapshot.widths
    batch = (snapshot.source, snapshot.batch_size, widths[0], widths[-1], snapshot.seed, dtype)
    if cache is None:
        inputs, labels = make_batch(*batch)
    else:  # read-only: nothing downstream writes into the inputs
        key = ("batch", *batch[:-1], np.dtype(dtype).str)
        inputs, labels = cache.get(key, lambda: make_batch(*batch))
    with np.errstate(all="ignore"):
        weights, biases = init_parameters(snapshot, inputs, dtype, cache)
    loss, layers = run(snapshot, weights, biases, inputs, labels)
    return Simulation(snapshot, inputs, labels, loss, layers)
