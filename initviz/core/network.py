"""One forward and backward pass of a multilayer perceptron at initialisation.

Layer l (1..L) maps a_{l-1} (B, fan_in) to z_l = a_{l-1} @ W_l + b_l and
a_l = φ(z_l); the output layer L is linear. Backprop: dL/dz_l = dL/da_l · φ'(z_l),
dL/dW_l = a_{l-1}ᵀ · dL/dz_l, dL/da_{l-1} = dL/dz_l · W_lᵀ.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from initviz.core import blocks, draws, schemes, threads
from initviz.core.activations import Activation, resolve_activation
from initviz.core.cancel import ShouldStop, check_stop
from initviz.core.data import make_batch
from initviz.core.losses import LOSSES_INTO
from initviz.core.memory import promise_fits
from initviz.core.stats import simulation_stats


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
    skip: bool = False
    """a_l = a_{l−1} + α·φ(u_l) (core.blocks); the other fields below are None without
    normalisation: z before it, dL/dz, γ, β and their gradients, BatchNorm's batch mean
    and std per unit."""
    branch: np.ndarray | None = None
    """φ(u) of a layer with a skip, whose a is a_{l−1} + α·φ(u); None elsewhere (a is φ)."""
    raw_preactivation: np.ndarray | None = None
    grad_raw_preactivation: np.ndarray | None = None
    gamma: np.ndarray | None = None
    beta: np.ndarray | None = None
    grad_gamma: np.ndarray | None = None
    grad_beta: np.ndarray | None = None
    norm_mean: np.ndarray | None = None
    norm_std: np.ndarray | None = None

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
        return simulation_stats(self, bins=bins)

    def _repr_png_(self) -> bytes | None:
        """Jupyter shows a simulation as the dashboard `initviz render` draws (initviz.render)."""
        from initviz.notebook import repr_png  # Qt loads only when a picture is asked for

        return repr_png(self)


def layer_contexts(project) -> list[schemes.LayerContext]:
    activation = resolve_activation(project.activation)
    widths = project.widths
    return [
        schemes.LayerContext(widths[i], widths[i + 1], activation, project.activation_params)
        for i in range(len(widths) - 1)
    ]


DRAW_NS, SCALE_NS = 10.0, 0.4
"""Rough cost of one weight, in nanoseconds: drawn anew (a Ziggurat normal), or scaled from
a unit draw the cache kept."""
PARALLEL_SAMPLING_NS = 6e5
"""Layers are drawn on several threads (core.threads) when drawing them on one would take
longer than this: below it, starting a thread costs more than it saves. A slider drag only
rescales cached draws and stays on one thread; a new seed's draws use every core."""


def _sampling_ns(project, scheme, params, layers, dtype, cache) -> float:
    """Estimated time to sample ``layers``' weights on one thread (DRAW_NS, SCALE_NS)."""
    kind = scheme.draw(params)
    if kind is None:  # a constant: nothing drawn
        return 0.0
    total = 0.0
    for layer, ctx in layers:
        shape = (ctx.fan_in, ctx.fan_out)
        kept = cache is not None and draws.unit_key(
            project.seed, layer, draws.WEIGHT, kind, shape, dtype) in cache
        total += (SCALE_NS if kept else DRAW_NS) * ctx.fan_in * ctx.fan_out
    return total


def init_parameters(project, inputs: np.ndarray, dtype=np.float32, cache=None,
                    generation: int | None = None, *, should_stop: ShouldStop = None):
    """Sample every layer's (W, b); LSUV also rescales on ``inputs`` (Mishkin & Matas 2015).

    Layer l draws from its own streams (draws.layer_rng), so its weights do not depend
    on the other layers' shapes, nor on the threads that drew them (core.threads);
    ``cache`` keeps the unit draws between calls. ``should_stop`` is asked before each
    layer (core.cancel).
    """
    scheme = schemes.resolve_scheme(project.scheme)
    bias_scheme = schemes.resolve_scheme(project.bias_scheme)
    params = scheme.resolve(project.scheme_params)
    bias_params = bias_scheme.resolve(project.bias_params, "init.bias.params")

    if cache is not None and generation is None:
        generation = cache.new_generation()  # see DrawCache: this network's draws stay together

    def draw_layer(item):
        layer, ctx = item
        check_stop(should_stop)
        weight_source = draws.unit_source(project.seed, layer, draws.WEIGHT, cache, generation)
        bias_source = draws.unit_source(project.seed, layer, draws.BIAS, cache, generation)
        weight = schemes.sample(scheme, params, ctx, dtype=dtype, unit_source=weight_source)
        bias = schemes.sample(
            bias_scheme, bias_params, ctx, dtype=dtype, bias=True, unit_source=bias_source
        )
        return weight, bias

    layers = list(enumerate(layer_contexts(project), start=1))
    parallel = _sampling_ns(project, scheme, params, layers, dtype, cache) > PARALLEL_SAMPLING_NS
    pairs = threads.map_items(draw_layer, layers, threads.available() if parallel else 1)
    weights = [w for w, _ in pairs]
    biases = [b for _, b in pairs]
    if scheme.data_dependent:
        _lsuv_rescale(project, weights, biases, inputs, params, should_stop)
    return weights, biases


