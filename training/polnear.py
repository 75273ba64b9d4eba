"""PolNeAR -> LABELS.md records, deriving the attribution type that the corpus does not record.

Derivation rules (measured against hand labels by `python -m training.polnear`):

1. No attribution touches the sentence -> `none` (gold).
2. PolNeAR "Attribution-no-source" (`hearsay`): a hearsay cue ("reportedly", "allegedly", "is said
   to", "is believed", "rumored", "reports", "is seen as") -> `reportedly`; otherwise it is an
   internal state or the author's own "seems" -> `none`.
3. The governing attribution is the innermost one whose cue lies in the sentence; with none there,
   the sentence is content only (a quote continuation) and takes the primary source.
4. Acts that are not speech (sued, voted, posted, donated...) and cues only in a participial
   clause after a comma with no source before them -> `none` (LABELS.md rule 1).
5. The source's kind (attrib.sources.source_kind, CoreNLP tags only as a tie-breaker) gives the
   type: person / organisation -> `on_record`, publication or document -> `according_to`,
   unnamed descriptor or bare plural -> `anonymous`. "according to" + a named person is `on_record`.
6. Pronouns: he / she / I / we / you -> `on_record`; they / it / who / which / that take the kind of
   the nearest earlier non-pronoun source in the sentence or the 3 sentences before.
7. Two or more attributions with in-sentence sources form a chain, outer to inner (an attribution
   whose content holds another's source is outer).

Source and cue spans (gold) are those of the governing attributions only, as in our gold set.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attrib.sources import ATTRIBUTION_OF_KIND, PRONOUNS, source_kind

HEARSAY = re.compile(
    r"\b(reportedly|allegedly|purportedly|supposedly|rumou?r\w*|(is|are|was|were) (said|believed|thought|"
    r"rumou?red|alleged|reported|understood|seen as|viewed as|considered)|reports?|believed|it is said|"
    r"speculat\w*|accus\w*)\b",
    re.IGNORECASE,
)
# Physical, electoral and other non-speech acts: their "source" does not vouch for a claim.
ACTS = re.compile(
    r"^(sued|suing|voted|voting|donated|posted|released|signed|filed|hired|fired|visited|met|attended|"
    r"ran|run|won|lost|paid|spent|bought|sold|gave|launched|held|cast)\b",
    re.IGNORECASE,
)
PARTICIPLE = re.compile(r"^\w+ing\b", re.IGNORECASE)
NAMED_PRONOUNS = frozenset(
    {"he", "she", "i", "we", "you", "his", "her", "him", "me", "us", "my", "our", "your"}
)


def _spans(att: dict[str, Any], key: str) -> list[list[int]]:
    return [list(s) for s in att.get(key) or []]


def _kind(source: str, ner: list[str] | None, sentence: str, history: list[str]) -> str:
    """The source's kind, resolving pronouns through the sentence and earlier sources."""
    lower = source.lower().strip()
    if lower not in PRONOUNS:
        return source_kind(source, ner)
    if lower in NAMED_PRONOUNS:
        return "person"
    if lower in ("who", "which", "that"):
        # The antecedent is the noun phrase right before the relative pronoun.
        idx = sentence.lower().find(" " + lower + " ")
        before = re.split(r"[,;:(]", sentence[: max(idx, 0)])[-2:] if idx > 0 else []
        antecedent = " ".join(" ".join(before).split()[-5:])
        if antecedent:
            return source_kind(antecedent)
    for earlier in reversed(history[-3:]):
        if earlier.lower() not in PRONOUNS:
            return source_kind(earlier)
    return "person"


def _is_subordinate(sentence: str, att: dict[str, Any]) -> bool:
    cue = (att.get("cue") or "").strip()
    if ACTS.match(cue):
        return True
    cues = _spans(att, "cue_char_spans")
    if not cues or _spans(att, "source_char_spans") or not PARTICIPLE.match(cue):
        return False
    return sentence[: cues[0][0]].rstrip().endswith(",")


