"""core.blocks' pass against the plain formulas of its docstring, in float32: the pass writes
into arrays allocated once and sums the batch with BLAS, and must still compute them."""
import numpy as np
import pytest

import initviz
from initviz.core import blocks, network, stats
from initviz.core.activations import resolve_activation
from initviz.core.losses import LOSSES


def reference_run(project, weights, biases, inputs, labels, norm_params=None):
    """The pass written as the formulas read, one NumPy expression each: per layer
    (z, u, a, dL/da, dL/du, dL/dz, dL/dW, dL/db, dL/dγ, dL/dβ)."""
    arch = blocks.architecture(project)
    activation = resolve_activation(project.activation)
    params = activation.resolve(project.activation_params)
    gammas, betas = norm_params or blocks.initial_norm_params(project.widths, inputs.dtype)
    axis = 0 if arch.normalization == "batch" else 1
    last = len(weights) - 1
    a, forward = inputs, []
    with np.errstate(all="ignore"):
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w + b
            if i == last:
                forward.append((z, z, z, None, None, a))
                break
            zhat = std = None
            u = z
            if arch.normalized:
                std = np.sqrt(z.var(axis=axis, keepdims=True) + blocks.EPSILON)
                zhat = (z - z.mean(axis=axis, keepdims=True)) / std
                u = zhat * gammas[i] + betas[i]
            branch = activation.forward(u, **params)
            a_prev, a = a, (a + arch.branch_scale * branch if arch.skips[i] else branch)
            forward.append((z, u, a, zhat, std, a_prev))
        loss, grad_a = LOSSES[project.loss](forward[-1][0], labels)
        layers = [None] * len(weights)
        for i in range(last, -1, -1):
            z, u, a, zhat, std, a_prev = forward[i]
            grad_u = grad_z = grad_a
            grad_gamma = grad_beta = None
            if i != last:
                branch = activation.forward(u, **params)
                scale = arch.branch_scale if arch.skips[i] else 1.0
                grad_u = scale * grad_a * activation.derivative(u, branch, **params)
                grad_z = grad_u
                if arch.normalized:
                    g = grad_u * gammas[i]
                    grad_z = (g - g.mean(axis=axis, keepdims=True)
                              - zhat * (g * zhat).mean(axis=axis, keepdims=True)) / std
                    grad_gamma, grad_beta = (grad_u * zhat).sum(axis=0), grad_u.sum(axis=0)
            layers[i] = {"raw_preactivation": z, "preactivation": u, "activation": a,
                         "grad_activation": grad_a, "grad_preactivation": grad_u,
                         "grad_raw_preactivation": grad_z, "grad_weight": a_prev.T @ grad_z,
                         "grad_bias": grad_z.sum(axis=0), "grad_gamma": grad_gamma,
                         "grad_beta": grad_beta}
            below = grad_z @ weights[i].T
            grad_a = below + grad_a if arch.skips[i] else below
    return loss, layers


ARCHITECTURES = [("batch", False, 1.0), ("layer", False, 1.0), ("none", True, 0.5),
                 ("batch", True, 0.5), ("layer", True, 0.2)]


@pytest.mark.parametrize("normalization,residual,scale", ARCHITECTURES)
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
@pytest.mark.parametrize("at_init", [True, False])
def test_the_pass_computes_its_formulas_in_float32(normalization, residual, scale, activation,
                                                   at_init):
    """Each array within 2e-5 of its largest value: both sides round at float32's 6e-8, but
    sum the batch in another order (BLAS dot products against NumPy's reductions) and the
    pass multiplies by 1/σ where the formula divides by σ; over the 10 layers of forward and
    backward the largest difference measured was 5e-6 of the array's largest value."""
    project = initviz.Project().with_changes({
        "network.widths": [256] * 10 + [10], "network.activation": activation,
        "network.normalization": normalization,
        "network.residual": {"enabled": residual, "branch_scale": scale},
        "init.bias": {"scheme": "normal", "params": {"std": 0.1}}, "data.batch_size": 128})
    plain = project.with_changes({"network.normalization": "none",
                                  "network.residual.enabled": False})
    sim = initviz.simulate(plain)
    weights = [layer.weight for layer in sim.layers]
    biases = [layer.bias for layer in sim.layers]
    norm_params = None
    if not at_init and normalization != "none":
        rng = np.random.default_rng(4)
        norm_params = ([rng.uniform(0.5, 1.5, 256).astype(np.float32) for _ in weights[:-1]],
                       [rng.normal(0, 0.3, 256).astype(np.float32) for _ in weights[:-1]])
    loss, layers = network.run(project, weights, biases, sim.inputs, sim.labels,
                               norm_params=norm_params)
    expected_loss, expected = reference_run(project, weights, biases, sim.inputs, sim.labels,
                                             norm_params)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    for layer, wanted in zip(layers, expected, strict=True):
        normalized = normalization != "none" and layer.index < len(layers)
        assert (layer.raw_preactivation is not None) == normalized
        for name, value in wanted.items():
            got = getattr(layer, name)
            if value is None or (got is None and name.endswith("raw_preactivation")):
                continue
            assert got.dtype == np.float32, name
            scale_of = float(np.abs(value).max())
            if name == "grad_bias" and normalized:
                # Σ over the batch of dL/dz is 0 through BatchNorm's and LayerNorm's mean:
                # both sides hold rounding residue, of the order of the sum of |dL/dz|
                scale_of = float(np.abs(layer.grad_raw_preactivation).sum(axis=0).max())
            np.testing.assert_allclose(got, value, rtol=0, atol=2e-5 * scale_of,
                                       err_msg=f"layer {layer.index} {name}")


def skip_project(activation, bias=None):
    """64 → 64 → 64 → 10 with skips on both hidden layers, weights tiny: u ≈ b."""
    return initviz.Project().with_changes({
        "network.widths": [64, 64, 64, 10], "network.activation": activation,
        "network.residual": {"enabled": True, "branch_scale": 1.0},
        "init.scheme": "normal", "init.params": {"std": 1e-4},
        "init.bias": bias or {"scheme": "zeros"}, "data.batch_size": 64})


def test_a_skip_layer_is_saturated_by_its_branch_not_by_the_sum():
    """tanh(u) with u ≈ 0 is nowhere saturated; a = a₋₁ + tanh(u) ≈ the Gaussian inputs, of
    which ~2 % lie near ±1, where 1 − a² would count them saturated."""
    sim = initviz.simulate(skip_project("tanh"))
    records = sim.stats()["layers"]
    assert [layer.skip for layer in sim.layers] == [True, True, False]
    assert np.abs(sim.layers[0].preactivation).max() < 0.1
    assert records[0]["activation"]["saturated_fraction"] == 0.0
    assert records[1]["activation"]["saturated_fraction"] == 0.0


def test_a_skip_layer_whose_relu_branch_never_fires_is_dead():
    """b = −10: φ(u) = 0 for every sample and unit, no gradient reaches W; a = a₋₁ is not 0."""
    sim = initviz.simulate(skip_project("relu", {"scheme": "constant", "params": {"value": -10}}))
    layer = sim.layers[0]
    np.testing.assert_array_equal(layer.activation, sim.inputs)
    assert stats.dead_fraction(layer) == 1.0
    assert sim.stats()["layers"][0]["activation"]["dead_fraction"] == 1.0
    assert not np.any(layer.grad_weight)
