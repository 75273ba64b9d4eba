"""Speed benchmark: raw encoders, end to end per backend, start-up, and agreement, in one run.

Every figure is timed on the same sentences in one process (best of `repeat`):
- raw encoder: the graph alone on already tokenised, padded batches (torch fp32, ONNX int8);
- end to end: `predict` (tokenising, batching, decoding) per predictor, and `attrib label`'s
  path (JSONL in, JSONL out) on the default backend;
- start-up: a cold process doing what `attrib report` does, split into import, load and work,
  and the wall time of the real `attrib report` command;
- agreement: the share of sentences whose attribution (certainty) matches torch fp32.
`busy` starts that many CPU-bound processes for the whole run, to show behaviour under contention.
The default input is the sample article's sentences, tiled to `DEFAULT_SENTENCES` (packaged, so
it works in any install); pass a JSONL file for a realistic mix.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from attrib.errors import AttribError
from attrib.predictor import Predictor
from attrib.records import iter_record_lines

DEFAULT_SENTENCES = 500
SAMPLE = "korea-arms-ukraine.gold.jsonl"
SAMPLE_ARTICLE = "korea-arms-ukraine.txt"
# Predictor name -> the name of its encoder in the raw-encoder rows.
RAW_NAMES = {"model": "torch fp32", "model-int8": "torch int8", "model-onnx-int8": "onnx int8"}


def sample_sentences(n: int = DEFAULT_SENTENCES) -> list[str]:
    """The packaged sample article's sentences (its gold file), repeated up to `n`."""
    with resources.files("attrib.samples").joinpath(SAMPLE).open("rb") as fh:
        base = [rec["text"] for _, rec in iter_record_lines(fh, SAMPLE)]
    return [base[i % len(base)] for i in range(n)]


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@contextlib.contextmanager
def _busy(n: int) -> Iterator[None]:
    """`n` CPU-bound processes running alongside, as another job on a shared machine would."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


# What a cold `attrib report` does, in a child process, timed in three parts.
_STARTUP_PROBE = """
import sys, time, json
t0 = time.perf_counter()
from attrib.analysis import analyze, load_predictor
from attrib.reader import read_article
from attrib.render import render
t1 = time.perf_counter()
predictor = load_predictor(sys.argv[1] or None, threads=int(sys.argv[3]) if sys.argv[3] else None)
t2 = time.perf_counter()
render(analyze(read_article(sys.argv[2]), predictor), "text")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "work": t3 - t2}))
"""


def startup(model: str | None, article: str, threads: int | None, repeat: int) -> dict[str, float]:
    """Seconds for a cold process: import, load, work (best of `repeat` each), the interpreter's
    own start (process wall minus the three), and the real `attrib report` command's wall time."""
    runs, walls = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _STARTUP_PROBE, model or "", article, str(threads or "")],
            capture_output=True,
            text=True,
        )
        walls.append(time.perf_counter() - t0)
        if out.returncode != 0:
            raise AttribError(f"the start-up probe failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
        runs.append(json.loads(out.stdout))
    split = {k: min(r[k] for r in runs) for k in ("import", "load", "work")}
    split["interpreter"] = max(0.0, min(walls) - sum(split.values()))
    command = [sys.executable, "-m", "attrib.cli", "report", article]
    if model:
        command += ["--model", model]
    if threads:
        command += ["--threads", str(threads)]
    split["attrib report"] = _best(lambda: subprocess.run(command, capture_output=True, check=True), repeat)
    return split


@dataclass(frozen=True)
class BenchResult:
    n_sentences: int
    source: str
    repeat: int
    threads: int
    busy: int
    raw: tuple[tuple[str, float], ...]  # (encoder, sentences/s)
    end_to_end: tuple[tuple[str, float, float, float], ...]  # (predictor, sent/s, attr agr., cert agr.)
    label_rate: float  # `attrib label`'s path on the default backend, sentences/s
    startup: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_sentences": self.n_sentences,
            "source": self.source,
            "repeat": self.repeat,
            "threads": self.threads,
            "busy": self.busy,
            "raw_encoder": dict(self.raw),
            "end_to_end": {
                n: {"rate": r, "agree_attribution": a, "agree_certainty": c} for n, r, a, c in self.end_to_end
            },
            "label_rate": self.label_rate,
            "startup_s": self.startup,
        }

    def table(self) -> str:
        raw = dict(self.raw)
        e2e = {n: r for n, r, _, _ in self.end_to_end}
        lines = [
            f"{self.n_sentences} sentences from {self.source}; best of {self.repeat}; {self.threads} threads"
            + (f"; {self.busy} CPU-bound process(es) running alongside" if self.busy else ""),
            "",
            f"{'raw encoder (graph only)':<34} {'sentences/s':>12}",
            *(f"{name:<34} {rate:>12.1f}" for name, rate in self.raw),
            "",
            f"{'end to end (predict)':<34} {'sentences/s':>12} {'attr agree':>11} {'cert agree':>11}",
            *(f"{n:<34} {r:>12.1f} {a:>11.3f} {c:>11.3f}" for n, r, a, c in self.end_to_end),
            f"{'attrib label path (onnx int8)':<34} {self.label_rate:>12.1f}",
            "",
            "ratios",
        ]
        if "onnx int8" in raw and "model-onnx-int8" in e2e:
            lines.append(
                f"  onnx end to end / onnx raw encoder    {e2e['model-onnx-int8'] / raw['onnx int8']:.2f}"
            )
            lines.append(f"  attrib label path / onnx raw encoder  {self.label_rate / raw['onnx int8']:.2f}")
        if "model" in e2e and "model-onnx-int8" in e2e:
            lines.append(
                f"  onnx int8 / torch fp32 end to end     {e2e['model-onnx-int8'] / e2e['model']:.2f}"
            )
        s = self.startup
        lines += [
            "",
            "start-up of a cold `attrib report` on the sample article (seconds)",
            f"  interpreter {s['interpreter']:.3f}  import {s['import']:.3f}  load {s['load']:.3f}  "
            f"work {s['work']:.3f}",
            f"  the `attrib report` command, wall: {s['attrib report']:.3f}",
        ]
        return "\n".join(lines)


