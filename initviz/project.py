"""The Project: one serialisable description of a network, its init, data and view.

A Project is the single source of truth. It is validated as a whole whenever it
changes, so a Project that exists is always usable; every problem raises
``ProjectError`` with the field path and the fix. Unknown keys are kept, so files
written by a newer minor release survive a round trip.
"""
from __future__ import annotations

import copy
import json
import math
import os
from typing import Any

from initviz.core.activations import resolve_activation
from initviz.core.data import resolve_source
from initviz.core.losses import LOSSES
from initviz.core.schemes import check_params, resolve_scheme
from initviz.errors import ProjectError
from initviz.safe_io import display_name, read_bounded, shorten_message, write_text_atomic

FORMAT = "initviz-project"
VERSION = 2
"""The newest version this build reads (see ARCHITECTURE_VERSION)."""
MAX_FILE_BYTES = 5 * 1024 * 1024
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
ARCHITECTURE_VERSION = 2
"""The version a file is saved as when it uses normalisation or residual skips: a build that
knows only version 1 refuses it with its "newer version" message instead of drawing the
network without them. Files that use neither stay version 1."""
COMPUTED_SECTIONS = ("network", "init", "data", "loss")
"""What a simulation depends on; edits elsewhere (name, notes, view) only re-draw."""

DEFAULTS: dict[str, Any] = {
    "format": FORMAT,
    "version": VERSION,
    "name": "Untitled",
    "notes": "",
    "network": {"widths": [784, 256, 256, 256, 10], "activation": "relu", "activation_params": {},
                "normalization": "none", "residual": {"enabled": False, "branch_scale": 1.0}},
    "init": {"scheme": "xavier_normal", "params": {}, "bias": {"scheme": "zeros", "params": {}}},
    "data": {"source": "gaussian", "batch_size": 512, "seed": 0},
    "loss": "cross_entropy",
    "training": {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.0},
    "view": {},
}


def _merge_defaults(given: dict, defaults: dict) -> dict:
    """Defaults overlaid with ``given``, recursively; keys only ``given`` has are kept."""
    merged = copy.deepcopy(given)
    for key, default in defaults.items():
        if key not in merged:
            merged[key] = copy.deepcopy(default)
        elif isinstance(default, dict) and default and isinstance(merged[key], dict):
            merged[key] = _merge_defaults(merged[key], default)
    return merged


def _expect(value, kind, path: str, what: str):
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
    widths = _expect(net["widths"], list, "network.widths", "a list of layer widths")
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
    residual = _expect(net["residual"], dict, "network.residual",
                       'an object like {"enabled": false, "branch_scale": 1.0}')
    residual.setdefault("enabled", False)
    residual.setdefault("branch_scale", 1.0)
    _expect(residual["enabled"], bool, "network.residual.enabled", "true or false")
    residual["branch_scale"] = _number(residual["branch_scale"], "network.residual.branch_scale",
                                       0, MAX_BRANCH_SCALE)


def uses_architecture(data: dict) -> bool:
    """Whether a project (canonical dict) normalises or has skips: then it is saved as
    ARCHITECTURE_VERSION, which older builds refuse rather than misdraw."""
    net = data["network"]
    return net["normalization"] != "none" or bool(net["residual"]["enabled"])


def _validate_init(init: dict) -> None:
    scheme = resolve_scheme(init["scheme"])
    init["scheme"] = scheme.name
    init["params"] = scheme.resolve(init["params"])
    check_params(scheme, init["params"], "init.params")
    bias = _expect(init["bias"], dict, "init.bias", 'an object like {"scheme": "zeros"}')
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


