"""
How closely the mock answers as a target does, before and after it learns the target's profile.

For each of the project's correct servers (``tests/suite/correct_servers``): run the contract
suite against it with ``--budget 60`` (as a team would run it against staging), export the
profile from the run's ``report.json``, and send one battery of requests to three targets, each
from its own seeded state: the server itself, the default mock, and the mock started with the
profile. A request is answered alike when the status, the ``errorCode`` and the kind of
``content`` (``null``, ``{}``, an object) are the same; for the stateful pair (the current status
sent again), when the number of history records it added is the same too.

    python benchmarks/bench_fidelity.py                   # every server, one seed
    python benchmarks/bench_fidelity.py --servers go-like validator-first --budget 60 -v
    python benchmarks/bench_fidelity.py --suite-seeds 1 2 3   # and the suite, each profiled mock

The battery (`BATTERY`, 59 requests) holds every single fault, several faults together, every
assumed point, other methods and routes, sizes and the stateful pair. Target: at least 95% for
every correct server with the profiled mock. Exit 1 when a profiled mock misses it.

With ``--suite-seeds``, the whole suite then runs against each profiled mock once a seed
(``truewatch-contract run --mock-profile FILE --seed N``): a profiled mock is a correct target,
so every run must pass (exit 1 when one does not).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "suite"))
sys.path.insert(0, str(ROOT / "toolkit"))

from correct_servers import PROFILES, seed  # noqa: E402
from correct_servers.fronts import serving  # noqa: E402

TARGET = 0.95
ROUTE = "/api/v1/error_track/{}/update"
OTHER_ROUTE = "/api/v1/error_track/{}/change"
JSON_UTF8 = "application/json;charset=UTF-8"
WRONG_KEY = "tkn_0123456789abcdef0123456789abcdef"
UNKNOWN = "ffffffffffffffffffffffffffffffff"
BAD_BODY = {"issueStatus": "not-a-status"}
LARGE = b'{"issueStatus": "Resolved", "padding": "' + b"x" * (1024 * 1024 + 16) + b'"}'
HALF = b'{"padding": "' + b"x" * (512 * 1024) + b'"}'


def _deep(levels: int) -> bytes:
    return b'{"nested": ' + b"[" * levels + b"]" * levels + b"}"


@dataclass(frozen=True)
class Target:
    """What a request is filled in with: one server's ids and keys."""

    base_url: str
    api_key: str
    issue_id: str
    uuid: str
    assignees: tuple[str, ...]
    foreign_api_key: str
    foreign_issue_id: str


@dataclass(frozen=True)
class Probe:
    """One request of the battery, filled in for a target at send time."""

    name: str
    build: Callable[[Target], tuple[str, str, dict[str, str], bytes | None]]
    records: bool = False  # the stateful pair: compare the records it added too


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def probe(
    name: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    method: str = "POST",
    issue: str = "$issue",
    key: str | None = "$key",
    content_type: str | None = "application/json",
    path: str | None = None,
    records: bool = False,
) -> Probe:
    def build(target: Target) -> tuple[str, str, dict[str, str], bytes | None]:
        issue_id = {
            "$issue": target.issue_id,
            "$uuid": target.uuid,
            "$foreign": target.foreign_issue_id,
            "$upper": target.issue_id.upper(),
        }.get(issue, issue)
        keys = {"$key": target.api_key, "$foreign": target.foreign_api_key}
        key_value = keys.get(key or "", key)
        if key == "$key-upper":
            key_value = target.api_key.upper()
        headers = {}
        if key_value is not None:
            headers["DF-API-KEY"] = key_value
        if content_type is not None:
            headers["Content-Type"] = content_type
        data = raw if raw is not None else (_fill(body, target) if body is not None else None)
        url = target.base_url + (path or ROUTE).format(issue_id)
        return method, url, headers, data

    return Probe(name, build, records)


def _fill(body: Any, target: Target) -> bytes:
    text = json.dumps(body)
    text = text.replace('"$assignee"', json.dumps(target.assignees[0]))
    text = text.replace('"$assignee2"', json.dumps(target.assignees[-1]))
    return text.encode()


