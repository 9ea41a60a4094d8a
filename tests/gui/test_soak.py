"""A short soak (bench/soak.py): two windows on one data folder, random actions, random kill -9.

Deselected by default (pyproject's addopts); run it with ``pytest -m soak``. It asserts the
reliability issue's targets on two and a half minutes: no exception, no warning on stderr,
no autosave lost over the kills (all in the first 50 s), no GUI stall over 200 ms, RSS flat
after warm-up (at the reference project, probed 10 s into a window's life and 30 s before
the end, at least 20 s apart), every window closes.
Numeric edits stay ordinary here (``--extremes 0``): huge networks are the monkey test's
and the full ``make soak``'s. Stalls are wall time: run it on an otherwise idle machine.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


@pytest.mark.soak
def test_two_windows_and_kills_for_150_s_meet_the_targets(tmp_path):
    report = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, str(SOAK), "--duration", "150", "--kill-every", "10", "15",
         "--warmup", "10", "--quiet-end", "100", "--min-pair-gap", "20", "--extremes", "0",
         "--seed", "7",
         "--dir", str(tmp_path / "soak"), "--json", str(report)],
        capture_output=True, text=True, timeout=400)
    summary = json.loads(report.read_text())
    assert summary["actions"] > 100 and summary["kills"] >= 2, run.stdout
    assert summary["autosaves"].get("restored", 0) >= 1, run.stdout  # a kill lost real work
    failed = [target for target, met in summary["targets"].items() if not met]
    assert failed == [], run.stdout
    assert run.returncode == 0
