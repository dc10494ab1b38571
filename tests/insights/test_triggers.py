"""Trigger statistics: checked against statsmodels and SciPy, and on simulated diaries."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy.stats import beta
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from musclewise.insights.simulate import simulate
from musclewise.insights.triggers import Day, analyse, counts, rate_ratio, sentence

FACTORS = {f"factor_{i}": 0.4 for i in range(6)}


@pytest.mark.parametrize(
    ("a", "t1", "b", "t0"), [(20, 40, 10, 50), (7, 30, 3, 60), (12, 45, 15, 45)]
)
def test_p_value_matches_statsmodels_exact_conditional(a: int, t1: int, b: int, t0: int) -> None:
    _, _, _, p = rate_ratio(a, t1, b, t0)
    reference = poisson_2indep(a, t1, b, t0, method="exact-cond", compare="ratio").pvalue
    assert p == pytest.approx(reference, rel=1e-6)


def test_interval_is_the_clopper_pearson_interval_transformed() -> None:
    a, t1, b, t0 = 20, 40, 10, 50
    rr, low, high, _ = rate_ratio(a, t1, b, t0)
    n = a + b
    p_low = beta.ppf(0.025, a, n - a + 1)
    p_high = beta.ppf(0.975, a + 1, n - a)
    assert rr == pytest.approx((a / t1) / (b / t0))
    assert low == pytest.approx(p_low / (1 - p_low) * t0 / t1, rel=1e-6)
    assert high == pytest.approx(p_high / (1 - p_high) * t0 / t1, rel=1e-6)


def test_lag_compares_with_the_day_before() -> None:
    days = [
        Day(date(2026, 1, 1), {"run": True}, cramps=0),
        Day(date(2026, 1, 2), {"run": False}, cramps=2),
        Day(date(2026, 1, 3), {"run": False}, cramps=0),
    ]
    assert counts(days, "run", 0, "cramp") == (1, 0, 2, 2)
    assert counts(days, "run", 1, "cramp") == (1, 2, 1, 0)


def test_no_claim_without_enough_data() -> None:
    diary = simulate(10, {"coffee": 0.5}, {}, seed=1)
    (result,) = analyse(diary, ["coffee"], lags=[0], kinds=["cramp"])
    assert not result.enough_data and not result.trigger and result.days_needed > 0
    assert "more days of diary are needed" in sentence(result, "coffee")


def test_planted_triggers_are_found() -> None:
    """Rate ratios of 2 and 3 over 90 days, for someone with cramps most nights (0.8 a day)."""
    found = runs = 0
    for seed in range(40):
        effects = {("factor_0", 0): 2.0, ("factor_1", 1): 3.0}
        diary = simulate(90, FACTORS, effects, base_rate=0.8, seed=seed)
        results = analyse(diary, list(FACTORS), kinds=["cramp"])
        hits = {(r.factor, r.lag) for r in results if r.trigger}
        found += (("factor_0", 0) in hits) + (("factor_1", 1) in hits)
        runs += 2
    assert found / runs >= 0.9


def test_few_false_triggers_where_none_exist() -> None:
    diaries_with_a_false_trigger = 0
    for seed in range(60):
        diary = simulate(90, FACTORS, {}, seed=1000 + seed)
        if any(r.trigger for r in analyse(diary, list(FACTORS))):
            diaries_with_a_false_trigger += 1
    assert diaries_with_a_false_trigger / 60 <= 0.10


def test_sentence_says_association_not_cause() -> None:
    diary = simulate(120, {"intense": 0.4}, {("intense", 1): 3.0}, seed=3)
    result = next(r for r in analyse(diary, ["intense"], kinds=["cramp"]) if r.lag == 1)
    text = sentence(result, "intense exercise")
    assert result.trigger and "association, not a cause" in text
    assert text.startswith("On days after intense exercise you logged cramps about")
    assert (
        result.ci_low is not None and result.ci_low > 1 and not math.isnan(result.rate_ratio or 0)
    )
