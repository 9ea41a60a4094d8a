"""What the plots draw, computed with NumPy off the GUI thread: no Qt and no other part of
the window is imported here (an import contract checks it), so it can be tested and reused
without a display."""
