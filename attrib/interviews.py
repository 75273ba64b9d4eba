"""Question-and-answer interviews: the answers are the interviewee's (docs/labels.md, Interviews).

A Q&A transcript names its speaker once, in the standfirst; every answer after that is an
`on_record` continuation with no source in the sentence, and a sentence-only model says `none`
("Sports in the United States largely reaffirm existing relations of power."). The interviewer's
questions are `none`. This pass runs over an article's sentences in order and, when the article
reads as a Q&A interview, gives the answers the model left `none` the type `on_record` (no source
or cue span: the speaker is not in the sentence) and makes the interviewer's questions `none`.
Pure Python; the heads' probabilities are kept, as in `attrib.quotes`.

An article reads as an interview when one of its first sentences says so ("Wikinews interviews
...", "An interview with ...", "Q&A") and at least two of its questions, asked outside any
quotation, address the reader's "you" (or carry a "Q:" prefix). A news story that quotes an
interview ("... she said in an interview. 'Do you ...?'") has its questions inside quotation marks
and is left alone.

Checked on our real-news training split (not used to write the rule), with a labeller that is
right wherever a sentence names its source and says `none` elsewhere: 11 of its 16 Wikinews
interviews and a Politico Q&A are taken as interviews, and none of its other articles; 517 of the
549 sentences relabelled `on_record` (94.2%) are `on_record` in the gold, and 79 of the 84
questions made `none` are `none`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from attrib.quotes import quotations
from attrib.result import SentenceResult

# The standfirst says it is an interview within the first few sentences (headline, dateline).
HEADLINE_SENTENCES = 4
# Two questions to "you" make a transcript; a story quoting one rhetorical question does not.
MIN_QUESTIONS = 2
_INTERVIEW = re.compile(r"\binterview(?:s|ed)?\b|\bQ\s?&\s?A\b", re.IGNORECASE)
_YOU = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_Q_PREFIX = re.compile(r"^\s*Q\s*[:.]\s")
# Quotation marks; apostrophes (' and the curly ’) are left out: "What's", "don’t".
_QUOTE_MARK = re.compile(r"[\"“”‘]|``")
# An answer ends like a sentence; a heading ("On NATO") or a bare name line does not.
_SENTENCE_END = re.compile(r"[.!?…\"”’')\]]\s*$")
# Photo captions and credits, editor's notes in brackets: the publication's, not the interviewee's.
_NOT_ANSWER = re.compile(r"^\s*(?:(?:image|photo|picture|source|credit)s?\s*[:;]|[(\[])", re.IGNORECASE)


def _is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"”’'").endswith("?")


def _is_turn(text: str) -> bool:
    """A question, or a line with a "Q:" prefix."""
    return _is_question(text) or bool(_Q_PREFIX.match(text))


def questions(texts: Sequence[str]) -> list[int]:
    """Indices of the questions asked outside any quotation: candidate interviewer turns."""
    quoted = {k for first, last in quotations(texts) for k in range(first, last + 1)}
    return [
        i
        for i, text in enumerate(texts)
        if _is_turn(text) and not _QUOTE_MARK.search(text) and i not in quoted
    ]


def _to_interviewee(text: str) -> bool:
    return bool(_YOU.search(text) or _Q_PREFIX.match(text))


def _is_interview(texts: Sequence[str], asked: Sequence[int]) -> bool:
    if not any(_INTERVIEW.search(t) for t in texts[:HEADLINE_SENTENCES]):
        return False
    return sum(_to_interviewee(texts[i]) for i in asked) >= MIN_QUESTIONS


def _answers(texts: Sequence[str], asked: Sequence[int]) -> list[int]:
    # `asked` is not empty here: an interview has at least MIN_QUESTIONS questions.
    return [
        i
        for i in range(asked[0] + 1, len(texts))
        if not _is_turn(texts[i]) and _SENTENCE_END.search(texts[i]) and not _NOT_ANSWER.match(texts[i])
    ]


def is_interview(texts: Sequence[str]) -> bool:
    """Whether the article reads as a Q&A interview (see the module docstring)."""
    return _is_interview(texts, questions(texts))


def answers(texts: Sequence[str]) -> list[int]:
    """Indices of the interviewee's answers: the sentences after the first question that are no
    question themselves, end like a sentence and are no caption or bracketed note."""
    asked = questions(texts)
    return _answers(texts, asked) if _is_interview(texts, asked) else []


def continue_interviews(texts: Sequence[str], results: Sequence[SentenceResult]) -> list[SentenceResult]:
    """The article's results with a Q&A interview's answers `on_record` and its questions `none`."""
    out = list(results)
    asked = questions(texts)  # once per article: it scans the whole article's quotations
    if not _is_interview(texts, asked):
        return out
    for i in _answers(texts, asked):
        if out[i].attribution == "none":
            out[i] = replace(out[i], attribution="on_record", sources=(), cues=(), chain=())
    for i in asked:
        if _to_interviewee(texts[i]) and out[i].attribution != "none":
            out[i] = replace(out[i], attribution="none", sources=(), cues=(), chain=())
    return out
