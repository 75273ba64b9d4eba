"""The per-article sourcing profile: who the article rests on, how firmly, and a 0-100 score.

Pure Python (no torch), so reports can be built from stored predictions anywhere.

Definitions (n = number of sentences; *sourced* = attribution on_record, according_to or
anonymous, i.e. a source is invoked):

- anonymous share   = anonymous sentences / sourced sentences (0 when nothing is sourced)
- hearsay share     = reportedly sentences / n
- unattributed assertive claims = sentences labelled none + certain that look like claims:
  at least 5 words and ending in . ! or ? (optionally followed by a quote or bracket).
  Headlines, bylines, datelines and "Read more at ..." lines carry no final punctuation and
  make no claim of their own (a headline restates the body), so they are not counted.
- speculative share = speculative sentences / n
- who hedges (LABELS.md 4): a hedged or speculative sentence whose attribution is on_record,
  according_to or anonymous is *source hedging* (the hedge sits inside attributed content);
  one labelled none or reportedly is *author hedging* ("reportedly" is the author's own
  softening of source-less hearsay).

Reliability score: the sourcing standards of docs/report.md ("The reliability score"), one
component each (value, weight, contribution, plain-language reason); the contributions sum to
the raw score, clipped to 0-100.

Sources table: source mentions come from the chain hops of attributed sentences (or, with
no chain, their source spans). Named mentions (person / organisation / publication) are
merged by normalised name, and a name whose token set is a proper subset of exactly one
other same-kind name's is merged into it ("Kim" and "Defense Minister Kim" into "Kim Yong
Hyun"); a subset of several different names is ambiguous and stays on its own. Unnamed
sources are never merged unless their normalised names are identical, except a definite
re-mention ("the source") of an earlier unnamed source whose words it repeats ("a
government source"). A generic document with no proper name ("the report", "recent polls")
counts as unnamed, not as a named publication. A pronoun joins the nearest preceding named
person source (or, in an anonymous hop, the nearest preceding unnamed source); with none it
is dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, SOURCED, is_boilerplate
from attrib.result import ArticleSentence, Hop
from attrib.sources import normalise_name, source_kind, word_list

# Weights, from the newsroom standards (docs/report.md), set before any validation.
BASE_SCORE = 90.0
NAMED_SOURCE_WEIGHT = 10.0  # for min(named sources, NAMED_SOURCE_CAP) / NAMED_SOURCE_CAP
NAMED_SOURCE_CAP = 5
DOCUMENTS_WEIGHT = 3.0
UNATTRIBUTED_WEIGHT = -30.0
HEARSAY_WEIGHT = -40.0
HEARSAY_LEAD_FACTOR = 3.0  # a hearsay headline or lead sentence counts this many times
LEAD_SENTENCES = 3  # the headline and the two sentences after it
ANONYMOUS_WEIGHT = -10.0
VAGUE_ANONYMOUS_WEIGHT = -20.0
ANONYMOUS_OPINION_WEIGHT = -15.0
ANONYMITY_EXPLAINED_WEIGHT = 5.0
CORROBORATED_WEIGHT = 3.0
SINGLE_SOURCE_WEIGHT = -15.0
SINGLE_SOURCE_MIN = 3  # sourced sentences needed before reliance on one source counts
RELAYED_WEIGHT = -10.0
AUTHOR_HEDGING_WEIGHT = -10.0

# Words that name no role or body: an anonymous source described only by them is vague.
_VAGUE_WORDS = word_list("vague_descriptors")
_COUNTED = re.compile(r"\b(two|three|four|five|six|several|multiple|\d+)\b", re.IGNORECASE)
_ANONYMITY_REASON = re.compile(
    r"condition of anonymity|not authori[sz]ed to|declined to be (named|identified)|"
    r"asked not to be (named|identified)|requested anonymity|speaking anonymously|"
    r"without being (named|identified)|on background",
    re.IGNORECASE,
)

# Flag thresholds.
MOSTLY_ANONYMOUS = 0.5  # anonymous share above this
MUCH_HEARSAY = 0.25  # hearsay share at or above this
MANY_UNATTRIBUTED = 0.5  # unattributed-assertion share at or above this
HEAVY_HEDGING = 0.4  # hedged + speculative share at or above this
MANY_CHAINS = 2  # second-hand chains at or above this

MIN_CLAIM_WORDS = 5
_CLAIM_END = re.compile(r"[.!?][\"'”’)\]]*$")
_NAME_STOPWORDS = frozenset({"of", "and", "the", "for", "on", "in", "at", "to"})
_DEFINITE = ("the ", "this ", "that ", "these ", "those ")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})


@dataclass(frozen=True)
class SourceEntry:
    """One distinct source of the article, after alias merging."""

    name: str
    kind: str
    attributions: tuple[str, ...]
    sentences: tuple[int, ...]
    aliases: tuple[str, ...] = ()
    mentions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "attributions": list(self.attributions),
            "sentences": list(self.sentences),
            "aliases": list(self.aliases),
            "mentions": self.mentions,
        }


def render_chain(hops: Sequence[Hop]) -> str:
    """`[according_to: SBS] -> [anonymous: a government source]`; a source-less hop is `[reportedly]`."""
    return " -> ".join(str(h) if h.source.strip() else f"[{h.type}]" for h in hops)


@dataclass(frozen=True)
class Chain:
    """A sentence whose claim passed through two or more hands, outer to inner."""

    sentence: int
    hops: tuple[Hop, ...]

    @property
    def text(self) -> str:
        return render_chain(self.hops)

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "hops": [h.to_dict() for h in self.hops], "text": self.text}


@dataclass(frozen=True)
class ScoreComponent:
    """One term of the score: contribution = value * weight."""

    name: str
    label: str
    value: float
    weight: float
    contribution: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": round(self.value, 4),
            "weight": self.weight,
            "contribution": round(self.contribution, 2),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Flag:
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Profile:
    n_sentences: int
    attribution_counts: dict[str, int]
    attribution_shares: dict[str, float]
    certainty_counts: dict[str, int]
    certainty_shares: dict[str, float]
    mean_certainty_score: float
    n_attributed: int
    n_sourced: int
    anonymous_share: float
    hearsay_share: float
    speculative_share: float
    hedged_share: float
    unattributed_assertive: tuple[int, ...]
    unattributed_assertive_share: float
    author_hedging: tuple[int, ...]
    source_hedging: tuple[int, ...]
    chains: tuple[Chain, ...]
    sources: tuple[SourceEntry, ...]
    n_named_sources: int
    score: int
    raw_score: float
    components: tuple[ScoreComponent, ...]
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    # The anonymous sources' descriptors, each with whether it names a role or body (precise).
    anonymous_descriptors: tuple[tuple[str, bool], ...] = ()
    anonymity_explained: bool = False
    # Sentence indices of boilerplate lines, left out of every count above (LABELS.md 2b.12).
    boilerplate: tuple[int, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        """One plain-language line per component after the base."""
        return tuple(c.reason for c in self.components if c.name != "base")

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_sentences": self.n_sentences,
            "n_attributed": self.n_attributed,
            "n_sourced": self.n_sourced,
            "attribution_counts": dict(self.attribution_counts),
            "attribution_shares": _rounded(self.attribution_shares),
            "certainty_counts": dict(self.certainty_counts),
            "certainty_shares": _rounded(self.certainty_shares),
            "mean_certainty_score": round(self.mean_certainty_score, 4),
            "anonymous_share": round(self.anonymous_share, 4),
            "hearsay_share": round(self.hearsay_share, 4),
            "speculative_share": round(self.speculative_share, 4),
            "hedged_share": round(self.hedged_share, 4),
            "unattributed_assertive": list(self.unattributed_assertive),
            "unattributed_assertive_share": round(self.unattributed_assertive_share, 4),
            "author_hedging": list(self.author_hedging),
            "source_hedging": list(self.source_hedging),
            "chains": [c.to_dict() for c in self.chains],
            "sources": [s.to_dict() for s in self.sources],
            "n_named_sources": self.n_named_sources,
            "score": self.score,
            "raw_score": round(self.raw_score, 2),
            "components": [c.to_dict() for c in self.components],
            "reasons": list(self.reasons),
            "flags": [f.to_dict() for f in self.flags],
            "anonymous_descriptors": [{"descriptor": d, "precise": p} for d, p in self.anonymous_descriptors],
            "anonymity_explained": self.anonymity_explained,
            "boilerplate": list(self.boilerplate),
        }


def _rounded(d: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in d.items()}


def _anonymous_reason(flag: bool, anonymous: int, yes: str, no: str) -> str:
    """The reason of a yes/no anonymous-sourcing component; with no anonymous source, that."""
    if flag:
        return yes
    return no if anonymous else "no anonymous source."


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def is_claim_like(text: str) -> bool:
    """False for headline-, byline- or dateline-like lines (short, or no final punctuation)."""
    stripped = text.strip()
    return len(stripped.split()) >= MIN_CLAIM_WORDS and bool(_CLAIM_END.search(stripped))


# ---------------------------------------------------------------- sources


@dataclass
class _Group:
    """A source being assembled: its mentions as (surface text, attribution, sentence)."""

    kind: str
    tokens: frozenset[str]
    mentions: list[tuple[str, str, int]]
    pronouns: list[tuple[str, str, int]] = field(default_factory=list)


def _tokens(text: str) -> frozenset[str]:
    words = normalise_name(text).split()
    return frozenset(w for w in words if w not in _NAME_STOPWORDS) or frozenset(words)


def _proper(text: str) -> bool:
    """Whether the span contains a capitalised word other than a leading determiner."""
    words = re.findall(r"[A-Za-z][\w'’.\-]*", text)
    return any(w[0].isupper() for w in words if w.lower() not in _DETERMINERS)


def _mentions(sentences: Sequence[ArticleSentence]) -> list[tuple[str, str, int]]:
    """(source text, attribution, sentence index) in article order; `none` sentences rest on no one."""
    out: list[tuple[str, str, int]] = []
    for s in sentences:
        r = s.result
        if r.attribution == "none":
            continue
        if r.chain:
            hops = [(h.source, h.type) for h in r.chain]
        else:
            hops = [(span.text, r.attribution) for span in r.sources]
        out.extend(
            (" ".join(text.split()).strip(" ,;:\"'“”‘’"), kind, s.index)
            for text, kind in hops
            if kind in SOURCED and text.strip()
        )
    return out


def _merge_subsets(groups: list[_Group]) -> list[_Group]:
    """Fold each named group into the one same-kind group whose tokens properly contain it."""
    target: dict[int, int] = {}
    for i, g in enumerate(groups):
        if g.kind == "unnamed":
            continue
        supers = [j for j, h in enumerate(groups) if j != i and h.kind == g.kind and g.tokens < h.tokens]
        maximal = [j for j in supers if not any(groups[j].tokens < groups[k].tokens for k in supers)]
        if len({groups[j].tokens for j in maximal}) == 1:
            target[i] = maximal[0]
    for i, j in target.items():
        groups[j].mentions.extend(groups[i].mentions)
        groups[j].pronouns.extend(groups[i].pronouns)
    return [g for i, g in enumerate(groups) if i not in target]


# What a pronoun can stand for: "he" a person, "it" a body or an outlet ("the company said ...
# It added"), "they" / "we" a person's or a body's voice.
_ANTECEDENT_KINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("he", "she", "him", "her", "his", "i", "me", "my"), frozenset({"person"})),
    **dict.fromkeys(("it", "its"), frozenset({"organisation", "publication"})),
    **dict.fromkeys(("they", "we", "them", "their", "our", "us"), frozenset({"person", "organisation"})),
}


def _build_sources(sentences: Sequence[ArticleSentence]) -> tuple[SourceEntry, ...]:
    groups: list[_Group] = []
    by_key: dict[tuple[bool, frozenset[str]], _Group] = {}
    # Each mention's group in article order, so a pronoun can find its nearest antecedent.
    recent: list[_Group] = []
    for text, attribution, idx in _mentions(sentences):
        kind = source_kind(text)
        if kind == "pronoun":
            want = _ANTECEDENT_KINDS.get(text.lower(), frozenset({"person", "organisation", "publication"}))
            if attribution == "anonymous":
                want = frozenset({"unnamed"})
            antecedent = next((g for g in reversed(recent) if g.kind in want), None)
            if antecedent is not None:
                antecedent.pronouns.append((text, attribution, idx))
                recent.append(antecedent)
            continue
        if attribution == "anonymous" or (kind == "publication" and not _proper(text)):
            # The predictor judged the source unidentifiable in context ("the source"), or it is
            # a generic document ("the report", "recent polls"): neither names anyone.
            kind = "unnamed"
        tokens = _tokens(text)
        group = by_key.get((kind == "unnamed", tokens))
        if group is None and kind == "unnamed" and text.lower().startswith(_DEFINITE):
            group = next((g for g in reversed(recent) if g.kind == "unnamed" and tokens <= g.tokens), None)
        if group is None:
            group = _Group(kind, tokens, [])
            groups.append(group)
            by_key[(kind == "unnamed", tokens)] = group
        group.mentions.append((text, attribution, idx))
        recent.append(group)

    entries = [_entry(g) for g in _merge_subsets(groups)]
    first = {id(e): min(e.sentences) for e in entries}
    return tuple(sorted(entries, key=lambda e: (-len(e.sentences), first[id(e)])))


def _entry(group: _Group) -> SourceEntry:
    mentions = group.mentions + group.pronouns
    # The fullest surface form names the source: most name words, then longest, then first.
    name = max(group.mentions, key=lambda m: (len(_tokens(m[0])), len(m[0]), -m[2]))[0]
    seen = {name.lower()}
    aliases = []
    for text, _, _ in group.mentions:
        if text.lower() not in seen:
            seen.add(text.lower())
            aliases.append(text)
    used = {m[1] for m in mentions}
    return SourceEntry(
        name=name,
        kind=group.kind,
        attributions=tuple(a for a in ATTRIBUTION_LABELS if a in used),
        sentences=tuple(sorted({m[2] for m in mentions})),
        aliases=tuple(aliases),
        mentions=len(mentions),
    )


# ---------------------------------------------------------------- score


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _are(k: int) -> str:
    return "is" if k == 1 else "are"


@dataclass(frozen=True)
class _Counts:
    """What the score's components are computed from (one pass over the sentences)."""

    n: int
    n_sourced: int
    n_claims: int
    n_unattributed: int
    hearsay_weighted: float
    anonymous: int
    vague: tuple[str, ...]
    precise: tuple[str, ...]
    anonymous_opinion: int
    explained: bool
    corroborated: bool
    n_named: int
    top_source: tuple[str, int]
    relayed: int
    documents: int
    author_hedged: int


