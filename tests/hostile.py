"""Hostile inputs for every command: data loss, hangs, tracebacks, silently wrong output.

    python -m tests.hostile            # the table: category, inputs tried, failures

Each case runs the CLI entry point in-process where it can (a subprocess where a signal, a
closed descriptor or a time bound is the point) and returns None when the behaviour is right,
else a one-line description of what went wrong. tests/test_hostile.py runs every case.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "Kim said the talks went well.\nOfficials said the bridge may reopen.\n"
GOLD_LINE = {"text": "Kim said the talks went well.", "attribution": "on_record", "certainty": "certain"}
HANG_SECONDS = 120  # generous: only a hang or runaway time fails


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    run: Callable[[Path], str | None]


CASES: list[Case] = []


def case(category: str, name: str) -> Callable[[Callable[[Path], str | None]], Callable[[Path], str | None]]:
    def register(fn: Callable[[Path], str | None]) -> Callable[[Path], str | None]:
        CASES.append(Case(category, name, fn))
        return fn

    return register


# --------------------------------------------------------------------------- running the CLI


def cli(*args: str | Path, stdin: bytes | None = None) -> tuple[int, str, str]:
    """attrib's main() in-process: (exit code, stdout, stderr)."""
    from attrib.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
            except BaseException as exc:
                return 99, out.getvalue(), f"escaped: {type(exc).__name__}: {exc}"
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def subprocess_cli(
    *args: str | Path, timeout: float = HANG_SECONDS, **kw: object
) -> tuple[int, str, str, float]:
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "attrib.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **kw,  # type: ignore[arg-type]
    )
    return proc.returncode, proc.stdout, proc.stderr, time.time() - t0


def refused(result: tuple[int, str, str], *needles: str) -> str | None:
    """None if the command failed cleanly: exit 2, one 'attrib: error' line, each needle in it."""
    code, _, err = result[:3]
    if "Traceback" in err or "escaped:" in err:
        return f"traceback: {err.strip().splitlines()[-1][:120]}"
    if code != 2:
        return f"exit {code}, expected 2 ({err.strip()[:100]})"
    if err.count("\n") != 1 or not err.startswith("attrib: "):
        return f"not a one-line error: {err[:120]!r}"
    for needle in needles:
        if needle not in err:
            return f"message lacks {needle!r}: {err.strip()[:120]}"
    return None


def accepted(result: tuple[int, str, str]) -> str | None:
    code, _, err = result[:3]
    if code != 0:
        return f"exit {code}: {err.strip()[:120]}"
    return None


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def article(tmp: Path, text: str = ARTICLE, name: str = "a.txt") -> Path:
    return write(tmp / name, text)


def jsonl(tmp: Path, lines: list[str | bytes], name: str = "in.jsonl") -> Path:
    data = b"".join((x if isinstance(x, bytes) else x.encode("utf-8")) + b"\n" for x in lines)
    return write(tmp / name, data)


# --------------------------------------------------------------------------- data loss


@case("data loss", "report --out its own input")
def _(tmp: Path) -> str | None:
    src = article(tmp)
    return refused(cli("report", src, "--out", src, "--predictor", "baseline"), "refusing") or (
        None if src.read_text() == ARTICLE else "input changed"
    )


@case("data loss", "evaluate --out its gold file")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    before = gold.read_bytes()
    return refused(cli("evaluate", gold, "--predictor", "baseline", "--out", gold), "refusing") or (
        None if gold.read_bytes() == before else "gold changed"
    )


@case("data loss", "evaluate --predictions p --out p")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    pred = jsonl(tmp, [json.dumps(GOLD_LINE)], "p.jsonl")
    before = pred.read_bytes()
    return refused(cli("evaluate", gold, "--predictions", pred, "--out", pred), "refusing") or (
        None if pred.read_bytes() == before else "predictions changed"
    )


@case("data loss", "label -o its own input")
def _(tmp: Path) -> str | None:
    src = jsonl(tmp, [json.dumps(GOLD_LINE)])
    return refused(cli("label", src, "-o", src, "--predictor", "baseline"), "refusing")


