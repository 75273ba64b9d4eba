"""One Jinja environment factory and one Markdown escaper for every renderer and the model card."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2

# Markdown specials are backslash-escaped; `&`, `<`, `>` become entities so raw HTML in an article
# stays inert; a newline or `|` would break a table row.
_MD_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]|"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " "}
)


# Control characters (C0 but tab and newline, DEL, C1) drawn as visible symbols, so article
# text can never drive a terminal (window titles, screen clearing, hyperlinks).
_CONTROLS = str.maketrans(
    {c: chr(0x2400 + c) for c in range(32) if chr(c) not in "\t\n"}
    | {0x7F: "\u2421"}
    | {c: "\ufffd" for c in range(0x80, 0xA0)}
)


def terminal_safe(text: str) -> str:
    """Text with every control character replaced by a visible one (one character for one)."""
    return str(text).translate(_CONTROLS)


def md_escape(text: str) -> str:
    """Escape arbitrary text for Markdown prose or a table cell (control characters made visible)."""
    return terminal_safe(str(text).translate(_MD_SPECIAL))


@lru_cache(maxsize=4)
def _cached(autoescape: bool, trim: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("attrib", "templates"),
        # HTML templates escape every value, whatever the file name; text and Markdown do their own.
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=trim,  # the model card's template lays out its own line breaks
        lstrip_blocks=trim,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md_escape
    return env


def environment(
    autoescape: bool, filters: dict[str, Callable[..., Any]] | None = None, trim: bool = True
) -> jinja2.Environment:
    """The templates' environment (HTML: `autoescape=True`), with any extra filters added."""
    env = _cached(autoescape, trim)
    if filters:
        env = env.overlay()
        env.filters.update(filters)
    return env