BATTERY: tuple[Probe, ...] = (
    # -- valid requests, assumed points, the stateful pair ------------------------------------
    probe("status change", {"issueStatus": "Working"}),
    probe("assignees", {"assigner": ["$assignee", "$assignee2"]}),
    probe("status and assignee", {"issueStatus": "Resolved", "assigner": ["$assignee"]}),
    probe("same status again", {"issueStatus": "Resolved"}, records=True),
    probe("the body {}", {}),
    probe("unknown fields beside a status", {"issueStatus": "Triage", "comment": "x"}),
    probe("unknown fields only", {"comment": "x", "priority": 1}),
    probe("field name in another case", {"IssueStatus": "Working"}),
    probe("charset=UTF-8", {"issueStatus": "Assigned"}, content_type=JSON_UTF8),
    probe("no Content-Type", {"issueStatus": "Working"}, content_type=None),
    probe("not UTF-8 in an unknown field", raw=b'{"issueStatus": "Resolved", "note": "caf\xe9"}'),
    probe("byte-order mark", raw=b'\xef\xbb\xbf{"issueStatus": "Triage"}'),
    probe("deep nesting (600) in an unknown field", raw=_deep(600)),
    probe("duplicate names", raw=b'{"issueStatus": "Working", "issueStatus": "Resolved"}'),
    probe("the issue by its uuid", {"issueStatus": "Working"}, issue="$uuid"),
    probe("a query string", {"issueStatus": "Assigned"}, path=ROUTE + "?source=bench"),
    probe("a 512 KiB body", raw=HALF),
    # -- the key --------------------------------------------------------------------------------
    probe("no key", {"issueStatus": "Working"}, key=None),
    probe("empty key", {"issueStatus": "Working"}, key=""),
    probe("wrong key", {"issueStatus": "Working"}, key=WRONG_KEY),
    probe("key in upper case", {"issueStatus": "Working"}, key="$key-upper"),
    probe("another workspace's key", {"issueStatus": "Working"}, key="$foreign"),
    # -- the issue id ---------------------------------------------------------------------------
    probe("malformed id", {"issueStatus": "Working"}, issue="not-an-issue"),
    probe("id in upper case", {"issueStatus": "Working"}, issue="$upper"),
    probe("unknown issue", {"issueStatus": "Working"}, issue=UNKNOWN),
    probe("another workspace's issue", {"issueStatus": "Working"}, issue="$foreign"),
    # -- bodies ---------------------------------------------------------------------------------
    probe("truncated JSON", raw=b'{"issueStatus": "Resolved"'),
    probe("no body", raw=b""),
    probe("a JSON array", ["Working"]),
    probe("a JSON string", "Working"),
    probe("status in lower case", {"issueStatus": "working"}),
    probe("status null", {"issueStatus": None}),
    probe("status unknown", {"issueStatus": "Closed"}),
    probe("status an object", {"issueStatus": {}}),
    probe("assigner []", {"assigner": []}),
    probe("assigner a string", {"assigner": "acnt_3875a23398de4c92a5fc68a1c49a664b"}),
    probe("assigner id in upper case", {"assigner": ["ACNT_3875A23398DE4C92A5FC68A1C49A664B"]}),
    probe("assigner null", {"assigner": None}),
    probe("not UTF-8 in the status", raw=b'{"issueStatus": "Work\xffing"}'),
    probe("deep nesting (5000)", raw=_deep(5000)),
    probe("another media type", {"issueStatus": "Working"}, content_type="text/plain"),
    probe("a body above 1 MiB", raw=LARGE),
    # -- methods and routes ---------------------------------------------------------------------
    probe("GET", method="GET", content_type=None),
    probe("PUT", {"issueStatus": "Working"}, method="PUT"),
    probe("DELETE", method="DELETE", content_type=None),
    probe("PATCH", {"issueStatus": "Working"}, method="PATCH"),
    probe("unknown route", {"issueStatus": "Working"}, path=OTHER_ROUTE),
    probe("empty id", {"issueStatus": "Working"}, issue=""),
    # -- several faults -------------------------------------------------------------------------
    probe("wrong key + bad body", BAD_BODY, key=WRONG_KEY),
    probe("unknown issue + bad body", BAD_BODY, issue=UNKNOWN),
    probe("malformed id + wrong key", {"issueStatus": "Working"}, issue="nope", key=WRONG_KEY),
    probe("malformed id + bad body", BAD_BODY, issue="nope"),
    probe("wrong key + unknown issue", {"issueStatus": "Working"}, issue=UNKNOWN, key=WRONG_KEY),
    probe("no key + not JSON", raw=b"{oops", key=None),
    probe("wrong key + above 1 MiB", raw=LARGE, key=WRONG_KEY),
    probe("wrong key + another media type", {"issueStatus": "Working"}, key=WRONG_KEY,
          content_type="text/plain"),
    probe("PUT + wrong key", {"issueStatus": "Working"}, method="PUT", key=WRONG_KEY),
    probe("unknown route + wrong key", {"issueStatus": "Working"}, key=WRONG_KEY,
          path=OTHER_ROUTE),
    probe("{} + wrong key", {}, key=WRONG_KEY),
)  # fmt: skip


