"""
``truewatch-contract diff``: drift of behaviour between two profiles or two ``report.json`` files.

Exit codes: 0 nothing changed, 1 an observed answer or a rule's verdict changed (with
``--strict``, a point observed in only one of the two too), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two profiles or report.json files: what the target now answers otherwise",
        description=(
            "Compare two profiles (or report.json files, or run records): every point whose "
            "observed answer changed, every point observed in one only, and for two reports every "
            "rule whose verdict changed. Exit 0 when nothing changed, 1 when an answer or a "
            "verdict changed, 2 for bad input. A point observed in only one of the two is listed "
            "but changes the exit code only with --strict (seeds and budgets differ between runs)."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="the earlier profile or report.json")
    parser.add_argument("new", metavar="NEW", help="the later one")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a point observed in only one of the two is drift too",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from truewatch_contract.profile.diff import diff_files

    diff = diff_files(args.old, args.new, strict=args.strict)
    if args.format == "json":
        sys.stdout.write(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(diff.text() + "\n")
    return diff.exit_code
