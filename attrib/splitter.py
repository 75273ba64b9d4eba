"""Sentence splitting with exact character offsets: `text[start:end]` is the sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# A line break ends a sentence: headlines and bylines carry no final punctuation.
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def split_sentences(text: str) -> list[Sentence]:
    """Split an article into sentences; whitespace around each sentence is not part of it."""
    out: list[Sentence] = []
    for line in _LINE.finditer(text):
        cursor = line.start()
        for seg in _segmenter().segment(line.group()):
            words = seg.split()
            if not words:
                continue
            # pysbd's own char spans go wrong on repeated text ("A b. A b.") and it can drop a
            # space, so each segment is found again, in order, after the previous one.
            found = re.compile(r"\s*".join(map(re.escape, words))).search(text, cursor, line.end())
            if found is None:
                continue
            out.append(Sentence(found.start(), found.end(), found.group()))
            cursor = found.end()
    return out
