"""Dataset builders on small fixture files in the corpora's formats (never ../shared)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from training.data import DataConfig, build_datasets, load_pei, load_szeged, split_of, stats
from training.polnear import load_polnear

CORPORA = Path(__file__).parent / "fixtures" / "corpora"


@pytest.fixture(scope="module")
def polnear() -> dict[str, dict]:
    return {r["text"]: r for r in load_polnear(CORPORA / "polnear-train.jsonl")}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The senator arrived in Iowa on Monday.", "none"),
        ("Senator Jane Roe said the bill would pass.", "on_record"),
        ("“It is a good day,” she said.", "on_record"),  # pronoun speaker
        ("The vote seems likely to be close.", "none"),  # PolNeAR no-source internal state
        ("The senator allegedly took the money.", "reportedly"),  # PolNeAR no-source hearsay
        ("Officials said the count was delayed.", "anonymous"),
        ("Turnout rose by 5 percent, according to a Gallup poll.", "according_to"),
        ("Turnout fell, according to Mayor Bob Stone.", "on_record"),  # named person after "according to"
        ("It was a bad plan.", "on_record"),  # quote continuation, speaker in another sentence
    ],
)
def test_polnear_type_derivation(polnear: dict[str, dict], text: str, label: str) -> None:
    assert polnear[text]["attribution"] == label


def test_polnear_spans_and_chain(polnear: dict[str, dict]) -> None:
    rec = polnear["The Times reported that a campaign aide said the plan was dead."]
    assert rec["attribution"] == "anonymous"  # the innermost source
    assert rec["chain"] == [
        {"type": "according_to", "source": "The Times"},
        {"type": "anonymous", "source": "a campaign aide"},
    ]
    text = rec["text"]
    assert [text[s:e] for s, e in rec["source_char_spans"]] == ["The Times", "a campaign aide"]
    assert [text[s:e] for s, e in rec["cue_char_spans"]] == ["reported", "said"]
    # A `none` sentence carries no source or cue span, as in the gold set.
    assert polnear["The vote seems likely to be close."]["cue_char_spans"] == []
    # Context is the previous sentence of the same article.
    first, second = "The senator arrived in Iowa on Monday.", "Senator Jane Roe said the bill would pass."
    assert polnear[second]["context"] == first


def test_szeged_mapping() -> None:
    rows = {r["text"]: r for r in load_szeged(CORPORA / "szeged-wiki.jsonl")}
    assert "Wiki A" not in rows  # title rows dropped
    assert rows["The castle was built in 1200."]["certainty"] == "certain"
    assert rows["It is probably the oldest in the region."]["certainty"] == "hedged"
    assert rows["The king may have lived there."]["certainty"] == "speculative"
    assert rows["If the records are right, it burned twice."]["certainty"] == "speculative"
    rec = rows["The king may have lived there."]
    assert [rec["text"][s:e] for s, e in rec["hedge_char_spans"]] == ["may"]
    assert rec["attribution"] is None and rec["has_hedge"] and not rec["has_source_cue"]


def test_pei_score_mapping() -> None:
    rows = list(load_pei(CORPORA / "pei-jurgens-train.jsonl"))
    assert [r["certainty_score"] for r in rows] == [1.0, 0.3]
    assert rows[0]["certainty"] == "certain" and rows[1]["certainty"] is None
    assert all(r["attribution"] is None for r in rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("data")
    for f in CORPORA.iterdir():
        shutil.copy(f, tmp / f.name)
    gold = tmp / "gold.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps(
                {"text": t, "attribution": "none", "certainty": "certain", "doc_id": "g", "sent_idx": i}
            )
            for i, t in enumerate(["A dog barked.", "A cat slept."])
        )
        + "\n"
    )
    cfg = DataConfig(
        data_dir=str(tmp),
        gold_path=str(gold),
        generated=40,
        generated_eval=10,
        handwritten=False,
        realnews=False,  # its own test: tests/test_realnews.py
        val_frac=0.25,
        test_frac=0.25,
        cache_dir=str(tmp / "cache"),
    )
    return cfg, build_datasets(cfg)


def test_no_document_on_two_sides(built) -> None:
    _, dd = built
    docs = {name: set(ds["doc_id"]) for name, ds in dd.items()}
    assert all(docs.values())
    assert not docs["train"] & docs["validation"]
    assert not docs["train"] & docs["test"]
    assert not docs["validation"] & docs["test"]
    # The gold set is test only.
    gold = dd["test"].filter(lambda r: r["corpus"] == "gold")
    assert set(gold["text"]) == {"A dog barked.", "A cat slept."}
    assert "gold" not in set(dd["train"]["corpus"]) | set(dd["validation"]["corpus"])


def test_build_is_cached_and_stats_print(built) -> None:
    cfg, dd = built
    cache = Path(cfg.cache_dir) / cfg.key()
    sizes = json.loads((cache / "split_sizes.json").read_text())
    assert sizes == {name: len(ds) for name, ds in dd.items()}
    again = build_datasets(cfg)
    assert again["train"]["text"] == dd["train"]["text"]
    table = stats(dd)
    for word in ("== train", "== validation", "== test", "polnear", "szeged", "generated", "derived"):
        assert word in table


def test_split_is_stable_per_document() -> None:
    cfg = DataConfig()
    assert {split_of("polnear:doc-1", cfg) for _ in range(3)} == {split_of("polnear:doc-1", cfg)}
    shares = [split_of(f"doc-{i}", cfg) for i in range(2000)]
    assert 0.85 * 0.8 < shares.count("train") / 2000 < 1.15 * 0.8
