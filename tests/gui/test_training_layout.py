"""The Training tab on a classroom screen: a fair split, legends off the data, nothing cut."""
import pytest
from PySide6 import QtCore

from initviz.gui.views.training import TrainingView
from initviz.project import Project

TIMEOUT = 30000
TRAINING_AREA = {(1024, 768): (700, 660), (1280, 720): (955, 610), (1920, 1080): (1600, 970)}
"""The tab's size in a window of each classroom size: less the controls dock (~320 px) and the
menu, tab and status bars (~110 px)."""


def zero_init_moons():
    return Project({
        "network": {"widths": [2, 32, 32, 2], "activation": "relu"},
        "init": {"scheme": "zeros", "bias": {"scheme": "zeros"}},
        "data": {"source": "moons", "batch_size": 128, "seed": 0},
    })


def open_view(qtbot, size):
    view = TrainingView(project=zero_init_moons())
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitUntil(lambda: bool(view.grid.rows) and not view.grid.drawing, timeout=TIMEOUT)
    return view


def widths(curves):
    return [(round(p.sceneBoundingRect().left()), round(p.sceneBoundingRect().width()),
             round(p.vb.sceneBoundingRect().width())) for p in curves.plots]


@pytest.mark.parametrize("window", list(TRAINING_AREA))
def test_the_zero_init_warning_does_not_squeeze_the_other_plots(qtbot, window):
    view = open_view(qtbot, TRAINING_AREA[window])
    curves = view.curves
    qtbot.waitUntil(lambda: bool(curves.chance_text), timeout=TIMEOUT)  # the first frame
    assert not curves.frozen  # no step yet: nothing to warn about
    QtCore.QCoreApplication.processEvents()
    before = widths(curves)
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    qtbot.waitUntil(lambda: curves.frozen, timeout=TIMEOUT)
    QtCore.QCoreApplication.processEvents()
    after = widths(curves)
    for (left0, width0, box0), (left1, width1, box1) in zip(before, after):
        assert abs(left1 - left0) <= 2 and abs(width1 - width0) <= 2 and abs(box1 - box0) <= 2
    left, right = (curves.plots[0].sceneBoundingRect().width(),
                   curves.plots[1].sceneBoundingRect().width())
    assert abs(left - right) <= 3  # the two columns share the width equally
    badge = curves.frozen_badge
    assert badge.isVisible() and "0 everywhere" in badge.textItem.toPlainText()
    box = curves.ratio_plot.vb.sceneBoundingRect()
    assert box.contains(badge.sceneBoundingRect())  # inside its plot, cut nowhere
    reference = curves.reference.label.sceneBoundingRect()  # "10⁻³" on the rule-of-thumb line
    assert not badge.sceneBoundingRect().intersects(reference)
    assert box.adjusted(0, 0, 0, 2).contains(reference)  # 2 px: the text's empty margin


@pytest.mark.parametrize("window", list(TRAINING_AREA))
def test_legends_stay_off_the_data_and_every_plot_is_on_screen(qtbot, window):
    view = open_view(qtbot, TRAINING_AREA[window])
    curves = view.curves
    with qtbot.waitSignal(view.frameDrawn, timeout=TIMEOUT):
        view.single_step()
    QtCore.QCoreApplication.processEvents()
    legends = [(curves.loss_plot, curves.legends[id(curves.loss_plot)]),
               (curves.accuracy_plot, curves.legends[id(curves.accuracy_plot)]),
               (curves.ratio_plot, curves.ratio_legend)]
    for plot, legend in legends:
        drawn = legend.sceneBoundingRect()
        # a pixel of slack: the legend's column starts where the view box ends, and both
        # are laid out at fractional positions
        assert not drawn.adjusted(1, 1, -1, -1).intersects(plot.vb.sceneBoundingRect())
        assert plot.sceneBoundingRect().contains(drawn)  # beside its own plot, not the next
    names = [item[1].text for item in curves.legends[id(curves.loss_plot)].items]
    assert names[-1].startswith("chance = ln 2")  # the dotted line explained off the data
    scene = QtCore.QRectF(0, 0, curves.width(), curves.height())
    for plot in curves.plots:
        assert scene.contains(plot.sceneBoundingRect().adjusted(1, 1, -1, -1))
        for name in ("left", "bottom"):
            label = plot.getAxis(name).label
            if label.isVisible():
                assert scene.contains(label.sceneBoundingRect())
