"""Temperature scaling of the sentence heads, fitted on the real-news dev set.

    python -m training.calibrate models/attrib-minilm [--data-dir ../shared/data]

One temperature per head (attribution, certainty) minimises the negative log-likelihood of the
dev labels. The held-out figures come from 2-fold cross-fitting by article: fit on the articles
of one half, measure ECE on the other, and swap. So no "after" figure is measured on the
sentences that fitted it. The temperatures fitted on the whole dev set go into config.json, with
the figures in the model card, and the ONNX export is re-made. The model's labels never change:
a temperature rescales confidences, not the arg-max. The training corpora hold no labelled real
news that training did not see, so the dev set stands in for held-out training data.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from attrib.export import export_onnx
from attrib.labelling import predict_records
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.metrics import calibration_metrics
from attrib.model import AttribModel
from training.realnews import load_realnews

HEADS = {"attribution": ATTRIBUTION_LABELS, "certainty": CERTAINTY_LABELS}
FOLD_SEED = 11


def _log_probs(probs: np.ndarray) -> np.ndarray:
    return np.log(np.clip(probs, 1e-12, 1.0))


def scaled(logp: np.ndarray, t: float) -> np.ndarray:
    """Softmax of log-probabilities divided by `t` (the same as scaling the logits)."""
    z = logp / t
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logp: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `gold` (searched on log t)."""

    def nll(log_t: float) -> float:
        p = scaled(logp, math.exp(log_t))
        return float(-np.log(np.clip(p[np.arange(len(gold)), gold], 1e-12, 1.0)).mean())

    return math.exp(minimize_scalar(nll, bounds=(math.log(0.05), math.log(20)), method="bounded").x)


def ece(probs: np.ndarray, gold: np.ndarray) -> float:
    return float(
        calibration_metrics(probs.max(axis=1).tolist(), (probs.argmax(axis=1) == gold).tolist())["ece"]
    )


def cross_fitted(
    logp: np.ndarray, gold: np.ndarray, docs: Sequence[str], seed: int = FOLD_SEED
) -> dict[str, float]:
    """ECE before and after, each half scaled by the temperature fitted on the other half."""
    names = sorted(set(docs))
    random.Random(seed).shuffle(names)
    half = set(names[: len(names) // 2])
    fold = np.array([d in half for d in docs])
    after = np.zeros_like(logp)
    for test in (fold, ~fold):
        after[test] = scaled(logp[test], fit_temperature(logp[~test], gold[~test]))
    return {"ece_before": ece(scaled(logp, 1.0), gold), "ece_after": ece(after, gold)}


def calibrate(checkpoint: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Fit, measure, and write the temperatures into `checkpoint` (weights untouched)."""
    model = AttribModel.from_pretrained(checkpoint)
    model.config.temperature = {}  # measure the raw heads
    results = [res for _, res in predict_records(records, model)]
    docs = [r["doc_id"] for r in records]
    heads: dict[str, Any] = {}
    for head, labels in HEADS.items():
        keep = [i for i, r in enumerate(records) if r.get(head) in labels]
        probs = np.array([[getattr(results[i], f"{head}_probs")[lab] for lab in labels] for i in keep])
        gold = np.array([labels.index(records[i][head]) for i in keep])
        logp = _log_probs(probs)
        t = fit_temperature(logp, gold)
        heads[head] = {"temperature": t, "n": len(keep), **cross_fitted(logp, gold, [docs[i] for i in keep])}
    model.config.temperature = {h: round(v["temperature"], 4) for h, v in heads.items()}
    model.config.training["calibration"] = {
        "note": (
            "Each sentence head's softmax is temperature-scaled, fitted on the real-news dev set "
            f"({len(records)} sentences); ECE before and after is cross-fitted by article "
            "(`python -m training.calibrate`). Labels are unchanged."
        ),
        "heads": heads,
    }
    # Only the config changes: the weights are rewritten in the precision they were stored in.
    model.save_pretrained(checkpoint, fp16=_stored_fp16(checkpoint))
    export_onnx(checkpoint, checkpoint)
    return heads


def _stored_fp16(checkpoint: Path) -> bool:
    import torch
    from safetensors import safe_open

    with safe_open(str(checkpoint / "model.safetensors"), framework="pt") as f:
        return f.get_tensor(next(iter(f.keys()))).dtype == torch.float16


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--data-dir", default="../shared/data")
    args = parser.parse_args()
    dev = [r for r in load_realnews(args.data_dir) if r["split"] == "dev"]
    for head, row in calibrate(args.checkpoint, dev).items():
        print(
            f"{head}: temperature {row['temperature']:.3f}  ECE {row['ece_before']:.3f} -> "
            f"{row['ece_after']:.3f} (cross-fitted, n={row['n']})"
        )


if __name__ == "__main__":
    main()
