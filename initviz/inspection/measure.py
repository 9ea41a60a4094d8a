"""One tensor's statistics from its chunks: std, excess kurtosis, an orthogonality test and
a random sample for the histogram, in memory bounded by one chunk.

Fans are counted as ``torch.nn.init`` counts them, on torch's layout: a weight is
(out, in), a conv kernel (out, in, kh, kw, ...), so fan_in = in·kh·kw and fan_out = out·kh·kw.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initviz.core.cancel import ShouldStop, check_stop
from initviz.inspection.readers import TensorEntry

HISTOGRAM_SAMPLE = 100_000
"""Values kept for the histogram; a larger tensor is histogrammed from a random sample."""
ORTHOGONALITY_LIMIT = 1 << 21
"""Only a tensor read in one chunk is tested for orthogonality (its Gram matrix needs all of it)."""


@dataclass(frozen=True)
class TensorStats:
    name: str
    shape: tuple[int, ...]
    fan_in: int
    fan_out: int
    count: int
    mean: float
    std: float
    excess_kurtosis: float
    """0 for a normal, −1.2 for a uniform, −0.63 for a normal truncated at ±2 std."""
    orthogonal: bool | None
    """Whether the rows (or columns) are orthogonal with equal norms; None when not tested."""
    sample: np.ndarray
    """Up to HISTOGRAM_SAMPLE values, all of them when the tensor is that small."""


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) as torch.nn.init._calculate_fan_in_and_fan_out computes them."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _is_orthogonal(matrix: np.ndarray) -> bool:
    """W·Wᵀ (or Wᵀ·W, on the shorter side) is a multiple of the identity: for a random matrix
    the off-diagonal entries are about 1/√n of the diagonal, for an orthogonal one ~1e-7."""
    if matrix.shape[0] > matrix.shape[1]:
        matrix = matrix.T
    gram = matrix.astype(np.float64) @ matrix.T.astype(np.float64)
    diagonal = np.diag(gram)
    scale = float(diagonal.mean())
    if scale <= 0 or matrix.shape[0] < 2:
        return False
    off = gram - np.diag(diagonal)
    return bool(np.abs(off).max() < 1e-3 * scale and np.ptp(diagonal) < 1e-3 * scale)


def measure(entry: TensorEntry, rng: np.random.Generator | None = None,
            should_stop: ShouldStop = None) -> TensorStats:
    """Stream the entry's chunks once: shifted power sums in float64 and a random sample.
    ``should_stop`` is asked before each chunk (core.cancel): a closed window stops at once."""
    rng = rng or np.random.default_rng(0)
    count = math.prod(entry.shape)
    keep = min(1.0, HISTOGRAM_SAMPLE / max(count, 1))
    shift = None
    sums = np.zeros(4)
    samples = []
    whole = None
    for chunk in entry.chunks():
        check_stop(should_stop)
        values = chunk.astype(np.float64)
        if shift is None:
            shift = float(values.mean())
            if values.size == count and count <= ORTHOGONALITY_LIMIT:
                whole = chunk
        values -= shift
        square = values * values
        sums += (values.sum(), square.sum(), (square * values).sum(), (square * square).sum())
        take = values.size if keep >= 1 else int(rng.binomial(values.size, keep))
        picked = chunk if take == values.size else chunk[rng.integers(0, values.size, take)]
        samples.append(np.array(picked, dtype=np.float32))
    m1, m2, m3, m4 = sums / count
    variance = max(m2 - m1 * m1, 0.0)
    central4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1**4
    kurtosis = central4 / variance**2 - 3.0 if variance > 0 else 0.0
    fan_in, fan_out = fans(entry.shape)
    orthogonal = None
    if whole is not None and variance > 0:
        shape = entry.shape[::-1] if entry.fortran else entry.shape
        matrix = whole.reshape(shape)
        matrix = matrix.T if entry.fortran else matrix
        orthogonal = _is_orthogonal(matrix.reshape(entry.shape[0], -1))
    return TensorStats(entry.name, entry.shape, fan_in, fan_out, count, shift + m1,
                       math.sqrt(variance), float(kurtosis), orthogonal, np.concatenate(samples))
