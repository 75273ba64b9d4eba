"""Bulk labelling of JSONL files, and scoring predictions against LABELS.md gold files.

The metrics, their rules and the JSON layout of a report are documented in docs/evaluate.md.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attrib.errors import AttribError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, SPAN_KINDS
from attrib.predictor import Predictor
from attrib.records import RecordError, iter_numbered_records, iter_records
from attrib.result import SentenceResult

CHUNK_SIZE = 64
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CALIBRATION_BINS = 10
WORST_K = 10
REPORT_FORMAT = "attrib-eval/1"
# Binary certainty scores the detection of softened claims, so "not certain" is the positive class.
UNCERTAIN = tuple(lab for lab in CERTAINTY_LABELS if lab != "certain")

Span = tuple[int, int]
GoldLine = tuple[int, dict[str, Any]]  # (line number in the gold file, record)


# --------------------------------------------------------------------------- prediction


def _context(prev: dict[str, Any] | None, rec: dict[str, Any]) -> str | None:
    """The previous sentence's text when it belongs to the same document (pronoun speakers, split quotes)."""
    doc = rec.get("doc_id")
    if prev is None or doc is None or prev.get("doc_id") != doc:
        return None
    return prev["text"]


def predict_records(
    records: Iterable[dict[str, Any]], predictor: Predictor, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[dict[str, Any], SentenceResult]]:
    """Yield (record, prediction) in input order, predicting `chunk_size` sentences at a time."""
    prev: dict[str, Any] | None = None
    chunk: list[dict[str, Any]] = []

    def flush() -> Iterator[tuple[dict[str, Any], SentenceResult]]:
        contexts = [_context(p, r) for p, r in zip([prev, *chunk[:-1]], chunk, strict=True)]
        results = predictor.predict([r["text"] for r in chunk], contexts)
        if len(results) != len(chunk):
            raise AttribError(
                f"predictor {predictor.name!r} returned {len(results)} results for {len(chunk)}"
            )
        yield from zip(chunk, results, strict=True)

    for rec in records:
        chunk.append(rec)
        if len(chunk) == chunk_size:
            yield from flush()
            prev, chunk = chunk[-1], []
    if chunk:
        yield from flush()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def label_file(
    in_path: str | Path, out_path: str | Path, predictor: Predictor, progress: bool = False
) -> int:
    """Label every sentence of `in_path` into `out_path`; return the number of lines written.

    Other keys of each input record pass through; the prediction's fields replace any labels
    already there. The output appears atomically (temp file + rename) and only on success.
    """
    from tqdm import tqdm

    src, dst = Path(in_path), Path(out_path)
    if src.resolve() == dst.resolve() or (dst.exists() and src.exists() and os.path.samefile(src, dst)):
        raise AttribError(f"refusing to overwrite the input file {src} with its own labels")
    if not dst.parent.is_dir():
        raise AttribError(f"cannot write {dst}: folder {dst.parent} does not exist")
    total = None
    if progress and src.is_file():
        with src.open("rb") as fh:  # a cheap line count, so that the bar can show an ETA
            total = sum(1 for line in fh if line.strip())
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    tmp = Path(tmp_name)
    written = 0
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8") as out,
            tqdm(total=total, disable=not progress, unit="sent", file=sys.stderr, desc="labelling") as bar,
        ):
            for rec, result in predict_records(iter_records(src), predictor):
                out.write(
                    json.dumps({**rec, **result.to_dict(), "text": rec["text"]}, ensure_ascii=False) + "\n"
                )
                written += 1
                bar.update()
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


# --------------------------------------------------------------------------- metrics


def _num(x: Any) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


