"""The Theory tab's verdict sentence says what the mean-field numbers say."""
from pathlib import Path

from initviz.gui.prepare.theory import compute_theory, verdict
from initviz.project import Project

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def test_lesson_04_reads_chaotic_with_exploding_gradients():
    """tanh at σ_w² = 256: χ₁ ≈ 8.7, so chaotic, not 'ordered … gradients vanish'."""
    text = verdict(compute_theory(Project.load(LESSONS / "04_too_large_normal.json")))
    assert "χ₁ = 8.73" in text
    assert "chaotic" in text and "gradients explode" in text and "vanish" not in text
    assert "ξ_c ≈ 2.48" in text and "ξ_q ≈" in text


def test_diverging_relu_reads_exploding_signals():
    project = Project({
        "network": {"widths": [16, 24, 24, 24, 4], "activation": "relu"},
        "init": {"scheme": "normal", "params": {"std": 0.5}},  # σ_w² = 24·0.25 = 6 > 2
        "data": {"batch_size": 16, "seed": 0},
    })
    text = verdict(compute_theory(project))
    assert "grows without bound" in text and "exploding" in text


def test_xavier_tanh_reads_edge_of_chaos():
    text = verdict(compute_theory(Project.load(LESSONS / "05_xavier_tanh.json")))
    assert "edge of chaos" in text and "ξ_c > 500" in text


def test_normalisation_and_skips_say_first_that_the_phase_does_not_apply():
    plain = Project.load(LESSONS / "05_xavier_tanh.json")
    for change, word in (({"network.normalization": "batch"}, "normalisation"),
                         ({"network.residual.enabled": True}, "residual skips")):
        result = compute_theory(plain.with_changes(change))
        text = verdict(result)
        assert text.startswith(f"Phase not applicable with {word}")
        assert "Without them: " in text and "edge of chaos" in text
        assert result.spectrum.singular_values.size == 0 and word in result.spectrum.note
    assert verdict(compute_theory(plain)).startswith("σ_w²")
