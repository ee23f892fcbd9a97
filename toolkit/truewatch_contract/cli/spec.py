"""
``truewatch-contract spec``: where the shipped OpenAPI document is, or the document itself.

``--path`` (the default) prints the YAML file's path, for tools that take a file
(``st run "$(truewatch-contract spec --path)" ...``); ``--yaml`` prints the YAML as shipped;
``--json`` prints the parsed document as JSON (no PyYAML needed from a wheel).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "spec",
        help="print the shipped OpenAPI document's path, or the document",
        description=(
            "Print the path of the OpenAPI document that ships with the package (default), "
            "or the document itself as YAML or JSON."
        ),
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--path", dest="form", action="store_const", const="path", help="the YAML file's path"
    )
    form.add_argument(
        "--yaml", dest="form", action="store_const", const="yaml", help="the document, as YAML"
    )
    form.add_argument(
        "--json", dest="form", action="store_const", const="json", help="the document, as JSON"
    )
    parser.set_defaults(handler=run, form="path")


def run(args: argparse.Namespace) -> int:
    from truewatch_contract.errors import UsageError
    from truewatch_contract.spec import SpecError, spec_document, spec_path

    try:
        path = spec_path()
        if args.form == "path":
            text = f"{path}\n"
        elif args.form == "yaml":
            text = path.read_text(encoding="utf-8")
        else:
            text = json.dumps(spec_document(), indent=2, ensure_ascii=False) + "\n"
    except (OSError, SpecError) as error:
        raise UsageError(f"cannot read the spec: {error}") from None
    sys.stdout.write(text)
    return 0