def _check_text(text: str, path: str) -> None:
    """Lone UTF-16 surrogates (JSON's "\\ud800") cannot be saved as UTF-8: refuse them up front."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ProjectError(
            f"{path} holds a broken character (a lone surrogate, U+{ord(text[error.start]):04X}) "
            f"at position {error.start}; retype that text"
        ) from None


def _children(path: str, node: Any) -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [(field_path(path, key), item) for key, item in node.items()]
    if isinstance(node, list):
        return [(f"{path}[{i}]", item) for i, item in enumerate(node)]
    return []


def _first_nonfinite(text: str) -> str | None:
    """The field path of the first NaN/Infinity in ``text``, to say where it is."""
    try:
        stack = [("", json.loads(text))]
    except (ValueError, RecursionError):
        return None
    while stack:
        path, node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return path or "the project"
        stack.extend(reversed(_children(path, node)))
    return None


def field_path(parent: str, key: str) -> str:
    """``parent.key``, or ``parent["odd key"]`` so a message stays on one line."""
    if key.isidentifier():
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key)}]"


def _check_json(value: Any, path: str) -> None:
    """Refuse what a JSON file cannot hold (NaN, objects, non-text keys), naming where it is."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ProjectError(f"{path} must be a finite number, got {value!r}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProjectError(f"{path or 'the project'} has a key that is not text: {key!r}")
            _check_text(key, f"{path or 'the project'} key {key!r}")
            _check_json(item, field_path(path, key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
    elif isinstance(value, str):
        _check_text(value, path)
    elif value is not None and not isinstance(value, (int, float)):
        raise ProjectError(f"{path} must be text, a number, true/false, null, a list or an object, "
                           f"got {type(value).__name__}")


def validate(raw: Any) -> dict:
    """Return the canonical form of a project dict (defaults filled, names canonical)."""
    try:
        return _validate(raw)
    except RecursionError:
        raise ProjectError("the project is nested too deeply to be an initviz project") from None


def _validate(raw: Any) -> dict:
    _expect(raw, dict, "the project", "a JSON object")
    _check_json(raw, "")
    if raw.get("format", FORMAT) != FORMAT:
        raise ProjectError(
            f"format must be {FORMAT!r}: this is not an initviz project, got {raw.get('format')!r}"
        )
    version = raw.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ProjectError(f"version must be a positive integer, got {version!r}")
    if version > VERSION:
        raise ProjectError(
            f"version {version} is newer than this initviz understands ({VERSION}); "
            "update initviz to open this file"
        )
    for section in ("network", "init", "data", "training", "view"):
        if section in raw:
            _expect(raw[section], dict, section, "a JSON object")
    data = _merge_defaults(raw, DEFAULTS)
    _text(data["name"], "name", MAX_NAME_CHARS)
    _text(data["notes"], "notes", MAX_NOTES_CHARS)
    _validate_network(data["network"])
    _validate_init(data["init"])
    _validate_data(data["data"], data["network"]["widths"])
    if not isinstance(data["loss"], str) or data["loss"] not in LOSSES:
        raise ProjectError(f"loss must be one of {', '.join(LOSSES)}, got {data['loss']!r}")
    _validate_training(data["training"])
    data["version"] = ARCHITECTURE_VERSION if uses_architecture(data) else 1
    return data


class _DuplicateKey(ProjectError):
    pass


def _unique_keys(pairs: list) -> dict:
    """A JSON object whose keys are unique: with a key twice, which one was meant is a guess."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise _DuplicateKey(
                f"the key {key!r} appears twice in one object; delete the one you did not mean"
            )
        seen.add(key)
    return dict(pairs)


class _NonFiniteToken(ProjectError):
    def __init__(self, token: str):
        super().__init__(f"{token} is not a number JSON allows; write a finite number instead")
        self.token = token


def _reject_constant(token: str):
    raise _NonFiniteToken(token)


def parse_json(text: str, where: str = "the file") -> Any:
    """``json.loads`` that refuses NaN/Infinity and reports where a syntax error is."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"{where} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}; "
            "correct it in a text editor or open another file"
        ) from None
    except RecursionError:
        raise ProjectError(f"{where} is nested too deeply to be an initviz project") from None
    except _DuplicateKey as error:
        raise ProjectError(f"{where}: {error}") from None
    except _NonFiniteToken as error:  # NaN or Infinity: say which field holds it
        field = _first_nonfinite(text)
        if field is None:
            raise ProjectError(f"{where}: {error}") from None
        raise ProjectError(
            f"{where}: {field} is {error.token}, which JSON does not allow; write a finite number"
        ) from None
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise ProjectError(f"{where} holds a number with too many digits to read") from None


_SCHEME_PARAMS = {
    "init.scheme": ("init", "params"),
    "init.bias.scheme": ("init", "bias", "params"),
    "network.activation": ("network", "activation_params"),
}
"""A name that chooses a registry entry, and where that entry's parameters live."""


def _keep_applicable_params(candidate: dict, changes: dict) -> None:
    """A new scheme or activation keeps the parameters it shares with the old one (gain),
    drops those it does not know (he_normal has no gain), unless the change sets them."""
    for name_path, params_path in _SCHEME_PARAMS.items():
        if name_path not in changes or ".".join(params_path) in changes:
            continue
        try:
            name = changes[name_path]
            entry = (resolve_activation(name) if name_path == "network.activation"
                     else resolve_scheme(name, name_path))
        except ProjectError:
            continue  # validate() reports the unknown name
        node = candidate
        for key in params_path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(params_path[-1]), dict):
            known = {param.name for param in entry.params}
            node[params_path[-1]] = {
                k: v for k, v in node[params_path[-1]].items() if k in known
            }


