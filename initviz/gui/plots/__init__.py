"""The plot widgets (pyqtgraph): they draw finished data from ``prepare/`` and compute
nothing of their own beyond axes and layout."""
