"""
``truewatch-contract drift``: does the vendor's page still say what the spec was written from?

Exit codes: 0 page and spec agree, 1 drift (or a known page defect the page has fixed), 2 the
page cannot be read or is not the endpoint's page. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from truewatch_contract.errors import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "drift",
        help="compare the vendor's page with the spec",
        description=(
            "Read the vendor's page of the endpoint (the shipped snapshot, a saved text or HTML "
            "file, or the live page) and print each way it differs from the spec. Exit 0 when "
            "they agree, 1 on drift, 2 when the page cannot be read or is another page."
        ),
    )
    parser.add_argument(
        "page",
        nargs="?",
        metavar="PAGE",
        help="a saved page, its text or HTML (default: the snapshot shipped with the package)",
    )
    parser.add_argument(
        "--url",
        metavar="URL",
        help="fetch the live page, e.g. https://docs.truewatch.com/open-api/error-track__update/",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        default=15.0,
        help="how long --url waits for the page (default 15)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also list the page's known defects"
    )
    parser.set_defaults(handler=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 600 seconds, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    from truewatch_contract import drift
    from truewatch_contract.drift import render
    from truewatch_contract.spec import SPEC_NAME

    if args.page is not None and args.url is not None:
        raise UsageError("give a PAGE or --url, not both")
    try:
        if args.url is not None:
            page = drift.fetch(args.url, timeout=args.timeout)
        else:
            page = drift.read_file(args.page if args.page is not None else drift.snapshot_path())
        report = drift.check(page)
    except drift.PageError as error:
        raise UsageError(str(error)) from None
    except (ValueError, KeyError, TypeError) as error:  # the spec itself is unusable
        raise UsageError(f"the spec cannot be compared: {error}") from None
    if args.format == "json":
        output = render.as_json(report, SPEC_NAME)
    else:
        output = render.text(report, SPEC_NAME, verbose=args.verbose)
    sys.stdout.write(output + "\n")
    return report.exit_code
