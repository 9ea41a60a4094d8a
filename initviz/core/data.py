"""Input batches: Gaussian or uniform noise for statistics, toy 2-D sets for training.

Every source is deterministic for a seed: same seed, same batch.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from initviz.errors import ProjectError

Generate = Callable[[np.random.Generator, int, int, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    generate: Generate
    """generate(rng, count, n_inputs, n_classes) -> (inputs (count, n_inputs), int labels)."""
    two_d: bool = False
    classes: int | None = None
    """Fixed number of classes, or None when the source takes nL classes."""
    inputs: int | None = None
    """Fixed number of inputs (beyond the 2-D sets), or None when it takes n0 inputs."""
    fixed_split: bool = False
    """A real data set with its own train/test split (core.digits), not drawn per seed."""

    def check_widths(self, n_inputs: int, n_outputs: int) -> None:
        if self.inputs is not None and n_inputs != self.inputs:
            raise ProjectError(
                f"network.widths[0] must be {self.inputs} for {self.name} "
                f"({self.title}), got {n_inputs}"
            )
        if self.two_d and n_inputs != 2:
            raise ProjectError(
                f"network.widths[0] must be 2 for the 2-D data set {self.name}, got {n_inputs}"
            )
        if self.classes is not None and n_outputs != self.classes:
            raise ProjectError(
                f"network.widths[-1] must be {self.classes} for {self.name} "
                f"({self.classes} classes), got {n_outputs}"
            )


def _labels(rng, count, n_classes):
    return rng.integers(0, n_classes, size=count)


def _gaussian(rng, count, n_inputs, n_classes):
    return rng.standard_normal((count, n_inputs)), _labels(rng, count, n_classes)


def _uniform(rng, count, n_inputs, n_classes):
    limit = math.sqrt(3.0)  # unit variance
    return rng.uniform(-limit, limit, (count, n_inputs)), _labels(rng, count, n_classes)


def _spiral(rng, count, n_inputs, n_classes):
    """Interleaved arms, one per class (the CS231n spiral)."""
    labels = np.arange(count) % n_classes
    radius = rng.uniform(0.05, 1.0, count)
    angle = labels * 2 * math.pi / n_classes + radius * 4.0 + rng.normal(0, 0.2, count)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return points * 2.0, labels


def _moons(rng, count, n_inputs, n_classes):
    labels = np.arange(count) % 2
    t = rng.uniform(0, math.pi, count)
    x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, 0.1, (count, 2))
    return (points - [0.5, 0.25]) * 2.0, labels


def _circles(rng, count, n_inputs, n_classes):
    labels = np.arange(count) % 2
    t = rng.uniform(0, 2 * math.pi, count)
    radius = np.where(labels == 0, 1.0, 0.5) + rng.normal(0, 0.08, count)
    return np.stack([radius * np.cos(t), radius * np.sin(t)], axis=1) * 1.5, labels


def _xor(rng, count, n_inputs, n_classes):
    points = rng.uniform(-1, 1, (count, 2))
    labels = ((points[:, 0] > 0) ^ (points[:, 1] > 0)).astype(np.int64)
    return points * math.sqrt(3.0), labels


def _blobs(rng, count, n_inputs, n_classes):
    labels = np.arange(count) % n_classes
    angles = 2 * math.pi * np.arange(n_classes) / n_classes
    centres = 1.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres[labels] + rng.normal(0, 0.45, (count, 2)), labels


def _digits(rng, count, n_inputs, n_classes):
    from initviz.core import digits  # reads its file only when the source is used

    return digits.batch(rng, count)


_ENTRIES = [
    Source("gaussian", "Gaussian N(0, 1)", _gaussian),
    Source("uniform", "Uniform U(±√3), variance 1", _uniform),
    Source("spiral", "Spiral (2-D)", _spiral, two_d=True),
    Source("moons", "Two moons (2-D)", _moons, two_d=True, classes=2),
    Source("circles", "Circles (2-D)", _circles, two_d=True, classes=2),
    Source("xor", "XOR (2-D)", _xor, two_d=True, classes=2),
    Source("blobs", "Blobs (2-D)", _blobs, two_d=True),
    Source("digits", "Handwritten digits (8×8 pixels)", _digits, classes=10, inputs=64,
           fixed_split=True),
]
SOURCES: dict[str, Source] = {s.name: s for s in _ENTRIES}


def resolve_source(name: str, path: str = "data.source") -> Source:
    if isinstance(name, str) and name.lower() in SOURCES:
        return SOURCES[name.lower()]
    raise ProjectError(f"{path} must be one of {', '.join(SOURCES)}, got {name!r}")


def make_batch(
    source: str, count: int, n_inputs: int, n_classes: int, seed: int, dtype=np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """The batch for ``seed``: inputs ``(count, n_inputs)`` in ``dtype`` and integer labels."""
    entry = resolve_source(source)
    entry.check_widths(n_inputs, n_classes)
    rng = np.random.default_rng([seed, 1])  # the data stream, apart from the weights' stream
    inputs, labels = entry.generate(rng, count, n_inputs, n_classes)
    return inputs.astype(dtype, copy=False), labels.astype(np.int64, copy=False)
