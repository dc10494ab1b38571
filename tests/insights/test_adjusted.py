"""The adjusted trigger analysis (issue 13): the conditional Poisson model with many columns
checked against statsmodels, and its behaviour on diaries where the old method was fooled."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import numpy as np
import pytest
from statsmodels.discrete.conditional_models import ConditionalPoisson

from musclewise.insights import conditional, recording
from musclewise.insights.rates import Day
from musclewise.insights.simulate import scenario
from musclewise.insights.summary import Finding
from musclewise.insights.triggers import (
    OTHER_DAY,
    RECORDING,
    TREND,
    UNADJUSTED,
    Comparison,
    analyse,
    analyse_unadjusted,
    sentence,
)


def _design(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 240
    groups = np.arange(n) // 4
    x = (rng.random((n, 3)) < 0.4).astype(float)
    x[:, 1] = np.where(rng.random(n) < 0.7, x[:, 0], x[:, 1])  # goes with the first
    y = rng.poisson(0.8 * np.exp(0.9 * x[:, 0] + 0.2 * x[:, 2])).astype(float)
    return y, x, groups


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ModelWarning")
@pytest.mark.parametrize("seed", range(4))
def test_fit_matches_statsmodels_conditional_poisson(seed: int) -> None:
    y, x, groups = _design(seed)
    reference = ConditionalPoisson(y, x, groups=groups).fit(method="newton", disp=0, tol=1e-12)
    ours = conditional.fit(conditional.prepare(y, x, groups), penalty=0.0)
    assert ours.converged
    assert ours.beta == pytest.approx(np.asarray(reference.params), abs=1e-5)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ModelWarning")
@pytest.mark.parametrize("seed", range(4))
def test_score_test_matches_statsmodels_score_and_information(seed: int) -> None:
    """The score of one column at 0 with the others fitted, and its efficient variance."""
    y, x, groups = _design(seed)
    data = conditional.prepare(y, x, groups)
    test, null = conditional.score_test(data, 1, penalty=0.0)
    model = ConditionalPoisson(y, x, groups=groups)
    at = np.array([null.beta[0], 0.0, null.beta[1]])
    score = model.score(at)
    information = -model.hessian(at)
    assert score[0] == pytest.approx(0.0, abs=1e-5) and score[2] == pytest.approx(0.0, abs=1e-5)
    assert test.score == pytest.approx(score[1], rel=1e-6, abs=1e-8)
    rest = [0, 2]
    efficient = information[1, 1] - information[1, rest] @ np.linalg.solve(
        information[np.ix_(rest, rest)], information[rest, 1])  # fmt: skip
    assert test.variance == pytest.approx(efficient, rel=1e-6)


def test_penalty_keeps_an_estimate_finite_when_one_factor_holds_every_episode() -> None:
    y = np.array([3.0, 0, 0, 0, 2, 0, 0, 0])
    x = np.array([[1.0], [0], [0], [1], [1], [0], [0], [0]])
    fitted = conditional.fit(conditional.prepare(y, x, np.array([0, 0, 0, 0, 1, 1, 1, 1])))
    assert fitted.converged and 1.0 < fitted.beta[0] < 10.0


def _names(results: list[Comparison], kind: str = "cramp") -> set[tuple[str, int | None]]:
    """What is named: a factor and its lag, or None for "the day or the day before"."""
    return {(c.factor, None if c.either_day else c.lag) for c in results
            if c.trigger and c.kind == kind}  # fmt: skip


def test_a_factor_that_travels_with_the_trigger_is_not_named() -> None:
    """Caffeine raises cramps 2.5 times; alcohol goes with caffeine and does nothing. Once
    alone it was named in most diaries; adjusted, caffeine is named and alcohol is not."""
    caffeine = alcohol = alcohol_before = 0
    for seed in range(12):
        s = scenario("confounded", 180, 1.0, seed)
        named = _names(analyse(s.diary, s.factors))
        caffeine += ("caffeine", 0) in named
        alcohol += ("alcohol", 0) in named
        alcohol_before += ("alcohol", 0) in _names(analyse_unadjusted(s.diary, s.factors))
    assert alcohol <= 1 and caffeine >= 10
    assert alcohol_before >= 6  # the scenario does fool the method it replaced


def test_streaks_of_exercise_do_not_make_today_a_trigger() -> None:
    today = yesterday = 0
    for seed in range(12):
        s = scenario("lag_streaks", 180, 2.0, seed)
        named = _names(analyse(s.diary, s.factors))
        today += ("exercise", 0) in named
        yesterday += ("exercise", 1) in named
    assert today <= 1 and yesterday >= 9


def test_a_trigger_in_streaks_is_found_at_180_days_and_one_a_day() -> None:
    """Yesterday's exercise raises cramps 2.5 times and exercise runs in streaks. Each lag
    adjusted for the other found it in 58% of diaries; tested once over both lags it is found
    (the day before, or "the day or the day before" when the diary cannot tell), and today's
    exercise is still not named on its own."""
    found = today = 0
    for seed in range(12):
        s = scenario("lag_streaks", 180, 1.0, seed)
        named = _names(analyse(s.diary, s.factors))
        found += bool({("exercise", 1), ("exercise", None)} & named)
        today += ("exercise", 0) in named
    assert found >= 10 and today <= 1


def test_when_the_two_days_cannot_be_told_apart_it_says_so() -> None:
    either = []
    for seed in range(40):
        s = scenario("lag_streaks", 180, 1.0, seed)
        either += [c for c in analyse(s.diary, s.factors, kinds=["cramp"])
                   if c.either_day and c.trigger]  # fmt: skip
    assert either  # the scenario does hold diaries that cannot tell the two days apart
    for c in either:
        assert c.factor == "exercise" and c.lag == 0 and c.ci_low is not None and c.ci_low > 1
        assert OTHER_DAY not in c.adjusted_for and "the other factors" in c.adjusted_for
        words = sentence(c, "long exercise")
        assert words.startswith("On days with long exercise or the day after you logged cramps")
        assert "The day or the day before: this diary cannot tell which." in words
        finding = Finding(c, "long exercise", words)
        assert finding.when == "the same day or the day before"
        assert finding.to_dict()["either_day"] is True


def test_a_factor_is_one_hypothesis_for_benjamini_hochberg() -> None:
    """Both lags of a factor share one adjusted value (their joint test), so twelve factors
    make twelve comparisons for Benjamini-Hochberg, not twenty-four."""
    s = scenario("null", 180, 1.0, 3)
    results = [c for c in analyse(s.diary, s.factors, kinds=["cramp"]) if c.kind == "cramp"]
    by_factor: dict[str, set[float | None]] = {}
    for c in results:
        by_factor.setdefault(c.factor, set()).add(c.q_value)
    assert len(by_factor) == 12 and all(len(q) == 1 for q in by_factor.values())
    assert len({q for qs in by_factor.values() for q in qs}) > 1


def test_the_joint_test_of_two_lags_holds_its_level() -> None:
    """Scores drawn with no effect, correlated as streaks make them or not: the one-sided
    joint p-value falls below 5% about 5% of the time (the chi-bar-squared weights)."""
    rng = np.random.default_rng(7)
    for rho in (-0.5, 0.0, 0.6, 0.9):
        variance = np.array([[4.0, rho * 6.0], [rho * 6.0, 9.0]])
        draws = rng.multivariate_normal([0.0, 0.0], variance, size=4000)
        rate = np.mean([conditional.one_sided_joint_p(u, variance) < 0.05 for u in draws])
        assert 0.04 < rate < 0.06, (rho, rate)
    # a strong effect on one lag alone, none on the other: clearly found
    assert 3e-5 < conditional.one_sided_joint_p(np.array([8.0, 0.0]), np.eye(2) * 4.0) < 2e-4
    # lowering the rate on both days is not a trigger
    assert conditional.one_sided_joint_p(np.array([-8.0, -8.0]), np.eye(2) * 4.0) == 1.0


def test_the_joint_score_of_one_column_is_its_own_score() -> None:
    y, x, groups = _design(5)
    data = conditional.prepare(y, x, groups)
    single, _ = conditional.score_test(data, 1)
    joint, _ = conditional.joint_score_test(data, np.array([1], dtype=np.intp))
    assert joint.score[0] == pytest.approx(single.score, rel=1e-6)
    assert joint.variance[0, 0] == pytest.approx(single.variance, rel=1e-6)


def test_each_comparison_says_what_it_was_adjusted_for() -> None:
    s = scenario("confounded", 180, 1.0, 0)
    result = next(c for c in analyse(s.diary, s.factors) if c.factor == "caffeine")
    assert "the other factors" in result.adjusted_for
    assert "the day of the week" in result.adjusted_for and result.caveat is None


def test_too_few_days_falls_back_to_one_factor_at_a_time_and_says_so() -> None:
    s = scenario("null", 60, 1.0, 1)
    results = [c for c in analyse(s.diary, s.factors) if c.enough_data and c.kind == "cramp"]
    assert results and all(c.caveat == UNADJUSTED for c in results)
    assert all("the other factors" not in c.adjusted_for for c in results)


def test_a_medicine_started_during_a_steady_rise_is_not_named() -> None:
    """Cramps double steadily; a statin started half-way does nothing. Before against after
    it looks like a trigger; against the trend it cannot be told apart, and says so."""
    named = told = 0
    for seed in range(10):
        s = scenario("drift_medicine", 180, 2.0, seed)
        lags = dict.fromkeys(s.medicines, (0,))
        results = analyse(s.diary, s.factors, lags=lags, whole_period=s.medicines)
        statin = next(c for c in results if c.factor == "medicine:statin" and c.kind == "cramp")
        named += statin.trigger
        told += statin.caveat == TREND
        assert "the trend over the diary" in statin.adjusted_for
    assert named == 0 and told >= 5


def test_a_medicine_with_a_real_step_is_still_named() -> None:
    start = date(2026, 1, 5)
    rng = random.Random(4)
    days = []
    for i in range(180):
        taking = i >= 90
        mean = 1.0 * (3.0 if taking else 1.0)
        count = sum(rng.random() < mean / 10 for _ in range(10))
        days.append(Day(start + timedelta(days=i), {"medicine:x": taking}, cramps=count))
    (result,) = analyse(days, ["medicine:x"], lags={"medicine:x": (0,)}, kinds=["cramp"],
                        whole_period=["medicine:x"])  # fmt: skip
    assert result.trigger and result.caveat is None
    assert result.rate_ratio is not None and 2.0 < result.rate_ratio < 4.5


def test_no_answers_left_blank_on_bad_days_are_found_and_never_named() -> None:
    for seed in range(6):
        s = scenario("recording", 180, 1.0, seed)
        warnings = recording.check(s.diary, s.factors, "cramp")
        assert len({w.factor for w in warnings if w.problem == "outcome"}) >= 10
        results = analyse(s.diary, s.factors)
        assert not _names(results)
        assert all(c.caveat == RECORDING for c in results if c.kind == "cramp" and c.enough_data)


def test_honest_recording_raises_no_warning() -> None:
    clean = sum(bool(recording.check(scenario("null", 180, 1.0, seed).diary,
                                     scenario("null", 180, 1.0, seed).factors, "cramp"))
                for seed in range(5))  # fmt: skip
    assert clean == 0


def test_only_yes_and_whole_days_left_out_on_bad_days() -> None:
    start = date(2026, 1, 5)
    rng = random.Random(1)
    days = []
    for i in range(120):
        cramps = int(rng.random() < 0.5)
        recorded = not cramps or rng.random() < 0.4  # bad days mostly not recorded
        heat: bool | None = True if rng.random() < 0.3 else None  # only "yes" kept
        factors = {"heat": heat, "stress": rng.random() < 0.3} if recorded else {}
        days.append(Day(start + timedelta(days=i), factors, cramps=cramps))
    warnings = recording.check(days, ["heat", "stress"], "cramp")
    problems = {(w.factor, w.problem) for w in warnings}
    assert (None, "outcome") in problems and ("heat", "only_yes") in problems
    whole = next(w for w in warnings if w.factor is None)
    assert whole.recorded_with < whole.recorded_without
    words = recording.text(whole, "", "cramps")
    assert words.startswith("Your days were recorded less often on days with cramps")
    assert math.isclose(whole.recorded_without, 1.0)
