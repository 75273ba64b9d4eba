"""`attrib compare`: corpus in, one profile row per article, group summaries, rows files, the page."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from attrib.analysis import analyze
from attrib.baseline import LexiconPredictor
from attrib.cli import main
from attrib.compare import (
    GIVEN_LABELS,
    ArticleRow,
    Document,
    profile_corpus,
    read_corpus,
    rows_format,
    summarize,
    summary_table,
    write_rows,
)
from attrib.comparepage import compare_html, figure
from attrib.errors import AttribError
from attrib.predictor import BasePredictor
from attrib.result import SentenceResult
from tests.test_cli import assert_one_line_error

DOCS = Path(__file__).resolve().parent.parent / "docs" / "compare.md"

# Three articles in two groups, each sentence with the labels the fake predictor gives it.
# north/a1: 4 sentences, 2 sourced (1 anonymous), 1 reportedly, 1 hedged.
# north/a2: 2 sentences, none sourced anonymously, 1 speculative.
# south/a3: 5 sentences, 3 sourced (2 anonymous), 2 hedged.
CORPUS: list[tuple[str, str, str, str, str]] = [
    ("a1", "north", "Officials said the bridge would reopen in May.", "anonymous", "certain"),
    ("a1", "north", "Mayor Jane Roe said the works were finished.", "on_record", "certain"),
    ("a1", "north", "The contractor reportedly went bankrupt last year.", "reportedly", "hedged"),
    ("a1", "north", "The bridge was built in 1962 by the city.", "none", "certain"),
    ("a2", "north", "Governor John Doe said taxes could rise next year.", "on_record", "speculative"),
    ("a2", "north", "The state budget is due on Friday this week.", "none", "certain"),
    ("a3", "south", "Sources said the plant would likely close soon.", "anonymous", "hedged"),
    ("a3", "south", "Diplomats said talks appear to have stalled again.", "anonymous", "hedged"),
    ("a3", "south", "According to a Reuters report, output fell sharply.", "according_to", "certain"),
    ("a3", "south", "The plant employs 400 people in the town.", "none", "certain"),
    ("a3", "south", "It opened in 1988 after years of planning.", "none", "certain"),
]
LABELS = {text: (att, cer) for _, _, text, att, cer in CORPUS}
SCORES = {"certain": 1.0, "hedged": 0.6, "speculative": 0.25}


class FakePredictor(BasePredictor):
    """Labels each sentence from LABELS and remembers every (sentence, context) it was given."""

    name = "fake"

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.calls = 0

    def predict_batch(
        self, sentences: list[str], contexts: list[str | None], **options: Any
    ) -> list[SentenceResult]:
        self.calls += 1
        self.seen.extend(zip(sentences, contexts, strict=True))
        out = []
        for s in sentences:
            att, cer = LABELS.get(s, ("none", "certain"))
            out.append(SentenceResult(s, att, cer, SCORES[cer]))
        return out


def _jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The corpus as unlabelled JSONL, grouped by `outlet`."""
    return _jsonl(
        tmp_path / "corpus.jsonl", [{"doc_id": d, "outlet": g, "text": t} for d, g, t, _, _ in CORPUS]
    )


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    """The corpus with its labels in the records (LABELS.md), grouped by `group`."""
    rows = [
        {"doc_id": d, "group": g, "text": t, "attribution": a, "certainty": c} for d, g, t, a, c in CORPUS
    ]
    return _jsonl(tmp_path / "labelled.jsonl", rows)


def _by_id(rows: Sequence[ArticleRow]) -> dict[str, dict[str, Any]]:
    return {r.doc_id: r.to_dict() for r in rows}


