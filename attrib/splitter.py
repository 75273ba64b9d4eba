"""Sentence splitting with exact character offsets: `text[start:end]` is the sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# A line break ends a sentence: headlines and bylines carry no final punctuation.
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
# pysbd is superlinear in its input: very long lines go to it in windows of at most WINDOW
# characters, cut after a sentence end where there is one, so splitting stays linear.
WINDOW = 4000
# No sentence is longer than this: a run of text without sentence ends is cut at white space
# (so every predictor's cost per sentence is bounded too).
MAX_SENTENCE = 1000
_VISIBLE = re.compile(r"[^\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")  # not space, not zero-width


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def _windows(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """[start, end) cut into pieces of at most `size`, after ". " or at white space where possible."""
    out = []
    while end - start > size:
        cut = max(text.rfind(". ", start, start + size), text.rfind("? ", start, start + size))
        if cut <= start:
            cut = text.rfind(" ", start, start + size)
        cut = cut + 1 if cut > start else start + size
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Split an article into sentences; whitespace around each sentence is not part of it.

    Linear in the text's length: long lines are split in windows, and no sentence is longer
    than MAX_SENTENCE characters. Pieces with no visible character (only zero-width marks) are
    not sentences.
    """
    out: list[Sentence] = []
    for line in _LINE.finditer(text):
        for lo, hi in _windows(text, line.start(), line.end(), WINDOW):
            cursor = lo
            for seg in _segmenter().segment(text[lo:hi]):
                words = seg.split()
                if not words:
                    continue
                # pysbd's own char spans go wrong on repeated text ("A b. A b.") and it can drop a
                # space, so each segment is found again, in order, after the previous one.
                found = re.compile(r"\s*".join(map(re.escape, words))).search(text, cursor, hi)
                if found is None:
                    continue
                cursor = found.end()
                for a, b in _windows(text, found.start(), found.end(), MAX_SENTENCE):
                    piece = text[a:b]
                    a, b = a + len(piece) - len(piece.lstrip()), b - (len(piece) - len(piece.rstrip()))
                    if b > a and _VISIBLE.search(text, a, b):
                        out.append(Sentence(a, b, text[a:b]))
    return out
