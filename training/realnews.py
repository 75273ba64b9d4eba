"""Our real-news annotations: whole articles of the corpora in ../shared/data, labelled by reading.

The repository holds labels only, keyed by corpus, doc_id and sent_idx (plus character spans and
a SHA-1 of the sentence, so that the join to the corpus text is checked exactly); the text is
joined from the corpus files at build time and never copied here (licences: training/README.md).

    training/realnews/labels.jsonl     one line per sentence: the final (adjudicated) labels
    training/realnews/agreement.jsonl  the two blind annotations of the agreement articles
    training/realnews/splits.json      article -> train / dev / test (by article, stratified)
    training/realnews/chains.jsonl     relay chains (LABELS.md 2b.13, 4) of every sentence with two
                                       or more sources: hops outer to inner as source spans, [] where
                                       the sources are side by side; a sentence with fewer sources
                                       has no chain

    python -m training.realnews --summary      counts per split, corpus and label
    python -m training.realnews --agreement    inter-annotator agreement table
    python -m training.realnews --polnear      rule-derived PolNeAR types vs these labels
    python -m training.realnews --export dev OUT.jsonl   one split as LABELS.md JSONL (with text),
                                                         for `attrib evaluate OUT.jsonl` (keep it
                                                         outside the repository: corpus text)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attrib.decode import trim_cue
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, SPAN_KEYS, SPAN_KINDS, score_fits
from attrib.records import RecordError, validate_record
from attrib.sources import ATTRIBUTION_OF_KIND, source_kind

HERE = Path(__file__).resolve().parent
REALNEWS = HERE / "realnews"
LABELS_PATH = REALNEWS / "labels.jsonl"
AGREEMENT_PATH = REALNEWS / "agreement.jsonl"
SPLITS_PATH = REALNEWS / "splits.json"
CHAINS_PATH = REALNEWS / "chains.jsonl"

# corpus name in our labels -> its file in ../shared/data
CORPUS_FILES: dict[str, str] = {
    "polnear": "polnear-train.jsonl",
    "reuters21578": "reuters21578_sample.jsonl",
    "meantime_wikinews": "meantime_wikinews.jsonl",
    "gum_wikinews": "gum_wikinews.jsonl",
}
SPLITS = ("train", "dev", "test")
# Target shares of sentences per group for dev and test (the floors: >= 1,000 dev
# sentences in >= 30 articles, >= 600 test sentences in >= 20 articles).
DEV_SHARE, TEST_SHARE = 0.22, 0.13
SPLIT_SEED = 8
LABEL_KEYS = ("attribution", "certainty", "certainty_score", *SPAN_KEYS.values())


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- corpus text


def read_corpus(
    data_dir: str | Path, corpus: str, docs: set[str] | None = None
) -> dict[tuple[str, int], dict]:
    """(doc_id, sent_idx) -> the corpus row (text and metadata), for `docs` only if given."""
    path = Path(data_dir) / CORPUS_FILES[corpus]
    rows: dict[tuple[str, int], dict] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if docs is None or r["doc_id"] in docs:
                rows[(r["doc_id"], int(r["sent_idx"]))] = r
    return rows


def group_of(corpus: str, row: dict[str, Any]) -> str:
    """The stratum of an article: PolNeAR's publisher, GUM's genre, else the corpus."""
    if corpus == "polnear":
        return f"polnear/{row.get('publisher')}"
    if corpus == "gum_wikinews":
        return str(row.get("corpus") or corpus)
    return corpus


# --------------------------------------------------------------------------- validation and join


def check_label(lab: dict[str, Any], text: str, where: str) -> None:
    """Raise RecordError if a label row does not fit the guideline (LABELS.md) or its sentence."""
    if lab.get("text_sha1") != text_hash(text):
        raise RecordError(f"{where}: the corpus text does not match the labelled sentence (hash differs)")
    rec = validate_record({"text": text, **{k: lab.get(k) for k in LABEL_KEYS}}, where)
    if rec["attribution"] is None or rec["certainty"] is None or rec["certainty_score"] is None:
        raise RecordError(f"{where}: attribution, certainty and certainty_score are all required")
    if not score_fits(rec["certainty"], float(rec["certainty_score"])):
        raise RecordError(
            f"{where}: certainty_score {rec['certainty_score']} contradicts certainty {rec['certainty']!r}"
        )
    for kind in SPAN_KINDS:
        if rec.get(SPAN_KEYS[kind]) is None:
            raise RecordError(f"{where}: {SPAN_KEYS[kind]} is required (an empty list for none)")


def read_labels(path: str | Path = LABELS_PATH) -> list[dict[str, Any]]:
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if line.strip():
                lab = json.loads(line)
                if lab.get("corpus") not in CORPUS_FILES:
                    raise RecordError(f"{path} line {i}: unknown corpus {lab.get('corpus')!r}")
                out.append(lab)
    return out


def read_chains(path: str | Path = CHAINS_PATH) -> dict[tuple[str, str, int], list[list[int]]]:
    """(corpus, doc_id, sent_idx) -> the chain's hops as source spans, outer to inner."""
    path = Path(path)
    if not path.is_file():
        return {}
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {(r["corpus"], r["doc_id"], int(r["sent_idx"])): r["chain_char_spans"] for r in rows}


