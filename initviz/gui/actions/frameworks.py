"""File ▸ Open Model… and Export ▸ Code…: from a real model to the schemes, and back to code."""
from __future__ import annotations

from PySide6 import QtGui, QtWidgets

from initviz.gui.export.code_dialog import CodeDialog
from initviz.gui.views.model_report import ModelReportDialog

MODEL_FILTER = "Model weights (*.safetensors *.npz *.pt *.pth);;All files (*)"


class FrameworkActions:
    """Adds the two actions to the window's File and Export menus; dialogs open non-modal,
    so the window stays usable beside them."""

    def __init__(self, window):
        self.window = window
        self.dialogs: list[QtWidgets.QDialog] = []

    def add_to(self, file_menu: QtWidgets.QMenu, export_menu: QtWidgets.QMenu) -> None:
        open_model = QtGui.QAction("Open &model weights…", self.window,
                                   objectName="openModelAction")
        open_model.triggered.connect(self.open_model_dialog)
        separators = [a for a in file_menu.actions() if a.isSeparator()]
        file_menu.insertAction(separators[0] if separators else None, open_model)
        export_menu.addSeparator()
        code = export_menu.addAction("&Code (PyTorch, Keras, JAX)…", self.show_code)
        code.setObjectName("exportCodeAction")

    def _keep(self, dialog: QtWidgets.QDialog) -> QtWidgets.QDialog:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]
        dialog.show()
        return dialog

    def show_code(self) -> CodeDialog:
        return self._keep(CodeDialog(self.window.document.project, self.window))

    def open_model_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.window, "Open model weights", "", MODEL_FILTER)
        if path:
            self.open_model(path)

    def open_model(self, path) -> ModelReportDialog:
        return self._keep(ModelReportDialog(path, self.window))
