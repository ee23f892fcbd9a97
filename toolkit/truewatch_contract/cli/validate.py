"""
``truewatch-contract validate request|response``: check a payload against the contract.

Exit codes: 0 valid, 1 violations, 2 unreadable input or bad usage. Nothing heavy is imported
at module level: the validators load only inside the handler.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from truewatch_contract.errors import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a request body or a response envelope against the contract",
        description=(
            "Check a request body or a response of the update against the contract. "
            "Exit 0 when valid, 1 on violations, 2 on unreadable input or bad usage."
        ),
    )
    kinds = ("request", "response")
    parser.add_argument(
        "kind",
        choices=kinds,
        # The usage shows the choices; without a metavar a missing kind is reported as `kind`.
        metavar="{" + ",".join(kinds) + "}",
        help="what the payload is",
    )
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="a JSON file, or - for stdin (default)"
    )
    parser.add_argument("--issue-id", metavar="ID", help="the issue_id of the route")
    parser.add_argument(
        "--request", metavar="FILE", help="response only: the request body that was sent"
    )
    parser.add_argument(
        "--previous",
        metavar="FILE",
        help="response only: an earlier successful response (or its content) for the same issue",
    )
    parser.add_argument("--status", metavar="CODE", help="response only: the HTTP status")
    parser.add_argument(
        "--include-assumed",
        action="store_true",
        help="also report rules tagged 'assumed' (the project's own choices)",
    )
    parser.add_argument(
        "--relax",
        action="append",
        default=[],
        metavar="RULES",
        help="rule ids or tags not to report (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.set_defaults(handler=run)


def _read_bytes(source: str, what: str) -> bytes:
    """
    The bytes of a path or ``-`` (stdin); UsageError when they cannot be read or are larger than
    the contract's body limit.

    At most the limit plus one byte is read, so ``/dev/zero`` or an endless pipe is refused at
    once, in about 1 MiB of memory, instead of being read until the machine runs out.
    """
    from truewatch_contract.limits import BODY_LIMIT

    try:
        if source == "-":
            data = sys.stdin.buffer.read(BODY_LIMIT + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(BODY_LIMIT + 1)
    except OSError as error:
        raise UsageError(f"cannot read {what} {source!r}: {error.strerror or error}") from None
    if len(data) > BODY_LIMIT:
        name = "standard input" if source == "-" else f"{what} {source!r}"
        raise UsageError(
            f"{name} is larger than the contract's {BODY_LIMIT / 1024**2:g} MiB limit "
            f"({BODY_LIMIT:,} bytes); nothing was validated"
        )
    return data


def _read_json(source: str, what: str) -> Any:
    """
    One JSON document, read as the mock reads a body (strict UTF-8, no byte-order mark);
    UsageError when it is no JSON text.
    """
    from truewatch_contract.jsonscan import JSONTextError, read_json

    try:
        return read_json(_read_bytes(source, what))
    except JSONTextError as error:
        raise UsageError(f"{what} {source!r} is not valid JSON: {error}") from None


def _status(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        code = int(text, 10)
    except ValueError:
        raise UsageError(f"--status must be an HTTP status code, not {text!r}") from None
    if not 100 <= code <= 599:
        raise UsageError(f"--status must be between 100 and 599, not {code}")
    return code


def run(args: argparse.Namespace) -> int:
    from truewatch_contract import validate as validation  # lazy: keeps `--help` fast
    from truewatch_contract.schema_engine import default_engine

    try:
        default_engine()
    except ValueError as error:
        raise UsageError(f"TRUEWATCH_ENGINE: {error}") from None
    relax = [part.strip() for item in args.relax for part in item.split(",") if part.strip()]
    if args.kind == "request":
        for option in ("request", "previous", "status"):
            if getattr(args, option) is not None:
                raise UsageError(f"--{option} applies to 'validate response' only")
    unknown = [item for item in relax if not validation.is_relaxable(item)]
    if unknown:
        raise UsageError(f"--relax: unknown rule id or tag {', '.join(map(repr, unknown))}")
    status = _status(args.status)
    if args.kind == "request":
        # The payload is the body as sent: its bytes are judged (request.utf8, request.body-object).
        violations = validation.validate_request(
            _read_bytes(args.file, "input"),
            issue_id=args.issue_id,
            include_assumed=args.include_assumed,
            relax=relax,
        )
    else:
        violations = validation.validate_response(
            _response_payload(args.file),
            status_code=status,
            request=None if args.request is None else _read_json(args.request, "--request"),
            issue_id=args.issue_id,
            previous=_previous(args.previous, validation),
            include_assumed=args.include_assumed,
            relax=relax,
        )
    if args.format == "json":
        print(json.dumps([violation.to_dict() for violation in violations], indent=2))
    else:
        for violation in violations:
            print(violation.format_line())
        print(_summary(args.kind, len(violations)))
    return 1 if violations else 0


def _response_payload(source: str) -> Any:
    """The response: parsed, or its bytes when only its depth is wrong (one envelope.json)."""
    from truewatch_contract.jsonscan import JSONTextError, read_json

    data = _read_bytes(source, "input")
    try:
        return read_json(data)
    except JSONTextError as error:
        if error.kind == "depth":
            return data  # the library reports it, as it would at any other depth
        raise UsageError(f"input {source!r} is not valid JSON: {error}") from None


def _previous(source: str | None, validation: Any) -> Any:
    """--previous: a success envelope or its content, else UsageError naming what it is."""
    if source is None:
        return None
    previous = _read_json(source, "--previous")
    try:
        content, reason = validation.read_previous(previous)
    except TypeError as error:
        raise UsageError(f"--previous {source!r}: {error}") from None
    if content is None:
        raise UsageError(f"--previous {source!r}: {reason}")
    return previous


def _summary(kind: str, count: int) -> str:
    if count == 0:
        return f"{kind} is valid: no violations"
    return f"{kind} is invalid: {count} violation{'s' if count != 1 else ''}"
