"""Test set-up: every test runs headless, whoever runs it and wherever."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
