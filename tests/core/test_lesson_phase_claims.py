"""The order-to-chaos phase each lesson's notes name, checked twice.

Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017): q* is the fixed point of
q ↦ σ_w²·E[φ(√q·z)²] + σ_b², and χ₁ = σ_w²·E[φ'(√q*·z)²] decides the phase: below 1
ordered (gradients vanish with depth), above 1 chaotic (they explode).

Each claim is checked against an independent quadrature (a dense trapezoid rule, written
here, that shares no code with ``initviz.core.phase``) and against the app's own
``phase.depth_scale``, which is what the Theory tab shows.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from initviz.core import phase
from initviz.core.activations import resolve_activation
from initviz.lessons import load_lesson

Z = np.linspace(-12.0, 12.0, 24_001)
"""z ~ N(0, 1) beyond ±12 weighs < 1e-32; a step of 1e-3 puts 60 nodes across tanh' even at
√q* ≈ 16, where it is a bump 0.06 wide in z, and SELU's kink at 0 costs O(step²) ≈ 1e-6."""
DENSITY = np.exp(-0.5 * Z**2) / math.sqrt(2.0 * math.pi)

PHASE_CLAIMS = [
    # lesson, phrase in the note, χ₁ claimed, half a unit of its last written digit, phase
    ("03_too_small_normal", "χ₁ = 0.0256, far below 1", 0.0256, 5e-5, "ordered"),
    ("04_too_large_normal", "χ₁ ≈ 8.7, above 1", 8.7, 0.05, "chaotic"),
    ("05_xavier_tanh", "edge of chaos (χ₁ = 1 with q* = 0)", 1.0, 0.005, "edge of chaos"),
    ("08_selu_lecun", "just on the chaotic side of the edge of chaos (χ₁ ≈ 1.07, near-critical)",
     1.07, 0.005, "chaotic"),
    ("09_pytorch_default", "χ₁ ≈ 0.33, the ordered phase", 0.33, 0.005, "ordered"),
]


def phase_name(chi1: float) -> str:
    """The Theory tab's verdict bands: within 5 % of χ₁ = 1 it calls the point the edge."""
    if chi1 < 0.95:
        return "ordered"
    return "chaotic" if chi1 > 1.05 else "edge of chaos"


def expect(values: np.ndarray) -> float:
    return float(np.trapezoid(values * DENSITY, Z))


def independent_chi1(key: str) -> tuple[float, float]:
    """(q*, χ₁) of the lesson's (σ_w², σ_b²), iterating the length map to its fixed point.

    At the edge with σ_b² = 0 (tanh, σ_w² = 1) q_l falls like 1/(2l) towards q* = 0:
    500 steps stop near q = 1e-3, where χ₁ ≈ 1 − 2q is within the claim's 0.005.
    """
    project = load_lesson(key)
    point = phase.project_point(project)  # σ_w² = fan_in·Var(W), σ_b² = E[b²], from the scheme
    act = resolve_activation(project.activation)
    params = act.resolve(project.activation_params)
    q = 1.0
    for _ in range(500):
        new = point.weight_var * expect(act.forward(math.sqrt(q) * Z, **params) ** 2)
        new += point.bias_var
        if abs(new - q) <= 1e-12 * q:
            break
        q = new
    u = math.sqrt(q) * Z
    slope = act.derivative(u, act.forward(u, **params), **params)
    return q, point.weight_var * expect(slope**2)


@pytest.mark.parametrize("key, phrase, chi1, half_digit, name", PHASE_CLAIMS,
                         ids=[claim[0] for claim in PHASE_CLAIMS])
def test_the_phase_a_note_names_is_the_mean_field_truth(key, phrase, chi1, half_digit, name):
    assert phrase in load_lesson(key).notes, f"the note no longer says {phrase!r}"
    q_star, measured = independent_chi1(key)
    assert abs(measured - chi1) <= half_digit, f"{key}: χ₁ = {measured:.4g}, the note says {chi1}"
    assert phase_name(measured) == name
    assert name in load_lesson(key).notes, f"the note no longer names the {name} phase"
    if "q* = 0" in phrase:
        assert q_star < 0.01, q_star


@pytest.mark.parametrize("key, phrase, chi1, half_digit, name", PHASE_CLAIMS,
                         ids=[claim[0] for claim in PHASE_CLAIMS])
def test_the_theory_tab_shows_the_phase_the_note_names(key, phrase, chi1, half_digit, name):
    """What the Theory tab computes for the lesson (``phase.depth_scale`` at its point)."""
    project = load_lesson(key)
    point = phase.project_point(project)
    act = resolve_activation(project.activation)
    shown = phase.depth_scale(act, act.resolve(project.activation_params),
                              point.weight_var, point.bias_var)
    assert abs(shown.chi1 - chi1) <= half_digit, (
        f"{key}: the note says {phrase!r}, the Theory tab computes χ₁ = {shown.chi1:.4g} "
        f"(q* = {shown.q_star:.4g})")
    assert phase_name(shown.chi1) == name
