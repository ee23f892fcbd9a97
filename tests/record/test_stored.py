"""A large record keeps its exchanges in its file: read back alike, redacted alike, in any order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truewatch_contract.record import read_record, reader
from truewatch_contract.record.stored import StoredExchanges, select
from truewatch_contract.redaction import Redactor

SECRET = "tkn_0123456789abcdef0123456789abcdef"


def _exchange(n: int) -> dict[str, object]:
    return {
        "kind": "exchange",
        "t": float(n),
        "test": f"test_{n % 3}",
        "request": {
            "method": "POST",
            "path": f"/api/v1/error_track/{n:032x}/update",
            "headers": {"df-api-key": "[redacted]", "content-type": "application/json"},
            "body": {"issueStatus": "Resolved", "note": "é"},
        },
        "response": {
            "status": 200 if n % 2 else 400,
            "headers": {"content-type": "application/json"},
            # A secret the writer did not know, in a server's text: the reader blanks it.
            "body": {"code": 200, "message": f"key {SECRET}" if n % 5 == 0 else ""},
            "elapsed_ms": 1.5,
        },
        "curl": "curl -H 'DF-API-KEY: [redacted]' ...",
        "violations": [
            {"rule": "envelope.trace-id", "pointer": "/traceId", "message": "no traceId",
             "tag": "observed"}
        ] if n % 7 == 0 else [],
    }  # fmt: skip


def _write(path: Path, count: int, *, newline_at_end: bool = True) -> Path:
    lines = [{"kind": "run", "target": "proxy", "started_at": 1.0}]
    for n in range(count):
        lines.append(_exchange(n))
        if n % 10 == 4:
            lines.append({"kind": "test", "test": "t", "when": "call", "outcome": "passed",
                          "duration": 0.1})  # fmt: skip
        if n == 20:
            lines.append("not json")  # type: ignore[arg-type]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + ("\n" if newline_at_end else ""), encoding="utf-8")
    return path


@pytest.mark.parametrize("newline_at_end", [True, False])
def test_a_large_record_reads_back_as_the_same_exchanges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline_at_end: bool
) -> None:
    path = _write(tmp_path / "record.jsonl", 60, newline_at_end=newline_at_end)
    whole = read_record(path)
    monkeypatch.setattr(reader, "IN_MEMORY", 25)
    stored = read_record(path)
    assert isinstance(whole.exchanges, list)
    assert isinstance(stored.exchanges, StoredExchanges)
    assert len(stored.exchanges) == len(whole.exchanges) == 60
    assert list(stored.exchanges) == whole.exchanges
    assert list(stored.exchanges) == whole.exchanges  # a second walk reads the file again
    assert stored.exchanges[0] == whole.exchanges[0]
    assert stored.exchanges[-1] == whole.exchanges[-1]
    assert stored.exchanges[-5:] == whole.exchanges[-5:]
    assert stored.exchanges[10:40:7] == whole.exchanges[10:40:7]
    with pytest.raises(IndexError):
        stored.exchanges[60]
    # Two walks at once (a report's nested loops) do not disturb each other.
    pairs = zip(stored.exchanges, iter(stored.exchanges), strict=True)
    assert all(a == b for a, b in pairs)
    assert (stored.damaged_lines, len(stored.tests)) == (whole.damaged_lines, len(whole.tests))
    assert stored.damaged_lines == 1 and stored.run is not None


def test_the_redacted_view_of_a_large_record_is_the_redacted_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "record.jsonl", 60)
    redactor = Redactor([SECRET])
    whole = read_record(path).redacted(redactor)
    monkeypatch.setattr(reader, "IN_MEMORY", 25)
    stored = read_record(path).redacted(redactor)
    assert isinstance(stored.exchanges, StoredExchanges)
    assert list(stored.exchanges) == whole.exchanges
    shown = [json.dumps(e.to_json()) for e in stored.exchanges]
    assert not any(SECRET in line for line in shown)
    assert sum("[redacted]" in (e.response.body or {}).get("message", "") for e in stored.exchanges
               if e.response) == 12  # fmt: skip


def test_a_large_record_can_be_read_after_its_file_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "IN_MEMORY", 5)
    path = _write(tmp_path / "record.jsonl", 30)
    record = read_record(path)
    path.unlink()  # the runner's temporary directory, cleaned up before the reports
    assert [e.t for e in record.exchanges] == [float(n) for n in range(30)]


def test_a_key_the_writer_did_not_blank_is_found_behind_json_escapes() -> None:
    redactor = Redactor(["k1"])
    clean = json.dumps({"h": {"df-api-key": "[redacted]"}, "c": "-H 'DF-API-KEY: [redacted]'"})
    assert not redactor.finds_in_json(clean)
    for value in ('"DF-API-KEY": "vvv"', "DF-API-KEY: zzz", "use k1", "DF-API-KEY:\tv"):
        line = json.dumps({"m": value})
        assert redactor.finds_in_json(line), line
        assert Redactor(["k1"]).text(value) != value
    # A secret that JSON writes escaped is never looked for in the text: always redacted.
    assert Redactor(['q"uote']).finds_in_json(clean)


def test_a_selection_keeps_the_lines_in_the_file_in_either_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "record.jsonl"
    # Written out of time order, as concurrent requests can be.
    times = [5.0, 1.0, 3.0, 2.0, 4.0, 0.5, 6.0, 7.0]
    lines = [{**_exchange(n), "t": t} for n, t in enumerate(times)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    whole = read_record(path).exchanges
    monkeypatch.setattr(reader, "IN_MEMORY", 3)
    stored = read_record(path).exchanges
    assert isinstance(stored, StoredExchanges)
    for by_time in (False, True):
        for keep in (lambda e: e.status == 400, lambda e: True):
            chosen = select(stored, keep, by_time=by_time)
            assert isinstance(chosen, StoredExchanges)
            assert list(chosen) == select(whole, keep, by_time=by_time)
    ordered = select(stored, lambda e: True, by_time=True)
    assert [e.t for e in ordered] == sorted(times)
    assert ordered[0].t == 0.5 and ordered[-1].t == 7.0
