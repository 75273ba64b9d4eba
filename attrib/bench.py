"""Speed benchmark: sentences per second for the baseline, the fp32 model and the int8 model.

    attrib bench [--model PATH] [--input FILE.jsonl] [--repeat 3]

All three run on the same sentences in one process; the figure is the best of `repeat` runs.
Agreement is the share of sentences where int8 and fp32 give the same attribution (and certainty).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from attrib.errors import AttribError
from attrib.predictor import DEFAULT_MODEL_DIR, load_predictor
from attrib.records import iter_records

DEFAULT_INPUT = Path(__file__).resolve().parent.parent / "training" / "gold" / "gold.jsonl"


def _rate(fn: Callable[[], object], n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def run_bench(model_path: str | None = None, input_path: str | None = None, repeat: int = 3) -> str:
    """Time each predictor on the same sentences and return a small plain-text table."""
    import torch

    path = Path(input_path) if input_path else DEFAULT_INPUT
    if not path.is_file():
        raise AttribError(f"no input sentences at {path}")
    sentences = [r["text"] for r in iter_records(path)]
    if not sentences:
        raise AttribError(f"{path} has no sentences")
    model = load_predictor(model_path or str(DEFAULT_MODEL_DIR))
    baseline = load_predictor("baseline")
    int8 = model.quantized()  # type: ignore[attr-defined]
    fp32_out = model.predict(sentences)
    int8_out = int8.predict(sentences)
    same_attr = sum(a.attribution == b.attribution for a, b in zip(fp32_out, int8_out, strict=True))
    same_cert = sum(a.certainty == b.certainty for a, b in zip(fp32_out, int8_out, strict=True))
    rows = [
        ("baseline (lexicon)", _rate(lambda: baseline.predict(sentences), len(sentences), repeat)),
        ("model fp32", _rate(lambda: model.predict(sentences), len(sentences), repeat)),
        ("model int8 (dynamic)", _rate(lambda: int8.predict(sentences), len(sentences), repeat)),
    ]
    lines = [
        f"{len(sentences)} sentences from {path.name}, best of {repeat}, "
        f"{torch.get_num_threads()} torch threads",
        f"{'predictor':<22} {'sentences/s':>12}",
        *(f"{name:<22} {rate:>12.1f}" for name, rate in rows),
        f"int8 vs fp32 agreement: attribution {same_attr / len(sentences):.3f}, "
        f"certainty {same_cert / len(sentences):.3f}",
    ]
    return "\n".join(lines)
