"""
Throughput of the mock, side by side with Stoplight Prism's mock on the same spec.

Runs, on loopback only and bounded in time:

1. ``truewatch-contract mock`` (uvicorn) in a subprocess, and Prism 5.14.2
   (``npx -y @stoplight/prism-cli@5.14.2 mock -v silent``) on ``openapi/error-track.openapi.yaml``;
2. for each: valid updates (answered 200) and rejected ones (``issueStatus: "level"``, answered
   4xx), each for ``--duration`` seconds after a short warm-up, with ``wrk`` (Debian's package)
   or, when it is missing, a bounded asyncio load generator; both servers run all along and are
   measured in turns, ``--rounds`` times, so that a shared machine's changing load weighs on both;
3. prints requests/s, the server's CPU time per answer (its process group's, from ``/proc``),
   p50/p99 latency and unexpected answers for each measurement, the median and range of each, the
   mock's resident memory after at least 100,000 requests, and the ratio mock / Prism (of the
   medians, and of each round's back-to-back pair), and of the CPU time an answer costs each.

Usage: ``.venv/bin/python benchmarks/bench_mock.py [--duration 10] [--connections 32]
[--rounds 3] [--no-prism] [--python-load] [--json FILE]``. Exit 0 when it measured (a missing
Prism is reported, not fatal); 1 when the mock answered anything unexpected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "error-track.openapi.yaml"
ISSUE = "04a0bb44b28e9ff1e01f87828af622b9"
PATH = f"/api/v1/error_track/{ISSUE}/update"
# Valid updates that do not grow the issue's history: the same status, the assignees toggled.
VALID_BODIES = (
    '{"issueStatus":"Resolved","assigner":["acnt_3875a23398de4c92a5fc68a1c49a664b"]}',
    '{"issueStatus":"Resolved","assigner":["acnt_93dfc910d94eea1c09f45d5e8f648457",'
    '"acnt_3875a23398de4c92a5fc68a1c49a664b"]}',
)
REJECTED_BODIES = ('{"issueStatus":"level"}',)
MIN_REQUESTS_FOR_MEMORY = 100_000
PRISM = ("npx", "-y", "@stoplight/prism-cli@5.14.2")

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local threads = {}
local i = 0
function setup(thread) table.insert(threads, thread) end
function init(args)
  mode = args[1]
  unexpected = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["DF-API-KEY"] = "%(key)s"
end
function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i %% #bodies) + 1])
end
function response(status, headers, body)
  local ok = status == 200
  if mode == "rejected" then ok = status >= 400 and status < 500 end
  if not ok then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("unexpected") end
  io.write(string.format("UNEXPECTED %%d\\n", total))
end
"""


