"""The std-against-depth plot's log axis: every decade written the same way."""
import math

import numpy as np

from initviz.gui.plots.depth_plot import DepthSummaryPlot
from initviz.gui.plots.log_axis import DecadeAxis, decade_labels


def test_decades_are_plain_numbers_or_all_powers_of_ten():
    assert decade_labels([-3, -2, -1, 0, 1]) == ["0.001", "0.01", "0.1", "1", "10"]
    # pyqtgraph wrote "0.0001" next to "10⁻⁵": one decade out of range makes all powers
    assert decade_labels([-5, -4, -1, 0, 1]) == ["10⁻⁵", "10⁻⁴", "10⁻¹", "10⁰", "10¹"]


def test_the_depth_plot_axis_labels_decades_alike_and_keeps_minor_ticks(qtbot):
    plot = DepthSummaryPlot()
    qtbot.addWidget(plot)
    axis = plot.plot_item.getAxis("left")
    assert isinstance(axis, DecadeAxis) and axis.logMode
    plot._show_decades(np.array([1e-5, 1.0]))  # decades beyond 0.001 in sight: all powers
    assert axis.tickStrings([-5.0, -4.0, 0.0], 1.0, 1.0) == ["10⁻⁵", "10⁻⁴", "10⁰"]
    plot._decades = None
    plot._show_decades(np.array([0.01, 10.0]))  # all within 0.001-1000: plain numbers
    labels = axis.tickStrings([-1.0, math.log10(2.0) - 1, 0.0], 1.0, 0.1)
    assert labels[0] == "0.1" and labels[2] == "1" and labels[1] != labels[0]


def test_every_tick_level_of_one_axis_writes_decades_the_same_way(qtbot):
    """pyqtgraph asks for each tick level's labels apart: with std from 1e-4 to 10 the
    major level chose 10⁻⁴, 10⁻², 10⁰ and the minor one 0.001, 0.1 on the same axis."""
    from PySide6 import QtGui

    plot = DepthSummaryPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.show()
    axis = plot.plot_item.getAxis("left")
    for low, high in ((-4, 1), (-4, 3), (-1, 4), (-2, 2)):
        plot._decades = None
        plot._show_decades(np.array([10.0 ** low, 10.0 ** high]))
        image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
        painter = QtGui.QPainter(image)
        texts = [spec[2] for spec in axis.generateDrawSpecs(painter)[2]]
        painter.end()
        powers = [any(c in text for c in "⁰¹²³⁴⁵⁶⁷⁸⁹") for text in texts]
        assert len(texts) >= 3 and len(set(powers)) == 1, (low, high, texts)


def test_ticks_between_decades_follow_the_decades_style(qtbot):
    """The theory tab's depth scale read "3·10¹, 2·10¹, 10, 9 … 1": minor ticks in powers
    beside plain decades."""
    axis = DecadeAxis("left")
    axis.setLogMode(False, True)
    axis.setRange(-0.6, 1.6)  # 0.25 to 40: plain
    values = [0.0, 1.0, math.log10(20.0), math.log10(30.0), math.log10(0.3)]
    assert axis.tickStrings(values, 1.0, 1.0) == ["1", "10", "20", "30", "0.3"]
    axis.setRange(-6.0, 0.0)  # beyond 0.001: powers, the minor ones too
    assert axis.tickStrings([-5.0, math.log10(2.0) - 5], 1.0, 1.0) == ["10⁻⁵", "2·10⁻⁵"]


def test_labels_between_decades_never_overlap_and_decades_stay(qtbot):
    """The Jacobian histogram's axis read "0.050.0700.80.91": minor labels ran into each other
    where a decade is short on screen."""
    import pyqtgraph as pg
    from PySide6 import QtGui

    widget = pg.PlotWidget(axisItems={"bottom": DecadeAxis("bottom")})
    qtbot.addWidget(widget)
    widget.resize(420, 200)
    widget.getPlotItem().setLogMode(x=True)
    widget.getPlotItem().setXRange(math.log10(0.012), math.log10(1.3), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    axis = widget.getPlotItem().getAxis("bottom")
    image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    texts = axis.generateDrawSpecs(painter)[2]
    painter.end()
    labels = [text for _, _, text in texts]
    assert {"0.1", "1"} <= set(labels), labels
    assert len(labels) >= 4
    rects = [rect for rect, _, _ in texts]
    for i, first in enumerate(rects):
        for second in rects[i + 1:]:
            assert not first.intersects(second), labels


def test_rounding_residue_is_a_gap_in_the_gradient_line_not_a_measurement():
    """Lesson 02: the hidden layers' ∂L/∂z are exactly 0 but for float32 rounding (~1e-11);
    the depth line drew that residue as if measured."""
    from initviz.core.network import simulate
    from initviz.gui.prepare import plot_data
    from initviz.lessons import load_lesson

    curves = plot_data.prepare(simulate(load_lesson("02_constant_init"))).depth
    backward = curves["backward"]
    assert np.isnan(backward[:-1]).all()  # layers 1-3: residue, no line
    assert backward[-1] > 1e-4  # the output layer's gradient is real
    assert np.isfinite(curves["forward"]).all()


def legend_rows(plot) -> int:
    """How many rows the legend's labels take, read from where they are drawn."""
    return len({round(label.mapToScene(0, 0).y()) for _, label in plot.legend.items})


def test_the_legend_takes_one_row_where_the_plot_is_wide_enough(qtbot):
    """On a projector's stage the plot is short: a second legend row cost it a third of its
    height at 1024 x 768, so every entry goes on one row whenever they fit."""
    from initviz.gui import theme as th

    plot = DepthSummaryPlot(th.PRESENTATION)
    qtbot.addWidget(plot)
    plot.show()
    view_box = plot.plot_item.getViewBox()
    plot.resize(420, 300)
    qtbot.waitUntil(lambda: legend_rows(plot) == 2)  # entries that do not fit wrap, never clip
    plot.plot_item.layout.activate()
    narrow_plot = view_box.height()
    plot.resize(1000, 300)
    qtbot.waitUntil(lambda: legend_rows(plot) == 1)
    qtbot.waitUntil(lambda: view_box.height() > narrow_plot + 10)  # the row given back
