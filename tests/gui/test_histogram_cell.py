"""One cell of the layer grid: the histogram it draws and the caption it writes."""
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

import initviz
from initviz.gui import theme as th
from initviz.gui.plots.caption import caption_forms, caption_lines, lines_text
from initviz.gui.plots.cell_axis import y_ticks
from initviz.gui.plots.histogram_cell import HistogramCell, step_outline
from initviz.gui.prepare.frames import frame_plot_data
from initviz.gui.prepare.plot_data import Cell, Histogram, prepare
from initviz.project import Project

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def test_step_outline_runs_along_the_top_of_every_bin():
    x, y = step_outline(np.array([0.0, 1.0, 2.0, 4.0]), np.array([0.5, 0.25, 0.25]), 0.0)
    assert x.tolist() == [0, 0, 1, 1, 2, 2, 4, 4]
    assert y.tolist() == [0, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0]  # up, across, down


def _cell(fractions, edges, **extra):
    hist = Histogram(np.asarray(edges, float), np.asarray(fractions, float), 100, 400)
    return Cell(shared=hist, own=hist, mean=0.0123, std=1.5, nonfinite=0, **extra)


@pytest.fixture
def drawn_cell(qtbot):
    scene = QtWidgets.QGraphicsScene()
    view = QtWidgets.QGraphicsView(scene)
    qtbot.addWidget(view)
    cell = HistogramCell("activation", th.NORMAL)
    scene.addItem(cell)
    cell.setGeometry(QtCore.QRectF(0, 0, 300, 150))
    yield cell  # the scene (which owns the cell) lives until the test is over
    scene.clear()


def test_the_cell_fills_and_outlines_its_histogram(drawn_cell):
    cell = _cell([0.1, 0.6, 0.3], [-1.0, 0.0, 1.0, 2.0])
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-1.0, 2.0), y_top=0.6)
    for item in (drawn_cell.fill, drawn_cell.outline):
        bounds = item.path().boundingRect()
        assert (bounds.left(), bounds.right()) == (-1.0, 2.0)
        assert (bounds.top(), bounds.bottom()) == pytest.approx((0.0, 0.6))
    assert drawn_cell.fill.pen().style() == QtCore.Qt.PenStyle.NoPen
    assert drawn_cell.outline.brush().style() == QtCore.Qt.BrushStyle.NoBrush
    assert drawn_cell.outline.pen().isCosmetic()  # pixels wide at any zoom
    # log counts: the fill rests on the floor of the log axis, not on log10(0)
    drawn_cell.set_histogram(cell, shared=True, log_counts=True, x_range=(-1.0, 2.0), y_top=0.6)
    assert drawn_cell.fill.path().boundingRect().top() == pytest.approx(-5.0)
    # a histogram that is not finite is not drawn at all (no path through inf)
    broken = _cell([0.5, 0.5, 0.0], [-1.0, np.inf, 1.0, 2.0])
    drawn_cell.set_histogram(broken, shared=True, log_counts=False, x_range=(-1, 2), y_top=0.5)
    assert drawn_cell.fill.path().isEmpty()


def test_the_caption_states_mean_and_std_and_only_the_warnings_that_apply(drawn_cell):
    quiet = caption_lines(_cell([1.0], [0.0, 1.0]))
    assert lines_text(quiet) == "μ 0.0123  σ 1.5\n"
    loud = caption_lines(_cell([1.0], [0.0, 1.0], saturated=0.891, dead=0.25))
    badges = loud[1]
    assert [run[0].strip() for run in badges] == ["saturated 89%", "dead 25%"]
    assert [run[1] for run in badges] == [th.WARNING_COLOURS["saturated"],
                                          th.WARNING_COLOURS["dead"]]
    assert all(run[2] for run in badges)  # bold
    drawn_cell.caption.set_lines(loud)
    assert drawn_cell.caption.text == "μ 0.0123  σ 1.5\nsaturated 89%  dead 25%"


