"""The per-layer report of ``initviz stats``: a table for a person, CSV and JSON for programs.

Apart from the command line so that the window's CSV export writes the same columns as
``initviz stats --csv`` without the GUI importing the CLI, which imports the GUI.
"""
from __future__ import annotations

import csv
import io
import math

from initviz.safe_io import printable

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


def json_safe(value):
    """NaN and inf as null, so the output stays valid JSON for every reader."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
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
