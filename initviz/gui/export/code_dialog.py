"""Export ▸ Code…: the project as runnable framework code, to copy or save as a .py file.

The text is ``initviz code``'s, for the framework chosen in the dialog.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from initviz.codegen import FRAMEWORKS, generate
from initviz.errors import ProjectError
from initviz.safe_io import write_text_atomic

TITLES = {"pytorch": "PyTorch", "keras": "Keras", "jax": "JAX"}


class CodeDialog(QtWidgets.QDialog):
    """Shows the code for the project as it was when the dialog opened."""

    def __init__(self, project, parent=None):
        super().__init__(parent)
        self.setObjectName("codeDialog")
        self.setWindowTitle("Initialisation as code")
        self.project = project.copy()
        self.framework_combo = QtWidgets.QComboBox(objectName="frameworkCombo")
        for name in FRAMEWORKS:
            self.framework_combo.addItem(TITLES[name], name)
        self.text = QtWidgets.QPlainTextEdit(readOnly=True, objectName="codeText")
        self.text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.NoWrap)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        self.copy_button = buttons.addButton("&Copy", QtWidgets.QDialogButtonBox.ActionRole)
        self.save_button = buttons.addButton("&Save…", QtWidgets.QDialogButtonBox.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save_dialog)
        buttons.rejected.connect(self.reject)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Framework:"))
        top.addWidget(self.framework_combo)
        top.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.framework_combo.currentIndexChanged.connect(self._show_code)
        self._show_code()
        self.resize(820, 640)

    @property
    def framework(self) -> str:
        return self.framework_combo.currentData()

    def _show_code(self, *_) -> None:
        try:
            self.text.setPlainText(generate(self.project, self.framework))
        except ProjectError as error:
            self.text.setPlainText(f"# {error}")

    def copy(self) -> None:
        QtWidgets.QApplication.clipboard().setText(self.text.toPlainText())
        self.copy_button.setText("Copied")
        QtCore.QTimer.singleShot(1500, self.copy_button,  # dropped if the dialog goes first
                                 lambda: self.copy_button.setText("&Copy"))

    def save_dialog(self) -> None:
        suggestion = f"{self.project.name or 'initviz'}-{self.framework}.py"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save code", suggestion, "Python (*.py)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            write_text_atomic(path, self.text.toPlainText())
        except (ProjectError, OSError) as error:
            QtWidgets.QMessageBox.critical(self, "Cannot save the code", str(error))
            return False
        return True
