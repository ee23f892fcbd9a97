"""`truewatch-contract diff` and `truewatch-contract profile`: drift of behaviour, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from profile_helpers import error

from truewatch_contract.cli import main
from truewatch_contract.profile import learn
from truewatch_contract.profile.diff import compare


def _write(path: Path, *exchanges: object) -> Path:
    path.write_text(learn(list(exchanges)).dumps(), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_a_profile_against_itself_is_no_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "a.json", error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)))
    assert main(["diff", str(path), str(path)]) == 0
    assert "no drift" in capsys.readouterr().out


def test_a_changed_answer_is_drift_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)))
    new = _write(tmp_path / "new.json", error(1, 401, "ft.InvalidAPIKey", faults=("bad-key",)))
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "answer:bad-key" in out
    assert "403 ft.InvalidAPIKey, content null -> 401 ft.InvalidAPIKey, content null" in out
    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["exit_code"] == 1
    assert [c["point"] for c in document["changed"]] == ["answer:bad-key"]
    assert document["changed"][0]["old"]["status"] == 403


def test_a_point_seen_once_is_drift_only_when_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.json", error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)))
    new = _write(
        tmp_path / "new.json",
        error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)),
        error(2, 404, "ft.NotFoundIssue", faults=("unknown-issue",)),
    )
    assert main(["diff", str(old), str(new)]) == 0
    assert "observed only in" in capsys.readouterr().out
    assert main(["diff", str(old), str(new), "--strict"]) == 1


def test_a_content_type_alone_does_not_change_an_answer() -> None:
    first = learn([error(1, 403, "ft.X", faults=("bad-key",))])
    second = learn(
        [error(1, 403, "ft.X", faults=("bad-key",), response_headers={"content-type": "text/json"})]
    )
    changed = [c.point for c in compare(first, second).changed]
    assert changed == ["content-type"]


def test_reports_compare_the_rules_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = learn([error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",))]).to_json()

    def report(name: str, status: str) -> Path:
        path = tmp_path / name
        rules = [{"id": "behaviour.auth-required", "status": status}]
        document = {
            "format": "truewatch-contract-report/2",
            "target_profile": profile,
            "rules": rules,
        }
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    held, broken, input_ = (
        report("a.json", "held"),
        report("b.json", "broken"),
        report("c.json", "input"),
    )
    assert main(["diff", str(held), str(broken)]) == 1
    assert "behaviour.auth-required: held -> broken" in capsys.readouterr().out
    assert main(["diff", str(held), str(input_)]) == 0


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("nothing of the sort", encoding="utf-8")
    assert main(["diff", str(garbage), str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "truewatch-contract diff: error:" in err
    assert main(["profile", str(tmp_path / "missing.json")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_profile_writes_the_document_or_a_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.json", error(1, 403, "ft.InvalidAPIKey", faults=("bad-key",)))
    out = tmp_path / "out.json"
    assert main(["profile", str(source), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert json.loads(out.read_text("utf-8"))["points"]["answer:bad-key"]["support"] == 1
    assert main(["profile", str(source), "--text"]) == 0
    assert "answer to a wrong DF-API-KEY: 403 ft.InvalidAPIKey" in capsys.readouterr().out
    assert main(["profile", str(source), "-o", str(tmp_path / "no" / "such" / "dir.json")]) == 2
