"""The Compare view: A and B on the same batch, on the same axes, saved in the project file."""
import warnings

import numpy as np
import pytest

from initviz.errors import ProjectError
from initviz.gui.prepare.comparison import compact_widths, project_b
from initviz.gui.prepare.plot_data import COLUMNS
from initviz.gui.views.compare import CompareView
from initviz.project import Project

TIMEOUT = 30000


def relu_project(**view):
    return Project({
        "name": "relu",
        "network": {"widths": [32, 32, 32, 32, 10], "activation": "relu"},
        "init": {"scheme": "xavier_normal"},
        "data": {"batch_size": 48, "seed": 3},
        "view": view,
    })


def open_view(qtbot, project):
    view = CompareView(project=project)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        view.show()
    return view


def test_b_is_a_with_the_saved_changes():
    a = relu_project(compare={"init": {"scheme": "he_normal"}})
    b = project_b(a)
    assert b.scheme == "he_normal" and b.scheme_params == {"mode": "fan_in", "a": 0.0}
    assert b.widths == a.widths and b.seed == a.seed and b.view == {}
    with pytest.raises(ProjectError):
        project_b(relu_project(compare={"network": {"activation": "nope"}}))
    assert compact_widths([784, 256, 256, 256, 10]) == "784→256×3→10"


def test_both_projects_are_drawn_on_equal_axes(qtbot):
    view = open_view(qtbot, relu_project(compare={"init": {"scheme": "he_normal"}}))
    sim_a, sim_b = (data.simulation for data in view.datas)
    assert sim_a.project.scheme == "xavier_normal" and sim_b.project.scheme == "he_normal"
    np.testing.assert_array_equal(sim_a.inputs, sim_b.inputs)  # the same batch
    assert "Xavier" in view.titles["A"].text() and "He/Kaiming" in view.titles["B"].text()
    rows_a, rows_b = view.grids["A"].rows, view.grids["B"].rows
    assert len(rows_a) == len(rows_b) == 4
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        for cell_a, cell_b in zip(row_a.cells, row_b.cells, strict=True):
            assert cell_a.view_box.viewRange() == cell_b.view_box.viewRange()
    for q in COLUMNS:
        assert view.datas[0].limits[q] == view.datas[1].limits[q]
    # the depth curves of both are on the one summary plot
    _, forward_b = view.depth_plot.curves["B", "forward"].getData()
    std_b = [layer.preactivation.std() for layer in sim_b.layers]
    np.testing.assert_allclose(10**forward_b, std_b, rtol=1e-4)


def test_choosing_b_in_the_panel_is_saved_in_the_project(qtbot, tmp_path):
    view = open_view(qtbot, relu_project())
    # with nothing saved, B is the init ReLU calls for, never a copy of A
    assert view.datas[1].simulation.project.scheme == "he_normal"
    combo = view.controls.activation_combo
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        combo.setCurrentIndex(combo.findData("tanh"))
    assert view.document.project.view["compare"] == {
        "init": {"scheme": "he_normal"}, "network": {"activation": "tanh"}}
    assert view.datas[1].simulation.project.activation == "tanh"
    assert view.datas[0].simulation.project.activation == "relu"
    path = tmp_path / "pair.json"
    view.document.project.save(path)
    again = open_view(qtbot, Project.load(path))
    assert again.datas[1].simulation.project.activation == "tanh"


def test_b_from_a_file_keeps_as_seed_and_batch(qtbot, tmp_path):
    other = relu_project().to_dict()
    other["init"] = {"scheme": "orthogonal", "params": {"gain": 1.5}}
    other["data"] = {"batch_size": 7, "seed": 99}
    Project(other).save(tmp_path / "b.json")
    view = open_view(qtbot, relu_project())
    with qtbot.waitSignal(view.compared, timeout=TIMEOUT):
        view.load_b(tmp_path / "b.json")
    sim_a, sim_b = (data.simulation for data in view.datas)
    assert sim_b.project.scheme == "orthogonal" and sim_b.project.scheme_params == {"gain": 1.5}
    assert sim_b.project.seed == 3 and sim_b.inputs.shape == (48, 32)
    assert "b.json" in view.titles["B"].text()
    with pytest.raises(ProjectError):
        view.load_b(tmp_path / "missing.json")


def test_a_run_that_explodes_to_nan_is_drawn_without_a_warning(qtbot):
    """normal(std=100) with ReLU over 30 layers overflows float32 and NaN flows back through
    every layer: A's ∂L/∂z has no std a log axis can show. Its curve is empty, A's z curve and
    B's curves are drawn, and nothing reaches stderr (pyqtgraph's bounds of all-NaN warned)."""
    exploding = Project({
        "network": {"widths": [16] + [32] * 29 + [4], "activation": "relu"},
        "init": {"scheme": "normal", "params": {"std": 100}},
        "data": {"batch_size": 16, "seed": 3},
        "view": {"compare": {"init": {"scheme": "he_normal"}}},
    })
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = open_view(qtbot, exploding)
        view.depth_plot.grab()  # draws, and ranges the axes on every curve's bounds
    assert [str(w.message) for w in caught] == []
    curves = view.depth_plot.curves
    _, backward_a = curves["A", "backward"].getData()
    assert backward_a is None or len(backward_a) == 0
    _, forward_a = curves["A", "forward"].getData()
    assert np.isfinite(forward_a).sum() >= 3  # the layers before the overflow are drawn
    for key in ("forward", "backward"):
        assert np.isfinite(curves["B", key].getData()[1]).all()  # He keeps B finite
