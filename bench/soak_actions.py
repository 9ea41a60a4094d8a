"""The random actions of a soak window: what a teacher does with initviz, picked by a seeded RNG.

Every action goes through the widget or the menu a person would use (a spin box's
``setValue``, a combo's ``setCurrentIndex``, the File actions), so what breaks here breaks
for a user. File dialogs are answered with a name in the soak's shared project folder (a
small pool of names, so the two windows save over and open each other's files); message
boxes are answered by the window's dialog watcher (``soak_window.DialogWatcher``).
Values are mostly ordinary and now and then extreme (the spin boxes' limits): the memory
guard refuses what does not fit, and that refusal is part of what is soaked.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

from PySide6 import QtWidgets

from initviz.core.activations import ACTIVATIONS
from initviz.core.schemes import SCHEMES

FILE_NAMES = ("lesson-a.json", "lesson-b.json", "shared.json", "work.json")
"""Few names, so the two windows meet on the same files."""
EXTREME = float(os.environ.get("INITVIZ_SOAK_EXTREMES", "0.04"))
"""Share of numeric edits that go to a spin box's minimum or maximum (``soak.py --extremes``)."""


class FileDialogs:
    """Stand-ins for QFileDialog's statics: a path in the shared folder, picked at random."""

    def __init__(self, folder: Path, rng: random.Random):
        self.folder, self.rng = folder, rng

    def install(self) -> None:
        QtWidgets.QFileDialog.getOpenFileName = self.open_name
        QtWidgets.QFileDialog.getSaveFileName = self.save_name

    def open_name(self, *args, **kwargs):
        existing = sorted(self.folder.glob("*.json"))
        return (str(self.rng.choice(existing)) if existing else "", "")

    def save_name(self, *args, **kwargs):
        return (str(self.folder / self.rng.choice(FILE_NAMES)), "")


def _spin(win, name: str):
    return win.findChild(QtWidgets.QAbstractSpinBox, name)


def _combo(win, name: str) -> QtWidgets.QComboBox:
    return win.findChild(QtWidgets.QComboBox, name)


def _number(rng, widget, usual):
    """An ordinary value, or (rarely) the widget's minimum or maximum."""
    if rng.random() < EXTREME:
        return rng.choice([widget.minimum(), widget.maximum()])
    return rng.choice(usual)


def _pick(rng, combo: QtWidgets.QComboBox) -> None:
    combo.setCurrentIndex(rng.randrange(combo.count()))


def _param(rng, editor) -> None:
    if not editor.editors:
        return
    widget = rng.choice(list(editor.editors.values()))
    if isinstance(widget, QtWidgets.QComboBox):
        _pick(rng, widget)
    else:
        widget.setValue(_number(rng, widget, [0.0, 0.01, 0.1, 0.5, 1.0, 2.0]))


def _tab(win, title: str):
    for index in range(win.tabs.count()):
        if win.tabs.tabText(index) == title:
            win.tabs.setCurrentIndex(index)
            return win.tabs.widget(index)
    raise LookupError(title)


def _training(win, rng) -> None:
    view = _tab(win, "Training")
    choice = rng.random()
    if choice < 0.4:
        view.set_playing(not view.playing)
    elif choice < 0.6:
        view.single_step()
    elif choice < 0.7:
        view.reset()
    elif choice < 0.85:
        view.toolbar.speed_spin.setValue(rng.choice([1, 3, 10, 25]))
    else:
        view.toolbar.lr_spin.setValue(rng.choice([0.001, 0.01, 0.1, 1.0]))


def _compare(win, rng) -> None:
    view = _tab(win, "Compare")
    if rng.random() < 0.5:
        _pick(rng, view.controls.scheme_combo)
    else:
        _pick(rng, view.controls.activation_combo)


def _theory(win, rng) -> None:
    view = _tab(win, "Theory")
    if rng.random() < 0.3:
        from initviz.core import jacobian

        view.choose_jacobian_inputs(rng.choice([jacobian.DATA, jacobian.Q_STAR]))


def _lesson(win, rng) -> None:
    actions = win.menus.lesson_actions
    if actions:
        rng.choice(actions).trigger()


def _toggle(win, rng) -> None:
    """A display toggle of the View menu (log counts, heat map, shared axes, ...)."""
    rng.choice(sorted(win.menus.display_actions.items()))[1].trigger()


def actions(win) -> dict:
    """name -> (weight, action(rng)); the names are what a soak report counts and blames."""
    c = win.controls
    table = {
        "scheme": (6, lambda rng: _combo(win, "schemeCombo").setCurrentIndex(
            rng.randrange(len(SCHEMES)))),
        "activation": (6, lambda rng: _combo(win, "activationCombo").setCurrentIndex(
            rng.randrange(len(ACTIVATIONS)))),
        "bias": (2, lambda rng: _pick(rng, _combo(win, "biasSchemeCombo"))),
        "source": (2, lambda rng: _pick(rng, _combo(win, "sourceCombo"))),
        "loss": (1, lambda rng: _pick(rng, _combo(win, "lossCombo"))),
        "scheme_param": (4, lambda rng: _param(rng, c.scheme_params)),
        "activation_param": (2, lambda rng: _param(rng, c.activation_params)),
        "depth": (6, lambda rng: c.depth_spin.setValue(
            _number(rng, c.depth_spin, [1, 2, 3, 5, 8, 12, 20]))),
        "width": (6, lambda rng: c.width_spin.setValue(
            _number(rng, c.width_spin, [2, 8, 32, 64, 128, 256]))),
        "batch": (3, lambda rng: c.batch_spin.setValue(
            _number(rng, c.batch_spin, [1, 16, 64, 256, 1024]))),
        "seed": (3, lambda rng: c.seed_spin.setValue(rng.randrange(10**6))),
        "new_seed": (2, lambda rng: c.new_seed()),
        "view_toggle": (3, lambda rng: _toggle(win, rng)),
        "tab": (5, lambda rng: win.tabs.setCurrentIndex(rng.randrange(win.tabs.count()))),
        "training": (8, lambda rng: _training(win, rng)),
        "compare": (3, lambda rng: _compare(win, rng)),
        "theory": (3, lambda rng: _theory(win, rng)),
        "lesson": (2, lambda rng: _lesson(win, rng)),
        "undo": (4, lambda rng: win.menus.undo_action.trigger()),
        "redo": (2, lambda rng: win.menus.redo_action.trigger()),
        "save": (3, lambda rng: win.files.save_action.trigger()),  # Ctrl+S, as a user saves
        "save_as": (2, lambda rng: win.files.save_as_action.trigger()),
        "open": (2, lambda rng: win.files.open()),
        "new": (1, lambda rng: win.files.new()),
    }
    return table


def choose(table: dict, rng: random.Random) -> str:
    names = list(table)
    return rng.choices(names, weights=[table[n][0] for n in names])[0]
