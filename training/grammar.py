"""The generator's grammar: lexicons, the span-recording text builder, and the sentence templates.

The phrase lists live in ``training/lexicons/`` (formats in its README). A template composes a
sentence piece by piece and every span is recorded as it is appended, so offsets are exact by
construction. The sampling recipe that draws labels and templates is `training/generate.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any

from attrib.labels import (
    CERTAINTY_LABELS,
    CERTAINTY_RANK,
    SOURCED,
    SPAN_KINDS,
    check_attribution,
    check_certainty,
)

LEXICON_DIR = Path(__file__).with_name("lexicons")

# Certainty from most to least certain (attrib.labels); when hedges stack the least certain wins.
_RANK = CERTAINTY_RANK
_CERTAIN = CERTAINTY_LABELS[0]

_SOURCED = SOURCED  # attribution labels whose sentences name a source
_SPEAKERS = frozenset(("on_record", "anonymous"))

Piece = tuple[str, tuple[str, ...]]
_HEDGE: tuple[str, ...] = ("hedge",)


# --------------------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class Phrase:
    """A cue or hedge: singular and plural surface forms, the roles it fills, its certainty."""

    sg: str
    pl: str
    roles: frozenset[str]
    kinds: frozenset[str]
    certainty: str

    def form(self, plural: bool = False) -> str:
        return self.pl if plural else self.sg

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.sg, self.pl)


@dataclass(frozen=True)
class Source:
    text: str
    kind: str
    plural: bool = False
    pronoun: bool = False
    outlet: bool = False
    person: bool = False

    @property
    def appositive(self) -> bool:
        # "Dr. X, an epidemiologist at Y" needs a closing comma when a verb follows it.
        return ", " in self.text

    @property
    def simple(self) -> bool:
        return not self.appositive and " who " not in self.text


@dataclass(frozen=True)
class Claim:
    beat: str
    subject: str  # "@": filled with a named person
    plural: bool
    past: str
    base: str
    pp: str


@dataclass(frozen=True)
class ScalarClaim:
    beat: str
    subject: str
    before: str  # words before the partial quantifier ("was"), possibly empty
    after: str


@dataclass
class Lexicons:
    sources: dict[str, tuple[Source, ...]]
    cues: tuple[Phrase, ...]
    hearsay: tuple[Phrase, ...]
    hedges: tuple[Phrase, ...]
    claims: tuple[Claim, ...]
    scalar_claims: tuple[ScalarClaim, ...]
    conditions: dict[str, tuple[str, ...]]
    dependencies: dict[str, tuple[str, ...]]
    subordinate: dict[str, tuple[str, ...]]
    adverbials: dict[str, tuple[str, ...]]
    audiences: tuple[str, ...]
    topics: tuple[str, ...]
    acts: tuple[str, ...]
    anonymity: tuple[tuple[str, str], ...]  # singular and plural forms
    _memo: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict, repr=False)

    def _cached(self, key: tuple[Any, ...], build: Callable[[], Iterable[Any]]) -> tuple[Any, ...]:
        if key not in self._memo:
            self._memo[key] = tuple(build())
        return self._memo[key]

    def cues_for(self, role: str, kind: str | None = None) -> tuple[Phrase, ...]:
        return self._cached(
            ("cue", role, kind),
            lambda: (c for c in self.cues if role in c.roles and (kind is None or kind in c.kinds)),
        )

    def hearsay_for(self, slot: str) -> tuple[Phrase, ...]:
        return self._cached(("hearsay", slot), lambda: (c for c in self.hearsay if slot in c.roles))

    def hedges_for(self, slot: str, certainty: str) -> tuple[Phrase, ...]:
        return self._cached(
            ("hedge", slot, certainty),
            lambda: (h for h in self.hedges if slot in h.roles and h.certainty == certainty),
        )

    def sources_for(
        self,
        kind: str,
        *,
        nominative: bool = True,
        simple: bool = False,
        outlet: bool | None = None,
        person: bool | None = None,
    ) -> tuple[Source, ...]:
        # Pronouns only fit subject position ("according to he" is ungrammatical).
        return self._cached(
            ("source", kind, nominative, simple, outlet, person),
            lambda: (
                s
                for s in self.sources[kind]
                if (nominative or not s.pronoun)
                and (s.simple or not simple)
                and (outlet is None or s.outlet == outlet)
                and (person is None or s.person == person)
            ),
        )


def _rows(name: str, width: int) -> list[list[str]]:
    """The `|`-separated fields of a lexicon file, padded to `width`; `#` starts a comment."""
    path = LEXICON_DIR / name
    rows = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > width or not cells[0]:
            raise ValueError(f"{path}:{lineno}: expected 1 to {width} '|'-separated fields")
        rows.append(cells + [""] * (width - len(cells)))
    return rows


def _split(cell: str) -> frozenset[str]:
    return frozenset(part.strip() for part in cell.split(",") if part.strip())


def _phrases(name: str, with_kinds: bool) -> tuple[Phrase, ...]:
    out = []
    for row in _rows(name, 4 if with_kinds else 3):
        certainty = check_certainty(row[-1] or _CERTAIN) or _CERTAIN
        kinds = _split(row[2]) if with_kinds else frozenset()
        out.append(Phrase(*_number_forms(row[0]), _split(row[1]), kinds, certainty))
    return tuple(out)


_SOURCE_FILES = (
    ("on_record", "sources_on_record_people.txt", "person"),
    ("on_record", "sources_on_record_orgs.txt", ""),
    ("according_to", "sources_according_to_outlets.txt", "outlet"),
    ("according_to", "sources_according_to_documents.txt", ""),
    ("anonymous", "sources_anonymous.txt", ""),
)


def _by_beat(name: str) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for key, text in _rows(name, 2):
        grouped.setdefault(key, []).append(text)
    return {key: tuple(texts) for key, texts in grouped.items()}


def lexicon_lines(name: str) -> tuple[str, ...]:
    """The entries of a one-field lexicon file in training/lexicons (`#` starts a comment)."""
    return tuple(row[0] for row in _rows(name, 1))


def _number_forms(text: str) -> tuple[str, str]:
    sg, _, pl = text.partition("/")
    return sg.strip(), (pl or sg).strip()


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    sources: dict[str, list[Source]] = {}
    for kind, name, file_flag in _SOURCE_FILES:
        for text, flag_cell in _rows(name, 2):
            flags = _split(flag_cell) | {file_flag}
            sources.setdefault(kind, []).append(
                Source(text, kind, "pl" in flags, "pronoun" in flags, "outlet" in flags, "person" in flags)
            )
    claims = tuple(
        Claim(beat, subject, number == "pl", past, base, pp or past)
        for beat, subject, number, past, base, pp in _rows("claims.txt", 6)
    )
    scalar = []
    for beat, subject, predicate in _rows("claims_scalar.txt", 3):
        before, _, after = predicate.partition("*")
        scalar.append(ScalarClaim(beat, subject, before.strip(), after.strip()))
    return Lexicons(
        sources={kind: tuple(items) for kind, items in sources.items()},
        cues=_phrases("cues.txt", with_kinds=True),
        hearsay=_phrases("hearsay.txt", with_kinds=False),
        hedges=_phrases("hedges.txt", with_kinds=False),
        claims=claims,
        scalar_claims=tuple(scalar),
        conditions=_by_beat("conditions.txt"),
        dependencies=_by_beat("dependencies.txt"),
        subordinate=_by_beat("subordinate.txt"),
        adverbials=_by_beat("adverbials.txt"),
        audiences=lexicon_lines("audiences.txt"),
        topics=lexicon_lines("topics.txt"),
        acts=lexicon_lines("acts.txt"),
        anonymity=tuple(_number_forms(line) for line in lexicon_lines("anonymity.txt")),
    )


# --------------------------------------------------------------------------- text building


class NoFit(Exception):
    """The template cannot realise the requested labels with the lexicons at hand."""


class Builder:
    def __init__(self, capitalise: bool) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[str, list[list[int]]] = {kind: [] for kind in SPAN_KINDS}
        self.certainty = _CERTAIN
        self.chain: list[dict[str, str]] = []
        self._capitalise = capitalise

    def add(self, text: str, *kinds: str) -> str:
        if self._capitalise and text[:1].isalnum():
            text = text[0].upper() + text[1:]
            self._capitalise = False
        for kind in kinds:
            self.spans[kind].append([self.length, self.length + len(text)])
        self.parts.append(text)
        self.length += len(text)
        return text

    def capitalise_next(self) -> None:
        self._capitalise = True

    def soften(self, certainty: str) -> None:
        if _RANK[certainty] > _RANK[self.certainty]:
            self.certainty = certainty

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Context:
    rng: random.Random
    lex: Lexicons
    attribution: str
    certainty: str
    b: Builder


@dataclass
class _Clause:
    pre: list[Piece]
    subject: str
    pred: list[Piece]
    post: list[Piece]
    certainty: str


def _choice(rng: random.Random, seq: tuple[Any, ...] | list[Any]) -> Any:
    if not seq:
        raise NoFit
    return seq[rng.randrange(len(seq))]


def _source(ctx: Context, kind: str, **filters: Any) -> Source:
    return _choice(ctx.rng, ctx.lex.sources_for(kind, **filters))


def _kind_code(src: Source) -> str:
    return "o" if src.outlet else "d" if src.kind == "according_to" else "p"


def _add_source(ctx: Context, src: Source, *, close: bool = False, span: bool = True) -> str:
    text = ctx.b.add(src.text, *(("source",) if span else ()))
    if close and src.appositive:
        ctx.b.add(",")
    return text


def _cue(
    ctx: Context,
    role: str,
    src: Source | None = None,
    *,
    also: tuple[str, ...] = (),
    exact: bool = False,
    one_word: bool = False,
) -> Phrase:
    """A cue for `role` that does not make the sentence less certain than the target."""
    target = _RANK[ctx.certainty]
    pool = [
        c
        for c in ctx.lex.cues_for(role, _kind_code(src) if src else None)
        if c.roles.issuperset(also)
        and (_RANK[c.certainty] == target if exact else _RANK[c.certainty] <= target)
        and not (one_word and " " in c.sg)
    ]
    return _choice(ctx.rng, pool)


def _hearsay(ctx: Context, slot: str, *, exact: bool) -> Phrase:
    target = _RANK[ctx.certainty]
    pool = [
        c
        for c in ctx.lex.hearsay_for(slot)
        if (_RANK[c.certainty] == target if exact else _RANK[c.certainty] <= target)
    ]
    return _choice(ctx.rng, pool)


def _add_phrase(ctx: Context, phrase: Phrase, plural: bool = False, kind: str = "cue") -> None:
    # A softening cue ("reportedly", "hinted") is a hedge span as well as a cue span.
    kinds = (kind,) if phrase.certainty == _CERTAIN or kind == "hedge" else (kind, "hedge")
    ctx.b.add(phrase.form(plural), *kinds)
    ctx.b.soften(phrase.certainty)


def _claim_class(ctx: Context, floor: str = _CERTAIN) -> str | None:
    """The certainty the claim's own hedge must carry, given what the cues already contribute."""
    target = ctx.certainty
    if target == _CERTAIN:
        return None
    if _RANK[floor] < _RANK[target] or ctx.rng.random() < 0.3:
        return target
    return None


