"""Span decoding rules: one source per hop, named as LABELS.md 3 names it, and chains only from
an explicit relay (2b.13, 4). Spans are given as the span head would emit them."""

from __future__ import annotations

import re

import pytest

from attrib.decode import relay_pair, sources_and_chain, tidy_cues, tidy_sources
from attrib.result import Span


def spans(text: str, *pieces: str) -> list[Span]:
    """Spans of the given substrings, each the first occurrence after the previous one."""
    out, at = [], 0
    for piece in pieces:
        start = text.index(piece, at)
        out.append(Span(start, start + len(piece), piece))
        at = start + len(piece)
    return out


def decoded(text: str, sources: tuple[str, ...], cues: tuple[str, ...], label: str = "on_record"):
    s, _, chain = sources_and_chain(text, spans(text, *sources), spans(text, *cues), label)
    return [x.text for x in s], [(h.type, h.source) for h in chain]


@pytest.mark.parametrize(
    ("text", "pieces", "expected"),
    [
        # fragments of one name are joined
        (
            'The "History" section of the site explains it.',
            ("The", "History", "section of the site"),
            ['The "History" section of the site'],
        ),
        # a name's apposition is not part of the source
        (
            "Jeff Rathke, the State Department spokesperson, said so.",
            ("Jeff Rathke, the State Department spokesperson",),
            ["Jeff Rathke"],
        ),
        (
            "Uzi Arad, Mr. Netanyahu's former adviser, said so.",
            ("Uzi Arad, Mr. Netanyahu's former adviser",),
            ["Uzi Arad"],
        ),
        # a possessive fragment takes its possessor
        ("Trump's advisers said so.", ("'s advisers",), ["Trump's advisers"]),
        (
            "Rep. Patrick J. Tiberi (R-Ohio) said so.",
            ("Rep. Patrick J. Tiberi (R-Ohio",),
            ["Rep. Patrick J. Tiberi"],
        ),
        (
            "Minnesota state delegate Mary Susan, clad in a red cape, said so.",
            ("Minnesota state delegate Mary Susan, clad in a red cape",),
            ["Minnesota state delegate Mary Susan"],
        ),
        # a resumptive pronoun or a time word is not part of the name; a masthead's "Today" is
        (
            "The head of NATO, Hoop Scheffer, he said so.",
            ("The head of NATO, Hoop Scheffer, he",),
            ["The head of NATO, Hoop Scheffer"],
        ),
        ("Sandoz today said so.", ("Sandoz today",), ["Sandoz"]),
        ("Neurology Today said so.", ("Neurology Today",), ["Neurology Today"]),
        # a role before the name is kept whole
        (
            "The head of NATO, Hoop Scheffer, said so.",
            ("The head of NATO, Hoop Scheffer",),
            ["The head of NATO, Hoop Scheffer"],
        ),
        # an unclosed parenthesis is closed; bare function words and a leading "And" go
        (
            "Yonhap, quoting the Korean Central News Agency (KCNA), said so.",
            ("the Korean Central News Agency (KCNA",),
            ["the Korean Central News Agency (KCNA)"],
        ),
        ("And George Bush said so.", ("And George Bush",), ["George Bush"]),
        ("The of said so.", ("The",), []),
        ("Rudy Giuliani, who backs Trump, said so.", ("Rudy Giuliani, who",), ["Rudy Giuliani"]),
        (
            "The Times, citing two officials, said so.",
            ("The Times", "citing two officials"),
            ["The Times", "two officials"],
        ),
    ],
)
def test_tidy_sources(text: str, pieces: tuple[str, ...], expected: list[str]) -> None:
    tidy = tidy_sources(text, spans(text, *pieces), [])
    assert [s.text for s in tidy] == expected
    assert all(text[s.start : s.end] == s.text for s in tidy)


