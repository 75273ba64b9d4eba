"""`attrib serve`: a local web app over the library (docs/web.md).

Paste, upload or fetch an article and get the HTML report, made interactive by one same-origin
script; `POST /api/analyze` returns the JSON report (or Markdown, HTML, text). One predictor is
loaded once and shared; inference runs in worker threads (behind a lock when the predictor is
not thread-safe). Nothing is written to disk: uploads are parsed in memory, and every response
carries a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import anyio
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attrib.compare import Comparison, Document, profile_corpus, read_uploads, rows_csv
from attrib.comparepage import compare_html
from attrib.errors import AttribError, FetchError, TooLongError
from attrib.labels import ATTRIBUTION_LABELS, CERTAINTY_LABELS
from attrib.markup import environment
from attrib.reader import HTML_SUFFIXES, URL_TIMEOUT, read_url, text_from_bytes
from attrib.render import (
    ATTRIBUTION_BADGES,
    ATTRIBUTION_TITLES,
    CERTAINTY_HELP,
    render,
    render_html_body,
    report_css,
    report_dict,
)
from attrib.version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from attrib.analysis import ArticleAnalysis
    from attrib.predictor import Predictor

log = logging.getLogger(__name__)

# The web app's article limit (characters): smaller than `attrib report`'s, as a page waits on it.
WEB_MAX_CHARS = 200_000
# Room in a request body for the form's fields and multipart boundaries besides the article.
BODY_OVERHEAD = 64 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
SAMPLE = "korea-arms-ukraine.txt"
WORKERS = 4  # analyses at once; more wait for a free worker
FORMATS = {
    "json": ("application/json", "json"),
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "text": ("text/plain; charset=utf-8", "txt"),
}

# No inline script or style anywhere: the page's script and style sheets are same-origin files.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The downloadable HTML report and the corpus comparison are self-contained (inline CSS and
# SVG, no scripts at all).
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# A batch for /compare: many articles (or one JSONL of sentences) in one upload.
BATCH_MAX_BYTES = 16 * 1024 * 1024
BATCH_MAX_FILES = 500
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",  # the article stays out of the browser's disk cache too
}


class _Guard:
    """Security headers on every response; cross-site POSTs refused (a page elsewhere must
    not make this server analyse or fetch on its behalf)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.hosts = hosts  # None: any host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        if scope["method"] == "POST" and not self._same_origin(Headers(scope=scope)):
            response = Response("cross-site request refused", status_code=403, media_type="text/plain")
            await response(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)

    def _same_origin(self, headers: Headers) -> bool:
        # Browsers say where a request comes from in Sec-Fetch-Site; Origin is the fallback
        # ("null" under Referrer-Policy no-referrer, so only a real origin is checked).
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = headers.get("origin")
        if origin is None or origin == "null":
            return True  # not a browser (curl, scripts), or one that says nothing
        host = urllib.parse.urlsplit(origin).hostname
        return self.hosts is None or (host is not None and host.lower() in self.hosts)


class _Predictors:
    """The one predictor: given, or loaded on first need (start-up), under a lock, once."""

    def __init__(self, predictor: Predictor | None, load: Callable[[], Predictor]) -> None:
        self._predictor = predictor
        self._load = load
        self._loading = threading.Lock()
        self.busy = threading.Lock()  # held around predict() when the predictor is not thread-safe

    def get(self) -> Predictor:
        with self._loading:
            if self._predictor is None:
                self._predictor = self._load()
            return self._predictor

    @property
    def loaded(self) -> Predictor | None:
        return self._predictor

    def analyze(self, text: str) -> ArticleAnalysis:
        from attrib.analysis import analyze

        return self._call(analyze, text)

    def compare(self, docs: Sequence[Document]) -> Comparison:
        return self._call(profile_corpus, docs)

    def _call(self, fn: Callable[[Any, Predictor], Any], arg: Any) -> Any:
        predictor = self.get()
        if getattr(predictor, "thread_safe", False):
            return fn(arg, predictor)
        with self.busy:
            return fn(arg, predictor)


