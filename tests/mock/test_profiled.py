"""
The mock started from a target's profile, through each of its interfaces: ``truewatch-contract
mock --profile``, ``GET /__mock__/profile``, `TruewatchMock.start(profile=...)` and the
``truewatch_mock`` fixture's options.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mock_helpers import post, raw_request

from truewatch_contract.mock import TruewatchMock, create_app, serve
from truewatch_contract.profile import Profile, ProfileError

COMMAND = [sys.executable, "-m", "truewatch_contract.cli"]
TOOLKIT = str(Path(__file__).resolve().parents[2] / "toolkit")


def _answer(status: int, code: str, content: str = "null") -> dict[str, Any]:
    return {"status": status, "errorCode": code, "content": content, "contentType": None}


#: A small profile: a target that answers a wrong key 401, refuses {} and puts {} in its errors.
PROFILE: dict[str, Any] = {
    "format": "truewatch-contract-profile/1",
    "source": {"target": "https://staging.example", "seed": 7},
    "exchanges": 12,
    "learned_from": 12,
    "points": {
        "answer:bad-key": {"value": _answer(401, "ft.Unauthorized", "{}"), "support": 3},
        "answer:empty-body": {"value": _answer(422, "ft.EmptyBody", "{}"), "support": 2},
        "error-content": {"value": "{}", "support": 5},
    },
}


def _env() -> dict[str, str]:
    """This checkout first on the path, wherever the child runs (tmp_path included)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (TOOLKIT, env.get("PYTHONPATH")) if p)
    return env


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "staging.profile.json"
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    return path


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    """A report.json as `run` writes it: the profile under ``target_profile``."""
    path = tmp_path / "report.json"
    report = {"format": "truewatch-contract-report/2", "target_profile": PROFILE}
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "garbage": ("garbage.txt", "this is no JSON"),
        "another format": ("other.json", json.dumps({"format": "truewatch-contract-record/2"})),
        "another version": (
            "v9.json",
            json.dumps({"format": "truewatch-contract-profile/9", "points": {}}),
        ),
        "a bad point": (
            "bad.json",
            json.dumps({**PROFILE, "points": {"answer:bad-key": {"value": {"status": 9}}}}),
        ),
        "an old report": ("old.json", json.dumps({"format": "truewatch-contract-report/1"})),
    }
    found = {}
    for label, (name, text) in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        found[label] = tmp_path / name
    found["missing"] = tmp_path / "missing.json"
    return found