def _pick_claim(ctx: Context) -> tuple[Claim, str]:
    claim = _choice(ctx.rng, ctx.lex.claims)
    if claim.subject != "@":
        return claim, claim.subject
    return claim, _source(ctx, "on_record", nominative=False, simple=True, person=True).text


def _has(plural: bool) -> str:
    return "have" if plural else "has"


def _plain_pred(rng: random.Random, claim: Claim) -> list[Piece]:
    roll = rng.random()
    if roll < 0.55:
        return [(claim.past, ())]
    if roll < 0.8:
        return [(f"will {claim.base}", ())]
    return [(f"{_has(claim.plural)} {claim.pp}", ())]


_INNER_SLOTS = ("modal", "perfect", "adverb", "partial")
_OUTER_SLOTS = ("clause", "clause_comma", "condition", "depending")


def _claim(ctx: Context, hedge: str | None, *, outer: bool = True, quote: bool = False) -> _Clause:
    """A claim clause carrying one hedge of class `hedge`; `outer` allows hedges around the clause."""
    rng, lex = ctx.rng, ctx.lex
    phrase: Phrase | None = None
    slot = None
    if hedge is not None:
        slots = [*_INNER_SLOTS, *(_OUTER_SLOTS if outer else ()), *(("quote",) if quote else ())]
        slot = _choice(rng, [s for s in slots if lex.hedges_for(s, hedge)])
        phrase = _choice(rng, lex.hedges_for(slot, hedge))
    if slot == "partial" or (slot is None and rng.random() < 0.1):
        return _scalar(ctx, phrase)
    claim, subject = _pick_claim(ctx)
    pre: list[Piece] = []
    post: list[Piece] = []
    if phrase is None or slot in ("clause", "clause_comma", "quote"):
        pred = _plain_pred(rng, claim)
        if phrase is not None:
            pre = [(phrase.form(), _HEDGE), (", " if slot == "clause_comma" else " ", ())]
    elif slot in ("modal", "perfect", "adverb"):
        rest = {"modal": claim.base, "perfect": claim.pp, "adverb": claim.past}[slot]
        pred = [(phrase.form(claim.plural), _HEDGE), (f" {rest}", ())]
    else:
        # "would" is a hedge only under a condition (rule 7), and here it always has one.
        pred = [(f"{rng.choice(('will', 'would'))} {claim.base}", ())]
        pool = lex.conditions if slot == "condition" else lex.dependencies
        rest = _choice(rng, pool.get(claim.beat, ()))
        if rng.random() < 0.5:
            pre = [(phrase.form(), _HEDGE), (f" {rest}, ", ())]
        else:
            post = [(", " if slot == "depending" else " ", ()), (phrase.form(), _HEDGE), (f" {rest}", ())]
    return _Clause(pre, subject, pred, post, phrase.certainty if phrase else _CERTAIN)


