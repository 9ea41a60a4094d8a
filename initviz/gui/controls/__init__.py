"""Widgets that edit the project: the control panel and the editors it and the views use."""
