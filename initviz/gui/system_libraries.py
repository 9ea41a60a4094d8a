"""The system libraries Qt's X11 (xcb) platform plugin loads, checked before Qt aborts on them.

PySide6's wheels bring Qt but not these: on a fresh Debian or Ubuntu machine Qt stops with
"Could not load the Qt platform plugin xcb", which names neither the library nor the
package. ``missing_packages`` names both, so the window can print the one install line.
"""
from __future__ import annotations

import ctypes
import os
import sys

XCB_LIBRARIES = {
    # shared object: (Debian/Ubuntu package, Fedora package)
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def uses_xcb() -> bool:
    """Whether Qt will pick its X11 plugin: Linux, a DISPLAY, no Wayland, no other platform."""
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")


def missing_packages() -> list[tuple[str, str, str]]:
    """(library, Debian package, Fedora package) for each library that does not load."""
    return [(lib, *packages) for lib, packages in XCB_LIBRARIES.items() if not _loads(lib)]


def install_advice(missing: list[tuple[str, str, str]]) -> str:
    """One line to read and one to copy for each package family."""
    libraries = ", ".join(lib for lib, _, _ in missing)
    debian = " ".join(dict.fromkeys(deb for _, deb, _ in missing))
    fedora = " ".join(dict.fromkeys(rpm for _, _, rpm in missing))
    return (f"the window needs system libraries that are not installed ({libraries}); "
            f"on Debian or Ubuntu: sudo apt-get install {debian}; on Fedora: sudo dnf install "
            f"{fedora}")
