"""The soak's verdicts (bench/soak_report.py): the RSS trend after warm-up and where the GUI
thread spent its stalls, computed from the windows' logs as the soak writes them."""
import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import soak_report


def _log(path: Path, samples: list[tuple[float, float]], stalls=()) -> Path:
    """A window's log: a stats line per (seconds, RSS MB), and the stall events given."""
    lines = [{"event": "started", "pid": 1, "t": 0.0}]
    lines += [{"event": "stats", "t": t, "actions": 10, "rss_kb": int(mb * 1024),
               "heap_kb": None, "gaps": {"0": 100}} for t, mb in samples]
    lines += [{"event": "stall", **stall} for stall in stalls]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def test_the_slope_is_the_trend_after_warm_up(tmp_path):
    """A window that grows 12 MB a minute after warm-up, with sawtooth noise of ±20 MB from
    projects of different sizes: the slope says +12 MB/min, and RSS is not flat."""
    samples = [(t, 300 + (t < 60) * -100 + 0.2 * t + (20 if t % 4 else -20))
               for t in range(0, 600, 2)]
    run = soak_report.read_run(_log(tmp_path / "A1.jsonl", samples))
    figures = soak_report.rss_figures(run, warmup_s=60)
    # a least-squares fit of a ±20 MB square wave on a line: within 0.5 MB/min of its slope
    assert figures["slope_mb_per_min"] == pytest.approx(12.0, abs=0.5)
    assert figures["flat"] is False


def test_a_level_window_has_no_slope_and_is_flat(tmp_path):
    samples = [(t, 500 + (10 if t % 6 else -10)) for t in range(0, 400, 2)]
    run = soak_report.read_run(_log(tmp_path / "B1.jsonl", samples))
    figures = soak_report.rss_figures(run, warmup_s=60)
    assert abs(figures["slope_mb_per_min"]) < 1.0
    assert figures["flat"] is True


def test_a_window_killed_during_warm_up_gives_no_verdict(tmp_path):
    run = soak_report.read_run(_log(tmp_path / "A2.jsonl", [(2, 200), (40, 400)]))
    figures = soak_report.rss_figures(run, warmup_s=60)
    assert "flat" not in figures and "slope_mb_per_min" not in figures
    assert math.isnan(soak_report.slope_per_minute([(5.0, 1.0)]))


def test_stall_time_is_split_by_where_the_gui_thread_was(tmp_path):
    """Two stalls: 300 ms (80 on a core, 200 queued) and 500 ms (20 on a core, 100 queued):
    800 ms in all, 100 on a core, 300 queued, 400 waiting (GIL or lock)."""
    stalls = [{"t": 5.0, "ms": 300.0, "gui_cpu_ms": 80.0, "gui_queued_ms": 200.0,
               "process_cpu_ms": 400.0, "action": "depth", "tab": "Layers"},
              {"t": 9.0, "ms": 500.0, "gui_cpu_ms": 20.0, "gui_queued_ms": 100.0,
               "process_cpu_ms": 900.0, "action": "training", "tab": "Training"}]
    run = soak_report.read_run(_log(tmp_path / "A1.jsonl", [(2, 200), (10, 210)], stalls))
    summary = soak_report.summarise([run], kills=[], warmup_s=60)
    assert summary["stall_time_ms"] == {"total": 800, "GUI thread on a core": 100,
                                        "queued for a core": 300, "waiting (GIL, lock)": 400}
    assert summary["stalls_over_target"] == 2
    assert "time in stalls (ms)" in soak_report.format_summary(summary)
