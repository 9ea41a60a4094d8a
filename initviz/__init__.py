"""initviz: see what weight initialisation does to a deep network, layer by layer.

The public API: ``Project``, ``simulate``, ``Simulation``, ``Layer``, ``Trainer``,
``ProjectError``, ``ACTIVATIONS``, ``SCHEMES``, ``gain`` and ``render`` (the dashboard as
PNG bytes or a file; notebooks show projects and simulations with it). Each is loaded on first use,
so that ``import initviz`` alone loads neither NumPy nor Qt: the window's entry point
sets up its process before NumPy loads (``initviz._runtime``).
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "ACTIVATIONS": "initviz.core.activations",
    "gain": "initviz.core.activations",
    "Layer": "initviz.core.network",
    "Simulation": "initviz.core.network",
    "simulate": "initviz.core.network",
    "SCHEMES": "initviz.core.schemes",
    "Trainer": "initviz.core.training",
    "ProjectError": "initviz.errors",
    "Project": "initviz.project",
    "render": "initviz.notebook",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'initviz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
