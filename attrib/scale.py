"""Batch labelling on Ray Data, for corpora too large for one machine (the optional `[scale]` extra).

The same records out as `attrib label`, in input order: JSONL lines are read as raw text and
parsed and validated by the worker exactly as `attrib label` parses them; a stateful actor
loads the model once per worker process; results stream back to the driver in order and are
written atomically to one JSONL or Parquet file. Context (the previous sentence of the same
`doc_id`) is taken within each batch of `batch_size` rows; the shipped model does not use it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from attrib.analysis import load_predictor
from attrib.errors import AttribError
from attrib.labelling import labelled, output_line, predict_records
from attrib.output import atomic_writer, check_target
from attrib.records import iter_record_lines, validate_record

BATCH_SIZE = 1024
PARQUET = (".parquet", ".pq")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise AttribError("--engine ray needs Ray Data: pip install 'attrib[scale]'") from None
    return ray


class Labeller:
    """A Ray Data actor: one predictor per worker process, loaded once, labels batch after batch."""

    def __init__(
        self, model: str | None, backend: str, threads: int, name: str, jsonl: bool, to_parquet: bool
    ) -> None:
        self.predictor = load_predictor(model, backend=backend, threads=threads)
        self.name, self.jsonl, self.to_parquet = name, jsonl, to_parquet

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        if self.jsonl:
            # The plain path's own reader: the same limits, messages, BOM and blank-line rules.
            raw = "\n".join(batch.column("text").to_pylist()).encode("utf-8", "surrogatepass")
            records = [rec for _, rec in iter_record_lines(io.BytesIO(raw), f"a batch of {self.name}")]
        else:
            records = [validate_record(r, "a row") for r in batch.to_pylist()]
        pairs = list(predict_records(records, self.predictor, chunk_size=len(records) or 1))
        if self.to_parquet:
            # Nested fields travel as JSON text, so every batch has one fixed schema.
            rows = [{k: _flat(v) for k, v in labelled(r, res).items()} for r, res in pairs]
            return pa.Table.from_pylist(rows)
        return pa.table({"line": [output_line(r, res) for r, res in pairs]})


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def label_with_ray(
    in_path: str | Path,
    out_path: str | Path,
    model: str | None = None,
    address: str | None = None,
    workers: int = 2,
    threads: int = 1,
    backend: str = "onnx",
    batch_size: int = BATCH_SIZE,
) -> int:
    """Label a JSONL or Parquet file into a JSONL or Parquet file with `workers` actors of
    `threads` threads each, on a local Ray instance or the cluster at `address`; return the
    number of records written."""
    if workers < 1 or threads < 1 or batch_size < 1:
        raise AttribError("workers, threads and batch size must be at least 1")
    src = Path(in_path)
    if not src.is_file():
        raise AttribError(f"no such file: {src}")
    check_target(out_path, (in_path,))  # before any work: never overwrite the input
    ray = _ray()
    jsonl = src.suffix.lower() not in PARQUET
    to_parquet = Path(out_path).suffix.lower() in PARQUET
    started = not ray.is_initialized()
    if started:
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        ray.init(
            address=address,
            # One CPU more than the actors take, so the read tasks always find room beside them.
            num_cpus=None if address else workers * threads + 1,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # results in input order
        ctx.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        read = ray.data.read_text if jsonl else ray.data.read_parquet
        ds = read(str(src.resolve()), num_cpus=0.5)
        with warnings.catch_warnings():
            # max_restarts travels as a generic remote argument, which Ray 2.60 marks deprecated.
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*")
            ds = ds.map_batches(
                Labeller,
                fn_constructor_kwargs={
                    "model": str(Path(model).resolve()) if model else None,
                    "backend": backend,
                    "threads": threads,
                    "name": src.name,
                    "jsonl": jsonl,
                    "to_parquet": to_parquet,
                },
                batch_size=batch_size,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=threads,
                max_restarts=0,  # a worker that dies fails the run (with its error), never half-retries
            )
        return _write(ds, out_path, (in_path,), to_parquet)
    except ray.exceptions.RayError as exc:
        raise AttribError(f"labelling on Ray failed: {_cause(exc)}") from None
    finally:
        if started:
            ray.shutdown()


def _cause(exc: BaseException) -> str:
    """The worker's own one-line error (an AttribError's message) out of Ray's wrapping."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, AttribError):
            return str(e)
        todo += [x for x in (getattr(e, "cause", None), e.__cause__, e.__context__) if x is not None]
    # Ray may pass the worker's error on as text only: its last "...Error: message" line.
    for line in reversed(str(exc).splitlines()):
        if "Error: " in line:
            return line.split("Error: ", 1)[1].strip()[:300]
    return type(exc).__name__


def _write(ds: Any, out_path: str | Path, inputs: tuple[str | Path, ...], to_parquet: bool) -> int:
    written = 0
    if not to_parquet:
        with atomic_writer(out_path, inputs) as out:
            for batch in ds.iter_batches(batch_format="pyarrow", batch_size=None):
                lines = batch.column("line").to_pylist()
                out.writelines(lines)
                written += len(lines)
        return written
    import pyarrow.parquet as pq

    with atomic_writer(out_path, inputs) as out:
        out.flush()
        writer = None
        try:
            for batch in ds.iter_batches(batch_format="pyarrow", batch_size=None):
                if writer is None:
                    writer = pq.ParquetWriter(out.buffer, batch.schema)  # type: ignore[attr-defined]
                writer.write_table(batch.cast(writer.schema))
                written += batch.num_rows
        finally:
            if writer is not None:
                writer.close()
    return written
