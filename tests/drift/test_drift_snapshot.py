"""`truewatch-contract drift` on the shipped snapshot and on edited copies of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from drift_pages import SNAPSHOT, edited, write

from truewatch_contract.cli import main


def drift(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["drift", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_the_shipped_snapshot_agrees_with_the_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = drift([], capsys)
    assert (code, err) == (0, "")
    assert len(out) == 1 and out[0].startswith("no drift: ")
    assert "7 known page defects" in out[0]


def test_verbose_lists_the_known_defects_where_they_stand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = drift(["-v"], capsys)
    assert code == 0
    level = next(line for line in out if "issue-status-example" in line)
    assert level.startswith("Body Parameters table, row issueStatus, line 24: known page defect")
    assert "'level'" in level
    assert any("example-host" in line and "line 33" in line for line in out)


# (edit of the page, text the one drift line must hold, the line it stands on)
EDITS = {
    "a new status value": (
        ("'Ignored']", "'Ignored', 'Closed']"),
        "issueStatus: allowed value 'Closed' is on the page, not in the spec",
        "line 27",
    ),
    "a removed status value": (
        ("'Working', ", ""),
        "issueStatus: allowed value 'Working' of the spec is no longer on the page",
        "line 27",
    ),
    "a field made required": (
        ("assigner array Assignee", "assigner array Y Assignee"),
        "assigner: the page marks it required, the spec optional",
        "row assigner, line 20",
    ),
    "a type changed in the table": (
        ("issueStatus string Status", "issueStatus integer Status"),
        "issueStatus: the type is integer, the spec says string",
        "row issueStatus, line 23",
    ),
    "a type changed in the example response": (
        ('"id": 39,', '"id": "39",'),
        "content.id is string on the page, the spec says integer",
        "field content.id, line 65",
    ),
    "a moved route": (
        (
            "POST /api/v1/error_track/{issue_id}/update",
            "POST /api/v2/error_track/{issue_id}/update",
        ),
        "the route moved: the page has /api/v2/error_track/{issue_id}/update",
        "route line, line 7",
    ),
    "another method": (
        ("POST /api", "PUT /api"),
        "the method is PUT, the spec says POST",
        "line 7",
    ),
    "a new field in the example response": (
        ('"id": 39,', '"id": 39,\n        "priority": 2,'),
        "field content.priority is on the page, not in the spec",
        "field content.priority, line 66",
    ),
    "a new nested field in the example response": (
        ('"operator": "sys"', '"operator": "sys",\n                    "note": null'),
        "field content.extend.statusChangeRecords[0].note is on the page, not in the spec",
        "field content.extend.statusChangeRecords[0].note, line 57",
    ),
    "a removed field of the example response": (
        ('        "creator": "sys",\n', ""),
        "field content.creator of the spec is no longer in the example response",
        "Response example",
    ),
    "a removed nested field": (
        ('                "wsAccountStatus": 0,\n', ""),
        "field content.assignerInfo[0].wsAccountStatus of the spec is no longer",
        "field content.assignerInfo[0]",
    ),
    "an empty array allowed": (
        ("Example: ['acnt_xxx']\nAllow empty: False", "Example: ['acnt_xxx']\nAllow empty: True"),
        "assigner: 'Allow empty: True', the spec says False",
        "row assigner, line 22",
    ),
    "a flag gone from the page": (
        ("Allow empty string: False\nAllowed", "Allowed"),
        "issueStatus: the page no longer says 'Allow empty string: False'",
        "row issueStatus",
    ),
    "another request example": (
        ('{"issueStatus":"Resolved"}', '{"issueState":"Resolved"}'),
        """the example's body {"issueState":"Resolved"} is none of the spec's request examples""",
        "Request Example, curl, line 33",
    ),
    "a new host in the request example": (
        ("https://openapi.truewatch.com", "https://api.truewatch.example"),
        "the example's host api.truewatch.example is not a server of the spec",
        "line 33",
    ),
}


@pytest.mark.parametrize("change", EDITS)
def test_an_edited_page_drifts_naming_the_change(
    change: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (old, new), message, where = EDITS[change]
    code, out, err = drift([str(write(tmp_path, edited(old, new)))], capsys)
    assert (code, err) == (1, "")
    lines = [line for line in out if message in line]
    assert len(lines) == 1, out
    assert where in lines[0].split(": ", 1)[0], lines[0]
    assert out[-1].startswith("drift: ")


def test_a_renamed_body_field_is_named_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited("assigner array Assignee", "assignees array Assignee")
    code, out, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 1
    assert "Body Parameters table, row assignees, line 20: parameter assignees is on the page" in (
        "\n".join(out)
    )
    assert any("parameter assigner of the spec is no longer on the page" in line for line in out)


def test_a_fixed_defect_is_reported_and_is_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited("Example: level", "Example: Resolved")
    code, out, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 1
    assert out[0] == (
        "Body Parameters table, row issueStatus, line 24: the page fixed it: issue-status-example "
        "(body.issueStatus.example showed 'level', now 'Resolved'); update x-page-defects"
    )


def test_a_changed_defect_is_drift_and_no_longer_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited("Example: level", "Example: severity")
    code, out, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 1
    assert any("the example severity is not one of the allowed values" in line for line in out)
    assert any("the page fixed it: issue-status-example" in line for line in out)


def test_an_integer_where_the_spec_says_number_is_no_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited('"updateAt": 1772788899.2923098', '"updateAt": 1772788899')
    code, _, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 0


def test_a_number_where_the_spec_says_integer_is_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited('"createAt": 1769011233', '"createAt": 1769011233.5')
    code, out, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 1
    assert any("content.createAt is number on the page, the spec says integer" in x for x in out)


@pytest.mark.parametrize(
    "layout",
    ["tabs", "pipes", "one cell per line", "indented with blank lines", "CRLF and nbsp"],
)
def test_table_layouts_of_other_scrapes_read_the_same(
    layout: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = {
        "Parameter Name Type Required Description": [
            "Parameter Name",
            "Type",
            "Required",
            "Description",
        ],
        "issue_id string Y issue uuid": ["issue_id", "string", "Y", "issue uuid"],
        "assigner array Assignee": ["assigner", "array", "", "Assignee"],
        "issueStatus string Status": ["issueStatus", "string", "", "Status"],
    }
    page = SNAPSHOT
    for line, cells in rows.items():
        if layout == "tabs":
            page = page.replace(line, "\t".join(cells))
        elif layout == "pipes":
            page = page.replace(line, "| " + " | ".join(cells) + " |")
        elif layout == "one cell per line":
            page = page.replace(line, "\n".join(cell for cell in cells if cell))
    if layout == "indented with blank lines":
        page = (
            "\n\n".join("   " + line for line in page.split("\n")[:30])
            + "\n"
            + ("\n".join(page.split("\n")[30:]))
        )
    if layout == "CRLF and nbsp":
        page = page.replace("Allow empty: False", "Allow\xa0empty:\xa0False").replace("\n", "\r\n")
    code, out, _ = drift([str(write(tmp_path, page))], capsys)
    assert code == 0, out
    # And the same layout still notices a change.
    changed = page.replace("'Ignored']", "'Ignored', 'Closed']")
    code, out, _ = drift([str(write(tmp_path, changed, "changed.txt"))], capsys)
    assert code == 1 and any("'Closed'" in line for line in out), out


def test_json_output_parses_and_names_every_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = edited("'Ignored']", "'Ignored', 'Closed']")
    code, out, _ = drift([str(write(tmp_path, page)), "--format", "json"], capsys)
    report = json.loads("\n".join(out))
    assert code == report["exit_code"] == 1
    assert report["drift"] is True
    assert set(report) == {
        "page", "spec", "drift", "exit_code", "differences", "fixed_defects", "known_defects"
    }  # fmt: skip
    (difference,) = report["differences"]
    assert difference["point"] == "body.issueStatus.allowed"
    assert difference["page"] == "Closed"
    assert difference["where"] == {
        "section": "Body Parameters table", "item": "row issueStatus", "line": 27
    }  # fmt: skip
    assert len(report["known_defects"]) == 7 and report["fixed_defects"] == []


def test_json_output_of_the_snapshot_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = drift(["--format", "json"], capsys)
    report = json.loads("\n".join(out))
    assert (code, report["drift"], report["differences"]) == (0, False, [])
