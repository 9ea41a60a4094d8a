"""`initviz stats`: a table, JSON and CSV on stdout; a bad file is one line on stderr, status 2."""
import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from initviz import Project
from initviz.cli import main
from initviz.core.stats import THEORY_FIELDS

REPO = Path(__file__).resolve().parents[2]
LAYER_KEYS = {"layer", "fan_in", "fan_out", "weight", "preactivation", "activation",
              "grad_activation", "grad_weight", "theory"}


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "small.json"
    Project.from_dict({
        "name": "Small tanh",
        "network": {"widths": [16, 32, 32, 24, 5], "activation": "tanh"},
        "init": {"scheme": "xavier_normal"},
        "data": {"batch_size": 64, "seed": 2},
    }).save(path)
    return path


def run(capsys, *args):
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_stats_table(capsys, project_file):
    status, out, err = run(capsys, "stats", str(project_file))
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Small tanh: xavier_normal init, tanh, widths [16, 32, 32, 24, 5]")
    assert lines[1].startswith("loss ")
    header = lines[3].split()
    assert header[:3] == ["layer", "fan_in", "fan_out"] and "theory" in header
    rows = [line.split() for line in lines[4:8]]
    assert [row[:3] for row in rows] == [["1", "16", "32"], ["2", "32", "32"], ["3", "32", "24"],
                                         ["4", "24", "5"]]


def test_stats_json_has_the_keys_of_design_section_5(capsys, project_file):
    status, out, err = run(capsys, "stats", str(project_file), "--json")
    assert status == 0 and err == ""
    result = json.loads(out)
    assert math.isfinite(result["loss"])
    assert [r["layer"] for r in result["layers"]] == [1, 2, 3, 4]
    for record, (fan_in, fan_out) in zip(result["layers"], [(16, 32), (32, 32), (32, 24), (24, 5)],
                                         strict=True):
        assert LAYER_KEYS <= set(record)
        assert (record["fan_in"], record["fan_out"]) == (fan_in, fan_out)
        for quantity in ("weight", "preactivation", "grad_activation", "grad_weight"):
            assert {"mean", "std"} <= set(record[quantity])
        assert {"mean", "std", "saturated_fraction", "dead_fraction"} <= set(record["activation"])
        assert set(record["theory"]) == set(THEORY_FIELDS)
        assert record["theory"]["preactivation_var"] > 0
    # Xavier: the first layer's weight std is sqrt(2/(16+32))
    assert result["layers"][0]["weight"]["std"] == pytest.approx(math.sqrt(2 / 48), rel=0.2)


def test_stats_json_writes_null_for_overflow(capsys, tmp_path):
    path = tmp_path / "huge.json"
    Project.from_dict({
        "network": {"widths": [32] + [256] * 6 + [10], "activation": "relu"},
        "init": {"scheme": "normal", "params": {"std": 1e6}}, "data": {"batch_size": 16},
    }).save(path)
    status, out, _ = run(capsys, "stats", str(path), "--json")
    assert status == 0
    assert "NaN" not in out and "Infinity" not in out
    json.loads(out)  # strict JSON
    status, out, _ = run(capsys, "stats", str(path))
    assert status == 0 and "warning:" in out and "inf or NaN" in out


def test_stats_csv_has_one_row_per_layer(capsys, project_file):
    status, out, err = run(capsys, "stats", str(project_file), "--csv")
    assert status == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4  # depth
    fields = rows[0].keys()
    for name in ("layer", "fan_in", "fan_out", "weight_std", "preactivation_std",
                 "activation_saturated_fraction", "activation_dead_fraction", "grad_weight_std",
                 "theory_preactivation_var", "theory_grad_preactivation_var"):
        assert name in fields
    assert [int(r["layer"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[0]["weight_std"]) == pytest.approx(math.sqrt(2 / 48), rel=0.2)


def test_json_and_csv_tell_the_same_numbers(capsys, project_file):
    _, out_json, _ = run(capsys, "stats", str(project_file), "--json")
    _, out_csv, _ = run(capsys, "stats", str(project_file), "--csv")
    records = json.loads(out_json)["layers"]
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    for record, row in zip(records, rows, strict=True):
        assert float(row["preactivation_std"]) == record["preactivation"]["std"]
        theory = record["theory"]["grad_preactivation_var"]
        assert float(row["theory_grad_preactivation_var"]) == theory


BAD_FILES = {
    "syntax.json": '{"network": {"widths": [4, 3,]}}',
    "negative.json": '{"network": {"widths": [4, -5, 3]}}',
    "nan.json": '{"init": {"params": {"gain": NaN}}}',
    "newer.json": '{"version": 99}',
    "empty.json": "",
    "list.json": "[1, 2]",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("form", [[], ["--json"], ["--csv"]])
def test_bad_file_is_one_line_on_stderr_and_status_2(capsys, tmp_path, name, form):
    path = tmp_path / name
    path.write_text(BAD_FILES[name], encoding="utf-8")
    status, out, err = run(capsys, "stats", str(path), *form)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("initviz: ")
    assert "Traceback" not in err and name in err


def test_missing_file_and_bad_render_target(capsys, tmp_path):
    status, out, err = run(capsys, "stats", str(tmp_path / "nope.json"))
    assert (status, out) == (2, "") and "cannot read" in err and err.count("\n") == 1
    status, out, err = run(capsys, "render", str(tmp_path / "nope.json"), "-o", "out.gif")
    assert (status, out) == (2, "") and ".png or .svg" in err


def test_specific_messages(capsys, tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"network": {"widths": [784, -5, 10]}}', encoding="utf-8")
    _, _, err = run(capsys, "stats", str(path))
    assert err == "initviz: p.json: network.widths[1] must be a positive integer, got -5\n"
    path.write_text('{"version": 3}', encoding="utf-8")
    _, _, err = run(capsys, "stats", str(path))
    assert "newer" in err and "update initviz" in err


def test_main_py_entry_point_runs_in_a_real_process(project_file, tmp_path):
    done = subprocess.run(
        [sys.executable, "main.py", "stats", str(project_file), "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["layers"]) == 4
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "main.py", "stats", str(bad)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "bad.json is not valid JSON" in done.stderr
