"""The forward and backward pass split over threads by batch rows, and the cores it uses."""
import threading

import numpy as np
import pytest

import initviz
from initviz.core import activations, draws, network, parallel

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


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("activation", sorted(initviz.ACTIVATIONS))
def test_split_batch_gives_the_one_thread_numbers(activation, loss):
    """Every array and the loss, in float64: rows on 3 threads against one thread (whose
    gradients test_network checks against finite differences)."""
    p = project(activation, loss)
    alone = initviz.simulate(p, dtype=np.float64, threads=1)
    split = initviz.simulate(p, dtype=np.float64, threads=3)
    assert split.loss == pytest.approx(alone.loss, rel=1e-13)
    for one, three in zip(alone.layers, split.layers, strict=True):
        for name in FIELDS:
            np.testing.assert_allclose(getattr(three, name), getattr(one, name),
                                       rtol=1e-12, atol=1e-15, err_msg=name)


def test_same_split_same_numbers_bit_for_bit():
    """dL/dW sums the parts in a fixed order, whichever thread finishes first."""
    p = project("relu", batch=256, widths=(32, 64, 64, 10))
    first = initviz.simulate(p, threads=2)
    for _ in range(5):
        again = initviz.simulate(p, threads=2)
        assert again.loss == first.loss
        for a, b in zip(first.layers, again.layers, strict=True):
            for name in FIELDS:
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_large_networks_use_several_threads_and_small_ones_one():
    assert network.pass_threads(8, [5, 7, 6, 4]) == 1  # a training lesson's size
    big = network.pass_threads(512, [256] * 11)
    assert big == min(parallel.workers(), 512 // network.MIN_PART_ROWS)
    assert network.pass_threads(40, [2048] * 11) == 1  # two parts would have 20 rows


def test_a_failing_part_raises_its_error_and_leaves_no_thread_waiting(monkeypatch):
    """Part 2 fails in the forward pass; part 3 waits for part 2's dL/dW and must be let go."""
    p = project("relu", batch=30)
    real = activations.Activation.forward_into

    def forward_into(self, z, out, params):
        if threading.current_thread() is not threading.main_thread() and z.shape[0] == 10:
            raise MemoryError("no room for part 2")
        return real(self, z, out, params)

    monkeypatch.setattr(parallel, "workers", lambda: 3)
    monkeypatch.setattr(parallel, "_POOL", None)  # this test's own pool, shut down below
    monkeypatch.setattr(activations.Activation, "forward_into", forward_into)
    with pytest.raises(MemoryError, match="no room for part 2"):
        initviz.simulate(p, threads=3)
    parallel._POOL.shutdown()  # returns: no part is left waiting


def test_blas_limits_on_two_threads_restore_the_setting_after_the_last(monkeypatch):
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("NumPy uses no BLAS that threadpoolctl can limit")
    inside, release = threading.Event(), threading.Event()

    def other():
        with parallel.one_blas_thread():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with parallel.one_blas_thread():
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


def test_a_later_part_that_fails_raises_its_own_error_not_a_vague_one(monkeypatch):
    """With three parts, the part before the failing one stops too; the error raised must be
    the failure itself (a MemoryError the window and the CLI turn into advice)."""
    p = project("relu", batch=30)
    real = network.LOSSES_INTO["cross_entropy"]

    def loss_into(logits, labels, out, batch):
        first_row = (logits.ctypes.data - logits.base.ctypes.data) // logits.strides[0]
        if first_row == 20:  # the third part's rows
            raise MemoryError("no room for rows 20-30")
        return real(logits, labels, out, batch)

    monkeypatch.setitem(network.LOSSES_INTO, "cross_entropy", loss_into)
    monkeypatch.setattr(parallel, "workers", lambda: 3)
    monkeypatch.setattr(parallel, "_POOL", None)
    for _ in range(5):
        with pytest.raises(MemoryError, match="no room for rows 20-30"):
            initviz.simulate(p, threads=3)
    parallel._POOL.shutdown()


def test_an_interrupt_before_the_first_part_leaves_no_part_waiting(monkeypatch):
    """A KeyboardInterrupt while the parts are handed out (before part 0 has started) must
    let the parts already queued go: they waited for part 0 for good, and the pool with them."""
    p = project("tanh", batch=30)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "_POOL", None)
    pool = parallel.pool()
    calls = []

    class Interrupted:
        def submit(self, task):
            calls.append(task)
            if len(calls) % 2 == 0:
                raise KeyboardInterrupt
            return pool.submit(task)

    monkeypatch.setattr(parallel, "pool", lambda: Interrupted())
    for _ in range(3):  # more than the pool's threads: each stuck part would hold one
        with pytest.raises(KeyboardInterrupt):
            initviz.simulate(p, threads=3)
    monkeypatch.setattr(parallel, "pool", lambda: pool)
    finished = threading.Event()
    thread = threading.Thread(
        target=lambda: (initviz.simulate(p, threads=2), finished.set()), daemon=True)
    thread.start()
    assert finished.wait(30), "a pass waited for parts that never came"
    pool.shutdown()
