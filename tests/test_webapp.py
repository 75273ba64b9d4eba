"""`attrib serve`'s app through Starlette's test client: the JSON API and the page, uploads,
errors, limits, security headers, escaping, URL fetching and one predictor shared by
concurrent requests."""

from __future__ import annotations

import http.server
import json
import re
import socket
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from attrib.errors import AttribError, FetchError, TooLongError
from attrib.predictor import BasePredictor
from attrib.reader import read_url, text_from_bytes
from attrib.result import SentenceResult
from attrib.webapp import CSP, create_app, sample_article
from tests.fake import ARTICLE, EXPECTED, KeywordPredictor

BASE = "http://127.0.0.1"  # the app answers to loopback host names only
XSS = '<script>alert(1)</script> and <img src=x onerror=alert(1)> "quoted" & more'
HTML_PAGE = """<!doctype html><html><head><title>T</title><script>var tracking = 1;</script></head>
<body><nav>Home | World</nav><article><h1>Seoul weighs arms for Kyiv</h1>
<p>Defense Minister Kim said the talks went well. Officials said the deal may collapse.</p>
<p>The delegation reportedly asked for missiles.</p></article></body></html>"""


class Loader:
    """A `load` callable that counts how often the app asks for its predictor."""

    def __init__(self) -> None:
        self.calls = 0
        self.made: list[KeywordPredictor] = []

    def __call__(self) -> KeywordPredictor:
        self.calls += 1
        self.made.append(KeywordPredictor())
        return self.made[-1]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(KeywordPredictor(), max_chars=2_000), base_url=BASE) as c:
        yield c


def _labels(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["text"], s["attribution"], s["certainty"]) for s in data["sentences"]]


# ---------------------------------------------------------------- the API


def test_api_analyses_text(client: TestClient) -> None:
    r = client.post("/api/analyze", json={"text": ARTICLE})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert _labels(data) == EXPECTED
    assert data["predictor"] == "keywords" and data["schema_version"]
    profile = data["profile"]
    assert profile["n_sentences"] == len(EXPECTED)
    assert profile["attribution_counts"]["anonymous"] == 2
    assert 0 <= profile["score"] <= 100 and profile["reasons"]
    assert [c["text"] for c in profile["chains"]] == [
        "[according_to: SBS] -> [anonymous: a government source]"
    ]
    assert data["sentences"][3]["source_char_spans"]  # spans come through


def test_api_takes_forms_and_the_other_formats(client: TestClient) -> None:
    assert _labels(client.post("/api/analyze", data={"text": ARTICLE}).json()) == EXPECTED
    assert _labels(client.post("/api/analyze", files={"text": (None, ARTICLE)}).json()) == EXPECTED
    md = client.post("/api/analyze?format=markdown", json={"text": ARTICLE})
    assert md.status_code == 200 and md.text.startswith("# Sourcing report: Seoul weighs arms for Kyiv")
    assert "content-disposition" not in md.headers
    # The page's download form: a multipart POST with the format as a button's value.
    html = client.post("/api/analyze?download=1", files={"text": (None, ARTICLE), "format": (None, "html")})
    assert html.headers["content-disposition"] == 'attachment; filename="attrib-report.html"'
    assert html.text.startswith("<!DOCTYPE html>") and "<style>" in html.text
    # The self-contained report's inline style is allowed for it alone; scripts are not.
    assert "style-src 'unsafe-inline'" in html.headers["content-security-policy"]
    assert "script" not in html.headers["content-security-policy"]
    text = client.post("/api/analyze?format=text", json={"text": ARTICLE})
    assert text.headers["content-type"].startswith("text/plain") and "Sourcing report" in text.text
    bad = client.post("/api/analyze?format=pdf", json={"text": ARTICLE})
    assert bad.status_code == 400 and "unknown format 'pdf'" in bad.json()["error"]


def test_line_endings_do_not_change_the_report(client: TestClient) -> None:
    crlf = client.post("/api/analyze", json={"text": ARTICLE.replace("\n", "\r\n")}).json()
    assert _labels(crlf) == EXPECTED
    assert crlf["sentences"] == client.post("/api/analyze", json={"text": ARTICLE}).json()["sentences"]


