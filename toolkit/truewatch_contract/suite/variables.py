"""
Each ``TRUEWATCH_*`` value read and checked, for `SuiteConfig.from_env`: a bad one is a
`ConfigError` whose one line names the variable and says what it should be.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from truewatch_contract.errors import UsageError
from truewatch_contract.rates import RateError, RateLimit
from truewatch_contract.rules.policy import NOTHING, parse_items
from truewatch_contract.spec import account_id_pattern

#: The seed every run uses unless ``TRUEWATCH_SEED`` says otherwise: a run is repeatable.
DEFAULT_SEED = 20261127
#: ``TRUEWATCH_RELAX=none``: relax nothing, not even the ``assumed`` rules off the mock.
STRICT = NOTHING


class ConfigError(UsageError):
    """A ``TRUEWATCH_*`` variable has a bad value; the message is one line naming it."""


def opt(value: Any) -> str | None:
    """A variable's value, `None` for an empty one."""
    return None if value in (None, "") else str(value)


def check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"TRUEWATCH_BASE_URL: {text!r} is not an http(s) URL such as "
            "https://us1-openapi.truewatch.com"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"TRUEWATCH_BASE_URL: {text!r} must not carry a query or a fragment")
    return text.rstrip("/")


def check_record_path(text: str) -> Path:
    """``TRUEWATCH_RECORD``: a file to append to, in a folder that exists (none is created)."""
    path = Path(text)
    if path.is_dir():
        raise ConfigError(f"TRUEWATCH_RECORD: {text!r} is a directory, not a file to append to")
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"TRUEWATCH_RECORD: the folder {str(folder)!r} does not exist")
    return path


def check_profile(text: str) -> Path:
    """
    ``TRUEWATCH_MOCK_PROFILE``: a profile, a ``report.json`` or a run record, read once here so
    that a file that is none of them stops the run at once (one line); kept as an absolute path
    (the suite may run in another folder).
    """
    from truewatch_contract.profile.document import ProfileError
    from truewatch_contract.profile.load import load_profile

    path = Path(text).expanduser().absolute()
    try:
        load_profile(path)
    except ProfileError as error:
        raise ConfigError(f"TRUEWATCH_MOCK_PROFILE: {error}") from None
    return path


def check_mutant(name: str | None) -> str | None:
    if name is None:
        return None
    from truewatch_contract.mock.mutants import MUTANTS

    if name not in MUTANTS:
        raise ConfigError(
            f"TRUEWATCH_MOCK_MUTANT: {name!r} is not a mutant of the built-in mock "
            "(truewatch-contract mutants --list shows them)"
        )
    return name


def parse_rate(text: str | None) -> RateLimit | None:
    if text is None:
        return None
    try:
        return RateLimit.parse(text)
    except RateError as error:
        raise ConfigError(f"TRUEWATCH_RATE_LIMIT: {error}") from None


#: ``TRUEWATCH_SEED=random`` (``--seed random``): a new seed for this run, printed and recorded.
RANDOM_SEED = "random"
MAX_SEED = 2**32 - 1


def is_random(text: str | None) -> bool:
    return text is not None and text.strip().lower() == RANDOM_SEED


def parse_seed(text: str | None) -> int:
    """The run's seed: a whole number, or ``random`` to draw one (within what replays it)."""
    if is_random(text):
        return secrets.randbelow(MAX_SEED + 1)
    if text is not None and not text.strip().lstrip("-").isdigit():
        raise ConfigError(f"TRUEWATCH_SEED: {text!r} is neither a whole number nor 'random'")
    return parse_int("TRUEWATCH_SEED", text, DEFAULT_SEED, low=0)


def parse_int(name: str, text: str | None, default: int, *, low: int, high: int = 2**63) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:  # also for digits beyond int()'s limit
        raise ConfigError(f"{name}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value} is out of range ({low}..{high})")
    return value


def parse_assignees(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for account in ids:
        if not account_id_pattern().fullmatch(account):
            raise ConfigError(
                f"TRUEWATCH_ASSIGNEES: {account!r} is not an account id (acnt_ + 32 lowercase hex)"
            )
    return tuple(dict.fromkeys(ids))


def parse_relax(text: str | None) -> frozenset[str]:
    """``TRUEWATCH_RELAX``: rule ids and tags, or ``none`` (relax nothing, not even ``assumed``)."""
    if text is None:
        return frozenset()
    names = {part.strip() for part in text.split(",") if part.strip()}
    if STRICT in names and len(names) > 1:
        raise ConfigError(f"TRUEWATCH_RELAX: {STRICT!r} (relax nothing) cannot be combined")
    if names == {STRICT}:
        return frozenset(names)
    try:
        return parse_items(names, "TRUEWATCH_RELAX")
    except ValueError as error:
        raise ConfigError(str(error)) from None
