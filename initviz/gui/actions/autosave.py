"""Autosave in the window: unsaved work is written a moment after each change, and offered back
after a crash. The files and the rules live in ``initviz.autosave_store`` (no Qt); this is the
timer, the lock that marks a window's autosave as its own while it runs, the question to the
user and the restore.

The files are written on a thread of the controller's own, one after the other in the order
they were asked for: each write waits for the disk (``fsync``), which may take a noticeable
moment, and the GUI thread must not wait with it. Closing waits for the writes asked for.
"""
from __future__ import annotations

import functools
import os
import sys
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from initviz.autosave_store import AutosaveStore, Recovery, data_dir
from initviz.errors import ProjectError
from initviz.gui.gc_guard import collect_in_gui_thread
from initviz.project import Project

AUTOSAVE_DELAY_MS = 2000
"""Write this long after the last change: a drag of a spin box is one write, not fifty."""
AUTOSAVE_LONGEST_WAIT_MS = 10000
"""... and at most this long after the first unsaved change: edits that never pause for
``AUTOSAVE_DELAY_MS`` (a long drag, a lesson given at speed) are still kept if initviz dies."""


def default_store() -> AutosaveStore:
    """This window's own store in QStandardPaths.AppDataLocation (INITVIZ_DATA_DIR overrides it).

    The instance name is the process id and a random part: two windows, in one process or
    two, never share an autosave file.
    """
    location = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.AppDataLocation)
    instance = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    return AutosaveStore(data_dir(location or None), instance=instance)


def owner_alive(lock_path: Path) -> bool:
    """Whether a running initviz holds this lock. QLockFile tells a live owner from one that
    crashed (its process id is gone), so a crashed window's lock is taken, found stale and
    removed here; a lock nobody made means no owner at all."""
    if not lock_path.exists():
        return False
    lock = QtCore.QLockFile(str(lock_path))
    lock.setStaleLockTime(0)  # stale only when the owner process is gone, never by age
    if lock.tryLock(0):
        lock.unlock()  # the owner is gone: its lock file goes too
        return False
    return lock.error() == QtCore.QLockFile.LockFailedError


