"""Losses on the output pre-activations z_L, with their gradient dLoss/dz_L."""
from __future__ import annotations

import numpy as np


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over the batch of −log softmax(z)[label]; gradient (softmax − onehot)/B."""
    batch = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_prob = shifted[np.arange(batch), labels] - np.log(total[:, 0])
    grad = exp / total
    grad[np.arange(batch), labels] -= 1.0
    grad /= batch
    return float(-log_prob.mean()), grad


def mse(outputs: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """(1/(2B))·Σ‖z − onehot(label)‖²; gradient (z − onehot)/B."""
    batch = outputs.shape[0]
    diff = outputs.copy()
    diff[np.arange(batch), labels] -= 1.0
    loss = 0.5 * float(np.einsum("ij,ij->", diff, diff, dtype=np.float64)) / batch
    diff /= batch
    return loss, diff


LOSSES = {"cross_entropy": cross_entropy, "mse": mse}
