"""``musclewise insights`` and ``musclewise report``, run as a person would (subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.insights.conftest import DEMO_END, need_weasyprint

PERIOD = ["--until", str(DEMO_END)]


def test_insights_json_and_charts(demo_url: str, tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    result = run_cli("insights", "--database-url", demo_url, *PERIOD, "--format", "json",
                     "--charts", str(charts), "--png")  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["period"]["end"] == str(DEMO_END)
    assert data["counts"]["episodes"] > 50
    assert all(p["level"] and p["sources"] for p in data["patterns"])
    assert "Benjamini-Hochberg" in data["triggers"]["statement"]
    tested = [c for c in data["triggers"]["comparisons"] if c["enough_data"]]
    assert tested and all(c["adjusted_for"] for c in tested)
    # the demo's statin starts half-way through a steady rise: never named from before/after
    statin = next(m for m in data["medicines"] if m["name"].startswith("Atorvastatin"))
    assert "cannot tell that apart from a steady rise" in statin["in_this_diary"]
    assert not any(f["factor"].startswith("medicine:") for f in data["triggers"]["found"])
    # the demo's one real trigger (the night after a hard run) is named, adjusted, and the
    # diary records every factor both ways, so no recording warning
    found = {(f["factor"], f["lag_days"], f["kind"]) for f in data["triggers"]["found"]}
    assert ("intense_exercise", 1, "cramp") in found
    hard = next(f for f in data["triggers"]["found"] if f["factor"] == "intense_exercise")
    assert hard["ci95"][0] > 1 and "the other factors" in hard["adjusted_for"]
    assert hard["sentence"].startswith("On days after intense exercise you logged cramps")
    assert data["triggers"]["recording"] == []
    label = next(c for c in statin["classes"] if c["cramp_linked"])
    assert label["sources"] and all(s["title"] for s in label["sources"])
    names = {p.name for p in charts.iterdir()}
    for chart in ("weekly-counts", "time-of-day", "pain-over-time", "triggers", "body-map"):
        assert {f"{chart}.svg", f"{chart}.png"} <= names
    assert (charts / "body-map.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(data["charts"]) == sorted(str(charts / n) for n in names)


def test_insights_text_shows_patterns_then_triggers_then_counts(demo_url: str) -> None:
    result = run_cli("insights", "--database-url", demo_url, *PERIOD,
                     env={"COLUMNS": "200"})  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    places = [out.index(h) for h in ("Warning patterns", "Possible triggers", "Counts")]
    assert places == sorted(places)
    assert "SEE A DOCTOR" in out and "An association is not a cause." in out
    assert "adjusted for testing many at once" in out.replace("\n", " ")


def test_insights_period_and_bad_options(demo_url: str) -> None:
    result = run_cli("insights", "--database-url", demo_url, "--since", "2026-09-01",
                     "--until", "2026-09-30", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    period = json.loads(result.stdout)["period"]
    assert (period["start"], period["end"], period["days"]) == ("2026-09-01", "2026-09-30", 30)
    bad = run_cli("insights", "--database-url", demo_url, "--since", "2026-09-30",
                  "--until", "2026-09-01")  # fmt: skip
    assert bad.returncode == 2 and b"--until" in bad.stderr
    bad = run_cli("insights", "--database-url", demo_url, "--png")
    assert bad.returncode == 2 and b"--charts" in bad.stderr


def test_report_html_and_pdf(demo_url: str, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = run_cli("report", "--database-url", demo_url, *PERIOD, "--output", str(html))
    assert result.returncode == 0, result.stderr.decode()
    assert b"summary for a clinician" in html.read_bytes()
    assert not list(tmp_path.glob(".*partial"))
    need_weasyprint()
    pdf = tmp_path / "report.pdf"
    result = run_cli("report", "--database-url", demo_url, *PERIOD, "-o", str(pdf))
    assert result.returncode == 0, result.stderr.decode()
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = run_cli("report", "--database-url", demo_url, "--output", str(tmp_path / "r.txt"))
    assert bad.returncode == 2 and b".pdf or .html" in bad.stderr


def _diary_file(path: Path, seed: int) -> None:
    """A confounded diary of issue 13 as a JSON Lines file, as a person's export would be:
    caffeine (3 cups or more) raises cramps 2.5 times; 3 or more drinks go with caffeine and do
    nothing; six more daily factors do nothing either."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from musclewise.insights.simulate import scenario

    s = scenario("confounded", 180, 1.0, seed)
    zone = ZoneInfo("Europe/London")
    columns = {  # the scenario's factors as the day's context: (column, yes, no)
        "caffeine": ("caffeine_cups", 4, 1), "alcohol": ("alcohol_drinks", 3, 0),
        "exercise": ("exercise_minutes", 75, 20), "factor_0": ("stress", 8, 2),
        "factor_1": ("sleep_hours", 5, 7.5), "factor_2": ("screen_hours", 7, 2),
        "factor_3": ("hot_environment", True, False),
        "factor_4": ("long_sitting_or_standing", True, False),
        "factor_5": ("exercise_intense", True, False),
    }  # fmt: skip
    lines: list[dict[str, object]] = [
        {"record": "profile", "timezone": "Europe/London", "birth_year": 1970, "sex": "male"}
    ]
    episodes = []
    for day in s.diary:
        values = {column: yes if day.factors[f] else no for f, (column, yes, no) in columns.items()}
        if not day.factors["exercise"]:
            values["exercise_intense"] = False
        lines.append({"record": "day", "date": day.day.isoformat(), **values})
        for k in range(day.cramps):
            local = datetime.combine(day.day, time(2, 0), tzinfo=zone) + timedelta(minutes=37 * k)
            episodes.append({
                "record": "episode", "site": "calf", "side": "left", "pain": 6,
                "duration_s": 90, "started_at": local.astimezone(ZoneInfo("UTC")).isoformat(),
                "tz": "Europe/London",
                "findings": {"muscle_hard": True, "relieved_by_stretch": True,
                             "extent": "whole_muscle", "onset": "during_sleep"},
            })  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines + episodes))


