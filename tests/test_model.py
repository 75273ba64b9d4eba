"""The multi-task model on a tiny random encoder: train a few steps, save, load, predict."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib.decode import spans_to_tags, tags_to_spans
from attrib.errors import AttribError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.model import AttribConfig, AttribModel
from attrib.result import SentenceResult
from tests.conftest import TINY_TEXTS


def _rows() -> list[dict]:
    """Labelled rows in the training format, spans found by substring so they are exact."""

    def span(text: str, phrase: str) -> list[list[int]]:
        i = text.find(phrase)
        return [[i, i + len(phrase)]] if phrase and i >= 0 else []

    spec = [
        (TINY_TEXTS[0], "anonymous", "speculative", "Officials", "said", "may"),
        (TINY_TEXTS[1], "according_to", "certain", "a Reuters report", "According to", ""),
        (TINY_TEXTS[2], "reportedly", "hedged", "", "reportedly", "reportedly"),
        (TINY_TEXTS[3], "on_record", "certain", "Police", "said", ""),
        (TINY_TEXTS[4], "none", "certain", "", "", ""),
        (TINY_TEXTS[7], "none", "hedged", "", "", "is expected to"),
    ]
    rows = []
    for text, attribution, certainty, source, cue, hedge in spec:
        rows.append(
            {
                "text": text,
                "context": None,
                "attribution": attribution,
                "certainty": certainty,
                "certainty_score": {"certain": 0.95, "hedged": 0.6, "speculative": 0.3}[certainty],
                "source_char_spans": span(text, source),
                "cue_char_spans": span(text, cue),
                "hedge_char_spans": span(text, hedge),
                "has_source_cue": True,
                "has_hedge": True,
            }
        )
    # A row with unknown attribution and spans: the losses must skip those heads.
    rows.append({"text": "It may rain.", "certainty": "speculative", "certainty_score": None})
    return rows


@pytest.fixture(scope="module")
def trained(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[AttribModel, Path]:
    from training.train import CONFIGS, train

    model = AttribModel.from_pretrained(tiny_encoder_dir, max_length=48)
    cfg = replace(
        CONFIGS["quick"],
        epochs=10,
        batch_size=4,
        lr=2e-3,
        head_lr=1e-2,
        warmup=0.0,
        patience=10,
        eval_limit=None,
    )
    run = tmp_path_factory.mktemp("run")
    rows = _rows()
    record = train(model, cfg, rows * 4, rows, run)
    assert record["epochs_run"] == 10
    return model, run


def test_training_lowers_the_loss(trained: tuple[AttribModel, Path]) -> None:
    _, run = trained
    epochs = [
        json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if "train_loss" in line
    ]
    losses = [e["train_loss"] for e in epochs]
    assert len(losses) == 10 and losses[-1] < losses[0]


def test_save_load_round_trip(trained: tuple[AttribModel, Path], tmp_path: Path) -> None:
    model, _ = trained
    model.save_pretrained(tmp_path / "ckpt", fp16=False)
    files = {p.name for p in (tmp_path / "ckpt").iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "tokenizer.json"} <= files
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in files)  # never pickles
    loaded = AttribModel.from_pretrained(tmp_path / "ckpt")
    before, after = model.predict(TINY_TEXTS), loaded.predict(TINY_TEXTS)
    for a, b in zip(before, after, strict=True):
        assert a.attribution == b.attribution and a.certainty == b.certainty
        assert a.attribution_probs == pytest.approx(b.attribution_probs, abs=1e-5)
        assert (a.sources, a.cues, a.hedges) == (b.sources, b.cues, b.hedges)


def test_fp16_checkpoint_is_smaller_and_agrees(trained: tuple[AttribModel, Path], tmp_path: Path) -> None:
    model, _ = trained
    model.save_pretrained(tmp_path / "fp32", fp16=False)
    model.save_pretrained(tmp_path / "fp16", fp16=True)
    size = {k: (tmp_path / k / "model.safetensors").stat().st_size for k in ("fp32", "fp16")}
    assert size["fp16"] < 0.6 * size["fp32"]
    half = AttribModel.from_pretrained(tmp_path / "fp16")
    for a, b in zip(model.predict(TINY_TEXTS), half.predict(TINY_TEXTS), strict=True):
        assert a.attribution_probs == pytest.approx(b.attribution_probs, abs=0.02)


def test_predict_keeps_the_shape_and_offsets(trained: tuple[AttribModel, Path]) -> None:
    model, _ = trained
    one = model.predict(TINY_TEXTS[0])
    assert isinstance(one, SentenceResult)
    many = model.predict(TINY_TEXTS)
    assert isinstance(many, list) and len(many) == len(TINY_TEXTS)
    assert [r.text for r in many] == TINY_TEXTS  # input order kept despite length sorting
    for r in many:
        assert r.attribution in ATTRIBUTION_LABELS and r.certainty in CERTAINTY_LABELS
        assert sum(r.attribution_probs.values()) == pytest.approx(1.0, abs=1e-4)
        assert 0.0 <= r.certainty_score <= 1.0
        for span in (*r.sources, *r.cues, *r.hedges):
            assert r.text[span.start : span.end] == span.text and span.text
    assert model.predict([]) == []


def test_training_fits_the_tiny_set(trained: tuple[AttribModel, Path]) -> None:
    model, _ = trained
    rows = [r for r in _rows() if r.get("attribution")]
    preds = model.predict([r["text"] for r in rows])
    right = sum(p.attribution == r["attribution"] for p, r in zip(preds, rows, strict=True))
    assert right >= len(rows) - 2  # 40 passes over 6 labelled sentences: it should fit them


def test_model_card_matches_template(trained: tuple[AttribModel, Path], tmp_path: Path) -> None:
    model, _ = trained
    model.config.training = {
        "recipe": "quick",
        "seed": 13,
        "metrics": {"gold set": [{"head": "attribution", "metric": "macro_f1", "value": 0.5, "n": 7}]},
    }
    model.save_pretrained(tmp_path / "ckpt")
    card = (tmp_path / "ckpt" / "README.md").read_text()
    for heading in ("## Intended use", "## Training", "## Metrics", "## Caveats", "### gold set"):
        assert heading in card
    assert "| attribution | macro_f1 | 0.500 | 7 |" in card
    assert "PolNeAR" in card and "MIT" in card and "CC BY-SA" in card
    assert "uncased" in card and "not truth" in card


def test_config_validates_labels() -> None:
    with pytest.raises(AttribError, match="attribution_labels"):
        AttribConfig(attribution_labels=["on_record", "none"])
    with pytest.raises(AttribError, match="max_length"):
        AttribConfig(max_length=4)
    cfg = AttribConfig()
    assert cfg.attrib_version and cfg.transformers_version


def test_unknown_base_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AttribError, match="cannot load a base encoder"):
        AttribModel.from_pretrained(tmp_path / "nothing-here")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_span_bio_round_trip(tiny_encoder_dir: Path, data: st.DataObject) -> None:
    """Char spans on word boundaries -> token BIO tags -> char spans gives the spans back."""
    from transformers import AutoTokenizer

    tok = _tokenizer(tiny_encoder_dir, AutoTokenizer)
    text = data.draw(st.sampled_from(TINY_TEXTS))
    words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+", text)]
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, min(i + 3, len(words) - 1)))
    span = [words[i][0], words[j][1]]
    enc = tok(text, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    tags = spans_to_tags({"SOURCE": [span]}, offsets, len(offsets))
    back = tags_to_spans(text, tags, offsets)
    assert [[s.start, s.end] for s in back["SOURCE"]] == [span]


_TOK: dict[str, object] = {}


def _tokenizer(path: Path, auto: type) -> object:
    if "tok" not in _TOK:
        _TOK["tok"] = auto.from_pretrained(str(path))
    return _TOK["tok"]


def test_int8_copy_predicts_like_the_model(trained: tuple[AttribModel, Path]) -> None:
    model, _ = trained
    int8 = model.quantized()
    assert int8.name == "model-int8" and model.name == "model"
    full, quant = model.predict(TINY_TEXTS), int8.predict(TINY_TEXTS)
    assert [r.text for r in quant] == TINY_TEXTS
    agree = sum(a.attribution == b.attribution for a, b in zip(full, quant, strict=True))
    assert agree >= len(TINY_TEXTS) - 2


def test_load_predictor_picks_model_baseline_or_error(
    trained: tuple[AttribModel, Path], tmp_path: Path
) -> None:
    from attrib.analysis import load_predictor

    model, _ = trained
    model.save_pretrained(tmp_path / "ckpt")
    assert load_predictor(str(tmp_path / "ckpt"), backend="torch").name == "model"
    assert load_predictor(str(tmp_path / "ckpt"), int8=True, backend="torch").name == "model-int8"
    assert load_predictor(str(tmp_path / "ckpt")).name == "model-onnx-int8"  # the default backend
    assert load_predictor("baseline").name == "baseline"
    with pytest.raises(AttribError, match="not an attrib model"):
        load_predictor(str(tmp_path / "missing"))


# --------------------------------------------------------------------------- consolidation


def _gold_file(tmp_path: Path) -> Path:
    from training.train import gold_records

    path = tmp_path / "gold.jsonl"
    rows = [r for r in _rows() if r.get("attribution")]
    recs = [{**g, "doc_id": "d", "sent_idx": i} for i, g in enumerate(gold_records(rows))]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    return path


def test_card_figures_equal_attrib_evaluate(trained: tuple[AttribModel, Path], tmp_path: Path) -> None:
    """The card and `attrib evaluate` read one typed result: the same numbers on the same file."""
    from attrib.evaluate import evaluate_file
    from attrib.records import read_records
    from training.train import card_figures

    model, _ = trained
    gold = _gold_file(tmp_path)
    figures = card_figures(model, {"fixture gold": (read_records(gold), False)})["fixture gold"]
    report = evaluate_file(gold, predictor=model).systems[0]
    assert figures == [f.to_dict() for f in report.headline()]
    assert {f["head"] for f in figures} >= {"attribution", "certainty", "source", "cue", "hedge"}
    model.config.training = {"recipe": "test", "metrics": {"fixture gold": figures}}
    model.save_pretrained(tmp_path / "ckpt")
    card = (tmp_path / "ckpt" / "README.md").read_text()
    macro = report.figure("attribution", "macro_f1")
    assert f"| attribution | macro_f1 | {macro:.3f} | {report.attribution['n']} |" in card


def test_finish_saves_the_best_epoch_with_its_figures(
    trained: tuple[AttribModel, Path], tmp_path: Path
) -> None:
    from attrib.records import read_records
    from training.train import CONFIGS, finish

    _, run = trained
    (run / "record.json").write_text(json.dumps({"recipe": "quick", "seed": 13, "history": []}))
    gold = read_records(_gold_file(tmp_path))
    figures = finish(CONFIGS["quick"], run, tmp_path / "final", sets={"fixture gold": (gold, True)})
    saved = json.loads((tmp_path / "final" / "config.json").read_text())
    assert saved["training"]["metrics"] == figures
    assert set(figures) == {"fixture gold", "lexicon baseline on the fixture gold"}
    best = AttribModel.from_pretrained(run / "best")
    final = AttribModel.from_pretrained(tmp_path / "final")  # fp16 copy of the best epoch
    texts = [r["text"] for r in gold]
    assert [p.attribution for p in final.predict(texts)] == [p.attribution for p in best.predict(texts)]


def test_config_is_portable_and_overrides_are_honoured_or_refused(
    trained: tuple[AttribModel, Path], tmp_path: Path, tiny_encoder_dir: Path
) -> None:
    model, _ = trained
    model.save_pretrained(tmp_path / "ckpt")
    raw = (tmp_path / "ckpt" / "config.json").read_text()
    assert str(tmp_path.parent) not in raw and str(tiny_encoder_dir) not in raw  # no machine paths
    assert json.loads(raw)["base_model"] == tiny_encoder_dir.name
    assert AttribModel.from_pretrained(tmp_path / "ckpt", max_length=40).config.max_length == 40
    with pytest.raises(AttribError, match="cannot override use_context"):
        AttribModel.from_pretrained(tmp_path / "ckpt", use_context=True)
    with pytest.raises(AttribError, match="unknown config field"):
        AttribModel.from_pretrained(tiny_encoder_dir, colour="blue")
    with pytest.raises(ValueError, match="batch_size"):
        model.predict(["A."], batch_size=0)


def test_bench_times_every_predictor(trained: tuple[AttribModel, Path], tmp_path: Path) -> None:
    from attrib.analysis import load_predictor
    from attrib.baseline import LexiconPredictor
    from attrib.bench import run_bench, sample_sentences
    from attrib.export import export_onnx
    from attrib.labelling import label_file

    model, _ = trained
    model.save_pretrained(tmp_path / "m")
    export_onnx(tmp_path / "m", tmp_path / "m")
    onnx = load_predictor(str(tmp_path / "m"))
    predictors = [model, model.quantized(), onnx, LexiconPredictor()]
    result = run_bench(
        predictors,
        TINY_TEXTS,
        "tiny",
        label=lambda src, dst: label_file(src, dst, onnx),
        repeat=1,
        startup_model=str(tmp_path / "m"),
    )
    assert [n for n, *_ in result.end_to_end] == ["model", "model-int8", "model-onnx-int8", "baseline"]
    assert [n for n, _ in result.raw] == ["torch fp32", "torch int8", "onnx int8"]  # no graph in the baseline
    assert all(rate > 0 for _, rate, *_ in result.end_to_end) and result.label_rate > 0
    assert result.end_to_end[0][2:] == (1.0, 1.0)  # the reference agrees with itself
    assert set(result.startup) == {"interpreter", "import", "load", "work", "attrib report"}
    table = result.table()
    assert "8 sentences from tiny" in table and "onnx end to end / onnx raw encoder" in table
    assert result.to_dict()["startup_s"]["attrib report"] > 0
    assert len(sample_sentences(50)) == 50
    with pytest.raises(AttribError, match="repeat"):
        run_bench(predictors, TINY_TEXTS, "tiny", label=lambda s, d: None, repeat=0)


def test_training_resumes_without_unpickling(trained: tuple[AttribModel, Path]) -> None:
    """A rerun continues after the last finished epoch, reading its state with weights_only=True."""
    import torch

    from training.train import CONFIGS, train

    model, run = trained
    state = torch.load(run / "train_state.pt", weights_only=True)  # plain tensors and values only
    assert state["epoch"] == 9
    cfg = replace(CONFIGS["quick"], epochs=10, batch_size=4, patience=10, eval_limit=None)
    record = train(model, cfg, _rows(), _rows(), run)
    assert record["epochs_run"] == 10  # nothing left to run: resumed after epoch 10 of 10


def test_class_weights_weigh_the_attribution_loss(tiny_encoder_dir: Path) -> None:
    import torch

    model = AttribModel.from_pretrained(tiny_encoder_dir)
    torch.manual_seed(0)
    n, t = 4, 6
    out = {
        "attribution": torch.randn(n, len(ATTRIBUTION_LABELS)),
        "certainty": torch.randn(n, len(CERTAINTY_LABELS)),
        "score": torch.rand(n),
        "source_cue": torch.randn(n, t, 5),
        "hedge": torch.randn(n, t, 3),
    }
    labels = torch.tensor([0, 1, 3, 4])
    batch = {
        "attribution_label": labels,
        "certainty_label": torch.full((n,), -100),
        "score_mask": torch.zeros(n),
        "score_label": torch.zeros(n),
        "source_cue_tags": torch.full((n, t), -100),
        "hedge_tags": torch.full((n, t), -100),
    }
    weights = torch.tensor([1.0, 3.0, 2.0, 4.0, 1.0])
    plain = model.loss(out, batch)
    weighed = model.loss(out, batch, {"attribution": weights})
    assert plain == pytest.approx(torch.nn.functional.cross_entropy(out["attribution"], labels).item())
    expected = torch.nn.functional.cross_entropy(out["attribution"], labels, weight=weights)
    assert weighed == pytest.approx(expected.item()) and weighed != pytest.approx(plain.item())
