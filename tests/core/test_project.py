"""The project file: defaults, round trips, every validation message, atomic save, old files."""
import copy
import json
import os
from pathlib import Path

import pytest

import initviz
from initviz import Project, ProjectError
from initviz.project import validate
from initviz.project_json import parse_json

DATA = Path(__file__).resolve().parent.parent / "data"

DESIGN_DEFAULT_FILE = {  # the README's project file, with the default name and notes
    "format": "initviz-project",
    "version": 1,
    "name": "Untitled",
    "notes": "",
    "network": {"widths": [784, 256, 256, 256, 10], "activation": "relu", "activation_params": {}},
    "init": {"scheme": "xavier_normal", "params": {}, "bias": {"scheme": "zeros", "params": {}}},
    "data": {"source": "gaussian", "batch_size": 512, "seed": 0},
    "loss": "cross_entropy",
    "training": {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.0},
    "view": {},
}


def _with(path, value):
    """The default file with one field replaced (dotted path)."""
    data = copy.deepcopy(DESIGN_DEFAULT_FILE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return data


def test_defaults_are_designs_default_file():
    assert Project() == Project.from_dict(DESIGN_DEFAULT_FILE) == Project.from_dict({})
    canonical = Project().to_dict()
    expected = copy.deepcopy(DESIGN_DEFAULT_FILE)
    expected["init"]["params"] = {"gain": 1.0}  # the scheme's defaults, written out
    expected["network"].update(normalization="none",  # the planned options, off
                               residual={"enabled": False, "branch_scale": 1.0})
    assert canonical == expected
    p = Project()
    assert (p.widths, p.depth, p.activation, p.scheme, p.bias_scheme) == (
        [784, 256, 256, 256, 10], 4, "relu", "xavier_normal", "zeros")
    assert (p.source, p.batch_size, p.seed, p.loss) == ("gaussian", 512, 0, "cross_entropy")


RICH = {
    "name": "Round trip",
    "author": {"who": "a teacher", "tags": ["init", 1, None, True, 2.5]},
    "network": {"widths": [10, 20, 3], "activation": "leaky_relu",
                "activation_params": {"negative_slope": 0.2}, "comment": "kept"},
    "init": {"scheme": "he_uniform", "params": {"mode": "fan_out", "a": 0.2},
             "bias": {"scheme": "normal", "params": {"std": 0.1}, "why": "kept too"}},
    "data": {"source": "uniform", "batch_size": 64, "seed": 9, "augment": False},
    "loss": "mse",
    "training": {"optimizer": "adam", "learning_rate": 0.001, "momentum": 0.9, "epochs": 3},
    "view": {"log_y": True, "layers": [1, 2]},
}


def test_round_trip_keeps_unknown_keys_top_level_and_in_sections(tmp_path):
    project = Project.from_dict(RICH)
    data = project.to_dict()
    assert data["author"] == RICH["author"]
    assert data["network"]["comment"] == "kept" and data["init"]["bias"]["why"] == "kept too"
    assert data["data"]["augment"] is False and data["training"]["epochs"] == 3
    assert data["view"] == RICH["view"]
    assert Project.from_dict(data) == project
    path = tmp_path / "rich.json"
    project.save(path)
    loaded = Project.load(path)
    assert loaded == project and loaded.to_dict() == data
    assert json.loads(path.read_text(encoding="utf-8")) == data


def test_to_dict_is_a_copy():
    project = Project.from_dict(RICH)
    data = project.to_dict()
    data["network"]["widths"].append(99)
    data["view"]["log_y"] = False
    assert project.widths == [10, 20, 3] and project.view["log_y"] is True


@pytest.mark.parametrize("path, given, canonical", [
    ("init.scheme", "glorot_normal", "xavier_normal"),
    ("init.scheme", "Kaiming_Normal", "he_normal"),
    ("network.activation", "swish", "silu"),
    ("network.activation", "RELU", "relu"),
    ("network.activation", "identity", "linear"),
    ("init.bias.scheme", "zero", "zeros"),
    ("data.source", "Gaussian", "gaussian"),
])
def test_aliases_are_canonicalised(path, given, canonical):
    project = Project.from_dict(_with(path, given))
    assert project.get(path) == canonical
    assert Project.from_dict(project.to_dict()).get(path) == canonical


WIDTH_1 = "network.widths[1] must be a positive integer, got"
BAD = [
    (_with("network.widths", [784, -5, 10]), f"{WIDTH_1} -5"),
    (_with("network.widths", [784, 2.5, 10]), f"{WIDTH_1} 2.5"),
    (_with("network.widths", [784, True, 10]), f"{WIDTH_1} True"),
    (_with("network.widths", [784, "64", 10]), f"{WIDTH_1} '64'"),
    (_with("network.widths", [784, 0]), f"{WIDTH_1} 0"),
    (_with("network.widths", [784, 100000, 10]), "network.widths[1] must be at most 16384"),
    (_with("network.widths", [784, float("nan"), 10]), "network.widths[1] must be a finite number"),
    (_with("network.widths", "784,10"), "network.widths must be a list of layer widths"),
    (_with("network.widths", [784]), "network.widths must list 2 to 201 widths"),
    (_with("network", [784, 10]), "network must be a JSON object"),
    (_with("network.activation", "relu6"), "network.activation must be one of linear, sigmoid"),
    (_with("network.activation", None), "network.activation must be one of"),
    (_with("network.activation_params", {"negative_slope": 0.1}),
     "network.activation_params.negative_slope is not a parameter here (allowed: none)"),
    (_with("network.activation_params", [0.1]), "network.activation_params must be an object"),
    (_with("init.scheme", "glorot"), "init.scheme must be one of zeros, constant, normal"),
    (_with("init.params", {"gain": "big"}), "init.params.gain must be a number, got 'big'"),
    (_with("init.params", {"gain": -1}), "init.params.gain must be at least 0"),
    (_with("init.params", {"gain": float("inf")}), "init.params.gain must be a finite number"),
    (_with("init.params", {"std": 0.1}), "init.params.std is not a parameter here (allowed: gain)"),
    (_with("init", {"scheme": "he_normal", "params": {"mode": "fan_sum"}}),
     "init.params.mode must be one of fan_in, fan_out, got 'fan_sum'"),
    (_with("init", {"scheme": "uniform", "params": {"low": 0.2, "high": 0.1}}),
     "init.params.low must not exceed init.params.high"),
    (_with("init", {"scheme": "lsuv", "params": {"max_iter": 2.5}}),
     "init.params.max_iter must be a whole number, got 2.5"),
    (_with("init.bias", "zeros"), "init.bias must be an object"),
    (_with("init.bias", {"scheme": "nope"}), "init.bias.scheme must be one of zeros"),
    (_with("init.bias", {"scheme": "lsuv"}), "init.bias.scheme lsuv works on weights only"),
    (_with("init.bias", {"scheme": "constant", "params": {"value": "x"}}),
     "init.bias.params.value must be a number"),
    (_with("data.source", "mnist"), "data.source must be one of gaussian, uniform"),
    (_with("data.source", "spiral"),
     "network.widths[0] must be 2 for the 2-D data set spiral, got 784"),
    (_with("data.batch_size", 0), "data.batch_size must be an integer from 1 to 65536, got 0"),
    (_with("data.batch_size", 1.5), "data.batch_size must be an integer from 1 to 65536, got 1.5"),
    (_with("data.seed", -1), "data.seed must be an integer from 0"),
    (_with("data.seed", "0"), "data.seed must be an integer from 0"),
    (_with("loss", "hinge"), "loss must be one of cross_entropy, mse, got 'hinge'"),
    (_with("loss", ["mse"]), "loss must be one of cross_entropy, mse"),
    (_with("training.optimizer", "rmsprop"), "training.optimizer must be one of sgd, adam"),
    (_with("training.learning_rate", 0), "training.learning_rate must be a number in (0, 100]"),
    (_with("training.momentum", 1.5), "training.momentum must be a number in [0, 0.999]"),
    (_with("training", None), "training must be a JSON object"),
    (_with("view", "big"), "view must be a JSON object"),
    (_with("name", 5), "name must be text, got 5"),
    (_with("notes", None), "notes must be text"),
    (_with("version", 3), "version 3 is newer than this initviz understands (2); update initviz"),
    (_with("version", 0), "version must be a positive integer, got 0"),
    (_with("version", "1"), "version must be a positive integer, got '1'"),
    (_with("format", "keras-model"), "format must be 'initviz-project'"),
    ([DESIGN_DEFAULT_FILE], "the project must be a JSON object"),
    ({"view": {"zoom": float("nan")}}, "view.zoom must be a finite number"),
]


@pytest.mark.parametrize("raw, message", BAD, ids=[m[:48] for _, m in BAD])
def test_every_validation_error_names_its_field(raw, message, tmp_path):
    with pytest.raises(ProjectError) as info:
        Project.from_dict(raw)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    text = json.dumps(raw)  # the same through a file (NaN is refused by the reader itself)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError) as from_file:
        Project.load(path)
    assert str(from_file.value).startswith("bad.json: ")
    if "NaN" not in text and "Infinity" not in text:
        assert message in str(from_file.value)


@pytest.mark.parametrize("content, message", [
    ('{"network": {"widths": [784, NaN, 10]}}', "network.widths[1] is NaN"),
    ('{"data": {"seed": -Infinity}}', "data.seed is -Infinity"),
    ('{\n  "name": "x",\n  "loss": mse\n}', "not valid JSON: Expecting value at line 3, column 11"),
    ('{"name": "x",}', "not valid JSON: "),
    ('{"name": "x"} {}', "not valid JSON: Extra data at line 1, column 15"),
    ("", "is empty"),
    ("  \n\t", "is empty"),
    ("[1, 2, 3]", "the project must be a JSON object, got [1, 2, 3]"),
    ('"just text"', "the project must be a JSON object"),
    ("1" * 5000, "too many digits to read"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"extra": ' + "[" * 700 + "]" * 700 + "}", "nested too deeply"),
])
def test_bad_files_give_one_line_with_the_file_name(tmp_path, content, message):
    path = tmp_path / "lesson.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    assert str(info.value).startswith("lesson.json")
    assert str(info.value).count("lesson.json") == 1
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_binary_missing_directory_and_huge_files(tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(ProjectError, match="image.png is not (UTF-8 )?text"):
        Project.load(binary)
    with pytest.raises(ProjectError, match="cannot read .*missing.json"):
        Project.load(tmp_path / "missing.json")
    with pytest.raises(ProjectError, match="cannot read|is a folder"):
        Project.load(tmp_path)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (6 * 1024 * 1024))
    with pytest.raises(ProjectError, match="huge.json is 6.3 MB"):
        Project.load(huge)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "Été"}).encode("utf-8"))
    assert Project.load(path).name == "Été"