def _scalar(ctx: Context, phrase: Phrase | None) -> _Clause:
    sc = _choice(ctx.rng, ctx.lex.scalar_claims)
    if phrase is None:
        return _Clause([], sc.subject, [(" ".join(filter(None, (sc.before, sc.after))), ())], [], _CERTAIN)
    pred: list[Piece] = [(f"{sc.before} ", ())] if sc.before else []
    pred += [(phrase.form(), _HEDGE), (f" {sc.after}", ())]
    return _Clause([], sc.subject, pred, [], phrase.certainty)


def _emit(ctx: Context, pieces: Iterable[Piece]) -> None:
    for text, kinds in pieces:
        ctx.b.add(text, *kinds)


def _add_subject(ctx: Context, clause: _Clause) -> None:
    _emit(ctx, clause.pre)
    ctx.b.add(clause.subject)


def _add_pred(ctx: Context, clause: _Clause) -> None:
    _emit(ctx, clause.pred)
    _emit(ctx, clause.post)
    ctx.b.soften(clause.certainty)


def _add_clause(ctx: Context, clause: _Clause) -> None:
    _add_subject(ctx, clause)
    ctx.b.add(" ")
    _add_pred(ctx, clause)


def _end(ctx: Context) -> None:
    # A few sentences without a full stop, as in headlines and sloppy copy.
    ctx.b.add("." if ctx.rng.random() > 0.03 else "")