def test_upload_txt_and_html(client: TestClient) -> None:
    txt = client.post("/api/analyze", files={"file": ("article.txt", ARTICLE.encode("utf-8"), "text/plain")})
    assert txt.status_code == 200 and _labels(txt.json()) == EXPECTED
    bom = client.post("/api/analyze", files={"file": ("a.txt", b"\xef\xbb\xbf" + ARTICLE.encode())})
    assert _labels(bom.json()) == EXPECTED
    page = client.post("/api/analyze", files={"file": ("page.html", HTML_PAGE.encode(), "text/html")})
    assert page.status_code == 200
    texts = [s["text"] for s in page.json()["sentences"]]
    assert "Defense Minister Kim said the talks went well." in texts
    assert not any("<" in t or "tracking" in t for t in texts)  # tags and the page's script are gone


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        ({"json": {"text": ""}}, 400, "the text is empty"),
        ({"json": {"text": " \n\t "}}, 400, "the text is empty"),
        ({"files": {"file": ("empty.txt", b"")}}, 400, "empty.txt is empty"),
        ({"files": {"file": ("", b"")}}, 400, "choose a .txt or .html file"),
        (
            {"files": {"file": ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}},
            400,
            "photo.png looks binary",
        ),
        ({"files": {"file": ("latin.txt", "Café said so.".encode("latin-1"))}}, 400, "not valid UTF-8"),
        (
            {"files": {"file": ("nothing.html", b"<html><body><script>x()</script></body></html>")}},
            400,
            "no extractable",
        ),
        ({"json": {"text": "x" * 2_001}}, 413, "longer than 2,000 characters (the limit of this server)"),
        ({"files": {"file": ("big.txt", b"y" * 2_001)}}, 413, "big.txt is longer than 2,000 characters"),
        ({"json": {}}, 400, "nothing to analyse"),
        ({"json": {"text": "a", "url": "http://x.org"}}, 400, "give one article, not text and url together"),
        ({"json": ["not", "an", "object"]}, 400, "send a JSON object"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "not valid JSON"),
        ({"content": b"text", "headers": {"content-type": "text/plain"}}, 415, "not text/plain"),
    ],
)
def test_api_refuses_bad_input_clearly(
    client: TestClient, request_kwargs: dict[str, Any], status: int, message: str
) -> None:
    r = client.post("/api/analyze", **request_kwargs)
    assert r.status_code == status
    assert message in r.json()["error"]


