"""A project file's JSON: parsed strictly, and checked to hold only what JSON can.

Python's ``json`` reads NaN, Infinity and repeated keys without a word; a project that
holds them would not round-trip or would silently keep the wrong value, so each is refused
with the field path (``network.widths[2]``) and what to write instead.
"""
from __future__ import annotations

import json
import math
from typing import Any

from initviz.errors import ProjectError


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


def check_json(value: Any, path: str) -> None:
    """Refuse what a JSON file cannot hold (NaN, objects, non-text keys), naming where it is."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ProjectError(f"{path} must be a finite number, got {value!r}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProjectError(f"{path or 'the project'} has a key that is not text: {key!r}")
            _check_text(key, f"{path or 'the project'} key {key!r}")
            check_json(item, field_path(path, key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json(item, f"{path}[{i}]")
    elif isinstance(value, str):
        _check_text(value, path)
    elif value is not None and not isinstance(value, (int, float)):
        raise ProjectError(f"{path} must be text, a number, true/false, null, a list or an object, "
                           f"got {type(value).__name__}")


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
