"""Export a checkpoint to ONNX for the torch-free ONNX Runtime backend (`attrib.runtime`).

The graph takes token ids, the attention mask, the sentence mask (and, for a context model, the
segment ids) and returns what decoding needs: class probabilities, the certainty score and the
arg-max tag of each token for both span heads, with the heads' temperatures applied. Static
int8 quantisation (calibrated activation ranges) keeps each sentence's result independent of
its batch. The export is deterministic for a given checkpoint and written atomically;
`onnx.json` beside it records the SHA-256 of the weights and temperatures it came from, so a
stale export is never used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from attrib.errors import AttribError
from attrib.model import AttribModel, check_checkpoint
from attrib.runtime import CONFIG_NAME, ONNX_NAME, ONNX_RECORD, TOKENIZER_FILE, source_sha256
from attrib.version import __version__

OPSET = 17
# Input and output names: attrib.runtime feeds and reads these.
INPUTS = ("input_ids", "attention_mask", "sentence_mask")
CONTEXT_INPUTS = (*INPUTS, "token_type_ids")
OUTPUTS = ("attribution", "certainty", "score", "source_cue", "hedge")
QUANTIZATION = (
    "static int8 (QDQ; weights per channel, activations by 99.999th-percentile calibration); "
    "feed-forward output projections and heads fp32"
)
CALIBRATION_PERCENTILE = 99.999
CALIBRATION_BATCH = 32
CALIBRATION_FILE = "calibration.txt"
# Kept in fp32: each layer's feed-forward output projection, whose input (the GELU output) has a
# long-tailed range that int8 activations round badly (quantising it too flipped 4% of attribution
# labels on the real-news dev set, against 1.5% without it), and the tiny heads.
FP32_NODES = re.compile(r"layer\.\d+/output/dense/|_head/")


class _Graph(torch.nn.Module):
    """The model with decoding's inputs and outputs: probabilities, score and arg-max tags."""

    def __init__(self, model: AttribModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentence_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, ...]:
        out = self.model(input_ids, attention_mask, sentence_mask, token_type_ids)
        return (
            (out["attribution"] / self.model.temp("attribution")).softmax(-1),
            (out["certainty"] / self.model.temp("certainty")).softmax(-1),
            out["score"],
            out["source_cue"].argmax(-1),
            out["hedge"].argmax(-1),
        )


