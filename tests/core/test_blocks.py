"""Normalisation and residual skips (core.blocks): exact gradients, statistics, skips."""
import numpy as np
import pytest
from finite_differences import central

import initviz
from initviz.core import blocks, network

BATCH = 8


def block_project(activation="tanh", normalization="none", residual=False, scale=0.7,
                  widths=(5, 6, 6, 6, 4), loss="cross_entropy"):
    return initviz.Project.from_dict({
        "network": {"widths": list(widths), "activation": activation,
                    "normalization": normalization,
                    "residual": {"enabled": residual, "branch_scale": scale}},
        "init": {"scheme": "normal", "params": {"std": 0.6},
                 "bias": {"scheme": "normal", "params": {"std": 0.3}}},
        "data": {"batch_size": BATCH, "seed": 3},
        "loss": loss,
    })


ARCHITECTURES = [("batch", False), ("layer", False), ("none", True), ("batch", True),
                 ("layer", True)]


@pytest.mark.parametrize("normalization,residual", ARCHITECTURES)
@pytest.mark.parametrize("activation", sorted(initviz.ACTIVATIONS))
def test_gradients_match_finite_differences(activation, normalization, residual):
    project = block_project(activation, normalization, residual)
    sim = initviz.simulate(project, dtype=np.float64)
    weights = [layer.weight.copy() for layer in sim.layers]
    biases = [layer.bias.copy() for layer in sim.layers]
    # γ and β away from their init values, so the test covers what training reaches.
    rng = np.random.default_rng(5)
    gammas = [rng.uniform(0.5, 1.5, w.shape[1]) for w in weights[:-1]]
    betas = [rng.normal(0, 0.3, w.shape[1]) for w in weights[:-1]]
    norm_params = (gammas, betas) if normalization != "none" else None

    def loss_now():
        return network.run(project, weights, biases, sim.inputs, sim.labels,
                           norm_params=norm_params)[0]

    _, layers = network.run(project, weights, biases, sim.inputs, sim.labels,
                            norm_params=norm_params)
    # GELU's forward uses the A&S 7.1.26 erf (error 1.5e-7) and its derivative the exact pdf.
    tol = {"rtol": 1e-5, "atol": 1e-6 if activation == "gelu" else 1e-8}
    for i, layer in enumerate(layers):
        np.testing.assert_allclose(central(loss_now, weights[i]), layer.grad_weight, **tol)
        np.testing.assert_allclose(central(loss_now, biases[i]), layer.grad_bias, **tol)
        if normalization != "none" and i < len(layers) - 1:
            np.testing.assert_allclose(central(loss_now, gammas[i]), layer.grad_gamma, **tol)
            np.testing.assert_allclose(central(loss_now, betas[i]), layer.grad_beta, **tol)


@pytest.mark.parametrize("residual", [False, True])
def test_activation_gradient_matches_finite_differences_through_the_skips(residual):
    """dL/da_l: the layers above run on a perturbed a_l, so the skip's direct path counts."""
    project = block_project("relu", "layer", residual, widths=(6, 6, 6, 6, 4))
    sim = initviz.simulate(project, dtype=np.float64)
    weights = [layer.weight for layer in sim.layers]
    biases = [layer.bias for layer in sim.layers]
    for i in range(len(sim.layers) - 1):
        rest = project.with_changes({"network.widths": project.widths[i + 1:]})
        a = sim.layers[i].activation.copy()

        def loss_rest(a=a, rest=rest, i=i):
            return network.run(rest, weights[i + 1:], biases[i + 1:], a, sim.labels)[0]

        np.testing.assert_allclose(central(loss_rest, a), sim.layers[i].grad_activation,
                                   rtol=1e-5, atol=1e-8)


def test_batchnorm_gives_every_hidden_unit_mean_0_and_std_1_on_the_batch():
    project = block_project("relu", "batch", widths=(5, 30, 30, 4))
    project = project.with_changes({"init.params.std": 0.01, "data.batch_size": 64,
                                    "init.bias": {"scheme": "zeros"}})
    sim = initviz.simulate(project, dtype=np.float64)
    for layer in sim.layers[:-1]:
        np.testing.assert_allclose(layer.preactivation.mean(axis=0), 0, atol=1e-12)
        # std √(var/(var+ε)), ε = 1e-5: the raw variance here is ~1e-4, so ε shows.
        raw_var = layer.raw_preactivation.var(axis=0)
        np.testing.assert_allclose(layer.preactivation.std(axis=0),
                                   np.sqrt(raw_var / (raw_var + blocks.EPSILON)), rtol=1e-9)
        assert layer.preactivation.std() > 0.9  # from what the bad init gave before BN:
        assert layer.raw_preactivation.std() < 0.1


