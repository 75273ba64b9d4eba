"""The corpus comparison page and figure: groups side by side (score, anonymous and hearsay
shares, hedging, named sources per article), drawn with matplotlib.

The page is one self-contained HTML file: inline CSS and inline SVG, no scripts, no network, all
text escaped (docs/compare.md). matplotlib (the `eval` extra) is imported only here, lazily, and
draws on a bare Figure with the Agg canvas, so no pyplot state is shared with a host program.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attrib.compare import GIVEN_LABELS, ArticleRow, GroupSummary, overall, summarize
from attrib.errors import AttribError
from attrib.markup import environment, terminal_safe
from attrib.output import write_bytes, write_text

FIGURE_FORMATS = {".svg": "svg", ".png": "png"}
# Tableau's ten colours (colour-blind-aware), one per group, repeating after ten.
GROUP_COLORS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
INK, MUTED, LINE = "#1f2733", "#5d6776", "#e3e7ed"
MAX_LABEL = 28  # characters of a group name on an axis
FIGURE_WIDTH = 12.8  # inches: four panels side by side


@dataclass(frozen=True)
class Panel:
    """One measure drawn per group: a box plot of the articles with each article as a dot."""

    column: str  # an ArticleRow.to_dict() key
    title: str
    share: bool  # a 0-1 share, drawn as a percentage

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "title": self.title, "share": self.share}


SCORE = Panel("score", "Reliability score (0-100)", False)
MEASURES = (
    Panel("anonymous_share", "Anonymous share of sourced sentences", True),
    Panel("hearsay_share", "Hearsay (reportedly) share", True),
    Panel("hedged_share", "Hedged or speculative share", True),
    Panel("n_named_sources", "Named sources per article", False),
)


def require_matplotlib() -> None:
    """One clear error, before any work, when the figures cannot be drawn."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise AttribError(
            "the comparison page and figure need matplotlib: pip install 'attrib[eval]'"
        ) from None


def group_colors(groups: Sequence[GroupSummary]) -> dict[str, str]:
    return {g.group: GROUP_COLORS[i % len(GROUP_COLORS)] for i, g in enumerate(groups)}


def _label(name: str) -> str:
    # Control characters would make the SVG invalid XML; long names would squeeze the panels.
    name = terminal_safe(name)
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _jitter(k: int) -> float:
    """A deterministic spread of the k-th dot across its row (golden-ratio steps, no RNG)."""
    return ((k * 0.6180339887) % 1.0 - 0.5) * 0.42


