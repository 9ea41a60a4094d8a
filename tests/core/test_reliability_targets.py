"""What a save must not replace, names at the length limit, and temporaries a killed save left.

Each case lost or refused a user's file before: a read-only project was replaced (root ignores
the mode), a pipe or a device node was swapped for a regular file, a name of 242-255 bytes
could not be saved because the temporary's name ran past the limit, and killed saves left
hidden temporaries that nothing removed.
"""
import os
import stat
import sys

import pytest

from initviz import Project
from initviz.errors import ProtectedFileError
from initviz.safe_io import STALE_TEMP_S, backup_path, write_bytes_atomic

V1 = {"name": "first", "network": {"widths": [4, 6, 3]}}
V2 = {"name": "second", "network": {"widths": [4, 8, 3]}}


def files_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_read_only_project_is_refused_and_kept_with_its_backup(tmp_path):
    path = tmp_path / "handout.json"
    Project(V1).save(path)
    Project(V2).save(path)
    before, backup = path.read_bytes(), backup_path(path).read_bytes()
    path.chmod(0o444)
    with pytest.raises(ProtectedFileError) as info:
        Project({"name": "third"}).save(path)
    message = str(info.value)
    assert "handout.json" in message and "read-only (-r--r--r--)" in message
    assert "nothing was overwritten" in message and "Save As" in message
    assert path.read_bytes() == before and backup_path(path).read_bytes() == backup
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert files_in(tmp_path) == ["handout.json", "handout.json.bak"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs")
def test_a_pipe_is_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ProtectedFileError, match="not a regular file"):
        Project(V1).save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe, not a file in its place
    assert files_in(tmp_path) == ["pipe.json"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs a device node")
def test_a_device_node_is_refused(tmp_path):
    with pytest.raises(ProtectedFileError, match="not a regular file"):
        write_bytes_atomic("/dev/null", b"{}")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("length", [242, 250, 255])
def test_names_up_to_the_file_system_limit_save_with_a_backup(tmp_path, length):
    name = "é" * ((length - 5) // 2) + "x" * ((length - 5) % 2) + ".json"  # 2-byte characters
    assert len(os.fsencode(name)) == length
    path = tmp_path / name
    Project(V1).save(path)
    Project(V2).save(path)
    assert Project.load(path).name == "second"
    backup = backup_path(path)
    assert Project.load(backup).name == "first" and len(os.fsencode(backup.name)) <= 255
    assert sorted(files_in(tmp_path)) == sorted([name, backup.name])


def test_a_killed_saves_old_temporaries_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "lesson.json"
    Project(V1).save(path)
    stale = tmp_path / ".lesson.json.k1ll3d.tmp"
    fresh = tmp_path / ".lesson.json.4l1ve.tmp"  # another save may be writing this one now
    other = tmp_path / ".notes.txt.abc.tmp"  # not ours: another file's name
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"x" * 1000)
    old = stale.stat().st_mtime - STALE_TEMP_S - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    Project(V2).save(path)
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert Project.load(path).name == "second"
