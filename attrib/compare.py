"""Corpus profiles: one sourcing profile per article of a corpus, one row each, a summary per group.

Pure Python (no torch, no printing): the predictor is passed in, loaded once by the caller, and
sentences of many articles are predicted together in large chunks, each with its previous
sentence in the same article as context, as `analyze` does for one article (docs/compare.md).

Inputs: folders of `.txt`/`.html` articles (a file's group is its first subfolder under the
input folder, else the input folder's name), single article files (group: their folder's
name), or JSONL files of sentences (LABELS.md format) with a `doc_id` per line, one article's
sentences in file order (group: the record's `outlet` or `group` field, or `group_field`, else
the file's name). A `groups` mapping (doc_id -> group) overrides all of these.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attrib.errors import AttribError
from attrib.labelling import CHUNK_SIZE, predict_records
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_DEFAULT_SCORE
from attrib.markup import terminal_safe
from attrib.output import atomic_writer
from attrib.predictor import Predictor
from attrib.profile import Profile, build_profile
from attrib.reader import HTML_SUFFIXES, MAX_CHARS, read_article, text_from_bytes
from attrib.records import iter_numbered_records, iter_record_lines, validate_record
from attrib.result import ArticleSentence, Hop, SentenceResult, spans_from_offsets
from attrib.splitter import Sentence, split_sentences

ARTICLE_SUFFIXES = (".txt", *HTML_SUFFIXES)
JSONL_SUFFIXES = (".jsonl",)
DEFAULT_GROUP_FIELDS = ("outlet", "group")
ROW_FORMATS = {".csv": "csv", ".parquet": "parquet"}
GIVEN_LABELS = "the records' own labels"

# Scalar keys of Profile.to_dict() that become columns under the same name.
PROFILE_COLUMNS = (
    "n_sentences",
    "score",
    "raw_score",
    "n_attributed",
    "n_sourced",
    "anonymous_share",
    "hearsay_share",
    "hedged_share",
    "speculative_share",
    "unattributed_assertive_share",
    "mean_certainty_score",
    "n_named_sources",
    "anonymity_explained",
)
# Label-keyed dicts of Profile.to_dict(), flattened as `key.label`.
NESTED_COLUMNS = ("attribution_shares", "attribution_counts", "certainty_shares", "certainty_counts")
# List keys of Profile.to_dict() counted as `n_key`: sources are distinct (after alias merging),
# chains are the sentences relayed second-hand (two or more hops).
COUNTED_COLUMNS = ("sources", "chains", "unattributed_assertive", "author_hedging", "source_hedging")
# Per-article measures averaged per group (each article counts once).
MEAN_COLUMNS = (
    "anonymous_share",
    "hearsay_share",
    "hedged_share",
    "unattributed_assertive_share",
    *(f"attribution_shares.{a}" for a in ATTRIBUTION_LABELS),
    "n_named_sources",
    "n_sources",
    "n_chains",
)


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Document:
    """One article of the corpus: its sentences, and their labels when the records carry them."""

    doc_id: str
    group: str
    sentences: tuple[Sentence, ...]
    labels: tuple[SentenceResult, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "group": self.group,
            "sentences": [s.text for s in self.sentences],
            "labelled": self.labels is not None,
        }


def read_corpus(
    inputs: Sequence[str | Path],
    group_field: str | None = None,
    groups: Mapping[str, str] | None = None,
    use_labels: bool = False,
    max_chars: int = MAX_CHARS,
) -> tuple[Document, ...]:
    """Every article of `inputs` (folders, article files, JSONL files), in input order.

    `use_labels`: keep each JSONL record's own labels (gold, or an earlier `attrib label` run)
    so that `profile_corpus` profiles them instead of predicting; every sentence must then
    carry an attribution and a certainty. Raises AttribError (one line) for a missing or
    unreadable input, a folder without articles, a binary or empty article, a JSONL line
    without `doc_id`, and a doc_id seen twice.
    """
    if not inputs:
        raise AttribError("no input given: pass folders of articles or JSONL files of sentences")
    docs: list[Document] = []
    for item in inputs:
        path = Path(item)
        if str(item) == "-":
            raise AttribError("compare reads files and folders, not standard input")
        if path.is_dir():
            docs.extend(_read_folder(path, max_chars))
        elif not path.exists():
            raise AttribError(f"no such file or folder: {path}")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            docs.extend(_read_jsonl(path, group_field, use_labels))
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            docs.append(_read_file(path, path.parent.resolve().name, str(path), max_chars))
        else:
            raise AttribError(
                f"cannot tell what {path} is from its extension; "
                f"use a folder, {', '.join(ARTICLE_SUFFIXES)} articles or .jsonl sentences"
            )
    if use_labels and any(d.labels is None for d in docs):
        raise AttribError("the records' own labels can only be used with JSONL input, not article files")
    _check_unique(docs)
    if groups:
        docs = [Document(d.doc_id, str(groups.get(d.doc_id, d.group)), d.sentences, d.labels) for d in docs]
    return tuple(docs)


def _check_unique(docs: Sequence[Document]) -> None:
    seen: set[str] = set()
    for d in docs:
        if d.doc_id in seen:
            raise AttribError(f"doc_id {d.doc_id!r} occurs in more than one input")
        seen.add(d.doc_id)


UPLOAD_GROUP = "uploaded"


def read_uploads(
    files: Sequence[tuple[str, bytes]], group_field: str | None = None, max_chars: int = MAX_CHARS
) -> tuple[Document, ...]:
    """The articles of files held in memory (a web upload): (name, content) pairs, each an
    article (`.txt` / `.html`: its group is the first folder of a name such as "nyt/a.txt", else
    "uploaded") or JSONL sentences (grouped as `read_corpus` groups them). Same checks and
    one-line errors as `read_corpus`."""
    if not files:
        raise AttribError("no files given: choose article files (.txt, .html) or a .jsonl of sentences")
    docs: list[Document] = []
    for name, data in files:
        suffix = Path(name).suffix.lower()
        if suffix in JSONL_SUFFIXES:
            records = iter_record_lines(io.BytesIO(data), name, validate=False)
            docs.extend(_jsonl_documents(records, name, Path(name).stem, group_field, use_labels=False))
        elif suffix in ARTICLE_SUFFIXES:
            text = text_from_bytes(data, name, max_chars, suffix in HTML_SUFFIXES)
            sentences = tuple(split_sentences(text))
            if not sentences:
                raise AttribError(f"{name} has no sentences")
            parts = Path(name).parts
            docs.append(Document(name, parts[0] if len(parts) > 1 else UPLOAD_GROUP, sentences))
        else:
            raise AttribError(
                f"cannot tell what {name} is from its extension; "
                f"upload {', '.join(ARTICLE_SUFFIXES)} articles or .jsonl sentences"
            )
    _check_unique(docs)
    return tuple(docs)


def _read_folder(folder: Path, max_chars: int) -> Iterator[Document]:
    # Hidden files and folders (.git, .DS_Store) are never articles.
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in ARTICLE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    if not files:
        raise AttribError(f"folder {folder} has no {', '.join(ARTICLE_SUFFIXES)} articles")
    name = folder.resolve().name
    for p in files:
        rel = p.relative_to(folder)
        group = rel.parts[0] if len(rel.parts) > 1 else name
        yield _read_file(p, group, f"{name}/{rel.as_posix()}", max_chars)


def _read_file(path: Path, group: str, doc_id: str, max_chars: int) -> Document:
    text = read_article(str(path), max_chars)
    sentences = tuple(split_sentences(text))
    if not sentences:
        raise AttribError(f"{path} has no sentences")
    return Document(doc_id, group, sentences)


def _key(value: Any, what: str, where: str) -> str:
    """A doc_id or group value as text: a non-empty string, or a whole number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    raise AttribError(f"{where}: {what} must be a non-empty string or a whole number, got {value!r}")


