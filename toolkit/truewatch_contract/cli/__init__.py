"""
The ``truewatch-contract`` command.

Each subcommand lives in its own module with a ``register(subparsers)`` function. Those modules
import nothing heavy at module level, so ``truewatch-contract validate`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence

from truewatch_contract.errors import UsageError
from truewatch_contract.spec import SpecError

# (module, summary): the order is the order of `--help`.
SUBCOMMANDS: tuple[str, ...] = (
    "run",
    "proxy",
    "validate",
    "mock",
    "profile",
    "diff",
    "mutants",
    "spec",
    "drift",
)

# The extra each command needs beyond the light core, and the modules that extra brings. The core
# install (jsonschema alone) still lists every command; one that lacks its extra says which.
EXTRAS: dict[str, str] = {"run": "suite", "mutants": "suite", "mock": "mock", "proxy": "proxy"}
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "mock": ("starlette", "uvicorn", "httptools", "orjson"),
    "suite": ("schemathesis", "hypothesis", "pytest", "requests", "starlette", "uvicorn"),
    "proxy": ("starlette", "uvicorn", "httptools", "httpx"),
}


class _SubcommandParser(argparse.ArgumentParser):
    """
    A subcommand's parser that lets positionals follow options.

    Plain argparse stops filling an optional positional once an option was seen, so
    ``validate response --status 200 FILE`` would fail; intermixed parsing accepts both orders.
    """

    _inside = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._inside:  # parse_known_intermixed_args calls back into this method
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="truewatch-contract",
        description=(
            "Contract testing for TrueWatch's Error Tracking API "
            "(POST /api/v1/error_track/{issue_id}/update)."
        ),
        epilog="Run 'truewatch-contract COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_SubcommandParser
    )
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"truewatch_contract.cli.{name}")
        module.register(subparsers)
    return parser


def _version() -> str:
    from truewatch_contract import __version__

    return f"truewatch-contract {__version__}"


def missing_extra(command: str) -> str | None:
    """One line naming the extra to install when `command` lacks one of its modules, else None."""
    extra = EXTRAS.get(command)
    if extra is None:
        return None
    absent = [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]
    if not absent:
        return None
    return (
        f"this command needs the '{extra}' extra ({', '.join(absent)} missing): "
        f"pip install 'truewatch-contract[{extra}]'"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 contract broken, 2 usage or input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    missing = missing_extra(args.command)
    if missing is not None:
        print(f"truewatch-contract {args.command}: error: {missing}", file=sys.stderr)
        return 2
    try:
        code: int = handler(args)
    except UsageError as error:
        print(f"truewatch-contract {args.command}: error: {error}", file=sys.stderr)
        return 2
    except (ModuleNotFoundError, SpecError) as error:
        # A broken install: a module of an extra gone missing, or a spec that cannot be read.
        print(f"truewatch-contract {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"truewatch-contract {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing more, and keep Python's exit-time
        # flush of stdout from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as error:  # a bug of ours: exit 1 would read as "contract broken"
        print(
            f"truewatch-contract {args.command}: internal error: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
