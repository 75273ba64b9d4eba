"""`attrib label --engine ray`: the same records, in the same order, as the plain path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from attrib.analysis import load_predictor
from attrib.cli import main
from attrib.errors import AttribError
from attrib.export import export_onnx
from attrib.labelling import label_file
from tests.test_runtime import _checkpoint
from tests.tiny import TINY_TEXTS

ray = pytest.importorskip("ray", reason="Ray Data is the optional [scale] extra (CI installs it)")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def model(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _checkpoint(tiny_encoder_dir, tmp_path_factory.mktemp("scale") / "tiny")
    export_onnx(folder, folder)
    return folder


def _corpus(path: Path, n: int = 150) -> Path:
    rows = [
        {"text": TINY_TEXTS[i % len(TINY_TEXTS)] + f" ({i})", "doc_id": f"d{i // 7}", "n": i}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_ray_gives_the_plain_output_in_order_as_jsonl_and_parquet(model: Path, tmp_path: Path) -> None:
    src = _corpus(tmp_path / "in.jsonl")
    # A byte-order mark and a blank line: the Ray workers read lines by the plain path's rules.
    src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes().replace(b"\n", b"\n   \n", 1))
    label_file(src, tmp_path / "plain.jsonl", load_predictor(str(model)))
    shutil.copy(src, tmp_path / "copy.jsonl")
    argv = ["label", str(src), "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--model", str(model)]
    assert main(argv) == 0
    assert (tmp_path / "ray.jsonl").read_text() == (tmp_path / "plain.jsonl").read_text()
    assert src.read_bytes() == (tmp_path / "copy.jsonl").read_bytes()  # the input is untouched
    assert main([*argv[:3], str(tmp_path / "ray.parquet"), *argv[4:], "--workers", "1"]) == 0
    table = pq.read_table(tmp_path / "ray.parquet")
    plain = [json.loads(line) for line in (tmp_path / "plain.jsonl").read_text().splitlines()]
    assert table.column("n").to_pylist() == list(range(150))
    assert table.column("attribution").to_pylist() == [r["attribution"] for r in plain]
    assert [json.loads(s) for s in table.column("source_char_spans").to_pylist()] == [
        r["source_char_spans"] for r in plain
    ]


def test_a_bad_record_is_one_clear_error_and_no_output(model: Path, tmp_path: Path) -> None:
    src = _corpus(tmp_path / "in.jsonl", 20)
    with src.open("a") as fh:
        fh.write('{"text": 5}\n')
    from attrib.scale import label_with_ray

    with pytest.raises(AttribError, match="non-string 'text'"):
        label_with_ray(src, tmp_path / "out.jsonl", model=str(model), workers=1)
    assert not (tmp_path / "out.jsonl").exists()
