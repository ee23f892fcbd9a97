"""
``truewatch-contract run``: the main job.

Runs the contract suite against a target (the built-in mock when none is given) and writes
``junit.xml``, ``report.html`` and ``report.json``. Exit 0 when the contract holds, 1 when it is
broken, 2 on bad usage, an unreachable target or a suite that cannot run.
"""

from __future__ import annotations

import argparse

_EPILOG = """\
Each option has a TRUEWATCH_* variable (named after it, e.g. --issue-id and TRUEWATCH_ISSUE_ID);
an option on the command line wins over the variable. Keep API keys out of your shell history
with --api-key-file FILE or --api-key-stdin. Exit: 0 contract holds, 1 contract broken,
2 bad usage / target unreachable / suite error, 130 interrupted (reports are still written).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the contract suite against a target and write reports",
        description=(
            "Run the contract suite against a target (the built-in mock when no --base-url is "
            "given) and write junit.xml, report.html and report.json."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_argument_group("target")
    target.add_argument("--base-url", metavar="URL", help="the API's base URL (http or https)")
    key = target.add_mutually_exclusive_group()
    key.add_argument("--api-key", metavar="KEY", help="the DF-API-KEY (prefer the two below)")
    key.add_argument("--api-key-file", metavar="FILE", help="read the API key from FILE")
    key.add_argument(
        "--api-key-stdin", action="store_true", help="read the API key from standard input"
    )
    target.add_argument("--issue-id", metavar="ID", help="an issue of the key's workspace")
    target.add_argument(
        "--assignees", metavar="IDS", help="comma-separated account ids of that workspace"
    )
    foreign = target.add_mutually_exclusive_group()
    foreign.add_argument(
        "--foreign-api-key", metavar="KEY", help="a key of another workspace (isolation tests)"
    )
    foreign.add_argument(
        "--foreign-api-key-file", metavar="FILE", help="read the foreign key from FILE"
    )
    target.add_argument("--foreign-issue-id", metavar="ID", help="an issue of the other workspace")
    target.add_argument(
        "--rate-limit",
        metavar="N/UNIT",
        help="pace requests, e.g. 20/m or 20/10s (UNIT: s, m or h)",
    )
    target.add_argument(
        "--mock-profile",
        metavar="FILE",
        help="run against the built-in mock answering as a profiled target (a profile or a "
        "run's report.json); not with --base-url",
    )
    suite = parser.add_argument_group("suite")
    suite.add_argument(
        "--max-examples", metavar="N", help="generated cases per test (default: the suite's)"
    )
    suite.add_argument(
        "--relax",
        metavar="RULES",
        help="comma-separated rule ids or tags reported but not failed on (e.g. assumed)",
    )
    suite.add_argument(
        "--seed",
        metavar="N|random",
        help="Hypothesis seed, to replay a run; 'random' draws one (printed and recorded)",
    )
    suite.add_argument(
        "--concurrency",
        metavar="N",
        help="pairs of simultaneous status changes (lost updates); 0 switches it off (default 2)",
    )
    suite.add_argument(
        "--budget",
        metavar="N|full",
        help="send at most N requests, planned (default: full on the mock; 10 minutes' worth "
        "against a rate-limited target)",
    )
    suite.add_argument(
        "--time-budget",
        metavar="DURATION",
        help="the budget as time at --rate-limit, e.g. 3m (with --budget: the smaller wins)",
    )
    suite.add_argument(
        "-x", "--exitfirst", action="store_true", help="stop at the first failing test"
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--report-dir", metavar="DIR", default="reports", help="where reports go (default: reports)"
    )
    output.add_argument(
        "--summary-md",
        metavar="FILE",
        help="append a Markdown summary of the run to FILE (also TRUEWATCH_SUMMARY_MD; "
        "GITHUB_STEP_SUMMARY is used when set)",
    )
    verbosity = output.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    verbosity.add_argument(
        "-v", "--verbose", action="store_true", help="also show the suite's own output"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from truewatch_contract.runner.command import run_command

    return run_command(args)