@case("data loss", "an overwritten report keeps its 0600 mode")
def _(tmp: Path) -> str | None:
    out = write(tmp / "r.txt", "old")
    os.chmod(out, 0o600)
    err = accepted(cli("report", article(tmp), "--out", out, "--predictor", "baseline"))
    mode = out.stat().st_mode & 0o777
    return err or (None if mode == 0o600 else f"mode became {oct(mode)}")


@case("data loss", "a read-only target is refused and kept")
def _(tmp: Path) -> str | None:
    out = write(tmp / "r.txt", "keep me")
    os.chmod(out, 0o444)
    err = refused(cli("report", article(tmp), "--out", out, "--predictor", "baseline"), "read-only")
    return err or (None if out.read_text() == "keep me" else "read-only file replaced")


@case("data loss", "a symlink target is written through, the link kept")
def _(tmp: Path) -> str | None:
    real = write(tmp / "real.txt", "old")
    link = tmp / "link.txt"
    link.symlink_to(real)
    err = accepted(cli("report", article(tmp), "--out", link, "--predictor", "baseline"))
    if err:
        return err
    if not link.is_symlink():
        return "the symlink was replaced by a file"
    return None if "Sourcing report" in real.read_text() else "the link's target was not written"


def _signal_during_label(tmp: Path, sig: int) -> str | None:
    src = tmp / "big.jsonl"
    with src.open("w") as fh:
        for i in range(300_000):
            fh.write(json.dumps({"text": f"Officials said the count {i} was delayed again."}) + "\n")
    out = tmp / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "attrib.cli", "label", str(src), "-o", str(out), "--predictor", "baseline"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp.glob(".out.jsonl.*.tmp")):
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    left = list(tmp.glob(".out.jsonl.*"))
    if left:
        return f"left {left[0].name} behind"
    if out.exists():
        return "a partial output file appeared"
    if "Traceback" in err:
        return "traceback"
    return None if proc.returncode == 128 + sig else f"exit {proc.returncode}"


@case("data loss", "SIGTERM during label leaves no temp file")
def _(tmp: Path) -> str | None:
    return _signal_during_label(tmp, signal.SIGTERM)


@case("data loss", "SIGHUP during label leaves no temp file")
def _(tmp: Path) -> str | None:
    return _signal_during_label(tmp, signal.SIGHUP)


# --------------------------------------------------------------------------- hangs and limits


def _bounded(result: tuple[int, str, str, float], ok_codes: tuple[int, ...] = (0, 2)) -> str | None:
    code, _, err, seconds = result
    if "Traceback" in err:
        return f"traceback: {err.strip().splitlines()[-1][:100]}"
    if code not in ok_codes:
        return f"exit {code}: {err.strip()[:100]}"
    return None if seconds < HANG_SECONDS else f"took {seconds:.0f} s"


@case("hangs", "HTML sniffing: 40 empty comments before text (ReDoS)")
def _(tmp: Path) -> str | None:
    return _bounded(
        subprocess_cli(
            "report", article(tmp, "<!---->" * 40 + "The minister said it."), "--predictor", "baseline"
        )
    )


@case("hangs", "HTML sniffing: 100,000 comments on stdin")
def _(tmp: Path) -> str | None:
    data = ("<!---->" * 100_000 + "The minister said it.").encode()
    return _bounded(subprocess_cli("report", "-", "--predictor", "baseline", input=data.decode()))


@case("hangs", "one 560 KB line")
def _(tmp: Path) -> str | None:
    text = "The minister said the talks would resume on Monday, officials said. " * 8200
    return _bounded(
        subprocess_cli("report", article(tmp, text), "--predictor", "baseline", "--format", "json")
    )


@case("hangs", "a 200 KB sentence without full stops")
def _(tmp: Path) -> str | None:
    text = "officials said, " * 12_500
    return _bounded(
        subprocess_cli("report", article(tmp, text), "--predictor", "baseline", "--format", "json")
    )


