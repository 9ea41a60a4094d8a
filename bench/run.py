"""`make bench`: how close initviz gets to the matrix products it cannot avoid.

Prints, measured in this one run: the ratio of simulate() and of simulate() + statistics
to the bare float32 matrix products at three sizes, the peak memory at the largest, the
GUI's full updates per second, and the redraw time of initviz's layer grid (and of plain
pyqtgraph PlotItems) against matplotlib. Every time is the median of several repeats
after a warm-up.

    .venv/bin/python bench/run.py            # everything, about two minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # sizes S and M only, no GUI parts
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from initviz import _runtime

_runtime.before_numpy()  # as the window does: before anything below loads NumPy
import environment  # noqa: E402
import memory  # noqa: E402
import workloads  # noqa: E402

from initviz.core.stats import HISTOGRAM_SAMPLE  # noqa: E402

TARGETS = {"simulate": 1.3, "simulate+stats": 1.5}
MEMORY_TARGET_GIB = 1.5
UPDATES_TARGET = 30.0
REDRAW_TARGET = 10.0
GIB = 1024**3


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_sizes(sizes) -> None:
    names = ("simulate", "simulate+stats", "simulate cold")
    print(f"\n{'size':<38}{'floor ms':>10}" + "".join(f"{name:>21}" for name in names))
    for size in sizes:
        times = workloads.time_size(size)
        floor = times["floor"]
        cells = []
        for name in names:
            ratio = times[name] / floor
            ok = verdict(ratio <= TARGETS[name]) if name in TARGETS else ""
            cells.append(f"{times[name] * 1e3:8.1f} {ratio:5.2f}x {ok:>6}")
        row = f"{size.label:<38}{floor * 1e3:10.1f}" + "".join(f"{c:>21}" for c in cells)
        print(row, flush=True)
    print(f"targets: simulate <= {TARGETS['simulate']}x, simulate + statistics <= "
          f"{TARGETS['simulate+stats']}x the floor (ms and ratio shown); simulate = warm, as "
          "while a slider is dragged; cold = every weight drawn anew (new seed); each size on "
          "the BLAS threads the window gives it, the floor too (one at S: the other core is "
          "the GUI's)")


def print_memory(size_name: str) -> None:
    peaks = memory.measure_in_subprocess(size_name)
    peak = peaks["peak_rss"] / GIB
    print(f"\npeak memory at {size_name}, simulate + statistics in a fresh process:")
    print(f"  peak RSS (getrusage ru_maxrss) {peak:.2f} GiB  {verdict(peak < MEMORY_TARGET_GIB)}"
          f" (target < {MEMORY_TARGET_GIB} GiB; "
          f"{peaks['start_rss'] / GIB:.2f} GiB before simulating)")
    print(f"  tracemalloc peak of traced allocations {peaks['traced_peak'] / GIB:.2f} GiB")


def gui_rate_in_subprocess(normalization: str = "none",
                           presentation: bool = False) -> tuple[dict | None, str]:
    """The window's rates measured in a fresh process, tuned as the app's (gui_rate.main):
    after the L network this process keeps 1.3 GiB and a full draw cache, which no window has."""
    mode = ["--presentation"] if presentation else []
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent / "gui_rate.py"),
         "--normalization", normalization, *mode],
        capture_output=True, text=True,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return None, f"skipped: the measuring process failed ({done.stderr.strip()[-300:]})"
    measured = json.loads(lines[-1])
    return measured["result"], measured["note"]


def print_gui() -> None:
    import gc

    import gui_rate

    from initviz.core import draws
    from initviz.core.memory import release_freed_memory

    draws.SHARED.clear()  # this process is done with the sizes: the window runs alone
    gc.collect()
    release_freed_memory()
    print("\nGUI full updates per second "
          "(default lesson, offscreen, seed changes one after another, in a fresh process):")
    for presentation, (width, height) in ((False, gui_rate.WINDOW_SIZE),
                                          (True, gui_rate.PRESENTATION_SIZE)):
        mode = "presentation mode, seed changed in its strip" if presentation else "window"
        print(f" {mode}, {width}×{height}:")
        print_gui_rate(*gui_rate_in_subprocess(presentation=presentation))
    print(f" window with BatchNorm, {gui_rate.WINDOW_SIZE[0]}×{gui_rate.WINDOW_SIZE[1]}:")
    print_batch_norm_rate(*gui_rate_in_subprocess("batch"))


def print_gui_rate(result: dict | None, note: str) -> None:
    import gui_rate

    from initviz.gui.workers.compute import DEBOUNCE_MS

    if result is None:
        print(f"  {note}")
        return
    drag = result["drag_rate"]
    print(f"  while dragging (seed changed every {gui_rate.DRAG_INTERVAL_MS} ms): "
          f"{drag:.1f} updates/s"
          f"  {verdict(drag >= UPDATES_TARGET)} (target >= {UPDATES_TARGET:g}); "
          f"settled on the last value: {'yes' if result['drag_settled'] else 'NO'}; "
          f"longest freeze {result['longest_freeze'] * 1e3:.0f} ms")
    print(f"  one change at a time: {result['rate']:.1f} updates/s, median latency "
          f"{result['latency'] * 1e3:.1f} ms (debounce {DEBOUNCE_MS} ms included); {note}")


def print_batch_norm_rate(batch_norm: dict | None, note: str) -> None:
    """The window's rate with BatchNorm on the default lesson (the one-thread pass)."""
    if batch_norm is None:
        print(f"  with BatchNorm: {note}")
        return
    drag = batch_norm["drag_rate"]
    print(f"  with BatchNorm, while dragging: {drag:.1f} updates/s"
          f"  {verdict(drag >= UPDATES_TARGET)} (target >= {UPDATES_TARGET:g}); one change at a "
          f"time: {batch_norm['rate']:.1f} updates/s; {note}")


