"""
Measure what each kind of request exercises and write the budget planner's table.

Every kind of `truewatch_contract.suite.kinds` is sent once to the built-in mock (the reference
server, no mutant) in the plan's order, and judged by the suite's judge. What a kind exercises,
as units the planner covers:

- ``rule:<id>``: every rule its verdict checked;
- ``proof:<id>``: the "nothing changed" proof its read-back makes for that rule;
- ``fault:<name>``: every fault the request carries;
- ``edge:<place>:<class>``: every edge of a constraint a value of the request is (a near miss of
  a valid value, or a shape of an array; `truewatch_contract.suite.edges`);
- ``input:<pointer>:<keyword>:<type>``: every constraint of the request schema the body breaks
  (the JSON Schema keyword at the body's pointer, array indices as ``*``, and the JSON type of
  the value that broke it), or for a valid body every branch of the schema it takes (a property
  present, an array of several items, fields the schema does not name, the empty object). These
  rank the optional part of a plan; the mandatory part does not cover them;
- ``write:valid-half``: an invalid body with a field that would be valid alone (the one body where
  "changes nothing" can break partway: the valid half written);
- ``media:parameters``: a media type with parameters (``application/json;charset=UTF-8``);
- ``profile:<point>``: what the kind declares (`Kind.declares`): a choice of the target's that
  the budgeted run must observe (`truewatch_contract.suite.plan` covers only these for a kind
  that declares any).

A kind's row also says whether it is ``optional`` (planned only where the budget has room).

The mutant catalogue plays no part here: the plan is ranked on the rule catalogue alone.

Usage: ``scripts/rank-requests`` (writes the table) or ``scripts/rank-requests --check`` (exit 1
when the committed table is out of date).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from truewatch_contract.suite import edges
from truewatch_contract.suite.kinds import KINDS, READ_BACK, Context, Kind
from truewatch_contract.suite.plan import TABLE_PATH

ROUTE = "/api/v1/error_track/{issue_id}/update"
AUTH_HEADER = "DF-API-KEY"


def measure() -> dict[str, Any]:
    """Send every kind to a fresh built-in mock and return the table (JSON-ready)."""
    import requests

    from truewatch_contract.mock import MockState, create_app, serve

    state = MockState.default()
    server = serve(create_app(state), log_level="error")
    try:
        info = state.connection_info(server.base_url)
        context = Context(
            issue_id=str(info["issue_id"]),
            api_key=str(info["api_key"]),
            assignees=tuple(info.get("assignees") or ()),
            foreign_api_key=info.get("foreign_api_key"),
            foreign_issue_id=info.get("foreign_issue_id"),
        )
        with requests.Session() as session:
            first = _send(session, server.base_url, READ_BACK, context)
            context = _learn(context, first)
            rows = []
            for kind in (*KINDS, READ_BACK):
                units = _units(session, server.base_url, kind, context)
                context = units.pop("context")
                rows.append(
                    {
                        "kind": kind.name,
                        "description": kind.description,
                        "faults": list(kind.faults),
                        "proves": kind.proves,
                        "needs": list(kind.needs),
                        "optional": kind.optional,
                        "units": units["units"],
                    }
                )
    finally:
        server.stop()
    return {
        "about": "What each kind of request exercises; regenerate with scripts/rank-requests.",
        "kinds": rows,
    }


def _units(session: Any, base_url: str, kind: Kind, context: Context) -> dict[str, Any]:
    from truewatch_contract.judge import Facts, Policy, judge

    request = kind.request(context)
    exchange = _send(session, base_url, kind, context)
    # The issue's other id form, once a content showed it (the alias kind names the issue by it).
    ids = {context.issue_id, *([context.alias] if context.alias else [])}
    facts = Facts(
        api_key=context.api_key,
        issue_ids=frozenset(ids),
        foreign_issue_id=context.foreign_issue_id,
        foreign_api_key=context.foreign_api_key,
        builtin_mock=True,
    )
    previous = dict(context.current) if context.current else None
    verdict = judge(exchange, facts, policy=Policy.strict(), previous=previous)
    if verdict.violations:
        raise SystemExit(
            f"rank-requests: the reference mock fails kind {kind.name}: {verdict.violations}"
        )
    faults = sorted(verdict.expectation.names)
    if faults != sorted(f.value for f in kind.faults):
        raise SystemExit(
            f"rank-requests: kind {kind.name} declares the faults "
            f"{sorted(f.value for f in kind.faults)}, "
            f"the judge finds {faults}"
        )
    units = {f"rule:{rule}" for rule in verdict.checked}
    units |= {f"fault:{fault}" for fault in faults}
    units |= {f"point:{point}" for point in verdict.expectation.point_names}
    if kind.proves:
        units |= {f"proof:{kind.proves}"}
    units |= set(kind.declares)
    units |= _input_units(request.body if request.raw is None else None, kind)
    units |= edges.units_of(
        request.body if request.raw is None else None,
        issue_id=request.issue_id,
        key=request.key,
        valid_issue=context.issue_id,
        valid_key=context.api_key,
        foreign_key=context.foreign_api_key,
        known={"assigner/*": context.assignees},
    )
    return {"units": sorted(units), "context": _learn(context, exchange)}


def _input_units(body: Any, kind: Kind) -> set[str]:
    """The request schema's constraints a body breaks, or the branches a valid body takes."""
    import jsonschema

    from truewatch_contract.spec import load_spec

    units: set[str] = set()
    for name, value in kind.headers:
        if name.lower() == "content-type" and ";" in value:
            units.add("media:parameters")
    if kind.raw is not None or body is None:
        return units
    spec = load_spec()
    root = {"$ref": "#/components/schemas/UpdateIssueRequest", "components": spec["components"]}
    errors = list(jsonschema.Draft202012Validator(root).iter_errors(body))
    for error in errors:
        # The constraint, and the JSON type of the value that broke it: a wrong string and a
        # null break `enum` in different ways (one is a near miss, the other an absent value).
        kind = _json_type(error.instance)
        units.add(f"input:{_pointer(error.absolute_path)}:{error.validator}:{kind}")
    if (
        errors
        and isinstance(body, dict)
        and any(
            not list(jsonschema.Draft202012Validator(root).iter_errors({name: value}))
            for name, value in body.items()
        )
    ):
        # Invalid as a whole, but a field of it would be valid alone: the one body where
        # "changes nothing" can break partway (the valid half written).
        units.add("write:valid-half")
    if errors or not isinstance(body, dict):
        return units
    known = set(spec["components"]["schemas"]["UpdateIssueRequest"]["properties"])
    units |= {f"input:/{name}" for name in body if name in known}
    units |= {
        f"input:/{name}:several" for name, v in body.items() if isinstance(v, list) and len(v) > 1
    }
    if set(body) - known:
        units.add("input::additionalProperties")
    if not body:
        units.add("input::empty")
    return units


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    if value is None:
        return "null"
    return "object" if isinstance(value, dict) else names.get(type(value), "other")