def _read_jsonl(path: Path, group_field: str | None, use_labels: bool) -> Iterator[Document]:
    records = iter_numbered_records(path, validate=False)
    return _jsonl_documents(records, str(path), path.stem, group_field, use_labels)


def _jsonl_documents(
    records: Iterable[tuple[int, Any]],
    name: str,
    default_group: str,
    group_field: str | None,
    use_labels: bool,
) -> Iterator[Document]:
    """The articles of numbered JSONL records (sentences with a doc_id, in file order)."""
    texts: dict[str, list[str]] = {}
    labels: dict[str, list[SentenceResult]] = {}
    found: dict[str, tuple[str, str]] = {}  # doc_id -> (group, where it was read)
    fields = (group_field,) if group_field else DEFAULT_GROUP_FIELDS
    for lineno, rec in records:
        where = f"{name} line {lineno}"
        # Labels outside the scheme (a corpus's own, e.g. PolNeAR's "hearsay") are not ours to
        # check unless they are to be profiled: then the whole record must follow LABELS.md.
        validate_record(rec if use_labels or not isinstance(rec, dict) else {"text": rec.get("text")}, where)
        if rec.get("doc_id") is None:
            raise AttribError(f"{where}: no 'doc_id' (compare needs one per sentence to rebuild articles)")
        doc_id = _key(rec["doc_id"], "doc_id", where)
        if not rec["text"].strip():
            continue  # a blank line of text is no sentence (the splitter would drop it too)
        field = next((f for f in fields if rec.get(f) is not None), None)
        if field is not None:
            group = _key(rec[field], f"the group field {field!r}", where)
            if doc_id in found and found[doc_id][0] != group:
                raise AttribError(
                    f"{where}: doc {doc_id!r} is in group {group!r} here but {found[doc_id][0]!r} "
                    f"at {found[doc_id][1]}"
                )
            found.setdefault(doc_id, (group, where))
        elif group_field:
            raise AttribError(f"{where}: no {group_field!r} field to group the article by")
        texts.setdefault(doc_id, []).append(rec["text"])
        if use_labels:
            labels.setdefault(doc_id, []).append(given_result(rec, where))
    if not texts:
        raise AttribError(f"{name} has no sentences")
    for doc_id, sentence_texts in texts.items():
        group = found[doc_id][0] if doc_id in found else default_group
        given = tuple(labels[doc_id]) if use_labels else None
        yield Document(doc_id, group, _placed(sentence_texts), given)


