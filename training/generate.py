"""Seeded generator of labelled news sentences (LABELS.md JSONL records): the sampling recipe.

Real corpora hold few anonymous, relayed or hearsay attributions, few two-hop chains and few
speculative claims, so this recipe draws labels with DEFAULT_WEIGHTS and realises each pair with
a template of `training/grammar.py`.

    python -m training.generate --n 5000 --seed 0 --out generated.jsonl
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, CERTAINTY_SCORE_BANDS
from attrib.records import write_records
from training.grammar import TEMPLATES, Builder, Context, Lexicons, NoFit, eligible, load_lexicons

__all__ = ["DEFAULT_WEIGHTS", "SCORE_BANDS", "TEMPLATES", "Lexicons", "generate", "load_lexicons", "main"]

SCORE_BANDS: dict[str, tuple[float, float]] = {
    "certain": (0.85, 1.0),
    "hedged": (0.5, 0.75),
    "speculative": (0.1, 0.4),
}
# Rare classes get more mass than they have in news text: the real corpora supply the rest.
DEFAULT_WEIGHTS: dict[str, float] = {
    "on_record": 0.16,
    "according_to": 0.22,
    "anonymous": 0.22,
    "reportedly": 0.20,
    "none": 0.20,
    "certain": 0.30,
    "hedged": 0.30,
    "speculative": 0.40,
}
assert set(SCORE_BANDS) == set(CERTAINTY_LABELS)
# Sampled scores lie inside each class's band of the guideline.
assert all(
    CERTAINTY_SCORE_BANDS[c][0] <= lo <= hi <= CERTAINTY_SCORE_BANDS[c][1]
    for c, (lo, hi) in SCORE_BANDS.items()
)
assert set(DEFAULT_WEIGHTS) == set(ATTRIBUTION_LABELS) | set(CERTAINTY_LABELS)


# --------------------------------------------------------------------------- sampling


def _resolve_weights(weights: Mapping[str, float] | None) -> tuple[list[float], list[float]]:
    merged = dict(DEFAULT_WEIGHTS)
    for label, weight in (weights or {}).items():
        if label not in merged:
            raise ValueError(f"unknown label {label!r} in weights; expected one of {sorted(merged)}")
        if weight < 0:
            raise ValueError(f"weight of {label!r} must be >= 0, got {weight}")
        merged[label] = float(weight)
    attribution = [merged[label] for label in ATTRIBUTION_LABELS]
    certainty = [merged[label] for label in CERTAINTY_LABELS]
    if sum(attribution) <= 0 or sum(certainty) <= 0:
        raise ValueError("weights must leave at least one attribution and one certainty label")
    return attribution, certainty


_TRIES = 50


def _sentence(rng: random.Random, lex: Lexicons, attribution: str, certainty: str) -> Context | None:
    templates, weights = eligible(attribution, certainty)
    if not templates:
        return None
    for _ in range(_TRIES):
        template = rng.choices(templates, weights)[0]
        ctx = Context(rng, lex, attribution, certainty, Builder(capitalise=rng.random() > 0.03))
        try:
            template.build(ctx)
        except NoFit:
            continue
        if ctx.b.certainty != certainty:
            raise AssertionError(f"template {template.name} produced {ctx.b.certainty}, not {certainty}")
        return ctx
    return None


def generate(n: int, seed: int = 0, weights: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """`n` labelled sentences; the same seed gives the same records.

    Each sentence is its own document. The seed is part of the doc_id (`gen-s0-000042`) so that
    batches drawn with different seeds (train and validation) never share a document.

    `weights` maps attribution and certainty label names to sampling weights (the two heads are
    drawn independently); labels left out keep DEFAULT_WEIGHTS, a weight of 0 excludes a label.
    """
    attribution_weights, certainty_weights = _resolve_weights(weights)
    lex = load_lexicons()
    rng = random.Random(seed)
    records = []
    for index in range(n):
        for _ in range(_TRIES):
            attribution = rng.choices(ATTRIBUTION_LABELS, attribution_weights)[0]
            certainty = rng.choices(CERTAINTY_LABELS, certainty_weights)[0]
            ctx = _sentence(rng, lex, attribution, certainty)
            if ctx is not None:
                break
        else:
            raise RuntimeError("no template can realise the requested label weights")
        records.append(_record(ctx, f"gen-s{seed}-{index:06d}"))
    return records


def _record(ctx: Context, doc_id: str) -> dict[str, Any]:
    b = ctx.b
    low, high = SCORE_BANDS[b.certainty]
    return {
        "text": b.text,
        "attribution": ctx.attribution,
        "certainty": b.certainty,
        "certainty_score": round(ctx.rng.uniform(low, high), 3),
        "source_char_spans": sorted(b.spans["source"]),
        "cue_char_spans": sorted(b.spans["cue"]),
        "hedge_char_spans": sorted(b.spans["hedge"]),
        "chain": b.chain,
        "doc_id": doc_id,
        "sent_idx": 0,
        "corpus": "generated",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write generated training sentences as LABELS.md JSONL.")
    parser.add_argument("--n", type=int, default=5000, help="number of sentences (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    args = parser.parse_args(argv)
    records = generate(args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_records(args.out, records)
    print(f"wrote {len(records)} records to {args.out}")
    for head, labels in (("attribution", ATTRIBUTION_LABELS), ("certainty", CERTAINTY_LABELS)):
        counts = Counter(r[head] for r in records)
        print(f"{head:12s} " + "  ".join(f"{label} {counts[label]}" for label in labels))
    print(f"{'chains':12s} {sum(1 for r in records if r['chain'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
