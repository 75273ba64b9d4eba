"""Build the hand-written TRAINING sentences (hard and rare cases) from their markup source.

Reads training/handwritten/train_source.txt, written in the gold set's markup and conventions
(see the header of training/gold/gold_source.txt), parses and validates it with the gold
set's own parser (training/gold/build_gold.py) and writes training/handwritten/train.jsonl
with the same keys as gold.jsonl. Doc ids must start with `hw-`. Any sentence whose text also
appears in the gold evaluation set (compared case- and whitespace-insensitively) is refused,
and so is a sentence repeated within this set.

Run from the repository root: python training/handwritten/build_handwritten.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make `training` importable
    sys.path.insert(0, str(ROOT))

from training.gold.build_gold import BEATS, GoldError, parse_source, print_counts, write_jsonl  # noqa: E402

HW_DIR = ROOT / "training" / "handwritten"
SOURCE = HW_DIR / "train_source.txt"
OUT = HW_DIR / "train.jsonl"
GOLD = ROOT / "training" / "gold" / "gold.jsonl"
DOC_PREFIX = "hw-"
HW_BEATS = (*BEATS, "culture", "education")


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def gold_texts(path: Path = GOLD) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {normalise(json.loads(line)["text"]) for line in fh if line.strip()}


def check_records(records: list[dict[str, Any]], gold: set[str]) -> None:
    """Doc ids carry the prefix; no text is shared with the gold set or repeated here."""
    seen: dict[str, str] = {}
    for rec in records:
        where = f"{SOURCE.name} {rec['doc_id']} sentence {rec['sent_idx']}"
        if not rec["doc_id"].startswith(DOC_PREFIX):
            raise GoldError(f"{where}: doc_id must start with {DOC_PREFIX!r}")
        key = normalise(rec["text"])
        if key in gold:
            raise GoldError(f"{where}: sentence also in the gold evaluation set: {rec['text']!r}")
        if key in seen:
            raise GoldError(f"{where}: sentence repeats {seen[key]}: {rec['text']!r}")
        seen[key] = where


def main() -> int:
    try:
        lines = SOURCE.read_text(encoding="utf-8").splitlines()
        records = parse_source(lines, beats=HW_BEATS, name=SOURCE.name)
        check_records(records, gold_texts())
    except ValueError as exc:  # GoldError, RecordError, or a malformed score
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_jsonl(OUT, records)
    print_counts(records)
    hops = Counter(len(r["chain"]) for r in records if r["chain"])
    print(
        f"chains: {sum(hops.values())} (" + ", ".join(f"{n} hops: {c}" for n, c in sorted(hops.items())) + ")"
    )
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
