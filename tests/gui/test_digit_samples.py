"""The Training tab on the digits: held-out images with their predicted labels."""
import numpy as np
import pytest
from PySide6 import QtCore

from initviz.core import digits
from initviz.core.training import Trainer
from initviz.gui.prepare.frames import DIGIT_SAMPLES, digit_predictions
from initviz.gui.views.training import TrainingView
from initviz.project import Project

TIMEOUT = 30000


def digits_project(scheme="he_normal"):
    return Project({"network": {"widths": [64, 32, 10], "activation": "relu"},
                    "init": {"scheme": scheme}, "data": {"source": "digits", "batch_size": 64},
                    "training": {"learning_rate": 0.1}})


def test_predictions_are_the_trainers_own_on_the_first_test_images():
    trainer = Trainer(digits_project())
    trainer.step(30)
    images, predicted, labels = digit_predictions(trainer)
    assert images.shape == (DIGIT_SAMPLES, 8, 8) and images.max() <= 16
    np.testing.assert_array_equal(labels, trainer.data.test_labels[:DIGIT_SAMPLES])
    full = np.argmax(trainer.logits(trainer.data.test_inputs), axis=1)
    np.testing.assert_array_equal(predicted, full[:DIGIT_SAMPLES])
    # The images shown are the ones the network was given: on every pixel that varies, the
    # network's input is an increasing affine function of the pixel shown (the scaling).
    images, _, _ = digit_predictions(trainer, count=len(trainer.data.test_labels))
    shown = images.reshape(len(images), 64).astype(float)
    given = trainer.data.test_inputs.astype(float)
    varies = (digits.load().train_inputs.std(axis=0) > 0) & (shown.std(axis=0) > 0)
    for pixel in np.flatnonzero(varies):
        slope, offset = np.polyfit(shown[:, pixel], given[:, pixel], 1)
        assert slope > 0
        # float32 inputs: the fit is exact to about 1e-6 of their unit scale
        np.testing.assert_allclose(slope * shown[:, pixel] + offset, given[:, pixel], atol=1e-4)


def test_the_training_tab_shows_digits_and_their_accuracy(qtbot):
    view = TrainingView(project=digits_project())
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    qtbot.waitUntil(lambda: view.digits.isVisible(), timeout=TIMEOUT)
    assert len(view.digits.texts) == DIGIT_SAMPLES
    view.toolbar.speed_spin.setValue(10)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        qtbot.mouseClick(view.toolbar.step_button, QtCore.Qt.LeftButton)
    assert "test accuracy" in view.toolbar.step_label.text()  # evaluated every 10 steps
    right = sum(text.isdigit() for text in view.digits.texts)
    wrong = [text for text in view.digits.texts if not text.isdigit()]
    assert right + len(wrong) == DIGIT_SAMPLES
    assert all("(is " in text for text in wrong)
    assert not view.digits.grab().isNull()


@pytest.mark.parametrize("source", ["moons"])
def test_other_sources_show_no_digits(qtbot, source):
    project = Project({"network": {"widths": [2, 8, 2]}, "data": {"source": source}})
    view = TrainingView(project=project)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.grid.rows) and not view.grid.drawing, timeout=TIMEOUT)
    assert not view.digits.isVisible()
