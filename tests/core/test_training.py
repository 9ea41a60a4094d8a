"""The Trainer: learning, symmetry, determinism, optimisers and the update:data ratio."""
import numpy as np
import pytest

import initviz
from initviz.core import symmetry
from initviz.core.training import Adam, MinibatchSampler, Trainer, make_dataset


def moons_project(scheme="xavier_normal", activation="tanh", optimizer="sgd", lr=0.1, momentum=0.9,
                  bias="zeros", widths=(2, 32, 32, 2), seed=0):
    return initviz.Project({
        "network": {"widths": list(widths), "activation": activation},
        "init": {"scheme": scheme, "bias": {"scheme": bias}},
        "data": {"source": "moons", "batch_size": 64, "seed": seed},
        "training": {"optimizer": optimizer, "learning_rate": lr, "momentum": momentum},
    })


def test_trainer_is_the_public_api():
    assert initviz.Trainer is Trainer


def test_xavier_tanh_learns_moons():
    trainer = Trainer(moons_project())
    trainer.step(300)
    result = trainer.evaluate()
    assert result["test_accuracy"] > 0.85
    assert trainer.history[-1]["loss"] < 0.5 * trainer.history[0]["loss"]


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zero_and_constant_init_keep_every_hidden_neuron_identical(scheme, activation):
    trainer = Trainer(moons_project(scheme=scheme, activation=activation, bias=scheme))
    trainer.step(300)
    assert trainer.distinct_neurons() == [1, 1]
    for weight in trainer.weights[:-1]:
        # every column (unit) the same up to float32 rounding: a BLAS kernel may sum one
        # column's dot products in another order than its neighbour's, so the columns can
        # differ in the last bits (symmetry.SAME_UNIT_ULPS says why that tolerance)
        scale = np.abs(weight).max()
        assert scale > 0 if scheme == "constant" else scale == 0
        assert np.ptp(weight, axis=1).max() <= symmetry.tolerance(scale)


def test_random_init_breaks_the_symmetry():
    trainer = Trainer(moons_project())
    assert trainer.distinct_neurons() == [32, 32]


def test_history_is_complete_and_deterministic():
    trainer = Trainer(moons_project(), eval_every=10)
    sim = trainer.step(25)
    history = trainer.history
    assert [record["step"] for record in history] == list(range(1, 26))
    for record in history:
        assert {"step", "loss", "accuracy", "update_ratio"} <= record.keys()
        assert len(record["update_ratio"]) == 3
        assert np.isfinite(record["loss"]) and 0.0 <= record["accuracy"] <= 1.0
    assert [r["step"] for r in history if "test_loss" in r] == [10, 20]
    assert isinstance(sim, initviz.Simulation) and len(sim.layers) == 3

    again = Trainer(moons_project(), eval_every=10)
    again.step(10)
    again.step(15)
    assert again.history == history
    trainer.reset()
    assert trainer.history == []
    trainer.step(25)
    assert trainer.history == history
    assert Trainer(moons_project(seed=1)).step(5).loss != Trainer(moons_project()).step(5).loss


@pytest.mark.parametrize(
    "optimizer, lr, momentum", [("sgd", 0.05, 0.9), ("adam", 0.01, 0.0), ("sgd", 0.3, 0.0)]
)
def test_optimizers_reduce_the_loss(optimizer, lr, momentum):
    trainer = Trainer(moons_project(optimizer=optimizer, lr=lr, momentum=momentum))
    trainer.step(150)
    losses = [record["loss"] for record in trainer.history]
    assert np.mean(losses[-20:]) < 0.6 * np.mean(losses[:10])


def test_update_ratio_of_one_sgd_step_is_lr_grad_over_weight():
    lr = 0.2
    trainer = Trainer(moons_project(lr=lr, momentum=0.0))
    before = trainer.simulation
    trainer.step(1)
    for layer, ratio in zip(before.layers, trainer.history[0]["update_ratio"], strict=True):
        grad = np.linalg.norm(layer.grad_weight.astype(np.float64))
        expected = lr * grad / np.linalg.norm(layer.weight.astype(np.float64))
        assert ratio == pytest.approx(expected, rel=1e-4)
        new = trainer.weights[layer.index - 1]
        np.testing.assert_allclose(new, layer.weight - lr * layer.grad_weight, rtol=1e-5, atol=1e-7)