# -- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    status: int
    code: str | None
    content: str
    records: int | None = None

    def text(self) -> str:
        added = f", {self.records} record(s)" if self.records is not None else ""
        return f"{self.status} {self.code if self.code is not None else '(no envelope)'} " + (
            f"content {self.content}{added}"
        )


def _content(envelope: Any) -> tuple[str | None, str]:
    if not isinstance(envelope, dict):
        return None, "none"
    code = envelope.get("errorCode")
    content = envelope.get("content", "absent")
    if content is None:
        kind = "null"
    elif isinstance(content, dict):
        kind = "object" if content else "{}"
    elif content == "absent":
        kind = "absent"
    else:
        kind = type(content).__name__
    return (code if isinstance(code, str) else json.dumps(code)), kind


def _history(envelope: Any) -> int | None:
    try:
        return len(envelope["content"]["extend"]["statusChangeRecords"])
    except (KeyError, TypeError):
        return None


def battery(target: Target) -> list[Seen]:
    """Send the battery to `target`, in order; what came back for each."""
    seen: list[Seen] = []
    last_records: int | None = None
    with httpx.Client(timeout=30, follow_redirects=False) as client:
        for item in BATTERY:
            method, url, headers, data = item.build(target)
            response = client.request(method, url, headers=headers, content=data)
            try:
                envelope = response.json()
            except ValueError:
                envelope = None
            code, content = _content(envelope)
            records = _history(envelope) if response.status_code == 200 else None
            added = None
            if item.records:
                added = (records - last_records) if records is not None and last_records else None
            if records is not None:
                last_records = records
            seen.append(Seen(response.status_code, code, content, added))
    return seen


# -- the three targets ---------------------------------------------------------------------------