def chain_of(lab: dict[str, Any], text: str, hops: list[list[int]], where: str) -> list[dict[str, str]]:
    """The LABELS.md chain of a sentence: each hop one of its sources; the innermost takes the
    sentence's label (2b.13), an outer hop the type its kind of source has."""
    sources = [list(s) for s in lab["source_char_spans"]]
    if any(list(h) not in sources for h in hops) or len(hops) == 1:
        raise RecordError(f"{where}: a chain hop is not one of the sentence's source spans")
    chain = [{"type": ATTRIBUTION_OF_KIND[source_kind(text[s:e])], "source": text[s:e]} for s, e in hops]
    if chain:
        chain[-1]["type"] = lab["attribution"]
    return chain


# --------------------------------------------------------------------------- span normalisation

# Decision log rules 1 and 3, applied to every label as it is joined: the first waves' annotators
# sometimes kept a comma-set apposition in a source ("Tom Lee, an analyst at Fitch") or a recipient
# or medium in a cue ("told Reuters", "said in a statement"), where later waves followed the rules.
# The committed labels stay as annotated; only the spans read from them are trimmed.
_APPOSITION = re.compile(
    r", (?:(?:a|an|the|who|which|whose|former|chief|senior|spokes\w*)\b|[a-z]+ (?:of|at|for|to)\b)"
)
_RELATIVE = re.compile(r", (?:who|which|whose)\b")
# Another conjunct after the comma ("the Bank of Canada, the Bank of England and ..."): a list.
_CONJUNCT = re.compile(r", (?:and |or )(?:the )?[A-Z]|, the [A-Z]| (?:and|or) (?:the )?[A-Z]")


def trim_source(text: str, span: list[int]) -> list[int]:
    """A source span without its comma-set apposition or non-restrictive relative clause, unless
    the apposition is the name itself ("the other candidate, Jane Roe") or the comma joins a list."""
    start, end = span
    m = _APPOSITION.search(text[start:end])
    if not m:
        return list(span)
    head, rest = text[start : start + m.start()], text[start + m.start() + 1 : end]
    if _CONJUNCT.search(rest):
        return list(span)
    if not _RELATIVE.match(text[start + m.start() : end]) and not re.search(r"\s[A-Z]", head):
        return list(span)  # a description whose apposition names it: the name is the source
    return [start, start + len(head.rstrip())]


