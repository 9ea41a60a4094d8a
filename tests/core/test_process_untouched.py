"""The library leaves the process alone: a notebook that imports initviz keeps its settings.

`import initviz`, `simulate`, the `Trainer` and `initviz stats` change no environment
variable, the allocator, the garbage collector, BLAS's thread count or a thread's priority,
and keep no draw cache after the call; only the window applies its tuning (initviz._runtime).
Each check runs in a fresh interpreter, so nothing this test process loaded counts.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SET_ON_IMPORT_ELSEWHERE = ("KMP_DUPLICATE_LIB_OK",)

SCRIPT = r"""
import gc, io, json, os, sys, contextlib
before_env = dict(os.environ)
gc_before = (gc.isenabled(), gc.get_threshold())
switch_before = sys.getswitchinterval()
import initviz
numpy_on_import = "numpy" in sys.modules
import initviz.core.memory as memory
import initviz.core.blas as blas
touched = []
memory.keep_freed_memory = lambda: touched.append("allocator")
entered = blas.one_blas_thread
def watched():
    touched.append("blas threads")
    return entered()
blas.one_blas_thread = watched
from initviz.core import draws
from initviz.cli import main

# a lesson's size: simulate and stats must leave BLAS's threads and the allocator alone
p = initviz.Project.from_dict({"network": {"widths": [256] * 11}, "data": {"batch_size": 512}})
sim = initviz.simulate(p)
initviz.Trainer(p).step(2)
path = sys.argv[1]
p.save(path)
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["stats", path, "--json"])
tasks = os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else []
thread_nice = sorted({os.getpriority(os.PRIO_PROCESS, int(task)) for task in tasks})
changed = sorted(k for k in set(before_env) | set(os.environ)
                 if before_env.get(k) != os.environ.get(k))
print(json.dumps({
    "numpy_on_import": numpy_on_import, "status": status, "changed_env": changed,
    "gc": [gc.isenabled(), list(gc.get_threshold())] == [gc_before[0], list(gc_before[1])],
    "touched": touched, "cached_bytes": draws.SHARED._bytes, "thread_nice": thread_nice,
    "switch_interval": sys.getswitchinterval() == switch_before,
}))
"""


def test_import_simulate_train_and_stats_change_nothing_process_wide(tmp_path):
    # Without what libraries set on import (threadpoolctl sets KMP_DUPLICATE_LIB_OK), which
    # this test process may have passed on: the check must see them set, not inherited.
    env = {k: v for k, v in os.environ.items() if k not in SET_ON_IMPORT_ELSEWHERE}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "p.json")],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=env,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["status"] == 0
    assert seen["numpy_on_import"] is False  # the window can still tune BLAS before it loads
    assert seen["changed_env"] == []
    assert seen["gc"] is True
    assert seen["touched"] == []  # neither the allocator nor BLAS's thread count
    assert seen["cached_bytes"] == 0  # no weights kept alive behind the user's back
    assert len(seen["thread_nice"]) <= 1  # drawing and BLAS threads keep the caller's
    assert seen["switch_interval"] is True  # the GIL's, only the window sets it


def test_the_window_entry_applies_the_tuning_before_numpy_loads(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ.pop('OPENBLAS_THREAD_TIMEOUT', None)\n"
        "import initviz.cli as cli\n"
        "import initviz.gui.app as app\n"  # loads Qt and NumPy: too late for OpenBLAS
        "seen = {}\n"
        "def fake_run_app(path):\n"
        "    seen['timeout'] = os.environ.get('OPENBLAS_THREAD_TIMEOUT')\n"
        "    return 0\n"
        "app.run_app = fake_run_app\n"
        "status = cli.main([])\n"
        "print(status, seen['timeout'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from initviz import _runtime

    assert done.stdout.split() == ["0", _runtime.THREAD_TIMEOUT]


def test_python_dash_m_and_version(tmp_path):
    from initviz import __version__

    done = subprocess.run([sys.executable, "-m", "initviz", "--version"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"initviz {__version__}\n")
    done = subprocess.run([sys.executable, "-m", "initviz", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for form in ("initviz [PROJECT.json]", "initviz stats PROJECT.json",
                 "initviz render PROJECT.json", "initviz --version"):
        assert form in done.stdout
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "initviz", "stats", str(bad)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "bad.json is not valid JSON" in done.stderr


def test_the_installed_version_is_the_one_initviz_reports():
    from importlib.metadata import version

    import initviz

    assert version("initviz") == initviz.__version__  # pip show and --version agree
