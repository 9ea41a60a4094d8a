"""Pictures and numbers out: one plot or the whole dashboard as PNG/SVG, statistics as CSV.

PNG and SVG of a single plot go through pyqtgraph's exporters (a histogram of the layer
grid, plain Qt items, is rendered from its scene by Qt); the dashboard
(several views) is grabbed as a bitmap or painted into a QSvgGenerator. Every picture
is made in memory first and written like a project save (temporary, then rename), so
a full disk or a killed export never leaves a truncated file in place of a good one.
"""
from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # registers the exporters
from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from initviz.errors import ProjectError
from initviz.report import stats_csv
from initviz.safe_io import write_bytes_atomic, write_text_atomic

IMAGE_SUFFIXES = (".png", ".svg")


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ProjectError(f"{path.name}: export to .png or .svg, got {suffix or 'no suffix'!r}")
    return suffix


def export_plot(item: QtWidgets.QGraphicsItem, path, scale: float = 2.0) -> None:
    """One plot to PNG (``scale`` × its size on screen, for slides) or SVG."""
    path = Path(path)
    if not isinstance(item, pg.GraphicsObject | pg.GraphicsWidget):
        write_bytes_atomic(path, _qt_item_bytes(item, path, scale))
        return
    if _check_suffix(path) == ".svg":
        write_bytes_atomic(path, pg.exporters.SVGExporter(item).export(toBytes=True))
        return
    exporter = pg.exporters.ImageExporter(item)
    width = int(item.sceneBoundingRect().width() * scale)
    exporter.parameters()["width"] = max(width, 16)
    write_bytes_atomic(path, png_bytes(exporter.export(toBytes=True), path))


def _qt_item_bytes(item: QtWidgets.QGraphicsItem, path: Path, scale: float) -> bytes:
    """A plain Qt item as PNG or SVG: its part of the scene, on the view's background."""
    scene, source = item.scene(), item.sceneBoundingRect()
    background = scene.views()[0].backgroundBrush() if scene.views() else QtGui.QBrush("white")

    def paint(painter: QtGui.QPainter, target: QtCore.QRectF) -> None:
        painter.fillRect(target, background)
        scene.render(painter, target, source)

    if _check_suffix(path) == ".svg":
        buffer = QtCore.QBuffer()
        buffer.open(QtCore.QIODevice.WriteOnly)
        generator = QtSvg.QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(source.size().toSize())
        generator.setViewBox(QtCore.QRectF(QtCore.QPointF(0, 0), source.size()))
        painter = QtGui.QPainter(generator)
        paint(painter, QtCore.QRectF(QtCore.QPointF(0, 0), source.size()))
        painter.end()
        return bytes(buffer.data())
    size = (source.size() * scale).toSize().expandedTo(QtCore.QSize(16, 16))
    image = QtGui.QImage(size, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    paint(painter, QtCore.QRectF(image.rect()))
    painter.end()
    return png_bytes(image, path)


def png_bytes(image: QtGui.QImage, path: Path) -> bytes:
    """``image`` encoded as PNG in memory; ``path`` only names the file in the error."""
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.WriteOnly)
    if image is None or image.isNull() or not image.save(buffer, "PNG"):
        raise ProjectError(f"cannot write {path.name}: the picture could not be encoded as PNG")
    return bytes(buffer.data())


def svg_bytes(widget: QtWidgets.QWidget, path: Path) -> bytes:
    """``widget`` painted as SVG vectors in memory; ``path`` only names the file in the error."""
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.WriteOnly)
    generator = QtSvg.QSvgGenerator()
    generator.setOutputDevice(buffer)
    size = widget.size()
    generator.setSize(size)
    generator.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), size))
    generator.setTitle(widget.windowTitle().replace("[*]", "") or "initviz")
    painter = QtGui.QPainter()
    if not painter.begin(generator):
        raise ProjectError(f"cannot write {path.name}: the SVG could not be started")
    try:
        widget.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(),
                      QtWidgets.QWidget.DrawChildren)
    finally:
        finished = painter.end()
    if not finished:
        raise ProjectError(f"cannot write {path.name}: the SVG could not be completed")
    return bytes(buffer.data())


def export_widget(widget: QtWidgets.QWidget, path) -> None:
    """A whole widget (the dashboard) as it is on screen: PNG bitmap or SVG vectors."""
    path = Path(path)
    if _check_suffix(path) == ".png":
        data = png_bytes(widget.grab().toImage(), path)
    else:
        data = svg_bytes(widget, path)
    write_bytes_atomic(path, data)


def export_stats_csv(stats: dict, path) -> None:
    """``simulation.stats()`` one row per layer: the same columns as ``initviz stats --csv``."""
    write_text_atomic(Path(path), stats_csv(stats))