def normalise_spans(lab: dict[str, Any], text: str) -> dict[str, Any]:
    """The label with its source and cue spans trimmed (rules 1 and 3); a chain's hops go through
    `trim_source` too, so they stay equal to their source spans."""
    out = dict(lab)
    out["source_char_spans"] = [trim_source(text, s) for s in lab["source_char_spans"]]
    out["cue_char_spans"] = [trim_cue(text, s) for s in lab["cue_char_spans"]]
    return out


def join(
    labels: Iterable[dict[str, Any]],
    data_dir: str | Path,
    splits: dict[str, str] | None = None,
    chains: dict[tuple[str, str, int], list[list[int]]] | None = None,
) -> list[dict[str, Any]]:
    """LABELS.md records: each label joined to its corpus sentence, checked, in article order.

    Adds corpus, group, split (from `splits`, keyed "corpus:doc_id"), the chain (from `chains`;
    [] for a sentence not listed there) and the previous sentence of the article as `context`.
    """
    chains = chains or {}
    labels = list(labels)
    by_corpus: dict[str, set[str]] = defaultdict(set)
    for lab in labels:
        by_corpus[lab["corpus"]].add(lab["doc_id"])
    texts = {c: read_corpus(data_dir, c, docs) for c, docs in by_corpus.items()}
    out = []
    for lab in sorted(labels, key=lambda x: (x["corpus"], x["doc_id"], int(x["sent_idx"]))):
        corpus, doc, idx = lab["corpus"], lab["doc_id"], int(lab["sent_idx"])
        where = f"realnews label {corpus}:{doc}#{idx}"
        row = texts[corpus].get((doc, idx))
        if row is None:
            raise RecordError(f"{where}: no such sentence in {CORPUS_FILES[corpus]}")
        check_label(lab, row["text"], where)
        text = row["text"]
        hops = [trim_source(text, h) for h in chains.get((corpus, doc, idx), [])]
        lab = normalise_spans(lab, text)
        prev = texts[corpus].get((doc, idx - 1))
        key = f"{corpus}:{doc}"
        out.append(
            {
                "text": text,
                "context": prev["text"] if prev else None,
                **{k: lab[k] for k in LABEL_KEYS},
                "chain": chain_of(lab, text, hops, where),
                "doc_id": key,
                "sent_idx": idx,
                "corpus": corpus,
                "group": group_of(corpus, row),
                "role": row.get("role") or "body",
                "split": (splits or {}).get(key),
            }
        )
    return out


def load_realnews(
    data_dir: str | Path,
    labels_path: str | Path = LABELS_PATH,
    splits_path: str | Path = SPLITS_PATH,
    chains_path: str | Path = CHAINS_PATH,
) -> list[dict[str, Any]]:
    """The joined, checked real-news records with their split and chain."""
    splits_path = Path(splits_path)
    splits = json.loads(splits_path.read_text()) if splits_path.is_file() else {}
    records = join(read_labels(labels_path), data_dir, splits, read_chains(chains_path))
    missing = sorted({r["doc_id"] for r in records if r["split"] not in SPLITS})
    if missing:
        raise RecordError(f"{len(missing)} real-news articles have no split in {splits_path}: {missing[:3]}")
    return records


# --------------------------------------------------------------------------- splits


def assign_splits(docs: dict[str, tuple[str, int]], seed: int = SPLIT_SEED) -> dict[str, str]:
    """Article -> split, stratified by group: each group gives about DEV_SHARE of its sentences to
    dev and TEST_SHARE to test (at least one article each where the group has three or more)."""
    rng = random.Random(seed)
    by_group: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc, (group, n) in sorted(docs.items()):
        by_group[group].append((doc, n))
    out: dict[str, str] = {}
    for _, items in sorted(by_group.items()):
        rng.shuffle(items)
        total = sum(n for _, n in items)
        want = {"test": TEST_SHARE * total, "dev": DEV_SHARE * total}
        got = {"test": 0, "dev": 0}
        for doc, n in items:
            split = "train"
            for s in ("test", "dev"):
                if got[s] < want[s] and (got[s] + n / 2 <= want[s] or got[s] == 0) and len(items) >= 3:
                    split = s
                    break
            if split != "train":
                got[split] += n
            out[doc] = split
    return out


