"""Soak: two initviz windows on one data folder, random actions, random ``kill -9``.

The reliability issue's acceptance: at least 10 minutes of random GUI actions and file
operations with two windows sharing one data folder and random SIGKILLs, with 0 exceptions,
no autosave lost, no stall over 200 ms and RSS flat after warm-up. This runs two
``soak_window.py`` processes under QT_QPA_PLATFORM=offscreen with one XDG data and config
folder (so one autosave folder and one recent-files list) and one folder of project files.
Every ``--kill-every`` seconds one of them, at random, is killed with SIGKILL; its autosave
is read as the kill left it, the window is started again, and the new window must offer and
restore exactly that work (or there was none, or the file it names already holds it).

    python bench/soak.py --duration 600        # or: make soak DURATION=600

Each window measures its memory at a fixed reference project ``--warmup`` seconds into its
life and again 30 s before the end (``soak_window.ReferenceProbe``): RSS is flat when what it
holds there is the same, whatever projects came and went in between.

Prints the summary (``soak_report``), writes it as JSON with ``--json``, exits 1 when a
target is missed. The machine's load counts: stalls are wall time, and each one says how
much of it the GUI thread spent on the CPU (little = the process was not scheduled).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

import soak_report  # noqa: E402
from soak_window import END_PROBE_S  # noqa: E402

from initviz.errors import ProjectError  # noqa: E402
from initviz.project import Project  # noqa: E402

START_TIMEOUT_S = 120.0
"""A window's start (the app, the first computation, the offer to restore) on a loaded box."""
MIN_AGE_S = 8.0
"""A window is killed only after this long: time to act and to autosave (2 s after an edit)."""
START_MARGIN_S = 15.0
"""Allowance for a window's start before its warm-up clock means anything (``can_pair``)."""


class Slot:
    """One of the two windows, restarted after each kill; each process has its own log."""

    def __init__(self, name: str, root: Path, env: dict, until: float, seed: int,
                 probe_after: float):
        self.name, self.root, self.env, self.until, self.seed = name, root, env, until, seed
        self.probe_after = probe_after
        self.runs = 0
        self.proc = None
        self.log = None
        self.started_at = 0.0

    def start(self) -> dict:
        """Start a window; returns its events up to ``restored`` (what it offered and shows)."""
        self.runs += 1
        self.log = self.root / "logs" / f"{self.name}{self.runs}.jsonl"
        err = open(self.log.with_suffix(".err"), "w")  # the child's stderr, closed after it
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "soak_window.py"), "--log", str(self.log),
             "--projects", str(self.root / "projects"), "--until", str(self.until),
             "--seed", str(self.seed * 1000 + ord(self.name) * 10 + self.runs),
             "--probe-after", str(self.probe_after)],
            env=self.env, stdout=err, stderr=subprocess.STDOUT)
        err.close()
        self.started_at = time.time()
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline and self.proc.poll() is None:
            events = read_events(self.log)
            if "restored" in events:
                return events
            time.sleep(0.2)
        return read_events(self.log)

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            return 0.0

    def kill(self, stacks: bool = False) -> dict | None:
        """SIGKILL (after every thread's stack, with ``stacks``); returns the autosave record its
        window left (None: it had none)."""
        autosave = Path(read_events(self.log)["started"]["autosave"])
        if stacks:
            os.kill(self.proc.pid, signal.SIGUSR1)  # faulthandler, into the window's .err
            time.sleep(0.5)
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        try:
            record = json.loads(autosave.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {"path": str(autosave), **record}


def read_events(log: Path) -> dict:
    """The first event of each kind in a window's log."""
    events = {}
    try:
        text = log.read_text(encoding="utf-8")
    except OSError:
        return events
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        events.setdefault(event.get("event"), event)
    return events


def _same_project(a: dict | None, b: dict | None) -> bool:
    try:
        return a is not None and b is not None and Project.from_dict(a) == Project.from_dict(b)
    except ProjectError:
        return False


def _file_holds(source: str | None, project: dict) -> bool:
    try:
        return bool(source) and Project.load(source) == Project.from_dict(project)
    except ProjectError:
        return False


def check_restore(killed: dict | None, events: dict) -> dict:
    """Whether the killed window's last autosave came back in the restarted one."""
    offered, restored = events.get("offered"), events.get("restored")
    check = {"autosave": killed and killed["path"],
             "offered": offered and offered["autosave"],
             "restored": bool(restored and restored["restored"])}
    if killed is None:
        outcome = "none"  # no unsaved work at the kill (or not 2 s old): nothing to lose
    elif offered and offered["autosave"] == killed["path"] and check["restored"] and (
            _same_project(restored["project"], killed["project"])):
        outcome = "restored"
        check["left_behind"] = Path(killed["path"]).exists()  # must be forgotten once restored
    elif offered is None and _file_holds(killed.get("source"), killed["project"]):
        outcome = "saved"  # the file it names holds it: nothing to offer
    else:
        outcome = "lost"
    check["outcome"] = outcome
    return check


def environment(root: Path, memory_budget: str, extremes: float) -> dict:
    env = dict(os.environ)
    env.pop("INITVIZ_DATA_DIR", None)  # the windows find their folder as a user's would
    for name in ("data", "config", "runtime", "projects", "logs"):
        (root / name).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "runtime", 0o700)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(root / "data"),
               XDG_CONFIG_HOME=str(root / "config"), XDG_RUNTIME_DIR=str(root / "runtime"),
               INITVIZ_MEMORY_BUDGET=memory_budget, INITVIZ_SOAK_EXTREMES=str(extremes),
               PYTHONUNBUFFERED="1")
    return env


