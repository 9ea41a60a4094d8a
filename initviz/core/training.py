"""Training the project's network on its data, step by step.

The Trainer reuses ``network.run`` (forward, loss, backward) and only adds the
optimiser, the data split and the history. Each step is the matrix products of
one forward and backward pass on a minibatch plus an element-wise update.

The simulation returned by ``step`` is the forward and backward pass at the
*current* parameters on the *next* minibatch: its gradients are exactly the ones
the next step applies, so showing it costs nothing extra. Parameters are
replaced, never updated in place, so a returned simulation never changes after
it is handed to a plot.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initviz.core import blocks, footprint, memory, network, symmetry
from initviz.core.activations import resolve_activation
from initviz.core.cancel import ShouldStop, check_stop
from initviz.core.data import make_batch, resolve_source
from initviz.core.losses import LOSSES

TRAIN_SIZE = 1024
TEST_SIZE = 512
EVAL_EVERY = 10
"""The test set is evaluated every this many steps (and on demand with ``evaluate``)."""


@dataclass(frozen=True)
class Dataset:
    """A fixed train set and a held-out test set, split from one draw of the source."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray


def dataset_size(batch_size: int) -> tuple[int, int]:
    """(train, test) points: ``max(TRAIN_SIZE, batch_size)`` and TEST_SIZE."""
    return max(TRAIN_SIZE, int(batch_size)), TEST_SIZE


def check_training_fits(project, held: int = 0, boundary: bool = False,
                        budget: int | None = None, wait_s: float = 0.0,
                        should_stop: ShouldStop = None) -> int:
    """A Trainer's estimate over its whole run (footprint.training_bytes); raises
    ProjectError with a fix when it would not fit (memory.check_estimate, which waits up
    to ``wait_s`` for computations running now to make room). ``held``: earlier
    simulations the caller keeps while the next step runs; ``boundary``: the decision
    boundary is drawn after every step."""
    return memory.check_estimate("training this project",
                                 training_estimate(project, held, boundary),
                                 project, budget, wait_s, should_stop)


def training_estimate(project, held: int = 0, boundary: bool = False):
    """footprint.training_bytes of ``project`` as a memory.Estimate."""
    optimizer = project.training["optimizer"]

    def estimate(widths, batch):
        return footprint.training_bytes(widths, batch, dataset_size(batch), project.scheme,
                                        optimizer, held, boundary,
                                        blocks=memory.uses_blocks(project))

    return estimate


def make_dataset(project, dtype=np.float32) -> Dataset:
    """``max(1024, batch_size)`` training and 512 test points, split deterministically by the seed.

    Gaussian and uniform sources give a fixed random data set with random labels:
    the network can only memorise it, so their test accuracy stays at chance.
    The digits keep their own fixed split (core.digits), whatever the seed.
    """
    if resolve_source(project.source).fixed_split:
        from initviz.core import digits

        data = digits.load()
        return Dataset(*(a.astype(dtype, copy=False) if a.dtype.kind == "f" else a
                         for a in (data.train_inputs, data.train_labels,
                                   data.test_inputs, data.test_labels)))
    widths = project.widths
    n_train, n_test = dataset_size(project.batch_size)
    inputs, labels = make_batch(
        project.source, n_train + n_test, widths[0], widths[-1], project.seed, dtype
    )
    order = np.random.default_rng([project.seed, 2]).permutation(len(labels))
    train, test = order[:n_train], order[n_train:]
    return Dataset(inputs[train], labels[train], inputs[test], labels[test])


class MinibatchSampler:
    """Epochs of shuffled minibatches without replacement; the remainder of an epoch is dropped."""

    def __init__(self, size: int, batch_size: int, seed: int):
        self.size = size
        self.batch_size = min(batch_size, size)
        self.rng = np.random.default_rng([seed, 3])
        self.order = np.arange(size)
        self.cursor = size  # start a fresh epoch on the first draw

    def next(self) -> np.ndarray:
        if self.cursor + self.batch_size > self.size:
            self.order = self.rng.permutation(self.size)
            self.cursor = 0
        indices = self.order[self.cursor : self.cursor + self.batch_size]
        self.cursor += self.batch_size
        return indices


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def update_ratio(old: np.ndarray, new: np.ndarray) -> float:
    """‖ΔW‖/‖W‖ (Frobenius, W before the step): about 1e-3 is healthy (Karpathy, CS231n)."""
    norm = float(np.linalg.norm(old))
    step = float(np.linalg.norm(new - old))
    if norm == 0.0:
        return 0.0 if step == 0.0 else math.inf
    return step / norm


