"""
`Watcher`: the judge for traffic nobody planned (request hooks, a validating proxy).

The contract suite knows its key and its test issue; a hook or a proxy sees the requests an
application sends, with keys and ids nobody named. A `Watcher` judges each exchange with what it
knows (`Facts`): nothing at first, so an answer that some possible fault of an unknown key or
issue explains is accepted, and it learns from what it sees:

- an issue answered 200 to a key exists for that key, and so do its other ids (``issueID`` and
  ``uuid``); the key is real;
- the issue's last successful answer is its previous state, so the history rules (append-only
  records, one record per status change, the partial update) apply across the exchanges it sees.

Told the real key and the test issue (``api_key=``, ``issue_id=``), it judges as strictly as the
suite: any other key is a bad one (or, on a known issue, perhaps another workspace's: nobody named
those), any other well-formed id an unknown issue. The ``assumed`` rules are relaxed by default,
as against any target but the built-in mock.

Two changes of one issue in flight at once (``concurrent=True``) are judged as a race, each
without a previous state; neither answer is then taken as the issue's latest state (either may
already show the other's record, or not), so the next exchange is judged without one and the
history rules resume from its answer.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from typing import Any

from truewatch_contract.judge.exchange import Exchange
from truewatch_contract.judge.facts import Facts
from truewatch_contract.judge.faults import MAY_APPLY
from truewatch_contract.judge.verdict import Claim, Verdict, judge
from truewatch_contract.redaction import AUTH_HEADER
from truewatch_contract.rules.policy import Policy
from truewatch_contract.schema_engine import Engine


@dataclasses.dataclass
class _Workspace:
    """What one key has shown: the issues it reached, and each issue's last known content."""

    issues: set[str] = dataclasses.field(default_factory=set)
    latest: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)


class Watcher:
    """
    Judges a stream of exchanges one at a time, learning the target's keys and issues and each
    issue's last state as it goes. Thread-safe.

    Arguments:
        api_key: the target's key, when known (then any other key is a bad one).
        issue_id: an issue of that key's workspace, when known (then any other well-formed id
            is an unknown issue).
        policy: the rules reported but not failed on (``assumed`` by default).
        builtin_mock: the target is the built-in mock (its ``isset_`` id form is an issue's).
        engine: the schema engine (see `truewatch_contract.validate`).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        issue_id: str | None = None,
        policy: Policy | None = None,
        builtin_mock: bool = False,
        engine: Engine | None = None,
    ) -> None:
        self.api_key = api_key or None
        self.issue_id = issue_id or None
        self.policy = policy if policy is not None else Policy()
        self.builtin_mock = builtin_mock
        self.engine = engine
        self._lock = threading.Lock()
        self._workspaces: dict[str, _Workspace] = {}
        self._aliases: set[str] = {self.issue_id} if self.issue_id else set()

    def facts_for(self, key: str | None) -> Facts:
        """What is known of the target for a request sent with `key`."""
        with self._lock:
            if self.api_key is not None:
                seen = self._workspaces.get(self.api_key)
                ids = set(self._aliases) | (seen.issues if seen else set())
                return Facts(
                    api_key=self.api_key,
                    issue_ids=frozenset(ids),
                    issues_known=self.issue_id is not None,
                    builtin_mock=self.builtin_mock,
                    other_workspaces=True,
                )
            seen = self._workspaces.get(key or "")
            if seen is None:
                return Facts(builtin_mock=self.builtin_mock)
            return Facts(
                api_key=key,
                issue_ids=frozenset(seen.issues),
                issues_known=False,
                builtin_mock=self.builtin_mock,
            )

    def previous_for(self, key: str | None, issue_id: str | None) -> dict[str, Any] | None:
        """The last successful content seen for `issue_id` (any of its ids) with `key`."""
        if issue_id is None:
            return None
        with self._lock:
            seen = self._workspaces.get(self._owner(key))
            return seen.latest.get(issue_id) if seen is not None else None

    def judge(
        self,
        exchange: Exchange,
        *,
        concurrent: bool = False,
        claims: Iterable[Claim] = (),
    ) -> Verdict:
        """
        Judge one exchange and learn from it. ``concurrent``: another change of the same issue
        was in flight at the same time (it may lose the race; it is judged without a previous
        state, since either may already show the other's record).
        """
        key = exchange.header(AUTH_HEADER)
        previous = None if concurrent else self.previous_for(key, exchange.issue_id)
        verdict = judge(
            exchange,
            self.facts_for(key),
            policy=self.policy,
            previous=previous,
            concurrent=concurrent,
            claims=claims,
            engine=self.engine,
        )
        self.learn(exchange, verdict, latest=not concurrent)
        return verdict

    def learn(self, exchange: Exchange, verdict: Verdict, *, latest: bool = True) -> None:
        """
        Take what a judged exchange shows: a success without a certain fault (or with one after
        which the update took place: another media type, a body above 1 MiB) proves its key is
        real and its issue exists for that key, and is the issue's latest state. ``latest=False``
        (an answer of a race): the issue's state is unknown until its next answer.
        """
        content = verdict.content
        issue_id = exchange.issue_id
        if issue_id is None:
            return
        key = exchange.header(AUTH_HEADER)
        if content is None:
            if not latest:
                self._forget(key, issue_id)
            return
        if not verdict.expectation.faults <= MAY_APPLY:
            # A request that had to be refused, answered with the issue anyway: nothing is learnt
            # of its key or issue, but an issue already known now stands as the answer shows it.
            with self._lock:
                seen = self._workspaces.get(self._owner(key))
                if seen is not None and issue_id in seen.issues:
                    for each in {issue_id} | _other_ids(seen.latest.get(issue_id)):
                        if latest:
                            seen.latest[each] = content
                        else:
                            seen.latest.pop(each, None)
            return
        ids = {issue_id}
        ids.update(str(content[k]) for k in ("issueID", "uuid") if isinstance(content.get(k), str))
        with self._lock:
            owner = self._owner(key)
            seen = self._workspaces.setdefault(owner, _Workspace())
            seen.issues |= ids
            for each in ids | _other_ids(seen.latest.get(issue_id)):
                if latest:
                    seen.latest[each] = content
                else:
                    seen.latest.pop(each, None)
            if self.issue_id is not None and self.issue_id in ids:
                self._aliases |= ids

    def _forget(self, key: str | None, issue_id: str) -> None:
        """The issue's latest state is no longer known (a race may have changed it)."""
        with self._lock:
            seen = self._workspaces.get(self._owner(key))
            if seen is not None:
                for each in {issue_id} | _other_ids(seen.latest.get(issue_id)):
                    seen.latest.pop(each, None)

    def _owner(self, key: str | None) -> str:
        """Whose workspace a key's requests reach: the told key's, or the key's own."""
        return self.api_key if self.api_key is not None and key == self.api_key else key or ""


def _other_ids(content: dict[str, Any] | None) -> set[str]:
    """The ids an issue's content gives it (``issueID`` and ``uuid``)."""
    if content is None:
        return set()
    return {str(content[k]) for k in ("issueID", "uuid") if isinstance(content.get(k), str)}
