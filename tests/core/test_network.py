"""simulate(): shapes, exact gradients, the loss formulas, symmetry and determinism."""
import math

import numpy as np
import pytest
from finite_differences import central

import initviz
from initviz.core import network
from initviz.core.activations import resolve_activation
from initviz.core.losses import LOSSES

WIDTHS = [5, 7, 6, 4]
BATCH = 8


def small_project(activation="tanh", loss="cross_entropy", **init):
    return initviz.Project.from_dict({
        "network": {"widths": WIDTHS, "activation": activation},
        "init": {"scheme": "normal", "params": {"std": 0.6},
                 "bias": {"scheme": "normal", "params": {"std": 0.3}}, **init},
        "data": {"batch_size": BATCH, "seed": 3},
        "loss": loss,
    })


def test_every_layer_field_has_the_shape_of_design_section_4():
    project = initviz.Project.from_dict({
        "network": {"widths": [12, 9, 7, 3]}, "data": {"batch_size": 5},
    })
    sim = initviz.simulate(project)
    assert sim.inputs.shape == (5, 12) and sim.labels.shape == (5,)
    assert isinstance(sim.loss, float) and math.isfinite(sim.loss)
    assert len(sim.layers) == 3
    shapes = zip(sim.layers, [12, 9, 7], [9, 7, 3], strict=True)
    for number, (layer, fan_in, fan_out) in enumerate(shapes, 1):
        assert layer.index == number
        assert (layer.fan_in, layer.fan_out) == (fan_in, fan_out)
        assert layer.weight.shape == layer.grad_weight.shape == (fan_in, fan_out)
        assert layer.bias.shape == layer.grad_bias.shape == (fan_out,)
        for field in ("preactivation", "activation", "grad_activation", "grad_preactivation"):
            assert getattr(layer, field).shape == (5, fan_out), field
    np.testing.assert_array_equal(sim.layers[-1].activation, sim.layers[-1].preactivation)  # linear


def _loss(project, weights, biases, inputs, labels):
    return network.run(project, weights, biases, inputs, labels)[0]


def _grad_activation_numeric(project, weights, biases, sim, i):
    """dLoss/da_i by central differences: layers i+1..L run on a perturbed a_i as their input."""
    layer = sim.layers[i]
    if i == len(sim.layers) - 1:  # a_L = z_L: differentiate the loss itself
        z = layer.preactivation.copy()
        loss_fn = LOSSES[project.loss]
        return central(lambda: loss_fn(z, sim.labels)[0], z)
    rest = project.copy()
    rest.set("network.widths", WIDTHS[i + 1:])
    a = layer.activation.copy()
    return central(lambda: _loss(rest, weights[i + 1:], biases[i + 1:], a, sim.labels), a)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("activation", sorted(initviz.ACTIVATIONS))
def test_gradients_match_finite_differences(activation, loss):
    project = small_project(activation, loss)
    sim = initviz.simulate(project, dtype=np.float64)
    weights = [layer.weight.copy() for layer in sim.layers]
    biases = [layer.bias.copy() for layer in sim.layers]

    def loss_now():
        return _loss(project, weights, biases, sim.inputs, sim.labels)

    assert loss_now() == sim.loss
    # GELU's forward uses the A&S 7.1.26 erf (error 1.5e-7) and its derivative the exact pdf.
    tol = {"rtol": 1e-5, "atol": 1e-6 if activation == "gelu" else 1e-8}
    for i, layer in enumerate(sim.layers):
        np.testing.assert_allclose(central(loss_now, weights[i]), layer.grad_weight, **tol)
        np.testing.assert_allclose(central(loss_now, biases[i]), layer.grad_bias, **tol)
        # dLoss/da_l: the rest of the network (layers l+1..L) run on a_l as its input.
        numeric = _grad_activation_numeric(project, weights, biases, sim, i)
        np.testing.assert_allclose(numeric, layer.grad_activation, **tol)
        # dLoss/dz = dLoss/da · φ'(z) (the output layer is linear)
        act = resolve_activation(activation if i < len(sim.layers) - 1 else "linear")
        slope = act.derivative(layer.preactivation, layer.activation, **act.resolve({}))
        np.testing.assert_allclose(layer.grad_preactivation, layer.grad_activation * slope,
                                   rtol=1e-12)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_cross_entropy_is_mean_negative_log_softmax_of_the_label():
    sim = initviz.simulate(small_project(loss="cross_entropy"), dtype=np.float64)
    probabilities = _softmax(sim.layers[-1].preactivation)
    expected = -np.mean(np.log(probabilities[np.arange(BATCH), sim.labels]))
    assert sim.loss == pytest.approx(expected, rel=1e-12)


