"""Build the training / validation / test DatasetDict from every source, in the LABELS.md scheme.

Sources (see training/README.md for the mapping of each corpus):
- PolNeAR train: attributed vs none and source / cue spans are gold; types derived (training/polnear.py).
- Szeged Wikipedia: hedge cue spans and certainty (cue classes mapped to hedged / speculative).
- Pei & Jurgens: the 1-6 certainty rating mapped to certainty_score in [0, 1].
- Generated sentences (training/generate.py): rare attribution types, speculation, chains.
- Our hand-written training sentences (training/handwritten/train.jsonl): hard and rare cases.
- Our real-news annotations (training/realnews, labels only, joined to ../shared/data): whole
  articles labelled by reading; their own train / dev / test split by article. The dev and test
  articles are removed from every other source (PolNeAR), and the real-news training articles
  replace PolNeAR's rule-derived rows of the same articles.
- The hand-written gold set (training/gold/gold.jsonl): test only, never trained on.

Splits are by document (a stable hash of doc_id; the real-news split is fixed in
training/realnews/splits.json), so no article is on two sides. The DatasetDict has train,
validation and test, plus realnews_dev (model selection) and realnews_test (reported once per
shipped model, never read for a decision).

    python -m training.data --stats            # tables per label, corpus, split and origin
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset, DatasetDict, Features, Sequence, Value, load_from_disk

from attrib.labels import CERTAINTY_DEFAULT_SCORE
from training.grammar import lexicon_lines

HERE = Path(__file__).resolve().parent
ATTRIB = HERE.parent / "attrib"
GOLD_PATH = HERE / "gold" / "gold.jsonl"
HANDWRITTEN_PATH = HERE / "handwritten" / "train.jsonl"

FEATURES = Features(
    {
        "text": Value("string"),
        "context": Value("string"),
        "attribution": Value("string"),
        "certainty": Value("string"),
        "certainty_score": Value("float32"),
        "source_char_spans": Sequence(Sequence(Value("int32"))),
        "cue_char_spans": Sequence(Sequence(Value("int32"))),
        "hedge_char_spans": Sequence(Sequence(Value("int32"))),
        "has_source_cue": Value("bool"),  # are source / cue spans annotated (else the tagger skips them)
        "has_hedge": Value("bool"),
        "chain": Value("string"),  # JSON list of {"type", "source"}, outer to inner
        "doc_id": Value("string"),
        "sent_idx": Value("int32"),
        "corpus": Value("string"),
        "origin": Value("string"),  # gold (human label) / derived (rules) / generated
    }
)


@dataclass(frozen=True)
class DataConfig:
    """What goes into the mix. Caps keep a CPU epoch short; rare classes are kept whole."""

    data_dir: str = "../shared/data"
    gold_path: str = str(GOLD_PATH)
    polnear_max: int = 9000  # sentences of PolNeAR train docs; rare derived types always kept
    polnear_types: bool = True  # False: keep PolNeAR's human spans, drop its rule-derived types
    szeged_max: int = 4000  # all uncertain sentences, topped up with certain ones
    pei_max: int = 1220
    generated: int = 3000  # kept a minority of the mix
    generated_eval: int = 300  # generated sentences in validation (a fresh seed)
    handwritten: bool = True  # our hand-written training sentences (training/handwritten), all in train
    realnews: bool = True  # our real-news annotations (training/realnews): train, dev and test
    realnews_labels: str = str(HERE / "realnews" / "labels.jsonl")
    realnews_splits: str = str(HERE / "realnews" / "splits.json")
    realnews_chains: str = str(HERE / "realnews" / "chains.jsonl")
    val_frac: float = 0.1
    test_frac: float = 0.1
    seed: int = 13
    cache_dir: str = "cache/datasets"

    def key(self) -> str:
        """Cache key: the config plus the content of our own data files, which change as we edit them."""
        h = hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode())
        # The PolNeAR derivation depends on attrib.sources and its word lists, the generator on its own.
        code = [
            HERE / "generate.py",
            HERE / "grammar.py",
            HERE / "realnews.py",
            HERE / "polnear.py",
            ATTRIB / "sources.py",
            *sorted((ATTRIB / "lexicons").iterdir()),
            *sorted((HERE / "lexicons").iterdir()),
        ]
        extra = (Path(self.realnews_labels), Path(self.realnews_splits), Path(self.realnews_chains))
        for path in (Path(self.gold_path), HANDWRITTEN_PATH, *extra, *code):
            h.update(path.read_bytes() if path.is_file() else b"-")
        return h.hexdigest()[:12]


def split_of(doc_id: str, cfg: DataConfig) -> str:
    """A stable split per document from a hash of its id."""
    x = int(hashlib.md5(doc_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if x < cfg.test_frac else "validation" if x < cfg.test_frac + cfg.val_frac else "train"


# Szeged cue words that present a claim as possible rather than probable (LABELS.md section 2).
SPECULATIVE_CUES = frozenset(w.lower() for w in lexicon_lines("szeged_speculative.txt"))


def _record(text: str, **kw: Any) -> dict[str, Any]:
    rec = {key: None for key in FEATURES}
    rec.update(text=text, chain="[]", sent_idx=0, has_source_cue=False, has_hedge=False)
    rec.update(kw)
    return rec


def load_szeged(path: Path) -> Iterator[dict[str, Any]]:
    """Certainty and hedge spans; attribution unknown (null). Title rows dropped."""
    prev: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            r = json.loads(line)
            if r.get("doc_part") == "Title":
                continue
            cues = r.get("cues") or []
            words = {c["text"].lower() for c in cues}
            classes = {c["class"] for c in cues}
            if not cues:
                certainty = "certain"
            elif words & SPECULATIVE_CUES or classes & {"condition", "investigation"}:
                certainty = "speculative"  # the least certain cue wins (LABELS.md rule 7)
            else:
                certainty = "hedged"
            yield _record(
                r["text"],
                context=prev.get(r["doc_id"]),
                certainty=certainty,
                certainty_score=CERTAINTY_DEFAULT_SCORE[certainty],
                hedge_char_spans=[list(c["char_span"]) for c in cues],
                has_hedge=True,
                doc_id=f"szeged:{r['doc_id']}",
                sent_idx=i,
                corpus="szeged",
                origin="gold",
            )
            prev[r["doc_id"]] = r["text"]


def load_pei(path: Path) -> Iterator[dict[str, Any]]:
    """Science findings: the crowd certainty rating (1-6) -> score in [0, 1]; class where given."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            yield _record(
                r["text"],
                certainty=r.get("certainty"),
                certainty_score=(float(r["certainty_score_1to6"]) - 1.0) / 5.0,
                doc_id=f"pei:{r['doc_id']}",
                corpus="pei",
                origin="gold",
            )