class SGD:
    """SGD with momentum as PyTorch: v ← μ·v + g, θ ← θ − lr·v (plain SGD when μ = 0)."""

    def __init__(self, learning_rate: float, momentum: float, params: list[np.ndarray]):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if self.momentum:
                self.velocity[i] = self.momentum * self.velocity[i] + grad
                grad = self.velocity[i]
            out.append((param - self.learning_rate * grad).astype(param.dtype, copy=False))
        return out


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1) as ``torch.optim.Adam`` computes it.

    m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
    θ ← θ − lr·m̂/(√v̂ + ε), with β₁ = 0.9, β₂ = 0.999, ε = 1e-8. ε is added to √v̂, not to
    √v as in the paper's "efficient" form: for gradients near ε (the 1e-7 gradients of a
    vanishing init) that form's first step is a quarter of this one, and the lessons
    should move as PyTorch would.
    """

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, learning_rate: float, params: list[np.ndarray]):
        self.learning_rate = learning_rate
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params]
        self.count = 0

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        self.count += 1
        step_size = self.learning_rate / (1 - self.beta1**self.count)  # lr·m̂/m
        root_correction = math.sqrt(1 - self.beta2**self.count)  # √v̂ = √v / this
        out = []
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            self.first[i] = self.beta1 * self.first[i] + (1 - self.beta1) * grad
            self.second[i] = self.beta2 * self.second[i] + (1 - self.beta2) * grad * grad
            denominator = np.sqrt(self.second[i]) / root_correction + self.eps
            step = step_size * self.first[i] / denominator
            out.append((param - step).astype(param.dtype, copy=False))
        return out


class Optimizer:
    """One optimiser over all weights and biases, built from the project's "training" section."""

    def __init__(self, training: dict, weights: list[np.ndarray], biases: list[np.ndarray]):
        params = list(weights) + list(biases)
        rate = float(training["learning_rate"])
        if training["optimizer"] == "adam":
            self.rule = Adam(rate, params)
        else:
            self.rule = SGD(rate, float(training.get("momentum", 0.0)), params)
        self.depth = len(weights)

    def step(self, weights, biases, grads_w, grads_b):
        """New (weights, biases): fresh arrays, so earlier simulations keep theirs."""
        new = self.rule.update(list(weights) + list(biases), list(grads_w) + list(grads_b))
        return new[: self.depth], new[self.depth :]


