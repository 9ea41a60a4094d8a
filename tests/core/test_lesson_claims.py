"""Every number a lesson's notes read out, checked against the app's own numbers.

A teacher reads the notes aloud in front of a class, so a note the plots contradict
teaches the wrong thing. Each lesson file has one claims function here (a file without
one fails the suite). It first checks that the note still says the phrase it verifies,
so editing a note sends you to its test, then computes the figure from ``simulate`` or
the ``Trainer`` and compares.

Tolerances: the notes give rounded figures read from one seed's finite-width sample,
and the numbers come from float32 BLAS, whose last bits differ between CPU kernels.
A claim is checked to the precision it is written with, never to the last bit.
The phase claims (χ₁) live in ``test_lesson_phase_claims.py``.
"""
from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest

import initviz
from initviz.lessons import lessons_dir, load_lesson

ABOUT = 0.15
"""'about 2.9×', 'std ≈ 2': a two-digit figure read off one seed's sample; layer-to-layer
scatter is a few %, a different BLAS kernel moves only the last bits."""
ONE_DIGIT = 0.25
"""'about 4e-5', 'two million': written with one significant digit."""
LESSON_FILES = sorted(lessons_dir().glob("*.json"))
ELSEWHERE = ("13_batchnorm_bad_init", "14_residual_depth", "15_digits_depth_20")
"""Lessons whose claims live in test_lesson_claims_architecture.py (this file's helpers)."""


class Note:
    """A lesson's notes and the claims in them that the app's numbers contradict.

    Claims are collected rather than raised one at a time, so a changed setting reports
    every sentence it falsified at once.
    """

    def __init__(self, text: str):
        self.text = text
        self.failures: list[str] = []

    def says(self, phrase: str) -> bool:
        if phrase in self.text:
            return True
        self.failures.append(f"the note no longer says {phrase!r}: update its claims test")
        return False

    def agrees(self, phrase: str, measured: float, claimed: float, rel: float = ABOUT) -> None:
        """The note says ``phrase``, which claims ``claimed``; the app measures ``measured``."""
        if self.says(phrase) and not abs(measured - claimed) <= rel * abs(claimed):
            self.failures.append(
                f"the note says {phrase!r} (≈ {claimed:g}), the app measures {measured:.3g}")

    def between(self, phrase: str, measured: float, low: float, high: float) -> None:
        if self.says(phrase) and not low <= measured <= high:
            self.failures.append(
                f"the note says {phrase!r} ({low:g} to {high:g}), the app measures {measured:.3g}")


def project(key: str, edits: dict | None = None) -> initviz.Project:
    result = load_lesson(key)
    result.update(edits or {})
    return result


@functools.cache
def _simulation(key: str, edits_json: str) -> initviz.Simulation:
    return initviz.simulate(project(key, json.loads(edits_json)))


def sim(key: str, edits: dict | None = None) -> initviz.Simulation:
    return _simulation(key, json.dumps(edits or {}, sort_keys=True))


def stds(simulation, field: str) -> np.ndarray:
    """Per-layer std of ``field`` (index 0 is layer 1), in float64."""
    return np.array([np.std(getattr(layer, field), dtype=np.float64)
                     for layer in simulation.layers])


def theory_std(simulation, field: str) -> np.ndarray:
    """The dashed line: √ of the theory's variance per layer, from the stats records."""
    return np.sqrt([record["theory"][field] for record in simulation.stats()["layers"]])


def per_layer(values: np.ndarray, first: int, last: int) -> float:
    """The geometric-mean factor per layer going from index ``first`` to ``last`` (either way)."""
    return float((values[last] / values[first]) ** (1.0 / abs(last - first)))


def trained(key: str, steps: int, edits: dict | None = None) -> initviz.Trainer:
    trainer = initviz.Trainer(project(key, edits))
    trainer.step(steps)
    return trainer


# --- one claims function per lesson file -------------------------------------------------