def load_polnear_records(path: Path) -> Iterator[dict[str, Any]]:
    from training.polnear import load_polnear

    for r in load_polnear(path):
        yield _record(
            **{**r, "chain": json.dumps(r["chain"]), "has_source_cue": True, "hedge_char_spans": None}
        )


def load_labelled(path: Path, corpus: str, origin: str) -> Iterator[dict[str, Any]]:
    """LABELS.md JSONL (gold set or generated): previous sentence of the same doc as context."""
    prev: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield labelled_record(json.loads(line), corpus, origin, prev)


def labelled_record(r: dict[str, Any], corpus: str, origin: str, prev: dict[str, str]) -> dict[str, Any]:
    doc = f"{corpus}:{r.get('doc_id', '')}"
    rec = _record(
        r["text"],
        context=prev.get(doc),
        attribution=r.get("attribution"),
        certainty=r.get("certainty"),
        certainty_score=r.get("certainty_score"),
        source_char_spans=r.get("source_char_spans") or [],
        cue_char_spans=r.get("cue_char_spans") or [],
        hedge_char_spans=r.get("hedge_char_spans") or [],
        has_source_cue="source_char_spans" in r,
        has_hedge="hedge_char_spans" in r,
        chain=json.dumps(r.get("chain") or []),
        doc_id=doc,
        sent_idx=r.get("sent_idx", 0),
        corpus=corpus,
        origin=origin,
    )
    prev[doc] = r["text"]
    return rec


