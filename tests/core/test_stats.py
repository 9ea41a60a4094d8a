"""Summaries, histograms and warning badges: robust to inf/NaN, never a NumPy warning."""
import math

import numpy as np
import pytest

import initviz
from initviz.core import stats

pytestmark = pytest.mark.filterwarnings("error")  # any RuntimeWarning fails the test


def test_summary_ignores_and_counts_nonfinite_values():
    values = np.array([1.0, 2.0, 3.0, np.inf, -np.inf, np.nan], dtype=np.float32)
    record = stats.summary(values)
    assert record["nonfinite"] == 3 and record["count"] == 3
    assert record["mean"] == pytest.approx(2.0)
    assert record["std"] == pytest.approx(math.sqrt(2 / 3))
    assert (record["min"], record["max"]) == (1.0, 3.0)


def test_summary_of_nothing_finite_is_nan_not_a_warning():
    record = stats.summary(np.full((4, 5), np.nan))
    assert record["nonfinite"] == 20 and record["count"] == 0
    assert all(math.isnan(record[k]) for k in ("mean", "std", "min", "max"))


def test_summary_of_huge_float32_values_does_not_overflow():
    values = np.full(1000, 3e38, dtype=np.float32)
    record = stats.summary(values)
    assert record["mean"] == pytest.approx(3e38, rel=1e-6)
    assert record["std"] == pytest.approx(0, abs=1e33)


@pytest.mark.parametrize("size", [7, 1000, stats.CHUNK + 1025, 1 << 20])
@pytest.mark.parametrize("mean, std", [
    (0.0, 1.0), (0.5, 0.2), (1.0, 1e-4), (-1e3, 1.0), (0.0, 1e-9), (0.0, 1e-25), (0.0, 1e17),
], ids=["unit", "sigmoid-like", "mean-dominated", "large-offset", "tiny", "subnormal-squares",
        "squares-overflow-float32"])
def test_float32_summary_matches_float64_numpy(size, mean, std):
    """The float32 fast path (BLAS sums, chunked) against np.mean/np.std in float64."""
    values = (mean + std * np.random.default_rng(size).standard_normal(size)).astype(np.float32)
    exact = values.astype(np.float64)
    record = stats.summary(values.reshape(-1, 7) if size % 7 == 0 else values)
    assert record["std"] == pytest.approx(exact.std(), rel=1e-5)
    assert abs(record["mean"] - exact.mean()) <= 1e-5 * exact.std()
    assert (record["min"], record["max"]) == (values.min(), values.max())
    assert record["count"] == size and record["nonfinite"] == 0


def test_float32_summary_of_a_constant_is_exactly_that_constant():
    """Constant init: std 0, not rounding residue (what the lesson's caption says)."""
    for value in (0.0, 0.1, -3e5):
        record = stats.summary(np.full((300, 700), value, dtype=np.float32))
        assert record["std"] == 0.0 and record["mean"] == np.float32(value)


def test_float32_summary_counts_nonfinite_values_of_a_large_array():
    values = np.random.default_rng(3).standard_normal(3 * stats.CHUNK).astype(np.float32)
    values[[5, stats.CHUNK + 9, -1]] = [np.nan, np.inf, -np.inf]
    record = stats.summary(values)
    finite = values[np.isfinite(values)].astype(np.float64)
    assert record["nonfinite"] == 3 and record["count"] == finite.size
    assert record["std"] == pytest.approx(finite.std(), rel=1e-5)


@pytest.mark.parametrize("values", [
    np.full(100, 0.25),
    np.zeros(50),
    np.full(10, -1e6),
    np.array([np.nan, np.inf, -np.inf]),
    np.array([]),
    np.array([1.0, np.nan, 1.0, np.inf]),
    np.array([-np.inf, 5.0]),
], ids=["all-equal", "zeros", "large-equal", "no-finite", "empty", "equal-with-nan", "one-finite"])
def test_histogram_is_well_formed_for_degenerate_inputs(values):
    hist = stats.histogram(values, bins=20)
    assert len(hist["edges"]) == len(hist["counts"]) + 1 == 21
    assert np.all(np.diff(hist["edges"]) > 0)  # a drawable, non-empty range
    assert np.isfinite(hist["edges"]).all()
    finite = int(np.isfinite(values).sum())
    assert hist["counts"].sum() == hist["sample_size"] == finite
    assert hist["total"] == values.size


def test_histogram_counts_match_numpy_and_limits_are_shared():
    values = np.random.default_rng(0).standard_normal(5000)
    hist = stats.histogram(values, bins=30)
    counts, edges = np.histogram(values, bins=30)
    np.testing.assert_array_equal(hist["counts"], counts)
    np.testing.assert_allclose(hist["edges"], edges)
    fixed = stats.histogram(values, bins=10, limits=(-5.0, 5.0))
    assert fixed["edges"][0] == -5.0 and fixed["edges"][-1] == 5.0


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("magnitude", [1e-38, 1e-20, 1e-3, 1.0, 1e3, 1e20, 1e36])
def test_float32_binning_agrees_with_numpy_at_every_magnitude(magnitude):
    """The simulation's float32 samples are binned in float32 where that is exact enough,
    else in float64: at most a value or two next to an edge may land in the neighbour bin."""
    values = (np.random.default_rng(7).standard_normal(16384) * magnitude).astype(np.float32)
    wide = (float(values.min()), float(values.max()))
    for low, high in (wide, (-magnitude, 2 * magnitude), (0.5 * wide[0], 2 * wide[1])):
        counts, edges = stats.bin_counts(values, 48, low, high)
        expected, expected_edges = np.histogram(values.astype(np.float64), 48, (low, high))
        np.testing.assert_allclose(edges, expected_edges, rtol=1e-12)
        assert np.abs(counts - expected).sum() <= 4, (low, high)
        assert abs(int(counts.sum()) - int(expected.sum())) <= 2  # values outside: dropped
        known = stats.bin_counts(values, 48, low, high, sample_range=wide)[0]
        np.testing.assert_array_equal(known, counts)  # the sample's range, given or found


