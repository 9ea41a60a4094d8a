"""Errors a person can act on. Pure Python: the core, the CLI and the GUI share them."""


class ProjectError(ValueError):
    """A project that cannot be used as it is.

    The message names the field path and the fix, e.g.
    ``network.widths[1] must be a positive integer, got -5``.
    """
