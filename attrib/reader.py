"""Read an article from a text or HTML file, standard input, memory or a web address, as plain
text (never modifies it)."""

from __future__ import annotations

import http.client
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from html.parser import HTMLParser

from attrib.errors import AttribError, FetchError, TooLongError
from attrib.records import clean_text

# The longest article accepted (characters, after HTML extraction); `--max-chars` changes it.
# A long feature is ~50,000 characters; the cap keeps memory and time bounded on any input.
MAX_CHARS = 1_000_000

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# A fetched page's limit before extraction: pages carry many times their article's text in markup.
MAX_PAGE_BYTES = 10_000_000
URL_TIMEOUT = 10.0  # seconds to connect and between reads
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
    return text_from_bytes(data, name, max_chars, html=path.lower().endswith(HTML_SUFFIXES))


def text_from_bytes(
    data: bytes | str,
    name: str,
    max_chars: int = MAX_CHARS,
    html: bool = False,
    hint: str = "the limit; see --max-chars",
) -> str:
    """`read_article`'s rules for an article already in memory (an upload, pasted text).

    `data` is the whole input or its first `4 * max_chars + 4` bytes (a bounded read): UTF-8
    (a byte-order mark is dropped) or text. HTML (`html`, or content that looks like HTML) is
    reduced to its main text. Raises AttribError for binary, empty or text-less input and
    TooLongError past `max_chars`; `hint` ends that message.
    """
    limit = 4 * max_chars + 4
    too_long = TooLongError(f"{name} is longer than {max_chars:,} characters ({hint})")
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
    if html or looks_like_html(text):
        text = html_to_text(text)
        if not text.strip():
            raise AttribError(f"{name} is HTML with no extractable article text")
    return text


def read_url(url: str, max_chars: int = MAX_CHARS, timeout: float = URL_TIMEOUT) -> str:
    """The main text of the web page at `url` (http or https), extracted like an HTML file.

    Fetched with urllib rather than trafilatura's fetcher, which returns None without saying
    why; every failure is one AttribError "could not fetch URL: ..." naming the cause.
    """
    from attrib.version import __version__

    address = url.strip()
    parts = urllib.parse.urlsplit(address)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AttribError(f"could not fetch URL: {address!r} is not an http:// or https:// address")
    request = urllib.request.Request(address, headers={"User-Agent": f"attrib/{__version__}"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            data = response.read(MAX_PAGE_BYTES + 1)
            media = response.headers.get_content_type()
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        raise FetchError(f"could not fetch URL: {address}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"could not fetch URL: {address}: {_reason(exc.reason)}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # timeouts, resets, bad replies
        raise FetchError(f"could not fetch URL: {address}: {_reason(exc)}") from None
    if len(data) > MAX_PAGE_BYTES:
        raise TooLongError(f"could not fetch URL: {address}: the page is over {MAX_PAGE_BYTES:,} bytes")
    if media not in ("text/html", "application/xhtml+xml", "text/plain"):
        raise FetchError(f"could not fetch URL: {address}: it is {media}, not a web page or text")
    try:
        page = data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        page = data.decode("utf-8", errors="replace")
    text = text_from_bytes(page, address, MAX_PAGE_BYTES, html=media != "text/plain")
    if len(text) > max_chars:
        raise TooLongError(f"{address}: the article is longer than {max_chars:,} characters (the limit)")
    return text


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


# http and https only: the default opener also follows redirects to ftp:// and opens file://.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
    urllib.request.HTTPRedirectHandler,
    urllib.request.HTTPDefaultErrorHandler,
    urllib.request.HTTPErrorProcessor,
):
    _OPENER.add_handler(_handler())


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
