"""The ONNX Runtime backend: label sentences with an exported int8 graph, without torch.

Only `onnxruntime`, `tokenizers` and numpy are imported: starting it costs a fraction of a
second where torch and transformers cost seconds. Tokenisation, padding and decoding follow the
torch model exactly (`AttribModel.encode` / `decode_sentence`), so the two differ only by int8
rounding. `attrib.export` makes the graph.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from attrib.decode import decode_sentence
from attrib.errors import AttribError
from attrib.labels import CONFIG_LABEL_LISTS
from attrib.predictor import BasePredictor, check_threads
from attrib.result import SentenceResult

# A checkpoint folder's files (the torch model reads and writes the same names).
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
ONNX_NAME = "model.int8.onnx"
ONNX_RECORD = "onnx.json"
BATCH_SIZE = 64  # sentences per run; length-sorted, so padding stays small


def source_sha256(folder: str | Path) -> str:
    """The SHA-256 of what an export bakes in: the checkpoint's weights and head temperatures."""
    h = hashlib.sha256()
    with open(Path(folder) / WEIGHTS_NAME, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    try:
        config = json.loads((Path(folder) / CONFIG_NAME).read_text(encoding="utf-8"))
        temperature = config.get("temperature") if isinstance(config, dict) else None
    except (OSError, ValueError):
        temperature = None
    h.update(b"\0" + json.dumps(temperature or {}, sort_keys=True).encode())
    return h.hexdigest()


def has_current_export(folder: str | Path) -> bool:
    """Whether `folder` holds an int8 export made from the weights (and temperatures) now beside it."""
    folder = Path(folder)
    try:
        record = json.loads((folder / ONNX_RECORD).read_text(encoding="utf-8"))
        return (
            isinstance(record, dict)
            and (folder / ONNX_NAME).is_file()
            and record.get("source_sha256") == source_sha256(folder)
        )
    except (OSError, ValueError):
        return False


def cache_root() -> Path:
    """Where exports of checkpoints that ship without one go: `$ATTRIB_CACHE`, else the user's
    cache folder."""
    env = os.environ.get("ATTRIB_CACHE")
    if env:
        return Path(env) / "onnx"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "attrib" / "onnx"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), not the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _config(folder: Path) -> dict[str, Any]:
    """The few config fields inference needs, checked against this attrib's labels."""
    try:
        data = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AttribError(f"not an attrib model: {folder}: no readable config.json") from None
    if not isinstance(data, dict) or data.get("model_type") != "attrib":
        raise AttribError(f"not an attrib model: {folder}: config.json is not an attrib config")
    for key, labels in CONFIG_LABEL_LISTS.items():
        if tuple(data.get(key) or ()) != labels:
            raise AttribError(f"not an attrib model: {folder}: config {key} does not match this attrib")
    length = data.get("max_length")
    if not isinstance(length, int) or isinstance(length, bool) or not 8 <= length <= 512:
        raise AttribError(f"not an attrib model: {folder}: max_length {length!r} is outside [8, 512]")
    return data


def _pad_id(folder: Path, tokenizer: Any) -> int:
    """The padding token's id, named in tokenizer_config.json (the fast file lacks it)."""
    pad = "[PAD]"
    try:
        data = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        value = data.get("pad_token")
        pad = value.get("content") if isinstance(value, dict) else value or pad
    except (OSError, ValueError, AttributeError):
        pass
    pad_id = tokenizer.token_to_id(pad)
    return pad_id if pad_id is not None else 0


