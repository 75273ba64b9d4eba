"""Model outputs -> a `SentenceResult`: BIO tags to character spans, heads made to agree, chains.

Pure Python (no torch, no numpy), so the torch model and the ONNX Runtime backend decode alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attrib.labels import (
    ATTRIBUTION_LABELS,
    CERTAINTY_LABELS,
    CERTAINTY_SCORE_BANDS,
    HEDGE_TAGS,
    SOURCE_CUE_TAGS,
)
from attrib.result import Hop, SentenceResult, Span
from attrib.sources import ATTRIBUTION_OF_KIND, source_kind


def decode_sentence(
    text: str,
    attr_p: Sequence[float],
    cert_p: Sequence[float],
    score: float,
    sc_tags: Sequence[int],
    hd_tags: Sequence[int],
    offsets: Sequence[Sequence[int]],
    keep: Sequence[int],
) -> SentenceResult:
    """One sentence's result from its head outputs: class probabilities, the score, tag ids per
    token with their character offsets, and `keep` marking the sentence's own tokens."""
    sc = [SOURCE_CUE_TAGS[t] if k else "O" for t, k in zip(sc_tags, keep, strict=True)]
    hd = [HEDGE_TAGS[t] if k else "O" for t, k in zip(hd_tags, keep, strict=True)]
    spans = tags_to_spans(text, sc, offsets)
    sources, cues = tuple(spans.get("SOURCE", ())), tuple(spans.get("CUE", ()))
    hedges = tuple(tags_to_spans(text, hd, offsets).get("HEDGE", ()))
    attribution = ATTRIBUTION_LABELS[max(range(len(attr_p)), key=attr_p.__getitem__)]
    certainty = CERTAINTY_LABELS[max(range(len(cert_p)), key=cert_p.__getitem__)]
    # The heads agree with each other: spans belong to the governing attribution only, so a
    # `none` sentence has no source or cue, and a `certain` one no hedge (LABELS.md 3, 2b.6).
    if attribution == "none":
        sources, cues = (), ()
    if certainty == "certain":
        hedges = ()
    # The score lies in its class's band (a hedged claim is never scored as fact, 2.).
    low, high = CERTAINTY_SCORE_BANDS[certainty]
    score = min(max(float(score), low), high)
    return SentenceResult(
        text=text,
        attribution=attribution,
        certainty=certainty,
        certainty_score=score,
        attribution_probs={a: float(p) for a, p in zip(ATTRIBUTION_LABELS, attr_p, strict=True)},
        certainty_probs={c: float(p) for c, p in zip(CERTAINTY_LABELS, cert_p, strict=True)},
        sources=sources,
        cues=cues,
        hedges=hedges,
        chain=chain_from_sources(sources, attribution, text),
    )


def tags_to_spans(text: str, tags: Sequence[str], offsets: Sequence[Sequence[int]]) -> dict[str, list[Span]]:
    """BIO tags over tokens -> character spans by kind. A stray I- starts a new span."""
    spans: dict[str, list[Span]] = {}
    cur_kind: str | None = None
    cur: list[int] = []

    def close() -> None:
        if cur_kind is not None and cur[1] > cur[0]:
            start, end = _word_bounds(text, cur[0], cur[1])
            # A comma or colon tagged with its neighbour is not part of the name or cue.
            while end > start and text[end - 1] in _EDGE_PUNCT:
                end -= 1
            while start < end and text[start] in _EDGE_PUNCT:
                start += 1
            if end > start:
                spans.setdefault(cur_kind, []).append(Span(start, end, text[start:end]))

    for tag, (start, end) in zip(tags, offsets, strict=True):
        if start == end:
            continue  # special or padding token
        prefix, _, kind = tag.partition("-")
        # I- continues; so does a B- right after a span of its kind (a lone word gap would be
        # a second span, but "According | to" split by whitespace only is one cue).
        same = cur_kind is not None and kind == cur_kind
        if same and (prefix == "I" or not text[cur[1] : start].strip()):
            cur[1] = end
            continue
        close()
        cur_kind, cur = (kind, [start, end]) if prefix in ("B", "I") else (None, [])
    close()
    return spans


_EDGE_PUNCT = frozenset(" ,;:")


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words: a tag on a later word piece ("##fman") still means the word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def spans_to_tags(
    spans: dict[str, Sequence[Sequence[int]]], offsets: Sequence[Sequence[int]], n_tokens: int
) -> list[str]:
    """Character spans by kind -> BIO tags over tokens; a token belongs to a span it overlaps."""
    tags = ["O"] * n_tokens
    for kind, kind_spans in spans.items():
        for start, end in kind_spans:
            first = True
            for t, (ts, te) in enumerate(offsets):
                if ts == te or te <= start or ts >= end:
                    continue
                tags[t] = ("B-" if first else "I-") + kind
                first = False
    return tags


# A relay: the claim passes from an inner source through an outer one ("X reported that Y said",
# "according to X, Y ...", "X quoted Y as saying", "citing Y"). "Y told X" is no relay (2b.13).
_RELAY = re.compile(
    r"\b(?:according to|reported that|reports that|report(?:ed)? by|citing|cited"
    r"|quot(?:ed|ing)\b.*\bas saying)\b",
    re.IGNORECASE,
)


def chain_from_sources(sources: Sequence[Span], attribution: str, text: str = "") -> tuple[Hop, ...]:
    """A chain, outer to inner, only where the sentence relays an inner source through an outer
    one and names both; the inner hop takes the sentence's label. Never from any two spans."""
    if len(sources) < 2 or attribution == "none" or not _RELAY.search(text):
        return ()
    hops = [Hop(ATTRIBUTION_OF_KIND[source_kind(s.text)], s.text) for s in sources[:2]]
    hops[-1] = Hop(attribution, hops[-1].source)
    return tuple(hops)