@contextlib.contextmanager
def _no_logging() -> Any:
    """The exporter and quantiser log advice through the root logger; keep the user's console quiet."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def _calibration_feeds(
    model: AttribModel, names: Sequence[str], texts: Sequence[str]
) -> list[dict[str, Any]]:
    """Batches of the graph's inputs for calibration, all of one shape (the histograms of
    percentile calibration need it)."""
    import numpy as np

    width, size = model.config.max_length, min(CALIBRATION_BATCH, len(texts))
    if not size:
        raise AttribError("int8 export needs calibration sentences")
    feeds = []
    for lo in range(0, len(texts) - size + 1, size):  # whole batches only: one shape for all
        chunk = list(texts[lo : lo + size])
        prev = [None, *chunk[:-1]] if model.config.use_context else None
        enc = model.encode(chunk, prev)
        feeds.append(
            {
                k: np.pad(enc[k].numpy(), ((0, 0), (0, width - enc[k].shape[1]))).astype(np.int64)
                for k in names
            }
        )
    return feeds


def export_onnx(
    checkpoint: str | Path,
    out_dir: str | Path,
    quantize: bool = True,
    calibration: Sequence[str] | None = None,
    calibration_name: str = "",
) -> Path:
    """Write `out_dir/model.int8.onnx` (or fp32 `model.onnx`) and `onnx.json` for `checkpoint`.

    int8 is static: activation ranges are fixed by calibration on `calibration` sentences
    (default: the packaged calibration set), so a sentence's result never depends on the other
    sentences of its batch, as it would with dynamic quantisation.
    """
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    model = AttribModel.from_checkpoint(checkpoint).eval()
    model.encoder.set_attn_implementation("eager")  # a plain graph, every MatMul visible to the quantiser
    names = CONTEXT_INPUTS if model.config.use_context else INPUTS
    enc = model.encode(["A spokesman said it was fine.", "Yes"], ["He spoke.", None])
    args = tuple(enc[k] for k in names)
    dynamic = {k: {0: "batch", 1: "tokens"} for k in (*names, "source_cue", "hedge")}
    dynamic |= {k: {0: "batch"} for k in ("attribution", "certainty", "score")}
    if calibration is None:
        calibration, calibration_name = calibration_sentences(), CALIBRATION_FILE
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = ONNX_NAME if quantize else "model.onnx"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        raw, basic, final = Path(tmp, "raw.onnx"), Path(tmp, "basic.onnx"), Path(tmp, name)
        with warnings.catch_warnings(), contextlib.redirect_stdout(None), _no_logging():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Graph(model),
                args,
                str(raw),
                input_names=list(names),
                output_names=list(OUTPUTS),
                dynamic_axes=dynamic,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: a plain, deterministic graph
            )
            # Constant folding and clean-up only: the quantiser needs plain MatMul nodes.
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
            options.optimized_model_filepath = str(basic)
            ort.InferenceSession(str(raw), options, providers=["CPUExecutionProvider"])
            if quantize:
                feeds = iter(_calibration_feeds(model, names, calibration))

                class Reader(CalibrationDataReader):
                    def get_next(self) -> dict[str, Any] | None:
                        return next(feeds, None)

                keep = [n.name for n in onnx.load(str(basic)).graph.node if FP32_NODES.search(n.name)]
                quantize_static(
                    str(basic),
                    str(final),
                    Reader(),
                    quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=["MatMul", "Gather"],
                    per_channel=True,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8,
                    nodes_to_exclude=keep,
                    calibrate_method=CalibrationMethod.Percentile,
                    extra_options={"CalibPercentile": CALIBRATION_PERCENTILE},
                )
            else:
                basic.replace(final)
        record: dict[str, Any] = {
            "source_sha256": source_sha256(checkpoint),  # weights and temperatures
            "quantization": QUANTIZATION if quantize else "none (fp32)",
            "calibration": f"{len(calibration)} sentences from {calibration_name or 'the caller'}"
            if quantize
            else None,
            "inputs": list(names),
            "outputs": list(OUTPUTS),
            "opset": OPSET,
            "attrib_version": __version__,
        }
        record_tmp = Path(tmp, ONNX_RECORD)
        record_tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        # The graph first, then the record that vouches for it: a crash between the two leaves a
        # graph without a record, which is never used.
        os.replace(final, out_dir / name)
        os.replace(record_tmp, out_dir / ONNX_RECORD)
    return out_dir / name


def calibration_sentences() -> list[str]:
    """The packaged calibration sentences: our own hand-written gold set and the sample article."""
    with resources.files("attrib.samples").joinpath(CALIBRATION_FILE).open(encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def cached_export(checkpoint: str | Path, cache_root: str | Path) -> Path:
    """The int8 export of `checkpoint` in `cache_root/<source hash>/` (made once, atomically),
    with the checkpoint's tokenizer and config copied beside it so the folder runs on its own."""
    checkpoint = Path(checkpoint)
    check_checkpoint(checkpoint)  # one clear "not an attrib model" error before anything is hashed
    target = Path(cache_root) / source_sha256(checkpoint)[:20]
    if (target / ONNX_RECORD).is_file() and (target / ONNX_NAME).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
    try:
        for fname in (CONFIG_NAME, TOKENIZER_FILE, "tokenizer_config.json"):
            if (checkpoint / fname).is_file():
                shutil.copy2(checkpoint / fname, build / fname)
        export_onnx(checkpoint, build)
        try:
            os.replace(build, target)  # atomic; another process may have won the race
        except OSError:
            if not (target / ONNX_RECORD).is_file():
                raise AttribError(f"cannot write the ONNX export to {target}") from None
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return target
