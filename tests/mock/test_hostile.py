"""
A hostile battery: hundreds of bad requests, each answered with a well-formed error envelope,
never a 5xx or a trace, and none of them changes the state.

The requests go over real HTTP (raw sockets where a client library would tidy the bytes up) to a
mock served by uvicorn, exactly as a client would meet it.
"""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from mock_helpers import (
    DEFAULT_API_KEY,
    FOREIGN_ISSUE_ID,
    PAGE_ISSUE_ID,
    Reply,
    api_path,
    check_envelope,
    raw_request,
)

from truewatch_contract.mock.seed import PAGE_ASSIGNEE

JSON = ("Content-Type", "application/json")
KEY = ("DF-API-KEY", DEFAULT_API_KEY)
VALID = b'{"issueStatus": "Working", "assigner": ["acnt_3875a23398de4c92a5fc68a1c49a664b"]}'
MIB = 1024 * 1024


@dataclass
class Case:
    name: str
    body: bytes | None = None
    method: str = "POST"
    path: str = api_path()
    headers: list[tuple[str, str]] = field(default_factory=lambda: [JSON, KEY])
    status: int | None = 400  # None: any 4xx
    raw: bytes | None = None  # the whole request, sent as is
    chunked: list[bytes] | None = None


def _truncations() -> list[Case]:
    return [Case(f"truncated-{n}", VALID[:n]) for n in range(len(VALID))]


def _malformed() -> list[Case]:
    bodies = [
        b"{",
        b"}",
        b"{]",
        b"{'issueStatus': 'Working'}",
        b'{"issueStatus": Working}',
        b'{"issueStatus": "Working",}',
        b'{"issueStatus" "Working"}',
        b'{"issueStatus": "Working"} x',
        b'{"issueStatus": "Working"}{"issueStatus": "Triage"}',
        b'{"issueStatus": "Working" /* c */}',
        b'// c\n{"issueStatus": "Working"}',
        b'{"issueStatus": "Wor\nking"}',
        b'{"issueStatus": "\\x41"}',
        b'{"issueStatus": "\\u12"}',
        b'{"issueStatus": NaN}',
        b'{"issueStatus": "Working", "x": Infinity}',
        b'{"x": -Infinity, "issueStatus": "Working"}',
        b'{"x": 1' + b"0" * 5000 + b', "issueStatus": "Working"}',
        b'{"x": 01, "issueStatus": "Working"}',
        b'{"x": .5, "issueStatus": "Working"}',
        b'{"x": +1, "issueStatus": "Working"}',
        b'{"issueStatus": True}',
        b'{"issueStatus": None}',
        b"\xef\xbb\xbf" + VALID,
        b"\x00" + VALID,
        VALID + b"\x00",
        b" ",
        b"\r\n\t",
        b"null",
        b"undefined",
        b'"Working"',
        b"[]",
        b'[{"issueStatus": "Working"}]',
        b"0",
        b"-1.5e300",
        b"true",
        b"issueStatus=Working",
        b"<issue><issueStatus>Working</issueStatus></issue>",
    ]
    return [Case(f"malformed-{i}", body) for i, body in enumerate(bodies)] + [
        Case("empty-body", b"")
    ]


def _invalid_utf8() -> list[Case]:
    bodies = [
        b"\xff",
        b'{"issueStatus": "\xff"}',
        b'{"issueStatus": "Working", "x": "\xc3\x28"}',
        b'{"issueStatus": "Wor\xc0\xafking"}',
        b'{"x": "\xed\xa0\x80", "issueStatus": "Working"}',
        b'{"issueStatus": "Working\xf8\x88\x80\x80\x80"}',
        b'{"x": "\xe2\x82", "issueStatus": "Working"}',
        '{"issueStatus": "Working"}'.encode("utf-16"),
        '{"issueStatus": "Working"}'.encode("utf-32"),
        '{"issueStatus": "Wörking"}'.encode("latin-1"),
        b'{"issueStatus": "\\ud800"}',
        b'{"assigner": ["acnt_3875a23398de4c92a5fc68a1c49a664\\udfff"]}',
    ]
    return [Case(f"utf8-{i}", body) for i, body in enumerate(bodies)]


