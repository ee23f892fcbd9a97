"""
The contract suite's session: the target, the built-in mock, pacing, the record, and the restore.

`open_session` starts it from the process's `SuiteConfig` (kept in pytest's ``config.stash``
under `CONFIG_KEY`); `contract_tests/conftest.py` only exposes it as the ``suite`` fixture. Every
request a test sends goes through `Suite.send`, which judges it and writes its record line.

Safety against a real deployment: the only issue the suite changes is ``TRUEWATCH_ISSUE_ID``. Its
status and assignees are learnt from the first answer (a ``{}`` no-op; if the target rejects
``{}``, from the answer to a status update) and put back when the session ends, failures and
interrupts included (`Suite.restore`).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from truewatch_contract.redaction import AUTH_HEADER, Redactor
from truewatch_contract.rules import is_relaxed, status_records, violation
from truewatch_contract.spec import ROUTE
from truewatch_contract.suite.budget import Ledger, Plan
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.exchange import Exchange
from truewatch_contract.suite.faults import Fault, Policy
from truewatch_contract.suite.judge import Verdict, describe, judge
from truewatch_contract.suite.pacing import TokenBucket, is_rate_limited, paced_session
from truewatch_contract.suite.recording import Recorder, record_exchange

__all__ = ["CONFIG_KEY", "Sent", "Suite", "open_session", "policy_for", "session_secrets"]

#: Where the contract suite keeps the process's `SuiteConfig` (pytest's ``config.stash``).
CONFIG_KEY = pytest.StashKey[SuiteConfig]()
#: Rejected bodies with a valid half that the fuzzing follows with a probe (bounded: a probe
#: is one more request, and a rate-limited target pays for each).
FUZZ_PROBES = 8
_DEFAULT: Any = object()


class ScenarioError(AssertionError):
    """A scenario sent a request whose faults are not the ones it meant to send."""


def policy_for(config: SuiteConfig, aliases: Iterable[str] = ()) -> Policy:
    """The judge's policy for a configured target (`aliases`: the test issue's other ids)."""
    return Policy(
        api_key=config.api_key or None,
        issue_ids=frozenset({config.issue_id, *aliases} - {""}),
        foreign_issue_id=config.foreign_issue_id,
        foreign_api_key=config.foreign_api_key,
        relaxed=config.relaxed,
        builtin_mock=config.builtin_mock,
    )


def session_secrets(config: SuiteConfig) -> set[str]:
    """The keys the session may send: the configuration's, or the built-in mock's own."""
    secrets = set(config.secrets)
    if config.builtin_mock:
        from truewatch_contract.mock import MockState

        info = MockState.default().connection_info("http://127.0.0.1")
        secrets |= {str(info[k]) for k in ("api_key", "foreign_api_key") if info.get(k)}
    return secrets


def collection_config(config: SuiteConfig) -> SuiteConfig:
    """
    The target as far as it is known before the session starts: for the built-in mock, its
    default state's key, issue and assignees (the session serves that same state).
    """
    if not config.builtin_mock:
        return config
    from truewatch_contract.mock import MockState

    return config.with_connection(MockState.default().connection_info("http://127.0.0.1"))


@dataclasses.dataclass
class Sent:
    """One judged exchange of a scenario."""

    exchange: Exchange
    verdict: Verdict

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def body(self) -> Any:
        return self.exchange.json_body()[1]

    @property
    def content(self) -> Any:
        body = self.body
        return body.get("content") if isinstance(body, dict) else None


class Suite:
    """
    The session's connection to the target; every request a test sends goes through `send`.

    It paces requests, judges each answer (`judge`), writes the record, and keeps the test
    issue's last known content (``current``) for the history rules. All of its state lives and
    dies with the session.
    """

    def __init__(
        self,
        target: SuiteConfig,
        recorder: Recorder,
        redactor: Redactor,
        *,
        mock_state: Any = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.target = target
        self.recorder = recorder
        self.redactor = redactor
        self.bucket = TokenBucket(target.rate_limit)
        # Every request the target receives is counted here (and refused past the budget).
        self.ledger = ledger if ledger is not None else Ledger(None)
        self.session = paced_session(self.bucket, self.ledger)
        self.aliases: set[str] = set()
        self.current: dict[str, Any] | None = None
        self.initial: dict[str, Any] | None = None
        self.empty_ok = False  # whether the target answers `{}` with 200 (learnt at the start)
        # The built-in mock's live state: lets the isolation tests look at the foreign issue,
        # which no request of the suite may change (None for any other target).
        self.mock_state = mock_state
        self.policy = policy_for(target)
        # Rejected fuzzing bodies with a valid half still to follow with a probe.
        self.probes_left = FUZZ_PROBES

    # -- what the suite may do ----------------------------------------------------------

    @property
    def may_assign(self) -> bool:
        """
        Whether accepted updates may set ``assigner``: always on the built-in mock; on another
        target only with known assignees and an issue that had assignees (``[]`` is no valid
        body, so an empty list could never be put back).
        """
        if self.target.builtin_mock:
            return bool(self.target.assignees)
        return bool(self.target.assignees) and bool(self.initial and self.initial["assigner"])

    def url(self, issue_id: str) -> str:
        from urllib.parse import quote

        return str(self.target.base_url) + ROUTE.format(issue_id=quote(issue_id, safe=""))

    def learn(self, verdict: Verdict) -> None:
        """Take the test issue's content from an accepted update (and its other id)."""
        content = verdict.content
        if not isinstance(content, dict):
            return
        self.current = content
        new = {str(content[k]) for k in ("issueID", "uuid") if isinstance(content.get(k), str)}
        if not new <= self.aliases | {self.target.issue_id}:
            self.aliases |= new
            self.policy = dataclasses.replace(
                self.policy, issue_ids=self.policy.issue_ids | self.aliases
            )

    # -- sending ------------------------------------------------------------------------

    def send(
        self,
        test: str,
        phase: str,
        body: Any = None,
        *,
        issue_id: str | None = None,
        method: str = "POST",
        raw: bytes | None = None,
        key: Any = _DEFAULT,
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
        meant: Iterable[Fault] = (),
        previous: Any = _DEFAULT,
    ) -> Sent:
        """
        Send one request (JSON `body`, or `raw` bytes) and judge it; no verdict is raised here.

        ``key``: the target's key by default, ``None`` for no header, or a string to send.
        ``meant``: the faults the scenario means to send; the judge must find at least one of
        them in the request (`ScenarioError` otherwise: the scenario, not the server, is wrong).
        """
        exchange = self.transmit(
            body, issue_id=issue_id, method=method, raw=raw, key=key, headers=headers
        )
        prev = self.current if previous is _DEFAULT else previous
        sent = self.conclude(test, phase, exchange, previous=prev)
        intended = frozenset(meant)
        if intended and not intended & sent.verdict.expectation.faults:
            raise ScenarioError(
                f"{test}: the request was meant to carry {sorted(f.value for f in intended)}, "
                f"the judge finds {sent.verdict.expectation.names or 'no fault'}"
            )
        return sent

    def transmit(
        self,
        body: Any = None,
        *,
        issue_id: str | None = None,
        method: str = "POST",
        raw: bytes | None = None,
        key: Any = _DEFAULT,
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
    ) -> Exchange:
        """Send one request and return the exchange, not judged yet (see `send`)."""
        issue = self.target.issue_id if issue_id is None else issue_id
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        header_list: list[tuple[str, str]] = [("Content-Type", "application/json")]
        if key is _DEFAULT:
            header_list.append((AUTH_HEADER, self.target.api_key))
        elif key is not None:
            header_list.append((AUTH_HEADER, str(key)))
        if isinstance(headers, Mapping):
            names = {n.lower() for n in headers}
            header_list = [(n, v) for n, v in header_list if n.lower() not in names]
            header_list += list(headers.items())
        elif headers is not None:
            header_list += list(headers)
        return self._send(method, self.url(issue), header_list, data)

    def transmit_at_once(self, bodies: list[Any]) -> list[Exchange]:
        """
        Send `bodies` to the test issue from one thread each, released together (a barrier),
        and paid for together under the pace, so they are in flight at the same time; return
        their exchanges in order, not judged yet.
        """
        barrier = threading.Barrier(len(bodies))
        exchanges: list[Exchange | None] = [None] * len(bodies)

        def send(index: int) -> None:
            barrier.wait()
            exchanges[index] = self.transmit(bodies[index])

        with self.bucket.together(len(bodies)):
            threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return [e for e in exchanges if e is not None]

    def conclude(
        self,
        test: str,
        phase: str,
        exchange: Exchange,
        *,
        previous: Any,
        mode: str | None = None,
        header_negative: bool = False,
        concurrent: bool = False,
    ) -> Sent:
        """
        Judge an exchange, write its record line and learn the issue's new state.
        ``concurrent``: sent at the same moment as another change (it may lose the race).
        """
        verdict = judge(
            exchange,
            self.policy,
            previous=previous,
            header_negative=header_negative,
            concurrent=concurrent,
        )
        return self.record(test, phase, exchange, verdict, mode=mode)

    def judge(self, exchange: Exchange, *, header_negative: bool = False) -> Verdict:
        """Judge an exchange against the session's policy and the issue's last known state."""
        return judge(exchange, self.policy, previous=self.current, header_negative=header_negative)

    def record(
        self, test: str, phase: str, exchange: Exchange, verdict: Verdict, *, mode: str | None
    ) -> Sent:
        """Write a judged exchange's record line and learn the issue's new state."""
        record_exchange(self.recorder, exchange, verdict, test=test, phase=phase, mode=mode)
        self.ledger.attribute(verdict.checked)
        self.learn(verdict)
        return Sent(exchange, verdict)

    def is_relaxed(self, rule_id: str) -> bool:
        """Whether the session reports `rule_id` without failing on it."""
        return is_relaxed(rule_id, self.policy.relaxed)

    def _send(
        self, method: str, url: str, headers: list[tuple[str, str]], data: bytes | None
    ) -> Exchange:
        import requests

        request = requests.Request(method, url, data=data)
        prepared = self.session.prepare_request(request)
        # Repeated headers (a duplicated DF-API-KEY) go out as separate lines.
        pairs = list(headers)
        if data is not None:
            pairs.append(("Content-Length", str(len(data))))
        prepared.headers = _multi_headers(pairs)
        started = time.perf_counter()
        sent_at = time.time()
        try:
            response = self.session.send(prepared, timeout=30)
        except requests.RequestException as error:
            return Exchange(
                method=method,
                url=url,
                request_headers=dict(headers),
                request_body=data,
                status=None,
                response_headers={},
                response_body=None,
                elapsed_ms=(time.perf_counter() - started) * 1000,
                error=self.redactor.text(f"{type(error).__name__}: {error}"),
            )
        return Exchange(
            method=method,
            url=url,
            request_headers=_joined(headers),
            request_body=data,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=response.content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            sent_at=sent_at,
            received_at=time.time(),
        )

    # -- verdicts -----------------------------------------------------------------------

    def require(self, sent: Sent, context: str = "") -> Sent:
        """Fail the test (naming every broken rule) if the exchange broke the contract."""
        if sent.verdict.violations:
            raise AssertionError(describe(sent.verdict, sent.exchange, self.redactor, context))
        return sent

    def behaviour(self, test: str, rule: str, held: bool, message: str) -> None:
        """Record a scenario-level rule outcome; fail unless it held or the rule is relaxed."""
        found = violation(rule, message)
        relaxed = self.policy.is_relaxed(rule)
        self.ledger.attribute([rule])
        if self.recorder.enabled:
            self.recorder.behaviour(
                test=test, rule=rule, held=held, message=message, tag=found.tag, relaxed=relaxed
            )
        if not held and not relaxed:
            raise AssertionError(
                self.redactor.text(f"the contract is broken: {rule} [{found.tag}]: {message}")
            )

    def unproven(self, test: str, rule: str, message: str) -> None:
        """Record a proof this target leaves no way to make; it is reported, never failed."""
        if self.recorder.enabled:
            self.recorder.unproven(test=test, rule=rule, message=message)

    # -- workspace isolation --------------------------------------------------------------

    def foreign_snapshot(self) -> Any:
        """The foreign issue as the built-in mock holds it (None for any other target)."""
        foreign = self.target.foreign_issue_id
        state = self.mock_state
        return None if state is None or not foreign else state.get_issue(foreign)

    def check_foreign_unchanged(self, test: str, before: Any) -> None:
        """
        On the built-in mock, look at the foreign issue itself: the request for it must not have
        changed it (elsewhere the suite cannot read it without touching it).
        """
        if before is None:
            return
        after = self.foreign_snapshot()
        self.behaviour(
            test,
            "behaviour.workspace-isolation",
            after == before,
            "a request for another workspace's issue does not change it"
            + ("" if after == before else ", but it changed"),
        )

    def check_same_as_unknown(self, test: str, foreign: Sent, unknown: Sent) -> None:
        """Another workspace's issue is answered exactly as an unknown well-formed one."""
        seen = _isolation_shape(foreign)
        baseline = _isolation_shape(unknown)
        self.behaviour(
            test,
            "behaviour.workspace-isolation",
            seen == baseline,
            "an issue of another workspace is answered exactly like an unknown one"
            + ("" if seen == baseline else f": {seen!r} vs {baseline!r}"),
        )

    def prove_unchanged(self, test: str, rule_id: str, before: Any, what: str) -> None:
        """
        After a rejected request, prove the test issue did not change (there is no read
        endpoint): a ``{}`` probe (or, if the target rejects ``{}``, the current status again)
        must show the issue as it was. The outcome is a ``behaviour`` line for `rule_id`.
        """
        if not isinstance(before, dict):
            return
        probe: dict[str, Any] = {} if self.empty_ok else {"issueStatus": before.get("issueStatus")}
        exchange = self.transmit(probe)
        answer = exchange.json_body()[1]
        after = answer.get("content") if isinstance(answer, dict) else None
        if exchange.status != 200 or not isinstance(after, dict):
            sent = self.conclude(test, "probe", exchange, previous=before)
            self.require(sent, "probe after a rejected request")
            return  # rate limited: nothing to compare
        changed = _changes(before, after, self.empty_ok)
        if not self.empty_ok and len(_records(after)) > len(_records(before)) and not changed:
            # The target rejects `{}` and appends a record for the same status again: no request
            # is free of side effects, so the new record may be the probe's own or the rejected
            # request's. Status and assignees are proven unchanged; the history is not.
            self.unproven(
                test,
                rule_id,
                f"{what} leaves the history unchanged: not provable against this target, which "
                "rejects {} and appends a record for the same status again",
            )
        # A change is the rejected request's doing, not the probe's: the probe is then judged
        # against what the suite last saw answered (if that request got a 200), else alone.
        previous = before if not changed else (None if self.current is before else self.current)
        sent = self.conclude(test, "probe", exchange, previous=previous)
        self.behaviour(
            test,
            rule_id,
            not changed,
            f"{what} changes nothing" + (f", but {', '.join(changed)} changed" if changed else ""),
        )
        self.require(sent, "probe after a rejected request")

    # -- the test issue's state ---------------------------------------------------------

    def learn_initial(self) -> None:
        """Learn the test issue's status and assignees before anything changes them."""
        sent = self.send("contract_tests::session", "setup", {}, previous=None)
        self._check_access(sent)
        if sent.status == 200 and isinstance(sent.content, dict):
            self.empty_ok = True
            self._set_initial(sent.content)
            return
        # The target rejects `{}`: a status update tells the status from the history it returns.
        before = int(time.time()) - 1
        sent = self.send("contract_tests::session", "setup", {"issueStatus": "Triage"})
        self._check_access(sent)
        content = sent.content
        if sent.status != 200 or not isinstance(content, dict):
            raise RuntimeError(
                "the suite cannot reach the test issue: "
                + self.redactor.text(f"HTTP {sent.status}, body {sent.body!r}"[:400])
            )
        records = status_records(content) or []
        status = "Triage"
        if (
            len(records) >= 2
            and isinstance(records[-1], dict)
            and records[-1].get("time", 0) >= before
        ):
            status = str(records[-2].get("status"))
        self._set_initial({**content, "issueStatus": status})

    def _check_access(self, sent: Sent) -> None:
        """
        Stop the session with one line (pytest's usage error, exit 4) when the first answer
        says the configuration is wrong: no connection, or the key or the issue refused. On the
        built-in mock (and its mutants) such an answer is the server's fault: tests report it.
        """
        if self.target.builtin_mock:
            return
        status = sent.status
        if status is None:
            _stop(f"target unreachable: {_network_reason(sent.exchange.error or '')}")
        body = sent.body
        code = body.get("errorCode") if isinstance(body, dict) else None
        answer = f"{status} {code}" if isinstance(code, str) and code else f"HTTP {status}"
        first = f"the target answered {answer} to the first update of TRUEWATCH_ISSUE_ID"
        if is_rate_limited(status or 0, body):
            _stop(f"{first} (its rate limit, after retries): set TRUEWATCH_RATE_LIMIT lower")
        if status in (401, 403):
            _stop(f"{first}: check TRUEWATCH_API_KEY")
        if status == 404:
            _stop(
                f"{first}: check TRUEWATCH_ISSUE_ID (an issue of the workspace of "
                "TRUEWATCH_API_KEY) and TRUEWATCH_BASE_URL"
            )

    def _set_initial(self, content: Mapping[str, Any]) -> None:
        assigner = content.get("assigner")
        self.initial = {
            "issueStatus": content.get("issueStatus"),
            "assigner": list(assigner) if isinstance(assigner, list) else [],
        }

    def restore(self) -> str | None:
        """Put the test issue's status and assignees back; return a problem, or None."""
        self.ledger.purpose = Ledger.RESTORE  # the budget's reserve pays for it
        if self.initial is None:
            return None
        if self.empty_ok:
            # A broken server may have changed the issue while answering an error: look first.
            self.send("contract_tests::session", "restore", {})
        current = self.current or {}
        if not self.initial["assigner"] and current.get("assigner"):
            return (
                "the test issue had no assignees and now has some; an empty list cannot be "
                "sent, so they must be removed by hand"
            )
        body: dict[str, Any] = {}
        if current.get("issueStatus") != self.initial["issueStatus"]:
            body["issueStatus"] = self.initial["issueStatus"]
        if self.initial["assigner"] and current.get("assigner") != self.initial["assigner"]:
            body["assigner"] = self.initial["assigner"]
        if not body and self.current is not None:
            return None
        for _attempt in range(3):
            sent = self.send(
                "contract_tests::session",
                "restore",
                body or {"issueStatus": self.initial["issueStatus"]},
            )
            content = sent.content
            if (
                sent.status == 200
                and isinstance(content, dict)
                and content.get("issueStatus") == self.initial["issueStatus"]
                and (
                    not self.initial["assigner"]
                    or content.get("assigner") == self.initial["assigner"]
                )
            ):
                return None
        return (
            f"could not restore the test issue to {self.initial!r}; last answer HTTP {sent.status}"
        )