@pytest.mark.parametrize(
    ("text", "sources", "cues", "chain"),
    [
        (
            "According to Yonhap, a government source said the talks stalled.",
            ("Yonhap", "a government source"),
            ("According to", "said"),
            [("according_to", "Yonhap"), ("anonymous", "a government source")],
        ),
        (
            "As quoted by The Korea Herald, Kim mentioned that Seoul was ready.",
            ("The Korea Herald", "Kim"),
            ("As quoted by", "mentioned"),
            [("according_to", "The Korea Herald"), ("anonymous", "Kim")],
        ),
        (
            "Wyttenbach recalled that Greenspan had suggested the dollar was high.",
            ("Wyttenbach", "Greenspan"),
            ("recalled", "had suggested"),
            [("on_record", "Wyttenbach"), ("anonymous", "Greenspan")],
        ),
        (
            "Yonhap news agency, quoting the KCNA, said the army was on alert.",
            ("Yonhap news agency", "the KCNA"),
            ("quoting", "said"),
            [("according_to", "Yonhap news agency"), ("anonymous", "the KCNA")],
        ),
        (
            '"Romania will be a hub," concluded Stroe, cited by HotNews.',
            ("Stroe", "HotNews"),
            ("concluded", "cited by"),
            [("according_to", "HotNews"), ("anonymous", "Stroe")],
        ),
        (
            "The city expects 6 million visitors according to the event website.",
            ("The city", "the event website"),
            ("expects", "according to"),
            [("according_to", "the event website"), ("anonymous", "The city")],
        ),
        (
            "The Times and AP both report that jobs rose according to research by the ISM.",
            ("The Times and AP", "research by the ISM"),
            ("both report", "according to"),
            [("on_record", "The Times and AP"), ("anonymous", "research by the ISM")],
        ),
    ],
)
def test_chains_come_from_an_explicit_relay(text: str, sources: tuple, cues: tuple, chain: list) -> None:
    kept, got = decoded(text, sources, cues, "anonymous")
    assert [h[1] for h in got] == [h[1] for h in chain]
    assert got[-1][0] == "anonymous"  # the innermost hop takes the sentence's label
    assert sorted(kept) == sorted(h[1] for h in chain)


@pytest.mark.parametrize(
    ("text", "sources", "cues"),
    [
        # side by side, not relayed
        (
            "Air India says fuel will fall, while Air Canada has estimated a 30% saving.",
            ("Air India", "Air Canada"),
            ("says", "has estimated"),
        ),
        (
            "Republicans have argued for reform, but Democrats have pushed for action.",
            ("Republicans", "Democrats"),
            ("have argued", "have pushed for"),
        ),
        # a recipient is no hop
        ("Braverman told GB News that the situation was unsustainable.", ("Braverman", "GB News"), ("told",)),
        # the outer source vouches for everything after "said,"
        (
            "Six months ago, the senator said, the media considered him a fringe candidate.",
            ("the senator", "the media"),
            ("said", "considered"),
        ),
        # "according to" inside a relative clause, or opening a clause after "that"
        (
            "Republicans denounced the deal, which would cut taxes, according to company leaders.",
            ("Republicans", "company leaders"),
            ("denounced", "according to"),
        ),
        (
            "Wikinews has learned that according to a posting, the site was attacked.",
            ("Wikinews", "a posting"),
            ("has", "according to"),
        ),
        # a poll's respondents are no source and no hop (decision log rule 22)
        (
            "According to exit polls, majorities of voters said the economy mattered most.",
            ("exit polls", "majorities of voters"),
            ("According to", "said"),
        ),
        # a participle after a comma belongs to the outer source: its object is no hop
        (
            "Perez hammered Trump, calling him a wreck.",
            ("Perez", "Trump"),
            ("hammered", "calling"),
        ),
        # a preposition is no cue of a hop
        (
            '"Pensions are a promise," one reader wrote in a letter to this newspaper.',
            ("one reader", "letter"),
            ("wrote in a", "to"),
        ),
    ],
)
def test_no_chain_without_a_relay(text: str, sources: tuple, cues: tuple) -> None:
    kept, chain = decoded(text, sources, cues)
    assert chain == []
    assert len(kept) == 1  # one source per hop: the one nearest a cue stays


def test_none_has_no_source_or_cue_and_relay_pair_is_ordered() -> None:
    text = "According to Yonhap, a source said the talks stalled."
    s, c = spans(text, "Yonhap", "a source"), spans(text, "According to", "said")
    assert sources_and_chain(text, s, c, "none") == ((), (), ())
    outer, inner = relay_pair(text, s, c)
    assert (outer.text, inner.text) == ("Yonhap", "a source")
    assert re.search("According", text[: outer.start])


@pytest.mark.parametrize(
    ("text", "pieces", "expected"),
    [
        ("The firm has recently revealed its plan.", ("has", "revealed"), ["has recently revealed"]),
        ("The party also proposed a bill.", ("also proposed",), ["proposed"]),
        ("Kim said in a statement it was over.", ("said in",), ["said"]),
        ("Sanders wrote to his supporters.", ("wrote", "to"), ["wrote to"]),  # joined, then kept
        ("It went to the board.", ("to",), []),  # a bare preposition is no cue
        ("According to Yonhap, it was over.", ("According to",), ["According to"]),
        # The recipient and the medium are no part of the cue, except in "told reporters".
        ("Kim told Reuters it was over.", ("told Reuters",), ["told"]),
        ("Kim said in a statement it was over.", ("said in a statement",), ["said"]),
        ("Kim told reporters it was over.", ("told reporters",), ["told reporters"]),
    ],
)
def test_tidy_cues(text: str, pieces: tuple[str, ...], expected: list[str]) -> None:
    assert [c.text for c in tidy_cues(text, spans(text, *pieces))] == expected
