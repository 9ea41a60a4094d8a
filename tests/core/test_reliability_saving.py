"""A failed save loses nothing: the old file survives byte for byte, FILE.bak holds the one before.

Faults are injected where the operating system would raise them: creating the temporary
file (read-only folder), writing it (disk full), flushing it (disk full at fsync), and the
rename (a crash between write and rename is simulated by killing a child process there).
"""
import errno
import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from initviz import Project, ProjectError
from initviz.autosave_store import AutosaveStore, data_dir
from initviz.safe_io import backup_path

V1 = {"name": "first", "network": {"widths": [4, 6, 3]}}
V2 = {"name": "second", "network": {"widths": [4, 8, 3]}, "notes": "été ✓"}
V3 = {"name": "third", "network": {"widths": [4, 9, 3]}}


@pytest.fixture
def saved(tmp_path):
    """lesson.json saved twice: the file holds V2, its backup V1."""
    path = tmp_path / "lesson.json"
    Project(V1).save(path)
    first = path.read_bytes()
    Project(V2).save(path)
    return path, first, path.read_bytes()


def files_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_save_keeps_the_previous_version_as_bak(saved):
    path, first, second = saved
    assert backup_path(path).name == "lesson.json.bak"
    assert backup_path(path).read_bytes() == first
    assert Project.load(path).name == "second" and Project.load(backup_path(path)).name == "first"
    assert files_in(path.parent) == ["lesson.json", "lesson.json.bak"]  # no temporaries left


def test_first_save_has_no_backup_and_keeps_permissions(tmp_path):
    path = tmp_path / "new.json"
    Project(V1).save(path)
    assert files_in(tmp_path) == ["new.json"]
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044  # readable by others, not 0600
    path.chmod(0o640)
    Project(V2).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(backup_path(path).stat().st_mode) == 0o640


def assert_intact(path, content, message):
    assert path.read_bytes() == content, "the old file changed"
    assert backup_path(path).exists()
    assert Project.load(backup_path(path)).name in ("first", "second")
    assert files_in(path.parent) == ["lesson.json", "lesson.json.bak"], "a temporary was left"
    assert "\n" not in message and "nothing was overwritten" in message


def test_read_only_folder(saved, monkeypatch):
    path, _, second = saved
    real_open = os.open

    def read_only(file, flags, *args, **kwargs):  # what EACCES looks like; root ignores chmod
        if os.path.dirname(os.fspath(file)) == os.fspath(path.parent) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(ProjectError) as info:
        Project(V3).save(path)
    message = str(info.value)
    assert message.startswith("cannot save lesson.json (keeping the old version as lesson.json.bak)"
                              ": no permission to write there")
    assert "save to another folder (File > Save As)" in message
    monkeypatch.undo()
    assert_intact(path, second, message)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder_for_real(saved):
    path, _, second = saved
    path.parent.chmod(0o555)
    try:
        with pytest.raises(ProjectError, match="no permission to write there"):
            Project(V3).save(path)
    finally:
        path.parent.chmod(0o755)
    assert path.read_bytes() == second


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_disk_full(saved, monkeypatch, failing):
    path, _, second = saved
    real = getattr(os, failing)
    calls = []

    def disk_full(fd, *args):
        calls.append(fd)
        if len(calls) > 1 or failing == "fsync":  # the backup may go through, the save not
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, *args)

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(ProjectError) as info:
        Project(V3).save(path)
    monkeypatch.undo()
    message = str(info.value)
    assert "the disk is full" in message and "free some space or save to another drive" in message
    assert_intact(path, second, message)


def test_rename_fails_and_the_temporary_is_removed(saved, monkeypatch):
    path, _, second = saved
    real = os.replace

    def fail_last(src, dst):
        if os.fspath(dst) == os.fspath(path):
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fail_last)
    with pytest.raises(ProjectError, match="cannot save lesson.json: Input/output error"):
        Project(V3).save(path)
    monkeypatch.undo()
    assert_intact(path, second, "nothing was overwritten")
    assert backup_path(path).read_bytes() == second  # the backup step had gone through


