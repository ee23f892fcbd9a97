"""
The contract suite's session: the `Suite` every test sends through, and `open_session`.

`open_session` starts it from the process's `SuiteConfig` (kept in pytest's ``config.stash``
under `CONFIG_KEY`); ``contract_tests/conftest.py`` only exposes it as the ``suite`` fixture. A
request goes out through the transport (`truewatch_contract.suite.transport`), and its exchange
comes back to `Suite.conclude`: one call to the library's judge, one line of the record, and what
the answer teaches about the test issue. The test issue's lifecycle (learnt first, put back last)
is `truewatch_contract.suite.lifecycle`; the "nothing changed" proofs are
`truewatch_contract.suite.proofs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from truewatch_contract.judge import Claim, Exchange, Fault, judge
from truewatch_contract.record import Recorder
from truewatch_contract.record.lines import StopLine
from truewatch_contract.redaction import Redactor
from truewatch_contract.rules import violation
from truewatch_contract.suite import proofs
from truewatch_contract.suite.config import SuiteConfig
from truewatch_contract.suite.ledger import Ledger
from truewatch_contract.suite.lifecycle import Stopped, TestIssue
from truewatch_contract.suite.pacing import TokenBucket
from truewatch_contract.suite.plan import Plan
from truewatch_contract.suite.sent import Sent
from truewatch_contract.suite.transport import DEFAULT, Transport

__all__ = ["CONFIG_KEY", "FUZZ_PROBES", "ScenarioError", "Sent", "Suite", "open_session"]

#: Where the contract suite keeps the process's `SuiteConfig` (pytest's ``config.stash``).
CONFIG_KEY = pytest.StashKey[SuiteConfig]()
#: Rejected bodies with a valid half that the fuzzing follows with a probe (bounded: a probe
#: is one more request, and a rate-limited target pays for each).
FUZZ_PROBES = 8


class ScenarioError(AssertionError):
    """A scenario sent a request whose faults are not the ones it meant to send."""


class Suite:
    """
    The session's connection to the target; every request a test sends goes through it.

    It sends (paced and counted), judges each answer once (`conclude`), writes the record, and
    keeps the test issue's last known content (``current``) for the history rules. All of its
    state lives and dies with the session.
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
        # Every request the target receives is counted here (and refused past the budget).
        self.ledger = ledger if ledger is not None else Ledger(None)
        self.transport = Transport(
            str(target.base_url),
            target.api_key,
            TokenBucket(target.rate_limit),
            self.ledger,
            redactor,
        )
        #: The paced session, for Schemathesis' ``case.call`` (the same adapter counts it).
        self.session = self.transport.session
        self.policy = target.policy
        self.facts = target.facts()
        self.issue = TestIssue()
        self.current: dict[str, Any] | None = None
        # The built-in mock's live state: lets the isolation tests look at the foreign issue,
        # which no request of the suite may change (None for any other target).
        self.mock_state = mock_state
        # Rejected fuzzing bodies with a valid half still to follow with a probe.
        self.probes_left = FUZZ_PROBES

    # -- what the suite may do ----------------------------------------------------------------

    @property
    def empty_ok(self) -> bool:
        """Whether the target answers ``{}`` with 200 (learnt at the start)."""
        return self.issue.empty_ok

    @property
    def may_assign(self) -> bool:
        """
        Whether accepted updates may set ``assigner``: always on the built-in mock; on another
        target only with known assignees and an issue that had assignees (``[]`` is no valid
        body, so an empty list could never be put back).
        """
        if self.target.builtin_mock:
            return bool(self.target.assignees)
        initial = self.issue.initial
        return bool(self.target.assignees) and bool(initial and initial["assigner"])

    # -- sending and judging ------------------------------------------------------------------

    def send(
        self,
        test: str,
        phase: str,
        body: Any = None,
        *,
        issue_id: str | None = None,
        method: str = "POST",
        raw: bytes | None = None,
        key: Any = DEFAULT,
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
        meant: Iterable[Fault] = (),
        previous: Any = DEFAULT,
        route: str | None = None,
    ) -> Sent:
        """
        Send one request (JSON `body`, or `raw` bytes) and judge it; no verdict is raised here.

        ``key``: the target's key by default, ``None`` for no header, or a string to send.
        ``route``: another path than the update route (see `Transport.send`).
        ``meant``: the faults the scenario means to send; the judge must find at least one of
        them in the request (`ScenarioError` otherwise: the scenario, not the server, is wrong).
        """
        exchange = self.transmit(
            body, issue_id=issue_id, method=method, raw=raw, key=key, headers=headers, route=route
        )
        sent = self.conclude(
            test, phase, exchange, previous=self.current if previous is DEFAULT else previous
        )
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
        key: Any = DEFAULT,
        headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
        route: str | None = None,
    ) -> Exchange:
        """Send one request and return the exchange, not judged yet (see `send`)."""
        issue = self.target.issue_id if issue_id is None else issue_id
        return self.transport.send(
            issue, body, method=method, raw=raw, key=key, headers=headers, route=route
        )

    def transmit_at_once(self, bodies: list[Any]) -> list[Exchange]:
        """Send `bodies` to the test issue at the same moment (see `Transport.send_at_once`)."""
        return self.transport.send_at_once(self.target.issue_id, bodies)

    def conclude(
        self,
        test: str,
        phase: str,
        exchange: Exchange,
        *,
        previous: Any,
        mode: str | None = None,
        concurrent: bool = False,
        claims: Iterable[Claim] = (),
        bad_key: str | None = None,
    ) -> Sent:
        """
        Judge an exchange (the library's `judge`, once), write its record line and learn the
        issue's new state. ``concurrent``: sent at the same moment as another change (it may
        lose the race); ``claims``: Schemathesis' findings about it; ``bad_key``: a key the
        caller knows to be invalid.
        """
        verdict = judge(
            exchange,
            self.facts.with_bad_key(bad_key),
            policy=self.policy,
            previous=previous,
            concurrent=concurrent,
            claims=claims,
        )
        self.recorder.exchange(exchange, verdict, test=test, phase=phase, mode=mode)
        self.ledger.attribute(verdict.checked)
        if verdict.expectation.known_issue and verdict.content is not None:
            self._learn(verdict.content)
        return Sent(exchange, verdict)

    def _learn(self, content: dict[str, Any]) -> None:
        """Take the test issue's new content from a success (and its other ids)."""
        self.current = content
        ids = {str(content[k]) for k in ("issueID", "uuid") if isinstance(content.get(k), str)}
        self.facts = self.facts.with_issue_ids(ids)

    def require(self, sent: Sent, context: str = "") -> Sent:
        """Fail the test (naming every broken rule) if the exchange broke the contract."""
        if sent.verdict.violations:
            raise AssertionError(sent.verdict.describe(sent.exchange, self.redactor, context))
        return sent

    def behaviour(self, test: str, rule: str, held: bool, message: str) -> None:
        """Record a scenario-level rule outcome; fail unless it held or the rule is relaxed."""
        found = violation(rule, message)
        relaxed = self.policy.relaxes(rule)
        self.ledger.attribute([rule])
        self.recorder.behaviour(
            test=test, rule=rule, held=held, message=message, tag=found.tag, relaxed=relaxed
        )
        if not held and not relaxed:
            raise AssertionError(
                self.redactor.text(f"the contract is broken: {rule} [{found.tag}]: {message}")
            )

    def unproven(self, test: str, rule: str, message: str) -> None:
        """Record a proof this target leaves no way to make; it is reported, never failed."""
        self.recorder.unproven(test=test, rule=rule, message=message)

    # -- the proofs (truewatch_contract.suite.proofs) -----------------------------------------

    def prove_unchanged(
        self, test: str, rule_id: str | Sequence[str], before: Any, what: str
    ) -> None:
        """After a rejected request (or a batch of them), prove the test issue did not change."""
        proofs.prove_unchanged(self, test, rule_id, before, what)

    def foreign_snapshot(self) -> Any:
        """The foreign issue as the built-in mock holds it (None for any other target)."""
        return proofs.foreign_snapshot(self)

    def check_foreign_unchanged(self, test: str, before: Any) -> None:
        """On the built-in mock, the request for the foreign issue did not change it."""
        proofs.check_foreign_unchanged(self, test, before)

    def check_same_as_unknown(self, test: str, foreign: Sent, unknown: Sent) -> None:
        """Another workspace's issue is answered exactly as an unknown well-formed one."""
        proofs.check_same_as_unknown(self, test, foreign, unknown)

    def close(self) -> None:
        self.transport.close()


