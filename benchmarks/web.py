"""The web app's page render times (issue 11): every page on a diary of 1,000 episodes (p95
under 100 ms), and a description read into an answer page (under 150 ms, the reader loaded
once at start-up). In process, through the ASGI app (Starlette's TestClient): the figures are
the app's own time, without a network or a browser.

Run alone: ``python benchmarks/web.py`` (``MUSCLEWISE_BENCH_QUICK=1`` for fewer rounds).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EPISODES = 1_000
ROUNDS = 5 if os.environ.get("MUSCLEWISE_BENCH_QUICK") else 30
PAGES = ["/", "/assess", "/check", "/diary", "/diary?site=calf", "/day", "/profile",
         "/knowledge", "/settings", "/transfer", "/report"]  # fmt: skip
TEXT = ("Woke up at 3am with my left calf locked solid, agony for about two minutes, "
        "stretching it helped, no swelling")  # fmt: skip


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _fill(url: str) -> int:
    from musclewise.diary import Diary

    rng = random.Random(11)
    start = datetime.now(UTC) - timedelta(days=700)
    sites = ["calf", "calf", "calf", "foot", "thigh_back", "eyelid", "hand"]
    with Diary(url) as diary, diary.transaction():
        for i in range(EPISODES):
            site = rng.choice(sites)
            diary.add_episode(
                site,
                pain=rng.randint(2, 9),
                duration_s=rng.choice([20, 60, 90, 180]),
                started_at=start + timedelta(hours=16 * i + rng.randint(0, 8)),
                findings={"onset": "during_sleep"} if rng.random() < 0.6 else {},
            )
        return diary.list_episodes(limit=1)[0].id


def run() -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from musclewise.assessment import read_into
    from musclewise.findings import validate_findings
    from musclewise.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'diary.sqlite3'}"
        first = _fill(url)
        read_into(validate_findings({"text": TEXT}))  # the reader, loaded once at start-up
        app = create_app(url)
        client = TestClient(app, base_url="http://127.0.0.1")
        pages = [*PAGES, f"/diary/{first}", f"/diary/{first}/edit", "/insights"]
        times: dict[str, list[float]] = {p: [] for p in pages}
        for _ in range(ROUNDS):
            for page in pages:
                start = time.perf_counter()
                response = client.get(page)
                times[page].append(time.perf_counter() - start)
                assert response.status_code == 200, page
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/assess").text)
        assert token
        answer: list[float] = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            read = client.post(
                "/assess", data={"csrf": token.group(1), "text": TEXT}, follow_redirects=False
            )
            key = read.headers["location"].split("/")[2]
            response = client.get(f"/check/{key}/answer")
            answer.append(time.perf_counter() - start)
            assert response.status_code == 200
        app.state.web.close()
    # the first insights view draws the charts; later views of an unchanged diary reuse them
    first_insights = times["/insights"].pop(0)
    every = [t for ts in times.values() for t in ts]
    return {
        "insights_first_ms": first_insights * 1000,
        "episodes": EPISODES,
        "rounds": ROUNDS,
        "pages": {p: (_p95(ts) * 1000, statistics.median(ts) * 1000) for p, ts in times.items()},
        "p95_ms": _p95(every) * 1000,
        "answer_p95_ms": _p95(answer) * 1000,
        "answer_median_ms": statistics.median(answer) * 1000,
    }


def section(r: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| `{page}` | {p95:.1f} ms | {median:.1f} ms |"
        for page, (p95, median) in r["pages"].items()
    )
    return f"""
## The web app (issue 11)

Every page of the web app on a diary of {r["episodes"]:,} episodes, {r["rounds"]} rounds each,
in process through the ASGI app (no network, no browser); the answer page is a description
posted to `/assess` (read by the free-text reader, loaded once at start-up) and the answer page
rendered from it. Written by `benchmarks/web.py`.

| measure | figure | target |
|---|---|---|
| every page, p95 (insights of an unchanged diary included) | {r["p95_ms"]:.1f} ms | < 100 ms |
| insights, the first view after the diary changed (charts drawn) | {r["insights_first_ms"]:.0f} ms | |
| describe it → the answer page, p95 | {r["answer_p95_ms"]:.1f} ms (median {r["answer_median_ms"]:.1f} ms) | < 150 ms |

| page | p95 | median |
|---|---|---|
{rows}

Insights draws its charts (matplotlib, about a second) the first time the diary is viewed after
a change, then reuses them while the diary stays as it is (`web/pages.py`, `_insights`).
"""


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    result = run()
    print(section(result))
