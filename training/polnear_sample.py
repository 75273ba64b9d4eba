"""Draw the PolNeAR hand-label sample (a reference for the rule-derived attribution type).

Deterministic (seed 13), stratified by the corpus ``attribution`` value:
150 ``null`` (named/unnamed source, type not recorded), 50 ``hearsay``,
25 ``according_to``, 15 ``none``.  Writes ``training/polnear_handlabels.jsonl`` with
keys ``doc_id, sent_idx, text, polnear_attribution, source, cue, context, label, note``;
``context`` is the two previous sentences of the same document joined by a space.

The labels themselves are filled in by hand afterwards (LABELS.md, section 1 and 2b);
running this script again with ``--force`` would overwrite them, so by default it refuses
to touch an existing file.

Usage: python -m training.polnear_sample [--data ../shared/data] [--out PATH] [--force]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 13
STRATA = [(None, 150), ("hearsay", 50), ("according_to", 25), ("none", 15)]
HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
DEFAULT_OUT = HERE / "polnear_handlabels.jsonl"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample(rows: list[dict], seed: int = SEED) -> list[dict]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_doc[r["doc_id"]].append(r)
    for sents in by_doc.values():
        sents.sort(key=lambda r: r["sent_idx"])
    pos = {(r["doc_id"], r["sent_idx"]): i for sents in by_doc.values() for i, r in enumerate(sents)}

    rng = random.Random(seed)
    picked: list[dict] = []
    for value, n in STRATA:
        # candidates in a canonical order so the draw does not depend on file order
        pool = sorted(
            (r for r in rows if r.get("attribution") == value), key=lambda r: (r["doc_id"], r["sent_idx"])
        )
        picked.extend(rng.sample(pool, n))
    rng.shuffle(picked)  # mix strata so labelling batches are not grouped by corpus value

    out = []
    for r in picked:
        sents = by_doc[r["doc_id"]]
        i = pos[(r["doc_id"], r["sent_idx"])]
        context = " ".join(s["text"] for s in sents[max(0, i - 2) : i])
        out.append(
            {
                "doc_id": r["doc_id"],
                "sent_idx": r["sent_idx"],
                "text": r["text"],
                "polnear_attribution": r.get("attribution"),
                "source": r.get("source"),
                "cue": r.get("cue"),
                "context": context,
                "label": None,
                "note": "",
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--force", action="store_true", help="overwrite an existing (labelled) file")
    args = ap.parse_args(argv)
    if args.out.exists() and not args.force:
        print(f"{args.out} exists (it holds hand labels); use --force to overwrite", file=sys.stderr)
        return 1
    rows = sample(load(args.data / "polnear-train.jsonl"))
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} sentences to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
