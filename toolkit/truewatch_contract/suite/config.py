"""
The suite's one configuration object, `SuiteConfig`, parsed from the ``TRUEWATCH_*`` variables.

`SuiteConfig.from_env` is the one function that reads them: it validates every variable (each with
`suite.variables`) and raises `ConfigError` (a one-line message naming the variable) for a bad
value. It runs once per process, through `process_config`: the contract suite keeps that object
in pytest's ``config.stash`` for its fixtures, its test modules take their collection-time values
(seed, examples) from the same call, and the Schemathesis check under plain ``st run`` too.
Nothing reads the environment again.

Without ``TRUEWATCH_BASE_URL`` the target is the built-in mock: its connection details (key, issue,
assignees) come from the mock itself, via `SuiteConfig.with_connection`.
With ``TRUEWATCH_MOCK_PROFILE`` that mock is started from a target's profile and answers as that
target did; it is then judged as any target (`SuiteConfig.default_mock` is False).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from truewatch_contract.judge.facts import Facts
from truewatch_contract.rates import RateLimit
from truewatch_contract.rules.policy import Policy
from truewatch_contract.suite.budget import FULL_RUN, Budget, BudgetError
from truewatch_contract.suite.budget import from_environ as budget_from_environ
from truewatch_contract.suite.plan import Plan, plan_for
from truewatch_contract.suite.variables import (
    DEFAULT_SEED,
    STRICT,
    check_mutant,
    check_profile,
    check_record_path,
    check_url,
    is_random,
    opt,
    parse_assignees,
    parse_int,
    parse_rate,
    parse_relax,
    parse_seed,
)
from truewatch_contract.suite.variables import (
    ConfigError as ConfigError,  # the runner and the plugin take it from here
)

#: Fuzzing examples per generation mode. With the coverage phase and the scenarios, the default
#: run against the built-in mock sends well over 1,000 judged requests.
DEFAULT_MAX_EXAMPLES = 400
MAX_MAX_EXAMPLES = 1_000_000
#: Pairs of simultaneous status changes the lost-update probe sends (``0`` switches it off).
DEFAULT_CONCURRENCY = 2
#: The pairs a run planned to a request budget sends by default.
BUDGETED_CONCURRENCY = 1
MAX_CONCURRENCY = 1000

ENV_NAMES = (
    "TRUEWATCH_BASE_URL",
    "TRUEWATCH_API_KEY",
    "TRUEWATCH_ISSUE_ID",
    "TRUEWATCH_ASSIGNEES",
    "TRUEWATCH_FOREIGN_API_KEY",
    "TRUEWATCH_FOREIGN_ISSUE_ID",
    "TRUEWATCH_RATE_LIMIT",
    "TRUEWATCH_MAX_EXAMPLES",
    "TRUEWATCH_RELAX",
    "TRUEWATCH_SEED",
    "TRUEWATCH_MOCK_MUTANT",
    "TRUEWATCH_MOCK_PROFILE",
    "TRUEWATCH_RECORD",
    "TRUEWATCH_CONCURRENCY",
    "TRUEWATCH_BUDGET",
    "TRUEWATCH_TIME_BUDGET",
)


@functools.cache
def process_config() -> SuiteConfig:
    """
    This process's configuration: ``os.environ`` parsed by `SuiteConfig.from_env` on the first
    call, the same object on every later one (a `ConfigError` is raised again, never cached).
    """
    return SuiteConfig.from_env(os.environ)


def _secret_repr(value: str | None) -> str:
    return "None" if value is None else "'[redacted]'"


@dataclasses.dataclass(frozen=True)
class SuiteConfig:
    """
    Everything the suite needs to know: the server under test, its pace and the run's settings.

    ``base_url is None`` before the built-in mock is started; `with_connection` fills in the
    mock's address and credentials. ``relax`` holds what ``TRUEWATCH_RELAX`` names;
    `relaxed` adds the ``assumed`` tag for any target but the built-in mock.
    """

    base_url: str | None = None
    api_key: str = dataclasses.field(default="", repr=False)
    issue_id: str = ""
    assignees: tuple[str, ...] = ()
    foreign_api_key: str | None = dataclasses.field(default=None, repr=False)
    foreign_issue_id: str | None = None
    rate_limit: RateLimit | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    relax: frozenset[str] = frozenset()
    seed: int = DEFAULT_SEED
    seed_drawn: bool = False  # TRUEWATCH_SEED=random drew `seed` for this run
    mock_mutant: str | None = None
    # The built-in mock started from a target's profile (TRUEWATCH_MOCK_PROFILE): judged as any
    # other target (see `default_mock`).
    mock_profile: Path | None = None
    record: Path | None = None
    builtin_mock: bool = True
    concurrency: int = DEFAULT_CONCURRENCY
    # The request budget (`truewatch_contract.suite.budget`): the full run unless one is set.
    budget: Budget = FULL_RUN

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SuiteConfig:
        """
        Read the ``TRUEWATCH_*`` variables (``os.environ`` by default).

        Raises:
            ConfigError: a variable has a bad value, or a remote target lacks a key or an issue.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            if value is None or not value.strip():
                return None
            return value.strip()

        base_url = get("TRUEWATCH_BASE_URL")
        builtin = base_url is None
        if base_url is not None:
            base_url = check_url(base_url)
        api_key = get("TRUEWATCH_API_KEY") or ""
        issue_id = get("TRUEWATCH_ISSUE_ID") or ""
        if not builtin and not api_key:
            raise ConfigError("TRUEWATCH_API_KEY is required when TRUEWATCH_BASE_URL is set")
        if not builtin and not issue_id:
            raise ConfigError(
                "TRUEWATCH_ISSUE_ID (the one issue the suite may modify) is required "
                "when TRUEWATCH_BASE_URL is set"
            )
        if "/" in issue_id or "?" in issue_id or "#" in issue_id:
            raise ConfigError(f"TRUEWATCH_ISSUE_ID: {issue_id!r} cannot be a path segment")
        foreign_key = get("TRUEWATCH_FOREIGN_API_KEY")
        foreign_issue = get("TRUEWATCH_FOREIGN_ISSUE_ID")
        if foreign_key is not None and foreign_key == api_key:
            raise ConfigError(
                "TRUEWATCH_FOREIGN_API_KEY must be the key of another workspace, "
                "not TRUEWATCH_API_KEY again"
            )
        if foreign_issue is not None and foreign_issue == issue_id:
            raise ConfigError("TRUEWATCH_FOREIGN_ISSUE_ID must differ from TRUEWATCH_ISSUE_ID")
        mock_profile = get("TRUEWATCH_MOCK_PROFILE")
        if mock_profile is not None and not builtin:
            raise ConfigError(
                "TRUEWATCH_MOCK_PROFILE starts the built-in mock from a profile: it cannot be "
                "used with TRUEWATCH_BASE_URL"
            )
        rate = get("TRUEWATCH_RATE_LIMIT")
        record = get("TRUEWATCH_RECORD")
        rate_limit = parse_rate(rate)
        try:
            budget = budget_from_environ(env, rate_limit, builtin_mock=builtin)
        except BudgetError as error:
            raise ConfigError(str(error)) from None
        return cls(
            base_url=base_url,
            api_key=api_key,
            issue_id=issue_id,
            assignees=parse_assignees(get("TRUEWATCH_ASSIGNEES")),
            foreign_api_key=foreign_key,
            foreign_issue_id=foreign_issue,
            rate_limit=rate_limit,
            max_examples=parse_int(
                "TRUEWATCH_MAX_EXAMPLES",
                get("TRUEWATCH_MAX_EXAMPLES"),
                DEFAULT_MAX_EXAMPLES,
                low=1,
                high=MAX_MAX_EXAMPLES,
            ),
            relax=parse_relax(get("TRUEWATCH_RELAX")),
            seed=parse_seed(get("TRUEWATCH_SEED")),
            seed_drawn=is_random(get("TRUEWATCH_SEED")),
            mock_mutant=check_mutant(get("TRUEWATCH_MOCK_MUTANT")),
            mock_profile=check_profile(mock_profile) if mock_profile is not None else None,
            record=check_record_path(record) if record is not None else None,
            builtin_mock=builtin,
            concurrency=parse_int(
                "TRUEWATCH_CONCURRENCY",
                get("TRUEWATCH_CONCURRENCY"),
                # A run planned to a budget sends one pair unless told otherwise: the pair is
                # what shows a lost update, the second one costs three more requests.
                DEFAULT_CONCURRENCY if budget.full else BUDGETED_CONCURRENCY,
                low=0,
                high=MAX_CONCURRENCY,
            ),
            budget=budget,
        )

    def with_connection(self, info: Mapping[str, Any]) -> SuiteConfig:
        """
        Fill in the built-in mock's connection details (`MockState.connection_info`).

        Values the environment set explicitly win over the mock's own for the optional ones.
        """
        assignees = tuple(str(a) for a in info.get("assignees") or ())
        return dataclasses.replace(
            self,
            base_url=str(info["base_url"]).rstrip("/"),
            api_key=str(info["api_key"]),
            issue_id=str(info["issue_id"]),
            assignees=self.assignees or assignees,
            foreign_api_key=opt(info.get("foreign_api_key")),
            foreign_issue_id=opt(info.get("foreign_issue_id")),
        )

    def plan(self) -> Plan:
        """
        The request budget's plan for this target: the one place that says what the target
        offers (its assignees, another workspace's key and issue; for the built-in mock, its own).

        Raises:
            BudgetError: the budget is below the plan's mandatory part (the message names the
                smallest budget that works).
        """
        target = collection_config(self)
        return plan_for(
            self.budget,
            assignees=len(target.assignees),
            foreign=bool(target.foreign_api_key and target.foreign_issue_id),
            pairs=self.concurrency,
        )

    @property
    def default_mock(self) -> bool:
        """
        Whether the target is the built-in mock as it is: not started from a profile. Only that
        target has its ``assumed`` rules enforced by default and names the test issue by its
        ``isset_`` form for sure; a profiled mock answers as another target did, and is judged
        as any target is.
        """
        return self.builtin_mock and self.mock_profile is None

    @property
    def label(self) -> str:
        """
        ``mock`` for the built-in mock (``mock (profile FILE)`` when profiled), else the base URL
        (the record's ``target``).
        """
        if not self.builtin_mock:
            return str(self.base_url)
        return "mock" if self.mock_profile is None else f"mock (profile {self.mock_profile})"

    @property
    def relaxed(self) -> frozenset[str]:
        """
        Rule ids and tags not to fail on: ``TRUEWATCH_RELAX``, plus ``assumed`` for any target
        but the default mock, a profiled mock included (unless ``TRUEWATCH_RELAX=none``: then
        nothing at all).
        """
        return self.relax - {STRICT} if self.default_mock else self.relaxed_remote

    @property
    def relaxed_remote(self) -> frozenset[str]:
        """`relaxed` for a server other than the built-in mock (``st run`` always tests one)."""
        if STRICT in self.relax:
            return frozenset()
        return self.relax | {"assumed"}

    @property
    def policy(self) -> Policy:
        """What the run reports without failing on (`relaxed`): the judge's and the reports'."""
        return Policy(self.relaxed)

    @property
    def remote_policy(self) -> Policy:
        """`policy` for a server other than the built-in mock (``st run`` always tests one)."""
        return Policy(self.relaxed_remote)

    def facts(self, aliases: Iterable[str] = ()) -> Facts:
        """
        What the suite knows of the target: its key, the test issue (and `aliases`, its other
        ids), and another workspace's key and issue. Without a test issue, no issue is known.
        """
        return Facts(
            api_key=self.api_key or None,
            issue_ids=frozenset({self.issue_id, *aliases} - {""}),
            foreign_api_key=self.foreign_api_key,
            foreign_issue_id=self.foreign_issue_id,
            builtin_mock=self.default_mock,
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in any output."""
        return tuple(k for k in (self.api_key, self.foreign_api_key) if k)

    def __repr__(self) -> str:
        return (
            f"SuiteConfig(base_url={self.base_url!r}, "
            f"api_key={_secret_repr(self.api_key or None)}, "
            f"issue_id={self.issue_id!r}, assignees={self.assignees!r}, "
            f"foreign_api_key={_secret_repr(self.foreign_api_key)}, "
            f"foreign_issue_id={self.foreign_issue_id!r}, rate_limit={self.rate_limit!r}, "
            f"max_examples={self.max_examples}, relax={sorted(self.relax)!r}, seed={self.seed}, "
            f"mock_mutant={self.mock_mutant!r}, mock_profile={self.mock_profile!r}, "
            f"record={self.record!r}, "
            f"builtin_mock={self.builtin_mock}, concurrency={self.concurrency})"
        )

    __str__ = __repr__


def collection_config(config: SuiteConfig) -> SuiteConfig:
    """
    The target as far as it is known before the session starts: for the built-in mock, its
    default state's key, issue and assignees (the session serves that same state).
    """
    if not config.builtin_mock:
        return config
    from truewatch_contract.mock.connection import default_connection

    return config.with_connection(default_connection())
