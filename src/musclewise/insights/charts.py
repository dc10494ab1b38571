"""Charts of a diary (matplotlib): SVG for pages, PNG where a picture file is needed.

Every chart has a title and axis labels in words, and colours that stay distinct for colour-
blind readers (matplotlib's "tab10" and "viridis"). Each function returns the image as bytes.
matplotlib is imported inside, so nothing else pays for it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from musclewise.insights.patterns import EpisodePoint
from musclewise.insights.triggers import Comparison

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KIND_LABELS = {"cramp": "Cramps", "spasm": "Twitches", "other": "Other"}
KIND_COLOURS = {"cramp": "#1f77b4", "spasm": "#ff7f0e", "other": "#7f7f7f"}


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _days(days: Sequence[date]) -> list[float]:
    """Dates as matplotlib's day numbers (what its date axes plot)."""
    epoch = date(1970, 1, 1)  # matplotlib's default date epoch
    return [float((d - epoch).days) for d in days]


def _save(fig: Figure, fmt: str) -> bytes:
    import matplotlib

    out = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    # text stays text (readable by screen readers and searchable), and ids are stable
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "musclewise"}):
        # "tight": every title and label inside the image, however long (issue 14, item 14)
        fig.savefig(out, format=fmt, dpi=150, metadata=metadata, bbox_inches="tight",
                    pad_inches=0.08)  # fmt: skip
    return out.getvalue()


def weekly_counts(
    episodes: Sequence[EpisodePoint],
    today: date,
    weeks: int = 26,
    fmt: str = "svg",
    *,
    height: float = 3.6,
) -> bytes:
    """Episodes a week by kind (stacked bars), with the four-week moving average of all."""
    first = today - timedelta(days=7 * weeks - 1)
    counts = {k: [0] * weeks for k in KIND_LABELS}
    for e in episodes:
        if first <= e.day <= today:
            counts.setdefault(e.kind, [0] * weeks)[(e.day - first).days // 7] += 1
    fig = _figure(7.0, height)
    ax = fig.add_subplot()
    start_days = [first + timedelta(days=7 * i) for i in range(weeks)]
    starts = _days(start_days)
    bottom = [0] * weeks
    for kind, label in KIND_LABELS.items():
        ax.bar(starts, counts[kind], width=6, bottom=bottom, label=label,
               color=KIND_COLOURS[kind], align="edge")  # fmt: skip
        bottom = [b + c for b, c in zip(bottom, counts[kind], strict=True)]
    moving = [
        sum(bottom[max(0, i - 3) : i + 1]) / len(bottom[max(0, i - 3) : i + 1])
        for i in range(weeks)
    ]
    ax.plot([s + 3 for s in starts], moving, color="black", linewidth=1.5,
            label="4-week average")  # fmt: skip
    ax.set_title("Episodes a week")
    ax.set_ylabel("episodes")
    ax.set_ylim(0, max(max(bottom, default=0), 1) * 1.2)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False, ncols=4)
    ax.xaxis_date()
    fig.autofmt_xdate()
    return _save(fig, fmt)


def time_of_day(episodes: Sequence[EpisodePoint], fmt: str = "svg") -> bytes:
    """A heat map of when episodes start: hour of day against day of the week."""
    grid = [[0] * 24 for _ in range(7)]
    for e in episodes:
        if e.hour is not None:
            grid[e.day.weekday()][e.hour] += 1
    fig = _figure(7.0, 3.0)
    ax = fig.add_subplot()
    image = ax.imshow(grid, aspect="auto", cmap="viridis", origin="upper")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_title("When episodes start")
    fig.colorbar(image, ax=ax, label="episodes")
    return _save(fig, fmt)