@case("hangs", "a 1 MB JSONL record is refused at once")
def _(tmp: Path) -> str | None:
    src = jsonl(tmp, [json.dumps({"text": "word " * 210_000})])
    result = subprocess_cli("label", src, "-o", tmp / "o.jsonl", "--predictor", "baseline")
    return _bounded(result, (2,)) or refused(result, "line 1")


@case("hangs", "a 50 MB article is refused, not read whole")
def _(tmp: Path) -> str | None:
    big = tmp / "big.txt"
    with big.open("w") as fh:
        for _ in range(50):
            fh.write("The minister said the talks went well. " * 26_000 + "\n")
    result = subprocess_cli("report", big, "--predictor", "baseline")
    return _bounded(result, (2,)) or refused(result, "--max-chars")


@case("hangs", "report /dev/zero stops at the limit")
def _(tmp: Path) -> str | None:
    result = subprocess_cli("report", "/dev/zero", "--predictor", "baseline")
    return _bounded(result, (2,)) or refused(result, "binary")


@case("hangs", "--max-chars is honoured")
def _(tmp: Path) -> str | None:
    return refused(
        cli("report", article(tmp), "--max-chars", "10", "--predictor", "baseline"), "10 characters"
    )


# --------------------------------------------------------------------------- malformed JSONL


MALFORMED: dict[str, bytes] = {
    "Latin-1 bytes": '{"text": "Caf\xe9 owners said so."}'.encode("latin-1"),
    "UTF-16": json.dumps({"text": "Kim said so."}).encode("utf-16"),
    "invalid bytes": b'{"text": "Kim \xff\xfe said so."}',
    "attribution as a list": b'{"text": "Kim said so.", "attribution": ["on_record"]}',
    "a 5,000-digit integer": b'{"text": "Kim said so.", "sent_idx": ' + b"9" * 5000 + b"}",
    "arrays nested 100,000 deep": b'{"text": "Kim said so.", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "true as certainty_score": b'{"text": "Kim said so.", "certainty_score": true}',
    "true as a span offset": b'{"text": "Kim said so.", "source_char_spans": [[true, 3]]}',
    "a span past the text": b'{"text": "Kim said so.", "source_char_spans": [[0, 99]]}',
    "NaN as certainty_score": b'{"text": "Kim said so.", "certainty_score": NaN}',
    "not JSON": b"{text: Kim}",
    "a JSON array": b'["Kim said so."]',
    "text missing": b'{"attribution": "none"}',
    "unknown label": b'{"text": "Kim said so.", "attribution": "hearsay"}',
}


def _malformed(command: str, blob: bytes) -> Callable[[Path], str | None]:
    def run(tmp: Path) -> str | None:
        src = jsonl(tmp, [b'{"text": "A first good line."}', blob])
        if command == "label":
            result = cli("label", src, "-o", tmp / "o.jsonl", "--predictor", "baseline")
            if (tmp / "o.jsonl").exists():
                return "wrote a partial output"
        else:
            result = cli("evaluate", src, "--predictor", "baseline")
        return refused(result, "line 2")

    return run


for _name, _blob in MALFORMED.items():
    for _command in ("label", "evaluate"):
        CASES.append(Case("malformed JSONL", f"{_command}: {_name}", _malformed(_command, _blob)))


@case("malformed JSONL", "attribution_probs of the wrong type in --predictions")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    pred = jsonl(tmp, [json.dumps({**GOLD_LINE, "attribution_probs": [0.2, 0.8]})], "p.jsonl")
    return refused(cli("evaluate", gold, "--predictions", pred), "attribution_probs")


@case("malformed JSONL", "probabilities outside [0, 1] in --predictions")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    pred = jsonl(tmp, [json.dumps({**GOLD_LINE, "attribution_probs": {"on_record": 1.7}})], "p.jsonl")
    return refused(cli("evaluate", gold, "--predictions", pred), "probabilities")


@case("malformed JSONL", "a shifted predictions file says the texts differ")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    pred = jsonl(tmp, [json.dumps({"text": "Another sentence.", "source_char_spans": [[0, 99]]})], "p.jsonl")
    return refused(cli("evaluate", gold, "--predictions", pred), "text differs")


