"""The Theory view: phase diagram with the project's marker, depth scale, Jacobian spectrum."""
import numpy as np
import pytest

from initviz.core import jacobian, phase
from initviz.core.activations import resolve_activation
from initviz.gui.theory_view import TheoryView
from initviz.project import Project

TIMEOUT = 30000


def project(scheme="he_normal", activation="relu", params=None, bias=None):
    return Project({
        "network": {"widths": [16, 24, 24, 24, 4], "activation": activation},
        "init": {"scheme": scheme, "params": params or {}, "bias": bias or {"scheme": "zeros"}},
        "data": {"batch_size": 16, "seed": 0},
    })


def open_view(qtbot, p):
    view = TheoryView(project=p)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        view.show()
    return view


def marker(view):
    x, y = view.plots.marker.getData()
    return float(x[0]), float(y[0])


def test_marker_sits_at_the_projects_weight_and_bias_variance(qtbot):
    view = open_view(qtbot, project())
    assert marker(view) == pytest.approx((2.0, 0.0))  # He: σ_w² = 2, at the ReLU edge of chaos
    assert "χ₁ = 1" in view.summary.text()
    bias = {"scheme": "constant", "params": {"value": 0.3}}
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        view.link.edit({"init.scheme": "normal", "init.params": {"std": 0.25},
                        "init.bias": bias, "network.activation": "tanh"})
    assert marker(view) == pytest.approx((24 * 0.0625, 0.09))  # fan_in·std², value²


def test_chi1_line_and_image_match_the_theory(qtbot):
    view = open_view(qtbot, project("xavier_normal", "tanh"))
    result = view.result
    x, y = view.plots.critical.getData()
    assert y[0] == 0.0 and x[0] == pytest.approx(1.0, abs=0.02)  # tanh, σ_b = 0: σ_w² = 1
    assert result.diagram.chi1.shape == (64, 33)
    assert view.plots.image.image.shape == (64, 33)
    here = phase.depth_scale(resolve_activation("tanh"), {}, 1.0, 0.0)
    assert result.here.chi1 == pytest.approx(here.chi1)


def test_jacobian_histogram_counts_every_singular_value(qtbot):
    view = open_view(qtbot, project("orthogonal", "linear"))
    values = view.result.singular_values
    assert values.size == 8 * 4  # 8 inputs, min(16, 4) values each
    edges, counts = view.plots.jacobian_hist.getData()
    assert counts.sum() == values.size
    expected = jacobian.jacobian_spectrum(project("orthogonal", "linear"), jacobian.DATA)
    expected = expected.singular_values
    np.testing.assert_allclose(values, expected)
