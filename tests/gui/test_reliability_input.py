"""Text a user typed is shown as typed and cannot stall the window; no display is said plainly.

Each test failed before: "depth<10 vs depth>50" lost its middle as an HTML tag, a name of a
million characters froze the notes panel for minutes, a key written twice silently took the
last value, and `initviz` without a display sat forever on an invisible offscreen window.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from initviz.gui.views.slide import title_html
from initviz.project import Project, ProjectError
from initviz.project_fields import MAX_NAME_CHARS, MAX_NOTES_CHARS

TIMEOUT = 20000
NAME = "depth<10 vs depth>50 & <b>bold</b>"


def test_names_and_notes_show_as_typed(qtbot, window):
    project = window.project.copy()
    project.update({"name": NAME, "notes": "a < b\n\nc > d"})
    window.document.set_project(project)
    text = window.notes.toPlainText()
    assert NAME in text and "a < b" in text and "c > d" in text
    assert NAME in window.windowTitle()


def test_the_render_title_shows_the_name_as_typed(qtbot, small_project):
    from PySide6 import QtGui

    small_project.update({"name": NAME})
    document = QtGui.QTextDocument()
    document.setHtml(title_html(small_project, 12.0))
    assert document.toPlainText().splitlines()[0] == NAME


@pytest.mark.parametrize("field, limit", [("name", MAX_NAME_CHARS), ("notes", MAX_NOTES_CHARS)])
def test_overlong_text_is_refused_at_load_with_the_limit(tmp_path, field, limit):
    path = tmp_path / "long.json"
    path.write_text(json.dumps({field: "w" * 1_000_000}))
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert message == (f"long.json: {field} is 1,000,000 characters long; "
                       f"keep it under {limit:,} characters")
    with pytest.raises(ProjectError):
        Project().update({field: "w" * (limit + 1)})
    assert Project({field: "w" * limit}).to_dict()[field] == "w" * limit


def test_the_longest_notes_allowed_lay_out_without_stalling_the_window(qtbot, window):
    """One word as long as notes may be: the panel still lays it out (no length can hang it)."""
    project = window.project.copy()
    project.update({"name": "n" * MAX_NAME_CHARS, "notes": "w" * MAX_NOTES_CHARS})
    window.document.set_project(project)
    window.notes.repaint()
    assert window.notes.toPlainText().count("w") >= MAX_NOTES_CHARS


def test_a_key_written_twice_is_refused_and_names_the_key(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('{"network": {"widths": [4, 8, 3], "widths": [4, 9, 3]}}')
    with pytest.raises(ProjectError, match="twice.json: the key 'widths' appears twice"):
        Project.load(path)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "from Notepad"}).encode())
    assert Project.load(path).name == "from Notepad"


def test_the_window_without_a_display_exits_2_with_one_line(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no DISPLAY, no QT_QPA_PLATFORM
    done = subprocess.run([sys.executable, str(root / "main.py")], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("initviz: there is no display to open the window on")


def test_missing_x11_libraries_are_named_with_the_install_line(monkeypatch, capsys):
    """Qt's own failure names no package; the window names the library and the apt line."""
    from initviz.gui import app, system_libraries

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    absent = {"libxcb-icccm.so.4", "libxcb-cursor.so.0"}
    monkeypatch.setattr(system_libraries, "_loads", lambda name: name not in absent)
    assert app.run_app(None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "(libxcb-cursor.so.0, libxcb-icccm.so.4)" in err
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4;" in err
    assert "sudo dnf install xcb-util-cursor xcb-util-wm" in err


def test_the_readme_install_line_covers_every_library_checked():
    from initviz.gui.system_libraries import XCB_LIBRARIES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    apt = next(line for line in readme.splitlines() if line.startswith("sudo apt-get install"))
    dnf = next(line for line in readme.splitlines() if "sudo dnf install" in line)
    for debian, fedora in XCB_LIBRARIES.values():
        assert debian in apt.split() and fedora in dnf.split()
