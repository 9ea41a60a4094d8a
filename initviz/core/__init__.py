"""The NumPy engine of initviz. Nothing here imports Qt."""