@case("malformed JSONL", "a BOM is accepted, as in report")
def _(tmp: Path) -> str | None:
    src = jsonl(tmp, [b"\xef\xbb\xbf" + json.dumps(GOLD_LINE).encode()])
    return accepted(cli("label", src, "-o", tmp / "o.jsonl", "--predictor", "baseline"))


@case("malformed JSONL", "a lone surrogate is replaced, output valid UTF-8 JSON")
def _(tmp: Path) -> str | None:
    src = jsonl(tmp, [b'{"text": "Kim said \\ud800 so."}'])
    out = tmp / "o.jsonl"
    err = accepted(cli("label", src, "-o", out, "--predictor", "baseline"))
    if err:
        return err
    rec = json.loads(out.read_bytes().decode("utf-8"))
    return None if "\ufffd" in rec["text"] else "surrogate kept"


@case("malformed JSONL", "label - reads standard input")
def _(tmp: Path) -> str | None:
    out = tmp / "o.jsonl"
    err = accepted(
        cli("label", "-", "-o", out, "--predictor", "baseline", stdin=json.dumps(GOLD_LINE).encode())
    )
    return err or (None if out.read_text().count("\n") == 1 else "no output line")


@case("malformed JSONL", "label -o a folder names the folder")
def _(tmp: Path) -> str | None:
    return refused(
        cli("label", jsonl(tmp, [json.dumps(GOLD_LINE)]), "-o", tmp, "--predictor", "baseline"), "directory"
    )


# --------------------------------------------------------------------------- report inputs


@case("tracebacks", "HTML input")
def _(tmp: Path) -> str | None:
    page = "<!DOCTYPE html><html><body><p>Kim said the talks went well.</p></body></html>"
    return accepted(cli("report", article(tmp, page, "p.html"), "--predictor", "baseline"))


@case("tracebacks", "report - with standard input closed")
def _(tmp: Path) -> str | None:
    result = subprocess_cli("report", "-", "--predictor", "baseline", stdin=subprocess.DEVNULL)
    code, out, err, _ = result
    # /dev/null is an empty article; a closed descriptor is tried below.
    first = refused((code, out, err), "empty")
    proc = subprocess.run(
        f'"{sys.executable}" -m attrib.cli report - --predictor baseline <&-',
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_SECONDS,
    )
    return first or refused((proc.returncode, proc.stdout, proc.stderr), "standard input")


@case("tracebacks", "a lone surrogate in analyze()")
def _(tmp: Path) -> str | None:
    from attrib import analyze
    from attrib.baseline import LexiconPredictor

    result = analyze("Kim said \ud800 the talks went well.", LexiconPredictor())
    json.dumps(result.to_dict()).encode("utf-8")
    return None


@case("silently wrong", "ESC sequences in the article never reach the terminal")
def _(tmp: Path) -> str | None:
    evil = "Kim said \x1b]0;pwned\x07 it.\n\x1b[2J Officials \x9b said "
    evil += "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ so.\n"
    for fmt in ("text", "markdown"):
        code, out, _ = cli("report", article(tmp, evil), "--predictor", "baseline", "--format", fmt)
        if code or any(c in out for c in "\x1b\x07\x9b"):
            return f"{fmt}: control characters in the output"
    return None


@case("silently wrong", "zero-width-only input is no article")
def _(tmp: Path) -> str | None:
    return refused(
        cli("report", article(tmp, "\u200b\u200b\ufeff\n\u2060\n"), "--predictor", "baseline"), "no sentences"
    )


@case("silently wrong", "bench --repeat 0 is refused")
def _(tmp: Path) -> str | None:
    return refused(cli("bench", "--repeat", "0"), "at least 1")


@case("silently wrong", "evaluate --out x.pdf is refused")
def _(tmp: Path) -> str | None:
    gold = jsonl(tmp, [json.dumps(GOLD_LINE)], "g.jsonl")
    return refused(cli("evaluate", gold, "--predictor", "baseline", "--out", tmp / "x.pdf"), ".pdf") or (
        "wrote x.pdf" if (tmp / "x.pdf").exists() else None
    )