class Project:
    """A validated project. Edit it through ``set``; read it through properties or ``get``."""

    def __init__(self, data: dict | None = None):
        self._data = validate({} if data is None else data)

    # --- construction and files ---------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> Project:
        if data is None:  # Project() is the default project; a file holding null is no project
            raise ProjectError("the project must be a JSON object, got null")
        return cls(data)

    def to_dict(self) -> dict:
        return copy.deepcopy(self._data)

    def sections_json(self, sections) -> str:
        """``sections`` as canonical JSON, a key that changes exactly when one of them does
        (nothing copied; what the views compare to know whether to compute again)."""
        return json.dumps({k: self._data.get(k) for k in sections}, sort_keys=True)

    def compute_key(self) -> str:
        """A key that changes exactly when what a simulation depends on changes."""
        return self.sections_json(COMPUTED_SECTIONS)

    def matches(self, data: dict) -> bool:
        """Whether this project is ``data`` (a ``to_dict()`` taken earlier), without a copy."""
        return self._data == data

    def copy(self) -> Project:
        """An independent snapshot: what the compute worker gets."""
        clone = Project.__new__(Project)
        clone._data = copy.deepcopy(self._data)
        return clone

    @classmethod
    def load(cls, path: str | os.PathLike) -> Project:
        """Read, parse and validate ``path``; any problem is a ``ProjectError`` naming the file."""
        name = display_name(path)
        raw = read_bounded(path, MAX_FILE_BYTES)  # regular files only, size-capped
        if not raw.strip():
            raise ProjectError(f"{name} is empty; open an initviz project (.json)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ProjectError(
                f"{name} is not UTF-8 text (binary data at byte {error.start}); "
                "open an initviz project (.json)"
            ) from None
        try:
            data = parse_json(text, name)  # its messages already name the file
        except ProjectError as error:
            raise ProjectError(shorten_message(str(error))) from None
        try:
            return cls.from_dict(data)
        except ProjectError as error:
            raise ProjectError(shorten_message(f"{name}: {error}")) from None

    def save(self, path: str | os.PathLike) -> None:
        """Write atomically, the previous version kept as FILE.bak (see initviz.safe_io).

        A failed save raises ``ProjectError`` saying what to do, and leaves the old file as it was.
        """
        text = json.dumps(self._data, indent=2, ensure_ascii=False) + "\n"
        write_text_atomic(path, text, backup=True)

    # --- editing --------------------------------------------------------------------------

    def get(self, path: str) -> Any:
        node: Any = self._data
        for key in path.split("."):
            node = node[key]
        return copy.deepcopy(node)

    def set(self, path: str, value: Any) -> None:
        """Set a dotted field (``network.widths``); unchanged if the result would be invalid."""
        self.update({path: value})

    def update(self, changes: dict[str, Any]) -> None:
        """Several ``set`` at once, validated together (e.g. a scheme and its params)."""
        self._data = self._applied(changes)

    def with_changes(self, changes: dict[str, Any]) -> Project:
        """A new project: this one with ``changes`` (as in ``update``); this one stays as it is."""
        clone = Project.__new__(Project)
        clone._data = self._applied(changes)
        return clone

    def _applied(self, changes: dict[str, Any]) -> dict:
        candidate = copy.deepcopy(self._data)
        for path, value in changes.items():
            *parents, last = path.split(".")
            node = candidate
            for depth, key in enumerate(parents):
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    section = ".".join(parents[: depth + 1])
                    raise ProjectError(f"cannot set {path}: {section} is not an object")
            node[last] = value
        _keep_applicable_params(candidate, changes)
        return validate(candidate)

    def differing_sections(self, other: Project) -> tuple[str, ...]:
        """The top-level sections ("network", "view", ...) that differ from ``other``'s,
        compared in place (nothing copied): what an undo step or a saved-state check needs."""
        names = list(self._data) + [name for name in other._data if name not in self._data]
        return tuple(name for name in names if self._data.get(name) != other._data.get(name))

    def __eq__(self, other) -> bool:
        return isinstance(other, Project) and self._data == other._data

    def _repr_png_(self) -> bytes | None:
        """Jupyter shows a project as the dashboard `initviz render` draws (initviz.render)."""
        from initviz.notebook import repr_png  # Qt loads only when a picture is asked for

        return repr_png(self)

    def __repr__(self) -> str:
        net = self._data["network"]
        return f"Project({self.name!r}, widths={net['widths']}, {net['activation']}, {self.scheme})"

    # --- read access ------------------------------------------------------------------------

    name = property(lambda self: self._data["name"])
    notes = property(lambda self: self._data["notes"])
    widths = property(lambda self: list(self._data["network"]["widths"]))
    depth = property(lambda self: len(self._data["network"]["widths"]) - 1)
    activation = property(lambda self: self._data["network"]["activation"])
    activation_params = property(lambda self: dict(self._data["network"]["activation_params"]))
    scheme = property(lambda self: self._data["init"]["scheme"])
    scheme_params = property(lambda self: dict(self._data["init"]["params"]))
    bias_scheme = property(lambda self: self._data["init"]["bias"]["scheme"])
    bias_params = property(lambda self: dict(self._data["init"]["bias"]["params"]))
    source = property(lambda self: self._data["data"]["source"])
    batch_size = property(lambda self: self._data["data"]["batch_size"])
    seed = property(lambda self: self._data["data"]["seed"])
    loss = property(lambda self: self._data["loss"])
    training = property(lambda self: dict(self._data["training"]))
    normalization = property(lambda self: self._data["network"]["normalization"])
    residual = property(lambda self: dict(self._data["network"]["residual"]))
    view = property(lambda self: copy.deepcopy(self._data["view"]))

