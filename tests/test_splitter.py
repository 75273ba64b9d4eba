"""Sentence splitting: exact offsets on tricky news text, and the offset contract as a property."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib.splitter import split_sentences


def _texts(text: str) -> list[str]:
    out = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in out)
    return [s.text for s in out]


def test_exact_offsets() -> None:
    text = "  Police said so.  Mr. Kim left.\n"
    assert [(s.start, s.end, s.text) for s in split_sentences(text)] == [
        (2, 17, "Police said so."),
        (19, 32, "Mr. Kim left."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Abbreviations do not end sentences.
        (
            "The U.S. military said Gen. Smith left. Mr. Jones stayed.",
            ["The U.S. military said Gen. Smith left.", "Mr. Jones stayed."],
        ),
        (
            "He ranked No. 2 in the poll. Dr. Lee disagreed.",
            ["He ranked No. 2 in the poll.", "Dr. Lee disagreed."],
        ),
        ("They met at 5 p.m. on Friday. It rained.", ["They met at 5 p.m. on Friday.", "It rained."]),
        # Quotes stay with their sentence, straight or curly.
        (
            "“We will win,” he said. “They will lose.” She nodded.",
            ["“We will win,” he said.", "“They will lose.”", "She nodded."],
        ),
        ('He said: "Go!" Then he left.', ['He said: "Go!"', "Then he left."]),
        ("He said “no.” Then left.", ["He said “no.”", "Then left."]),
        # A headline without final punctuation ends at its line break; blank lines separate paragraphs.
        (
            "Seoul hesitates on arms, according to reports\n\nA delegation arrived. It left.",
            ["Seoul hesitates on arms, according to reports", "A delegation arrived.", "It left."],
        ),
        ("Para one.\n\n\nPara two.\r\nPara three.", ["Para one.", "Para two.", "Para three."]),
        # Surrounding whitespace, tabs and non-breaking spaces are not part of a sentence.
        ("\n\t  Leading.   Trailing.  \n", ["Leading.", "Trailing."]),
        ("\u00a0Non-breaking start. Next.", ["Non-breaking start.", "Next."]),
        ("Is it true? Yes! Really...", ["Is it true?", "Yes!", "Really..."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_tricky_text(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_repeated_sentences_get_their_own_offsets() -> None:
    # pysbd's own char spans put repeated text at its first occurrence.
    text = "Yes. Yes. Yes."
    assert [(s.start, s.end) for s in split_sentences(text)] == [(0, 4), (5, 9), (10, 14)]
    spans = split_sentences("A b. A b. A b c.")
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


# Fragments that stress the splitter: abbreviations, quotes, line breaks of every kind.
_PIECES = st.sampled_from(
    [
        *("a", "B", "Kim", "said", "5.5", "Mr.", "U.S.", "Dr.", "Gen.", "p.m.", " No. 2"),
        *("...", ".", "?", "!", ",", ":", '"', "“", "”", "'", "’"),
        *(" ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u2028"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join) | st.text(max_size=60))
def test_offsets_property(text: str) -> None:
    prev_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= prev_end  # ordered, non-overlapping
        assert "\n" not in s.text and "\r" not in s.text
        prev_end = s.end


# --------------------------------------------------------------------------- news conventions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An opening quote that is never closed does not swallow the sentences after it.
        (
            "“The plan is dead. We tried everything. Nobody listened. It is over, said Kim.",
            ["“The plan is dead.", "We tried everything.", "Nobody listened.", "It is over, said Kim."],
        ),
        # A closing quote stays with the sentence it closes, never starts the next one.
        (
            'She called it "a disaster." Goldfine, 39, has worked there since 2010.',
            ['She called it "a disaster."', "Goldfine, 39, has worked there since 2010."],
        ),
        (
            "He said it was “over.” Goldfine, 39, has worked there since 2010.",
            ["He said it was “over.”", "Goldfine, 39, has worked there since 2010."],
        ),
        # The speaker after a quoted question or exclamation stays with the quote.
        ('"Why now?" she asked. "Because."', ['"Why now?" she asked.', '"Because."']),
        ("“Stop!” the officer shouted. The crowd left.", ["“Stop!” the officer shouted.", "The crowd left."]),
        (
            '"Why now?" Lichtman said of the move. He left.',
            ['"Why now?" Lichtman said of the move.', "He left."],
        ),
        # A plural title is no sentence end.
        ("He spared Govs. Jeb Bush and Chris Christie.", ["He spared Govs. Jeb Bush and Chris Christie."]),
        # A new quote after a full stop is a new sentence (a new speaker), also after a headline.
        (
            "HOW THE VOTE WAS WON IN THE NORTH “It was close,” she said.",
            ["HOW THE VOTE WAS WON IN THE NORTH", "“It was close,” she said."],
        ),
        # An attribution interrupting a quote is one sentence with it.
        (
            '"It is," said Kim, "a hard issue." Then he left.',
            ['"It is," said Kim, "a hard issue."', "Then he left."],
        ),
        # A quote over several paragraphs, the opening mark repeated, one closing mark at the end.
        (
            "“The first part ends here.\n\n“The second part ends the quote,” he said.",
            ["“The first part ends here.", "“The second part ends the quote,” he said."],
        ),
        # Attribution after a dash stays with its quote.
        ("“We are ready” — the minister, on Monday.", ["“We are ready” — the minister, on Monday."]),
        # Datelines belong to the first sentence; headlines and bylines end at the line break.
        (
            "Senate passes the bill\nBy Jane Roe, Associated Press\n\n"
            "WASHINGTON (AP) — The Senate passed it. The House votes next.",
            [
                "Senate passes the bill",
                "By Jane Roe, Associated Press",
                "WASHINGTON (AP) — The Senate passed it.",
                "The House votes next.",
            ],
        ),
    ],
)
def test_news_quoting_conventions(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_long_input_stays_linear() -> None:
    """A hang guard, not a timing test: 200 KB without a full stop and 400 KB of prose finish."""
    import time

    t0 = time.time()
    no_stop = split_sentences("officials said, " * 12_500)
    prose = split_sentences("The minister said the talks would resume on Monday, officials said. " * 6000)
    assert time.time() - t0 < 60
    assert max(len(s.text) for s in no_stop) <= 1000 and len(prose) == 6000
