"""Episode rates on the diary's days: the days themselves (:class:`Day`), their four-week ×
weekday strata (:func:`strata`, :func:`stratum_of`), and rate ratios within them: the exact
mid-p comparison of two counts (:func:`rate_ratio`) and the stratified score test of one factor
(:func:`stratified_rate_ratio`). :mod:`musclewise.insights.triggers` builds the trigger
analysis on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import NamedTuple

STRATUM_DAYS = 28
"""Days are compared within blocks of this many days (four weeks, from a Monday)."""


class Day(NamedTuple):
    """One diary day: which factors were present (``None``: not recorded), and the episodes."""

    day: date
    factors: Mapping[str, bool | None]
    cramps: int = 0
    spasms: int = 0


class Stratum(NamedTuple):
    """One block's days with and without a factor, and the episodes on them (with the sums of
    the squared daily counts, for the dispersion)."""

    exposed_days: int
    exposed_events: int
    other_days: int
    other_events: int
    exposed_squares: int
    other_squares: int


def strata(
    days: Sequence[Day],
    factor: str,
    lag: int,
    kind: str,
    by_day: Mapping[date, Day] | None = None,
    *,
    by_block: bool = True,
    by_weekday: bool = False,
) -> list[Stratum]:
    """The counts of one comparison, block by block (:data:`STRATUM_DAYS` days from a Monday),
    or for the whole period as one stratum when ``by_block`` is false.

    ``by_day`` (the days keyed by date) saves rebuilding it for every comparison."""
    if by_day is None:
        by_day = {d.day: d for d in days}
    groups: dict[int, list[int]] = {}
    for d in days:
        source = by_day.get(date.fromordinal(d.day.toordinal() - lag)) if lag else d
        if source is None:
            continue
        present = source.factors.get(factor)
        if present is None:
            continue
        events = d.cramps if kind == "cramp" else d.spasms
        group = groups.setdefault(stratum_of(d.day, by_block=by_block, by_weekday=by_weekday),
                                  [0] * 6)  # fmt: skip
        column = 0 if present else 2
        group[column] += 1
        group[column + 1] += events
        group[4 + column // 2] += events * events
    return [Stratum(*group) for group in groups.values()]


def stratum_of(day: date, *, by_block: bool = True, by_weekday: bool = True) -> int:
    """The stratum of a day: its block of :data:`STRATUM_DAYS` days (from a Monday) and its day
    of the week (Armstrong et al. 2014), or either alone."""
    ordinal = day.toordinal() - 1  # 0 is a Monday
    block = ordinal // STRATUM_DAYS if by_block else 0
    return block * 7 + ordinal % 7 if by_weekday else block


class RateRatio(NamedTuple):
    """A rate ratio with its mid-p 95% interval and mid-p values (exact conditional)."""

    estimate: float
    low: float
    high: float
    p_more: float
    """One-sided: are episodes more frequent on the exposed days?"""
    p_two_sided: float
    """Twice the smaller one-sided value, at most 1: for a change either way (the trend)."""


def rate_ratio(a: int, t1: float, b: int, t0: float) -> RateRatio:
    """The rate ratio of ``a`` events over ``t1`` days to ``b`` over ``t0``, with its mid-p
    95% interval and mid-p values (exact conditional, see the module's notes)."""
    from scipy.special import bdtr, bdtrc

    n = a + b
    if not n:
        return RateRatio(math.nan, 0.0, math.inf, 1.0, 1.0)
    share = t1 / (t1 + t0)
    scale = t0 / t1
    choose = math.lgamma(n + 1) - math.lgamma(a + 1) - math.lgamma(b + 1)

    def ratio(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * scale

    def half_at(p: float) -> float:  # P(X = a) / 2, from logarithms: exact in the far tails
        if p <= 0.0 or p >= 1.0:
            return 0.5 if (p <= 0.0 and a == 0) or (p >= 1.0 and b == 0) else 0.0
        return 0.5 * math.exp(choose + a * math.log(p) + b * math.log1p(-p))

    def at_least(p: float) -> float:  # mid-p P(X >= a), rising with p
        return float(bdtrc(a, n, p)) + half_at(p)

    def at_most(p: float) -> float:  # mid-p P(X <= a), falling with p
        return (float(bdtr(a - 1, n, p)) if a else 0.0) + half_at(p)

    low = 0.0 if a == 0 else ratio(_solve(lambda p: at_least(p) - TAIL, 0.0, a / n))
    high = math.inf if a == n else ratio(_solve(lambda p: at_most(p) - TAIL, a / n, 1.0))
    more, less = at_least(share), at_most(share)
    estimate = ratio(a / n) if b else math.inf
    return RateRatio(estimate, low, high, more, min(1.0, 2.0 * min(more, less)))


def stratified_rate_ratio(blocks: Sequence[Stratum], *, overdispersion: bool = True) -> RateRatio:
    """The rate ratio within strata (blocks of days), with its score 95% interval and score
    p-values.

    Given the episodes of a block, those on its exposed days are binomial with
    ``p = RR·t1/(RR·t1 + t0)``; summed over the blocks, the score ``U(RR)`` (observed minus
    expected exposed episodes) and its variance ``V(RR)`` give the Mantel-Haenszel-type test
    ``z = (U(1) ∓ ½) / √V(1)`` (with a continuity correction of a half) and, inverted, the
    interval; the estimate solves ``U(RR) = 0``, the conditional maximum likelihood estimate
    of a conditional Poisson model with a stratum for each block (Armstrong et al. 2014),
    which statsmodels' ``ConditionalPoisson`` also fits (checked in the tests). Only blocks
    with days both with and without the factor, and with episodes, carry information. A
    single stratum gives the plain rate ratio ``(a/t1)/(b/t0)``.

    With ``overdispersion`` (the default), the variance is multiplied by the quasi-Poisson
    scale of that model when it is above 1: Pearson's X² of the daily counts against the
    model's fitted means, over its degrees of freedom. Bursts within a block, or nights of
    several cramps, vary more than Poisson counts do, and would otherwise pass for triggers."""
    from scipy.stats import norm

    rows = [
        w for w in blocks if w.exposed_days and w.other_days and w.exposed_events + w.other_events
    ]
    exposed = sum(w.exposed_events for w in rows)
    other = sum(w.other_events for w in rows)
    if not rows:
        return RateRatio(math.nan, 0.0, math.inf, 1.0, 1.0)
    scale = 1.0

    def z(log_ratio: float, shift: float) -> float:
        ratio = math.exp(log_ratio)
        u = v = 0.0
        for w in rows:
            t1, m = w.exposed_days, w.exposed_events + w.other_events
            weight = ratio * t1 + w.other_days
            u += w.exposed_events - m * ratio * t1 / weight
            v += m * ratio * t1 * w.other_days / (weight * weight)
        u -= shift
        v *= scale
        if v <= 0.0:
            return math.copysign(math.inf, u) if u else 0.0
        return u / math.sqrt(v)

    def root(shift: float, target: float) -> float:
        return math.exp(_solve(lambda x: z(x, shift) - target, -LOG_LIMIT, LOG_LIMIT))

    estimate = 0.0 if not exposed else math.inf if not other else root(0.0, 0.0)
    if overdispersion:
        scale = max(1.0, _pearson_scale(rows, estimate if 0.0 < estimate < math.inf else 1.0))
    bound = norm.isf(TAIL)
    p_more = float(norm.sf(z(0.0, 0.5)))
    p_less = float(norm.cdf(z(0.0, -0.5)))
    low = 0.0 if not exposed else root(0.5, bound)
    high = math.inf if not other else root(-0.5, -bound)
    return RateRatio(estimate, low, high, p_more, min(1.0, 2.0 * min(p_more, p_less)))


def _pearson_scale(rows: Sequence[Stratum], ratio: float) -> float:
    """Pearson's X² over its degrees of freedom, for the daily counts of the blocks ``rows``
    against the means fitted with the rate ratio ``ratio`` (1 when there is too little)."""
    x2 = 0.0
    df = -1  # the rate ratio is estimated
    for w in rows:
        m = w.exposed_events + w.other_events
        base = m / (ratio * w.exposed_days + w.other_days)  # a day's mean without the factor
        for days, events, squares, mean in (
            (w.exposed_days, w.exposed_events, w.exposed_squares, base * ratio),
            (w.other_days, w.other_events, w.other_squares, base),
        ):
            if mean > 0.0:  # sum over the days of (y - mean)² / mean
                x2 += (squares - 2.0 * mean * events + days * mean * mean) / mean
        df += w.exposed_days + w.other_days - 1
    return x2 / df if df > 0 else 1.0


LOG_LIMIT = 40.0
"""Rate ratios are looked for between e^-40 and e^40."""


TAIL = 0.025
"""Each side of a 95% interval."""


def _solve(f: Callable[[float], float], low: float, high: float) -> float:
    """The root of ``f`` between ``low`` and ``high`` (``f`` changes sign there)."""
    from scipy.optimize import brentq

    return float(brentq(f, low, high, xtol=1e-12, rtol=1e-10))
