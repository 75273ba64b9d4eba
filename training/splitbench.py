"""Sentence-boundary benchmark: every candidate splitter side by side on gold segmentations.

    python -m training.splitbench                 # the table: P / R / F1 of boundaries, speed
    python -m training.splitbench --errors attrib # where the chosen splitter goes wrong

Gold sets:
- GUM news and GUM interviews (Wikinews, hand-segmented): each article is rebuilt from its gold
  sentences, body sentences joined by a space (one running paragraph per block of body text),
  headline, captions and other parts on lines of their own.
- Quote-rich news paragraphs (training/splitgold/quotes.jsonl): Reuters paragraphs and PolNeAR
  passages with direct quotes, their sentence boundaries and speaker turns checked by hand; the
  file holds offsets only, the text is joined from the corpora (sentences joined by a space).

A boundary is where a sentence starts (its first non-space character), the text's start aside.
On the quote set it also counts sentences that merge two speakers' turns (a predicted sentence
holding gold sentences of different speakers).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from training.realnews import read_corpus, text_hash

HERE = Path(__file__).resolve().parent
QUOTES_PATH = HERE / "splitgold" / "quotes.jsonl"
Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class GoldDoc:
    name: str
    text: str
    starts: tuple[int, ...]  # gold sentence starts, in order (the first is the text's start)
    speakers: tuple[str, ...] = ()  # per gold sentence, on the quote set


# --------------------------------------------------------------------------- gold sets


def gum_docs(data_dir: str | Path, genre: str) -> list[GoldDoc]:
    """GUM articles of `genre` ("news" / "interview") rebuilt from their gold sentences."""
    rows = read_corpus(data_dir, "gum_wikinews")
    docs: dict[str, list[dict]] = {}
    for (doc, _), r in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if r["corpus"] == f"gum_wikinews_{genre}":
            docs.setdefault(doc, []).append(r)
    out = []
    for doc, sents in docs.items():
        text, starts, prev_role = "", [], None
        for r in sents:
            if text:
                text += " " if (r["role"] == "body" and prev_role == "body") else "\n\n"
            starts.append(len(text))
            text += r["text"]
            prev_role = r["role"]
        out.append(GoldDoc(doc, text, tuple(starts)))
    return out


def quote_docs(data_dir: str | Path, path: Path = QUOTES_PATH) -> list[GoldDoc]:
    """The hand-checked quote paragraphs, joined to the corpus text and checked by hash."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_corpus: dict[str, set[str]] = {}
    for it in items:
        by_corpus.setdefault(it["corpus"], set()).add(it["doc_id"])
    texts = {c: read_corpus(data_dir, c, docs) for c, docs in by_corpus.items()}
    out = []
    for it in items:
        text = " ".join(texts[it["corpus"]][(it["doc_id"], i)]["text"] for i in it["sent_idx"])
        if text_hash(text) != it["text_sha1"]:
            raise ValueError(f"quote paragraph {it['id']}: the corpus text does not match (hash differs)")
        out.append(GoldDoc(it["id"], text, tuple(it["starts"]), tuple(it["speakers"])))
    return out


# --------------------------------------------------------------------------- candidates


def _found(text: str, pieces: Iterable[str]) -> Spans:
    """Spans of `pieces` found in order in `text` (white space may differ)."""
    spans, cursor = [], 0
    for piece in pieces:
        words = piece.split()
        if not words:
            continue
        m = re.compile(r"\s*".join(map(re.escape, words))).search(text, cursor)
        if m:
            spans.append((m.start(), m.end()))
            cursor = m.end()
    return spans


@lru_cache(maxsize=1)
def _pysbd() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)  # built once, not per article timed


def split_pysbd(text: str) -> Spans:
    seg = _pysbd()
    return [
        span
        for line in re.finditer(r"[^\n]+", text)
        for span in _shift(_found(line.group(), seg.segment(line.group())), line.start())
    ]


def split_syntok(text: str) -> Spans:
    import syntok.segmenter as segmenter

    spans = []
    for para in segmenter.analyze(text):
        for sent in para:
            tokens = list(sent)
            if tokens:
                spans.append((tokens[0].offset, tokens[-1].offset + len(tokens[-1].value)))
    return spans


def split_sentencex(text: str) -> Spans:
    import sentencex

    return _found(text, sentencex.segment("en", text))


def split_blingfire(text: str) -> Spans:
    import blingfire

    return [
        s
        for line in re.finditer(r"[^\n]+", text)
        for s in _shift(
            _found(line.group(), blingfire.text_to_sentences(line.group()).split("\n")), line.start()
        )
    ]


