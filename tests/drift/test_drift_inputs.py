"""`drift` on HTML pages, on the live page (served on loopback), and on input that is no page."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from drift_pages import SNAPSHOT, edited, html_page, write

from truewatch_contract.cli import main


def drift(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["drift", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def one_line_error(code: int, out: list[str], err: str) -> str:
    """Assert the exit-2 shape (one line on stderr, nothing on stdout) and return the line."""
    assert code == 2
    assert out == []
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("truewatch-contract drift: error: ")
    return err


# HTML ------------------------------------------------------------------------------------------


def test_the_page_saved_as_html_agrees_with_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = drift([str(write(tmp_path, html_page(), "update.html")), "-v"], capsys)
    assert (code, err) == (0, ""), out
    assert out[-1].startswith("no drift: ") and "7 known page defects" in out[-1]
    # Lines are the HTML file's own lines.
    lines = html_page().split("\n")
    level = next(line for line in out if "issue-status-example" in line)
    number = int(level.split(", line ")[1].split(":")[0])
    assert "Example: level" in lines[number - 1]


def test_an_edited_html_page_drifts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = html_page(statuses="['Triage', 'Assigned', 'Working', 'Resolved', 'Ignored', 'Closed']")
    page = edited('"creator"', '"creatorName"', page)
    code, out, _ = drift([str(write(tmp_path, page, "update.html"))], capsys)
    assert code == 1
    assert any("allowed value 'Closed' is on the page, not in the spec" in line for line in out)
    assert any("field content.creator of the spec is no longer" in line for line in out)
    assert any("field content.creatorName is on the page, not in the spec" in x for x in out)


def test_an_html_table_with_a_renamed_column_cell_drifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited("<td>array</td><td></td>", "<td>array</td><td>Y</td>", html_page())
    code, out, _ = drift([str(write(tmp_path, page, "update.html"))], capsys)
    assert code == 1
    assert any("assigner: the page marks it required, the spec optional" in x for x in out)


# Input that is no page: exit 2, one line ------------------------------------------------------

NOT_PAGES: dict[str, bytes] = {
    "garbage": b"lorem ipsum dolor sit amet\n%%%% 12 ### !!\n" * 20,
    "an empty file": b"",
    "only whitespace": b"  \n\n\t\n",
    "a binary file": bytes(range(256)) * 8,
    "bytes that are not UTF-8": b"POST /api/v1/error_track/{issue_id}/update \xff\xfe\xfa",
    "a JSON document": json.dumps({"code": 200, "content": {}}).encode(),
    "an HTML page of something else": b"<!doctype html><html><body><h1>Pricing</h1>"
    b"<table><tr><td>Plan</td><td>Price</td></tr></table></body></html>",
}


@pytest.mark.parametrize("kind", NOT_PAGES)
def test_input_that_is_no_page_is_one_line_and_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = drift([str(write(tmp_path, NOT_PAGES[kind]))], capsys)
    one_line_error(code, out, err)


def test_a_different_endpoints_page_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    route_table = (
        "Route Parameters\n\nParameter Name Type Required Description\n"
        "issue_id string Y issue uuid\nAllow empty string: False\n"
    )
    page = (
        SNAPSHOT.replace("\nUpdate\n", "\nList\n")
        .replace("POST /api/v1/error_track/{issue_id}/update", "POST /api/v1/error_track/list")
        .replace(route_table, "")
        .replace("assigner array Assignee", "pageIndex integer Page")
        .replace("issueStatus string Status", "pageSize integer Page size")
    )
    assert route_table not in page
    code, out, err = drift([str(write(tmp_path, page))], capsys)
    line = one_line_error(code, out, err)
    assert "documents POST /api/v1/error_track/list, not this endpoint" in line


def test_a_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = drift([str(tmp_path / "nowhere.txt")], capsys)
    assert "cannot read" in one_line_error(code, out, err)


def test_a_page_and_a_url_together_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = drift([str(write(tmp_path, SNAPSHOT)), "--url", "http://127.0.0.1:9/"], capsys)
    assert "not both" in one_line_error(code, out, err)


# The live page, served on loopback -------------------------------------------------------------


class _Docs(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[str, bytes]]] = {
        "/open-api/error-track__update/": ("text/html; charset=utf-8", html_page().encode()),
        "/snapshot.txt": ("text/plain; charset=utf-8", SNAPSHOT.encode()),
        "/changed.txt": ("text/plain", edited("'Ignored']", "'Ignored', 'Closed']").encode()),
    }

    def do_GET(self) -> None:
        if self.path not in self.pages:
            self.send_error(404, "Not Found")
            return
        kind, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def docs() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Docs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/open-api/error-track__update/", "/snapshot.txt"])
def test_the_live_page_agrees(docs: str, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = drift(["--url", docs + path], capsys)
    assert (code, err) == (0, ""), out
    assert out[-1].startswith(f"no drift: {docs}{path} agrees")


def test_the_live_page_drifts(docs: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = drift(["--url", docs + "/changed.txt", "--format", "json"], capsys)
    report = json.loads("\n".join(out))
    assert code == 1 and report["differences"][0]["page"] == "Closed"


def test_a_missing_live_page_is_exit_2(docs: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = drift(["--url", docs + "/gone/"], capsys)
    assert f"{docs}/gone/ answered 404 Not Found" in one_line_error(code, out, err)


def test_an_unreachable_host_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, err = drift(["--url", f"http://127.0.0.1:{port}/", "--timeout", "5"], capsys)
    assert f"cannot reach http://127.0.0.1:{port}/" in one_line_error(code, out, err)


def test_a_silent_server_times_out(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        code, out, err = drift(["--url", f"http://127.0.0.1:{port}/", "--timeout", "0.5"], capsys)
    assert "did not answer within 0.5 s" in one_line_error(code, out, err)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "docs.truewatch.com/x", "ftp://h/x"])
def test_a_url_that_is_not_http_is_exit_2(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = drift(["--url", url], capsys)
    assert "must be an http:// or https:// address" in one_line_error(code, out, err)


def test_the_command_line_prints_no_traceback_for_a_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, bytes(range(256)), "page.bin")
    result = subprocess.run(
        [sys.executable, "-m", "truewatch_contract", "drift", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == f"truewatch-contract drift: error: {path} is a binary file, not a page's text or HTML\n"
    )


def test_html_cells_made_of_paragraphs_read_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited(
        "<td><code>assigner</code></td><td>array</td><td></td>\n"
        "                    <td>Assignee <br/>Example: [&#39;acnt_xxx&#39;] <br/>"
        "Allow empty: False <br/></td>",
        "<td><p><code>assigner</code></p></td><td><p>array</p></td><td></td>\n"
        "<td><p>Assignee</p><p>Example: [&#39;acnt_xxx&#39;]</p>"
        "<p>Allow empty: True</p></td>",
        html_page(),
    )
    code, out, _ = drift([str(write(tmp_path, page, "update.html"))], capsys)
    assert code == 1
    assert [line.split(": ", 1)[1] for line in out[:-1]] == [
        "assigner: 'Allow empty: True', the spec says False"
    ]


def test_a_page_that_only_names_the_route_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = "Changelog\n\n2026-03-01: POST /api/v1/error_track/{issue_id}/update\n" + (
        "POST /api/v1/error_track/{issue_id}/update\n\nNow faster.\n"
    )
    code, out, err = drift([str(write(tmp_path, page))], capsys)
    assert "has none of an endpoint page's sections" in one_line_error(code, out, err)


def test_another_endpoint_of_the_same_issue_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (
        SNAPSHOT.replace("{issue_id}/update", "{issue_id}/comment")
        .replace("<issue_id>/update", "<issue_id>/comment")
        .replace("assigner array Assignee", "content string Y Comment")
        .replace("issueStatus string Status", "mentions array Mentions")
    )
    code, out, err = drift([str(write(tmp_path, page))], capsys)
    line = one_line_error(code, out, err)
    assert "documents POST /api/v1/error_track/{issue_id}/comment, not this endpoint" in line
