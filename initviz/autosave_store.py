"""Autosave of unsaved work and the offer to restore it after a crash; no Qt here.

Small files live in the user's data folder (the GUI passes
``QStandardPaths.AppDataLocation``; ``INITVIZ_DATA_DIR`` overrides it, for tests):

- ``autosave-<instance>.json``: ``{"format": "initviz-autosave", "saved_at": t, "source": path
  or null, "project": {...}}`` — one running window's unsaved project and the file it came
  from, written atomically. Each window has its own, so a second window never touches the
  first one's work; the GUI holds a lock beside it (``autosave-<instance>.lock``) while the
  window runs, and tells ``pending()`` which owners are still alive.
- ``autosave.json``: the same record without an owner (scripts, and earlier versions).
- ``session.json``: ``{"clean_exit_at": t}`` — when initviz last closed normally.

A clean exit removes the window's own autosave. So a window's autosave that is still there
while its owner is gone means initviz stopped without closing (a crash, a kill, a power
cut): that is when ``pending()`` offers it back. An owner-less ``autosave.json`` counts as
left by a crash when it is newer than the last clean exit. Saving the project makes an
autosave moot, so ``pending()`` also skips one whose project equals the file it names.
"""
from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from initviz.errors import ProjectError
from initviz.project import MAX_FILE_BYTES, Project
from initviz.project_json import parse_json
from initviz.safe_io import read_bounded, write_text_atomic

DATA_DIR_ENV = "INITVIZ_DATA_DIR"
AUTOSAVE_FORMAT = "initviz-autosave"
AUTOSAVE_NAME = "autosave.json"
INSTANCE_PREFIX = "autosave-"
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
    autosave: Path
    """The autosave file it was read from: removed once the work is restored or declined."""


class AutosaveStore:
    """The autosave and session files of one data folder, as one running window sees them."""

    def __init__(self, folder: str | os.PathLike, clock=time.time, instance: str = ""):
        self.folder = Path(folder)
        self.clock = clock
        self.instance = instance
        """This window's name among the running ones ('' for no window: scripts, tests)."""

    @property
    def autosave_path(self) -> Path:
        if not self.instance:
            return self.folder / AUTOSAVE_NAME
        return self.folder / f"{INSTANCE_PREFIX}{self.instance}.json"

    @property
    def lock_path(self) -> Path:
        """Held by the running window whose autosave sits beside it (see ``pending``)."""
        return self.autosave_path.with_suffix(".lock")

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

    def discard(self, recovery: Recovery | None = None) -> None:
        """Forget this window's autosave (the work was saved), or a recovery's (restored or
        declined)."""
        path = self.autosave_path if recovery is None else recovery.autosave
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise ProjectError(
                f"cannot remove the autosave {path}: {error.strerror or error}"
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

    def pending(self, owner_alive: Callable[[Path], bool] = lambda lock: False
                ) -> Recovery | None:
        """The newest unsaved work that a crashed session left, or None.

        ``owner_alive(lock_path)`` says whether the window owning an autosave still runs (the
        GUI asks its lock); that work is that window's, never offered elsewhere. A damaged or
        unreadable autosave is ignored (never a crash at start-up).
        """
        found = []
        for path in self._autosave_files():
            if self.instance and path == self.autosave_path:
                continue  # our own, current work
            if path.name != AUTOSAVE_NAME and owner_alive(path.with_suffix(".lock")):
                continue
            recovery = self._recovery(path)
            if recovery is not None:
                found.append(recovery)
        if not found:
            return None
        return max(found, key=lambda r: r.saved_at if math.isfinite(r.saved_at) else -math.inf)

    def _autosave_files(self) -> list[Path]:
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        return [self.folder / name for name in names if name == AUTOSAVE_NAME or (
            name.startswith(INSTANCE_PREFIX) and name.endswith(".json"))]

    def _recovery(self, path: Path) -> Recovery | None:
        record = self._read(path)
        if not record or record.get("format") != AUTOSAVE_FORMAT:
            return None
        saved_at = record.get("saved_at")
        if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)):
            return None
        if path.name == AUTOSAVE_NAME and saved_at <= self.last_clean_exit():
            return None  # owner-less: offered only when newer than the last clean exit
        try:
            project = Project.from_dict(record.get("project"))
        except ProjectError:
            return None
        source = record.get("source")
        source = Path(source) if isinstance(source, str) and source else None
        if source is not None and _same_as_file(project, source):
            return None
        return Recovery(project, float(saved_at), source, path)

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
