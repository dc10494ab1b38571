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