@contextmanager
def open_session(
    config: SuiteConfig, *, ledger: Ledger | None = None, plan: Plan | None = None
) -> Iterator[Suite]:
    """
    The session's `Suite`: starts the built-in mock when no base URL is set, learns the test
    issue, and restores it at the end. A failed restore fails the session (``pytest.fail``); a
    first answer that says the configuration is wrong ends it with one line (pytest's usage
    error, 4), recorded as a ``stop`` line. With a `ledger` (and the `plan` it pays for), the
    record's last line is the ``budget``: the plan, the requests spent, per purpose and rule.
    """
    target = config
    server = None
    state = None
    if target.builtin_mock:
        from truewatch_contract.mock import MockState, create_app, serve

        state = MockState.default()
        app = create_app(state, mutant=target.mock_mutant, profile=target.mock_profile)
        server = serve(app, log_level="error")
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
        try:
            instance.issue.learn(instance)
        except Stopped as stop:
            message = f"truewatch contract suite: {stop}"
            recorder.write(StopLine(message=message))
            pytest.exit(message, returncode=4)
        yield instance
    finally:
        try:
            problem = instance.issue.restore(instance)
        finally:
            _record_budget(recorder, instance.ledger, plan)
            recorder.close()
            instance.close()
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

    line: dict[str, Any] = {}
    if plan is not None:
        line.update(plan.summary())
    line.update(ledger.summary(rule for rule in RULES if scope_of(rule) != "request"))
    recorder.budget(line)
