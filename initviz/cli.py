"""Command line: ``initviz [PROJECT.json]``, ``initviz stats``, ``initviz render``.

Only the window applies the app's process-wide tuning (``initviz._runtime``): ``stats``
and ``render`` run like any script that imports initviz.

A bad project file gives exit status 2 and one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from initviz import __version__, _runtime
from initviz.errors import ProjectError
from initviz.report import json_safe, stats_csv, stats_table
from initviz.safe_io import display_name, shorten_message

EXIT_BAD_INPUT = 2
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


USAGE = """
  initviz [PROJECT.json]                              open the window
  initviz stats PROJECT.json [--json | --csv]         per-layer statistics to stdout
  initviz render PROJECT.json -o OUT.png|OUT.svg [--size WxH]
                                                      draw the dashboard headless
  initviz code PROJECT.json --framework pytorch|keras|jax
                                                      print runnable init code
  initviz inspect MODEL.safetensors|.npz|.pt [--json] a model's weights against the schemes
  initviz --version"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="initviz",
        usage=USAGE,
        description="See what weight initialisation does to a deep network, layer by layer.",
        epilog="Without a command, initviz opens the window "
        "(on PROJECT.json, or a default lesson). `python -m initviz` is the same.",
    )
    parser.add_argument("--version", action="version", version=f"initviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{stats,render,code,inspect}")
    stats = sub.add_parser("stats", help="per-layer statistics to stdout")
    stats.add_argument("project", help="an initviz project (.json)")
    form = stats.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON object")
    form.add_argument("--csv", action="store_true", help="one CSV row per layer")
    render = sub.add_parser("render", help="draw the dashboard headless to PNG or SVG")
    render.add_argument("project", help="an initviz project (.json)")
    render.add_argument("-o", "--output", required=True, help="OUT.png or OUT.svg")
    render.add_argument("--size", type=_parse_size, default=(1600, 1000), help="WxH in pixels")
    _add_framework_commands(sub)
    return parser


def _add_framework_commands(sub) -> None:
    from initviz.codegen import FRAMEWORKS

    code = sub.add_parser("code", help="print runnable code that builds and initialises the MLP")
    code.add_argument("project", help="an initviz project (.json)")
    code.add_argument("--framework", required=True, choices=FRAMEWORKS)
    inspect = sub.add_parser("inspect", help="a model's weights against the schemes")
    inspect.add_argument("model", help="a .safetensors, .npz or PyTorch .pt/.pth file")
    inspect.add_argument("--json", action="store_true", help="one JSON object")


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
    # NumPy loads here, not when cli is imported: the window's BLAS setting
    # (initviz._runtime, in _run_window) must be in place before NumPy loads
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
        _write_out(json.dumps(json_safe(stats), indent=2) + "\n")
    elif args.csv:
        _write_out(stats_csv(stats))
    else:
        _write_out(stats_table(stats, project))
    return 0


def _run_render(args) -> int:
    from initviz.project import Project  # NumPy: see _run_stats

    if not args.output.lower().endswith((".png", ".svg")):
        return _fail(f"-o must end in .png or .svg, got {args.output!r}")
    project = Project.load(args.project)
    from initviz.gui.render import render_project  # Qt, only for the command that draws

    try:
        render_project(project, args.output, size=args.size)
    except ProjectError as error:
        raise _in_file(args.project, error) from None
    return 0


def _run_code(args) -> int:
    from initviz.codegen import generate
    from initviz.project import Project

    project = Project.load(args.project)
    try:
        text = generate(project, args.framework)
    except ProjectError as error:
        raise _in_file(args.project, error) from None
    _write_out(text)
    return 0


def _run_inspect(args) -> int:
    from initviz.inspection import inspect_file, report_text

    report = inspect_file(args.model)
    if args.json:
        public = {key: report[key] for key in ("file", "layers")}
        _write_out(json.dumps(json_safe(public), indent=2) + "\n")
    else:
        _write_out(report_text(report))
    return 0


_COMMANDS = {"stats": _run_stats, "render": _run_render, "code": _run_code,
             "inspect": _run_inspect}


def _run_window(path: str | None) -> int:
    _runtime.apply_window()  # first: NumPy must not be loaded before OpenBLAS's setting is in place
    from initviz.gui.app import run_app  # after the tuning: it loads NumPy and Qt

    return run_app(path)


def _silence_stdout() -> None:
    """Point stdout at devnull so the flush at exit cannot raise again (Python docs, SIGPIPE)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # argparse cannot put an optional PROJECT.json beside sub-commands: the window's form is
    # told apart here, and USAGE shows every form in --help.
    if not argv or (argv[0] not in _COMMANDS and not argv[0].startswith("-")):
        if len(argv) > 1:
            return _fail("give at most one project file to open")
        return _run_window(argv[0] if argv else None)
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
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
