"""What the plots mean: a "?" overlay over the tabs, a few lines per plot of the tab shown.

For a teacher meeting initviz in front of a class: it lies over the plots (they stay visible
through it), says what each plot shows and what a healthy or a broken network looks like
there, and goes away with a click, F1 or Esc.
"""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

PLOT_HELP = {
    "Layers": [
        ("Rows", "one per layer, from the first (top) to the output layer (bottom)."),
        ("weights W", "the values the scheme drew; their spread decides everything else."),
        ("pre-activations z", "z = a·W + b, what goes into φ. In a healthy network its spread "
                              "stays about the same from row to row."),
        ("activations a = φ(z)", "after the nonlinearity. Piles at tanh's or sigmoid's bounds "
                                 "mean saturated units (badge \u201csaturated\u201d), a pile at 0 "
                                 "after ReLU dead ones (\u201cdead\u201d)."),
        ("gradients ∂L/∂a", "the error flowing back from the loss. Shrinking towards the top "
                            "rows: vanishing gradients, the first layers do not learn; "
                            "growing: exploding."),
        ("gradients ∂L/∂W", "the update each weight gets from one step."),
        ("Captions", "μ mean and σ standard deviation of the histogram above; badges warn of "
                     "saturated, dead or inf/NaN values."),
        ("Std against depth", "σ of z (forward) and of ∂L/∂z (backward) per layer, on a log "
                              "axis: dots on pale lines measured, dark dashes the theory "
                              "(variance propagation). Flat is healthy; a straight slope is "
                              "exponential decay or growth with depth."),
    ],
    "Training": [
        ("Loss and accuracy", "on the toy data set, step by step (play, pause, step, reset)."),
        ("Update ratio", "‖ΔW‖/‖W‖ per layer and step: how much one step changes a layer. Far "
                         "too small, the layer hardly learns; far too large, it thrashes."),
        ("Decision boundary", "what the network answers over the plane of the 2-D inputs."),
        ("Histograms", "the same columns as the Layers tab, while the network trains."),
    ],
    "Compare": [
        ("Two projects", "side by side on the same seed and the same batch: any difference "
                         "comes from the settings, not from luck."),
    ],
    "Theory": [
        ("Phase diagram", "mean-field theory (Poole et al. 2016, Schoenholz et al. 2017) over "
                          "σ<sub>w</sub>² and σ<sub>b</sub>²: ordered, where inputs become "
                          "alike and gradients vanish; chaotic, where they become unrelated "
                          "and gradients explode; the critical line χ₁ = 1 between them."),
        ("Depth scale", "how many layers a signal's information survives: deep networks train "
                        "only near the critical line."),
    ],
}
"""For each tab's title: (plot, what it shows), in the order the tab shows them."""


def help_html(tab_title: str) -> str:
    entries = PLOT_HELP.get(tab_title)
    if not entries:
        return f"<h3>{tab_title}</h3><p>No explanations for this tab yet.</p>"
    rows = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{text}</td></tr>"
                   for name, text in entries)
    return (f"<h3>What the plots mean: {tab_title}</h3><table cellspacing='4'>{rows}</table>"
            "<p><i>Click, F1 or Esc to close.</i></p>")


class PlotHelpOverlay(QtWidgets.QFrame):
    """Lies over ``tabs``' pages (the tab bar stays usable) while shown; follows the tab."""

    closed = QtCore.Signal()
    """The user closed it by a click or Esc (the action that shows it unticks)."""

    def __init__(self, tabs: QtWidgets.QTabWidget):
        super().__init__(tabs)
        self.tabs = tabs
        self.setObjectName("plotHelpOverlay")
        self.setAutoFillBackground(False)
        self.setStyleSheet("#plotHelpOverlay { background: rgba(255, 255, 255, 225); "
                           "border: 2px solid #5470c6; border-radius: 6px; }")
        self.label = QtWidgets.QLabel()
        self.label.setObjectName("plotHelpText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(QtCore.Qt.RichText)
        self.label.setAlignment(QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        self.label.setStyleSheet("color: #111; background: transparent;")
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setStyleSheet("background: transparent;")
        scroll.viewport().setAutoFillBackground(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(scroll)
        self.hide()
        tabs.installEventFilter(self)
        tabs.currentChanged.connect(lambda _index: self._show_text())

    def set_shown(self, on: bool) -> None:
        if on:
            self._show_text()
            self._place()
            self.show()
            self.raise_()
            self.setFocus()
        else:
            self.hide()

    def _show_text(self) -> None:
        self.label.setText(help_html(self.tabs.tabText(self.tabs.currentIndex())))

    def _place(self) -> None:
        """Over the page, below the tab bar, with a margin so the plots show around it."""
        top = self.tabs.tabBar().geometry().bottom() + 1
        page = QtCore.QRect(0, top, self.tabs.width(), self.tabs.height() - top)
        margin = max(8, min(page.width(), page.height()) // 20)
        self.setGeometry(page.adjusted(margin, margin, -margin, -margin))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.tabs and event.type() == QtCore.QEvent.Type.Resize:
            self._place()
        return False

    def mousePressEvent(self, event) -> None:
        self._close()

    def keyPressEvent(self, event) -> None:
        if event.key() == QtCore.Qt.Key_Escape:
            self._close()
        else:
            super().keyPressEvent(event)

    def _close(self) -> None:
        self.hide()
        self.closed.emit()