def _placed(texts: list[str]) -> tuple[Sentence, ...]:
    """Sentences with offsets into their texts joined by newlines (the article as one string)."""
    out, at = [], 0
    for t in texts:
        out.append(Sentence(at, at + len(t), t))
        at += len(t) + 1
    return tuple(out)


def given_result(rec: dict[str, Any], where: str) -> SentenceResult:
    """A validated LABELS.md record's own labels as a SentenceResult (its chain too, if it has
    one: `validate_record` has checked its form)."""
    attribution, certainty = rec.get("attribution"), rec.get("certainty")
    if attribution is None or certainty is None:
        raise AttribError(
            f"{where}: no attribution or certainty label; profiling the records' own labels "
            "needs both on every sentence"
        )
    score = rec.get("certainty_score")
    text = rec["text"]
    return SentenceResult(
        text=text,
        attribution=attribution,
        certainty=certainty,
        certainty_score=float(CERTAINTY_DEFAULT_SCORE[certainty] if score is None else score),
        sources=spans_from_offsets(text, rec.get("source_char_spans") or []),
        cues=spans_from_offsets(text, rec.get("cue_char_spans") or []),
        hedges=spans_from_offsets(text, rec.get("hedge_char_spans") or []),
        chain=tuple(Hop(h["type"], h["source"]) for h in rec.get("chain") or ()),
    )


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class ArticleRow:
    """One article's profile; `to_dict()` is its flat row (columns named after Profile.to_dict())."""

    doc_id: str
    group: str
    profile: Profile

    def to_dict(self) -> dict[str, Any]:
        p = self.profile.to_dict()
        row: dict[str, Any] = {"doc_id": self.doc_id, "group": self.group}
        row.update({key: p[key] for key in PROFILE_COLUMNS})
        for key in NESTED_COLUMNS:
            row.update({f"{key}.{label}": value for label, value in p[key].items()})
        row.update({f"n_{key}": len(p[key]) for key in COUNTED_COLUMNS})
        for c in p["components"]:
            row[f"components.{c['name']}.value"] = c["value"]
            row[f"components.{c['name']}.contribution"] = c["contribution"]
        row["flags"] = ";".join(f["code"] for f in p["flags"])
        return row


@dataclass(frozen=True)
class Stats:
    """Five-number summary and mean; quartiles interpolate linearly (numpy's default)."""

    mean: float
    median: float
    q1: float
    q3: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if len(values) == 1:
            q1 = q3 = float(values[0])
        else:
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        median = float(statistics.median(values))
        return cls(statistics.fmean(values), median, q1, q3, float(min(values)), float(max(values)))

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in vars(self).items()}


@dataclass(frozen=True)
class GroupSummary:
    """A group's articles at a glance: how many, their score distribution, mean measures."""

    group: str
    n_articles: int
    n_sentences: int
    score: Stats
    means: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "n_articles": self.n_articles,
            "n_sentences": self.n_sentences,
            "score": self.score.to_dict(),
            "means": {k: round(v, 4) for k, v in self.means.items()},
        }


@dataclass(frozen=True)
class Comparison:
    """A corpus's rows and group summaries, and what labelled its sentences."""

    rows: tuple[ArticleRow, ...]
    groups: tuple[GroupSummary, ...]
    labels: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "groups": [g.to_dict() for g in self.groups],
            "rows": [r.to_dict() for r in self.rows],
        }


