"""The digits data set: shipped, scaled, split once, and checked against the network's widths."""
import numpy as np
import pytest

import initviz
from initviz import Project, ProjectError
from initviz.core import digits
from initviz.core.data import make_batch
from initviz.core.training import make_dataset


def digits_project(**changes):
    return Project().with_changes({"network.widths": [64, 32, 10], "data.source": "digits",
                                   "data.batch_size": 50, **changes})


def test_the_shipped_file_holds_1797_images_of_8x8_pixels_0_to_16():
    with np.load(digits.data_file()) as stored:
        images, labels = stored["images"], stored["labels"]
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16
    # The UCI test set's class counts, so a damaged or different file is noticed.
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert (digits.data_file().parent / "digits.LICENSE.txt").is_file()


def test_inputs_have_zero_mean_and_unit_variance_on_the_training_images():
    data = digits.load()
    assert data.train_inputs.shape == (1300, 64) and data.test_inputs.shape == (497, 64)
    mean, std = data.train_inputs.mean(axis=0), data.train_inputs.std(axis=0)
    constant = std == 0  # the corner pixels a pen never reaches stay 0
    assert 0 < constant.sum() < 8
    np.testing.assert_allclose(mean, 0, atol=1e-12)
    np.testing.assert_allclose(std[~constant], 1, rtol=1e-12)
    assert not data.train_inputs[:, constant].any()


def test_the_split_is_the_same_for_every_seed_and_the_batch_follows_the_seed():
    first = make_dataset(digits_project())
    other = make_dataset(digits_project(**{"data.seed": 9}))
    np.testing.assert_array_equal(first.test_labels, other.test_labels)
    np.testing.assert_array_equal(first.test_inputs, other.test_inputs)
    a, _ = make_batch("digits", 50, 64, 10, 0)
    b, _ = make_batch("digits", 50, 64, 10, 0)
    c, _ = make_batch("digits", 50, 64, 10, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    big, labels = make_batch("digits", 3000, 64, 10, 0)  # more than 1,300: images repeat
    assert big.shape == (3000, 64) and set(labels.tolist()) == set(range(10))


@pytest.mark.parametrize("widths,message", [
    ([784, 32, 10], "network.widths[0] must be 64 for digits"),
    ([64, 32, 2], "network.widths[-1] must be 10 for digits (10 classes), got 2"),
])
def test_other_widths_are_refused_with_the_fix(widths, message):
    with pytest.raises(ProjectError) as caught:
        Project().with_changes({"network.widths": widths, "data.source": "digits"})
    assert str(caught.value).startswith(message)


def test_simulate_and_train_on_digits():
    sim = initviz.simulate(digits_project())
    assert sim.inputs.shape == (50, 64) and sim.inputs.dtype == np.float32
    trainer = initviz.Trainer(digits_project(**{"init.scheme": "he_normal"}))
    trainer.step(100)
    assert trainer.evaluate()["test_accuracy"] > 0.8  # 497 held-out images, chance is 0.1
