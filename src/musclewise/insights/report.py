"""The physician report: HTML from Jinja2 templates (``insights/templates/``), PDF with
WeasyPrint.

Page 1 is what a doctor needs in a minute: the person (year of birth and sex only), the
period, counts and frequency by kind and site with the trend, the warning patterns with their
triage and sources, the medicines with the classes linked to cramps marked, the possible
triggers with their intervals, and the worst episodes. Then the charts (each with a text
alternative), then every episode.

Everything from the diary is escaped (Jinja2 autoescaping). WeasyPrint needs Pango (Debian:
``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`` and a font such as
``fonts-dejavu-core``); it is imported only to write a PDF.
"""

from __future__ import annotations

import base64
import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from musclewise.errors import ReportError
from musclewise.insights import charts
from musclewise.insights.summary import KIND_WORDS, LEVEL_WORDS, Summary
from musclewise.insights.triggers import ALPHA, UNADJUSTED

ALPHA_WORDS = f"{ALPHA:.0%}"

if TYPE_CHECKING:
    from musclewise.insights.diary import Episode

FORMATS = ("pdf", "html")
SYSTEM_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
)
"""The Debian packages WeasyPrint needs to write a PDF (``make`` installs them)."""
MAX_WEEKS = 52
FOREST_ROWS = 16
SITE_ROWS = 6
LISTING_WIDTH = 120
"""Characters a line of the PDF's episode listing holds (A4, 7.2 pt monospace)."""
NOTE_INDENT = 24
"""Where the continuation lines of a long note start."""
SITE_WORDS = {"thigh_back": "back of thigh", "thigh_front": "front of thigh",
              "upper_arm": "upper arm"}  # fmt: skip
