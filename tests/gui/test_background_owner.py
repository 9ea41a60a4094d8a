"""A view dropped without being closed, while its BackgroundTask is busy, must not crash.

Tests drop views this way (pytest-qt keeps only weak references), and so does any
script: the widget's Python attributes go before its C++ destructor stops the thread,
and the thread then delivered a queued call to a runner whose wrapper was gone (a
segfault in PySide, a few times in a hundred). Run in a subprocess, so a crash fails
this test instead of ending the suite.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 300
"""Each round drops one busy owner; before the fix, 300 rounds crashed every time here."""

SCRIPT = r"""
import sys, time
from PySide6 import QtWidgets
from initviz.gui.workers.background import BackgroundTask

app = QtWidgets.QApplication([])


class Owner(QtWidgets.QWidget):
    # asks again as soon as it is answered, as a playing Training tab does
    def __init__(self):
        super().__init__()
        self.answers = 0
        self.task = BackgroundTask(lambda n: n + 1, "owner-test", self, debounce_ms=0)
        self.task.resultReady.connect(self.task.request)
        self.task.resultReady.connect(self.count)

    def count(self, _):
        self.answers += 1


for _ in range(int(sys.argv[1])):
    owner = Owner()
    owner.task.request(0)
    end = time.monotonic() + 0.02
    while owner.answers < 3 or time.monotonic() < end:
        app.processEvents()
    del owner  # never closed: its task's thread is stopped by the destroyed signal
print("ok", flush=True)
"""


def test_dropping_a_busy_owner_without_closing_it_does_not_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROUNDS)], capture_output=True,
                          text=True, timeout=180, env=env, check=False)
    assert done.returncode == 0, f"exit status {done.returncode}: {done.stderr[-2000:]}"
    assert done.stdout.strip() == "ok"