def claims_01_zero_init_symmetry(note: Note) -> None:
    key = "01_zero_init_symmetry"
    s = sim(key)
    hidden = s.layers[:-1]
    # Exact zeros: products and sums of exact zeros are exactly 0 in IEEE arithmetic.
    note.says("every hidden unit outputs exactly 0 for every input")
    assert all(not layer.activation.any() for layer in hidden)
    note.says("dead 100%")
    assert [r["activation"]["dead_fraction"] for r in s.stats()["layers"][:-1]] == [1.0] * 3
    note.says("∂L/∂W is 0 in every layer, the output layer included")
    assert all(not layer.grad_weight.any() for layer in s.layers)
    note.says("Only the output bias gets a gradient")
    assert all(not layer.grad_bias.any() for layer in hidden)
    assert np.abs(s.layers[-1].grad_bias).max() > 1e-4
    trainer = trained(key, 20)
    assert all(not w.any() for w in trainer.weights), "a weight left zero"
    assert all(not b.any() for b in trainer.biases[:-1]) and trainer.biases[-1].any()
    note.says("the symmetry readout stays at 1 distinct neuron per layer")
    assert trainer.distinct_neurons() == [1, 1, 1]
    note.says("change only the weight scheme to xavier_normal and the picture comes alive")
    alive = sim(key, {"init.scheme": "xavier_normal"})
    assert trained(key, 0, {"init.scheme": "xavier_normal"}).distinct_neurons() == [32, 32, 32]
    assert stds(alive, "activation")[:-1].min() > 0.1


def claims_02_constant_init(note: Note) -> None:
    key = "02_constant_init"
    s = sim(key)
    hidden = s.layers[:-1]
    note.says("all 32 units of a layer output the same value for a given sample")
    for layer in hidden:
        spread = np.ptp(layer.activation, axis=1).max()
        # Identical columns in exact arithmetic; float32 BLAS may sum them in different
        # orders, a few ulps (2^-24 ≈ 6e-8 relative) over a 64-term sum.
        assert spread <= 1e-5 * np.abs(layer.activation).max(), spread
    note.says("the output layer's ∂L/∂W is real")
    real = np.std(s.layers[-1].grad_weight, dtype=np.float64)
    assert real > 1e-3
    note.says("the gradients of the hidden layers are exactly zero")
    note.says("float32 rounding residue")
    # 0.1·Σⱼ(softmaxⱼ − yⱼ) = 0 exactly; float32 leaves the rounding of a 10-term sum of O(0.1)
    # numbers, ~1e-8 of it, which cannot be mistaken for a gradient of the output's size.
    residue = max(np.abs(layer.grad_weight).max() for layer in hidden)
    assert residue <= 1e-5 * real, residue
    note.says("(around 1e-11)")
    assert max(np.std(layer.grad_preactivation, dtype=np.float64) for layer in hidden) < 1e-9
    trainer = trained(key, 0)
    before = np.abs(trainer.simulation.layers[-2].grad_preactivation).max()
    after = trainer.step(1).layers[-2].grad_preactivation
    note.says("After the first training step the output columns differ")
    assert np.abs(after).max() > 1e3 * max(before, 1e-12)
    note.says("they are the same for every unit of a layer")
    assert np.ptp(after, axis=1).max() <= 1e-5 * np.abs(after).max()
    note.says("shows 1/32 distinct neurons per layer, whatever you train")
    trainer.step(49)
    assert trainer.distinct_neurons() == [1, 1, 1]


def claims_03_too_small_normal(note: Note) -> None:
    s = sim("03_too_small_normal")
    z, g, gw = stds(s, "preactivation"), stds(s, "grad_preactivation"), stds(s, "grad_weight")
    note.agrees("256·0.01² = 0.0256", per_layer(z, 0, 8) ** 2, 0.0256)
    note.agrees("the std shrinks about 6× per layer", 1 / per_layer(z, 0, 8), 6)
    note.says("measured on top of the dashed theory")
    np.testing.assert_allclose(z, theory_std(s, "preactivation_var"), rtol=0.05)
    note.agrees("∂L/∂z falls about 6× per layer from the output back", per_layer(g, 0, 8), 6)
    for value in gw[:-1]:
        note.between("about 2e-10 in every hidden layer", value, 1.5e-10, 2.5e-10)
    note.agrees("the first as much as the last", gw[0] / gw[8], 1.0)