def _pointer(path: Any) -> str:
    return "".join("/*" if isinstance(part, int) else f"/{part}" for part in path)


def _send(session: Any, base_url: str, kind: Kind, context: Context) -> Any:
    from urllib.parse import quote

    from truewatch_contract.judge import Exchange

    request = kind.request(context)
    headers = {"Content-Type": "application/json"}
    headers.update(dict(request.headers))
    headers = {name: value for name, value in headers.items() if value}
    if request.key is not None:
        headers[AUTH_HEADER] = request.key
    data = request.raw
    if data is None and request.body is not None:
        data = json.dumps(request.body).encode()
    url = base_url + (request.route or ROUTE).format(issue_id=quote(request.issue_id, safe=""))
    sent_at = time.time()
    response = session.request(request.method, url, data=data, headers=headers, timeout=30)
    return Exchange.to_url(
        url,
        method=request.method,
        request_headers=headers,
        request_body=data,
        status=response.status_code,
        response_headers=dict(response.headers),
        response_body=response.content,
        sent_at=sent_at,
        received_at=time.time(),
    )


def _learn(context: Context, exchange: Any) -> Context:
    """The issue's content after an accepted update of the test issue."""
    import dataclasses

    _, body = exchange.json_body()
    if exchange.status == 200 and exchange.issue_id == context.issue_id and isinstance(body, dict):
        content = body.get("content")
        if isinstance(content, dict):
            return dataclasses.replace(context, current=content)
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rank-requests", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    table = json.dumps(measure(), indent=1, sort_keys=True) + "\n"
    path = Path(TABLE_PATH)
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != table:
            print(f"rank-requests: {path} is out of date; run scripts/rank-requests")
            return 1
        print(f"rank-requests: {path} is up to date")
        return 0
    path.write_text(table, encoding="utf-8")
    print(f"rank-requests: wrote {path} ({len(json.loads(table)['kinds'])} kinds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
