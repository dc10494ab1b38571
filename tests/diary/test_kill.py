"""A process killed with SIGKILL in the middle of a large import leaves the database as it
was: nothing of the import, and a database that works (SQLite: integrity check passes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from musclewise import assess
from musclewise.diary import Diary

ROWS = 40_000
ASSESSMENT = assess({"site": "calf", "pain": 5})  # a whole one: imports check the contract


def big_file(path: Path) -> Path:
    start = datetime(2000, 1, 1, tzinfo=UTC)
    with path.open("w") as out:
        out.write(json.dumps({"record": "profile", "timezone": "UTC"}) + "\n")
        for i in range(ROWS):
            row = {"record": "episode", "site": "calf", "pain": i % 11, "duration_s": 60,
                   "started_at": (start + timedelta(hours=i)).isoformat(),
                   "assessment": ASSESSMENT}  # fmt: skip
            out.write(json.dumps(row) + "\n")
    return path


def wait_until(condition: object, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, f"the import ended before {what}: {process.stderr}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_in_the_middle_of_an_import(db_url: str, tmp_path: Path) -> None:
    postgres = db_url.startswith("postgresql")
    name = f"mwkill{uuid.uuid4().hex[:10]}"
    url = f"{db_url}&application_name={name}" if postgres else db_url
    source = big_file(tmp_path / "big.jsonl")
    process = subprocess.Popen(
        [sys.executable, "-m", "musclewise", "import", str(source)],
        env={**os.environ, "MUSCLEWISE_DATABASE_URL": url},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        if postgres:
            admin = create_engine(db_url.partition("?")[0])
            query = text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                "AND xact_start IS NOT NULL AND query ILIKE '%episode%'"
            )

            def writing() -> bool:
                with admin.connect() as connection:
                    return bool(connection.execute(query, {"name": name}).scalar())

            wait_until(writing, process, "it wrote episodes")
            time.sleep(0.5)  # well into the import
        else:
            wal = tmp_path / "diary.sqlite3-wal"
            wait_until(lambda: wal.exists() and wal.stat().st_size > 1_000_000, process,
                       "the write-ahead log grew")  # fmt: skip
        assert process.poll() is None, "the import must still be running when it is killed"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    if postgres:
        gone = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        deadline = time.monotonic() + 30
        while True:
            with admin.connect() as connection:
                if not connection.execute(gone, {"name": name}).scalar():
                    break
            assert time.monotonic() < deadline, "the server kept the killed connection"
            time.sleep(0.05)
        admin.dispose()
    with Diary(db_url) as diary:
        assert diary.people() == [], "nothing of the import is in the database"
        assert diary.list_episodes() == []
        if not postgres:
            with diary.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        diary.set_profile({"timezone": "UTC"})
        assert diary.add_episode("calf", pain=3, duration_s=30).id >= 1, "it still works"
