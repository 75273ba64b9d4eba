"""The ONNX Runtime backend: export -> load -> predict agrees with the torch model, runs without
torch, honours its thread count, and never uses an export of other weights."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from attrib.analysis import load_predictor
from attrib.errors import AttribError
from attrib.export import cached_export, export_onnx
from attrib.model import AttribModel
from attrib.runtime import ONNX_NAME, ONNX_RECORD, OnnxPredictor, available_cores, has_current_export
from tests.tiny import TINY_TEXTS

CONTEXTS = [None, *TINY_TEXTS[:-1]]


def _checkpoint(encoder: Path, folder: Path, use_context: bool = False, seed: int = 0) -> Path:
    """A tiny random model whose heads are scaled up: decisive outputs, so int8 rounding of
    the encoder does not flip its labels."""
    torch.manual_seed(seed)
    model = AttribModel.from_pretrained(encoder, max_length=48, use_context=use_context)
    with torch.no_grad():
        for head in (model.attribution_head, model.certainty_head, model.source_cue_head, model.hedge_head):
            head.weight.mul_(30)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def checkpoint(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _checkpoint(tiny_encoder_dir, tmp_path_factory.mktemp("ckpt") / "tiny")


@pytest.fixture(scope="module")
def exported(checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkpoint with its int8 export beside the weights, as the shipped model comes."""
    folder = tmp_path_factory.mktemp("shipped") / "tiny"
    shutil.copytree(checkpoint, folder)
    export_onnx(folder, folder)
    return folder


def _same(a: list, b: list) -> float:
    same = [x.attribution == y.attribution and x.certainty == y.certainty for x, y in zip(a, b, strict=True)]
    return sum(same) / len(same)


def test_fp32_export_matches_torch_exactly(checkpoint: Path, tmp_path: Path) -> None:
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(checkpoint / name, tmp_path / name)
    export_onnx(checkpoint, tmp_path, quantize=False)
    torch_out = AttribModel.from_checkpoint(checkpoint).predict(TINY_TEXTS)
    onnx_out = OnnxPredictor(tmp_path, onnx_file="model.onnx").predict(TINY_TEXTS)
    for t, o in zip(torch_out, onnx_out, strict=True):
        assert (t.attribution, t.certainty, t.sources, t.cues, t.hedges, t.chain) == (
            o.attribution,
            o.certainty,
            o.sources,
            o.cues,
            o.hedges,
            o.chain,
        )
        assert t.certainty_score == pytest.approx(o.certainty_score, abs=1e-4)
        for label, p in t.attribution_probs.items():
            assert o.attribution_probs[label] == pytest.approx(p, abs=1e-4)


def test_int8_export_agrees_with_torch(exported: Path) -> None:
    torch_out = AttribModel.from_checkpoint(exported).predict(TINY_TEXTS, CONTEXTS)
    onnx = load_predictor(str(exported))
    assert isinstance(onnx, OnnxPredictor) and onnx.folder == exported  # its own export, no cache
    assert _same(torch_out, onnx.predict(TINY_TEXTS, CONTEXTS)) >= 0.9
    record = json.loads((exported / ONNX_RECORD).read_text())
    assert record["inputs"] == ["input_ids", "attention_mask", "sentence_mask"]


def test_context_model_round_trip(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    ckpt = _checkpoint(tiny_encoder_dir, tmp_path / "ctx", use_context=True, seed=1)
    export_onnx(ckpt, ckpt, quantize=False)
    torch_model = AttribModel.from_checkpoint(ckpt)
    onnx = OnnxPredictor(ckpt, onnx_file="model.onnx")
    assert "token_type_ids" in onnx.inputs
    assert _same(torch_model.predict(TINY_TEXTS, CONTEXTS), onnx.predict(TINY_TEXTS, CONTEXTS)) == 1.0
    # The context changes what the model sees: labelling without it is a different input.
    with_ctx = onnx.predict(TINY_TEXTS, CONTEXTS)
    assert [r.attribution_probs for r in with_ctx] != [r.attribution_probs for r in onnx.predict(TINY_TEXTS)]


def test_export_is_deterministic(checkpoint: Path, exported: Path, tmp_path: Path) -> None:
    export_onnx(checkpoint, tmp_path)
    assert (tmp_path / ONNX_NAME).read_bytes() == (exported / ONNX_NAME).read_bytes()


def test_a_checkpoint_without_export_is_exported_once_into_the_cache(
    checkpoint: Path, tmp_path: Path
) -> None:
    ckpt = tmp_path / "ckpt"
    shutil.copytree(checkpoint, ckpt)
    cache = tmp_path / "cache"
    first = cached_export(ckpt, cache)
    stamp = (first / ONNX_NAME).stat().st_mtime_ns
    assert cached_export(ckpt, cache) == first and (first / ONNX_NAME).stat().st_mtime_ns == stamp
    assert [p.name for p in cache.iterdir()] == [first.name]  # no temporary folder left behind
    # New weights at the same path: a new export, never the stale one.
    AttribModel.from_checkpoint(ckpt).save_pretrained(ckpt, fp16=False)
    assert cached_export(ckpt, cache) != first


def test_a_stale_export_is_not_used(exported: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(exported, folder)
    assert has_current_export(folder)
    AttribModel.from_checkpoint(folder).save_pretrained(folder, fp16=False)  # same model, new bytes
    assert not has_current_export(folder)
    assert load_predictor(str(folder)).folder != folder  # re-exported into the cache


def test_a_broken_export_is_one_clear_error(exported: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(exported, folder)
    (folder / ONNX_NAME).write_bytes(b"not a graph")
    with pytest.raises(AttribError, match="not an exported attrib model"):
        load_predictor(str(folder))


def test_threads_default_to_the_usable_cores_and_the_option_is_honoured(exported: Path) -> None:
    assert available_cores() == len(os.sched_getaffinity(0))
    assert OnnxPredictor(exported).session.get_session_options().intra_op_num_threads == available_cores()
    one = load_predictor(str(exported), threads=1)
    assert one.session.get_session_options().intra_op_num_threads == 1
    with pytest.raises(AttribError, match="threads"):
        load_predictor(str(exported), threads=0)


def test_the_labelling_path_never_imports_torch(exported: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t, "doc_id": "d"}) + "\n" for t in TINY_TEXTS))
    article = tmp_path / "a.txt"
    article.write_text(" ".join(TINY_TEXTS))
    code = (
        "import sys\n"
        "from attrib.cli import main\n"
        f"assert main(['label', {str(src)!r}, '-o', {str(tmp_path / 'out.jsonl')!r},"
        f" '--model', {str(exported)!r}, '--threads', '1']) == 0\n"
        f"assert main(['report', {str(article)!r}, '--model', {str(exported)!r}, '--format', 'json',"
        f" '--out', {str(tmp_path / 'r.json')!r}]) == 0\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rows] == TINY_TEXTS
    assert json.loads((tmp_path / "r.json").read_text())["predictor"] == "model-onnx-int8"
