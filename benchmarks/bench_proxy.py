"""
The validating proxy's speed: the same load sent directly to an upstream, through
``truewatch-contract proxy`` and through Stoplight Prism's validating proxy, side by side in one
run.

- The upstream: the built-in mock (``truewatch-contract mock --port 0``) on loopback.
- Our proxy: ``truewatch-contract proxy --upstream <mock> --port 0`` (judging off the response
  path, in its own low-priority process; reports written when it stops).
- Prism 5.14.2: ``npx -y @stoplight/prism-cli@5.14.2 proxy -v silent <spec> <mock>`` (it validates
  each request and answer against the spec and forwards), when npx can install it; said when not.
- The load: 10 connections, valid updates (200) and rejected ones (``issueStatus: "level"``,
  400), with ``wrk`` (Debian's package) or, without it, a bounded asyncio load generator (the
  one of ``benchmarks/bench_mock.py``).
- The proxy's judge works whenever the proxy is idle (catching up on what it forwarded): it is
  paused (SIGSTOP) while direct and Prism are measured, so that it takes no CPU from them, and
  runs as it always does while the proxy is measured.
- Alternating rounds (direct, proxy, Prism, for each kind, every round), since the machine is
  shared and noisy; each figure is the median over the rounds. The added latency is the proxy's
  p50 (p99) minus the direct p50 (p99) of the same round, and the ratio to Prism that of the
  same round, each then the median over the rounds.

Goals: at least 5x Prism's requests per second; at most 1 ms added at p50.

After the load, the proxy is stopped (SIGTERM) and the script reports how long it took to judge
what was left and write the reports, how many exchanges were judged, and the verdict (no rule
may break: the mock is correct).

Usage: ``.venv/bin/python benchmarks/bench_proxy.py [--rounds 5] [--duration 5] [--no-prism]
[--python-load] [--json FILE]``. Exit 0 when it measured; 1 when the proxy answered anything
unexpected or its report names a broken rule.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mock import (  # the load generators of the mock's benchmark
    PRISM,
    SPEC,
    Result,
    free_port,
    rss_kib,
    run_python,
    run_wrk,
    start_mock,
    stop,
    wait_for_port,
)

CONNECTIONS = 10
KINDS = ("valid", "rejected")


@dataclass
class Figure:
    target: str
    kind: str
    rps: float
    p50_ms: float
    p99_ms: float
    added_p50_ms: float | None
    added_p99_ms: float | None
    requests: int
    unexpected: int
    socket_errors: int


def start_proxy(upstream: str, reports: Path) -> tuple[subprocess.Popen[str], str]:
    """`truewatch-contract proxy` in front of `upstream`, and the base URL its first line gives."""
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "truewatch_contract.cli",
            "proxy",
            "--upstream",
            upstream,
            "--port",
            "0",
            "--report-dir",
            str(reports),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proxy.stdout is not None
    return proxy, json.loads(proxy.stdout.readline())["base_url"]


def start_prism(upstream: str) -> tuple[subprocess.Popen[bytes] | None, str | None, str]:
    if not shutil.which("npx"):
        return None, None, "Prism not measured: npx not found"
    port = free_port()
    prism = subprocess.Popen(
        [*PRISM, "proxy", "-h", "127.0.0.1", "-p", str(port), "-v", "silent", str(SPEC), upstream],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    if wait_for_port(port, 180):
        return prism, f"http://127.0.0.1:{port}", ""
    stop(prism)
    return None, None, "Prism not measured: it did not start within 180 s (could npx install it?)"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _rss_tree(pid: int) -> int:
    """Resident memory of a process and its children (KiB)."""
    total = rss_kib(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += rss_kib(int(child))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = run_wrk if use_wrk else run_python
    print(
        f"load generator: {'wrk' if use_wrk else 'python asyncio'}; {CONNECTIONS} connections; "
        f"{args.rounds} rounds of {args.duration:g} s per target and kind"
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    mock, info = start_mock()
    upstream, key = str(info["base_url"]), str(info["api_key"])
    proxy, proxy_url = start_proxy(upstream, workdir / "reports")
    prism, prism_url, note = (None, None, "Prism not measured (--no-prism)")
    if not args.no_prism:
        prism, prism_url, note = start_prism(upstream)
    targets = {"direct": upstream, "proxy": proxy_url}
    if prism_url:
        targets["prism"] = prism_url
    rounds: list[dict[tuple[str, str], Result]] = []
    rss_start = _rss_tree(proxy.pid)
    forwarded = 0
    try:
        for target, url in targets.items():  # warm-up (Prism's JIT, the proxy's pools)
            for kind in KINDS:
                load(url, key, kind, min(2.0, args.duration), CONNECTIONS, target)
        rss_start = _rss_tree(proxy.pid)
        judges = _children(proxy.pid)
        for number in range(args.rounds):
            measured: dict[tuple[str, str], Result] = {}
            for kind in KINDS:
                for target, url in targets.items():
                    # The proxy's judge catches up whenever the proxy is idle: paused while the
                    # others are measured, it takes no CPU from them (its cost is the proxy's).
                    _signal_all(judges, signal.SIGCONT if target == "proxy" else signal.SIGSTOP)
                    result = load(url, key, kind, args.duration, CONNECTIONS, target)
                    measured[(target, kind)] = result
                    if target == "proxy":
                        forwarded += result.requests
            rounds.append(measured)
            print(
                f"round {number + 1}: "
                + ", ".join(
                    f"{t}/{k} {r.rps:.0f}/s p50 {r.p50_ms:.2f} ms" for (t, k), r in measured.items()
                ),
                flush=True,
            )
        rss_end = _rss_tree(proxy.pid)
    finally:
        _signal_all(_children(proxy.pid), signal.SIGCONT)
        if prism is not None:
            stop(prism)
        stopped_at = time.monotonic()
        proxy.send_signal(signal.SIGTERM)
        _, err = proxy.communicate(timeout=3600)
        drain_s = time.monotonic() - stopped_at
        stop(mock)

    figures: list[Figure] = []
    for target in targets:
        for kind in KINDS:
            runs = [r[(target, kind)] for r in rounds]
            added50 = added99 = None
            if target != "direct":
                added50 = statistics.median(
                    r[(target, kind)].p50_ms - r[("direct", kind)].p50_ms for r in rounds
                )
                added99 = statistics.median(
                    r[(target, kind)].p99_ms - r[("direct", kind)].p99_ms for r in rounds
                )
            figures.append(
                Figure(
                    target,
                    kind,
                    statistics.median(r.rps for r in runs),
                    statistics.median(r.p50_ms for r in runs),
                    statistics.median(r.p99_ms for r in runs),
                    added50,
                    added99,
                    sum(r.requests for r in runs),
                    sum(r.unexpected for r in runs),
                    sum(r.socket_errors for r in runs),
                )
            )
    print(
        f"\n{'target':<7} {'kind':<9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'+p50 ms':>8} {'+p99 ms':>8} {'requests':>9} {'unexpected':>10} {'sock err':>8}"
    )
    for f in figures:
        added = (
            f"{f.added_p50_ms:>8.2f} {f.added_p99_ms:>8.2f}"
            if f.added_p50_ms is not None
            else f"{'':>8} {'':>8}"
        )
        print(
            f"{f.target:<7} {f.kind:<9} {f.rps:>8.0f} {f.p50_ms:>7.2f} {f.p99_ms:>7.2f} "
            f"{added} {f.requests:>9} {f.unexpected:>10} {f.socket_errors:>8}"
        )
    ratios = {}
    for kind in KINDS:
        ours = next(f for f in figures if f.target == "proxy" and f.kind == kind)
        if "prism" in targets:
            # The ratio of each round (both measured within seconds of each other), then the
            # median: a burst of the shared machine's load hits both or neither.
            ratios[kind] = statistics.median(
                r[("proxy", kind)].rps / r[("prism", kind)].rps
                for r in rounds
                if r[("prism", kind)].rps
            )
            print(f"proxy / Prism ({kind}): {ratios[kind]:.1f}x (goal: at least 5x)")
        print(
            f"added p50 through the proxy ({kind}): {ours.added_p50_ms:.2f} ms (goal: at most 1 ms)"
        )
    if note:
        print(note)
    report_path = workdir / "reports" / "report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    judged = report.get("counts", {}).get("requests")
    print(
        f"proxy: RSS {rss_start / 1024:.1f} MiB after warm-up, {rss_end / 1024:.1f} MiB after "
        f"{forwarded} measured requests (its judge included); stopped with SIGTERM, judging what "
        f"was left and writing the reports took {drain_s:.1f} s; {judged} exchanges judged; "
        f"verdict {report.get('verdict')} (exit {proxy.returncode})"
    )
    broken = [f["rule"] for f in report.get("failures", [])]
    if broken:
        print(f"broken rules (a false alarm on the correct mock): {broken}")
    if err.strip():
        print("proxy stderr:\n" + err.strip()[-2000:])
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "figures": [asdict(f) for f in figures],
                    "ratios": ratios,
                    "note": note,
                    "rss_kib": {"start": rss_start, "end": rss_end},
                    "drain_s": drain_s,
                    "judged": judged,
                    "verdict": report.get("verdict"),
                    "rounds": args.rounds,
                    "duration_s": args.duration,
                },
                indent=2,
            )
        )
    shutil.rmtree(workdir, ignore_errors=True)
    bad = any(f.unexpected or f.socket_errors for f in figures if f.target == "proxy")
    return 1 if bad or broken or proxy.returncode not in (0,) else 0


if __name__ == "__main__":
    sys.exit(main())