def summarize(rows: Sequence[ArticleRow]) -> tuple[GroupSummary, ...]:
    """One summary per group, in group-name order."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_group.setdefault(r.group, []).append(r.to_dict())
    return tuple(_summary(name, by_group[name]) for name in sorted(by_group))


def overall(rows: Sequence[ArticleRow], name: str = "all") -> GroupSummary:
    """One summary of every row together."""
    return _summary(name, [r.to_dict() for r in rows])


def _summary(name: str, dicts: list[dict[str, Any]]) -> GroupSummary:
    return GroupSummary(
        group=name,
        n_articles=len(dicts),
        n_sentences=sum(d["n_sentences"] for d in dicts),
        score=Stats.of([d["score"] for d in dicts]),
        means={k: statistics.fmean(float(d[k]) for d in dicts) for k in MEAN_COLUMNS},
    )


def profile_corpus(
    docs: Sequence[Document],
    predictor: Predictor | None = None,
    on_progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Comparison:
    """Profile every article: its own labels if it carries them, else the predictor's.

    All sentences go through `predictor` (loaded once by the caller) `chunk_size` at a time
    across article boundaries, each with its previous sentence in the same article as context,
    exactly as `analyze` labels one article. `on_progress(n)` follows each chunk of n sentences.
    """
    if not docs:
        raise AttribError("the corpus has no articles")
    to_predict = [d for d in docs if d.labels is None]
    predicted: dict[str, list[SentenceResult]] = {d.doc_id: [] for d in to_predict}
    if to_predict:
        if predictor is None:
            raise AttribError("these articles carry no labels: a predictor is needed")
        records = ({"doc_id": d.doc_id, "text": s.text} for d in to_predict for s in d.sentences)
        for rec, result in predict_records(records, predictor, chunk_size, on_progress):
            predicted[rec["doc_id"]].append(result)
    rows = []
    for d in docs:
        results = d.labels if d.labels is not None else predicted[d.doc_id]
        sentences = [
            ArticleSentence(i, s.start, s.end, r)
            for i, (s, r) in enumerate(zip(d.sentences, results, strict=True))
        ]
        rows.append(ArticleRow(d.doc_id, d.group, build_profile(sentences)))
    labels = predictor.name if to_predict and predictor is not None else GIVEN_LABELS
    return Comparison(tuple(rows), summarize(rows), labels)


# ---------------------------------------------------------------- writing


def rows_format(path: str | Path) -> str:
    """'csv' or 'parquet' from the extension; Parquet needs pyarrow. Checked before any work."""
    fmt = ROW_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise AttribError(f"cannot tell the format of {path} from its extension; use .csv or .parquet")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise AttribError("writing Parquet needs pyarrow (pip install pyarrow), or use .csv") from None
    return fmt


def write_rows(rows: Sequence[ArticleRow], path: str | Path, inputs: tuple[str | Path, ...] = ()) -> None:
    """One row per article to CSV or Parquet (by extension), atomically; never over an input."""
    fmt = rows_format(path)
    with atomic_writer(path, inputs) as out:
        if fmt == "csv":
            out.write(rows_csv(rows))
            return
        dicts = [r.to_dict() for r in rows]
        import pyarrow as pa
        import pyarrow.parquet as pq

        out.flush()  # Parquet is bytes: write them under the text handle, as attrib.scale does
        pq.write_table(pa.Table.from_pylist(dicts), out.buffer)  # type: ignore[attr-defined]


def rows_csv(rows: Sequence[ArticleRow]) -> str:
    """The rows as CSV text (a header, then one line per article)."""
    dicts = [r.to_dict() for r in rows]
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(dicts[0]) if dicts else ["doc_id", "group"])
    writer.writeheader()
    writer.writerows(dicts)
    return buf.getvalue()


def summary_table(groups: Sequence[GroupSummary]) -> str:
    """A plain fixed-width table of the group summaries, for a terminal."""
    header = ("group", "articles", "sentences", "score median [IQR]", "mean", "anon", "hearsay", "hedged")
    header += ("named/art", "chains/art")
    lines = []
    for g in groups:
        m, s = g.means, g.score
        lines.append(
            (
                terminal_safe(g.group if len(g.group) <= 24 else g.group[:23] + "…"),
                str(g.n_articles),
                str(g.n_sentences),
                f"{s.median:.0f} [{s.q1:.0f}-{s.q3:.0f}]",
                f"{s.mean:.1f}",
                f"{m['anonymous_share']:.1%}",
                f"{m['hearsay_share']:.1%}",
                f"{m['hedged_share']:.1%}",
                f"{m['n_named_sources']:.2f}",
                f"{m['n_chains']:.2f}",
            )
        )
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *lines]
    )
