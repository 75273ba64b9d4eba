"""Render an ArticleAnalysis as a text, Markdown, JSON or self-contained HTML report (docs/report.md)."""

from __future__ import annotations

import io
import itertools
import json
from typing import TYPE_CHECKING, Any

from attrib.errors import AttribError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.markup import environment, md_escape, terminal_safe
from attrib.profile import Profile, render_chain
from attrib.result import SentenceResult

if TYPE_CHECKING:
    from attrib.analysis import ArticleAnalysis

FORMATS = ("text", "markdown", "json", "html")
# Bump the major part when a documented key changes meaning or disappears.
SCHEMA_VERSION = "2.0"

ATTRIBUTION_TITLES = {
    "on_record": "On record",
    "according_to": "According to",
    "anonymous": "Anonymous",
    "reportedly": "Reportedly",
    "none": "No attribution",
}
ATTRIBUTION_HELP = {
    "on_record": "a named person or organisation says it",
    "according_to": "relayed from a named outlet or document",
    "anonymous": "an unnamed source says it",
    "reportedly": "hearsay, no source at all",
    "none": "the author states it",
}
CERTAINTY_HELP = {
    "certain": "stated as fact",
    "hedged": "softened (likely, appears, reportedly)",
    "speculative": "possible or contested (may, could, if)",
}
# Okabe-Ito hues (told apart with the common colour-vision deficiencies: bluish green, blue,
# orange, reddish purple), darkened where they colour text to keep 4.5:1 contrast: strong for
# bars, marks and badges, light for highlighted text. Colour is never the only cue: each type
# has a letter badge, each certainty an underline style.
ATTRIBUTION_COLORS = {
    "on_record": ("#00704f", "#d4efe6"),
    "according_to": ("#0068a3", "#d9eaf6"),
    "anonymous": ("#9e5700", "#fde7c0"),
    "reportedly": ("#a3407a", "#f6dcea"),
    "none": ("#6b7280", "#ffffff"),
}
ATTRIBUTION_BADGES = {"on_record": "O", "according_to": "A", "anonymous": "U", "reportedly": "R", "none": ""}
CERTAINTY_COLORS = {"certain": "#3a4a5f", "hedged": "#8f6a00", "speculative": "#b33c00"}
RICH_STYLES = {
    "on_record": "green",
    "according_to": "blue",
    "anonymous": "dark_orange",
    "reportedly": "magenta",
    "none": "bright_black",
    "certain": "default",
    "hedged": "yellow",
    "speculative": "red",
}
BANDS = ((75, "well sourced", "#00704f"), (50, "mixed sourcing", "#8f6a00"), (0, "weakly sourced", "#b33c00"))


def render(analysis: ArticleAnalysis, fmt: str, color: bool = False, width: int = 100) -> str:
    """The report as a string; `color` (ANSI colours) and `width` (columns) only affect the text format."""
    if fmt == "text":
        return render_text(analysis, color=color, width=width)
    if fmt == "markdown":
        return render_markdown(analysis)
    if fmt == "json":
        return render_json(analysis)
    if fmt == "html":
        return render_html(analysis)
    raise AttribError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def report_dict(analysis: ArticleAnalysis) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, **analysis.to_dict()}