@pytest.mark.parametrize("extra", [
    {}, {"saturated": 0.5, "dead": 0.25}, {"raw_std": 0.1134}, {"residue": True},
    {"nonfinite": 3, "raw_std": 2.5e-7},
])
def test_the_forms_a_caption_chooses_from_say_what_caption_lines_says(extra):
    """The grid hands a caption all three forms at once: each must be the one caption_lines
    writes, so a narrow cell never shows other numbers than a wide one."""
    hist = Histogram(np.array([0.0, 1.0]), np.array([1.0]), 100, 400)
    cell = Cell(shared=hist, own=hist, mean=-0.0123456, std=1.5e-5,
                nonfinite=extra.pop("nonfinite", 0), **extra)
    assert caption_forms(cell) == (caption_lines(cell), caption_lines(cell, stacked=True),
                                   caption_lines(cell, digits=2))
    assert "1.5e" in lines_text(caption_forms(cell)[0]) or cell.residue


def test_the_caption_paints_its_text_inside_its_own_box(drawn_cell):
    drawn_cell.caption.set_lines(caption_lines(_cell([1.0], [0.0, 1.0], saturated=0.5)))
    rect = drawn_cell.caption.boundingRect()
    image = QtGui.QImage(int(rect.width()), int(rect.height()), QtGui.QImage.Format_ARGB32)
    image.fill(QtCore.Qt.white)
    painter = QtGui.QPainter(image)
    drawn_cell.caption.paint(painter, None)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    ink = pixels[..., :3].min(axis=2) < 128
    rows = np.flatnonzero(ink.any(axis=1))
    assert rows.size and rows[0] < rect.height() / 2 < rows[-1]  # two lines of text
    orange = (np.abs(pixels[..., 2].astype(int) - 0xB3) < 40) & (pixels[..., 0] < 60)
    assert orange[int(rect.height() / 2):].any()  # the badge in its warning colour, below


def _maps_range_onto_box(view_box) -> bool:
    """The ViewBox's transform puts the corners of its view range on the corners of its box."""
    (x0, x1), (y0, y1) = view_box.viewRange()
    transform = view_box.childGroup.transform()
    rect = view_box.rect()
    corners = [transform.map(QtCore.QPointF(x, y)) for x, y in ((x0, y1), (x1, y0))]
    want = [rect.topLeft(), rect.bottomRight()]
    return all(abs(c.x() - w.x()) < 0.5 and abs(c.y() - w.y()) < 0.5 for c, w in zip(corners, want))


def test_a_cell_applies_a_new_range_or_size_before_anything_paints(drawn_cell):
    """The grid's view sends no prepareForPaint (its painting never enters Python), so each
    cell's ViewBox must update its transform itself, at once."""
    cell = _cell([0.1, 0.6, 0.3], [-1.0, 0.0, 1.0, 2.0])
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-1.0, 2.0), y_top=0.6)
    assert _maps_range_onto_box(drawn_cell.view_box)
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-8.0, 8.0), y_top=0.6)
    assert _maps_range_onto_box(drawn_cell.view_box)  # a new range
    drawn_cell.setGeometry(QtCore.QRectF(0, 0, 520, 260))
    drawn_cell.layout().activate()
    assert drawn_cell.view_box.rect().width() > 300
    assert _maps_range_onto_box(drawn_cell.view_box)  # a new size, same range


def test_a_caption_too_long_for_its_cell_shrinks_then_ends_in_an_ellipsis(drawn_cell):
    caption = drawn_cell.caption
    line = (("μ 0.000171  σ 0.0626", None, False),)
    full = caption._metrics[False].horizontalAdvance(line[0][0])
    # a little too long: drawn smaller, every character kept
    fonts, _, widths, runs = caption._fitted(line, full, full * 0.9)
    assert runs == list(line) and sum(widths) <= full * 0.9 + 0.5
    assert fonts[False].pointSizeF() < caption._fonts[False].pointSizeF()
    # far too long: smallest allowed size, then cut with "…" (never "σ 0." as if a number)
    fonts, _, widths, runs = caption._fitted(line, full, full * 0.4)
    assert runs[-1][0].endswith("…") and sum(widths) <= full * 0.4 + 0.5
    assert fonts[False].pointSizeF() == pytest.approx(
        caption._fonts[False].pointSizeF() * 0.75)


