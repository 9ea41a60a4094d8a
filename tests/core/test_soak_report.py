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


def _probes(path: Path, warm: tuple | None, end: tuple | None, samples=((2, 200), (10, 900))):
    """A window's log with its reference probes: (RSS MB, malloc in use MB, objects) each."""
    _log(path, list(samples))
    lines = []
    for phase, probe, t in (("warm", warm, 40.0), ("end", end, 570.0)):
        if probe is not None:
            rss, heap, objects = probe
            lines.append({"event": "reference", "phase": phase, "t": t,
                          "rss_kb": int(rss * 1024), "heap_kb": int(heap * 1024),
                          "objects": objects, "timed_out": False})
    with path.open("a") as log:
        log.write("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_rss_is_judged_at_the_reference_project_not_at_whatever_was_shown_last(tmp_path):
    """A window whose last sample holds a large project (900 MB against 200 MB at warm-up)
    but sits at the reference project at 412 MB RSS and 151 MB in use after 405 MB and 148
    MB at warm-up: flat. A window that kept 60 MB of results at the same project: it grows,
    and the target fails."""
    level = soak_report.read_run(_probes(tmp_path / "A1.jsonl", (405, 148, 90000),
                                         (412, 151, 90400)))
    figures = soak_report.reference_figures(level)
    assert figures["rss_growth_mb"] == pytest.approx(7, abs=0.01)
    assert figures["heap_growth_mb"] == pytest.approx(3, abs=0.01)
    assert figures["objects_growth"] == 400 and figures["flat"] is True
    summary = soak_report.summarise([level], kills=[], warmup_s=40)
    assert summary["targets"]["RSS flat after warm-up (at the reference project)"] is True
    assert "at the reference project A1" in soak_report.format_summary(summary)

    leaking = soak_report.read_run(_probes(tmp_path / "B1.jsonl", (405, 148, 90000),
                                           (431, 208, 150000)))
    assert soak_report.reference_figures(leaking)["flat"] is False  # 60 MB more in use
    summary = soak_report.summarise([level, leaking], kills=[], warmup_s=40)
    assert summary["targets"]["RSS flat after warm-up (at the reference project)"] is False


def test_a_window_without_both_reference_probes_gives_no_verdict(tmp_path):
    """Killed before its end probe (or started too late for the warm-up's, or so late that
    the two came 6 s apart): no pair, no verdict; a soak with no pair at all does not pass."""
    killed = soak_report.read_run(_probes(tmp_path / "A2.jsonl", (405, 148, 9), None))
    assert "flat" not in soak_report.reference_figures(killed)
    close = _probes(tmp_path / "B5.jsonl", (269, 80, 9), (269, 80, 9))
    lines = [json.loads(line) for line in close.read_text().splitlines()]
    lines[-1]["t"] = lines[-2]["t"] + 6.0
    close.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert "flat" not in soak_report.reference_figures(soak_report.read_run(close))
    summary = soak_report.summarise([killed], kills=[], warmup_s=40)
    assert summary["targets"]["RSS flat after warm-up (at the reference project)"] is False


def test_pages_of_libraries_read_in_after_warm_up_are_not_a_leak(tmp_path):
    """+55 MB of RSS at the reference project, all of it pages of files (library code run
    for the first time after warm-up): anonymous memory and malloc in use stay level, so RSS
    is flat. The same +55 MB anonymous is a leak."""
    path = _probes(tmp_path / "A1.jsonl", (250, 90, 97000), (305, 95, 97500))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line, (anon, file) in zip([x for x in lines if x["event"] == "reference"],
                                  [(200, 50), (202, 103)]):
        line.update(anon_kb=anon * 1024, file_kb=file * 1024)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    figures = soak_report.reference_figures(soak_report.read_run(path))
    assert figures["judged"] == "anon_mb" and figures["judged_growth_mb"] == pytest.approx(2)
    assert figures["rss_growth_mb"] == pytest.approx(55) and figures["flat"] is True

    for line in lines:
        if line.get("phase") == "end":
            line.update(anon_kb=255 * 1024, file_kb=50 * 1024)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert soak_report.reference_figures(soak_report.read_run(path))["flat"] is False


class _Window:
    """A soak slot as far as choosing whom to kill goes: when it started."""

    def __init__(self, started_at: float):
        self.started_at = started_at


def test_a_kill_never_takes_the_last_window_whose_rss_can_still_be_judged():
    """A 600 s soak whose last kills left no window old enough for its two reference probes
    judged no RSS at all: the window that can still pair them is spared."""
    import random

    import soak

    def pairs(window):
        return soak.can_pair(window, 600.0, 40.0, 60.0)

    old, young = _Window(100.0), _Window(560.0)
    assert pairs(old) and not pairs(young)
    chosen = {soak.choose_victim([old, young], [old, young], random.Random(seed), pairs)
              for seed in range(40)}
    assert chosen == {young}
    assert soak.choose_victim([old], [old, young], random.Random(0), pairs) is None
    both = [_Window(0.0), _Window(10.0)]  # either can go: the other is still judged
    chosen = {soak.choose_victim(both, both, random.Random(seed), pairs) for seed in range(40)}
    assert chosen == set(both)
