"""Init as code: a project's network and initialisation written for a deep-learning framework.

``initviz code PROJECT.json --framework pytorch`` prints the snippet; the window's
Export ▸ Code… shows the same text. Only frameworks whose generated code the tests
execute are offered: a generator nobody runs would teach wrong code.
"""
from __future__ import annotations

from initviz.errors import ProjectError

FRAMEWORKS = ("pytorch", "keras", "jax")
"""The names the command line accepts."""

AVAILABLE = ("pytorch", "jax")
"""The frameworks with a generator (each executed against the framework by the tests)."""


def generate(project, framework: str) -> str:
    """The runnable snippet for ``framework``; ProjectError when it cannot be written."""
    if framework not in FRAMEWORKS:
        raise ProjectError(f"--framework must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    if framework not in AVAILABLE:
        raise ProjectError(
            f"code for {framework} is not available yet: initviz writes {' and '.join(AVAILABLE)} "
            "code only, because only those are executed in their frameworks by the tests"
        )
    if framework == "jax":
        from initviz.codegen import jax_code

        return jax_code.snippet(project)
    from initviz.codegen import pytorch

    return pytorch.snippet(project)