def test_a_narrow_cell_stacks_mean_over_std_or_drops_a_digit_never_eliding(drawn_cell):
    """A gradient caption ("μ −8.7e−14  σ 1.5e−11") on a 100-pixel cell: mean over std, every
    digit kept; with a warning on the second line, two significant digits instead."""
    hist = Histogram(np.array([-1.0, 0.0, 1.0]), np.array([0.5, 0.5]), 100, 400)
    gradient = Cell(shared=hist, own=hist, mean=-8.7e-14, std=1.52e-11, nonfinite=0)
    saturated = Cell(shared=hist, own=hist, mean=0.00332, std=0.629, nonfinite=0,
                     saturated=0.12)
    expected = {id(gradient): "μ −8.7e−14\nσ 1.5e−11",
                id(saturated): "μ 0.0033  σ 0.63\nsaturated 12%"}
    for cell in (gradient, saturated):
        drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-1.0, 1.0),
                                 y_top=0.5)
        drawn_cell.setGeometry(QtCore.QRectF(0, 0, 300, 150))
        drawn_cell.layout().activate()
        assert drawn_cell.caption.drawn_text == lines_text(caption_lines(cell))  # room enough
        drawn_cell.setGeometry(QtCore.QRectF(0, 0, 100, 150))
        drawn_cell.layout().activate()
        assert drawn_cell.caption.drawn_text == expected[id(cell)]


@pytest.mark.parametrize("low, high, log, labels", [
    (0.0, 0.15, False, ["0", "0.05", "0.10", "0.15"]),
    (0.0, 0.4, False, ["0", "0.1", "0.2", "0.3", "0.4"]),
    (0.0, 0.08, False, ["0", "0.02", "0.04", "0.06", "0.08"]),
    (0.0, 300.0, False, ["0", "100", "200", "300"]),
    (-5.0, -1.0, True, ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"]),
    (-5.0, 0.0, True, ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]),
    (0.0, 0.0, False, []),
])
def test_count_axis_ticks_are_round_and_written_alike(low, high, log, labels):
    ticks = y_ticks(low, high, log)
    assert [label for _, label in ticks] == labels
    values = [value for value, _ in ticks]
    assert all(low - 1e-12 <= v <= high + 1e-12 for v in values)
    if log:
        assert values == [float(round(v)) for v in values]  # whole decades


def _label_centres(axis, along_x: bool) -> dict[str, float]:
    centres = {}
    for label in axis.labels:
        if label.isVisible():
            centre = label.mapToScene(label.boundingRect().center())
            centres[label.text()] = centre.x() if along_x else centre.y()
    return centres


def test_axis_labels_sit_where_the_plot_draws_their_values(drawn_cell):
    cell = _cell([0.1, 0.6, 0.3], [-1.0, 0.0, 1.0, 2.0])
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-1.0, 2.0), y_top=0.6)
    group = drawn_cell.view_box.childGroup
    left = _label_centres(drawn_cell.left_axis, along_x=False)
    assert {"0", "0.8"} <= set(left)  # the round top of 0.6 * 1.05
    for text, y in left.items():
        assert y == pytest.approx(group.mapToScene(QtCore.QPointF(0, float(text))).y(), abs=1)
    bottom = _label_centres(drawn_cell.bottom_axis, along_x=True)
    assert len(bottom) == 2
    for text, x in bottom.items():
        assert x == pytest.approx(group.mapToScene(QtCore.QPointF(float(text), 0)).x(), abs=1)
    # a new range moves them with the plot (a y top under half the old one: not kept)
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-8.0, 8.0), y_top=0.1)
    assert set(_label_centres(drawn_cell.bottom_axis, along_x=True)) == {"0", "6"}
    assert max(map(float, _label_centres(drawn_cell.left_axis, along_x=False))) == 0.15


