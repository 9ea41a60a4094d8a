"""One forward and backward pass of a multilayer perceptron at initialisation.

Layer l (1..L) maps a_{l-1} (B, fan_in) to z_l = a_{l-1} @ W_l + b_l and
a_l = φ(z_l); the output layer L is linear. Backprop: dL/dz_l = dL/da_l · φ'(z_l),
dL/dW_l = a_{l-1}ᵀ · dL/dz_l, dL/da_{l-1} = dL/dz_l · W_lᵀ.
"""
from __future__ import annotations

import queue
from dataclasses import dataclass, field

import numpy as np

from initviz.core import blocks, draws, parallel, schemes
from initviz.core.activations import Activation, resolve_activation
from initviz.core.cancel import ShouldStop, check_stop
from initviz.core.data import make_batch
from initviz.core.losses import LOSSES_INTO
from initviz.core.memory import promise_fits


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
        from initviz.core.stats import simulation_stats

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
"""Nanoseconds a weight costs here: drawn anew (Ziggurat normal), or scaled from a cached draw."""
PARALLEL_SAMPLING_NS = 6e5
"""Layers are drawn on several threads when that would take longer than this (0.6 ms) on
one: each layer has its own stream (draws.layer_rng), so the numbers are the same, and
NumPy's samplers release the GIL. Below it, handing layers to another thread costs more
than it saves: scaling the default lesson's cached draws took 0.25 ms on one thread and
0.56 ms on two; at 20 x 512 x 512, 2.2 against 1.5 ms. A new seed there draws on two."""


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
    on the other layers' shapes; ``cache`` keeps the unit draws between calls.
    ``should_stop`` is asked before each layer (core.cancel).
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
    if _sampling_ns(project, scheme, params, layers, dtype, cache) > PARALLEL_SAMPLING_NS:
        pairs = parallel.map_items(draw_layer, layers, parallel.workers())
    else:
        pairs = [draw_layer(item) for item in layers]
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


SPLIT_MIN_FLOPS = 2e7
"""Passes with fewer floating-point operations in their matrix products than this run on
one thread: below about 0.2 ms of work, handing rows to another thread costs more than it
saves (the training lessons' small networks)."""
MIN_PART_ROWS = 32
"""The fewest batch rows one thread takes: fewer make the products inefficient."""


def matmul_flops(batch: int, widths: list[int]) -> float:
    """Floating-point operations of a@W, g@Wᵀ and aᵀ@g in every layer, at ``batch`` rows."""
    return 6.0 * batch * sum(a * b for a, b in zip(widths, widths[1:]))


