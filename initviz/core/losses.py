"""Losses on the output pre-activations z_L, with their gradient dLoss/dz_L."""
from __future__ import annotations

import numpy as np


def cross_entropy_into(logits, labels, out, batch: int) -> float:
    """Σ over these rows of −log softmax(z)[label]; writes (softmax − onehot)/batch into ``out``.

    ``batch`` is the whole batch's size: a pass split into blocks of rows adds up the
    blocks' sums and divides once.
    """
    rows = np.arange(logits.shape[0])
    np.subtract(logits, logits.max(axis=1, keepdims=True), out=out)
    picked = out[rows, labels]
    np.exp(out, out=out)
    total = out.sum(axis=1, keepdims=True)
    loss_sum = float(np.sum(np.log(total[:, 0]) - picked, dtype=np.float64))
    out /= total
    out[rows, labels] -= 1.0
    out /= batch
    return loss_sum


def mse_into(outputs, labels, out, batch: int) -> float:
    """Σ over these rows of ½‖z − onehot(label)‖²; writes (z − onehot)/batch into ``out``."""
    np.copyto(out, outputs)
    out[np.arange(outputs.shape[0]), labels] -= 1.0
    loss_sum = 0.5 * float(np.einsum("ij,ij->", out, out, dtype=np.float64))
    out /= batch
    return loss_sum


def _mean_over_batch(loss_into):
    def loss(outputs: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        grad = np.empty_like(outputs)
        batch = outputs.shape[0]
        return loss_into(outputs, labels, grad, batch) / batch, grad

    loss.__name__ = loss_into.__name__.removesuffix("_into")
    loss.__doc__ = f"(mean loss, gradient dLoss/dz) over a whole batch: see {loss_into.__name__}."
    return loss


LOSSES_INTO = {"cross_entropy": cross_entropy_into, "mse": mse_into}
LOSSES = {name: _mean_over_batch(into) for name, into in LOSSES_INTO.items()}
