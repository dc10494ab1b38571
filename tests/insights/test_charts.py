"""Charts render as SVG (a parser reads them) and PNG, with their titles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from musclewise.insights import charts
from musclewise.insights.patterns import EpisodeRecord
from musclewise.insights.simulate import simulate
from musclewise.insights.triggers import analyse

TODAY = date(2026, 11, 21)
EPISODES = [
    EpisodeRecord(TODAY - timedelta(days=d), "cramp" if d % 3 else "spasm",
                  ["calf", "eyelid", "thigh_back", "foot"][d % 4], {"pain": d % 11}, hour=(d * 5) % 24)
    for d in range(120)
]  # fmt: skip


def svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join(t for t in root.itertext())


def test_every_chart_renders_as_svg_with_its_title() -> None:
    assert "Episodes a week" in svg_text(charts.weekly_counts(EPISODES, TODAY))
    assert "When episodes start" in svg_text(charts.time_of_day(EPISODES))
    assert "Pain over time" in svg_text(charts.pain_over_time(EPISODES))
    assert "Where episodes happen" in svg_text(charts.body_map(EPISODES))
    diary = simulate(120, {"coffee": 0.4, "run": 0.3}, {("run", 1): 3.0}, base_rate=0.8, seed=2)
    forest = charts.forest(analyse(diary, ["coffee", "run"]), {"run": "a run"})
    assert "association, not cause" in svg_text(forest)


def test_png_too() -> None:
    assert charts.body_map(EPISODES, fmt="png").startswith(b"\x89PNG")


def test_svg_is_reproducible() -> None:
    assert charts.pain_over_time(EPISODES) == charts.pain_over_time(EPISODES)