def _stop(message: str) -> None:
    """End the session now with a one-line message and pytest's usage-error status (4)."""
    pytest.exit(f"truewatch contract suite: {message}", returncode=4)


def _network_reason(error: str) -> str:
    """The useful part of a requests connection error (``[Errno 111] Connection refused``)."""
    import re

    match = re.search(r"\[Errno -?\d+\][^'\")]*", error)
    return match.group(0).strip() if match else error.splitlines()[0][:300] if error else "?"


def _isolation_shape(sent: Sent) -> tuple[Any, ...]:
    """What must not tell a foreign issue from an unknown one (the ids themselves masked)."""
    body = sent.body if isinstance(sent.body, dict) else {}
    text = json.dumps(
        {k: body.get(k) for k in ("code", "errorCode", "message", "success", "content")},
        sort_keys=True,
    )
    issue_id = sent.exchange.issue_id
    return sent.status, re.sub(re.escape(issue_id), "<id>", text) if issue_id else text


def _changes(before: Mapping[str, Any], after: Mapping[str, Any], empty_ok: bool) -> list[str]:
    """The fields a probe shows changed since `before` (a same-status probe may add a record)."""
    old, new = _records(before), _records(after)
    grown = len(new) - len(old)
    return [
        name
        for name, ok in (
            ("issueStatus", after.get("issueStatus") == before.get("issueStatus")),
            ("assigner", after.get("assigner") == before.get("assigner")),
            ("statusChangeRecords", new[: len(old)] == old and grown <= (0 if empty_ok else 1)),
        )
        if not ok
    ]