class AutosaveController(QtCore.QObject):
    """Keeps a ProjectDocument's unsaved project in the store; ``clean_exit`` when the app closes.

    It follows the document's edits and its saved state (a save or a load forgets the autosave);
    display settings are no unsaved work and never start it. The writes run on its writer
    thread (``autosave_now``); ``flush`` waits for them.
    """

    _written = QtCore.Signal(object)
    """From the writer thread: None once a write succeeded, else the message to show."""

    def __init__(self, document, store: AutosaveStore | None = None,
                 delay_ms: int = AUTOSAVE_DELAY_MS,
                 longest_wait_ms: int = AUTOSAVE_LONGEST_WAIT_MS):
        super().__init__(document)
        self.document = document
        self.store = store if store is not None else default_store()
        self._lock = self._take_lock()
        self._last_error = None
        collect_in_gui_thread()  # Python's GC must never free a Qt object in the writer thread
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initviz-autosave")
        self._last_write: Future | None = None
        self._closed = False
        self._written.connect(self._report)
        self.timer = QtCore.QTimer(self, singleShot=True, interval=delay_ms)
        self.timer.timeout.connect(self.autosave_now)
        self.deadline = QtCore.QTimer(self, singleShot=True, interval=longest_wait_ms)
        self.deadline.timeout.connect(self.autosave_now)
        document.changed.connect(self._changed)
        document.modifiedChanged.connect(self._changed)

    def _changed(self) -> None:
        """Each change postpones the write (debounce); the first one also sets the deadline."""
        self.timer.start()
        if not self.deadline.isActive():
            self.deadline.start()

    def _take_lock(self) -> QtCore.QLockFile | None:
        """Mark this window's autosave as its own while it runs (see ``owner_alive``)."""
        if not self.store.instance:
            return None
        try:
            self.store.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None  # autosave itself will say what is wrong with the folder
        lock = QtCore.QLockFile(str(self.store.lock_path))
        lock.setStaleLockTime(0)
        return lock if lock.tryLock(0) else None

    def autosave_now(self) -> None:
        """Save the project if it has unsaved changes, else forget the autosave: asked of the
        writer thread, which says how it went through ``_written`` (a failure is shown once)."""
        self.timer.stop()
        self.deadline.stop()
        if self._closed:  # after the clean exit: nothing may be left to offer
            return
        document = self.document
        if document.is_modified():
            job = functools.partial(self.store.save, document.project.copy(), document.path)
        else:
            job = self.store.discard
        self._last_write = self._writer.submit(self._write, job)

    def flush(self) -> None:
        """Wait until every write asked for so far is on disk (or has failed)."""
        if self._last_write is not None:
            self._last_write.result()  # the writes run in order: the last one is the last done

    def _write(self, job) -> None:
        """In the writer thread."""
        try:
            job()
            outcome = None
        except ProjectError as error:
            outcome = f"Autosave failed: {error}"
        except Exception:  # a bug: reported as one, where an exception in the window would be
            sys.excepthook(*sys.exc_info())
            return
        try:
            self._written.emit(outcome)
        except RuntimeError:  # the window is gone: nobody to tell
            pass

    def _report(self, message: str | None) -> None:
        if message is not None and message != self._last_error:  # once, not after every edit
            self.document.show_message(message)
        self._last_error = message

    def offer_restore(self) -> bool:
        """After a crash, ask whether to restore the unsaved work; True when it was restored."""
        recovery = self.store.pending(owner_alive)
        if recovery is None:
            return False
        when = describe_time(recovery.saved_at)
        origin = f" ({recovery.source.name})" if recovery.source else ""
        answer = QtWidgets.QMessageBox.question(
            self._dialog_parent(), "Restore unsaved work?",
            f"initviz did not close normally. Restore the unsaved changes to "
            f"“{recovery.project.name}”{origin} from {when}?",
            QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.No, QtWidgets.QMessageBox.Yes,
        )
        if answer != QtWidgets.QMessageBox.Yes:
            self._forget(recovery)
            return False
        self._restore(recovery)
        self.autosave_now()  # the work is this window's now: keep it under its own name first
        self.flush()
        self._forget(recovery)
        return True

    def _dialog_parent(self) -> QtWidgets.QWidget | None:
        """The window the document belongs to, so the question sits on top of it."""
        owner = self.document.parent()
        return owner if isinstance(owner, QtWidgets.QWidget) else None

    def _forget(self, recovery: Recovery) -> None:
        try:
            self.store.discard(recovery)
        except ProjectError as error:
            self.document.show_message(str(error))

    def _restore(self, recovery: Recovery) -> None:
        """Back on the file it came from, with the changes on top: unsaved, as they were.

        Work whose file is gone or unreadable (or that never had one) comes back untitled,
        so that Save asks for a name instead of overwriting whatever the window had open.
        """
        base, path = Project(), None
        if recovery.source is not None and Path(recovery.source).is_file():
            try:
                base, path = Project.load(recovery.source), recovery.source
            except ProjectError:
                pass
        self.document.load(base, path=path)
        self.document.set_project(recovery.project)
        self.document.show_message(f"Restored unsaved work on “{recovery.project.name}”")

    def clean_exit(self) -> None:
        """The app is closing normally (the user saved or discarded): nothing to offer next time.
        The writes asked for before are finished first."""
        self.timer.stop()
        self.deadline.stop()
        self.flush()
        self._closed = True
        self._writer.shutdown()
        try:
            self.store.mark_clean_exit()
        except ProjectError:
            pass  # a read-only profile: the next start may ask once too often, nothing is lost
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def describe_time(timestamp: float) -> str:
    """A saved time as a person reads it; a damaged one (out of range, NaN) never crashes."""
    try:
        return time.strftime("%d %b %Y %H:%M", time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return "an unknown time"
