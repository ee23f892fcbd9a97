"""
The body of ``truewatch-contract mock`` (the argument parser lives in ``cli/mock.py``).

It builds the app, binds the socket (the real port is known even with ``--port 0``), prints the
connection info as the first line of standard output (flushed; its ``profile`` is what the mock
answers from, null without ``--profile``, and a profiled mock lists it on standard error too),
then serves in a thread while the main thread waits for Ctrl-C or SIGTERM, and stops cleanly
with exit code 0.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from truewatch_contract.errors import UsageError as UsageError

if TYPE_CHECKING:
    from truewatch_contract.profile.document import Profile


def run_mock(
    *,
    host: str,
    port: int,
    state_file: str | None,
    rate_limit: str | None,
    control: bool,
    mutant: str | None,
    list_mutants: bool,
    log_level: str,
    profile_file: str | None = None,
) -> int:
    from truewatch_contract.mock.mutants import MUTANTS

    if list_mutants:
        width = max(len(name) for name in MUTANTS)
        for m in MUTANTS.values():
            print(f"{m.name:<{width}}  {m.family:<12}  {m.description}")
        return 0
    if mutant is not None and mutant not in MUTANTS:
        raise UsageError(f"unknown mutant {mutant!r} (see --list-mutants)")
    if not 0 <= port <= 65535:
        raise UsageError(f"invalid port {port}: expected 0..65535")

    from truewatch_contract.mock import MockState, RateLimit, ServerError, StateError, create_app
    from truewatch_contract.mock.server import MockServer

    limit = None
    if rate_limit is not None:
        try:
            limit = RateLimit.parse(rate_limit)
        except ValueError as error:
            raise UsageError(f"--rate-limit: {error}") from None
    try:
        state = MockState.from_file(state_file) if state_file is not None else MockState.default()
    except StateError as error:
        raise UsageError(f"--state: {error}") from None

    profile = None
    if profile_file is not None:
        from truewatch_contract.profile.load import load_profile

        try:
            profile = load_profile(profile_file)
        except UsageError as error:  # ProfileError: one line naming the file
            raise UsageError(f"--profile: {error}") from None
    try:
        app = create_app(state, mutant=mutant, rate_limit=limit, control=control, profile=profile)
    except ValueError as error:  # e.g. TRUEWATCH_ENGINE names no engine
        raise UsageError(str(error)) from None
    points = app.state.service.profile_points()
    server = MockServer(app, host, port, log_level=log_level)
    try:
        server.start()
    except ServerError as error:
        raise UsageError(str(error)) from None

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        first = {**state.connection_info(server.base_url), "profile": points}
        sys.stdout.write(json.dumps(first) + "\n")
        sys.stdout.flush()
        if profile is not None and points is not None:
            sys.stderr.write(profile_listing(profile, points) + "\n")
            sys.stderr.flush()
        while not stop.is_set() and server.running:
            stop.wait(0.2)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not stop.is_set():
        print("truewatch-contract mock: the server stopped unexpectedly", file=sys.stderr)
        return 1
    return 0


def profile_listing(profile: Profile, points: dict[str, Any]) -> str:
    """What a profiled mock tells a person on standard error: the learned and the default points."""
    from truewatch_contract.profile.listing import listing

    defaults = {
        str(item["point"]): str(item["answer"]) for item in points["points"] if not item["learned"]
    }
    return "the mock answers as " + listing(profile, defaults=defaults, order=points["order"])
