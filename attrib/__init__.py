"""attrib: who vouches for each claim in a news article, and how firmly it is stated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrib.analysis import ArticleAnalysis, analyze, load_predictor
from attrib.baseline import LexiconPredictor
from attrib.predictor import Predictor
from attrib.profile import Profile, build_profile
from attrib.result import ArticleSentence, Hop, SentenceResult, Span
from attrib.splitter import Sentence, split_sentences
from attrib.version import __version__

if TYPE_CHECKING:
    from attrib.model import AttribConfig, AttribModel

__all__ = [
    "ArticleAnalysis",
    "ArticleSentence",
    "AttribConfig",
    "AttribModel",
    "Hop",
    "LexiconPredictor",
    "Predictor",
    "Profile",
    "Sentence",
    "SentenceResult",
    "Span",
    "__version__",
    "analyze",
    "build_profile",
    "load_predictor",
    "split_sentences",
]


def __getattr__(name: str) -> Any:
    # The model classes import torch; loading them lazily keeps `import attrib` and the
    # pure-Python profile torch-free.
    if name in ("AttribModel", "AttribConfig"):
        from attrib import model

        return getattr(model, name)
    raise AttributeError(f"module 'attrib' has no attribute {name!r}")
