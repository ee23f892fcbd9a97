"""
`Facts`: what the caller knows of the target (its keys and issues) when it asks for a verdict.

A fact the caller does not have is *unknown*, not false. The contract suite knows its key, its
test issue and perhaps another workspace's key and issue, so any other key is a bad one and any
other well-formed id an unknown issue. A request hook or a proxy sees traffic nobody planned: it
knows no key and no issue unless told, so a key it has not seen may be real or not, and an issue
may exist or not; the judge then accepts an answer that is right for either
(`Expectation.possible`).
"""

from __future__ import annotations

import dataclasses
import enum
import re

#: The page's ``issueID`` form. Any other string cannot name an issue, except the record's uuid.
ISSUE_ID = re.compile(r"^[0-9a-f]{32}$")
#: The issue record's ``uuid`` form, which the built-in mock also accepts in the route.
ALIAS_ID = re.compile(r"^isset_[0-9a-f]{32}$")


class KeyKind(str, enum.Enum):
    """What the judge makes of a request's ``DF-API-KEY``."""

    MISSING = "missing"  # no key, or an empty one
    OURS = "ours"  # the key of the workspace the facts are about
    FOREIGN = "foreign"  # another workspace's key
    BAD = "bad"  # known not to be a key
    UNKNOWN = "unknown"  # may be a real key or not


@dataclasses.dataclass(frozen=True)
class Facts:
    """
    The target's keys and issues, as far as the caller knows them.

    Attributes:
        api_key: the key of the workspace under test; None: unknown (any key may be real).
        issue_ids: the ids (and other id forms) of issues known to exist for `api_key`.
        issues_known: whether `issue_ids` holds every issue a request may name, so that any other
            well-formed id is an unknown issue; None: known exactly when `issue_ids` is given.
        foreign_api_key, foreign_issue_id: a key and an issue of another workspace.
        bad_keys: values known not to be keys when `api_key` is unknown (e.g. a key that
            Schemathesis generated as invalid).
        builtin_mock: the target is the built-in mock, whose ``isset_`` id form names an issue
            for sure (another target may refuse that form).
        other_workspaces: keys of other workspaces may be sent that the caller was not told of
            (traffic nobody planned): a key that is not `api_key` may be one, so on a known
            issue it may be answered as another workspace's key (404 too) rather than a bad one.
    """

    api_key: str | None = dataclasses.field(default=None, repr=False)
    issue_ids: frozenset[str] = frozenset()
    issues_known: bool | None = None
    foreign_api_key: str | None = dataclasses.field(default=None, repr=False)
    foreign_issue_id: str | None = None
    bad_keys: frozenset[str] = dataclasses.field(default=frozenset(), repr=False)
    builtin_mock: bool = False
    other_workspaces: bool = False

    @property
    def every_issue(self) -> bool:
        """Whether any id outside `issue_ids` is known to name no issue."""
        return bool(self.issue_ids) if self.issues_known is None else self.issues_known

    def key_kind(self, key: str | None) -> KeyKind:
        """What `key` (a request's ``DF-API-KEY``, None when absent) is, as far as is known."""
        if key is None or not key.strip():
            return KeyKind.MISSING
        if self.foreign_api_key is not None and key == self.foreign_api_key:
            return KeyKind.FOREIGN
        if self.api_key is not None:
            return KeyKind.OURS if key == self.api_key else KeyKind.BAD
        return KeyKind.BAD if key in self.bad_keys else KeyKind.UNKNOWN

    def with_issue_ids(self, ids: frozenset[str] | set[str]) -> Facts:
        """These facts, knowing more ids of the same issues (an issue's other id form)."""
        if ids <= self.issue_ids:
            return self
        return dataclasses.replace(self, issue_ids=self.issue_ids | frozenset(ids))

    def with_bad_key(self, key: str | None) -> Facts:
        """These facts, knowing that `key` is not a key (None: nothing more is known)."""
        if key is None or key in self.bad_keys:
            return self
        return dataclasses.replace(self, bad_keys=self.bad_keys | {key})
