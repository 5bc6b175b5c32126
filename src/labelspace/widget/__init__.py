"""Notebook widgets (anywidget), with their front end bundled in ``static/``."""
