"""Rendering an evaluation report as text, markdown, JSON or self-contained HTML.

The report is first laid out as format-neutral sections of tables (systems side by side); the
templates in attrib/templates/eval.* only typeset them. HTML adds matplotlib figures as inline
base64 PNGs, so the page needs no network and no files beside it.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from attrib.errors import AttribError
from attrib.labels import SPAN_KINDS
from attrib.markup import environment, terminal_safe

DASH = "—"
TEXT_WIDTH = 100  # sentence texts are clipped to this in text and markdown tables


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    title: str = ""
    numeric: list[bool] = field(default_factory=list)  # right-aligned columns

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [i > 0 for i in range(len(self.headers))]


@dataclass
class Figure:
    caption: str
    data_uri: str | None  # None: a placeholder saying why there is no image
    note: str = ""


@dataclass
class Section:
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    figures: list[list[Figure]] = field(default_factory=list)  # rows of figures, one per system


def _f(x: float | None, digits: int = 3) -> str:
    return DASH if x is None else f"{x:.{digits}f}"


def _clip(text: str, width: int | None) -> str:
    text = terminal_safe(" ".join(text.split()))
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def _ci(head: dict[str, Any]) -> str:
    ci = head["macro_f1_ci95"]
    return _f(head["macro_f1"]) + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


# Summary rows: (label, getter of (value text, n) from one system's scores).
SUMMARY: list[tuple[str, Callable[[dict[str, Any]], tuple[str, int]]]] = [
    ("Attribution accuracy", lambda s: (_f(s["attribution"]["accuracy"]), s["attribution"]["n"])),
    ("Attribution macro-F1 [95% CI]", lambda s: (_ci(s["attribution"]), s["attribution"]["n"])),
    ("Certainty accuracy", lambda s: (_f(s["certainty"]["accuracy"]), s["certainty"]["n"])),
    ("Certainty macro-F1 [95% CI]", lambda s: (_ci(s["certainty"]), s["certainty"]["n"])),
    (
        "Certainty binary F1 (uncertain)",
        lambda s: (_f(s["certainty_binary"]["f1"]), s["certainty_binary"]["n"]),
    ),
    ("Certainty score Pearson r", lambda s: (_f(s["certainty_score"]["pearson"]), s["certainty_score"]["n"])),
    (
        "Certainty score Spearman ρ",
        lambda s: (_f(s["certainty_score"]["spearman"]), s["certainty_score"]["n"]),
    ),
    ("Certainty score MAE", lambda s: (_f(s["certainty_score"]["mae"]), s["certainty_score"]["n"])),
    *[
        (
            f"{kind.capitalize()} span F1 exact / overlap",
            lambda s, k=kind: (
                f"{_f(s['spans'][k]['exact']['f1'])} / {_f(s['spans'][k]['overlap']['f1'])}",
                s["spans"][k]["n"],
            ),
        )
        for kind in SPAN_KINDS
    ],
    (
        "Chain P / R (exact)",
        lambda s: (
            f"{_f(s['chains']['exact']['precision'])} / {_f(s['chains']['exact']['recall'])}",
            s["chains"]["n"],
        ),
    ),
    (
        "Attribution ECE",
        lambda s: (_f(s["calibration"]["attribution"]["ece"]), s["calibration"]["attribution"]["n"]),
    ),
    (
        "Certainty ECE",
        lambda s: (_f(s["calibration"]["certainty"]["ece"]), s["calibration"]["certainty"]["n"]),
    ),
]


def _summary(systems: list[dict[str, Any]]) -> Section:
    headers = ["Metric"]
    for s in systems:
        headers += [s["name"], "n"]
    rows = []
    for label, get in SUMMARY:
        row = [label]
        for s in systems:
            value, n = get(s)
            row += [value, str(n)]
        rows.append(row)
    return Section(
        "Summary",
        "n is the number of sentences a figure rests on: gold values that are null or missing skip "
        "that head for that sentence. A dash means there was nothing to score.",
        [Table(headers, rows)],
    )


def _head_section(systems: list[dict[str, Any]], head: str, images: bool) -> Section:
    first = systems[0][head]
    headers = ["Label", "Support"]
    for s in systems:
        headers += [f"{s['name']} P", "R", "F1"]
    rows = []
    for label, stats in first["per_class"].items():
        row = [label, str(stats["support"])]
        for s in systems:
            c = s[head]["per_class"][label]
            row += [_f(c["precision"]), _f(c["recall"]), _f(c["f1"])]
        rows.append(row)
    # As in scikit-learn's report, the summary figures go in the F1 column.
    acc, macro = ["accuracy", str(first["n"])], ["macro F1", str(first["n"])]
    for s in systems:
        acc += ["", "", _f(s[head]["accuracy"])]
        macro += ["", "", _ci(s[head])]
    section = Section(
        head.capitalize(),
        f"Per-class precision, recall and F1 on the {first['n']} sentences with a gold {head} label. "
        "Macro-F1 averages the classes that occur in the gold or the predictions; its interval is a "
        "seeded bootstrap over sentences.",
        [Table(headers, [*rows, acc, macro], title="Per class")],
    )
    if head == "certainty":
        section.tables.append(_binary_table(systems))
        section.tables.append(_score_table(systems))
    if images:
        section.figures.append(
            [
                Figure(f"{s['name']}: confusion matrix", _confusion_png(s[head]["confusion"], head))
                for s in systems
            ]
        )
    for s in systems:
        cm = s[head]["confusion"]
        if not images:
            rows = [[g, *map(str, r)] for g, r in zip(cm["labels"], cm["matrix"], strict=True)]
            section.tables.append(
                Table(["gold \\ predicted", *cm["labels"]], rows, title=f"Confusion: {s['name']}")
            )
    return section


def _binary_table(systems: list[dict[str, Any]]) -> Table:
    rows = [
        [s["name"], str(b["n"]), _f(b["accuracy"]), _f(b["precision"]), _f(b["recall"]), _f(b["f1"])]
        for s in systems
        for b in [s["certainty_binary"]]
    ]
    return Table(
        ["System", "n", "Accuracy", "P", "R", "F1"],
        rows,
        title="Binary: certain vs not certain (positive: hedged or speculative)",
    )


def _score_table(systems: list[dict[str, Any]]) -> Table:
    rows = [
        [s["name"], str(c["n"]), _f(c["pearson"]), _f(c["spearman"]), _f(c["mae"])]
        for s in systems
        for c in [s["certainty_score"]]
    ]
    return Table(
        ["System", "n", "Pearson r", "Spearman ρ", "MAE"],
        rows,
        title="Certainty score vs gold certainty_score",
    )


def _spans_section(systems: list[dict[str, Any]]) -> Section:
    headers = ["Span", "System", "n", "Gold", "Pred", "Exact P", "R", "F1", "Overlap P", "R", "F1"]
    rows = []
    for kind in systems[0]["spans"]:
        for s in systems:
            m = s["spans"][kind]
            prf = [_f(d[key]) for d in (m["exact"], m["overlap"]) for key in ("precision", "recall", "f1")]
            rows.append([kind, s["name"], str(m["n"]), str(m["gold"]), str(m["predicted"]), *prf])
    table = Table(headers, rows, numeric=[False, False, *[True] * 9])
    return Section(
        "Spans",
        "Micro-averaged over all spans of the sentences whose gold has that span list (n). Exact: the same "
        "[start, end). Overlap: at least one shared character; spans are paired one-to-one, greedily by "
        "largest shared length.",
        [table],
    )


def _chains_section(systems: list[dict[str, Any]]) -> Section:
    headers = ["System", "n", "Gold", "Pred", "Detected P", "R", "F1", "Exact P", "R", "F1"]
    rows = []
    for s in systems:
        m = s["chains"]
        prf = [_f(m[k][key]) for k in ("detected", "exact") for key in ("precision", "recall", "f1")]
        rows.append([s["name"], str(m["n"]), str(m["gold"]), str(m["predicted"]), *prf])
    return Section(
        "Chains",
        "Relay chains (two or more hops, outer to inner) over the sentences whose gold has a `chain` "
        "(n). Detected: both have a chain. Exact: the same hop sources in the same order.",
        [Table(headers, rows, numeric=[False, *[True] * 9])],
    )


def _calibration_section(systems: list[dict[str, Any]], images: bool) -> Section:
    section = Section(
        "Calibration",
        "Expected calibration error over 10 equal-width bins of the highest class probability; "
        "a sentence counts when the prediction has probabilities and the gold has the label.",
    )
    for head in ("attribution", "certainty"):
        cals = [(s["name"], s["calibration"][head]) for s in systems]
        with_probs = [(name, cal) for name, cal in cals if cal["n"]]
        if not with_probs:
            section.tables.append(
                Table(["Bin"], [], title=f"{head.capitalize()}: no probabilities to calibrate")
            )
            continue
        if images:
            section.figures.append(
                [
                    Figure(f"{name}: {head} reliability", _reliability_png(cal, head))
                    if cal["n"]
                    else Figure(f"{name}: {head} reliability", None, "no probabilities to calibrate")
                    for name, cal in cals
                ]
            )
            continue
        headers = ["Bin"]
        for name, _ in cals:
            headers += [f"{name} n", "conf", "acc"]
        rows = []
        for i, b in enumerate(cals[0][1]["bins"]):
            if not any(cal["bins"][i]["count"] for _, cal in cals):
                continue  # empty for every system: a row of dashes says nothing
            row = [f"{b['lo']:.1f}–{b['hi']:.1f}"]
            for _, cal in cals:
                sb = cal["bins"][i]
                row += [str(sb["count"]), _f(sb["confidence"]), _f(sb["accuracy"])]
            rows.append(row)
        eces = ", ".join(f"{name} {_f(cal['ece'])}" for name, cal in cals)
        section.tables.append(Table(headers, rows, title=f"{head.capitalize()} (ECE: {eces})"))
    return section


def _worst_section(systems: list[dict[str, Any]], width: int | None) -> Section:
    section = Section(
        "Worst errors",
        "The most confident wrong labels (file order where the predictor gives no probabilities) and the "
        "largest certainty-score errors. Line: the line in the gold file.",
    )
    for head in ("attribution", "certainty", "certainty_score"):
        for s in systems:
            items = s["worst"][head]
            if head == "certainty_score":
                headers = ["Line", "Gold", "Pred", "|Error|", "Text"]
                rows = [
                    [
                        str(w["line"]),
                        _f(w["gold"], 2),
                        _f(w["predicted"], 2),
                        _f(w["error"], 2),
                        _clip(w["text"], width),
                    ]
                    for w in items
                ]
            else:
                headers = ["Line", "Gold", "Pred", "Conf", "Text"]
                rows = [
                    [
                        str(w["line"]),
                        w["gold"],
                        w["predicted"],
                        _f(w["confidence"], 2),
                        _clip(w["text"], width),
                    ]
                    for w in items
                ]
            title = f"{head.replace('_', ' ').capitalize()}: {s['name']}"
            if not rows:
                title += " (none)"
            section.tables.append(
                Table(headers, rows, title=title, numeric=[True, False, False, True, False])
            )
    return section


def build_sections(report: dict[str, Any], images: bool, width: int | None) -> list[Section]:
    systems = list(report["systems"])
    return [
        _summary(systems),
        _head_section(systems, "attribution", images),
        _head_section(systems, "certainty", images),
        _spans_section(systems),
        _chains_section(systems),
        _calibration_section(systems, images),
        _worst_section(systems, width),
    ]


# --------------------------------------------------------------------------- figures


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    # No metadata: matplotlib would otherwise stamp its web address into the file.
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _confusion_png(cm: dict[str, Any], head: str) -> str:
    import numpy as np
    from matplotlib.figure import Figure as MplFigure

    labels, matrix = cm["labels"], np.array(cm["matrix"], dtype=float)
    # Colour by row share (recall), so that rare classes are as visible as frequent ones.
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = 1.0 + 0.62 * len(labels)
    fig = MplFigure(figsize=(size + 0.6, size))
    ax = fig.add_subplot()
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(
                j,
                i,
                f"{int(matrix[i, j])}",
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.6 else "black",
            )
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(f"predicted {head}")
    ax.set_ylabel(f"gold {head}")
    return _png(fig)


def _reliability_png(cal: dict[str, Any], head: str) -> str:
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(4.2, 3.8))
    ax = fig.add_subplot()
    bins = [b for b in cal["bins"] if b["count"]]
    width = cal["bins"][0]["hi"] - cal["bins"][0]["lo"] if cal["bins"] else 0.1
    ax.bar(
        [b["lo"] for b in bins],
        [b["accuracy"] for b in bins],
        width=width,
        align="edge",
        color="#4c72b0",
        edgecolor="white",
        label="accuracy",
    )
    ax.plot([0, 1], [0, 1], "--", color="#888", label="perfect calibration")
    ax.scatter(
        [b["confidence"] for b in bins],
        [b["accuracy"] for b in bins],
        color="#dd8452",
        zorder=3,
        s=18,
        label="bin: mean confidence, accuracy",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.03)  # room for points at accuracy 1
    ax.set_xlabel(f"confidence (max {head} probability)")
    ax.set_ylabel("accuracy")
    ece = cal["ece"]
    ax.set_title(
        f"ECE {ece:.3f}, n={cal['n']}" if ece is not None else "no probabilities to calibrate", fontsize=10
    )
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return _png(fig)


# --------------------------------------------------------------------------- typesetting


def _text_table(table: Table) -> str:
    widths = [max(len(r[i]) for r in [table.headers, *table.rows]) for i in range(len(table.headers))]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, table.numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(table.headers), rule, *(line(r) for r in table.rows)])


def render_report(report: dict[str, Any], fmt: str) -> str:
    """An evaluation report (`EvalReport.to_dict()`, docs/evaluate.md) as text, markdown, json or html."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    templates = {"text": "eval.txt.j2", "markdown": "eval.md.j2", "html": "eval.html.j2"}
    if fmt not in templates:
        raise AttribError(f"unknown report format {fmt!r}; expected text, markdown, json or html")
    html = fmt == "html"
    sections = build_sections(report, images=html, width=None if html else TEXT_WIDTH)
    env = environment(autoescape=html, filters={"text_table": _text_table})
    return env.get_template(templates[fmt]).render(
        report=report, systems=[s["name"] for s in report["systems"]], sections=sections
    )
