"""Real-news annotations: the join of labels to corpus text, validation, splits and the data build.

Runs on fixture corpora only (never ../shared); the committed labels are checked for form here and
joined to the real corpora by `python -m training.realnews`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from attrib.records import RecordError
from training.data import DataConfig, build_datasets, stats
from training.realnews import (
    AGREEMENT_PATH,
    CHAINS_PATH,
    LABELS_PATH,
    SPLITS,
    SPLITS_PATH,
    agreement,
    assign_splits,
    import_annotation,
    join,
    load_realnews,
    locate,
    read_corpus,
    text_hash,
    trim_source,
)

CORPORA = Path(__file__).parent / "fixtures" / "corpora"
TEXT = "Senator Jane Roe said the bill would pass."


def label(text: str, sent_idx: int, doc: str = "fixture_doc_a", **kw: object) -> dict:
    row = {
        "corpus": "polnear",
        "doc_id": doc,
        "sent_idx": sent_idx,
        "text_sha1": text_hash(text),
        "attribution": "none",
        "certainty": "certain",
        "certainty_score": 1.0,
        "source_char_spans": [],
        "cue_char_spans": [],
        "hedge_char_spans": [],
    }
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def texts() -> dict[tuple[str, int], dict]:
    return read_corpus(CORPORA, "polnear")


def test_join_reproduces_the_corpus_text_exactly(texts: dict) -> None:
    labs = [
        label(texts[("fixture_doc_a", 0)]["text"], 0),
        label(TEXT, 1, attribution="on_record", source_char_spans=[[0, 16]], cue_char_spans=[[17, 21]]),
    ]
    out = join(labs, CORPORA, {"polnear:fixture_doc_a": "dev"})
    assert [r["text"] for r in out] == [texts[("fixture_doc_a", i)]["text"] for i in (0, 1)]
    rec = out[1]
    assert rec["text"][0:16] == "Senator Jane Roe" and rec["text"][17:21] == "said"
    assert rec["context"] == out[0]["text"]  # the previous sentence of the article
    assert rec["doc_id"] == "polnear:fixture_doc_a" and rec["split"] == "dev"
    assert rec["group"] == "polnear/fixture"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attribution": "hearsay"}, "unknown attribution"),
        ({"certainty": "sure"}, "unknown certainty"),
        ({"source_char_spans": [[0, 99]]}, "invalid span"),
        ({"certainty": "hedged", "certainty_score": 0.95}, "contradicts certainty"),
        ({"certainty_score": 0.2}, "contradicts certainty"),
        ({"certainty_score": True}, "certainty_score"),
        ({"text_sha1": "0" * 16}, "hash differs"),
        ({"hedge_char_spans": None}, "required"),
        ({"sent_idx": 77}, "no such sentence"),
    ],
)
def test_join_rejects_labels_that_break_the_guideline(change: dict, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        join([{**label(TEXT, 1), **change}], CORPORA)


def test_locate_finds_words_not_pieces_of_words() -> None:
    text = "The minister said he would go.\n\nHe  said it."
    assert locate(text, "he") == [18, 20]  # not the "he" inside "The"
    assert locate(text, ["said", 2]) == [36, 40]
    assert text[slice(*locate(text, "go. He"))] == "go.\n\nHe"  # white space folded when matching
    with pytest.raises(ValueError, match="not found"):
        locate(text, "she")


def test_import_annotation_turns_substrings_into_offsets(texts: dict) -> None:
    line = {"i": 1, "a": "on_record", "c": "certain", "s": 0.95, "src": ["Senator Jane Roe"], "cue": ["said"]}
    (row,) = import_annotation([line], "polnear", "fixture_doc_a", texts, "h1")
    assert row["source_char_spans"] == [[0, 16]] and row["cue_char_spans"] == [[17, 21]]
    assert row["hedge_char_spans"] == [] and row["text_sha1"] == text_hash(TEXT)
    assert join([row], CORPORA)[0]["attribution"] == "on_record"


def test_assign_splits_keeps_articles_whole_and_stratifies() -> None:
    docs = {f"g{g}:d{i}": (f"group{g}", 10 + i) for g in range(3) for i in range(20)}
    splits = assign_splits(docs)
    assert set(splits) == set(docs) and set(splits.values()) == set(SPLITS)
    for g in range(3):
        mine = {s for d, s in splits.items() if d.startswith(f"g{g}:")}
        assert mine == set(SPLITS)  # every group reaches dev and test
    assert assign_splits(docs) == splits  # seeded


def test_agreement_measures_two_annotators(tmp_path: Path) -> None:
    a = {
        "attribution": "on_record",
        "certainty": "certain",
        "certainty_score": 0.9,
        "source_char_spans": [[0, 3]],
        "cue_char_spans": [[4, 8]],
        "hedge_char_spans": [],
    }
    b_same, b_other = dict(a), {**a, "attribution": "anonymous", "source_char_spans": [[0, 5]]}
    rows = [
        {"corpus": "polnear", "doc_id": "d", "sent_idx": i, "a": a, "b": b}
        for i, b in enumerate([b_same, b_same, b_same, b_other])
    ]
    rows.append(
        {
            "corpus": "polnear",
            "doc_id": "d",
            "sent_idx": 4,
            "a": {**a, "attribution": "none"},
            "b": {**a, "attribution": "none"},
        }
    )
    path = tmp_path / "agreement.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = agreement(path)
    assert out["sentences"] == 5 and out["articles"] == 1
    assert out["attribution"]["accuracy"] == pytest.approx(0.8)
    assert 0 < out["attribution"]["kappa"] < 1
    assert out["certainty"]["accuracy"] == 1.0
    assert out["source_spans"]["f1"] == pytest.approx(0.8)  # 4 of 5 source spans match exactly
    assert out["cue_spans"]["f1"] == 1.0


def test_join_attaches_chains_outer_to_inner(texts: dict) -> None:
    text = texts[("fixture_doc_b", 0)]["text"]  # The Times reported that a campaign aide said ...
    times, aide = [0, 9], [24, 39]
    lab = label(
        text,
        0,
        "fixture_doc_b",
        attribution="anonymous",
        source_char_spans=[times, aide],
        cue_char_spans=[[10, 18], [40, 44]],
    )
    other = label(texts[("fixture_doc_b", 1)]["text"], 1, "fixture_doc_b")
    out = join([lab, other], CORPORA, chains={("polnear", "fixture_doc_b", 0): [times, aide]})
    assert out[0]["chain"] == [
        {"type": "according_to", "source": "The Times"},
        {"type": "anonymous", "source": "a campaign aide"},  # the innermost takes the label
    ]
    assert out[1]["chain"] == []  # not listed: no chain
    with pytest.raises(RecordError, match="not one of the sentence's source spans"):
        join([lab], CORPORA, chains={("polnear", "fixture_doc_b", 0): [times, [4, 9]]})


def test_load_realnews_reads_the_chains_file_it_is_given(texts: dict, tmp_path: Path) -> None:
    text = texts[("fixture_doc_b", 0)]["text"]
    times, aide = [0, 9], [24, 39]
    lab = label(text, 0, "fixture_doc_b", attribution="anonymous", source_char_spans=[times, aide])
    (tmp_path / "labels.jsonl").write_text(json.dumps(lab) + "\n")
    (tmp_path / "splits.json").write_text(json.dumps({"polnear:fixture_doc_b": "train"}))
    chain = {"corpus": "polnear", "doc_id": "fixture_doc_b", "sent_idx": 0, "chain_char_spans": [times, aide]}
    (tmp_path / "chains.jsonl").write_text(json.dumps(chain) + "\n")
    paths = (tmp_path / "labels.jsonl", tmp_path / "splits.json")
    [with_chain] = load_realnews(CORPORA, *paths, tmp_path / "chains.jsonl")
    assert [hop["source"] for hop in with_chain["chain"]] == ["The Times", "a campaign aide"]
    [without] = load_realnews(CORPORA, *paths, tmp_path / "no-chains.jsonl")
    assert without["chain"] == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Tom Lee, an analyst at Fitch", "Tom Lee"),
        ("Ben Roe, publisher of The Journal, a weekly", "Ben Roe"),
        ("The officials, who asked not to be identified", "The officials"),
        ("Sam Cho, a delegate from Houston, Texas", "Sam Cho"),
        # Kept whole: the apposition is the name, the comma joins a list, no apposition at all.
        ("the other candidate, former Governor Jane Roe", None),
        ("the Bank of Canada, the Bank of England and the Fed", None),
        ("experts like Ann Bell, the commissioner, or Karl Ost", None),
        ("Rep. Jane Roe (D-Ore.)", None),
        ("her brother, Sam", None),
    ],
)
def test_trim_source_drops_comma_set_appositions_only(source: str, expected: str | None) -> None:
    text = f"{source} said on Monday."
    start, end = trim_source(text, [0, len(source)])
    assert (start, text[start:end]) == (0, expected or source)


def test_join_trims_sources_cues_and_chain_hops_alike(tmp_path: Path) -> None:
    """Decision log rules 1 and 3 are applied as labels are read; the committed file is untouched."""
    text = "Tom Lee, an analyst at Fitch, told Reuters that Ann Bell, a trader, said prices fell."
    row = {"text": text, "doc_id": "doc_n", "sent_idx": 0}
    (tmp_path / "polnear-train.jsonl").write_text(json.dumps(row) + "\n")
    tom, ann = [0, 28], [48, 65]
    told, said = [text.index("told"), text.index(" that")], [text.index("said"), text.index("said") + 4]
    lab = label(
        text, 0, "doc_n", attribution="on_record", source_char_spans=[tom, ann], cue_char_spans=[told, said]
    )
    [rec] = join([lab], tmp_path, chains={("polnear", "doc_n", 0): [tom, ann]})
    assert [text[s:e] for s, e in rec["source_char_spans"]] == ["Tom Lee", "Ann Bell"]
    assert [text[s:e] for s, e in rec["cue_char_spans"]] == ["told", "said"]
    assert [hop["source"] for hop in rec["chain"]] == ["Tom Lee", "Ann Bell"]
    assert lab["source_char_spans"] == [tom, ann]  # the label itself is not changed


def test_committed_labels_are_well_formed() -> None:
    """Form only (no corpora here): keys, labels, bands, and one split per article."""
    from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, score_fits

    labels = [json.loads(line) for line in LABELS_PATH.read_text().splitlines()]
    splits = json.loads(SPLITS_PATH.read_text())
    assert len(labels) >= 5000
    keys = [(r["corpus"], r["doc_id"], r["sent_idx"]) for r in labels]
    assert len(set(keys)) == len(keys)
    for r in labels:
        assert r["attribution"] in ATTRIBUTION_LABELS and r["certainty"] in CERTAINTY_LABELS
        assert score_fits(r["certainty"], r["certainty_score"])
        assert "text" not in r  # labels only: the corpus text is never copied here
        assert splits[f"{r['corpus']}:{r['doc_id']}"] in SPLITS
    assert AGREEMENT_PATH.is_file()
    # Chains: every sentence with two or more sources is read (a chain or []), and each hop is
    # one of its sources.
    by_key = {(r["corpus"], r["doc_id"], r["sent_idx"]): r for r in labels}
    chains = [json.loads(line) for line in CHAINS_PATH.read_text().splitlines()]
    read = {(c["corpus"], c["doc_id"], c["sent_idx"]) for c in chains}
    assert read == {k for k, r in by_key.items() if len(r["source_char_spans"]) > 1}
    for c in chains:
        sources = by_key[c["corpus"], c["doc_id"], c["sent_idx"]]["source_char_spans"]
        assert len(c["chain_char_spans"]) != 1 and all(h in sources for h in c["chain_char_spans"])
        assert set(c) == {"corpus", "doc_id", "sent_idx", "chain_char_spans"}  # labels only


@pytest.fixture(scope="module")
def built_with_realnews(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("realnews")
    for f in CORPORA.iterdir():
        shutil.copy(f, tmp / f.name)
    texts = read_corpus(tmp, "polnear")
    labs = [
        label(r["text"], i, doc) for (doc, i), r in texts.items() if doc in ("fixture_doc_a", "fixture_doc_b")
    ]
    (tmp / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labs))
    splits = {"polnear:fixture_doc_a": "dev", "polnear:fixture_doc_b": "train"}
    (tmp / "splits.json").write_text(json.dumps(splits))
    cfg = DataConfig(
        data_dir=str(tmp),
        gold_path=str(tmp / "no-gold.jsonl"),
        generated=10,
        generated_eval=5,
        handwritten=False,
        realnews_labels=str(tmp / "labels.jsonl"),
        realnews_splits=str(tmp / "splits.json"),
        cache_dir=str(tmp / "cache"),
    )
    return cfg, build_datasets(cfg, use_cache=False)


def test_realnews_is_its_own_source_with_its_own_splits(built_with_realnews) -> None:
    cfg, dd = built_with_realnews
    assert set(dd) == {"train", "validation", "test", "realnews_dev", "realnews_test"}
    dev_docs = set(dd["realnews_dev"]["doc_id"])
    assert dev_docs == {"realnews:polnear:fixture_doc_a"}
    assert "realnews:polnear:fixture_doc_b" in set(dd["train"]["doc_id"])
    # No article on two sides: each real-news article is in exactly one split.
    sides = {name: {d for d in ds["doc_id"] if d.startswith("realnews:")} for name, ds in dd.items()}
    for a, b in [(a, b) for a in sides for b in sides if a < b]:
        assert not sides[a] & sides[b], (a, b)
    # Neither article reaches any split through PolNeAR's rule-derived rows.
    for ds in dd.values():
        assert not {"polnear:fixture_doc_a", "polnear:fixture_doc_b"} & set(ds["doc_id"])
    assert len(load_realnews(cfg.data_dir, cfg.realnews_labels, cfg.realnews_splits)) == 11
    table = stats(dd)
    assert "== realnews_dev: 8 sentences" in table
    assert "real-news    1 articles, 8 sentences: polnear/fixture 1/8" in table