def test_rows_have_the_known_shares(corpus: Path) -> None:
    result = profile_corpus(read_corpus([corpus]), FakePredictor())
    rows = _by_id(result.rows)
    assert [r.doc_id for r in result.rows] == ["a1", "a2", "a3"]
    assert {d: r["group"] for d, r in rows.items()} == {"a1": "north", "a2": "north", "a3": "south"}
    a1, a2, a3 = rows["a1"], rows["a2"], rows["a3"]
    assert (a1["n_sentences"], a2["n_sentences"], a3["n_sentences"]) == (4, 2, 5)
    assert (a1["n_sourced"], a2["n_sourced"], a3["n_sourced"]) == (2, 1, 3)
    assert a1["anonymous_share"] == 0.5 and a2["anonymous_share"] == 0.0 and a3["anonymous_share"] == 0.6667
    assert a1["hearsay_share"] == 0.25 and a2["hearsay_share"] == 0.0 and a3["hearsay_share"] == 0.0
    assert a1["hedged_share"] == 0.25 and a2["hedged_share"] == 0.5 and a3["hedged_share"] == 0.4
    assert a2["speculative_share"] == 0.5 and a3["speculative_share"] == 0.0
    assert a1["attribution_shares.reportedly"] == 0.25 and a1["attribution_shares.none"] == 0.25
    assert a3["attribution_shares.according_to"] == 0.2 and a3["attribution_counts.anonymous"] == 2
    assert a3["certainty_counts.hedged"] == 2 and a2["certainty_counts.speculative"] == 1
    assert a1["n_author_hedging"] == 1 and a3["n_source_hedging"] == 2  # reportedly: the author hedges
    # The row is the profile's own figures, and the components add up to the raw score.
    for r in result.rows:
        row, p = r.to_dict(), r.profile.to_dict()
        assert row["score"] == p["score"] and row["n_named_sources"] == p["n_named_sources"]
        assert row["n_sources"] == len(p["sources"]) and row["n_chains"] == len(p["chains"])
        contributions = [v for k, v in row.items() if k.endswith(".contribution")]
        assert len(contributions) == len(p["components"])
        assert sum(contributions) == pytest.approx(row["raw_score"], abs=0.1)
        assert row["flags"] == ";".join(f["code"] for f in p["flags"])
    assert result.labels == "fake"


def test_the_rows_columns_are_the_documented_ones(corpus: Path) -> None:
    rows = profile_corpus(read_corpus([corpus]), FakePredictor()).rows
    section = DOCS.read_text(encoding="utf-8").split("\n## Rows")[1].split("\n## ")[0]
    cells = re.findall(r"^\| (.+?) \| (.+?) \|$", section, flags=re.MULTILINE)
    documented = {name for first, _ in cells for name in re.findall(r"`([^`]+)`", first)}
    generic = set()
    for column in rows[0].to_dict():
        column = re.sub(r"^components\.\w+\.", "components.NAME.", column)
        generic.add(re.sub(r"^(attribution|certainty)_(shares|counts)\.\w+$", r"\1_\2.LABEL", column))
    assert generic == documented
    components = next(what for first, what in cells if "components.NAME" in first)
    listed = components.split("(")[1].split(")")[0]  # "each score component (`base`, ...)"
    assert set(re.findall(r"`(\w+)`", listed)) == {c.name for c in rows[0].profile.components}


