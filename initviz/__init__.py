"""initviz: see what weight initialisation does to a deep network, layer by layer.

The public API (DESIGN §4). Importing initviz never imports Qt.
"""
from initviz import _blas  # noqa: F401, I001 - first: it must run before NumPy loads

from initviz.core.activations import ACTIVATIONS, gain
from initviz.core.network import Layer, Simulation, simulate
from initviz.core.schemes import SCHEMES
from initviz.errors import ProjectError
from initviz.project import Project

__version__ = "0.1.0"
__all__ = [
    "ACTIVATIONS", "SCHEMES", "Layer", "Project", "ProjectError", "Simulation", "gain", "simulate",
    "Trainer",
]


def __getattr__(name):
    if name == "Trainer":  # loaded on first use: the training engine is optional for most scripts
        from initviz.core.training import Trainer

        return Trainer
    raise AttributeError(f"module 'initviz' has no attribute {name!r}")
