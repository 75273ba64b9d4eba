"""The shipped checkpoint: found in any install, and it reproduces its own model card."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models" / "attrib-minilm"
GOLD = ROOT / "training" / "gold" / "gold.jsonl"
GOLD_SET = "gold set (hand-written, never trained on)"


def test_default_model_is_the_shipped_checkpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from attrib.analysis import default_model_dir

    monkeypatch.delenv("ATTRIB_MODEL", raising=False)
    assert default_model_dir().resolve() == SHIPPED.resolve()


def test_missing_default_model_is_an_error_not_the_baseline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from attrib.analysis import load_predictor
    from attrib.errors import AttribError

    monkeypatch.setenv("ATTRIB_MODEL", str(tmp_path / "gone"))
    with pytest.raises(AttribError, match=r"default model .* is missing"):
        load_predictor()


def test_shipped_checkpoint_reproduces_its_card() -> None:
    from attrib.evaluate import evaluate_file
    from attrib.model import AttribModel

    card = json.loads((SHIPPED / "config.json").read_text())["training"]["metrics"][GOLD_SET]
    expected = {(f["head"], f["metric"]): f["value"] for f in card}
    scores = evaluate_file(GOLD, predictor=AttribModel.from_pretrained(SHIPPED)).systems[0]
    got = {(f.head, f.metric): f.value for f in scores.headline()}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
    assert (
        f"| attribution | macro_f1 | {expected[('attribution', 'macro_f1')]:.3f} |"
        in (SHIPPED / "README.md").read_text()
    )


def test_shipped_export_is_current_and_follows_the_recipe() -> None:
    """The default backend runs the shipped export, made from these weights by today's recipe
    (`python -m training.export models/attrib-minilm` re-makes it)."""
    from attrib.export import QUANTIZATION
    from attrib.runtime import ONNX_RECORD, has_current_export

    assert has_current_export(SHIPPED)
    record = json.loads((SHIPPED / ONNX_RECORD).read_text())
    assert record["quantization"] == QUANTIZATION and record["calibration"].endswith("calibration.txt")


def test_wheel_install_labels_the_sample_article_with_the_model(tmp_path: Path) -> None:
    """Build a wheel, install it (not editable) in a fresh venv, and report with the shipped model."""
    src = tmp_path / "src"  # a copy, so that the build leaves nothing in the checkout
    for name in ("attrib", "models", "seeds"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        tmp_path,
        src,
    ]
    subprocess.run(build, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("attrib-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], check=True)
    # The dependencies come from this environment's site-packages (a .pth line adds the folder
    # but runs none of its .pth files, so the editable checkout is not on the path).
    site = next(
        Path(p) for p in sys.path if p.endswith("site-packages") and "venv" not in p.split(os.sep)[-4:-1]
    )
    fresh_site = next((env_dir / "lib").glob("python*/site-packages"))
    (fresh_site / "deps.pth").write_text(str(site) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("ATTRIB_MODEL", "PYTHONPATH")}
    where = subprocess.run(
        [
            py,
            "-c",
            "import attrib, attrib.analysis as a; print(attrib.__file__); print(a.default_model_dir())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(fresh_site) in w for w in where), where  # the installed copy, not the checkout
    out = subprocess.run(
        [env_dir / "bin" / "attrib", "report", ROOT / "seeds" / "korea-arms-ukraine.txt", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["predictor"] == "model-onnx-int8" and len(report["sentences"]) == 20
