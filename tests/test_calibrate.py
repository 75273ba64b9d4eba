"""Temperature scaling: fitted temperatures recover a known one, change confidences but never
labels, reach the ONNX export, and make a stale export of the old ones unusable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from attrib.errors import AttribError
from attrib.export import export_onnx
from attrib.model import AttribConfig, AttribModel
from attrib.runtime import OnnxPredictor, has_current_export
from tests.test_runtime import _checkpoint
from tests.tiny import TINY_TEXTS
from training.calibrate import cross_fitted, ece, fit_temperature, scaled


def test_fit_recovers_the_temperature_of_overconfident_probabilities() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, size=(4000, 3))
    true = scaled(logits, 1.0)
    gold = np.array([rng.choice(3, p=p) for p in true])
    overconfident = np.log(scaled(logits, 1 / 2.5))  # logits multiplied by 2.5
    assert fit_temperature(overconfident, gold) == pytest.approx(2.5, rel=0.1)
    figures = cross_fitted(overconfident, gold, [f"d{i % 40}" for i in range(4000)])
    assert figures["ece_after"] < figures["ece_before"] / 2
    assert ece(true, gold) < 0.05


def test_temperature_changes_confidence_not_labels_in_both_backends(
    tiny_encoder_dir: Path, tmp_path: Path
) -> None:
    ckpt = _checkpoint(tiny_encoder_dir, tmp_path / "m")
    export_onnx(ckpt, ckpt)
    before = AttribModel.from_checkpoint(ckpt).predict(TINY_TEXTS)
    config = json.loads((ckpt / "config.json").read_text())
    config["temperature"] = {"attribution": 4.0, "certainty": 4.0}
    (ckpt / "config.json").write_text(json.dumps(config))
    assert not has_current_export(ckpt)  # the export baked in the old temperatures
    after = AttribModel.from_checkpoint(ckpt).predict(TINY_TEXTS)
    assert [r.attribution for r in after] == [r.attribution for r in before]
    assert all(
        max(a.attribution_probs.values()) <= max(b.attribution_probs.values()) + 1e-9
        for a, b in zip(after, before, strict=True)
    )
    export_onnx(ckpt, ckpt, quantize=False)
    onnx = OnnxPredictor(ckpt, onnx_file="model.onnx").predict(TINY_TEXTS)
    for a, o in zip(after, onnx, strict=True):
        assert o.attribution_probs["none"] == pytest.approx(a.attribution_probs["none"], abs=1e-4)


def test_a_temperature_out_of_range_is_refused() -> None:
    with pytest.raises(AttribError, match="temperature"):
        AttribConfig(temperature={"attribution": 0.0})
    with pytest.raises(AttribError, match="temperature"):
        AttribConfig(temperature={"source": 1.0})
