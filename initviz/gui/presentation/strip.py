"""The demo strip of presentation mode: the few controls a teacher changes in front of a class.

Scheme, its parameters (gain or std, with their log slider), the Sweep and Recommended
buttons, activation, depth, seed and the lesson buttons, in widgets large enough to hit on a
projector. It binds to the project as
the control panel does: a widget change asks the document for the edit the panel asks for
(the panel's own edit functions), and ``show_project`` puts the project into the widgets with their
signals blocked, so showing never edits. The lesson buttons trigger the window's own actions,
so they behave exactly as the menu entries do (a new seed is the seed's arrows, or Ctrl+R);
Sweep and Recommended press the control panel's own (``ScaleTools``), and show what its
buttons show ("Stop" while a sweep runs).
"""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from initviz.core.activations import ACTIVATIONS
from initviz.core.schemes import SCHEMES
from initviz.gui.controls.panel import SEED_MAX, activation_edit, depth_edit, scheme_edit
from initviz.gui.controls.param_widgets import ParamEditor
from initviz.project import MAX_DEPTH, Project

FALLBACK_WIDTH = Project().widths[1]
"""Width of new hidden layers when the network has none to copy (depth 1)."""
STRIP_STYLE = """
* { font-size: %.1fpt; }
QComboBox, QSpinBox, QDoubleSpinBox, QToolButton { min-height: 1.5em; padding: 1px 6px; }
QToolButton { border: 1px solid #808080; border-radius: 4px; background: #FFFFFF; }
"""
"""Controls 1.5 lines tall: a target the teacher hits without looking twice. The font size is
in the style sheet, as widgets under a style sheet keep the font they were polished with."""
SMALLEST_PT = 11.0
"""The least font size the strip shrinks to on a narrow screen (a 1024-pixel projector takes
it near this): still larger than the desk's 10 pt, while the plots keep the stage's size."""


