"""Pure metric functions over label and span lists: no predictors, no files (docs/evaluate.md)."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CALIBRATION_BINS = 10

Span = tuple[int, int]


def num(x: Any) -> float | None:
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
        pearson = num(pearsonr(g, p)[0]) if defined else None
        spearman = num(spearmanr(g, p)[0]) if defined else None
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


def _hop_key(source: str) -> str:
    return " ".join(source.casefold().split())


def chain_metrics(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> dict[str, Any]:
    """P/R/F1 of relay chains over (gold, predicted) sentence pairs, each chain its hops' sources
    outer to inner (fewer than two hops: no chain). Detected: the sentence has a chain in both.
    Exact: the same sources in the same order (case and spacing aside)."""
    gold = [tuple(map(_hop_key, g)) if len(g) > 1 else None for g, _ in pairs]
    pred = [tuple(map(_hop_key, p)) if len(p) > 1 else None for _, p in pairs]
    n_gold = sum(g is not None for g in gold)
    n_pred = sum(p is not None for p in pred)
    both = [(g, p) for g, p in zip(gold, pred, strict=True) if g is not None and p is not None]
    return {
        "n": len(pairs),
        "gold": n_gold,
        "predicted": n_pred,
        "detected": _prf(len(both), n_gold, n_pred),
        "exact": _prf(sum(g == p for g, p in both), n_gold, n_pred),
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