def test_group_summaries_are_exact(corpus: Path) -> None:
    result = profile_corpus(read_corpus([corpus]), FakePredictor())
    north, south = result.groups
    assert (north.group, north.n_articles, north.n_sentences) == ("north", 2, 6)
    assert (south.group, south.n_articles, south.n_sentences) == ("south", 1, 5)
    assert north.means["anonymous_share"] == pytest.approx(0.25)
    assert north.means["hearsay_share"] == pytest.approx(0.125)
    assert north.means["hedged_share"] == pytest.approx(0.375)
    assert south.means["anonymous_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert south.means["hedged_share"] == pytest.approx(0.4)
    rows = _by_id(result.rows)
    scores = sorted([rows["a1"]["score"], rows["a2"]["score"]])
    assert north.score.mean == pytest.approx(sum(scores) / 2)
    assert north.score.median == pytest.approx(sum(scores) / 2)
    assert (north.score.min, north.score.max) == tuple(scores)
    assert north.score.q1 == pytest.approx(scores[0] + (scores[1] - scores[0]) / 4)  # linear, inclusive
    assert south.score.q1 == south.score.q3 == south.score.median == rows["a3"]["score"]
    table = summary_table(result.groups)
    assert table.splitlines()[1].split()[:3] == ["north", "2", "6"]
    assert table.splitlines()[2].split()[:3] == ["south", "1", "5"]


def test_the_records_own_labels_give_the_same_rows_without_a_predictor(corpus: Path, labelled: Path) -> None:
    given = profile_corpus(read_corpus([labelled], use_labels=True))
    predicted = profile_corpus(read_corpus([corpus]), FakePredictor())
    assert given.labels == GIVEN_LABELS
    assert [r.to_dict() for r in given.rows] == [r.to_dict() for r in predicted.rows]
    with pytest.raises(AttribError, match="no attribution or certainty label"):
        read_corpus([corpus], use_labels=True)


def test_one_predictor_call_per_chunk_and_the_context_stays_in_the_article(tmp_path: Path) -> None:
    # a1's sentences are interleaved with a2's in the file: each keeps its own article's context.
    order = [CORPUS[0], CORPUS[4], CORPUS[1], CORPUS[5], CORPUS[2]]
    path = _jsonl(tmp_path / "mixed.jsonl", [{"doc_id": d, "text": t} for d, _, t, _, _ in order])
    fake = FakePredictor()
    result = profile_corpus(read_corpus([path]), fake, chunk_size=2)
    assert fake.calls == 3  # 5 sentences, 2 at a time, across article boundaries
    assert fake.seen == [
        (CORPUS[0][2], None),
        (CORPUS[1][2], CORPUS[0][2]),
        (CORPUS[2][2], CORPUS[1][2]),
        (CORPUS[4][2], None),  # a new article: no context from the one before
        (CORPUS[5][2], CORPUS[4][2]),
    ]
    assert [r.profile.n_sentences for r in result.rows] == [3, 2]
    assert {r.group for r in result.rows} == {"mixed"}  # no group field: the file's name


def test_progress_counts_every_sentence(corpus: Path) -> None:
    steps: list[int] = []
    profile_corpus(read_corpus([corpus]), FakePredictor(), on_progress=steps.append, chunk_size=4)
    assert steps == [4, 4, 3]


ARTICLES = {
    "north/one.txt": "Kim said the talks went well.\nA delegation visited Seoul on Wednesday.\n",
    "north/two.html": "<html><body><p>Officials said the deal may collapse.</p>"
    "<p>The minister reportedly resigned on Friday.</p></body></html>",
    "south/three.txt": "According to a Reuters report, the plant will close.\nPolice said it is likely.\n",
    "top.txt": "The river flooded the town.\n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for rel, text in ARTICLES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "north" / ".hidden.txt").write_bytes(b"\x00\x01binary")  # hidden: never read
    (root / "notes.md").write_text("not an article", encoding="utf-8")
    return root


def test_a_folder_is_grouped_by_subfolder_and_profiled_as_analyze_does(folder: Path) -> None:
    docs = read_corpus([folder])
    assert [(d.doc_id, d.group) for d in docs] == [
        ("corpus/north/one.txt", "north"),
        ("corpus/north/two.html", "north"),
        ("corpus/south/three.txt", "south"),
        ("corpus/top.txt", "corpus"),
    ]
    baseline = LexiconPredictor()
    result = profile_corpus(docs, baseline, chunk_size=3)
    for row, rel in zip(result.rows, ARTICLES, strict=True):
        from attrib.reader import read_article

        alone = analyze(read_article(str(folder / rel)), baseline)
        assert row.profile == alone.profile
    assert [g.group for g in result.groups] == ["corpus", "north", "south"]


def test_a_group_mapping_overrides_the_folder(folder: Path) -> None:
    docs = read_corpus([folder], groups={"corpus/top.txt": "south"})
    assert [d.group for d in docs] == ["north", "north", "south", "south"]


def test_the_tiny_model_profiles_each_article_as_analyze_does(
    folder: Path, tiny_encoder_dir: Path, tmp_path: Path
) -> None:
    from attrib.analysis import load_predictor
    from attrib.reader import read_article
    from tests.test_runtime import _checkpoint

    model = load_predictor(str(_checkpoint(tiny_encoder_dir, tmp_path / "tiny")), backend="torch")
    result = profile_corpus(read_corpus([folder]), model, chunk_size=2)
    assert result.labels == model.name
    for row, rel in zip(result.rows, ARTICLES, strict=True):
        alone = analyze(read_article(str(folder / rel)), model).profile
        assert row.profile.attribution_counts == alone.attribution_counts
        assert row.profile.certainty_counts == alone.certainty_counts
        assert row.profile.score == alone.score


def test_csv_round_trip(corpus: Path, tmp_path: Path) -> None:
    rows = profile_corpus(read_corpus([corpus]), FakePredictor()).rows
    write_rows(rows, tmp_path / "rows.csv")
    with (tmp_path / "rows.csv").open(newline="", encoding="utf-8") as fh:
        back = list(csv.DictReader(fh))
    want = [r.to_dict() for r in rows]
    assert list(back[0]) == list(want[0])
    assert [{k: str(v) for k, v in w.items()} for w in want] == back


def test_parquet_round_trip(corpus: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    rows = profile_corpus(read_corpus([corpus]), FakePredictor()).rows
    write_rows(rows, tmp_path / "rows.parquet")
    assert pq.read_table(tmp_path / "rows.parquet").to_pylist() == [r.to_dict() for r in rows]


def test_row_formats_are_chosen_by_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    assert rows_format("x.CSV") == "csv" and rows_format("x.parquet") == "parquet"
    with pytest.raises(AttribError, match=r"use \.csv or \.parquet"):
        rows_format("x.xlsx")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    with pytest.raises(AttribError, match="needs pyarrow"):
        rows_format("x.parquet")


HOSTILE_ID = "<script>alert(1)</script>"
HOSTILE_GROUP = "<b>Daily</b> & $\\frac$ Times"


def test_the_page_shows_each_group_and_svg_and_escapes_everything(corpus: Path, tmp_path: Path) -> None:
    records = [{"doc_id": d, "outlet": g, "text": t} for d, g, t, _, _ in CORPUS]
    records += [{"doc_id": HOSTILE_ID, "outlet": HOSTILE_GROUP, "text": CORPUS[0][2]}]
    result = profile_corpus(read_corpus([_jsonl(tmp_path / "h.jsonl", records)]), FakePredictor())
    page = compare_html(result.rows, result.groups, result.labels)
    assert page.startswith("<!DOCTYPE html>")
    for name in ("north", "south", "&lt;b&gt;Daily&lt;/b&gt; &amp; $\\frac$ Times"):
        assert name in page
    assert page.count("<svg") == 2 and "<?xml" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower() and "<b>daily" not in page.lower()
    assert "http://" not in page.replace("http://www.w3.org/", "")  # namespaces only, no links
    assert "model's predictions" in page  # the labels are predictions, and the page says so


def test_the_page_says_when_the_labels_are_the_records_own(labelled: Path) -> None:
    result = profile_corpus(read_corpus([labelled], use_labels=True))
    page = compare_html(result.rows, result.groups, result.labels)
    assert "records&#39; own" in page and "model's predictions" not in page


def test_the_figure_is_svg_or_png(corpus: Path) -> None:
    rows = profile_corpus(read_corpus([corpus]), FakePredictor()).rows
    svg = figure(rows, "svg")
    assert isinstance(svg, str) and svg.startswith("<svg") and "north (2)" in svg and "south (1)" in svg
    png = figure(rows, "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("records", "needle"),
    [
        ([{"text": "A sentence."}], "line 1: no 'doc_id'"),
        ([{"doc_id": "d", "text": "A."}, {"doc_id": ["x"], "text": "B."}], "line 2: doc_id must be"),
        ([{"doc_id": "d", "text": 5}], "non-string 'text'"),
        (
            [{"doc_id": "d", "outlet": "a", "text": "A."}, {"doc_id": "d", "outlet": "b", "text": "B."}],
            "group",
        ),
        ([], "has no sentences"),
    ],
)
def test_bad_jsonl_is_one_clear_error(tmp_path: Path, records: list[dict[str, Any]], needle: str) -> None:
    with pytest.raises(AttribError, match=needle):
        read_corpus([_jsonl(tmp_path / "bad.jsonl", records)])


def test_a_named_group_field_must_be_there(corpus: Path) -> None:
    assert {d.group for d in read_corpus([corpus], group_field="outlet")} == {"north", "south"}
    with pytest.raises(AttribError, match="line 1: no 'publisher' field"):
        read_corpus([corpus], group_field="publisher")


def test_a_doc_id_in_two_inputs_is_refused(corpus: Path) -> None:
    with pytest.raises(AttribError, match="more than one input"):
        read_corpus([corpus, corpus])


def test_no_docs_or_no_predictor_is_an_error() -> None:
    with pytest.raises(AttribError, match="no articles"):
        profile_corpus([])
    with pytest.raises(AttribError, match="predictor is needed"):
        profile_corpus([Document("d", "g", ())])


def compare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["compare", *args, "--predictor", "baseline"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_rows_page_and_figure(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rows.csv"
    code, stdout, err = compare(
        capsys,
        str(corpus),
        "-o",
        str(out),
        "--html",
        str(tmp_path / "p.html"),
        "--figure",
        str(tmp_path / "f.png"),
    )
    assert code == 0 and err == ""
    assert stdout.splitlines()[0] == "3 articles in 2 groups; labels: baseline"
    assert [line.split()[0] for line in stdout.splitlines()[2:]] == ["north", "south"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4  # header + 3 articles
    assert "<svg" in (tmp_path / "p.html").read_text(encoding="utf-8")
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")


def test_cli_uses_the_records_labels(capsys: pytest.CaptureFixture[str], labelled: Path) -> None:
    code, stdout, _ = compare(capsys, str(labelled), "--use-labels", "--group-field", "group")
    assert code == 0 and f"labels: {GIVEN_LABELS}" in stdout


def test_cli_with_the_tiny_model(
    capsys: pytest.CaptureFixture[str], folder: Path, tiny_encoder_dir: Path, tmp_path: Path
) -> None:
    from tests.test_runtime import _checkpoint

    ckpt = _checkpoint(tiny_encoder_dir, tmp_path / "tiny")
    out = tmp_path / "rows.parquet"
    assert main(["compare", str(folder), "--model", str(ckpt), "--backend", "torch", "-o", str(out)]) == 0
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(out)
    assert table.column("group").to_pylist() == ["north", "north", "south", "corpus"]
    assert table.column("n_sentences").to_pylist() == [2, 2, 2, 1]
    assert "4 articles in 3 groups" in capsys.readouterr().out


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "a.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "nodoc.jsonl").write_text('{"text": "A."}\n{"text": "B."}\n', encoding="utf-8")
    (tmp_path / "late.jsonl").write_text(
        '{"doc_id": "a", "text": "A."}\n{"doc_id": "a", "text": "B."}\n{"text": "C."}\n', encoding="utf-8"
    )
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    return {
        "missing": ([str(tmp_path / "nope")], "no such file or folder"),
        "empty folder": ([str(tmp_path / "empty")], "has no .txt"),
        "binary": ([str(tmp_path / "bin")], "looks binary"),
        "no doc_id": ([str(tmp_path / "nodoc.jsonl")], "line 1: no 'doc_id'"),
        "late error": ([str(tmp_path / "late.jsonl")], "line 3: no 'doc_id'"),
        "unknown kind": ([str(tmp_path / "a.pdf")], "cannot tell what"),
        "stdin": (["-"], "not standard input"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "empty folder", "binary", "no doc_id", "late error", "unknown kind", "stdin"]
)
def test_cli_bad_input_is_one_line_and_no_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    args, needle = _bad_inputs(tmp_path)[case]
    out, page = tmp_path / "rows.csv", tmp_path / "page.html"
    assert_one_line_error(*compare(capsys, *args, "-o", str(out), "--html", str(page)), needle)
    assert not out.exists() and not page.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["-o", "rows.xlsx"], "use .csv or .parquet"),
        (["--figure", "f.gif"], "use .svg or .png"),
        (["-o", "x.csv", "--html", "x.csv"], "different files"),
        (["--use-labels"], "no attribution or certainty label"),
    ],
)
def test_cli_bad_options_are_one_line(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, extra: list[str], needle: str
) -> None:
    extra = [str(tmp_path / e) if "." in e and not e.startswith("-") else e for e in extra]
    assert_one_line_error(*compare(capsys, str(corpus), *extra), needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl"]


def test_cli_never_overwrites_its_input_and_keeps_an_old_output_on_error(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    before = corpus.read_bytes()
    assert_one_line_error(*compare(capsys, str(corpus), "--html", str(corpus)), "refusing to overwrite")
    assert corpus.read_bytes() == before
    old = tmp_path / "rows.csv"
    old.write_text("old\n", encoding="utf-8")
    assert_one_line_error(*compare(capsys, str(tmp_path / "nope"), "-o", str(old)), "no such file")
    assert old.read_text(encoding="utf-8") == "old\n"


def test_cli_without_matplotlib_is_one_line(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    page = tmp_path / "page.html"
    assert_one_line_error(*compare(capsys, str(corpus), "--html", str(page)), "need matplotlib")
    assert not page.exists()


def test_summaries_follow_the_group_names_in_order(corpus: Path) -> None:
    docs = read_corpus([corpus], groups={"a1": "zeta", "a2": "alpha", "a3": "zeta"})
    groups = summarize(profile_corpus(docs, FakePredictor()).rows)
    assert [(g.group, g.n_articles) for g in groups] == [("alpha", 1), ("zeta", 2)]