@dataclass
class _Input:
    """What a request asks to analyse, read and checked: the article's text and where it came from."""

    text: str
    kind: str  # "text", "file" or "url"
    name: str  # shown in messages and the page
    url: str = ""


class _RequestError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _status(exc: AttribError) -> int:
    if isinstance(exc, TooLongError):
        return 413
    return 502 if isinstance(exc, FetchError) else 400


Part = tuple[str, str | None, bytes]  # a form field: (name, file name or None, content)


def _parse_multipart(body: bytes, content_type: str, max_parts: int = 8) -> list[Part]:
    """Form fields in memory, in order. Starlette's own parser would spool uploads over 1 MB
    to a temporary file."""
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise _RequestError("the form has no multipart boundary", 400)
    fields: list[Part] = []
    part: dict[str, Any] = {}

    def on_part_begin() -> None:
        part.clear()
        part.update(headers=[], field=b"", value=b"", data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"].append((part["field"].lower(), part["value"]))
        part["field"] = part["value"] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part["data"] += data[start:end]

    def on_part_end() -> None:
        disposition = dict(part["headers"]).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        if b"name" not in options or len(fields) >= max_parts:
            raise _RequestError(f"the form has a nameless part or more than {max_parts} fields", 400)
        filename = options.get(b"filename")
        name = options[b"name"].decode("utf-8", "replace")
        shown = None if filename is None else filename.decode("utf-8", "replace")
        fields.append((name, shown, bytes(part["data"])))

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:
        raise _RequestError(f"the form could not be read ({exc})", 400) from None
    return fields


def _normalise(text: str) -> str:
    # Browsers send a textarea's (and a hidden field's) line breaks as CRLF; the same article must
    # give the same report however it arrives, so CR LF and lone CR become LF everywhere.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sample_article() -> str:
    """The packaged sample article (`seeds/korea-arms-ukraine.txt`)."""
    return resources.files("attrib.samples").joinpath(SAMPLE).read_text(encoding="utf-8")


class _App:
    def __init__(
        self,
        predictors: _Predictors,
        max_chars: int,
        sample: bool,
        url_timeout: float,
    ) -> None:
        self.predictors = predictors
        self.max_chars = max_chars
        self.max_body = 4 * max_chars + BODY_OVERHEAD
        self.sample = sample
        self.url_timeout = url_timeout
        # A thread semaphore, not an anyio limiter: that would be bound to one event loop.
        self.workers = threading.BoundedSemaphore(WORKERS)
        self.env = environment(autoescape=True)
        # Through the package `attrib` (as the lexicons are): `attrib.static` has no __init__.
        static = resources.files("attrib").joinpath("static")
        self.static = {
            "app.js": (static.joinpath("app.js").read_bytes(), "text/javascript"),
            "web.css": (static.joinpath("web.css").read_bytes(), "text/css"),
            "report.css": (report_css().encode("utf-8"), "text/css"),
        }

    # ------------------------------------------------------------ reading a request

    async def _body(self, request: Request, limit: int | None = None) -> bytes:
        """The whole body, refused past the limit before or while it arrives."""
        limit = limit or self.max_body
        too_large = _RequestError(
            f"the request is larger than {limit:,} bytes (articles up to {self.max_chars:,} "
            "characters are accepted)",
            413,
        )
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def _fields(self, request: Request) -> dict[str, tuple[str | None, bytes]]:
        """The request's fields, from a multipart or urlencoded form or a JSON object."""
        body = await self._body(request)
        media = request.headers.get("content-type", "")
        kind = media.split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            parts = _parse_multipart(body, media)
            if len({name for name, _, _ in parts}) < len(parts):
                raise _RequestError("the form repeats a field: give one article", 400)
            return {name: (filename, data) for name, filename, data in parts}
        if kind == "application/x-www-form-urlencoded":
            try:
                pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=8)
            except (UnicodeDecodeError, ValueError):
                raise _RequestError("the form could not be read (not UTF-8, or over 8 fields)", 400) from None
            return {k: (None, v.encode("utf-8")) for k, v in pairs}
        if kind == "application/json":
            try:
                data = json.loads(body)
            except (UnicodeDecodeError, ValueError):
                raise _RequestError("the request body is not valid JSON", 400) from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise _RequestError('send a JSON object such as {"text": "..."} or {"url": "..."}', 400)
            return {k: (None, v.encode("utf-8")) for k, v in data.items()}
        raise _RequestError(
            "send the article as a form (multipart or urlencoded) or as JSON, not "
            f"{kind or 'a body without a content type'}",
            415,
        )

    def _input(self, fields: dict[str, tuple[str | None, bytes]]) -> _Input:
        """The one article a request gives (text, file or url), decoded and checked like
        `attrib report` reads a file; URLs are fetched here (a worker thread)."""
        given = [k for k in ("text", "file", "url") if k in fields]
        if "file" in given and not fields["file"][0] and not fields["file"][1]:
            raise _RequestError("choose a .txt or .html file to upload first", 400)
        if not given:
            raise _RequestError("nothing to analyse: paste the text, choose a file or give a URL", 400)
        if len(given) > 1:
            raise _RequestError(f"give one article, not {' and '.join(given)} together", 400)
        kind = given[0]
        filename, data = fields[kind]
        hint = "the limit of this server"
        if kind == "url":
            url = data.decode("utf-8", "replace").strip()
            if not url:
                raise _RequestError("give the address of the page to analyse", 400)
            return _Input(_normalise(read_url(url, self.max_chars, self.url_timeout)), kind, url, url)
        if kind == "file":
            name = filename or "the uploaded file"
            html = name.lower().endswith(HTML_SUFFIXES)
            return _Input(_normalise(text_from_bytes(data, name, self.max_chars, html, hint)), kind, name)
        text = _normalise(data.decode("utf-8", "replace"))
        return _Input(text_from_bytes(text, "the text", self.max_chars, hint=hint), kind, "the text")

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        def work() -> Any:
            with self.workers:
                return fn(*args)

        return await anyio.to_thread.run_sync(work)

    # ------------------------------------------------------------ pages

    def _page(
        self,
        *,
        text: str = "",
        url: str = "",
        error: str = "",
        analysis: ArticleAnalysis | None = None,
        analysed: str = "",
        source: str = "",
    ) -> str:
        context: dict[str, Any] = {
            "text": text,
            "url": url,
            "error": error,
            "max_chars": self.max_chars,
            "version": __version__,
            "report": None,
            "attribution_labels": ATTRIBUTION_LABELS,
            "certainty_labels": CERTAINTY_LABELS,
            "attribution_titles": ATTRIBUTION_TITLES,
            "attribution_badges": ATTRIBUTION_BADGES,
            "certainty_help": CERTAINTY_HELP,
            "title": "attrib: who vouches for each claim",
        }
        if analysis is not None:
            p = analysis.profile
            first = analysis.sentences[0].result.text
            context |= {
                # render_html_body escapes every piece of article text (Jinja autoescape).
                "report": Markup(render_html_body(analysis)),
                "data": {**report_dict(analysis), "titles": ATTRIBUTION_TITLES, "badges": ATTRIBUTION_BADGES},
                "analysed": analysed,
                "source": source,
                "counts": {**p.attribution_counts, **p.certainty_counts},
                "title": f"Sourcing report: {first if len(first) <= 80 else first[:79] + '…'}",
            }
        return self.env.get_template("web.html.j2").render(**context)

    async def index(self, request: Request) -> Response:
        sample = self.sample or "sample" in request.query_params
        return HTMLResponse(self._page(text=sample_article() if sample else ""))

    async def submit(self, request: Request) -> Response:
        """The form's POST: the page again, with the report or with the error."""
        text = url = ""
        try:
            fields = await self._fields(request)
            # The user's own input is kept on the page, whatever happens to it.
            if "text" in fields:
                text = _normalise(fields["text"][1].decode("utf-8", "replace"))
            if "url" in fields:
                url = fields["url"][1].decode("utf-8", "replace")
            page = await self._run(self._analyse_page, fields, text, url)
            return HTMLResponse(page)
        except _RequestError as exc:
            return HTMLResponse(self._page(text=text, url=url, error=str(exc)), status_code=exc.status)
        except AttribError as exc:
            return HTMLResponse(self._page(text=text, url=url, error=str(exc)), status_code=_status(exc))
        except Exception as exc:  # a bug: logged, and a page that says so
            log.exception("analysis failed")
            message = f"internal error ({type(exc).__name__}); the server log has the details"
            return HTMLResponse(self._page(text=text, url=url, error=message), status_code=500)

    def _analyse_page(self, fields: dict[str, tuple[str | None, bytes]], text: str, url: str) -> str:
        article = self._input(fields)
        analysis = self.predictors.analyze(article.text)
        return self._page(text=text, url=url, analysis=analysis, analysed=article.text, source=article.name)

    # ------------------------------------------------------------ API

    async def api_analyze(self, request: Request) -> Response:
        """`POST /api/analyze[?format=json|markdown|html|text][&download=1]`: text, file or url in; the
        report out (JSON: `report_dict`). Errors are `{"error": message}` with a 4xx/5xx status."""
        try:
            fields = await self._fields(request)
            fmt = request.query_params.get("format") or _field(fields, "format") or "json"
            if fmt not in FORMATS:
                raise _RequestError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}", 400)
            download = (request.query_params.get("download") or _field(fields, "download")) in ("1", "true")
            body = await self._run(self._analyse_api, fields, fmt)
        except (_RequestError, AttribError) as exc:
            status = exc.status if isinstance(exc, _RequestError) else _status(exc)
            return JSONResponse({"error": str(exc)}, status_code=status)
        except Exception as exc:
            log.exception("analysis failed")
            return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)
        media, suffix = FORMATS[fmt]
        headers = {"content-security-policy": REPORT_CSP} if fmt == "html" else {}
        if download:
            headers["content-disposition"] = f'attachment; filename="attrib-report.{suffix}"'
        return Response(body, media_type=media, headers=headers)

    def _analyse_api(self, fields: dict[str, tuple[str | None, bytes]], fmt: str) -> bytes:
        analysis = self.predictors.analyze(self._input(fields).text)
        return render(analysis, fmt).encode("utf-8")

    # ------------------------------------------------------------ corpus comparison

    def _compare_form(self, error: str = "", group_field: str = "") -> str:
        return self.env.get_template("web_compare.html.j2").render(
            error=error,
            group_field=group_field,
            max_chars=self.max_chars,
            max_files=BATCH_MAX_FILES,
            max_mb=BATCH_MAX_BYTES // (1024 * 1024),
            version=__version__,
        )

    async def compare_form(self, request: Request) -> Response:
        return HTMLResponse(self._compare_form())

    async def compare(self, request: Request) -> Response:
        """`POST /compare`: many articles (or a JSONL of sentences) in, the `attrib compare`
        page out (`format=csv`: the rows; `download=1`: as a file). Errors: the form again."""
        group_field = ""
        try:
            media = request.headers.get("content-type", "")
            if media.split(";")[0].strip().lower() != "multipart/form-data":
                raise _RequestError("upload the articles with the form (multipart/form-data)", 415)
            body = await self._body(request, BATCH_MAX_BYTES)
            parts = _parse_multipart(body, media, max_parts=BATCH_MAX_FILES + 4)
            fields = {name: data.decode("utf-8", "replace").strip() for name, fn, data in parts if fn is None}
            group_field = fields.get("group_field", "")
            files = [(fn, data) for name, fn, data in parts if name == "files" and fn]
            fmt = fields.get("format") or "html"
            if fmt not in ("html", "csv"):
                raise _RequestError(f"unknown format {fmt!r}; choose html or csv", 400)
            content = await self._run(self._compare, files, group_field or None, fmt)
        except (_RequestError, AttribError) as exc:
            status = exc.status if isinstance(exc, _RequestError) else _status(exc)
            return HTMLResponse(self._compare_form(str(exc), group_field), status_code=status)
        except Exception as exc:
            log.exception("comparison failed")
            message = f"internal error ({type(exc).__name__}); the server log has the details"
            return HTMLResponse(self._compare_form(message, group_field), status_code=500)
        headers = {"content-security-policy": REPORT_CSP}
        if fmt == "csv" or fields.get("download") in ("1", "true"):
            headers["content-disposition"] = f'attachment; filename="attrib-compare.{fmt}"'
        media_type = "text/csv; charset=utf-8" if fmt == "csv" else "text/html; charset=utf-8"
        return Response(content, media_type=media_type, headers=headers)

    def _compare(self, files: list[tuple[str, bytes]], group_field: str | None, fmt: str) -> str:
        comparison = self.predictors.compare(read_uploads(files, group_field, self.max_chars))
        if fmt == "csv":
            return rows_csv(comparison.rows)
        return compare_html(
            comparison.rows, comparison.groups, comparison.labels, "Uploaded articles compared"
        )

    async def healthz(self, request: Request) -> Response:
        predictor = self.predictors.loaded
        if predictor is None:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse(
            {"status": "ok", "predictor": predictor.name, "version": __version__, "max_chars": self.max_chars}
        )

    async def static_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.static:
            return Response("not found", status_code=404, media_type="text/plain")
        content, media = self.static[name]
        # Versioned by the package: a new attrib serves new files under the same names.
        return Response(content, media_type=media, headers={"cache-control": "no-cache"})


