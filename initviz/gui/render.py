"""``initviz render``: the dashboard drawn headless to PNG or SVG, for slides and reports.

Synchronous (a command, not a window): simulate, prepare, draw, write. The
picture is made for a projector: fonts of at least 10 pt scaled with the image,
a title saying what was simulated, and for deep networks a spread of layers
(first, some middle, last) next to the std-against-depth summary.
"""
from __future__ import annotations

import dataclasses
import html
import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.core.activations import resolve_activation
from initviz.core.schemes import resolve_scheme
from initviz.errors import ProjectError
from initviz.gui import theme as th
from initviz.gui.app import ensure_application
from initviz.gui.export import writers
from initviz.gui.view_settings import ViewSettings, spread_layers
from initviz.gui.views.layers import DashboardView
from initviz.gui.workers.compute import compute
from initviz.safe_io import write_bytes_atomic

MIN_ROW_HEIGHT = 120
"""A histogram row smaller than this is not readable from the back of a room."""


def settings_line(project) -> str:
    """One line saying what was simulated: scheme, activation, widths, batch, seed, loss."""
    scheme = resolve_scheme(project.scheme)
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in project.scheme_params.items())
    init = scheme.title + (f" ({params})" if params else "")
    widths = project.widths
    hidden = widths[1:-1]
    if hidden and len(set(hidden)) == 1:
        shape = f"{widths[0]} → {hidden[0]} × {len(hidden)} → {widths[-1]}"
    else:
        shape = " → ".join(map(str, widths))
    activation = resolve_activation(project.activation).title
    return (f"{init} init  ·  {activation}  ·  widths {shape} (depth {project.depth})  ·  "
            f"batch {project.batch_size}, seed {project.seed}, {project.source} inputs")


def title_html(project, font_pt: float) -> str:
    """The picture's heading: the name (plain text, escaped) and what was simulated."""
    return (
        f"<span style='font-size:{font_pt * 1.5:.1f}pt; font-weight:bold'>"
        f"{html.escape(project.name)}</span>"
        f"<br><span style='font-size:{font_pt:.1f}pt'>{html.escape(settings_line(project))}</span>"
        f"<br><span style='font-size:{font_pt:.1f}pt; color:#444'>Histograms: share of "
        "values per bin; value axes shared down each column.</span>"
    )


def _render_theme(size):
    font_pt = min(max(size[1] / 85.0, 10.0), 18.0)
    return dataclasses.replace(
        th.NORMAL, name="render", font_pt=font_pt, line_width=2.0, fill_alpha=130,
        row_height=max(MIN_ROW_HEIGHT, int(11 * font_pt)),
    )


def _build(project, data, size):
    theme = _render_theme(size)
    widget = QtWidgets.QWidget()
    widget.setAttribute(QtCore.Qt.WA_DontShowOnScreen)
    widget.setStyleSheet(f"background: white; color: {theme.foreground};")
    widget.setWindowTitle(project.name)
    title = QtWidgets.QLabel(title_html(project, theme.font_pt))
    title.setContentsMargins(10, 6, 10, 4)
    dashboard = DashboardView(theme, show_formula=False, show_display_bar=False, side_by_side=True)
    layout = QtWidgets.QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(title)
    layout.addWidget(dashboard, 1)
    widget.resize(*size)
    dashboard.splitter.setSizes([int(size[0] * 0.66), int(size[0] * 0.34)])
    settings = ViewSettings.from_view(project.view)
    grid_height = size[1] - title.sizeHint().height() - 3 * theme.font_pt - 24
    fitting = max(int(grid_height // (theme.row_height + 6)), 2)
    layers = settings.visible_layers(data.depth_count)
    if settings.layers == "auto" or len(layers) > fitting:
        layers = spread_layers(data.depth_count, fitting)
    row_height = min(int(grid_height // len(layers)) - 6, int(theme.row_height * 1.5))
    dashboard.apply_theme(dataclasses.replace(theme, row_height=row_height))
    return widget, dashboard, dataclasses.replace(settings, layers=layers, heatmap=False)


def render_project(project, out_path, size=(1600, 1000)) -> Path:
    """Draw ``project``'s dashboard to ``out_path`` (.png or .svg) at ``size`` pixels."""
    out_path = Path(out_path)
    if out_path.suffix.lower() not in (".png", ".svg"):
        raise ProjectError(f"{out_path.name}: render to .png or .svg")
    if not out_path.parent.is_dir():
        raise ProjectError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    app = ensure_application()
    data = compute(project)
    widget, dashboard, settings = _build(project, data, size)
    widget.show()
    app.processEvents()
    dashboard.show_data(data, settings)
    deadline = time.monotonic() + 60
    while dashboard.grid.drawing and time.monotonic() < deadline:
        app.processEvents()
    app.processEvents()
    try:
        if out_path.suffix.lower() == ".png":
            image = widget.grab().toImage()
            if (image.width(), image.height()) != tuple(size):
                image = image.scaled(*size)
            write_bytes_atomic(out_path, writers.png_bytes(image, out_path))
        else:
            writers.export_widget(widget, out_path)
    finally:
        widget.close()
        widget.deleteLater()
    return out_path
