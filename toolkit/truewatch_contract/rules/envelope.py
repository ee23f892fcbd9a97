"""
The envelope's cross-field rules: they hold for every response of the API, success or error.

The field types themselves (``envelope.fields``, ``envelope.trace-id``) are the schema's; each rule
here skips what the schema already reports, so one fault gives one violation.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from truewatch_contract.rules.catalogue import violation
from truewatch_contract.rules.context import RuleContext, is_int
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


def json_object(ctx: RuleContext) -> list[Violation] | None:
    # The payload itself is an object here (validate.py reports a non-object before any rule);
    # what remains is the Content-Type, when the caller knows it.
    if ctx.content_type is None:
        return []
    problem = content_type_problem(ctx.content_type)
    return [violation("envelope.json", problem + ".", "")] if problem else []


def code_matches_status(ctx: RuleContext) -> list[Violation] | None:
    code = ctx.envelope.get("code")
    if ctx.status_code is None or not is_int(code) or (ctx.flagged and not ctx.clean("/code")):
        return None
    if code == ctx.status_code:
        return []
    return [
        violation(
            "envelope.code-matches-status",
            f"code must equal the HTTP status {ctx.status_code}, found {short(code)}.",
            "/code",
        )
    ]


def success_matches_code(ctx: RuleContext) -> list[Violation] | None:
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
            f"success must be {expected} when code is {code}, found {kind(success)}.",
            "/success",
        )
    ]


def error_code_matches_success(ctx: RuleContext) -> list[Violation] | None:
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
    return [violation("envelope.error-code-matches-success", message, "/errorCode")]


def message_empty_on_success(ctx: RuleContext) -> list[Violation] | None:
    message = ctx.envelope.get("message")
    if _is_error(ctx) is not False or not isinstance(message, str):
        return None
    if message == "":
        return []
    return [
        violation(
            "envelope.message-empty-on-success",
            f'message must be "" on success, found {kind(message)}.',
            "/message",
        )
    ]


def _is_error(ctx: RuleContext) -> bool | None:
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


def no_content_on_error(ctx: RuleContext) -> list[Violation] | None:
    if _is_error(ctx) is not True or "content" not in ctx.envelope:
        return None
    content = ctx.envelope["content"]
    if content is None or content == {}:
        return []
    return [
        violation(
            "envelope.no-content-on-error",
            f"content must be null or {{}} on an error, found {kind(content)}.",
            "/content",
        )
    ]


# What only a leak of internals looks like: Go (the vendor's stack), Node, Java and Python errors
# and stack frames, database and network errors, source paths with line numbers. Each pattern is
# specific enough that a correct message, localized or naming fields and values ("Le paramètre
# issueStatus est invalide", "Please SELECT one status FROM the list"), never matches it.
#
# Cheap first: each pattern is guarded by literals it cannot match without, and runs only on a
# text holding one of them (Python's `re` would otherwise try every alternative at every position).
_EXCEPTION_NAMES = (
    "Key|Type|Value|Attribute|Index|Name|Runtime|Assertion|ZeroDivision|Recursion|Import|"
    "ModuleNotFound|Unicode(?:Decode|Encode)?|JSONDecode|Lookup|Overflow|NotImplemented|"
    "FileNotFound|Permission|Unbound(?:Local)?|Integrity|Operational|Programming|Database|"
    "Reference|Syntax|Range|Eval|URI|OS|IO|Connection|Timeout|Memory"
)
_SOURCE_FILES = (
    "py", "go", "js", "mjs", "cjs", "ts", "jsx", "tsx", "java", "kt", "scala", "rb", "php", "cs",
    "rs", "cpp", "cc",
)  # fmt: skip
_SOURCE_TRIGGERS = tuple(f".{extension}:" for extension in _SOURCE_FILES)
_SQL_NAME = r"[\w.`\"\[\]]+"
_GUARDED: tuple[tuple[tuple[str, ...], str], ...] = (
    # Python
    (("Traceback",), r"Traceback \(most recent call last\)"),
    (('File "',), r'\bFile "[^"\n]+", line \d+'),
    (("Error",), r"\b(?:" + _EXCEPTION_NAMES + r")Error\b"),
    (("Exception", "Panic"), r"\b[A-Z][A-Za-z]+(?:Exception|Panic)\b"),
    (("-packages/",), r"/(?:site|dist)-packages/"),
    ((" object at 0x",), r"<[\w.]+ object at 0x[0-9a-fA-F]+>"),
    # Go
    (("goroutine",), r"\bgoroutine \d+ \["),
    (("panic: ",), r"\bpanic: "),
    (
        ("runtime error",),
        r"runtime error: (?:index out of range|invalid memory address|slice bounds|"
        r"integer divide by zero|makeslice|hash of unhashable|assignment to entry in nil map)",
    ),
    (("nil pointer",), r"nil pointer dereference"),
    (("cannot unmarshal",), r"\bcannot unmarshal [\w\[\]*.]+ into Go (?:struct field|value)"),
    (
        ("invalid character '",),
        r"invalid character '.{1,6}' (?:looking for beginning of|after (?:object key|array element|"
        r"top-level value)|in (?:string|numeric) literal|in literal (?:true|false|null)|"
        r"in string escape code)",
    ),
    (("sql: ",), r"\bsql: (?:no rows in result set|database is closed|Scan error|transaction )"),
    (("context deadline",), r"\bcontext deadline exceeded\b"),
    # Source paths with a line number, and stack frames
    (
        _SOURCE_TRIGGERS,
        r"[\w./\\-]*\w\.(?:" + "|".join(_SOURCE_FILES) + r"):\d+\b",
    ),
    (
        ("at ",),
        r"\bat [\w$.<>]+\((?:[\w$-]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)",
    ),
    (
        ("at ",),
        r"\bat (?:async )?(?:new )?[\w$.<>]+(?: \[as [\w$<>]+\])? "
        r"\((?:node:|file:|/|[A-Za-z]:\\|[\w.-]+/)[^()\s]*:\d+:\d+\)",
    ),
    (("at ",), r"\bat (?:async )?(?:/|node:|file:)[^\s()]+:\d+:\d+"),
    (("java.",), r"\bjava\.(?:lang|util|io|net|sql)\."),
    # Node
    (
        ("Cannot read propert", "Cannot set propert"),
        r"Cannot (?:read|set) propert(?:y|ies) (?:'[^'\n]*' )?of (?:undefined|null)",
    ),
    (("is not a function", "is not a constructor"), r"[\w$.]+ is not a (?:function|constructor)\b"),
    (
        ("ECONN", "ETIMEDOUT", "ENOTFOUND", "EADDRINUSE", "EHOSTUNREACH", "EPIPE"),
        r"\bE(?:CONNREFUSED|CONNRESET|CONNABORTED|TIMEDOUT|NOTFOUND|ADDRINUSE|HOSTUNREACH|PIPE)\b",
    ),
    # Network
    (("dial ",), r"\bdial (?:tcp|udp|unix|ip)[46]?\b"),
    (
        ("connection refused", "connection reset by peer", "i/o timeout", "broken pipe"),
        r"\b(?:connect: )?connection refused|connection reset by peer|\bi/o timeout\b|broken pipe",
    ),
    # Databases
    (("SQLSTATE",), r"\bSQLSTATE\b"),
    (("ORA-",), r"\bORA-\d{5}\b"),
    (("SQL syntax",), r"You have an error in your SQL syntax"),
    (("syntax error at",), r"syntax error at or near"),
    (("duplicate key",), r"duplicate key value"),
    (("violates",), r"violates (?:unique|foreign key|not-null|check|exclusion) constraint"),
    (("Duplicate entry",), r"Duplicate entry '[^'\n]*' for key"),
    (
        ("Error ",),
        r"\bError \d{4} \([0-9A-Z]{5}\): |\bError \d{4}: (?:Duplicate entry|You have an error|"
        r"Unknown column|Table '|Data too long|Incorrect|Cannot add or update|Deadlock|"
        r"Lock wait|Column '|Field '|Out of range|Access denied)",
    ),
    (
        ("ERROR:",),
        r"\bERROR:\s+(?:relation|column|syntax|duplicate|null value|insert or update|"
        r"update or delete|permission denied|current transaction|deadlock)",
    ),
    (
        ('relation "', 'column "'),
        r"\b(?:relation|column) \"[^\"\n]+\" (?:of relation \"[^\"\n]+\" )?does not exist",
    ),
    (("pq: ",), r"\bpq: "),
    (
        ("psycopg", "sqlalchemy.", "pymysql", "sqlite3."),
        r"\bpsycopg2?\b|\bsqlalchemy\.|\bpymysql\b|\bsqlite3\.",
    ),
    (
        ("SELECT",),
        r"\bSELECT\s+(?:\*|"
        + _SQL_NAME
        + r"(?:\s*,\s*"
        + _SQL_NAME
        + r")*)\s+FROM\s+"
        + _SQL_NAME
        + r"(?:\s+(?:AS\s+)?\w+)?\s+(?:WHERE|JOIN|INNER|LEFT|ORDER BY|GROUP BY|LIMIT)\b",
    ),
    (("INSERT INTO",), r"\bINSERT INTO\s+" + _SQL_NAME + r"\s*\("),
    (("UPDATE",), r"\bUPDATE\s+" + _SQL_NAME + r"\s+SET\s+" + _SQL_NAME + r"\s*="),
    (("DELETE FROM",), r"\bDELETE FROM\s+" + _SQL_NAME + r"\s+WHERE\b"),
)
_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (triggers, re.compile(pattern)) for triggers, pattern in _GUARDED
)

_SEARCHED = 65536


def internal_detail(text: str, echoed: Collection[str] = ()) -> str:
    """
    The earliest fragment of ``text`` that leaks internals, or "" when there is none.

    ``echoed``: tokens the request itself carried (see `SentRequest.tokens`). A fragment made only
    of them (a field name the server repeats back) is no leak; one with any other word character
    is (a stack trace beside an echoed field name still names the trace).
    """
    # A leak shows near the start; the cap keeps a huge message from costing a long search.
    text = text[:_SEARCHED]
    if not text:
        return ""
    found = _earliest(text, None)
    if found is None or not echoed:
        return found.group(0) if found is not None else ""
    mask = _echo_mask(text, echoed)
    if mask is None:
        return found.group(0)
    found = _earliest(text, mask)  # the rare path: a leak-like text and an echo in it
    return found.group(0) if found is not None else ""


def _earliest(text: str, mask: bytearray | None) -> re.Match[str] | None:
    """The earliest match of any pattern; with a mask, only a match not made of echoes."""
    earliest: re.Match[str] | None = None
    colon = ":" in text  # every source-path trigger holds one: most messages skip 17 searches
    for triggers, pattern in _PATTERNS:
        if triggers is _SOURCE_TRIGGERS and not colon:
            continue
        for trigger in triggers:  # a loop, not any(generator): this runs on every message
            if trigger in text:
                if mask is None:
                    found = pattern.search(text)
                else:
                    found = next(
                        (m for m in pattern.finditer(text) if not _all_echo(text, m, mask)), None
                    )
                if found is not None and (earliest is None or found.start() < earliest.start()):
                    earliest = found
                break
    return earliest


def _echo_mask(text: str, echoed: Collection[str]) -> bytearray | None:
    """Which characters of ``text`` belong to a whole echoed token; None when none does."""
    mask: bytearray | None = None
    for token in echoed:
        if token not in text:
            continue
        for place in re.finditer(r"(?<!\w)" + re.escape(token) + r"(?!\w)", text):
            if mask is None:
                mask = bytearray(len(text))
            mask[place.start() : place.end()] = b"\x01" * (place.end() - place.start())
    return mask


def _all_echo(text: str, found: re.Match[str], mask: bytearray) -> bool:
    """Whether every word character of the match lies in an echoed token."""
    for index in range(found.start(), found.end()):
        if not mask[index] and (text[index].isalnum() or text[index] == "_"):
            return False
    return True


def no_internal_detail(ctx: RuleContext) -> list[Violation] | None:
    message = ctx.envelope.get("message")
    if not isinstance(message, str):
        return None
    leak = internal_detail(message)
    if leak and ctx.sent is not None:  # only then are the request's tokens worth gathering
        leak = internal_detail(message, ctx.sent.tokens())
    if not leak:
        return []
    return [
        violation(
            "envelope.no-internal-detail",
            f"message must not carry internal detail, found {short(leak)}.",
            "/message",
        )
    ]
