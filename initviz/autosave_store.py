"""Autosave of unsaved work and the offer to restore it after a crash; no Qt here.

Two small files live in the user's data folder (the GUI passes
``QStandardPaths.AppDataLocation``; ``INITVIZ_DATA_DIR`` overrides it, for tests):

- ``autosave.json``: ``{"format": "initviz-autosave", "saved_at": t, "source": path or null,
  "project": {...}}`` — the unsaved project and the file it came from, written atomically.
- ``session.json``: ``{"clean_exit_at": t}`` — when initviz last closed normally.

A clean exit removes the autosave and records the time, so an autosave *newer than the
last clean exit* means initviz stopped without closing (a crash, a kill, a power cut):
that is when ``pending()`` offers it back. Saving the project makes the autosave moot,
so ``pending()`` also skips one whose project equals the file it names.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from initviz.errors import ProjectError
from initviz.project import MAX_FILE_BYTES, Project, parse_json
from initviz.safe_io import read_bounded, write_text_atomic

DATA_DIR_ENV = "INITVIZ_DATA_DIR"
AUTOSAVE_FORMAT = "initviz-autosave"
AUTOSAVE_NAME = "autosave.json"
SESSION_NAME = "session.json"


def data_dir(default: str | os.PathLike | None = None) -> Path:
    """``$INITVIZ_DATA_DIR``, else ``default`` (the GUI's AppDataLocation), else the XDG folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    if default:
        return Path(default)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "initviz"


@dataclass(frozen=True)
class Recovery:
    """Unsaved work found after a crash."""

    project: Project
    saved_at: float
    source: Path | None
    """The file the work came from (None for a project never saved)."""


class AutosaveStore:
    """The autosave and session files of one data folder."""

    def __init__(self, folder: str | os.PathLike, clock=time.time):
        self.folder = Path(folder)
        self.clock = clock

    @property
    def autosave_path(self) -> Path:
        return self.folder / AUTOSAVE_NAME

    @property
    def session_path(self) -> Path:
        return self.folder / SESSION_NAME

    # --- writing ----------------------------------------------------------------------------

    def save(self, project: Project, source: str | os.PathLike | None = None) -> None:
        """Keep ``project`` (unsaved work) safe; ProjectError says why when it cannot."""
        record = {
            "format": AUTOSAVE_FORMAT,
            "saved_at": self.clock(),
            "source": None if source is None else os.fsdecode(Path(source).resolve()),
            "project": project.to_dict(),
        }
        self._write(self.autosave_path, record)

    def discard(self) -> None:
        """Forget the autosave: the work was saved, or the user declined to restore it."""
        try:
            self.autosave_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise ProjectError(
                f"cannot remove the autosave {self.autosave_path}: {error.strerror or error}"
            ) from None

    def mark_clean_exit(self) -> None:
        """initviz is closing normally: nothing to restore next time."""
        self.discard()
        self._write(self.session_path, {"clean_exit_at": self.clock()})

    def _write(self, path: Path, record: dict) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ProjectError(
                f"cannot create the data folder {self.folder}: {error.strerror or error}; "
                f"set {DATA_DIR_ENV} to a folder you can write"
            ) from None
        write_text_atomic(path, json.dumps(record, ensure_ascii=False) + "\n")

    # --- reading ----------------------------------------------------------------------------

    def last_clean_exit(self) -> float:
        record = self._read(self.session_path)
        value = record.get("clean_exit_at") if record else None
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok else float("-inf")

    def pending(self) -> Recovery | None:
        """The unsaved work of a session that did not exit cleanly, or None.

        A damaged or unreadable autosave is ignored (never a crash at start-up).
        """
        record = self._read(self.autosave_path)
        if not record or record.get("format") != AUTOSAVE_FORMAT:
            return None
        saved_at = record.get("saved_at")
        if not isinstance(saved_at, (int, float)) or saved_at <= self.last_clean_exit():
            return None
        try:
            project = Project.from_dict(record.get("project"))
        except ProjectError:
            return None
        source = record.get("source")
        source = Path(source) if isinstance(source, str) and source else None
        if source is not None and _same_as_file(project, source):
            return None
        return Recovery(project, float(saved_at), source)

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            text = read_bounded(path, MAX_FILE_BYTES + 4096).decode("utf-8")
            record = parse_json(text, path.name)
        except (ProjectError, UnicodeDecodeError):
            return None
        return record if isinstance(record, dict) else None


def _same_as_file(project: Project, source: Path) -> bool:
    try:
        return Project.load(source) == project
    except ProjectError:
        return False