def _is_vague(descriptor: str) -> bool:
    words = re.findall(r"[a-z]+", descriptor.lower())
    return not words or all(w in _VAGUE_WORDS for w in words)


def _count(
    sentences: Sequence[ArticleSentence],
    sources: tuple[SourceEntry, ...],
    n_unattr: int,
    n_sourced: int,
    n_named: int,
) -> _Counts:
    """The counts `build_profile` has not made already (it passes those in)."""
    results = [s.result for s in sentences]
    anonymous = [r for r in results if r.attribution == "anonymous"]
    vague, precise = [], []
    for r in anonymous:
        names = [sp.text for sp in r.sources if source_kind(sp.text) == "unnamed"] or [
            sp.text for sp in r.sources
        ]
        descriptor = names[-1] if names else ""
        (vague if _is_vague(descriptor) else precise).append(descriptor or "(no source named)")
    unnamed_sources = [s for s in sources if s.kind == "unnamed"]
    corroborated = len(unnamed_sources) >= 2 or any(_COUNTED.search(d) for d in precise + vague)
    top = max(sources, key=lambda s: len(s.sentences), default=None)
    # according_to: a named outlet relays its reporting; otherwise a document or data is cited.
    relayed = sum(
        1
        for r in results
        if r.attribution == "according_to" and any(source_kind(sp.text) == "publication" for sp in r.sources)
    )
    documents = sum(1 for r in results if r.attribution == "according_to") - relayed
    return _Counts(
        n=len(results),
        n_sourced=n_sourced,
        n_claims=sum(1 for r in results if is_claim_like(r.text)),
        n_unattributed=n_unattr,
        hearsay_weighted=sum(
            HEARSAY_LEAD_FACTOR if s.index < LEAD_SENTENCES else 1.0
            for s in sentences
            if s.result.attribution == "reportedly"
        ),
        anonymous=len(anonymous),
        vague=tuple(vague),
        precise=tuple(precise),
        anonymous_opinion=sum(1 for r in anonymous if r.certainty != "certain"),
        explained=bool(anonymous) and any(_ANONYMITY_REASON.search(r.text) for r in results),
        corroborated=bool(anonymous) and corroborated,
        n_named=n_named,
        top_source=(top.name, len(top.sentences)) if top else ("", 0),
        relayed=relayed,
        documents=documents,
        author_hedged=sum(1 for r in results if r.attribution == "none" and r.certainty != "certain"),
    )


