"""The claims of the lessons on normalisation, residual skips and the digits, checked against
the app's own numbers (the rules and helpers of test_lesson_claims.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from test_lesson_claims import ABOUT, ELSEWHERE, ONE_DIGIT, Note, per_layer, sim, stds, trained

import initviz
from initviz.lessons import lessons_dir


def claims_13_batchnorm_bad_init(note: Note) -> None:
    key = "13_batchnorm_bad_init"
    plain = sim(key, {"network.normalization": "none"})
    z_plain = stds(plain, "preactivation")
    note.agrees("falls from 0.28 in layer 1", z_plain[0], 0.28)
    note.between("to below 1e-9 by layer 10", z_plain[9], 0.0, 1e-9)
    note.between("every weight gradient is below 1e-29", stds(plain, "grad_weight").max(),
                 0.0, 1e-29)
    s = sim(key)
    z = stds(s, "preactivation")
    # √(var/(var+ε)) with ε = 1e-5 and raw variances of 1e-2 or more: within 0.1 % of 1.
    note.between("every hidden layer's pre-activation std is 1.00", z[:-1].min(), 0.995, 1.005)
    note.between("every hidden layer's pre-activation std is 1.00", z[:-1].max(), 0.995, 1.005)
    theory = np.sqrt([r["theory"]["preactivation_centred_var"] for r in s.stats()["layers"]])
    np.testing.assert_allclose(theory[:-1], z[:-1], rtol=0.005)  # "the dashed line predicts it"
    gw = stds(s, "grad_weight")
    note.agrees("about 1.2× per layer", per_layer(gw, 28, 0), 1.2)
    note.agrees("from 0.003 in layer 29", gw[28], 0.003, rel=ONE_DIGIT)
    note.agrees("to 0.3 in layer 1", gw[0], 0.3, rel=ONE_DIGIT)
    note.agrees("about 100× over the network", gw[0] / gw[28], 100, rel=ABOUT)
    note.agrees("√(π/(π−1)) ≈ 1.21", math.sqrt(math.pi / (math.pi - 1)), 1.21, rel=0.005)
    note.says("its line is measured only")
    assert all(r["theory"]["grad_preactivation_var"] is None or
               math.isnan(r["theory"]["grad_preactivation_var"])
               for r in s.stats()["layers"][:-1])
    he = stds(sim(key, {"init.scheme": "he_normal", "init.params": {}}), "grad_weight")
    note.says("the gradient growth stays")
    assert gw[0] / gw[28] > 50 and he[0] / he[28] > 50


def claims_14_residual_depth(note: Note) -> None:
    key = "14_residual_depth"
    s = sim(key)
    z = stds(s, "preactivation")
    note.agrees("grows from 1.0 in layer 1", z[0], 1.0)
    note.agrees("to 2.5 at layer 10", z[9], 2.5)
    note.agrees("and 4.5 at layer 29", z[28], 4.5)
    theory = np.sqrt([r["theory"]["preactivation_centred_var"] for r in s.stats()["layers"]])
    note.says("the dashed line follows it")
    np.testing.assert_allclose(z[:-1], theory[:-1], rtol=0.05)  # width 256, one seed
    plain = stds(sim(key, {"network.residual.enabled": False}), "preactivation")
    note.agrees("the plain network's std falls to 0.14 at layer 29", plain[28], 0.14)
    g = stds(s, "grad_preactivation")
    note.agrees("∂L/∂z grows about 23× from layer 29 back to layer 1", g[0] / g[28], 23)
    scaled = sim(key, {"network.residual.branch_scale": 0.2})
    note.agrees("with α = 0.2, about 1/√L", 1 / math.sqrt(30), 0.2, rel=0.1)
    note.agrees("the std only reaches 1.2 at layer 29", stds(scaled, "preactivation")[28], 1.2)
    sg = stds(scaled, "grad_preactivation")
    note.agrees("the gradient ratio is 1.4", sg[0] / sg[28], 1.4)
    note.says("α = 0 (SkipInit) makes every residual layer the identity at init")
    identity = sim(key, {"network.residual.branch_scale": 0.0})
    np.testing.assert_array_equal(identity.layers[28].activation, identity.inputs)
    note.says("here layers 1 to 29, not the output layer")
    assert [layer.skip for layer in s.layers] == [True] * 29 + [False]


def claims_15_digits_depth_20(note: Note) -> None:
    key = "15_digits_depth_20"
    note.says("1,797 images: 1,300 to train, 497 held out to test")
    he = trained(key, 300)
    assert (len(he.data.train_labels), len(he.data.test_labels)) == (1300, 497)
    # 300 float32 SGD steps through 20 layers amplify last-bit differences between BLAS
    # kernels: measured 0.84 (Haswell), 0.91 (SkylakeX, Sandybridge); the note claims a floor.
    note.between("the test accuracy is above 80 %", he.evaluate()["test_accuracy"], 0.80, 1.0)
    xavier_sim = sim(key, {"init.scheme": "xavier_normal"})
    z = stds(xavier_sim, "preactivation")
    note.agrees("shrinks about 0.7× per layer", per_layer(z, 1, 18), 0.7)
    note.between("to below 1/500 of layer 1's by layer 20", z[19] / z[0], 0.0, 1 / 500)
    xavier = trained(key, 200, {"init.scheme": "xavier_normal"})
    note.agrees("the loss is still log 10 ≈ 2.30", xavier.history[-1]["loss"], math.log(10),
                rel=0.02)
    note.between("near chance (10 %)", xavier.evaluate()["test_accuracy"], 0.05, 0.2)
    zeros = trained(key, 200, {"init.scheme": "zeros"})
    note.says("every image gets the same class")
    predicted = np.argmax(zeros.logits(zeros.data.test_inputs), axis=1)
    assert len(np.unique(predicted)) == 1
    share = float(np.mean(zeros.data.test_labels == predicted[0]))
    note.agrees("about 8 %", zeros.evaluate()["test_accuracy"], 0.08, rel=ABOUT)
    assert zeros.evaluate()["test_accuracy"] == share
    rescued = trained(key, 200, {"init.scheme": "xavier_normal",
                                 "network.normalization": "batch"})
    note.between("about 90 % after 200 steps", rescued.evaluate()["test_accuracy"], 0.85, 0.95)


CLAIMS = {
    name.removeprefix("claims_"): function
    for name, function in globals().items() if name.startswith("claims_")
}


@pytest.mark.parametrize("key", sorted(CLAIMS))
def test_lesson_notes_agree_with_the_app(key):
    note = Note(initviz.Project.load(lessons_dir() / f"{key}.json").notes)
    CLAIMS[key](note)
    assert not note.failures, f"{key}:\n" + "\n".join(note.failures)


def test_these_are_the_lessons_the_main_claims_file_leaves_here():
    assert sorted(CLAIMS) == sorted(ELSEWHERE)