def print_redraw() -> None:
    import redraw

    print("\nredraw of a 10 x 5 grid of histograms, 1500 x 1000 px "
          "(in-place update + full render; matplotlib on Agg):")
    for case, times in redraw.redraw_times().items():
        for drawer, title, note in (
            ("initviz", "initviz grid", None),
            ("pyqtgraph", "plain pyqtgraph", "(a PlotItem per plot: for reference)"),
            ("pyqtgraph columns", "pyqtgraph column", "(a PlotItem per column: for reference)"),
        ):
            ratio = times["matplotlib"] / times[drawer]
            target = (f"{verdict(ratio >= REDRAW_TARGET)} (target >= {REDRAW_TARGET:g}x)"
                      if note is None else note)
            print(f"  {case + ':':<15} {title:<16} {times[drawer] * 1e3:6.1f} ms, matplotlib "
                  f"{times['matplotlib'] * 1e3:6.1f} ms: {ratio:5.1f}x faster  {target}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes S and M only, no GUI parts")
    parser.add_argument("--peak-memory", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    tuned = _runtime.apply()  # the window's tuning (initviz._runtime)
    if args.peak_memory:
        print(json.dumps(memory.measure_here(args.peak_memory)))
        return 0
    started = time.perf_counter()
    print("initviz bench")
    print(f"  allocator keeps freed arrays for reuse, as in the app: {'yes' if tuned else 'no'}")
    for line in environment.describe():
        print("  " + line)
    print(f"  histograms count a sample of at most {HISTOGRAM_SAMPLE} values"
          " (every k-th row, whole)")
    print("  network: Project() defaults (xavier_normal, relu, cross_entropy, gaussian data),"
          " every layer square")
    print(f"  load average at start {load_average()} (other busy processes make the ratios noisy)")
    sizes = workloads.SIZES[:2] if args.quick else workloads.SIZES
    if not args.quick:  # first, while this process is small: a child inherits ru_maxrss at fork
        print_memory(sizes[-1].name)
    print_sizes(sizes)
    if not args.quick:
        print_gui()
        print_redraw()
    took = time.perf_counter() - started
    print(f"\nbench took {took:.0f} s; load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
