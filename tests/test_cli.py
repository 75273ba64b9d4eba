"""`attrib report` end to end: inputs (text, HTML, stdin), bad inputs, --out, the console script."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from attrib.cli import main
from attrib.errors import AttribError
from attrib.reader import read_article

ARTICLE = "Kim said the talks went well.\nA delegation visited Seoul on Wednesday.\n"
PAGE = """<!DOCTYPE html>
<html><head><title>Page</title><style>p { color: red }</style><script>var tracking = 1;</script></head>
<body><nav>Home | World | Sport | Subscribe now</nav>
<article><h1>Seoul weighs arms sales</h1>
<p>The South Korean government is reportedly hesitant to approve the sale of air defense systems to Ukraine,
according to broadcaster SBS.</p>
<p>A delegation from Ukraine visited Seoul on Wednesday, where it held talks with senior officials.</p>
</article><footer>Copyright 2024 Example Media</footer></body></html>
"""


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args, "--predictor", "baseline"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("attrib: error: ")
    for needle in needles:
        assert needle in err


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_report_text(capsys: pytest.CaptureFixture[str], article: Path) -> None:
    code, out, err = report(capsys, str(article))
    assert code == 0 and err == ""
    assert "Reliability score" in out and "A delegation visited Seoul on Wednesday." in out
    assert "\x1b" not in out  # captured output is not a terminal: no colour


def test_report_json_leaves_input_untouched(capsys: pytest.CaptureFixture[str], article: Path) -> None:
    before = article.stat().st_mtime_ns
    code, out, _ = report(capsys, str(article), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [s["text"] for s in data["sentences"]] == ARTICLE.split("\n")[:2]
    assert article.read_text(encoding="utf-8") == ARTICLE and article.stat().st_mtime_ns == before


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(*report(capsys, str(tmp_path / "nope.txt")), "no such file", "nope.txt")


def test_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(*report(capsys, str(tmp_path)), "is a directory")


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert_one_line_error(*report(capsys, str(path)), "is empty")


@pytest.mark.parametrize("content", [b"\x7fELF\x02\x01\x01\x00\x00\x00", b"caf\xe9 \xff\xfe text"])
def test_binary_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(content)
    assert_one_line_error(*report(capsys, str(path)), "looks binary")


def test_unreadable_file(
    capsys: pytest.CaptureFixture[str], article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod 0 does not stop root (CI containers), so simulate the refusal at open().
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("attrib.reader.open", refuse, raising=False)
    assert_one_line_error(*report(capsys, str(article)), "permission denied")


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = report(capsys, "-", "--format", "json")
    assert code == 0
    assert len(json.loads(out)["sentences"]) == 2


def test_empty_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert_one_line_error(*report(capsys, "-"), "standard input is empty")


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_out_writes_the_file(
    capsys: pytest.CaptureFixture[str], article: Path, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    code, out, err = report(capsys, str(article), "--format", fmt, "--out", str(target))
    assert (code, out, err) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert "A delegation visited Seoul on Wednesday." in text
    assert text.startswith("<!DOCTYPE html>") == (fmt == "html")


def test_html_input_main_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    code, out, _ = report(capsys, str(path), "--format", "json")
    assert code == 0
    texts = [s["text"] for s in json.loads(out)["sentences"]]
    assert any(t.startswith("The South Korean government is reportedly hesitant") for t in texts)
    assert any("held talks with senior officials" in t for t in texts)
    joined = " ".join(texts)
    assert "tracking" not in joined and "color: red" not in joined and "Subscribe now" not in joined


def test_html_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    text = read_article(str(path))
    assert "held talks with senior officials" in text and "<p>" not in text


def test_html_fallback_tag_strip(tmp_path: Path) -> None:
    path = tmp_path / "tiny.html"
    path.write_text(
        "<html><body><p>Short &amp; sweet.</p><script>x()</script></body></html>", encoding="utf-8"
    )
    assert read_article(str(path)).strip() == "Short & sweet."


def test_html_without_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body> </body></html>", encoding="utf-8")
    assert_one_line_error(*report(capsys, str(path)), "no extractable article text")
    with pytest.raises(AttribError):
        read_article(str(path))


def _console_script() -> str:
    script = Path(sys.executable).parent / "attrib"
    found = str(script) if script.exists() else shutil.which("attrib")
    if not found:
        pytest.skip("the attrib console script is not installed")
    return found


def test_console_script(tmp_path: Path, article: Path) -> None:
    script = _console_script()
    ok = subprocess.run(
        [script, "report", str(article), "--format", "json", "--predictor", "baseline"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["profile"]["n_sentences"] == 2

    bad = subprocess.run(
        [script, "report", str(tmp_path / "missing.txt"), "--predictor", "baseline"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("attrib: error: no such file") and bad.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["bench", "--busy", "-1"], "from 0 to 64"),
        (["bench", "--threads", "0"], "at least 1"),
        (["report", "x.txt", "--backend", "tf"], "invalid choice"),
        (["label", "-", "-o", "o.jsonl", "--engine", "ray"], "reads a file"),
    ],
)
def test_speed_and_scale_options_refuse_bad_values(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors exit; the library's errors return
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2 and needle in captured.err and captured.err.count("\n") == 1
