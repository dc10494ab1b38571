"""``reassess`` loads what the merge reads once: a bounded number of SQL statements for many
episodes, and the same assessments as assessing each episode on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from musclewise.assessment import assess_valid
from musclewise.diary import Diary
from musclewise.findings import validate_findings

EPISODES = 200
MAX_STATEMENTS = 10


def test_reassess_of_200_episodes_takes_at_most_10_statements(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    with Diary(url) as diary:
        diary.set_profile({"birth_year": 1958, "timezone": "Europe/London"})
        today = diary.today()
        start = today - timedelta(days=EPISODES // 2 + 5)
        diary.add_medicine("simvastatin", started_on=start + timedelta(days=30))
        diary.add_medicine("salbutamol", started_on=start)
        diary.stop_medicine("salbutamol", on=start + timedelta(days=60))
        with diary.transaction():
            for n in range(0, EPISODES // 2, 3):
                diary.set_day(
                    start + timedelta(days=n), {"fluids_litres": 0.8 + n % 2, "stress": 3}
                )
            for n in range(EPISODES):
                moment = datetime.combine(start + timedelta(days=n // 2), datetime.min.time(), UTC)
                diary.add_episode("calf", pain=1 + n % 9, duration_s=30 + n,
                                  started_at=moment + timedelta(hours=3 + 10 * (n % 2)))  # fmt: skip
        with diary.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE episode SET knowledge_version = '0.0.old'")
        diary.set_profile(add_conditions=["peripheral_artery_disease"])

        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]).split(None, 1)[0])

        event.listen(diary.engine, "before_cursor_execute", count)
        try:
            report = diary.reassess()
        finally:
            event.remove(diary.engine, "before_cursor_execute", count)

        assert report.checked == EPISODES and report.updated == EPISODES
        assert "UPDATE" in statements, "the new assessments were written"
        assert len(statements) <= MAX_STATEMENTS, statements

        # the batch path gives what assessing each episode on its own gives
        for episode in diary.list_episodes():
            expected = assess_valid(validate_findings(diary.findings_for(episode.id)))
            assert episode.assessment == expected
        assert diary.stale_episodes() == 0


def test_reassess_of_given_ids_reads_the_day_before(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'diary.sqlite3'}") as diary:
        diary.set_profile({"timezone": "UTC"})
        yesterday = diary.today() - timedelta(days=1)
        noon = datetime.combine(diary.today(), datetime.min.time(), UTC) + timedelta(hours=1)
        episode = diary.add_episode("calf", pain=3, duration_s=40, started_at=noon)
        diary.set_day(yesterday, {"alcohol_drinks": 6})
        assert diary.findings_for(episode.id)["alcohol_drinks"] == 6
        diary.reassess([episode.id, episode.id])
        stored = diary.get_episode(episode.id)
        assert stored.assessment == assess_valid(validate_findings(diary.findings_for(episode.id)))
