"""Fetching the live page over HTTP(S), with a timeout and one-line errors."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from truewatch_contract.drift.page import MAX_BYTES, Page, PageError, from_bytes

DEFAULT_TIMEOUT = 15.0


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT) -> Page:
    """GET ``url`` and read it as a page; `PageError` when it cannot be fetched."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PageError(f"--url must be an http:// or https:// address, not {url!r}")
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "truewatch-contract drift",
            "Accept": "text/html, text/plain;q=0.9, */*;q=0.1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as error:
        raise PageError(f"{url} answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise PageError(f"{url} did not answer within {timeout:g} s") from None
        raise PageError(f"cannot reach {url}: {_describe(reason)}") from None
    except TimeoutError:
        raise PageError(f"{url} did not answer within {timeout:g} s") from None
    except (OSError, ValueError) as error:  # a reset connection, a malformed answer
        raise PageError(f"cannot read {url}: {_describe(error)}") from None
    return from_bytes(data, url, charset)


def _describe(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