def claims_04_too_large_normal(note: Note) -> None:
    s = sim("04_too_large_normal")
    z, g, gw = stds(s, "preactivation"), stds(s, "grad_preactivation"), stds(s, "grad_weight")
    for value in z[:-1]:
        note.agrees("pre-activations have std about 16", value, 16, rel=0.1)
    for record in s.stats()["layers"][:-1]:
        note.between("the saturated badge near 90 %",
                     record["activation"]["saturated_fraction"], 0.85, 0.95)
    note.says("the gradients do not vanish, they grow toward the input")
    note.agrees("∂L/∂z grows about 2.9× per layer going back", per_layer(g, 8, 0), 2.9)
    note.agrees("from 1e-3 at layer 9", g[8], 1e-3, rel=ONE_DIGIT)
    note.agrees("to 5 at layer 1", g[0], 5, rel=ONE_DIGIT)
    note.agrees("∂L/∂W is 83 at layer 1", gw[0], 83)
    note.agrees("against 0.015 at layer 9", gw[8], 0.015)
    slope_sq = np.mean([np.mean((1.0 - layer.activation.astype(np.float64) ** 2) ** 2)
                        for layer in s.layers[1:-1]])  # tanh' = 1 − tanh²
    note.agrees("256·1·0.034", slope_sq, 0.034)
    note.agrees("≈ 8.7: the weights are so large", per_layer(g, 8, 0) ** 2, 8.7)


def claims_05_xavier_tanh(note: Note) -> None:
    key = "05_xavier_tanh"
    s = sim(key)
    z, g = stds(s, "preactivation"), stds(s, "grad_preactivation")
    note.agrees("the pre-activation std falls from 1", z[0], 1.0, rel=0.05)
    note.agrees("to about 0.26", z[8], 0.26)
    note.agrees("∂L/∂z shrinks about 3.5× from layer 9 back to layer 1", g[8] / g[0], 3.5)
    note.says("the dashed theory follows the measurement")
    np.testing.assert_allclose(z, theory_std(s, "preactivation_var"), rtol=0.05)
    np.testing.assert_allclose(g, theory_std(s, "grad_preactivation_var"), rtol=0.1)
    deep = stds(sim(key, {"network.widths": [256] * 100 + [10]}), "preactivation")
    note.agrees("the std is still about 0.08 at layer 99", deep[98], 0.08)
    # A power law q_l ∝ 1/l: doubling the depth costs 1/√2 of the std, not another factor e^(-l/ξ).
    note.agrees("a slow power-law decline", deep[98] / deep[49], math.sqrt(50 / 99))
    too_small = stds(sim("03_too_small_normal"), "preactivation")
    note.agrees("'too small' is down to 1e-8 by layer 10", too_small[9], 1e-8, rel=ONE_DIGIT)
    note.agrees("steps down about 4× at the output layer", g[9] / g[8], 4)


def claims_06_xavier_vs_he_relu(note: Note) -> None:
    key = "06_xavier_vs_he_relu"
    s = sim(key)
    z, g = stds(s, "preactivation"), stds(s, "grad_preactivation")
    note.agrees("the std falls about 0.71× (1/√2) per layer", per_layer(z, 0, 28), 0.71)
    note.agrees("about 4e-5 at layer 29", z[28], 4e-5, rel=ONE_DIGIT)
    theory = theory_std(s, "preactivation_var")
    note.agrees("the theory says 2^-14 ≈ 6e-5 there", theory[28], 2.0**-14, rel=0.05)
    note.says("the measured line runs a little below it")
    assert theory[28] / 3 < z[28] < theory[28]
    note.agrees("The gradient line falls the same way toward the input", per_layer(g, 28, 0), 0.71)
    he = stds(sim(key, {"init.scheme": "he_normal"}), "preactivation")
    note.between("the std stays between 0.8 and 1.5 over all 30 layers", he.min(), 0.8, 1.5)
    note.between("the std stays between 0.8 and 1.5 over all 30 layers", he.max(), 0.8, 1.5)
    note.says("The Compare tab shows both")
    assert project(key).view["compare"]["init"]["scheme"] == "he_normal"