def _order_outer_to_inner(atts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def holds(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return bool(b.get("source")) and (b["source"] in (a.get("content") or "")) and a is not b

    return sorted(atts, key=lambda a: -sum(holds(a, b) for b in atts))


Derived = tuple[str, list[dict[str, str]], list[dict[str, Any]]]


def derive(rec: dict[str, Any], history: list[str]) -> Derived:
    """(type, chain, governing attributions) for one sentence; `history` = earlier primary sources.

    Only the governing attributions' spans are kept, as in the gold set: a sentence labelled
    `none` has no source or cue span, and sub-clause attributions are not marked.
    """
    if not rec.get("has_attribution"):
        return "none", [], []
    text = rec["text"]
    if rec.get("attribution") == "hearsay":
        if HEARSAY.search(rec.get("cue") or ""):
            return (
                "reportedly",
                [],
                [a for a in rec.get("attributions", []) if a.get("type") != "Attribution"],
            )
        return "none", [], []
    atts = [a for a in rec.get("attributions", []) if a.get("type") == "Attribution"]
    here = [a for a in atts if _spans(a, "cue_char_spans")]
    if not here:  # content only: a continuation governed by an attribution elsewhere
        src = rec.get("source") or ""
        return (
            (ATTRIBUTION_OF_KIND[_kind(src, rec.get("source_ner"), text, history)] if src else "none"),
            [],
            [],
        )
    main = [a for a in here if not _is_subordinate(text, a)]
    if not main:
        return "none", [], []
    ordered = _order_outer_to_inner(main)
    hops = [
        {
            "type": ATTRIBUTION_OF_KIND[_kind(a.get("source") or "", None, text, history)],
            "source": a["source"],
        }
        for a in ordered
        if a.get("source")
    ]
    inner = ordered[-1]
    if not inner.get("source"):
        label = "reportedly" if HEARSAY.search(inner.get("cue") or "") else "none"
    else:
        ner = rec.get("source_ner") if inner.get("source") == rec.get("source") else None
        label = ATTRIBUTION_OF_KIND[_kind(inner["source"], ner, text, history)]
    return label, (hops if len(hops) >= 2 else []), (ordered if label != "none" else [])


def _union_spans(atts: Iterable[dict[str, Any]], key: str, taken: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for att in atts:
        for s, e in _spans(att, key):
            if all(e <= ts or s >= te for ts, te in taken + out):
                out.append([s, e])
    return sorted(out)


def load_polnear(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield LABELS.md records (plus doc_id, sent_idx, context, corpus, origin) for every sentence."""
    history: list[str] = []
    prev_doc, prev_text = None, None
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["doc_id"] != prev_doc:
                history, prev_doc, prev_text = [], rec["doc_id"], None
            label, chain, atts = derive(rec, history)
            sources = _union_spans(atts, "source_char_spans", [])
            cues = _union_spans(atts, "cue_char_spans", sources)
            yield {
                "text": rec["text"],
                "context": prev_text,
                "attribution": label,
                "certainty": None,
                "certainty_score": None,
                "source_char_spans": sources,
                "cue_char_spans": cues,
                "hedge_char_spans": None,  # PolNeAR does not annotate hedges
                "chain": chain,
                "doc_id": f"polnear:{rec['doc_id']}",
                "sent_idx": rec["sent_idx"],
                "corpus": "polnear",
                "origin": "gold" if label == "none" and not rec.get("has_attribution") else "derived",
            }
            if rec.get("source"):
                history.append(rec["source"])
            prev_text = rec["text"]


def agreement(polnear_path: str | Path, handlabels_path: str | Path) -> dict[str, Any]:
    """Agreement of the derived types with the hand labels in training/polnear_handlabels.jsonl."""
    hand = {}
    with Path(handlabels_path).open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            hand[(f"polnear:{r['doc_id']}", r["sent_idx"])] = r["label"]
    pairs = [
        (hand[(r["doc_id"], r["sent_idx"])], r["attribution"])
        for r in load_polnear(polnear_path)
        if (r["doc_id"], r["sent_idx"]) in hand
    ]
    agree = sum(h == d for h, d in pairs)
    return {"n": len(pairs), "agreement": agree / max(len(pairs), 1), "confusion": Counter(pairs)}


if __name__ == "__main__":
    import sys

    from sklearn.metrics import classification_report

    from attrib.labels import ATTRIBUTION_LABELS

    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/polnear-train.jsonl"
    res = agreement(data, Path(__file__).parent / "polnear_handlabels.jsonl")
    print(f"derived vs hand labels: {res['agreement']:.3f} agreement on {res['n']} sentences")
    y_true = [h for (h, d), c in res["confusion"].items() for _ in range(c)]
    y_pred = [d for (h, d), c in res["confusion"].items() for _ in range(c)]
    print(classification_report(y_true, y_pred, labels=list(ATTRIBUTION_LABELS), zero_division=0, digits=3))
    for (h, d), c in sorted(res["confusion"].items(), key=lambda x: -x[1]):
        if h != d:
            print(f"  hand {h:<13} derived {d:<13} x{c}")
