"""
The proxy's judging side in process: the spool read back whole and in order, the end frame, a
writer that went away, a fault on one exchange, the keys' stand-ins, and the record it leaves.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from truewatch_contract.mock import create_app
from truewatch_contract.mock.service import IncomingRequest
from truewatch_contract.proxy import judging as judging_module
from truewatch_contract.proxy.judging import Judging, judge_spool
from truewatch_contract.proxy.passage import KeyAliases, Passage
from truewatch_contract.proxy.spool import SpoolReader, SpoolWriter
from truewatch_contract.record import read_record

ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
ROUTE = f"/api/v1/error_track/{ISSUE}/update"


class Mock:
    """The mock's service answering passages without sockets."""

    def __init__(self, mutant: str | None = None) -> None:
        app = create_app(mutant=mutant)
        self.service = app.state.service
        self.key = str(app.state.mock_state.connection_info("http://mock")["api_key"])

    def passage(self, body: Any, *, key: str | None = None, alias: str = "key-1") -> Passage:
        request = IncomingRequest("POST", ISSUE)
        request.api_keys.append(key or self.key)
        request.content_types.append("application/json")
        raw = json.dumps(body).encode()
        request.body = raw
        answer = self.service.handle(request)
        now = time.time()
        return Passage(
            "POST",
            ROUTE,
            [(b"content-type", b"application/json"), (b"df-api-key", alias.encode())],
            raw,
            answer.status,
            [(b"content-type", b"application/json")],
            answer.body,
            now,
            now,
            1.0,
        )


def _judging(tmp_path: Path, **told: Any) -> Judging:
    return Judging(tmp_path / "record.jsonl", base_url="http://mock", **told)


def test_every_passage_is_judged_in_order_to_the_end_frame(tmp_path: Path) -> None:
    mock = Mock("history-duplicate-record")
    spool = SpoolWriter(tmp_path / "spool")
    for body in ({}, {"issueStatus": "Working"}, {"issueStatus": "level"}):
        spool.put(mock.passage(body))
    spool.close()
    judging = _judging(tmp_path)
    judge_spool(judging, tmp_path / "spool")
    judging.finish()
    record = read_record(tmp_path / "record.jsonl")
    assert [e.status for e in record.exchanges] == [200, 200, 400]
    assert record.session_finished and record.run is not None
    # The second answer was judged against the first (the Watcher kept the issue's history).
    assert [v.rule for v in record.exchanges[1].violations] == ["history.status-change-record"]
    assert judging.judged == 3 and judging.broken == 1


def test_a_writer_that_went_away_leaves_what_is_whole_judged(tmp_path: Path) -> None:
    mock = Mock()
    spool = SpoolWriter(tmp_path / "spool")
    spool.put(mock.passage({"issueStatus": "Working"}))
    spool.flush()
    with open(tmp_path / "spool", "ab") as handle:  # half a frame, and no end frame
        handle.write(b"\x00\x00\x10\x00abc")
    judging = _judging(tmp_path)
    judge_spool(judging, tmp_path / "spool", alive=lambda: False)
    assert judging.judged == 1


def test_a_fault_of_the_judge_on_one_exchange_is_recorded_and_the_rest_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = Mock()
    judging = _judging(tmp_path)
    original = judging._take
    calls = iter([False, True, False])

    def sometimes(passage: Passage) -> Any:
        if next(calls):
            raise RecursionError("too deep")
        return original(passage)

    monkeypatch.setattr(judging, "_take", sometimes)
    for body in ({}, {"issueStatus": "Working"}, {"issueStatus": "Ignored"}):
        judging.take(mock.passage(body))
    judging.finish()
    record = read_record(tmp_path / "record.jsonl")
    assert [e.error is not None for e in record.exchanges] == [False, True, False]
    assert "judge failed on this exchange: RecursionError: too deep" in str(
        record.exchanges[1].error
    )
    assert judging.faults == 1 and "RecursionError" in capsys.readouterr().err


def test_told_the_key_the_judge_sees_only_its_stand_in(tmp_path: Path) -> None:
    mock = Mock()
    aliases = KeyAliases()
    told = aliases.alias(mock.key)
    assert told == "key-1" and aliases.alias(mock.key) == "key-1"
    assert aliases.alias("tkn_other") == "key-2" and aliases.alias("  ") == "  "
    judging = _judging(tmp_path, api_key=told, issue_id=ISSUE)
    ok = judging.take(mock.passage({"issueStatus": "Working"}, alias=told))
    other = judging.take(mock.passage({"issueStatus": "Working"}, key="tkn_x", alias="key-2"))
    judging.finish()
    assert ok is not None and ok.ok
    assert other is not None and [f.value for f in other.faults] == ["bad-key"] and other.ok
    text = (tmp_path / "record.jsonl").read_text()
    assert mock.key not in text and "key-1" not in text  # headers are blanked by name too


def test_the_reader_takes_only_whole_frames(tmp_path: Path) -> None:
    mock = Mock()
    path = tmp_path / "spool"
    spool = SpoolWriter(path)
    reader = SpoolReader(path)
    assert reader.take() == [] and not reader.ended
    first = mock.passage({})
    spool.put(first)
    assert reader.take() == []  # buffered, not written yet
    spool.flush()
    assert reader.take() == [first]
    spool.close()
    assert reader.take() == [] and reader.ended
    reader.close()


def test_once_stopped_the_judge_never_rests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the proxy's SIGUSR1, what is left is judged without yielding the CPU."""
    mock = Mock()
    spool = SpoolWriter(tmp_path / "spool")
    for _ in range(50):
        spool.put(mock.passage({}))
    spool.close()
    rests: list[float] = []
    monkeypatch.setattr(judging_module, "SLICE", 0.0)
    monkeypatch.setattr(judging_module.time, "sleep", rests.append)
    monkeypatch.setattr(judging_module, "_STOPPED", judging_module.threading.Event())
    judging_module.restore_priority()
    judging = _judging(tmp_path)
    judge_spool(judging, tmp_path / "spool")
    assert judging.judged == 50 and judging_module.REST not in rests
