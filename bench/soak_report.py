"""The soak's summary: the windows' JSON-line logs and the orchestrator's kill checks, the
figures and whether each target of the reliability issue is met.

Targets: 0 exceptions, 0 warnings on stderr, no autosave lost, no GUI stall over 200 ms,
and RSS flat after warm-up in every window process that lived long enough to tell: measured
at the reference project (``reference_figures``), where memory in use is the same at the
warm-up's probe and the end's unless something leaks. The RSS trend over the whole run
(``rss_figures``) is shown too; it follows the size of whatever each tab shows.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

STALL_TARGET_MS = 200.0
RSS_SLACK_MB = 48.0
RSS_SLACK_FRACTION = 0.10
"""The trend's own yardstick (shown, not a target): the last sample within max(48 MB, 10 %)
of the one after warm-up; glibc keeps freed arenas (``_runtime``)."""
REFERENCE_MIN_GAP_S = 60.0
"""Probes closer than this (a window restarted shortly before the end's probe) say nothing."""
REFERENCE_RSS_SLACK_MB = 32.0
REFERENCE_HEAP_SLACK_MB = 16.0
REFERENCE_SLACK_FRACTION = 0.08
"""At the reference project, anonymous RSS may end within max(32 MB, 8 %) of its warm-up
value and malloc's memory in use within max(16 MB, 8 %): the same project, the same tabs,
the draw cache emptied and freed memory handed back (malloc_trim) before each sample. What
stays is fragmentation and the bounded caches that filled after warm-up (the theory's
diagrams and depth curves, Qt's glyphs); a leak of one result per action passes that within
minutes. RSS of files (libraries' code, paged in as new code paths run) is shown, not
judged; where the split is unknown the whole RSS is."""


@dataclass
class Run:
    """One window process, from its log."""

    name: str
    pid: int | None = None
    lifetime_s: float = 0.0
    actions: int = 0
    rss: list = field(default_factory=list)  # (t, RSS kB, malloc in use kB or None)
    rss_jumps: list = field(default_factory=list)
    hangs: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    qt: Counter = field(default_factory=Counter)
    dialogs: Counter = field(default_factory=Counter)
    stalls: list = field(default_factory=list)
    last_stats: dict = field(default_factory=dict)
    restored: dict | None = None
    offered: dict | None = None
    exited: bool = False
    reference: dict = field(default_factory=dict)  # "warm"/"end" -> the probe's event
    harness_gaps: int = 0


def read_run(path: Path) -> Run:
    run = Run(path.stem)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # the line a SIGKILL cut
        kind = event.get("event")
        run.lifetime_s = max(run.lifetime_s, event.get("t", 0.0))
        if kind == "started":
            run.pid = event["pid"]
        elif kind == "stats":
            run.last_stats = event
            run.actions = event["actions"]
            run.rss.append((event["t"], event["rss_kb"], event.get("heap_kb")))
        elif kind == "exception":
            run.exceptions.append(event)
        elif kind == "warning":
            run.warnings[(event["category"], event["message"], event["where"])] += 1
        elif kind == "qt":
            run.qt[(event["kind"], event["message"])] += 1
        elif kind == "dialog":
            run.dialogs[event["title"]] += 1
        elif kind == "hang":
            run.hangs.append(event)
        elif kind == "rss_jump":
            run.rss_jumps.append(event)
        elif kind == "stall":
            run.stalls.append(event)
        elif kind == "offered":
            run.offered = event
        elif kind == "restored":
            run.restored = event
        elif kind == "exit":
            run.exited = True
        elif kind == "reference":
            run.reference[event["phase"]] = event
        elif kind == "harness_gap":
            run.harness_gaps += 1
    return run


def percentile(histogram: Counter, q: float) -> float:
    total = sum(histogram.values())
    if not total:
        return math.nan
    seen = 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= q * total:
            return float(ms)
    return float(max(histogram))


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per minute (nan below two times):
    the trend of the whole run after warm-up, which one late sample cannot fake or hide."""
    if len({t for t, _ in samples}) < 2:
        return math.nan
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_mb = sum(mb for _, mb in samples) / len(samples)
    covariance = sum((t - mean_t) * (mb - mean_mb) for t, mb in samples)
    variance = sum((t - mean_t) ** 2 for t, _ in samples)
    return 60.0 * covariance / variance


def rss_figures(run: Run, warmup_s: float) -> dict:
    if not run.rss:
        return {}
    warm = next((sample for sample in run.rss if sample[0] >= warmup_s), None)
    first, last = run.rss[0], run.rss[-1]
    figures = {"first_mb": first[1] / 1024, "last_mb": last[1] / 1024,
               "lifetime_s": run.lifetime_s}
    if first[2] is not None:
        figures.update(heap_first_mb=first[2] / 1024, heap_last_mb=last[2] / 1024)
    if warm is not None and last[0] - warm[0] >= warmup_s:
        figures["warm_mb"] = warm[1] / 1024
        if warm[2] is not None:
            figures["heap_warm_mb"] = warm[2] / 1024
        growth = figures["last_mb"] - figures["warm_mb"]
        figures["growth_mb"] = growth
        figures["slope_mb_per_min"] = slope_per_minute(
            [(t, kb / 1024) for t, kb, _ in run.rss if t >= warm[0]])
        figures["flat"] = growth <= max(RSS_SLACK_MB, RSS_SLACK_FRACTION * figures["warm_mb"])
    return figures


def reference_figures(run: Run, min_gap_s: float = REFERENCE_MIN_GAP_S) -> dict:
    """RSS (anonymous and of files), malloc in use and Python's object count at the
    reference project, at warm-up and at the end (MB), and whether the growth between them
    is within the slack (``flat``): only for a window that had both probes, each finished,
    at least ``min_gap_s`` apart."""

    def mb(probe, key):
        return None if probe.get(key) is None else probe[key] / 1024

    figures = {phase: {"rss_mb": probe["rss_kb"] / 1024, "anon_mb": mb(probe, "anon_kb"),
                       "file_mb": mb(probe, "file_kb"), "heap_mb": mb(probe, "heap_kb"),
                       "objects": probe.get("objects"), "at_s": probe["t"],
                       "timed_out": bool(probe.get("timed_out"))}
               for phase, probe in run.reference.items()}
    warm, end = figures.get("warm"), figures.get("end")
    if warm is None or end is None or warm["timed_out"] or end["timed_out"] or (
            end["at_s"] - warm["at_s"] < min_gap_s):
        return figures
    figures["rss_growth_mb"] = end["rss_mb"] - warm["rss_mb"]
    judged = "anon_mb" if warm["anon_mb"] is not None and end["anon_mb"] is not None else "rss_mb"
    figures["judged"] = judged
    figures["judged_growth_mb"] = end[judged] - warm[judged]
    flat = figures["judged_growth_mb"] <= max(REFERENCE_RSS_SLACK_MB,
                                              REFERENCE_SLACK_FRACTION * warm[judged])
    if warm["heap_mb"] is not None and end["heap_mb"] is not None:
        figures["heap_growth_mb"] = end["heap_mb"] - warm["heap_mb"]
        flat = flat and figures["heap_growth_mb"] <= max(
            REFERENCE_HEAP_SLACK_MB, REFERENCE_SLACK_FRACTION * warm["heap_mb"])
    if warm["objects"] is not None and end["objects"] is not None:
        figures["objects_growth"] = end["objects"] - warm["objects"]
    figures["flat"] = flat
    return figures


def summarise(runs: list[Run], kills: list[dict], warmup_s: float,
              min_gap_s: float = REFERENCE_MIN_GAP_S) -> dict:
    gaps, longest, rss_added, counts = Counter(), Counter(), Counter(), Counter()
    warnings, qt, dialogs = Counter(), Counter(), Counter()
    for run in runs:
        gaps.update({int(k): v for k, v in run.last_stats.get("gaps", {}).items()})
        for name, ms in run.last_stats.get("longest_ms", {}).items():
            longest[name] = max(longest[name], ms)
        rss_added.update(run.last_stats.get("rss_added_kb", {}))
        counts.update(run.last_stats.get("counts", {}))
        warnings.update(run.warnings)
        qt.update(run.qt)
        dialogs.update(run.dialogs)
    stalls = sorted((s for run in runs for s in run.stalls), key=lambda s: -s["ms"])
    jumps = sorted((j for run in runs for j in run.rss_jumps), key=lambda j: -j["mb"])
    outcomes = Counter(k["outcome"] for k in kills)
    rss = {run.name: rss_figures(run, warmup_s) for run in runs}
    reference = {run.name: reference_figures(run, min_gap_s) for run in runs if run.reference}
    measured = [f for f in reference.values() if "flat" in f]
    summary = {
        "actions": sum(counts.values()), "action_counts": dict(counts.most_common()),
        "kills": len(kills), "autosaves": dict(outcomes),
        "exceptions": [e["text"] for run in runs for e in run.exceptions],
        "warnings": {" | ".join(k): v for k, v in warnings.most_common()},
        "qt_messages": {" | ".join(k): v for k, v in qt.most_common()},
        "dialogs": dict(dialogs.most_common()),
        "max_stall_ms": max((s["ms"] for s in stalls), default=max(gaps, default=0)),
        "p99_stall_ms": percentile(gaps, 0.99), "heartbeats": sum(gaps.values()),
        "stalls": stalls[:10], "stalls_over_target": len(stalls),
        "stalls_gui_busy": [s for s in stalls if s["gui_cpu_ms"] > STALL_TARGET_MS][:10],
        "stalls_starved": sum(s["process_cpu_ms"] < 0.5 * s["ms"] for s in stalls),
        "stall_time_ms": stall_time(stalls),
        "longest_action_ms": dict(longest.most_common(8)),
        "rss_added_mb_by_action": {k: round(v / 1024, 1) for k, v in rss_added.most_common(6)},
        "rss": rss, "reference": reference, "rss_jumps": jumps[:10],
        "harness_gaps": sum(run.harness_gaps for run in runs),
        "rss_growth_by_worker": _by_worker(jumps),
        "hangs": [f"{run.name} at {h['t']:.0f} s after '{h['action']}' ({h.get('project')}): "
                  f"{h['stack']}"
                  for run in runs for h in run.hangs],
    }
    summary["targets"] = {
        "0 exceptions": not summary["exceptions"],
        "0 warnings": not warnings,
        "no autosave lost": outcomes.get("lost", 0) == 0 and bool(kills),
        f"no stall over {STALL_TARGET_MS:.0f} ms": summary["max_stall_ms"] <= STALL_TARGET_MS,
        "RSS flat after warm-up (at the reference project)": (
            bool(measured) and all(f["flat"] for f in measured)),
    }
    return summary


def stall_time(stalls: list[dict]) -> dict:
    """Where the GUI thread spent the stalls, summed: on a core (its own work: make it
    cheaper), queued for a core (the scheduler gave it to another thread, of this process or
    not), or neither (waiting: for the GIL, a lock, a worker)."""
    on_core = sum(s["gui_cpu_ms"] for s in stalls)
    queued = sum(s.get("gui_queued_ms", 0.0) for s in stalls)
    total = sum(s["ms"] for s in stalls)
    return {"total": round(total), "GUI thread on a core": round(on_core),
            "queued for a core": round(queued),
            "waiting (GIL, lock)": round(max(total - on_core - queued, 0.0))}


def _mb(value) -> str:
    return "?" if value is None else f"{value:.0f} MB"


def _by_worker(jumps: list) -> dict:
    """MB of RSS jumps by the innermost initviz frame of the threads working at the time."""
    grown = Counter()
    for jump in jumps:
        for stack in jump.get("workers") or ["(no worker thread in initviz)"]:
            grown[stack.split(" < ")[0]] += jump["mb"]
    return dict(grown.most_common(6))


def format_summary(s: dict) -> str:
    lines = [
        f"actions {s['actions']}, kills {s['kills']}, autosaves {s['autosaves']}",
        f"exceptions {len(s['exceptions'])}, warnings {sum(s['warnings'].values())}, "
        f"Qt messages {sum(s['qt_messages'].values())}, dialogs {sum(s['dialogs'].values())} "
        f"{s['dialogs']}",
        f"stalls: max {s['max_stall_ms']:.0f} ms, p99 {s['p99_stall_ms']:.0f} ms over "
        f"{s['heartbeats']} heartbeats, {s['stalls_over_target']} over the target, of which "
        f"{s['stalls_starved']} with the process on a core under half the time, "
        f"{len(s['stalls_gui_busy'])} with the GUI thread on a core over {STALL_TARGET_MS:.0f} ms",
    ]
    lines.append(f"time in stalls (ms): {s['stall_time_ms']}")
    for stall in s["stalls"][:5]:
        lines.append(f"  {stall['ms']:.0f} ms (CPU: GUI thread {stall['gui_cpu_ms']:.0f} ms, "
                     f"queued {stall.get('gui_queued_ms', math.nan):.0f} ms, "
                     f"process {stall['process_cpu_ms']:.0f} ms) after '{stall['action']}' "
                     f"on {stall['tab']} ({stall.get('project')})")
        for stack in stall.get("stacks", [])[:2]:
            lines.append(f"      in {stack}")
        for stack in [w for w in stall.get("workers", []) if w][:2]:
            lines.append(f"      meanwhile {stack}")
    lines.append(f"longest actions (ms): {s['longest_action_ms']}")
    lines.append(f"RSS added by action (MB): {s['rss_added_mb_by_action']}")
    for name, f in s["rss"].items():
        if f:
            warm = f"{f['warm_mb']:.0f}" if "warm_mb" in f else "-"
            heap = (f"; malloc in use {f['heap_first_mb']:.0f}/"
                    f"{f.get('heap_warm_mb', math.nan):.0f}/{f['heap_last_mb']:.0f} MB"
                    if "heap_first_mb" in f else "")
            slope = (f", {f['slope_mb_per_min']:+.1f} MB/min after warm-up"
                     if "slope_mb_per_min" in f else "")
            lines.append(f"  RSS {name}: first {f['first_mb']:.0f} MB, after warm-up {warm} MB, "
                         f"last {f['last_mb']:.0f} MB, lived {f['lifetime_s']:.0f} s{slope}{heap}")
    for name, f in s.get("reference", {}).items():
        probes = "; ".join(
            f"{phase} at {p['at_s']:.0f} s: RSS {p['rss_mb']:.0f} MB (anonymous "
            f"{_mb(p['anon_mb'])}, files {_mb(p['file_mb'])}), malloc in use "
            f"{_mb(p['heap_mb'])}, {p['objects']} objects" + " (timed out)" * p["timed_out"]
            for phase, p in f.items() if phase in ("warm", "end"))
        verdict = (f" -> RSS {f['rss_growth_mb']:+.1f} MB, {f['judged']} "
                   f"{f['judged_growth_mb']:+.1f} MB, malloc in use "
                   f"{f.get('heap_growth_mb', math.nan):+.1f} MB, objects "
                   f"{f.get('objects_growth', 0):+d}: {'flat' if f['flat'] else 'GROWS'}"
                   if "flat" in f else " (no pair: killed, or started too late)")
        lines.append(f"  at the reference project {name}: {probes}{verdict}")
    lines.append(f"RSS jumps (MB) by what the worker threads ran: {s['rss_growth_by_worker']}")
    for jump in s["rss_jumps"][:5]:
        lines.append(f"  RSS +{jump['mb']} MB to {jump['rss_mb']} MB after '{jump['action']}' "
                     f"on {jump['tab']} ({jump['widths']}, batch {jump['batch']})")
        for stack in jump.get("workers", [])[:2]:
            lines.append(f"      while {stack}")
    for stall in s["stalls_gui_busy"][:3]:
        lines.append(f"  GUI-busy {stall['ms']:.0f} ms (GUI CPU {stall['gui_cpu_ms']:.0f} ms) "
                     f"after '{stall['action']}' on {stall['tab']}: "
                     f"{(stall.get('stacks') or ['?'])[0]}")
    for text in s["hangs"][:5]:
        lines.append("hang: " + text)
    for text in s.get("window_failures", []):
        lines.append("window: " + text)
    for text in s["exceptions"][:5]:
        lines.append("exception: " + text.strip().splitlines()[-1])
    for key, count in list(s["warnings"].items())[:8]:
        lines.append(f"warning x{count}: {key}")
    for key, count in list(s["qt_messages"].items())[:5]:
        lines.append(f"Qt x{count}: {key}")
    for target, met in s["targets"].items():
        lines.append(f"{'PASS' if met else 'FAIL'}  {target}")
    return "\n".join(lines)