def render_json(analysis: ArticleAnalysis) -> str:
    return json.dumps(report_dict(analysis), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- shared helpers


def band(score: int) -> tuple[str, str]:
    """(plain-language band, colour) of a score."""
    return next((name, colour) for floor, name, colour in BANDS if score >= floor)


def sentence_source(r: SentenceResult) -> str:
    if r.chain:
        return render_chain(r.chain)
    return ", ".join(s.text for s in r.sources)


def sentence_cue(r: SentenceResult) -> str:
    return ", ".join(c.text for c in r.cues)


def sentence_hedges(r: SentenceResult) -> str:
    return ", ".join(h.text for h in r.hedges)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _numbers(indices: tuple[int, ...] | list[int]) -> str:
    """Sentence numbers as readers see them (1-based)."""
    return ", ".join(f"#{i + 1}" for i in indices)


def sentence_count(p: Profile) -> str:
    """ "18 sentences", or "18 sentences (2 boilerplate lines left out)": what the profile counts."""
    left = len(p.boilerplate)
    extra = f" ({left} boilerplate line{'s' if left != 1 else ''} left out)" if left else ""
    return f"{p.n_sentences} sentences{extra}"


def measures(p: Profile) -> list[tuple[str, str]]:
    """The headline measures of the profile as (label, value) rows."""
    return [
        (
            "Sentences",
            f"{p.n_sentences} (+{len(p.boilerplate)} boilerplate)" if p.boilerplate else str(p.n_sentences),
        ),
        (
            "Sentences citing a source",
            f"{p.n_sourced} ({_pct(p.n_sourced / p.n_sentences if p.n_sentences else 0)})",
        ),
        ("Anonymous share of those", _pct(p.anonymous_share)),
        ("Hearsay (reportedly) share", _pct(p.hearsay_share)),
        (
            "Unattributed assertive claims",
            f"{len(p.unattributed_assertive)} ({_pct(p.unattributed_assertive_share)})",
        ),
        ("Hedged or speculative", _pct(p.hedged_share)),
        ("Author hedging / source hedging", f"{len(p.author_hedging)} / {len(p.source_hedging)} sentences"),
        ("Second-hand chains", str(len(p.chains))),
        ("Distinct named sources", str(p.n_named_sources)),
        ("Mean certainty score", f"{p.mean_certainty_score:.2f}"),
    ]


def _headline(analysis: ArticleAnalysis, limit: int = 110) -> str:
    first = analysis.sentences[0].result.text if analysis.sentences else ""
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------- text (rich)


def render_text(analysis: ArticleAnalysis, color: bool = False, width: int = 100) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = max(72, min(width, 140))
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    p = analysis.profile
    # Article text goes into Text objects only, so "[brackets]" in it are never read as markup.
    name, _ = band(p.score)
    head = Text()
    head.append("Sourcing report", style="bold")
    head.append(f"  ·  {terminal_safe(_headline(analysis))}\n", style="italic")
    head.append(f"Reliability score: {p.score}/100 ({name})", style="bold")
    head.append(f"   predictor: {analysis.predictor}, {sentence_count(p)}\n")
    if p.flags:
        for f in p.flags:
            head.append(f"  ! {f.message}\n", style="bold red")
    else:
        head.append("  no flags\n", style="green")
    console.print(head)

    score = Table(title="How the score is built", box=box.SIMPLE_HEAD, title_justify="left")
    for col, just in (("Component", "left"), ("Value", "right"), ("Weight", "right"), ("Points", "right")):
        score.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in p.components:
        score.add_row(c.label, f"{c.value:.2f}", f"{c.weight:+g}", f"{c.contribution:+.1f}")
    score.add_row(Text("Total (clipped to 0-100)", style="bold"), "", "", Text(f"{p.score}", style="bold"))
    console.print(score)
    reasons = Table.grid(padding=(0, 1))
    reasons.add_column(width=3, justify="right")
    reasons.add_column()
    for c in p.components[1:]:
        reasons.add_row("•", Text(terminal_safe(c.reason)))
    console.print(reasons)
    console.print()

    console.print(Text("Profile", style="bold italic"))
    shares = Table(box=box.SIMPLE_HEAD)
    shares.add_column("Attribution")
    shares.add_column("Sentences", justify="right")
    shares.add_column("Share", justify="right")
    for a in ATTRIBUTION_LABELS:
        label = Text(a, style=RICH_STYLES[a])
        shares.add_row(label, str(p.attribution_counts[a]), _pct(p.attribution_shares[a]))
    shares.add_section()
    for c in CERTAINTY_LABELS:
        shares.add_row(Text(c, style=RICH_STYLES[c]), str(p.certainty_counts[c]), _pct(p.certainty_shares[c]))
    facts = Table(box=box.SIMPLE_HEAD)
    facts.add_column("Measure")
    facts.add_column("Value", justify="right")
    for label, value in measures(p):
        facts.add_row(label, value)
    grid = Table.grid(padding=(0, 4))
    grid.add_row(shares, facts)
    console.print(grid)

    sources = Table(title="Sources", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("Source", "Kind", "Attribution", "Sentences", "Also called"):
        sources.add_column(col)
    for s in p.sources:
        sources.add_row(
            Text(terminal_safe(s.name)),
            s.kind,
            ", ".join(s.attributions),
            _numbers(s.sentences),
            Text(terminal_safe(", ".join(s.aliases))),
        )
    if not p.sources:
        sources.add_row("(no source is cited)", "", "", "", "")
    console.print(sources)

    if p.chains:
        console.print(Text("Second-hand chains", style="bold"))
        for ch in p.chains:
            console.print(Text(terminal_safe(f"  #{ch.sentence + 1}: {ch.text}")))
        console.print()

    console.print(Text("Sentences", style="bold"))
    # A grid gives each sentence a hanging indent under its number.
    rows = Table.grid(padding=(0, 1))
    rows.add_column(width=4, justify="right")
    rows.add_column()
    for s in analysis.sentences:
        r = s.result
        cell = Text()
        cell.append(r.attribution, style=f"bold {RICH_STYLES[r.attribution]}")
        cell.append(" · ")
        cell.append(f"{r.certainty} {r.certainty_score:.2f}", style=RICH_STYLES[r.certainty])
        cell.append("\n" + terminal_safe(r.text))
        details = [(k, v) for k, v in (("source", sentence_source(r)), ("cue", sentence_cue(r))) if v]
        if r.hedges:
            details.append(("hedges", sentence_hedges(r)))
        if details:
            cell.append("\n" + terminal_safe("   ".join(f"{k}: {v}" for k, v in details)), style="dim")
        rows.add_row(f"#{s.index + 1}", cell)
        rows.add_row("", "")
    console.print(rows)
    # Rich pads every line to the console width; the padding is noise in files and diffs.
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


# ---------------------------------------------------------------- markdown


def _md_table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*lines, ""]


def render_markdown(analysis: ArticleAnalysis) -> str:
    p = analysis.profile
    name, _ = band(p.score)
    out = [
        f"# Sourcing report: {md_escape(_headline(analysis))}",
        "",
        f"**Reliability score: {p.score}/100** ({name}) · predictor `{analysis.predictor}` · "
        + sentence_count(p),
        "",
        "## Flags",
        "",
        *([f"- {md_escape(f.message)}" for f in p.flags] or ["- none"]),
        "",
        "## How the score is built",
        "",
    ]
    rows = [[c.label, f"{c.value:.2f}", f"{c.weight:+g}", f"{c.contribution:+.1f}"] for c in p.components]
    rows.append(["**Total** (clipped to 0-100)", "", "", f"**{p.score}**"])
    out += _md_table(["Component", "Value", "Weight", "Points"], rows, {1, 2, 3})
    out += [f"- {md_escape(c.reason)}" for c in p.components[1:]] + [""]

    out += ["## Profile", ""]
    rows = [
        [f"`{a}`", str(p.attribution_counts[a]), _pct(p.attribution_shares[a])] for a in ATTRIBUTION_LABELS
    ]
    out += _md_table(["Attribution", "Sentences", "Share"], rows, {1, 2})
    rows = [[f"`{c}`", str(p.certainty_counts[c]), _pct(p.certainty_shares[c])] for c in CERTAINTY_LABELS]
    out += _md_table(["Certainty", "Sentences", "Share"], rows, {1, 2})
    out += _md_table(["Measure", "Value"], [[k, v] for k, v in measures(p)], {1})

    out += ["## Sources", ""]
    rows = [
        [
            md_escape(s.name),
            s.kind,
            ", ".join(s.attributions),
            _numbers(s.sentences),
            md_escape(", ".join(s.aliases)),
        ]
        for s in p.sources
    ]
    out += (
        _md_table(["Source", "Kind", "Attribution", "Sentences", "Also called"], rows)
        if rows
        else ["none", ""]
    )

    if p.chains:
        out += ["## Second-hand chains", ""]
        out += [f"- #{c.sentence + 1}: `{c.text.replace('`', chr(39))}`" for c in p.chains] + [""]

    out += ["## Sentences", ""]
    rows = [
        [
            str(s.index + 1),
            f"`{s.result.attribution}`",
            f"`{s.result.certainty}` {s.result.certainty_score:.2f}",
            md_escape(s.result.text),
            md_escape(sentence_source(s.result)),
            md_escape(sentence_cue(s.result)),
            md_escape(sentence_hedges(s.result)),
        ]
        for s in analysis.sentences
    ]
    out += _md_table(["#", "Attribution", "Certainty", "Sentence", "Source", "Cue", "Hedges"], rows, {0})
    return "\n".join(out)


# ---------------------------------------------------------------- html


def _segments(r: SentenceResult) -> list[tuple[str, str]]:
    """The sentence cut at span boundaries: (text, CSS classes of the spans covering it)."""
    marks = [(s, "src") for s in r.sources] + [(s, "cue") for s in r.cues] + [(s, "hedge") for s in r.hedges]
    n = len(r.text)
    cuts = sorted({0, n, *(min(max(x, 0), n) for m, _ in marks for x in (m.start, m.end))})
    out = []
    for a, b in itertools.pairwise(cuts):
        if a < b:
            classes = sorted({cls for m, cls in marks if m.start <= a and b <= m.end})
            out.append((r.text[a:b], " ".join(classes)))
    return out


def _tooltip(index: int, r: SentenceResult) -> str:
    lines = [f"#{index + 1} · {r.attribution} · {r.certainty} ({r.certainty_score:.2f})"]
    for key, value in (
        ("source", sentence_source(r)),
        ("cue", sentence_cue(r)),
        ("hedges", sentence_hedges(r)),
    ):
        if value:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _paragraphs(analysis: ArticleAnalysis) -> list[list[dict[str, Any]]]:
    """Sentences grouped into the article's lines/paragraphs, ready for the template."""
    paragraphs: list[list[dict[str, Any]]] = []
    prev_end = 0
    for s in analysis.sentences:
        if not paragraphs or "\n" in analysis.text[prev_end : s.start]:
            paragraphs.append([])
        r = s.result
        paragraphs[-1].append(
            {
                "number": s.index + 1,
                "attribution": r.attribution,
                "certainty": r.certainty,
                "tip": _tooltip(s.index, r),
                "segments": _segments(r),
            }
        )
        prev_end = s.end
    return paragraphs


def _bars(shares: dict[str, float], counts: dict[str, int], colors: dict[str, str]) -> dict[str, Any]:
    """Geometry of a horizontal SVG bar chart (one row per label)."""
    row, label_w, bar_w = 26, 100, 180
    bars = [
        {
            "label": label,
            "y": i * row,
            "width": round(bar_w * share, 1),
            "color": colors[label],
            "text": f"{_pct(share)} ({counts[label]})",
            "text_x": label_w + bar_w + 8,
        }
        for i, (label, share) in enumerate(shares.items())
    ]
    return {
        "bars": bars,
        "height": row * len(bars),
        "label_w": label_w,
        "bar_w": bar_w,
        "width": label_w + bar_w + 64,
    }


def _style_context() -> dict[str, Any]:
    return {
        "attribution_labels": ATTRIBUTION_LABELS,
        "certainty_labels": CERTAINTY_LABELS,
        "attribution_colors": ATTRIBUTION_COLORS,
        "certainty_colors": CERTAINTY_COLORS,
        "band_colors": {name.split()[0]: colour for _, name, colour in BANDS},
    }


def report_css() -> str:
    """The HTML report's style sheet (inlined by `render_html`; the web app serves it)."""
    return environment(autoescape=True).get_template("report.css.j2").render(**_style_context())


def html_context(analysis: ArticleAnalysis, standalone: bool = True) -> dict[str, Any]:
    """What the HTML report's templates (report.html.j2, report_body.html.j2) are given."""
    p = analysis.profile
    band_name, band_color = band(p.score)
    return {
        **_style_context(),
        "headline": _headline(analysis, 160),
        "predictor": analysis.predictor,
        "profile": p,
        "sentence_count": sentence_count(p),
        "band": band_name,
        "band_key": band_name.split()[0],
        "band_color": band_color,
        "gauge": {"circumference": 2 * 3.14159265 * 52, "filled": 2 * 3.14159265 * 52 * p.score / 100},
        "attribution_chart": _bars(
            p.attribution_shares, p.attribution_counts, {k: v[0] for k, v in ATTRIBUTION_COLORS.items()}
        ),
        "certainty_chart": _bars(p.certainty_shares, p.certainty_counts, CERTAINTY_COLORS),
        "measures": measures(p),
        "paragraphs": _paragraphs(analysis),
        "sentences": [
            {
                "number": s.index + 1,
                "text": s.result.text,
                "attribution": s.result.attribution,
                "certainty": s.result.certainty,
                "score": f"{s.result.certainty_score:.2f}",
                "source": sentence_source(s.result),
                "cue": sentence_cue(s.result),
                "hedges": sentence_hedges(s.result),
            }
            for s in analysis.sentences
        ],
        "numbers": _numbers,
        "attribution_titles": ATTRIBUTION_TITLES,
        "attribution_help": ATTRIBUTION_HELP,
        "attribution_badges": ATTRIBUTION_BADGES,
        "certainty_help": CERTAINTY_HELP,
        "schema_version": SCHEMA_VERSION,
        "standalone": standalone,
    }


def render_html(analysis: ArticleAnalysis) -> str:
    """One self-contained page: inline CSS and SVG, no scripts or network resources."""
    return environment(autoescape=True).get_template("report.html.j2").render(**html_context(analysis))


def render_html_body(analysis: ArticleAnalysis) -> str:
    """The report without its page (what goes inside `<main>`), for a page that links report_css()."""
    context = html_context(analysis, standalone=False)
    return environment(autoescape=True).get_template("report_body.html.j2").render(**context)
