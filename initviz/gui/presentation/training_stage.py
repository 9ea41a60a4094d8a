"""The Training tab on stage: the run's story in three large plots, and the buttons to run it.

At the desk the tab shows four training plots over a grid of evolving histograms; on a
1280×720 projector that left each plot ~30 pixels tall. On stage the histograms step aside
and the curves take the tab: loss over accuracy on the left, the decision boundary (or,
without a 2-D data set, the update ratio) as tall as both on the right
(``TrainingCurves.set_staged``). Play, Step, Reset and the step readout stay; the optimiser's
settings and the export buttons step aside (the strip has the init controls). The symmetry
note and the status line stay: they say when a layer acts as one neuron, or training
diverged. Leaving shows what entering hid, as it was.
"""
from __future__ import annotations

from PySide6 import QtWidgets


class TrainingStage:
    """Enters and leaves the stage of ``view`` (a TrainingView)."""

    def __init__(self, view):
        self.view = view
        self._visible: dict = {}

    def _hidden_parts(self) -> list[QtWidgets.QWidget]:
        """The histogram grid, and the toolbar's optimiser and export groups (each a joined
        group of the flow layout: the parent of its widgets)."""
        bar = self.view.toolbar
        groups = [widget.parentWidget() for widget in
                  (bar.optimizer_combo, bar.lr_spin, bar.momentum_spin, bar.export_curves_button)]
        return [self.view.grid, *groups]

    def enter(self) -> None:
        parts = self._hidden_parts()
        self._visible = {widget: not widget.isHidden() for widget in parts}
        for widget in parts:
            widget.hide()
        self.view.curves.set_staged(True)

    def theme_changed(self) -> None:
        """The stage's theme follows the screen: the curves re-style themselves."""

    def leave(self) -> None:
        self.view.curves.set_staged(False)
        for widget, visible in self._visible.items():
            widget.setVisible(visible)
        self._visible = {}

    def restore(self) -> None:
        """After the window's theme is back: nothing more to put back."""
