"""A long computation stops within one layer or step of being asked (``should_stop``), and
the Jacobian's SVD, which nothing can stop, is refused where it would take long."""
import math

import pytest

import initviz
from initviz.core import jacobian, network
from initviz.errors import Cancelled


class StopAfter:
    """A should_stop that lets ``allowed`` questions pass, then says stop; counts them all."""

    def __init__(self, allowed: float = math.inf):
        self.allowed = allowed
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.allowed


def project(widths, scheme="xavier_normal", batch=64, source="gaussian"):
    return initviz.Project({
        "network": {"widths": widths, "activation": "tanh"},
        "init": {"scheme": scheme}, "data": {"source": source, "batch_size": batch, "seed": 3},
    })


DEEP = [32] * 21
"""20 layers: a stop after the first must leave 19 undone."""


def test_simulate_asks_at_every_layer_of_the_draws_and_the_pass():
    gate = StopAfter()
    initviz.simulate(project(DEEP), should_stop=gate)
    depth = len(DEEP) - 1
    assert gate.asked >= 3 * depth  # each layer's draw, forward and backward


@pytest.mark.parametrize("allowed", [1, 20, 25])  # in the draws, forward, backward
def test_simulate_stops_at_the_first_question_after_the_request(allowed):
    gate = StopAfter(allowed)
    with pytest.raises(Cancelled):
        initviz.simulate(project(DEEP), should_stop=gate)
    assert gate.asked == allowed + 1  # not one more layer once it said stop


def test_training_stops_within_the_step_it_was_asked_in():
    gate = StopAfter()
    trainer = initviz.Trainer(project([2, 64, 64, 64, 2], source="moons"), should_stop=gate)
    trainer.step(3)
    gate.allowed = gate.asked + 2  # the next step's own question, then one layer
    with pytest.raises(Cancelled):
        trainer.step(50)
    assert trainer.steps <= 4  # 3, and at most the one step it was in


def test_the_jacobian_stops_between_its_steps():
    p = project([64] * 8, "orthogonal")
    assert jacobian.jacobian_spectrum(p).singular_values.size > 0
    for allowed in (1, 8, 14, 22):  # in the draws, the slopes, the products, the SVDs
        gate = StopAfter(allowed)
        with pytest.raises(Cancelled):
            jacobian.jacobian_spectrum(p, should_stop=gate)
        assert gate.asked == allowed + 1


def test_a_2048_wide_jacobian_is_refused_at_once_with_the_width_and_the_limit(monkeypatch):
    """Its SVD (3.4e10 flops) took 17.6 s, and one LAPACK call cannot be stopped: a window
    closing waited for it. Nothing is drawn: the refusal comes before any work."""
    def no_work(*args, **kwargs):
        raise AssertionError("the weights were drawn for a Jacobian that is refused")

    monkeypatch.setattr(network, "init_parameters", no_work)
    spectrum = jacobian.jacobian_spectrum(project([2048, 2048]))
    assert spectrum.singular_values.size == 0
    assert "not computed" in spectrum.note and "2048×2048" in spectrum.note
    assert "limit 4.5" in spectrum.note


def test_below_the_limit_the_jacobian_is_computed():
    """1024×1024 (about 1 s here) stays within the limit; a small one is computed."""
    assert jacobian.svd_flops([1024, 1024]) <= jacobian.SVD_FLOP_LIMIT
    spectrum = jacobian.jacobian_spectrum(project([256, 64, 256], "orthogonal"), jacobian.DATA)
    assert spectrum.note == ""
    assert spectrum.singular_values.size == 256 * len(spectrum.ranks) > 0
