"""Predictors without a model for the tests. `KeywordPredictor` (the web app's tests): known
labels, spans, chains and probabilities; it counts its instances and calls so tests can check
sharing. `SentencePredictor`: a sentence-only rule, for the article-level passes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.predictor import BasePredictor
from attrib.result import Hop, SentenceResult, Span

ARTICLE = """Seoul weighs arms for Kyiv

Defense Minister Kim said the talks went well. Officials said the deal may collapse.
SBS reported that a government source said the talks stalled.
The delegation reportedly asked for missiles. Kim said the ministry could still agree.
A delegation visited Seoul on Wednesday.
"""
# ARTICLE's sentences in order, with the labels KeywordPredictor gives them.
EXPECTED = [
    ("Seoul weighs arms for Kyiv", "none", "certain"),
    ("Defense Minister Kim said the talks went well.", "on_record", "certain"),
    ("Officials said the deal may collapse.", "anonymous", "speculative"),
    ("SBS reported that a government source said the talks stalled.", "anonymous", "certain"),
    ("The delegation reportedly asked for missiles.", "reportedly", "hedged"),
    ("Kim said the ministry could still agree.", "on_record", "speculative"),
    ("A delegation visited Seoul on Wednesday.", "none", "certain"),
]


def _span(text: str, word: str) -> tuple[Span, ...]:
    i = text.find(word)
    return (Span(i, i + len(word), word),) if i >= 0 else ()


def _probs(labels: tuple[str, ...], top: str) -> dict[str, float]:
    rest = (1 - 0.82) / (len(labels) - 1)
    return {label: 0.82 if label == top else rest for label in labels}


class KeywordPredictor(BasePredictor):
    """Keyword rules: "Kim" on record, "Officials"/"source" anonymous, "reportedly" hearsay;
    "may"/"could" speculative, "reportedly" hedged."""

    name = "keywords"
    thread_safe = False  # so the web app's lock is exercised

    instances = 0

    def __init__(self) -> None:
        KeywordPredictor.instances += 1
        self.calls = 0
        self.active = 0
        self.overlapped = False  # set if two predict calls ever ran at once (the lock failed)
        self._count = threading.Lock()

    def predict_batch(
        self, sentences: list[str], contexts: Sequence[str | None], **options: object
    ) -> list[SentenceResult]:
        with self._count:
            self.calls += 1
            self.active += 1
            self.overlapped |= self.active > 1
        try:
            return [self._one(t) for t in sentences]
        finally:
            with self._count:
                self.active -= 1

    def _one(self, t: str) -> SentenceResult:
        att, cer, score, chain = "none", "certain", 0.95, ()
        sources = _span(t, "Defense Minister Kim") or _span(t, "Kim") or _span(t, "Officials")
        if "SBS" in t:
            att, sources = "anonymous", _span(t, "SBS") + _span(t, "a government source")
            chain = (Hop("according_to", "SBS"), Hop("anonymous", "a government source"))
        elif "Kim" in t:
            att = "on_record"
        elif "Officials" in t:
            att = "anonymous"
        elif "reportedly" in t:
            att, cer, score = "reportedly", "hedged", 0.6
        if " may " in t or " could " in t:
            cer, score = "speculative", 0.25
        return SentenceResult(
            t,
            att,
            cer,
            score,
            attribution_probs=_probs(ATTRIBUTION_LABELS, att),
            certainty_probs=_probs(CERTAINTY_LABELS, cer),
            sources=sources,
            cues=_span(t, "said") or _span(t, "reported") or _span(t, "reportedly"),
            hedges=_span(t, "may") or _span(t, "could") or _span(t, "reportedly"),
            chain=chain,
        )


class SentencePredictor(BasePredictor):
    """Labels each sentence on its own through `rule`, contexts ignored: what a sentence-only
    model does with an article, for the tests of the article-level passes."""

    def __init__(self, rule: Callable[[str], SentenceResult], name: str = "sentence-rules") -> None:
        self.rule = rule
        self.name = name

    def predict_batch(
        self, sentences: list[str], contexts: Sequence[str | None], **options: object
    ) -> list[SentenceResult]:
        return [self.rule(t) for t in sentences]
