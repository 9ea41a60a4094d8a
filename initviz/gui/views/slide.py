"""A slide: the picture ``initviz render`` draws and "Export slide…" saves, at a chosen size.

A heading saying what was simulated, the histogram rows and the std-against-depth summary,
sized for a projector: fonts of at least 10 pt scaled with the picture, rows no smaller
than MIN_ROW_HEIGHT. A project whose ``view.compare`` names a project B (the lessons that
compare two inits) shows both: A's rows above B's, on the same axes and height scale as
the Compare tab, and one depth plot with A solid and B dashed.

Computing the data is the caller's (``slide_data`` runs in a worker or in the CLI);
the widget only draws, which takes the GUI thread a few tens of milliseconds.
"""
from __future__ import annotations

import dataclasses
import html
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.core.activations import resolve_activation
from initviz.core.blocks import NORMALIZATION_TITLES
from initviz.core.schemes import resolve_scheme
from initviz.gui import theme as th
from initviz.gui.export import writers
from initviz.gui.plots.layer_grid import LayerHistogramGrid, column_peaks
from initviz.gui.prepare import plot_data
from initviz.gui.prepare.comparison import compute_pair, describe, project_b
from initviz.gui.view_settings import ViewSettings, spread_layers
from initviz.gui.views.compare import CompareDepthPlot
from initviz.gui.views.layers import DashboardView
from initviz.gui.workers.compute import compute
from initviz.safe_io import write_bytes_atomic

MIN_ROW_HEIGHT = 120
"""A histogram row smaller than this is not readable from the back of a room."""
SLIDE_SIZES = {"1920 × 1080 (Full HD)": (1920, 1080), "1280 × 720 (HD projector)": (1280, 720),
               "1024 × 768 (4:3 projector)": (1024, 768)}
"""The sizes "Export slide…" offers first; any other is typed in."""


def compares(project) -> bool:
    """True for a project that names its B (``view.compare``): its slide shows both."""
    spec = project.view.get("compare")
    return isinstance(spec, dict) and bool(spec)


def slide_projects(project) -> list:
    """[A] or, for a comparing project, [A, B]; raises ProjectError for an invalid B."""
    return [project, project_b(project)] if compares(project) else [project]


def slide_data(projects, should_stop=None) -> list:
    """The PlotData of each project (the heavy part: run it off the GUI thread); two projects
    are binned on shared ranges, as the Compare tab draws them."""
    if len(projects) == 2:
        return compute_pair(projects, should_stop)
    return [compute(projects[0])]


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
    if project.normalization != "none":  # what the network adds to the plain one
        activation = f"{NORMALIZATION_TITLES[project.normalization]} + {activation}"
    if project.residual["enabled"]:
        activation += f"  ·  residual α = {project.residual['branch_scale']:g}"
    return (f"{init} init  ·  {activation}  ·  widths {shape} (depth {project.depth})  ·  "
            f"batch {project.batch_size}, seed {project.seed}, {project.source} inputs")


def title_html(project, font_pt: float, compared: bool = False) -> str:
    """The picture's heading: the name (plain text, escaped) and what was simulated."""
    what = ("A and B on the same batch, histograms on the same axes" if compared
            else html.escape(settings_line(project)))
    return (
        f"<span style='font-size:{font_pt * 1.5:.1f}pt; font-weight:bold'>"
        f"{html.escape(project.name)}</span>"
        f"<br><span style='font-size:{font_pt:.1f}pt'>{what}</span>"
        f"<br><span style='font-size:{font_pt:.1f}pt; color:#444'>Histograms: share of "
        "values per bin; value axes shared down each column.</span>"
    )


def slide_theme(size) -> th.Theme:
    font_pt = min(max(size[1] / 85.0, 10.0), 18.0)
    return dataclasses.replace(
        th.NORMAL, name="render", font_pt=font_pt, line_width=2.0, fill_alpha=130,
        row_height=max(MIN_ROW_HEIGHT, int(11 * font_pt)),
    )


def fit_rows(chosen: list[int], fitting: int) -> list[int]:
    """The chosen layers, or as many of them as fit, spread from the first chosen to the last
    (only the last when one fits: where the init's effect has grown the most)."""
    if len(chosen) <= fitting:
        return chosen
    if fitting == 1:
        return chosen[-1:]
    return [chosen[i - 1] for i in spread_layers(len(chosen), fitting)]