def _records(content: Any) -> list[Any]:
    return status_records(content) or []


def _multi_headers(pairs: list[tuple[str, str]]) -> Any:
    """Headers that may repeat a name (a duplicated DF-API-KEY goes out as two lines)."""
    from urllib3._collections import HTTPHeaderDict  # also in urllib3 1.26

    headers = HTTPHeaderDict()
    for name, value in pairs:
        headers.add(name, value)
    return headers


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


@contextmanager
def open_session(
    config: SuiteConfig, *, ledger: Ledger | None = None, plan: Plan | None = None
) -> Iterator[Suite]:
    """
    The session's `Suite`: starts the built-in mock when no base URL is set, learns the test
    issue, and restores it at the end. A failed restore fails the session (``pytest.fail``).
    With a `ledger` (and the `plan` it pays for), the record's last line is the ``budget``:
    the plan, the requests spent, per purpose and per rule.
    """
    target = config
    server = None
    state = None
    if target.builtin_mock:
        from truewatch_contract.mock import MockState, create_app, serve

        state = MockState.default()
        server = serve(create_app(state, mutant=target.mock_mutant), log_level="error")
        target = target.with_connection(state.connection_info(server.base_url))
    redactor = Redactor(target.secrets)
    recorder = Recorder(target.record, redactor)
    recorder.run(
        target=target.label,
        mutant=target.mock_mutant,
        seed=target.seed,
        max_examples=target.max_examples,
        relaxed=target.relaxed,
    )
    instance = Suite(target, recorder, redactor, mock_state=state, ledger=ledger)
    problem = None
    try:
        instance.learn_initial()
        yield instance
    finally:
        try:
            problem = instance.restore()
        finally:
            _record_budget(recorder, instance.ledger, plan)
            recorder.close()
            instance.session.close()
            if server is not None:
                server.stop()
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def _record_budget(recorder: Recorder, ledger: Ledger, plan: Plan | None) -> None:
    """
    The record's ``budget`` line: what the plan bought and what the run spent. Rules of the
    request scope are judged on the bodies sent (the reports count those), not on answers.
    """
    from truewatch_contract.rules import RULES, scope_of

    line: dict[str, Any] = {"kind": "budget"}
    if plan is not None:
        line.update(plan.summary())
    line.update(ledger.summary(rule for rule in RULES if scope_of(rule) != "request"))
    recorder.write(line)
