"""Ready-made projects for teaching, shipped in ``resources/lessons``.

Found next to the source tree when run from a checkout, or as package data
(``initviz.resources``) when installed with pip.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

from initviz.project import Project

DEFAULT_LESSON = "05_xavier_tanh"
"""The lesson the window opens on when no file is given."""


def resource_path(name: str) -> Path:
    """``name`` in ``resources/`` of a checkout, or in the installed ``initviz.resources``
    (a namespace package: only a path inside it is a plain directory or file)."""
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if (checkout / "lessons").is_dir():
        return checkout / name
    return installed_resource(name)


def installed_resource(name: str) -> Path:
    return Path(str(importlib_resources.files("initviz.resources") / name))


def lessons_dir() -> Path:
    return resource_path("lessons")


@dataclass(frozen=True)
class Lesson:
    key: str
    """File stem, e.g. ``01_zero_init_symmetry``; the number orders the menu."""
    path: Path
    title: str

    @property
    def number(self) -> int | None:
        """The number the file name starts with (``03_too_small`` is lesson 3), if any."""
        prefix = self.key.split("_", 1)[0]
        return int(prefix) if prefix.isdigit() else None


def list_lessons() -> list[Lesson]:
    lessons = []
    for path in sorted(lessons_dir().glob("*.json")):
        lessons.append(Lesson(path.stem, path, Project.load(path).name))
    return lessons


def load_lesson(key: str = DEFAULT_LESSON) -> Project:
    return Project.load(lessons_dir() / f"{key}.json")
