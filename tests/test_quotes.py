"""Quote continuations (attrib.quotes): a quotation over several sentences is its speaker's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from attrib.analysis import analyze
from attrib.labelling import predict_records
from attrib.quotes import MAX_SENTENCES, continue_quotes, quotations
from attrib.result import SentenceResult, Span
from tests.fake import SentencePredictor


def _speaker(t: str) -> SentenceResult:
    """Sentence-only rules: "she said" / "he told" name a speaker (on_record), "officials said" an
    anonymous one; every other sentence is `none`, as a sentence-only model sees a continuation."""
    for word, attribution in (("officials", "anonymous"), ("she", "on_record"), ("he", "on_record")):
        at = t.find(f" {word} ")
        if at >= 0 and ("said" in t or "told" in t):
            span = Span(at + 1, at + 1 + len(word), word)
            return SentenceResult(t, attribution, "certain", 0.95, sources=(span,))
    return SentenceResult(t, "none", "certain", 0.95)


SPEAKERS = SentencePredictor(_speaker, "speakers")


def _labels(texts: list[str]) -> list[str]:
    results = SPEAKERS.predict(texts)
    return [r.attribution for r in continue_quotes(texts, results)]


def test_a_quotation_over_two_sentences_is_the_speakers() -> None:
    texts = ["The mayor spoke on Monday.", "“We will win.", "We have the votes,” she said.", "Rain fell."]
    assert quotations(texts) == [(1, 2)]
    assert _labels(texts) == ["none", "on_record", "on_record", "none"]


def test_the_continuation_gets_no_source_or_cue_span_but_keeps_its_probabilities() -> None:
    texts = ['"It is over.', 'We lost," officials said.']
    results = SPEAKERS.predict(texts)
    results = [replace(results[0], attribution_probs={"none": 0.9}), results[1]]
    first, second = continue_quotes(texts, results)
    assert (first.attribution, first.sources, first.cues) == ("anonymous", (), ())
    assert first.attribution_probs == {"none": 0.9}  # what the sentence alone suggested
    assert second == results[1]


def test_straight_curly_and_doubled_apostrophe_marks_all_count() -> None:
    assert quotations(['"One.', 'Two," he said.']) == [(0, 1)]
    assert quotations(["''One.", "Two,'' he said."]) == [(0, 1)]
    assert quotations(["“One.", "Two.", "Three,” he said."]) == [(0, 2)]
    # A quotation closed in its own sentence spans nothing.
    assert quotations(['"One," he said.', "Two."]) == []


def test_an_opening_mark_left_at_the_end_of_the_previous_sentence_opens_the_next() -> None:
    texts = ['"It works," she said. "', "It always did.", 'Always," she said.', "Then it rained."]
    assert quotations(texts) == [(1, 2)]
    assert _labels(texts) == ["on_record", "on_record", "on_record", "none"]


def test_no_speaker_or_two_kinds_of_speaker_leave_the_sentences_alone() -> None:
    assert _labels(["“It is over.", "We lost.”"]) == ["none", "none"]
    texts = ["“The officials said so.", "Nobody knows.", "Not really,” she said."]
    assert _labels(texts) == ["anonymous", "none", "on_record"]  # two kinds of speaker: no type to give


def test_a_quotation_longer_than_the_limit_is_taken_for_a_stray_mark() -> None:
    body = ["More words."] * MAX_SENTENCES
    texts = ["“It starts.", *body, "It ends,” she said."]
    assert _labels(texts)[0] == "none"
    short = ["“It starts.", *body[: MAX_SENTENCES - 2], "It ends,” she said."]
    assert _labels(short)[0] == "on_record"


@pytest.mark.parametrize("chunk_size", [1, 2, 1024])
def test_records_of_one_doc_id_are_one_article_across_chunks(chunk_size: int) -> None:
    records = [
        {"text": "“We will win.", "doc_id": "a"},
        {"text": "We have the votes,” she said.", "doc_id": "a"},
        # A new article: the quotation of "a" does not run into it.
        {"text": "“It rained.", "doc_id": "b"},
        {"text": "It rained.", "doc_id": "c"},
        {"text": "Then it stopped,” she said.", "doc_id": "c"},
        {"text": "“Alone.", "doc_id": None},
        {"text": "Alone too,” she said.", "doc_id": None},
    ]
    pairs = list(predict_records(records, SPEAKERS, chunk_size=chunk_size))
    assert [r["text"] for r, _ in pairs] == [r["text"] for r in records]  # order kept
    assert [res.attribution for _, res in pairs] == [
        "on_record",
        "on_record",
        "none",
        "none",  # the quotation opened in "b", not in "c"
        "on_record",
        "none",  # records without a doc_id are sentences on their own
        "on_record",
    ]


def test_progress_counts_every_sentence_once() -> None:
    records = [{"text": f"Line {i}.", "doc_id": "a"} for i in range(5)]
    seen: list[int] = []
    pairs = list(predict_records(records, SPEAKERS, chunk_size=2, on_progress=seen.append))
    assert len(pairs) == 5 and seen == [2, 2, 1]


def test_analyze_gives_a_continuation_its_speakers_type() -> None:
    text = "Budget talks resumed.\n\n“We will win. We have the votes,” she said. Rain fell."
    labels = [s.result.attribution for s in analyze(text, SPEAKERS).sentences]
    assert labels == ["none", "on_record", "on_record", "none"]
