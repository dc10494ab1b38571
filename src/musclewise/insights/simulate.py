"""Simulated diaries with planted triggers of known size, to prove the analysis finds them.

Each day, each factor is present with its own probability; the expected number of episodes
is a base rate multiplied by the planted rate ratio of every factor present (on the same day
or, for a lagged effect, the day before); the count is Poisson. Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import date, timedelta

from musclewise.insights.triggers import Day


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of a diary
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(
    days: int,
    prevalence: Mapping[str, float],
    effects: Mapping[tuple[str, int], float],
    *,
    base_rate: float = 0.3,
    twitch_rate: float = 0.1,
    seed: int = 0,
    start: date = date(2026, 1, 1),
) -> list[Day]:
    """A diary of ``days`` days; ``effects`` maps (factor, lag) to the planted cramp rate ratio."""
    rng = random.Random(seed)
    present = [{f: rng.random() < p for f, p in prevalence.items()} for _ in range(days)]
    diary = []
    for i in range(days):
        mean = base_rate
        for (factor, lag), ratio in effects.items():
            if i - lag >= 0 and present[i - lag].get(factor):
                mean *= ratio
        diary.append(
            Day(
                start + timedelta(days=i),
                dict(present[i]),
                cramps=_poisson(rng, mean),
                spasms=_poisson(rng, twitch_rate),
            )
        )
    return diary