def test_first_adam_step_moves_every_weight_by_about_the_learning_rate():
    """Adam's first step is lr·g/(|g|+ε) after bias correction: ±lr wherever g ≠ 0."""
    lr = 0.01
    trainer = Trainer(moons_project(optimizer="adam", lr=lr))
    before = trainer.simulation.layers[1]
    trainer.step(1)
    moved = np.abs(trainer.weights[1] - before.weight)
    big = np.abs(before.grad_weight) > 1e-4
    np.testing.assert_allclose(moved[big], lr, rtol=1e-2)


def pytorch_adam(start, target, scale, lr, steps):
    """torch.optim.Adam's defaults in float64 on L = ½·scale·‖θ − target‖²: θ after each step."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    theta = start.astype(np.float64)
    m, v, path = np.zeros_like(theta), np.zeros_like(theta), []
    for t in range(1, steps + 1):
        g = scale * (theta - target)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return path


@pytest.mark.parametrize("scale", [1e-7, 1.0])  # gradients near ε (a vanishing init), and sane
def test_adam_follows_pytorch(scale):
    start = np.zeros(4, np.float32)  # the steps themselves, not rounding of a large θ
    target = np.array([1.0, -2.0, 0.5, 3.0])
    lr, steps = 1e-3, 5
    adam = Adam(lr, [start])
    theta, path = start, []
    for _ in range(steps):
        grad = (scale * (theta.astype(np.float64) - target)).astype(np.float32)
        (theta,) = adam.update([theta], [grad])
        assert theta.dtype == np.float32
        path.append(theta)
    expected = pytorch_adam(start, target, scale, lr, steps)
    # float32 keeps ~7 digits and each step rounds a handful of times: 1e-5 is ample, while
    # ε added to √v instead of √v̂ moves the 1e-7-gradient steps by a factor of ~4
    np.testing.assert_allclose(np.array(path), np.array(expected), rtol=1e-5)
    if scale < 1e-6:  # the first step is lr·g/(|g| + ε) = lr/1.1 here
        np.testing.assert_allclose(np.abs(path[0]), lr / (1 + 1e-8 / (1e-7 * np.abs(target))),
                                   rtol=1e-5)


def test_returned_simulations_never_change_afterwards():
    trainer = Trainer(moons_project())
    sim = trainer.step(1)
    assert sim.layers[0].weight is trainer.weights[0]  # the simulation at the current parameters
    kept = sim.layers[0].weight.copy()
    trainer.step(20)
    np.testing.assert_array_equal(sim.layers[0].weight, kept)


def test_predict_gives_class_probabilities_that_agree_with_evaluate():
    trainer = Trainer(moons_project())
    trainer.step(100)
    probabilities = trainer.predict(trainer.data.test_inputs)
    assert probabilities.shape == (512, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-9)
    accuracy = np.mean(probabilities.argmax(axis=1) == trainer.data.test_labels)
    assert accuracy == pytest.approx(trainer.evaluate()["test_accuracy"])
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 20), np.linspace(-3, 3, 20)), -1).reshape(-1, 2)
    assert trainer.predict(grid).shape == (400, 2)


def test_dataset_is_a_deterministic_disjoint_split():
    project = moons_project()
    data = make_dataset(project)
    assert data.train_inputs.shape == (1024, 2) and data.test_inputs.shape == (512, 2)
    assert data.train_inputs.dtype == np.float32
    train_rows = {tuple(row) for row in data.train_inputs}
    assert not any(tuple(row) in train_rows for row in data.test_inputs)
    np.testing.assert_array_equal(make_dataset(project).test_inputs, data.test_inputs)
    gaussian = initviz.Project({"network": {"widths": [8, 16, 3]}, "data": {"batch_size": 2000}})
    assert make_dataset(gaussian).train_inputs.shape == (2000, 8)


def test_minibatches_cover_the_train_set_once_per_epoch():
    sampler = MinibatchSampler(100, 30, seed=0)
    epoch = np.concatenate([sampler.next() for _ in range(3)])
    assert len(set(epoch.tolist())) == 90  # 3 full batches, the remainder of 10 dropped
    assert len(sampler.next()) == 30
