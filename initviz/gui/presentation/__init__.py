"""Presentation mode: a stage for a projector (``stage``) and its demo controls (``strip``)."""
from initviz.gui.presentation.stage import PresentationMode

__all__ = ["PresentationMode"]
