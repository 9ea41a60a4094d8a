"""Order-to-chaos theory against known results."""
import math

import numpy as np
import pytest
from scipy import integrate

import initviz
from initviz.core import phase
from initviz.core.activations import resolve_activation

TANH = resolve_activation("tanh")
RELU = resolve_activation("relu")
LINEAR = resolve_activation("linear")


def project(widths, scheme="xavier_normal", params=None, activation="tanh", bias=None):
    return initviz.Project({
        "network": {"widths": widths, "activation": activation},
        "init": {"scheme": scheme, "params": params or {}, "bias": bias or {"scheme": "zeros"}},
        "data": {"source": "gaussian", "batch_size": 16, "seed": 0},
    })


def test_edge_of_chaos_for_tanh_without_bias_is_at_weight_variance_one():
    """Poole et al. (2016): for σ_b = 0 the tanh network turns chaotic at σ_w² = 1."""
    assert float(phase.critical_weight_var(TANH, {}, 0.0)) == pytest.approx(1.0, abs=0.02)


def test_edge_of_chaos_for_tanh_at_bias_variance_005():
    """Schoenholz et al. (2017), Fig. 1: σ_b² = 0.05 puts the critical point at σ_w² ≈ 1.76."""
    assert float(phase.critical_weight_var(TANH, {}, 0.05)) == pytest.approx(1.76, abs=0.01)


def test_edge_of_chaos_for_relu_is_he_init_for_every_bias():
    """χ₁ = σ_w²·P(z > 0) = σ_w²/2 for ReLU: the line is σ_w² = 2 (He et al. 2015)."""
    line = phase.critical_weight_var(RELU, {}, np.array([0.0, 0.1, 0.4]))
    np.testing.assert_allclose(line, 2.0, atol=1e-6)
    leaky = resolve_activation("leaky_relu")
    line = phase.critical_weight_var(leaky, {"negative_slope": 0.2}, 0.0)
    assert float(line) == pytest.approx(2.0 / (1.0 + 0.2**2), abs=1e-6)


def test_fixed_point_solves_the_length_map():
    weight_var, bias_var = np.array([0.5, 1.5, 3.0]), np.array([0.1, 0.05, 0.0])
    q = phase.fixed_point_q(TANH, {}, weight_var, bias_var)
    for w, b, qs in zip(weight_var, bias_var, q, strict=True):
        z = np.random.default_rng(0).standard_normal(2_000_000)
        again = w * np.mean(np.tanh(math.sqrt(qs) * z) ** 2) + b
        assert again == pytest.approx(qs, rel=2e-3)  # Monte Carlo check of the quadrature
    assert math.isinf(float(phase.fixed_point_q(RELU, {}, 2.5, 0.0)))  # variance explodes


def test_phase_diagram_is_ordered_left_of_the_line_and_chaotic_right_of_it():
    weight_vars, bias_vars = np.linspace(0.2, 4.0, 20), np.linspace(0.0, 0.3, 4)
    diagram = phase.phase_diagram(TANH, {}, weight_vars, bias_vars)
    assert diagram.chi1.shape == (20, 4)
    for j, edge in enumerate(diagram.critical_weight_var):
        left, right = weight_vars < edge - 0.05, weight_vars > edge + 0.05
        assert (diagram.chi1[left, j] < 1).all() and (diagram.chi1[right, j] > 1).all()
    linear = phase.phase_diagram(LINEAR, {}, weight_vars, bias_vars)
    np.testing.assert_allclose(linear.chi1, weight_vars[:, None] * np.ones((1, 4)))


def test_depth_scale_in_the_ordered_phase_is_minus_one_over_log_chi1():
    scale = phase.depth_scale(TANH, {}, 1.0, 0.1)
    assert scale.c_star == 1.0
    assert scale.xi_c == pytest.approx(-1.0 / math.log(scale.chi1))


def test_depth_scale_in_the_chaotic_phase_uses_the_correlation_fixed_point():
    """σ_b = 0 and odd φ: c* = 0, so χ_c = σ_w²·E[φ'(√q*·z)]² (u₁, u₂ independent)."""
    scale = phase.depth_scale(TANH, {}, 2.0, 0.0)
    assert scale.chi1 > 1 and abs(scale.c_star) < 1e-9
    sigma = math.sqrt(scale.q_star)
    mean_slope = integrate.quad(  # adaptive Gauss–Kronrod, tight: the reference, not a rival
        lambda u: (1 - math.tanh(u) ** 2) * math.exp(-0.5 * (u / sigma) ** 2)
        / (sigma * math.sqrt(2 * math.pi)), -12 * sigma, 12 * sigma, points=[0.0],
        epsabs=1e-15, epsrel=1e-12)[0]
    assert scale.chi_c == pytest.approx(2.0 * mean_slope**2, rel=1e-6)  # rule ~1e-9, q* ~1e-9
    assert scale.xi_c == pytest.approx(-1.0 / math.log(scale.chi_c))


def test_depth_scale_peaks_at_the_edge_of_chaos():
    edge = float(phase.critical_weight_var(TANH, {}, 0.05))
    scales = [phase.depth_scale(TANH, {}, w, 0.05).xi_c for w in (edge - 0.5, edge, edge + 0.5)]
    assert scales[1] > 10 * max(scales[0], scales[2])


def test_project_point_reads_the_scheme():
    assert phase.project_point(project([64] * 5)).weight_var == pytest.approx(1.0)
    he = phase.project_point(project([64] * 5, "he_normal", activation="relu"))
    assert he.weight_var == pytest.approx(2.0)
    constant_bias = {"scheme": "constant", "params": {"value": 0.1}}
    biased = phase.project_point(project([64] * 4, bias=constant_bias))
    assert biased.bias_var == pytest.approx(0.01)
    normal = phase.project_point(project([16, 64, 64, 10], "normal", {"std": 0.25}))
    assert normal.weight_var == pytest.approx(64 * 0.0625)


def test_the_theory_tab_solves_an_activations_edge_of_chaos_once(monkeypatch):
    """The σ_w² axis reaches twice the edge of chaos; the edge depends on the activation
    alone, so a second project (another scale, another bias) on the same activation solves
    nothing again: the bisection holds the GIL, and a paint waits for it meanwhile."""
    from initviz.gui.prepare import theory

    phase._edge_of_chaos.cache_clear()  # as a window that has not shown elu yet
    solved = []
    solve = phase.critical_weight_var
    monkeypatch.setattr(phase, "critical_weight_var",
                        lambda *a, **k: solved.append(a[3:]) or solve(*a, **k))
    elu = resolve_activation("elu")
    params = elu.resolve({"alpha": 0.73})
    first = phase.weight_var_range(elu, params)
    edges = len(solved)
    assert edges == 1
    assert phase.weight_var_range(elu, params, include=3.0) == pytest.approx(max(first, 3.6))
    assert len(solved) == edges
    project = initviz.Project.from_dict({"network": {"widths": [8, 16, 16, 4],
                                                     "activation": "elu",
                                                     "activation_params": {"alpha": 0.73}}})
    theory.compute_theory(project)
    assert all(high != 1000.0 for _, high, *_ in solved[edges:])  # only the diagram's line
