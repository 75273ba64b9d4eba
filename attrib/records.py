"""Reading and writing LABELS.md JSONL records, with line-numbered errors and documented limits.

Limits (docs/evaluate.md): a line of at most MAX_LINE_BYTES, a sentence `text` of at most
MAX_TEXT_CHARS, JSON nested at most MAX_DEPTH deep; lines are UTF-8 (a leading BOM is allowed);
lone surrogates in strings become U+FFFD, so every output stays valid UTF-8 and JSON.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from attrib.errors import AttribError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS, SPAN_KEYS

MAX_LINE_BYTES = 1_000_000
MAX_TEXT_CHARS = 20_000
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
PROB_KEYS = {"attribution_probs": ATTRIBUTION_LABELS, "certainty_probs": CERTAINTY_LABELS}


class RecordError(AttribError, ValueError):
    """A malformed JSONL line; the message names the file and line number."""


def clean_text(text: str) -> str:
    """Text that encodes: lone surrogates (from JSON escapes or bad decoding) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _label(rec: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> None:
    value = rec.get(key)
    if value is not None and (not isinstance(value, str) or value not in allowed):
        raise RecordError(f"{where}: unknown {key} label {value!r}; expected one of {allowed} or null")


def validate_record(rec: Any, where: str) -> dict[str, Any]:
    """Check one record against LABELS.md; raise RecordError naming `where` if it is off."""
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    text = rec.get("text")
    if not isinstance(text, str):
        raise RecordError(f"{where}: missing or non-string 'text'")
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(
            f"{where}: 'text' has {len(text):,} characters; a sentence may have {MAX_TEXT_CHARS:,}"
        )
    _label(rec, "attribution", ATTRIBUTION_LABELS, where)
    _label(rec, "certainty", CERTAINTY_LABELS, where)
    score = rec.get("certainty_score")
    if score is not None and not (_is_number(score) and 0.0 <= score <= 1.0):
        raise RecordError(f"{where}: certainty_score must be a number in [0, 1], got {score!r}")
    for key in SPAN_KEYS.values():
        spans = rec.get(key)
        if spans is None:
            continue
        if not isinstance(spans, list):
            raise RecordError(f"{where}: {key} must be a list of [start, end] pairs")
        for span in spans:
            ok = (
                isinstance(span, list | tuple)
                and len(span) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
                and 0 <= span[0] < span[1] <= len(text)
            )
            if not ok:
                raise RecordError(
                    f"{where}: {key} has an invalid span {str(span)[:40]} for a text of {len(text)} chars"
                )
    for key, labels in PROB_KEYS.items():
        probs = rec.get(key)
        if probs is None:
            continue
        if not isinstance(probs, dict) or not all(
            isinstance(k, str) and k in labels and _is_number(v) and 0.0 <= v <= 1.0 for k, v in probs.items()
        ):
            raise RecordError(f"{where}: {key} must map labels of {labels} to probabilities in [0, 1]")
    chain = rec.get("chain")
    if chain is not None and not (
        isinstance(chain, list)
        and all(
            isinstance(h, dict) and h.get("type") in ATTRIBUTION_LABELS and isinstance(h.get("source"), str)
            for h in chain
        )
    ):
        raise RecordError(f"{where}: chain must be a list of {{type, source}} hops, outer to inner")
    return rec


def _clean(obj: Any) -> Any:
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, dict):
        return {clean_text(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def parse_line(raw: bytes, where: str) -> Any:
    """One JSONL line (bytes) as a JSON value, within the limits, with surrogates replaced."""
    if len(raw) > MAX_LINE_BYTES:
        raise RecordError(f"{where}: the line has {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(f"{where}: not UTF-8 text (save the file as UTF-8)") from None
    # Checked on the text, before parsing: brackets inside strings can only overcount, so a line
    # that passes cannot parse deeper, and a deep one never reaches the recursive parser.
    if line.count("[") + line.count("{") > MAX_DEPTH and not _depth_ok_text(line):
        raise RecordError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{where}: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of thousands of digits
        raise RecordError(f"{where}: not usable JSON ({str(exc).splitlines()[0][:80]})") from None
    return _clean(value)


def _depth_ok_text(line: str) -> bool:
    """Is the text's bracket nesting (outside strings) at most MAX_DEPTH?"""
    depth = best = 0
    in_str = esc = False
    for ch in line:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best <= MAX_DEPTH


def iter_record_lines(
    fh: IO[bytes], name: str, validate: bool = True
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of a binary JSONL stream; blank lines are skipped."""
    for lineno, raw in enumerate(fh, start=1):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark, as editors on Windows write
        if not raw.strip():
            continue
        where = f"{name} line {lineno}"
        rec = parse_line(raw, where)
        yield lineno, (validate_record(rec, where) if validate else rec)


def open_input(path: str | Path) -> tuple[IO[bytes], str]:
    """A binary handle on a file, or on standard input for `-`, with a name for messages."""
    if str(path) == "-":
        if sys.stdin is None or getattr(sys.stdin, "buffer", None) is None:
            raise AttribError("standard input is closed")
        return sys.stdin.buffer, "standard input"
    path = Path(path)
    if path.is_dir():
        raise AttribError(f"{path} is a directory, not a JSONL file")
    try:
        return path.open("rb"), str(path)
    except FileNotFoundError:
        raise AttribError(f"no such file: {path}") from None
    except OSError as exc:
        raise AttribError(f"cannot read {path}: {exc.strerror or exc}") from None


def iter_numbered_records(path: str | Path, validate: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) pairs of a file (or `-`), so later errors can cite the line."""
    fh, name = open_input(path)
    try:
        yield from iter_record_lines(fh, name, validate)
    finally:
        if str(path) != "-":  # standard input stays open for the caller
            fh.close()


def iter_records(path: str | Path, validate: bool = True) -> Iterator[dict[str, Any]]:
    """Yield records of a JSONL file one at a time (constant memory); blank lines are skipped."""
    for _, rec in iter_numbered_records(path, validate):
        yield rec


def read_records(path: str | Path, validate: bool = True) -> list[dict[str, Any]]:
    return list(iter_records(path, validate))


def write_records(path: str | Path, records: list[dict[str, Any]]) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