def _quoted(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(f"'{x}'" for x in list(dict.fromkeys(items))[:limit])
    return shown + (", ..." if len(set(items)) > limit else "")


def _components(c: _Counts) -> tuple[ScoreComponent, ...]:
    def comp(name: str, label: str, value: float, weight: float, reason: str) -> ScoreComponent:
        contribution = value * weight + 0.0  # + 0.0 turns -0.0 into 0.0 for display
        return ScoreComponent(name, label, value, weight, contribution, f"{contribution:+.1f}: {reason}")

    s = c.n_sourced
    named = min(c.n_named, NAMED_SOURCE_CAP)
    top_name, top_n = c.top_source
    top_share = _share(top_n, s)
    reliance = max(0.0, (top_share - 0.5) / 0.5) if s >= SINGLE_SOURCE_MIN else 0.0
    n_vague = len(c.vague)
    descriptors = (f" Vague: {_quoted(c.vague)}." if c.vague else "") + (
        f" Precise: {_quoted(c.precise)}." if c.precise else ""
    )
    return (
        comp("base", "Base score", 1.0, BASE_SCORE, "every article starts here."),
        comp(
            "named_sources",
            "Named, accountable sources (up to 5)",
            named / NAMED_SOURCE_CAP,
            NAMED_SOURCE_WEIGHT,
            f"{c.n_named} distinct named source{'s' if c.n_named != 1 else ''} "
            f"(counted up to {NAMED_SOURCE_CAP}).",
        ),
        comp(
            "documents",
            "Documents and data cited",
            float(c.documents > 0),
            DOCUMENTS_WEIGHT,
            f"{c.documents} sentence{' rests' if c.documents == 1 else 's rest'} "
            "on a report, poll, filing or other document.",
        ),
        comp(
            "unattributed",
            "Unattributed claims",
            _share(c.n_unattributed, c.n_claims),
            UNATTRIBUTED_WEIGHT,
            f"{c.n_unattributed} of {c.n_claims} claims ({_pct(_share(c.n_unattributed, c.n_claims))}) "
            "are asserted as fact without saying who vouches for them.",
        ),
        comp(
            "hearsay",
            "Hearsay without a source (headline and lead count triple)",
            min(1.0, _share_f(c.hearsay_weighted, c.n)),
            HEARSAY_WEIGHT,
            "source-less hearsay ('reportedly', 'allegedly', 'according to reports'), weighted "
            f"{_pct(min(1.0, _share_f(c.hearsay_weighted, c.n)))} of the article.",
        ),
        comp(
            "anonymous",
            "Anonymous sourcing",
            _share(c.anonymous, s),
            ANONYMOUS_WEIGHT,
            f"{c.anonymous} of {s} sourced sentences ({_pct(_share(c.anonymous, s))}) "
            "rest on an unnamed source.",
        ),
        comp(
            "vague_anonymous",
            "Vaguely described anonymous sources",
            _share(n_vague, s),
            VAGUE_ANONYMOUS_WEIGHT,
            f"{n_vague} of {c.anonymous} anonymous sentences name no role or body.{descriptors}",
        ),
        comp(
            "anonymous_opinion",
            "Anonymous opinion or speculation",
            _share(c.anonymous_opinion, s),
            ANONYMOUS_OPINION_WEIGHT,
            f"{c.anonymous_opinion} anonymous sentence"
            f"{' hedges or speculates' if c.anonymous_opinion == 1 else 's hedge or speculate'}"
            " (anonymity is for information).",
        ),
        comp(
            "anonymity_explained",
            "Reason for anonymity given",
            float(c.explained),
            ANONYMITY_EXPLAINED_WEIGHT,
            _anonymous_reason(
                c.explained,
                c.anonymous,
                "a reason for anonymity is given.",
                "no reason for anonymity is given.",
            ),
        ),
        comp(
            "corroborated",
            "Anonymous sources corroborated",
            float(c.corroborated),
            CORROBORATED_WEIGHT,
            _anonymous_reason(
                c.corroborated, c.anonymous, "more than one anonymous source.", "a single anonymous source."
            ),
        ),
        comp(
            "single_source",
            "Reliance on a single source",
            reliance,
            SINGLE_SOURCE_WEIGHT,
            f"the most-cited source ({top_name or 'none'}) carries {_pct(top_share)} "
            "of the sourced sentences.",
        ),
        comp(
            "relayed",
            "Relayed from other outlets",
            _share(c.relayed, s),
            RELAYED_WEIGHT,
            f"{c.relayed} of {s} sourced sentences relay another outlet's reporting.",
        ),
        comp(
            "author_hedging",
            "The author's own hedged claims",
            _share(c.author_hedged, c.n),
            AUTHOR_HEDGING_WEIGHT,
            f"{c.author_hedged} unattributed sentence"
            f"{' hedges or speculates' if c.author_hedged == 1 else 's hedge or speculate'}.",
        ),
    )


def _share_f(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def _flags(p: dict[str, Any]) -> tuple[Flag, ...]:
    if not p["n"]:
        return ()
    rules = [
        (
            p["n_sourced"] > 0 and p["anonymous_share"] > MOSTLY_ANONYMOUS,
            "mostly_anonymous",
            "Most attributed claims rest on unnamed sources.",
        ),
        (p["hearsay_share"] >= MUCH_HEARSAY, "much_hearsay", "A large share of the article is hearsay."),
        (p["n_named"] == 0, "no_named_sources", "No named sources."),
        (
            p["unattributed_share"] >= MANY_UNATTRIBUTED,
            "many_unattributed",
            "Many unattributed assertive claims.",
        ),
        (p["hedged_share"] >= HEAVY_HEDGING, "heavy_hedging", "Heavy hedging."),
        (p["n_chains"] >= MANY_CHAINS, "second_hand", "Several claims are relayed second-hand."),
    ]
    return tuple(Flag(code, message) for hit, code, message in rules if hit)


# ---------------------------------------------------------------- profile


def build_profile(sentences: Sequence[ArticleSentence]) -> Profile:
    """Summarise the article's predicted sentences (see the module docstring for definitions).
    Boilerplate lines ("Read Full Article at X", credits, copyright) are left out of every count."""
    boilerplate = tuple(s.index for s in sentences if is_boilerplate(s.result.text))
    sentences = [s for s in sentences if s.index not in boilerplate]
    n = len(sentences)
    results = [s.result for s in sentences]
    att = Counter(r.attribution for r in results)
    cer = Counter(r.certainty for r in results)
    att_counts = {a: att.get(a, 0) for a in ATTRIBUTION_LABELS}
    cer_counts = {c: cer.get(c, 0) for c in CERTAINTY_LABELS}
    n_sourced = sum(att_counts[a] for a in SOURCED)
    n_attributed = n - att_counts["none"]
    n_hedged = cer_counts["hedged"] + cer_counts["speculative"]

    unattributed = tuple(
        s.index
        for s in sentences
        if s.result.attribution == "none" and s.result.certainty == "certain" and is_claim_like(s.result.text)
    )
    hedging = [s for s in sentences if s.result.certainty in ("hedged", "speculative")]
    source_hedging = tuple(s.index for s in hedging if s.result.attribution in SOURCED)
    author_hedging = tuple(s.index for s in hedging if s.result.attribution not in SOURCED)
    chains = tuple(Chain(s.index, s.result.chain) for s in sentences if len(s.result.chain) >= 2)
    sources = _build_sources(sentences)
    n_named = sum(1 for s in sources if s.kind != "unnamed")

    counts = _count(sentences, sources, len(unattributed), n_sourced, n_named)
    components = _components(counts)
    raw = sum(c.contribution for c in components)
    anonymous_share = _share(att_counts["anonymous"], n_sourced)
    hearsay_share = _share(att_counts["reportedly"], n)
    unattributed_share = _share(len(unattributed), n)
    hedged_share = _share(n_hedged, n)
    flags = _flags(
        {
            "n": n,
            "n_sourced": n_sourced,
            "anonymous_share": anonymous_share,
            "hearsay_share": hearsay_share,
            "n_named": n_named,
            "unattributed_share": unattributed_share,
            "hedged_share": hedged_share,
            "n_chains": len(chains),
        }
    )
    return Profile(
        n_sentences=n,
        attribution_counts=att_counts,
        attribution_shares={a: _share(c, n) for a, c in att_counts.items()},
        certainty_counts=cer_counts,
        certainty_shares={c: _share(k, n) for c, k in cer_counts.items()},
        mean_certainty_score=sum(r.certainty_score for r in results) / n if n else 0.0,
        n_attributed=n_attributed,
        n_sourced=n_sourced,
        anonymous_share=anonymous_share,
        hearsay_share=hearsay_share,
        speculative_share=_share(cer_counts["speculative"], n),
        hedged_share=hedged_share,
        unattributed_assertive=unattributed,
        unattributed_assertive_share=unattributed_share,
        author_hedging=author_hedging,
        source_hedging=source_hedging,
        chains=chains,
        sources=sources,
        n_named_sources=n_named,
        score=int(min(100, max(0, math.floor(raw + 0.5)))),  # half up: 75.5 -> 76, 70.5 -> 71
        raw_score=raw,
        components=components,
        flags=flags,
        anonymous_descriptors=tuple((d, False) for d in counts.vague)
        + tuple((d, True) for d in counts.precise),
        anonymity_explained=counts.explained,
        boilerplate=boilerplate,
    )
