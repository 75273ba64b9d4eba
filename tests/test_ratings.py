"""The score-validation script on a tiny fixture (fixture corpora, hand-made ratings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from attrib.baseline import LexiconPredictor
from attrib.records import RecordError
from training.ratings import article_texts, gold_profiles, read_ratings, validate
from training.realnews import read_corpus, text_hash

CORPORA = Path(__file__).parent / "fixtures" / "corpora"


def test_validation_on_a_tiny_fixture(tmp_path: Path) -> None:
    docs = ["fixture_doc_a", "fixture_doc_b", "fixture_doc_00", "fixture_doc_01"]
    rows = []
    for i, doc in enumerate(docs):
        for rater, bump in (("a", 0), ("b", 1 if i == 2 else 0)):
            rows.append(
                {
                    "corpus": "polnear",
                    "doc_id": doc,
                    "rater": rater,
                    "rating": 2 + i % 3 + bump,
                    "split": "dev",
                }
            )
    rows.append({"corpus": "polnear", "doc_id": "fixture_doc_02", "rater": "a", "rating": 5, "split": "test"})
    path = tmp_path / "ratings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ratings = read_ratings(path, "dev")
    assert set(ratings) == {("polnear", d) for d in docs}  # the test article stays out
    texts = article_texts(CORPORA, ratings)
    assert texts[("polnear", "fixture_doc_a")].count("\n") == 7  # eight sentences, one a line
    out = validate(ratings, texts, LexiconPredictor())
    assert out["articles"] == 4
    assert -1.0 <= out["score_spearman"] <= 1.0
    assert "vague_anonymous" in out["components_spearman"]
    assert out["raters_weighted_kappa"] == pytest.approx(
        cohen_kappa_score([2, 3, 4, 2], [2, 3, 5, 2], weights="quadratic")
    )


def test_gold_profiles_score_the_annotations_not_a_model(tmp_path: Path) -> None:
    """`--predictor gold`: the profile of the annotations; an unannotated article is an error."""
    rows = read_corpus(CORPORA, "polnear", {"fixture_doc_a"})
    labels = []
    for (doc, idx), row in sorted(rows.items()):
        said = row["text"].find(" said")
        labels.append(
            {
                "corpus": "polnear",
                "doc_id": doc,
                "sent_idx": idx,
                "text_sha1": text_hash(row["text"]),
                "attribution": "anonymous" if said > 0 else "none",
                "certainty": "certain",
                "certainty_score": 1.0,
                "source_char_spans": [[0, said]] if said > 0 else [],
                "cue_char_spans": [[said + 1, said + 5]] if said > 0 else [],
                "hedge_char_spans": [],
            }
        )
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels))
    (tmp_path / "splits.json").write_text(json.dumps({"polnear:fixture_doc_a": "dev"}))
    doc = ("polnear", "fixture_doc_a")
    profiles = gold_profiles(CORPORA, [doc], tmp_path / "labels.jsonl", tmp_path / "splits.json")
    n_said = sum(1 for r in labels if r["attribution"] == "anonymous")
    assert n_said >= 2 and profiles[doc].n_sentences == len(labels)
    assert profiles[doc].n_named_sources == 0  # every source is labelled anonymous
    with pytest.raises(RecordError, match="no real-news labels"):
        gold_profiles(
            CORPORA, [("polnear", "fixture_doc_b")], tmp_path / "labels.jsonl", tmp_path / "splits.json"
        )