def test_crash_between_write_and_rename(saved):
    """A real crash: the child process dies (os._exit) at the rename; no cleanup code runs."""
    path, _, second = saved
    script = textwrap.dedent(f"""
        import os
        from initviz import Project
        real = os.replace
        def die(src, dst):
            if os.fspath(dst) == {os.fspath(path)!r}:
                os._exit(9)
            return real(src, dst)
        os.replace = die
        Project({V3!r}).save({os.fspath(path)!r})
    """)
    status = subprocess.run([sys.executable, "-c", script], timeout=60).returncode
    assert status == 9
    assert path.read_bytes() == second  # the old file is whole
    assert backup_path(path).read_bytes() == second
    leftovers = [name for name in files_in(path.parent) if name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".lesson.json.")  # hidden, harmless
    Project(V3).save(path)  # and the next save works
    assert Project.load(path).name == "third"


def test_save_into_a_folder_that_is_gone(tmp_path):
    with pytest.raises(ProjectError) as info:
        Project(V1).save(tmp_path / "removed" / "p.json")
    assert str(info.value).startswith("cannot save p.json: the folder no longer exists")
    assert "save to another folder" in str(info.value)


def test_save_onto_a_folder_name(tmp_path):
    (tmp_path / "p.json").mkdir()
    with pytest.raises(ProjectError, match="cannot save p.json: that name is a folder"):
        Project(V1).save(tmp_path / "p.json")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_save_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    Project(V1).save(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    Project(V2).save(link)
    assert link.is_symlink() and Project.load(target).name == "second"
    assert Project.load(tmp_path / "real.json.bak").name == "first"


# --- autosave ------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_data_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("INITVIZ_DATA_DIR", str(tmp_path / "d"))
    assert data_dir("/ignored") == tmp_path / "d"
    monkeypatch.delenv("INITVIZ_DATA_DIR")
    assert data_dir(tmp_path / "qt") == tmp_path / "qt"


def test_autosave_is_offered_after_a_crash_only(tmp_path):
    store = AutosaveStore(tmp_path / "data", clock=Clock())
    assert store.pending() is None  # first start ever
    store.save(Project(V2), source=tmp_path / "lesson.json")
    recovery = store.pending()  # no clean exit since: a crash
    assert recovery.project == Project(V2) and recovery.source == tmp_path / "lesson.json"
    store.mark_clean_exit()
    assert store.pending() is None and not store.autosave_path.exists()
    store.save(Project(V3))  # the next session's work, then a crash
    assert store.pending().project.name == "third" and store.pending().source is None


def test_an_autosave_older_than_the_last_clean_exit_is_not_offered(tmp_path):
    clock = Clock()
    store = AutosaveStore(tmp_path, clock=clock)
    store.save(Project(V2))
    store._write(store.session_path, {"clean_exit_at": clock.now + 50})  # removal had failed
    assert store.pending() is None


def test_an_autosave_equal_to_its_saved_file_is_not_offered(tmp_path):
    store = AutosaveStore(tmp_path / "data", clock=Clock())
    source = tmp_path / "lesson.json"
    Project(V2).save(source)
    store.save(Project(V2), source=source)
    assert store.pending() is None


DAMAGED = [b"", b"{", b"\xff\xfe", b"[]", b'{"format": "initviz-autosave"}',
           b'{"format": "initviz-autosave", "saved_at": 5, "project": 3}']


@pytest.mark.parametrize("content", DAMAGED)
def test_a_damaged_autosave_is_ignored(tmp_path, content):
    store = AutosaveStore(tmp_path)
    store.autosave_path.write_bytes(content)
    assert store.pending() is None


def test_autosave_into_an_unwritable_place_is_a_project_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = AutosaveStore(blocker / "data")
    with pytest.raises(ProjectError, match="cannot create the data folder .*INITVIZ_DATA_DIR"):
        store.save(Project(V1))


def test_autosave_file_is_plain_json(tmp_path):
    store = AutosaveStore(tmp_path)
    store.save(Project(V2))
    record = json.loads(store.autosave_path.read_text(encoding="utf-8"))
    assert record["format"] == "initviz-autosave" and record["project"]["notes"] == "été ✓"
