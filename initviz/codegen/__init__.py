"""Init as code: a project's network and initialisation written for a deep-learning framework.

``initviz code PROJECT.json --framework pytorch|keras|jax`` prints the snippet; the window's
Export ▸ Code… shows the same text. Every generator's code is executed in its framework
by ``make test-frameworks``: a generator nobody runs would teach wrong code.
"""
from __future__ import annotations

import importlib

from initviz.errors import ProjectError

GENERATORS = {
    "pytorch": "initviz.codegen.pytorch_code",
    "keras": "initviz.codegen.keras_code",
    "jax": "initviz.codegen.jax_code",
}
"""Each framework's module, whose ``snippet(project)`` writes the code (loaded when asked)."""
FRAMEWORKS = tuple(GENERATORS)


def generate(project, framework: str) -> str:
    """The runnable snippet for ``framework``; ProjectError when it cannot be written."""
    if framework not in GENERATORS:
        raise ProjectError(f"--framework must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    return importlib.import_module(GENERATORS[framework]).snippet(project)
