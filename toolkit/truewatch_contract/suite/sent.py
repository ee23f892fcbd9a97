"""`Sent`: one request of the suite, judged: its exchange and its verdict."""

from __future__ import annotations

import dataclasses
from typing import Any

from truewatch_contract.judge import Exchange, Verdict


@dataclasses.dataclass(frozen=True)
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