def _lsuv_rescale(project, weights, biases, inputs, params, should_stop: ShouldStop = None
                  ) -> None:
    activation = resolve_activation(project.activation)
    act_params = activation.resolve(project.activation_params)
    a = inputs
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        for _ in range(int(params["max_iter"])):
            check_stop(should_stop)
            var = float(np.var(a @ w + b))
            if not np.isfinite(var) or var <= 0 or abs(var - 1.0) < params["tol"]:
                break
            w *= 1.0 / np.sqrt(var)
        z = a @ w + b
        a = z if i == last else activation.forward(z, **act_params)


def forward(weights, biases, inputs, activation: Activation, act_params: dict, *,
            should_stop: ShouldStop = None):
    """Pre-activations and activations of every layer; the last layer is linear."""
    zs, acts = [], []
    a = inputs
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        check_stop(should_stop)
        z = a @ w
        if b.any():  # a zero bias (the default) would only cost a pass over z
            z += b
        a = z if i == last else activation.forward(z, **act_params)
        zs.append(z)
        acts.append(a)
    return zs, acts


def forward_output(weights, biases, inputs, activation: Activation, act_params: dict, *,
                   should_stop: ShouldStop = None):
    """The output layer's z_L alone: each layer's arrays are freed as the next is made, so
    the memory is that of the widest layer, not of the whole network (the decision
    boundary's 10,000 points through 60 layers would otherwise keep gigabytes)."""
    a = inputs
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        check_stop(should_stop)
        z = a @ w
        if b.any():
            z += b
        a = z if i == last else activation.forward(z, **act_params)
    return a


def matmul_flops(batch: int, widths: list[int]) -> float:
    """Floating-point operations of a@W, g@Wᵀ and aᵀ@g in every layer, at ``batch`` rows."""
    return 6.0 * batch * sum(a * b for a, b in zip(widths, widths[1:]))


@dataclass
class _Pass:
    """The arrays of one pass, allocated once, so every product writes straight into its
    place (``np.matmul(..., out=...)``) instead of into a temporary that is then copied."""

    weights: list
    biases: list
    inputs: np.ndarray
    labels: np.ndarray
    activation: Activation
    act_params: dict
    loss: str
    zs: list
    acts: list
    grad_as: list
    grad_zs: list
    grad_ws: list
    grad_bs: list
    should_stop: ShouldStop = None
    """Asked before each layer, forward and backward (core.cancel)."""

    @classmethod
    def allocate(cls, project, weights, biases, inputs, labels,
                 should_stop: ShouldStop = None) -> _Pass:
        activation = resolve_activation(project.activation)
        dtype = np.result_type(inputs, *weights, *biases)
        batch, last = inputs.shape[0], len(weights) - 1
        zs = [np.empty((batch, w.shape[1]), dtype) for w in weights]
        acts = [
            z if i == last or activation.is_identity else np.empty_like(z)
            for i, z in enumerate(zs)
        ]
        grad_zs = [np.empty_like(z) for z in zs]
        return cls(
            weights, biases, inputs, labels, activation,
            activation.resolve(project.activation_params), project.loss,
            zs, acts, [np.empty_like(z) for z in zs[:-1]] + [grad_zs[-1]], grad_zs,
            [np.empty(w.shape, dtype) for w in weights], [np.empty(w.shape[1], dtype) for w in zs],
            should_stop,
        )

    def run(self) -> float:
        """Forward, loss and backward of the whole batch; returns the mean loss."""
        with np.errstate(all="ignore"):  # overflow is counted and shown, not warned
            self._forward()
            loss_sum = LOSSES_INTO[self.loss](self.zs[-1], self.labels, self.grad_zs[-1],
                                              self.inputs.shape[0])
            self._backward()
        return float(loss_sum) / self.inputs.shape[0]

    def _forward(self) -> None:
        act, params = self.activation, self.act_params
        a = self.inputs
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            check_stop(self.should_stop)
            z = np.matmul(a, w, out=self.zs[i])
            if b.any():  # a zero bias (the default) would only cost a pass over z
                z += b
            a = z if self.acts[i] is z else act.forward_into(z, self.acts[i], params)

    def _backward(self) -> None:
        act, params = self.activation, self.act_params
        depth = len(self.weights)
        ones = np.ones(self.inputs.shape[0], self.inputs.dtype)  # dL/db = 1ᵀ·dL/dz: BLAS
        for i in range(depth - 1, -1, -1):
            check_stop(self.should_stop)
            g = self.grad_zs[i]
            if i != depth - 1:
                act.chain_into(self.grad_as[i], self.zs[i], self.acts[i], g, params)
            a_prev = self.inputs if i == 0 else self.acts[i - 1]
            np.matmul(a_prev.T, g, out=self.grad_ws[i])
            np.matmul(ones, g, out=self.grad_bs[i])
            if i:
                np.matmul(g, self.weights[i].T, out=self.grad_as[i - 1])

    def layers(self) -> list[Layer]:
        return [
            Layer(i + 1, self.weights[i], self.biases[i], self.zs[i], self.acts[i],
                  self.grad_as[i], self.grad_zs[i], self.grad_ws[i], self.grad_bs[i])
            for i in range(len(self.weights))
        ]


