"""Model outputs -> a `SentenceResult`: BIO tags to character spans, heads made to agree, chains.

Pure Python (no torch, no numpy), so the torch model and the ONNX Runtime backend decode alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

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
    sources, cues, chain = sources_and_chain(text, sources, cues, attribution)
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
        chain=chain,
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


# --------------------------------------------------------------------------- sources and chains
# The span head tags word pieces, so one name often comes out in fragments ("The" | "History" |
# "section of the site") and a name with its apposition ("Jeff Rathke" | "the State Department
# spokesperson"). The rules below make one span per hop, named the way LABELS.md 3 names it.

_FUNCTION_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "in",
        "and",
        "to",
        "with",
        "at",
        "for",
        "by",
        "on",
        "from",
        "who",
        "which",
        "that",
        "s",
        "'s",
        "’s",
        "-",
        "--",
        "–",
        "—",
        "as",
        "his",
        "her",
        "their",
        "its",
    }
)
_LEAD_CUE = re.compile(r"^(?:citing|quoting|according to)\s+", re.IGNORECASE)
_LEAD_WORDS = re.compile(r"^(?:(?:and|but|even|so|also|yet|then|by)\s+)+", re.IGNORECASE)
# A fragment gap that can sit inside one name: a few characters, no clause break, no quote mark.
_INNER_GAP = re.compile(r"^[^;:“”\"()\n]{0,24}$")
_QUOTED_WORD_GAP = re.compile(r"^[\s\"“”']{1,3}$")  # The "History" section
_SPEECH_IN_GAP = re.compile(r"\b(?:said|says|say|told|added|according)\b", re.IGNORECASE)
# "Name, apposition" / "Name (party-state)": the name alone is the source (the annotators' usage).
_NAME = r"(?:(?:[A-Z][\w.’'&-]*|de|van|von|al|bin|del|da|la|of)\s+)*[A-Z][\w.’'&-]*"
_APPOSITION = re.compile(
    r"^(.*?\b[A-Z][\w.’'&-]*),\s+(?:[a-z0-9]|(?:the|a|an|who|which)\b|(?:[A-Z][\w.&-]*\s+)*[A-Z][\w.&-]*[’']s\s)"
)  # "Uzi Arad, Mr. Netanyahu's former adviser": a possessive apposition too
_PAREN_TAIL = re.compile(rf"^({_NAME})\s+\(")
# A trailing relative pronoun, resumptive pronoun or time word is not part of the name.
_RELATIVE_TAIL = re.compile(
    r",?\s+(?:(?i:who|which|that|whose|he|she|they)|today|yesterday|tonight)$"  # "Today": a masthead
)


_CUE_GAP = re.compile(r"\s+(?:[\w’']+\s+)?")  # "has | recently | revealed": one word apart
_CUE_LEAD = re.compile(r"(?:also|previously|later|then)\s+", re.IGNORECASE)
_CUE_TAIL = re.compile(r"\s+(?:in|at|the|a|an|with|on)$")
# LABELS.md 3 / decision log rule 3: the recipient and the medium are no part of the cue.
_CUE_OBJECT = re.compile(r"^(told)\s+(?!reporters$)\S|^(said|says|wrote|writes)\s+(?:in|at|on)\s", re.I)


def trim_cue(text: str, span: Sequence[int]) -> list[int]:
    """A cue span without its recipient or medium ("told Reuters" -> "told", "said in a statement"
    -> "said"); the fixed "told reporters" stays whole."""
    start, end = span
    m = _CUE_OBJECT.match(text[start:end])
    return [start, start + len(m.group(1) or m.group(2))] if m else [start, end]


def tidy_cues(text: str, cues: Sequence[Span]) -> list[Span]:
    """Cue fragments one word apart joined ("has recently revealed"), a leading "also" and a
    trailing preposition or article dropped ("said in" -> "said"), bare function words removed:
    the annotators' cue is the reporting words themselves (LABELS.md 3)."""
    joined: list[tuple[int, int]] = []
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        if joined and len(gap := text[joined[-1][1] : cue.start]) <= 14 and _CUE_GAP.fullmatch(gap):
            joined[-1] = (joined[-1][0], cue.end)
        else:
            joined.append((cue.start, cue.end))
    out = []
    for start, end in joined:
        lead = _CUE_LEAD.match(text, start, end)
        if lead and lead.end() < end:
            start = lead.end()
        tail = _CUE_TAIL.search(text[start:end])
        if tail:
            end = start + tail.start()
        start, end = trim_cue(text, (start, end))
        if not _is_function(text[start:end]) and text[start:end].strip().casefold() not in {"out", "up"}:
            out.append(Span(start, end, text[start:end]))
    return out


