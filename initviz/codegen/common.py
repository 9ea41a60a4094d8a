"""What every framework's snippet shares: numbers as Python, the widths, Kumar's factor and
the header that says what the snippet builds."""
from __future__ import annotations

import json

from initviz import __version__
from initviz.core.activations import resolve_activation
from initviz.core.schemes import LayerContext, resolve_scheme

FAN = {"fan_in": "fan_in", "fan_out": "fan_out", "fan_avg": "((fan_in + fan_out) / 2)"}
"""Each mode's fan as Python, parenthesised so that it can divide."""


def number(value) -> str:
    """A parameter as Python source: floats keep their point (1.0, not 1)."""
    return repr(float(value)) if isinstance(value, float) else repr(value)


def kumar_factor(project) -> float:
    """φ'(0)²·(1+φ(0)²) for the project's activation: Kumar's std is 1/√(factor·fan_in)."""
    activation = resolve_activation(project.activation)
    ctx = LayerContext(1, 1, activation, activation.resolve(project.activation_params))
    std = resolve_scheme("kumar").moments(ctx, {})[1]
    return 1.0 / std**2


def widths_code(widths: list[int]) -> tuple[str, str]:
    """(the widths for a comment, the widths as Python), short when the hidden layers agree."""
    hidden = widths[1:-1]
    if len(hidden) > 3 and len(set(hidden)) == 1:
        return (f"{widths[0]} → {hidden[0]} × {len(hidden)} → {widths[-1]}",
                f"[{widths[0]}] + [{hidden[0]}] * {len(hidden)} + [{widths[-1]}]")
    return " → ".join(map(str, widths)), repr(widths)


def header(project, framework: str, title: str, layout: list[str]) -> list[str]:
    """The snippet's opening comment: the project, what it builds, and ``layout`` (how the
    framework stores a weight compared with initviz)."""
    scheme = resolve_scheme(project.scheme)
    params = scheme.resolve(project.scheme_params)
    activation = resolve_activation(project.activation)
    shown = ", ".join(f"{k}={number(v)}" for k, v in params.items())
    return [
        f"# initviz project {json.dumps(project.name, ensure_ascii=False)} as {title} code",
        f"# widths {widths_code(project.widths)[0]}, {activation.title} on hidden layers,",
        f"# {scheme.title} init{f' ({shown})' if shown else ''}.",
        f"# Written by initviz {__version__} (initviz code --framework {framework}).",
        f"# Same distributions, other numbers: {title} has its own random generator.",
        *layout, "",
    ]


def variance_scaling(name: str, p: dict, project) -> tuple[str, str, str] | None:
    """(scale as Python, mode, distribution) of the fan-based schemes as variance scaling
    (Var = scale/fan): JAX and Keras both have it; None for the other schemes."""
    if name in ("xavier_normal", "xavier_uniform"):
        return f"{number(p['gain'])} ** 2", "fan_avg", name.split("_")[1]
    if name in ("he_normal", "he_uniform"):
        return f"2 / (1 + {number(p['a'])} ** 2)", p["mode"], name.split("_")[1]
    if name in ("lecun_normal", "lecun_uniform"):
        return "1.0", "fan_in", name.split("_")[1]
    if name == "variance_scaling":
        return number(p["scale"]), p["mode"], p["distribution"]
    if name == "kumar":
        return f"1 / {kumar_factor(project)!r}", "fan_in", "normal"
    if name == "pytorch_default":
        return "1 / 3", "fan_in", "uniform"
    return None


def init_function(signature: str, target: str, scheme, notes: list[str],
                  body: list[str]) -> list[str]:
    """``def signature:`` with the scheme's formula (W read as b for a bias), ``notes`` on
    where the framework differs, then ``body``."""
    formula = scheme.formula.replace("W ", "b ", 1) if target == "bias" else scheme.formula
    lines = [f"# {scheme.title}: {formula}", *notes, *body]
    return [f"def {signature}:", *(f"    {line}" for line in lines)]


def lsuv_batch(project, uniform: str, normal: str) -> list[str]:
    """The batch LSUV rescales on, drawn as initviz draws it: ``uniform`` (U(±√3)) and
    ``normal`` (N(0, 1)) are the framework's expressions for a batch of the project's size."""
    if project.source == "uniform":
        return [f"batch = {uniform}  # U(±√3), as initviz"]
    line = f"batch = {normal}"
    if project.source == "gaussian":
        return [line + "  # N(0, 1) inputs, as initviz"]
    return [f"# initviz rescales on its {project.source!r} batch: put a batch of your data here",
            line]