def split_attrib(text: str) -> Spans:
    from attrib.splitter import split_sentences

    return [(s.start, s.end) for s in split_sentences(text)]


def _shift(spans: Spans, by: int) -> Spans:
    return [(a + by, b + by) for a, b in spans]


CANDIDATES: dict[str, Callable[[str], Spans]] = {
    "attrib (news rules)": split_attrib,
    "pysbd": split_pysbd,
    "syntok": split_syntok,
    "sentencex": split_sentencex,
    "blingfire": split_blingfire,
}


# --------------------------------------------------------------------------- metrics


def boundaries(text: str, starts: Iterable[int]) -> set[int]:
    """Sentence starts moved to their first non-space character, the text's start left out."""
    out = set()
    for s in starts:
        while s < len(text) and text[s].isspace():
            s += 1
        if text[:s].strip():
            out.add(s)
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    merged_turns: int = 0
    seconds: float = 0.0
    chars: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


def merged_turns(doc: GoldDoc, spans: Spans) -> int:
    """Predicted sentences that hold gold sentences of two different speakers."""
    if not doc.speakers:
        return 0
    bad = 0
    ends = [*doc.starts[1:], len(doc.text)]
    for a, b in spans:
        inside = {
            doc.speakers[i] for i, (s, e) in enumerate(zip(doc.starts, ends, strict=True)) if s < b and e > a
        }
        bad += len(inside) > 1
    return bad


def score(splitter: Callable[[str], Spans], docs: list[GoldDoc], errors: list | None = None) -> Score:
    sc = Score()
    for doc in docs:
        t0 = time.perf_counter()
        spans = splitter(doc.text)
        sc.seconds += time.perf_counter() - t0
        sc.chars += len(doc.text)
        gold = boundaries(doc.text, doc.starts)
        pred = boundaries(doc.text, [a for a, _ in spans])
        sc.tp += len(gold & pred)
        sc.fp += len(pred - gold)
        sc.fn += len(gold - pred)
        sc.merged_turns += merged_turns(doc, spans)
        if errors is not None:
            for b in sorted(pred ^ gold):
                kind = "extra boundary" if b in pred else "missed boundary"
                errors.append((doc.name, kind, doc.text[max(0, b - 60) : b] + " ‖ " + doc.text[b : b + 50]))
    return sc


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--errors", metavar="CANDIDATE", help="list the boundary errors of one candidate")
    args = parser.parse_args()
    sets = {
        "GUM news": gum_docs(args.data_dir, "news"),
        "GUM interviews": gum_docs(args.data_dir, "interview"),
    }
    if QUOTES_PATH.is_file():
        sets["quote paragraphs"] = quote_docs(args.data_dir)
    sample = (
        (HERE.parent / "seeds" / "korea-arms-ukraine.gold.jsonl").read_text(encoding="utf-8").splitlines()
    )
    sents = [json.loads(line)["text"] for line in sample]
    article = (HERE.parent / "seeds" / "korea-arms-ukraine.txt").read_text(encoding="utf-8")
    starts, cursor = [], 0
    for s in sents:
        cursor = article.index(s, cursor)
        starts.append(cursor)
        cursor += len(s)
    sets["sample article"] = [GoldDoc("sample", article, tuple(starts))]
    if args.errors:
        errs: list = []
        for docs in sets.values():
            score(CANDIDATES[args.errors], docs, errs)
        for name, kind, context in errs:
            print(f"{name}: {kind}: {context!r}")
        return
    header = f"{'splitter':<22}" + "".join(f" | {name:^27}" for name in sets) + f" | {'chars/s':>9}"
    print(header)
    print(f"{'':<22}" + " | ".join([""] + [f"{'P':>6} {'R':>6} {'F1':>6} {'mrg':>5}" for _ in sets]) + " |")
    for cand, fn in CANDIDATES.items():
        cells, secs, chars = [], 0.0, 0
        for docs in sets.values():
            sc = score(fn, docs)
            p, r, f = sc.prf()
            cells.append(f"{p:6.3f} {r:6.3f} {f:6.3f} {sc.merged_turns if docs[0].speakers else '-':>5}")
            secs, chars = secs + sc.seconds, chars + sc.chars
        print(f"{cand:<22} | " + " | ".join(cells) + f" | {chars / secs:9,.0f}")


if __name__ == "__main__":
    main()
