"""Display settings parsing, and that importing initviz.gui costs nothing until used."""
import subprocess
import sys

import pytest

from initviz.gui.view_settings import ViewSettings, format_layers, parse_layers, spread_layers


def test_importing_gui_package_loads_no_qt():
    code = "import sys, initviz.gui; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_layer_lists_round_trip():
    assert parse_layers("1-3, 10, 28-30") == [1, 2, 3, 10, 28, 29, 30]
    assert format_layers([1, 2, 3, 10, 28, 29, 30]) == "1-3, 10, 28-30"
    assert parse_layers("") == "auto" and parse_layers("ALL") == "all"
    with pytest.raises(ValueError, match="range like 3-7"):
        parse_layers("1, x")


def test_deep_networks_show_first_middle_and_last_layers():
    chosen = spread_layers(100)
    assert chosen[:2] == [1, 2] and chosen[-2:] == [99, 100] and len(chosen) == 10
    assert ViewSettings().visible_layers(12) == list(range(1, 13))
    assert ViewSettings(layers=[5, 50]).visible_layers(30) == [5]


def test_a_small_render_still_picks_first_and_last_layers():
    """A short slide (few rows fit) of a deep network: no crash, first and last shown."""
    from initviz.gui.view_settings import spread_layers

    for count in range(1, 12):
        chosen = spread_layers(30, count)
        assert chosen[0] == 1 and chosen[-1] == 30 and len(chosen) <= max(count, 2)
        assert chosen == sorted(set(chosen))