def _that(ctx: Context, clause: _Clause | None = None, p: float = 0.6) -> None:
    # "said in all likelihood, the bank ..." misreads without the complementiser.
    needed = clause is not None and bool(clause.pre)
    ctx.b.add(" that " if needed or ctx.rng.random() < p else " ")


_QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("'", "'"), ("\u2018", "\u2019"))


def _open_quote(ctx: Context, quotes: tuple[str, str] | None = None) -> tuple[str, str]:
    quotes = quotes or ctx.rng.choice(_QUOTES)
    ctx.b.add(quotes[0])
    ctx.b.capitalise_next()
    return quotes


# --------------------------------------------------------------------------- templates
# Each template writes one sentence for ctx.attribution at ctx.certainty, or raises NoFit.


def _t_before(ctx: Context, role: str) -> None:
    """S said (that) K. / Officials say K."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, role, src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    if role == "that" and ctx.rng.random() < 0.15:
        ctx.b.add(_choice(ctx.rng, ctx.lex.adverbials["time"]) + ", ")
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue, src.plural)
    _that(ctx, clause)
    _add_clause(ctx, clause)
    _end(ctx)


def _t_after(ctx: Context) -> None:
    """K, S said."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "after", src)
    _add_clause(ctx, _claim(ctx, _claim_class(ctx, cue.certainty)))
    ctx.b.add(", ")
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue, src.plural)
    _end(ctx)


def _t_inverted(ctx: Context) -> None:
    """K, said S."""
    src = _source(ctx, ctx.attribution, nominative=False)
    cue = _cue(ctx, "inverted", src)
    _add_clause(ctx, _claim(ctx, _claim_class(ctx, cue.certainty)))
    ctx.b.add(", ")
    _add_phrase(ctx, cue)
    ctx.b.add(" ")
    _add_source(ctx, src)
    _end(ctx)


def _t_inside(ctx: Context) -> None:
    """The deal, S said, will ..."""
    src = _source(ctx, ctx.attribution, simple=True)
    cue = _cue(ctx, "inside", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), outer=False)
    left, right = ctx.rng.choice(((", ", ", "), (", ", ", "), (" \u2014 ", " \u2014 "), ("\u2014", "\u2014")))
    _add_subject(ctx, clause)
    ctx.b.add(left)
    _add_source(ctx, src)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(right)
    _add_pred(ctx, clause)
    _end(ctx)


