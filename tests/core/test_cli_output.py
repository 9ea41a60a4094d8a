"""`initviz stats` where its output cannot go, and names that would command the terminal.

Each test failed before: `initviz stats x.json > /dev/full` and a closed stdout printed a
traceback, a name holding ESC sequences reached the terminal raw, and the memory guard's
refusal was the one message that did not say which file it was about.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "resources" / "lessons" / "01_zero_init_symmetry.json"


def run(args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True,
                          text=True, timeout=120, **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("form", [[], ["--json"], ["--csv"]])
def test_stats_into_a_full_disk_is_one_line_and_exit_2(form):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "stats", str(LESSON), *form],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == ("initviz: cannot write to standard output: No space left on device; "
                           "redirect it to a file on a disk with free space\n")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors")
def test_stats_with_stdout_closed_is_one_line_and_exit_2():
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "stats", str(LESSON)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
        preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert done.stderr == "initviz: standard output is closed; redirect it to a file or a pipe\n"


def test_a_name_with_terminal_escapes_is_printed_harmless(tmp_path):
    path = tmp_path / "evil.json"
    name = "lesson \x1b[2J\x1b]0;pwned\x07 \x9b31m end"
    path.write_text(json.dumps({"name": name, "network": {"widths": [4, 6, 3]}}))
    done = run(["stats", str(path)])
    assert done.returncode == 0
    first = done.stdout.splitlines()[0]
    assert first.startswith("lesson ?[2J?]0;pwned? ?31m end: ")
    assert not any(char in done.stdout for char in "\x1b\x07\x9b")
    bad = tmp_path / "bad\x1b[31m.json"
    bad.write_text("{")
    done = run(["stats", str(bad)])
    assert done.returncode == 2 and "\x1b" not in done.stderr and "bad?[31m.json" in done.stderr


def test_the_memory_guard_names_the_file(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"network": {"widths": [1024, 1024, 10]},
                                "data": {"batch_size": 8192}}))
    done = run(["stats", str(path)], env={**os.environ, "INITVIZ_MEMORY_BUDGET": "8M"})
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("initviz: huge.json: this project needs about ")