def claims_07_sigmoid_kumar(note: Note) -> None:
    key = "07_sigmoid_kumar"
    s, xavier = sim(key), sim(key, {"init.scheme": "xavier_normal"})
    z, g, gw = stds(s, "preactivation"), stds(s, "grad_preactivation"), stds(s, "grad_weight")
    zx, gx = stds(xavier, "preactivation"), stds(xavier, "grad_preactivation")
    for value in zx[1:-1]:
        note.agrees("the forward pass holds (std about 0.5 from layer 2 on)", value, 0.5)
    note.agrees("the backward pass loses about 4× per layer", per_layer(gx, 8, 0), 1 / 4)
    note.agrees("about two million times smaller than layer 10's", gx[9] / gx[0], 2e6,
                rel=ONE_DIGIT)
    # 65 536 draws: the sample std is within 1 % of the scheme's.
    note.agrees("= 12.8/fan_in", stds(s, "weight")[1] ** 2 * 256, 12.8, rel=0.02)
    note.agrees("(std ≈ 0.22 for fan_in 256)", stds(s, "weight")[1], 0.22, rel=0.05)
    for value in z[1:-1]:
        note.agrees("the pre-activations widen to std ≈ 2", value, 2)
    note.agrees("(3.6 at layer 1", z[0], 3.6)
    note.agrees("where 22 % of the units saturate",
                s.stats()["layers"][0]["activation"]["saturated_fraction"], 0.22)
    note.agrees("layer 1's gradients come out about 3000 times larger than with Xavier",
                gw[0] / stds(xavier, "grad_weight")[0], 3000)
    note.agrees("the gradient still grows about 1.7× per layer toward the output",
                per_layer(g, 0, 8), 1.7)


def claims_08_selu_lecun(note: Note) -> None:
    key = "08_selu_lecun"
    s = sim(key)
    a, g = stds(s, "activation"), stds(s, "grad_preactivation")
    note.says("mean 0 and std 1 (within 3 %) over 20 layers")
    assert np.abs(a[:-1] - 1).max() <= 0.03
    assert max(abs(np.mean(layer.activation, dtype=np.float64)) for layer in s.layers[:-1]) <= 0.03
    note.agrees("∂L/∂z grows about 1.8× from layer 19 back to layer 1", g[0] / g[18], 1.8)
    # The measured slope² per layer against χ₁: the finite-width sample, not the theory, limits it.
    note.agrees("√1.07 ≈ 1.03 per layer", per_layer(g, 18, 0), 1.03, rel=0.01)
    he = sim(key, {"init.scheme": "he_normal"}).layers[18].activation
    note.agrees("the activation std climbs to about 6", np.std(he, dtype=np.float64), 6)
    note.agrees("and the mean to about 3 by layer 19", np.mean(he, dtype=np.float64), 3)
    note.says("xavier_normal or xavier_uniform would change nothing here")
    for scheme in ("xavier_normal", "xavier_uniform"):
        other = stds(sim(key, {"init.scheme": scheme}), "weight")[1:-1]
        np.testing.assert_allclose(other, 1 / 16, rtol=0.02)  # 65 536 draws: std within 1 %
        np.testing.assert_allclose(stds(sim(key, {"init.scheme": scheme}), "activation")[:-1],
                                   1.0, atol=0.03)


def input_share(layer) -> float:
    """How much of a layer's pre-activation variance changes with the input (the rest is
    a per-unit offset that is the same for every sample)."""
    z = layer.preactivation.astype(np.float64)
    return float(np.mean(np.var(z, axis=0)) / np.var(z))


