"""Qt's SVG made portable: the same picture in a browser, in cairosvg or Inkscape, and in Qt.

QSvgGenerator writes what QPainter was told, which other renderers draw differently:

- a plot's curve is a path in data units under its view's transform (a scale of 10⁹
  for gradients of 1e-9) with ``vector-effect="non-scaling-stroke"``. Renderers that
  ignore that SVG Tiny 1.2 attribute (cairosvg, ImageMagick) scale the 1-px pen by 10⁹:
  a solid blob. Here every such path is moved into the coordinates of its group's
  parent (the transform applied to its points), so a pen is a pen everywhere.
- QPainter splits a string into runs by script ("μ -5.45" Greek, "e-18" Latin) and
  places each run itself: another renderer's font metrics then leave gaps inside a
  number. Runs that Qt set end to end are joined into one ``<text>``.
- ``font-family="Sans Serif"`` is Qt's alias, unknown to browsers: the family Qt
  actually drew with goes first, then the generic ``sans-serif``.
- the size is given in millimetres (at the generator's dpi); pixels here, as the view box,
  so the picture rasterises at the size it was drawn.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_MATRIX = re.compile(r"matrix\(([^)]*)\)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
SHAPES = ("path", "polyline", "polygon", "rect", "line")
JOIN_TOLERANCE = 0.6
"""How far (in font sizes × this) a run may start from the end of the previous one and still
be its continuation: Qt's runs of one string abut within a fraction of a pixel."""

Matrix = tuple[float, float, float, float, float, float]
Measure = Callable[[str, str, float, str], float]
"""(text, font family, font size in px, font weight) -> advance width in px."""
Resolve = Callable[[str], str]
"""A font family as Qt wrote it -> the family Qt drew with."""


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def _matrix(element) -> Matrix | None:
    match = _MATRIX.search(element.get("transform", ""))
    if not match:
        return None
    values = [float(v) for v in _NUMBER.findall(match.group(1))]
    return tuple(values) if len(values) == 6 else None


def _is_translation(m: Matrix) -> bool:
    return m[0] == 1 and m[1] == 0 and m[2] == 0 and m[3] == 1


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _points(m: Matrix, numbers: list[float]) -> str:
    pairs = []
    for i in range(0, len(numbers) - 1, 2):
        x, y = _apply(m, numbers[i], numbers[i + 1])
        pairs.append(f"{_fmt(x)},{_fmt(y)}")
    return " ".join(pairs)


def _path(m: Matrix, d: str) -> str | None:
    """Absolute M/L/C/Q/Z (all Qt writes) mapped through ``m``; None for anything else."""
    parts, command, numbers = [], None, []
    for token in _PATH_TOKEN.findall(d) + ["end"]:
        if not token[0].isalpha():
            numbers.append(float(token))
            continue
        if token in "mlcq":
            return None
        if command in ("Z", "z"):
            parts.append("Z")
        elif command is not None:
            parts.append(command + _points(m, numbers))
        command, numbers = token, []
    return " ".join(parts)


def _bake(shape, m: Matrix) -> bool:
    """Put ``shape``'s geometry through ``m``; False when the shape cannot be rewritten."""
    kind = _tag(shape)
    if kind == "path":
        d = _path(m, shape.get("d", ""))
        if d is None:
            return False
        shape.set("d", d)
    elif kind in ("polyline", "polygon"):
        numbers = [float(v) for v in _NUMBER.findall(shape.get("points", ""))]
        shape.set("points", _points(m, numbers))
    elif kind == "line":
        x1, y1 = _apply(m, float(shape.get("x1", 0)), float(shape.get("y1", 0)))
        x2, y2 = _apply(m, float(shape.get("x2", 0)), float(shape.get("y2", 0)))
        shape.attrib.update(x1=_fmt(x1), y1=_fmt(y1), x2=_fmt(x2), y2=_fmt(y2))
    elif kind == "rect":
        x, y = float(shape.get("x", 0)), float(shape.get("y", 0))
        w, h = float(shape.get("width", 0)), float(shape.get("height", 0))
        corners = [x, y, x + w, y, x + w, y + h, x, y + h]
        shape.tag = f"{{{SVG_NS}}}path"
        for key in ("x", "y", "width", "height", "rx", "ry"):
            shape.attrib.pop(key, None)
        shape.set("d", f"M{_points(m, corners).replace(' ', ' L')} Z")
    return True