def extend_splits(splits: dict[str, str], docs: Iterable[str]) -> dict[str, str]:
    """Keep every assigned article where it is; articles annotated later go to train, so the dev
    and test sets, once drawn, never change under a model that is being selected on them."""
    return {**{d: "train" for d in docs}, **splits}


# --------------------------------------------------------------------------- agreement


def agreement(path: Path = AGREEMENT_PATH) -> dict[str, Any]:
    """Two blind annotations of the same sentences: per head accuracy, macro-F1 and Cohen's kappa
    (annotator B against A), exact span F1, and the certainty score's correlation."""
    import numpy as np
    from sklearn.metrics import cohen_kappa_score, f1_score

    from attrib.metrics import num, score_metrics, span_metrics

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, Any] = {
        "sentences": len(rows),
        "articles": len({(r["corpus"], r["doc_id"]) for r in rows}),
        "corpora": dict(Counter(r["corpus"] for r in rows)),
    }
    for head, labels in (("attribution", ATTRIBUTION_LABELS), ("certainty", CERTAINTY_LABELS)):
        warnings.filterwarnings("ignore", message=".*cohen_kappa_score.*")  # undefined kappa -> None
        a = [r["a"][head] for r in rows]
        b = [r["b"][head] for r in rows]
        out[head] = {
            "accuracy": sum(x == y for x, y in zip(a, b, strict=True)) / len(rows),
            "macro_f1": float(f1_score(a, b, labels=list(labels), average="macro", zero_division=0)),
            # Undefined (None) when both annotators use a single label throughout.
            "kappa": num(cohen_kappa_score(a, b, labels=list(labels), replace_undefined_by=np.nan)),
        }
    out["certainty_score"] = score_metrics(
        [r["a"]["certainty_score"] for r in rows], [r["b"]["certainty_score"] for r in rows]
    )
    for kind in SPAN_KINDS:
        key = SPAN_KEYS[kind]
        pairs = [([tuple(s) for s in r["a"][key]], [tuple(s) for s in r["b"][key]]) for r in rows]
        out[f"{kind}_spans"] = span_metrics(pairs)["exact"]
    return out


