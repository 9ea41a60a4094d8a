"""Command line: ``initviz [PROJECT.json]``, ``initviz stats``, ``initviz render``.

A bad project file gives exit status 2 and one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys

from initviz.core.memory import keep_freed_memory
from initviz.errors import ProjectError
from initviz.safe_io import display_name, printable, shorten_message

EXIT_BAD_INPUT = 2
CSV_FIELDS = [
    ("weight", ("mean", "std")),
    ("bias", ("mean", "std")),
    ("preactivation", ("mean", "std")),
    ("activation", ("mean", "std", "saturated_fraction", "dead_fraction")),
    ("grad_activation", ("mean", "std")),
    ("grad_preactivation", ("mean", "std")),
    ("grad_weight", ("mean", "std")),
    ("theory", (
        "preactivation_var", "grad_preactivation_var",
        "preactivation_mean", "preactivation_centred_var", "grad_preactivation_centred_var",
    )),
]


def _json_safe(value):
    """NaN and inf as null, so the output stays valid JSON for every reader."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def stats_csv(stats: dict) -> str:
    """One row per layer: layer, fan_in, fan_out, then quantity_field columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["layer", "fan_in", "fan_out"] + [f"{q}_{f}" for q, fields in CSV_FIELDS for f in fields]
    )
    for rec in stats["layers"]:
        writer.writerow(
            [rec["layer"], rec["fan_in"], rec["fan_out"]]
            + [repr(float(rec[q][f])) for q, fields in CSV_FIELDS for f in fields]
        )
    return out.getvalue()


def _num(value: float, width: int) -> str:
    """A number for the table; 'n/a' where there is none (theory for non-zero-mean weights)."""
    return f"{value:>{width}.3g}" if math.isfinite(value) else f"{'n/a':>{width}}"


def stats_table(stats: dict, project) -> str:
    """A table a person reads in a terminal, theory next to measurement."""
    lines = [
        f"{printable(project.name)}: {project.scheme} init, {project.activation}, "
        f"widths {project.widths}, "
        f"batch {project.batch_size}, seed {project.seed}",
        f"loss {stats['loss']:.4g}",
        "",
        f"{'layer':>5} {'fan_in':>6} {'fan_out':>7} {'W std':>9} {'z std':>9} {'z theory':>9} "
        f"{'a mean':>9} {'a std':>9} {'sat %':>6} {'dead %':>6} {'dL/dz std':>10} {'theory':>10} "
        f"{'dL/dW std':>10}",
    ]
    for rec in stats["layers"]:
        th = rec["theory"]
        lines.append(
            f"{rec['layer']:>5} {rec['fan_in']:>6} {rec['fan_out']:>7} "
            f"{rec['weight']['std']:>9.3g} {rec['preactivation']['std']:>9.3g} "
            f"{_num(math.sqrt(th['preactivation_centred_var']), 9)} "
            f"{rec['activation']['mean']:>9.3g} {rec['activation']['std']:>9.3g} "
            f"{100 * rec['activation']['saturated_fraction']:>6.1f} "
            f"{100 * rec['activation']['dead_fraction']:>6.1f} "
            f"{rec['grad_preactivation']['std']:>10.3g} "
            f"{_num(math.sqrt(th['grad_preactivation_centred_var']), 10)} "
            f"{rec['grad_weight']['std']:>10.3g}"
        )
    lines.append("theory: the std predicted over weight draws (√ of the centred variance, "
                 "like the measured std); it holds at large width")
    if "phase" in stats:  # added by `initviz stats`; Simulation.stats() leaves it out
        lines.append("\n" + phase_line(stats["phase"]))
    bad = sum(
        rec[q]["nonfinite"] for rec in stats["layers"] for q, _ in CSV_FIELDS if q != "theory"
    )
    if bad:
        lines.append(
            f"\nwarning: {bad} values are inf or NaN: the init is too large for this depth"
        )
    return "\n".join(lines) + "\n"


def phase_line(phase: dict) -> str:
    """The project's place in mean-field theory, in one line (``stats["phase"]``)."""
    line = f"phase: σ_w² = {phase['weight_var']:.3g}, σ_b² = {phase['bias_var']:.3g}"
    if phase["regime"] is not None:
        depth = phase["depth_scale"]
        depth = "unbounded" if depth is None else f"{depth:.3g} layers"
        line += (f": q* = {phase['q_star']:.4g}, χ₁ = {phase['chi1']:.4g}, {phase['regime']}, "
                 f"depth scale ξ_c {depth}")
    return line + (f" ({phase['note']})" if phase["note"] else "")


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size must look like 1600x900, got {text!r}") from None
    if not (100 <= width <= 10000 and 100 <= height <= 10000):
        raise argparse.ArgumentTypeError(
            f"--size must be between 100x100 and 10000x10000, got {text}"
        )
    return width, height


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="initviz",
        description="See what weight initialisation does to a deep network, layer by layer.",
        epilog="Without a command, initviz opens the window "
        "(on PROJECT.json, or a default lesson).",
    )
    sub = parser.add_subparsers(dest="command")
    stats = sub.add_parser("stats", help="per-layer statistics to stdout")
    stats.add_argument("project", help="an initviz project (.json)")
    form = stats.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON object")
    form.add_argument("--csv", action="store_true", help="one CSV row per layer")
    render = sub.add_parser("render", help="draw the dashboard headless to PNG or SVG")
    render.add_argument("project", help="an initviz project (.json)")
    render.add_argument("-o", "--output", required=True, help="OUT.png or OUT.svg")
    render.add_argument("--size", type=_parse_size, default=(1600, 1000), help="WxH in pixels")
    return parser


