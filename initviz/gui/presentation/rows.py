"""How many histogram rows a stage shows, and how tall: the first and the last layer, large."""
from __future__ import annotations

from initviz.gui.plots.layer_grid import ROW_MARGIN, ROW_SPACING

MIN_ROW_PX = 110
"""The least height of a histogram row on stage: two caption lines and a plot of ~50 px."""
THIRD_ROW_PX = 140
"""A third row (the middle layer) joins the first and the last when each of three gets this."""


def stage_rows(room: int) -> tuple[int, int]:
    """(rows, row height) for a grid viewport ``room`` pixels tall: the first and the last
    layer, and the middle one where three rows fit at THIRD_ROW_PX."""
    def height(rows: int) -> int:
        return (room - 2 * ROW_MARGIN - (rows - 1) * ROW_SPACING) // rows

    rows = 3 if height(3) >= THIRD_ROW_PX else 2
    return rows, max(MIN_ROW_PX, height(rows))
