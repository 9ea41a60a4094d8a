"""The Theory tab's Jacobian controls and caption: where J is evaluated, and what its spectrum says.

The choice of inputs is kept in the project's ``view`` section (the GUI's own part of the
file) under ``prepare.theory.INPUTS_KEY``, so a lesson can open on either. It changes what
is computed, so it travels to the background task inside the project snapshot.
"""
from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from initviz.core import jacobian
from initviz.gui import theme as th
from initviz.gui.prepare.theory import rich


def _rank_text(spectrum: jacobian.JacobianSpectrum) -> str:
    low, high = min(spectrum.ranks), max(spectrum.ranks)
    if low == high:
        return f"rank {low}"
    return f"rank {low}–{high} at the {len(spectrum.ranks)} inputs"


def caption(spectrum: jacobian.JacobianSpectrum) -> str:
    """One plain line: where J was taken, its structural zeros, the spread of the rest."""
    if spectrum.inputs == jacobian.Q_STAR:
        where = f"∂z_L/∂x at inputs with q = q* = {spectrum.q_star:.3g}"
    else:
        where = "∂z_L/∂x at the data batch"
    parts = []
    total, nonzero = spectrum.singular_values.size, spectrum.nonzero
    if spectrum.zero_count:
        parts.append(f"{spectrum.zero_count} of {total} singular values are 0 "
                     f"(J has {_rank_text(spectrum)}: {spectrum.zero_cause})")
    if nonzero.size:
        which = (f"the other {nonzero.size}" if spectrum.zero_count
                 else f"all {nonzero.size} singular values")
        parts.append(f"{which} lie from {nonzero.min():.2g} to {nonzero.max():.2g}, "
                     f"max/min {spectrum.spread:.3g} (1 everywhere is dynamical isometry)")
    return f"{where}: " + ("; ".join(parts) if parts else "no singular values")


def plot_message(spectrum: jacobian.JacobianSpectrum) -> str:
    """Short text for the empty histogram, or "" when there is something to draw."""
    if spectrum.nonzero.size:
        return ""
    if spectrum.nonfinite_inputs:
        return "J is not finite:\nthe signal overflows"
    if spectrum.singular_values.size:
        return f"J = 0:\n{spectrum.zero_cause}"
    return "J not computed:\nthe network is too large"


class JacobianBar(QtWidgets.QWidget):
    """Inputs combo and caption under the Theory plots; ``inputsChosen(name)`` on a user pick."""

    inputsChosen = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.combo = QtWidgets.QComboBox()
        self.combo.setObjectName("jacobianInputsCombo")
        for name in (jacobian.Q_STAR, jacobian.DATA):
            self.combo.addItem(jacobian.INPUTS[name], name)
        self.combo.setToolTip(
            "Where the Jacobian is evaluated. Dynamical isometry (Pennington, Schoenholz & "
            "Ganguli 2017) holds at inputs whose pre-activation variance is the fixed point "
            "q*; at unit-variance data deep tanh layers saturate and the spectrum spreads.")
        self.combo.activated.connect(lambda _: self.inputsChosen.emit(self.combo.currentData()))
        self.caption = QtWidgets.QLabel()
        self.caption.setObjectName("jacobianCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(QtCore.Qt.RichText)
        label = QtWidgets.QLabel("Jacobian inputs:")
        label.setBuddy(self.combo)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.combo)
        row.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)  # the caption wraps below, at full width
        layout.setContentsMargins(8, 2, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.caption)

    def show_choice(self, name: str) -> None:
        """Re-show the project's choice without emitting (one-way flow: no feedback loop)."""
        with QtCore.QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(self.combo.findData(name))

    def show_spectrum(self, spectrum: jacobian.JacobianSpectrum, theme: th.Theme) -> None:
        text = rich(caption(spectrum))
        if spectrum.note:
            colour = th.WARNING_COLOURS["nonfinite"]
            text += f"<br><b style='color:{colour}'>{html.escape(spectrum.note)}</b>"
        self.caption.setText(f"<span style='font-size:{theme.font_pt:.1f}pt'>{text}</span>")
        self._fit_caption()

    def show_computing(self) -> None:
        self.caption.setText("computing…")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_caption()

    def _fit_caption(self) -> None:
        """Room for every wrapped line: a tab page does not pass height-for-width up, so the
        plots above would otherwise keep the caption to one line and cut the warning off."""
        margins = self.layout().contentsMargins()  # the caption spans the bar: its width is
        width = self.width() - margins.left() - margins.right()  # known before it is laid out
        self.caption.setMinimumHeight(0)  # QLabel's heightForWidth never goes below its minimum
        self.caption.setMinimumHeight(max(self.caption.heightForWidth(width), 0))  # -1: no text

