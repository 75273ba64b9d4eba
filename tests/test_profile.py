"""The article profile: arithmetic, source merging, chains, who hedges, the score, edge cases."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.profile import build_profile, is_claim_like
from attrib.result import ArticleSentence, Hop, SentenceResult, Span


def sent(
    index: int,
    text: str,
    attribution: str = "none",
    certainty: str = "certain",
    sources: tuple[str, ...] = (),
    chain: tuple[tuple[str, str], ...] = (),
) -> ArticleSentence:
    """A hand-built prediction; each source string must occur in `text`."""
    spans = tuple(Span(text.index(s), text.index(s) + len(s), s) for s in sources)
    score = {"certain": 1.0, "hedged": 0.6, "speculative": 0.2}[certainty]
    result = SentenceResult(
        text, attribution, certainty, score, sources=spans, chain=tuple(Hop(t, s) for t, s in chain)
    )
    return ArticleSentence(index, 0, len(text), result)


def by_name(profile, name):  # type: ignore[no-untyped-def]
    matches = [s for s in profile.sources if s.name == name]
    assert len(matches) == 1, [s.name for s in profile.sources]
    return matches[0]


def worked_example() -> list[ArticleSentence]:
    """The docs/report.md worked example."""
    return [
        sent(0, "Seoul weighs arms for Kiev"),  # headline: no final punctuation
        sent(
            1,
            "Defense Minister Kim said the talks went well.",
            "on_record",
            sources=("Defense Minister Kim",),
        ),
        sent(2, "Yoon Suk Yeol said no deal was signed yet.", "on_record", sources=("Yoon Suk Yeol",)),
        sent(3, "Kim added that more talks were planned.", "on_record", sources=("Kim",)),
        sent(4, "According to Yonhap, the talks ran late.", "according_to", sources=("Yonhap",)),
        sent(5, "Officials said the deal may collapse soon.", "anonymous", "speculative", ("Officials",)),
        sent(6, "Diplomats said the mood was tense.", "anonymous", sources=("Diplomats",)),
        sent(7, "The delegation reportedly asked for missiles.", "reportedly", "hedged"),
        sent(8, "A delegation visited Seoul on Wednesday.", "none"),
        sent(9, "The talks lasted for three hours.", "none"),
    ]


def test_counts_and_shares() -> None:
    p = build_profile(worked_example())
    assert p.n_sentences == 10
    assert p.attribution_counts == {
        "on_record": 3,
        "according_to": 1,
        "anonymous": 2,
        "reportedly": 1,
        "none": 3,
    }
    assert p.certainty_counts == {"certain": 8, "hedged": 1, "speculative": 1}
    assert math.isclose(sum(p.attribution_shares.values()), 1.0)
    assert math.isclose(sum(p.certainty_shares.values()), 1.0)
    assert p.attribution_shares["on_record"] == pytest.approx(0.3)
    assert (p.n_attributed, p.n_sourced) == (7, 6)
    assert p.anonymous_share == pytest.approx(2 / 6)
    assert p.hearsay_share == pytest.approx(0.1)
    assert p.mean_certainty_score == pytest.approx((8 * 1.0 + 0.6 + 0.2) / 10)


def test_worked_example_score_matches_the_docs() -> None:
    p = build_profile(worked_example())
    contributions = {c.name: c.contribution for c in p.components}
    assert contributions == pytest.approx(
        {
            "base": 90.0,
            "named_sources": 6.0,  # Kim, Yoon Suk Yeol, Yonhap: 3 of 5
            "documents": 0.0,
            "unattributed": -30 * 2 / 9,  # sentences 8 and 9 of the 9 claims (not the headline)
            "hearsay": -4.0,  # sentence 7, outside the lead
            "anonymous": -10 * 2 / 6,
            "vague_anonymous": -20 * 2 / 6,  # "Officials", "Diplomats"
            "anonymous_opinion": -15 * 1 / 6,  # "may collapse"
            "anonymity_explained": 0.0,
            "corroborated": 3.0,  # two anonymous sources
            "single_source": 0.0,
            "relayed": -10 * 1 / 6,  # Yonhap
            "author_hedging": 0.0,
        }
    )
    assert p.raw_score == pytest.approx(sum(contributions.values()))
    assert p.raw_score == pytest.approx(74.1667, abs=1e-3)
    assert p.score == 74
    assert p.flags == ()
    assert p.unattributed_assertive == (8, 9)
    assert len(p.reasons) == 12 and all(r[0] in "+-" for r in p.reasons)
    assert p.anonymous_descriptors == (("Officials", False), ("Diplomats", False))


def _story(anonymous: list[tuple[str, str]], certainty: str = "certain") -> list[ArticleSentence]:
    """A five-sentence story: two named quotes, the given anonymous sentences, one narration."""
    out = [
        sent(0, "Council approves the budget for next year", "none"),
        sent(1, "Mayor Ann Lee said the budget was balanced.", "on_record", sources=("Mayor Ann Lee",)),
        sent(2, "Treasurer Bo Park said reserves would grow.", "on_record", sources=("Treasurer Bo Park",)),
    ]
    for i, (text, source) in enumerate(anonymous, start=3):
        out.append(sent(i, text, "anonymous", certainty, (source,)))
    out.append(sent(len(out), "The council met on Tuesday evening downtown.", "none"))
    return out


def test_precise_justified_anonymity_beats_bare_sources_said() -> None:
    bare = build_profile(
        _story([("Sources said the cuts were coming soon.", "Sources")], certainty="speculative")
    )
    precise = build_profile(
        _story(
            [
                (
                    "A senior finance ministry official, who spoke on condition of anonymity because he "
                    "was not authorized to speak, said the cuts were coming.",
                    "A senior finance ministry official",
                ),
                ("Two budget office officials said the same.", "Two budget office officials"),
            ]
        )
    )
    assert precise.score > bare.score
    assert precise.anonymity_explained and not bare.anonymity_explained
    assert [p for _, p in precise.anonymous_descriptors] == [True, True]
    assert bare.anonymous_descriptors == (("Sources", False),)
    vague = {c.name: c for c in bare.components}["vague_anonymous"]
    assert "'Sources'" in vague.reason and vague.contribution < 0


def test_hearsay_in_the_headline_costs_more_than_in_the_body() -> None:
    body = [sent(i, f"The council met on day {i} of the week.", "none") for i in range(8)]
    late = [*body, sent(8, "The mayor reportedly plans to resign next week.", "reportedly", "hedged")]
    early = [sent(0, "Mayor reportedly set to resign", "reportedly", "hedged"), *body[1:], body[0]]
    assert build_profile(early).score < build_profile(late).score


def test_single_source_article_scores_below_a_multi_source_one() -> None:
    one = [sent(0, "Budget fight looms", "none")] + [
        sent(i, f"Mayor Ann Lee said point {i} was settled.", "on_record", sources=("Mayor Ann Lee",))
        for i in range(1, 6)
    ]
    people = ["Mayor Ann Lee", "Treasurer Bo Park", "Councillor Cy Diaz", "Judge Di Evans", "Chief Ed Fox"]
    many = [sent(0, "Budget fight looms", "none")] + [
        sent(i, f"{name} said point {i} was settled.", "on_record", sources=(name,))
        for i, name in enumerate(people, start=1)
    ]
    p_one, p_many = build_profile(one), build_profile(many)
    assert p_one.score < p_many.score
    assert {c.name: c for c in p_one.components}["single_source"].value == 1.0


def test_alias_merging_kim() -> None:
    p = build_profile(
        [
            sent(0, "Defense Minister Kim said no.", "on_record", sources=("Defense Minister Kim",)),
            sent(1, "Kim repeated it.", "on_record", sources=("Kim",)),
            sent(2, "Kim Yong Hyun spoke later.", "on_record", sources=("Kim Yong Hyun",)),
            sent(3, "Yoon said yes.", "on_record", sources=("Yoon",)),
        ]
    )
    kim = by_name(p, "Kim Yong Hyun")
    assert kim.kind == "person"
    assert kim.sentences == (0, 1, 2)
    assert set(kim.aliases) == {"Defense Minister Kim", "Kim"}
    assert kim.attributions == ("on_record",)
    assert p.n_named_sources == 2


def test_ambiguous_short_name_is_not_merged() -> None:
    p = build_profile(
        [
            sent(0, "Kim Yong Hyun said no.", "on_record", sources=("Kim Yong Hyun",)),
            sent(1, "Kim Jong Un said yes.", "on_record", sources=("Kim Jong Un",)),
            sent(2, "Kim said maybe.", "on_record", sources=("Kim",)),
        ]
    )
    assert sorted(s.name for s in p.sources) == ["Kim", "Kim Jong Un", "Kim Yong Hyun"]


def test_pronoun_attaches_to_nearest_preceding_person() -> None:
    p = build_profile(
        [
            sent(0, "He opened the meeting.", "on_record", sources=("He",)),  # no antecedent: dropped
            sent(1, "Yoon said the talks went well.", "on_record", sources=("Yoon",)),
            sent(2, "The Defense Ministry said nothing.", "on_record", sources=("The Defense Ministry",)),
            sent(3, "He said it again.", "on_record", sources=("He",)),
            sent(4, "Officials said it was off.", "anonymous", sources=("Officials",)),
            sent(5, "They said it twice.", "anonymous", sources=("They",)),
        ]
    )
    assert by_name(p, "Yoon").sentences == (1, 3)  # the ministry is not a person
    assert by_name(p, "Yoon").aliases == ()  # pronouns are not listed as aliases
    assert by_name(p, "Officials").sentences == (4, 5)
    assert all(s.name.lower() not in ("he", "they") for s in p.sources)
    assert 0 not in {i for s in p.sources for i in s.sentences}


def test_pronouns_find_an_antecedent_of_their_kind() -> None:
    p = build_profile(
        [
            sent(0, "Yoon said the talks went well.", "on_record", sources=("Yoon",)),
            sent(
                1,
                "Acme chief executive Jane Doe said sales fell.",
                "on_record",
                sources=("Acme chief executive Jane Doe",),
            ),
            sent(2, "Acme Corp said it would cut jobs.", "on_record", sources=("Acme Corp",)),
            sent(3, "She said the cuts were needed.", "on_record", sources=("She",)),
            sent(4, "It said nothing more.", "on_record", sources=("It",)),
        ]
    )
    # "She" is the executive named with her company, not the earlier person; "It" is the company.
    assert by_name(p, "Acme chief executive Jane Doe").sentences == (1, 3)
    assert by_name(p, "Acme Corp").sentences == (2, 4)
    assert by_name(p, "Yoon").sentences == (0,)


def test_unnamed_sources_merge_only_when_identical_or_a_definite_remention() -> None:
    p = build_profile(
        [
            sent(0, "Officials said so.", "anonymous", sources=("Officials",)),
            sent(1, "Senior officials said so.", "anonymous", sources=("Senior officials",)),
            sent(2, "Officials said so again.", "anonymous", sources=("Officials",)),
            sent(3, "A government source said no.", "anonymous", sources=("A government source",)),
            sent(4, "It was late, according to the source.", "anonymous", sources=("the source",)),
        ]
    )
    assert by_name(p, "Officials").sentences == (0, 2)
    assert by_name(p, "Senior officials").sentences == (1,)
    assert by_name(p, "A government source").sentences == (3, 4)
    assert p.n_named_sources == 0
    assert {f.code for f in p.flags} >= {"mostly_anonymous", "no_named_sources"}


def test_chains_and_their_hops_as_sources() -> None:
    p = build_profile(
        [
            sent(
                0,
                "SBS reported that a government source said the talks stalled.",
                "anonymous",
                chain=(("according_to", "SBS"), ("anonymous", "a government source")),
            ),
            sent(1, "According to broadcaster SBS, it rained.", "according_to", sources=("broadcaster SBS",)),
            sent(2, "Kim said so.", "on_record", chain=(("on_record", "Kim"),)),  # one hop: not a chain
        ]
    )
    assert len(p.chains) == 1
    assert p.chains[0].sentence == 0
    assert p.chains[0].text == "[according_to: SBS] -> [anonymous: a government source]"
    sbs = by_name(p, "broadcaster SBS")
    assert sbs.kind == "publication" and sbs.sentences == (0, 1) and sbs.attributions == ("according_to",)
    assert by_name(p, "a government source").kind == "unnamed"
    assert by_name(p, "Kim").sentences == (2,)


def test_generic_document_is_not_a_named_source() -> None:
    p = build_profile(
        [sent(0, "The report stated that talks stalled.", "according_to", sources=("The report",))]
    )
    assert by_name(p, "The report").kind == "unnamed"
    assert p.n_named_sources == 0


def test_who_hedges() -> None:
    p = build_profile(
        [
            sent(0, "Kim said the deal may fail.", "on_record", "speculative", ("Kim",)),
            sent(1, "Officials said it is likely.", "anonymous", "hedged", ("Officials",)),
            sent(2, "The deal could fail.", "none", "speculative"),
            sent(3, "The deal reportedly failed.", "reportedly", "hedged"),
            sent(4, "The deal failed.", "none", "certain"),
        ]
    )
    assert p.source_hedging == (0, 1)
    assert p.author_hedging == (2, 3)
    assert p.hedged_share == pytest.approx(0.8)
    assert "heavy_hedging" in {f.code for f in p.flags}


def test_sentences_of_none_do_not_cite_sources() -> None:
    p = build_profile([sent(0, "Kim, who spoke later, visited.", "none", sources=("Kim",))])
    assert p.sources == ()


def test_zero_attributed_sentences() -> None:
    p = build_profile(
        [
            sent(0, "The talks ended on Monday evening.", "none"),
            sent(1, "The delegation then flew home to Kiev.", "none"),
        ]
    )
    assert p.n_sourced == 0 and p.anonymous_share == 0.0
    assert p.unattributed_assertive_share == 1.0
    assert p.score == 60  # 90 - 30
    assert {f.code for f in p.flags} == {"no_named_sources", "many_unattributed"}
    json.dumps(p.to_dict())


def test_empty_article() -> None:
    p = build_profile([])
    assert p.n_sentences == 0 and p.flags == ()
    assert set(p.attribution_shares.values()) == {0.0}
    json.dumps(p.to_dict())


def test_all_hearsay_flags() -> None:
    p = build_profile(
        [sent(i, f"Thing {i} has reportedly happened today.", "reportedly", "hedged") for i in range(4)]
    )
    assert p.hearsay_share == 1.0
    assert {"much_hearsay", "no_named_sources", "heavy_hedging"} <= {f.code for f in p.flags}
    assert p.score == 50


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Max Fischer contributed to this report for TROIB News", False),
        ("Read Full Article at RT.com", False),
        ("It rained.", False),
        ("A delegation visited Seoul on Wednesday.", True),
        ('He said: "the deal is off today."', True),
    ],
)
def test_claim_like(text: str, expected: bool) -> None:
    assert is_claim_like(text) is expected


labels = st.tuples(st.sampled_from(ATTRIBUTION_LABELS), st.sampled_from(CERTAINTY_LABELS), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(labels, max_size=25))
def test_profile_invariants(rows: list[tuple[str, str, bool]]) -> None:
    names = ["Kim", "Yoon", "officials", "SBS", "he", "the report"]
    sentences = [
        sent(
            i,
            f"{names[i % len(names)]} said the thing number {i} happened.",
            a,
            c,
            (names[i % len(names)],) if s else (),
        )
        for i, (a, c, s) in enumerate(rows)
    ]
    p = build_profile(sentences)
    assert sum(p.attribution_counts.values()) == len(rows) == sum(p.certainty_counts.values())
    if rows:
        assert math.isclose(sum(p.attribution_shares.values()), 1.0)
        assert math.isclose(sum(p.certainty_shares.values()), 1.0)
    assert math.isclose(sum(c.contribution for c in p.components), p.raw_score)
    assert p.score == min(100, max(0, math.floor(p.raw_score + 0.5)))
    assert 0.0 <= p.anonymous_share <= 1.0
    assert set(p.author_hedging).isdisjoint(p.source_hedging)
    cited = {i for s in p.sources for i in s.sentences}
    assert all(sentences[i].result.attribution in ("on_record", "according_to", "anonymous") for i in cited)
    json.dumps(p.to_dict())


def test_profile_does_not_import_torch() -> None:
    code = "import attrib.profile, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_boilerplate_lines_stay_out_of_the_counts() -> None:
    body = [
        sent(0, "Officials said the deal may collapse.", "anonymous", "speculative", sources=("Officials",)),
        sent(1, "Kim said the talks went well.", "on_record", sources=("Kim",)),
    ]
    credit = sent(
        2, "Max Fischer contributed to this report for TROIB News", "on_record", sources=("Max Fischer",)
    )
    with_credit, without = build_profile([*body, credit]), build_profile(body)
    assert with_credit.boilerplate == (2,) and without.boilerplate == ()
    assert with_credit.n_sentences == 2 and with_credit.attribution_shares == without.attribution_shares
    assert with_credit.score == without.score
    assert "Max Fischer" not in {s.name for s in with_credit.sources}