def _t_according_front(ctx: Context) -> None:
    """According to S, K."""
    src = _source(ctx, ctx.attribution, nominative=False)
    cue = _cue(ctx, "prep_front", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    _add_phrase(ctx, cue)
    ctx.b.add(" ")
    _add_source(ctx, src)
    ctx.b.add(", ")
    _add_clause(ctx, clause)
    _end(ctx)


def _t_according_end(ctx: Context) -> None:
    """K, according to S."""
    src = _source(ctx, ctx.attribution, nominative=False)
    cue = _cue(ctx, "prep_end", src)
    _add_clause(ctx, _claim(ctx, _claim_class(ctx, cue.certainty)))
    ctx.b.add(", " if ctx.rng.random() < 0.85 else " ")
    _add_phrase(ctx, cue)
    ctx.b.add(" ")
    _add_source(ctx, src)
    _end(ctx)


def _t_told(ctx: Context) -> None:
    """S told AUDIENCE that K."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "told", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(" " + _choice(ctx.rng, ctx.lex.audiences))
    _that(ctx, clause, 0.75)
    _add_clause(ctx, clause)
    _end(ctx)


def _t_quote_after(ctx: Context) -> None:
    """'K,' S said."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "quote", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), quote=True)
    _, close = _open_quote(ctx)
    _add_clause(ctx, clause)
    # British copy often puts the comma outside the quotation mark.
    ctx.b.add("," + close if ctx.rng.random() < 0.85 else close + ",")
    ctx.b.add(" ")
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue, src.plural)
    _end(ctx)


def _t_quote_inverted(ctx: Context) -> None:
    """'K,' said S."""
    src = _source(ctx, ctx.attribution, nominative=False)
    cue = _cue(ctx, "quote", src, also=("inverted",))
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), quote=True)
    _, close = _open_quote(ctx)
    _add_clause(ctx, clause)
    ctx.b.add("," + close + " ")
    _add_phrase(ctx, cue)
    ctx.b.add(" ")
    _add_source(ctx, src)
    _end(ctx)


def _t_quote_colon(ctx: Context) -> None:
    """S said: 'K.'"""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "colon", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), quote=True)
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(": ")
    _, close = _open_quote(ctx)
    _add_clause(ctx, clause)
    ctx.b.add("." + close)


def _t_quote_split(ctx: Context) -> None:
    """'The bank,' S said, 'will raise rates.'"""
    src = _source(ctx, ctx.attribution, simple=True)
    cue = _cue(ctx, "quote", src, also=("inside",))
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), outer=False)
    quotes = _open_quote(ctx)
    _add_subject(ctx, clause)
    ctx.b.add("," + quotes[1] + " ")
    _add_source(ctx, src)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(", " + quotes[0])
    _add_pred(ctx, clause)
    ctx.b.add("." + quotes[1])


def _t_anon_who(ctx: Context) -> None:
    """S, who spoke on condition of anonymity, said K."""
    src = _source(ctx, "anonymous", simple=True)
    cue = _cue(ctx, "that", src)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    _add_source(ctx, src)
    singular, plural = _choice(ctx.rng, ctx.lex.anonymity)
    ctx.b.add(f", {plural if src.plural else singular}, ")
    _add_phrase(ctx, cue)
    _that(ctx, clause)
    _add_clause(ctx, clause)
    _end(ctx)


def _t_anon_condition(ctx: Context) -> None:
    """S said on condition of anonymity that K."""
    src = _source(ctx, "anonymous")
    cue = _cue(ctx, "that", src, one_word=True)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(ctx.rng.choice((" on condition of anonymity that ", " on the condition of anonymity that ")))
    _add_clause(ctx, clause)
    _end(ctx)


def _t_decline(ctx: Context) -> None:
    """S declined to comment (on TOPIC)."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "decline", src)
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    if ctx.rng.random() < 0.6:
        ctx.b.add(" on " + _choice(ctx.rng, ctx.lex.topics))
    _end(ctx)


def _t_whether(ctx: Context) -> None:
    """S asked whether K."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "whether", src)
    whether = _choice(ctx.rng, ctx.lex.hedges_for("whether", ctx.certainty))
    clause = _claim(ctx, _claim_class(ctx, whether.certainty), outer=False)
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue)
    ctx.b.add(" ")
    _add_phrase(ctx, whether, kind="hedge")
    ctx.b.add(" ")
    _add_clause(ctx, clause)
    _end(ctx)


def _t_adding(ctx: Context) -> None:
    """S said K1, adding that K2."""
    src = _source(ctx, ctx.attribution)
    cue = _cue(ctx, "that", src)
    adding = _choice(ctx.rng, ctx.lex.cues_for("adding"))
    hedge = _claim_class(ctx, cue.certainty)
    hedged_first = ctx.rng.random() < 0.5
    first = _claim(ctx, hedge if hedged_first else None)
    second = _claim(ctx, None if hedged_first else hedge)
    _add_source(ctx, src, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue, src.plural)
    _that(ctx, first)
    _add_clause(ctx, first)
    ctx.b.add(", ")
    _add_phrase(ctx, adding)
    ctx.b.add(" that ")
    _add_clause(ctx, second)
    _end(ctx)


