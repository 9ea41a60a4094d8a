"""Axes stay put while a slider moves, yet always hold every value and follow real changes.

Round limits alone flip between neighbours (0.1 and 0.15) from one seed to the next; the
class then sees jumping axes, and each flip re-renders a whole column's tick labels.
"""
import math

import numpy as np
import pytest
from PySide6 import QtCore

from initviz.gui.plots.histogram_cell import steady_ranges

TIMEOUT = 20000


def test_steady_ranges_keeps_an_axis_that_still_fits_and_is_half_filled():
    old = ((-4.0, 4.0), (0.0, 0.15))
    assert steady_ranges(None, old) == old  # a first drawing takes the data's range
    assert steady_ranges(old, ((-3.0, 4.0), (0.0, 0.1))) == old  # fits, filled >= 1/2
    # grows at once, on either axis alone, to hold the old range and the new data
    assert steady_ranges(old, ((-5.0, 4.0), (0.0, 0.1))) == ((-5.0, 4.0), (0.0, 0.15))
    assert steady_ranges(old, ((-4.0, 4.0), (0.0, 0.2))) == ((-4.0, 4.0), (0.0, 0.2))
    assert steady_ranges(old, ((-2.0, 6.0), (0.0, 0.1))) == ((-4.0, 6.0), (0.0, 0.15))
    # shrinks once the data fills less than half of it
    assert steady_ranges(old, ((-1.0, 2.0), (0.0, 0.05))) == ((-1.0, 2.0), (0.0, 0.05))


def _grid_ranges(window, quantity):
    from initviz.gui.prepare.plot_data import COLUMNS

    column = COLUMNS.index(quantity)
    return [tuple(map(tuple, row.cells[column].view_box.viewRange()))
            for row in window.dashboard.grid.rows[: window.dashboard.grid.placed_row_count()]]


def _draw(qtbot, window, edit):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT):
        window.document.edit(edit)
    return window.dashboard.data


def test_new_seeds_keep_the_axes_and_every_histogram_stays_inside(qtbot, window):
    from initviz.gui.prepare.plot_data import COLUMNS

    _draw(qtbot, window, {"init.scheme": "normal", "init.params": {"mean": 0.0, "std": 0.3}})
    shrinks, previous = [], None
    for seed in range(2, 14):
        data = _draw(qtbot, window, {"data.seed": seed})
        ranges = {q: _grid_ranges(window, q) for q in COLUMNS}
        for quantity in COLUMNS:
            for i, ((x_range, y_range), cell) in enumerate(zip(ranges[quantity],
                                                                 data.cells[quantity])):
                hist = cell.own
                filled = hist.edges[:-1][hist.fractions > 0]
                assert x_range[0] <= filled.min() and filled.max() < x_range[1]  # all shown
                assert hist.fractions.max() <= y_range[1] + 1e-12
                if previous is not None:
                    (old_x, old_y) = previous[quantity][i]
                    if not (x_range[0] <= old_x[0] and old_x[1] <= x_range[1]
                            and old_y[1] <= y_range[1]):
                        shrinks.append((seed, quantity, i))
        previous = ranges
    assert not shrinks  # only the seed changes: an axis may grow to fit, never flip back


def test_a_tenfold_smaller_std_shrinks_the_axes_and_a_larger_one_grows_them(qtbot, window):
    def width():
        (x_low, x_high), _ = _grid_ranges(window, "weight")[0]
        return x_high - x_low

    _draw(qtbot, window, {"init.scheme": "normal", "init.params": {"mean": 0.0, "std": 0.3}})
    wide = width()
    _draw(qtbot, window, {"init.params.std": 0.03})
    assert width() == pytest.approx(wide / 10, rel=0.5)
    _draw(qtbot, window, {"init.params.std": 3.0})
    assert width() == pytest.approx(wide * 10, rel=0.5)


def test_depth_plot_decades_stay_put_across_seeds_and_hold_every_point(qtbot, window):
    plot = window.dashboard.depth_plot
    decades = set()
    for seed in range(2, 8):
        data = _draw(qtbot, window, {"data.seed": seed})
        low, high = plot.plot_item.getViewBox().viewRange()[1]
        decades.add(plot._decades)
        for key in ("forward", "backward"):
            values = np.log10(data.depth[key])
            assert low <= values.min() and values.max() <= high
    assert len(decades) == 1, decades
    assert all(isinstance(d, int) for d in next(iter(decades))) and not math.isnan(low)


def test_depth_plot_draws_each_std_at_its_layer_on_the_log_axis(qtbot, window):
    data = _draw(qtbot, window, {"data.seed": 4})
    plot = window.dashboard.depth_plot
    for key in ("forward", "forward_theory", "backward", "backward_theory"):
        path = plot.lines[key].path()
        points = [(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())]
        want = np.column_stack([data.depth["layer"], np.log10(data.depth[key])])
        np.testing.assert_allclose(np.array(points), want, rtol=1e-6, err_msg=key)
    dots = plot.dots["forward"].path()  # one dot (a stroke 1/1000 of a layer long) per layer
    assert dots.elementCount() == 2 * len(data.depth["layer"])
    assert dots.elementAt(2).x == pytest.approx(data.depth["layer"][1])
    assert plot.dots["forward"].pen().capStyle() == QtCore.Qt.PenCapStyle.RoundCap


def test_a_new_display_mode_starts_its_axes_afresh(qtbot, window):
    """Steadiness is for the same axis under new data: log counts or own axes are another."""
    from initviz.gui.plots.histogram_cell import LOG_FLOOR

    _draw(qtbot, window, {"init.scheme": "normal", "init.params": {"mean": 0.0, "std": 0.3}})
    shared_x = [x for x, _ in _grid_ranges(window, "weight")]
    with qtbot.waitSignal(window.dashboard.drawn, timeout=TIMEOUT):
        window.document.set_display({"log_counts": True})
    for _, (low, high) in _grid_ranges(window, "weight"):
        assert low == pytest.approx(math.log10(LOG_FLOOR), abs=1e-9)
        assert high == round(high)  # a whole decade, not a linear fraction carried over
    with qtbot.waitSignal(window.dashboard.drawn, timeout=TIMEOUT):
        window.document.set_display({"log_counts": False, "shared_axes": False})
    data = window.dashboard.data
    for (x_range, _), cell in zip(_grid_ranges(window, "weight"), data.cells["weight"]):
        assert x_range == pytest.approx((cell.own.edges[0], cell.own.edges[-1]))
    assert shared_x  # the shared ranges were drawn first
