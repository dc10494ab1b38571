"""Charts render as SVG (a parser reads them) and PNG, with their titles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from musclewise.insights import charts
from musclewise.insights.patterns import EpisodePoint
from musclewise.insights.simulate import simulate
from musclewise.insights.triggers import analyse

TODAY = date(2026, 11, 21)
EPISODES = [
    EpisodePoint(TODAY - timedelta(days=d), "cramp" if d % 3 else "spasm",
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


def _text_outside(svg: str) -> list[str]:
    """The texts of an SVG (matplotlib, text kept as text) that run past its edges, their width
    estimated from their length (DejaVu Sans: about half the font size a character)."""
    import re

    found = re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg)
    assert found is not None
    width = float(found.group(1))
    outside = []
    for style, attrs, text in re.findall(r'<text style="([^"]*)"([^>]*)>([^<]*)', svg):
        if re.search(r"rotate\(-?90", attrs):
            continue  # upright labels: their length runs down, not across
        place = re.search(r'x="([-\d.]+)"', attrs) or re.search(r"translate\(([-\d.]+)", attrs)
        size = re.search(r"font-size: ([\d.]+)px", style)
        assert place is not None and size is not None
        x, span = float(place.group(1)), 0.5 * float(size.group(1)) * len(text.strip())
        anchor = re.search(r"text-anchor: (\w+)", style)
        left = {"middle": x - span / 2, "end": x - span}.get(anchor.group(1) if anchor else "", x)
        if left < -1 or left + span > width + 1:
            outside.append(text.strip())
    return outside


def test_titles_and_labels_are_not_clipped() -> None:
    """Issue 14, item 14: the triggers chart's title and axis label ran off its right edge."""
    from musclewise.insights.triggers import Comparison

    labels = {f"f{i}": f"3 or more alcoholic drinks, a long label {i}" for i in range(4)}
    shown = [Comparison(f"f{i}", i % 2, "cramp", 20, 10, 30, 5, 2.0, 1.1, 3.0, 0.01, 0.02,
                        True, 0, True) for i in range(4)]  # fmt: skip
    svg = charts.forest(shown, labels).decode()
    assert "What goes with more episodes" in svg
    assert _text_outside(svg) == []
    records = [EpisodePoint(date(2026, 10, 31) - timedelta(days=3 * i), "cramp", "calf", {})
               for i in range(100)]  # fmt: skip
    for small in (True, False):
        weekly = charts.weekly_counts(records, date(2026, 10, 31), weeks=52,
                                      height=2.5 if small else 3.6).decode()  # fmt: skip
        assert _text_outside(weekly) == []