def test_confounded_diaries_through_the_command_line(tmp_path: Path) -> None:
    """Issue 13: eight diaries where alcohol travels with caffeine, imported from JSON Lines
    and read back with insights --format json: caffeine named in at least 6, alcohol in at most
    1 (the method before named alcohol in most)."""
    caffeine = alcohol = 0
    for seed in range(8):
        source = tmp_path / f"diary{seed}.jsonl"
        _diary_file(source, seed)
        url = f"sqlite:///{tmp_path / f'diary{seed}.sqlite3'}"
        imported = run_cli("import", str(source), "--database-url", url)
        assert imported.returncode == 0, imported.stderr.decode()
        result = run_cli("insights", "--database-url", url, "--until", "2026-07-03",
                         "--format", "json")  # fmt: skip
        assert result.returncode == 0, result.stderr.decode()
        found = json.loads(result.stdout)["triggers"]["found"]
        named = {(f["factor"], f["kind"]) for f in found}
        caffeine += ("caffeine", "cramp") in named
        alcohol += ("alcohol", "cramp") in named
        for f in found:
            assert "the other factors" in f["adjusted_for"], f
    assert caffeine >= 6 and alcohol <= 1, (caffeine, alcohol)


def test_demo_says_how_to_look_at_it(tmp_path: Path) -> None:
    """Issue 14, item 16: after demo, the commands that show it, each with its database."""
    import shlex

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    made = run_cli("demo", "--database-url", url, "--end", "2026-10-31")
    assert made.returncode == 0, made.stderr.decode()
    lines = [line.strip() for line in made.stdout.decode().splitlines()]
    insights = next(line for line in lines if line.startswith("musclewise insights"))
    report = next(line for line in lines if line.startswith("musclewise report"))
    assert url in insights and url in report
    shown = run_cli(*shlex.split(insights)[1:])
    assert shown.returncode == 0 and b"Possible triggers" in shown.stdout
    args = shlex.split(report)[1:]
    args[args.index("-o") + 1] = str(tmp_path / "demo.html")
    written = run_cli(*args)
    assert written.returncode == 0, written.stderr.decode()
    assert (tmp_path / "demo.html").stat().st_size > 10_000


def test_an_empty_diary_is_said_not_reported(tmp_path: Path) -> None:
    """Issue 14, item 16: insights and report on an empty diary say so (exit 2) and write no
    0-episode report."""
    from musclewise.diary import Diary

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with Diary(url) as diary:
        diary.set_profile({"timezone": "Europe/London"})
    for args in (["insights"], ["insights", "--format", "json"],
                 ["report", "-o", str(tmp_path / "r.pdf")],
                 ["report", "-o", str(tmp_path / "r.html")]):  # fmt: skip
        result = run_cli(*args, "--database-url", url)
        assert result.returncode == 2, (args, result.stderr.decode())
        assert b"empty" in result.stderr and b"musclewise demo" in result.stderr
        assert not result.stdout
    assert not list(tmp_path.glob("r.*"))
    period = run_cli("insights", "--database-url", url, "--since", "2026-01-01",
                     "--until", "2026-01-31")  # fmt: skip
    assert period.returncode == 2 and b"nothing recorded from 2026-01-01 to 2026-01-31" in (
        period.stderr)  # fmt: skip
