"""The single source of truth for label names, ids and BIO tag sets (see ../shared/LABELS.md)."""

from __future__ import annotations

ATTRIBUTION_LABELS: tuple[str, ...] = ("on_record", "according_to", "anonymous", "reportedly", "none")
CERTAINTY_LABELS: tuple[str, ...] = ("certain", "hedged", "speculative")
SPAN_KINDS: tuple[str, ...] = ("source", "cue", "hedge")

ATTRIBUTION2ID: dict[str, int] = {name: i for i, name in enumerate(ATTRIBUTION_LABELS)}
CERTAINTY2ID: dict[str, int] = {name: i for i, name in enumerate(CERTAINTY_LABELS)}

# Source and cue share one tagger (they never overlap); hedges get their own, since a hedge
# such as "reportedly" is often also the cue.
SOURCE_CUE_TAGS: tuple[str, ...] = ("O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE")
HEDGE_TAGS: tuple[str, ...] = ("O", "B-HEDGE", "I-HEDGE")

# Where a corpus gives a certainty class but no score, the score is the class's midpoint.
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
    if label is not None and label not in ATTRIBUTION2ID:
        raise ValueError(f"unknown attribution label {label!r}; expected one of {ATTRIBUTION_LABELS}")
    return label


def check_certainty(label: str | None) -> str | None:
    if label is not None and label not in CERTAINTY2ID:
        raise ValueError(f"unknown certainty label {label!r}; expected one of {CERTAINTY_LABELS}")
    return label
