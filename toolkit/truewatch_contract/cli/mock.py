"""
``truewatch-contract mock``: serve the built-in mock of the update endpoint.

The first line of standard output is one JSON object (``base_url``, ``api_key``, ``issue_id``,
``assignees``, ``foreign_api_key``, ``foreign_issue_id``, ``profile``) so that a script can start
the mock and read where it listens and which key to use (``profile``: the points a mock started
with ``--profile`` answers from, null otherwise); then the mock serves until Ctrl-C or SIGTERM and
exits 0. Printing the keys there is the interface (they are the mock's own keys); nothing else
prints them.
"""

from __future__ import annotations

import argparse
from typing import Any

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "mock",
        help="serve the stateful mock of the update endpoint",
        description=(
            "Serve a stateful stand-in for POST /api/v1/error_track/{issue_id}/update. "
            "The first line of output is a JSON object with base_url, api_key, issue_id, "
            "assignees, foreign_api_key, foreign_issue_id and profile (the points a profiled "
            "mock answers from; null without --profile)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to bind; 0 picks a free one (8000)"
    )
    parser.add_argument(
        "--state", metavar="FILE", help="a JSON state fixture instead of the default seed"
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N/UNIT",
        help="emulate the platform's rate limits: N per key a period (20/m, 5/s, 20/10s), "
        "10*N per workspace",
    )
    parser.add_argument(
        "--no-control",
        action="store_true",
        help="disable the test-control endpoints under /__mock__/",
    )
    parser.add_argument(
        "--mutant", metavar="NAME", help="serve a mock with one known defect (mutation analysis)"
    )
    parser.add_argument(
        "--list-mutants", action="store_true", help="list the mutants' names and exit"
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="answer as a profiled target: a profile ('truewatch-contract profile') or a run's "
        "report.json; the profile is listed on stderr",
    )
    parser.add_argument(
        "--log-level", choices=_LOG_LEVELS, default="warning", help="uvicorn's log level"
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from truewatch_contract.mock.cli_main import run_mock

    return run_mock(
        host=args.host,
        port=args.port,
        state_file=args.state,
        rate_limit=args.rate_limit,
        control=not args.no_control,
        mutant=args.mutant,
        list_mutants=args.list_mutants,
        log_level=args.log_level,
        profile_file=args.profile,
    )
