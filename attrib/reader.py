"""Read an article from a text or HTML file, or standard input, as plain text (never modifies it)."""

from __future__ import annotations

import os
import re
import sys
from html import unescape
from html.parser import HTMLParser

from attrib.errors import AttribError
from attrib.records import clean_text

# The longest article accepted (characters, after HTML extraction); `--max-chars` changes it.
# A long feature is ~50,000 characters; the cap keeps memory and time bounded on any input.
MAX_CHARS = 1_000_000

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_TAG = re.compile(r"<(!doctype\s+html|html)[\s>]", re.IGNORECASE)

# Elements whose end starts a new line in the stripped text: the splitter ends sentences at
# line breaks, so paragraphs and headings must not run together.
_BLOCK = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"}
    | {"article", "header", "footer", "blockquote", "pre", "title", "figcaption", "dd", "dt"}
)
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "object"})


def read_article(path: str, max_chars: int = MAX_CHARS) -> str:
    """The article's text: `path` is a .txt/.html file or `-` for standard input.

    HTML (by extension, or content starting with `<!doctype html` / `<html`) is reduced to its
    main text with trafilatura, falling back to a plain tag strip. Raises AttribError with a
    one-line message for anything that is not a readable, non-empty text article, or one longer
    than `max_chars` (reads are bounded, so even an endless stream stops there).
    """
    limit = 4 * max_chars + 4  # UTF-8 needs at most 4 bytes a character
    if path == "-":
        name, data = "standard input", _read_stdin(limit)
    else:
        name, data = path, _read_file(path, limit)
    too_long = AttribError(f"{name} is longer than {max_chars:,} characters (the limit; see --max-chars)")
    if len(data) >= limit:
        nul = b"\x00" if isinstance(data, bytes) else "\x00"
        if nul in data[:65536]:
            raise AttribError(f"{name} looks binary, not a text or HTML article")
        raise too_long
    text = clean_text(_decode(data, name))
    if len(text) > max_chars:
        raise too_long
    if not text.strip():
        raise AttribError(f"{name} is empty")
    if path.lower().endswith(HTML_SUFFIXES) or looks_like_html(text):
        text = html_to_text(text)
        if not text.strip():
            raise AttribError(f"{name} is HTML with no extractable article text")
    return text


def looks_like_html(text: str) -> bool:
    """Does the text start (after white space and comments) with `<!doctype html` or `<html`?

    Comments are skipped with `str.find`, so the test is linear in the text's length.
    """
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if not text.startswith("<!--", at):
            return _HTML_TAG.match(text, at) is not None
        end = text.find("-->", at + 4)
        if end < 0:
            return False
        at = end + 3


def _read_stdin(limit: int) -> bytes | str:
    # Bytes where possible, so binary input is caught the same way as a binary file.
    if sys.stdin is None:
        raise AttribError("standard input is closed")
    buffer = getattr(sys.stdin, "buffer", None)
    try:
        return buffer.read(limit) if buffer is not None else sys.stdin.read(limit)
    except (OSError, ValueError) as exc:  # a closed descriptor (`<&-`) or a closed file object
        raise AttribError(f"cannot read standard input ({exc})") from None


def _read_file(path: str, limit: int) -> bytes:
    if not os.path.lexists(path):
        raise AttribError(f"no such file: {path}")
    if os.path.isdir(path):
        raise AttribError(f"{path} is a directory, not an article file")
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except PermissionError:
        raise AttribError(f"cannot read {path}: permission denied") from None
    except FileNotFoundError:
        raise AttribError(f"no such file: {path} (a broken link?)") from None
    except OSError as exc:
        raise AttribError(f"cannot read {path}: {exc.strerror or exc}") from None


def _decode(data: bytes | str, name: str) -> str:
    binary = f"{name} looks binary, not a text or HTML article"
    if isinstance(data, str):
        if "\x00" in data:
            raise AttribError(binary)
        return data
    if b"\x00" in data:
        raise AttribError(binary)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AttribError(f"{binary} (it is not valid UTF-8)") from None


def html_to_text(html: str) -> str:
    """The page's main text (trafilatura), or all visible text when trafilatura finds none."""
    try:
        import trafilatura

        extracted = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    except Exception:  # an install without its HTML cleaner, or assorted parser errors on bad pages
        extracted = None
    if extracted and extracted.strip():
        return extracted.strip() + "\n"
    return strip_tags(html)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_tags(html: str) -> str:
    """Visible text of an HTML page, one block element a line."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(unescape(line).split()) for line in "".join(collector.parts).splitlines())
    kept = [line for line in lines if line]
    return "\n\n".join(kept) + "\n" if kept else ""
