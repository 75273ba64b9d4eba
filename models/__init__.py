"""Shipped checkpoints: installed as the package data `attrib.checkpoints` (see pyproject.toml)."""