@case("silently wrong", "report --out r.html writes HTML")
def _(tmp: Path) -> str | None:
    out = tmp / "r.html"
    err = accepted(cli("report", article(tmp), "--out", out, "--predictor", "baseline"))
    return err or (None if out.read_text().lstrip().lower().startswith("<!doctype html") else "not HTML")


@case("silently wrong", "analyze(None) is a clear error")
def _(tmp: Path) -> str | None:
    from attrib import analyze
    from attrib.baseline import LexiconPredictor
    from attrib.errors import AttribError

    try:
        analyze(None, LexiconPredictor())  # type: ignore[arg-type]
    except AttribError as exc:
        return None if "string" in str(exc) else f"unclear: {exc}"
    return "accepted None"


@case("silently wrong", "predict(xs, batch_size=-1) is refused")
def _(tmp: Path) -> str | None:
    from attrib.model import AttribModel

    model = AttribModel.from_pretrained(_checkpoint(tmp))
    try:
        model.predict(["A.", "B."], batch_size=-1)
    except ValueError:
        return None
    return "accepted batch_size=-1"


# --------------------------------------------------------------------------- model folders

_CHECKPOINT: list[Path] = []


def _checkpoint(tmp: Path) -> Path:
    """A valid tiny attrib checkpoint, built once per run and copied for each case."""
    if not _CHECKPOINT:
        from tests.tiny import make_tiny_checkpoint

        base = Path(tempfile.mkdtemp(prefix="attrib-hostile-"))
        _CHECKPOINT.append(make_tiny_checkpoint(base / "ckpt"))
    dst = tmp / "model"
    if not dst.exists():
        shutil.copytree(_CHECKPOINT[0], dst)
    return dst


