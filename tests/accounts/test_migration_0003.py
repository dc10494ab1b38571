"""Migration 0003 on a diary that already holds data: nothing is lost (SQLite rebuilds the
person table: its episodes, medicines and days stay with it), every episode gets its own
public id, and going back to 0002 keeps the diary of no account."""

from __future__ import annotations

import re

from sqlalchemy import text

from musclewise.diary import Diary, database


def test_upgrading_a_filled_diary_keeps_everything(empty_url: str) -> None:
    engine = database.make_engine(database.resolve_url(empty_url))
    try:
        database.upgrade(engine, "0002")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO person (name, timezone, created_at) VALUES "
                    "('me', 'Europe/London', '2026-01-01 00:00:00+00:00'), "
                    "('Tom', 'Europe/London', '2026-01-01 00:00:00+00:00')"
                )
            )
            me, tom = (
                connection.execute(
                    text("SELECT id FROM person WHERE name = :n"), {"n": n}
                ).scalar_one()
                for n in ("me", "Tom")
            )
            for n in range(1, 4):
                connection.execute(
                    text(
                        "INSERT INTO episode (id, person_id, started_at, tz, site, findings, kind, "
                        "triage, assessment, knowledge_version, created_at, updated_at) VALUES "
                        f"({n}, {(me, tom)[n % 2]}, '2026-01-0{n} 03:00:00+00:00', 'Europe/London', 'calf',"
                        " '{}', 'cramp', 'self_care', '{}', 'k', '2026-01-01 00:00:00+00:00', "
                        "'2026-01-01 00:00:00+00:00')"
                    )
                )
            connection.execute(
                text("INSERT INTO medicine (person_id, name) VALUES (1, 'atorvastatin')")
            )
            connection.execute(
                text(
                    "INSERT INTO day_context (person_id, date, stress) VALUES (2, '2026-01-02', 4)"
                )
            )
        database.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, person_id, public_id FROM episode ORDER BY id")
            ).all()
            assert [(r[0], r[1]) for r in rows] == [(1, tom), (2, me), (3, tom)]
            assert all(re.fullmatch(r"[0-9a-f]{32}", r[2]) for r in rows)
            assert len({r[2] for r in rows}) == 3
            assert connection.execute(text("SELECT count(*) FROM medicine")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM day_context")).scalar() == 1
            people = connection.execute(text("SELECT name, account_id FROM person")).all()
            assert sorted(people) == [("Tom", None), ("me", None)]
        with Diary(engine=engine, person="Tom") as tom:
            assert len(tom.list_episodes()) == 2 and tom.get_day(tom.list_days()[0].date)
            tom.add_person("Ann")  # names are still unique among the people of no account
        database.downgrade(engine, "0002")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM episode")).scalar() == 3
            assert connection.execute(text("SELECT count(*) FROM person")).scalar() == 3
    finally:
        engine.dispose()
