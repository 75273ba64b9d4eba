"""Q&A interviews (attrib.interviews): the answers are the interviewee's, the questions `none`."""

from __future__ import annotations

from attrib.analysis import analyze
from attrib.interviews import answers, continue_interviews, is_interview, questions
from attrib.labelling import predict_records
from attrib.result import SentenceResult, Span
from tests.fake import SentencePredictor

# A made-up transcript in the shape of a Wikinews interview.
TRANSCRIPT = [
    "Wikinews interviews harbour pilot Ana Ruiz",  # 0 headline
    "Ruiz has guided ships into the port for twenty years.",  # 1 standfirst
    "Image: Port authority.",  # 2 caption before the first question
    "What do you think of the new channel?",  # 3 question
    "It is far too narrow for the big container ships.",  # 4 answer
    "Nobody asked the pilots before they dug it.",  # 5 answer
    "On safety",  # 6 heading
    "Have you seen accidents?",  # 7 question
    "Two, both at night.",  # 8 answer
    "Photo: Ana Ruiz on the bridge.",  # 9 caption
    "[Ed.: the port declined to comment.]",  # 10 editor's note
    "Will the port listen?",  # 11 an answer's own question
]


def _sentence_only(t: str) -> SentenceResult:
    """What a sentence-only model does with a transcript: every sentence `none`, except that a
    question to "you" is taken for someone's words (`on_record`, with a source span)."""
    at = t.find("you")
    if at >= 0:
        return SentenceResult(t, "on_record", "speculative", 0.2, sources=(Span(at, at + 3, "you"),))
    return SentenceResult(t, "none", "certain", 0.95)


SENTENCE_ONLY = SentencePredictor(_sentence_only, "sentence-only")


def _labels(texts: list[str]) -> list[str]:
    return [r.attribution for r in continue_interviews(texts, SENTENCE_ONLY.predict(texts))]


def test_a_transcripts_answers_are_on_record_and_its_questions_none() -> None:
    assert is_interview(TRANSCRIPT)
    assert questions(TRANSCRIPT) == [3, 7, 11]
    # Headline, standfirst and caption come before the first question; the heading, captions and
    # the bracketed note are the publication's.
    assert answers(TRANSCRIPT) == [4, 5, 8]
    labels = _labels(TRANSCRIPT)
    assert [labels[i] for i in (4, 5, 8)] == ["on_record"] * 3
    assert [labels[i] for i in (0, 1, 2, 6, 9, 10, 11)] == ["none"] * 7
    assert labels[3] == labels[7] == "none"


def test_relabelled_sentences_carry_no_spans_and_keep_their_probabilities() -> None:
    results = SENTENCE_ONLY.predict(TRANSCRIPT)
    out = continue_interviews(TRANSCRIPT, results)
    assert (out[4].attribution, out[4].sources, out[4].cues, out[4].chain) == ("on_record", (), (), ())
    assert out[3].sources == () and out[3].certainty == "speculative"
    assert out[4].attribution_probs == results[4].attribution_probs
    assert out[0] == results[0]


def test_q_and_a_prefixes_count_as_turns() -> None:
    texts = [
        "Q&A: the mayor on the budget",
        "Q: Why cut the buses now?",
        "We have no money left.",
        "Q: Will fares go up?",
        "Not this year.",
    ]
    assert is_interview(texts)
    assert _labels(texts) == ["none", "none", "on_record", "none", "on_record"]


def test_a_news_story_quoting_an_interview_is_left_alone() -> None:
    texts = [
        "The senator spoke to a radio station in an interview on Friday.",
        "“Do you think they will listen?” she asked.",
        "“Would you vote for it?",
        "I would not,” she said.",
        "The bill failed.",
    ]
    assert questions(texts) == []  # every question is inside quotation marks
    assert not is_interview(texts)
    assert continue_interviews(texts, SENTENCE_ONLY.predict(texts)) == SENTENCE_ONLY.predict(texts)


def test_questions_without_an_interview_standfirst_or_with_one_question_are_left_alone() -> None:
    no_standfirst = [t.replace("Wikinews interviews", "Meet") for t in TRANSCRIPT]
    assert not is_interview(no_standfirst)
    one_question = [t for i, t in enumerate(TRANSCRIPT) if i != 7]
    assert not is_interview(one_question)
    assert _labels(one_question)[4] == "none"


def test_predict_records_and_analyze_apply_the_pass_per_article() -> None:
    records = [{"text": t, "doc_id": "iv"} for t in TRANSCRIPT]
    records += [{"text": "It is far too narrow.", "doc_id": "other"}]
    labels = [res.attribution for _, res in predict_records(records, SENTENCE_ONLY, chunk_size=5)]
    assert labels[4] == labels[8] == "on_record" and labels[-1] == "none"
    text = "\n\n".join(TRANSCRIPT[:9])
    found = [s.result.attribution for s in analyze(text, SENTENCE_ONLY).sentences]
    assert found == ["none", "none", "none", "none", "on_record", "on_record", "none", "none", "on_record"]
