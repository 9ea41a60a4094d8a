"""Peak bytes of each computation initviz starts, from the widths and the batch alone.

Arithmetic only: nothing is allocated, so ``core.memory`` can refuse a project before it
costs anything. Each estimate is what the computation adds to the process at its peak:
the arrays it keeps, plus the largest set of temporaries alive at one moment. Measured
peaks (resident memory in a fresh process, tests/core/test_memory_peaks.py) stay below
every estimate and above a third of it.

- ``simulation_bytes``: ``simulate`` and its statistics (the Layers and Compare tabs,
  ``initviz stats``).
- ``training_bytes``: a Trainer, its steps, evaluations and decision boundary (the
  Training tab).
- ``theory_bytes``: the Jacobian spectrum (the Theory tab).
"""
from __future__ import annotations

from collections.abc import Sequence

from initviz.core import threads

FLOAT32 = 4
FLOAT64 = 8
INT64 = 8
ACTIVATION_TEMPORARIES = 3
"""Float32 arrays of shape (B, n) alive at once inside an activation or its derivative (GELU)."""
STATS_BYTES_PER_VALUE = FLOAT64 + FLOAT32 + 1
"""np.std in float64, a finite-values copy, an isfinite mask: per value of the largest array."""
QR_SCHEMES = ("orthogonal", "lsuv")
"""Schemes that take the QR decomposition of a float64 Gaussian matrix (Saxe et al. 2014)."""
QR_FLOAT64_COPIES = 5
"""numpy.linalg.qr of a (big, small) float64 Gaussian holds five arrays of its size at once
(the Gaussian, LAPACK's factored copy, the Q step's own input and work copies, Q): measured
5.0-5.6 times the Gaussian here, R and LAPACK's work arrays making up the rest."""
TRUNCATED_BYTES_PER_WEIGHT = FLOAT32 + FLOAT32 + 1
"""A truncated normal draw: the draw, |z| and the mask of the values to draw again."""
NO_DRAW_SCHEMES = ("zeros", "constant")
LSUV_TEMPORARIES = 7
"""Float32 (B, n) arrays while LSUV rescales a layer: the input, z, z + b, z minus its
mean inside np.var, and the activation's own temporaries."""
DATASET_BYTES_PER_INPUT = FLOAT64 + FLOAT32 + FLOAT32
"""make_dataset: the float64 draw, its float32 cast and the train/test copies of it."""
OPTIMIZER_STATE = {"sgd": 1, "adam": 2}
"""Float32 copies of every parameter an optimiser keeps: the velocity (kept even without
momentum); Adam's first and second moments."""
OPTIMIZER_TEMPORARIES = {"sgd": 3, "adam": 4}
"""Float32 arrays of one layer's size alive at once while the optimiser updates it (Adam:
m̂, √v̂ + ε, the step, the new parameter), plus ΔW for the update ratio."""
HEAP_PASSES = 1
"""Passes freed but still resident: every step frees one pass and allocates the next, and
glibc's heap then holds a freed pass where the next does not fit in its place (seen every
few steps: up to 1.38 times the arrays alive, with or without initviz._runtime's tuning)."""
HEAP_MARGIN = 1.3
"""Training and the Jacobian free and allocate arrays of changing sizes one after another,
and the heap then holds more than the arrays alive: measured peaks of both reached 1.05
times what they keep plus their temporaries (HEAP_PASSES included). The margin leaves
room for allocators that fragment worse than this glibc."""
SIMULATION_MARGIN = 1.1
"""A simulation's heap also holds more than its arrays at times: measured peaks of the
window's pass (the draw cache, glibc keeping freed memory) reached 0.96 of
what it keeps plus its largest temporary. The margin covers runs and allocators that do
a little worse, so a project the guard lets through does not then exhaust the machine."""
CHUNK_BYTES = 16 * 1024**2
"""Work done row by row (the decision boundary, a forward pass over many points) takes
chunks of rows of at most this size: the boundary's 10,000 points are one chunk up to
width 64 and eight of 1,356 rows at width 512, whatever the depth."""
BOUNDARY_RESOLUTION = 100
"""Pixels per side of the Training tab's decision-boundary image."""
FORWARD_ROW_ARRAYS = 3 + ACTIVATION_TEMPORARIES
"""Float32 values per unit of the widest layer, per row, of a forward pass that keeps only
the current layer: its input, z, the activation and the activation's temporaries."""
PROBABILITY_ARRAYS = 5
"""Float64 (rows, classes) arrays of the softmax, at most: the float32 logits and their
float64 copy, shifted, exp, the probabilities."""


