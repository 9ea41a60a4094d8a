"""Pictures and numbers out: one plot or the whole dashboard as PNG/SVG, statistics as CSV.

PNG and SVG of a single plot go through pyqtgraph's exporters; the dashboard
(several views) is grabbed as a bitmap or painted into a QSvgGenerator.
"""
from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 - registers the exporters
from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from initviz.errors import ProjectError
from initviz.project import write_text_atomic

IMAGE_SUFFIXES = (".png", ".svg")


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ProjectError(f"{path.name}: export to .png or .svg, got {suffix or 'no suffix'!r}")
    return suffix


def export_plot(item: QtWidgets.QGraphicsItem, path, scale: float = 2.0) -> None:
    """One plot (a pyqtgraph item) to PNG (``scale`` × its size on screen, for slides) or SVG."""
    path = Path(path)
    if _check_suffix(path) == ".svg":
        pg.exporters.SVGExporter(item).export(str(path))
        return
    exporter = pg.exporters.ImageExporter(item)
    width = int(item.sceneBoundingRect().width() * scale)
    exporter.parameters()["width"] = max(width, 16)
    if not exporter.export(str(path)) and not path.exists():
        raise ProjectError(f"cannot write {path}")


def export_widget(widget: QtWidgets.QWidget, path) -> None:
    """A whole widget (the dashboard) as it is on screen: PNG bitmap or SVG vectors."""
    path = Path(path)
    if _check_suffix(path) == ".png":
        if not widget.grab().save(str(path), "PNG"):
            raise ProjectError(f"cannot write {path}")
        return
    generator = QtSvg.QSvgGenerator()
    generator.setFileName(str(path))
    size = widget.size()
    generator.setSize(size)
    generator.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), size))
    generator.setTitle(widget.windowTitle().replace("[*]", "") or "initviz")
    painter = QtGui.QPainter()
    if not painter.begin(generator):
        raise ProjectError(f"cannot write {path}")
    try:
        widget.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(),
                      QtWidgets.QWidget.DrawChildren)
    finally:
        painter.end()


def export_stats_csv(stats: dict, path) -> None:
    """``simulation.stats()`` one row per layer: the same columns as ``initviz stats --csv``."""
    from initviz.cli import stats_csv

    write_text_atomic(Path(path), stats_csv(stats))
