"""Computations running at once share the memory budget instead of each having all of it."""
import gc

import pytest

from initviz import Project
from initviz.core import ledger, memory, network
from initviz.core.training import Trainer, training_estimate
from initviz.errors import Cancelled, ProjectError

PROJECT = Project({"network": {"widths": [64, 256, 256, 10]}, "data": {"batch_size": 256}})


def needs(estimate) -> int:
    return estimate(PROJECT.widths, PROJECT.batch_size)


def promised_elsewhere() -> int:
    """What computations left by earlier tests still hold (a window's idle Trainer)."""
    gc.collect()
    return ledger.promised_bytes()


@pytest.fixture
def budget_for_one_of_each(monkeypatch):
    """Room for a Trainer or a simulation of PROJECT, not for both at once."""
    simulation = needs(memory.simulation_estimate(PROJECT))
    training = needs(training_estimate(PROJECT))
    assert simulation < training
    before = promised_elsewhere()
    monkeypatch.setenv(memory.BUDGET_ENV, str(before + training + simulation // 2))
    yield before
    assert promised_elsewhere() == before


def test_a_live_trainer_leaves_the_rest_of_the_budget_to_others(budget_for_one_of_each):
    network.simulate(PROJECT)  # fits alone
    trainer = Trainer(PROJECT)
    with pytest.raises(ProjectError) as refused:
        network.simulate(PROJECT)
    assert "being in use by computations running now" in str(refused.value)
    trainer.step()  # the trainer itself goes on
    del trainer
    gc.collect()
    network.simulate(PROJECT)  # its memory is free again


def test_a_simulation_holds_its_share_while_it_runs_and_gives_it_back(budget_for_one_of_each):
    before, seen = budget_for_one_of_each, []

    def stop_after_looking() -> bool:
        seen.append(ledger.promised_bytes())
        return len(seen) > 3

    with pytest.raises(Cancelled):
        network.simulate(PROJECT, should_stop=stop_after_looking)
    assert seen[0] == before + needs(memory.simulation_estimate(PROJECT))
    assert ledger.promised_bytes() == before  # given back on the way out, cancelled or not


def test_two_that_fit_alone_but_not_together_are_not_both_let_through(monkeypatch):
    one = needs(memory.simulation_estimate(PROJECT))
    monkeypatch.setenv(memory.BUDGET_ENV, str(promised_elsewhere() + one * 3 // 2))
    with memory.promise_fits(PROJECT):
        with pytest.raises(ProjectError):
            memory.promise_fits(PROJECT)
    with memory.promise_fits(PROJECT):
        pass
