"""Display settings kept in the project's ``view`` dict, which the project file leaves to
the GUI.

They only change how results are drawn, never what is computed, so editing
them re-draws the last result without a new simulation. Other views may keep
their own keys in ``view``; these functions leave unknown keys alone.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

AUTO_LAYER_LIMIT = 16
"""Up to this depth every layer gets a histogram row by default; deeper networks get a spread."""


@dataclass(frozen=True)
class ViewSettings:
    shared_axes: bool = True
    log_counts: bool = False
    heatmap: bool = False
    layers: object = "auto"
    """"auto", "all", or a list of 1-based layer numbers."""
    seed_band: bool = False
    """The depth plot's band of the measured std over eight seeds (computed only when on)."""
    log_magnitude: bool = False
    """Gradient columns as histograms of log10|x|: a vanishing gradient is a shift by decades."""
    lock_axes: bool = False
    """Keep the layer grid's axes as they are while the project changes (compare two schemes
    on one scale)."""

    @classmethod
    def from_view(cls, view: dict) -> ViewSettings:
        layers = view.get("layers", "auto")
        if not (layers in ("auto", "all") or _is_int_list(layers)):
            layers = "auto"
        return cls(
            shared_axes=bool(view.get("shared_axes", True)),
            log_counts=bool(view.get("log_counts", False)),
            heatmap=bool(view.get("heatmap", False)),
            layers=layers,
            seed_band=bool(view.get("seed_band", False)),
            log_magnitude=bool(view.get("log_magnitude", False)),
            lock_axes=bool(view.get("lock_axes", False)),
        )

    def visible_layers(self, depth: int, limit: int = AUTO_LAYER_LIMIT) -> list[int]:
        return visible_layers(self.layers, depth, limit)


DISPLAY_KEYS = frozenset(field.name for field in fields(ViewSettings))
"""The ``view`` keys that only change how results are drawn: never unsaved work."""


def without_display(view: dict) -> dict:
    """``view`` without DISPLAY_KEYS: what an unsaved-changes check compares."""
    return {key: value for key, value in view.items() if key not in DISPLAY_KEYS}


def _is_int_list(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)


def spread_layers(depth: int, count: int = 10) -> list[int]:
    """First two, last two and evenly spaced ones between: a deep network at a glance."""
    if depth <= count:
        return list(range(1, depth + 1))
    if count < 5:  # a small picture: evenly spaced, first and last always among them
        slots = max(count, 2)
        return sorted({round(1 + k * (depth - 1) / (slots - 1)) for k in range(slots)})
    middle = count - 4
    step = (depth - 3) / (middle + 1)
    chosen = {1, 2, depth - 1, depth}
    chosen.update(round(3 + step * (k + 1)) - 1 for k in range(middle))
    return sorted(c for c in chosen if 1 <= c <= depth)


def visible_layers(layers, depth: int, limit: int = AUTO_LAYER_LIMIT) -> list[int]:
    if layers == "all" or (layers == "auto" and depth <= limit):
        return list(range(1, depth + 1))
    if layers == "auto":
        return spread_layers(depth)
    chosen = sorted({int(v) for v in layers if 1 <= int(v) <= depth})
    return chosen or [depth]


def parse_layers(text: str):
    """``"1-3, 10, 28-30"`` -> [1, 2, 3, 10, 28, 29, 30]; ``""``/``"auto"``/``"all"`` as such.

    Raises ValueError with a message a person can act on.
    """
    text = text.strip().lower()
    if text in ("", "auto"):
        return "auto"
    if text == "all":
        return "all"
    chosen: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(
                f"layers: {part!r} is not a layer number or a range like 3-7") from None
        if first < 1 or last < first:
            raise ValueError(f"layers: {part!r} must be a range of layers from 1 upwards")
        chosen.update(range(first, min(last, 10_000) + 1))
    return sorted(chosen) if chosen else "auto"


def format_layers(layers) -> str:
    """The inverse of ``parse_layers``: runs written as ranges."""
    if layers in ("auto", "all"):
        return layers
    runs, start, prev = [], None, None
    for v in sorted(layers):
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            runs.append((start, prev))
            start = prev = v
    if start is not None:
        runs.append((start, prev))
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)