def _content_types() -> list[Case]:
    types = [
        "text/plain",
        "text/json",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "json",
        "*/*",
        "",
        ";",
        "application/json\t x",
    ]
    cases = [
        Case(f"content-type-{i}", VALID, headers=[("Content-Type", t), KEY])
        for i, t in enumerate(types)
    ]
    cases.append(Case("content-type-missing", VALID, headers=[KEY]))
    cases.append(
        Case("content-type-twice", VALID, headers=[JSON, ("Content-Type", "text/plain"), KEY])
    )
    return cases


def _wrong_types() -> list[Case]:
    values: list[Any] = [
        None,
        True,
        False,
        0,
        -1,
        1.5,
        "",
        " ",
        "x",
        "level",
        "RESOLVED",
        "resolved",
        "Resolved ",
        " Resolved",
        "Resolved\u0000",
        "Reѕolved",  # a Cyrillic s
        [],
        {},
        ["Resolved"],
        {"value": "Resolved"},
        "acnt_3875a23398de4c92a5fc68a1c49a664b",
        [None],
        [1],
        [{}],
        [[]],
        ["acnt_"],
        ["acnt_3875a23398de4c92a5fc68a1c49a664"],
        ["acnt_3875a23398de4c92a5fc68a1c49a664bb"],
        ["acnt_3875A23398DE4C92A5FC68A1C49A664B"],
        ["wksp_3875a23398de4c92a5fc68a1c49a664b"],
        [" acnt_3875a23398de4c92a5fc68a1c49a664b"],
        ["acnt_3875a23398de4c92a5fc68a1c49a664b\n"],
        [PAGE_ASSIGNEE, None],
        [PAGE_ASSIGNEE, ""],
        "x" * 100_000,
    ]
    cases: list[Case] = []
    for i, value in enumerate(values):
        # Where the value is valid for one field, it is still invalid for the other.
        for field_name in ("issueStatus", "assigner"):
            body = json.dumps({field_name: value}).encode()
            cases.append(Case(f"wrong-{field_name}-{i}", body))
        mixed = json.dumps({"issueStatus": "Working", "assigner": value}).encode()
        cases.append(Case(f"wrong-assigner-beside-valid-status-{i}", mixed))
    return cases


def _leak_lookalikes() -> list[Case]:
    """Values that read like internal detail: echoed back, they must not make the answer leak."""
    values = [
        "Traceback (most recent call last):",
        'File "/srv/app.py", line 3, in update',
        "KeyError: 'issueStatus'",
        "ValueError",
        "at java.lang.Thread.run(Thread.java:750)",
        "NullPointerException",
        "/usr/lib/python3/site-packages/starlette/routing.py",
    ]
    cases: list[Case] = []
    for i, value in enumerate(values):
        cases.append(Case(f"leak-status-{i}", json.dumps({"issueStatus": value}).encode()))
        cases.append(Case(f"leak-assigner-{i}", json.dumps({"assigner": [value]}).encode()))
        deep = json.dumps({value: "x"}).encode().replace(b'"x"', b"[" * 600 + b"]" * 600)
        cases.append(Case(f"leak-deep-key-{i}", deep))
        cases.append(Case(f"leak-content-type-{i}", VALID, headers=[("Content-Type", value), KEY]))
    return cases


