"""The std-against-depth plot's log axis: every decade written the same way."""
import math

from initviz.gui.depth_plot import DecadeAxis, DepthSummaryPlot, decade_labels


def test_decades_are_plain_numbers_or_all_powers_of_ten():
    assert decade_labels([-3, -2, -1, 0, 1]) == ["0.001", "0.01", "0.1", "1", "10"]
    # pyqtgraph wrote "0.0001" next to "10⁻⁵": one decade out of range makes all powers
    assert decade_labels([-5, -4, -1, 0, 1]) == ["10⁻⁵", "10⁻⁴", "10⁻¹", "10⁰", "10¹"]


def test_the_depth_plot_axis_labels_decades_alike_and_keeps_minor_ticks(qtbot):
    plot = DepthSummaryPlot()
    qtbot.addWidget(plot)
    axis = plot.plot_item.getAxis("left")
    assert isinstance(axis, DecadeAxis) and axis.logMode
    assert axis.tickStrings([-5.0, -4.0, 0.0], 1.0, 1.0) == ["10⁻⁵", "10⁻⁴", "10⁰"]
    labels = axis.tickStrings([-1.0, math.log10(2.0) - 1, 0.0], 1.0, 0.1)
    assert labels[0] == "0.1" and labels[2] == "1" and labels[1] != labels[0]
