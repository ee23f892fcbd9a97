"""
report.html in a real browser: headless Chromium (Debian's ``chromium``) renders it, and it loads
nothing from the network. Not skipped when Chromium is missing: CI installs it (``.ci/run``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

WIDTH, HEIGHT = 1280, 2000
VERDICT_RED = (0xCF, 0x22, 0x2E)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is needed to check report.html: install Debian's 'chromium' package "
            "(apt-get install -y --no-install-recommends chromium; .ci/run does it)"
        )
    return found


def _browse(chromium: str, page: Path, work: Path, name: str) -> tuple[Path, list[dict[str, Any]]]:
    """Open `page` headless; return its screenshot and the requests the page itself made."""
    png, netlog = work / f"{name}.png", work / f"{name}-netlog.json"
    argv = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", f"--user-data-dir={work / (name + '-profile')}",
        f"--log-net-log={netlog}", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
        page.resolve().as_uri(),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return png, _page_requests(netlog)


def _page_requests(netlog: Path) -> list[dict[str, Any]]:
    """
    The URL requests the page made, from Chromium's net log. The browser's own background
    requests (updates, accounts) are left out: only requests whose network isolation key is the
    page's own file:// frame are the page's.
    """
    log = json.loads(netlog.read_text(encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requests = []
    for event in log["events"]:
        params = event.get("params") or {}
        own = "file://" in str(params.get("network_isolation_key", ""))
        if types.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params and own:
            requests.append(params)
    return requests


def test_the_failing_report_renders(
    chromium: str, broken_run: Any, tmp_path: Path, synthetic: Any
) -> None:
    _, reports, _ = broken_run
    png, requests = _browse(chromium, reports / "report.html", tmp_path, "report")
    width, height, rows = synthetic.decode_png(png.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)]
    colours = set(pixels)
    white = sum(1 for p in pixels if p == b"\xff\xff\xff")
    assert len(colours) > 50, "the page looks blank"
    assert white < 0.97 * len(pixels), "the page looks blank"
    # The inline CSS applied (the CSP allows it): the FAILED banner is red.
    red = sum(
        1 for p in pixels if all(abs(a - b) < 12 for a, b in zip(p, VERDICT_RED, strict=True))
    )
    assert red > 500, "no red verdict banner: was the page's CSS blocked?"
    assert requests == []


def test_the_report_loads_nothing_from_the_network(
    chromium: str, mock_run: Any, tmp_path: Path, synthetic: Any
) -> None:
    _, reports = mock_run
    page = (reports / "report.html").read_text(encoding="utf-8")
    references = synthetic.page_references(page)
    assert references["urls"] == [] and references["css"] == [] and references["tags"] == []
    assert references["csp"] == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    _, requests = _browse(chromium, reports / "report.html", tmp_path, "passing")
    assert requests == []


def test_the_network_check_does_see_a_page_that_loads_something(
    chromium: str, tmp_path: Path
) -> None:
    """The control: the same method catches an image fetched over HTTP (nothing listens)."""
    page = tmp_path / "control.html"
    page.write_text('<p>x</p><img src="http://127.0.0.1:9/pixel.png">', encoding="utf-8")
    _, requests = _browse(chromium, page, tmp_path, "control")
    assert [r["url"] for r in requests] == ["http://127.0.0.1:9/pixel.png"]