def claims_09_pytorch_default(note: Note) -> None:
    key = "09_pytorch_default"
    s = sim(key)
    z = stds(s, "preactivation")
    note.agrees("Var(W) = 1/(3·fan_in)", stds(s, "weight")[1] ** 2 * 3 * 256, 1.0, rel=0.02)
    no_bias = stds(sim(key, {"init.bias.scheme": "zeros"}), "preactivation")
    note.agrees("about √3 ≈ 1.7", 1 / per_layer(no_bias, 2, 8), math.sqrt(3), rel=0.05)
    note.says("a little more in the first layers")
    assert z[0] / z[1] > math.sqrt(3) and z[1] / z[2] > math.sqrt(3)
    for value in z[6:9]:
        note.agrees("levels off at about 0.044 from layer 7 on", value, 0.044, rel=0.1)
    bias_std = s.stats()["layers"][1]["bias"]["std"]
    # 256 draws of U(±1/16): the sample std is within about 5 % of 1/√768.
    note.agrees("1/√(3·256) ≈ 0.036", bias_std, 0.036, rel=0.1)
    note.agrees("0.036·√1.5 ≈ 0.044", theory_std(s, "preactivation_var")[8], 0.044, rel=0.05)
    note.between("at layer 9 less than 2 % of a unit's variance still changes with the input",
                 input_share(s.layers[8]), 0.0, 0.02)
    note.agrees("the line keeps falling, about 1.7× per layer", 1 / per_layer(no_bias, 2, 8), 1.7)
    note.agrees("to 0.003 at the output", no_bias[9], 0.003, rel=ONE_DIGIT)


def claims_10_lsuv_tanh(note: Note) -> None:
    key = "10_lsuv_tanh"
    s = sim(key)
    # LSUV stops once |Var(z) − 1| < tol = 0.1: the std is within √0.9 … √1.1.
    for activation in ("tanh", "relu"):
        z = stds(sim(key, {"network.activation": activation}), "preactivation")
        note.between("every layer has std 1 by construction, whatever the activation (try relu)",
                     z.min(), math.sqrt(0.9), math.sqrt(1.1))
        assert z.max() <= math.sqrt(1.1)
    g = stds(s, "grad_preactivation")
    note.agrees("∂L/∂z still grows about 3× from layer 14 back to layer 1", g[0] / g[13], 3)
    note.agrees("the rescaled weights, std about 0.1", stds(s, "weight")[1:-1].mean(), 0.1)
    for edits in ({"data.batch_size": 128}, {"data.source": "uniform"}):
        change = [np.linalg.norm(b.weight - a.weight) / np.linalg.norm(a.weight)
                  for a, b in zip(s.layers, sim(key, edits).layers, strict=True)]
        note.between("by under 0.5 % in the hidden layers", max(change[:-1]), 1e-5, 0.005)
        note.between("about 2 % in the 10-unit output layer", change[-1], 0.0, 0.03)


def claims_11_moons_training(note: Note) -> None:
    key = "11_moons_training"
    he = trained(key, 100)
    note.agrees("the loss falls from about 1.5", he.history[0]["loss"], 1.5)
    note.says("to near 0")
    assert he.history[-1]["loss"] < 0.05
    note.says("within about 100 steps (the training accuracy reaches 100 %)")
    assert he.history[-1]["accuracy"] == 1.0  # a count of correct labels over the batch
    assert he.evaluate()["test_accuracy"] >= 0.95
    zeros = trained(key, 100, {"init.scheme": "zeros"})
    # Only the output bias learns; it chases each minibatch's class balance by a few 0.01.
    for record in zeros.history:
        note.agrees("the loss stays at log 2 ≈ 0.69", record["loss"], math.log(2), rel=0.05)
    note.between("the test accuracy at chance", zeros.evaluate()["test_accuracy"], 0.4, 0.6)
    note.says("every hidden layer keeps one distinct neuron")
    assert zeros.distinct_neurons() == [1, 1]