def run_suite(name: str, budget: str, seed_value: int, folder: Path) -> Path:
    """The suite against the correct server `name` with a budget: its report.json."""
    profile = PROFILES[name]
    with serving(profile, profile.new_store()) as base_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))}
        env.update(seed.suite_environment(base_url), TRUEWATCH_SEED=str(seed_value))
        paths = [str(ROOT / "toolkit"), env.get("PYTHONPATH")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        command = [sys.executable, "-m", "truewatch_contract", "run", "--budget", budget]
        command += ["--report-dir", str(folder), "-q"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{name}: the suite could not run:\n{done.stdout}\n{done.stderr}")
    return folder / "report.json"


@contextlib.contextmanager
def correct_server(name: str) -> Iterator[Target]:
    profile = PROFILES[name]
    with serving(profile, profile.new_store()) as base_url:
        env = seed.suite_environment(base_url)
        yield Target(
            base_url=base_url,
            api_key=env["TRUEWATCH_API_KEY"],
            issue_id=env["TRUEWATCH_ISSUE_ID"],
            uuid=seed.ISSUE_UUID,
            assignees=tuple(env["TRUEWATCH_ASSIGNEES"].split(",")),
            foreign_api_key=env["TRUEWATCH_FOREIGN_API_KEY"],
            foreign_issue_id=env["TRUEWATCH_FOREIGN_ISSUE_ID"],
        )


@contextlib.contextmanager
def mock(profile: Any = None) -> Iterator[Target]:
    from truewatch_contract.mock.app import create_app
    from truewatch_contract.mock.server import serve

    app = create_app(profile=profile)
    with serve(app) as server:
        state = app.state.mock_state
        info = state.connection_info(server.base_url)
        issue = state.find_issue_anywhere(info["issue_id"])
        yield Target(
            base_url=info["base_url"],
            api_key=info["api_key"],
            issue_id=info["issue_id"],
            uuid=issue[1]["uuid"],
            assignees=tuple(info["assignees"]),
            foreign_api_key=info["foreign_api_key"],
            foreign_issue_id=info["foreign_issue_id"],
        )


def suite_against_profiled_mock(profile: Path, seed_value: int, folder: Path) -> str:
    """The whole suite against the mock started from `profile`: the run's verdict."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUEWATCH_", "PYTEST_"))}
    paths = [str(ROOT / "toolkit"), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    command = [sys.executable, "-m", "truewatch_contract", "run", "--mock-profile", str(profile)]
    command += ["--seed", str(seed_value), "--report-dir", str(folder), "-q"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    try:
        return str(json.loads((folder / "report.json").read_text("utf-8"))["verdict"])
    except (OSError, ValueError, KeyError):
        return f"no report (exit {done.returncode}): {done.stderr.strip()[-300:]}"


def alike(first: list[Seen], second: list[Seen]) -> list[int]:
    """The indexes of the requests answered alike."""
    return [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a == b]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", nargs="*", default=list(PROFILES), choices=list(PROFILES))
    parser.add_argument("--budget", default="60", help="the suite's budget (default 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--suite-seeds",
        nargs="*",
        type=int,
        default=[],
        metavar="N",
        help="then run the whole suite against each profiled mock with each of these seeds",
    )
    args = parser.parse_args(argv)
    from truewatch_contract.profile.load import load_profile

    print(f"battery: {len(BATTERY)} requests; suite --budget {args.budget}, seed {args.seed}")
    print(f"{'server':<16} {'default mock':>13} {'profiled mock':>14}  suite  profile points")
    failed = False
    for name in args.servers:
        with tempfile.TemporaryDirectory() as folder:
            started = time.monotonic()
            report = run_suite(name, args.budget, args.seed, Path(folder))
            verdict = json.loads(report.read_text("utf-8"))["verdict"]
            profile = load_profile(report)
            suite_s = time.monotonic() - started
            runs = []
            for seed_value in args.suite_seeds:
                kept = Path(folder) / "profile.json"
                kept.write_text(profile.dumps(), "utf-8")
                rundir = Path(folder) / str(seed_value)
                outcome = suite_against_profiled_mock(kept, seed_value, rundir)
                runs.append(f"seed {seed_value}: {outcome}")
                failed |= outcome != "passed"
        with correct_server(name) as target:
            truth = battery(target)
        with mock() as target:
            default = battery(target)
        with mock(profile) as target:
            learned = battery(target)
        plain, profiled = alike(truth, default), alike(truth, learned)
        share = len(profiled) / len(BATTERY)
        failed |= share < TARGET
        print(
            f"{name:<16} {len(plain) / len(BATTERY):>12.0%} {share:>13.0%}  "
            f"{verdict:<6} {len(profile.points)} ({suite_s:.0f} s)"
        )
        if runs:
            print(f"    the suite against the profiled mock: {'; '.join(runs)}")
        if args.verbose:
            for i, item in enumerate(BATTERY):
                if i not in profiled:
                    mocked = learned[i].text()
                    print(f"    miss: {item.name}: server {truth[i].text()}; mock {mocked}")
    print(f"target: at least {TARGET:.0%} for every server with the profiled mock")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
