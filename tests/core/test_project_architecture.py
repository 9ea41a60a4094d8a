"""network.normalization and network.residual in the project file."""
import json
from pathlib import Path

import numpy as np
import pytest

import initviz
from initviz import Project, ProjectError

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_version_1_file_opens_with_both_off_and_keeps_version_1(tmp_path):
    project = Project.load(DATA / "v1_partial_with_unknown_keys.json")
    assert project.normalization == "none"
    assert project.residual == {"enabled": False, "branch_scale": 1.0}
    project.save(tmp_path / "copy.json")
    assert json.loads((tmp_path / "copy.json").read_text("utf-8"))["version"] == 1


@pytest.mark.parametrize("change", [{"network.normalization": "batch"},
                                    {"network.residual.enabled": True}])
def test_a_file_that_uses_them_is_saved_as_version_2(tmp_path, change):
    """A build that reads only version 1 then refuses it instead of drawing a plain network."""
    Project().with_changes(change).save(tmp_path / "p.json")
    assert json.loads((tmp_path / "p.json").read_text("utf-8"))["version"] == 2
    assert Project.load(tmp_path / "p.json") == Project().with_changes(change)


@pytest.mark.parametrize("change,message", [
    ({"network.normalization": "group"},
     "network.normalization must be one of none, batch, layer, got 'group'"),
    ({"network.residual": True},
     'network.residual must be an object like {"enabled": false, "branch_scale": 1.0}, got True'),
    ({"network.residual.enabled": "yes"}, "network.residual.enabled must be true or false"),
    ({"network.residual.branch_scale": -1},
     "network.residual.branch_scale must be a number in [0, 10], got -1"),
])
def test_bad_values_are_refused_with_the_field_and_the_choices(change, message):
    project = Project()
    with pytest.raises(ProjectError, match=None) as caught:
        project.update(change)
    assert str(caught.value).startswith(message)
    assert project == Project()  # nothing half-applied


def test_names_are_case_insensitive_and_saved_canonical():
    assert Project().with_changes({"network.normalization": "Batch"}).normalization == "batch"


def test_a_shipped_lesson_computes_the_same_numbers_with_the_keys_spelt_out():
    lesson = Project.load(Path(initviz.__file__).resolve().parent.parent / "resources" /
                          "lessons" / "05_xavier_tanh.json")
    data = lesson.to_dict()
    data["network"].pop("normalization")
    data["network"].pop("residual")
    older = Project.from_dict(data)
    first, second = initviz.simulate(lesson), initviz.simulate(older)
    assert first.loss == second.loss  # the same pass on the same arrays: bit for bit
    np.testing.assert_array_equal(first.layers[0].grad_weight, second.layers[0].grad_weight)
