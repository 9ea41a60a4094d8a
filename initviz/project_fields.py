"""The fields of a project, checked and made canonical section by section.

Each check names the field path and the range it accepts, so a hand-edited file or a
notebook's ``Project.set`` gets a message that says what to type. The limits here are
also the bounds the window's controls offer.
"""
from __future__ import annotations

from initviz.core.activations import resolve_activation
from initviz.core.data import resolve_source
from initviz.core.losses import LOSSES
from initviz.core.schemes import check_params, resolve_scheme
from initviz.errors import ProjectError

MAX_WIDTH = 16384
MAX_DEPTH = 200
MAX_BATCH = 65536
MAX_NAME_CHARS = 200
"""A project name is a title: longer would not fit a window title or a slide."""
MAX_NOTES_CHARS = 10_000
"""Notes are a lesson's few paragraphs (the longest shipped is under 2,000 characters); the
bound keeps any note quick to lay out in the notes panel."""
OPTIMIZERS = ("sgd", "adam")
NORMALIZATIONS = ("none", "batch", "layer")
MAX_BRANCH_SCALE = 10.0


def validate_fields(data: dict) -> None:
    """Check every field of ``data`` (defaults already filled in), canonicalising in place."""
    _text(data["name"], "name", MAX_NAME_CHARS)
    _text(data["notes"], "notes", MAX_NOTES_CHARS)
    _validate_network(data["network"])
    _validate_init(data["init"])
    _validate_data(data["data"], data["network"]["widths"])
    if not isinstance(data["loss"], str) or data["loss"] not in LOSSES:
        raise ProjectError(f"loss must be one of {', '.join(LOSSES)}, got {data['loss']!r}")
    _validate_training(data["training"])


def expect(value, kind, path: str, what: str):
    """``value`` if it is a ``kind`` (true/false is no number here), else a ProjectError."""
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ProjectError(f"{path} must be {what}, got {value!r}")
    return value


def _text(value, path: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ProjectError(f"{path} must be text, got {value!r}")
    if len(value) > limit:
        raise ProjectError(
            f"{path} is {len(value):,} characters long; keep it under {limit:,} characters"
        )
    return value


def _integer(value, path: str, low: int, high: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProjectError(f"{path} must be an integer from {low} to {high}, got {value!r}")
    return value


def _number(value, path: str, low: float, high: float, *, open_low=False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and (low < value if open_low else low <= value) and value <= high
    if not ok:
        bracket = "(" if open_low else "["
        raise ProjectError(f"{path} must be a number in {bracket}{low:g}, {high:g}], got {value!r}")
    return float(value)


def _validate_network(net: dict) -> None:
    widths = expect(net["widths"], list, "network.widths", "a list of layer widths")
    if not 2 <= len(widths) <= MAX_DEPTH + 1:
        raise ProjectError(
            f"network.widths must list 2 to {MAX_DEPTH + 1} widths (inputs, hidden..., outputs), "
            f"got {len(widths)}"
        )
    for i, width in enumerate(widths):
        whole = isinstance(width, int) or (isinstance(width, float) and width.is_integer())
        if isinstance(width, bool) or not whole or width < 1:
            raise ProjectError(f"network.widths[{i}] must be a positive integer, got {width!r}")
        if width > MAX_WIDTH:
            raise ProjectError(f"network.widths[{i}] must be at most {MAX_WIDTH}, got {width!r}")
        widths[i] = int(width)
    activation = resolve_activation(net["activation"])
    net["activation"] = activation.name
    net["activation_params"] = activation.resolve(net["activation_params"])
    _validate_architecture(net)


def _validate_architecture(net: dict) -> None:
    """Normalisation of the hidden pre-activations and the residual skips (core.blocks)."""
    norm = net["normalization"]
    if not isinstance(norm, str) or norm.lower() not in NORMALIZATIONS:
        raise ProjectError(
            f"network.normalization must be one of {', '.join(NORMALIZATIONS)}, got {norm!r}")
    net["normalization"] = norm.lower()
    residual = expect(net["residual"], dict, "network.residual",
                       'an object like {"enabled": false, "branch_scale": 1.0}')
    residual.setdefault("enabled", False)
    residual.setdefault("branch_scale", 1.0)
    expect(residual["enabled"], bool, "network.residual.enabled", "true or false")
    residual["branch_scale"] = _number(residual["branch_scale"], "network.residual.branch_scale",
                                       0, MAX_BRANCH_SCALE)


def _validate_init(init: dict) -> None:
    scheme = resolve_scheme(init["scheme"])
    init["scheme"] = scheme.name
    init["params"] = scheme.resolve(init["params"])
    check_params(scheme, init["params"], "init.params")
    bias = expect(init["bias"], dict, "init.bias", 'an object like {"scheme": "zeros"}')
    bias.setdefault("scheme", "zeros")
    bias.setdefault("params", {})
    bias_scheme = resolve_scheme(bias["scheme"], "init.bias.scheme")
    if bias_scheme.data_dependent:
        raise ProjectError(f"init.bias.scheme {bias_scheme.name} works on weights only; use zeros")
    bias["scheme"] = bias_scheme.name
    bias["params"] = bias_scheme.resolve(bias["params"], "init.bias.params")
    check_params(bias_scheme, bias["params"], "init.bias.params")


def _validate_data(data: dict, widths: list[int]) -> None:
    source = resolve_source(data["source"])
    data["source"] = source.name
    data["batch_size"] = _integer(data["batch_size"], "data.batch_size", 1, MAX_BATCH)
    data["seed"] = _integer(data["seed"], "data.seed", 0, 2**32 - 1)
    source.check_widths(widths[0], widths[-1])


def _validate_training(training: dict) -> None:
    if training["optimizer"] not in OPTIMIZERS:
        raise ProjectError(
            f"training.optimizer must be one of {', '.join(OPTIMIZERS)}, "
            f"got {training['optimizer']!r}"
        )
    training["learning_rate"] = _number(
        training["learning_rate"], "training.learning_rate", 0, 100, open_low=True
    )
    training["momentum"] = _number(training["momentum"], "training.momentum", 0, 0.999)
