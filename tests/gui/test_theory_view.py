"""The Theory view: phase diagram with the project's marker, depth scale, Jacobian spectrum."""
import numpy as np
import pytest

from initviz.core import jacobian, phase
from initviz.core.activations import resolve_activation
from initviz.gui.views.theory import TheoryView
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
        view.document.edit({"init.scheme": "normal", "init.params": {"std": 0.25},
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
    spectrum = view.result.spectrum
    assert spectrum.singular_values.size == 8 * 4  # 8 inputs, min(16, 4) values each
    edges, counts = view.plots.jacobian_hist.getData()
    assert counts.sum() == spectrum.nonzero.size == 32
    expected = jacobian.jacobian_spectrum(project("orthogonal", "linear"), jacobian.Q_STAR)
    np.testing.assert_allclose(spectrum.singular_values, expected.singular_values)


def caption(view) -> str:
    return view.jacobian_bar.caption.text()


def test_relu_caption_counts_the_zero_singular_values_as_dead_units(qtbot):
    """He + ReLU: about half the units are off at each input, so J loses about half its rank;
    those values are 0, not a spread "from 1e-19", and the histogram leaves them out."""
    view = open_view(qtbot, Project({"network": {"widths": [24] * 5, "activation": "relu"},
                                     "init": {"scheme": "he_normal"}, "data": {"seed": 0}}))
    spectrum = view.result.spectrum
    assert spectrum.zero_count > 0.3 * 192
    assert f"{spectrum.zero_count} of 192 singular values are 0" in caption(view)  # 8 × 24
    assert "J has rank" in caption(view) and "dead units" in caption(view)
    assert f"the other {192 - spectrum.zero_count}" in caption(view)
    _, counts = view.plots.jacobian_hist.getData()
    assert counts.sum() == 192 - spectrum.zero_count


def edge_of_chaos_tanh(**view):
    """Orthogonal tanh on the χ₁ = 1 line at σ_b² = 1e-4 (Pennington et al. 2017)."""
    weight_var = float(phase.critical_weight_var(resolve_activation("tanh"), {}, 1e-4))
    return Project({
        "network": {"widths": [32] * 11, "activation": "tanh"},
        "init": {"scheme": "orthogonal", "params": {"gain": weight_var**0.5},
                 "bias": {"scheme": "normal", "params": {"std": 0.01}}},
        "data": {"seed": 0}, "view": view})


def test_inputs_choice_shows_isometry_at_q_star_and_is_saved(qtbot):
    view = open_view(qtbot, edge_of_chaos_tanh())
    combo = view.jacobian_bar.combo
    assert combo.currentData() == jacobian.Q_STAR  # the default: the lesson's spectrum
    assert view.result.spectrum.spread < 5 and "q = q*" in caption(view)
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        combo.setCurrentIndex(combo.findData(jacobian.DATA))
        combo.activated.emit(combo.currentIndex())  # as a user's pick does
    assert view.document.project.view["jacobian_inputs"] == jacobian.DATA
    assert view.result.spectrum.spread > 100 and "at the data batch" in caption(view)
    reopened = open_view(qtbot, edge_of_chaos_tanh(jacobian_inputs="data"))
    assert reopened.jacobian_bar.combo.currentData() == jacobian.DATA
    assert reopened.result.spectrum.inputs == jacobian.DATA


def test_without_a_fixed_point_the_caption_says_the_data_batch_is_used(qtbot):
    view = open_view(qtbot, project("xavier_normal", "relu"))  # σ_w² = 1 < 2: q* = 0
    assert view.result.spectrum.inputs == jacobian.DATA
    assert "q* = 0" in caption(view) and "data batch instead" in caption(view)


def test_an_overflowing_jacobian_says_so_on_the_panel(qtbot):
    exploding = Project({"network": {"widths": [8] * 61, "activation": "linear"},
                         "init": {"scheme": "normal", "params": {"std": 1e6}}})
    view = open_view(qtbot, exploding)
    assert "not finite" in caption(view)
    assert "not finite" in view.plots.jacobian_message.textItem.toPlainText()
    _, counts = view.plots.jacobian_hist.getData()
    assert counts.sum() == 0


def test_singular_values_far_from_one_stay_in_sight(qtbot):
    """σ_w² = 24·10⁶ over four linear layers: J ~ 10¹⁴, far outside a range around 1."""
    view = open_view(qtbot, project("normal", "linear", {"std": 1e3}))
    edges, counts = view.plots.jacobian_hist.getData()
    assert counts.sum() == view.result.spectrum.nonzero.size == 32
    (left, right), _ = view.plots.jacobian_plot.viewRange()
    top = np.log10(view.result.spectrum.nonzero.max())
    assert top > 12 and left <= edges[0] and right >= edges[-1] >= top
    assert view.plots.jacobian_message.textItem.toPlainText() == ""
