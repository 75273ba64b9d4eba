"""Every hostile input of tests/hostile.py behaves: a clear one-line error or correct output."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import CASES, Case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}: {c.name}" for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    assert case.run(tmp_path) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_analyze_any_text_gives_json_or_a_clear_error(text: str) -> None:
    import json

    from attrib import analyze
    from attrib.baseline import LexiconPredictor
    from attrib.errors import AttribError

    try:
        result = analyze(text, LexiconPredictor())
    except AttribError:
        return
    data = json.dumps(result.to_dict(), allow_nan=False)
    json.loads(data.encode("utf-8").decode("utf-8"))
    for s in result.sentences:
        assert text[s.start : s.end].replace("\ud800", "\ufffd") or s.result.text
