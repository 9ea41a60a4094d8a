"""Pictures and numbers out of the window: PNG, SVG and CSV, written atomically."""
