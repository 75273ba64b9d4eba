"""The `attrib` command: thin argument parsing over library functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from attrib.errors import AttribError

FORMATS = ("text", "markdown", "json", "html")


def _add_predictor_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--model", metavar="PATH", help="a fine-tuned attrib checkpoint folder")
    g.add_argument(
        "--predictor", choices=("model", "baseline"), default="model", help="'baseline': the lexicon baseline"
    )
    p.add_argument("--int8", action="store_true", help="run the model with dynamic int8 quantisation")


def _predictor_spec(args: argparse.Namespace) -> str | None:
    return "baseline" if args.predictor == "baseline" else args.model


def build_parser() -> argparse.ArgumentParser:
    from attrib import __version__

    parser = argparse.ArgumentParser(prog="attrib", description="Who vouches for each claim, and how firmly.")
    parser.add_argument("--version", action="version", version=f"attrib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("report", help="analyse an article (text or HTML file, or - for stdin)")
    p.add_argument("path", help="article file (.txt, .html) or - for standard input")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--out", metavar="FILE", help="write the report here instead of standard output")
    _add_predictor_args(p)

    p = sub.add_parser("label", help="label every sentence of a JSONL file")
    p.add_argument("input", help="JSONL with a 'text' key per line")
    p.add_argument("-o", "--out", required=True, metavar="OUT.jsonl")
    _add_predictor_args(p)

    p = sub.add_parser("evaluate", help="score a predictor against a labelled JSONL file")
    p.add_argument("gold", help="labelled JSONL (../shared/LABELS.md format)")
    _add_predictor_args(p)
    p.add_argument("--predictions", metavar="PRED.jsonl", help="score this file of predictions instead")
    p.add_argument(
        "--compare", metavar="OTHER", help="a second predictor side by side: 'baseline' or a model path"
    )
    p.add_argument(
        "--out", metavar="FILE", help="report.html, report.md or report.json (default: text to stdout)"
    )

    p = sub.add_parser("bench", help="sentences per second: baseline, fp32 model, int8 model")
    p.add_argument("--model", metavar="PATH", help="checkpoint folder (default: the shipped model)")
    p.add_argument("--input", metavar="FILE.jsonl", help="sentences to time (default: the seeds' gold set)")
    p.add_argument("--repeat", type=int, default=3)
    return parser


def _run(args: argparse.Namespace) -> None:
    from attrib.predictor import load_predictor

    if args.command == "report":
        from attrib.analysis import analyze
        from attrib.reader import read_article
        from attrib.render import render, write_output

        text = read_article(args.path)
        analysis = analyze(text, load_predictor(_predictor_spec(args), args.int8))
        color = args.out is None and sys.stdout.isatty()
        write_output(render(analysis, args.format, color=color), args.out)
    elif args.command == "label":
        from attrib.evaluate import label_file

        label_file(
            args.input,
            args.out,
            load_predictor(_predictor_spec(args), args.int8),
            progress=sys.stderr.isatty(),
        )
    elif args.command == "evaluate":
        from attrib.evaluate import evaluate_file, render_evaluation
        from attrib.render import write_output

        predictor = None if args.predictions else load_predictor(_predictor_spec(args), args.int8)
        compare = load_predictor(args.compare) if args.compare else None
        report = evaluate_file(args.gold, predictor=predictor, predictions=args.predictions, compare=compare)
        fmt = (
            "text"
            if args.out is None
            else {"html": "html", "md": "markdown", "json": "json"}.get(
                args.out.rsplit(".", 1)[-1].lower(), "text"
            )
        )
        write_output(render_evaluation(report, fmt), args.out)
    elif args.command == "bench":
        from attrib.bench import run_bench

        print(run_bench(args.model, args.input, args.repeat))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _run(args)
    except AttribError as exc:
        print(f"attrib: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"attrib: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
