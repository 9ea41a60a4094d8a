"""Per-layer random streams and the unit-draw cache: what a teacher sees while dragging."""

import numpy as np
import pytest

import initviz
from initviz.core import draws


def project(**changes):
    base = {
        "network": {"widths": [20, 16, 16, 16, 4], "activation": "tanh"},
        "init": {"scheme": "normal", "params": {"std": 0.1}},
        "data": {"batch_size": 32, "seed": 3},
    }
    p = initviz.Project.from_dict(base)
    p.update(changes)
    return p


def test_changing_the_depth_keeps_the_other_layers_weights():
    shallow = initviz.simulate(project())
    deep = initviz.simulate(project(**{"network.widths": [20, 16, 16, 16, 16, 16, 4]}))
    for i in range(3):  # layers 1..3 have the same shapes in both
        np.testing.assert_array_equal(shallow.layers[i].weight, deep.layers[i].weight)


def test_changing_one_width_redraws_only_the_layers_it_touches():
    before = initviz.simulate(project())
    after = initviz.simulate(project(**{"network.widths": [20, 16, 12, 16, 4]}))
    np.testing.assert_array_equal(before.layers[0].weight, after.layers[0].weight)
    np.testing.assert_array_equal(before.layers[3].weight, after.layers[3].weight)
    assert after.layers[1].weight.shape == (16, 12)


@pytest.mark.parametrize("scheme, params, other", [
    ("normal", {"std": 0.1}, {"std": 0.3}),
    ("xavier_uniform", {"gain": 1.0}, {"gain": 5 / 3}),
    ("orthogonal", {"gain": 1.0}, {"gain": 2.0}),
])
def test_a_scale_slider_rescales_the_same_draw(scheme, params, other):
    a = initviz.simulate(project(**{"init.scheme": scheme, "init.params": params}))
    b = initviz.simulate(project(**{"init.scheme": scheme, "init.params": other}))
    key = next(iter(params))
    ratio = other[key] / params[key]
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_allclose(lb.weight, ratio * la.weight, rtol=1e-6, atol=1e-7)


def test_the_cache_changes_no_number():
    p = project(**{"init.scheme": "truncated_normal", "init.bias.scheme": "uniform"})
    cached = initviz.simulate(p, cache=draws.DrawCache())
    fresh = initviz.simulate(p, cache=None)
    assert cached.loss == fresh.loss
    for lc, lf in zip(cached.layers, fresh.layers):
        np.testing.assert_array_equal(lc.weight, lf.weight)
        np.testing.assert_array_equal(lc.bias, lf.bias)
        np.testing.assert_array_equal(lc.grad_weight, lf.grad_weight)


def test_a_repeated_simulation_hits_the_cache_and_returns_writable_weights():
    cache = draws.DrawCache()
    p = project()
    initviz.simulate(p, cache=cache)
    misses = cache.misses
    sim = initviz.simulate(p, cache=cache)
    assert cache.misses == misses and cache.hits == p.depth + 1  # weights + the batch
    sim.layers[0].weight[0, 0] = 1.0  # a fresh array, not the frozen draw
    assert initviz.simulate(p, cache=cache).layers[0].weight[0, 0] != 1.0


def test_the_cache_stays_within_its_budget():
    cache = draws.DrawCache(budget_bytes=64 * 1024)
    for seed in range(20):
        cache.get(("k", seed), lambda: np.zeros(4096, dtype=np.float32))  # 16 kB each
    assert cache._bytes <= 64 * 1024
    big = cache.get("big", lambda: np.zeros(100_000, dtype=np.float32))  # over half the budget
    assert big.size == 100_000 and "big" not in cache._items
