"""Input batches: deterministic for a seed, the right shapes, unit variance, labels in range."""
import numpy as np
import pytest

import initviz
from initviz.core.data import SOURCES, make_batch

TWO_CLASS = {"moons", "circles", "xor"}


def shape_for(source):
    """(n_inputs, n_classes) each source accepts."""
    if SOURCES[source].two_d:
        return 2, 2 if source in TWO_CLASS else 5
    if SOURCES[source].inputs is not None:  # a real data set: its own pixels and classes
        return SOURCES[source].inputs, SOURCES[source].classes
    return 30, 7


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_deterministic_shapes_and_labels_in_range(source):
    n_inputs, n_classes = shape_for(source)
    inputs, labels = make_batch(source, 400, n_inputs, n_classes, seed=11)
    again, again_labels = make_batch(source, 400, n_inputs, n_classes, seed=11)
    other, _ = make_batch(source, 400, n_inputs, n_classes, seed=12)
    assert inputs.shape == (400, n_inputs) and inputs.dtype == np.float32
    assert labels.shape == (400,) and labels.dtype == np.int64
    np.testing.assert_array_equal(inputs, again)
    np.testing.assert_array_equal(labels, again_labels)
    assert not np.array_equal(inputs, other)
    assert labels.min() >= 0 and labels.max() < n_classes
    assert set(np.unique(labels)) == set(range(n_classes))  # every class appears in 400 points
    assert np.isfinite(inputs).all()
    assert 0.2 < float(inputs.std()) < 3.0  # on the scale the inits assume
    assert make_batch(source, 400, n_inputs, n_classes, 11, np.float64)[0].dtype == np.float64


@pytest.mark.parametrize("source", ["gaussian", "uniform"])
def test_noise_sources_have_zero_mean_and_unit_variance(source):
    inputs, _ = make_batch(source, 2000, 100, 10, seed=0, dtype=np.float64)
    assert abs(inputs.mean()) < 0.01
    assert inputs.var() == pytest.approx(1.0, rel=0.02)
    if source == "uniform":
        assert np.abs(inputs).max() <= np.sqrt(3.0)


@pytest.mark.parametrize("source", sorted(s for s in SOURCES if SOURCES[s].two_d))
def test_two_d_sets_refuse_other_input_widths(source):
    with pytest.raises(initviz.ProjectError, match=r"network\.widths\[0\] must be 2"):
        make_batch(source, 10, 3, 2, seed=0)
    with pytest.raises(initviz.ProjectError, match=r"network\.widths\[0\] must be 2"):
        initviz.Project.from_dict({"network": {"widths": [784, 10, 2]}, "data": {"source": source}})


@pytest.mark.parametrize("source", sorted(TWO_CLASS))
def test_two_class_sets_refuse_other_output_widths(source):
    with pytest.raises(initviz.ProjectError, match=r"network\.widths\[-1\] must be 2"):
        initviz.Project.from_dict({"network": {"widths": [2, 10, 3]}, "data": {"source": source}})


def test_the_simulation_batch_is_the_data_sources_batch():
    project = initviz.Project.from_dict({"network": {"widths": [2, 8, 3]},
                                         "data": {"source": "spiral", "batch_size": 64, "seed": 4}})
    sim = initviz.simulate(project)
    inputs, labels = make_batch("spiral", 64, 2, 3, seed=4)
    np.testing.assert_array_equal(sim.inputs, inputs)
    np.testing.assert_array_equal(sim.labels, labels)


def test_unknown_source_lists_the_names():
    with pytest.raises(initviz.ProjectError, match="data.source must be one of gaussian, uniform"):
        make_batch("mnist", 10, 2, 2, seed=0)
