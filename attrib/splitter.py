"""Sentence splitting with exact character offsets: `text[start:end]` is the sentence.

syntok segments each line (a line break always ends a sentence: headlines, bylines); news rules
then fix what news quoting conventions break (closing quotes, quoted questions with their
speaker, datelines, plural titles, capitals headlines). Chosen by measurement against pysbd,
sentencex and blingfire on gold segmentations: `python -m training.splitbench`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import syntok.segmenter as syntok

# A line break ends a sentence: headlines and bylines carry no final punctuation.
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
# Very long lines go to the segmenter in windows of at most WINDOW characters, cut after a
# sentence end where there is one, so splitting stays linear whatever the input.
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
        spans: list[tuple[int, int]] = []
        for lo, hi in _windows(text, line.start(), line.end(), WINDOW):
            for paragraph in syntok.analyze(text[lo:hi]):
                for sentence in paragraph:
                    tokens = list(sentence)
                    if tokens:  # syntok's offsets are exact: no search needed
                        spans.append((lo + tokens[0].offset, lo + tokens[-1].offset + len(tokens[-1].value)))
        for start, end in news_rules(text, spans):
            for a, b in _windows(text, start, end, MAX_SENTENCE):
                piece = text[a:b]
                a, b = a + len(piece) - len(piece.lstrip()), b - (len(piece) - len(piece.rstrip()))
                if b > a and _VISIBLE.search(text, a, b):
                    out.append(Sentence(a, b, text[a:b]))
    return out


_CLOSING = "\u201d\u2019\u00bb"  # ” ’ »
# A dateline ("WASHINGTON (AP) —", "SEOUL, March 3 (Reuters) -") opens the first sentence.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'-]+(?:[ ,]+[A-Z][A-Za-z.'-]*)*(?:,? [A-Z][a-z]{2,8}\.? \d{1,2})?\s*"
    r"(?:\([A-Za-z .]+\)\s*[—–-]*|[—–-]+)$"  # it ends in "(AP)", "(Reuters) -" or a dash
)
_SAID = re.compile(r"[a-z(]|\u2014|--|-\s")  # a lower-case word, a bracket or a dash goes on
# '"Why?" Lichtman said' / '"Why?" Sen. Jane Roe asked': a named speaker and a speech verb.
_NAMED_SAID = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|asked|asks|told|added|wrote|replied|shouted|stated|noted)\b"
)
# Plural and rarer titles the segmenter takes for a sentence end ("Govs. Jeb Bush and ...").
_TITLE_END = re.compile(r"\b(?:Govs|Sens|Reps|Drs|Gens|Messrs|Mmes|Lt|Col|Capt|Sgt|Prof|Rev|Gov|Sen|Rep)\.$")
# A headline in capitals with its attribution after a dash: "... AS THEY VOTED - Jane Roe: ...".
_CAPS_DASH = re.compile("(?<=[A-Z’'\\]]) (?=[-–—] [A-Z][a-z]|[“\"][A-Z])")
# An opening quote with a capital after a sentence end: a new sentence, often a new speaker.
_NEW_QUOTE = re.compile(r"(?<=[.!?]) +(?=[“\"][A-Z])")


def _closes(text: str, start: int, before: str) -> bool:
    """Does the quote mark at `start` close a quote opened in `before`?"""
    ch = text[start]
    if ch in _CLOSING:
        return True
    return ch == '"' and before.count('"') % 2 == 1


def news_rules(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """News fixes on one line's sentence spans (offsets into `text`):

    - a closing quote mark cut off at the start of a sentence goes back to the one it closes
      (never `" Goldfine, 39, has worked ...` read as a quote continuation);
    - a quoted question or exclamation followed by its attribution in lower case is one sentence
      ('"Why now?" she asked.');
    - a dateline cut off on its own opens the sentence after it ("WASHINGTON (AP) — The ...").
    """
    out: list[list[int]] = []
    for a, b in spans:
        if out:
            prev = text[out[-1][0] : out[-1][1]]
            # A closing quote (and white space) at the start of this sentence belongs to the last.
            if a < b and text[a] in _CLOSING + '"' and _closes(text, a, prev):
                end = a + 1
                if end >= b or text[end].isspace():
                    out[-1][1] = end
                    a = end
                    while a < b and text[a].isspace():
                        a += 1
                    if a >= b:
                        continue
            prev = text[out[-1][0] : out[-1][1]].rstrip()
            if re.search(r"[?!][\u201d\u2019\"]$", prev) and (
                _SAID.match(text, a) or _NAMED_SAID.match(text, a)
            ):
                out[-1][1] = b
                continue
            if _TITLE_END.search(prev) and text[a : a + 1].isupper():
                out[-1][1] = b
                continue
            if _DATELINE.match(text[out[-1][0] : out[-1][1]]) and len(out) == 1:
                out[-1][1] = b
                continue
        out.append([a, b])
    return [piece for a, b in out for piece in _new_speaker_cuts(text, a, b)]


def _new_speaker_cuts(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Cuts the segmenter misses where a new speaker starts: after a capitals headline (before its
    dash or opening quote), after a stray full stop, and before a quote that opens after a
    sentence end outside any quote. The caller trims white space and drops empty pieces."""
    cuts = []
    for m in _CAPS_DASH.finditer(text, a, b):
        head = text[a : m.start()]
        if len(head) >= 20 and head.upper() == head and sum(c.isalpha() for c in head) >= 15:
            cuts.append(m.start())
            break
    for m in _NEW_QUOTE.finditer(text, a, b):
        before = text[a : m.start()]
        balanced = before.count("\u201c") == before.count("\u201d") and before.count('"') % 2 == 0
        if balanced and (m.start() - a > 1 or before in ".!?"):
            cuts.append(m.start())
    return list(itertools.pairwise([a, *sorted(set(cuts)), b]))
