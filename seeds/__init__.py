"""Sample articles: installed as the package data `attrib.samples` (see pyproject.toml)."""
