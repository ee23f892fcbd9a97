"""The profile document: round trip, the files it is read from, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from profile_helpers import error, line

from truewatch_contract.profile import FORMAT, Profile, ProfileError, learn, load_profile
from truewatch_contract.profile.order import DEFAULT_STAGES, stage_order


def _profile() -> Profile:
    return learn(
        [
            error(1, 401, "ft.Unauthorized", faults=("bad-key",)),
            error(2, 422, "ft.InvalidParameter", faults=("schema",)),
            error(3, 422, "ft.InvalidParameter", faults=("bad-key", "schema")),
            line(4, body={"issueStatus": "Working"}),
        ],
        source={"target": "https://staging.example", "seed": 3},
    )


def test_a_profile_reads_back_as_it_was_written(tmp_path: Path) -> None:
    profile = _profile()
    path = tmp_path / "profile.json"
    path.write_text(profile.dumps(), encoding="utf-8")
    again = load_profile(path)
    assert again.to_json() == profile.to_json()
    assert again.to_json()["format"] == FORMAT
    assert again.source["target"] == "https://staging.example"


def test_a_report_is_read_for_its_target_profile(tmp_path: Path) -> None:
    report = {"format": "truewatch-contract-report/2", "target_profile": _profile().to_json()}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    assert load_profile(path).to_json() == _profile().to_json()
    del report["target_profile"]
    path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(ProfileError, match="no target_profile"):
        load_profile(path)


def test_a_run_record_is_learned_again(tmp_path: Path) -> None:
    lines = [{"kind": "run", "format": "truewatch-contract-record/2", "target": "https://x"}]
    lines.append(error(1, 401, "ft.Unauthorized", faults=("bad-key",)).to_json())
    path = tmp_path / "record.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile.source["target"] == "https://x"
    assert "answer:bad-key" in profile


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage", "not JSON"),
        (b"[1, 2]", "a profile is a JSON object"),
        (b'{"format": "truewatch-contract-profile/2", "points": {}}', "another version"),
        (b'{"format": "something-else/1", "points": {}}', "not a profile"),
        (b'{"format": "truewatch-contract-profile/1", "points": []}', "'points' must be an object"),
        (
            b'{"format": "truewatch-contract-profile/1", '
            b'"points": {"answer:bad-key": {"value": 3}}}',
            "answer:bad-key",
        ),
        (b'{"kind": "run"}', "one line of a run record"),
    ],
)
def test_anything_else_is_refused_in_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_file_and_a_huge_one_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "missing.json")
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (5 * 1024 * 1024))
    with pytest.raises(ProfileError, match="larger than 4 MiB"):
        load_profile(huge)


def test_an_object_is_a_profile_or_a_document() -> None:
    profile = _profile()
    assert load_profile(profile) is profile
    assert load_profile(profile.to_json()).to_json() == profile.to_json()
    with pytest.raises(ProfileError, match="not int"):
        load_profile(42)  # type: ignore[arg-type]


def test_the_order_of_checks_follows_the_profile_and_the_mock_elsewhere() -> None:
    assert stage_order(Profile()) == DEFAULT_STAGES
    body_first = stage_order(_profile())
    assert body_first.index("body") < body_first.index("key")
    # The media type and the size go with the body where nothing says otherwise.
    assert body_first.index("media") < body_first.index("key")
    assert body_first.index("id-form") < body_first.index("lookup")


def test_an_id_answered_as_an_unknown_issue_is_found_by_the_lookup() -> None:
    id_first = learn(
        [
            error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)),
            error(2, 400, "ft.InvalidIssueId", faults=("malformed-id",)),
            error(3, 404, "ft.NotFoundIssue", faults=("unknown-issue",)),
            error(4, 400, "ft.InvalidIssueId", faults=("bad-key", "malformed-id")),
        ]
    )
    order = stage_order(id_first)
    assert order.index("id-form") < order.index("key")
    no_form_check = learn(
        [
            error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)),
            error(2, 404, "ft.NotFoundIssue", faults=("malformed-id",)),
            error(3, 404, "ft.NotFoundIssue", faults=("unknown-issue",)),
            error(4, 403, "ft.InvalidAPIKey", faults=("bad-key", "malformed-id")),
        ]
    )
    assert stage_order(no_form_check).index("key") < stage_order(no_form_check).index("lookup")
