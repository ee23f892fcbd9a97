"""
``truewatch-contract mutants``: mutation analysis of the contract suite.

Runs the suite against the built-in mock once per known defect (a mutant) and once correct, and
reports which mutants the suite kills and how fast. With ``--profile FILE`` the mock answers as a
profiled target, and mutants that break only assumed rules are not applicable. Exit 0 when every
(applicable) mutant is killed and the correct mock passes, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mutants",
        help="check that the suite catches every known defect of the mock",
        description=(
            "Run the contract suite against each mutant of the built-in mock (and the correct "
            "mock), print which ones it kills, and write mutants.html and mutants.json."
        ),
    )
    parser.add_argument(
        "--only", metavar="NAMES", help="comma-separated mutant names (default: all)"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the mutants and exit without running"
    )
    parser.add_argument(
        "--max-examples", metavar="N", help="generated cases per test (default: the suite's)"
    )
    parser.add_argument("--seed", metavar="N", help="Hypothesis seed for every run")
    parser.add_argument(
        "--budget", metavar="N|full", help="the request budget of every run (default: full)"
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="run against the built-in mock answering as a profiled target (a profile or a "
        "run's report.json), assumed rules relaxed; mutants that break only assumed rules are "
        "listed as not applicable",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        help="runs in parallel (default: the number of CPUs)",
    )
    parser.add_argument(
        "--report-dir", metavar="DIR", default="reports", help="where reports go (default: reports)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from truewatch_contract.runner.mutation import mutants_command

    return mutants_command(args)
