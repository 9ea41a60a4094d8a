"""Distinct units: the symmetry readout counts units as float32 computes them, on any kernel."""
from pathlib import Path

import numpy as np
import pytest

import initviz
from initviz.core import symmetry
from initviz.core.training import Trainer

pytestmark = pytest.mark.filterwarnings("error")  # any RuntimeWarning fails the test
LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def ulps_apart(column: np.ndarray, ulps: int) -> np.ndarray:
    """``column`` moved ``ulps`` float32 steps up (negative: down), entry by entry."""
    moved = column.astype(np.float32)
    target = np.float32(np.inf if ulps > 0 else -np.inf)
    for _ in range(abs(ulps)):
        moved = np.nextafter(moved, target)
    return moved


def brute_force_count(values: np.ndarray, limit: float) -> int:
    """The definition, column by column: the first uncounted column and all within ``limit``."""
    left = list(range(values.shape[1]))
    count = 0
    while left:
        first = values[:, left[0]]
        left = [j for j in left if np.abs(values[:, j] - first).max() > limit]
        count += 1
    return count


def test_columns_a_few_ulps_apart_are_one_unit():
    # 0.1234565 sits on a boundary of rounding to 6 decimals: a count by rounding splits it
    column = np.array([0.1234565, -0.75, 2.5e-3, 0.5], dtype=np.float32)
    columns = [ulps_apart(column, k) for k in (0, 1, -1, 3, -4, 8)]
    assert symmetry.distinct_units(np.stack(columns, axis=1)) == 1


def test_units_are_judged_at_the_layers_scale():
    rng = np.random.default_rng(0)
    tiny = rng.normal(0.0, 1e-9, (64, 32)).astype(np.float32)  # a std of 1e-9: still random
    assert symmetry.distinct_units(tiny) == 32
    # ten tolerances apart is a real difference, even between otherwise equal columns
    values = np.full((8, 4), 0.5, np.float32)
    values[3, 2] += 10 * symmetry.tolerance(0.5)
    assert symmetry.distinct_units(values) == 2


@pytest.mark.parametrize("seed", range(5))
def test_the_fast_count_is_the_definition(seed):
    rng = np.random.default_rng(seed)
    units = rng.normal(0.0, 1.0, (40, 12)).astype(np.float32)
    picks = rng.integers(0, 12, 60)
    values = units[:, picks]
    values[:, ::3] = ulps_apart(values[:, ::3], 5)  # copies that differ by rounding only
    values[0] = 0.25  # one row equal everywhere: the sort key must not be that row
    expected = brute_force_count(values, symmetry.tolerance(np.abs(values).max()))
    assert expected == np.unique(picks).size
    assert symmetry.distinct_units(values) == expected
    assert symmetry.distinct_units(values[:, rng.permutation(60)]) == expected


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_diverged_layer_is_not_judged(bad):
    values = np.full((5, 6), 0.1, np.float32)
    values[2, 4] = bad
    assert symmetry.distinct_units(values) is None


def _project(scheme, params):
    return initviz.Project.from_dict({
        "network": {"widths": [32, 64, 64, 10], "activation": "tanh"},
        "init": {"scheme": scheme, "params": params, "bias": {"scheme": "zeros", "params": {}}},
        "data": {"batch_size": 256},
    })


@pytest.mark.parametrize("scheme, params, expected", [
    ("zeros", {}, 1), ("constant", {"value": 0.05}, 1), ("he_normal", {}, 64),
])
def test_distinct_units_of_weights_and_activations(scheme, params, expected):
    sim = initviz.simulate(_project(scheme, params))
    assert symmetry.distinct_units(sim.layers[1].activation) == expected
    assert symmetry.distinct_units(sim.layers[1].weight) == expected


def test_constant_init_lesson_stays_one_neuron_per_layer_at_every_step():
    """Lesson 02's readout must not flicker between 1 and 2 as the last bits wander."""
    trainer = Trainer(initviz.Project.load(LESSONS / "02_constant_init.json"))
    counts = [trainer.distinct_neurons()]
    for _ in range(16):
        trainer.step(5)
        counts.append(trainer.distinct_neurons())
    assert all(count == [1, 1, 1] for count in counts), counts


def test_diverged_training_counts_no_neurons():
    project = initviz.Project({
        "network": {"widths": [2, 16, 16, 2], "activation": "relu"},
        "init": {"scheme": "normal", "params": {"std": 1.0}},
        "data": {"source": "moons", "batch_size": 32, "seed": 0},
        "loss": "mse",
        "training": {"optimizer": "sgd", "learning_rate": 10.0, "momentum": 0.9},
    })
    trainer = Trainer(project)
    assert trainer.distinct_neurons() == [16, 16]
    with np.errstate(all="ignore"):
        for _ in range(20):
            trainer.step(5)
            if not np.isfinite(trainer.history[-1]["loss"]):
                break
    trainer.step(1)  # the step after the loss went non-finite: the weights are too
    assert not np.isfinite(trainer.history[-1]["loss"])
    assert trainer.distinct_neurons() == [None, None]


def greedy_reference(values: np.ndarray, limit: float) -> int:
    """distinct_units' definition, pair by pair: each unit is the first column not yet
    counted and every later column within ``limit`` of it in every row."""
    remaining, count = list(range(values.shape[1])), 0
    while remaining:
        first = values[:, remaining[0]]
        remaining = [c for c in remaining[1:] if np.abs(values[:, c] - first).max() > limit]
        count += 1
    return count


@pytest.mark.parametrize("seed", range(6))
def test_splitting_where_units_are_apart_counts_as_the_definition_does(seed):
    """Clusters of copies (within the tolerance), units apart in one row only, chains of
    small steps: the count equals the pair-by-pair definition."""
    rng = np.random.default_rng(seed)
    rows, base = 5, rng.standard_normal((5, 12)).astype(np.float32)
    limit = symmetry.tolerance(float(np.abs(base).max()) * 1.5)
    columns = []
    for unit in base.T:
        for _ in range(rng.integers(1, 4)):  # copies a rounding apart
            columns.append(unit + rng.uniform(-0.3, 0.3, rows).astype(np.float32) * limit)
    near = base[:, 0].copy()
    for step in range(6):  # apart from each other in the last row only
        moved = near.copy()
        moved[-1] += 2.5 * limit * (step + 1)
        columns.append(moved)
    for step in range(5):  # a chain whose neighbours are within the tolerance
        moved = base[:, 1].copy()
        moved[0] += 0.6 * limit * step
        columns.append(moved)
    values = np.stack(columns, axis=1)[:, rng.permutation(len(columns))]
    assert symmetry.distinct_units(values) == greedy_reference(values, limit_of(values))


def limit_of(values: np.ndarray) -> float:
    return symmetry.tolerance(float(np.abs(values).max()))


def test_thousands_of_units_close_in_the_widest_row_are_counted_apart():
    """Units that one row cannot tell apart (they share its value) but another does: the
    count is every unit, found by splitting on the second row instead of comparing all
    pairs."""
    units, scale = 4096, 1000.0
    step = 1.5 * symmetry.tolerance(scale)  # apart, yet 4096 steps stay below the scale
    values = np.zeros((3, units), np.float32)
    values[0] = np.where(np.arange(units) < units // 2, 0.0, scale)  # the widest row
    values[1] = np.arange(units) * step  # each unit its own value
    assert symmetry.distinct_units(values) == units
