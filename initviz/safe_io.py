"""Reading and writing project files so that a bad file is refused and a failed save loses nothing.

Reading: only regular files, at most ``limit`` bytes are read (so ``/dev/zero`` or a pipe
cannot hang or fill memory), and every OS error becomes a ``ProjectError`` saying what to do.

Saving: the previous version is first copied to ``FILE.bak`` (``lesson.json`` ->
``lesson.json.bak``); the new bytes go to a hidden temporary file in the same folder,
are flushed to disk (``fsync``) and replace the target in one atomic ``os.replace``.
A crash, a full disk or a read-only folder at any step leaves the old file byte for
byte as it was. A target that is read-only, or not a regular file (a pipe, a device),
is refused rather than replaced. Temporaries a killed save left behind are removed by
the next save of the same file. Pure standard library: the CLI, the GUI, the image
exports and the autosave share it.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
import unicodedata
from pathlib import Path

from initviz.errors import ProjectError, ProtectedFileError

BACKUP_SUFFIX = ".bak"
"""``FILE.json`` keeps its previous version in ``FILE.json.bak``, next to it."""
MESSAGE_LIMIT = 400
"""A message longer than this is cut: one line a person reads, not a data dump."""
TEMP_STEM_BYTES = 64
"""A temporary is named ``.<first 64 bytes of the name>.<random>.tmp``: a name near the
file system's 255-byte limit still leaves room for the temporary's own name."""
STALE_TEMP_S = 600.0
"""A temporary of ours this old belongs to no running save (a save writes a few kB and
renames it within a second): a killed save left it, and the next save removes it."""

_SAVE_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space or save to another drive"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or save to another drive"),
    errno.EACCES: ("no permission to write there", "save to another folder (File > Save As)"),
    errno.EPERM: ("no permission to write there", "save to another folder (File > Save As)"),
    errno.EROFS: ("the drive is read-only", "save to another folder (File > Save As)"),
    errno.ENOENT: ("the folder no longer exists", "save to another folder (File > Save As)"),
    errno.ENOTDIR: ("the folder no longer exists", "save to another folder (File > Save As)"),
    errno.EISDIR: ("that name is a folder", "choose a file name, e.g. project.json"),
}


def display_name(path: str | os.PathLike) -> str:
    """The file name as a person can read it: undecodable bytes shown as U+FFFD, never a crash."""
    name = Path(path).name or str(path)
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join("?" if ord(char) < 32 else char for char in name)  # one line, whatever the name


def printable(text: str) -> str:
    """``text`` with control characters (ESC, the C1 set, DEL, ...) shown as '?': a name from a
    file must not send a terminal escape sequence (colours, a cleared screen, a new title)."""
    return "".join("?" if unicodedata.category(char) == "Cc" else char for char in text)


def shorten_message(message: str) -> str:
    """One printable line: runs of 40+ digits abbreviated, newlines flattened, length capped."""
    message = re.sub(r"\d{40,}", lambda m: f"{m[0][:8]}…({len(m[0])} digits)", message)
    message = " ".join(message.splitlines())
    message = message.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    message = printable(message)
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return message


# --- reading --------------------------------------------------------------------------------


def _read_error(name: str, error: OSError) -> ProjectError:
    if isinstance(error, FileNotFoundError):
        return ProjectError(
            f"cannot read {name}: there is no such file; check the name and the folder"
        )
    if isinstance(error, PermissionError):
        return ProjectError(
            f"cannot read {name}: permission denied; "
            "ask for read access or copy the file to your folder"
        )
    if isinstance(error, IsADirectoryError):
        return ProjectError(
            f"{name} is a folder, not a project file; choose a .json file inside it"
        )
    reason = error.strerror or error
    return ProjectError(f"cannot read {name}: {reason}; check the file and try again")


def read_bounded(
    path: str | os.PathLike, limit: int, what: str = "an initviz project (.json)"
) -> bytes:
    """The bytes of the regular file ``path``; folders, devices and files over ``limit`` refused."""
    name = display_name(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise ProjectError(f"{name} is not a regular file (a device or a pipe); open {what}")
        if info.st_size > limit:
            raise ProjectError(
                f"{name} is {info.st_size / 1e6:.1f} MB; an initviz project is a few kB, "
                "so this is not one"
            )
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise _read_error(name, error) from None
    if len(raw) > limit:  # grew while we looked
        raise ProjectError(f"{name} is over {limit / 1e6:.1f} MB; open {what}")
    return raw


# --- writing --------------------------------------------------------------------------------


def _name_limit(folder: Path) -> int:
    """The longest file name, in bytes, that ``folder``'s file system takes (255 on most)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _cut_name(name: str, limit: int) -> str:
    """``name`` cut to at most ``limit`` bytes of its file-system encoding (never mid-character:
    surrogate escapes round-trip whatever bytes are kept)."""
    return os.fsdecode(os.fsencode(name)[:limit])


