"""Pictures and numbers out: one plot or the whole dashboard as PNG/SVG, statistics as CSV.

A single plot's PNG goes through pyqtgraph's exporter (a histogram of the layer grid, a
plain Qt item, is rendered from its scene by Qt); a widget (the dashboard, a slide) is
grabbed as a bitmap. Every SVG is painted into a QSvgGenerator at the screen's dpi (so
text has the size it has on screen) and made portable (``svg_cleanup``). Every picture
is made in memory first and written like a project save (temporary, then rename), so
a full disk or a killed export never leaves a truncated file in place of a good one.
"""
from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # registers the exporters
from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from initviz.errors import ProjectError
from initviz.gui.export.svg_cleanup import clean_svg
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
    scene, source = item.scene(), item.sceneBoundingRect()
    views = scene.views()
    background = views[0].backgroundBrush() if views else QtGui.QBrush("white")

    def paint(painter: QtGui.QPainter, target: QtCore.QRectF) -> None:
        painter.fillRect(target, background)
        scene.render(painter, target, source)

    if _check_suffix(path) == ".svg":
        size = QtCore.QSize(math.ceil(source.width()), math.ceil(source.height()))
        target = QtCore.QRectF(0, 0, size.width(), size.height())
        write_bytes_atomic(path, _svg(lambda painter: paint(painter, target), size,
                                      _dpi(views), "initviz plot", path))
        return
    if isinstance(item, pg.GraphicsObject | pg.GraphicsWidget):
        exporter = pg.exporters.ImageExporter(item)
        exporter.parameters()["width"] = max(int(source.width() * scale), 16)
        write_bytes_atomic(path, png_bytes(exporter.export(toBytes=True), path))
        return
    size = (source.size() * scale).toSize().expandedTo(QtCore.QSize(16, 16))
    image = QtGui.QImage(size, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    paint(painter, QtCore.QRectF(image.rect()))
    painter.end()
    write_bytes_atomic(path, png_bytes(image, path))


def png_bytes(image: QtGui.QImage, path: Path) -> bytes:
    """``image`` encoded as PNG in memory; ``path`` only names the file in the error."""
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.WriteOnly)
    if image is None or image.isNull() or not image.save(buffer, "PNG"):
        raise ProjectError(f"cannot write {path.name}: the picture could not be encoded as PNG")
    return bytes(buffer.data())


def _dpi(views) -> float:
    return float(views[0].logicalDpiX()) if views else 96.0


def _measure(dpi: float):
    """A text run's advance in SVG pixels, as Qt lays it out at ``dpi``."""
    def measure(text: str, family: str, size_px: float, weight: str) -> float:
        font = QtGui.QFont(family)
        font.setPointSizeF(max(size_px, 0.1) * 72.0 / dpi)
        font.setWeight(QtGui.QFont.Weight(int(float(weight or 400))))
        return QtGui.QFontMetricsF(font).horizontalAdvance(text) * dpi / _screen_dpi()
    return measure


def _screen_dpi() -> float:
    screen = QtGui.QGuiApplication.primaryScreen()
    return screen.logicalDotsPerInch() if screen else 96.0


def _family(name: str) -> str:
    return QtGui.QFontInfo(QtGui.QFont(name)).family()


def _svg(paint, size: QtCore.QSize, dpi: float, title: str, path: Path) -> bytes:
    """What ``paint(painter)`` draws, as portable SVG in memory (``path`` names the file in an
    error). The generator's dpi is the screen's: a 10 pt label is as large as on screen."""
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.WriteOnly)
    generator = QtSvg.QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setResolution(round(dpi))
    generator.setSize(size)
    generator.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), size))
    generator.setTitle(title)
    painter = QtGui.QPainter()
    if not painter.begin(generator):
        raise ProjectError(f"cannot write {path.name}: the SVG could not be started")
    try:
        paint(painter)
    finally:
        finished = painter.end()
    if not finished:
        raise ProjectError(f"cannot write {path.name}: the SVG could not be completed")
    return clean_svg(bytes(buffer.data()), _measure(round(dpi)), _family)


def svg_bytes(widget: QtWidgets.QWidget, path: Path) -> bytes:
    """``widget`` painted as SVG vectors in memory; ``path`` only names the file in the error."""
    def paint(painter):
        # its own background too: the gaps between its children are not transparent
        widget.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(),
                      QtWidgets.QWidget.DrawWindowBackground | QtWidgets.QWidget.DrawChildren)
    title = widget.windowTitle().replace("[*]", "") or "initviz"
    return _svg(paint, widget.size(), widget.logicalDpiX(), title, path)


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
