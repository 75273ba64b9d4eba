"""Scoring predictions against LABELS.md gold files: one typed result for the CLI, training and the card.

The metrics, their rules and the JSON layout of a report are documented in docs/evaluate.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from attrib.errors import AttribError
from attrib.labelling import predict_records
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, SPAN_KEYS, SPAN_KINDS, UNCERTAIN
from attrib.metrics import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CALIBRATION_BINS,
    Span,
    binary_metrics,
    calibration_metrics,
    chain_metrics,
    classification_metrics,
    num,
    score_metrics,
    span_metrics,
)
from attrib.predictor import Predictor
from attrib.records import RecordError, iter_numbered_records, validate_record

WORST_K = 10
REPORT_FORMAT = "attrib-eval/1"

GoldLine = tuple[int, dict[str, Any]]  # (line number in the gold file, record)


# --------------------------------------------------------------------------- scoring one system


def _spans(rec: dict[str, Any], kind: str) -> list[Span] | None:
    spans = rec.get(SPAN_KEYS[kind])
    return None if spans is None else [(int(s), int(e)) for s, e in spans]


def _confidence(pred: dict[str, Any], head: str) -> tuple[float | None, float | None]:
    """(probability of the predicted label, max probability), None where the prediction has no probs."""
    probs = pred.get(f"{head}_probs") or {}
    if not probs:
        return None, None
    return num(probs.get(pred[head])), float(max(probs.values()))


def score_system(
    gold: Sequence[GoldLine], preds: Sequence[dict[str, Any]], name: str, kind: str
) -> SystemScores:
    """Every figure of the report for one system; `preds[i]` is the prediction for `gold[i]`."""
    heads = {"attribution": ATTRIBUTION_LABELS, "certainty": CERTAINTY_LABELS}
    out: dict[str, Any] = {"name": name, "kind": kind}
    worst: dict[str, list[dict[str, Any]]] = {}
    calibration: dict[str, Any] = {}
    for head, labels in heads.items():
        rows = [(line, g, p) for (line, g), p in zip(gold, preds, strict=True) if g.get(head) is not None]
        for line, _, p in rows:
            if p.get(head) is None:
                raise AttribError(f"the prediction for gold line {line} has no {head} label")
        out[head] = classification_metrics(
            [g[head] for _, g, _ in rows], [p[head] for _, _, p in rows], labels
        )
        wrong = []
        conf_pairs = []
        for line, g, p in rows:
            p_conf, max_conf = _confidence(p, head)
            if max_conf is not None:
                conf_pairs.append((max_conf, p[head] == g[head]))
            if p[head] != g[head]:
                wrong.append(
                    {
                        "line": line,
                        "text": g["text"],
                        "gold": g[head],
                        "predicted": p[head],
                        "confidence": p_conf,
                    }
                )
        # The most confident mistakes first; without probabilities, file order.
        wrong.sort(key=lambda w: -(w["confidence"] if w["confidence"] is not None else -1.0))
        worst[head] = wrong[:WORST_K]
        calibration[head] = calibration_metrics([c for c, _ in conf_pairs], [ok for _, ok in conf_pairs])

    cert = [(g, p) for (_, g), p in zip(gold, preds, strict=True) if g.get("certainty") is not None]
    out["certainty_binary"] = binary_metrics(
        [g["certainty"] in UNCERTAIN for g, _ in cert], [p["certainty"] in UNCERTAIN for _, p in cert]
    )
    scored = [
        (line, g, p)
        for (line, g), p in zip(gold, preds, strict=True)
        if g.get("certainty_score") is not None and p.get("certainty_score") is not None
    ]
    out["certainty_score"] = score_metrics(
        [g["certainty_score"] for _, g, _ in scored], [p["certainty_score"] for _, _, p in scored]
    )
    errors = [
        {
            "line": line,
            "text": g["text"],
            "gold": float(g["certainty_score"]),
            "predicted": float(p["certainty_score"]),
            "error": round(abs(float(p["certainty_score"]) - float(g["certainty_score"])), 6),
        }
        for line, g, p in scored
    ]
    worst["certainty_score"] = sorted((e for e in errors if e["error"] > 0), key=lambda e: -e["error"])[
        :WORST_K
    ]

    out["spans"] = {}
    for kind_ in SPAN_KINDS:
        pairs = [
            (gs, _spans(p, kind_) or [])
            for (_, g), p in zip(gold, preds, strict=True)
            if (gs := _spans(g, kind_)) is not None
        ]
        out["spans"][kind_] = span_metrics(pairs)
    # Chains are scored where the gold annotates them (a `chain` key, [] for none).
    out["chains"] = chain_metrics(
        [
            ([h["source"] for h in g["chain"]], [h["source"] for h in p.get("chain") or []])
            for (_, g), p in zip(gold, preds, strict=True)
            if g.get("chain") is not None
        ]
    )
    out["calibration"] = calibration
    out["worst"] = worst
    return SystemScores(**out)


# --------------------------------------------------------------------------- files


def _aligned_predictions(
    gold_path: str | Path, gold: Sequence[GoldLine], pred_path: str | Path
) -> list[dict]:
    """The predictions file's records, checked to pair with the gold's line by line (blank lines aside)."""
    preds: list[dict[str, Any]] = []
    it = iter_numbered_records(pred_path, validate=False)
    for (gline, g), item in zip(gold, it, strict=False):
        pline, p = item
        where = f"{pred_path} line {pline}"
        text = p.get("text") if isinstance(p, dict) else None
        # The pairing is checked first: a shifted file is a different mistake from a bad span.
        if text != g["text"]:
            shown = _clip(text) if isinstance(text, str) else text
            raise RecordError(
                f"{where}: text differs from {gold_path} line {gline} ({shown!r} vs {_clip(g['text'])!r})"
            )
        preds.append(validate_record(p, where))
    if len(preds) < len(gold):
        raise RecordError(f"{pred_path}: {len(preds)} records but {gold_path} has {len(gold)}")
    extra = next(it, None)
    if extra is not None:
        raise RecordError(f"{pred_path} line {extra[0]}: more records than the {len(gold)} of {gold_path}")
    return preds


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# The headline figures, named once: the model card, training logs and selection all read these.
HEADLINE: tuple[tuple[str, str, Callable[[SystemScores], tuple[float | None, int]]], ...] = (
    ("attribution", "macro_f1", lambda s: (s.attribution["macro_f1"], s.attribution["n"])),
    ("attribution", "accuracy", lambda s: (s.attribution["accuracy"], s.attribution["n"])),
    ("certainty", "macro_f1", lambda s: (s.certainty["macro_f1"], s.certainty["n"])),
    ("certainty", "accuracy", lambda s: (s.certainty["accuracy"], s.certainty["n"])),
    ("certainty_binary", "f1", lambda s: (s.certainty_binary["f1"], s.certainty_binary["n"])),
    ("certainty_score", "pearson", lambda s: (s.certainty_score["pearson"], s.certainty_score["n"])),
    *(
        (kind, f"{match}_f1", lambda s, k=kind, m=match: (s.spans[k][m]["f1"], s.spans[k]["n"]))
        for kind in SPAN_KINDS
        for match in ("exact", "overlap")
    ),
    *(
        ("chain", f"{match}_{m}", lambda s, k=match, m=m: (s.chains[k][m], s.chains["n"]))
        for match, m in (("detected", "precision"), ("exact", "precision"), ("exact", "recall"))
    ),
)


@dataclass(frozen=True)
class Figure:
    """One headline figure: `head` / `metric` = `value` over `n` sentences."""

    head: str
    metric: str
    value: float
    n: int

    @property
    def key(self) -> str:
        return f"{self.head}/{self.metric}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SystemScores:
    """Every figure for one system on one gold file (the JSON layout is in docs/evaluate.md)."""

    name: str
    kind: str
    attribution: dict[str, Any]
    certainty: dict[str, Any]
    certainty_binary: dict[str, Any]
    certainty_score: dict[str, Any]
    spans: dict[str, dict[str, Any]]
    chains: dict[str, Any]
    calibration: dict[str, Any]
    worst: dict[str, list[dict[str, Any]]]

    def headline(self) -> list[Figure]:
        """The HEADLINE figures that are defined on this gold file (a head with no gold is left out)."""
        figures = []
        for head, metric, get in HEADLINE:
            value, n = get(self)
            if value is not None and n:
                figures.append(Figure(head, metric, float(value), int(n)))
        return figures

    def figure(self, head: str, metric: str) -> float | None:
        return next((f.value for f in self.headline() if (f.head, f.metric) == (head, metric)), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvalReport:
    """Scores of one or two systems on one gold file; `to_dict()` is the JSON report."""

    gold: str
    n_sentences: int
    systems: tuple[SystemScores, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "gold": self.gold,
            "n_sentences": self.n_sentences,
            "settings": {
                "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
                "bootstrap_seed": BOOTSTRAP_SEED,
                "calibration_bins": CALIBRATION_BINS,
                "worst_k": WORST_K,
            },
            "systems": [s.to_dict() for s in self.systems],
        }


def _predicted(gold: Sequence[GoldLine], predictor: Predictor) -> list[dict[str, Any]]:
    return [r.to_dict() for _, r in predict_records((g for _, g in gold), predictor)]


def evaluate_records(
    records: Iterable[dict[str, Any]], predictor: Predictor, where: str = "record"
) -> SystemScores:
    """Score `predictor` on LABELS.md records (validated; context from the previous record of the
    same doc_id), by the same path as `attrib evaluate`: what training and the model card use."""
    gold = [(i, validate_record(r, f"{where} {i}")) for i, r in enumerate(records, start=1)]
    if not gold:
        raise AttribError(f"{where}: no records to evaluate")
    return score_system(gold, _predicted(gold, predictor), predictor.name, "predictor")


def evaluate_file(
    gold_path: str | Path,
    predictor: Predictor | None = None,
    predictions: str | Path | None = None,
    compare: Predictor | None = None,
) -> EvalReport:
    """Score `predictor` (or a `predictions` file made earlier) against a gold file, plus `compare`."""
    if (predictor is None) == (predictions is None):
        raise AttribError("evaluate needs either a predictor or a predictions file (not both)")
    gold = list(iter_numbered_records(gold_path))
    if not gold:
        raise AttribError(f"{gold_path}: no records to evaluate")
    systems = []
    if predictions is not None:
        preds = _aligned_predictions(gold_path, gold, predictions)
        systems.append(score_system(gold, preds, Path(predictions).name, "predictions"))
    else:
        assert predictor is not None
        systems.append(score_system(gold, _predicted(gold, predictor), predictor.name, "predictor"))
    if compare is not None:
        name = compare.name if compare.name != systems[0].name else f"{compare.name} (compare)"
        systems.append(score_system(gold, _predicted(gold, compare), name, "predictor"))
    return EvalReport(str(gold_path), len(gold), tuple(systems))