def test_request_body_limit(client: TestClient) -> None:
    # max_chars 2,000: bodies are capped at 4 bytes a character plus 64 KiB for the form.
    huge = b"z" * (4 * 2_000 + 64 * 1024 + 1)
    declared = client.post("/api/analyze", content=huge, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "the request is larger than" in declared.json()["error"]
    # Without a Content-Length (chunked), the body is counted as it arrives.
    streamed = client.post(
        "/api/analyze",
        content=iter([huge[:50_000], huge[50_000:]]),
        headers={"content-type": "application/json"},
    )
    assert streamed.status_code == 413 and "the request is larger than" in streamed.json()["error"]
    page = client.post("/", content=huge, headers={"content-type": "multipart/form-data; boundary=x"})
    assert (
        page.status_code == 413 and 'role="alert"' in page.text and "the request is larger than" in page.text
    )


def test_uploads_never_touch_the_disk(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a temporary file was made")

    for name in ("SpooledTemporaryFile", "NamedTemporaryFile", "TemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    # Over a megabyte, where Starlette's own form parser would spool the file to disk.
    long = (ARTICLE * 400)[:1_500_000]
    with TestClient(create_app(KeywordPredictor(), max_chars=1_600_000), base_url=BASE) as c:
        r = c.post("/api/analyze", files={"file": ("long.txt", long.encode())})
    assert r.status_code == 200 and r.json()["n_chars"] == len(long)


def test_healthz_and_static_files(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.json() == {
        "status": "ok",
        "predictor": "keywords",
        "version": health.json()["version"],
        "max_chars": 2000,
    }
    js = client.get("/static/app.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    # Article text goes in by textContent: no HTML parsing of strings, no eval.
    unsafe = r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|eval\(|new Function"
    assert not re.search(unsafe, js.text)
    css = client.get("/static/report.css")
    assert css.headers["content-type"].startswith("text/css") and ".badge" in css.text
    assert client.get("/static/web.css").status_code == 200
    assert client.get("/static/../webapp.py").status_code == 404
    assert client.get("/static/secrets.txt").status_code == 404


def test_healthz_before_the_predictor_is_loaded() -> None:
    app = create_app(load=Loader())
    c = TestClient(app, base_url=BASE)  # no `with`: the start-up (which loads it) has not run
    assert c.get("/healthz").status_code == 503


# ---------------------------------------------------------------- safety


def test_security_headers_on_every_response(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/nope"),
        client.post("/api/analyze", json={"text": ""}),
        client.post("/", data={"text": ARTICLE}),
        client.get("/", headers={"host": "evil.example"}),
    ]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store"
    assert client.get("/").headers["content-security-policy"] == CSP


def test_foreign_hosts_and_cross_site_posts_are_refused(client: TestClient) -> None:
    # DNS rebinding: a page on evil.example resolved to 127.0.0.1 must not read the app.
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    cross = client.post("/api/analyze", json={"text": ARTICLE}, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    origin = client.post("/api/analyze", json={"text": ARTICLE}, headers={"origin": "https://evil.example"})
    assert origin.status_code == 403
    own = client.post(
        "/api/analyze",
        json={"text": ARTICLE},
        headers={"sec-fetch-site": "same-origin", "origin": "http://127.0.0.1:8000"},
    )
    assert own.status_code == 200
    with TestClient(create_app(KeywordPredictor(), hosts=None)) as anyhost:  # `attrib serve --host 0.0.0.0`
        assert anyhost.get("/", headers={"host": "my-laptop.local"}).status_code == 200


class _Tags(HTMLParser):
    """Every element a browser would build from the page: (tag, attributes)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_article_html_comes_back_escaped(client: TestClient) -> None:
    article = f"{XSS}\n\nDefense Minister Kim said {XSS}.\n"
    r = client.post("/", files={"text": (None, article)})
    assert r.status_code == 200
    html = r.text
    assert "<script>alert(1)</script>" not in html and "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    tags = _Tags(html).tags
    # Our own two script elements only: the same-origin file and the inert JSON data block.
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts == [
        {"src": "/static/app.js", "defer": None},
        {"type": "application/json", "id": "report-data"},
    ]
    assert not [tag for tag, _ in tags if tag in ("img", "iframe", "object", "embed")]
    assert not [(tag, a) for tag, attrs in tags for a in attrs if a.startswith("on")]  # no event handlers
    assert " style=" not in html and "<style" not in html  # CSP style-src 'self': no inline style
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert block and "<" not in block.group(1)  # tojson escapes "<", so "</script>" cannot end it early
    data = json.loads(block.group(1))
    assert data["sentences"][0]["text"].startswith("<script>alert(1)</script>")


def test_api_json_keeps_article_text_verbatim(client: TestClient) -> None:
    r = client.post("/api/analyze", json={"text": f"Kim said {XSS}."})
    assert r.json()["sentences"][0]["text"] == f"Kim said {XSS}."  # JSON is data: no HTML escaping


# ---------------------------------------------------------------- the page


def test_the_form_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<meta name="viewport"' in html
    for field in ('for="text"', 'for="file"', 'for="url"'):
        assert field in html  # every input has a label
    assert 'role="status" aria-live="polite"' in html and 'role="alert"' in html
    assert "report-data" not in html
    assert "Ukrainian delegation" in client.get("/?sample=1").text
    with TestClient(create_app(KeywordPredictor(), sample=True), base_url=BASE) as c:
        assert sample_article() in c.get("/").text.replace("&#39;", "'").replace("&#34;", '"')


def test_the_page_shows_the_report(client: TestClient) -> None:
    html = client.post("/", files={"text": (None, ARTICLE)}).text
    marks = re.findall(r'<span class="s (\w+) (\w+)" tabindex="0"[^>]*data-index="(\d+)"', html)
    assert [(a, c) for a, c, _ in marks] == [(a, c) for _, a, c in EXPECTED]
    assert [int(i) for _, _, i in marks] == list(range(len(EXPECTED)))
    assert 'data-sentences="1 5"' in html  # the source table knows Kim's sentences (0-based)
    assert (
        'data-filter="attribution" value="anonymous"' in html
        and 'data-filter="certainty" value="hedged"' in html
    )
    assert '<span class="badge">U</span>' in html  # a letter per type, not only a colour
    assert 'name="format" value="markdown"' in html
    assert ARTICLE.splitlines()[2] in html  # the download form carries the analysed text


def test_page_errors_are_shown_with_the_input_kept(client: TestClient) -> None:
    empty = client.post("/", files={"text": (None, "   ")})
    assert empty.status_code == 400
    assert re.search(
        r'<div id="error" class="error" role="alert" tabindex="-1">the text is empty</div>', empty.text
    )
    long = client.post("/", files={"text": (None, "Kim said so. " * 200)})
    assert long.status_code == 413 and "longer than 2,000 characters" in long.text
    assert "Kim said so. Kim said so." in long.text  # still in the text box, to shorten it
    binary = client.post("/", files={"file": ("x.pdf", b"%PDF-1.4\x00\x01")})
    assert binary.status_code == 400 and "x.pdf looks binary" in binary.text
    assert client.get("/").text.count(" hidden>") >= 1  # no error shown when there is none


# ---------------------------------------------------------------- URLs


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/article.html": (200, "text/html; charset=utf-8", HTML_PAGE.encode()),
            "/plain.txt": (200, "text/plain", ARTICLE.encode()),
            "/photo.jpg": (200, "image/jpeg", b"\xff\xd8\xff"),
        }
        status, media, body = routes.get(self.path, (404, "text/plain", b"no such page"))
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_url_fetching(client: TestClient, site: str) -> None:
    page = client.post("/api/analyze", json={"url": f"{site}/article.html"})
    assert page.status_code == 200
    assert "Officials said the deal may collapse." in [s["text"] for s in page.json()["sentences"]]
    assert _labels(client.post("/api/analyze", json={"url": f"{site}/plain.txt"}).json()) == EXPECTED
    missing = client.post("/api/analyze", json={"url": f"{site}/gone"})
    assert (
        missing.status_code == 502
        and missing.json()["error"] == f"could not fetch URL: {site}/gone: HTTP 404 Not Found"
    )
    photo = client.post("/api/analyze", json={"url": f"{site}/photo.jpg"})
    assert photo.status_code == 502 and "it is image/jpeg, not a web page" in photo.json()["error"]


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        (
            "http://127.0.0.1:{closed}/",
            502,
            "could not fetch URL: http://127.0.0.1:{closed}/: Connection refused",
        ),
        ("http://no-such-host.invalid/news", 502, "could not fetch URL: http://no-such-host.invalid/news: "),
        (
            "file:///etc/passwd",
            400,
            "could not fetch URL: 'file:///etc/passwd' is not an http:// or https:// address",
        ),
        ("seoul.example/news", 400, "could not fetch URL: 'seoul.example/news' is not an http://"),
        ("", 400, "give the address of the page"),
    ],
)
def test_unreachable_urls_say_why(client: TestClient, url: str, status: int, message: str) -> None:
    closed = _closed_port()
    r = client.post("/api/analyze", json={"url": url.format(closed=closed)})
    assert r.status_code == status
    assert r.json()["error"].startswith(message.format(closed=closed))


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts connections and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow"
        with pytest.raises(FetchError, match=f"could not fetch URL: {url}: no answer in time"):
            read_url(url, timeout=0.3)
        with TestClient(create_app(KeywordPredictor(), url_timeout=0.3), base_url=BASE) as c:
            page = c.post("/", files={"url": (None, url)})
    assert page.status_code == 502 and "could not fetch URL" in page.text
    assert f'value="{url}"' in page.text  # the address stays in its box


def test_text_from_bytes_follows_read_article(tmp_path: Path) -> None:
    from attrib.reader import read_article

    path = tmp_path / "a.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    assert text_from_bytes(HTML_PAGE.encode(), "a.html", html=True) == read_article(str(path))
    with pytest.raises(TooLongError, match="x is longer than 10 characters"):
        text_from_bytes(b"a" * 11, "x", 10)
    with pytest.raises(AttribError, match="x looks binary"):
        text_from_bytes(b"\x00" * 100, "x", 10)  # past the limit, binary still says binary


# ---------------------------------------------------------------- one predictor, many requests


def test_concurrent_requests_share_one_predictor() -> None:
    loader = Loader()
    article = "Kim said the talks went well. Officials said the deal may collapse.\n"
    with TestClient(create_app(load=loader), base_url=BASE) as c:

        def call(i: int) -> tuple[int, list[tuple[str, str, str]]]:
            if i % 2:
                r = c.post("/", files={"text": (None, article)})
                return r.status_code, []
            r = c.post("/api/analyze", json={"text": article})
            return r.status_code, _labels(r.json())

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(call, range(16)))
    assert all(status == 200 for status, _ in results)
    expected = [
        (
            EXPECTED[5][0].replace("the ministry could still agree", "the talks went well"),
            "on_record",
            "certain",
        )
    ]
    expected.append(("Officials said the deal may collapse.", "anonymous", "speculative"))
    assert all(labels == expected for _, labels in results[::2])
    assert loader.calls == 1 and len(loader.made) == 1
    predictor = loader.made[0]
    assert predictor.calls == 16
    assert not predictor.overlapped  # not thread-safe, so the app let one call in at a time


def test_lazy_load_happens_once_under_concurrency() -> None:
    loader = Loader()
    c = TestClient(create_app(load=loader), base_url=BASE)  # no start-up: the first requests load it
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: c.post("/api/analyze", json={"text": ARTICLE}).status_code, range(8))
        )
    assert statuses == [200] * 8 and loader.calls == 1


class _Rendezvous(BasePredictor):
    """Thread-safe; every call waits for a second one to be inside predict at the same time,
    which only happens if the app really runs requests concurrently."""

    name = "rendezvous"
    thread_safe = True

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=30)

    def predict_batch(
        self, sentences: list[str], contexts: Sequence[str | None], **options: object
    ) -> list[SentenceResult]:
        self.barrier.wait()
        return KeywordPredictor().predict_batch(sentences, contexts)


def test_thread_safe_predictors_run_concurrently() -> None:
    with TestClient(create_app(_Rendezvous()), base_url=BASE) as c, ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: c.post("/api/analyze", json={"text": ARTICLE}), range(2)))
    assert [r.status_code for r in replies] == [200, 200]
    assert _labels(replies[0].json()) == EXPECTED


def test_onnx_predictor_serves_concurrent_requests_alike(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    """The real ONNX backend (on the tiny random encoder) is declared thread-safe: 8 requests at
    once give exactly what one request alone gives."""
    from attrib.export import export_onnx
    from attrib.model import AttribModel
    from attrib.runtime import OnnxPredictor

    folder = tmp_path / "tiny"
    AttribModel.from_pretrained(tiny_encoder_dir, max_length=48).save_pretrained(folder)
    export_onnx(folder, folder)
    predictor = OnnxPredictor(folder, threads=1)
    assert predictor.thread_safe
    with TestClient(create_app(predictor), base_url=BASE) as c:
        alone = c.post("/api/analyze", json={"text": ARTICLE}).json()
        with ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(lambda _: c.post("/api/analyze", json={"text": ARTICLE}).json(), range(8))
            )
    assert all(r["sentences"] == alone["sentences"] for r in replies)


# ---------------------------------------------------------------- the command


def test_attrib_serve_starts_uvicorn_on_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    from attrib.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    assert (
        main(["serve", "--predictor", "baseline", "--port", "8123", "--sample", "--max-chars", "5000"]) == 0
    )
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert "serving http://127.0.0.1:8123/ with the baseline predictor" in capsys.readouterr().out
    with TestClient(seen["app"], base_url=BASE) as c:
        assert "Ukrainian delegation" in c.get("/").text  # --sample
        assert c.get("/healthz").json()["max_chars"] == 5000
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400

    assert main(["serve", "--predictor", "baseline", "--host", "0.0.0.0"]) == 0
    assert "anyone who can reach this computer" in capsys.readouterr().err
    with TestClient(seen["app"]) as c:
        assert c.get("/", headers={"host": "my-laptop.local"}).status_code == 200


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_attrib_serve_rejects_bad_ports(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    from attrib.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["serve", "--port", port])
    assert stop.value.code == 2 and "--port" in capsys.readouterr().err


# ---------------------------------------------------------------- /compare: an uploaded batch


def _upload(client: TestClient, files: list[tuple[str, bytes]], **data: str):
    return client.post("/compare", files=[("files", (name, content)) for name, content in files], data=data)


def test_compare_page_for_an_uploaded_batch(client: TestClient) -> None:
    page = client.get("/compare")
    assert page.status_code == 200 and 'type="file"' in page.text and "multiple" in page.text
    # Two groups by folder: 'nyt' holds the keyword article twice over, 'blog' one hearsay line.
    files = [
        ("nyt/a.txt", ARTICLE.encode()),
        ("nyt/b.txt", ARTICLE.encode()),
        ("blog/c.txt", b"The delegation reportedly asked for missiles. A delegation visited Seoul."),
    ]
    r = _upload(client, files)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]  # no scripts allowed at all
    assert "<svg" in r.text and "<script" not in r.text
    for name in ("nyt", "blog", "nyt/a.txt", "blog/c.txt"):
        assert name in r.text
    # The rows: one per article, with the shares the keyword labels give.
    rows = _upload(client, files, format="csv")
    assert rows.status_code == 200 and "attachment" in rows.headers["content-disposition"]
    table = list(__import__("csv").DictReader(rows.text.splitlines()))
    assert [(t["doc_id"], t["group"]) for t in table] == [
        ("nyt/a.txt", "nyt"),
        ("nyt/b.txt", "nyt"),
        ("blog/c.txt", "blog"),
    ]
    assert float(table[0]["attribution_shares.anonymous"]) == pytest.approx(2 / 7, abs=1e-4)
    assert float(table[2]["attribution_shares.reportedly"]) == pytest.approx(1 / 2, abs=1e-4)


def test_compare_takes_a_jsonl_of_sentences_and_escapes_names(client: TestClient) -> None:
    lines = [
        {"doc_id": "<script>alert(1)</script>", "outlet": "<img src=x onerror=alert(1)>", "text": s}
        for s, _, _ in EXPECTED
    ]
    body = "".join(json.dumps(x) + "\n" for x in lines).encode()
    r = _upload(client, [("corpus.jsonl", body)])
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


@pytest.mark.parametrize(
    ("files", "message", "status"),
    [
        ([("", b"")], "no files given", 400),  # what a browser sends when no file was chosen
        ([("a.pdf", b"%PDF-1.4")], "cannot tell what a.pdf is", 400),
        ([("a.txt", b"\x00\x01\x02" * 100)], "binary", 400),
        ([("a.txt", b"   ")], "empty", 400),
        ([("a.txt", b"word " * 1_000)], "longer than 2,000 characters", 413),
        ([("s.jsonl", b'{"text": "No doc id here."}\n')], "compare needs one per sentence", 400),
    ],
)
def test_compare_errors_show_the_form_again(
    client: TestClient, files: list, message: str, status: int
) -> None:
    r = _upload(client, files, group_field="outlet")
    assert r.status_code == status, r.text
    assert message in r.text and 'role="alert"' in r.text
    assert 'value="outlet"' in r.text  # the user's input is kept


def test_compare_refuses_a_body_that_is_not_a_multipart_upload(client: TestClient) -> None:
    r = client.post("/compare", data={"group_field": "outlet"})
    assert r.status_code == 415 and "multipart/form-data" in r.text