def _macro_f1_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Macro-F1 of confusion matrices `(..., k, k)` (rows gold), over the classes each one sees.

    F1 = 2TP / (support + predicted); classes with neither are left out, as scikit-learn does.
    """
    tp = np.diagonal(cm, axis1=-2, axis2=-1).astype(float)
    denom = (cm.sum(axis=-1) + cm.sum(axis=-2)).astype(float)
    seen = denom > 0
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=seen)
    return f1.sum(axis=-1) / np.maximum(seen.sum(axis=-1), 1)


def bootstrap_macro_f1(
    gold: np.ndarray,
    pred: np.ndarray,
    k: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float] | None:
    """Percentile 95% interval of macro-F1 over sentence resamples (label ids in [0, k))."""
    n = len(gold)
    if n == 0:
        return None
    rng = np.random.default_rng(seed)
    scores = []
    block = max(1, min(resamples, 2_000_000 // n))  # bounds memory on large gold files
    for start in range(0, resamples, block):
        b = min(block, resamples - start)
        idx = rng.integers(0, n, size=(b, n))
        codes = gold[idx] * k + pred[idx] + np.arange(b)[:, None] * (k * k)
        cm = np.bincount(codes.ravel(), minlength=b * k * k).reshape(b, k, k)
        scores.append(_macro_f1_from_confusion(cm))
    lo, hi = np.percentile(np.concatenate(scores), [2.5, 97.5])
    return float(lo), float(hi)


def classification_metrics(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str], resamples: int = BOOTSTRAP_RESAMPLES
) -> dict[str, Any]:
    """Accuracy, per-class P/R/F1/support, macro-F1 with a bootstrap interval, confusion matrix.

    A class that occurs neither in the gold nor in the predictions has null P/R/F1 and is left
    out of the macro average.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    n, labels = len(gold), list(labels)
    if n == 0:
        per_class = {
            lab: {"precision": None, "recall": None, "f1": None, "support": 0, "predicted": 0}
            for lab in labels
        }
        matrix = [[0] * len(labels) for _ in labels]
        return {
            "n": 0,
            "accuracy": None,
            "macro_f1": None,
            "macro_f1_ci95": None,
            "per_class": per_class,
            "confusion": {"labels": labels, "matrix": matrix},
        }
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    cm = confusion_matrix(gold, pred, labels=labels)
    per_class = {}
    for i, lab in enumerate(labels):
        seen = s[i] > 0 or cm[:, i].sum() > 0
        per_class[lab] = {
            "precision": float(p[i]) if seen else None,
            "recall": float(r[i]) if seen else None,
            "f1": float(f[i]) if seen else None,
            "support": int(s[i]),
            "predicted": int(cm[:, i].sum()),
        }
    ids = {lab: i for i, lab in enumerate(labels)}
    ci = bootstrap_macro_f1(
        np.array([ids[x] for x in gold]), np.array([ids[x] for x in pred]), len(labels), resamples=resamples
    )
    return {
        "n": n,
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(f1_score(gold, pred, average="macro", zero_division=0)),
        "macro_f1_ci95": list(ci) if ci else None,
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": cm.tolist()},
    }


def binary_metrics(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, Any]:
    """Accuracy and P/R/F1 of the positive class; P/R/F1 null when neither side has a positive."""
    n = len(gold)
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    n_gold, n_pred = sum(gold), sum(pred)
    out: dict[str, Any] = {
        "n": n,
        "positive": "uncertain",
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else None,
        "precision": None,
        "recall": None,
        "f1": None,
    }
    if n_gold or n_pred:
        out["precision"] = tp / n_pred if n_pred else 0.0
        out["recall"] = tp / n_gold if n_gold else 0.0
        out["f1"] = 2 * tp / (n_gold + n_pred)
    return out


def score_metrics(gold: Sequence[float], pred: Sequence[float]) -> dict[str, Any]:
    """Pearson and Spearman correlation (null when undefined: n < 2 or a constant side) and MAE."""
    from scipy.stats import pearsonr, spearmanr

    g, p = np.asarray(gold, dtype=float), np.asarray(pred, dtype=float)
    n = len(g)
    defined = n >= 2 and np.ptp(g) > 0 and np.ptp(p) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pearson = _num(pearsonr(g, p)[0]) if defined else None
        spearman = _num(spearmanr(g, p)[0]) if defined else None
    return {
        "n": n,
        "pearson": pearson,
        "spearman": spearman,
        "mae": float(np.abs(g - p).mean()) if n else None,
    }


def match_spans(gold: Sequence[Span], pred: Sequence[Span], overlap: bool = False) -> int:
    """How many predicted spans match a gold span, one-to-one.

    Exact: same [start, end). Overlap: the spans share at least one character; pairs are taken
    greedily by decreasing shared length, exact pairs first among equals (so every exact match
    is also an overlap match), then by position; each span is used at most once.
    """
    if not overlap:
        return sum((Counter(map(tuple, gold)) & Counter(map(tuple, pred))).values())
    pairs = []
    for i, (gs, ge) in enumerate(gold):
        for j, (ps, pe) in enumerate(pred):
            shared = min(ge, pe) - max(gs, ps)
            if shared > 0:
                pairs.append((-shared, (gs, ge) != (ps, pe), i, j))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, _, i, j in sorted(pairs):
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
    return len(used_gold)


