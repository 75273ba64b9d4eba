"""The synthetic sentence generator: determinism, exact spans, label coverage, lexicon sizes."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from typing import Any

import pytest

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.records import read_records, validate_record
from training.generate import SCORE_BANDS, TEMPLATES, Lexicons, generate, load_lexicons, main

KEYS = {
    "text",
    "attribution",
    "certainty",
    "certainty_score",
    "source_char_spans",
    "cue_char_spans",
    "hedge_char_spans",
    "chain",
    "doc_id",
    "sent_idx",
    "corpus",
}
RANK = {label: i for i, label in enumerate(CERTAINTY_LABELS)}


@pytest.fixture(scope="module")
def lex() -> Lexicons:
    return load_lexicons()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return generate(2000, seed=7)


def _forms(phrases: Any) -> set[str]:
    return {form.lower() for p in phrases for form in p.forms}


def _hedge_classes(lex: Lexicons) -> dict[str, str]:
    """Every hedge surface form with its certainty, including cues that are also hedges."""
    classes: dict[str, str] = {}
    for p in (*lex.hedges, *lex.cues, *lex.hearsay):
        if p.certainty == CERTAINTY_LABELS[0]:
            continue
        for form in p.forms:
            assert classes.setdefault(form.lower(), p.certainty) == p.certainty, f"{form!r} has two classes"
    return classes


def _span_text(rec: dict[str, Any], span: list[int]) -> str:
    return rec["text"][span[0] : span[1]]


def test_same_seed_same_output_and_other_seed_differs() -> None:
    assert generate(300, seed=3) == generate(300, seed=3)
    assert json.dumps(generate(300, seed=3)) != json.dumps(generate(300, seed=4))
    # Batches with different seeds are different documents (no shared context across splits).
    assert not {r["doc_id"] for r in generate(20, seed=3)} & {r["doc_id"] for r in generate(20, seed=4)}


def test_records_follow_the_format(records: list[dict[str, Any]]) -> None:
    for i, rec in enumerate(records):
        assert set(rec) == KEYS
        validate_record(rec, f"record {i}")
        assert rec["doc_id"] == f"gen-s7-{i:06d}"
        assert rec["sent_idx"] == 0
        assert rec["corpus"] == "generated"
        low, high = SCORE_BANDS[rec["certainty"]]
        assert low <= rec["certainty_score"] <= high
        assert rec["text"] == rec["text"].strip() and "  " not in rec["text"]


def test_spans_in_range_sorted_and_disjoint_within_a_kind(records: list[dict[str, Any]]) -> None:
    for rec in records:
        for key in ("source_char_spans", "cue_char_spans", "hedge_char_spans"):
            spans = rec[key]
            assert spans == sorted(spans)
            for start, end in spans:
                assert 0 <= start < end <= len(rec["text"])
                assert rec["text"][start:end] == rec["text"][start:end].strip()
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert end <= start, (key, rec["text"])


def test_span_texts_are_lexicon_phrases(records: list[dict[str, Any]], lex: Lexicons) -> None:
    sources = {kind: {s.text.lower() for s in items} for kind, items in lex.sources.items()}
    cues = _forms(lex.cues) | _forms(lex.hearsay)
    hedges = _hedge_classes(lex)
    for rec in records:
        for span in rec["cue_char_spans"]:
            assert _span_text(rec, span).lower() in cues, rec["text"]
        for span in rec["hedge_char_spans"]:
            assert _span_text(rec, span).lower() in hedges, rec["text"]
        found = [_span_text(rec, span).lower() for span in rec["source_char_spans"]]
        if rec["chain"]:
            assert sorted(found) == sorted(hop["source"].lower() for hop in rec["chain"])
            for hop in rec["chain"]:
                assert hop["source"].lower() in sources[hop["type"]], rec["text"]
        else:
            for text in found:
                assert text in sources[rec["attribution"]], rec["text"]


def test_spans_agree_with_labels(records: list[dict[str, Any]], lex: Lexicons) -> None:
    hedges = _hedge_classes(lex)
    certain, speculative = CERTAINTY_LABELS[0], CERTAINTY_LABELS[-1]
    for rec in records:
        n_sources, n_cues = len(rec["source_char_spans"]), len(rec["cue_char_spans"])
        if rec["attribution"] == "none":
            assert n_sources == n_cues == 0, rec["text"]
        elif rec["attribution"] == "reportedly":
            assert n_sources == 0 and n_cues == 1, rec["text"]
        else:
            assert n_sources >= 1 and n_cues >= 1, rec["text"]
        classes = [hedges[_span_text(rec, span).lower()] for span in rec["hedge_char_spans"]]
        if classes:
            # Stacked hedges: the least certain one sets the label.
            assert max(classes, key=RANK.__getitem__) == rec["certainty"], rec["text"]
        else:
            # Only open questions are speculative without a hedge word.
            assert rec["certainty"] == certain or (
                rec["certainty"] == speculative and rec["text"].endswith("?")
            ), rec["text"]


def test_chains_only_for_two_hops(records: list[dict[str, Any]]) -> None:
    chains = [rec for rec in records if rec["chain"]]
    assert len(chains) > 50
    for rec in records:
        assert len(rec["chain"]) in (0, 2)
        assert (len(rec["source_char_spans"]) == 2) == bool(rec["chain"]), rec["text"]
    for rec in chains:
        assert rec["chain"][-1]["type"] == rec["attribution"]  # innermost source labels the sentence
        assert all(set(hop) == {"type", "source"} for hop in rec["chain"])
        assert all(hop["type"] in ATTRIBUTION_LABELS for hop in rec["chain"])


def test_every_label_appears(records: list[dict[str, Any]]) -> None:
    attribution = Counter(rec["attribution"] for rec in records)
    certainty = Counter(rec["certainty"] for rec in records)
    assert set(attribution) == set(ATTRIBUTION_LABELS)
    assert set(certainty) == set(CERTAINTY_LABELS)
    pairs = Counter((rec["attribution"], rec["certainty"]) for rec in records)
    assert len(pairs) == len(ATTRIBUTION_LABELS) * len(CERTAINTY_LABELS)


def test_weights_steer_the_labels() -> None:
    weights = {label: 0.0 for label in (*ATTRIBUTION_LABELS, *CERTAINTY_LABELS)}
    for attribution in ATTRIBUTION_LABELS:
        for certainty in CERTAINTY_LABELS:
            recs = generate(40, seed=1, weights={**weights, attribution: 1.0, certainty: 1.0})
            assert {(r["attribution"], r["certainty"]) for r in recs} == {(attribution, certainty)}
    with pytest.raises(ValueError, match="unknown label"):
        generate(1, weights={"hearsay": 1.0})
    with pytest.raises(ValueError, match="at least one"):
        generate(1, weights=dict.fromkeys(ATTRIBUTION_LABELS, 0.0))


def test_default_weights_favour_rare_classes() -> None:
    recs = generate(3000, seed=0)
    attribution = Counter(r["attribution"] for r in recs)
    certainty = Counter(r["certainty"] for r in recs)
    assert min(attribution["anonymous"], attribution["according_to"]) > attribution["on_record"]
    assert certainty["speculative"] > max(certainty["certain"], certainty["hedged"])


def test_lexicon_sizes(lex: Lexicons) -> None:
    assert len(lex.cues) >= 60
    roles = {role for cue in lex.cues for role in cue.roles}
    assert {"that", "after", "inverted", "inside", "prep_front", "prep_end", "quote", "told"} <= roles
    for kind in ("on_record", "according_to", "anonymous"):
        assert len(lex.sources[kind]) >= 150, kind
    assert len(lex.hearsay) >= 30
    assert len(lex.hedges) >= 60
    assert {h.certainty for h in lex.hedges} == set(CERTAINTY_LABELS[1:])
    assert len(lex.claims) >= 200
    assert len({c.beat for c in lex.claims}) >= 10
    assert len(TEMPLATES) >= 25


def test_lexicon_entries_are_unique(lex: Lexicons) -> None:
    for name, items in (
        ("cues", [c.sg for c in lex.cues]),
        ("hearsay", [c.sg for c in lex.hearsay]),
        ("hedges", [(h.sg, *sorted(h.roles)) for h in lex.hedges]),
        ("claims", [(c.subject, c.past) for c in lex.claims]),
        *((f"sources {kind}", [s.text for s in items]) for kind, items in lex.sources.items()),
    ):
        repeated = [item for item, n in Counter(items).items() if n > 1]
        assert not repeated, (name, repeated)


def test_fillers_contain_no_unspanned_cue_or_hedge(lex: Lexicons) -> None:
    # A hedge or speech verb inside a claim would silently contradict its labels.
    phrases = _forms(lex.hedges) | _forms(lex.cues) | _forms(lex.hearsay)
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True)) + r")\b")
    fillers = [
        *(f"{c.subject} {c.past} {c.base} {c.pp}" for c in lex.claims),
        *(f"{c.subject} {c.before} {c.after}" for c in lex.scalar_claims),
        *(text for texts in lex.conditions.values() for text in texts),
        *(text for texts in lex.dependencies.values() for text in texts),
        *lex.acts,
    ]
    for text in fillers:
        assert not pattern.search(text.lower()), (text, pattern.search(text.lower()))


def test_ten_thousand_is_fast() -> None:
    import time

    start = time.perf_counter()
    generate(10_000, seed=0)
    assert time.perf_counter() - start < 10


def test_cli_writes_jsonl(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gen.jsonl"
    assert main(["--n", "50", "--seed", "2", "--out", str(out)]) == 0
    recs = read_records(out)
    assert recs == generate(50, seed=2)
    printed = capsys.readouterr().out
    assert "wrote 50 records" in printed and "anonymous" in printed and "speculative" in printed