def can_pair(slot: Slot, until: float, warmup: float, min_gap: float) -> bool:
    """Whether ``slot``'s window, left alone until the end, takes both reference probes far
    enough apart to be judged (the warm-up's, then soak_window.END_PROBE_S before the end)."""
    return slot.started_at + START_MARGIN_S + warmup + min_gap <= until - END_PROBE_S


def choose_victim(ready: list, slots: list, rng, pairs) -> Slot | None:
    """A window to kill at random among ``ready``, but never the last one that can still be
    judged for RSS (``pairs(slot)``): random kills late in a run can leave no window old
    enough, and RSS unjudged. None when every choice would do that."""
    keepers = [slot for slot in slots if pairs(slot)]
    allowed = [slot for slot in ready if keepers != [slot]]
    return rng.choice(allowed) if allowed else None


def kill_and_check(victim: Slot, started: float, why: str, stacks: bool = False) -> dict:
    """Kill ``victim``, start it again and check what came back of its autosave."""
    killed = victim.kill(stacks)
    name = victim.log.name
    check = check_restore(killed, victim.start())
    print(f"[{time.time() - started:5.0f} s] {why} {name}: {check['outcome']}", flush=True)
    return {"window": name, "why": why, "at_s": round(time.time() - started), **check}


def soak(args) -> dict:
    root = Path(args.dir or tempfile.mkdtemp(prefix="initviz-soak-"))
    env = environment(root, args.memory_budget, args.extremes)
    rng = random.Random(args.seed)
    started = time.time()
    until = started + args.duration
    slots = [Slot(name, root, env, until, args.seed, args.warmup) for name in "AB"]
    for slot in slots:
        slot.start()
    kills, deaths = [], []
    low, high = args.kill_every
    next_kill = time.time() + rng.uniform(low, high)
    while time.time() < until - args.quiet_end:
        time.sleep(0.5)
        for slot in slots:  # a window that ends on its own before the end has crashed
            if slot.proc.poll() is not None and time.time() < until - 5:
                deaths.append(f"window {slot.log.name} exited with code {slot.proc.returncode}")
                slot.start()
            elif slot.proc.poll() is None and slot.rss_mb() > args.rss_limit:
                # the machine is shared: a runaway is stopped before the kernel's OOM killer
                # picks a process (the stacks in its .err say what allocated)
                deaths.append(f"window {slot.log.name} passed {args.rss_limit:.0f} MB of RSS "
                              f"(memory budget {args.memory_budget}); stacks in its .err")
                kills.append(kill_and_check(slot, started, "stopped at the RSS limit", True))
        if time.time() < next_kill:
            continue
        ready = [s for s in slots if time.time() - s.started_at >= MIN_AGE_S]
        victim = choose_victim(ready, slots, rng, lambda slot: can_pair(
            slot, until, args.warmup, args.min_pair_gap))
        if victim is not None:
            kills.append(kill_and_check(victim, started, "killed"))
        next_kill = time.time() + rng.uniform(low, high)
    for slot in slots:
        try:
            slot.proc.wait(timeout=max(until - time.time(), 0) + 60)
        except subprocess.TimeoutExpired:
            deaths.append(f"window {slot.log.name} did not close within 60 s of the end "
                          f"(its threads' stacks: {slot.log.with_suffix('.err')})")
            os.kill(slot.proc.pid, signal.SIGUSR1)  # faulthandler writes every thread's stack
            time.sleep(1.0)
            slot.proc.kill()
    runs = [soak_report.read_run(p) for p in sorted((root / "logs").glob("*.jsonl"))]
    summary = soak_report.summarise(runs, kills, args.warmup, args.min_pair_gap)
    summary["window_failures"] = deaths
    summary["targets"]["every window runs until the end, within the RSS limit, and closes"] = (
        not deaths)
    summary.update(folder=str(root), duration_s=round(time.time() - started), kill_log=kills)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--kill-every", type=float, nargs=2, default=(30.0, 90.0),
                        metavar=("MIN", "MAX"), help="seconds between kills, drawn uniformly")
    parser.add_argument("--warmup", type=float, default=40.0,
                        help="seconds into a window's life of its first reference probe "
                             "(soak_window.ReferenceProbe; the second is at the end)")
    parser.add_argument("--min-pair-gap", type=float, default=soak_report.REFERENCE_MIN_GAP_S,
                        help="seconds a window's two reference probes must lie apart to count")
    parser.add_argument("--quiet-end", type=float, default=35.0,
                        help="no kill in the last seconds (a restart needs time to check, "
                             "and the end's reference probe time to run)")
    parser.add_argument("--memory-budget", default="1G",
                        help="INITVIZ_MEMORY_BUDGET of each window (two share the machine)")
    parser.add_argument("--rss-limit", type=float, default=4096.0, metavar="MB",
                        help="a window past this RSS is stopped (stacks first) and counted")
    parser.add_argument("--extremes", type=float, default=0.04,
                        help="share of numeric edits set to a spin box's minimum or maximum")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="folder for data, config, projects and logs (kept)")
    parser.add_argument("--json", help="write the summary here as JSON")
    args = parser.parse_args(argv)
    summary = soak(args)
    print(soak_report.format_summary(summary))
    print(f"logs: {summary['folder']}/logs")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=str))
    return 0 if all(summary["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