def _prf(matched: int, n_gold: int, n_pred: int) -> dict[str, Any]:
    if not (n_gold or n_pred):
        return {"matched": 0, "precision": None, "recall": None, "f1": None}
    return {
        "matched": matched,
        "precision": matched / n_pred if n_pred else 0.0,
        "recall": matched / n_gold if n_gold else 0.0,
        "f1": 2 * matched / (n_gold + n_pred),
    }


def span_metrics(pairs: Sequence[tuple[Sequence[Span], Sequence[Span]]]) -> dict[str, Any]:
    """Micro P/R/F1 over all spans of the given (gold, predicted) sentence pairs, exact and overlap."""
    n_gold = sum(len(g) for g, _ in pairs)
    n_pred = sum(len(p) for _, p in pairs)
    return {
        "n": len(pairs),
        "gold": n_gold,
        "predicted": n_pred,
        "exact": _prf(sum(match_spans(g, p) for g, p in pairs), n_gold, n_pred),
        "overlap": _prf(sum(match_spans(g, p, overlap=True) for g, p in pairs), n_gold, n_pred),
    }


def calibration_metrics(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS
) -> dict[str, Any]:
    """Expected calibration error over `bins` equal-width bins [lo, hi) (the last one closed)."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        row = {"lo": b / bins, "hi": (b + 1) / bins, "count": count, "confidence": None, "accuracy": None}
        if count:
            row["confidence"], row["accuracy"] = float(conf[mask].mean()), float(ok[mask].mean())
            ece += count * abs(row["accuracy"] - row["confidence"])
        table.append(row)
    n = len(conf)
    return {"n": n, "ece": ece / n if n else None, "bins": table}


# --------------------------------------------------------------------------- scoring one system


def _spans(rec: dict[str, Any], kind: str) -> list[Span] | None:
    spans = rec.get(f"{kind}_char_spans")
    return None if spans is None else [(int(s), int(e)) for s, e in spans]


def _confidence(pred: dict[str, Any], head: str) -> tuple[float | None, float | None]:
    """(probability of the predicted label, max probability), None where the prediction has no probs."""
    probs = pred.get(f"{head}_probs") or {}
    if not probs:
        return None, None
    return _num(probs.get(pred[head])), float(max(probs.values()))


def score_system(
    gold: Sequence[GoldLine], preds: Sequence[dict[str, Any]], name: str, kind: str
) -> dict[str, Any]:
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
    out["calibration"] = calibration
    out["worst"] = worst
    return out


# --------------------------------------------------------------------------- files


def _aligned_predictions(
    gold_path: str | Path, gold: Sequence[GoldLine], pred_path: str | Path
) -> list[dict]:
    """The predictions file's records, checked to pair with the gold's line by line (blank lines aside)."""
    preds: list[dict[str, Any]] = []
    it = iter_numbered_records(pred_path)
    for (gline, g), item in zip(gold, it, strict=False):
        pline, p = item
        if p["text"] != g["text"]:
            raise RecordError(
                f"{pred_path} line {pline}: text differs from {gold_path} line {gline} "
                f"({_clip(p['text'])!r} vs {_clip(g['text'])!r})"
            )
        preds.append(p)
    if len(preds) < len(gold):
        raise RecordError(f"{pred_path}: {len(preds)} records but {gold_path} has {len(gold)}")
    extra = next(it, None)
    if extra is not None:
        raise RecordError(f"{pred_path} line {extra[0]}: more records than the {len(gold)} of {gold_path}")
    return preds


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class EvalReport:
    """Scores of one or two systems on one gold file; `to_dict()` is the JSON report."""

    gold: str
    n_sentences: int
    systems: tuple[dict[str, Any], ...]

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
            "systems": list(self.systems),
        }


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

    def run(p: Predictor) -> list[dict[str, Any]]:
        return [r.to_dict() for _, r in predict_records((g for _, g in gold), p)]

    systems = []
    if predictions is not None:
        systems.append(
            score_system(
                gold,
                _aligned_predictions(gold_path, gold, predictions),
                Path(predictions).name,
                "predictions",
            )
        )
    else:
        assert predictor is not None
        systems.append(score_system(gold, run(predictor), predictor.name, "predictor"))
    if compare is not None:
        name = compare.name if compare.name != systems[0]["name"] else f"{compare.name} (compare)"
        systems.append(score_system(gold, run(compare), name, "predictor"))
    return EvalReport(str(gold_path), len(gold), tuple(systems))


def render_evaluation(report: EvalReport, fmt: str) -> str:
    """The report as text, markdown, json or html (see attrib/evalreport.py)."""
    from attrib.evalreport import render_report

    return render_report(report, fmt)
