"""Gradients that are float32 rounding of an exact zero are flagged, and only those."""
from pathlib import Path

import numpy as np
import pytest

import initviz
from initviz.core import residue, stats

pytestmark = pytest.mark.filterwarnings("error")  # any RuntimeWarning fails the test
LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def lesson(name: str) -> initviz.Project:
    return initviz.Project.load(LESSONS / f"{name}.json")


def test_constant_init_hidden_gradients_are_residue_and_keep_their_exact_statistics():
    """Identical output-weight columns: dL/da = Σⱼ(softmaxⱼ − yⱼ)·w = 0 in exact arithmetic."""
    sim = initviz.simulate(lesson("02_constant_init"))
    records = sim.stats()["layers"]
    for record, layer in zip(records[:-1], sim.layers[:-1], strict=True):
        for name in residue.GRADIENTS:
            assert record[name]["rounding_residue"] is True, (layer.index, name)
        assert np.abs(layer.grad_activation).max() > 0  # not zero in float32: residue
        exact = stats.summary(layer.grad_activation)  # the statistics are still the values'
        assert record["grad_activation"]["std"] == exact["std"]
    last = records[-1]
    assert not any(last[name]["rounding_residue"] for name in residue.GRADIENTS)


@pytest.mark.parametrize("name", ["03_too_small_normal", "05_xavier_tanh", "01_zero_init_symmetry"])
def test_measured_gradients_are_not_residue(name):
    """Vanishing gradients are tiny but measured; zero init's are exactly zero, not residue."""
    records = initviz.simulate(lesson(name)).stats()["layers"]
    assert not any(r[q]["rounding_residue"] for r in records for q in residue.GRADIENTS)


def test_the_rule_does_not_depend_on_the_gradients_scale():
    project = lesson("02_constant_init")
    sim = initviz.simulate(project)
    flags = residue.residue_layers(sim.layers)
    # the same network with every loss gradient 1e-20 times smaller: the same verdict
    for layer in sim.layers:
        for name in residue.GRADIENTS[1:] + ("grad_activation",):
            setattr(layer, name, getattr(layer, name) * np.float32(1e-20))
    assert residue.residue_layers(sim.layers) == flags == [True, True, True, False]


@pytest.mark.parametrize("seed", range(3))
def test_the_floor_bounds_float32_rounding_of_the_product(seed):
    rng = np.random.default_rng(seed)
    grad = rng.normal(0.0, 1e-3, (256, 10)).astype(np.float32)
    weight = rng.normal(0.0, 0.3, (64, 10)).astype(np.float32)
    weight[:, 1:] = weight[:, :1]  # identical columns, as after constant init
    grad -= grad.mean(axis=1, keepdims=True)  # rows summing to ~0, as softmax − onehot
    product = grad @ weight.T
    exact = grad.astype(np.float64) @ weight.T.astype(np.float64)
    error = np.abs(product - exact).max()
    floor = residue.rounding_floor(grad, weight)
    assert 0 < error <= floor
    assert np.abs(product).max() <= floor  # zero but for rounding: within the floor
    distinct = rng.normal(0.0, 0.3, (64, 10)).astype(np.float32)  # a measured product
    assert np.abs(grad @ distinct.T).max() > 100 * residue.rounding_floor(grad, distinct)
