"""``initviz render``: the slide drawn headless to PNG or SVG, for slides and reports.

Synchronous (a command, not a window): simulate, prepare, draw, write. The picture is
``views.slide``'s, the same one the window's "Export slide…" saves.
"""
from __future__ import annotations

from pathlib import Path

from initviz.errors import ProjectError
from initviz.gui.app import ensure_application
from initviz.gui.views.slide import Slide, slide_data, slide_projects, write_slide


def check_output(out_path) -> Path:
    """``out_path`` as a Path, or ProjectError saying why nothing can be written there."""
    out_path = Path(out_path)
    if out_path.suffix.lower() not in (".png", ".svg"):
        raise ProjectError(f"{out_path.name}: render to .png or .svg")
    if not out_path.parent.is_dir():
        raise ProjectError(f"cannot write {out_path}: the folder {out_path.parent} does not exist")
    return out_path


def render_project(project, out_path, size=(1600, 1000), layers="auto", data=None) -> Path:
    """Draw ``project``'s slide to ``out_path`` (.png or .svg) at ``size`` pixels; a project
    that compares itself with a B (``view.compare``) shows both. ``data`` (plot data prepared
    from a simulation of ``project``, e.g. a trained one) is drawn alone instead of a new
    simulation."""
    out_path = check_output(out_path)
    ensure_application()
    projects = [project] if data is not None else slide_projects(project)
    slide = Slide(projects, size, layers)
    try:
        slide.draw([data] if data is not None else slide_data(projects))
        write_slide(slide, out_path)
    finally:
        slide.close()
        slide.deleteLater()
    return out_path
