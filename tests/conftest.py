"""Shared fixtures: a tiny randomly initialised BERT encoder with its own WordPiece vocabulary.

No download and no shipped weights: the encoder is built here (tests/tiny.py), so model tests
run in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny import TINY_TEXTS, make_tiny_encoder

__all__ = ["TINY_TEXTS"]


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_encoder(tmp_path_factory.mktemp("tiny-bert"))