LEVEL_BADGES = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT",
    "see_doctor": "SEE A DOCTOR",
    "self_care": "SELF-CARE",
}
LEVEL_ADVICE = {
    "emergency": "call emergency services now",
    "urgent": "see a doctor within 24 hours",
    "see_doctor": "book an appointment",
    "self_care": "can be looked after at home",
}


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its file name (without extension), title, text alternative and image."""

    name: str
    title: str
    alt: str
    caption: str
    image: bytes
    fmt: str

    @property
    def data_uri(self) -> str:
        mime = "image/svg+xml" if self.fmt == "svg" else "image/png"
        return f"data:{mime};base64,{base64.b64encode(self.image).decode('ascii')}"


# ---------------------------------------------------------------------- charts


def chart_weeks(summary: Summary) -> int:
    return max(4, min(MAX_WEEKS, math.ceil(summary.data.days / 7)))


def make_charts(summary: Summary, fmt: str = "svg") -> list[Chart]:
    """Every chart of the summary, each with a text alternative drawn from the same numbers."""
    data = summary.data
    records = data.records()
    weeks = chart_weeks(summary)
    made = [
        Chart("weekly-counts", "Episodes a week", _weekly_alt(summary, weeks),
              f"Episodes a week over the last {weeks} weeks of the period, by kind, with the "
              "four-week average.",
              charts.weekly_counts(records, data.end, weeks=weeks, fmt=fmt), fmt),
        Chart("body-map", "Where episodes happen", _body_alt(summary),
              "Each place coloured by how many episodes happened there (front and back views).",
              charts.body_map(records, fmt=fmt), fmt),
        Chart("time-of-day", "When episodes start", _time_alt(data.episodes),
              "Hour of the day (local time) against the day of the week; brighter is more.",
              charts.time_of_day(records, fmt=fmt), fmt),
        Chart("pain-over-time", "Pain over time", _pain_alt(data.episodes),
              "The pain of each episode (0 to 10) as it was logged.",
              charts.pain_over_time(records, fmt=fmt), fmt),
    ]  # fmt: skip
    shown = forest_rows(summary)
    if shown:
        labels = {f.comparison.factor: f.label for f in summary.findings}
        made.append(
            Chart("triggers", "What goes with more episodes", _forest_alt(summary, shown),
                  "Rate ratio of episodes on days with each factor against days without it, "
                  "with its 95% interval (log scale); red: named as a possible trigger after "
                  "the Benjamini-Hochberg adjustment. Association, not cause.",
                  charts.forest([f.comparison for f in shown], labels, fmt=fmt), fmt)
        )  # fmt: skip
    return made


def forest_rows(summary: Summary) -> list[Any]:
    """The comparisons the forest plot shows: those with enough data, the strongest first."""
    tested = [f for f in summary.findings if f.comparison.enough_data]
    tested.sort(key=lambda f: (not f.comparison.trigger, f.comparison.p_value or 1.0))
    return tested[:FOREST_ROWS]


def _weekly_alt(summary: Summary, weeks: int) -> str:
    end = summary.data.end
    first = end - timedelta(days=7 * weeks - 1)
    totals = [0] * weeks
    for e in summary.data.episodes:
        if first <= e.day <= end:
            totals[(e.day - first).days // 7] += 1
    if not any(totals):
        return f"Bar chart of episodes a week over the last {weeks} weeks: none were logged."
    busiest = max(range(weeks), key=lambda i: totals[i])
    parts = [f"{summary.count(k).episodes} {KIND_WORDS[k]}" for k in ("cramp", "spasm", "other")
             if summary.count(k).episodes]  # fmt: skip
    return (
        f"Stacked bar chart of episodes a week over the last {weeks} weeks, by kind "
        f"({', '.join(parts)} in the whole period). The busiest week, starting "
        f"{first + timedelta(days=7 * busiest)}, had {totals[busiest]}; the last four weeks "
        f"averaged {sum(totals[-4:]) / 4:.1f} a week. A line shows the four-week average."
    )


def _body_alt(summary: Summary) -> str:
    if not summary.sites:
        return "Body map, front and back: no episodes were logged."
    places = ", ".join(f"{site_name(s.site)} {s.total}" for s in summary.sites)
    return f"Body map, front and back, coloured by the number of episodes in each place: {places}."


def _time_alt(episodes: Sequence[Episode]) -> str:
    if not episodes:
        return "Heat map of when episodes start: no episodes were logged."
    blocks = Counter(e.local_start.hour // 3 for e in episodes)
    block, n = max(blocks.items(), key=lambda item: (item[1], -item[0]))
    weekdays = Counter(e.local_start.strftime("%A") for e in episodes)
    day, on_day = weekdays.most_common(1)[0]
    return (
        "Heat map of when episodes start, hour of the day against the day of the week. "
        f"The most, {n} of {len(episodes)}, started between {block * 3:02d}:00 and "
        f"{block * 3 + 3:02d}:00; the busiest weekday was {day} ({on_day})."
    )


def _pain_alt(episodes: Sequence[Episode]) -> str:
    parts = []
    for kind in ("cramp", "spasm", "other"):
        pains = [e.pain for e in episodes if e.kind == kind and e.pain is not None]
        if pains:
            parts.append(
                f"{KIND_WORDS[kind]}: median pain {statistics.median(pains):g} "
                f"(from {min(pains)} to {max(pains)}, {len(pains)} rated)"
            )
    if not parts:
        return "Scatter plot of pain over time: no pain was logged."
    return "Scatter plot of the pain of each episode (0 to 10) over time; " + "; ".join(parts) + "."


def _forest_alt(summary: Summary, shown: Sequence[Any]) -> str:
    named = [f for f in shown if f.comparison.trigger]
    text = (
        f"Forest plot of the rate ratios, with 95% intervals, of the {len(shown)} strongest of "
        f"{summary.tested} comparisons with enough data. "
    )
    if not named:
        return text + "None is named as a possible trigger after adjustment."
    listed = "; ".join(
        f"{f.label} ({f.when}, {KIND_WORDS[f.comparison.kind]}): "
        f"{f.comparison.rate_ratio:.1f} (95% CI {f.comparison.ci_low:.1f} to "
        f"{f.comparison.ci_high:.1f})"
        for f in named
    )
    return text + f"Named as possible triggers: {listed}."


# ---------------------------------------------------------------------- words

DOCTOR_WORDS: dict[str, str] = {
    "cramps_more_frequent": "Cramps have become more frequent: {early_per_week:.1f} a week in the "
    "first 4 of the last {weeks:.0f} weeks, {late_per_week:.1f} a week in the last 4 (Poisson "
    "trend in the weekly counts, {p_value_text}).",
    "frequent_cramps": "Cramps on {per_week:.1f} days a week over the last 4 weeks.",
    "waking_most_nights": "Cramps woke the person on {nights:.0f} of the last 14 nights.",
    "twitching_over_two_weeks": "Twitching logged over {days:.0f} days (more than 2 weeks).",
    "eyelid_twitch_over_a_week": "Eyelid twitching logged over {days:.0f} days (more than a week).",
    "spreading": "Episodes at {new_sites:.0f} new sites in the last 4 weeks ({sites_before:.0f} "
    "sites before).",
    "weakness_or_wasting": "Weakness or wasting logged ({episodes:.0f} episodes in 90 days).",
    "weakness_with_cramps_and_twitches": "Cramps, twitching and weakness logged within the same "
    "{days:.0f} days.",
    "after_new_medicine": "Cramps rose after a medicine was started ({before:.0f} in the 8 weeks "
    "before, {after:.0f} in the 8 weeks after), more than the trend over the diary explains "
    "({p_value_against_trend_text}).",
}
"""Page 1 speaks to the doctor: each warning pattern in clinical words, with its numbers
(the person reads the knowledge base's own words in ``musclewise insights``)."""


def doctor_text(pattern: Any) -> str:
    """A warning pattern for the doctor, from its evidence; its own words if they are missing."""
    words = DOCTOR_WORDS.get(pattern.id)
    if words is None:
        return str(pattern.text)
    evidence = dict(pattern.evidence)
    for key, value in pattern.evidence.items():
        if key.startswith("p_value"):
            evidence[f"{key}_text"] = "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
    try:
        return words.format(**evidence)
    except (KeyError, ValueError):
        return str(pattern.text)


def statistics_text(summary: Summary) -> str:
    """How the possible triggers were looked for, in plain words for a doctor."""
    if not summary.tested:
        return (
            "Possible triggers: too few days or episodes to compare any factor yet. An "
            "association is not a cause."
        )
    parts = [
        "For each factor the person recorded, episodes on days with it were compared with days "
        "without it, taking the other factors (that day and the day before) into account and "
        "comparing only days in the same four weeks and on the same weekday; medicines were "
        "compared against the overall trend. "
        f"{summary.tested} comparisons were corrected for multiple testing (Benjamini-Hochberg, "
        f"false discovery rate {ALPHA_WORDS})."
    ]
    for s in summary.sensitivity:
        tenths = min(9, math.floor(s.chance * 10 + 0.5))
        chance = "under 1 time in 10" if tenths < 1 else f"about {tenths} in 10"
        if s.chance >= 0.9:
            chance = "at least 9 times in 10"
        parts.append(
            f"With {s.episodes} {KIND_WORDS[s.kind]} over {s.days} days, a factor that doubled "
            f"them would be found {chance}"
            + ("; no named trigger is therefore weak evidence of none." if s.chance < 0.8
               else ".")
        )  # fmt: skip
    unadjusted = any(f.comparison.caveat == UNADJUSTED for f in summary.findings)
    if unadjusted:
        parts.append("Where the episodes were too few, each factor was compared alone.")
    parts.append("An association is not a cause.")
    return " ".join(parts)


def medicine_rows(summary: Summary) -> list[tuple[str, str]]:
    """What the diary shows about each medicine started within it, for the doctor: (name,
    words), the comparison against the trend over the diary."""
    from musclewise.insights.diary import MEDICINE_PREFIX
    from musclewise.insights.triggers import TREND, ratio_text

    rows = []
    for f in summary.findings:
        c = f.comparison
        if not c.factor.startswith(MEDICINE_PREFIX) or c.kind != "cramp" or not c.enough_data:
            continue
        interval = (f"rate ratio against the trend {ratio_text(c.rate_ratio)}, 95% CI "
                    f"{_number(c.ci_low)} to {ratio_text(c.ci_high)}")  # fmt: skip
        if c.caveat == TREND:
            words = ("cramps rose after it was started, but a steady rise over the diary "
                     f"explains that as well ({interval}): the diary cannot separate the two.")  # fmt: skip
        elif c.trigger:
            words = (
                f"more cramps while taking it than the trend over the diary explains ({interval})."
            )
        else:
            words = f"no clear rise in cramps while taking it, against the trend ({interval})."
        rows.append((f.label, words))
    return rows


def recording_rows(summary: Summary) -> list[str]:
    """The recording habits that bias the comparisons, for the doctor, one line each."""
    rows = []
    seen: set[tuple[str | None, str]] = set()
    labels = {f.comparison.factor: f.label for f in summary.findings}
    for r in summary.recording:
        if (r.factor, r.problem) in seen:
            continue
        seen.add((r.factor, r.problem))
        what = "Whole days" if r.factor is None else labels.get(r.factor, r.factor).capitalize()
        if r.problem == "only_yes":
            rows.append(f"{what}: only ever recorded as present (absent days left blank); "
                        "not compared.")  # fmt: skip
        else:
            rows.append(
                f"{what}: recorded on {r.recorded_with:.0%} of days with "
                f"{KIND_WORDS[r.kind]} against {r.recorded_without:.0%} of days without"
                + ("; not named as a trigger." if r.factor is not None else ".")
            )
    return rows


def site_name(site: str) -> str:
    return SITE_WORDS.get(site, site.replace("_", " "))


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞"
    return f"{value:.1f}"


def rr_text(finding: Any) -> str:
    """A trigger's rate ratio and interval, short: "RR 2.3 (1.4 to 3.8)"."""
    c = finding.comparison
    if c.rate_ratio is not None and math.isinf(c.rate_ratio):
        return f"RR ≥ {_number(c.ci_low)}"
    if c.ci_high is not None and math.isinf(c.ci_high):
        return f"RR {_number(c.rate_ratio)} (from {_number(c.ci_low)})"
    return f"RR {_number(c.rate_ratio)} ({_number(c.ci_low)} to {_number(c.ci_high)})"


def listing_line(e: Episode) -> str:
    """One episode as a line of fixed columns (the PDF's episode listing)."""
    pain = "" if e.pain is None else str(e.pain)
    line = (
        f"{e.id:>6}  {e.local_start:%Y-%m-%d %H:%M}  {site_name(e.site)[:14]:<14} "
        f"{(e.side or '')[:5]:<5} {KIND_SHORT[e.kind]:<6} {pain:>4}  "
        f"{duration_text(e.duration_s):>10}  {LEVEL_WORDS[e.triage]:<13}"
    )
    if not e.notes:
        return line
    import textwrap

    note = " ".join(e.notes.split())
    first_width = max(LISTING_WIDTH - len(line) - 1, 20)
    parts = textwrap.wrap(note, first_width) or [""]
    rest = textwrap.wrap(" ".join(parts[1:]), LISTING_WIDTH - NOTE_INDENT)
    return "\n".join([f"{line} {parts[0]}", *(" " * NOTE_INDENT + r for r in rest)])


def listing_block(episodes: Sequence[Episode]) -> str:
    """A month of the PDF's listing: one text block, one line an episode (notes wrap)."""
    return "\n".join(listing_line(e) for e in episodes)


KIND_SHORT = {"cramp": "cramp", "spasm": "twitch", "other": "other"}
LISTING_HEADER = (
    f"{'#':>6}  {'date':<10} {'time':<5}  {'site':<14} {'side':<5} {'kind':<6} {'pain':>4}  "
    f"{'lasted':>10}  {'triage':<13} notes"
)


# ---------------------------------------------------------------------- the page


def summary_chart(summary: Summary, fmt: str = "svg") -> Chart:
    """The weekly counts, short enough to sit at the foot of page 1."""
    weeks = chart_weeks(summary)
    image = charts.weekly_counts(summary.data.records(), summary.data.end, weeks=weeks,
                                 fmt=fmt, height=2.5)  # fmt: skip
    return Chart("weekly-counts", "Episodes a week", _weekly_alt(summary, weeks),
                 f"Episodes a week over the last {weeks} weeks of the period, by kind, with the "
                 "four-week average.", image, fmt)  # fmt: skip


def render_html(
    summary: Summary,
    *,
    for_pdf: bool = False,
    generated: datetime | None = None,
    chart_list: Sequence[Chart] | None = None,
    page1_chart: bool | Chart = True,
    compact: bool = False,
    only_page1: bool = False,
) -> str:
    """The report as one self-contained HTML page (charts inline as SVG images).

    ``page1_chart`` puts the weekly counts at the foot of page 1 (and not again with the
    other charts; a :class:`Chart` is used as it is); ``compact`` shortens page 1 (fewer sites
    and worst episodes, the medicine classes' notes moved after the charts) for a crowded
    diary; ``only_page1`` leaves out everything after page 1 (to see whether it fits)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("musclewise.insights", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(site=site_name, duration=duration_text, number=_number, rr=rr_text,
                       doctor=doctor_text)  # fmt: skip
    made = list(chart_list) if chart_list is not None else make_charts(summary)
    first = page1_chart if isinstance(page1_chart, Chart) else None
    if page1_chart is True and summary.data.episodes:
        first = summary_chart(summary)
    if first is not None:
        made = [c for c in made if c.name != first.name]
    data = summary.data
    months: dict[str, list[Episode]] = {}
    for e in data.episodes:
        months.setdefault(f"{e.local_start:%B %Y}", []).append(e)
    stamp = generated or datetime.now().astimezone()
    return env.get_template("report.html.j2").render(
        s=summary,
        d=data,
        for_pdf=for_pdf,
        generated=stamp,
        charts=made,
        page1_chart=first,
        months=months,
        listing_block=listing_block,
        listing_header=LISTING_HEADER,
        kind_words=KIND_WORDS,
        kind_short=KIND_SHORT,
        level_words=LEVEL_WORDS,
        level_badges=LEVEL_BADGES,
        level_advice=LEVEL_ADVICE,
        site_rows=SITE_ROWS,
        compact=compact,
        only_page1=only_page1,
        class_notes=class_notes(summary),
        side_short={"left": "L", "right": "R", "both": "both"},
        person=_person(summary),
        statistics_text=statistics_text(summary),
        recording_rows=recording_rows(summary),
        medicine_rows=medicine_rows(summary),
        label_sources=label_sources(summary),
        age=_age(data.birth_year, data.end),
    )


def class_notes(summary: Summary) -> list[tuple[Any, list[str]]]:
    """Each medicine class linked to cramps once, with the medicines of the diary in it."""
    notes: dict[str, tuple[Any, list[str]]] = {}
    for m in summary.medicines:
        for c in m.classes:
            if c.cramp_linked:
                notes.setdefault(c.id, (c, []))[1].append(m.name)
    return list(notes.values())


def label_sources(summary: Summary) -> list[str]:
    """The titles of the sources that link the diary's medicine classes to cramps."""
    return list(dict.fromkeys(src.title for c, _ in class_notes(summary) for src in c.sources))


def _person(summary: Summary) -> str:
    d = summary.data
    parts = []
    if d.birth_year is not None:
        parts.append(f"born {d.birth_year}")
    if d.sex is not None:
        parts.append(d.sex)
    if d.pregnant:
        parts.append("pregnant")
    return ", ".join(parts) if parts else "year of birth and sex not recorded"


def _age(birth_year: int | None, on: date) -> str:
    return f" (about {on.year - birth_year})" if birth_year is not None else ""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ReportError(
            f"cannot write a PDF here: WeasyPrint could not load ({exc})",
            hint="install the Debian packages "
            + " ".join(SYSTEM_PACKAGES)
            + " (make install does it as root), or write the report as HTML",
            code="pdf_unavailable",
            allowed=SYSTEM_PACKAGES,
        ) from None
    return weasyprint


def write_pdf(html: str) -> bytes:
    """The HTML as a PDF (WeasyPrint)."""
    result: bytes = _weasyprint().HTML(string=html).write_pdf()
    return result


def make_report(summary: Summary, fmt: str, *, generated: datetime | None = None) -> bytes:
    """The report as PDF or HTML bytes.

    A PDF whose first page would run onto a second (many patterns, medicines or triggers) is
    laid out without the chart at the foot of page 1, then with a shorter page 1, so that page
    1 stays one page (page 1 alone is laid out to choose; the whole report once). The PDF's
    charts are PNG (150 dpi): WeasyPrint draws an SVG of thousands of points slowly."""
    if fmt == "html":
        return render_html(summary, generated=generated).encode("utf-8")
    weasyprint = _weasyprint()
    made = make_charts(summary, "png")
    first = summary_chart(summary, "png") if summary.data.episodes else False
    layout: dict[str, Any] = {"page1_chart": False, "compact": True}
    tries = [(first, False), (False, False)] if first else [(False, False)]
    for page1_chart, compact in tries:
        html = render_html(summary, for_pdf=True, generated=generated, chart_list=made,
                           page1_chart=page1_chart, compact=compact, only_page1=True)  # fmt: skip
        if len(weasyprint.HTML(string=html).render().pages) == 1:
            layout = {"page1_chart": page1_chart, "compact": compact}
            break
    html = render_html(summary, for_pdf=True, generated=generated, chart_list=made, **layout)
    result: bytes = weasyprint.HTML(string=html).write_pdf()
    return result
