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


def test_a_trainer_that_fits_alone_waits_for_a_running_pass_instead_of_being_refused(
        budget_for_one_of_each):
    """An edit starts the Layers pass and the Training tab's reset at once; the window's
    reset waits for the pass to end (wait_s) rather than refusing what the budget holds."""
    import threading

    running = ledger.Promise(needs(memory.simulation_estimate(PROJECT)))  # the pass
    with pytest.raises(ProjectError):  # no wait: refused while the pass runs
        Trainer(PROJECT)
    threading.Timer(0.3, running.release).start()  # the pass ends
    trainer = Trainer(PROJECT, wait_s=10.0)
    assert trainer.memory.nbytes == needs(training_estimate(PROJECT))
    del trainer


def test_waiting_for_room_stops_when_asked_and_gives_up_in_time(budget_for_one_of_each):
    import time

    running = ledger.Promise(needs(memory.simulation_estimate(PROJECT)))
    try:
        with pytest.raises(Cancelled):  # a window closing does not wait out the pass
            Trainer(PROJECT, wait_s=10.0, should_stop=lambda: True)
        started = time.monotonic()
        with pytest.raises(ProjectError) as refused:  # still running after wait_s: refused
            Trainer(PROJECT, wait_s=0.3)
        assert 0.3 <= time.monotonic() - started < 5.0
        assert "being in use by computations running now" in str(refused.value)
    finally:
        running.release()
