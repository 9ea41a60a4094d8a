"""The std-against-depth plot: where theory and measurement agree, both lines are still seen."""
from types import SimpleNamespace

import numpy as np
from PySide6 import QtGui

from initviz.gui import theme as th
from initviz.gui.plots.depth_plot import DepthSummaryPlot


def agreeing_data(depth=10):
    """Theory exactly on the measurement: a good initialisation's picture."""
    layers = np.arange(1, depth + 1, dtype=np.float64)
    forward = np.full(depth, 0.8)
    backward = 1e-3 * 1.2 ** layers
    curves = {"layer": layers, "forward": forward, "forward_theory": forward.copy(),
              "backward": backward, "backward_theory": backward.copy()}
    simulation = SimpleNamespace(layers=[SimpleNamespace(fan_out=256)] * depth)
    return SimpleNamespace(depth=curves, simulation=simulation)


def pixels_like(image: QtGui.QImage, colour: QtGui.QColor, tolerance=40) -> int:
    array = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, : image.width() * 4].reshape(
        image.height(), image.width(), 4)
    bgr = np.array([colour.blue(), colour.green(), colour.red()])
    return int((np.abs(array[..., :3].astype(int) - bgr).max(axis=-1) < tolerance).sum())


def test_dashed_theory_is_drawn_over_the_measured_line_in_another_shade(qtbot):
    plot = DepthSummaryPlot()
    qtbot.addWidget(plot)
    plot.resize(700, 400)
    plot.show()
    plot.show_data(agreeing_data())
    for direction in ("forward", "backward"):
        measured, theory = plot.lines[direction], plot.lines[f"{direction}_theory"]
        assert theory.zValue() > max(measured.zValue(), plot.dots[direction].zValue())
        assert theory.pen().widthF() < measured.pen().widthF()
        assert theory.pen().color().lightness() < measured.pen().color().lightness() - 40
    image = plot.grab().toImage().convertToFormat(QtGui.QImage.Format_ARGB32)
    dark = th.colour(th.FORWARD_COLOUR).darker(220)
    # the dashes run the plot's width over the measured line: hundreds of pixels, not a few
    assert pixels_like(image, dark, tolerance=30) > 200
