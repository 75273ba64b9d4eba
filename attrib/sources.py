"""What kind of source a source span names, and its normalised name (pure Python, no torch).

Shared by the profile (source table, alias merging), the lexicon baseline and the PolNeAR
type derivation, so all three agree on what counts as named, unnamed or documentary.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "i",
        "we",
        "you",
        "it",
        "who",
        "which",
        "that",
        "his",
        "her",
        "their",
        "its",
        "him",
        "them",
        "me",
        "us",
        "our",
        "my",
        "your",
        "whom",
        "this",
        "these",
    ]
)


@cache
def word_list(name: str) -> frozenset[str]:
    """A lower-cased word/phrase list from attrib/lexicons/NAME.txt (`#` starts a comment)."""
    text = resources.files("attrib").joinpath("lexicons", f"{name}.txt").read_text(encoding="utf-8")
    items = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(item for item in items if item)


_WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_HEAD_END = re.compile(
    r",|\(|\s(?:of|by|from|for|at|in|on|with|who|which|that|conducted|published|released|close)\s",
    re.IGNORECASE,
)


def _has_phrase(lower: str, phrases: frozenset[str]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", lower) for p in phrases)


def source_kind(text: str, ner: list[str] | None = None) -> str:
    """Classify a source span as person, organisation, publication, unnamed or pronoun.

    `ner` optionally gives CoreNLP-style tags of the span's tokens; it is only a tie-breaker,
    since automatic tags on news sources are noisy.
    """
    lower = " ".join(text.lower().split()).strip(" ,.;:'\"“”‘’")
    words = _words(text)
    if not words:
        return "unnamed"
    if lower in PRONOUNS:
        return "pronoun"
    if lower in word_list("capitals"):
        return "organisation"  # "Moscow warned", "Seoul said": the government speaks
    if _has_phrase(lower, word_list("anonymity")):
        return "unnamed"
    first = words[0].lower()
    # The head noun ends the first noun phrase: "early results of exit polls" -> "results".
    phrase = _HEAD_END.split(text, maxsplit=1)[0]
    head = (_words(phrase) or words)[-1].lower().strip(".'’")
    if _has_phrase(lower, word_list("outlets")) or head in word_list("documents"):
        return "publication"
    if any(w.lower() in word_list("documents") for w in words) and first in word_list("unnamed_determiners"):
        return "publication"
    if _masthead(text):
        return "publication"
    if _NAMED_VOICE.search(text):
        return "person"  # "Acme spokeswoman Jane Doe", "Post bureau chief Juliet Eilperin"
    if _has_phrase(lower, word_list("official_voices")) and (
        any(w[0].isupper() for w in words[1:]) or _has_phrase(lower, word_list("organisations"))
    ):
        return "organisation"  # "an ICE spokeswoman", "a spokesman for the ministry" speak for the body
    if first in word_list("unnamed_determiners"):
        return "unnamed"
    if len(words) == 1 and (head in word_list("groups") or (head.endswith("s") and words[0].islower())):
        return "unnamed"  # bare plurals: "officials", "Republicans", "aides"
    if head in word_list("groups") and not any(w[0].isupper() for w in words[1:-1]):
        return "unnamed"  # "many Democrats", "senior officials", "House Republicans" stays named below
    if _has_phrase(lower, word_list("organisations")):
        return "organisation"
    if ner:
        tags = {t for t in ner if t and t != "O"}
        if "ORGANIZATION" in tags:
            return "organisation"
        if "PERSON" in tags:
            return "person"
    # A capitalised word or a definite role ("the president", "his spokesman") is identifiable.
    return "person"


# A role word followed by a name at the end of the span.
_NAMED_VOICE = re.compile(
    r"\b(?i:spokes(?:man|woman|person)|secretary|officer|director|executive|chair(?:man|woman)?"
    r"|president|minister|chief|editor|correspondent|reporter|analyst|economist|adviser|aide"
    r"|official|head|manager|leader|governor|mayor|senator)\s+(?:[A-Z][\w.’'-]*\s+)*[A-Z][\w’'-]+$"
    r"|,\s+(?:[A-Z][\w.’'-]*\s+)+[A-Z][\w’'-]+$"  # "the head of NATO, Hoop Scheffer"
)
_NAME_WORD = re.compile(r"[A-Z][\w.’'&]*(?:-[A-Za-z][\w’']*)*")


def _masthead(text: str) -> bool:
    """A proper name whose last word (or its last hyphen part) is a masthead word: "the
    Sun-Sentinel", "The Chicago Tribune", "KING-TV", "GB News"."""
    words = text.strip(" ,.;:'\"“”‘’()").split()
    while words and words[0].lower() in {"the", "broadcaster", "newspaper"}:
        words = words[1:]
    if not words or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    last = words[-1].lower().strip(".'’")
    return last.rsplit("-", 1)[-1] in word_list("mastheads")  # "sun-sentinel" -> "sentinel"


ATTRIBUTION_OF_KIND = {
    "person": "on_record",
    "organisation": "on_record",
    "pronoun": "on_record",
    "publication": "according_to",
    "unnamed": "anonymous",
}


def normalise_name(text: str) -> str:
    """Lower-cased name without titles, determiners, possessives and punctuation."""
    words = [w.lower().strip(".'’-") for w in _words(text)]
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
    drop = word_list("titles") | {"the", "a", "an"}
    kept = [w for w in words if w and w not in drop]
    return " ".join(kept or words)
