"""`attrib label` and `attrib evaluate`: metrics against hand-computed answers, files, CLI, reports."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attrib.cli import main
from attrib.errors import AttribError
from attrib.evalreport import render_report
from attrib.evaluate import EvalReport, evaluate_file
from attrib.labelling import CHUNK_SIZE, label_file
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.metrics import (
    bootstrap_macro_f1,
    calibration_metrics,
    chain_metrics,
    match_spans,
    span_metrics,
)
from attrib.records import RecordError, validate_record
from attrib.result import Hop, SentenceResult, Span

FIX = Path(__file__).parent / "fixtures"


def render_evaluation(report: EvalReport, fmt: str) -> str:
    return render_report(report.to_dict(), fmt)


GOLD = FIX / "eval_gold.jsonl"
PRED = FIX / "eval_pred.jsonl"
PERFECT = FIX / "eval_perfect.jsonl"
MALFORMED = FIX / "eval_malformed.jsonl"


class FakePredictor:
    """Labels by keyword and records the contexts it was given."""

    name = "fake"

    def __init__(self, fail_after: int | None = None) -> None:
        self.contexts: list[str | None] = []
        self.fail_after = fail_after

    def predict(
        self, sentences: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[SentenceResult]:
        ctx = list(contexts) if contexts is not None else [None] * len(sentences)
        self.contexts += ctx
        if self.fail_after is not None and len(self.contexts) > self.fail_after:
            raise RuntimeError("model crashed")
        return [self._one(s) for s in sentences]

    def _one(self, text: str) -> SentenceResult:
        said = text.find(" said")
        attribution = "on_record" if said >= 0 else "none"
        certainty = "speculative" if " may " in text else "certain"
        probs = {lab: 0.9 if lab == attribution else 0.025 for lab in ATTRIBUTION_LABELS}
        return SentenceResult(
            text=text,
            attribution=attribution,
            certainty=certainty,
            certainty_score=0.3 if certainty == "speculative" else 1.0,
            attribution_probs=probs,
            certainty_probs={lab: float(lab == certainty) for lab in CERTAINTY_LABELS},
            cues=(Span(said + 1, said + 5, "said"),) if said >= 0 else (),
        )


def system(report: Any, i: int = 0) -> dict[str, Any]:
    return report.to_dict()["systems"][i]


# --------------------------------------------------------------------------- hand-computed metrics

# The tiny fixture, by hand (lines 1-7 of eval_gold.jsonl vs eval_pred.jsonl):
#   attribution gold  on  acc anon rep none on  (null)   -> n = 6 (line 7 is not annotated)
#               pred  on  on  anon rep none on  anon
#   on_record: tp 2, support 2, predicted 3 -> P 2/3, R 1, F1 2*2/(2+3) = 0.8
#   according_to: tp 0 -> F1 0; anonymous, reportedly, none: F1 1
#   macro-F1 = (0.8 + 0 + 1 + 1 + 1) / 5 = 0.76; accuracy 5/6
#   certainty gold    cert spec hedg hedg cert (null) spec -> n = 6 (line 6 is not annotated)
#             pred    cert hedg hedg cert cert  cert  spec
#   certain F1 2*2/(2+3) = 0.8; hedged 2*1/(2+2) = 0.5; speculative 2*1/(2+1) = 2/3
#   macro-F1 = (0.8 + 0.5 + 2/3) / 3; accuracy 4/6
#   binary (positive = hedged or speculative): tp 3, gold 4, pred 3 -> P 1, R 3/4, F1 6/7


def test_attribution_matches_hand_computation() -> None:
    att = system(evaluate_file(GOLD, predictions=PRED))["attribution"]
    assert att["n"] == 6
    assert att["accuracy"] == pytest.approx(5 / 6)
    assert att["per_class"]["on_record"] == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2, "predicted": 3}
    )
    assert att["per_class"]["according_to"]["f1"] == 0.0
    assert att["macro_f1"] == pytest.approx(0.76)
    lo, hi = att["macro_f1_ci95"]
    assert 0.0 <= lo <= 0.76 <= hi <= 1.0
    assert att["confusion"]["labels"] == list(ATTRIBUTION_LABELS)
    assert att["confusion"]["matrix"][1] == [1, 0, 0, 0, 0]  # gold according_to, predicted on_record


def test_certainty_matches_hand_computation() -> None:
    s = system(evaluate_file(GOLD, predictions=PRED))
    cert = s["certainty"]
    assert cert["n"] == 6
    assert cert["accuracy"] == pytest.approx(4 / 6)
    assert [cert["per_class"][c]["f1"] for c in CERTAINTY_LABELS] == pytest.approx([0.8, 0.5, 2 / 3])
    assert cert["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert s["certainty_binary"] == pytest.approx(
        {"n": 6, "positive": "uncertain", "accuracy": 5 / 6, "precision": 1.0, "recall": 0.75, "f1": 6 / 7}
    )


def test_certainty_score_correlations() -> None:
    score = system(evaluate_file(GOLD, predictions=PRED))["certainty_score"]
    gold = [1.0, 0.2, 0.6, 0.55, 1.0, 0.3]  # line 6 has no gold score
    pred = [0.9, 0.5, 0.7, 0.9, 1.0, 0.3]
    assert score["n"] == 6
    assert score["mae"] == pytest.approx(0.85 / 6)
    assert score["pearson"] == pytest.approx(np.corrcoef(gold, pred)[0, 1])
    # Spearman = Pearson of the ranks (ties share their mean rank).
    assert score["spearman"] == pytest.approx(
        np.corrcoef([5.5, 1, 4, 3, 5.5, 2], [4.5, 2, 3, 4.5, 6, 1])[0, 1]
    )


def test_spans_match_hand_computation() -> None:
    spans = system(evaluate_file(GOLD, predictions=PRED))["spans"]
    # Line 6 has null span lists, so its predicted spans do not count: n = 6 sentences.
    src = spans["source"]
    assert (src["n"], src["gold"], src["predicted"]) == (6, 4, 5)
    assert src["exact"] == pytest.approx({"matched": 3, "precision": 0.6, "recall": 0.75, "f1": 2 / 3})
    assert src["overlap"] == pytest.approx({"matched": 4, "precision": 0.8, "recall": 1.0, "f1": 8 / 9})
    assert spans["cue"]["exact"]["f1"] == pytest.approx(0.8)
    assert spans["cue"]["overlap"]["f1"] == pytest.approx(1.0)
    assert spans["hedge"]["exact"] == pytest.approx(
        {"matched": 2, "precision": 1.0, "recall": 0.5, "f1": 2 / 3}
    )


def test_calibration_and_worst_errors() -> None:
    s = system(evaluate_file(GOLD, predictions=PRED))
    cal = s["calibration"]["attribution"]
    # Max probs 0.9 ok, 0.8 wrong, 0.6 ok, 0.7 ok, 0.95 ok, 0.5 ok (line 7: no gold attribution).
    assert cal["n"] == 6
    assert cal["ece"] == pytest.approx((2 * 0.075 + 0.8 + 0.3 + 0.4 + 0.5) / 6)
    assert [b["count"] for b in cal["bins"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 2]
    assert s["calibration"]["certainty"] == {**s["calibration"]["certainty"], "n": 0, "ece": None}
    assert s["worst"]["attribution"] == [
        {
            "line": 2,
            "text": "According to SBS, the deal may collapse.",
            "gold": "according_to",
            "predicted": "on_record",
            "confidence": 0.8,
        }
    ]
    assert [w["line"] for w in s["worst"]["certainty"]] == [2, 4]  # no probabilities: file order
    assert [(w["line"], w["error"]) for w in s["worst"]["certainty_score"][:2]] == [(4, 0.35), (2, 0.3)]


def test_perfect_predictions_score_one_everywhere() -> None:
    s = system(evaluate_file(GOLD, predictions=PERFECT))
    for head in ("attribution", "certainty"):
        assert s[head]["accuracy"] == s[head]["macro_f1"] == 1.0
        assert s[head]["macro_f1_ci95"] == [1.0, 1.0]
        assert all(c["f1"] == 1.0 for c in s[head]["per_class"].values())
        assert s["calibration"][head]["ece"] == 0.0
        assert s["worst"][head] == []
    assert s["certainty_binary"]["f1"] == 1.0
    assert s["certainty_score"]["pearson"] == pytest.approx(1.0)
    assert s["certainty_score"]["spearman"] == pytest.approx(1.0)
    assert s["certainty_score"]["mae"] == 0.0
    for kind in ("source", "cue", "hedge"):
        for rule in ("exact", "overlap"):
            m = s["spans"][kind][rule]
            assert m["precision"] == m["recall"] == m["f1"] == 1.0


def test_null_and_missing_gold_skip_the_head(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {
            "text": "Kim said so.",
            "attribution": "on_record",
            "certainty": None,
            "source_char_spans": [[0, 3]],
        },
        {"text": "It may rain.", "certainty": "speculative", "certainty_score": 0.2},
        {"text": "Nothing here."},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    s = system(evaluate_file(gold, predictor=FakePredictor()))
    assert s["attribution"]["n"] == 1
    assert s["certainty"]["n"] == s["certainty_binary"]["n"] == 1
    assert s["certainty_score"]["n"] == 1
    assert s["certainty_score"]["pearson"] is None  # undefined on one pair
    assert [s["spans"][k]["n"] for k in ("source", "cue", "hedge")] == [1, 0, 0]
    # The fake predicts a cue on line 1, but no gold has a cue list: nothing to score.
    assert s["spans"]["cue"]["exact"]["f1"] is None
    assert s["calibration"]["attribution"]["n"] == 1


def test_span_exact_vs_overlap_rules() -> None:
    assert match_spans([(0, 5)], [(0, 5)]) == 1
    assert match_spans([(0, 5)], [(0, 4)]) == 0
    assert match_spans([(0, 5)], [(0, 4)], overlap=True) == 1
    assert match_spans([(0, 5)], [(5, 9)], overlap=True) == 0  # touching is not overlapping
    # One-to-one: two predictions inside one gold span match it once.
    assert match_spans([(0, 10)], [(0, 3), (5, 9)], overlap=True) == 1
    # Greedy by shared length: (0, 10) takes (2, 10) (8 shared), leaving (0, 3) for (0, 2).
    assert match_spans([(0, 2), (0, 10)], [(0, 3), (2, 10)], overlap=True) == 2
    # An exact pair wins a tie, so every exact match is also an overlap match.
    assert match_spans([(0, 4), (0, 6)], [(0, 4)], overlap=True) == 1
    assert match_spans([(3, 5), (3, 5)], [(3, 5)]) == 1
    m = span_metrics([([(0, 5)], [(0, 4), (7, 9)]), ([], [])])
    assert m["n"] == 2 and (m["gold"], m["predicted"]) == (1, 2)
    assert m["exact"] == {"matched": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert m["overlap"] == pytest.approx({"matched": 1, "precision": 0.5, "recall": 1.0, "f1": 2 / 3})
    assert span_metrics([([], [])])["exact"]["f1"] is None


def test_chain_metrics_by_hand() -> None:
    pairs = [
        (["SBS", "a source"], ["sbs", "a  source"]),  # exact (case and spacing aside)
        (["Yonhap", "KCNA"], ["Yonhap", "KCNA)"]),  # detected, not exact
        ([], ["Kim", "Lee"]),  # a false chain
        (["AFP", "Kim"], []),  # a missed chain
        ([], ["Kim"]),  # one hop is no chain
    ]
    m = chain_metrics(pairs)
    assert (m["n"], m["gold"], m["predicted"]) == (5, 3, 3)
    assert m["detected"] == pytest.approx({"matched": 2, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3})
    assert m["exact"] == pytest.approx({"matched": 1, "precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3})
    assert chain_metrics([([], [])])["exact"]["precision"] is None


def test_chains_are_scored_only_where_the_gold_has_them(tmp_path: Path) -> None:
    class Relay(FakePredictor):
        def _one(self, text: str) -> SentenceResult:
            r = super()._one(text)
            hops = (Hop("according_to", "SBS"), Hop("on_record", "Kim")) if "SBS" in text else ()
            return SentenceResult(**{**r.__dict__, "chain": hops})

    rows = [
        {
            "text": "According to SBS, Kim said it.",
            "chain": [{"type": "according_to", "source": "SBS"}, {"type": "on_record", "source": "Kim"}],
        },
        {"text": "SBS aired it, Kim said.", "chain": []},  # a false chain
        {"text": "SBS aired it, Lee said."},  # chains not annotated: not scored
    ]
    gold = tmp_path / "g.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    m = system(evaluate_file(gold, Relay()))["chains"]
    assert (m["n"], m["gold"], m["predicted"]) == (2, 1, 2)
    assert m["exact"]["precision"] == 0.5 and m["exact"]["recall"] == 1.0
    with pytest.raises(RecordError, match="chain must be"):
        validate_record({"text": "x", "chain": [{"type": "rumour", "source": "x"}]}, "rec")


def test_bootstrap_is_seeded_and_sane() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(1)
    gold, pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    pred[:120] = gold[:120]
    point = f1_score(gold, pred, average="macro")
    lo, hi = bootstrap_macro_f1(gold, pred, 4)
    assert lo < point < hi and hi - lo < 0.3
    assert bootstrap_macro_f1(gold, pred, 4) == (lo, hi)
    assert bootstrap_macro_f1(gold, gold, 4) == (1.0, 1.0)


def test_calibration_bins() -> None:
    cal = calibration_metrics([0.05, 1.0, 0.55, 0.55], [False, True, True, False])
    assert [b["count"] for b in cal["bins"]] == [1, 0, 0, 0, 0, 2, 0, 0, 0, 1]
    assert cal["ece"] == pytest.approx((0.05 + 0.0 + 2 * 0.05) / 4)


# --------------------------------------------------------------------------- predictions files


def test_predictions_text_mismatch_names_the_line(tmp_path: Path) -> None:
    lines = PRED.read_text().splitlines()
    rec = json.loads(lines[2])
    rec["text"] = "Someone else said the plan is likely to pass."
    lines[2] = json.dumps(rec)
    bad = tmp_path / "pred.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordError, match=r"pred\.jsonl line 3: text differs from .*eval_gold\.jsonl line 3"):
        evaluate_file(GOLD, predictions=bad)
    bad.write_text("".join(PRED.read_text().splitlines(keepends=True)[:4]))
    with pytest.raises(RecordError, match="4 records but"):
        evaluate_file(GOLD, predictions=bad)


def test_compare_runs_second_system_side_by_side() -> None:
    report = evaluate_file(GOLD, predictions=PRED, compare=FakePredictor())
    names = [s["name"] for s in report.to_dict()["systems"]]
    assert names == ["eval_pred.jsonl", "fake"]
    header = next(
        line for line in render_evaluation(report, "text").splitlines() if line.startswith("Metric")
    )
    assert header.split() == ["Metric", "eval_pred.jsonl", "n", "fake", "n"]
    # The fake: " said" -> on_record, else none; right on lines 1, 5, 6, wrong on 2, 3, 4 -> 1/2.
    assert system(report, 1)["attribution"]["accuracy"] == pytest.approx(0.5)
    same = evaluate_file(GOLD, predictor=FakePredictor(), compare=FakePredictor())
    assert [s.name for s in same.systems] == ["fake", "fake (compare)"]


# --------------------------------------------------------------------------- label


def test_label_keeps_order_and_extra_keys(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    fake = FakePredictor()
    assert label_file(GOLD, out, fake) == 7
    gold = [json.loads(line) for line in GOLD.read_text().splitlines()]
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["text"] for g in got] == [g["text"] for g in gold]
    for i, (g, rec) in enumerate(zip(gold, got, strict=True)):
        validate_record(rec, f"line {i + 1}")
        assert (rec["doc_id"], rec["sent_idx"]) == (g["doc_id"], g["sent_idx"])
        assert {"attribution_probs", "certainty_probs", "chain", "cue_char_spans"} <= rec.keys()
    assert got[0]["note"] == "kept as is"
    assert got[1]["attribution"] == "none"  # the prediction replaces the gold label
    # Context: the previous sentence of the same document only.
    assert fake.contexts[:4] == [None, gold[0]["text"], gold[1]["text"], None]


def test_label_passes_context_across_chunks(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    n = CHUNK_SIZE + 6
    src.write_text("".join(json.dumps({"text": f"Sentence {i}.", "doc_id": "a"}) + "\n" for i in range(n)))
    fake = FakePredictor()
    seen: list[int] = []
    assert label_file(src, tmp_path / "out.jsonl", fake, on_progress=seen.append) == n
    assert seen == [CHUNK_SIZE, 6]  # one call a chunk, so a progress bar can follow
    assert fake.contexts == [None] + [f"Sentence {i}." for i in range(n - 1)]


def test_label_failure_leaves_no_partial_file(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": f"S {i}."}) + "\n" for i in range(CHUNK_SIZE * 2)))
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(RuntimeError):
        label_file(src, out, FakePredictor(fail_after=CHUNK_SIZE))
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_label_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "Hi."}\n')
    with pytest.raises(AttribError, match="refusing"):
        label_file(src, tmp_path / "sub" / ".." / "in.jsonl", FakePredictor())
    assert src.read_text() == '{"text": "Hi."}\n'
    with pytest.raises(AttribError, match="does not exist"):
        label_file(src, tmp_path / "nowhere" / "out.jsonl", FakePredictor())


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("command", ["label", "evaluate"])
def test_cli_malformed_line_exit_2(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [command, str(MALFORMED), "--predictor", "baseline"]
    args += ["-o", str(tmp_path / "out.jsonl")] if command == "label" else []
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "eval_malformed.jsonl line 3" in err and err.startswith("attrib: error:")
    assert not (tmp_path / "out.jsonl").exists()


def test_cli_label_then_evaluate_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pred.jsonl"
    assert main(["label", str(GOLD), "-o", str(out), "--predictor", "baseline"]) == 0
    assert len(out.read_text().splitlines()) == 7
    assert main(["evaluate", str(GOLD), "--predictions", str(out), "--out", str(tmp_path / "r.json")]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["format"] == "attrib-eval/1" and data["n_sentences"] == 7
    assert main(["evaluate", str(GOLD), "--predictions", str(PERFECT)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"Attribution macro-F1 \[95% CI\]\s+1\.000 \[1\.00, 1\.00\]\s+6", text)


def test_cli_label_same_file_refused(capsys: pytest.CaptureFixture[str]) -> None:
    before = GOLD.read_text()
    assert main(["label", str(GOLD), "-o", str(GOLD), "--predictor", "baseline"]) == 2
    assert "refusing" in capsys.readouterr().err
    assert GOLD.read_text() == before


# --------------------------------------------------------------------------- reports


def _hostile_report(tmp_path: Path) -> Any:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"text": "<script>alert('x')</script> said | nothing.", "attribution": "none", "certainty": "hedged"},
        {"text": "Kim said it.", "attribution": "on_record", "certainty": "certain", "certainty_score": 1.0},
        {"text": "It may rain.", "attribution": "none", "certainty": "speculative", "certainty_score": 0.2},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return evaluate_file(gold, predictor=FakePredictor(), compare=FakePredictor())


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    html = render_evaluation(_hostile_report(tmp_path), "html")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not re.search(r"https?:", html)
    assert not re.search(r"""\b(?:src|href)=["'](?!data:)""", html) and "url(" not in html
    assert html.count('src="data:image/png;base64,') == 8  # 2 systems x (2 confusions + 2 reliability)


