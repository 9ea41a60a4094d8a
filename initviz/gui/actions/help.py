"""The Help menu: keyboard shortcuts, what the plots mean, and About.

The shortcuts listed are read from the window's own menus, so the list is never out of date
with the keys that work. The dialogs are not modal: a teacher can keep one open beside the
window while the class watches.
"""
from __future__ import annotations

import importlib.metadata

from PySide6 import QtCore, QtGui, QtWidgets

import initviz
from initviz.gui.views.plot_help import PlotHelpOverlay
from initviz.lessons import resource_path

LICENCE = "MIT"
"""The licence in LICENSE, for an installation without package metadata (a bare checkout)."""


def licence() -> str:
    try:
        return importlib.metadata.metadata("initviz").get("License-Expression") or LICENCE
    except importlib.metadata.PackageNotFoundError:
        return LICENCE


def plain(text: str) -> str:
    """A menu text as people read it: "&Next lesson" -> "Next lesson"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def readable_keys(action: QtGui.QAction) -> str:
    """The keys of ``action`` a keyboard has: "Ctrl+Z", not also "F14" or the Sun "Undo" key
    that Qt's standard Undo binds on X11."""
    names = [key.toString(QtGui.QKeySequence.NativeText) for key in action.shortcuts()]
    common = [name for name in names if "+" in name or name in FUNCTION_KEYS]
    return " or ".join(common or names)


FUNCTION_KEYS = {f"F{n}" for n in range(1, 13)} | {"Esc", "Del", "Ins", "Home", "End"}


def shortcut_rows(menu_bar: QtWidgets.QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action in the menus that has a shortcut."""
    rows = []

    def visit(menu: QtWidgets.QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                visit(action.menu(), f"{path} ▸ {plain(action.text())}")
            elif action.shortcuts():
                rows.append((path, plain(action.text()), readable_keys(action)))

    for top in menu_bar.actions():
        if top.menu() is not None:
            visit(top.menu(), plain(top.text()))
    return rows


class ShortcutsDialog(QtWidgets.QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts — initviz")
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.fill(window.menuBar())
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 480)

    def fill(self, menu_bar) -> None:
        rows = shortcut_rows(menu_bar)
        self.table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QtWidgets.QTableWidgetItem(value))


class AboutDialog(QtWidgets.QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About initviz")
        icon = QtWidgets.QLabel()
        icon.setPixmap(QtGui.QIcon(str(resource_path("initviz.svg"))).pixmap(96, 96))
        self.text = QtWidgets.QLabel(
            f"<h2>initviz {initviz.__version__}</h2>"
            "<p>See what weight initialisation does to a deep network, layer by layer.</p>"
            f"<p>Licence: {licence()}.</p>")
        self.text.setObjectName("aboutText")
        self.text.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(icon, 0, QtCore.Qt.AlignTop)
        row.addWidget(self.text, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)


class HelpMenu(QtCore.QObject):
    """The Help menu's actions, the overlay they toggle and the dialogs they open."""

    def __init__(self, window, menu: QtWidgets.QMenu):
        super().__init__(window)
        self.window = window
        self.overlay = PlotHelpOverlay(window.tabs)
        self.plot_help_action = QtGui.QAction("&What the plots mean", window)
        self.plot_help_action.setObjectName("plotHelpAction")
        self.plot_help_action.setCheckable(True)
        self.plot_help_action.setIconText("?")  # what the button over the tabs shows
        self.plot_help_action.setShortcut(QtGui.QKeySequence("F1"))
        self.plot_help_action.setShortcutContext(QtCore.Qt.WindowShortcut)
        self.plot_help_action.setToolTip("What the plots mean (F1)")
        self.plot_help_action.toggled.connect(self.overlay.set_shown)
        self.overlay.closed.connect(lambda: self.plot_help_action.setChecked(False))
        menu.addAction(self.plot_help_action)
        self.shortcuts_action = menu.addAction("&Keyboard shortcuts…", self.show_shortcuts,
                                               QtGui.QKeySequence("Ctrl+/"))
        self.shortcuts_action.setObjectName("shortcutsAction")
        menu.addSeparator()
        self.about_action = menu.addAction("&About initviz…", self.show_about)
        self.about_action.setObjectName("aboutAction")
        self.help_button = QtWidgets.QToolButton()
        self.help_button.setObjectName("plotHelpButton")
        self.help_button.setDefaultAction(self.plot_help_action)
        self.help_button.setToolButtonStyle(QtCore.Qt.ToolButtonTextOnly)
        window.tabs.setCornerWidget(self.help_button, QtCore.Qt.TopRightCorner)
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.about_dialog: AboutDialog | None = None

    def show_shortcuts(self) -> ShortcutsDialog:
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self.window)
        else:
            self.shortcuts_dialog.fill(self.window.menuBar())
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        return self.shortcuts_dialog

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog


def build_help_menu(window, menu: QtWidgets.QMenu) -> HelpMenu:
    return HelpMenu(window, menu)
