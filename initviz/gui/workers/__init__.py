"""Work off the GUI thread: one background mechanism (``background.BackgroundTask``) and what
runs on it (the window's simulations, training steps, the seed band). Workers import
``prepare/`` for what they compute; they never touch a widget."""