def test_markdown_and_text_escape_table_cells(tmp_path: Path) -> None:
    report = _hostile_report(tmp_path)
    md = render_evaluation(report, "markdown")
    assert "&lt;script&gt;" in md and "<script" not in md and "said \\| nothing" in md
    assert "<script>alert('x')</script> said | nothing." in render_evaluation(report, "text")


def test_json_report_is_strict_json_with_documented_keys() -> None:
    report = evaluate_file(GOLD, predictions=PRED)
    data = json.loads(render_evaluation(report, "json"), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert set(data) == {"format", "gold", "n_sentences", "settings", "systems"}
    assert set(data["systems"][0]) == {
        "name",
        "kind",
        "attribution",
        "certainty",
        "certainty_binary",
        "certainty_score",
        "spans",
        "chains",
        "calibration",
        "worst",
    }
    docs = (Path(__file__).parent.parent / "docs" / "evaluate.md").read_text()
    for key in [*data, *data["systems"][0]]:
        assert f"`{key}`" in docs, key
    for key in ["macro_f1_ci95", "per_class", "confusion", "overlap", "ece", "bins", "confidence", "error"]:
        assert re.search(rf"\b{key}\b", docs), key


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(AttribError):
        render_evaluation(evaluate_file(GOLD, predictions=PRED), "pdf")
