"""A new seed's layers drawn on several threads: the same weights, and nothing left running."""

import threading

import numpy as np
import pytest

import initviz
from initviz.core import network, threads

REAL_SAMPLE = network.schemes.sample


def large_project(scheme: str = "xavier_normal", seed: int = 7) -> initviz.Project:
    """Twelve layers of 256 x 256: drawing them is above network.PARALLEL_SAMPLING_NS."""
    return initviz.Project.from_dict({
        "network": {"widths": [256] * 12 + [10], "activation": "tanh"},
        "init": {"scheme": scheme, "bias": {"scheme": "uniform", "params": {"low": -0.1,
                                                                            "high": 0.1}}},
        "data": {"batch_size": 16, "seed": seed},
    })


def draw_on(monkeypatch, count: int, project: initviz.Project):
    """The weights and biases ``project`` gets with ``count`` drawing threads, and the
    names of the threads that drew them."""
    monkeypatch.setattr(threads, "available", lambda: count)
    drawn_on = set()
    # With two threads, each one's first draw waits for the other's: the helper is seen to
    # draw whatever the scheduler does (uniform draws are quick enough for this thread to
    # take every layer before a helper starts); without a helper the wait times out.
    meet = threading.Barrier(2) if count == 2 else None

    def sample(*args, **kwargs):
        name = threading.current_thread().name
        first = name not in drawn_on
        drawn_on.add(name)
        if first and meet is not None:
            try:
                meet.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
        return REAL_SAMPLE(*args, **kwargs)

    monkeypatch.setattr(network.schemes, "sample", sample)
    weights, biases = network.init_parameters(project, None)
    return weights, biases, drawn_on


@pytest.mark.parametrize("scheme", ["xavier_normal", "he_uniform", "truncated_normal",
                                    "orthogonal"])
def test_a_new_seed_drawn_on_several_threads_gives_the_same_weights(monkeypatch, scheme):
    project = large_project(scheme)
    one_w, one_b, one_threads = draw_on(monkeypatch, 1, project)
    many_w, many_b, many_threads = draw_on(monkeypatch, 2, project)
    assert len(one_threads) == 1
    assert len(many_threads) > 1, "a large new draw should use the helper threads"
    # Each layer draws from its own stream whatever thread runs it, and the scaling is
    # the same element-wise operation: the numbers are identical, not merely close.
    for a, b in zip(one_w + one_b, many_w + many_b):
        np.testing.assert_array_equal(a, b)


def test_a_small_network_is_drawn_on_the_calling_thread(monkeypatch):
    small = initviz.Project.from_dict({"network": {"widths": [8, 8, 2]}})
    _, _, drawn_on = draw_on(monkeypatch, 4, small)
    assert drawn_on == {threading.current_thread().name}


def test_items_come_back_in_order_and_no_helper_outlives_the_call():
    before = threading.active_count()
    assert threads.map_items(lambda x: x * x, list(range(50)), 4) == [x * x for x in range(50)]
    assert threading.active_count() == before


def test_an_error_on_a_helper_stops_the_others_and_reaches_the_caller():
    taken = []

    def work(item):
        taken.append(item)
        if item == 3:
            raise ValueError("layer 3 failed")
        threading.Event().wait(0.002)  # leave the failing item time to stop the rest
        return item

    before = threading.active_count()
    with pytest.raises(ValueError, match="layer 3 failed"):
        threads.map_items(work, list(range(200)), 3)
    assert len(taken) < 200, "after the error no thread should take a further item"
    assert threading.active_count() == before