def test_mse_is_half_mean_squared_distance_to_onehot():
    sim = initviz.simulate(small_project(loss="mse"), dtype=np.float64)
    onehot = np.eye(WIDTHS[-1])[sim.labels]
    expected = np.sum((sim.layers[-1].preactivation - onehot) ** 2) / (2 * BATCH)
    assert sim.loss == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_at_zero_init_is_log_of_the_class_count():
    project = small_project()
    project.update({"init.scheme": "zeros", "init.params": {}, "init.bias.scheme": "zeros",
                    "init.bias.params": {}})
    assert initviz.simulate(project).loss == pytest.approx(math.log(WIDTHS[-1]), rel=1e-6)


@pytest.mark.parametrize("scheme, params", [("zeros", {}), ("constant", {"value": 0.2})])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_zero_and_constant_init_keep_hidden_units_identical(scheme, params, activation):
    """The symmetry problem: every unit of a hidden layer computes, and learns, the same thing."""
    project = initviz.Project.from_dict({
        "network": {"widths": [6, 16, 16, 16, 4], "activation": activation},
        "init": {"scheme": scheme, "params": params, "bias": {"scheme": scheme, "params": params}},
        "data": {"batch_size": 32},
    })
    sim = initviz.simulate(project, dtype=np.float64)
    # Equal up to float64 rounding, not bit for bit: a BLAS kernel may sum identical columns
    # in another order. A 16-term sum of O(1) values rounds at ~1e-15; values that are zero
    # in exact arithmetic (the constant init's hidden gradients) are ~1e-17 of residue.
    # Units that really differ (random init) differ by far more than either.
    close = {"rtol": 1e-12, "atol": 1e-15}
    for layer in sim.layers[:-1]:
        for field in ("preactivation", "activation", "grad_activation", "grad_weight"):
            values = getattr(layer, field)
            np.testing.assert_allclose(values, np.repeat(values[:, :1], values.shape[1], axis=1),
                                       err_msg=field, **close)
        grad_bias = layer.grad_bias
        np.testing.assert_allclose(grad_bias, np.full_like(grad_bias, grad_bias[0]), **close)
    if scheme == "constant":  # the gradients are not zero, they are just all the same
        assert np.abs(sim.layers[0].grad_weight).max() > 0


def test_same_seed_same_numbers_other_seed_other_numbers():
    project = initviz.Project.from_dict({"network": {"widths": [20, 30, 10]},
                                         "data": {"batch_size": 16, "seed": 5}})
    first, again = initviz.simulate(project), initviz.simulate(project)
    project.set("data.seed", 6)
    other = initviz.simulate(project)
    assert first.loss == again.loss and first.loss != other.loss
    np.testing.assert_array_equal(first.inputs, again.inputs)
    for a, b, c in zip(first.layers, again.layers, other.layers, strict=True):
        np.testing.assert_array_equal(a.weight, b.weight)
        np.testing.assert_array_equal(a.grad_weight, b.grad_weight)
        assert not np.array_equal(a.weight, c.weight)
    assert not np.array_equal(first.inputs, other.inputs)


def _tiny():
    return initviz.Project.from_dict({"network": {"widths": [8, 8, 3]}, "data": {"batch_size": 4}})


def test_float32_by_default_and_float64_on_request():
    project = _tiny()
    for dtype in (np.float32, np.float64):
        default = dtype is np.float32
        sim = initviz.simulate(project) if default else initviz.simulate(project, dtype=dtype)
        assert sim.inputs.dtype == dtype
        for layer in sim.layers:
            for field in ("weight", "bias", "preactivation", "activation", "grad_activation",
                          "grad_preactivation", "grad_weight", "grad_bias"):
                assert getattr(layer, field).dtype == dtype, field


def test_simulate_works_on_a_snapshot():
    project = _tiny()
    sim = initviz.simulate(project)
    project.set("network.widths", [8, 5, 3])
    assert sim.project.widths == [8, 8, 3]