def backup_path(path: str | os.PathLike) -> Path:
    """``FILE.bak`` beside ``FILE``; for a name at the length limit, the name is cut to fit."""
    path = Path(path)
    room = _name_limit(path.parent) - len(os.fsencode(BACKUP_SUFFIX))
    return path.with_name(_cut_name(path.name, room) + BACKUP_SUFFIX)


def _save_error(path: Path, error: OSError, step: str = "") -> ProjectError:
    """What failed, where, that the old file is intact, and what to do."""
    reason, fix = _SAVE_REASONS.get(
        error.errno, (error.strerror or str(error), "try again or save to another folder")
    )
    return ProjectError(
        f"cannot save {display_name(path)}{step}: {reason} ({path.parent}); "
        f"nothing was overwritten; {fix}"
    )


def _umask() -> int:
    """The process umask without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _file_mode(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible everywhere, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _temp_prefix(path: Path) -> str:
    return f".{_cut_name(path.name, TEMP_STEM_BYTES)}."


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporaries of ``path`` that a killed save left (ours by name, and old)."""
    prefix = _temp_prefix(path)
    now = time.time()
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_S:
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove: the save goes on


def check_replaceable(path: Path) -> None:
    """Refuse to replace what a save must not: a read-only file, a pipe, a device, a socket.

    Root may write anything, so the check reads the file's mode instead of asking access():
    a file without write permission was made read-only on purpose (a shared lesson, a
    hand-in), and replacing it, even as root, would lose it.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise _save_error(path, error) from None
    name = display_name(path)
    if stat.S_ISDIR(info.st_mode):
        raise _save_error(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    if not stat.S_ISREG(info.st_mode):
        raise ProtectedFileError(
            f"cannot save {name}: it is not a regular file (a pipe, a device or a socket); "
            "nothing was overwritten; save under another name (File > Save As)"
        )
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ProtectedFileError(
            f"cannot save {name}: the file is read-only ({stat.filemode(info.st_mode)}); "
            "nothing was overwritten; save under another name (File > Save As)"
        )


def replace_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    Raises the ``OSError`` after removing the temporary; ``path`` is untouched unless it succeeds.
    """
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt: never leave the temporary behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(path.parent)


def write_text_atomic(path: str | os.PathLike, text: str, *, backup: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; ``backup`` keeps the old file as FILE.bak.

    Raises ``ProjectError`` saying what failed and what to do; the old file is then unchanged.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ProjectError(
            f"cannot save {display_name(path)}: the text holds a broken character at position "
            f"{error.start}; retype it"
        ) from None
    write_bytes_atomic(path, data, backup=backup)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, backup: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (projects, PNG and SVG exports alike).

    Raises ``ProjectError`` saying what failed and what to do; the old file is then unchanged.
    """
    path = Path(path)
    if path.is_symlink():  # write through the link, as editors do, instead of replacing it
        path = Path(os.path.realpath(path))
    check_replaceable(path)
    mode = _file_mode(path)
    step = ""
    try:
        if backup and path.is_file():
            step = f" (keeping the old version as {display_name(backup_path(path))})"
            replace_atomic(backup_path(path), path.read_bytes(), mode)
            step = ""
        replace_atomic(path, data, mode)
    except OSError as error:
        raise _save_error(path, error, step) from None