def polnear_agreement(data_dir: str | Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    """How well the rule-derived PolNeAR types (training/polnear.py) agree with our labels."""
    from sklearn.metrics import f1_score

    from training.polnear import load_polnear

    ours = {(r["doc_id"], r["sent_idx"]): r["attribution"] for r in records if r["corpus"] == "polnear"}
    pairs = [
        (ours[(r["doc_id"], r["sent_idx"])], r["attribution"])
        for r in load_polnear(Path(data_dir) / CORPUS_FILES["polnear"])
        if (r["doc_id"], r["sent_idx"]) in ours
    ]
    gold, derived = [g for g, _ in pairs], [d for _, d in pairs]
    per_class = f1_score(gold, derived, labels=list(ATTRIBUTION_LABELS), average=None, zero_division=0)
    confusion = Counter(pairs)
    return {
        "sentences": len(pairs),
        "accuracy": sum(g == d for g, d in pairs) / max(1, len(pairs)),
        "macro_f1": float(f1_score(gold, derived, labels=list(ATTRIBUTION_LABELS), average="macro")),
        "per_class_f1": dict(zip(ATTRIBUTION_LABELS, map(float, per_class), strict=True)),
        "support": dict(Counter(gold)),
        "top_confusions": [
            {"ours": g, "derived": d, "n": n} for (g, d), n in confusion.most_common() if g != d
        ][:8],
    }


# --------------------------------------------------------------------------- import from annotators


def _normalised(text: str) -> tuple[str, list[int]]:
    """Whitespace runs folded to one space, with each kept character's offset in `text`."""
    chars, where = [], []
    for m in re.finditer(r"\s+|\S", text):
        chars.append(" " if m.group().isspace() else m.group())
        where.append(m.start())
    return "".join(chars), where


def _occurrences(norm: str, sub: str) -> list[int]:
    starts, at = [], norm.find(sub)
    while at >= 0:
        starts.append(at)
        at = norm.find(sub, at + 1)
    return starts


def _whole_words(norm: str, start: int, end: int) -> bool:
    before = start == 0 or not norm[start - 1].isalnum() or not norm[start].isalnum()
    after = end == len(norm) or not norm[end].isalnum() or not norm[end - 1].isalnum()
    return before and after


def locate(text: str, span: str | list[Any]) -> list[int]:
    """[start, end) of an annotator's span (a substring, or [substring, k] for the k-th occurrence).

    Occurrences are counted as plain substrings; where the k-th one cuts a word ("he" inside
    "The"), the k-th whole-word occurrence is meant, as annotators write words.
    """
    sub, k = (span, 1) if isinstance(span, str) else (str(span[0]), int(span[1]))
    norm, where = _normalised(text)
    sub = re.sub(r"\s+", " ", sub).strip()
    starts = _occurrences(norm, sub) if sub else []
    if len(starts) < k:
        raise ValueError(f"span {span!r} not found")
    start = starts[k - 1]
    if not _whole_words(norm, start, start + len(sub)):
        words = [s for s in starts if _whole_words(norm, s, s + len(sub))]
        if len(words) >= k:
            start = words[k - 1]
    end = start + len(sub) - 1
    return [where[start], where[end] + len(norm[end])]


def import_annotation(
    lines: Iterable[dict[str, Any]], corpus: str, doc: str, texts: dict[tuple[str, int], dict], who: str
) -> Iterator[dict[str, Any]]:
    """Annotator lines ({"i", "a", "c", "s", "src", "cue", "hed"}) -> our label rows."""
    for r in lines:
        text = texts[(doc, int(r["i"]))]["text"]
        yield {
            "corpus": corpus,
            "doc_id": doc,
            "sent_idx": int(r["i"]),
            "text_sha1": text_hash(text),
            "attribution": r["a"],
            "certainty": r["c"],
            "certainty_score": float(r["s"]),
            "source_char_spans": [locate(text, s) for s in r.get("src") or []],
            "cue_char_spans": [locate(text, s) for s in r.get("cue") or []],
            "hedge_char_spans": [locate(text, s) for s in r.get("hed") or []],
            "annotator": who,
        }


# --------------------------------------------------------------------------- summary


def summary(records: list[dict[str, Any]]) -> str:
    lines = []
    for split in SPLITS:
        rows = [r for r in records if r["split"] == split]
        lines.append(
            f"== real-news {split}: {len(rows)} sentences, {len({r['doc_id'] for r in rows})} articles"
        )
        for key in ("group", "attribution", "certainty"):
            counts = Counter(str(r[key]) for r in rows)
            lines.append(f"  {key:<12} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--agreement", action="store_true")
    parser.add_argument("--polnear", action="store_true")
    parser.add_argument(
        "--export", nargs=2, metavar=("SPLIT", "OUT"), help="write a split as LABELS.md JSONL"
    )
    args = parser.parse_args()
    if args.export:
        split, out = args.export
        rows = [r for r in load_realnews(args.data_dir) if r["split"] == split]
        keys = ("text", *LABEL_KEYS, "chain", "doc_id", "sent_idx")
        Path(out).write_text(
            "".join(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n" for r in rows)
        )
        print(f"wrote {len(rows)} {split} sentences to {out}")
        return
    if args.agreement:
        print(json.dumps(agreement(), indent=2))
    if args.polnear:
        print(json.dumps(polnear_agreement(args.data_dir, load_realnews(args.data_dir)), indent=2))
    if args.summary or not (args.agreement or args.polnear):
        print(summary(load_realnews(args.data_dir)))


if __name__ == "__main__":
    main()
