"""Response times of a run: the summary statistics and the points of the report's chart."""

from __future__ import annotations

import math
from collections.abc import Sequence

from truewatch_contract.record import ExchangeLine
from truewatch_contract.runner.model import TimingPoint, Timings

# The chart stays readable (and the report small) however long the run: every n-th point.
MAX_POINTS = 1500


def timings_of(exchanges: Sequence[ExchangeLine]) -> Timings:
    """The response times of the answered exchanges (a network error has none)."""
    points: list[TimingPoint] = []
    for exchange in exchanges:
        response = exchange.response
        if response is None:
            continue
        points.append(
            TimingPoint(round(exchange.t, 3), round(response.elapsed_ms, 3), response.status)
        )
    values: list[float] = sorted(float(p.elapsed_ms) for p in points)
    step = max(1, math.ceil(len(points) / MAX_POINTS))
    return Timings(
        count=len(values),
        min_ms=values[0] if values else None,
        p50_ms=_percentile(values, 50),
        p95_ms=_percentile(values, 95),
        max_ms=values[-1] if values else None,
        points=tuple(points[::step]),
        points_sampled_every=step,
    )


def _percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[index]