def _draw(ax: Any, panel: Panel, rows: Sequence[ArticleRow], groups: Sequence[GroupSummary]) -> None:
    import matplotlib
    from matplotlib.ticker import PercentFormatter

    colors = group_colors(groups)
    values: dict[str, list[float]] = {g.group: [] for g in groups}
    for r in rows:
        if r.group in values:
            values[r.group].append(float(r.to_dict()[panel.column]))
    data = [values[g.group] for g in groups]
    positions = list(range(len(groups)))
    # `orientation` replaced `vert` in matplotlib 3.10; the older releases know only `vert`.
    horizontal = {"orientation": "horizontal"} if matplotlib.__version_info__ >= (3, 10) else {"vert": False}
    box = ax.boxplot(
        data,
        positions=positions,
        widths=0.6,
        showfliers=False,  # every article is drawn as a dot anyway
        patch_artist=True,
        medianprops={"color": INK, "linewidth": 1.6},
        whiskerprops={"color": MUTED, "linewidth": 0.9},
        capprops={"color": MUTED, "linewidth": 0.9},
        boxprops={"linewidth": 0.9, "edgecolor": MUTED},
        **horizontal,
    )
    for patch, g in zip(box["boxes"], groups, strict=True):
        patch.set_facecolor(colors[g.group] + "40")  # the group's colour, light
    for i, (g, vals) in enumerate(zip(groups, data, strict=True)):
        ax.scatter(
            vals,
            [i + _jitter(k) for k in range(len(vals))],
            s=7,
            color=colors[g.group],
            alpha=0.6,
            linewidths=0,
            zorder=3,
        )
        mean = sum(vals) / len(vals)
        ax.scatter([mean], [i], marker="D", s=22, color="white", edgecolors=INK, linewidths=1, zorder=4)
    ax.set_yticks(positions)
    ax.set_yticklabels([f"{_label(g.group)} ({g.n_articles})" for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)  # the first group on top
    ax.set_title(panel.title, loc="left", fontsize=10, color=INK)
    if panel.share:
        # Anonymous and hearsay shares are mostly small: a fixed 0-100% axis would squash them.
        top = min(1.0, max(0.05, *(v for vals in data for v in vals)))
        ax.set_xlim(-0.02 * top, 1.04 * top)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif panel is SCORE:
        # Scores bunch near the top: start at the lowest one's ten, not at 0, but always end at 100.
        low = min(v for vals in data for v in vals)
        ax.set_xlim(max(0.0, math.floor(low / 10) * 10 - 2), 102)
    else:
        ax.set_xlim(left=-0.3)
    ax.grid(axis="x", color=LINE, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(colors=MUTED, labelsize=9)
    ax.tick_params(axis="y", colors=INK, length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(LINE)


def _figure(
    rows: Sequence[ArticleRow], groups: Sequence[GroupSummary], top: Panel | None, row: Sequence[Panel]
) -> Any:
    """`top` across the full width (if given) above the `row` panels side by side."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    band = 0.34 * len(groups) + 0.9  # inches per panel row
    # One width for every figure, so that pages scale their text alike.
    fig = Figure(figsize=(FIGURE_WIDTH, band * ((top is not None) + bool(row))))
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec((top is not None) + bool(row), max(len(row), 1))
    if top is not None:
        _draw(fig.add_subplot(grid[0, :]), top, rows, groups)
    first = None
    for i, panel in enumerate(row):
        ax = fig.add_subplot(grid[-1, i], sharey=first)
        _draw(ax, panel, rows, groups)
        first = first or ax
        if i:
            ax.tick_params(axis="y", labelleft=False)
    fig.set_layout_engine("constrained")
    return fig


@contextmanager
def _quiet_rc(salt: str) -> Iterator[None]:
    """Reproducible, text-preserving output: text stays text (and `$` never turns on mathtext);
    ids are salted per figure so two inline SVGs never share one; glyph warnings are muted."""
    import matplotlib

    rc = {"svg.fonttype": "none", "svg.hashsalt": salt, "text.parse_math": False, "font.size": 9}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Glyph ... missing from font": drawn as a box
        yield


def _svg(
    rows: Sequence[ArticleRow],
    groups: Sequence[GroupSummary],
    top: Panel | None,
    row: Sequence[Panel],
    salt: str,
) -> str:
    with _quiet_rc(salt):
        fig = _figure(rows, groups, top, row)
        buf = io.StringIO()
        # No metadata: no date (reproducible) and no creator's web address.
        fig.savefig(buf, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]  # inline: no XML prolog or doctype


def figure_format(path: str | Path) -> str:
    fmt = FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise AttribError(f"cannot tell the picture format of {path} from its extension; use .svg or .png")
    require_matplotlib()
    return fmt


def figure(
    rows: Sequence[ArticleRow], fmt: str = "svg", groups: Sequence[GroupSummary] | None = None
) -> str | bytes:
    """Every panel of the page in one picture: SVG text or PNG bytes."""
    if fmt not in FIGURE_FORMATS.values():
        raise AttribError(f"unknown picture format {fmt!r}; use svg or png")
    require_matplotlib()
    groups = summarize(rows) if groups is None else groups
    if fmt == "svg":
        return _svg(rows, groups, SCORE, MEASURES, "attrib-figure")
    with _quiet_rc("attrib-figure"):
        fig = _figure(rows, groups, SCORE, MEASURES)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def write_figure(
    path: str | Path,
    content: str | bytes,
    inputs: tuple[str | Path, ...] = (),
) -> None:
    """Write a `figure` atomically (drawn first, so that a drawing error leaves no file)."""
    if isinstance(content, bytes):
        write_bytes(path, content, inputs)
    else:
        write_text(path, content, inputs)


def compare_html(
    rows: Sequence[ArticleRow],
    groups: Sequence[GroupSummary] | None = None,
    labels: str = "",
    title: str = "Corpus comparison",
) -> str:
    """The comparison page as a string. `labels` says what labelled the sentences (a predictor's
    name, or the records' own labels); the page says that predictions are not gold."""
    if not rows:
        raise AttribError("nothing to compare: no articles")
    require_matplotlib()
    groups = summarize(rows) if groups is None else tuple(groups)
    colors = group_colors(groups)
    table = [(g, colors[g.group]) for g in groups] + ([(overall(rows), None)] if len(groups) > 1 else [])
    articles = sorted((r.to_dict() for r in rows), key=lambda d: (d["group"], -d["score"], d["doc_id"]))
    context = {
        "title": title,
        "labels": labels,
        "predicted": labels != GIVEN_LABELS,
        "n_articles": len(rows),
        "n_sentences": sum(r.profile.n_sentences for r in rows),
        "groups": groups,
        "summaries": table,
        "score_svg": _svg(rows, groups, SCORE, (), "attrib-score"),
        "measures_svg": _svg(rows, groups, None, MEASURES, "attrib-measures"),
        "articles": articles,
    }
    env = environment(autoescape=True, filters={"pct": lambda x: f"{100 * x:.1f}%"})
    return env.get_template("compare.html.j2").render(**context)