def _outer(ctx: Context, inner: Source, *, outlet_only: bool = False, **filters: Any) -> Source:
    """The relaying source of a two-hop chain: mostly an outlet or a document."""
    roll = ctx.rng.random()
    if outlet_only:
        kind = "according_to"
        filters["outlet"] = True
    else:
        kind = "according_to" if roll < 0.6 else "on_record" if roll < 0.85 else "anonymous"
    src = _source(ctx, kind, **filters)
    if src.text == inner.text:
        raise NoFit
    return src


def _inner(ctx: Context, **filters: Any) -> Source:
    """The innermost source of a chain; an outlet rarely sits closest to the facts."""
    if ctx.attribution == "according_to":
        filters["outlet"] = False
    return _source(ctx, ctx.attribution, **filters)


def _chain(ctx: Context, outer: tuple[Source, str], inner: tuple[Source, str]) -> None:
    ctx.b.chain = [{"type": src.kind, "source": text} for src, text in (outer, inner)]


def _t_chain_that(ctx: Context) -> None:
    """SBS reported that a government source said K."""
    inner = _inner(ctx)
    outer = _outer(ctx, inner, nominative=True)
    cue1 = _cue(ctx, "that", outer)
    cue2 = _cue(ctx, "that", inner)
    clause = _claim(ctx, _claim_class(ctx, max(cue1.certainty, cue2.certainty, key=_RANK.__getitem__)))
    outer_text = _add_source(ctx, outer, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue1, outer.plural)
    ctx.b.add(" that ")
    inner_text = _add_source(ctx, inner, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue2, inner.plural)
    _that(ctx, clause, 0.4)
    _add_clause(ctx, clause)
    _end(ctx)
    _chain(ctx, (outer, outer_text), (inner, inner_text))


def _t_chain_according(ctx: Context) -> None:
    """According to SBS, officials said K."""
    inner = _inner(ctx)
    outer = _outer(ctx, inner, nominative=False)
    cue1 = _cue(ctx, "prep_front", outer)
    cue2 = _cue(ctx, "that", inner)
    clause = _claim(ctx, _claim_class(ctx, max(cue1.certainty, cue2.certainty, key=_RANK.__getitem__)))
    _add_phrase(ctx, cue1)
    ctx.b.add(" ")
    outer_text = _add_source(ctx, outer)
    ctx.b.add(", ")
    inner_text = _add_source(ctx, inner, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue2)
    _that(ctx, clause, 0.4)
    _add_clause(ctx, clause)
    _end(ctx)
    _chain(ctx, (outer, outer_text), (inner, inner_text))


def _t_chain_citing(ctx: Context) -> None:
    """K, Yonhap reported, citing a government source."""
    inner = _inner(ctx, nominative=False)
    outer = _outer(ctx, inner, outlet_only=ctx.rng.random() < 0.7)
    cue1 = _cue(ctx, "after", outer)
    citing = _choice(ctx.rng, ctx.lex.cues_for("citing"))
    _add_clause(ctx, _claim(ctx, _claim_class(ctx, cue1.certainty)))
    ctx.b.add(", ")
    outer_text = _add_source(ctx, outer, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue1, outer.plural)
    ctx.b.add(", ")
    _add_phrase(ctx, citing)
    ctx.b.add(" ")
    inner_text = _add_source(ctx, inner)
    _end(ctx)
    _chain(ctx, (outer, outer_text), (inner, inner_text))


def _t_chain_quoted_by(ctx: Context) -> None:
    """'K,' the minister said, as quoted by Yonhap."""
    inner = _inner(ctx)
    outer = _outer(ctx, inner, outlet_only=True, nominative=False)
    cue = _cue(ctx, "quote", inner)
    quoted_by = _choice(ctx.rng, ctx.lex.cues_for("as_quoted_by"))
    clause = _claim(ctx, _claim_class(ctx, cue.certainty), quote=True)
    _, close = _open_quote(ctx)
    _add_clause(ctx, clause)
    ctx.b.add("," + close + " ")
    inner_text = _add_source(ctx, inner, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, cue, inner.plural)
    ctx.b.add(", ")
    _add_phrase(ctx, quoted_by)
    ctx.b.add(" ")
    outer_text = _add_source(ctx, outer)
    _end(ctx)
    _chain(ctx, (outer, outer_text), (inner, inner_text))


def _t_chain_quoted_as_saying(ctx: Context) -> None:
    """Yonhap quoted a government source as saying K."""
    inner = _inner(ctx, nominative=False)
    outer = _outer(ctx, inner, outlet_only=True)
    quoted = _choice(ctx.rng, ctx.lex.cues_for("quoted"))
    as_saying = _choice(ctx.rng, ctx.lex.cues_for("as_saying"))
    clause = _claim(ctx, _claim_class(ctx))
    outer_text = _add_source(ctx, outer, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, quoted)
    ctx.b.add(" ")
    inner_text = _add_source(ctx, inner, close=True)
    ctx.b.add(" ")
    _add_phrase(ctx, as_saying)
    _that(ctx, clause, 0.0)
    _add_clause(ctx, clause)
    _end(ctx)
    _chain(ctx, (outer, outer_text), (inner, inner_text))


