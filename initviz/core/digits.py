"""The 8×8 handwritten digits: 1,797 images of 64 pixels, 10 classes.

The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak 1998,
CC BY 4.0; resources/data/digits.LICENSE.txt), shipped as resources/data/digits.npz.
Each of the 64 inputs is scaled to zero mean and unit variance with the training
images' mean and std (pixels constant over them stay 0), as the variance theory
assumes of its inputs. The train/test split is fixed, the same for every seed, so
that test accuracies of two inits compare on the same images.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

import numpy as np

PIXELS, CLASSES = 64, 10
TEST_COUNT = 497
"""Images held out for the test set; the other 1,300 are the training set."""
SPLIT_SEED = 20_240_501
"""The one shuffle that splits the images: fixed, so the split never depends on a project."""


@dataclass(frozen=True)
class Digits:
    train_inputs: np.ndarray
    train_labels: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray
    test_images: np.ndarray
    """The test images as stored, (TEST_COUNT, 8, 8) pixels 0..16: what a person sees."""


def data_file() -> Path:
    """digits.npz in a checkout's resources/, or in the installed ``initviz.resources``."""
    checkout = Path(__file__).resolve().parents[2] / "resources" / "data" / "digits.npz"
    if checkout.is_file():
        return checkout
    return Path(str(importlib_resources.files("initviz.resources") / "data" / "digits.npz"))


@functools.lru_cache(maxsize=1)
def load() -> Digits:
    """The split, scaled data set (read once; its arrays are read-only)."""
    with np.load(data_file()) as stored:
        images, labels = stored["images"], stored["labels"].astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    train, test = order[TEST_COUNT:], order[:TEST_COUNT]
    pixels = images.reshape(len(images), PIXELS).astype(np.float64)
    mean = pixels[train].mean(axis=0)
    std = pixels[train].std(axis=0)
    scaled = (pixels - mean) / np.where(std > 0, std, 1.0)
    scaled[:, std == 0] = 0.0
    parts = (scaled[train], labels[train], scaled[test], labels[test], images[test])
    for array in parts:
        array.flags.writeable = False
    return Digits(*parts)


def batch(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` training images drawn without replacement (repeated past 1,300)."""
    data = load()
    size = len(data.train_labels)
    picks = np.concatenate([rng.permutation(size) for _ in range(-(-count // size))])[:count]
    return data.train_inputs[picks], data.train_labels[picks]
