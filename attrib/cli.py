"""The `attrib` command: thin argument parsing over library functions.

The only module that prints, exits, draws progress bars or looks at the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from attrib.errors import AttribError

if TYPE_CHECKING:
    from attrib.predictor import Predictor

FORMATS = ("text", "markdown", "json", "html")
EXTENSION_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".txt": "text"}
GUIDE = "docs/labels.md"


def _add_predictor_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--model", metavar="PATH", help="a fine-tuned attrib checkpoint folder")
    g.add_argument(
        "--predictor", choices=("model", "baseline"), default="model", help="'baseline': the lexicon baseline"
    )
    p.add_argument(
        "--backend",
        choices=("onnx", "torch"),
        default="onnx",
        help="'onnx' (default): the int8 ONNX Runtime export, no torch; 'torch': the reference model",
    )
    p.add_argument("--int8", action="store_true", help="with --backend torch: torch's dynamic int8")
    p.add_argument(
        "--threads", type=_positive, default=None, metavar="N", help="threads (default: the usable cores)"
    )


def _add_output_args(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from the --out extension .html/.md/.json/.txt, else text)",
    )
    p.add_argument("--out", metavar="FILE", help=f"write the {what} here instead of standard output")


def _predictor(args: argparse.Namespace) -> Predictor:
    from attrib.analysis import load_predictor

    spec = "baseline" if args.predictor == "baseline" else args.model
    return load_predictor(spec, args.int8, args.backend, args.threads)


def output_format(fmt: str | None, out: str | None) -> str:
    """An explicit --format wins; else the --out extension decides; else text."""
    if fmt:
        return fmt
    if out is None:
        return "text"
    suffix = Path(out).suffix.lower()
    if suffix not in EXTENSION_FORMATS:
        raise AttribError(
            f"cannot tell the format of {out} from its extension; use .html, .md, .json or .txt, or --format"
        )
    return EXTENSION_FORMATS[suffix]


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are one line too: the message and where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"attrib: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from attrib.version import __version__

    parser = _Parser(prog="attrib", description="Who vouches for each claim, and how firmly.")
    parser.add_argument("--version", action="version", version=f"attrib {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("report", help="analyse an article (text or HTML file, or - for stdin)")
    p.add_argument("path", help="article file (.txt, .html) or - for standard input")
    p.add_argument(
        "--max-chars",
        type=_positive,
        default=None,
        metavar="N",
        help="refuse articles longer than N characters (default 1,000,000)",
    )
    _add_output_args(p, "report")
    _add_predictor_args(p)

    p = sub.add_parser("label", help="label every sentence of a JSONL file")
    p.add_argument("input", help=f"JSONL with a 'text' key per line (format: {GUIDE}), or - for stdin")
    p.add_argument("-o", "--out", required=True, metavar="OUT.jsonl")
    _add_predictor_args(p)
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="'ray': label on Ray Data (pip install 'attrib[scale]'); input and output may be .parquet",
    )
    p.add_argument(
        "--address", metavar="ADDR", help="with --engine ray: an existing cluster (default: local)"
    )
    p.add_argument(
        "--workers", type=_positive, default=2, metavar="N", help="with --engine ray: worker processes (2)"
    )

    p = sub.add_parser("evaluate", help="score a predictor against a labelled JSONL file")
    p.add_argument("gold", help=f"labelled JSONL (the format of {GUIDE})")
    _add_predictor_args(p)
    p.add_argument("--predictions", metavar="PRED.jsonl", help="score this file of predictions instead")
    p.add_argument(
        "--compare", metavar="OTHER", help="a second predictor side by side: 'baseline' or a model path"
    )
    _add_output_args(p, "evaluation report")

    p = sub.add_parser("compare", help="profile a corpus: one row per article, a summary per group")
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="folders of .txt/.html articles (group: the subfolder), article files, or JSONL sentences "
        "with a doc_id per line (docs/compare.md)",
    )
    p.add_argument("-o", "--out", metavar="ROWS.csv|ROWS.parquet", help="one row per article")
    p.add_argument("--html", metavar="PAGE.html", help="a self-contained page comparing the groups")
    p.add_argument("--figure", metavar="PLOT.svg|PLOT.png", help="the page's plots in one picture")
    p.add_argument(
        "--group-field",
        metavar="FIELD",
        help="JSONL: the key naming each article's group (default: outlet, else group, else the file name)",
    )
    p.add_argument(
        "--use-labels",
        action="store_true",
        help="JSONL: profile the records' own labels (gold, or `attrib label` output) instead of predicting",
    )
    _add_predictor_args(p)

    p = sub.add_parser(
        "bench", help="speed: raw encoders, end to end per backend, start-up, agreement with fp32"
    )
    p.add_argument("--model", metavar="PATH", help="checkpoint folder (default: the shipped model)")
    p.add_argument(
        "--input",
        metavar="FILE.jsonl",
        help="sentences to time (default: the packaged sample article's sentences, tiled to 500)",
    )
    p.add_argument("--repeat", type=_positive, default=3)
    p.add_argument(
        "--threads", type=_positive, default=None, metavar="N", help="threads (default: the usable cores)"
    )
    p.add_argument(
        "--busy", type=_count, default=0, metavar="N", help="run N CPU-bound processes alongside (contention)"
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = sub.add_parser("serve", help="the local web app: paste, upload or fetch an article ([web] extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this computer only)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument("--sample", action="store_true", help="open with the sample article in the text box")
    p.add_argument(
        "--max-chars",
        type=_positive,
        default=None,
        metavar="N",
        help="refuse articles longer than N characters (default 200,000)",
    )
    _add_predictor_args(p)
    return parser


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None


def _positive(value: str) -> int:
    n = _whole(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _port(value: str) -> int:
    n = _whole(value)
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 1 to 65535, got {n}")
    return n


def _count(value: str) -> int:
    """A whole number from 0 to 64 (a benchmark's helper processes)."""
    n = _whole(value)
    if not 0 <= n <= 64:
        raise argparse.ArgumentTypeError(f"must be from 0 to 64, got {n}")
    return n


def _emit(content: str, out: str | None, inputs: tuple[str, ...]) -> None:
    from attrib.output import write_text

    if out is None:
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        sys.stdout.flush()
    else:
        write_text(out, content, inputs=inputs)


def _run(args: argparse.Namespace) -> None:
    from attrib.analysis import load_predictor

    if args.command == "report":
        from attrib.analysis import analyze
        from attrib.output import check_target
        from attrib.reader import MAX_CHARS, read_article
        from attrib.render import render

        inputs = () if args.path == "-" else (args.path,)
        if args.out:
            check_target(args.out, inputs)  # before any work: never overwrite the input
        fmt = output_format(args.format, args.out)
        text = read_article(args.path, args.max_chars or MAX_CHARS)
        analysis = analyze(text, _predictor(args))
        color = args.out is None and fmt == "text" and sys.stdout.isatty()
        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        _emit(render(analysis, fmt, color=color, width=width), args.out, inputs)
    elif args.command == "label" and args.engine == "ray":
        from attrib.scale import label_with_ray

        if args.input == "-" or args.predictor == "baseline":
            raise AttribError("--engine ray reads a file (not -) and runs a model (not the baseline)")
        label_with_ray(
            args.input,
            args.out,
            model=args.model,
            address=args.address,
            workers=args.workers,
            threads=args.threads or 1,
            backend=args.backend,
        )
    elif args.command == "label":
        from tqdm import tqdm

        from attrib.labelling import count_records, label_file

        predictor = _predictor(args)
        show = sys.stderr.isatty()
        total = count_records(args.input) if show and Path(args.input).is_file() else None
        with tqdm(total=total, disable=not show, unit="sent", file=sys.stderr, desc="labelling") as bar:
            label_file(args.input, args.out, predictor, on_progress=bar.update)
    elif args.command == "evaluate":
        from attrib.evalreport import render_report
        from attrib.evaluate import evaluate_file
        from attrib.output import check_target

        inputs = (args.gold, *([args.predictions] if args.predictions else []))
        if args.out:
            check_target(args.out, inputs)
        fmt = output_format(args.format, args.out)
        predictor = None if args.predictions else _predictor(args)
        compare = load_predictor(args.compare, backend=args.backend) if args.compare else None
        report = evaluate_file(args.gold, predictor=predictor, predictions=args.predictions, compare=compare)
        _emit(render_report(report.to_dict(), fmt), args.out, inputs)
    elif args.command == "compare":
        _compare(args)
    elif args.command == "bench":
        from attrib.bench import DEFAULT_SENTENCES, run_bench, sample_sentences
        from attrib.labelling import label_file
        from attrib.records import iter_records
        from attrib.runtime import available_cores

        if args.input:
            sentences, source = [r["text"] for r in iter_records(args.input)], Path(args.input).name
        else:
            sentences, source = sample_sentences(), f"the sample article (tiled to {DEFAULT_SENTENCES})"
        threads = args.threads or available_cores()
        fp32 = load_predictor(args.model, backend="torch", threads=threads)
        onnx = load_predictor(args.model, threads=threads)
        predictors = [fp32, fp32.quantized(), onnx, load_predictor("baseline")]  # type: ignore[attr-defined]
        result = run_bench(
            predictors,
            sentences,
            source,
            label=lambda src, dst: label_file(src, dst, onnx),
            repeat=args.repeat,
            threads=threads,
            busy=args.busy,
            startup_model=args.model,
        )
        print(json.dumps(result.to_dict(), indent=2) if args.json else result.table())
    elif args.command == "serve":
        _serve(args)


# Wildcard addresses: the app then answers to any host name (and anyone on the network).
_ANY_HOST = ("0.0.0.0", "::", "")


def _serve(args: argparse.Namespace) -> None:
    try:
        import uvicorn

        from attrib.webapp import LOOPBACK, WEB_MAX_CHARS, create_app
    except ImportError as exc:
        raise AttribError(f"attrib serve needs the web extra: pip install 'attrib[web]' ({exc})") from None
    predictor = _predictor(args)  # loaded once, before the port opens; shared by every request
    hosts = None if args.host in _ANY_HOST else (*LOOPBACK, args.host.strip("[]"), args.host)
    if hosts is None:
        print(
            f"attrib: warning: listening on {args.host or 'every address'}: anyone who can reach this "
            "computer can use the app, and make it fetch URLs",
            file=sys.stderr,
        )
    app = create_app(predictor, max_chars=args.max_chars or WEB_MAX_CHARS, sample=args.sample, hosts=hosts)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"attrib: serving http://{shown}:{args.port}/ with the {predictor.name} predictor (Ctrl-C stops)")
    sys.stdout.flush()
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal: a normal stop.
    with contextlib.suppress(_Stopped, KeyboardInterrupt):
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def _compare(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from attrib.compare import profile_corpus, read_corpus, rows_format, summary_table, write_rows
    from attrib.output import check_target

    inputs = tuple(args.inputs)
    outputs = [o for o in (args.out, args.html, args.figure) if o]
    if len({str(Path(o).resolve()) for o in outputs}) < len(outputs):
        raise AttribError("-o, --html and --figure must name different files")
    for out in outputs:
        check_target(out, inputs)  # before any work: never overwrite an input
    if args.out:
        rows_format(args.out)
    if args.html or args.figure:
        from attrib.comparepage import compare_html, figure, figure_format, require_matplotlib, write_figure

        require_matplotlib()
        picture = figure_format(args.figure) if args.figure else ""
    docs = read_corpus(inputs, group_field=args.group_field, use_labels=args.use_labels)
    predictor = None if args.use_labels else _predictor(args)
    show = sys.stderr.isatty()
    total = sum(len(d.sentences) for d in docs)
    with tqdm(total=total, disable=not show or predictor is None, unit="sent", file=sys.stderr) as bar:
        bar.set_description("profiling")
        result = profile_corpus(docs, predictor, on_progress=bar.update)
    # Everything is computed before the first file is written, so an error leaves none behind.
    page = compare_html(result.rows, result.groups, result.labels) if args.html else None
    drawn = figure(result.rows, picture, result.groups) if args.figure else None
    if args.out:
        write_rows(result.rows, args.out, inputs)
    if page is not None:
        _emit(page, args.html, inputs)
    if drawn is not None:
        write_figure(args.figure, drawn, inputs)
    n, k = len(result.rows), len(result.groups)
    print(f"{n} article{'s' * (n != 1)} in {k} group{'s' * (k != 1)}; labels: {result.labels}")
    print(summary_table(result.groups))


class _Stopped(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so that partial output files are removed."""

    def __init__(self, signum: int) -> None:
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread (a library caller): leave them
            previous[sig] = signal.signal(sig, _stop)
    try:
        return _main(args)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(args: argparse.Namespace) -> int:
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
    except _Stopped as stop:
        print(
            f"attrib: stopped by {signal.Signals(stop.signum).name}; no partial output kept", file=sys.stderr
        )
        return 128 + stop.signum
    except Exception as exc:  # a bug: one line, unless asked for the traceback
        if args.debug:
            raise
        print(
            f"attrib: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
