"""The formula table of a deep network: every layer's numbers, none cut off, at any font."""
from PySide6 import QtGui, QtWidgets

from initviz.gui.views.formula_panel import HEADERS, row_texts

TIMEOUT = 20000


def shown_rows(panel) -> list[tuple[str, ...]]:
    model = panel.table.model()
    return [tuple(model.index(r, c).data() for c in range(len(HEADERS)))
            for r in range(model.rowCount())]


def assert_nothing_cut_off(panel) -> None:
    metrics = QtGui.QFontMetrics(panel.table.font())
    for column in range(len(HEADERS)):
        if panel.table.isColumnHidden(column):
            continue
        widest = max(metrics.horizontalAdvance(t) for t in panel.model.column_texts(column))
        assert panel.table.columnWidth(column) > widest, HEADERS[column]
    assert panel.table.minimumWidth() >= panel.table.horizontalHeader().length()


def test_a_deep_network_shows_every_layer_in_the_table(qtbot, window):
    with qtbot.waitSignal(window.resultsUpdated, timeout=TIMEOUT) as drawn:
        window.findChild(QtWidgets.QSpinBox, "depthSpin").setValue(150)
    panel = window.dashboard.formula_panel
    formula = window.dashboard.data.formula
    assert window.dashboard.data.simulation is drawn.args[0]
    assert len(formula) == 150
    assert shown_rows(panel) == [row_texts(row) for row in formula]
    assert panel.model.index(149, 0).data(0) == "150"
    # Qt measuring every cell at each layout (ResizeToContents) is what stalled the window
    assert panel.table.horizontalHeader().sectionResizeMode(0) == QtWidgets.QHeaderView.Fixed
    assert_nothing_cut_off(panel)


def test_a_larger_font_widens_the_columns(qtbot, window):
    panel = window.dashboard.formula_panel
    before = panel.table.columnWidth(3)
    font = panel.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    panel.setFont(font)
    assert panel.table.columnWidth(3) > before
    assert_nothing_cut_off(panel)
