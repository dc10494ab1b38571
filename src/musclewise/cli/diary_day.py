"""``musclewise day [DATE]``: record (or show) the context of one day."""

from __future__ import annotations

from typing import Any

import typer

from musclewise.cli.diary_common import (
    DATABASE_URL,
    FORMAT,
    JSON_FLAG,
    PERSON,
    open_diary,
    print_json,
    wants_json,
)
from musclewise.cli.formats import Format

LABELS = {
    "exercise_minutes": "exercise (minutes)",
    "exercise_intense": "hard exercise",
    "fluids_litres": "fluids (litres)",
    "fluids_low": "drank little",
    "caffeine_cups": "caffeine (cups)",
    "alcohol_drinks": "alcohol (drinks)",
    "cigarettes": "cigarettes",
    "stress": "stress (0-10)",
    "sleep_hours": "sleep (hours)",
    "screen_hours": "screens (hours)",
    "hot_environment": "hot environment",
    "heavy_sweating": "heavy sweating",
    "long_sitting_or_standing": "long sitting or standing",
    "cold_exposure": "cold",
    "low_mineral_diet": "diet low in minerals",
    "medicines_missed": "medicines missed",
    "notes": "notes",
}


def day_command(
    day: str = typer.Argument("today", help="today, yesterday or 2026-11-20."),
    exercise_minutes: float | None = typer.Option(None, "--exercise", help="Minutes of exercise."),
    exercise_intense: bool | None = typer.Option(
        None, "--intense/--not-intense", help="The exercise was hard.", show_default=False
    ),
    fluids_litres: float | None = typer.Option(None, "--fluids", help="Litres drunk."),
    fluids_low: bool | None = typer.Option(
        None, "--fluids-low/--fluids-ok", help="Drank little.", show_default=False
    ),
    caffeine_cups: float | None = typer.Option(None, "--caffeine", help="Cups of coffee, tea..."),
    alcohol_drinks: float | None = typer.Option(None, "--alcohol", help="Alcoholic drinks."),
    cigarettes: int | None = typer.Option(None, "--cigarettes", help="Cigarettes smoked."),
    stress: int | None = typer.Option(None, "--stress", help="Stress, 0 to 10."),
    sleep_hours: float | None = typer.Option(None, "--sleep-hours", help="Hours slept."),
    screen_hours: float | None = typer.Option(None, "--screen-hours", help="Hours at screens."),
    hot_environment: bool | None = typer.Option(
        None, "--hot/--not-hot", help="A hot environment.", show_default=False
    ),
    heavy_sweating: bool | None = typer.Option(
        None, "--sweating/--no-sweating", help="Heavy sweating.", show_default=False
    ),
    long_sitting_or_standing: bool | None = typer.Option(
        None, "--sitting/--not-sitting", help="Long sitting or standing.", show_default=False
    ),
    cold_exposure: bool | None = typer.Option(
        None, "--cold/--not-cold", help="Exposure to cold.", show_default=False
    ),
    low_mineral_diet: bool | None = typer.Option(
        None,
        "--low-mineral-diet/--mineral-diet-ok",
        help="Ate little fruit, veg, dairy.",
        show_default=False,
    ),
    medicines_missed: str | None = typer.Option(
        None, "--missed", metavar="TEXT", help="Medicines missed that day."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Notes about the day."),
    unset: list[str] | None = typer.Option(
        None, "--unset", metavar="FIELD", help="Forget a field, e.g. --unset caffeine_cups."
    ),
    output_format: Format | None = FORMAT,
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
    person: str | None = PERSON,
) -> None:
    """Record the context of a day (what is given changes; the rest stays), or show it.

    Examples:

      musclewise day --caffeine 4 --exercise 60 --intense

      musclewise day yesterday --fluids 0.8 --hot --sweating

      musclewise day 2026-11-20        (shows what is recorded)

    Episodes already logged keep their assessment until musclewise episodes reassess.
    """
    as_json = wants_json(output_format, json_flag)
    values: dict[str, Any] = {
        k: v for k, v in locals().items() if k in LABELS and k != "unset" and v is not None
    }
    from musclewise.diary.times import parse_day

    with open_diary(database_url, person, write=bool(values or unset)) as diary:
        date = parse_day(day, diary.timezone())
        if values or unset:
            record = diary.set_day(date, values, unset=unset or ())
            verb = "Saved"
        else:
            found = diary.get_day(date)
            if found is None:
                if as_json:
                    print_json({"date": date.isoformat()})
                else:
                    typer.echo(
                        f"Nothing recorded for {date}; musclewise day --help lists the options."
                    )
                return
            record, verb = found, ""
    if as_json:
        print_json(record.to_dict())
        return
    typer.echo(f"{verb + ' ' if verb else ''}{record.date:%A %d %B %Y}:")
    for key, value in record.values.items():
        shown = (
            ("yes" if value else "no")
            if isinstance(value, bool)
            else f"{value:g}"
            if (isinstance(value, float))
            else str(value)
        )
        typer.echo(f"  {LABELS[key]}: {shown}")
