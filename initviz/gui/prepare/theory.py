"""What the Theory view draws, computed off the GUI thread: the order-to-chaos phase diagram,
the depth scale along σ_w² and the Jacobian's spectrum, and the sentence that reads them.

NumPy only. The phase diagram depends only on the activation, so it is cached and the
scheme slider only moves the marker. The Jacobian's inputs are the choice saved in the
project's view section under INPUTS_KEY (the Theory tab's controls set it).
"""
from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass

import numpy as np

from initviz.core import jacobian, phase
from initviz.core.activations import resolve_activation
from initviz.core.cancel import check_stop

INPUTS_KEY = "jacobian_inputs"
DEFAULT_INPUTS = jacobian.Q_STAR
"""The rest of the tab (χ₁, ξ_c) is theory at q*, and so is dynamical isometry (Pennington et
al. 2017): at q* the panel shows the spectrum that theory predicts, whatever the scheme."""


def chosen_inputs(view: dict) -> str:
    """The saved choice; a missing or unknown one is the default."""
    choice = view.get(INPUTS_KEY, DEFAULT_INPUTS)
    return choice if choice in jacobian.INPUTS else DEFAULT_INPUTS


GRID = (64, 33)
"""(σ_w², σ_b²) samples of the phase diagram."""
DEPTH_SAMPLES = 48
@dataclass
class TheoryResult:
    activation: str
    point: phase.ProjectPoint
    diagram: phase.PhaseDiagram
    line_bias_vars: np.ndarray
    line_weight_vars: np.ndarray
    """The χ₁ = 1 line, sampled densely near σ_b² = 0 where it is steep."""
    here: phase.DepthScale
    depth_weight_vars: np.ndarray
    depth_scales: np.ndarray
    length_depth_scales: np.ndarray
    """ξ_q along the same σ_w² as ``depth_scales`` (ξ_c)."""
    spectrum: jacobian.JacobianSpectrum
    histogram: tuple[np.ndarray, np.ndarray]
    """(edges, counts) of log10 of the non-zero singular values."""
    depth: int
    beyond: str = ""
    """Why the phase picture does not describe this network (normalisation, skips), or ''."""


@functools.lru_cache(maxsize=16)
def _diagram(activation: str, params: tuple, top: float, bias_top: float):
    entry = resolve_activation(activation)
    weight_vars = np.linspace(top / GRID[0], top, GRID[0])
    bias_vars = np.linspace(0.0, bias_top, GRID[1])
    diagram = phase.phase_diagram(entry, dict(params), weight_vars, bias_vars)
    line_bias = bias_top * np.linspace(0.0, 1.0, 41) ** 2  # dense near 0, where the line is steep
    line = phase.critical_weight_var(entry, dict(params), line_bias, weight_vars[0], top)
    return diagram, line_bias, line


@functools.lru_cache(maxsize=16 * DEPTH_SAMPLES)
def _depth_scale_at(activation: str, params: tuple, weight_var: float, bias_var: float):
    return phase.depth_scale(resolve_activation(activation), dict(params), weight_var, bias_var)


def _depth_curve(activation: str, params: tuple, top: float, bias_var: float, should_stop=None):
    """ξ_c and ξ_q across the σ_w² axis: each point is kept, so moving the scheme's scale only
    moves the marker. The first curve of an activation takes about a second: ``should_stop``
    is asked between its points (core.cancel)."""
    weight_vars = np.linspace(top / DEPTH_SAMPLES, top, DEPTH_SAMPLES)
    scales = []
    for weight_var in weight_vars:
        check_stop(should_stop)
        scales.append(_depth_scale_at(activation, params, float(weight_var), bias_var))
    return (weight_vars, np.array([scale.xi_c for scale in scales]),
            np.array([scale.xi_q for scale in scales]))


