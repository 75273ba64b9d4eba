"""Bulk labelling: predict every record of a JSONL stream, in order, a chunk at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from attrib.continuations import continue_article
from attrib.errors import AttribError
from attrib.output import atomic_writer
from attrib.predictor import Predictor
from attrib.records import iter_records
from attrib.result import SentenceResult

# Sentences predicted per call: the predictor sorts a chunk by length, so a large chunk pads
# little (64 gave 57% of the raw encoder's rate on real news, 1024 gives over 90%).
CHUNK_SIZE = 1024


def _context(prev: dict[str, Any] | None, rec: dict[str, Any]) -> str | None:
    """The previous sentence's text when it belongs to the same document (pronoun speakers, split quotes)."""
    doc = rec.get("doc_id")
    if prev is None or doc is None or prev.get("doc_id") != doc:
        return None
    return prev["text"]


def predict_records(
    records: Iterable[dict[str, Any]],
    predictor: Predictor,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[dict[str, Any], SentenceResult]]:
    """Yield (record, prediction) in input order, predicting `chunk_size` sentences at a time;
    `on_progress(n)` follows each chunk of n sentences once its finished pairs have been taken.

    Consecutive records with the same `doc_id` are one article: once it ends, its quote
    continuations take their speaker's type (`attrib.quotes`) and a Q&A interview's answers the
    interviewee's (`attrib.interviews`), as `analyze` does for a text."""
    prev: dict[str, Any] | None = None
    chunk: list[dict[str, Any]] = []
    article: list[tuple[dict[str, Any], SentenceResult]] = []

    def finish() -> Iterator[tuple[dict[str, Any], SentenceResult]]:
        recs = [r for r, _ in article]
        texts = [r["text"] for r in recs]
        results = continue_article(texts, [res for _, res in article])
        article.clear()
        yield from zip(recs, results, strict=True)

    def flush() -> Iterator[tuple[dict[str, Any], SentenceResult]]:
        contexts = [_context(p, r) for p, r in zip([prev, *chunk[:-1]], chunk, strict=True)]
        results = predictor.predict([r["text"] for r in chunk], contexts)
        if len(results) != len(chunk):
            raise AttribError(
                f"predictor {predictor.name!r} returned {len(results)} results for {len(chunk)}"
            )
        for pair in zip(chunk, results, strict=True):
            doc = pair[0].get("doc_id")
            if article and (doc is None or doc != article[-1][0].get("doc_id")):
                yield from finish()
            article.append(pair)
        if on_progress:
            on_progress(len(chunk))

    for rec in records:
        chunk.append(rec)
        if len(chunk) == chunk_size:
            yield from flush()
            prev, chunk = chunk[-1], []
    if chunk:
        yield from flush()
    yield from finish()


def labelled(rec: dict[str, Any], result: SentenceResult) -> dict[str, Any]:
    """The output record: the input's other keys pass through, the prediction's fields replace
    any labels already there."""
    return {**rec, **result.to_dict(), "text": rec["text"]}


def output_line(rec: dict[str, Any], result: SentenceResult) -> str:
    return json.dumps(labelled(rec, result), ensure_ascii=False) + "\n"


def count_records(path: str | Path) -> int:
    """Non-blank lines of a file: a cheap total, so that a progress display can show an ETA."""
    with Path(path).open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def label_file(
    in_path: str | Path,
    out_path: str | Path,
    predictor: Predictor,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Label every sentence of `in_path` into `out_path`; return the number of lines written.

    Other keys of each input record pass through; the prediction's fields replace any labels
    already there. The output appears atomically (temp file + rename) and only on success.
    `on_progress(n)` is called after each chunk of n sentences (the CLI draws a bar with it).
    """
    written = 0
    with atomic_writer(out_path, inputs=(in_path,)) as out:
        for rec, result in predict_records(iter_records(in_path), predictor, on_progress=on_progress):
            out.write(output_line(rec, result))
            written += 1
    return written
