"""The single source of truth for label names, ids, tag sets and the facts tied to them (LABELS.md)."""

from __future__ import annotations

import re

ATTRIBUTION_LABELS: tuple[str, ...] = ("on_record", "according_to", "anonymous", "reportedly", "none")
# Most to least certain: when hedges stack, the least certain wins (LABELS.md rule 2b.7).
CERTAINTY_LABELS: tuple[str, ...] = ("certain", "hedged", "speculative")
SPAN_KINDS: tuple[str, ...] = ("source", "cue", "hedge")
# The JSONL key of each span kind: "source" -> "source_char_spans".
SPAN_KEYS: dict[str, str] = {kind: f"{kind}_char_spans" for kind in SPAN_KINDS}

ATTRIBUTION2ID: dict[str, int] = {name: i for i, name in enumerate(ATTRIBUTION_LABELS)}
CERTAINTY2ID: dict[str, int] = {name: i for i, name in enumerate(CERTAINTY_LABELS)}
CERTAINTY_RANK: dict[str, int] = CERTAINTY2ID  # higher = less certain

# Attribution types that name or invoke a source (the others carry none in the sentence).
SOURCED: frozenset[str] = frozenset(("on_record", "according_to", "anonymous"))
# Certainty classes that soften the claim: the positive class of binary certainty.
UNCERTAIN: tuple[str, ...] = CERTAINTY_LABELS[1:]

# Source and cue share one tagger (they never overlap); hedges get their own, since a hedge
# such as "reportedly" is often also the cue.
SOURCE_CUE_TAGS: tuple[str, ...] = ("O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE")
HEDGE_TAGS: tuple[str, ...] = ("O", "B-HEDGE", "I-HEDGE")
# The label lists a checkpoint's config records, by config field: a checkpoint is only usable
# when each matches this attrib's exactly (AttribConfig and the ONNX runtime both check it).
CONFIG_LABEL_LISTS: dict[str, tuple[str, ...]] = {
    "attribution_labels": ATTRIBUTION_LABELS,
    "certainty_labels": CERTAINTY_LABELS,
    "source_cue_tags": SOURCE_CUE_TAGS,
    "hedge_tags": HEDGE_TAGS,
}

# The certainty score each class allows, [low, high]: a hedged claim is never scored as fact.
# Bands meet at their edges; a score on an edge belongs to the more certain class.
CERTAINTY_SCORE_BANDS: dict[str, tuple[float, float]] = {
    "certain": (0.8, 1.0),
    "hedged": (0.45, 0.8),
    "speculative": (0.0, 0.45),
}
# Where a corpus gives a certainty class but no score, the score is the class's typical value.
CERTAINTY_DEFAULT_SCORE: dict[str, float] = {"certain": 1.0, "hedged": 0.6, "speculative": 0.25}

# Label sets of the tagger heads, by span kind.
TAGSET_OF_KIND: dict[str, tuple[str, ...]] = {
    "source": SOURCE_CUE_TAGS,
    "cue": SOURCE_CUE_TAGS,
    "hedge": HEDGE_TAGS,
}

# Source kinds used by the article profile.
SOURCE_KINDS: tuple[str, ...] = ("person", "organisation", "publication", "unnamed")

IGNORE_INDEX = -100


def check_attribution(label: str | None) -> str | None:
    """Return the label unchanged, or raise ValueError naming the allowed values."""
    if label is not None and (not isinstance(label, str) or label not in ATTRIBUTION2ID):
        raise ValueError(f"unknown attribution label {label!r}; expected one of {ATTRIBUTION_LABELS}")
    return label


def check_certainty(label: str | None) -> str | None:
    if label is not None and (not isinstance(label, str) or label not in CERTAINTY2ID):
        raise ValueError(f"unknown certainty label {label!r}; expected one of {CERTAINTY_LABELS}")
    return label


def score_fits(certainty: str, score: float) -> bool:
    """Does `score` lie in the band of `certainty` (edges shared with the neighbour class count)?"""
    low, high = CERTAINTY_SCORE_BANDS[certainty]
    return low <= score <= high


def least_certain(labels: list[str] | tuple[str, ...], default: str = CERTAINTY_LABELS[0]) -> str:
    """The least certain of several certainty classes (stacked hedges, joined clauses)."""
    return max(labels, key=CERTAINTY_RANK.__getitem__, default=default)


assert all(score_fits(c, s) for c, s in CERTAINTY_DEFAULT_SCORE.items())


# Boilerplate lines vouch for nothing: `none` + `certain` whatever a predictor says (LABELS.md
# 2b.12): "Read Full Article at X", "X contributed to this report", copyright lines, "Read
# more: ...", photo and image credits.
BOILERPLATE = re.compile(
    r"^\W*(?:read (?:the )?full (?:article|story)\b|read more\s*:|(?:photo|image|photograph)s?\s*:"
    r"|copyright\b|©|all rights reserved)"
    r"|\bcontributed (?:to )?(?:this|the) (?:report|article|story)(?:\s+(?:for|from|in)\b[^.,;]*)?\W*$"
    r"|\ball rights reserved\W*$",
    re.IGNORECASE,
)


def is_boilerplate(text: str) -> bool:
    """A line that vouches for nothing (LABELS.md 2b.12): a predictor labels it `none` + `certain`
    and the profile leaves it out of its counts."""
    return bool(BOILERPLATE.search(text.strip()))
