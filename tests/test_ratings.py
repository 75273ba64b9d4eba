"""The score-validation script on a tiny fixture (fixture corpora, hand-made ratings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from attrib.baseline import LexiconPredictor
from training.ratings import article_texts, read_ratings, validate

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
