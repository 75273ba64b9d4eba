"""The package version, in a module of its own so that any part can read it without a cycle."""

__version__ = "0.2.0"