def _is_function(text: str) -> bool:
    return text.strip(" .,").casefold() in _FUNCTION_WORDS


def tidy_sources(text: str, sources: Sequence[Span], cues: Sequence[Span]) -> list[Span]:
    """Fragments of one name joined, a name's apposition dropped, bare function words and
    leading conjunctions removed, an unclosed parenthesis closed."""
    merged: list[tuple[int, int]] = []
    for span in sorted(sources, key=lambda x: (x.start, x.end)):
        if merged:
            start, end = merged[-1]
            gap = text[end : span.start]
            cue_between = any(c.start >= end and c.end <= span.start for c in cues)
            # "According to O, I said": the comma ends the relaying source, not a name.
            via_cue = _cue_before(start, cues)
            via = "," in gap and via_cue is not None and bool(_VIA.fullmatch(via_cue.text))
            inner = _INNER_GAP.match(gap) or _QUOTED_WORD_GAP.match(gap)
            if span.start < end or (
                not cue_between
                and not via
                and inner
                and not _SPEECH_IN_GAP.search(gap)
                and not _LEAD_CUE.match(span.text)
            ):
                merged[-1] = (start, max(end, span.end))
                continue
        merged.append((span.start, span.end))
    out = []
    for start, end in merged:
        if re.match(r"[’']s\b", text[start:end]):
            # "'s advisers": the possessor is part of the name ("Trump's advisers").
            start = re.search(r"[\w.&-]*$", text[:start]).start()  # type: ignore[union-attr]
        piece = text[start:end]
        lead = _LEAD_WORDS.match(piece) or _LEAD_CUE.match(piece)
        if lead and lead.end() < len(piece):
            start += lead.end()
            piece = text[start:end]
        tail = _RELATIVE_TAIL.search(piece)
        if tail and tail.start() > 0:
            end = start + tail.start()
            piece = text[start:end]
        head = _APPOSITION.match(piece) or _PAREN_TAIL.match(piece)
        if head:
            end = start + len(head.group(1))
        elif piece.count("(") > piece.count(")") and text[end : end + 1] == ")":
            end += 1
        if not _is_function(text[start:end]):
            out.append(Span(start, end, text[start:end]))
    return out


_VIA = re.compile(r"according to|as (?:quoted|reported) by", re.IGNORECASE)
_RELAY_VIA = re.compile(r"\b(?:quot(?:ed|ing)|citing|cited)\b", re.IGNORECASE)
_AS_REPORTED = re.compile(r"\b(?:as|was)\s+(?:reported|quoted)\s+by\b", re.IGNORECASE)
# "Y told X": X only receives the statement and is no hop (LABELS.md 2b.13).
_RECIPIENT = re.compile(r"(?:told|tells|tell|wrote to|writes to|informed|briefed)\b", re.IGNORECASE)
_POLL = re.compile(r"\b(?:polls?|polling|surveys?)\b", re.IGNORECASE)
_RESPONDENTS = re.compile(
    r"\b(?:majorit(?:y|ies)|minorit(?:y|ies)|percent|per cent|voters|respondents|Americans|adults)\b"
    r"|%|^(?:of|most|half)\b|\bthose (?:surveyed|polled|asked|questioned)\b",
    re.IGNORECASE,
)
_PARALLEL = re.compile(r",\s*(?:while|but|whereas|and)\b|;|\bwhile\b", re.IGNORECASE)


def _cue_after(span: Span, cues: Sequence[Span], within: int = 2) -> Span | None:
    return next((c for c in cues if 0 <= c.start - span.end <= within), None)


