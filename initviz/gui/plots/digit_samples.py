"""A row of held-out digit images with the label the network predicts for each.

Shown on the Training tab when the data are the 8×8 digits: a class sees what "test
accuracy 89 %" means. Correct predictions are written in bluish green, wrong ones in
vermillion with the true label after them (Okabe–Ito colours, safe for colour-blind eyes).
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from initviz.gui import theme as th
from initviz.gui.prepare.palette import OKABE_ITO

RIGHT, WRONG = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
MAX_PIXEL = 16
"""The digits' pixels count dark cells of a 4×4 block: 0..16."""


class DigitSamples(QtWidgets.QWidget):
    """``show_samples(images, predicted, labels)``; hidden until it has samples."""

    def __init__(self, theme: th.Theme = th.NORMAL, parent=None):
        super().__init__(parent)
        self.setObjectName("digitSamples")
        self._images: list[QtGui.QImage] = []
        self._predicted: list[int] = []
        self._labels: list[int] = []
        self.apply_theme(theme)
        self.setVisible(False)

    def apply_theme(self, theme: th.Theme) -> None:
        self.theme = theme
        self._font = th.plot_font(theme, bold=True)
        metrics = QtGui.QFontMetrics(self._font)
        self._cell = int(3.2 * metrics.height())
        self.setMinimumHeight(self._cell + 2 * metrics.height() + 8)
        self.update()

    def show_samples(self, samples) -> None:
        """``samples`` = (images (n, 8, 8) 0..16, predicted labels, true labels), or None."""
        if samples is None:
            self._images = []
            self.setVisible(False)
            return
        images, predicted, labels = samples
        grey = (255 - np.asarray(images, dtype=np.float64) * (255 / MAX_PIXEL)).astype(np.uint8)
        self._images = [
            QtGui.QImage(np.ascontiguousarray(image).data, 8, 8, 8,
                         QtGui.QImage.Format_Grayscale8).copy() for image in grey]
        self._predicted = [int(p) for p in predicted]
        self._labels = [int(label) for label in labels]
        self.setVisible(True)
        self.update()

    @property
    def texts(self) -> list[str]:
        """What each caption says: the prediction, and the truth where it differs."""
        return [str(p) if p == t else f"{p} (is {t})"
                for p, t in zip(self._predicted, self._labels, strict=True)]

    def paintEvent(self, event) -> None:
        if not self._images:
            return
        painter = QtGui.QPainter(self)
        painter.setFont(self._font)
        metrics = painter.fontMetrics()
        painter.setPen(QtGui.QColor(self.theme.foreground))
        painter.drawText(QtCore.QPointF(8, metrics.ascent()),
                         "Test images and the predicted digit")
        slot = max(self._cell + 8, metrics.horizontalAdvance("0 (is 0)") + 8)
        count = max(1, min(len(self._images), (self.width() - 8) // slot))
        top = metrics.height() + 2
        for i, (image, text) in enumerate(zip(self._images[:count], self.texts, strict=False)):
            x = 8 + i * slot
            painter.drawImage(QtCore.QRectF(x, top, self._cell, self._cell), image)
            right = self._predicted[i] == self._labels[i]
            painter.setPen(QtGui.QColor(RIGHT if right else WRONG))
            painter.drawText(QtCore.QPointF(x, top + self._cell + metrics.ascent() + 2), text)
        painter.end()
