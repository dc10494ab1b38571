"""Trigger analysis: episode rates on days with and without each factor, each adjusted for
the others.

For each kind of episode, :func:`analyse` fits one conditional Poisson model holding every
factor with enough days at every lag (the same day, and the day before: a hard run yesterday,
cramps tonight), its strata the four-week block × the day of the week (:func:`~musclewise.insights.rates.stratum_of`; the
time-stratified design of studies of short-term triggers, Armstrong, Gasparrini and Tobias
2014), so that slow changes (seasons, a bad month, a new routine), weekdays and the factors
that travel with a real trigger are not taken for triggers. Each factor is tested by the
one-sided **score test** of its column with the others fitted
(:func:`musclewise.insights.conditional.score_test`), on the days where it was recorded, with
a continuity correction of a half and the variance widened by the model's overdispersion
(quasi-Poisson scale, when above 1); its 95% interval is test-based, so that it lies above 1
exactly when the one-sided value is below 2.5%. With too few episodes for that model, each
factor is compared alone within the same strata (:func:`~musclewise.insights.rates.stratified_rate_ratio`, the same
score test for one column) and says so. Medicines, taken from a date on, are tested against a
smooth trend over the whole diary (:func:`medicine_test`), never before against after alone.
Factors recorded more or less often on days with episodes are never named
(:mod:`musclewise.insights.recording`).

A factor with both lags in the model is tested once for both, by the one-sided joint score
test of its two columns (:func:`musclewise.insights.conditional.one_sided_joint_p`): a factor
that runs in streaks shares its information between its two lags, and tested apart neither
showed. The p-values of all the factors tested together are adjusted by Benjamini-Hochberg
(SciPy), and a factor is called a trigger only when the adjusted value is below ``alpha`` and
the interval of what is named lies above 1: each lag whose own interval (adjusted for the
other) does, or else "the day or the day before" (:data:`EITHER_DAY`,
:attr:`Comparison.either_day`). (:func:`~musclewise.insights.rates.rate_ratio`, the exact mid-p comparison of two counts, is
kept for comparing two periods; :func:`analyse_unadjusted` is the one-factor-at-a-time method
this replaced, which ``make bench`` sets beside it.)

No claim is made until there are at least ``min_days`` days with and without the factor and
``min_events`` episodes: the result then says how many more days are needed instead. How
likely the analysis is to name a real trigger depends mostly on how many episodes there are
and on what the adjustment leaves (:attr:`Comparison.efficiency`); :func:`sensitivity` says it
in advance, and :func:`days_for_sensitivity` how long a diary it takes. Everything here shows
association, not cause, and every sentence says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from musclewise.insights.rates import (
    LOG_LIMIT,
    TAIL,
    Day,
    strata,
    stratified_rate_ratio,
    stratum_of,
)

KINDS = ("cramp", "spasm")
LAGS = (0, 1)
MIN_DAYS = 14
MIN_EVENTS = 5
ALPHA = 0.05


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
    """One-sided score-test value: are episodes more frequent with the factor?"""
    q_value: float | None
    enough_data: bool
    days_needed: int
    trigger: bool
    adjusted_for: tuple[str, ...] = ()
    """What the comparison was adjusted for, in words (always the four-week block and the day
    of the week; the other factors and the other lag when the adjusted model was fitted; the
    trend for a medicine)."""
    caveat: str | None = None
    """Why a comparison is weaker than it looks: :data:`UNADJUSTED` (too few days for the
    adjusted model), :data:`TREND` (a medicine the diary cannot tell apart from a steady
    change), :data:`RECORDING` (recorded less or more often on days with episodes: never
    named)."""
    efficiency: float | None = None
    """The information left for this comparison after the strata and the adjustment, as a
    share of a plain comparison of the same days (for the power statement)."""
    either_day: bool = False
    """Named for "the day or the day before": the factor's two lags together raise the rate,
    and this diary cannot tell which carries it (they run in streaks). The counts, the rate
    ratio and its interval are then those of the days with the factor on the day or the day
    before, adjusted like the rest; only the same-day comparison carries it."""


OTHER_DAY = "the other day (the same day or the day before)"
EITHER_DAY = "the day or the day before: this diary cannot tell which"
UNADJUSTED = "too few days for the adjusted model; compared unadjusted for the other factors"
TREND = "cannot be told apart from a steady change over the diary"
RECORDING = "recorded more or less often on days with episodes"


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


def sensitivity(
    share: float,
    rate: float,
    days: float,
    comparisons: int,
    *,
    ratio: float = 2.0,
    alpha: float = ALPHA,
    efficiency: float = 1.0,
) -> float:
    """How likely the analysis is to name a factor that multiplies episodes by ``ratio``.

    ``share`` is the fraction of days with the factor, ``rate`` the episodes a day without
    it, ``days`` the diary's length and ``comparisons`` how many are tested together. A normal
    approximation to the one-sided conditional test at ``alpha / comparisons`` (what
    Benjamini-Hochberg asks of a lone trigger). ``efficiency`` is the share of the
    information the adjusted model leaves (:attr:`Comparison.efficiency`: the strata, the
    other factors and the dispersion take the rest): the test then works as on that share of
    the days. ``make bench`` sets it beside simulation."""
    from scipy.stats import norm

    if not 0.0 < share < 1.0 or rate <= 0.0 or days <= 0.0 or efficiency <= 0.0:
        return 0.0
    p0, p1, events = _shares(share, ratio, rate, days * efficiency)
    z = norm.isf(alpha / max(comparisons, 1))
    shift = math.sqrt(events) * (p1 - p0) - z * math.sqrt(p0 * (1 - p0))
    return float(norm.cdf(shift / math.sqrt(p1 * (1 - p1))))


def days_for_sensitivity(
    share: float,
    rate: float,
    comparisons: int,
    *,
    target: float = 0.9,
    ratio: float = 2.0,
    alpha: float = ALPHA,
    efficiency: float = 1.0,
) -> int | None:
    """The diary days at which :func:`sensitivity` reaches ``target`` (``None``: never, as
    when there are no episodes or the factor is on every day or none)."""
    from scipy.stats import norm

    if not 0.0 < share < 1.0 or rate <= 0.0 or efficiency <= 0.0:
        return None
    p0, p1, per_day = _shares(share, ratio, rate, 1.0)
    z = float(norm.isf(alpha / max(comparisons, 1)))
    spread = z * math.sqrt(p0 * (1 - p0)) + float(norm.isf(1 - target)) * math.sqrt(p1 * (1 - p1))
    return math.ceil((spread / (p1 - p0)) ** 2 / per_day / efficiency)


def _shares(share: float, ratio: float, rate: float, days: float) -> tuple[float, float, float]:
    """The exposed share of episodes with no effect and with ``ratio``, and the episodes
    expected over ``days`` with ``ratio``."""
    p1 = ratio * share / (ratio * share + 1.0 - share)
    return share, p1, rate * days * (ratio * share + 1.0 - share)


EVENTS_PER_COLUMN = 2
"""The adjusted model is fitted when its strata hold at least this many episodes for each of
its columns (and as many days to spare); else each factor is compared alone."""


def analyse(
    days: Sequence[Day],
    factors: Sequence[str],
    *,
    lags: Sequence[int] | Mapping[str, Sequence[int]] = LAGS,
    kinds: Sequence[str] = KINDS,
    alpha: float = ALPHA,
    min_days: int = MIN_DAYS,
    min_events: int = MIN_EVENTS,
    whole_period: Collection[str] = (),
    adjust: bool = True,
) -> list[Comparison]:
    """Every comparison, each factor adjusted for the others, with Benjamini-Hochberg applied
    across those with enough data.

    For each kind, one conditional Poisson model holds every factor with enough days at every
    lag (the same day and the day before), its strata the four-week block × the day of the
    week (:func:`stratum_of`); each factor is tested by the score test of its column with the
    others fitted (:func:`musclewise.insights.conditional.score_test`), on the days where it
    was recorded (a factor missing on a day leaves that day out of its own test only; in the
    others' it counts at its usual share). With too few episodes for that model, each factor
    is compared alone within the same strata, and says so (:data:`UNADJUSTED`). A factor with
    both lags in the model is one hypothesis for Benjamini-Hochberg (its joint test; without the
    model, the smaller of its two values doubled), and then names the lag that carries it, or
    the day or the day before when neither can be singled out. Factors in
    ``whole_period`` (a medicine, taken from a date on) are compared over the whole period
    adjusted for a smooth trend (:func:`medicine_test`). A factor recorded more or less often
    on days with episodes (:mod:`musclewise.insights.recording`) is never named.

    ``lags`` is the same for every factor, or a mapping from a factor to its own lags (a factor
    it does not name gets :data:`LAGS`). ``adjust=False`` compares each factor alone."""
    from scipy.stats import false_discovery_control

    from musclewise.insights import recording

    by_day = {d.day: d for d in days}
    measured: list[Comparison] = []
    hypotheses: list[_Hypothesis] = []
    for kind in kinds:
        biased = recording.biased_factors(days, factors, kind)
        columns: list[tuple[str, int]] = []
        counts: dict[tuple[str, int], tuple[int, int, int, int]] = {}
        for factor in factors:
            factor_lags = lags.get(factor, LAGS) if isinstance(lags, Mapping) else lags
            for lag in factor_lags:
                blocks = strata(days, factor, lag, kind, by_day, by_block=False)
                t1, a, t0, b = (sum(w[i] for w in blocks) for i in range(4))
                counts[(factor, lag)] = (t1, a, t0, b)
                enough = t1 >= min_days and t0 >= min_days and a + b >= min_events
                if enough and factor not in whole_period:
                    columns.append((factor, lag))
        model = _adjusted(days, columns, kind, by_day) if adjust and columns else None
        results = None if model is None else model.columns
        first = len(measured)
        for (factor, lag), (t1, a, t0, b) in counts.items():
            enough = t1 >= min_days and t0 >= min_days and a + b >= min_events
            caveat = RECORDING if factor in biased else None
            rr = low = high = p = efficiency = None
            adjusted_for: tuple[str, ...] = ()
            if enough and factor in whole_period:
                rr, low, high, p, efficiency, trend_caveat = medicine_test(days, factor, kind)
                adjusted_for = ("the trend over the diary", "the day of the week")
                caveat = caveat or trend_caveat
            elif enough and results is not None:
                rr, low, high, p, efficiency = results[(factor, lag)]
                adjusted_for = (
                    "the other factors",
                    OTHER_DAY,
                    "the four-week period",
                    "the day of the week",
                )
            elif enough:
                blocks = strata(days, factor, lag, kind, by_day, by_weekday=True)
                rr, low, high, p, _ = stratified_rate_ratio(blocks)
                adjusted_for = ("the four-week period", "the day of the week")
                caveat = caveat or (UNADJUSTED if adjust and len(columns) > 1 else None)
            needed = 0 if enough else days_needed(t1, t0, a + b, min_days, min_events)
            measured.append(
                Comparison(factor, lag, kind, t1, a, t0, b, rr, low, high, p, None, enough,
                           needed, False, adjusted_for, caveat, efficiency)
            )  # fmt: skip
        # the hypotheses of this kind: a factor tested at both lags in the model is one
        # (its joint test); every other comparison with a p-value is one of its own
        where = {(measured[i].factor, measured[i].lag): i for i in range(first, len(measured))}
        grouped: set[int] = set()
        for factor, joint_p in ({} if model is None else model.joint).items():
            members = [where[(factor, lag)] for lag in LAGS]
            grouped.update(members)
            hypotheses.append(_Hypothesis(members, joint_p, model, factor))
        # without the adjusted model, a factor tested at both lags is one hypothesis too: the
        # smaller of its two p-values, doubled (Bonferroni within the factor)
        for factor in factors:
            members = [where[(factor, lag)] for lag in LAGS if (factor, lag) in where]
            values = [measured[i].p_value for i in members]
            if len(members) == 2 and not grouped.intersection(members) and None not in values:
                grouped.update(members)
                smaller = min(v for v in values if v is not None)
                hypotheses.append(_Hypothesis(members, min(1.0, 2 * smaller), None, factor))
        hypotheses.extend(_Hypothesis([i], measured[i].p_value or 1.0, None, None)
                          for i in range(first, len(measured))
                          if i not in grouped and measured[i].p_value is not None)  # fmt: skip
    if hypotheses:
        q_values = false_discovery_control([h.p_value for h in hypotheses])
        for h, q in zip(hypotheses, q_values, strict=True):
            for i in h.members:
                measured[i] = measured[i]._replace(q_value=float(q))
            if float(q) < alpha:
                _name(measured, h)
    return measured


class _Hypothesis(NamedTuple):
    members: list[int]
    """The comparisons it covers (both lags of a factor, or one)."""
    p_value: float
    model: _Model | None
    """For a factor's joint test: the adjusted model, to say which day carries it."""
    factor: str | None


def _named(c: Comparison) -> bool:
    return (c.ci_low is not None and c.ci_low > 1
            and c.caveat not in (RECORDING, TREND))  # fmt: skip


def _name(measured: list[Comparison], h: _Hypothesis) -> None:
    """Name what a hypothesis rejected by Benjamini-Hochberg carries: a comparison whose own
    interval lies above 1 (for a factor's two lags, each adjusted for the other: closed
    testing, Marcus, Peritz and Gabriel 1976); when neither lag of a factor can be told apart,
    the factor on the day or the day before, if that comparison's interval lies above 1."""
    named = [i for i in h.members if _named(measured[i])]
    for i in named:
        measured[i] = measured[i]._replace(trigger=True)
    if named or h.model is None or h.factor is None:
        return
    same_day = h.members[0]
    c = measured[same_day]
    if c.caveat in (RECORDING, TREND):
        return
    either = h.model.either(h.factor)
    if either is None:
        return
    (t1, a, t0, b), (rr, low, high, p, efficiency) = either
    measured[same_day] = c._replace(
        exposed_days=t1, exposed_events=a, other_days=t0, other_events=b, rate_ratio=rr,
        ci_low=low, ci_high=high, p_value=p, efficiency=efficiency, either_day=True,
        trigger=low > 1, adjusted_for=tuple(w for w in c.adjusted_for if w != OTHER_DAY),
    )  # fmt: skip


Verdict = tuple[float, float, float, float, float]
"""A rate ratio, its 95% interval, the one-sided p-value and the efficiency."""


class _Model:
    """The adjusted model of one kind: every column's verdict, each factor's joint test of
    both lags, and (on demand) the verdict on a factor "on the day or the day before"."""

    def __init__(self, columns: dict[tuple[str, int], Verdict], joint: dict[str, float],
                 either: Callable[[str], tuple[tuple[int, int, int, int], Verdict] | None],
                 ) -> None:  # fmt: skip
        self.columns = columns
        self.joint = joint
        self.either = either


def _adjusted(
    days: Sequence[Day], columns: Sequence[tuple[str, int]], kind: str,
    by_day: Mapping[date, Day],
) -> _Model | None:  # fmt: skip
    """The adjusted model's verdicts, or None when it has too few episodes.

    Every column is tested by its own score test, the others fitted; a factor with both lags
    in the model is also tested once for both (:func:`conditional.joint_score_test`, one-sided
    by :func:`conditional.one_sided_joint_p`), on the days where both were recorded."""
    import numpy as np

    from musclewise.insights import conditional

    n, p = len(days), len(columns)
    y = np.array([d.cramps if kind == "cramp" else d.spasms for d in days], dtype=float)
    x = np.full((n, p), np.nan)
    for i, d in enumerate(days):
        for j, (factor, lag) in enumerate(columns):
            source = by_day.get(date.fromordinal(d.day.toordinal() - lag)) if lag else d
            value = None if source is None else source.factors.get(factor)
            if value is not None:
                x[i, j] = float(value)
    groups = np.array([stratum_of(d.day) for d in days], dtype=np.intp)
    missing = np.isnan(x)
    shares = np.array([np.nanmean(x[:, j]) if (~missing[:, j]).any() else 0.0
                       for j in range(p)])  # fmt: skip
    filled = np.where(missing, shares, x)
    everything = conditional.prepare(y, filled, groups)
    events = float(everything.y.sum())
    spare = len(everything.y) - len(everything.sizes) - p
    if p > 1 and (events < EVENTS_PER_COLUMN * p or spare < p):
        return None
    full = conditional.fit(everything)
    scale = max(1.0, conditional.pearson_scale(everything, full))
    results: dict[tuple[str, int], Verdict] = {}
    prepared: dict[bytes, conditional.Data] = {}

    def data_for(keep: Any) -> conditional.Data:
        key = keep.tobytes()
        if key not in prepared:
            prepared[key] = conditional.prepare(y[keep], filled[keep], groups[keep])
        return prepared[key]

    for j, column in enumerate(columns):
        data = data_for(~missing[:, j])
        start = np.delete(full.beta, j)
        test, _ = conditional.score_test(data, j, start=start)
        share = float(data.x[:, j].mean()) if len(data.y) else 0.0
        plain = float(data.y.sum()) * share * (1.0 - share)
        efficiency = test.variance / scale / plain if plain > 0 else 0.0
        wald = conditional.wald_se(full, j) * math.sqrt(scale)
        results[column] = (*_verdict(float(full.beta[j]), test, scale, wald), efficiency)
    index = {column: j for j, column in enumerate(columns)}
    pairs = {f: (index[(f, 0)], index[(f, 1)]) for f, lag in columns
             if lag == 0 and (f, 1) in index}  # fmt: skip
    joint: dict[str, float] = {}
    for factor, (j0, j1) in pairs.items():
        data = data_for(~missing[:, j0] & ~missing[:, j1])
        chosen = np.array([j0, j1], dtype=np.intp)
        start = np.delete(full.beta, chosen)
        both, _ = conditional.joint_score_test(data, chosen, start=start)
        # a continuity correction of a half on each score, the variance widened like the rest
        joint[factor] = conditional.one_sided_joint_p(both.score - 0.5, both.variance * scale)

    def either(factor: str) -> tuple[tuple[int, int, int, int], Verdict] | None:
        j0, j1 = pairs[factor]
        keep = ~missing[:, j0] & ~missing[:, j1]
        merged = np.maximum(filled[:, j0], filled[:, j1])
        rest = [j for j in range(p) if j not in (j0, j1)]
        x2 = np.column_stack([merged, filled[:, rest]])
        data = conditional.prepare(y[keep], x2[keep], groups[keep])
        if not len(data.y):
            return None
        fitted = conditional.fit(data)
        test, _ = conditional.score_test(data, 0, start=fitted.beta[1:])
        exposed = merged[keep] > 0.5
        counts = (int(exposed.sum()), int(y[keep][exposed].sum()),
                  int((~exposed).sum()), int(y[keep][~exposed].sum()))  # fmt: skip
        share = float(data.x[:, 0].mean())
        plain = float(data.y.sum()) * share * (1.0 - share)
        efficiency = test.variance / scale / plain if plain > 0 else 0.0
        wald = conditional.wald_se(fitted, 0) * math.sqrt(scale)
        return counts, (*_verdict(float(fitted.beta[0]), test, scale, wald), efficiency)

    return _Model(results, joint, either)


def _verdict(
    estimate: float, test: Any, scale: float, wald: float
) -> tuple[float, float, float, float]:
    """The rate ratio, its 95% interval and the one-sided p-value from a log rate ratio and
    its score test (variance widened by ``scale``).

    The p-value is the score test's, with a continuity correction of a half. The interval is
    test-based (Miettinen 1976): ``log RR ± 1.96 · log RR / z``, so that it lies above 1
    exactly when the one-sided value is below 2.5%; where the estimate and the test disagree
    in sign, or the test is near 0, the Wald standard error (widened) serves instead, and the
    lower bound is kept at or below 1."""
    from scipy.stats import norm

    variance = test.variance * scale
    if variance <= 0.0:
        return math.exp(estimate), 0.0, math.inf, 1.0
    z = (test.score - 0.5) / math.sqrt(variance)
    p_more = float(norm.sf(z))
    bound = float(norm.isf(TAIL))
    se = estimate / z if estimate > 0 and z > 0.1 else wald
    low, high = estimate - bound * se, estimate + bound * se
    low = min(low, 0.0) if z <= bound else max(low, 1e-09)
    return math.exp(estimate), math.exp(low), _exp(high), p_more


def _exp(value: float) -> float:
    return math.inf if value > LOG_LIMIT else math.exp(value)


def medicine_test(days: Sequence[Day], factor: str, kind: str) -> tuple[
        float, float, float, float, float, str | None]:  # fmt: skip
    """A medicine (a factor taken from a date on) against a smooth trend.

    One conditional Poisson model over the whole diary, its strata the day of the week, with
    the medicine and a quadratic trend in time (log scale); the medicine is tested by its score
    test with the trend fitted. A rise that came with the medicine but that the trend explains
    as well is not named, and says so (:data:`TREND`): a raw before-and-after comparison never
    names a medicine. Returns the rate ratio, its interval, the one-sided p-value, the
    efficiency and the caveat."""
    import numpy as np

    from musclewise.insights import conditional

    rows = [(i, d) for i, d in enumerate(days) if d.factors.get(factor) is not None]
    if not rows:
        return math.nan, 0.0, math.inf, 1.0, 0.0, None
    n = len(days)
    y = np.array([d.cramps if kind == "cramp" else d.spasms for _, d in rows], dtype=float)
    t = np.array([(i - (n - 1) / 2) / max(n - 1, 1) for i, _ in rows])
    x = np.column_stack([np.array([float(bool(d.factors[factor])) for _, d in rows]),
                         t, t * t - float(np.mean(t * t))])  # fmt: skip
    groups = np.array([d.day.toordinal() % 7 for _, d in rows], dtype=np.intp)
    data = conditional.prepare(y, x, groups)
    full = conditional.fit(data)
    scale = max(1.0, conditional.pearson_scale(data, full))
    test, _ = conditional.score_test(data, 0)
    share = float(data.x[:, 0].mean()) if len(data.y) else 0.0
    plain = float(data.y.sum()) * share * (1.0 - share)
    efficiency = test.variance / scale / plain if plain > 0 else 0.0
    rr, low, high, p = _verdict(float(full.beta[0]), test, scale,
                                conditional.wald_se(full, 0) * math.sqrt(scale))  # fmt: skip
    caveat = None
    if p >= ALPHA:
        blocks = strata(days, factor, 0, kind, by_block=False)
        if stratified_rate_ratio(blocks).p_more < ALPHA:
            caveat = TREND  # before against after it looks like more; the trend explains it
    return rr, low, high, p, efficiency, caveat


def analyse_unadjusted(
    days: Sequence[Day],
    factors: Sequence[str],
    *,
    lags: Sequence[int] | Mapping[str, Sequence[int]] = LAGS,
    kinds: Sequence[str] = KINDS,
    alpha: float = ALPHA,
    min_days: int = MIN_DAYS,
    min_events: int = MIN_EVENTS,
    whole_period: Collection[str] = (),
) -> list[Comparison]:
    """Every comparison one factor at a time, with Benjamini-Hochberg applied across those
    with enough data: the method before issue 13, kept for ``make bench`` to set beside
    :func:`analyse`.

    Days are compared within the same four weeks (:func:`stratified_rate_ratio`), so that a
    bad month is not mistaken for a trigger; factors in ``whole_period`` (a medicine, taken from a
    date on: before against after) are compared over the whole period instead. ``lags`` is
    the same for every factor, or a mapping from a factor to its own lags (a factor it does
    not name gets :data:`LAGS`)."""
    from scipy.stats import false_discovery_control

    by_day = {d.day: d for d in days}
    measured: list[Comparison] = []
    for kind in kinds:
        for factor in factors:
            factor_lags = lags.get(factor, LAGS) if isinstance(lags, Mapping) else lags
            for lag in factor_lags:
                blocks = strata(days, factor, lag, kind, by_day,
                               by_block=factor not in whole_period)  # fmt: skip
                t1, a, t0, b = (sum(w[i] for w in blocks) for i in range(4))
                enough = t1 >= min_days and t0 >= min_days and a + b >= min_events
                rr = low = high = p = None
                if enough:
                    rr, low, high, p, _ = stratified_rate_ratio(blocks)
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
            trigger = float(q) < alpha and c.ci_low is not None and c.ci_low > 1
            measured[i] = c._replace(q_value=float(q), trigger=trigger)
    return measured


def adjusted_text(c: Comparison) -> str:
    """What a comparison was adjusted for, in words: "adjusted for the other factors, ..."."""
    if not c.adjusted_for:
        return ""
    items = list(c.adjusted_for)
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    text = f"adjusted for {listed}"
    if c.caveat == UNADJUSTED:
        text += " only (too few days to adjust for the other factors)"
    return text


def sentence(c: Comparison, label: str, *, when: str | None = None) -> str:
    """The finding in plain words; association, never cause; what it was adjusted for.

    ``when`` replaces the opening "On days with LABEL" / "On days after LABEL" (a medicine:
    "On days you were taking Lipitor")."""
    episodes = "cramps" if c.kind == "cramp" else "twitches"
    if when is None:
        when = f"On days after {label}" if c.lag else f"On days with {label}"
        if c.either_day:
            when = f"On days with {label} or the day after"
    total = c.exposed_days + c.other_days
    if not c.enough_data:
        if c.days_needed < 0:
            return f"Not enough variety yet to compare days with and without {label}."
        return (
            f"Not enough data yet to compare {episodes} on days with and without {label}: "
            f"about {c.days_needed} more days of diary are needed."
        )
    assert c.rate_ratio is not None and c.ci_low is not None and c.ci_high is not None
    adjusted = adjusted_text(c)
    adjusted = f"; {adjusted}" if adjusted else ""
    if c.caveat == TREND:
        return (
            f"{episodes.capitalize()} rose after you started {label}; this diary cannot tell "
            f"that apart from a steady rise (rate ratio against the trend "
            f"{ratio_text(c.rate_ratio)}, 95% CI {c.ci_low:.1f} to {ratio_text(c.ci_high)})."
        )
    if c.caveat == RECORDING:
        return (
            f"{when} {episodes} cannot be compared fairly: {label} was {RECORDING}, so it is "
            "not named whatever the numbers say."
        )
    if c.trigger:
        if math.isinf(c.rate_ratio):
            return (
                f"{when} you logged all {c.exposed_events} of your {episodes}, and none on the "
                f"other days ({total} days compared; the rate ratio is at least "
                f"{c.ci_low:.1f}, 95% CI{adjusted}). This shows an association, not a cause."
            )
        return (
            f"{when} you logged {episodes} about {c.rate_ratio:.1f} times as often "
            f"(95% CI {c.ci_low:.1f} to {ratio_text(c.ci_high)}, over {total} days{adjusted}). "
            + (f"{EITHER_DAY.capitalize()}. " if c.either_day else "")
            + "This shows an association, not a cause."
        )
    tail = f"{adjusted}, and for testing many factors at once" if adjusted else (
        "; adjusted for testing many factors at once")  # fmt: skip
    return (
        f"{when} {episodes} were not clearly more frequent (rate ratio "
        f"{ratio_text(c.rate_ratio)}, 95% CI {c.ci_low:.1f} to {ratio_text(c.ci_high)}, over "
        f"{total} days{tail})."
    )


def ratio_text(value: float | None) -> str:
    """A rate ratio or a bound of its interval, to one decimal; unbounded ones in words."""
    if value is None or math.isnan(value):
        return "unknown"
    if math.isinf(value):
        return "no upper limit"
    return f"{value:.1f}"
