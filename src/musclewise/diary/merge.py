"""The clinical merge: what an episode is assessed on, from the episode, the person and the days.

A pure function of plain values (no database, no clock), so that the rules below are tested
on their own and :meth:`musclewise.diary.Diary.reassess` can load everything once:

- ``age`` is the episode's local year minus the birth year (never below 0);
- ``sex``, ``pregnant`` and ``conditions`` come from the profile;
- ``medications`` are the medicines taken on the episode's local day;
- ``new_medicine`` is true when a medicine was started or stopped within
  :data:`NEW_MEDICINE_DAYS` days before the episode (or on its day);
- the day's context (or, when that day has none, the day before's) adds its findings, with
  ``fluids_litres`` under :data:`LOW_FLUIDS_LITRES` read as ``fluids_low``;
- the episode's own columns and findings come last and win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from musclewise.diary.records import MedicineRecord

NEW_MEDICINE_DAYS = 90
"""A medicine started or stopped this many days before an episode makes ``new_medicine`` true."""
LOW_FLUIDS_LITRES = 1.5
"""Below this, a day's ``fluids_litres`` reads as ``fluids_low`` (NHS: 6 to 8 glasses a day)."""
DAY_TO_FINDINGS = (
    "exercise_minutes", "exercise_intense", "fluids_low", "caffeine_cups", "alcohol_drinks",
    "stress", "sleep_hours", "screen_hours", "hot_environment", "heavy_sweating",
    "long_sitting_or_standing", "cold_exposure", "low_mineral_diet",
)  # fmt: skip
"""The day's context columns that are findings under the same name."""


def day_findings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The findings a day's context gives (its known values by column name)."""
    found = {k: v for k in DAY_TO_FINDINGS if (v := values.get(k)) is not None}
    fluids = values.get("fluids_litres")
    if "fluids_low" not in found and fluids is not None:
        found["fluids_low"] = fluids < LOW_FLUIDS_LITRES
    cigarettes = values.get("cigarettes")
    if cigarettes is not None:
        found["smoker"] = cigarettes > 0
    return found


def merged_findings(
    day: date,
    *,
    own: Mapping[str, Any],
    birth_year: int | None = None,
    sex: str | None = None,
    pregnant: bool | None = None,
    conditions: Iterable[str] = (),
    medicines: Iterable[MedicineRecord] = (),
    days: Mapping[date, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The findings an episode on the local ``day`` is assessed on.

    ``own`` is the episode's known columns and findings (they win); ``days`` maps a date to
    that day's context values (only ``day`` and the day before are read).
    """
    merged: dict[str, Any] = {}
    days = days or {}
    context = days.get(day)
    if context is None:
        context = days.get(day - timedelta(days=1))
    if context is not None:
        merged.update(day_findings(context))
    if birth_year is not None:
        merged["age"] = max(0, day.year - birth_year)
    if sex is not None:
        merged["sex"] = sex
    if pregnant is not None:
        merged["pregnant"] = pregnant
    condition_list = list(conditions)
    if condition_list:
        merged["conditions"] = condition_list
    medicine_list = list(medicines)
    taken = [m.name for m in medicine_list if m.taken_on(day)]
    if taken:
        merged["medications"] = taken
    recent = day - timedelta(days=NEW_MEDICINE_DAYS)
    if any(
        (m.started_on is not None and recent <= m.started_on <= day)
        or (m.stopped_on is not None and recent <= m.stopped_on <= day)
        for m in medicine_list
    ):
        merged["new_medicine"] = True
    merged.update(own)
    return merged


def assess_merged(merged: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment stored with an episode, of the findings :func:`merged_findings` gave
    (checked by :func:`musclewise.findings.validate_findings` first)."""
    from musclewise.assessment import assess_valid
    from musclewise.findings import validate_findings

    return dict(assess_valid(validate_findings(merged)))