def claims_12_fan_in_or_fan_out(note: Note) -> None:
    key = "12_fan_in_or_fan_out"
    lecun = sim(key)
    compare = project(key).view["compare"]["init"]
    fan_out = sim(key, {"init.scheme": compare["scheme"], "init.params": compare["params"]})
    glorot = sim(key, {"init.scheme": "xavier_normal"})
    note.says("LeCun (lecun_normal, Var(W) = 1/fan_in)")
    np.testing.assert_allclose(stds(lecun, "weight")[:2], [1 / 8, 1 / 32], rtol=0.02)
    # A product of seven random matrices drifts a few % from the mean-field value.
    for value in stds(lecun, "preactivation"):
        note.agrees("the pre-activation std stays at 1 in every layer", value, 1.0, rel=0.1)
    g = stds(lecun, "grad_preactivation")
    note.says("(√(1024/64) = 4)")
    for wide in (0, 2, 4):  # layers 1, 3, 5 are 1024 wide; their neighbours 64
        for narrow in (wide - 1, wide + 1):
            if narrow >= 0:
                note.agrees("4× smaller in each 1024-wide layer than in the 64-wide ones",
                            g[narrow] / g[wide], 4)
    note.says("Var(W) = 1/fan_out (variance_scaling, mode fan_out)")
    assert compare == {"scheme": "variance_scaling", "params": {"mode": "fan_out"}}
    flat = stds(fan_out, "grad_preactivation")
    note.agrees("a flat gradient line", flat.max() / flat.min(), 1.0)
    for wide in (0, 2, 4):
        note.agrees("drops to 0.25 in each wide layer", stds(fan_out, "preactivation")[wide], 0.25)
    note.says("Try xavier_normal, Glorot's Var(W) = 2/(fan_in+fan_out)")
    zg, gg = stds(glorot, "preactivation"), stds(glorot, "grad_preactivation")
    for block in (0, 2):
        note.agrees("both curves halve every 64→1024→64 block", zg[block + 2] / zg[block], 0.5)
        note.agrees("both curves halve every 64→1024→64 block", gg[block + 1] / gg[block + 3], 0.5)
    relu = {"network.activation": "relu", "init.scheme": "he_normal"}
    he_in, he_out = sim(key, relu), sim(key, {**relu, "init.params": {"mode": "fan_out"}})
    note.says("he_normal gives the flat forward line again")
    note.says("its mode fan_out gives the flat backward line")
    # 'Flat' against a zigzag of ×4: within 1.5× over the net, where the other pass spans over 3×.
    passes = (("preactivation", "grad_preactivation"), ("grad_preactivation", "preactivation"))
    for run, (flat, zigzag) in zip((he_in, he_out), passes, strict=True):
        flat_line, zigzag_line = stds(run, flat), stds(run, zigzag)
        assert flat_line.max() / flat_line.min() < 1.5 < 3 < zigzag_line.max() / zigzag_line.min()
    note.says("forward variance follows fan_in, backward follows fan_out")


CLAIMS = {
    name.removeprefix("claims_"): function
    for name, function in globals().items() if name.startswith("claims_")
}


@pytest.mark.parametrize("path", [p for p in LESSON_FILES if p.stem not in ELSEWHERE],
                         ids=lambda path: path.stem)
def test_lesson_notes_agree_with_the_app(path):
    assert path.stem in CLAIMS, (
        f"{path.name} has no claims function: add claims_{path.stem} to {__name__}, "
        "checking every number its notes read out")
    note = Note(initviz.Project.load(path).notes)
    CLAIMS[path.stem](note)
    assert not note.failures, f"{path.name}:\n" + "\n".join(note.failures)


def test_every_claims_function_has_its_lesson():
    """A renamed lesson file must not leave its claims behind, unchecked."""
    assert sorted(CLAIMS) == [path.stem for path in LESSON_FILES if path.stem not in ELSEWHERE]
