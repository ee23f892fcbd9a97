"""
``truewatch-contract profile``: the target's profile, learned by a run, as its own document.

Reads a ``report.json`` (its ``target_profile``), a run record (learned again) or a profile, and
writes the profile document (``docs/profile-format.md``): to standard output, or to ``-o FILE``.
Exit codes: 0 written, 2 the input is none of these or the file cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from truewatch_contract.errors import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="write the target's profile learned by a run (for the mock and for diff)",
        description=(
            "Write the profile of the target a run was pointed at: its answer to every fault and "
            "assumed point the run observed, the order of its checks, its envelope's shapes. The "
            "mock answers as that target with 'truewatch-contract mock --profile FILE'; "
            "'truewatch-contract diff' compares two profiles. Exit 0 when written, 2 for input "
            "that is no report.json, run record or profile."
        ),
    )
    parser.add_argument(
        "report", metavar="REPORT", help="a run's report.json (or its record, or a profile)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the profile to FILE (default: stdout)"
    )
    parser.add_argument(
        "--text",
        action="store_true",
        help="print a readable listing instead of the JSON document",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from truewatch_contract.profile.listing import listing
    from truewatch_contract.profile.load import load_profile

    profile = load_profile(args.report)
    if args.text:
        sys.stdout.write(listing(profile) + "\n")
        return 0
    text = profile.dumps()
    if args.output is None:
        sys.stdout.write(text)
    else:
        target = Path(args.output)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(
                f"-o {target}: cannot be written ({error.strerror or error})"
            ) from None
        print(
            f"wrote {target}: {len(profile.points)} points learned from "
            f"{profile.learned_from} of {profile.exchanges} answered exchanges"
        )
    if not profile.points:
        print("note: the run observed nothing to learn (no answer was recorded)", file=sys.stderr)
    return 0