def run(project, weights, biases, inputs, labels, *, should_stop: ShouldStop = None,
        norm_params=None):
    """Forward, loss and backward for given parameters: shared by simulate and the Trainer.

    Returns (loss, layers). The products multiply on BLAS's own threads, as the process
    has them: the other work of a pass (activations, derivatives, loss) is memory-bound,
    and splitting the batch over threads of our own gained nothing measurable over that.
    ``should_stop`` is asked before each layer, forward and backward (core.cancel).
    A network with normalisation or skips takes core.blocks' pass, with ``norm_params`` =
    (γ list, β list), None at init.
    """
    if not blocks.architecture(project).plain:
        loss, records = blocks.run(project, weights, biases, inputs, labels, norm_params,
                                   should_stop=should_stop)
        return loss, [Layer(**record) for record in records]
    state = _Pass.allocate(project, weights, biases, inputs, labels, should_stop)
    return state.run(), state.layers()


def simulate(project, dtype=np.float32, cache: draws.DrawCache | None = None, *,
             should_stop: ShouldStop = None) -> Simulation:
    """Initialise ``project``'s network and run one forward and backward pass on its batch.

    Deterministic: the same project and seed give the same numbers, up to the last bits
    of float products, which BLAS sums in an order that depends on its kernel and threads.
    ``cache`` keeps the unit weight draws for the next call (the window passes
    ``draws.SHARED``: dragging a slider redraws nothing); by default nothing is kept
    after the call.
    Raises ProjectError, before allocating anything, when the arrays would not fit in
    memory (core.memory), and Cancelled once ``should_stop`` returns true: it is asked
    before each layer's draw and each layer of the pass (core.cancel).
    """
    snapshot = project.copy()
    with promise_fits(snapshot, cache=cache):
        return _simulate(snapshot, dtype, cache, should_stop)


def _simulate(snapshot, dtype, cache, should_stop: ShouldStop) -> Simulation:
    widths = snapshot.widths
    batch = (snapshot.source, snapshot.batch_size, widths[0], widths[-1], snapshot.seed, dtype)
    generation = None
    if cache is None:
        inputs, labels = make_batch(*batch)
    else:  # read-only: nothing downstream writes into the inputs
        key = ("batch", *batch[:-1], np.dtype(dtype).str)
        generation = cache.new_generation()  # the batch and the weights: one network's draws
        inputs, labels = cache.get(key, lambda: make_batch(*batch), generation)
    with np.errstate(all="ignore"):
        weights, biases = init_parameters(snapshot, inputs, dtype, cache, generation,
                                          should_stop=should_stop)
    loss, layers = run(snapshot, weights, biases, inputs, labels, should_stop=should_stop)
    return Simulation(snapshot, inputs, labels, loss, layers)
