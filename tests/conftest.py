"""Shared fixtures: a tiny randomly initialised BERT encoder with its own WordPiece vocabulary.

No download and no shipped weights: the encoder is built here (tests/tiny.py), so model tests
run in seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tiny import TINY_TEXTS, make_tiny_encoder

__all__ = ["TINY_TEXTS"]


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_encoder(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session", autouse=True)
def _private_export_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """ONNX exports made by tests go to a temporary cache, never the user's."""
    old = os.environ.get("ATTRIB_CACHE")
    os.environ["ATTRIB_CACHE"] = str(tmp_path_factory.mktemp("attrib-cache"))
    yield
    if old is None:
        os.environ.pop("ATTRIB_CACHE", None)
    else:
        os.environ["ATTRIB_CACHE"] = old
