"""The forward and backward pass: the same numbers on one core or several, the activations'
in-place forms, and the draw cache it reads."""
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import initviz
from initviz.core import activations, blas, draws

FIELDS = ("preactivation", "activation", "grad_activation", "grad_preactivation",
          "grad_weight", "grad_bias")


def project(activation="tanh", loss="cross_entropy", batch=24, widths=(6, 9, 7, 5)):
    return initviz.Project.from_dict({
        "network": {"widths": list(widths), "activation": activation},
        "init": {"scheme": "normal", "params": {"std": 0.7},
                 "bias": {"scheme": "normal", "params": {"std": 0.2}}},
        "data": {"batch_size": batch, "seed": 5},
        "loss": loss,
    })


def lesson(activation: str, widths, batch: int, scheme: str = "xavier_normal"):
    """A network a class would look at: unit-scale signals, a small non-zero bias."""
    return initviz.Project.from_dict({
        "network": {"widths": list(widths), "activation": activation},
        "init": {"scheme": scheme, "bias": {"scheme": "normal", "params": {"std": 0.1}}},
        "data": {"batch_size": batch, "seed": 5},
    })


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def on_blas_threads(count: int, compute):
    """``compute()`` with BLAS on ``count`` threads (skipped where BLAS cannot have them)."""
    if count == 1:
        with blas.one_blas_thread():
            return compute()
    with threadpool_limits(count, user_api="blas"):
        if not blas_threads() or min(blas_threads()) < count:
            pytest.skip(f"BLAS here cannot use {count} threads ({blas_threads()})")
        return compute()


def assert_close_arrays(first, second, rtol: float) -> None:
    """Each array within ``rtol`` of its own largest value: a product's terms summed in
    another order differ by about √K·eps relative to that scale (K the summed length)."""
    scale = max(float(np.max(np.abs(first))), np.finfo(first.dtype).tiny)
    np.testing.assert_allclose(second, first, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("dtype, rtol", [
    # float32: eps 1.2e-7, sums of up to 256 terms (√256·eps = 2e-6) through four layers,
    # each of which can add its own rounding: 1e-4 leaves room, and still fails on any
    # real difference (a row or a layer computed otherwise)
    (np.float32, 1e-4),
    (np.float64, 1e-11),  # eps 2.2e-16, the same reasoning
], ids=["float32", "float64"])
def test_the_numbers_do_not_depend_on_blas_threads(dtype, rtol):
    """BLAS splits the products differently on one core and on two: the user must see the
    same histograms and statistics whatever machine the lesson runs on."""
    p = lesson("tanh", (256, 256, 256, 256, 10), batch=512)
    one = on_blas_threads(1, lambda: initviz.simulate(p, dtype=dtype))
    two = on_blas_threads(2, lambda: initviz.simulate(p, dtype=dtype))
    assert two.loss == pytest.approx(one.loss, rel=rtol)
    for a, b in zip(one.layers, two.layers, strict=True):
        np.testing.assert_array_equal(a.weight, b.weight)  # drawn, not multiplied
        for name in FIELDS:
            assert_close_arrays(getattr(a, name), getattr(b, name), rtol)


def test_training_curves_do_not_depend_on_blas_threads():
    """Twenty SGD steps: the loss and the update ratios the Training tab plots."""
    p = lesson("relu", (128, 256, 256, 10), batch=256, scheme="he_normal")

    def history():
        trainer = initviz.Trainer(p)
        trainer.step(20)
        return trainer.history

    one, two = on_blas_threads(1, history), on_blas_threads(2, history)
    # float32 roundings that compound over 20 steps at learning rate 0.1: 1e-3 relative
    np.testing.assert_allclose([r["loss"] for r in two], [r["loss"] for r in one], rtol=1e-3)
    np.testing.assert_allclose([r["update_ratio"] for r in two],
                               [r["update_ratio"] for r in one], rtol=1e-3)


def test_blas_limits_on_two_threads_restore_the_setting_after_the_last():
    before = blas_threads()
    if not before:
        pytest.skip("NumPy uses no BLAS that threadpoolctl can limit")
    inside, release = threading.Event(), threading.Event()

    def other():
        with blas.one_blas_thread():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with blas.one_blas_thread():
        thread.start()
        assert inside.wait(10)
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == [1] * len(before)  # the other block still runs
    release.set()
    thread.join(10)
    assert blas_threads() == before


@pytest.mark.parametrize("name", sorted(initviz.ACTIVATIONS))
def test_activation_shortcuts_write_the_formulas_numbers(name):
    entry = activations.resolve_activation(name)
    params = entry.resolve({})
    rng = np.random.default_rng(1)
    z = rng.standard_normal((16, 8), dtype=np.float32) * 3
    z[0, :3] = (0.0, np.inf, -np.inf)
    grad_a = rng.standard_normal(z.shape, dtype=np.float32)
    out = np.full_like(z, np.nan)
    with np.errstate(all="ignore"):  # inf in, NaN out: as in the pass
        a = entry.forward(z, **params)
        np.testing.assert_array_equal(entry.forward_into(z, out, params), a)
        expected = grad_a * entry.derivative(z, a, **params)
        np.testing.assert_array_equal(entry.chain_into(grad_a, z, a, out, params), expected)


def test_a_network_larger_than_the_cache_keeps_its_first_layers():
    """Plain LRU would evict each layer just before the next update asks for it: no hits."""
    cache = draws.DrawCache(budget_bytes=3 * 64 * 64 * 4)  # three of six layers' draws
    p = project("tanh", widths=(64,) * 7)
    p.update({"init.bias.scheme": "zeros"})
    initviz.simulate(p, cache=cache)
    for _ in range(3):
        hits = cache.hits
        initviz.simulate(p, cache=cache)
        assert cache.hits - hits == 3  # the batch and the first two layers' weights
    other_seed = p.copy()
    other_seed.update({"data.seed": 6})
    initviz.simulate(other_seed, cache=cache)
    hits = cache.hits
    initviz.simulate(other_seed, cache=cache)
    assert cache.hits - hits == 3  # the new seed's draws replaced the old ones
