"""`initviz stats` and the theory on projects with normalisation or residual skips."""
import json

import pytest

from initviz import Project
from initviz.cli import main
from initviz.core import jacobian


@pytest.fixture
def blocks_file(tmp_path):
    def write(normalization="none", residual=False):
        path = tmp_path / "p.json"
        Project().with_changes({
            "network.widths": [64, 48, 48, 48, 10], "data.batch_size": 32,
            "network.normalization": normalization, "network.residual.enabled": residual,
        }).save(path)
        return path
    return write


@pytest.mark.parametrize("normalization,residual,word", [
    ("batch", False, "normalisation"), ("layer", True, "normalisation"),
    ("none", True, "residual skips"),
])
def test_stats_json_marks_the_phase_not_applicable_and_says_why(capsys, blocks_file,
                                                                normalization, residual, word):
    assert main(["stats", str(blocks_file(normalization, residual)), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    phase = result["phase"]
    assert phase["regime"] is None and phase["q_star"] is None and phase["chi1"] is None
    assert phase["note"].startswith(f"not applicable with {word}")
    hidden = result["layers"][0]
    if normalization != "none":  # φ sees unit variance; the gradient theory: measured only
        assert hidden["preactivation"]["std"] == pytest.approx(1.0, rel=1e-3)
        assert hidden["theory"]["grad_preactivation_var"] is None
        assert 0 < hidden["raw_preactivation"]["std"] != hidden["preactivation"]["std"]
        assert "raw_preactivation" not in result["layers"][-1]  # the output: not normalised
    else:
        assert "raw_preactivation" not in hidden
        assert hidden["theory"]["grad_preactivation_var"] > 0


def test_stats_table_says_n_a_where_only_measured(capsys, blocks_file):
    assert main(["stats", str(blocks_file("batch"))]) == 0
    out = capsys.readouterr().out
    assert "n/a" in out and "not applicable with normalisation" in out


def test_jacobian_is_refused_with_a_reason_for_skips_and_normalisation():
    project = Project().with_changes({"network.widths": [16, 16, 16, 4],
                                      "network.residual.enabled": True})
    spectrum = jacobian.jacobian_spectrum(project)
    assert spectrum.singular_values.size == 0 and "residual skips" in spectrum.note
    normalised = project.with_changes({"network.normalization": "batch"})
    assert "normalisation" in jacobian.jacobian_spectrum(normalised).note
