"""
The envelope's cross-field rules: they hold for every response of the API, success or error.

The field types themselves (``envelope.fields``, ``envelope.trace-id``) are the schema's; each rule
here skips what the schema already reports, so one fault gives one violation.
"""

from __future__ import annotations

import re

from truewatch_contract.context import Context, is_int, violation
from truewatch_contract.rules import check
from truewatch_contract.violations import Violation, kind, short

JSON_MEDIA_TYPES = frozenset({"application/json"})


def content_type_problem(content_type: str) -> str:
    """Why a Content-Type is not JSON, or "" when it is (parameters such as charset are fine)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_MEDIA_TYPES:
        return ""
    return (
        f"the response must be served as application/json, found Content-Type {short(content_type)}"
    )


@check("envelope.json")
def json_object(ctx: Context) -> list[Violation] | None:
    # The payload itself is an object here (validate.py reports a non-object before any rule);
    # what remains is the Content-Type, when the caller knows it.
    if ctx.content_type is None:
        return []
    problem = content_type_problem(ctx.content_type)
    return [violation("envelope.json", "", problem + ".")] if problem else []


@check("envelope.code-matches-status")
def code_matches_status(ctx: Context) -> list[Violation] | None:
    code = ctx.envelope.get("code")
    if ctx.status_code is None or not is_int(code) or (ctx.flagged and not ctx.clean("/code")):
        return None
    if code == ctx.status_code:
        return []
    return [
        violation(
            "envelope.code-matches-status",
            "/code",
            f"code must equal the HTTP status {ctx.status_code}, found {short(code)}.",
        )
    ]


@check("envelope.success-matches-code")
def success_matches_code(ctx: Context) -> list[Violation] | None:
    code, success = ctx.envelope.get("code"), ctx.envelope.get("success")
    if (
        not is_int(code)
        or not isinstance(success, bool)
        or (ctx.flagged and not ctx.clean("/code", "/success"))
    ):
        return None
    if success == (code == 200):
        return []
    expected = "true" if code == 200 else "false"
    return [
        violation(
            "envelope.success-matches-code",
            "/success",
            f"success must be {expected} when code is {code}, found {kind(success)}.",
        )
    ]


@check("envelope.error-code-matches-success")
def error_code_matches_success(ctx: Context) -> list[Violation] | None:
    error_code, success = ctx.envelope.get("errorCode"), ctx.envelope.get("success")
    if not isinstance(error_code, str) or not isinstance(success, bool):
        return None
    if ctx.flagged and not ctx.clean("/errorCode", "/success"):
        return None
    if (error_code == "") == success:
        return []
    if success:
        message = f'errorCode must be "" when success is true, found {kind(error_code)}.'
    else:
        message = 'errorCode must name the error when success is false, found "".'
    return [violation("envelope.error-code-matches-success", "/errorCode", message)]


@check("envelope.message-empty-on-success")
def message_empty_on_success(ctx: Context) -> list[Violation] | None:
    message = ctx.envelope.get("message")
    if _is_error(ctx) is not False or not isinstance(message, str):
        return None
    if message == "":
        return []
    return [
        violation(
            "envelope.message-empty-on-success",
            "/message",
            f'message must be "" on success, found {kind(message)}.',
        )
    ]


def _is_error(ctx: Context) -> bool | None:
    """
    Whether the response is an error: success and code agree on it, or the valid one says so.

    When they disagree, ``envelope.success-matches-code`` reports it; the rules that depend on
    the answer stay silent rather than guess.
    """
    success, code = ctx.envelope.get("success"), ctx.envelope.get("code")
    by_success = (not success) if isinstance(success, bool) else None
    by_code = (code != 200) if is_int(code) else None
    if by_success is not None and by_code is not None:
        return by_success if by_success == by_code else None
    if by_success is not None:
        return by_success
    if by_code is not None:
        return by_code
    if ctx.status_code is not None:
        return ctx.status_code != 200
    return None


@check("envelope.no-content-on-error")
def no_content_on_error(ctx: Context) -> list[Violation] | None:
    if _is_error(ctx) is not True or "content" not in ctx.envelope:
        return None
    content = ctx.envelope["content"]
    if content is None or content == {}:
        return []
    return [
        violation(
            "envelope.no-content-on-error",
            "/content",
            f"content must be null or {{}} on an error, found {kind(content)}.",
        )
    ]


# What only a leak of internals looks like. Each pattern is specific enough that a correct,
# localized message ("Le paramètre issueStatus est invalide", "找不到该问题") never matches it.
_EXCEPTION_NAMES = (
    "Key|Type|Value|Attribute|Index|Name|Runtime|Assertion|ZeroDivision|Recursion|Import|"
    "ModuleNotFound|Unicode(?:Decode|Encode)?|JSONDecode|Lookup|Overflow|NotImplemented|"
    "FileNotFound|Permission|Unbound(?:Local)?|Integrity|Operational|Programming|Database"
)
_INTERNAL_DETAIL = re.compile(
    "|".join(
        (
            r"Traceback \(most recent call last\)",
            r'\bFile "[^"]+", line \d+',
            r"\b(?:" + _EXCEPTION_NAMES + r")Error\b",
            r"\b[A-Z][A-Za-z]+(?:Exception|Panic)\b",
            r"\bjava\.(?:lang|util|io)\.",
            r"^\s*at [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)",
            r"\bgoroutine \d+ \[",
            r"\bpanic: ",
            r"runtime error: (?:index out of range|invalid memory address|slice bounds|"
            r"integer divide by zero|makeslice|hash of unhashable)",
            r"nil pointer dereference",
            r"/site-packages/",
            r"/dist-packages/",
            r"\.py\", line \d+",
            r"\.go:\d+\b",
            r"\bSQLSTATE\b",
            r"\bORA-\d{5}\b",
            r"You have an error in your SQL syntax",
            r"syntax error at or near",
            r"duplicate key value violates",
            r"\bpsycopg2?\b|\bsqlalchemy\.|\bpymysql\b",
            r"\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE\b\s+\S+\s+\bSET\b",
            r"<[\w.]+ object at 0x[0-9a-f]+>",
        )
    ),
    re.MULTILINE,
)


_SEARCHED = 65536
# Every pattern above contains one of these literals. Python's `re` tries each alternative at
# every position of the text, so the patterns run only on a text that holds one of them.
_TRIGGERS = (
    "Traceback",
    "File ",
    "Error",
    "Exception",
    "Panic",
    "java.",
    "at ",
    "goroutine",
    "panic: ",
    "runtime error",
    "nil pointer",
    "-packages/",
    ".py",
    ".go:",
    "SQLSTATE",
    "ORA-",
    "SQL syntax",
    "syntax error at",
    "duplicate key",
    "psycopg",
    "sqlalchemy.",
    "pymysql",
    "SELECT",
    "INSERT INTO",
    "UPDATE",
    " object at 0x",
)


def internal_detail(text: str) -> str:
    """The first fragment of ``text`` that leaks internals, or "" when there is none."""
    # A leak shows near the start; the cap keeps a huge message from costing a long search.
    text = text[:_SEARCHED]
    for trigger in _TRIGGERS:
        if trigger in text:
            break
    else:
        return ""
    found = _INTERNAL_DETAIL.search(text)
    return found.group(0) if found else ""


@check("envelope.no-internal-detail")
def no_internal_detail(ctx: Context) -> list[Violation] | None:
    message = ctx.envelope.get("message")
    if not isinstance(message, str):
        return None
    leak = internal_detail(message)
    if not leak:
        return []
    return [
        violation(
            "envelope.no-internal-detail",
            "/message",
            f"message must not carry internal detail, found {short(leak)}.",
        )
    ]
