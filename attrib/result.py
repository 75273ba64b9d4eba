"""Frozen result types shared by every predictor, the profile and the reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """A `[start, end)` character span into the sentence text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hop:
    """One hop of an attribution chain, outer to inner: `[according_to: SBS]`."""

    type: str
    source: str

    def __str__(self) -> str:
        return f"[{self.type}: {self.source}]"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SentenceResult:
    """What a predictor says about one sentence (LABELS.md fields plus probabilities)."""

    text: str
    attribution: str
    certainty: str
    certainty_score: float
    attribution_probs: dict[str, float] = field(default_factory=dict)
    certainty_probs: dict[str, float] = field(default_factory=dict)
    sources: tuple[Span, ...] = ()
    cues: tuple[Span, ...] = ()
    hedges: tuple[Span, ...] = ()
    chain: tuple[Hop, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The LABELS.md JSONL record of this prediction, plus probabilities and chain."""
        return {
            "text": self.text,
            "attribution": self.attribution,
            "certainty": self.certainty,
            "certainty_score": round(self.certainty_score, 4),
            "source_char_spans": [[s.start, s.end] for s in self.sources],
            "cue_char_spans": [[s.start, s.end] for s in self.cues],
            "hedge_char_spans": [[s.start, s.end] for s in self.hedges],
            "attribution_probs": {k: round(v, 4) for k, v in self.attribution_probs.items()},
            "certainty_probs": {k: round(v, 4) for k, v in self.certainty_probs.items()},
            "chain": [h.to_dict() for h in self.chain],
        }


def spans_from_offsets(text: str, offsets: list[list[int]] | list[tuple[int, int]]) -> tuple[Span, ...]:
    """Build Span objects from `[start, end)` pairs into `text`."""
    return tuple(Span(int(s), int(e), text[int(s) : int(e)]) for s, e in offsets)


@dataclass(frozen=True)
class ArticleSentence:
    """A predicted sentence placed in its article: `article[start:end] == result.text`."""

    index: int
    start: int
    end: int
    result: SentenceResult

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, **self.result.to_dict()}
