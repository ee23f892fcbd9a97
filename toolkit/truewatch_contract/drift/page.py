"""
Reading the vendor's page: a saved file (text or HTML), the live page, or the shipped snapshot.

Whatever the source, the result is a `Page`: numbered lines of text, as a browser shows the page
(table cells separated by tabs, one table row per line, code blocks verbatim). Every line keeps
the number of the line it comes from in the file read, so a difference can say where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from truewatch_contract.drift.html_text import html_lines, looks_like_html
from truewatch_contract.errors import UsageError
from truewatch_contract.spec import resource_path

PAGE_NAME = "vendor-page.txt"

#: The vendor's page of the endpoint, the documented example for ``--url``.
VENDOR_URL = "https://docs.truewatch.com/open-api/error-track__update/"

#: The most a page may weigh; a docs page is a few hundred kilobytes.
MAX_BYTES = 10 * 1024 * 1024

# Characters a scrape or a browser leaves that mean a plain space, or nothing at all.
_SPACES = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " "})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


class PageError(UsageError):
    """The page cannot be read, or is not the endpoint's page: the command exits 2 with this."""


@dataclass(frozen=True)
class Line:
    """One line of the page's text and the line of the file it comes from."""

    text: str
    number: int


@dataclass(frozen=True)
class Page:
    """The page as lines of text; ``source`` names where it was read from."""

    source: str
    lines: tuple[Line, ...]
    html: bool = False


def snapshot_path() -> Path:
    """Return the shipped snapshot of the vendor's page (the wheel's or the checkout's)."""
    return resource_path("openapi", PAGE_NAME)


def read_file(path: str | Path) -> Page:
    """Read a saved page (its text or its HTML); `PageError` when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise PageError(f"cannot read {str(path)!r}: {error.strerror or error}") from None
    return from_bytes(data, str(path))


def from_bytes(data: bytes, source: str, charset: str | None = None) -> Page:
    """Decode and split a page; `PageError` for an empty, binary or oversized one."""
    if len(data) > MAX_BYTES:
        raise PageError(f"{source} is larger than {MAX_BYTES} bytes: not a docs page")
    if not data.strip():
        raise PageError(f"{source} is empty")
    if b"\x00" in data:
        raise PageError(f"{source} is a binary file, not a page's text or HTML")
    text = _decode(data, source, charset)
    if looks_like_html(text):
        raw = html_lines(text)
        html = True
    else:
        raw = [(line, number) for number, line in enumerate(text.splitlines(), start=1)]
        html = False
    lines = tuple(Line(_clean(line), number) for line, number in raw)
    if not any(line.text for line in lines):
        raise PageError(f"{source} holds no text")
    return Page(source, lines, html)


def _decode(data: bytes, source: str, charset: str | None) -> str:
    candidates = [charset] if charset else []
    candidates.append("utf-8-sig")
    declared = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if declared:
        candidates.append(declared.group(1).decode("ascii"))
    for name in candidates:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    raise PageError(f"{source} is not text (not UTF-8)")


def _clean(line: str) -> str:
    return _INVISIBLE.sub("", line.translate(_SPACES)).rstrip()
