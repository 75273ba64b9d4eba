"""Reports in every format: content, JSON keys as documented, HTML safety, atomic output."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from attrib.analysis import ArticleAnalysis, analyze
from attrib.errors import AttribError
from attrib.output import write_text
from attrib.render import FORMATS, SCHEMA_VERSION, render
from attrib.result import Hop, SentenceResult, Span

DOCS = Path(__file__).resolve().parent.parent / "docs" / "report.md"

ARTICLE = """Seoul | weighs arms <script>alert(1)</script>

Defense Minister Kim said the talks went well. Officials said the deal may collapse.
SBS reported that a government source said the talks stalled. The delegation reportedly asked for missiles.
A delegation visited Seoul on Wednesday [for talks].
"""


def _span(text: str, word: str) -> tuple[Span, ...]:
    i = text.find(word)
    return (Span(i, i + len(word), word),) if i >= 0 else ()


class FakePredictor:
    """Keyword rules, enough to give every report part something to show."""

    name = "fake"

    def predict(
        self, sentences: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[SentenceResult]:
        out = []
        for t in sentences:
            att, cer, score, chain = "none", "certain", 1.0, ()
            src = _span(t, "Defense Minister Kim") or _span(t, "Officials")
            if "Kim" in t:
                att = "on_record"
            elif "Officials" in t:
                att, cer, score = "anonymous", "speculative", 0.2
            elif "SBS" in t:
                att = "anonymous"
                chain = (Hop("according_to", "SBS"), Hop("anonymous", "a government source"))
            elif "reportedly" in t:
                att, cer, score = "reportedly", "hedged", 0.6
            out.append(
                SentenceResult(
                    t,
                    att,
                    cer,
                    score,
                    sources=src,
                    cues=_span(t, "said") or _span(t, "reportedly"),
                    hedges=_span(t, "may") or _span(t, "reportedly"),
                    chain=chain,
                )
            )
        return out


@pytest.fixture(scope="module")
def analysis() -> ArticleAnalysis:
    return analyze(ARTICLE, FakePredictor())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(analysis: ArticleAnalysis, fmt: str) -> None:
    out = render(analysis, fmt)
    assert out.strip()
    if fmt != "json":
        assert "Defense Minister Kim" in out
        assert str(analysis.profile.score) in out


def test_unknown_format(analysis: ArticleAnalysis) -> None:
    with pytest.raises(AttribError, match="unknown report format"):
        render(analysis, "pdf")


def _documented_keys() -> dict[str, set[str]]:
    """Keys per `### ... keys` section of docs/report.md, from rows like "| `key` | ..."."""
    sections: dict[str, set[str]] = {}
    for block in DOCS.read_text(encoding="utf-8").split("\n### ")[1:]:
        title, _, body = block.partition("\n")
        if title.endswith("keys"):
            sections[title] = set(re.findall(r"^\| `(\w+)` \|", body, flags=re.MULTILINE))
    return sections


def test_json_keys_are_exactly_the_documented_ones(analysis: ArticleAnalysis) -> None:
    doc = _documented_keys()
    data = json.loads(render(analysis, "json"))
    p = data["profile"]
    assert p["sources"] and p["chains"] and p["flags"]  # so the nested checks below are not vacuous
    assert set(data) == doc["Top-level keys"]
    assert data["schema_version"] == SCHEMA_VERSION
    assert all(set(s) == doc["`sentences[]` keys"] for s in data["sentences"])
    assert set(p) == doc["`profile` keys"]
    assert all(set(s) == doc["`profile.sources[]` keys"] for s in p["sources"])
    assert all(set(c) == doc["`profile.chains[]` keys"] for c in p["chains"])
    assert all(set(c) == doc["`profile.components[]` keys"] for c in p["components"])
    assert all(set(f) == doc["`profile.flags[]` keys"] for f in p["flags"])
    assert [s["text"] for s in data["sentences"]][1] == "Defense Minister Kim said the talks went well."


def test_html_is_escaped_and_self_contained(analysis: ArticleAnalysis) -> None:
    html = render(analysis, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<link|@import|url\(|<img|<iframe", html, flags=re.IGNORECASE)
    assert html.count("<svg") >= 3  # the gauge and two bar charts
    for title in ("On record", "According to", "Anonymous", "Reportedly", "No attribution"):
        assert title in html  # legend and chart labels
    assert "[according_to: SBS] -&gt; [anonymous: a government source]" in html
    # Each sentence carries its labels as classes and its details as a tooltip.
    assert re.search(r'class="s anonymous speculative"[^>]*data-tip="#3 · anonymous · speculative', html)


def test_text_has_no_ansi_without_color(analysis: ArticleAnalysis) -> None:
    plain = render(analysis, "text", color=False)
    assert "\x1b" not in plain
    assert "[for talks]" in plain  # brackets in the article are text, not rich markup
    assert "\x1b[" in render(analysis, "text", color=True)


def test_markdown_tables_survive_pipes(analysis: ArticleAnalysis) -> None:
    md = render(analysis, "markdown")
    assert "Seoul \\| weighs arms &lt;script&gt;alert(1)&lt;/script&gt;" in md
    rows = [line for line in md.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1 and rows[0].count(" | ") == 6  # seven cells, none split by the article's pipe


def test_write_output_replaces_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_text(str(target), "new report")
    assert target.read_text(encoding="utf-8") == "new report\n"
    assert os.listdir(tmp_path) == ["report.html"]
    assert target.stat().st_mode & 0o644 == 0o644  # not the temp file's private mode


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("the user's file", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(AttribError, match="No space left"):
        write_text(str(target), "new")
    assert target.read_text(encoding="utf-8") == "the user's file"
    assert os.listdir(tmp_path) == ["report.md"]  # no temp file left behind


def test_write_output_refuses_a_directory_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(AttribError, match="is a directory"):
        write_text(str(tmp_path), "x")
    with pytest.raises(AttribError, match="does not exist"):
        write_text(str(tmp_path / "nope" / "r.txt"), "x")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_reports_say_how_many_boilerplate_lines_were_left_out(fmt: str) -> None:
    credited = analyze(ARTICLE + "\nMax Fischer contributed to this report.\n", FakePredictor())
    assert credited.profile.boilerplate == (len(credited.sentences) - 1,)
    assert credited.profile.n_sentences == len(credited.sentences) - 1
    assert "(1 boilerplate line left out)" in " ".join(render(credited, fmt).split())  # text wraps
    assert "boilerplate line" not in render(analyze(ARTICLE, FakePredictor()), fmt)