class OnnxPredictor(BasePredictor):
    """An exported attrib model run by ONNX Runtime (int8 by default)."""

    name = "model-onnx-int8"
    # ONNX Runtime sessions allow concurrent run() calls, and `prepare` keeps no state.
    thread_safe = True

    def __init__(self, folder: str | Path, threads: int | None = None, onnx_file: str = ONNX_NAME) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.folder = folder
        config = _config(folder)
        self.use_context = bool(config.get("use_context"))
        self.max_length = int(config["max_length"])
        check_threads(threads)
        self.threads = threads or available_cores()
        graph = folder / onnx_file
        if not graph.is_file():
            raise AttribError(f"not an exported attrib model: {folder}: no {onnx_file}")
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises plain Exceptions on bad files
            raise AttribError(f"not an attrib model: {folder}: unreadable tokenizer.json ({exc})") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length, strategy="longest_first")
        self.pad_id = _pad_id(folder, self.tokenizer)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle threads sleep instead of spinning: 5% slower on idle cores, but with another
        # CPU-bound process running 517 rather than 389 sentences/s (2 cores, 2 threads).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's own exception types vary by version
            first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise AttribError(f"not an exported attrib model: {graph}: {first}") from None
        self.inputs = [i.name for i in self.session.get_inputs()]
        if "input_ids" not in self.inputs or self.use_context != ("token_type_ids" in self.inputs):
            raise AttribError(f"not an exported attrib model: {graph}: its inputs do not fit config.json")

    def prepare(
        self, sentences: list[str], contexts: list[str | None], batch_size: int = BATCH_SIZE
    ) -> list[tuple[list[int], dict[str, np.ndarray], list[Any]]]:
        """Tokenise and pad into length-sorted batches: (sentence indices, the graph's inputs,
        their encodings). No state is kept, so one predictor serves concurrent callers."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if self.use_context:
            pairs = [(c or "", s) for s, c in zip(sentences, contexts, strict=True)]
            encodings = self.tokenizer.encode_batch(pairs)
        else:
            encodings = self.tokenizer.encode_batch(sentences)
        own = int(self.use_context)
        # Sorting by token count keeps padding, and so wasted compute, small.
        order = sorted(range(len(sentences)), key=lambda i: len(encodings[i].ids))
        batches = []
        for lo in range(0, len(order), batch_size):
            idx = order[lo : lo + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
            attention = np.zeros((len(idx), width), dtype=np.int64)
            smask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                enc = encodings[i]
                n = len(enc.ids)
                ids[row, :n] = enc.ids
                attention[row, :n] = 1
                smask[row, :n] = [int(s == own) for s in enc.sequence_ids]
            feed = {"input_ids": ids, "attention_mask": attention, "sentence_mask": smask}
            if self.use_context:
                feed["token_type_ids"] = smask  # the target is the second segment, as in training
            batches.append((idx, feed, [encodings[i] for i in idx]))
        return batches

    def run(self, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The graph on one prepared batch: probabilities, scores and arg-max tags."""
        return self.session.run(None, feed)

    def predict_batch(
        self,
        sentences: list[str],
        contexts: list[str | None],
        batch_size: int = BATCH_SIZE,
        **options: Any,
    ) -> list[SentenceResult]:
        results: list[SentenceResult | None] = [None] * len(sentences)
        for idx, feed, encodings in self.prepare(sentences, contexts, batch_size):
            attr_p, cert_p, score, sc_tags, hd_tags = self.run(feed)
            if not (np.isfinite(attr_p).all() and np.isfinite(cert_p).all() and np.isfinite(score).all()):
                raise AttribError("the model produced non-finite outputs (NaN or Inf); the export is broken")
            attr_l, cert_l, score_l = attr_p.tolist(), cert_p.tolist(), score.tolist()
            sc_l, hd_l, keep_l = sc_tags.tolist(), hd_tags.tolist(), feed["sentence_mask"].tolist()
            for row, (i, enc) in enumerate(zip(idx, encodings, strict=True)):
                n = len(enc.ids)
                results[i] = decode_sentence(
                    sentences[i],
                    attr_l[row],
                    cert_l[row],
                    score_l[row],
                    sc_l[row][:n],
                    hd_l[row][:n],
                    enc.offsets,
                    keep_l[row][:n],
                )
        return [r for r in results if r is not None]
