"""Parameters of schemes and activations, declared once.

The GUI builds its spin boxes and combo boxes from these, the project loader
validates against them, and the docs and tooltips quote their help text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from initviz.errors import ProjectError


@dataclass(frozen=True)
class Param:
    """One named parameter: a number, or a choice among strings."""

    name: str
    default: float | str
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def validate(self, value: Any, path: str) -> float | str:
        """Return ``value`` checked and normalised, or raise ProjectError naming ``path``."""
        if self.is_choice:
            if not isinstance(value, str) or value not in self.choices:
                options = ", ".join(self.choices)
                raise ProjectError(f"{path} must be one of {options}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProjectError(f"{path} must be a number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):  # ints are finite, however large
            raise ProjectError(f"{path} must be a finite number, got {value!r}")
        if self.integer and value != int(value):
            raise ProjectError(f"{path} must be a whole number, got {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ProjectError(f"{path} must be at least {self.minimum:g}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ProjectError(f"{path} must be at most {self.maximum:g}, got {value!r}")
        return int(value) if self.integer else float(value)


def resolve_params(
    params: tuple[Param, ...], given: dict | None, path: str
) -> dict[str, float | str]:
    """Defaults overlaid with ``given``; unknown names are refused with the known ones listed."""
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise ProjectError(f"{path} must be an object of parameters, got {given!r}")
    known = {p.name: p for p in params}
    for name in given:
        if name not in known:
            allowed = ", ".join(known) or "none"
            plain = isinstance(name, str) and name.isidentifier()
            where = f"{path}.{name}" if plain else f"{path}[{name!r}]"  # stays on one line
            raise ProjectError(f"{where} is not a parameter here (allowed: {allowed})")
    return {
        p.name: p.validate(given[p.name], f"{path}.{p.name}") if p.name in given else p.default
        for p in params
    }
