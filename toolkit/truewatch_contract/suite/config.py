"""
The contract suite's target: which server it tests and how, read from ``TRUEWATCH_*`` variables.

``Target.from_env()`` validates every variable and raises `TargetError` (a one-line message) for a
bad value. Without ``TRUEWATCH_BASE_URL`` the target is the built-in mock: its connection details
(key, issue, assignees) come from the mock itself, via `Target.with_connection`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: The seed every run uses unless ``TRUEWATCH_SEED`` says otherwise: a run is repeatable.
DEFAULT_SEED = 20261127
#: Fuzzing examples per generation mode. With the coverage phase and the scenarios, the default
#: run against the built-in mock sends well over 1,000 judged requests.
DEFAULT_MAX_EXAMPLES = 400
MAX_MAX_EXAMPLES = 1_000_000
TAGS = ("documented", "observed", "assumed")
#: ``TRUEWATCH_RELAX=none``: relax nothing, not even the ``assumed`` rules off the mock.
STRICT = "none"
ACCOUNT_ID = re.compile(r"^acnt_[0-9a-f]{32}$")
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour)\s*$", re.IGNORECASE)
_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0}
_UNITS.update({"h": 3600.0, "hour": 3600.0})

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
    "TRUEWATCH_RECORD",
)


class TargetError(ValueError):
    """A ``TRUEWATCH_*`` variable has a bad value; the message is one line naming it."""


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """At most `requests` requests every `period` seconds (``20/m``: 20 every 60 s)."""

    requests: int
    period: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse ``N/s``, ``N/m``, ``N/h`` (also ``N/10s``, ``N/minute``)."""
        match = _RATE.match(text)
        if match is None:
            raise TargetError(
                f"TRUEWATCH_RATE_LIMIT: {text!r} is not a rate such as 20/m, 5/s or 100/h"
            )
        count, multiple, unit = int(match[1]), match[2], match[3].lower()
        if count <= 0:
            raise TargetError(f"TRUEWATCH_RATE_LIMIT: {text!r} allows no request at all")
        period = _UNITS[unit] * (int(multiple) if multiple else 1)
        if period <= 0:
            raise TargetError(f"TRUEWATCH_RATE_LIMIT: {text!r} has an empty period")
        return cls(count, period)

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate."""
        return self.period / self.requests

    def __str__(self) -> str:
        return f"{self.requests}/{self.period:g}s"


def _secret_repr(value: str | None) -> str:
    return "None" if value is None else "'[redacted]'"


@dataclasses.dataclass(frozen=True)
class Target:
    """
    Everything the suite needs to know about the server under test.

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
    mock_mutant: str | None = None
    record: Path | None = None
    builtin_mock: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Target:
        """
        Read the ``TRUEWATCH_*`` variables (``os.environ`` by default).

        Raises:
            TargetError: a variable has a bad value, or a remote target lacks a key or an issue.
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
            base_url = _check_url(base_url)
        api_key = get("TRUEWATCH_API_KEY") or ""
        issue_id = get("TRUEWATCH_ISSUE_ID") or ""
        if not builtin and not api_key:
            raise TargetError("TRUEWATCH_API_KEY is required when TRUEWATCH_BASE_URL is set")
        if not builtin and not issue_id:
            raise TargetError(
                "TRUEWATCH_ISSUE_ID (the one issue the suite may modify) is required "
                "when TRUEWATCH_BASE_URL is set"
            )
        if "/" in issue_id or "?" in issue_id or "#" in issue_id:
            raise TargetError(f"TRUEWATCH_ISSUE_ID: {issue_id!r} cannot be a path segment")
        foreign_key = get("TRUEWATCH_FOREIGN_API_KEY")
        foreign_issue = get("TRUEWATCH_FOREIGN_ISSUE_ID")
        if foreign_key is not None and foreign_key == api_key:
            raise TargetError(
                "TRUEWATCH_FOREIGN_API_KEY must be the key of another workspace, "
                "not TRUEWATCH_API_KEY again"
            )
        if foreign_issue is not None and foreign_issue == issue_id:
            raise TargetError("TRUEWATCH_FOREIGN_ISSUE_ID must differ from TRUEWATCH_ISSUE_ID")
        rate = get("TRUEWATCH_RATE_LIMIT")
        record = get("TRUEWATCH_RECORD")
        return cls(
            base_url=base_url,
            api_key=api_key,
            issue_id=issue_id,
            assignees=_parse_assignees(get("TRUEWATCH_ASSIGNEES")),
            foreign_api_key=foreign_key,
            foreign_issue_id=foreign_issue,
            rate_limit=RateLimit.parse(rate) if rate is not None else None,
            max_examples=_parse_int(
                "TRUEWATCH_MAX_EXAMPLES",
                get("TRUEWATCH_MAX_EXAMPLES"),
                DEFAULT_MAX_EXAMPLES,
                low=1,
                high=MAX_MAX_EXAMPLES,
            ),
            relax=parse_relax(get("TRUEWATCH_RELAX")),
            seed=_parse_int("TRUEWATCH_SEED", get("TRUEWATCH_SEED"), DEFAULT_SEED, low=0),
            mock_mutant=_check_mutant(get("TRUEWATCH_MOCK_MUTANT")),
            record=check_record_path(record) if record is not None else None,
            builtin_mock=builtin,
        )

    def with_connection(self, info: Mapping[str, Any]) -> Target:
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
            foreign_api_key=_opt(info.get("foreign_api_key")),
            foreign_issue_id=_opt(info.get("foreign_issue_id")),
        )

    @property
    def resolved(self) -> bool:
        """Whether the target has an address (a remote one, or a started mock)."""
        return self.base_url is not None

    @property
    def label(self) -> str:
        """``mock`` for the built-in mock, else the base URL (the record's ``target``)."""
        return "mock" if self.builtin_mock else str(self.base_url)

    @property
    def relaxed(self) -> frozenset[str]:
        """
        Rule ids and tags not to fail on: ``TRUEWATCH_RELAX``, plus ``assumed`` off the mock
        (unless ``TRUEWATCH_RELAX=none``: then nothing at all).
        """
        if STRICT in self.relax:
            return frozenset()
        return self.relax if self.builtin_mock else self.relax | {"assumed"}

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in any output."""
        return tuple(k for k in (self.api_key, self.foreign_api_key) if k)

    def is_relaxed(self, rule: str, tag: str) -> bool:
        """Whether a violation of `rule` (tagged `tag`) is reported but does not fail."""
        relaxed = self.relaxed
        return rule in relaxed or tag in relaxed

    def __repr__(self) -> str:
        return (
            f"Target(base_url={self.base_url!r}, api_key={_secret_repr(self.api_key or None)}, "
            f"issue_id={self.issue_id!r}, assignees={self.assignees!r}, "
            f"foreign_api_key={_secret_repr(self.foreign_api_key)}, "
            f"foreign_issue_id={self.foreign_issue_id!r}, rate_limit={self.rate_limit!r}, "
            f"max_examples={self.max_examples}, relax={sorted(self.relax)!r}, seed={self.seed}, "
            f"mock_mutant={self.mock_mutant!r}, record={self.record!r}, "
            f"builtin_mock={self.builtin_mock})"
        )

    __str__ = __repr__


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TargetError(
            f"TRUEWATCH_BASE_URL: {text!r} is not an http(s) URL such as "
            "https://us1-openapi.truewatch.com"
        )
    if parts.query or parts.fragment:
        raise TargetError(f"TRUEWATCH_BASE_URL: {text!r} must not carry a query or a fragment")
    return text.rstrip("/")


def check_record_path(text: str) -> Path:
    """``TRUEWATCH_RECORD``: a file to append to, in a folder that exists (none is created)."""
    path = Path(text)
    if path.is_dir():
        raise TargetError(f"TRUEWATCH_RECORD: {text!r} is a directory, not a file to append to")
    folder = path.parent
    if not folder.is_dir():
        raise TargetError(f"TRUEWATCH_RECORD: the folder {str(folder)!r} does not exist")
    return path


def _check_mutant(name: str | None) -> str | None:
    if name is None:
        return None
    from truewatch_contract.mock.mutants import MUTANTS

    if name not in MUTANTS:
        raise TargetError(
            f"TRUEWATCH_MOCK_MUTANT: {name!r} is not a mutant of the built-in mock "
            "(truewatch-contract mutants --list shows them)"
        )
    return name


def _parse_int(name: str, text: str | None, default: int, *, low: int, high: int = 2**63) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise TargetError(f"{name}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise TargetError(f"{name}: {value} is out of range ({low}..{high})")
    return value


def _parse_assignees(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for account in ids:
        if not ACCOUNT_ID.match(account):
            raise TargetError(
                f"TRUEWATCH_ASSIGNEES: {account!r} is not an account id (acnt_ + 32 lowercase hex)"
            )
    return tuple(dict.fromkeys(ids))


def known_rule_ids() -> frozenset[str]:
    """The rule ids of the spec's catalogue (``x-contract-rules``)."""
    from truewatch_contract.spec import spec_document

    rules: Iterable[Mapping[str, Any]] = spec_document().get("x-contract-rules", [])
    return frozenset(str(rule["id"]) for rule in rules)


def parse_relax(text: str | None) -> frozenset[str]:
    if text is None:
        return frozenset()
    names = {part.strip() for part in text.split(",") if part.strip()}
    if STRICT in names and len(names) > 1:
        raise TargetError(f"TRUEWATCH_RELAX: {STRICT!r} (relax nothing) cannot be combined")
    if names == {STRICT}:
        return frozenset(names)
    known = known_rule_ids()
    unknown = sorted(name for name in names if name not in known and name not in TAGS)
    if unknown:
        raise TargetError(
            f"TRUEWATCH_RELAX: unknown rule id or tag {', '.join(map(repr, unknown))} "
            f"(tags: {', '.join(TAGS)}; rule ids as in the spec's x-contract-rules)"
        )
    return frozenset(names)
