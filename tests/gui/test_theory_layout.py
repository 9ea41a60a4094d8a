"""The Theory tab on a classroom screen: labels written as maths, nothing cut or overlapping,
and an exploding network's spectrum and depth scale drawn, not lost."""
import re

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from initviz.gui.views.theory import TheoryView
from initviz.project import Project

TIMEOUT = 30000
THEORY_AREA = {(1024, 768): (700, 660), (1280, 720): (955, 610), (1920, 1080): (1600, 970)}
"""The tab's size in a window of each classroom size: less the controls dock (~320 px) and the
menu, tab and status bars (~110 px)."""
RAW_SUBSCRIPT = re.compile(r"[σξχzq]_[A-Za-z0-9]")


def project(activation="tanh", std=1.0, widths=(64, 64, 64, 64, 10)):
    return Project({
        "network": {"widths": list(widths), "activation": activation},
        "init": {"scheme": "normal", "params": {"std": std}, "bias": {"scheme": "zeros"}},
        "data": {"batch_size": 16, "seed": 0},
    })


def exploding_relu():
    """30 ReLU layers at std 10 (σ_w² = 3200 per layer): J beyond 10⁴⁰, no fixed point q*."""
    return project("relu", 10.0, [32] * 30 + [10])


def open_view(qtbot, p, size=(1200, 700)):
    view = TheoryView(project=p)
    qtbot.addWidget(view)
    view.resize(*size)
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        view.show()
    QtCore.QCoreApplication.processEvents()
    view.grab()  # painted once: a TextItem places its text against the view when painted
    return view


def texts(view):
    plots = view.plots
    for plot in (plots.phase_plot, plots.depth_plot, plots.jacobian_plot, plots.colour_bar):
        yield plot.titleLabel.text
        for name in ("left", "bottom"):
            if name in plot.axes:
                yield plot.getAxis(name).labelText
    yield view.summary.text()
    yield view.jacobian_bar.caption.text()


def test_labels_write_subscripts_as_subscripts(qtbot):
    view = open_view(qtbot, project())
    written = list(texts(view))
    assert not [t for t in written if RAW_SUBSCRIPT.search(t)]
    assert any("σ<sub>w</sub>²" in t for t in written) and any("ξ<sub>c</sub>" in t
                                                              for t in written)


@pytest.mark.parametrize("window", list(THEORY_AREA))
def test_nothing_is_cut_or_overlaps_at_classroom_sizes(qtbot, window):
    view = open_view(qtbot, project(std=1.0), THEORY_AREA[window])  # chaotic: marker far right
    plots = view.plots
    scene = QtCore.QRectF(0, 0, plots.width(), plots.height())
    for plot in (plots.phase_plot, plots.depth_plot, plots.jacobian_plot):
        assert scene.contains(plot.titleLabel.sceneBoundingRect())
        assert scene.contains(plot.getAxis("bottom").label.sceneBoundingRect())
    bar = plots.colour_bar
    title = bar.titleLabel.item.sceneBoundingRect()  # the text "χ₁" itself
    assert scene.contains(title)
    # the top tick label ("2.0") is centred on the bar's top edge
    tick_font = bar.axis.style.get("tickFont") or QtGui.QFont()
    half = QtGui.QFontMetricsF(tick_font).height() / 2
    top = bar.vb.sceneBoundingRect().top()
    axis = bar.axis.sceneBoundingRect()
    top_tick = QtCore.QRectF(axis.left(), top - half, axis.width(), 2 * half)
    assert not title.intersects(top_tick)  # χ₁ clear of its ticks
    phase_box = plots.phase_plot.vb.sceneBoundingRect()
    assert phase_box.contains(plots.marker_label.sceneBoundingRect())  # "this project"
    depth_box = plots.depth_plot.vb.sceneBoundingRect()
    assert depth_box.contains(plots.depth_line.label.sceneBoundingRect())  # "depth of this…"


def test_an_exploding_networks_spectrum_fills_its_plot(qtbot):
    view = open_view(qtbot, exploding_relu())
    plots, spectrum = view.plots, view.result.spectrum
    edges, counts = plots.jacobian_hist.getData()
    assert counts.sum() == spectrum.nonzero.size > 0
    assert np.log10(spectrum.nonzero.min()) > 30  # far from isometry: J explodes
    assert (counts > 0).sum() >= 10  # spread over the plot, not a needle in one bin
    (left, right), _ = plots.jacobian_plot.viewRange()
    assert left <= edges[0] and right >= edges[-1]
    assert not plots.isometry.isVisible()
    assert "decades left" in plots.isometry_note.textItem.toPlainText()


def test_without_a_depth_scale_the_marker_is_empty_and_comes_back(qtbot):
    view = open_view(qtbot, exploding_relu())
    assert not np.isfinite(view.result.here.xi_c)
    x, y = view.plots.depth_marker.getData()
    assert len(x) == len(y) == 0
    with qtbot.waitSignal(view.shown, timeout=TIMEOUT):
        view.document.load(project())
    x, y = view.plots.depth_marker.getData()
    assert len(x) == len(y) == 1 and 10 ** y[0] == pytest.approx(view.result.here.xi_c)