def _config_edit(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = json.loads((folder / "config.json").read_text())
        for key, value in changes.items():
            if key.startswith("encoder_config."):
                data["encoder_config"][key.split(".", 1)[1]] = value
            elif value is _DELETE:
                data.pop(key, None)
            else:
                data[key] = value
        (folder / "config.json").write_text(json.dumps(data))

    return edit


_DELETE = object()


def _weights_edit(kind: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        import torch
        from safetensors.torch import load_file, save_file

        path = folder / "model.safetensors"
        if kind == "corrupt":
            path.write_bytes(b"\x00garbage" * 100)
        elif kind == "truncated":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        elif kind == "missing":
            path.unlink()
        elif kind == "bin":
            state = load_file(str(path))
            torch.save(state, folder / "pytorch_model.bin")
            path.unlink()
        else:
            state = load_file(str(path))
            if kind == "no heads":
                state = {k: v for k, v in state.items() if k.startswith("encoder.")}
            elif kind == "wrong shapes":
                state = {k: (torch.zeros(3, 3) if "head" in k else v) for k, v in state.items()}
            elif kind in ("nan", "inf"):
                bad = float("nan") if kind == "nan" else float("inf")
                state = {
                    k: (torch.full_like(v, bad) if "attribution_head" in k else v) for k, v in state.items()
                }
            save_file(state, str(path))

    return edit


def _tokenizer_edit(kind: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        if kind == "missing":
            (folder / "tokenizer.json").unlink()
        else:
            (folder / "tokenizer.json").write_text("{not a tokenizer")

    return edit


def _replace_config(content: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / "config.json").write_bytes(content)

    return edit


def _plain_encoder(folder: Path) -> None:
    from tests.tiny import make_tiny_encoder

    shutil.rmtree(folder)
    make_tiny_encoder(folder)


def _empty(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()


BROKEN_MODELS: dict[str, Callable[[Path], None]] = {
    "garbage config.json": _replace_config(b"this is not json"),
    "binary config.json": _replace_config(bytes(range(256))),
    "empty config.json": _replace_config(b""),
    "config.json is a list": _replace_config(b"[1, 2, 3]"),
    "config.json deeply nested": _replace_config(b"[" * 100_000 + b"]" * 100_000),
    "no model_type": _config_edit(model_type=_DELETE),
    "max_length as a string": _config_edit(max_length="64"),
    'use_context "yes"': _config_edit(use_context="yes"),
    "dropout as text": _config_edit(dropout="high"),
    "training not an object": _config_edit(training=[1]),
    "labels that differ": _config_edit(attribution_labels=["a", "b"]),
    "empty encoder_config": _config_edit(encoder_config={}),
    "unknown encoder model_type": _config_edit(**{"encoder_config.model_type": "nosuchmodel"}),
    "a 150 GB encoder": _config_edit(
        **{"encoder_config.hidden_size": 8192, "encoder_config.num_hidden_layers": 48}
    ),
    "negative vocab_size": _config_edit(**{"encoder_config.vocab_size": -1}),
    "zero attention heads": _config_edit(**{"encoder_config.num_attention_heads": 0}),
    "auto_map remote code": _config_edit(auto_map={"AutoModel": "evil.Model"}),
    "encoder auto_map": _config_edit(**{"encoder_config.auto_map": {"AutoModel": "evil.Model"}}),
    "safetensors missing": _weights_edit("missing"),
    "corrupt safetensors": _weights_edit("corrupt"),
    "truncated safetensors": _weights_edit("truncated"),
    "pytorch_model.bin only": _weights_edit("bin"),
    "weights without heads": _weights_edit("no heads"),
    "weights of the wrong shapes": _weights_edit("wrong shapes"),
    "NaN weights": _weights_edit("nan"),
    "Inf weights": _weights_edit("inf"),
    "tokenizer.json missing": _tokenizer_edit("missing"),
    "corrupt tokenizer.json": _tokenizer_edit("corrupt"),
    "a plain encoder folder": _plain_encoder,
    "an empty folder": _empty,
}


def _broken_model(edit: Callable[[Path], None]) -> Callable[[Path], str | None]:
    def run(tmp: Path) -> str | None:
        folder = _checkpoint(tmp)
        edit(folder)
        return refused(cli("report", article(tmp), "--model", folder), "attrib model")

    return run


for _name, _edit in BROKEN_MODELS.items():
    CASES.append(Case("model folders", _name, _broken_model(_edit)))


@case("tracebacks", "a lone surrogate with the model")
def _(tmp: Path) -> str | None:
    src = jsonl(tmp, [b'{"text": "Officials said \\udc80 the bridge may reopen."}'])
    out = tmp / "o.jsonl"
    err = accepted(cli("label", src, "-o", out, "--model", _checkpoint(tmp)))
    text = "" if err else json.loads(out.read_text(encoding="utf-8"))["text"]
    return err or (None if "\ufffd" in text else "surrogate kept")


@case("model folders", "--model pointing at a file")
def _(tmp: Path) -> str | None:
    return refused(cli("report", article(tmp), "--model", article(tmp, "x", "m.txt")), "attrib model")


@case("model folders", "a valid tiny checkpoint still works")
def _(tmp: Path) -> str | None:
    return accepted(cli("report", article(tmp), "--model", _checkpoint(tmp), "--format", "json"))


# --------------------------------------------------------------------------- table


def run_all(cases: list[Case] | None = None) -> list[tuple[Case, str | None]]:
    results = []
    for c in cases or CASES:
        with tempfile.TemporaryDirectory(prefix="attrib-case-") as d:
            try:
                results.append((c, c.run(Path(d))))
            except Exception as exc:  # the harness itself must not hide a crash
                results.append((c, f"crashed: {type(exc).__name__}: {exc}"))
    return results


def main() -> int:
    results = run_all()
    categories = list(dict.fromkeys(c.category for c, _ in results))
    print(f"{'category':<18} {'inputs tried':>12} {'failures':>9}")
    for cat in categories:
        mine = [r for c, r in results if c.category == cat]
        print(f"{cat:<18} {len(mine):>12} {sum(r is not None for r in mine):>9}")
    print(f"{'all':<18} {len(results):>12} {sum(r is not None for _, r in results):>9}")
    for c, r in results:
        if r is not None:
            print(f"FAIL {c.category}: {c.name}: {r}")
    return 1 if any(r is not None for _, r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
