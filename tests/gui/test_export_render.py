"""Exports a teacher puts on a slide: PNG and SVG pictures, CSV statistics, JSON settings."""
import csv
import xml.etree.ElementTree as ET

from PySide6 import QtGui, QtWidgets

from initviz.gui.export import writers
from initviz.gui.render import render_project
from initviz.project import Project

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_svg(path):
    text = path.read_text(encoding="utf-8")
    assert len(text) > 1000
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    assert "<path" in text


def test_export_single_plot_png_and_svg(window, tmp_path):
    cell = window.dashboard.grid.cells()[0]
    writers.export_plot(cell, tmp_path / "cell.png")
    data = (tmp_path / "cell.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    image = QtGui.QImage(str(tmp_path / "cell.png"))
    assert image.width() >= cell.sceneBoundingRect().width()
    writers.export_plot(cell, tmp_path / "cell.svg")
    assert_svg(tmp_path / "cell.svg")
    writers.export_plot(window.dashboard.depth_plot.plot_item, tmp_path / "depth.svg")
    assert_svg(tmp_path / "depth.svg")


def test_export_menu_action_with_dialog(window, tmp_path, monkeypatch):
    target = tmp_path / "picked.png"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.dashboard.grid.selected_cell = window.dashboard.grid.cells()[3]
    window.menus.export_plot_dialog()
    assert target.read_bytes().startswith(PNG_MAGIC)


def test_export_dashboard_png_and_svg(window, tmp_path):
    writers.export_widget(window.dashboard, tmp_path / "dash.png")
    image = QtGui.QImage(str(tmp_path / "dash.png"))
    assert (image.width(), image.height()) == window.dashboard.size().toTuple()
    writers.export_widget(window.dashboard, tmp_path / "dash.svg")
    assert_svg(tmp_path / "dash.svg")


def test_export_statistics_csv_has_one_row_per_layer(window, tmp_path, monkeypatch):
    target = tmp_path / "stats.csv"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.menus.export_stats_dialog()
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == window.project.depth == 3
    assert [int(r["fan_out"]) for r in rows] == [32, 32, 10]
    assert float(rows[0]["weight_std"]) == window.last_data.stats["layers"][0]["weight"]["std"]


def test_export_settings_json(window, tmp_path, monkeypatch):
    target = tmp_path / "settings.json"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.menus.export_settings_dialog()
    assert Project.load(target) == window.project


def test_render_project_png_has_requested_size(qtbot, tmp_path, small_project):
    out = render_project(small_project, tmp_path / "r.png", size=(900, 600))
    assert out.read_bytes().startswith(PNG_MAGIC)
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
    drawn = {image.pixel(x, y) for x in range(0, 900, 7) for y in range(0, 600, 50)}
    assert len(drawn) > 5  # something is drawn (any one line may fall between two rows)


def test_render_deep_project_svg(qtbot, tmp_path):
    project = Project({"network": {"widths": [32] * 30 + [10]}, "data": {"batch_size": 32}})
    out = render_project(project, tmp_path / "deep.svg", size=(1200, 800))
    assert_svg(out)


def test_render_from_the_command_line_is_quiet_and_names_a_missing_folder(tmp_path):
    """A teacher scripting slides reads stderr: nothing there on success, one line on error."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lesson = root / "resources" / "lessons" / "01_zero_init_symmetry.json"
    out = tmp_path / "slide.png"
    done = subprocess.run([sys.executable, str(root / "main.py"), "render", str(lesson), "-o",
                           str(out), "--size", "800x500"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stderr == "" and out.read_bytes()[:4] == b"\x89PNG"
    missing = tmp_path / "nowhere" / "slide.png"
    done = subprocess.run([sys.executable, str(root / "main.py"), "render", str(lesson), "-o",
                           str(missing)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and not missing.exists()
    assert done.stderr.count("\n") == 1 and "does not exist" in done.stderr
