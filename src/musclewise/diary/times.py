"""Time zones and the dates and times people type, read in the person's own zone.

Every datetime here is timezone-aware. A local time that does not exist (the hour skipped when
clocks go forward) is refused; one that happens twice (clocks go back) is the first of the two.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from musclewise.diary.errors import DiaryValueError, FieldProblem

FUTURE_SLACK = timedelta(minutes=5)
"""How far ahead of the clock a time may be (clocks of two devices differ a little)."""
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)

_CLOCK = re.compile(r"^(?P<h>\d{1,2})[:.h](?P<m>\d{2})(?::(?P<s>\d{2}))?$")


def now() -> datetime:
    return datetime.now(UTC)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    """The zone of an IANA name (``Europe/London``), or an error suggesting the closest names."""
    if name and not name.startswith(("/", ".")) and ".." not in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    close = difflib.get_close_matches(name, sorted(_zone_names()), n=3, cutoff=0.6)
    hint = f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise DiaryValueError(
        [FieldProblem(field, f"'{name}' is not an IANA time zone name{hint}")],
        hint="use a name such as Europe/London, America/New_York or UTC",
    )


def local_zone_name() -> str:
    """The IANA name of this computer's zone, if it can be told; otherwise ``UTC``."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if _is_zone_name(name):
            return name
    return "UTC"


_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")
_NOT_ZONES = frozenset({"localtime", "posixrules", "posix", "right"})
"""Files and folders of the time zone database that are not zones people live in."""


def _is_zone_name(name: str) -> bool:
    """Whether ``name`` is an IANA zone this computer knows, without listing them all (that
    reads the whole database: a tenth of ``log``'s start-up)."""
    if not _ZONE_NAME.match(name) or name.split("/", 1)[0] in _NOT_ZONES:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def today(zone_name: str) -> date:
    """Today's date where the person is."""
    return now().astimezone(zone(zone_name)).date()


def localise(naive: datetime, zone_name: str, field: str) -> datetime:
    """A wall-clock time in the zone as an aware datetime; refuses times that did not exist."""
    tz = zone(zone_name)
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive.replace(fold=0):
        raise DiaryValueError(
            [FieldProblem(field, f"{naive:%Y-%m-%d %H:%M} did not exist in {zone_name} "
                                 "(the clocks went forward)")]
        )  # fmt: skip
    return aware


def check_not_future(when: datetime, field: str) -> datetime:
    """Refuse a time in the future or before 1900."""
    if when > now() + FUTURE_SLACK:
        raise DiaryValueError([FieldProblem(field, "is in the future; give a time up to now")])
    if when < EARLIEST:
        raise DiaryValueError([FieldProblem(field, "is before 1900")])
    return when


def parse_when(text: str, zone_name: str, field: str = "started_at") -> datetime:
    """When an episode started: ``now``, ``03:10``, ``yesterday 22:45``, ``2026-11-20 03:10``,
    or ISO 8601 with an offset. Wall-clock times are in ``zone_name``; a bare clock time means
    the last time the clock showed it. Never in the future."""
    cleaned = " ".join(text.strip().lower().split())
    tz = zone(zone_name)
    local_now = now().astimezone(tz)
    wanted = (
        f"{field}: '{text}' is not a time; use now, 03:10, yesterday 22:45, "
        "2026-11-20 03:10 or an ISO 8601 time"
    )
    if cleaned == "now":
        return now()
    day_word, _, rest = cleaned.partition(" ")
    if day_word in ("today", "yesterday") and (clock := _CLOCK.match(rest)):
        day = local_now.date() - timedelta(days=1 if day_word == "yesterday" else 0)
        result = localise(datetime.combine(day, _clock(clock, field)), zone_name, field)
        return check_not_future(result, field)
    if clock := _CLOCK.match(cleaned):
        result = localise(
            datetime.combine(local_now.date(), _clock(clock, field)), zone_name, field
        )
        if result > now() + FUTURE_SLACK:
            yesterday = local_now.date() - timedelta(days=1)
            result = localise(datetime.combine(yesterday, _clock(clock, field)), zone_name, field)
        return result
    try:
        parsed = datetime.fromisoformat(cleaned.upper().replace(" ", "T", 1))
    except ValueError:
        raise DiaryValueError([FieldProblem(field, wanted.partition(": ")[2])]) from None
    if len(cleaned) <= 10:
        raise DiaryValueError([FieldProblem(field, f"'{text}' has no time of day; add one, "
                                                   "e.g. 2026-11-20 03:10")])  # fmt: skip
    if parsed.tzinfo is None:
        parsed = localise(parsed, zone_name, field)
    return check_not_future(parsed, field)


def _clock(match: re.Match[str], field: str) -> time:
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DiaryValueError([FieldProblem(field, f"{match.group(0)} is not a time of day")])
    return time(hour, minute, second)


def parse_day(text: str, zone_name: str, field: str = "DATE") -> date:
    """A date: ``today``, ``yesterday`` or ``2026-11-20``; never after today in the zone."""
    cleaned = text.strip().lower()
    current = today(zone_name)
    if cleaned == "today":
        return current
    if cleaned == "yesterday":
        return current - timedelta(days=1)
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise DiaryValueError(
            [FieldProblem(field, f"'{text}' is not a date; use today, yesterday or 2026-11-20")]
        ) from None
    return check_day(day, zone_name, field)


def check_day(day: date, zone_name: str, field: str) -> date:
    if day > today(zone_name):
        raise DiaryValueError(
            [FieldProblem(field, f"{day} is in the future; give a date up to today")]
        )
    if day.year < 1900:
        raise DiaryValueError([FieldProblem(field, f"{day} is before 1900")])
    return day


def day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The first instant of a local day and of the next one, as aware datetimes."""
    tz = zone(zone_name)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def parse_bound(text: str, zone_name: str, field: str, *, end: bool) -> datetime:
    """A filter bound: a date (its start, or with ``end`` the start of the next day) or a time.

    Future bounds are allowed here: they only filter."""
    cleaned = text.strip()
    if cleaned.lower() in ("today", "yesterday") or len(cleaned) <= 10:
        try:
            day = (
                parse_day(cleaned, zone_name, field)
                if not cleaned[:1].isdigit()
                else (date.fromisoformat(cleaned))
            )
        except ValueError:
            raise DiaryValueError(
                [FieldProblem(field, f"'{text}' is not a date; use 2026-11-20 or yesterday")]
            ) from None
        start, next_start = day_bounds(day, zone_name)
        return next_start if end else start
    try:
        parsed = datetime.fromisoformat(cleaned.replace(" ", "T", 1))
    except ValueError:
        raise DiaryValueError(
            [FieldProblem(field, f"'{text}' is not a date or time; use 2026-11-20 or "
                                 "2026-11-20 18:00")]
        ) from None  # fmt: skip
    return parsed if parsed.tzinfo else localise(parsed, zone_name, field)