# -- truewatch-contract mock --profile -------------------------------------------------------


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    process = subprocess.Popen(
        [*COMMAND, "mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first, process.stderr.read() if process.stderr else ""
        yield process, json.loads(first)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


def _points(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["point"]: item for item in profile["points"]}


@pytest.mark.parametrize("source", ["profile_file", "report_file"])
def test_mock_profile_answers_as_the_target_and_says_so_on_its_first_line(
    source: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(source)
    with running("--profile", str(path)) as (process, info):
        profile = info["profile"]
        assert profile["source"]["target"] == "https://staging.example"
        points = _points(profile)
        assert points["answer:bad-key"]["learned"] is True
        assert points["answer:bad-key"]["support"] == 3
        # not learned: grouped with a learned point, or the mock's own answer
        assert points["answer:missing-key"]["learned"] is False
        assert "401 ft.Unauthorized" in points["answer:missing-key"]["answer"]
        assert points["answer:method"]["answer"] == "405 ft.MethodNotAllowed"
        assert "key" in profile["order"]
        wrong = post(info["base_url"], {"issueStatus": "Working"}, key="tkn_" + "0" * 32)
        assert wrong.status == 401
        assert json.loads(wrong.body)["content"] == {}
        empty = post(info["base_url"], {}, key=info["api_key"])
        assert (empty.status, json.loads(empty.body)["errorCode"]) == (422, "ft.EmptyBody")
        assert post(info["base_url"], {"issueStatus": "Working"}, key=info["api_key"]).status == 200
        control = raw_request(info["base_url"], "GET", "/__mock__/profile")
        assert json.loads(control.body) == profile
        code, out, err = _stop(process)
    assert code == 0 and out == ""
    assert "the mock answers as profile of https://staging.example" in err
    assert "answer to a wrong DF-API-KEY: 401 ft.Unauthorized, content {} (3 exchanges)" in err
    assert "not learned" in err and "Traceback" not in err


def test_an_unprofiled_mock_has_a_null_profile() -> None:
    with running() as (process, info):
        assert info["profile"] is None
        reply = raw_request(info["base_url"], "GET", "/__mock__/profile")
        assert reply.status == 200 and json.loads(reply.body) is None
        index = json.loads(raw_request(info["base_url"], "GET", "/__mock__/").body)
        assert "GET /__mock__/profile" in index["endpoints"] and index["profiled"] is False
        code, _out, err = _stop(process)
    assert code == 0 and err == ""


def test_a_mutant_keeps_its_defect_under_a_profile(profile_file: Path) -> None:
    with running("--profile", str(profile_file), "--mutant", "code-always-200") as (process, info):
        wrong = post(info["base_url"], {"issueStatus": "Working"}, key="tkn_" + "0" * 32)
        assert wrong.status == 401 and json.loads(wrong.body)["code"] == 200
        assert _stop(process)[0] == 0


def test_a_file_that_is_no_profile_is_refused_in_one_line(tmp_path: Path) -> None:
    for label, path in _bad_files(tmp_path).items():
        result = subprocess.run(
            [*COMMAND, "mock", "--port", "0", "--profile", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert result.returncode == 2, (label, result.stderr)
        assert result.stdout == "", label
        assert result.stderr.startswith("truewatch-contract mock: error: --profile: "), label
        assert len(result.stderr.strip().splitlines()) == 1, (label, result.stderr)
        assert str(path) in result.stderr, label


# -- the control API and Python --------------------------------------------------------------


def test_the_control_endpoint_shows_the_profile_in_process(profile_file: Path) -> None:
    app = create_app(profile=profile_file)
    with serve(app) as server:
        reply = raw_request(server.base_url, "GET", "/__mock__/profile")
        assert reply.status == 200
        shown = json.loads(reply.body)
    assert shown == json.loads(json.dumps(app.state.service.profile_points()))
    assert _points(shown)["error-content"]["answer"] == "{}"


def test_truewatch_mock_start_serves_a_profiled_mock(report_file: Path) -> None:
    with TruewatchMock.start(profile=report_file) as mock:
        assert isinstance(mock.profile, Profile)
        assert "profiled" in repr(mock) and mock.api_key not in repr(mock)
        points = mock.profile_points()
        assert points is not None and points["source"]["seed"] == 7
        reply = post(mock.base_url, {}, key=mock.api_key)
        assert reply.status == 422
    with TruewatchMock.start() as plain:
        assert plain.profile is None and plain.profile_points() is None
        assert post(plain.base_url, {}, key=plain.api_key).status == 200
    with pytest.raises(ProfileError, match=r"missing\.json: cannot be read"):
        TruewatchMock.start(profile=report_file.parent / "missing.json")


# -- the truewatch_mock fixture --------------------------------------------------------------

USER_TESTS = textwrap.dedent(
    """
    import http.client, json
    from urllib.parse import urlsplit

    def test_the_fixture_answers_as_the_profile(truewatch_mock):
        parts = urlsplit(truewatch_mock.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("POST", urlsplit(truewatch_mock.update_url()).path, body="{}",
                           headers=truewatch_mock.headers())
        status = connection.getresponse().status
        points = truewatch_mock.profile_points()
        seed = points["source"]["seed"] if points else None
        print(f"STATUS {status} SEED {seed}")
    """
)


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "-p", "no:schemathesis", "-p", "no:hypothesispytest", "test_user.py", *args],
        cwd=folder, capture_output=True, text=True, timeout=120, env=_env(), check=False,
    )  # fmt: skip


def test_the_fixture_takes_the_profile_from_the_ini_and_the_command_line(
    tmp_path: Path, profile_file: Path
) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    other = {**PROFILE, "source": {"seed": 99}, "points": {}}
    (tmp_path / "other.json").write_text(json.dumps(other))
    ini = f"[pytest]\ntruewatch_mock_profile = {profile_file.name}\n"
    (tmp_path / "pytest.ini").write_text(ini)
    from_ini = _pytest(tmp_path)
    assert from_ini.returncode == 0, from_ini.stdout[-2000:] + from_ini.stderr[-2000:]
    assert "STATUS 422 SEED 7" in from_ini.stdout
    # the command line wins over the ini file
    from_option = _pytest(tmp_path, "--truewatch-mock-profile", "other.json")
    assert from_option.returncode == 0, from_option.stdout[-2000:] + from_option.stderr[-2000:]
    assert "STATUS 200 SEED 99" in from_option.stdout
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    plain = _pytest(tmp_path)
    assert "STATUS 200 SEED None" in plain.stdout, plain.stdout[-2000:]
    # from Python: a conftest.py of the project overrides the session fixture
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(scope='session')\n"
        f"def truewatch_mock_profile():\n    return {str(profile_file)!r}\n"
    )
    overridden = _pytest(tmp_path)
    assert "STATUS 422 SEED 7" in overridden.stdout, overridden.stdout[-2000:]


@pytest.mark.parametrize("where", ["option", "ini"])
def test_a_bad_fixture_profile_is_a_one_line_usage_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    (tmp_path / "garbage.json").write_text("nope")
    if where == "ini":
        (tmp_path / "pytest.ini").write_text("[pytest]\ntruewatch_mock_profile = garbage.json\n")
        result = _pytest(tmp_path)
        expected = "ERROR: truewatch_mock_profile (ini): "
    else:
        (tmp_path / "pytest.ini").write_text("[pytest]\n")
        result = _pytest(tmp_path, "--truewatch-mock-profile", "garbage.json")
        expected = "ERROR: --truewatch-mock-profile: "
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert "garbage.json: not JSON" in lines[0] and "Traceback" not in result.stderr


# -- a mutant keeps its defect under a profile (found by `mutants --profile`) ----------------

FOREIGN_ISSUE = "822e8232b66ac59b970f4d2e0c53ca43"


def _learned(points: dict[str, Any]) -> Profile:
    return Profile.from_json(
        {
            "format": "truewatch-contract-profile/1",
            "points": {name: {"value": value, "support": 1} for name, value in points.items()},
        }
    )


#: A target that answers its own codes, refuses {} and looks the issue up before the body.
LOOKUP_FIRST = _learned(
    {
        "answer:bad-key": _answer(401, "ft.Unauthorized"),
        "answer:schema": _answer(422, "ft.ParamError"),
        "answer:foreign-issue": _answer(404, "ft.IssueNotFound"),
        "answer:unknown-issue": _answer(404, "ft.IssueNotFound"),
        "answer:empty-body": _answer(400, "ft.EmptyBody"),
        "order:schema/unknown-issue": "unknown-issue",
    }
)


@contextmanager
def _served(mutant: str) -> Iterator[tuple[str, TruewatchMock]]:
    with TruewatchMock.start(profile=LOOKUP_FIRST, mutant=mutant) as mock:
        yield mock.base_url, mock


def test_a_mutant_that_tells_the_refusal_by_its_kind_keeps_its_defect() -> None:
    """`reject` sees the mock's own kind; only the envelope it renders takes the learned code."""
    with _served("stacktrace-in-message") as (url, _mock):
        reply = post(url, {"issueStatus": "level"})
        assert reply.status == 422 and json.loads(reply.body)["errorCode"] == "ft.ParamError"
        assert "Traceback" in json.loads(reply.body)["message"]
    with _served("error-content-leaks-issue") as (url, _mock):
        reply = post(url, {"issueStatus": "Working"}, issue_id=FOREIGN_ISSUE)
        assert reply.status == 404 and json.loads(reply.body)["errorCode"] == "ft.IssueNotFound"
        assert json.loads(reply.body)["content"]["issueID"] == FOREIGN_ISSUE
    with _served("write-on-auth-failure") as (url, mock):
        reply = post(url, {"issueStatus": "Working"}, key="tkn_" + "0" * 32)
        assert (reply.status, json.loads(reply.body)["errorCode"]) == (401, "ft.Unauthorized")
        assert mock.get_issue(mock.issue_id)["issueStatus"] == "Working"


def test_a_write_on_a_foreign_404_stays_when_the_lookup_comes_first() -> None:
    """The profile's order refuses the issue before the body stage: the body is read ahead."""
    with _served("write-on-foreign-404") as (url, mock):
        assert mock.service.stages.index("lookup") < mock.service.stages.index("body")
        reply = post(url, {"issueStatus": "Working"}, issue_id=FOREIGN_ISSUE)
        assert reply.status == 404
        assert mock.get_issue(FOREIGN_ISSUE)["issueStatus"] == "Working"
    with _served("write-on-foreign-404") as (url, mock):
        before = mock.get_issue(FOREIGN_ISSUE)
        assert post(url, {"issueStatus": "level"}, issue_id=FOREIGN_ISSUE).status == 404
        assert mock.get_issue(FOREIGN_ISSUE) == before  # an invalid body is never applied


@pytest.mark.parametrize(
    ("mutant", "body"),
    [("empty-status-ignored", {"issueStatus": ""}), ("accepts-non-object-body", ["Working"])],
)
def test_a_bad_body_a_mutant_accepts_is_not_refused_as_the_empty_body(
    mutant: str, body: Any
) -> None:
    """The assumed points are the request's own: a bad body read as {} is no {} to refuse."""
    with _served(mutant) as (url, _mock):
        assert post(url, body).status == 200  # the mutant's defect, seen
        assert post(url, {}).status == 400  # the target's refusal of {} itself


def test_a_write_before_validation_stays_when_the_body_comes_before_the_key() -> None:
    """The profile's order checks the body first: its steps still know a good key's account."""
    body_first = _learned(
        {"answer:schema": _answer(422, "ft.ParamError"), "order:bad-key/schema": "schema"}
    )
    bad = {"issueStatus": "Working", "assigner": "not-a-list"}
    with TruewatchMock.start(profile=body_first, mutant="write-before-validation") as mock:
        assert mock.service.stages.index("body") < mock.service.stages.index("key")
        assert post(mock.base_url, bad, key="tkn_" + "0" * 32).status == 422
        assert mock.get_issue(mock.issue_id)["issueStatus"] == "Resolved"  # no key, no write
        assert post(mock.base_url, bad).status == 422
        assert mock.get_issue(mock.issue_id)["issueStatus"] == "Working"  # the defect