def _cap(rows: list[dict[str, Any]], n: int, keep: Any, rng: random.Random) -> list[dict[str, Any]]:
    """Keep every row `keep` favours, then a random sample of the rest up to n in all."""
    kept = [r for r in rows if keep(r)]
    rest = [r for r in rows if not keep(r)]
    rng.shuffle(kept)
    rng.shuffle(rest)
    # Favoured rows may take at most two thirds of a small cap, so the common classes stay in.
    kept = kept[: max(n * 2 // 3, n - len(rest))]
    return kept + rest[: max(0, n - len(kept))]


RARE = frozenset({"anonymous", "according_to", "reportedly"})


SPLIT_NAMES = ("train", "validation", "test", "realnews_dev", "realnews_test")
REALNEWS_SPLIT = {"train": "train", "dev": "realnews_dev", "test": "realnews_test"}


def load_realnews_records(cfg: DataConfig) -> list[dict[str, Any]]:
    """Our real-news labels joined to the corpus text (checked), as dataset rows with their split."""
    from training.realnews import load_realnews

    if not Path(cfg.realnews_labels).is_file():
        return []
    rows = []
    for r in load_realnews(cfg.data_dir, cfg.realnews_labels, cfg.realnews_splits, cfg.realnews_chains):
        rec = _record(
            r["text"],
            context=r["context"],
            attribution=r["attribution"],
            certainty=r["certainty"],
            certainty_score=r["certainty_score"],
            source_char_spans=r["source_char_spans"],
            cue_char_spans=r["cue_char_spans"],
            hedge_char_spans=r["hedge_char_spans"],
            has_source_cue=True,
            has_hedge=True,
            chain=json.dumps(r["chain"]),
            doc_id=f"realnews:{r['doc_id']}",
            sent_idx=r["sent_idx"],
            corpus="realnews",
            origin="gold",
        )
        rec["_split"] = r["split"]
        rows.append(rec)
    return rows


def build_records(cfg: DataConfig) -> dict[str, list[dict[str, Any]]]:
    """All records per split, before tokenisation."""
    data = Path(cfg.data_dir)
    rng = random.Random(cfg.seed)
    # The real-news splits exist when that source is on (even where it has no test article yet).
    names = SPLIT_NAMES if cfg.realnews else SPLIT_NAMES[:3]
    splits: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    realnews = load_realnews_records(cfg) if cfg.realnews else []
    # Human labels of an article supersede the rule-derived ones, and a real-news dev / test
    # article must not reach training through another source.
    taken = {r["doc_id"].removeprefix("realnews:") for r in realnews}
    for r in realnews:
        splits[REALNEWS_SPLIT[r.pop("_split")]].append(r)
    corpora = [
        (
            "polnear",
            [
                r if cfg.polnear_types or r["origin"] != "derived" else {**r, "attribution": None}
                for r in load_polnear_records(data / "polnear-train.jsonl")
                if r["doc_id"] not in taken
            ],
            cfg.polnear_max,
            lambda r: r["attribution"] in RARE,
        ),
        (
            "szeged",
            list(load_szeged(data / "szeged-wiki.jsonl")),
            cfg.szeged_max,
            lambda r: r["certainty"] != "certain",
        ),
        ("pei", list(load_pei(data / "pei-jurgens-train.jsonl")), cfg.pei_max, lambda r: False),
    ]
    for _, rows, cap, keep in corpora:
        by_split: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
        for r in rows:
            by_split[split_of(r["doc_id"], cfg)].append(r)
        # Only training is capped; validation and test keep the corpus's natural distribution.
        splits["train"] += _cap(by_split["train"], cap, keep, rng)
        splits["validation"] += by_split["validation"]
        splits["test"] += by_split["test"]
    if cfg.generated or cfg.generated_eval:
        from training.generate import generate

        prev: dict[str, str] = {}
        gen = [(cfg.generated, cfg.seed, "train"), (cfg.generated_eval, cfg.seed + 1, "validation")]
        for n, seed, split in gen:
            splits[split] += [labelled_record(r, "generated", "generated", prev) for r in generate(n, seed)]
    if cfg.handwritten and HANDWRITTEN_PATH.is_file():
        splits["train"] += list(load_labelled(HANDWRITTEN_PATH, "handwritten", "gold"))
    gold = Path(cfg.gold_path)
    if gold.is_file():
        splits["test"] += list(load_labelled(gold, "gold", "gold"))
    return splits


def build_datasets(cfg: DataConfig | None = None, use_cache: bool = True) -> DatasetDict:
    """The DatasetDict (SPLIT_NAMES), cached on disk under a hash of the config."""
    cfg = cfg or DataConfig()
    cache = Path(cfg.cache_dir) / cfg.key()
    if use_cache and cache.is_dir():
        return load_from_disk(str(cache))
    splits = build_records(cfg)
    dd = DatasetDict(
        {
            # from_list cannot type an empty list; an empty split keeps the columns all the same.
            name: Dataset.from_list(rows, features=FEATURES)
            if rows
            else Dataset.from_dict({key: [] for key in FEATURES}, features=FEATURES)
            for name, rows in splits.items()
        }
    )
    if use_cache:
        dd.save_to_disk(str(cache))
        (cache / "split_sizes.json").write_text(json.dumps({k: len(v) for k, v in dd.items()}, indent=2))
    return dd


def realnews_group(doc_id: str) -> str:
    """`realnews:polnear:nyt_2016-...` -> `polnear/nyt`; `realnews:reuters21578:...` -> `reuters21578`."""
    _, corpus, doc = doc_id.split(":", 2)
    if corpus == "polnear":
        return f"polnear/{doc.split('_', 1)[0]}"
    if corpus == "gum_wikinews":
        return "gum/" + ("interview" if doc.startswith("GUM_interview") else "news")
    return corpus


def stats(dd: DatasetDict) -> str:
    """Counts per split, corpus, origin and label, as plain-text tables."""
    lines: list[str] = []
    for split, ds in dd.items():
        if len(ds) == 0:
            lines.append(f"== {split}: 0 sentences")
            continue
        rows = ds.select_columns(["corpus", "origin", "attribution", "certainty"]).to_list()
        lines.append(f"== {split}: {len(rows)} sentences")
        for field in ("corpus", "origin", "attribution", "certainty"):
            counts = Counter(str(r[field]) for r in rows)
            lines.append(f"  {field:<12} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        real = ds.select_columns(["doc_id"]).to_list() if "realnews" in {r["corpus"] for r in rows} else []
        if real:
            sources = Counter(
                realnews_group(r["doc_id"]) for r in real if r["doc_id"].startswith("realnews:")
            )
            docs = Counter(
                realnews_group(d) for d in {r["doc_id"] for r in real if r["doc_id"].startswith("realnews:")}
            )
            lines.append(
                f"  real-news    {sum(docs.values())} articles, {sum(sources.values())} sentences: "
                + ", ".join(f"{g} {docs[g]}/{n}" for g, n in sorted(sources.items()))
                + " (articles/sentences)"
            )
        by = Counter((r["corpus"], str(r["attribution"]), r["origin"]) for r in rows if r["attribution"])
        lines.append("  attribution by corpus (origin):")
        for (corpus, label, origin), n in sorted(by.items()):
            lines.append(f"    {corpus:<10} {label:<13} {origin:<9} {n}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=DataConfig.data_dir)
    parser.add_argument("--stats", action="store_true", help="print counts per label, corpus, split, origin")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    dd = build_datasets(DataConfig(data_dir=args.data_dir), use_cache=not args.no_cache)
    print(stats(dd) if args.stats else dd)


if __name__ == "__main__":
    main()
