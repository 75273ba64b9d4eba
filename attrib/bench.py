"""Speed benchmark: sentences per second for the baseline, the fp32 model and the int8 model.

All three run on the same sentences in one process; the figure is the best of `repeat` runs.
Agreement is the share of sentences where int8 and fp32 give the same attribution (and certainty).
The default input is the sample article's sentences, tiled to `DEFAULT_SENTENCES` (packaged, so
it works in any install); pass a JSONL file for a realistic mix.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from attrib.errors import AttribError
from attrib.predictor import Predictor
from attrib.records import iter_record_lines

DEFAULT_SENTENCES = 500
SAMPLE = "korea-arms-ukraine.gold.jsonl"


def sample_sentences(n: int = DEFAULT_SENTENCES) -> list[str]:
    """The packaged sample article's sentences (its gold file), repeated up to `n`."""
    with resources.files("attrib.samples").joinpath(SAMPLE).open("rb") as fh:
        base = [rec["text"] for _, rec in iter_record_lines(fh, SAMPLE)]
    return [base[i % len(base)] for i in range(n)]


def _rate(fn: Callable[[], object], n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


@dataclass(frozen=True)
class BenchResult:
    n_sentences: int
    source: str
    repeat: int
    threads: int
    rates: tuple[tuple[str, float], ...]  # (predictor, sentences/s)
    agreement_attribution: float
    agreement_certainty: float

    def table(self) -> str:
        return "\n".join(
            [
                f"{self.n_sentences} sentences from {self.source}, best of {self.repeat}, "
                f"{self.threads} torch threads",
                f"{'predictor':<22} {'sentences/s':>12}",
                *(f"{name:<22} {rate:>12.1f}" for name, rate in self.rates),
                f"int8 vs fp32 agreement: attribution {self.agreement_attribution:.3f}, "
                f"certainty {self.agreement_certainty:.3f}",
            ]
        )


def run_bench(
    model: Predictor, baseline: Predictor, sentences: Sequence[str], source: str, repeat: int = 3
) -> BenchResult:
    """Time the baseline, `model` and its int8 copy on the same sentences."""
    import torch

    if repeat < 1:
        raise AttribError(f"--repeat must be at least 1, got {repeat}")
    sentences = list(sentences)
    if not sentences:
        raise AttribError(f"{source} has no sentences")
    if not hasattr(model, "quantized"):
        raise AttribError("bench needs a fine-tuned model (not the baseline) as --model")
    int8 = model.quantized()
    fp32_out = model.predict(sentences)
    int8_out = int8.predict(sentences)
    n = len(sentences)
    return BenchResult(
        n_sentences=n,
        source=source,
        repeat=repeat,
        threads=torch.get_num_threads(),
        rates=(
            ("baseline (lexicon)", _rate(lambda: baseline.predict(sentences), n, repeat)),
            ("model fp32", _rate(lambda: model.predict(sentences), n, repeat)),
            ("model int8 (dynamic)", _rate(lambda: int8.predict(sentences), n, repeat)),
        ),
        agreement_attribution=sum(
            a.attribution == b.attribution for a, b in zip(fp32_out, int8_out, strict=True)
        )
        / n,
        agreement_certainty=sum(a.certainty == b.certainty for a, b in zip(fp32_out, int8_out, strict=True))
        / n,
    )
