"""The Project: one serialisable description of a network, its init, data and view.

A Project is the single source of truth. It is validated as a whole whenever it
changes, so a Project that exists is always usable; every problem raises
``ProjectError`` with the field path and the fix. Unknown keys are kept, so files
written by a newer minor release survive a round trip.

Here: the file format, its versions and defaults, and the model. Each field's check and
bounds live in ``initviz.project_fields``; strict JSON parsing in ``initviz.project_json``.
"""
from __future__ import annotations

import copy
import json
import os
from typing import Any

from initviz.core.activations import resolve_activation
from initviz.core.schemes import resolve_scheme
from initviz.errors import ProjectError
from initviz.project_fields import MAX_DEPTH as MAX_DEPTH  # the presentation strip's import
from initviz.project_fields import expect, validate_fields
from initviz.project_json import check_json, parse_json
from initviz.safe_io import display_name, read_bounded, shorten_message, write_text_atomic

FORMAT = "initviz-project"
VERSION = 2
"""The newest version this build reads (see ARCHITECTURE_VERSION)."""
MAX_FILE_BYTES = 5 * 1024 * 1024
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


def uses_architecture(data: dict) -> bool:
    """Whether a project (canonical dict) normalises or has skips: then it is saved as
    ARCHITECTURE_VERSION, which older builds refuse rather than misdraw."""
    net = data["network"]
    return net["normalization"] != "none" or bool(net["residual"]["enabled"])


def validate(raw: Any) -> dict:
    """Return the canonical form of a project dict (defaults filled, names canonical)."""
    try:
        return _validate(raw)
    except RecursionError:
        raise ProjectError("the project is nested too deeply to be an initviz project") from None


def _validate(raw: Any) -> dict:
    expect(raw, dict, "the project", "a JSON object")
    check_json(raw, "")
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
            expect(raw[section], dict, section, "a JSON object")
    data = _merge_defaults(raw, DEFAULTS)
    validate_fields(data)
    data["version"] = ARCHITECTURE_VERSION if uses_architecture(data) else 1
    return data


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

