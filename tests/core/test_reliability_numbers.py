"""Numbers that explode: inf and NaN are counted per layer, shown, and never warned about.

normal(std=100) with ReLU over 30 layers multiplies the scale by about 100·√(n/2) per layer
(He et al. 2015): float32 overflows (3.4e38) after ~10 layers, and NaN follows (inf - inf,
0·inf in the backward pass).
"""
import csv
import io
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

from initviz import ACTIVATIONS, SCHEMES, Project, simulate
from initviz.core.stats import QUANTITIES

EXPLODING = {
    "name": "too large",
    "network": {"widths": [16] + [32] * 29 + [4], "activation": "relu"},
    "init": {"scheme": "normal", "params": {"std": 100}},
    "data": {"batch_size": 16, "seed": 3},
}


def test_overflow_is_counted_per_layer_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid value) fails
        sim = simulate(Project(EXPLODING))
        stats = sim.stats()
    layers = stats["layers"]
    assert len(layers) == 30
    first = layers[0]["preactivation"]
    assert first["nonfinite"] == 0 and np.isfinite(first["std"])
    # the forward scale grows ~ 100 * sqrt(32/2) = 400 per layer: inf within 15 layers
    overflowed = [rec["layer"] for rec in layers if rec["preactivation"]["nonfinite"] > 0]
    assert overflowed and overflowed[0] <= 15
    for rec in layers[overflowed[0] - 1:]:
        z = sim.layers[rec["layer"] - 1].preactivation
        assert rec["preactivation"]["nonfinite"] == int((~np.isfinite(z)).sum()) > 0
    assert all(rec["grad_weight"]["nonfinite"] > 0 for rec in layers)  # NaN flows back everywhere


CLI = "import sys; from initviz.cli import main; sys.exit(main())"


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", CLI, *args],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def exploding_file(tmp_path):
    path = tmp_path / "explode.json"
    Project(EXPLODING).save(path)
    return path


def test_cli_shows_the_non_finite_values_under_warnings_as_errors(exploding_file):
    table = run_cli("stats", str(exploding_file))
    assert table.returncode == 0 and table.stderr == "", table.stderr
    assert "values are inf or NaN: the init is too large for this depth" in table.stdout
    as_json = run_cli("stats", str(exploding_file), "--json")
    assert as_json.returncode == 0 and as_json.stderr == ""
    records = json.loads(as_json.stdout)["layers"]  # strict JSON: NaN became null
    assert records[-1]["preactivation"]["std"] is None
    assert records[-1]["preactivation"]["nonfinite"] == 16 * 4
    rows = list(csv.DictReader(io.StringIO(run_cli("stats", str(exploding_file), "--csv").stdout)))
    assert len(rows) == 30 and rows[-1]["preactivation_std"] == "nan"


def test_every_scheme_and_activation_at_extreme_scale_is_quiet():
    """Huge and tiny inits with every scheme × activation: counted, never warned about."""
    extremes = {"normal": {"std": 1e6}, "uniform": {"low": -1e6, "high": 1e6},
                "constant": {"value": 1e6}, "truncated_normal": {"std": 1e6},
                "orthogonal": {"gain": 100}, "variance_scaling": {"scale": 1e6}}
    for scheme in SCHEMES:
        for activation in ACTIVATIONS:
            project = Project({
                "network": {"widths": [3, 8, 1, 8, 2], "activation": activation},
                "init": {"scheme": scheme, "params": extremes.get(scheme, {})},
                "data": {"batch_size": 1},
            })
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                stats = simulate(project).stats()
            for rec in stats["layers"]:
                for quantity in QUANTITIES:
                    summary = rec[quantity]  # NaN std only when non-finite values are counted
                    assert np.isfinite(summary["std"]) or summary["nonfinite"] > 0, (
                        scheme, activation, rec["layer"], quantity)
