"""Trigger analysis: episode rates on days with and without each factor.

For each factor, each lag (the same day, or the day before: a hard run yesterday, cramps
tonight) and each kind of episode, the days are split into those with the factor and those
without it (days where it was not recorded are left out). With ``a`` episodes over ``t1``
exposed days and ``b`` over ``t0`` other days, the rate ratio is ``(a/t1)/(b/t0)``. Given
``n = a + b``, ``a`` is binomial with ``p = RR·t1/(RR·t1 + t0)``, so the exact (conditional)
95% interval of the rate ratio comes from the Clopper-Pearson interval of ``p`` and the p-value
from the exact binomial test of ``p = t1/(t1 + t0)`` (SciPy). The p-values of all the factors
tested together are adjusted by Benjamini-Hochberg (SciPy), and a factor is called a trigger
only when the adjusted value is below ``alpha`` and the rate ratio is above 1.

No claim is made until there are at least ``min_days`` days with and without the factor and
``min_events`` episodes: the result then says how many more days are needed instead.
Everything here shows association, not cause, and every sentence says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple

KINDS = ("cramp", "spasm")
LAGS = (0, 1)
MIN_DAYS = 14
MIN_EVENTS = 5
ALPHA = 0.05


class Day(NamedTuple):
    """One diary day: which factors were present (``None``: not recorded), and the episodes."""

    day: date
    factors: Mapping[str, bool | None]
    cramps: int = 0
    spasms: int = 0


class Comparison(NamedTuple):
    """One factor, lag and kind: the counts, the rate ratio with its interval, and the verdict."""

    factor: str
    lag: int
    kind: str
    exposed_days: int
    exposed_events: int
    other_days: int
    other_events: int
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None
    enough_data: bool
    days_needed: int
    trigger: bool


def counts(
    days: Sequence[Day],
    factor: str,
    lag: int,
    kind: str,
    by_day: Mapping[date, Day] | None = None,
) -> tuple[int, int, int, int]:
    """(exposed days, events on them, other days, events on them) for one comparison.

    ``by_day`` (the days keyed by date) saves rebuilding it for every comparison."""
    if by_day is None:
        by_day = {d.day: d for d in days}
    t1 = a = t0 = b = 0
    for d in days:
        source = by_day.get(date.fromordinal(d.day.toordinal() - lag)) if lag else d
        if source is None:
            continue
        present = source.factors.get(factor)
        if present is None:
            continue
        events = d.cramps if kind == "cramp" else d.spasms
        if present:
            t1, a = t1 + 1, a + events
        else:
            t0, b = t0 + 1, b + events
    return t1, a, t0, b


def rate_ratio(a: int, t1: float, b: int, t0: float) -> tuple[float, float, float, float]:
    """Rate ratio, exact conditional 95% interval and two-sided exact p-value."""
    from scipy.stats import binomtest

    n = a + b
    share = t1 / (t1 + t0)
    scale = t0 / t1
    test = binomtest(a, n, share) if n else None
    if test is None:
        return math.nan, 0.0, math.inf, 1.0
    interval = test.proportion_ci(confidence_level=0.95, method="exact")

    def ratio(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * scale

    estimate = ratio(a / n) if b else math.inf
    return estimate, ratio(interval.low), ratio(interval.high), float(test.pvalue)


def days_needed(t1: int, t0: int, events: int, min_days: int, min_events: int) -> int:
    """Roughly how many more diary days give enough days with and without the factor."""
    total = t1 + t0
    if total == 0:
        return 2 * min_days
    share = t1 / total
    if share in (0.0, 1.0):
        return -1  # never or always present: no comparison possible yet
    need = max(min_days / share, min_days / (1 - share))
    if events < min_events:
        rate = events / total if events else 0.1
        need = max(need, min_events / rate)
    return max(0, math.ceil(need - total))


def analyse(
    days: Sequence[Day],
    factors: Sequence[str],
    *,
    lags: Sequence[int] | Mapping[str, Sequence[int]] = LAGS,
    kinds: Sequence[str] = KINDS,
    alpha: float = ALPHA,
    min_days: int = MIN_DAYS,
    min_events: int = MIN_EVENTS,
) -> list[Comparison]:
    """Every comparison, with Benjamini-Hochberg applied across those with enough data.

    ``lags`` is the same for every factor, or a mapping from a factor to its own lags (a
    factor it does not name gets :data:`LAGS`)."""
    from scipy.stats import false_discovery_control

    by_day = {d.day: d for d in days}
    measured: list[Comparison] = []
    for kind in kinds:
        for factor in factors:
            factor_lags = lags.get(factor, LAGS) if isinstance(lags, Mapping) else lags
            for lag in factor_lags:
                t1, a, t0, b = counts(days, factor, lag, kind, by_day)
                enough = t1 >= min_days and t0 >= min_days and a + b >= min_events
                rr = low = high = p = None
                if enough:
                    rr, low, high, p = rate_ratio(a, t1, b, t0)
                needed = 0 if enough else days_needed(t1, t0, a + b, min_days, min_events)
                measured.append(
                    Comparison(factor, lag, kind, t1, a, t0, b, rr, low, high, p, None, enough,
                               needed, trigger=False)
                )  # fmt: skip
    tested = [i for i, c in enumerate(measured) if c.p_value is not None]
    if tested:
        p_values = [measured[i].p_value or 1.0 for i in tested]
        for i, q in zip(tested, false_discovery_control(p_values), strict=True):
            c = measured[i]
            trigger = float(q) < alpha and c.rate_ratio is not None and c.rate_ratio > 1
            measured[i] = c._replace(q_value=float(q), trigger=trigger)
    return measured


def sentence(c: Comparison, label: str, *, when: str | None = None) -> str:
    """The finding in plain words; association, never cause.

    ``when`` replaces the opening "On days with LABEL" / "On days after LABEL" (a medicine:
    "On days you were taking Lipitor")."""
    episodes = "cramps" if c.kind == "cramp" else "twitches"
    if when is None:
        when = f"On days after {label}" if c.lag else f"On days with {label}"
    total = c.exposed_days + c.other_days
    if not c.enough_data:
        if c.days_needed < 0:
            return f"Not enough variety yet to compare days with and without {label}."
        return (
            f"Not enough data yet to compare {episodes} on days with and without {label}: "
            f"about {c.days_needed} more days of diary are needed."
        )
    assert c.rate_ratio is not None and c.ci_low is not None and c.ci_high is not None
    if c.trigger:
        if math.isinf(c.rate_ratio):
            return (
                f"{when} you logged all {c.exposed_events} of your {episodes}, and none on the "
                f"other days ({total} days compared; the rate ratio is at least "
                f"{c.ci_low:.1f}, 95% CI). This shows an association, not a cause."
            )
        return (
            f"{when} you logged {episodes} about {c.rate_ratio:.1f} times as often "
            f"(95% CI {c.ci_low:.1f} to {ratio_text(c.ci_high)}, over {total} days). "
            "This shows an association, not a cause."
        )
    return (
        f"{when} {episodes} were not clearly more frequent (rate ratio "
        f"{ratio_text(c.rate_ratio)}, 95% CI {c.ci_low:.1f} to {ratio_text(c.ci_high)}, over "
        f"{total} days; adjusted for testing many factors at once)."
    )


def ratio_text(value: float | None) -> str:
    """A rate ratio or a bound of its interval, to one decimal; unbounded ones in words."""
    if value is None or math.isnan(value):
        return "unknown"
    if math.isinf(value):
        return "no upper limit"
    return f"{value:.1f}"