def test_layernorm_normalises_each_example_over_its_units():
    sim = initviz.simulate(block_project("tanh", "layer", widths=(5, 40, 40, 4)),
                           dtype=np.float64)
    hidden = sim.layers[0].preactivation
    np.testing.assert_allclose(hidden.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(hidden.std(axis=1), 1, rtol=1e-3)


def test_only_hidden_layers_whose_width_is_kept_have_skips():
    assert blocks.skip_layers([5, 6, 6, 6, 4], True) == [False, True, True, False]
    assert blocks.skip_layers([6, 6, 6], True) == [True, False]
    assert blocks.skip_layers([5, 6, 6, 6, 4], False) == [False] * 4
    sim = initviz.simulate(block_project(residual=True, scale=0.5), dtype=np.float64)
    assert [layer.skip for layer in sim.layers] == [False, True, True, False]
    second = sim.layers[1]
    np.testing.assert_allclose(
        second.activation, sim.layers[0].activation + 0.5 * np.tanh(second.preactivation),
        rtol=1e-12)


def test_branch_scale_zero_makes_a_skip_layer_the_identity():
    """SkipInit (De & Smith 2020): α = 0 passes a_{l−1} through unchanged at init."""
    sim = initviz.simulate(block_project(residual=True, scale=0.0), dtype=np.float64)
    np.testing.assert_array_equal(sim.layers[2].activation, sim.layers[0].activation)


def test_a_project_without_the_keys_computes_exactly_as_before():
    """The plain pass is untouched: the same arrays as with the keys at their defaults."""
    plain = initviz.Project.from_dict({"network": {"widths": [5, 6, 6, 4]},
                                       "data": {"batch_size": 8}})
    explicit = plain.with_changes({"network.normalization": "none",
                                   "network.residual": {"enabled": False, "branch_scale": 1.0}})
    first, second = initviz.simulate(plain), initviz.simulate(explicit)
    assert first.loss == second.loss
    for a, b in zip(first.layers, second.layers, strict=True):
        np.testing.assert_array_equal(a.grad_weight, b.grad_weight)
        assert a.raw_preactivation is None and not a.skip


def test_training_learns_gamma_and_beta_and_the_loss_falls():
    project = block_project("relu", "batch", True, 0.5, widths=(2, 16, 16, 16, 2)).with_changes(
        {"data.source": "moons", "data.batch_size": 64})
    trainer = initviz.Trainer(project, dtype=np.float64)
    trainer.step(60)
    gammas, betas = trainer.norm_params
    assert all(np.abs(g - 1).max() > 1e-3 for g in gammas)  # moved off their init values
    assert all(np.abs(b).max() > 1e-3 for b in betas)
    assert trainer.history[-1]["loss"] < 0.5 * trainer.history[0]["loss"]
    # The layers shown carry the γ, β the next step starts from.
    np.testing.assert_array_equal(trainer.simulation.layers[0].gamma, gammas[0])


def test_batchnorm_evaluation_uses_the_shown_batch_statistics_not_its_neighbours():
    """A point's prediction does not depend on which other points are evaluated with it."""
    project = block_project("relu", "batch", widths=(2, 16, 16, 2)).with_changes(
        {"data.source": "moons", "data.batch_size": 64})
    trainer = initviz.Trainer(project, dtype=np.float64)
    trainer.step(20)
    points = trainer.data.test_inputs
    together = trainer.logits(points)
    # Rows evaluated alone or in a batch: the same up to rounding of the BLAS products.
    np.testing.assert_allclose(trainer.logits(points[:3]), together[:3], rtol=1e-10)


@pytest.mark.parametrize("normalization,residual", [("batch", True), ("layer", False)])
def test_the_memory_estimate_covers_what_the_pass_allocates(normalization, residual):
    """Refusing too large a project relies on the estimate (core.memory) being an upper bound."""
    import tracemalloc

    from initviz.core import memory

    project = initviz.Project().with_changes({
        "network.widths": [128] + [256] * 6 + [10], "data.batch_size": 512,
        "network.normalization": normalization, "network.residual.enabled": residual})
    tracemalloc.start()
    try:
        sim = initviz.simulate(project)
        sim.stats()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= memory.simulation_estimate(project)(project.widths, 512)