class Slide(QtWidgets.QWidget):
    """The slide's widget, never shown on screen; ``draw`` fills it, then grab or paint it."""

    def __init__(self, projects, size, layers="auto"):
        super().__init__()
        self.setAttribute(QtCore.Qt.WA_DontShowOnScreen)
        self.projects, self.size_wanted, self.layers_wanted = list(projects), tuple(size), layers
        self.theme = slide_theme(size)
        self.rows: list[int] = []
        self.setStyleSheet(f"background: white; color: {self.theme.foreground};")
        self.setWindowTitle(projects[0].name)
        self.title = QtWidgets.QLabel(title_html(projects[0], self.theme.font_pt,
                                                 len(projects) == 2))
        self.title.setContentsMargins(10, 6, 10, 4)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        if len(self.projects) == 2:
            self._build_pair(layout)
        else:
            self.dashboard = DashboardView(self.theme, show_formula=False,
                                           show_display_bar=False, side_by_side=True)
            self.grids = [self.dashboard.grid]
            layout.addWidget(self.dashboard, 1)
        self.resize(*size)

    def _build_pair(self, layout) -> None:
        self.depth_plot = CompareDepthPlot(self.theme)
        self.side_titles, self.grids = [], []
        left = QtWidgets.QVBoxLayout()
        for side, project in zip("AB", self.projects, strict=True):
            label = QtWidgets.QLabel(f"<span style='font-size:{self.theme.font_pt * 1.1:.1f}pt'>"
                                     f"<b>{side}</b>: {describe(project)}</span>")
            label.setContentsMargins(10, 0, 10, 0)
            grid = LayerHistogramGrid(self.theme, scrolling=False)
            left.addWidget(label)
            left.addWidget(grid, 1)
            self.side_titles.append(label)
            self.grids.append(grid)
        body = QtWidgets.QHBoxLayout()
        body.addLayout(left, 66)
        body.addWidget(self.depth_plot, 34)
        layout.addLayout(body, 1)

    def row_budget(self, depth: int) -> tuple[list[int], int]:
        """The rows each grid shows and their height: the chosen ones, as many as fit in the
        space the laid-out grid leaves below its column titles."""
        grid = self.grids[0]
        space = grid.height() - grid.header.height() - 8
        fitting = max(int(space // (MIN_ROW_HEIGHT + 6)), 1)
        chosen = ViewSettings(layers=self.layers_wanted).visible_layers(depth)
        if self.layers_wanted == "auto" and len(chosen) > fitting:
            chosen = spread_layers(depth, fitting)
        rows = fit_rows(chosen, fitting)
        row_height = min(int(space // len(rows)) - 6, int(self.theme.row_height * 1.5))
        return rows, row_height

    def draw(self, datas) -> None:
        """Show ``datas`` (one PlotData per project, from ``slide_data``) and lay it all out."""
        self.show()
        if len(datas) == 1:
            self.dashboard.splitter.setSizes([int(self.width() * 0.66),
                                              int(self.width() * 0.34)])
        for grid in self.grids:
            grid.apply_theme(self.theme)
        QtWidgets.QApplication.processEvents()  # laid out: the grids' space is known
        self.rows, row_height = self.row_budget(max(d.depth_count for d in datas))
        theme = dataclasses.replace(self.theme, row_height=row_height)
        settings = dataclasses.replace(ViewSettings.from_view(self.projects[0].view),
                                       layers=self.rows, heatmap=False)
        if len(datas) == 2:
            self.depth_plot.show_data(datas)
            peaks = {q: max(column_peaks(d)[q] for d in datas) for q in plot_data.COLUMNS}
            for grid, data in zip(self.grids, datas, strict=True):
                grid.apply_theme(theme)
                grid.show_data(data, settings, peaks)
        else:
            self.dashboard.apply_theme(theme)
            self.dashboard.show_data(datas[0], settings)
        for grid in self.grids:
            grid.draw_pending()
        QtWidgets.QApplication.processEvents()  # the layout settles at the final size


def write_slide(slide: Slide, path) -> None:
    """The drawn ``slide`` to ``path``: a PNG of exactly the slide's size, or portable SVG;
    written through a temporary file and a rename, like every export."""
    path = Path(path)
    if path.suffix.lower() == ".png":
        image = slide.grab().toImage()
        wanted = QtCore.QSize(*slide.size_wanted)
        if image.size() != wanted:  # a high-dpi screen grabs at twice the size
            image = image.scaled(wanted, QtCore.Qt.IgnoreAspectRatio,
                                 QtCore.Qt.SmoothTransformation)
        write_bytes_atomic(path, writers.png_bytes(image, path))
    else:
        writers.export_widget(slide, path)
