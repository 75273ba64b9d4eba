"""Validate the sourcing score against blind article-level ratings (training/ratings/).

    python -m training.ratings                 # dev articles: score and components vs ratings
    python -m training.ratings --split test    # the 30 held-out articles: read once per score

Each rated article is rebuilt from its corpus sentences (one a line), analysed with the
shipped model (or --model / --predictor baseline), and its profile score and every component's
value are compared with the mean of the two ratings (Spearman). The raters' own agreement is
reported beside it: the score cannot be expected to agree with them better than they agree.

    python -m training.ratings --predictor gold   # the profile of our real-news gold labels

`--predictor gold` scores every rated article from its real-news annotations (all rated articles
are annotated) instead of a model's labels: it separates what the formula misses from what the
model gets wrong.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from attrib.analysis import analyze, load_predictor
from attrib.compare import given_result
from attrib.predictor import Predictor
from attrib.profile import Profile, build_profile
from attrib.records import RecordError
from attrib.result import ArticleSentence
from training.realnews import LABELS_PATH, SPLITS_PATH, load_realnews, read_corpus

HERE = Path(__file__).resolve().parent
RATINGS_PATH = HERE / "ratings" / "ratings.jsonl"


def read_ratings(path: Path = RATINGS_PATH, split: str = "dev") -> dict[tuple[str, str], dict[str, int]]:
    """(corpus, doc_id) -> {rater: rating} for one split."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            if r["split"] == split:
                out[(r["corpus"], r["doc_id"])][r["rater"]] = int(r["rating"])
    return dict(out)


def article_texts(data_dir: str | Path, docs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Each article's sentences from its corpus, in order, one a line."""
    by_corpus: dict[str, set[str]] = defaultdict(set)
    for corpus, doc in docs:
        by_corpus[corpus].add(doc)
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for corpus, wanted in by_corpus.items():
        rows = read_corpus(data_dir, corpus, wanted)
        for (doc, _), row in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            texts[(corpus, doc)].append(row["text"])
    return {k: "\n".join(v) for k, v in texts.items()}


def gold_profiles(
    data_dir: str | Path,
    docs: Iterable[tuple[str, str]],
    labels_path: str | Path = LABELS_PATH,
    splits_path: str | Path = SPLITS_PATH,
) -> dict[tuple[str, str], Profile]:
    """Each article's profile built from our real-news gold labels, spans and chains."""
    by_doc: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in load_realnews(data_dir, labels_path, splits_path):
        by_doc[(r["corpus"], r["doc_id"].split(":", 1)[1])].append(r)
    out = {}
    for doc in docs:
        if doc not in by_doc:
            raise RecordError(f"rated article {doc[0]}:{doc[1]} has no real-news labels")
        ordered = sorted(by_doc[doc], key=lambda x: x["sent_idx"])
        sentences = [
            ArticleSentence(i, 0, len(r["text"]), given_result(r, f"{doc[0]}:{doc[1]}#{r['sent_idx']}"))
            for i, r in enumerate(ordered)
        ]
        out[doc] = build_profile(sentences)
    return out


def validate(
    ratings: dict[tuple[str, str], dict[str, int]],
    texts: dict[tuple[str, str], str],
    predictor: Predictor | None,
    profiles: dict[tuple[str, str], Profile] | None = None,
) -> dict[str, Any]:
    """Spearman of the score and of each component with the mean rating; the raters' agreement.
    The profiles come from `predictor` on `texts`, or are given (`gold_profiles`)."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    docs = sorted(ratings)
    mean = [sum(ratings[d].values()) / len(ratings[d]) for d in docs]
    if profiles is None:
        assert predictor is not None
        profiles = {d: analyze(texts[d], predictor).profile for d in docs}
    ordered = [profiles[d] for d in docs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant component has no correlation: reported as None
        score_rho = spearmanr([p.score for p in ordered], mean)[0]
        components = {}
        for c in ordered[0].components[1:] if ordered else ():
            values = [next(x.value for x in p.components if x.name == c.name) for p in ordered]
            rho = spearmanr(values, mean)[0]
            components[c.name] = None if rho != rho else float(rho)  # NaN: constant values
    raters = sorted({r for v in ratings.values() for r in v})
    both = [d for d in docs if all(r in ratings[d] for r in raters[:2])]
    a = [ratings[d][raters[0]] for d in both]
    b = [ratings[d][raters[1]] for d in both] if len(raters) > 1 else a
    return {
        "articles": len(docs),
        "score_spearman": float(score_rho),
        "components_spearman": components,
        "raters_weighted_kappa": float(cohen_kappa_score(a, b, weights="quadratic")),
        "raters_spearman": float(spearmanr(a, b)[0]),
        "mean_score": sum(p.score for p in ordered) / max(1, len(ordered)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--split", default="dev", choices=("dev", "test"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--predictor", choices=("model", "baseline", "gold"), default="model")
    args = parser.parse_args()
    ratings = read_ratings(split=args.split)
    if args.predictor == "gold":
        print(json.dumps(validate(ratings, {}, None, gold_profiles(args.data_dir, ratings)), indent=2))
        return
    texts = article_texts(args.data_dir, ratings)
    predictor = load_predictor("baseline" if args.predictor == "baseline" else args.model)
    print(json.dumps(validate(ratings, texts, predictor), indent=2))


if __name__ == "__main__":
    main()
