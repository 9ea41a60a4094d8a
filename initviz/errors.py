"""Errors a person can act on. Pure Python: the core, the CLI and the GUI share them."""


class ProjectError(ValueError):
    """A project that cannot be used as it is.

    The message names the field path and the fix, e.g.
    ``network.widths[1] must be a positive integer, got -5``.
    """


class ProtectedFileError(ProjectError):
    """A save refused because the file there must be kept: it is read-only, or it is not a
    regular file (a pipe, a device). Saving under another name is the way out."""


class Cancelled(Exception):
    """A computation stopped between two of its steps because its caller asked it to
    (``should_stop`` returned true): a window closing, a result no longer wanted. Not an
    error to show anyone; the caller drops it."""