def _t_hearsay_adverb(ctx: Context) -> None:
    """The delegation has allegedly requested ..."""
    cue = _hearsay(ctx, "adverb", exact=True)
    claim, subject = _pick_claim(ctx)
    ctx.b.add(subject + " ")
    roll = ctx.rng.random()
    if roll < 0.6:
        _add_phrase(ctx, cue)
        ctx.b.add(" " + claim.past)
    elif roll < 0.8:
        ctx.b.add("will ")
        _add_phrase(ctx, cue)
        ctx.b.add(" " + claim.base)
    else:
        ctx.b.add(_has(claim.plural) + " ")
        _add_phrase(ctx, cue)
        ctx.b.add(" " + claim.pp)
    _end(ctx)


def _t_hearsay_passive(ctx: Context) -> None:
    """X is said to have ..."""
    cue = _hearsay(ctx, "passive", exact=True)
    claim, subject = _pick_claim(ctx)
    ctx.b.add(subject + " ")
    _add_phrase(ctx, cue, claim.plural)
    ctx.b.add(f" have {claim.pp}")
    _end(ctx)


def _t_hearsay_clause(ctx: Context) -> None:
    """It is understood that K. / According to reports, K."""
    slot = ctx.rng.choice(("clause", "clause", "clause_comma"))
    cue = _hearsay(ctx, slot, exact=False)
    clause = _claim(ctx, _claim_class(ctx, cue.certainty))
    _add_phrase(ctx, cue)
    if slot == "clause_comma":
        ctx.b.add(", ")
    elif cue.sg.endswith("that"):
        ctx.b.add(" ")
    else:
        _that(ctx, clause, 0.5)
    _add_clause(ctx, clause)
    _end(ctx)


def _t_hearsay_end(ctx: Context) -> None:
    """K, according to reports."""
    cue = _hearsay(ctx, "end", exact=False)
    _add_clause(ctx, _claim(ctx, _claim_class(ctx, cue.certainty)))
    ctx.b.add(", ")
    _add_phrase(ctx, cue)
    _end(ctx)


def _t_bare(ctx: Context) -> None:
    """K. (the author's own statement, hedged or not)"""
    clause = _claim(ctx, _claim_class(ctx))
    if ctx.rng.random() < 0.1:
        ctx.b.add(_choice(ctx.rng, ctx.lex.adverbials["any"]) + ", ")
    _add_clause(ctx, clause)
    _end(ctx)


def _t_question(ctx: Context) -> None:
    """Will the bank raise rates? (open questions are speculative, rule 6)"""
    claim, subject = _pick_claim(ctx)
    roll = ctx.rng.random()
    if roll < 0.3:
        ctx.b.add(f"Will {subject} {claim.base}?")
    elif roll < 0.5 and not claim.base.startswith("be "):
        ctx.b.add(f"Did {subject} {claim.base}?")
    elif roll < 0.7:
        ctx.b.add(f"{_has(claim.plural).capitalize()} {subject} {claim.pp}?")
    else:
        modal = _choice(ctx.rng, ctx.lex.hedges_for("question", ctx.certainty))
        ctx.b.add(modal.sg.capitalize(), "hedge")
        ctx.b.add(f" {subject} {claim.base}?")
    ctx.b.soften("speculative")


def _t_emerged(ctx: Context) -> None:
    """It emerged that K. (rule 10: the author's report)"""
    clause = _claim(ctx, _claim_class(ctx))
    ctx.b.add(ctx.rng.choice(("It emerged that ", "It emerged on Monday that ", "It has emerged that ")))
    _add_clause(ctx, clause)
    _end(ctx)


def _t_named_act(ctx: Context) -> None:
    """Finance Minister Ana Kovac visited ... (a named person's physical act, rule 1)"""
    src = _source(ctx, "on_record", nominative=False, person=True)
    _add_source(ctx, src, close=True, span=False)
    ctx.b.add(" " + _choice(ctx.rng, ctx.lex.acts))
    _end(ctx)


def _t_subordinate(ctx: Context) -> None:
    """K, which could ... (a hedge in a relative or concessive clause does not count, rule 6)"""
    clause = _claim(ctx, _claim_class(ctx))
    roll = ctx.rng.random()
    if roll < 0.5:
        _add_clause(ctx, clause)
        ctx.b.add(", " + _choice(ctx.rng, ctx.lex.subordinate["rel"]))
    elif roll < 0.75:
        ctx.b.add(_choice(ctx.rng, ctx.lex.subordinate["conc"]) + ", ")
        _add_clause(ctx, clause)
    else:
        _add_clause(ctx, clause)
        ctx.b.add(", " + _choice(ctx.rng, ctx.lex.subordinate["conc"]))
    _end(ctx)