class OutputError(Exception):
    """Standard output cannot take the report (closed, a full disk, /dev/full)."""


def _fail(message: str) -> int:
    """One line on stderr (newlines flattened, huge numbers shortened), exit status 2."""
    print(f"initviz: {shorten_message(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _write_out(text: str) -> None:
    """Write and flush now, so a failure is reported here and not as a traceback at exit."""
    if sys.stdout is None:
        raise OutputError("standard output is closed; redirect it to a file or a pipe")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(
            f"cannot write to standard output: {error.strerror or error}; "
            "redirect it to a file on a disk with free space"
        ) from None


def _in_file(path: str, error: ProjectError) -> ProjectError:
    """The file's name in front of a refusal that arose after loading (the memory guard)."""
    name = display_name(path)
    message = str(error)
    return error if message.startswith(name) else ProjectError(f"{name}: {message}")


def _run_stats(args) -> int:
    from initviz.core.network import simulate
    from initviz.core.phase import project_phase
    from initviz.project import Project

    project = Project.load(args.project)
    try:
        stats = simulate(project).stats()
    except ProjectError as error:
        raise _in_file(args.project, error) from None
    stats["phase"] = project_phase(project)
    if args.json:
        _write_out(json.dumps(_json_safe(stats), indent=2) + "\n")
    elif args.csv:
        _write_out(stats_csv(stats))
    else:
        _write_out(stats_table(stats, project))
    return 0


def _run_render(args) -> int:
    from initviz.project import Project

    if not args.output.lower().endswith((".png", ".svg")):
        return _fail(f"-o must end in .png or .svg, got {args.output!r}")
    project = Project.load(args.project)
    from initviz.gui.render import render_project

    try:
        render_project(project, args.output, size=args.size)
    except ProjectError as error:
        raise _in_file(args.project, error) from None
    return 0


def _run_window(path: str | None) -> int:
    from initviz.gui.app import run_app

    return run_app(path)


def _silence_stdout() -> None:
    """Point stdout at devnull so the flush at exit cannot raise again (Python docs, SIGPIPE)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    keep_freed_memory()  # every update allocates fresh layer arrays: reuse the freed ones
    if not argv or (argv[0] not in ("stats", "render") and not argv[0].startswith("-")):
        if len(argv) > 1:
            return _fail("give at most one project file to open")
        return _run_window(argv[0] if argv else None)
    args = _parser().parse_args(argv)
    try:
        return _run_stats(args) if args.command == "stats" else _run_render(args)
    except ProjectError as error:
        return _fail(str(error))
    except MemoryError:
        return _fail("not enough memory for this project; lower data.batch_size or the widths")
    except OutputError as error:
        _silence_stdout()
        return _fail(str(error))
    except BrokenPipeError:  # `initviz stats x.json | head`: the reader left, nothing to report
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        print("initviz: interrupted", file=sys.stderr)
        return 130
