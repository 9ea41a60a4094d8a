"""``initviz inspect MODEL``: a trained or freshly initialised model's weights, layer by layer,
against the schemes: which scheme's std each weight matrix and conv kernel has.

``inspect_file(path)`` gives the report (the ``--json`` object, plus the statistics and
histogram samples the window draws); ``report_text(report)`` the lines for a terminal.
"""
from __future__ import annotations

import math

from initviz.inspection.matching import is_match, rank
from initviz.inspection.measure import HISTOGRAM_SAMPLE, TensorStats, measure
from initviz.inspection.readers import ModelFileError, open_model
from initviz.safe_io import display_name

__all__ = ["ModelFileError", "inspect_file", "report_text", "layer_line"]


def _layer_record(stats: TensorStats) -> dict:
    record = {"name": stats.name, "shape": list(stats.shape), "fan_in": stats.fan_in,
              "fan_out": stats.fan_out, "std": stats.std, "mean": stats.mean}
    if not math.isfinite(stats.std):
        return {**record, "std": None, "matches": [], "matched": False}
    ranked = rank(stats) if stats.std > 0 else []
    kept = [m for m in ranked if is_match(stats, m)] or ranked[:1]
    record["matches"] = [{"scheme": m.candidate.scheme, "label": m.candidate.label,
                          "params": m.params, "std": m.std, "ratio": m.ratio} for m in kept]
    record["matched"] = bool(ranked) and is_match(stats, ranked[0])
    return record


def inspect_file(path, should_stop=None) -> dict:
    """Every weight (≥ 2-D floating-point tensor) of the file, measured and matched;
    ``should_stop`` is asked between chunks (core.cancel).

    ``layers`` holds the records of ``--json``; ``stats`` the measured TensorStats (with the
    histogram samples), in the same order; ``skipped`` counts the other tensors.
    """
    entries = open_model(path)
    weights = [e for e in entries if e.floating and len(e.shape) >= 2 and math.prod(e.shape)]
    try:
        measured = [measure(entry, should_stop=should_stop) for entry in weights]
    except OSError as error:  # the disk, or a file changed under us, while reading values
        raise ModelFileError(f"cannot read {display_name(path)}: {error.strerror or error}"
                             ) from None
    return {"file": display_name(path), "layers": [_layer_record(s) for s in measured],
            "skipped": len(entries) - len(weights), "stats": measured}


def _percent(ratio: float) -> str:
    off = abs(ratio - 1.0) * 100
    return f"{off:.0f} %" if off >= 1 else "1 %"


def _fans_text(record: dict, fans: str) -> str:
    if fans == "in":
        return f" for {record['fan_in']} inputs"
    if fans == "out":
        return f" for {record['fan_out']} outputs"
    if fans == "both":
        return f" for {record['fan_in']} inputs, {record['fan_out']} outputs"
    return ""


def layer_line(number: int, record: dict, fans: dict | None = None) -> str:
    """'layer 3 fc.weight (300, 784): std 0.0361 ≈ He normal, fan_in for 784 inputs, within 1 %'."""
    from initviz.inspection.matching import CANDIDATES

    fans = fans or {c.label: c.fans for c in CANDIDATES}
    head = f"layer {number} {record['name']} {tuple(record['shape'])}"
    if record["std"] is None:
        return f"{head}: holds NaN or infinite values"
    if not record["matches"]:
        return f"{head}: std 0 (all values equal {record['mean']:.4g})"
    best = record["matches"][0]
    std = f"std {record['std']:.4g}"
    if not record["matched"]:
        return f"{head}: {std}, far from every scheme: {best['ratio']:.2g}× {best['label']}"
    also = [m["label"] for m in record["matches"][1:3]]
    tail = f" (same std: {', '.join(also)})" if also else ""
    return (f"{head}: {std} ≈ {best['label']}{_fans_text(record, fans[best['label']])}, "
            f"within {_percent(best['ratio'])}{tail}")


def report_text(report: dict) -> str:
    lines = [f"{report['file']}: {len(report['layers'])} weight tensors"
             + (f" ({report['skipped']} other{'s' * (report['skipped'] > 1)} skipped: "
                "biases, norms, counters)" if report["skipped"] else ""),
             "fans as torch counts them: weight (out, in), conv kernel (out, in, kh, kw); "
             "a Keras/JAX (in, out) kernel has fan_in and fan_out swapped"]
    lines += [layer_line(i, record) for i, record in enumerate(report["layers"], start=1)]
    if any(s.count > HISTOGRAM_SAMPLE for s in report["stats"]):
        lines.append(f"std over every value; histograms (in the window) from a random sample of "
                     f"{HISTOGRAM_SAMPLE:,} values per large tensor")
    return "\n".join(lines) + "\n"