def chunk_rows(row_bytes: int, rows: int, budget: int | None = None) -> int:
    """Rows per chunk of work that costs ``row_bytes`` a row: as many as fit in ``budget``
    (CHUNK_BYTES by default), at least one, at most ``rows``."""
    budget = CHUNK_BYTES if budget is None else budget
    return max(1, min(int(rows), int(budget) // max(int(row_bytes), 1)))


def _layers(widths: Sequence[int]) -> list[tuple[int, int]]:
    widths = [int(n) for n in widths]
    return list(zip(widths[:-1], widths[1:], strict=True))


def parameter_bytes(widths: Sequence[int]) -> int:
    """Float32 weights and biases of every layer."""
    return FLOAT32 * sum(fan_in * fan_out + fan_out for fan_in, fan_out in _layers(widths))


BLOCK_PASS_ARRAYS = 8
"""(B, n) arrays per layer that core.blocks' pass keeps: z, ẑ, u, φ(u), a, dL/da, dL/du, dL/dz."""


def pass_bytes(widths: Sequence[int], batch: int, blocks: bool = False) -> int:
    """What one forward and backward pass keeps: dL/dW, dL/db, and z, a, dL/da, dL/dz (with
    normalisation or skips, ``blocks``: BLOCK_PASS_ARRAYS)."""
    arrays = BLOCK_PASS_ARRAYS if blocks else 4
    return parameter_bytes(widths) + arrays * FLOAT32 * batch * sum(int(n) for n in widths[1:])


def batch_bytes(batch: int, n_inputs: int) -> int:
    """Float32 inputs and int64 labels."""
    return batch * (FLOAT32 * n_inputs + INT64)


def draw_bytes(fan_in: int, fan_out: int, scheme: str) -> int:
    """Scratch of drawing one layer's weights, beyond the weights themselves."""
    if scheme in NO_DRAW_SCHEMES:
        return 0
    if scheme in QR_SCHEMES:
        big, small = max(fan_in, fan_out), min(fan_in, fan_out)
        return FLOAT64 * (QR_FLOAT64_COPIES * big * small + small * small)
    if scheme in ("truncated_normal", "variance_scaling"):  # variance_scaling may truncate
        return TRUNCATED_BYTES_PER_WEIGHT * fan_in * fan_out
    return FLOAT32 * fan_in * fan_out  # the unit draw, scaled into the weights


def cached_bytes(widths: Sequence[int], scheme: str, cache_budget: int) -> int:
    """Unit draws a DrawCache of ``cache_budget`` bytes keeps beside the scaled weights (an
    entry over half the budget is not kept); 0 without a cache."""
    if cache_budget <= 0 or scheme in NO_DRAW_SCHEMES:
        return 0
    units = [FLOAT32 * (a * b + b) for a, b in _layers(widths)]
    return min(cache_budget, sum(u for u in units if u <= cache_budget // 2))


def pass_temporaries(widths: Sequence[int], batch: int) -> int:
    """Inside a pass: an activation's temporaries over the whole batch (network._Pass writes
    every product into its place)."""
    return ACTIVATION_TEMPORARIES * FLOAT32 * batch * max(int(n) for n in widths[1:])


def stats_temporaries(widths: Sequence[int], batch: int) -> int:
    """Statistics of the largest array (stats.summary, saturated_fraction)."""
    largest = max(max(a * b, batch * b) for a, b in _layers(widths))
    return STATS_BYTES_PER_VALUE * largest


def concurrent_draw_bytes(widths: Sequence[int], scheme: str) -> int:
    """Scratch of the layers drawn at once: network.init_parameters may draw on every
    thread core.threads allows, so at worst the largest layers are drawn together."""
    scratch = sorted((draw_bytes(a, b, scheme) for a, b in _layers(widths)), reverse=True)
    return sum(scratch[: threads.available()])


def init_temporaries(widths: Sequence[int], batch: int, scheme: str) -> int:
    """While the weights are drawn (several layers at once: concurrent_draw_bytes) and,
    for LSUV, rescaled on the batch."""
    scratch = concurrent_draw_bytes(widths, scheme)
    if scheme == "lsuv":
        widest = max(int(n) for n in widths)
        scratch = max(scratch, LSUV_TEMPORARIES * FLOAT32 * batch * widest)
    return scratch


def simulation_bytes(widths: Sequence[int], batch_size: int, scheme: str = "normal",
                     cache_budget: int = 0, blocks: bool = False) -> int:
    """Peak bytes of ``simulate`` plus its statistics (``cache_budget``: that of the call's
    draw cache; ``blocks``: a pass with normalisation or skips; the batch is drawn in
    float64, then cast)."""
    batch = int(batch_size)
    kept = (batch_bytes(batch, int(widths[0])) + parameter_bytes(widths)
            + pass_bytes(widths, batch, blocks) + cached_bytes(widths, scheme, cache_budget))
    temporaries = [
        batch * int(widths[0]) * FLOAT64,
        pass_temporaries(widths, batch),
        stats_temporaries(widths, batch),
        init_temporaries(widths, batch, scheme),
    ]
    return int(SIMULATION_MARGIN * (kept + max(temporaries)))


def forward_row_bytes(widths: Sequence[int]) -> int:
    """Bytes per row of a forward pass that keeps only the output's class probabilities
    (network.forward_output and the softmax)."""
    return (FLOAT32 * FORWARD_ROW_ARRAYS * max(int(n) for n in widths)
            + FLOAT64 * PROBABILITY_ARRAYS * int(widths[-1]))


def training_bytes(widths: Sequence[int], batch_size: int, dataset: tuple[int, int],
                   scheme: str = "normal", optimizer: str = "sgd", held: int = 0,
                   boundary: bool = False, chunk_bytes: int | None = None,
                   blocks: bool = False) -> int:
    """Peak bytes of a Trainer over its whole run, HEAP_MARGIN included; ``dataset`` is
    its (train, test) points (training.dataset_size).

    During a step the simulation of the previous step (its weights and pass) is alive
    beside the new weights and the new pass: two simulations, plus ``held`` earlier ones
    a caller keeps (the window's grid may still be drawing one). ``boundary``: the
    decision boundary is drawn after each step, in chunks of ``chunk_bytes``.
    """
    batch, n_inputs = int(batch_size), int(widths[0])
    test = int(dataset[1])
    points = int(dataset[0]) + test
    simulation = (parameter_bytes(widths) + pass_bytes(widths, batch, blocks)
                  + batch_bytes(batch, n_inputs))
    kept = (batch_bytes(points, n_inputs) + OPTIMIZER_STATE[optimizer] * parameter_bytes(widths)
            + (2 + int(held)) * simulation + HEAP_PASSES * pass_bytes(widths, batch, blocks))
    largest_layer = FLOAT32 * max(a * b + b for a, b in _layers(widths))
    temporaries = [
        DATASET_BYTES_PER_INPUT * points * n_inputs + INT64 * points,
        init_temporaries(widths, batch, scheme),
        pass_temporaries(widths, batch),
        stats_temporaries(widths, batch),
        OPTIMIZER_TEMPORARIES[optimizer] * largest_layer,
        _forward_bytes(widths, test, chunk_bytes),
    ]
    if boundary:
        temporaries.append(boundary_bytes(widths, chunk_bytes))
    return int(HEAP_MARGIN * (kept + max(temporaries)))


def _forward_bytes(widths: Sequence[int], rows: int, chunk_bytes: int | None) -> int:
    """Trainer.logits over ``rows`` points, a chunk of rows at a time (``chunk_rows``)."""
    per_row = forward_row_bytes(widths)
    return chunk_rows(per_row, rows, chunk_bytes) * per_row + rows * int(widths[-1]) * FLOAT64


def boundary_bytes(widths: Sequence[int], chunk_bytes: int | None = None,
                   resolution: int = BOUNDARY_RESOLUTION) -> int:
    """The decision boundary: its grid, the colour image, and one chunk's forward pass."""
    pixels = resolution * resolution
    per_row = forward_row_bytes(widths)
    image = pixels * (2 * FLOAT64 + 2 * 3 * FLOAT64 + 3)  # grid, colours, scaled, uint8 RGB
    return image + chunk_rows(per_row, pixels, chunk_bytes) * per_row


def theory_bytes(widths: Sequence[int], batch_size: int, scheme: str, count: int) -> int:
    """Peak bytes of jacobian.jacobian_spectrum at ``count`` inputs (jacobian.sample_count;
    0 when J is not computed), and for LSUV of the simulation that measures the rescaled
    weights for the phase diagram's marker."""
    batch, widths = int(batch_size), [int(n) for n in widths]
    lsuv = simulation_bytes(widths, batch, scheme) if scheme == "lsuv" else 0
    if count <= 0:
        return lsuv
    narrow, widest = min(widths[0], widths[-1]), max(widths)
    largest_weight = max(a * b for a, b in _layers(widths))
    kept = (batch_bytes(batch, widths[0]) + parameter_bytes(widths)
            + 2 * FLOAT64 * count * sum(widths))  # the slopes and the inputs at q*
    chain = (2 * FLOAT64 * largest_weight  # two layers' float64 weights at once
             + 3 * FLOAT64 * count * narrow * widest  # J so far, scaled, and the next product
             + 2 * FLOAT64 * count * widths[0] * widths[-1])  # J, its singular values' copy
    temporaries = [batch * widths[0] * FLOAT64, init_temporaries(widths, batch, scheme), chain]
    return max(lsuv, int(HEAP_MARGIN * (kept + max(temporaries))))