def _label(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setContentsMargins(6, 0, 2, 0)
    return label


class DemoStrip(QtWidgets.QToolBar):
    """Edits ``document`` like the control panel; ``actions`` are the window's QActions
    (previous and next lesson), shown as large buttons; ``scale_tools`` is the panel's
    ScaleTools, whose Sweep and Recommended the strip's buttons press."""

    def __init__(self, document, actions: dict, scale_tools, parent=None):
        super().__init__("Demo controls", parent)
        self.setObjectName("presentationStrip")
        self.setMovable(False)
        self.setFloatable(False)
        self.setToolButtonStyle(QtCore.Qt.ToolButtonTextOnly)
        self._fit_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._narrow)
        self.points = self.shown_points = 0.0
        self.set_point_size(QtWidgets.QApplication.font().pointSizeF())
        self.document = document
        self.scheme_combo = self._combo("stageSchemeCombo", SCHEMES.values(), 10)
        self.params = ParamEditor()
        self.params.setObjectName("stageParams")
        self.params.form.setContentsMargins(4, 0, 0, 0)
        self.activation_combo = self._combo("stageActivationCombo", ACTIVATIONS.values(), 5)
        self.depth_spin = QtWidgets.QSpinBox()
        self.depth_spin.setObjectName("stageDepthSpin")
        self.depth_spin.setRange(1, MAX_DEPTH)
        self.seed_spin = QtWidgets.QSpinBox()
        self.seed_spin.setObjectName("stageSeedSpin")
        self.seed_spin.setRange(0, SEED_MAX)
        for spin in (self.depth_spin, self.seed_spin):
            spin.setKeyboardTracking(True)
            spin.setAccelerated(True)
        self._narrow()
        # the combos need no label: their text says what they are ("He/Kaiming normal", "ReLU")
        self.addWidget(self.scheme_combo)
        # a toolbar shows or hides its widgets through their actions (a scheme without
        # parameters, LeCun, hides the editor)
        self.params_action = self.addWidget(self.params)
        self.scale_tools = scale_tools
        self.sweep_button = self._mirror(scale_tools.sweep_button, scale_tools.toggle_sweep)
        self.recommended_button = self._mirror(scale_tools.recommended_button,
                                               scale_tools.set_recommended)
        self.scale_actions = [self.addWidget(button)
                              for button in (self.sweep_button, self.recommended_button)]
        self.addWidget(self.activation_combo)
        for text, widget in (("depth", self.depth_spin), ("seed", self.seed_spin)):
            self.addWidget(_label(text))
            self.addWidget(widget)
        self.addSeparator()
        for key, text in (("previous", "◀"), ("next", "▶")):
            self.addWidget(self._button(actions[key], text))
        self._connect()
        self.show_project(document.project)

    @staticmethod
    def _button(action, text: str) -> QtWidgets.QToolButton:
        """A short-labelled button that triggers ``action``: its menu text would push the
        strip past a 1024-pixel screen; the tooltip has it, and the shortcut."""
        button = QtWidgets.QToolButton()
        button.setObjectName(f"stage{action.objectName()[0].upper()}{action.objectName()[1:]}")
        button.setText(text)
        button.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")
        button.clicked.connect(action.trigger)
        return button

    @staticmethod
    def _mirror(original: QtWidgets.QPushButton, press) -> QtWidgets.QToolButton:
        """A large button that calls ``press``, the handler of the panel's ``original``."""
        button = QtWidgets.QToolButton()
        button.setObjectName(f"stage{original.objectName()[0].upper()}{original.objectName()[1:]}")
        button.clicked.connect(press)
        return button

    def _show_scale_tools(self) -> None:
        """The panel's Sweep and Recommended as they are now: texts, tooltips, shown or not."""
        tools = self.scale_tools
        for button, original in ((self.sweep_button, tools.sweep_button),
                                 (self.recommended_button, tools.recommended_button)):
            # "Sweep", "Recommended": the editor beside names the parameter
            button.setText(original.text().split(" ")[0])
            button.setToolTip(f"{original.text()}: {original.toolTip()}")
        for action in self.scale_actions:
            action.setVisible(tools.param is not None)

    @staticmethod
    def _combo(name: str, entries, characters: int) -> QtWidgets.QComboBox:
        combo = QtWidgets.QComboBox()
        combo.setObjectName(name)
        for entry in entries:
            combo.addItem(entry.title, entry.name)
        combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(characters)  # "Xavier/Glorot" shows, the rest elides
        return combo

    def _narrow(self) -> None:
        """Widths for the values a demo uses, so the strip fits a 1024-pixel projector: the
        seed's ten digits or the longest scheme title would push the lesson buttons off."""
        metrics = self.fontMetrics()
        arrows = metrics.height() + 24  # the step arrows, the frame and the padding
        spins = [(self.depth_spin, 3), (self.seed_spin, 5)]
        spins += [(editor, 4) for editor in self.params.editors.values()
                  if isinstance(editor, QtWidgets.QAbstractSpinBox)]
        for spin, digits in spins:
            spin.setFixedWidth(metrics.horizontalAdvance("0" * digits) + arrows)
        for slider in self.params.sliders.values():  # the log slider beside std or gain
            slider.setFixedWidth(metrics.horizontalAdvance("0" * 5))
        self._fit_width()

    def set_point_size(self, points: float) -> None:
        """The stage's font size (it follows the screen's height); the strip takes a smaller
        one where its controls would not fit the screen's width at this size."""
        if points != self.points:
            self.points = points
            self._show_points(points)

    def _show_points(self, points: float) -> None:
        if points != self.shown_points:
            self.shown_points = points
            self.setStyleSheet(STRIP_STYLE % points)
            self._fit_timer.start()  # narrowed once the widgets have the new font

    def _fit_width(self) -> None:
        """Every control in sight, none in the toolbar's overflow menu: on a 4:3 projector the
        font shrinks in proportion (down to SMALLEST_PT), and grows back on a wider screen."""
        room, needed = self.width(), self.layout().sizeHint().width()
        if not self.isVisible() or room <= 0 or needed <= 0:
            return
        fitting = min(self.points, max(SMALLEST_PT, self.shown_points * room / needed * 0.98))
        if fitting < self.shown_points or fitting > self.shown_points + 0.5:
            self._show_points(round(fitting, 1))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # the stage's font follows the screen
            self._fit_timer.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_timer.start()

    def _connect(self) -> None:
        document = self.document
        self.scheme_combo.currentIndexChanged.connect(lambda _: self._edit(
            scheme_edit(document.project, self.scheme_combo.currentData())))
        self.params.paramsEdited.connect(lambda values: self._edit({"init.params": values}))
        self.params.dragStarted.connect(document.begin_gesture)  # a drag is one undo step
        self.params.dragFinished.connect(document.end_gesture)
        self.activation_combo.currentIndexChanged.connect(lambda _: self._edit(
            activation_edit(document.project, self.activation_combo.currentData())))
        self.depth_spin.valueChanged.connect(self._depth_changed)
        self.seed_spin.valueChanged.connect(lambda seed: self._edit({"data.seed": seed}))
        for signal in (document.changed, document.replaced, document.refused):
            signal.connect(lambda *_: self.show_project(document.project))
        self.scale_tools.shown.connect(self._show_scale_tools)

    def _edit(self, changes: dict) -> None:
        if not self.document.edit(changes):
            self.show_project(self.document.project)  # refused: the widgets show the project

    def _depth_changed(self, depth: int) -> None:
        project = self.document.project
        width = (project.widths[1:-1] or [FALLBACK_WIDTH])[0]
        self._edit(depth_edit(project, depth, width))

    def show_project(self, project) -> None:
        """Put ``project``'s values into the widgets without emitting any edit."""
        widgets = (self.scheme_combo, self.params, self.activation_combo, self.depth_spin,
                   self.seed_spin)
        previous = [widget.blockSignals(True) for widget in widgets]
        try:
            for combo, name in ((self.scheme_combo, project.scheme),
                                (self.activation_combo, project.activation)):
                combo.setCurrentIndex(combo.findData(name))
            params = SCHEMES[project.scheme].params
            self.params.set_params(params, project.scheme_params)
            self.params_action.setVisible(bool(params))
            self._narrow()  # a new scheme may bring new editors
            self._show_scale_tools()
            self.depth_spin.setValue(project.depth)
            self.seed_spin.setValue(min(project.seed, SEED_MAX))
        finally:
            for widget, was in zip(widgets, previous, strict=True):
                widget.blockSignals(was)