def test_parse_json_returns_plain_values():
    assert parse_json('{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}


@pytest.mark.parametrize("path, value", [
    ("network.widths", [784, -5, 10]),
    ("init.scheme", "glorot"),
    ("init.params", {"gain": "x"}),
    ("data.source", "spiral"),
    ("network.widths.first", 3),
    ("name.first", "x"),
    ("view.zoom", float("nan")),
])
def test_set_leaves_the_project_unchanged_on_error(path, value):
    project = Project.from_dict(RICH)
    before = project.to_dict()
    with pytest.raises(ProjectError):
        project.set(path, value)
    assert project.to_dict() == before


def test_set_and_update_validate_together():
    project = Project()
    with pytest.raises(ProjectError, match="init.params.mode is not a parameter"):
        project.set("init.params", {"mode": "fan_in"})  # xavier_normal has no mode
    project.set("init.params", {"gain": 2.0})
    project.set("init.scheme", "orthogonal")  # shares gain: kept
    assert project.scheme_params == {"gain": 2.0}
    project.set("init.scheme", "he_normal")  # has no gain: dropped, not an error
    assert project.scheme_params == {"mode": "fan_in", "a": 0.0}
    with pytest.raises(ProjectError, match="init.params.gain is not a parameter"):
        project.update({"init.scheme": "lecun_normal", "init.params": {"gain": 1.0}})
    project.update({"init.scheme": "he_normal", "init.params": {"mode": "fan_out"}})
    assert project.scheme == "he_normal" and project.scheme_params == {"mode": "fan_out", "a": 0.0}
    project.update({"network.widths": [2, 8, 2], "data.source": "xor"})
    assert project.widths == [2, 8, 2] and project.source == "xor"
    value = [2, 8, 2]
    project.set("network.widths", value)
    value.append(5)  # the project keeps its own copy
    assert project.widths == [2, 8, 2]


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "lesson.json"
    Project.from_dict(RICH).save(path)
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ProjectError, match="cannot save lesson.json") as info:
        Project().save(path)
    assert "disk is full" in str(info.value) or "No space left" in str(info.value)
    assert path.read_bytes() == before
    left = {p.name for p in tmp_path.iterdir()}
    assert left <= {"lesson.json", "lesson.json.bak"}, left  # no temporary file behind


