"""Reading and writing LABELS.md JSONL records, with line-numbered errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from attrib.errors import AttribError
from attrib.labels import SPAN_KEYS, check_attribution, check_certainty


class RecordError(AttribError, ValueError):
    """A malformed JSONL line; the message names the file and line number."""


def validate_record(rec: Any, where: str) -> dict[str, Any]:
    """Check one record against LABELS.md; raise RecordError naming `where` if it is off."""
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    text = rec.get("text")
    if not isinstance(text, str):
        raise RecordError(f"{where}: missing or non-string 'text'")
    try:
        check_attribution(rec.get("attribution"))
        check_certainty(rec.get("certainty"))
    except ValueError as exc:
        raise RecordError(f"{where}: {exc}") from None
    score = rec.get("certainty_score")
    if score is not None and (
        isinstance(score, bool) or not (isinstance(score, int | float) and 0.0 <= score <= 1.0)
    ):
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
                    f"{where}: {key} has an invalid span {span!r} for a text of {len(text)} chars"
                )
    return rec


def iter_records(path: str | Path, validate: bool = True) -> Iterator[dict[str, Any]]:
    """Yield records of a JSONL file one at a time (constant memory); blank lines are skipped."""
    for _, rec in iter_numbered_records(path, validate):
        yield rec


def iter_numbered_records(path: str | Path, validate: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) pairs, so later errors can cite the line."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        yield from iter_record_lines(fh, str(path), validate)


def iter_record_lines(fh: TextIO, name: str, validate: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    for lineno, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        where = f"{name} line {lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{where}: not valid JSON ({exc.msg})") from None
        yield lineno, (validate_record(rec, where) if validate else rec)


def read_records(path: str | Path, validate: bool = True) -> list[dict[str, Any]]:
    return list(iter_records(path, validate))


def write_records(path: str | Path, records: list[dict[str, Any]]) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