def _sizes_and_depth() -> list[Case]:
    padding = b'{"issueStatus": "Working", "pad": "' + b"x" * MIB + b'"}'
    garbage = b"\xff" * (2 * MIB)
    return [
        Case("large-declared", padding, status=413),
        Case("large-garbage", garbage, status=413),
        Case(
            "large-streamed",
            chunked=[padding[i : i + 65536] for i in range(0, len(padding), 65536)],
            status=413,
        ),
        Case("large-one-chunk", chunked=[padding], status=413),
        Case("large-lying-length", raw=_raw_post(b"{}", length=10 * MIB), status=413),
        Case("deep-arrays", b"[" * 100_000 + b"]" * 100_000),
        Case("deep-objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        Case("deep-in-status", b'{"issueStatus":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        Case("deep-in-assigner", b'{"assigner":' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        Case("deep-unclosed", b"[" * 100_000),
        Case("deep-600", b'{"issueStatus": "Working", "x":' + b"[" * 600 + b"]" * 600 + b"}"),
        Case(
            "many-keys",
            json.dumps({f"k{i}": i for i in range(20000)} | {"issueStatus": 1}).encode(),
        ),
    ]


def _issue_ids() -> list[Case]:
    ids = [
        "%00",
        f"{PAGE_ISSUE_ID}%00",
        f"{PAGE_ISSUE_ID}%0A",
        f"{PAGE_ISSUE_ID}%20",
        "%0D%0A",
        "%1F",
        "%7F",
        quote("é"),
        quote("🙂"),
        quote("\u202e" + PAGE_ISSUE_ID),
        quote("\u200b" + PAGE_ISSUE_ID),
        quote(PAGE_ISSUE_ID.upper()),
        "%FF%FE",
        "%C0%AF",
        "isset_",
        "x" * 10_000,
        "..",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2f__mock__%2freset",
        "..%2f..%2f__mock__%2freset",
        "%252e%252e",
        "*",
        "null",
        "undefined",
        "0",
        "-1",
        "'%20OR%201=1--",
        "%7B%7D",
        "%24%7Bjndi:ldap://x%7D",
        FOREIGN_ISSUE_ID,
        "isset_9d73548b1bf985097dd9f24e71c53155",
    ]
    cases = [
        Case(f"issue-id-{i}", VALID, path=api_path(issue_id), status=None)
        for i, issue_id in enumerate(ids)
    ]
    traversals = [
        "/api/v1/error_track/../../__mock__/reset",
        "/api/v1/error_track/../../__mock__/reset/update",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}/../{FOREIGN_ISSUE_ID}/update",
        "/api/v1/error_track/%2F/update",
        "/api/v1/error_track//update",
        "//api/v1/error_track/" + PAGE_ISSUE_ID + "/update",
        "/API/V1/ERROR_TRACK/" + PAGE_ISSUE_ID + "/UPDATE",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}/update/..",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}/update;x=1",
        f"/api/v1/error_track/{PAGE_ISSUE_ID}/update%00",
    ]
    cases += [
        Case(f"traversal-{i}", VALID, path=path, status=None) for i, path in enumerate(traversals)
    ]
    return cases


def _keys() -> list[Case]:
    keys = [
        "",
        " ",
        "tkn_",
        DEFAULT_API_KEY[:-1],
        DEFAULT_API_KEY + "0",
        DEFAULT_API_KEY.upper(),
        "Bearer " + DEFAULT_API_KEY,
        "tkn_" + "0" * 32,
        "x" * 8000,
        "' OR 1=1 --",
        "null",
    ]
    cases = [
        Case(f"key-{i}", VALID, headers=[JSON, ("DF-API-KEY", key)], status=403)
        for i, key in enumerate(keys)
    ]
    cases.append(Case("key-missing", VALID, headers=[JSON], status=403))
    cases.append(
        Case(
            "key-differing-twice",
            VALID,
            headers=[JSON, KEY, ("DF-API-KEY", "tkn_" + "1" * 32)],
            status=403,
        )
    )
    cases.append(
        Case(
            "key-in-authorization",
            VALID,
            headers=[JSON, ("Authorization", DEFAULT_API_KEY)],
            status=403,
        )
    )
    cases.append(
        Case(
            "key-wrong-header-name",
            VALID,
            headers=[JSON, ("DF-API-KEYS", DEFAULT_API_KEY)],
            status=403,
        )
    )
    cases.append(Case("key-raw-bytes", raw=_raw_post(VALID, key=b"\xff\xfe\x80"), status=403))
    cases.append(Case("key-raw-utf8", raw=_raw_post(VALID, key="ключ".encode()), status=403))
    return cases


def _methods() -> list[Case]:
    methods = [
        "GET",
        "HEAD",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
        "TRACE",
        "CONNECT",
        "PROPFIND",
        "MKCOL",
        "LINK",
        "PURGE",
        "QUERY",
        "SEARCH",
        "FOO",
    ]
    # A method name the HTTP parser does not know is refused before routing: any 4xx.
    cases = [
        Case(f"method-{m}", VALID, method=m, status=405 if m != "FOO" else None) for m in methods
    ]
    cases += [
        Case(
            f"method-{m}-unknown-route",
            VALID,
            method=m,
            path="/nope",
            status=404 if m != "FOO" else None,
        )
        for m in methods
    ]
    return cases