def pain_over_time(episodes: Sequence[EpisodePoint], fmt: str = "svg") -> bytes:
    """Pain of each episode (0-10) over time, by kind."""
    fig = _figure()
    ax = fig.add_subplot()
    for kind, label in KIND_LABELS.items():
        points = [
            (e.day, e.findings["pain"]) for e in episodes if e.kind == kind and "pain" in e.findings
        ]
        if points:
            ax.scatter(_days([d for d, _ in points]), [p for _, p in points], s=14, label=label,
                       color=KIND_COLOURS[kind], alpha=0.8)  # fmt: skip
    ax.set_ylim(-0.5, 10.5)
    ax.set_title("Pain over time")
    ax.set_ylabel("pain (0-10)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False, ncols=3)
    ax.xaxis_date()
    fig.autofmt_xdate()
    return _save(fig, fmt)


def forest(comparisons: Sequence[Comparison], labels: dict[str, str], fmt: str = "svg") -> bytes:
    """Rate ratios with their 95% intervals, on a log scale; triggers in bold colour."""
    shown = [c for c in comparisons if c.enough_data and c.rate_ratio and c.ci_low is not None]
    shown.sort(key=lambda c: c.rate_ratio or 0.0)
    fig = _figure(7.0, max(2.0, 0.35 * len(shown) + 1.2))
    ax = fig.add_subplot()
    for y, c in enumerate(shown):
        colour = "#d62728" if c.trigger else "#7f7f7f"
        high = min(c.ci_high or 100.0, 100.0)
        ax.plot([max(c.ci_low or 0.01, 0.01), high], [y, y], color=colour, linewidth=2)
        ax.plot([c.rate_ratio or 1.0], [y], "o", color=colour)
    names = []
    for c in shown:
        when = "day before" if c.lag else "same day"
        if c.either_day:
            when = "same day or day before"
        names.append(f"{labels.get(c.factor, c.factor)} ({when}, {KIND_LABELS[c.kind].lower()})")
    ax.set_yticks(range(len(shown)), names)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("rate ratio, 95% interval (log scale)\nabove 1: more episodes on those days")
    fig.suptitle("What goes with more episodes (association, not cause)")
    return _save(fig, fmt)


# The body map: regions drawn as simple shapes on a front and a back view (x, y, w, h).
REGIONS: dict[str, list[tuple[str, float, float, float, float]]] = {
    "eyelid": [("front", 4.3, 17.2, 1.4, 0.4)],
    "face": [("front", 4.0, 16.2, 2.0, 1.0)],
    "jaw": [("front", 4.2, 15.6, 1.6, 0.6)],
    "neck": [("front", 4.5, 14.8, 1.0, 0.8), ("back", 14.5, 14.8, 1.0, 0.8)],
    "shoulder": [("front", 2.6, 13.8, 1.4, 1.0), ("front", 6.0, 13.8, 1.4, 1.0)],
    "chest": [("front", 4.0, 12.0, 2.0, 2.6)],
    "abdomen": [("front", 4.0, 9.6, 2.0, 2.4)],
    "back": [("back", 14.0, 9.6, 2.0, 5.0)],
    "upper_arm": [("front", 2.4, 11.4, 1.0, 2.4), ("front", 6.6, 11.4, 1.0, 2.4)],
    "forearm": [("front", 2.2, 8.8, 0.9, 2.6), ("front", 6.9, 8.8, 0.9, 2.6)],
    "hand": [("front", 2.0, 7.8, 1.0, 1.0), ("front", 7.0, 7.8, 1.0, 1.0)],
    "fingers": [("front", 2.0, 7.0, 1.0, 0.8), ("front", 7.0, 7.0, 1.0, 0.8)],
    "thigh_front": [("front", 3.9, 5.6, 1.0, 3.6), ("front", 5.1, 5.6, 1.0, 3.6)],
    "thigh_back": [("back", 13.9, 5.6, 1.0, 3.6), ("back", 15.1, 5.6, 1.0, 3.6)],
    "shin": [("front", 3.9, 1.8, 1.0, 3.6), ("front", 5.1, 1.8, 1.0, 3.6)],
    "calf": [("back", 13.9, 1.8, 1.0, 3.6), ("back", 15.1, 1.8, 1.0, 3.6)],
    "foot": [("front", 3.7, 0.9, 1.2, 0.8), ("front", 5.1, 0.9, 1.2, 0.8)],
    "toes": [("front", 3.7, 0.4, 1.2, 0.5), ("front", 5.1, 0.4, 1.2, 0.5)],
}


def body_map(episodes: Sequence[EpisodePoint], fmt: str = "svg") -> bytes:
    """Where episodes happen: each region coloured by its count, with the count written on it."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    counts = Counter(e.site for e in episodes if e.site)
    top = max(counts.values(), default=1)
    norm = Normalize(vmin=0, vmax=top)
    cmap = colormaps["viridis"]
    fig = _figure(6.0, 6.0)
    ax = fig.add_subplot()
    for site, boxes in REGIONS.items():
        n = counts.get(site, 0)
        for _, x, y, w, h in boxes:
            colour = cmap(norm(n)) if n else "#eeeeee"
            ax.add_patch(
                Rectangle((x, y), w, h, facecolor=colour, edgecolor="#444444", linewidth=0.6)
            )
        if n:
            _, x, y, w, h = boxes[0]
            ax.text(x + w / 2, y + h / 2, str(n), ha="center", va="center", fontsize=7,
                    color="white" if norm(n) > 0.5 else "black")  # fmt: skip
    ax.text(5.0, 18.2, "front", ha="center")
    ax.text(15.0, 18.2, "back", ha="center")
    other = counts.get("other", 0)
    if other:
        ax.text(10.0, 0.2, f"elsewhere: {other}", ha="center", fontsize=8)
    ax.set_xlim(0, 20)
    ax.set_ylim(0, 19)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Where episodes happen")
    from matplotlib.cm import ScalarMappable

    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, label="episodes")
    return _save(fig, fmt)