def pass_threads(batch: int, widths: list[int]) -> int:
    """Threads for one forward and backward pass of ``batch`` rows through ``widths``."""
    if matmul_flops(batch, widths) < SPLIT_MIN_FLOPS:
        return 1
    return max(1, min(parallel.workers(), batch // MIN_PART_ROWS))


class _Abandoned(Exception):
    """A part stopped because an earlier part failed (that part's error is raised)."""


@dataclass
class _Pass:
    """The arrays of one pass, allocated once for the whole batch; each part fills its rows.

    Row blocks of C-ordered arrays are contiguous, so the products write straight into
    them. dL/dW and dL/db sum over the batch: part 0 writes its share, part k adds its own
    once part k-1 has (``done[k-1]``: the layers it has added, in order), always in that
    order, so the numbers do not depend on which thread finishes first. ``done`` are
    queue.SimpleQueue, whose put and get are single C calls: a KeyboardInterrupt, which
    only the main thread (running part 0) receives, cannot land inside one and leave a
    lock held, as it could inside threading.Event.set (found by interrupting 3000 passes
    at random: a pass then waited for good).
    """

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
    done: list = field(default_factory=list)
    failed: bool = False
    has_bias: list = field(init=False)
    """Per layer, whether its bias is not all zero (set from ``biases``)."""
    error: BaseException | None = None
    """The first error of a part (not an _Abandoned that only followed it)."""
    should_stop: ShouldStop = None
    """Asked by every part before each layer, forward and backward (core.cancel)."""

    def __post_init__(self):
        self.has_bias = [bool(b.any()) for b in self.biases]

    @classmethod
    def allocate(cls, project, weights, biases, inputs, labels, parts: int,
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
            weights, biases, np.ascontiguousarray(inputs), labels, activation,
            activation.resolve(project.activation_params), project.loss,
            zs, acts, [np.empty_like(z) for z in zs[:-1]] + [grad_zs[-1]], grad_zs,
            [np.empty(w.shape, dtype) for w in weights], [np.empty(w.shape[1], dtype) for w in zs],
            [queue.SimpleQueue() for _ in range(parts - 1)], should_stop=should_stop,
        )

    def part(self, k: int, rows: slice) -> float:
        """Forward, loss and backward of batch rows ``rows``; returns their summed loss."""
        try:
            with np.errstate(all="ignore"):  # per thread: overflow is counted and shown, not warned
                return self._part(k, rows)
        except BaseException as exc:
            if self.error is None and not isinstance(exc, _Abandoned):
                self.error = exc
            self.abandon()
            raise

    def _check(self) -> None:
        """Stop between layers when asked to, or when another part has failed."""
        check_stop(self.should_stop)
        if self.failed:
            raise _Abandoned

    def abandon(self) -> None:
        """Let every part that waits go: each wakes, sees ``failed`` and stops. Also for a
        part that never started (an interrupt before it), whose ``done`` would never come."""
        self.failed = True
        for layers_done in self.done:
            for _ in self.weights:  # enough for every wait still to come
                layers_done.put(-1)

    def _part(self, k: int, rows: slice) -> float:
        weights, act, params = self.weights, self.activation, self.act_params
        depth = len(weights)
        a = self.inputs[rows]
        ones = np.ones(a.shape[0], a.dtype)  # dL/db = 1ᵀ·dL/dz: a BLAS product, not a reduction
        for i, (w, b) in enumerate(zip(weights, self.biases)):
            self._check()
            z = self.zs[i][rows]
            np.matmul(a, w, out=z)
            if self.has_bias[i]:  # a zero bias (the default) would only cost a pass over z
                z += b
            a = z if self.acts[i] is self.zs[i] else act.forward_into(z, self.acts[i][rows], params)
        batch = self.inputs.shape[0]
        loss_sum = LOSSES_INTO[self.loss](z, self.labels[rows], self.grad_zs[-1][rows], batch)
        for i in range(depth - 1, -1, -1):
            self._check()
            g = self.grad_zs[i][rows]
            if i != depth - 1:
                act.chain_into(self.grad_as[i][rows], self.zs[i][rows], self.acts[i][rows], g,
                               params)
            a_prev = self.inputs[rows] if i == 0 else self.acts[i - 1][rows]
            if k == 0:
                np.matmul(a_prev.T, g, out=self.grad_ws[i])
                np.matmul(ones, g, out=self.grad_bs[i])
            else:
                share_w, share_b = a_prev.T @ g, ones @ g
                self.done[k - 1].get()
                if self.failed:
                    raise _Abandoned
                self.grad_ws[i] += share_w
                self.grad_bs[i] += share_b
            if k < len(self.done):
                self.done[k].put(i)
            if i:
                np.matmul(g, weights[i].T, out=self.grad_as[i - 1][rows])
        return loss_sum

    def layers(self) -> list[Layer]:
        return [
            Layer(i + 1, self.weights[i], self.biases[i], self.zs[i], self.acts[i],
                  self.grad_as[i], self.grad_zs[i], self.grad_ws[i], self.grad_bs[i])
            for i in range(len(self.weights))
        ]


def run(project, weights, biases, inputs, labels, threads: int = 1, *,
        should_stop: ShouldStop = None, norm_params=None):
    """Forward, loss and backward for given parameters: shared by simulate and the Trainer.

    Returns (loss, layers). With ``threads`` > 1 (the window passes ``pass_threads``) the
    batch is split into that many blocks of rows, each passed through the whole network on
    its own thread with one BLAS thread: the activations, derivatives and loss then use
    every core too, not only the products. That limit is process-wide, as BLAS has no
    other, so the default, 1, runs on the calling thread with the process's BLAS as it is.
    The same split gives the same numbers, bit for bit. ``should_stop`` is asked before
    each layer, forward and backward (core.cancel).
    A network with normalisation or skips takes core.blocks' pass (one thread), with
    ``norm_params`` = (γ list, β list), None at init.
    """
    if not blocks.architecture(project).plain:
        loss, records = blocks.run(project, weights, biases, inputs, labels, norm_params,
                                   should_stop=should_stop)
        return loss, [Layer(**record) for record in records]
    batch = inputs.shape[0]
    parts = max(1, min(int(threads), batch))
    state = _Pass.allocate(project, weights, biases, inputs, labels, parts, should_stop)
    bounds = [batch * k // parts for k in range(parts + 1)]
    tasks = [
        lambda k=k: state.part(k, slice(bounds[k], bounds[k + 1])) for k in range(parts)
    ]
    if parts == 1:
        loss_sums = [tasks[0]()]
    else:
        with parallel.one_blas_thread():
            try:
                loss_sums = parallel.run_all(tasks, abandon=state.abandon)
            except _Abandoned:  # a later part's error, not that of the part it stopped
                raise state.error or RuntimeError("the forward and backward pass failed") from None
    return float(sum(loss_sums)) / batch, state.layers()


def simulate(project, dtype=np.float32, cache: draws.DrawCache | None = None, threads: int = 1,
             *, should_stop: ShouldStop = None) -> Simulation:
    """Initialise ``project``'s network and run one forward and backward pass on its batch.

    Deterministic: the same project, seed and ``threads`` give the same numbers (a
    different count can change the last bits of dL/dW and dL/db, which sum over the batch;
    see ``run`` for what ``threads`` > 1 does to the process). ``cache`` keeps the unit
    weight draws for the next call (the window passes ``draws.SHARED``: dragging a
    slider redraws nothing); by default nothing is kept after the call.
    A pass on one thread multiplies with BLAS's own thread count, which a split pass on
    another thread lowers to 1 for the process while it runs (parallel.one_blas_thread):
    float32 products can then differ in the last bits.
    Raises ProjectError, before allocating anything, when the arrays would not fit in
    memory (core.memory), and Cancelled once ``should_stop`` returns true: it is asked
    before each layer's draw and each layer of the pass (core.cancel).
    """
    snapshot = project.copy()
    with promise_fits(snapshot, threads=threads, cache=cache):
        return _simulate(snapshot, dtype, cache, threads, should_stop)


def _simulate(snapshot, dtype, cache, threads: int, should_stop: ShouldStop) -> Simulation:
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
    loss, layers = run(snapshot, weights, biases, inputs, labels, threads,
                       should_stop=should_stop)
    return Simulation(snapshot, inputs, labels, loss, layers)