@dataclass
class Result:
    target: str
    kind: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    unexpected: int
    socket_errors: int
    # CPU time the server's processes spent per answer during the measurement: robust to a shared
    # machine's other load, which changes how much CPU a server gets, not what an answer costs.
    cpu_us_per_request: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process this script started (and its own children, started in its session)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def group_cpu_seconds(group: int) -> float:
    """User and system CPU time of the live processes of one process group (a server's own)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / tick


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- load generators ------------------------------------------------------------------------


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def run_wrk(url: str, key: str, kind: str, seconds: float, connections: int, target: str) -> Result:
    bodies = VALID_BODIES if kind == "valid" else REJECTED_BODIES
    script = WRK_SCRIPT % {"bodies": ", ".join(json.dumps(b) for b in bodies), "key": key}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--latency",
                "-s",
                handle.name,
                url + PATH,
                "--",
                kind,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(handle.name)
    requests = p50 = p99 = elapsed = 0.0
    unexpected = errors = 0
    for line in output.splitlines():
        words = line.split()
        if " requests in " in line:
            requests = int(words[0])
            elapsed = _ms(words[3].rstrip(",")) / 1000
        elif words[:1] == ["50%"]:
            p50 = _ms(words[1])
        elif words[:1] == ["99%"]:
            p99 = _ms(words[1])
        elif words[:1] == ["UNEXPECTED"]:
            unexpected = int(words[1])
        elif line.strip().startswith("Socket errors:"):
            errors = sum(int(part.split()[-1]) for part in line.split(":", 1)[1].split(","))
    rps = requests / elapsed if elapsed else 0.0
    return Result(target, kind, int(requests), elapsed, rps, p50, p99, unexpected, errors)


async def _python_load(
    port: int, key: str, kind: str, seconds: float, connections: int
) -> tuple[int, list[float], int, int]:
    bodies = [b.encode() for b in (VALID_BODIES if kind == "valid" else REJECTED_BODIES)]
    requests = [
        (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"DF-API-KEY: {key}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body in bodies
    ]
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    counts = {"unexpected": 0, "errors": 0}

    async def client(index: int) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            counts["errors"] += 1
            return
        n = index
        try:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                writer.write(requests[n % len(requests)])
                n += 1
                status_line = await reader.readline()
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
                status = int(status_line.split()[1])
                bad = status != 200 if kind == "valid" else not 400 <= status < 500
                counts["unexpected"] += bad
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            counts["errors"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(connections)))
    return len(latencies), latencies, counts["unexpected"], counts["errors"]


def run_python(
    url: str, key: str, kind: str, seconds: float, connections: int, target: str
) -> Result:
    port = int(url.rsplit(":", 1)[1])
    started = time.monotonic()
    count, latencies, unexpected, errors = asyncio.run(
        _python_load(port, key, kind, seconds, connections)
    )
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return Result(
        target, kind, count, elapsed, count / elapsed, pct(0.5), pct(0.99), unexpected, errors
    )


# -- the run ----------------------------------------------------------------------------------


_CLI = (sys.executable, "-m", "truewatch_contract.cli")


def start_mock(port: int = 0) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """`truewatch-contract mock` on `port` (0: a free one), and its first line (connection info)."""
    mock = subprocess.Popen(
        [*_CLI, "mock", "--port", str(port), "--log-level", "critical"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert mock.stdout is not None
    return mock, json.loads(mock.stdout.readline())


def start_prism() -> tuple[subprocess.Popen[bytes] | None, str, str]:
    """Prism listening (its URL), or None and the reason it is not measured."""
    port = free_port()
    prism = subprocess.Popen(
        [*PRISM, "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "silent", str(SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if wait_for_port(port, 180):
        return prism, f"http://127.0.0.1:{port}", ""
    stop(prism)
    return None, "", "Prism did not start within 180 s"


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurements of each target and kind, interleaved"
    )
    parser.add_argument("--no-prism", action="store_true", help="measure the mock only")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = run_wrk if use_wrk else run_python
    missing = "" if shutil.which("wrk") else " (wrk not found)"
    print(f"load generator: {'wrk' if use_wrk else 'python asyncio' + missing}")
    warmup = min(2.0, args.duration)
    results: list[Result] = []

    prism: subprocess.Popen[bytes] | None = None
    prism_note = ""
    mock, info = start_mock()
    url, key = str(info["base_url"]), str(info["api_key"])
    try:
        urls = {"mock": url}
        groups = {"mock": mock.pid}  # each server runs in a session (and process group) of its own
        if args.no_prism or not shutil.which("npx"):
            prism_note = "Prism not measured (--no-prism or no npx)"
        else:
            prism, prism_url, prism_note = start_prism()
            if prism is not None:
                urls["prism"] = prism_url
                groups["prism"] = prism.pid
        rss_start = rss_kib(mock.pid)
        served = 0
        # Node's JIT takes a few seconds to settle: every target gets a longer first warm-up.
        for target, target_url in urls.items():
            for kind in ("valid", "rejected"):
                warm = load(target_url, key, kind, 2.5 * warmup, args.connections, target)
                served += warm.requests if target == "mock" else 0
        # Both servers run all along and are measured in turns, back to back, each round in the
        # other order: a shared machine's load then weighs on both alike, and a round's ratio
        # compares two measurements taken a few seconds apart.
        for number in range(args.rounds):
            targets = list(urls) if number % 2 == 0 else list(reversed(urls))
            for kind in ("valid", "rejected"):
                for target in targets:
                    warm = load(urls[target], key, kind, warmup, args.connections, target)
                    cpu_before = group_cpu_seconds(groups[target])
                    result = load(urls[target], key, kind, args.duration, args.connections, target)
                    cpu = group_cpu_seconds(groups[target]) - cpu_before
                    result.cpu_us_per_request = cpu * 1e6 / max(result.requests, 1)
                    if target == "mock":
                        served += warm.requests + result.requests
                    results.append(result)
        top_up_until = time.monotonic() + 180  # bounded even with a slow load generator
        while served < MIN_REQUESTS_FOR_MEMORY and time.monotonic() < top_up_until:
            served += load(url, key, "valid", args.duration, args.connections, "mock").requests
        rss_end = rss_kib(mock.pid)
    finally:
        stop(mock)
        if prism is not None:
            stop(prism)

    print(
        f"\n{'target':<7} {'kind':<9} {'round':>5} {'req/s':>9} {'cpu us/req':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'requests':>9} {'unexpected':>10} {'sock err':>8}"
    )
    rounds: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        runs = rounds.setdefault((r.target, r.kind), [])
        runs.append(r)
        print(
            f"{r.target:<7} {r.kind:<9} {len(runs):>5} {r.rps:>9.0f} {r.cpu_us_per_request:>10.1f} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.requests:>9} {r.unexpected:>10} "
            f"{r.socket_errors:>8}"
        )
    print(
        f"\n{'target':<7} {'kind':<9} {'median req/s':>12} {'range':>15} "
        f"{'median cpu us/req':>17} {'range':>13}"
    )
    for (target, kind), runs in rounds.items():
        rps = [r.rps for r in runs]
        cpus = [r.cpu_us_per_request for r in runs]
        print(
            f"{target:<7} {kind:<9} {median(rps):>12.0f} "
            f"{f'{min(rps):.0f}-{max(rps):.0f}':>15} {median(cpus):>17.1f} "
            f"{f'{min(cpus):.1f}-{max(cpus):.1f}':>13}"
        )
    print(
        f"\nmock RSS: {rss_start / 1024:.1f} MiB at start, "
        f"{rss_end / 1024:.1f} MiB after {served} requests"
    )
    ratios: dict[str, dict[str, float]] = {}
    for kind in ("valid", "rejected"):
        ours = rounds.get(("mock", kind), [])
        theirs = rounds.get(("prism", kind), [])
        if not ours or len(ours) != len(theirs):
            continue
        paired = [a.rps / b.rps for a, b in zip(ours, theirs, strict=True) if b.rps]
        if paired:
            ratio = median([r.rps for r in ours]) / median([r.rps for r in theirs])
            ratios[kind] = {"median": ratio, "low": min(paired), "high": max(paired)}
            print(
                f"ratio mock/prism ({kind}): {ratio:.2f}x "
                f"(each round: {', '.join(f'{p:.2f}x' for p in paired)})"
            )
            ours_cpu = median([r.cpu_us_per_request for r in ours])
            if ours_cpu:
                cpu_ratio = median([r.cpu_us_per_request for r in theirs]) / ours_cpu
                ratios[f"{kind}_cpu"] = {"median": cpu_ratio}
                print(f"  CPU per answer, prism/mock ({kind}): {cpu_ratio:.2f}x")
    if prism_note:
        print(prism_note)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "results": [asdict(r) for r in results],
                    "rss_kib": {"start": rss_start, "end": rss_end, "after_requests": served},
                    "ratios": ratios,
                    "note": prism_note,
                },
                indent=2,
            )
        )
    mock_bad = any(r.unexpected or r.socket_errors for r in results if r.target == "mock")
    return 1 if mock_bad else 0


if __name__ == "__main__":
    sys.exit(main())