class Trainer:
    """Trains ``project``'s network: ``step(n)``, ``history``, ``evaluate``, ``predict``, ``reset``.

    Deterministic: the same project and seed give the same history, up to the last bits
    of float products (``network.simulate``).
    Raises ProjectError, before allocating anything, when training would not fit in
    memory (``check_training_fits``). ``should_stop`` is asked between steps and layers
    (core.cancel); after the Cancelled it raises, the trainer is half-way through a step:
    ``reset`` it before stepping on.
    """

    def __init__(self, project, dtype=np.float32, eval_every: int = EVAL_EVERY,
                 *, should_stop: ShouldStop = None, wait_s: float = 0.0):
        self.project = project.copy()
        self.memory = memory.promise_estimate(  # promised for as long as the trainer lives
            "training this project", training_estimate(self.project),
            self.project, owner=self, wait_s=wait_s, should_stop=should_stop)
        self.dtype = dtype
        self.should_stop = should_stop
        self.eval_every = eval_every
        self.data = make_dataset(self.project, dtype)
        resolve_source(self.project.source)
        activation = resolve_activation(self.project.activation)
        self._activation = activation
        self._act_params = activation.resolve(self.project.activation_params)
        self.reset()

    def reset(self) -> network.Simulation:
        """Back to the initial parameters and an empty history; returns the step-0 simulation."""
        project = self.project
        size = len(self.data.train_labels)
        self.sampler = MinibatchSampler(size, project.batch_size, project.seed)
        first = self.sampler.next()
        inputs = self.data.train_inputs[first]
        with np.errstate(all="ignore"):
            self.weights, self.biases = network.init_parameters(
                self.project, inputs, self.dtype, should_stop=self.should_stop)
        self.optimizer = Optimizer(self.project.training, self.weights, self.biases)
        self.architecture = blocks.architecture(self.project)
        self.norm_params = None  # (γ, β) per hidden layer, learnt like the weights
        if self.architecture.normalized:
            self.norm_params = blocks.initial_norm_params(self.project.widths, self.dtype)
            self.norm_optimizer = Optimizer(self.project.training, *self.norm_params)
        self.history: list[dict] = []
        self._simulation = self._run(first)
        return self._simulation

    @property
    def steps(self) -> int:
        return len(self.history)

    @property
    def simulation(self) -> network.Simulation:
        """The forward and backward pass at the current parameters (on the next minibatch)."""
        return self._simulation

    def step(self, n: int = 1) -> network.Simulation:
        """Take ``n`` optimiser steps and return the simulation after them."""
        for _ in range(int(n)):
            check_stop(self.should_stop)
            self._step_once()
        return self._simulation

    def _run(self, indices: np.ndarray) -> network.Simulation:
        inputs = self.data.train_inputs[indices]
        labels = self.data.train_labels[indices]
        loss, layers = network.run(self.project, self.weights, self.biases, inputs, labels,
                                   should_stop=self.should_stop,
                                   norm_params=self.norm_params)
        return network.Simulation(self.project, inputs, labels, loss, layers)

    def _step_once(self) -> None:
        sim = self._simulation
        grads_w = [layer.grad_weight for layer in sim.layers]
        grads_b = [layer.grad_bias for layer in sim.layers]
        with np.errstate(all="ignore"):
            new_w, new_b = self.optimizer.step(self.weights, self.biases, grads_w, grads_b)
            ratios = [update_ratio(old, new) for old, new in zip(self.weights, new_w, strict=True)]
            if self.norm_params is not None:
                hidden = sim.layers[:-1]
                self.norm_params = self.norm_optimizer.step(
                    *self.norm_params, [layer.grad_gamma for layer in hidden],
                    [layer.grad_beta for layer in hidden])
        self.weights, self.biases = new_w, new_b
        record = {
            "step": len(self.history) + 1,
            "loss": float(sim.loss),
            "accuracy": accuracy(sim.layers[-1].preactivation, sim.labels),
            "update_ratio": ratios,
        }
        self.history.append(record)
        self._simulation = self._run(self.sampler.next())
        if self.eval_every and record["step"] % self.eval_every == 0:
            record.update(self.evaluate())  # after the pass: BatchNorm evaluates on its statistics

    def logits(self, points: np.ndarray) -> np.ndarray:
        """The output layer's pre-activations z_L for ``points`` (forward pass only).

        Computed in chunks of rows that fit in footprint.CHUNK_BYTES, each keeping only the
        layer it is in (network.forward_output): any number of points costs one chunk.
        """
        points = np.asarray(points)
        out = np.empty((len(points), self.project.widths[-1]), self.dtype)
        for rows in self._chunks(len(points)):
            out[rows] = self._forward(points[rows])
        return out

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Class probabilities softmax(z_L), shape (len(points), nL).

        With the mse loss the outputs are not trained as logits; their softmax is
        then only a score whose largest entry is the predicted class.
        """
        with np.errstate(all="ignore"):
            return softmax(self.logits(points).astype(np.float64))

    def predict_mixture(self, points: np.ndarray, per_class: np.ndarray) -> np.ndarray:
        """Σ_k p_k(x)·per_class[k] for every point x: (len(points), per_class.shape[1]).

        The decision boundary's colours: class colours mixed by the predicted
        probabilities. Undefined probabilities (an overflowed network) count as uniform.
        Chunked as ``logits``, so the (points, classes) probabilities are never all kept.
        """
        per_class = np.asarray(per_class, dtype=np.float64)
        out = np.empty((len(points), per_class.shape[1]))
        uniform = 1.0 / self.project.widths[-1]
        for rows in self._chunks(len(points)):
            with np.errstate(all="ignore"):
                chunk = softmax(self._forward(points[rows]).astype(np.float64))
            np.matmul(np.nan_to_num(chunk, nan=uniform, copy=False), per_class, out=out[rows])
        return out

    def _chunks(self, count: int):
        step = footprint.chunk_rows(footprint.forward_row_bytes(self.project.widths), count)
        return (slice(start, start + step) for start in range(0, count, step))

    def _forward(self, points: np.ndarray) -> np.ndarray:
        if not self.architecture.plain:  # BatchNorm: the statistics of the batch shown
            stats = [(layer.norm_mean, layer.norm_std) for layer in self._simulation.layers[:-1]]
            return blocks.forward_output(self.project, self.weights, self.biases,
                                         np.asarray(points, dtype=self.dtype), self.norm_params,
                                         stats)
        with np.errstate(all="ignore"):
            return network.forward_output(self.weights, self.biases,
                                          np.asarray(points, dtype=self.dtype),
                                          self._activation, self._act_params,
                                          should_stop=self.should_stop)

    def evaluate(self) -> dict:
        """Loss and accuracy on the held-out test set, at the current parameters."""
        logits = self.logits(self.data.test_inputs)
        with np.errstate(all="ignore"):
            loss, _ = LOSSES[self.project.loss](logits, self.data.test_labels)
        return {"test_loss": float(loss), "test_accuracy": accuracy(logits, self.data.test_labels)}

    def distinct_neurons(self) -> list[int | None]:
        """Distinct units per hidden layer at the current parameters (None: not finite)."""
        return symmetry.distinct_neurons(self._simulation)