def test_labels_of_a_short_log_axis_never_overlap(drawn_cell):
    drawn_cell.setGeometry(QtCore.QRectF(0, 0, 300, 90))
    drawn_cell.layout().activate()
    cell = _cell([0.1, 0.6, 0.3], [-1.0, 0.0, 1.0, 2.0])
    drawn_cell.set_histogram(cell, shared=True, log_counts=True, x_range=(-1.0, 2.0), y_top=0.6)
    shown = [label.sceneBoundingRect() for label in drawn_cell.left_axis.labels
             if label.isVisible()]
    labels = drawn_cell.left_axis.tick_labels
    assert labels[0] == "10⁻⁵" and len(labels) >= 2  # the floor always, some left out
    for lower, upper in zip(shown, shown[1:]):
        assert upper.bottom() <= lower.top()


def test_a_narrow_gradient_cell_labels_two_values_not_only_zero(drawn_cell):
    """pyqtgraph's axis hid "-0.003" next to "0" in a narrow cell; two values always show."""
    drawn_cell.setGeometry(QtCore.QRectF(0, 0, 160, 120))
    drawn_cell.layout().activate()
    cell = _cell([0.1, 0.6, 0.3], [-0.004, 0.0, 0.008, 0.016])
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-0.004, 0.016),
                             y_top=0.6)
    assert drawn_cell.bottom_axis.tick_labels == ["0", "0.01"]


def test_bottom_labels_that_would_run_together_leave_the_second_out(drawn_cell):
    """At a projector's font in a narrow cell, "-0.04" and "0" ran into "-0.040"."""
    drawn_cell.apply_theme(th.PRESENTATION)
    drawn_cell.setGeometry(QtCore.QRectF(0, 0, 120, 160))
    drawn_cell.layout().activate()
    cell = _cell([0.1, 0.6, 0.3], [-0.05, -0.02, 0.0, 0.02])
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(-0.05, 0.02),
                             y_top=0.6)
    axis = drawn_cell.bottom_axis
    assert axis.tick_labels == ["0"]  # the tick of -0.04 stays, unlabelled
    digit = axis._metrics.horizontalAdvance("0")
    drawn_cell.setGeometry(QtCore.QRectF(0, 0, 600, 160))  # wide enough: both again
    drawn_cell.layout().activate()
    assert axis.tick_labels == ["0", "\u22120.04"]  # a true minus
    shown = [label.sceneBoundingRect() for label in axis.labels if label.isVisible()]
    assert shown[1].right() + digit <= shown[0].left()


def test_rounding_residue_is_captioned_as_zero(drawn_cell):
    cell = _cell([1.0], [0.0, 1.0], residue=True)
    assert lines_text(caption_lines(cell)) == "0 (rounding residue)\n"
    drawn_cell.set_histogram(cell, shared=True, log_counts=False, x_range=(0.0, 1.0), y_top=1.0)
    assert drawn_cell.caption.text == lines_text(caption_lines(cell))


@pytest.mark.parametrize("frames", [False, True])  # the Layers view, and a training frame
def test_constant_init_residue_is_drawn_as_a_spike_at_zero(frames):
    """Lesson 02's hidden gradients are ~1e-11 of float32 rounding: a spike at 0, on an axis
    that the measured output gradient sets."""
    project = Project.load(LESSONS / "02_constant_init.json")
    sim = initviz.simulate(project)
    data = frame_plot_data(sim, {}) if frames else prepare(sim)
    for quantity in ("grad_activation", "grad_weight"):
        *hidden, output = data.cells[quantity]
        assert not output.residue
        for cell in hidden:
            assert cell.residue
            edges, fractions = cell.shared.edges, cell.shared.fractions
            spike = np.searchsorted(edges, 0.0, side="right") - 1
            assert fractions[spike] == 1.0
        low, high = data.limits[quantity]
        assert high - low < 0.1  # not widened to the spike's padded ±1
        values = getattr(sim.layers[-1], quantity)  # all of them are sampled: under 8192
        assert low <= values.min() and values.max() <= high