def _field(fields: dict[str, tuple[str | None, bytes]], name: str) -> str:
    value = fields.get(name)
    return value[1].decode("utf-8", "replace").strip() if value else ""


def create_app(
    predictor: Predictor | None = None,
    *,
    load: Callable[[], Predictor] | None = None,
    max_chars: int = WEB_MAX_CHARS,
    sample: bool = False,
    hosts: tuple[str, ...] | None = LOOPBACK,
    url_timeout: float = URL_TIMEOUT,
) -> Starlette:
    """The web app. `predictor` is shared by every request; without one, `load()` (default:
    `load_predictor()`) makes it once, at start-up or on the first request. `max_chars` bounds
    an article; `sample` pre-fills the text box with the sample article; `hosts` are the host
    names the app answers to (None: any), which stops DNS-rebinding pages reading it.
    """
    if not isinstance(max_chars, int) or max_chars < 1:
        raise AttribError(f"max_chars must be a positive integer, got {max_chars!r}")
    if load is None:
        from attrib.analysis import load_predictor

        load = load_predictor
    predictors = _Predictors(predictor, load)
    app = _App(predictors, max_chars, sample, url_timeout)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(predictors.get)  # before the first request, not during it
        yield

    routes = [
        Route("/", app.index, methods=["GET"]),
        Route("/", app.submit, methods=["POST"]),
        Route("/api/analyze", app.api_analyze, methods=["POST"]),
        Route("/compare", app.compare_form, methods=["GET"]),
        Route("/compare", app.compare, methods=["POST"]),
        Route("/healthz", app.healthz, methods=["GET"]),
        Route("/static/{name}", app.static_file, methods=["GET"]),
    ]
    middleware = [Middleware(_Guard, hosts=hosts)]  # outermost: its headers go on every response
    if hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)))
    starlette = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    starlette.state.predictors = predictors
    return starlette
