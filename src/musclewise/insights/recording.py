"""Recording that depends on the outcome: what no analysis can repair, found and said.

A trigger analysis compares days with and without a factor among the days where it was
recorded. That is fair only when whether it was recorded does not depend on the episodes: if
"no" answers are left blank on bad days (or only "yes" answers are kept), the days with
episodes hold more "yes" than they should, and any factor looks like a trigger. Two checks,
for each kind of episode:

- **a factor** recorded on a clearly different share of days with episodes than of days
  without (Fisher's exact test, p below :data:`ALPHA`, and a difference of at least
  :data:`MIN_DIFFERENCE`) is never named as a trigger, and the output says why;
- **a factor with only "yes"** (never recorded as "no", yet missing on many days: the "no"
  answers were left blank) cannot be compared, and the output says so;
- **whole days** recorded more or less often on days with episodes get a warning too
  (leaving a day out whole does not by itself bias a comparison, but it shows a habit that
  may).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from musclewise.insights.rates import Day

ALPHA = 0.01
"""A difference in recording this unlikely by chance is taken as real (strict: a warning
withholds a trigger)."""
MIN_DIFFERENCE = 0.10
"""...and it must be at least this large (ten days in a hundred)."""
ONLY_YES_MISSING = 0.2
"""A factor never recorded as "no" and missing on this share of days or more: "no" left blank."""


class Problem(NamedTuple):
    """One recording habit that biases the comparisons."""

    factor: str | None
    """None: whole days."""
    kind: str
    problem: str
    """``outcome`` (recorded more or less often on days with episodes) or ``only_yes``."""
    recorded_with: float
    """The share of days with episodes on which it was recorded."""
    recorded_without: float
    """The share of days without episodes on which it was recorded."""
    p_value: float


def _events(day: Day, kind: str) -> int:
    return day.cramps if kind == "cramp" else day.spasms


def _check(
    recorded: Sequence[bool], with_events: Sequence[bool]
) -> tuple[float, float, float] | None:
    """The shares recorded on days with and without episodes, and Fisher's p-value; None
    when either kind of day is missing."""
    from scipy.stats import fisher_exact

    a = sum(r and e for r, e in zip(recorded, with_events, strict=True))
    n_with = sum(with_events)
    c = sum(r and not e for r, e in zip(recorded, with_events, strict=True))
    n_without = len(with_events) - n_with
    if not n_with or not n_without:
        return None
    table = [[a, n_with - a], [c, n_without - c]]
    p = float(fisher_exact(table).pvalue)
    return a / n_with, c / n_without, p


def check(days: Sequence[Day], factors: Sequence[str], kind: str) -> list[Problem]:
    """Every recording habit of the diary that depends on the episodes of ``kind``."""
    found: list[Problem] = []
    if not days:
        return found
    with_events = [_events(d, kind) > 0 for d in days]
    whole = [any(v is not None for v in d.factors.values()) for d in days]
    result = _check(whole, with_events)
    if result is not None and _differs(*result):
        found.append(Problem(None, kind, "outcome", *result))
    kept = [i for i, w in enumerate(whole) if w]  # the days with any context
    for factor in factors:
        values = [days[i].factors.get(factor) for i in kept]
        known = [v for v in values if v is not None]
        if not known:
            continue
        missing_share = 1 - len(known) / len(values)
        if all(known) and missing_share >= ONLY_YES_MISSING:
            found.append(Problem(factor, kind, "only_yes", 1.0, 1.0, 0.0))
            continue
        if missing_share == 0.0:
            continue
        result = _check([v is not None for v in values], [with_events[i] for i in kept])
        if result is not None and _differs(*result):
            found.append(Problem(factor, kind, "outcome", *result))
    return found


def _differs(recorded_with: float, recorded_without: float, p_value: float) -> bool:
    return p_value < ALPHA and abs(recorded_with - recorded_without) >= MIN_DIFFERENCE


def biased_factors(days: Sequence[Day], factors: Sequence[str], kind: str) -> set[str]:
    """The factors whose recording depends on the episodes of ``kind``: never named."""
    return {w.factor for w in check(days, factors, kind) if w.factor is not None}


def text(warning: Problem, label: str, episodes: str) -> str:
    """The warning in plain words (``label``: the factor's words; ``episodes``: "cramps")."""
    with_, without = round(warning.recorded_with * 100), round(warning.recorded_without * 100)
    if warning.problem == "only_yes":
        return (
            f'{label[:1].upper()}{label[1:]} was only ever recorded as "yes": the days without '
            "it seem to have been left blank, so it cannot be compared. Record the ordinary "
            "days too."
        )
    more = "less" if with_ < without else "more"
    shares = f"on days with {episodes} ({with_}% of them) than on days without ({without}%)"
    if warning.factor is None:
        return (
            f"Your days were recorded {more} often {shares}. Leaving days out according to how "
            "they went can make factors look like triggers, or hide them; no analysis can "
            "repair it. Record every day, good or bad."
        )
    return (
        f"{label[:1].upper()}{label[1:]} was recorded {more} often {shares}, so it is not named "
        "as a trigger: no analysis can repair recording that depends on the episodes. Record "
        'it every day, good or bad, "no" as well as "yes".'
    )
