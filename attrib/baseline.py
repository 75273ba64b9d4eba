"""The transparent lexicon baseline: cue, source, hearsay and hedge lexicons plus a few clause rules.

Pure Python + `re`. It stays in the product as the comparison point for the fine-tuned model and
as the fallback where no model is shipped, so every decision is traceable to a lexicon entry
(attrib/lexicons) or to one of the rules below (LABELS.md numbers in brackets).

1. Hearsay markers ("reportedly", "according to reports"), prefix cues ("according to X",
   "as quoted by X") and verb cues ("X said", '..." said X') are matched. Matches inside a
   relative (", which ...") or concessive ("although ...") clause, or in an adverbial clause
   ("when he says"), are dropped [2b.1, 2b.6].
2. Each cue is bound to a source phrase: the noun phrase after a prefix cue, the subject before
   a verb cue (past auxiliaries, adverbs and a parenthetical between commas), or the phrase
   after an inverted verb cue. A cue with no source phrase is dropped; a passive ("was told")
   is not a cue.
3. Sourced hops are ordered outer -> inner: a cue with more of the sentence before it than after
   it ("..., according to X") scopes over what precedes it and is outer; the others scope
   forward ("X reported that Y said ...") in reading order. The innermost hop labels the
   sentence with ATTRIBUTION_OF_KIND[source_kind(source)] [1]; an "on condition of anonymity"
   clause makes a named-looking speaker anonymous [2b.2].
4. No sourced hop: a hearsay marker gives `reportedly` [2b.4]; a sentence inside a quotation
   takes the previous sentence's source [2b.5]; otherwise `none`. A chain is recorded only
   for two hops or more, unexplained hearsay being the outermost one [4].
5. Certainty: the least certain hedge wins [2b.7], leaving out hedges in relative, concessive
   and causal clauses, in source phrases and in `not_hedges` phrases [2b.6].

Scores are a documented mapping, not calibrated probabilities: see CERTAINTY_SCORE and
CONFIDENCE.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, least_certain, score_fits
from attrib.predictor import BasePredictor
from attrib.result import Hop, SentenceResult, Span
from attrib.sources import ATTRIBUTION_OF_KIND, source_kind, word_list

# Certainty score of each class; every hedge beyond the first lowers it by STACK_PENALTY
# (stacked hedges read less certain), but never below the class's floor, so the score stays
# ordered with the class.
CERTAINTY_SCORE: dict[str, float] = {"certain": 0.95, "hedged": 0.6, "speculative": 0.3}
CERTAINTY_FLOOR: dict[str, float] = {"certain": 0.95, "hedged": 0.45, "speculative": 0.1}
STACK_PENALTY = 0.05
# Probability put on the chosen label; the rest is spread evenly over the other labels.
CONFIDENCE = 0.8
assert all(score_fits(c, s) for c, s in CERTAINTY_SCORE.items())
assert all(score_fits(c, s) for c, s in CERTAINTY_FLOOR.items())

_WORD = re.compile(r"\w[\w'’.&-]*")
_TAIL_WORD = re.compile(r"(\w[\w'’-]*)\s*$")
# What may precede an opening straight quote ("" is the start of the text).
_OPENS_QUOTE = ("", " ", "\n", "\t", "(", "[", "—", "-")
_QUOTE = re.compile(r"“|”|\"|''|``")
_SPLIT_PUNCT = ',;:()[]“”"—–'
_STOP_PUNCT = ',;:!?()[]“”"—–'


# ----------------------------------------------------------------------------- lexicons


def _json(name: str) -> dict[str, Any]:
    text = resources.files("attrib").joinpath("lexicons", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _phrase_regex(phrase: str, be: str) -> str:
    """Regex for one lexicon phrase: `{be}` any form of be, `*` one optional word, `[a|b]`
    required right context outside the match."""
    body, _, ahead = phrase.partition("[")
    parts: list[str] = []
    optional = ""
    for tok in body.split():
        if tok == "*":
            optional += r"(?:\w[\w'’-]*\s+)?"
            continue
        # Either apostrophe matches either: news text mixes "it's" and "it’s".
        piece = be if tok == "{be}" else re.sub("['’]", "['’]", re.escape(tok))
        parts.append(optional + piece)
        optional = ""
    regex = r"\s+".join(parts)
    if ahead:
        words = "|".join(re.escape(w) for w in ahead.rstrip("] ").split("|"))
        regex += rf"(?=\s+(?:{words})(?!\w))"
    return regex


def _compile(phrases: Iterable[str], be: str, before: str = r"(?<!\w)") -> re.Pattern[str]:
    # Longest first: the regex alternation takes the first alternative that matches.
    alts = sorted({_phrase_regex(p, be) for p in phrases}, key=len, reverse=True)
    return re.compile(rf"{before}(?:{'|'.join(alts)})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Lexicons:
    verb_cues: re.Pattern[str]
    participles: re.Pattern[str]
    prefix_cues: re.Pattern[str]
    hearsay: tuple[tuple[re.Pattern[str], str], ...]
    hedges: tuple[tuple[re.Pattern[str], str], ...]
    not_hedges: re.Pattern[str]
    anonymity: re.Pattern[str]
    subordinate: re.Pattern[str]
    causal: re.Pattern[str]
    clause_opener: re.Pattern[str]
    conjunction: re.Pattern[str]
    skip: frozenset[str]
    invertible: frozenset[str]
    relative: frozenset[str]
    adverbial: frozenset[str]
    prepositions: frozenset[str]
    determiners: frozenset[str]
    inner_prefixes: frozenset[str]
    be: frozenset[str]
    finite: frozenset[str]
    discourse: frozenset[str]
    np_stop: frozenset[str]
    np_end: frozenset[str]
    abbreviations: frozenset[str]


@lru_cache(maxsize=1)
def _lexicons() -> _Lexicons:
    """Load and compile every lexicon once per process."""
    g = _json("grammar.json")
    be = "(?:" + "|".join(g["be"]) + ")"

    def classes(name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
        data = _json(name)
        return tuple((_compile(data[c], be), c) for c in CERTAINTY_LABELS if data.get(c))

    def words(key: str) -> str:
        return "|".join(re.escape(w) for w in sorted(g[key], key=len, reverse=True))

    return _Lexicons(
        verb_cues=_compile(word_list("cue_verbs"), be),
        participles=_compile(word_list("cue_participles"), be, before=r"(?<=,\s)"),
        prefix_cues=_compile(word_list("cue_prefixes"), be),
        hearsay=classes("hearsay.json"),
        hedges=classes("hedges.json"),
        not_hedges=_compile(word_list("not_hedges"), be),
        anonymity=_compile(word_list("anonymity_clauses"), be),
        # A relative clause after a comma, or a concessive clause, up to the next clause break.
        subordinate=re.compile(
            rf"(?:,\s*(?:{words('relative')})|(?<!\w)(?:{words('concessive')}))(?!\w)[^,;:]*", re.IGNORECASE
        ),
        causal=re.compile(rf",\s*(?:{words('causal')})(?!\w)[^,;:]*", re.IGNORECASE),
        clause_opener=re.compile(rf"(?<!\w)(?:{words('clause_openers')})(?!\w)", re.IGNORECASE),
        conjunction=re.compile(rf"(?<!\w)(?:{words('conjunctions')})(?!\w)", re.IGNORECASE),
        skip=word_list("subject_skip"),
        invertible=word_list("cue_inverted"),
        relative=frozenset(g["relative"]),
        adverbial=frozenset(g["adverbial_openers"]),
        prepositions=frozenset(g["prepositions"]),
        determiners=frozenset(g["determiners"]) | word_list("unnamed_determiners"),
        inner_prefixes=frozenset(g["inner_prefixes"]),
        be=frozenset(g["be"]),
        finite=frozenset(g["finite_markers"]) | frozenset(g["be"]),
        discourse=frozenset(g["discourse"]),
        np_stop=frozenset(g["np_stop"]),
        np_end=frozenset(g["clause_openers"]) | frozenset(g["relative"]),
        abbreviations=frozenset(g["abbreviations"]),
    )


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    source: tuple[int, int]
    backward: bool  # the cue's content precedes it ("..., according to X")
    inner: bool = False  # the clause's speaker cites this source ("citing officials")


@dataclass(frozen=True)
class _Analysis:
    hops: list[Hop]  # sourced hops, outer -> inner
    sources: list[tuple[int, int]]
    cues: list[tuple[int, int]]
    marks: list[tuple[int, int]]  # hearsay markers
    subordinate: list[tuple[int, int]]  # relative and concessive clauses


def _inside(pos: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in regions)


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _longest_first(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop spans overlapping a longer one; the rest in text order."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if not _overlaps(span[:2], (k[:2] for k in kept)):
            kept.append(span)
    return sorted(kept)


def _n_words(text: str) -> int:
    return len(_WORD.findall(text))


class LexiconPredictor(BasePredictor):
    """Lexicon-and-rules predictor implementing the `Predictor` protocol (see module docstring)."""

    name = "baseline"
    thread_safe = True  # the lexicons are read-only after loading

    def __init__(self) -> None:
        self.lex = _lexicons()

    # -- public API

    def predict_batch(
        self, sentences: list[str], contexts: list[str | None], **options: Any
    ) -> list[SentenceResult]:
        """Label each sentence (`contexts`: the previous sentences); `predict` wraps this."""
        return [self._predict_one(s, c) for s, c in zip(sentences, contexts, strict=True)]

    # -- source phrases

    def _phrase_after(self, text: str, pos: int, max_words: int, strict: bool) -> tuple[int, int] | None:
        """The noun phrase starting at `pos`, up to a clause break.

        `strict` (inverted cues) rejects phrases that run past `max_words` or hold a finite verb,
        since then the words after the cue are content, not a speaker.
        """
        lex = self.lex
        start = end = -1
        for n, m in enumerate(re.finditer(r"\S+", text[pos:]), start=1):
            tok = m.group()
            word = _WORD.match(tok)
            if tok[0] in _STOP_PUNCT or not word:
                break
            w = word.group()
            bare = w.rstrip(".")
            low = bare.lower()
            if strict and (low in lex.finite or n > max_words or (n == 1 and low in lex.prepositions)):
                return None
            if low in lex.np_end or n > max_words:
                break
            if start < 0:
                start = pos + m.start()
            # A period ends the phrase unless it closes an abbreviation ("Mr.", "U.S.").
            keeps_period = w.endswith(".") and (low in lex.abbreviations or "." in bare)
            end = pos + m.start() + (len(w) if keeps_period else len(bare))
            if len(w) < len(tok) or (w.endswith(".") and not keeps_period):
                break  # trailing punctuation ("SBS," / "SBS.") closes the phrase
        if start < 0:
            return None
        return self._trim(text, start, end)

    def _trim(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Strip leading discourse words and trailing function words; None if nothing is left."""
        lex = self.lex
        while True:
            m = _WORD.match(text, start)
            if m and m.end() < end and m.group().lower() in lex.discourse:
                start = m.end()
                while start < end and not text[start].isalnum():
                    start += 1
                continue
            m = _TAIL_WORD.search(text, start, end)
            if m and m.group(1).lower() in lex.np_stop:
                end = m.start()
                while end > start and text[end - 1].isspace():
                    end -= 1
                continue
            break
        return (start, end) if end > start and _WORD.search(text, start, end) else None

    def _subject_before(self, text: str, cue: tuple[int, int]) -> tuple[tuple[int, int], bool] | None:
        """The source of a verb cue and whether it is inverted ('..." said Kim'); None if none."""
        lex = self.lex
        end = cue[0]
        while (m := _TAIL_WORD.search(text, 0, end)) and m.group(1).lower() in lex.skip:
            end = m.start()
        while end > 0 and text[end - 1].isspace():
            end -= 1
        tail = _TAIL_WORD.search(text, 0, end)
        if tail and tail.end() == end and tail.group(1).lower() in lex.be | lex.relative:
            return None  # passive ("was told") or a relative clause ("people who say")
        if end == 0 or text[end - 1] in "”\"’,:—–'":
            after = self._inverted_source(text, cue) if not self._ends_relative(text, end) else None
            if after:
                return after, True
            if end == 0 or text[end - 1] != ",":
                return None
        if text[end - 1] == ",":
            # Skip a parenthetical: "Kim, who spoke ..., said" / "Trump, during his campaign, pledged".
            end = text.rfind(",", 0, end - 1)
            if end < 0:
                return None
            # ... and an age or relative clause before it: "Shiansky, 24, who was visiting ..., told".
            while (comma := text.rfind(",", 0, end)) >= 0:
                segment = text[comma + 1 : end].strip().lower()
                if not (segment[:1].isdigit() or segment.split(" ")[0] in lex.relative):
                    break
                end = comma
        start = 0
        for i in range(end - 1, -1, -1):
            if text[i] in _SPLIT_PUNCT:
                start = i + 1
                break
        opener = ""
        for m in lex.clause_opener.finditer(text, start, end):
            start, opener = m.end(), m.group().lower()
        if opener in lex.adverbial:
            return None  # "when he says ...": the cue sits in a subordinate clause [2b.1]
        # "The meeting ended and officials said": a conjunction after a finite verb starts a clause.
        for m in lex.conjunction.finditer(text, start, end):
            before = [w.lower() for w in _WORD.findall(text[start : m.start()])]
            if any(w in lex.finite or (w.endswith("ed") and w.islower()) for w in before):
                start = m.end()
        while start < end and not text[start].isalnum():
            start += 1
        span = self._trim(text, start, end)
        return (span, False) if span and self._is_subject(text[span[0] : span[1]]) else None

    def _ends_relative(self, text: str, end: int) -> bool:
        """Whether `text[:end]` ends with a ", which/who ...," clause."""
        comma = text.rfind(",", 0, end - 1)
        first = _WORD.search(text, comma + 1, end) if comma >= 0 else None
        return first is not None and first.group().lower() in self.lex.relative

    def _inverted_source(self, text: str, cue: tuple[int, int]) -> tuple[int, int] | None:
        """The speaker after an inverted cue ('..." said Anna Berg'): a short name or determiner phrase."""
        lex = self.lex
        if " ".join(text[cue[0] : cue[1]].lower().split()) not in lex.invertible:
            return None
        span = self._phrase_after(text, cue[1], max_words=7, strict=True)
        if span is None:
            return None
        words = _WORD.findall(text[span[0] : span[1]])
        if not (words[0][0].isupper() or words[0].lower() in lex.determiners):
            return None  # "..., said profits doubled": content, not a speaker
        return None if any(w.islower() and w.endswith("ed") for w in words[1:]) else span

    def _is_subject(self, phrase: str) -> bool:
        """Reject word runs that are clauses or fragments rather than a noun phrase."""
        lex = self.lex
        words = _WORD.findall(phrase)
        lower = [w.lower() for w in words]
        if len(words) > 9 or any(w in lex.finite for w in lower):
            return False  # too long, or holds a verb ("It is fair to say")
        if lower[0] in lex.prepositions or (words[0].islower() and lower[0].endswith("ing")):
            return False  # "Among those", "stoking fears"
        # A long run with a past-tense verb is a clause: "Carson appeared on Sunday shows amid news".
        return len(words) <= 6 or not any(w.islower() and w.endswith("ed") for w in words[1:])

    # -- one sentence

    def _cues(self, text: str, blocked: list[tuple[int, int]], sub: list[tuple[int, int]]) -> list[_Cue]:
        lex = self.lex
        cues: list[_Cue] = []
        taken = list(blocked)
        for m in lex.prefix_cues.finditer(text):
            span = (m.start(), m.end())
            if _overlaps(span, taken) or _inside(m.start(), sub):
                continue
            src = self._phrase_after(text, m.end(), max_words=10, strict=False)
            if src is None:
                continue
            before, after = _n_words(text[: m.start()]), _n_words(text[src[1] :])
            inner = m.group().lower() in lex.inner_prefixes
            cues.append(_Cue(m.start(), m.end(), src, backward=before > after and not inner, inner=inner))
            taken.append(span)
        for m in lex.verb_cues.finditer(text):
            span = (m.start(), m.end())
            if _overlaps(span, taken) or _inside(m.start(), sub):
                continue
            if re.match(r"\s+by(?!\w)", text[m.end() :]):
                continue  # passive participle: "a fact first reported by X"
            found = self._subject_before(text, span)
            if found is None:
                continue
            src, inverted = found
            if _overlaps(src, taken):
                continue
            before = _n_words(text[: min(src[0], m.start())])
            after = _n_words(text[(src[1] if inverted else m.end()) :])
            cues.append(_Cue(m.start(), m.end(), src, backward=before > after))
            taken.append(span)
        return cues

    def _hedges(
        self, text: str, sub: list[tuple[int, int]], sources: list[tuple[int, int]]
    ) -> list[tuple[int, int, str]]:
        lex = self.lex
        masked = [(m.start(), m.end()) for m in lex.not_hedges.finditer(text)]
        # A causal clause (", as doing so could ...") gives a reason, not the main claim.
        sub = sub + [(m.start(), m.end()) for m in lex.causal.finditer(text)]
        found: list[tuple[int, int, str]] = []
        for pattern, cls in (*lex.hedges, *lex.hearsay):
            if cls == "certain":
                continue
            for m in pattern.finditer(text):
                if _overlaps((m.start(), m.end()), masked) or _inside(m.start(), sub):
                    continue
                if any(s <= m.start() and m.end() <= e for s, e in sources):
                    continue  # inside a source phrase: "concerned residents said"
                # A capitalised one-word hedge after a word or comma, or before a number, is a
                # name or a date ("in May", "May 5").
                prev, nxt = text[: m.start()].rstrip()[-1:], text[m.end() :].lstrip()[:1]
                if (
                    m.group()[0].isupper()
                    and " " not in m.group()
                    and (prev.isalnum() or prev == "," or nxt.isdigit())
                ):
                    continue
                found.append((m.start(), m.end(), cls))
        return _longest_first(found)

    def _analyse(self, text: str) -> _Analysis:
        """Sourced hops (outer -> inner), cue spans and hearsay marker spans of one sentence."""
        lex = self.lex
        sub = [(m.start(), m.end()) for m in lex.subordinate.finditer(text)]
        hearsay = _longest_first(
            (m.start(), m.end(), cls)
            for pattern, cls in lex.hearsay
            for m in pattern.finditer(text)
            if not _inside(m.start(), sub)
        )
        marks = [(s, e) for s, e, _ in hearsay]
        cues = self._cues(text, marks, sub)
        ordered = sorted((c for c in cues if c.backward), key=lambda c: -c.start)
        ordered += sorted((c for c in cues if not c.backward), key=lambda c: (c.inner, c.start))
        names = [text[c.source[0] : c.source[1]] for c in ordered]
        hops = [Hop(ATTRIBUTION_OF_KIND[source_kind(name)], name) for name in names]
        if hops and hops[-1].type == "on_record" and lex.anonymity.search(text):
            hops[-1] = Hop("anonymous", hops[-1].source)
        cue_spans = [(c.start, c.end) for c in cues]
        if hops:
            # "..., stating that ...": the main clause's source goes on speaking.
            cue_spans += [
                (m.start(), m.end())
                for m in lex.participles.finditer(text)
                if not _overlaps((m.start(), m.end()), cue_spans) and not _inside(m.start(), sub)
            ]
        return _Analysis(hops, [c.source for c in cues], cue_spans, marks, sub)

    @staticmethod
    def _continues_quote(text: str, context: str | None) -> bool:
        """Whether the sentence is part of a quotation opened before it or closed after it."""
        marks = _quote_marks(text)
        if marks and marks[0][0] == len(text) - len(text.lstrip()) and marks[0][1]:
            return True  # starts with an opening quote
        if marks and not any(is_open for _, is_open in marks):
            return True  # only closes a quote opened earlier ("Nothing less.''")
        prev = _quote_marks(context or "")
        return bool(prev) and prev[-1][1]

    def _predict_one(self, text: str, context: str | None) -> SentenceResult:
        found = self._analyse(text)
        hops = found.hops
        if hops:
            attribution = hops[-1].type
            # Unexplained hearsay over a sourced claim is an outer hop ("The office reportedly
            # released a statement"); a named report already is the hearsay's source.
            if found.marks and all(h.type != "according_to" for h in hops):
                hops = [Hop("reportedly", ""), *hops]
        elif found.marks:
            attribution = "reportedly"
        elif self._continues_quote(text, context):
            # A quote continuation speaks with the previous sentence's source [2b.5]. Where that
            # sentence names none, the speaker is in a sentence the baseline does not see; quoted
            # speakers are named far more often than not, hence on_record.
            hops = self._analyse(context).hops if context else []
            attribution = hops[-1].type if hops else "on_record"
        else:
            attribution = "none"
        hedges = self._hedges(text, found.subordinate, found.sources)
        certainty = least_certain([cls for *_, cls in hedges])
        stacked = STACK_PENALTY * max(len(hedges) - 1, 0)
        score = max(CERTAINTY_FLOOR[certainty], CERTAINTY_SCORE[certainty] - stacked)

        def spans(pairs: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
            return tuple(Span(s, e, text[s:e]) for s, e in sorted(set(pairs)))

        return SentenceResult(
            text=text,
            attribution=attribution,
            certainty=certainty,
            certainty_score=score,
            attribution_probs=_probs(ATTRIBUTION_LABELS, attribution),
            certainty_probs=_probs(CERTAINTY_LABELS, certainty),
            sources=spans(found.sources),
            cues=spans(found.cues + found.marks),
            hedges=spans((s, e) for s, e, _ in hedges),
            # A chain is recorded only where the claim passed through several hands [4].
            chain=tuple(hops) if len(hops) > 1 else (),
        )


def _quote_marks(text: str) -> list[tuple[int, bool]]:
    """Quotation marks of `text` as (position, opens); a straight quote opens after a space."""
    marks = []
    for m in _QUOTE.finditer(text):
        q, i = m.group(), m.start()
        marks.append((i, q in ("“", "``") or (q in ('"', "''") and text[i - 1 : i] in _OPENS_QUOTE)))
    return marks


def _probs(labels: Sequence[str], chosen: str) -> dict[str, float]:
    rest = (1.0 - CONFIDENCE) / (len(labels) - 1)
    return {label: CONFIDENCE if label == chosen else rest for label in labels}
