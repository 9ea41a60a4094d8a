"""`initviz stats` reports where the project sits in mean-field theory (the "phase" object)."""
import json
from pathlib import Path

import pytest

from initviz import Project
from initviz.cli import main

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"
PHASE_KEYS = {"weight_var", "bias_var", "q_star", "chi1", "regime", "depth_scale", "xi_q", "note"}


def phase_of(capsys, path):
    assert main(["stats", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["phase"]) == PHASE_KEYS
    return result["phase"]


def test_lesson_04_too_large_is_chaotic(capsys):
    """tanh with N(0, 1) weights at fan_in 256: σ_w² = 256, q* ≈ 243 and χ₁ ≈ 8.7."""
    phase = phase_of(capsys, LESSONS / "04_too_large_normal.json")
    assert phase["weight_var"] == pytest.approx(256.0) and phase["bias_var"] == 0.0
    assert phase["q_star"] == pytest.approx(242.9, abs=0.05)
    assert phase["chi1"] == pytest.approx(8.73, abs=0.01)
    assert phase["regime"] == "chaotic"
    assert phase["depth_scale"] == pytest.approx(2.48, abs=0.01)  # ξ_c
    assert 0 < phase["xi_q"] < 1 and phase["note"] is None


@pytest.mark.parametrize("lesson, regime", [
    ("03_too_small_normal.json", "ordered"),
    ("05_xavier_tanh.json", "critical"),  # σ_w² = 1, σ_b² = 0: the tanh edge of chaos
    ("07_sigmoid_kumar.json", "ordered"),  # σ_w² = 12.8, far below the sigmoid's edge at 103
    ("08_selu_lecun.json", "chaotic"),  # χ₁ ≈ 1.07 at q* = 1
])
def test_lessons_land_in_their_regime(capsys, lesson, regime):
    phase = phase_of(capsys, LESSONS / lesson)
    assert phase["regime"] == regime
    assert (phase["chi1"] < 1) == (regime == "ordered") or regime == "critical"


def test_xavier_tanh_has_an_unbounded_depth_scale(capsys):
    phase = phase_of(capsys, LESSONS / "05_xavier_tanh.json")
    assert phase["chi1"] == pytest.approx(1.0, abs=1e-9) and phase["depth_scale"] is None
    assert "unbounded" in phase["note"]


@pytest.mark.parametrize("lesson, reason", [
    ("01_zero_init_symmetry.json", "zero"),
    ("02_constant_init.json", "mean"),
])
def test_phase_is_null_where_the_theory_does_not_apply(capsys, lesson, reason):
    phase = phase_of(capsys, LESSONS / lesson)
    assert all(phase[key] is None for key in ("q_star", "chi1", "regime", "depth_scale"))
    assert reason in phase["note"]


def test_lsuv_counts_as_zero_mean(capsys):
    """LSUV's weights are measured; their sample mean is noise, not a constant init."""
    phase = phase_of(capsys, LESSONS / "10_lsuv_tanh.json")
    assert phase["regime"] in ("ordered", "critical", "chaotic")
    assert "rescaling" in phase["note"]


def test_diverging_relu_has_no_fixed_point(capsys, tmp_path):
    path = tmp_path / "relu.json"
    Project.from_dict({
        "network": {"widths": [64, 64, 64, 10], "activation": "relu"},
        "init": {"scheme": "normal", "params": {"std": 0.25}},  # σ_w² = 64·0.0625 = 4 > 2
    }).save(path)
    phase = phase_of(capsys, path)
    assert phase["weight_var"] == pytest.approx(4.0)
    assert phase["q_star"] is None and phase["regime"] is None
    assert "diverges" in phase["note"]
    assert main(["stats", str(path)]) == 0
    assert "without bound" in capsys.readouterr().out


def test_stats_table_prints_the_phase_on_one_line(capsys):
    assert main(["stats", str(LESSONS / "04_too_large_normal.json")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("phase:")]
    assert len(lines) == 1
    assert "σ_w² = 256" in lines[0] and "χ₁ = 8.73" in lines[0] and "chaotic" in lines[0]
