"""Export ▸ Code… shows the project as PyTorch code to copy or save; File ▸ Open Model…
reads a weights file off the GUI thread and shows each layer's best scheme and histogram."""
import ast
import math

import numpy as np
from PySide6 import QtGui, QtWidgets
from safetensors.numpy import save_file

from initviz.gui.views.model_report import ModelReportDialog
from initviz.inspection.measure import HISTOGRAM_SAMPLE


def _action(window, name) -> QtGui.QAction:
    return window.findChild(QtGui.QAction, name)


def test_export_code_copies_and_saves_the_projects_torch_code(window, qtbot, tmp_path,
                                                              monkeypatch):
    _action(window, "exportCodeAction").trigger()
    dialog = window.menus.frameworks.dialogs[-1]
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert "nn.init.xavier_normal_(weight, gain=1.0)" in text  # the small project's scheme
    assert "nn.Tanh()" in text and "WIDTHS = [32, 32, 32, 10]" in text
    combo = dialog.framework_combo
    combo.setCurrentIndex(combo.findData("keras"))
    assert "initializers.VarianceScaling(1.0 ** 2, 'fan_avg', 'untruncated_normal')" in (
        dialog.text.toPlainText())
    combo.setCurrentIndex(combo.findData("jax"))
    assert "initializers.variance_scaling(1.0 ** 2, 'fan_avg', 'normal')" in (
        dialog.text.toPlainText())
    combo.setCurrentIndex(combo.findData("pytorch"))
    dialog.copy_button.click()
    assert QtWidgets.QApplication.clipboard().text() == text
    target = tmp_path / "init.py"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    dialog.save_button.click()
    ast.parse(target.read_text())
    assert target.read_text() == text
    dialog.close()


def _model_file(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "model.safetensors"
    save_file({
        "a.weight": (rng.standard_normal((300, 784)) * math.sqrt(2 / 784)).astype(np.float32),
        "b.weight": rng.uniform(-1, 1, (400, 300)).astype(np.float32) / math.sqrt(300),
        "b.bias": np.zeros(400, np.float32),
    }, str(path))
    return path


def test_open_model_lists_layers_and_histograms_the_selected_one(window, qtbot, tmp_path,
                                                                 monkeypatch):
    path = _model_file(tmp_path)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    menus = window.menus.frameworks
    _action(window, "openModelAction").trigger()
    dialog = menus.dialogs[-1]
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=20000)
    assert dialog.table.item(0, 6).text() == "He normal, fan_in"
    assert dialog.table.item(1, 6).text() == "PyTorch default (nn.Linear, nn.Conv)"
    assert "1 other tensor skipped" in dialog.status.text()
    dialog.table.selectRow(1)
    x, y = dialog.histogram.getData()
    assert abs(y.sum() - 1) < 1e-9  # shares of the values
    assert x.min() >= -1 / math.sqrt(300) - 1e-3 and x.max() <= 1 / math.sqrt(300) + 1e-3
    # 120,000 values: drawn from a sample, and the caption says so
    assert "a random sample of" in dialog.caption.text() and "120,000" in dialog.caption.text()
    assert dialog.report["stats"][1].sample.size < 120_000 <= 2 * HISTOGRAM_SAMPLE
    dialog.close()


def test_a_hostile_model_file_is_one_line_in_the_dialog(window, qtbot, tmp_path):
    path = tmp_path / "lying.safetensors"
    path.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    dialog = ModelReportDialog(path, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.reportShown, timeout=20000):
        dialog.show()
    assert "not a valid safetensors file" in dialog.status.text()
    assert "\n" not in dialog.status.text() and dialog.table.rowCount() == 0
    dialog.close()
