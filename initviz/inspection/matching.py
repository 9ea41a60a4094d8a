"""Which initialisation schemes a measured tensor's std matches, best first.

Each candidate's std is the app's own formula (``core.schemes``) for the tensor's fans;
the distribution's shape (excess kurtosis: normal 0, truncated normal −0.63, uniform −1.2;
and whether the matrix is orthogonal) tells apart schemes with the same std, such as He
normal and He uniform.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from initviz.core.schemes import SCHEMES, LayerContext
from initviz.inspection.measure import TensorStats


def _truncated_kurtosis(cut: float = 2.0) -> float:
    """Excess kurtosis of N(0, 1) cut at ±cut (moments of the truncated normal)."""
    density = math.exp(-cut * cut / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(cut / math.sqrt(2))
    m2 = 1 - 2 * cut * density / mass
    m4 = 3 - 2 * (cut**3 + 3 * cut) * density / mass
    return m4 / m2**2 - 3


KURTOSIS = {"normal": 0.0, "uniform": -1.2, "truncated": _truncated_kurtosis(),
            "orthogonal": 0.0}
SHAPE_WEIGHT = 0.05
"""A shape mismatch counts as much as a 5 % difference in std."""


@dataclass(frozen=True)
class Candidate:
    scheme: str
    params: dict
    label: str
    shape: str
    fans: str
    """Which fans the std depends on, for the text: "in", "out", "both" or ""."""


CANDIDATES = (
    Candidate("he_normal", {"mode": "fan_in"}, "He normal, fan_in", "normal", "in"),
    Candidate("he_uniform", {"mode": "fan_in"}, "He uniform, fan_in", "uniform", "in"),
    Candidate("variance_scaling", {"scale": 2.0, "distribution": "truncated_normal"},
              "Keras HeNormal (truncated), fan_in", "truncated", "in"),
    Candidate("he_normal", {"mode": "fan_out"}, "He normal, fan_out", "normal", "out"),
    Candidate("he_uniform", {"mode": "fan_out"}, "He uniform, fan_out", "uniform", "out"),
    Candidate("xavier_normal", {}, "Xavier normal", "normal", "both"),
    Candidate("xavier_uniform", {}, "Xavier uniform", "uniform", "both"),
    Candidate("variance_scaling", {"mode": "fan_avg", "distribution": "truncated_normal"},
              "Keras GlorotNormal (truncated)", "truncated", "both"),
    Candidate("lecun_normal", {}, "LeCun normal", "normal", "in"),
    Candidate("lecun_uniform", {}, "LeCun uniform", "uniform", "in"),
    Candidate("variance_scaling", {"distribution": "truncated_normal"},
              "Keras LecunNormal (truncated)", "truncated", "in"),
    Candidate("pytorch_default", {}, "PyTorch default (nn.Linear, nn.Conv)", "uniform", "in"),
    Candidate("orthogonal", {}, "Orthogonal", "orthogonal", "both"),
    Candidate("normal", {"std": 0.02}, "Normal, std 0.02 (BERT, GPT-2)", "normal", ""),
    Candidate("normal", {"std": 1.0}, "Normal, std 1 (nn.Embedding)", "normal", ""),
)


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    params: dict
    """All the scheme's parameters, defaults filled in."""
    std: float
    ratio: float
    """measured std / the scheme's std."""
    shape_distance: float

    @property
    def score(self) -> float:
        return abs(math.log(self.ratio)) + SHAPE_WEIGHT * self.shape_distance


def _shape_distance(stats: TensorStats, candidate: Candidate) -> float:
    if candidate.shape == "orthogonal" and stats.orthogonal is not None:
        return 0.0 if stats.orthogonal else 1.0
    if stats.orthogonal and candidate.shape != "orthogonal":
        return 1.0
    return min(abs(stats.excess_kurtosis - KURTOSIS[candidate.shape]) / 0.6, 1.0)


def tolerance(stats: TensorStats) -> float:
    """Relative std difference that still counts as a match: 4 sampling SDs of the std
    estimate (SD(s)/σ ≈ 1/√(2n) for a normal sample), at least 3 %."""
    return max(0.03, 4.0 / math.sqrt(2.0 * max(stats.count, 1)))


def rank(stats: TensorStats) -> list[Match]:
    """Every candidate scheme for this tensor, best first (std ratio, then shape)."""
    ctx = LayerContext(stats.fan_in, stats.fan_out)
    matches = []
    for candidate in CANDIDATES:
        scheme = SCHEMES[candidate.scheme]
        params = scheme.resolve(candidate.params)
        std = scheme.moments(ctx, params)[1]
        matches.append(Match(candidate, params, std, stats.std / std,
                             _shape_distance(stats, candidate)))
    return sorted(matches, key=lambda m: m.score)


def is_match(stats: TensorStats, match: Match) -> bool:
    return abs(match.ratio - 1.0) <= tolerance(stats)