def _scale(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


def _flatten_group(group) -> None:
    """A group drawn under a scaling transform: its shapes re-written in the parent's units.

    Strokes Qt drew non-scaling keep their width; strokes that scaled with the transform get
    the width they had on screen. A child that cannot be rewritten keeps the transform itself.
    """
    m = _matrix(group)
    if m is None or _is_translation(m):
        return
    width = float(group.get("stroke-width", "1") or 1)
    for child in list(group):
        non_scaling = child.attrib.pop("vector-effect", None) == "non-scaling-stroke"
        if _tag(child) in SHAPES and _bake(child, m):
            if not non_scaling:
                child.set("stroke-width", _fmt(width * _scale(m)))
        else:
            own = _matrix(child) or (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            combined = (m[0] * own[0] + m[2] * own[1], m[1] * own[0] + m[3] * own[1],
                        m[0] * own[2] + m[2] * own[3], m[1] * own[2] + m[3] * own[3],
                        m[0] * own[4] + m[2] * own[5] + m[4], m[1] * own[4] + m[3] * own[5] + m[5])
            child.set("transform", "matrix(" + ",".join(f"{v:.9g}" for v in combined) + ")")
            if non_scaling and _scale(m) > 0:
                child.set("stroke-width", f"{width / _scale(m):.9g}")
    group.attrib.pop("transform")


def _join_runs(group, measure: Measure) -> None:
    """Consecutive ``<text>`` runs of one string (same font and baseline, each starting where
    the previous one ends) as one run."""
    previous = None
    for child in list(group):
        if _tag(child) != "text":
            previous = None
            continue
        if previous is not None and _continues(previous, child, measure):
            previous.text = (previous.text or "") + (child.text or "")
            group.remove(child)
            continue
        previous = child


def _font(element) -> tuple[str, float, str]:
    return (element.get("font-family", ""), float(element.get("font-size", "0") or 0),
            element.get("font-weight", "400"))


def _continues(first, second, measure: Measure) -> bool:
    keys = ("y", "fill", "font-family", "font-size", "font-weight", "font-style", "transform")
    if any(first.get(k) != second.get(k) for k in keys) or len(first) or len(second):
        return False
    family, size, weight = _font(first)
    end = float(first.get("x", 0)) + measure(first.text or "", family, size, weight)
    return abs(float(second.get("x", 0)) - end) <= JOIN_TOLERANCE * max(size, 1.0)


def clean_svg(data: bytes, measure: Measure, resolve: Resolve) -> bytes:
    """Qt's SVG ``data`` with device-coordinate strokes, one text run per string and fonts a
    browser knows. ``measure`` gives a run's advance as Qt laid it out; ``resolve`` the family
    Qt drew a font-family with."""
    root = ET.fromstring(data)
    box = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    if len(box) == 4:
        root.set("width", _fmt(box[2]))
        root.set("height", _fmt(box[3]))
    for group in list(root.iter(f"{{{SVG_NS}}}g")):
        _flatten_group(group)
        _join_runs(group, measure)
    families: dict[str, str] = {}
    for element in root.iter():
        element.attrib.pop("vector-effect", None)
        family = element.get("font-family")
        if family is not None:
            if family not in families:
                drawn = resolve(family)
                families[family] = ", ".join(dict.fromkeys((drawn, family, "sans-serif")))
            element.set("font-family", families[family])
    return _serialise(root)


def _serialise(root) -> bytes:
    """The tree with the SVG namespace as the default and xlink's own prefix, written out
    without registering either in ElementTree's process-wide table."""
    for element in root.iter():
        element.tag = _tag(element)
        for key in [k for k in element.attrib if k.startswith(f"{{{XLINK_NS}}}")]:
            element.set("xlink:" + key.rsplit("}", 1)[-1], element.attrib.pop(key))
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
