"""The article-level passes, in order, in one place for `analyze` and `predict_records`.

A sentence-only model cannot see who speaks in a sentence that names no one; these passes give
such sentences their speaker's type from the article around them: a quotation over several
sentences is its speaker's (`attrib.quotes`), a Q&A interview's answers are the interviewee's
(`attrib.interviews`)."""

from __future__ import annotations

from collections.abc import Sequence

from attrib.interviews import continue_interviews
from attrib.quotes import continue_quotes
from attrib.result import SentenceResult


def continue_article(texts: Sequence[str], results: Sequence[SentenceResult]) -> list[SentenceResult]:
    """One article's results (sentences in order) after every article-level pass."""
    return continue_interviews(texts, continue_quotes(texts, results))