def test_save_into_a_missing_folder_is_a_project_error(tmp_path):
    with pytest.raises(ProjectError, match="cannot (write in|save folder.json)"):
        Project().save(tmp_path / "no" / "such" / "folder.json")


def test_saved_file_is_readable_json_with_format_and_version(tmp_path):
    path = tmp_path / "p.json"
    Project.from_dict({"name": "Ünïcode ✓"}).save(path)
    text = path.read_text(encoding="utf-8")
    assert "Ünïcode ✓" in text and text.endswith("\n")
    data = json.loads(text)
    assert data["format"] == "initviz-project" and data["version"] == 1


def test_validate_does_not_touch_its_input():
    raw = {"network": {"widths": [5.0, 3]}, "init": {"scheme": "glorot_normal"}}
    frozen = copy.deepcopy(raw)
    result = validate(raw)
    assert raw == frozen
    assert result["network"]["widths"] == [5, 3] and isinstance(result["network"]["widths"][0], int)


# --- checked-in files written by earlier releases ---------------------------------------------


def test_old_partial_file_with_unknown_keys_loads_and_keeps_them(tmp_path):
    project = Project.load(DATA / "v1_partial_with_unknown_keys.json")
    assert project.widths == [2, 16, 16, 2] and project.activation == "tanh"
    assert project.scheme == "xavier_uniform" and project.bias_scheme == "zeros"
    assert (project.source, project.seed, project.batch_size) == ("moons", 42, 512)
    assert project.view == {"log_y": True, "layers": [1, 3]}
    data = project.to_dict()
    assert data["created_by"] == "initviz 0.0.9" and data["network"]["dropout"] == 0.0
    project.save(tmp_path / "again.json")
    assert Project.load(tmp_path / "again.json") == project
    assert initviz.simulate(project).inputs.shape == (512, 2)


def test_old_file_without_header_loads_as_version_1():
    project = Project.load(DATA / "v1_no_header.json")
    data = project.to_dict()
    assert (data["format"], data["version"]) == ("initviz-project", 1)
    assert project.widths == [784, 100, 10] and project.activation == "silu"
    assert project.scheme == "he_normal" and project.scheme_params["mode"] == "fan_out"
    assert project.bias_params == {"value": 0.01} and project.loss == "mse"
    assert project.notes.startswith("Früher")


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_every_checked_in_file_simulates(path):
    project = Project.load(path)
    project.set("data.batch_size", 16)
    sim = initviz.simulate(project)
    assert len(sim.layers) == project.depth


def test_a_project_compares_with_an_earlier_snapshot_without_copying():
    project = Project()
    saved = project.to_dict()
    key = project.sections_json(("network", "data"))
    assert project.matches(saved)
    project.set("data.seed", 9)
    assert not project.matches(saved)
    assert project.sections_json(("network", "data")) != key  # the seed is in "data"
    assert project.sections_json(("network",)) == Project().sections_json(("network",))
    project.set("data.seed", saved["data"]["seed"])
    assert project.matches(saved) and project.sections_json(("network", "data")) == key