def _agreement(ref: Sequence[Any], other: Sequence[Any]) -> tuple[float, float]:
    n = len(ref)
    attr = sum(a.attribution == b.attribution for a, b in zip(ref, other, strict=True)) / n
    cert = sum(a.certainty == b.certainty for a, b in zip(ref, other, strict=True)) / n
    return attr, cert


def _raw_rate(predictor: Any, sentences: list[str], repeat: int) -> float:
    """The encoder graph alone: batches are prepared once, outside the clock."""
    batches = predictor.prepare(sentences, [None] * len(sentences))
    return len(sentences) / _best(lambda: [predictor.run(b[1]) for b in batches], repeat)


def run_bench(
    predictors: Sequence[Predictor],
    sentences: Sequence[str],
    source: str,
    label: Callable[[str, str], object],
    repeat: int = 3,
    threads: int = 1,
    busy: int = 0,
    startup_model: str | None = None,
) -> BenchResult:
    """Time `predictors` (the first is the fp32 reference for agreement) on the same sentences.

    `label(input_path, output_path)` runs `attrib label`'s path; predictors with `prepare` and
    `run` (the torch model and the ONNX backend) also get a raw encoder figure.
    """
    if repeat < 1:
        raise AttribError(f"--repeat must be at least 1, got {repeat}")
    sentences = list(sentences)
    if not sentences:
        raise AttribError(f"{source} has no sentences")
    n = len(sentences)
    with _busy(busy):
        raw, e2e, ref = [], [], None
        for p in predictors:
            out = p.predict(sentences)  # also the warm-up
            ref = ref or out  # the first predictor's labels are the reference
            rate = n / _best(lambda p=p: p.predict(sentences), repeat)
            e2e.append((p.name, rate, *_agreement(ref, out)))
            if hasattr(p, "prepare") and hasattr(p, "run"):
                raw.append((RAW_NAMES.get(p.name, p.name), _raw_rate(p, sentences, repeat)))
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
            src.write_text("".join(json.dumps({"text": t}) + "\n" for t in sentences), encoding="utf-8")
            label_rate = n / _best(lambda: label(str(src), str(dst)), repeat)
        with resources.as_file(resources.files("attrib.samples").joinpath(SAMPLE_ARTICLE)) as article:
            start = startup(startup_model, str(article), threads, repeat)
    return BenchResult(n, source, repeat, threads, busy, tuple(raw), tuple(e2e), label_rate, start)