def _t_joined(ctx: Context) -> None:
    """K1, but K2. (rule 8: the least certain clause that is not a concession)"""
    joint = ctx.rng.choice((", but ", " and ", "; ", ", and "))
    hedge = _claim_class(ctx)
    # The clause before "but" may be a concession, so only the other one carries the hedge.
    hedged_first = joint != ", but " and ctx.rng.random() < 0.5
    first = _claim(ctx, hedge if hedged_first else None)
    second = _claim(ctx, None if hedged_first else hedge)
    _add_clause(ctx, first)
    ctx.b.add(joint)
    _add_clause(ctx, second)
    _end(ctx)


@dataclass(frozen=True)
class _Template:
    name: str
    build: Callable[[Context], None]
    attributions: frozenset[str]
    certainties: frozenset[str] = frozenset(CERTAINTY_LABELS)
    weight: float = 1.0


_SOFT = frozenset(CERTAINTY_LABELS) - {_CERTAIN}
_ONLY_CERTAIN = frozenset((_CERTAIN,))
_ONLY_SPECULATIVE = frozenset((CERTAINTY_LABELS[-1],))
_REPORTEDLY = frozenset(("reportedly",))
_NONE = frozenset(("none",))

TEMPLATES: tuple[_Template, ...] = (
    _Template("that", partial(_t_before, role="that"), _SOURCED, weight=2.5),
    _Template("present", partial(_t_before, role="present"), _SOURCED),
    _Template("after", _t_after, _SOURCED, weight=1.5),
    _Template("inverted", _t_inverted, _SOURCED),
    _Template("inside", _t_inside, _SOURCED),
    _Template("according_front", _t_according_front, _SOURCED),
    _Template("according_end", _t_according_end, _SOURCED),
    _Template("told", _t_told, _SPEAKERS, weight=0.7),
    _Template("quote_after", _t_quote_after, _SPEAKERS),
    _Template("quote_inverted", _t_quote_inverted, _SPEAKERS, weight=0.6),
    _Template("quote_colon", _t_quote_colon, _SPEAKERS, weight=0.5),
    _Template("quote_split", _t_quote_split, _SPEAKERS, weight=0.5),
    _Template("anon_who", _t_anon_who, frozenset(("anonymous",)), weight=1.5),
    _Template("anon_condition", _t_anon_condition, frozenset(("anonymous",)), weight=0.7),
    _Template("decline", _t_decline, _SPEAKERS, _ONLY_CERTAIN, weight=0.6),
    _Template("whether", _t_whether, _SOURCED, _ONLY_SPECULATIVE, weight=0.6),
    _Template("adding", _t_adding, _SPEAKERS, weight=0.5),
    _Template("chain_that", _t_chain_that, _SOURCED, weight=0.8),
    _Template("chain_according", _t_chain_according, _SOURCED, weight=0.5),
    _Template("chain_citing", _t_chain_citing, _SOURCED, weight=0.5),
    _Template("chain_quoted_by", _t_chain_quoted_by, _SPEAKERS, weight=0.4),
    _Template("chain_quoted_as_saying", _t_chain_quoted_as_saying, _SPEAKERS, weight=0.4),
    _Template("hearsay_adverb", _t_hearsay_adverb, _REPORTEDLY, _SOFT, weight=1.5),
    _Template("hearsay_passive", _t_hearsay_passive, _REPORTEDLY, _SOFT, weight=1.2),
    _Template("hearsay_clause", _t_hearsay_clause, _REPORTEDLY, weight=1.5),
    _Template("hearsay_end", _t_hearsay_end, _REPORTEDLY),
    _Template("bare", _t_bare, _NONE, weight=3.0),
    _Template("question", _t_question, _NONE, _ONLY_SPECULATIVE, weight=0.6),
    _Template("emerged", _t_emerged, _NONE, weight=0.4),
    _Template("named_act", _t_named_act, _NONE, _ONLY_CERTAIN),
    _Template("subordinate", _t_subordinate, _NONE),
    _Template("joined", _t_joined, _NONE),
)

for _t in TEMPLATES:
    for _label in _t.attributions:
        check_attribution(_label)


@cache
def eligible(attribution: str, certainty: str) -> tuple[tuple[_Template, ...], tuple[float, ...]]:
    fits = tuple(t for t in TEMPLATES if attribution in t.attributions and certainty in t.certainties)
    return fits, tuple(t.weight for t in fits)
