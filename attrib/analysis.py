"""Article in, per-sentence analysis and sourcing profile out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attrib.errors import AttribError
from attrib.predictor import Predictor, load_predictor
from attrib.profile import Profile, build_profile
from attrib.result import ArticleSentence
from attrib.splitter import split_sentences


@dataclass(frozen=True)
class ArticleAnalysis:
    text: str
    sentences: tuple[ArticleSentence, ...]
    profile: Profile
    predictor: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "predictor": self.predictor,
            "n_chars": len(self.text),
            "sentences": [s.to_dict() for s in self.sentences],
            "profile": self.profile.to_dict(),
        }


def analyze(text: str, predictor: Predictor | None = None) -> ArticleAnalysis:
    """Split `text` into sentences, label each (with its previous sentence as context), profile it."""
    predictor = predictor or load_predictor()
    spans = split_sentences(text)
    if not spans:
        raise AttribError("the article has no sentences (empty or whitespace only)")
    texts = [s.text for s in spans]
    results = predictor.predict(texts, [None, *texts[:-1]])
    sentences = tuple(
        ArticleSentence(i, s.start, s.end, r) for i, (s, r) in enumerate(zip(spans, results, strict=True))
    )
    return ArticleAnalysis(text, sentences, build_profile(sentences), predictor.name)