def compute_theory(project, should_stop=None) -> TheoryResult:
    """Everything the view draws (runs in the background thread); the Jacobian's inputs
    are the choice saved in the project's view section. Refused (ProjectError) before any
    of it starts when the Jacobian, or LSUV's simulation, would not fit in memory. It stops
    between its steps when the view closes (the depth curve's points, the Jacobian's
    layers: ``should_stop``)."""
    jacobian.check_theory_fits(project)
    entry = resolve_activation(project.activation)
    params = entry.resolve(project.activation_params)
    point = phase.project_point(project, should_stop=should_stop)
    top = phase.weight_var_range(entry, params, include=point.weight_var)
    top = float(np.ceil(top * 2) / 2)  # round so that nearby projects share the cached diagram
    bias_top = max(0.5, float(np.ceil(point.bias_var * 1.2 * 10) / 10))
    key = (project.activation, tuple(sorted(params.items())), top)
    diagram, line_bias, line = _diagram(*key, bias_top)
    weight_vars, scales, length_scales = _depth_curve(*key, point.bias_var, should_stop)
    here = phase.depth_scale(entry, params, point.weight_var, point.bias_var)
    spectrum = jacobian.jacobian_spectrum(project, chosen_inputs(project.view), q_star=here.q_star,
                                          should_stop=should_stop)
    histogram = spectrum_histogram(spectrum.nonzero)
    return TheoryResult(project.activation, point, diagram, line_bias, line, here, weight_vars,
                        scales, length_scales, spectrum, histogram, project.depth,
                        phase.beyond_phase(project))


_SUBSCRIPT = re.compile(r"(?<![A-Za-z_])([σξχzqa])_([A-Za-z0-9]{1,2})(?![A-Za-z0-9])")
ISOMETRY_REACH = 2.0
"""Decades: a spectrum that comes this close to isometry (1, i.e. log10 = 0) is binned on a
range that takes 0 in; one further away (an exploding network's 10⁶⁰) on its own range, or
forty bins over sixty decades would squeeze it into one bin at the edge."""


def rich(text: str) -> str:
    """Plain text (``σ_w²``, ``ξ_c``, ``∂z_L/∂x``) as rich text with real subscripts, escaped."""
    return _SUBSCRIPT.sub(r"\1<sub>\2</sub>", html.escape(text, quote=False))


def spectrum_histogram(values: np.ndarray, bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts) of log10 of the singular values: with isometry in range when they come
    near it (``jacobian.log_histogram``), else over their own range, a bin's margin each side."""
    logs = np.log10(values[np.isfinite(values) & (values > 0)])
    if logs.size == 0 or (logs.min() - ISOMETRY_REACH <= 0 <= logs.max() + ISOMETRY_REACH):
        return jacobian.log_histogram(values, bins)
    low, high = float(logs.min()), float(logs.max())
    pad = max(high - low, 0.5) / bins
    counts, edges = np.histogram(logs, bins=bins, range=(low - pad, high + pad))
    return edges, counts


def verdict(result: TheoryResult) -> str:
    """One sentence on the phase; with normalisation or skips, why it does not apply first."""
    text = _plain_verdict(result)
    if result.beyond:  # the picture is that of the same network without them
        return f"Phase {result.beyond}. Without them: {text}"
    return text


def _plain_verdict(result: TheoryResult) -> str:
    here, point = result.here, result.point
    if not math.isfinite(here.q_star):
        return "the variance grows without bound (no fixed point q*): exploding signals"
    phase_name = {
        "ordered": "ordered: nearby inputs merge, gradients vanish with depth",
        "chaotic": "chaotic: nearby inputs fly apart, gradients explode with depth",
        "critical": "at the edge of chaos: signals and gradients travel deep",
    }[phase.regime(here.chi1)]
    xi = here.xi_c
    if xi > 500:
        depth = "ξ_c > 500 layers (unlimited at the edge itself)"
    else:
        depth = f"ξ_c ≈ {xi:.3g} layers" if math.isfinite(xi) else "ξ_c undefined"
    if math.isfinite(here.xi_q):
        depth += f", ξ_q ≈ {here.xi_q:.3g} (layers for the variance to settle at q*)"
    depth += f" for a network of {result.depth} layers"
    note = ""
    if not point.zero_mean:
        note = " — the weights have a non-zero mean, which this theory does not cover"
    return (f"σ_w² = {point.weight_var:.3g}, σ_b² = {point.bias_var:.3g}: χ₁ = {here.chi1:.3g}, "
            f"{phase_name}; {depth}{note}")
