"""What the Compare view computes: project B from A and its ``view.compare``, and both
sides' plot data on shared ranges.

NumPy only, so it runs in the view's background thread and in tests without a display.
"""
from __future__ import annotations

import copy

from initviz.core import draws, stats
from initviz.core.activations import ACTIVATIONS
from initviz.core.network import simulate
from initviz.core.schemes import SCHEMES
from initviz.gui.prepare import plot_data
from initviz.project import Project

RECOMMENDED_SCHEME = {"relu": "he_normal", "leaky_relu": "he_normal", "selu": "lecun_normal"}
"""The init each activation's papers recommend; the others take Xavier (Glorot & Bengio)."""


def default_spec(project) -> dict:
    """Without a saved B, compare with the init the activation calls for (or, when A already
    uses it, with Xavier vs He): B is never a copy of A."""
    recommended = RECOMMENDED_SCHEME.get(project.activation, "xavier_normal")
    if project.scheme == recommended:
        recommended = "xavier_normal" if recommended != "xavier_normal" else "he_normal"
    return {"init": {"scheme": recommended}}


def compare_spec(project) -> dict:
    spec = project.view.get("compare")
    return spec if isinstance(spec, dict) and spec else default_spec(project)


B_SECTIONS = ("network", "init", "loss")
"""What B may change; the data (seed, batch) is always A's."""
RESET_PARAMS = (("init", "scheme", "params"), ("network", "activation", "activation_params"))


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        nested = isinstance(value, dict) and isinstance(out.get(key), dict)
        if nested and not key.endswith("params"):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def project_b(project_a: Project) -> Project:
    """A with ``view.compare`` merged over it; raises ProjectError when the result is invalid."""
    spec = compare_spec(project_a)
    data = project_a.to_dict()
    data["view"] = {}
    for section in B_SECTIONS:
        override = spec.get(section)
        if section == "loss" and isinstance(override, str):
            data["loss"] = override
        elif isinstance(override, dict):
            data[section] = _merge(data[section], override)
    for section, name, params in RESET_PARAMS:
        override = spec.get(section)
        if isinstance(override, dict) and name in override and params not in override:
            data[section][params] = {}
    bias = (spec.get("init") or {}).get("bias") if isinstance(spec.get("init"), dict) else None
    if isinstance(bias, dict) and "scheme" in bias and "params" not in bias:
        data["init"]["bias"]["params"] = {}
    return Project(data)


def compact_widths(widths: list[int]) -> str:
    """[256, 256, 256, 10] -> '256→256×2→10': runs of equal hidden widths are counted."""
    runs: list[list[int]] = []
    for width in widths[1:-1]:
        if runs and runs[-1][0] == width:
            runs[-1][1] += 1
        else:
            runs.append([width, 1])
    hidden = [f"{w}×{n}" if n > 1 else str(w) for w, n in runs]
    return "→".join([str(widths[0]), *hidden, str(widths[-1])])


def describe(project) -> str:
    scheme = SCHEMES[project.scheme].title
    activation = ACTIVATIONS[project.activation].title
    return f"{scheme} + {activation}, {compact_widths(project.widths)}"


def compute_pair(projects, should_stop=None):
    """Both simulations, histograms on shared ranges (runs in the background thread; stops
    between layers once ``should_stop()`` is true: when the view closes)."""
    datas = [
        plot_data.prepare(simulate(p, cache=draws.SHARED, should_stop=should_stop), should_stop)
        for p in projects
    ]
    limits = {}
    for q in plot_data.COLUMNS:
        lows, highs = zip(*(d.limits[q] for d in datas), strict=True)
        limits[q] = (min(lows), max(highs))
    log_limits = {}
    for q in plot_data.GRADIENT_COLUMNS:
        lows, highs = zip(*(d.log_limits[q] for d in datas), strict=True)
        log_limits[q] = (min(lows), max(highs))
    for data in datas:
        plot_data.rebin(data, limits)
        plot_data.rebin_log(data, log_limits)
    _share_own_axes(datas)
    return datas


def _share_own_axes(datas) -> None:
    """Cells drawn on their own axis (the linear output's a = z) get one range on both sides."""
    for q in plot_data.COLUMNS:
        for i, cells in enumerate(zip(*(d.cells[q] for d in datas), strict=False)):
            if not any(cell.own_axis for cell in cells):
                continue
            low = min(float(cell.own.edges[0]) for cell in cells)
            high = max(float(cell.own.edges[-1]) for cell in cells)
            for data, cell in zip(datas, cells, strict=True):
                values = getattr(data.simulation.layers[i], q)
                cell.own = plot_data.histogram_of(
                    stats.histogram_sample(values), values.size, (low, high))
                cell.own_axis = True


def with_compare(project, spec) -> Project:
    candidate = project.copy()
    view = candidate.view
    view["compare"] = spec
    candidate.update({"view": view})
    return candidate