def _raw_post(
    body: bytes, *, key: bytes = DEFAULT_API_KEY.encode(), length: int | None = None
) -> bytes:
    size = len(body) if length is None else length
    return (
        f"POST {api_path()} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + b"DF-API-KEY: "
        + key
        + f"\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


def _protocol_garbage() -> list[Case]:
    raws = [
        b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"POST /api/v1/error_track/x/update HTTP/9.9\r\n\r\n",
        _raw_post(VALID).replace(b"Content-Length", b"Content Length"),
        _raw_post(VALID).replace(b"Content-Length: ", b"Content-Length: -"),
        _raw_post(VALID).replace(b"Content-Length: ", b"Content-Length: 12x"),
        _raw_post(VALID).replace(b"DF-API-KEY", b"DF-API-KEY\x00"),
        _raw_post(VALID).replace(b"\r\nConnection", b"\r\nContent-Length: 3\r\nConnection"),
        _raw_post(VALID).replace(
            b"Connection: close\r\n", b"Transfer-Encoding: chunked\r\nConnection: close\r\n"
        ),
    ]
    # `OPTIONS *` is valid HTTP that no route can match: a 404 envelope; the rest is not HTTP.
    return [
        Case(f"protocol-{i}", raw=raw, status=404 if i == 0 else 400) for i, raw in enumerate(raws)
    ]


CASES = (
    _truncations()
    + _malformed()
    + _invalid_utf8()
    + _content_types()
    + _wrong_types()
    + _leak_lookalikes()
    + _sizes_and_depth()
    + _issue_ids()
    + _keys()
    + _methods()
    + _protocol_garbage()
)


def send_raw(base_url: str, raw: bytes) -> Reply:
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        with contextlib.suppress(OSError):  # the server may answer and close before reading it all
            sock.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return Reply(status, headers, body)


def test_the_battery_is_large_enough() -> None:
    assert len(CASES) >= 200
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_bad_request_gets_an_error_envelope_and_changes_nothing(
    mock: Any, case: Case
) -> None:
    before = mock.state.to_dict()
    if case.raw is not None:
        reply = send_raw(mock.base_url, case.raw)
    else:
        reply = raw_request(
            mock.base_url, case.method, case.path, case.headers, case.body, chunked=case.chunked
        )
    envelope = check_envelope(reply, method=case.method)
    if case.status is None:
        assert 400 <= reply.status < 500
    else:
        assert reply.status == case.status, reply.body[:300]
    if envelope is not None:
        assert len(envelope["message"]) < 400
    assert mock.state.to_dict() == before


@pytest.mark.parametrize(
    "body_part",
    [
        # Content-Length promises 100 bytes; 25 arrive, then the client closes its side.
        b"Content-Length: 100\r\n\r\n" + b'{"issueStatus":"Ignored"}',
        # A chunked body whose final (zero) chunk never comes.
        b"Transfer-Encoding: chunked\r\n\r\n19\r\n" + b'{"issueStatus":"Ignored"}' + b"\r\n",
    ],
    ids=["short-content-length", "unterminated-chunks"],
)
def test_a_body_cut_short_by_a_disconnect_changes_nothing(mock: Any, body_part: bytes) -> None:
    """The first bytes of a truncated body may be valid JSON: the update must still not happen."""
    before = json.dumps(mock.state.get_issue(PAGE_ISSUE_ID), sort_keys=True)
    parts = urlsplit(mock.base_url)
    head = (
        f"POST /api/v1/error_track/{PAGE_ISSUE_ID}/update HTTP/1.1\r\n"
        f"Host: {parts.hostname}\r\nDF-API-KEY: {DEFAULT_API_KEY}\r\n"
        "Content-Type: application/json\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head + body_part)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(2)  # the server answers nobody; it only has to notice the disconnect
        with contextlib.suppress(OSError):
            while sock.recv(65536):
                pass
    # A request on a fresh connection is handled after the cut one: the state is settled.
    probe = b"GET /__mock__/issues/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    assert send_raw(mock.base_url, probe).status
    assert json.dumps(mock.state.get_issue(PAGE_ISSUE_ID), sort_keys=True) == before


def test_a_body_declared_too_large_is_refused_before_it_is_sent(mock: Any) -> None:
    """``Expect: 100-continue`` with 2 MiB declared: 413 at once, never an invitation to send."""
    parts = urlsplit(mock.base_url)
    head = (
        f"POST /api/v1/error_track/{PAGE_ISSUE_ID}/update HTTP/1.1\r\n"
        f"Host: {parts.hostname}\r\nDF-API-KEY: {DEFAULT_API_KEY}\r\n"
        "Content-Type: application/json\r\nExpect: 100-continue\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 413 "), first[:200]
    assert b"ft.RequestEntityTooLarge" in first
