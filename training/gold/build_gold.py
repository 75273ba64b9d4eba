"""Build the hand-written gold evaluation set from its markup source (dev/test only, never train on it).

Reads training/gold/gold_source.txt (format documented at its top), strips the span markers so
character offsets are exact by construction, validates every record and writes
training/gold/gold.jsonl plus the seed article alone to seeds/korea-arms-ukraine.gold.jsonl.

Run from the repository root: python training/gold/build_gold.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.records import validate_record

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "training" / "gold"
SOURCE = GOLD_DIR / "gold_source.txt"
OUT = GOLD_DIR / "gold.jsonl"
SEED_TEXTS = GOLD_DIR / "seed_sentences.jsonl"
SEED_OUT = ROOT / "seeds" / "korea-arms-ukraine.gold.jsonl"
SEED_DOC = "seed-korea-arms-ukraine"

BEATS = (
    "politics",
    "business",
    "science",
    "health",
    "crime",
    "sport",
    "technology",
    "international",
    "local",
    "environment",
)
# Score bands per certainty class: the class and the score must tell the same story.
SCORE_BANDS = {"certain": (0.85, 1.0), "hedged": (0.45, 0.8), "speculative": (0.0, 0.45)}
KIND_KEYS = {"S": "source_char_spans", "C": "cue_char_spans", "H": "hedge_char_spans"}
MARK = re.compile(r"\[([^\[\]{}]+)\]\{([SCH]+)\}")
HEADER = re.compile(r"^## (\S+) \| (\S+)$")
KEYS = (
    "text",
    "attribution",
    "certainty",
    "certainty_score",
    "source_char_spans",
    "cue_char_spans",
    "hedge_char_spans",
    "chain",
    "doc_id",
    "sent_idx",
    "beat",
)


class GoldError(ValueError):
    """A malformed or inconsistent line of the markup source; the message names the line."""


def strip_marks(marked: str, where: str) -> tuple[str, dict[str, list[list[int]]]]:
    """Remove `[text]{KINDS}` markers; return the clean text and its spans by output key."""
    spans: dict[str, list[list[int]]] = {key: [] for key in KIND_KEYS.values()}
    pieces: list[str] = []
    last = pos = 0
    for m in MARK.finditer(marked):
        inner, kinds = m.group(1), m.group(2)
        if inner != inner.strip() or len(set(kinds)) != len(kinds) or {"S", "C"} <= set(kinds):
            raise GoldError(f"{where}: bad span marker {m.group(0)!r}")
        pieces.append(marked[last : m.start()])
        pos += m.start() - last
        for kind in kinds:
            spans[KIND_KEYS[kind]].append([pos, pos + len(inner)])
        pieces.append(inner)
        pos += len(inner)
        last = m.end()
    pieces.append(marked[last:])
    text = "".join(pieces)
    if any(ch in text for ch in "[]{}|\n") or text != text.strip() or not text:
        raise GoldError(f"{where}: markup left in the text or stray whitespace: {text!r}")
    return text, {key: sorted(value) for key, value in spans.items()}


def parse_chain(raw: str, text: str, where: str) -> list[dict[str, str]]:
    """`type:source > type:source` (outer to inner) to a list of hops; one hop or none is []."""
    if not raw:
        return []
    chain = []
    for hop in raw.split(" > "):
        kind, _, source = hop.partition(":")
        if kind not in ATTRIBUTION_LABELS or kind == "none" or (source and source not in text):
            raise GoldError(f"{where}: bad chain hop {hop!r}")
        chain.append({"type": kind, "source": source})
    if len(chain) < 2:
        raise GoldError(f"{where}: a chain needs two hops or more, got {raw!r}")
    return chain


def check_consistency(rec: dict[str, Any], where: str) -> None:
    """Conventions of this set: spans are the evidence for the labels (see the source header)."""
    attribution, certainty = rec["attribution"], rec["certainty"]
    sources, cues, hedges = rec["source_char_spans"], rec["cue_char_spans"], rec["hedge_char_spans"]
    low, high = SCORE_BANDS[certainty]
    problems = [
        (not low <= rec["certainty_score"] <= high, f"score outside the {certainty} band {low}-{high}"),
        (attribution == "none" and bool(sources or cues), "attribution none with source or cue spans"),
        (attribution == "reportedly" and bool(sources), "reportedly with a source span"),
        (attribution == "reportedly" and not cues, "reportedly without a cue span"),
        (certainty == "certain" and bool(hedges), "certain with a hedge span"),
        (certainty == "hedged" and not hedges, "hedged without a hedge span"),
        (certainty == "speculative" and not hedges and "?" not in rec["text"], "speculative, no hedge"),
        (bool(rec["chain"]) and rec["chain"][-1]["type"] != attribution, "chain's inner hop != label"),
    ]
    for failed, message in problems:
        if failed:
            raise GoldError(f"{where}: {message}")


def parse_source(
    lines: list[str], *, beats: tuple[str, ...] = BEATS, name: str = SOURCE.name
) -> list[dict[str, Any]]:
    """Parse markup lines into validated records; `beats` and `name` let other sets reuse it."""
    records: list[dict[str, Any]] = []
    doc_id, beat, seen_docs = "", "", set()
    for lineno, line in enumerate(lines, start=1):
        where = f"{name} line {lineno}"
        if not line.strip() or (line.startswith("#") and not line.startswith("## ")):
            continue
        header = HEADER.match(line)
        if header:
            doc_id, beat = header.groups()
            if doc_id in seen_docs or beat not in beats:
                raise GoldError(f"{where}: duplicate doc_id or unknown beat in {line!r}")
            seen_docs.add(doc_id)
            continue
        if not doc_id:
            raise GoldError(f"{where}: sentence before the first `## doc_id | beat` header")
        head, _, rest = line.partition(" | ")
        marked, _, raw_chain = rest.partition(" | ")
        fields = head.split()
        if len(fields) != 3 or fields[0] not in ATTRIBUTION_LABELS or fields[1] not in CERTAINTY_LABELS:
            raise GoldError(f"{where}: expected `ATTRIBUTION CERTAINTY SCORE | text`, got {head!r}")
        text, spans = strip_marks(marked, where)
        rec: dict[str, Any] = {
            "text": text,
            "attribution": fields[0],
            "certainty": fields[1],
            "certainty_score": float(fields[2]),
            **spans,
            "chain": parse_chain(raw_chain.strip(), text, where),
            "doc_id": doc_id,
            "sent_idx": sum(r["doc_id"] == doc_id for r in records),
            "beat": beat,
        }
        check_consistency(rec, where)
        validate_record(rec, where)
        records.append(rec)
    return records


def check_seed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seed article must reproduce the given sentences byte for byte, in order."""
    seed = [r for r in records if r["doc_id"] == SEED_DOC]
    with SEED_TEXTS.open(encoding="utf-8") as fh:
        expected = [json.loads(line) for line in fh if line.strip()]
    got = [(r["text"], r["sent_idx"]) for r in seed]
    if got != [(e["text"], e["sent_idx"]) for e in expected]:
        raise GoldError(f"seed article {SEED_DOC} does not match {SEED_TEXTS.name}")
    return seed


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps({key: rec[key] for key in KEYS}, ensure_ascii=False) + "\n")


def print_counts(records: list[dict[str, Any]]) -> None:
    for key in ("attribution", "certainty", "beat"):
        counts = Counter(r[key] for r in records)
        print(f"{key}: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
    print(f"documents: {len({r['doc_id'] for r in records})}, sentences: {len(records)}")


def main() -> int:
    try:
        records = parse_source(SOURCE.read_text(encoding="utf-8").splitlines())
        seed = check_seed(records)
    except ValueError as exc:  # GoldError, RecordError, or a malformed score
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_jsonl(OUT, records)
    write_jsonl(SEED_OUT, seed)
    print_counts(records)
    print(f"wrote {OUT.relative_to(ROOT)} and {SEED_OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