def test_float32_values_on_limits_beyond_float32_are_counted_without_a_warning():
    """An exploding run's values near float32's limit, on an axis widened past it (the
    Compare view's union of A and B, training's headroom): counted, no overflow warning."""
    values = np.array([-2.9e38, -1.1e38, 1e37, 2.1e38, 3.3e38], dtype=np.float32)
    for low, high in ((-4e38, 4e38), (-5.1e38, 5.1e38), (-1e39, 1e39)):  # none near an edge
        counts, _ = stats.bin_counts(values, 48, low, high)
        expected, _ = np.histogram(values.astype(np.float64), 48, (low, high))
        np.testing.assert_array_equal(counts, expected)


def test_histogram_of_a_large_array_states_its_sample_size():
    values = np.random.default_rng(1).standard_normal(300_000).astype(np.float32)
    hist = stats.histogram(values)
    assert hist["total"] == 300_000
    assert hist["sample_size"] == hist["counts"].sum()
    assert hist["sample_size"] <= stats.HISTOGRAM_SAMPLE and hist["sample_size"] < 300_000
    small = stats.histogram(values[:1000])
    assert small["sample_size"] == small["total"] == 1000


def _project(activation, scheme, params, bias=None, widths=(32, 64, 64, 10)):
    return initviz.Project.from_dict({
        "network": {"widths": list(widths), "activation": activation},
        "init": {"scheme": scheme, "params": params,
                 "bias": bias or {"scheme": "zeros", "params": {}}},
        "data": {"batch_size": 256},
    })


def test_tanh_saturates_with_huge_weights_and_not_with_small_ones():
    huge = initviz.simulate(_project("tanh", "normal", {"std": 10.0})).stats()["layers"]
    small = initviz.simulate(_project("tanh", "normal", {"std": 0.01})).stats()["layers"]
    for record in huge[:-1]:
        assert record["activation"]["saturated_fraction"] > 0.9
    for record in small[:-1]:
        assert record["activation"]["saturated_fraction"] == 0.0
    assert huge[-1]["activation"]["saturated_fraction"] == 0.0  # the output layer is linear


def test_relu_with_bias_minus_ten_is_all_dead():
    project = _project("relu", "he_normal", {}, {"scheme": "constant", "params": {"value": -10.0}})
    records = initviz.simulate(project).stats()["layers"]
    for record in records[:-1]:
        assert record["activation"]["dead_fraction"] == 1.0
    healthy = initviz.simulate(_project("relu", "he_normal", {})).stats()["layers"]
    assert healthy[0]["activation"]["dead_fraction"] == 0.0


def test_relu_is_never_saturated_and_tanh_never_dead_at_sane_init():
    records = initviz.simulate(_project("relu", "he_normal", {})).stats()["layers"]
    assert all(r["activation"]["saturated_fraction"] == 0.0 for r in records)
    records = initviz.simulate(_project("tanh", "xavier_normal", {})).stats()["layers"]
    assert all(r["activation"]["dead_fraction"] == 0.0 for r in records)
    assert all(r["activation"]["saturated_fraction"] < 0.05 for r in records)


def test_overflowing_network_is_counted_not_warned():
    project = _project("relu", "normal", {"std": 1e6}, widths=(32, 256, 256, 256, 256, 256, 10))
    sim = initviz.simulate(project)
    records = sim.stats()["layers"]
    assert sum(r["preactivation"]["nonfinite"] for r in records) > 0
    for layer in sim.layers:
        hist = stats.histogram(layer.grad_weight)
        assert len(hist["edges"]) == len(hist["counts"]) + 1


def test_stats_record_keys_follow_design_section_5():
    sim = initviz.simulate(_project("tanh", "xavier_normal", {}))
    result = sim.stats()
    assert set(result) >= {"loss", "layers"} and result["loss"] == sim.loss
    record = result["layers"][0]
    assert (record["layer"], record["fan_in"], record["fan_out"]) == (1, 32, 64)
    for quantity in ("weight", "preactivation", "grad_activation", "grad_weight"):
        assert {"mean", "std"} <= set(record[quantity])
    assert {"mean", "std", "saturated_fraction", "dead_fraction"} <= set(record["activation"])
    assert set(record["theory"]) == set(stats.THEORY_FIELDS)
    weight_std = float(np.std(sim.layers[0].weight, dtype=np.float64))
    assert record["weight"]["std"] == pytest.approx(weight_std)


@pytest.mark.parametrize(
    "limits", [(math.nan, math.nan), (-math.inf, math.inf), (2.0, -2.0), (1.0, 1.0)]
)
def test_histogram_with_unusable_shared_limits_falls_back_to_the_data(limits):
    values = np.random.default_rng(2).standard_normal(200)
    hist = stats.histogram(values, bins=12, limits=limits)
    assert len(hist["edges"]) == 13 and hist["counts"].sum() == 200
    assert hist["edges"][0] == values.min() and hist["edges"][-1] == values.max()
