"""Slides: the picture of ``initviz render`` and of Export slide…, in PNG and in portable SVG."""
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from PySide6 import QtGui, QtWidgets

from initviz import safe_io
from initviz.gui.actions import slide_export
from initviz.gui.render import render_project
from initviz.gui.views.slide import SLIDE_SIZES, Slide, slide_data, slide_projects
from initviz.lessons import list_lessons, load_lesson

cairosvg = pytest.importorskip("cairosvg")

TIMEOUT = 30000


def lesson(prefix):
    return load_lesson(next(item.key for item in list_lessons() if item.key.startswith(prefix)))


def grey(path_or_bytes) -> np.ndarray:
    image = QtGui.QImage()
    if isinstance(path_or_bytes, bytes):
        image.loadFromData(path_or_bytes, "PNG")
    else:
        image.load(str(path_or_bytes))
    image = image.convertToFormat(QtGui.QImage.Format_Grayscale8)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(height, stride)
    return rows[:, :width].astype(float)


def alpha(png: bytes) -> np.ndarray:
    image = QtGui.QImage()
    image.loadFromData(png, "PNG")
    image = image.convertToFormat(QtGui.QImage.Format_ARGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    return rows[:, :image.width(), 3]  # ARGB32 is B, G, R, A in memory on little-endian


def box_blur(values: np.ndarray, radius: int = 2) -> np.ndarray:
    padded = np.pad(values, radius, mode="edge")
    return sliding_window_view(padded, (2 * radius + 1,) * 2).mean(axis=(2, 3))


def test_the_svg_drawn_outside_qt_matches_the_png(qtbot, tmp_path):
    """cairosvg (no Qt) rasterises the SVG of the too-small lesson; it must look like Qt's PNG.

    Tolerance: the two renderers hint and antialias glyphs differently and may place a
    glyph a pixel apart, so both pictures are blurred over 5 × 5 pixels first; then at most
    1 % of the pixels may differ by more than a quarter of the grey range (measured: 0.3 %).
    A curve drawn as a blob (the pen scaled by the view's 10⁹) covers most of the picture,
    and a missing histogram, axis or strip of background changes well over 1 %.
    """
    project = lesson("03")
    svg = render_project(project, tmp_path / "slide.svg", size=(1280, 720))
    png = render_project(project, tmp_path / "slide.png", size=(1280, 720))
    text = svg.read_text(encoding="utf-8")
    assert "non-scaling-stroke" not in text
    scales = [abs(float(v)) for m in re.findall(r"matrix\(([^)]*)\)", text)
              for v in m.split(",")[:4]]
    assert max(scales) <= 1.0  # every curve in device pixels, none under its view's scale
    runs = [t.text or "" for t in ET.fromstring(text).iter("{http://www.w3.org/2000/svg}text")]
    number = r"[−-]?\d(\.\d+)?e[−-]\d+"  # captions write a true minus sign
    assert any(re.fullmatch(rf"μ {number}  σ {number}", run) for run in runs)
    assert not any(re.fullmatch(r"e[−-]\d+\s*", run) for run in runs)  # no exponent on its own
    drawn = cairosvg.svg2png(url=str(svg))
    assert alpha(drawn).min() == 255  # opaque everywhere: no gap left to the viewer's page
    outside, inside = grey(drawn), grey(png)
    assert outside.shape == inside.shape == (720, 1280)
    difference = np.abs(box_blur(outside) - box_blur(inside))
    assert (difference > 64).mean() < 0.01
    assert difference.mean() < 5


@pytest.mark.parametrize("size", list(SLIDE_SIZES.values()))
def test_a_rendered_png_has_exactly_the_size_asked_for(qtbot, tmp_path, size, small_project):
    out = render_project(small_project, tmp_path / "slide.png", size=size)
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == size


def test_slides_are_written_through_a_temporary_file_and_a_rename(qtbot, tmp_path,
                                                                  small_project, monkeypatch):
    """A full disk or a killed export leaves the old file, never a truncated picture."""
    replaced = []
    original = safe_io.replace_atomic

    def replace(path, data, mode):
        replaced.append(path)
        original(path, data, mode)

    monkeypatch.setattr(safe_io, "replace_atomic", replace)
    for name in ("slide.png", "slide.svg"):
        render_project(small_project, tmp_path / name, size=(800, 500))
    assert [p.name for p in replaced] == ["slide.png", "slide.svg"]


def test_a_comparing_lesson_draws_a_and_b_on_one_slide(qtbot):
    project = lesson("06")  # Xavier vs He with ReLU: view.compare names He
    projects = slide_projects(project)
    assert [p.scheme for p in projects] == ["xavier_normal", "he_normal"]
    slide = Slide(projects, (1920, 1080))
    qtbot.addWidget(slide)
    datas = slide_data(projects)
    slide.draw(datas)
    assert len(slide.grids) == 2 and slide.rows and slide.rows[-1] == project.depth
    for grid in slide.grids:
        assert not grid.drawing and len(grid.rows) >= len(slide.rows)
    for side, data in zip("AB", datas):
        _, forward = slide.depth_plot.curves[side, "forward"].getData()  # log10: a log axis
        assert np.allclose(10 ** forward, data.depth["forward"], rtol=1e-9)  # log/exp round trip
    # He keeps the forward std near 1 to the last layer; Xavier's has fallen by 10⁴
    assert datas[1].depth["forward"][-2] > 100 * datas[0].depth["forward"][-2]
    for label in slide.side_titles:  # each side says which init it is
        assert label.geometry().bottom() < slide.height()


def test_export_slide_from_the_window_at_the_chosen_size_and_rows(window, qtbot, tmp_path,
                                                                 monkeypatch):
    target = tmp_path / "slide.png"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), ""))

    def answer(dialog):
        dialog.size_combo.setCurrentIndex(dialog.size_combo.findData("1024x768"))
        dialog.rows_edit.setText("1, 3")
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(slide_export.SlideDialog, "exec", answer)
    action = window.findChild(QtGui.QAction, "exportSlideAction")
    assert action is not None and "Slide" in action.text().replace("&", "")
    exporter = slide_export.export_slide_dialog(window)
    with qtbot.waitSignal(exporter.finished, timeout=TIMEOUT):
        pass
    image = QtGui.QImage(str(target))
    assert (image.width(), image.height()) == (1024, 768)
    assert exporter.rows == [1, 3]


def test_the_slide_dialog_refuses_a_rows_text_that_is_not_a_list(qtbot):
    dialog = slide_export.SlideDialog(None, "auto", 10, comparing=False)
    qtbot.addWidget(dialog)
    dialog.rows_edit.setText("1-x")
    dialog._accept()
    assert dialog.result() != QtWidgets.QDialog.Accepted and dialog.error.text()
    dialog.size_combo.setCurrentIndex(dialog.size_combo.findData(None))
    dialog.width_spin.setValue(1600)
    dialog.height_spin.setValue(900)
    dialog.rows_edit.setText("2-4")
    assert dialog.choice() == ((1600, 900), [2, 3, 4])
