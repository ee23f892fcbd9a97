"""
``truewatch-contract proxy``: a validating reverse proxy in front of the API.

Every request is forwarded as received and every answer returned unchanged; each exchange on the
update route is judged by the library's judge off the response path, and when the proxy stops
(Ctrl-C, SIGTERM or ``--duration``) it writes the same reports as ``run``. The first line of
standard output is a JSON object with ``base_url`` (where clients connect) and ``upstream``.
"""

from __future__ import annotations

import argparse
from typing import Any

_EPILOG = """\
Point an application (or its tests) at the base_url printed on the first line instead of the API:
its requests reach the upstream unchanged, and the answers come back unchanged. Every exchange on
POST /api/v1/error_track/{issue_id}/update is judged with what it shows (a key or an issue nobody
named may be real or not; an issue answered 200 to a key exists for it, and its last answer is its
previous state); with --api-key-file and --issue-id it is judged as strictly as `run` judges.
API keys never appear in anything the proxy writes.

Exit: 0 no rule broke, 1 a rule broke, 2 bad usage / the port in use / judging did not finish.
"""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "proxy",
        help="a validating proxy: judge the traffic an application already sends",
        description=(
            "Forward every request to --upstream and return its answer unchanged, judging each "
            "update exchange against the contract; on stop (Ctrl-C, SIGTERM, --duration) write "
            "junit.xml, report.html, report.json and the summary, as `run` does."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_argument_group("where")
    where.add_argument(
        "--upstream",
        metavar="URL",
        required=True,
        help="the API to forward to (http or https, e.g. https://us1-openapi.truewatch.com); "
        "a path in it prefixes every request's path",
    )
    where.add_argument(
        "--host",
        default="127.0.0.1",
        help="the interface to listen on (default 127.0.0.1, loopback only; 0.0.0.0 for every "
        "interface)",
    )
    where.add_argument(
        "--port",
        type=int,
        default=8080,
        help="the port to listen on; 0 picks a free one (default 8080)",
    )
    judging = parser.add_argument_group("judging")
    judging.add_argument(
        "--api-key-file",
        metavar="FILE",
        help="the target's real DF-API-KEY, read from FILE: any other key is then a bad one "
        "(tell it when the traffic uses that one key)",
    )
    judging.add_argument(
        "--issue-id",
        metavar="ID",
        help="the one issue the traffic may change: any other well-formed id is then an "
        "unknown issue (tell it only when the traffic touches that issue alone, as `run` does)",
    )
    judging.add_argument(
        "--relax",
        metavar="RULES",
        help="comma-separated rule ids or tags reported but not failed on, beside assumed; "
        "'none': nothing relaxed, not even assumed",
    )
    judging.add_argument(
        "--annotate",
        action="store_true",
        help="add X-Truewatch-Contract to each update answer: the ids of the rules it broke, "
        "or 'none' (the answer then waits for its verdict)",
    )
    judging.add_argument(
        "--max-body",
        metavar="BYTES",
        help="the largest request body forwarded, and answer accepted (default 16777216, "
        "16 MiB); a larger request is answered 413 by the proxy. Bodies above the contract's "
        "1 MiB are forwarded and judged as too large",
    )
    run = parser.add_argument_group("run and reports")
    run.add_argument(
        "--duration",
        metavar="D",
        help="stop after D (30s, 5m, 1h; a bare number is seconds); default: until Ctrl-C or "
        "SIGTERM",
    )
    run.add_argument(
        "--report-dir",
        metavar="DIR",
        default="reports",
        help="where the reports go when the proxy stops (default: reports)",
    )
    run.add_argument(
        "--summary-md",
        metavar="FILE",
        help="append a Markdown summary to FILE (also TRUEWATCH_SUMMARY_MD; GITHUB_STEP_SUMMARY "
        "is used when set)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from truewatch_contract.proxy.command import run_proxy

    return run_proxy(args)