def _cue_before(start: int, cues: Sequence[Span]) -> Span | None:
    """The cue ending right before `start` ("according to | Yonhap")."""
    return next((c for c in cues if 0 <= start - c.end <= 2), None)


def _speech_after(span: Span, cues: Sequence[Span], text: str = "") -> bool:
    """The source is followed by its own cue, a verb rather than a preposition ("to", "of"); with
    `text`, not a participle after a comma ("O hammered I, calling him ...": I is O's object)."""
    cue = _cue_after(span, cues, 3)
    if cue is None or cue.text.split()[0].casefold() in _FUNCTION_WORDS:
        return False
    return not text or "," not in text[span.end : cue.start]


def relay_pair(text: str, sources: Sequence[Span], cues: Sequence[Span]) -> tuple[Span, Span] | None:
    """(outer, inner) where the sentence relays one source through another (LABELS.md 2b.13):
    "according to O, I said", "O said (that) I believes", "O, quoting I", "I said ..., as
    reported by O". Two sources side by side ("O said ..., while I said") are no relay, nor is
    "O said, I ..." (O vouches for all that follows) or "I did X, according to O" (O vouches
    for a detail of I's act)."""
    for a, b in pairwise(sources):
        between = text[a.end : b.start]
        if _PARALLEL.search(between):
            continue
        cue_a = _cue_after(a, cues)
        via_a = _cue_before(a.start, cues)
        # according to O, I <cue>
        if via_a and _VIA.fullmatch(via_a.text) and _speech_after(b, cues) and len(between) <= 4:
            return a, b
        # O, quoting / citing I; I, cited by / quoted by O
        if _RELAY_VIA.search(between) and len(between) <= 14:
            return (b, a) if re.search(r"\bby\b", between) else (a, b)
        # O <cue> (that) I <cue>
        if (
            cue_a
            and cue_a.text.split()[0].casefold() not in _FUNCTION_WORDS
            and not _RECIPIENT.match(cue_a.text)
            and re.fullmatch(r"\s*(?:that\s+)?", text[cue_a.end : b.start])
            and _speech_after(b, cues, text)
        ):
            return a, b
        # I <cue> ..., as reported by O / according to O (not inside a relative clause of I's)
        via_b = _cue_before(b.start, cues)
        posted = _AS_REPORTED.search(text[max(a.end, b.start - 20) : b.start]) or (
            via_b
            and via_b.text.casefold() == "according to"
            and not re.search(r"\bthat\s*$", text[: via_b.start])
        )
        if cue_a and posted and not re.search(r"\b(?:which|who|whose)\b", between):
            # "O reports that ... according to I": the later source is inside O's content.
            opens = re.match(r"\s*(?:that\b|:)", text[cue_a.end :])
            return (a, b) if opens else (b, a)
    return None


def sources_and_chain(
    text: str, sources: Sequence[Span], cues: Sequence[Span], attribution: str
) -> tuple[tuple[Span, ...], tuple[Span, ...], tuple[Hop, ...]]:
    """(sources, cues, chain), one source per hop: a relay keeps its two sources (the chain outer
    to inner, the inner hop with the sentence's label); otherwise the source nearest a cue stays."""
    if attribution == "none":
        return (), (), ()
    cues = tidy_cues(text, cues)
    tidy = tidy_sources(text, sources, cues)
    if any(_POLL.search(s.text) for s in tidy):
        # A poll's respondents ("most voters said") are no source and no hop (decision log rule 22).
        tidy = [s for s in tidy if _POLL.search(s.text) or not _RESPONDENTS.search(s.text)]
    pair = relay_pair(text, tidy, cues) if len(tidy) > 1 else None
    if pair:
        outer, inner = pair
        hops = (Hop(ATTRIBUTION_OF_KIND[source_kind(outer.text)], outer.text), Hop(attribution, inner.text))
        return tuple(sorted(pair, key=lambda s: s.start)), tuple(cues), hops
    if len(tidy) > 1:
        tidy = [min(tidy, key=lambda s: min((_distance(s, c) for c in cues), default=s.start))]
    return tuple(tidy), tuple(cues), ()


def _distance(a: Span, b: Span) -> int:
    return max(b.start - a.end, a.start - b.end, 0)
