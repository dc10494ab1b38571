"""The physician report: HTML read with a parser, PDF rendered to PNG and read as text."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest

from musclewise.diary import Diary
from musclewise.insights.diary import load
from musclewise.insights.report import doctor_text, make_report, render_html, site_name
from musclewise.insights.summary import Summary, summarise
from tests.insights.conftest import DEMO_END, need_tool, need_weasyprint, page_text

GENERATED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
VOID = {"img", "meta", "br", "hr", "link", "input", "col"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return " ".join(
            " ".join((c if isinstance(c, str) else c.text()).split()) for c in self.children
        ).strip()

    def find_all(self, tag: str) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag:
                    found.append(c)
                found += c.find_all(tag)
        return found

    def by_id(self, ident: str) -> Node:
        for c in self.children:
            if isinstance(c, Node):
                if c.attrs.get("id") == ident:
                    return c
                try:
                    return c.by_id(ident)
                except KeyError:
                    pass
        raise KeyError(ident)


class TreeBuilder(HTMLParser):
    """A small DOM from the standard library's HTML parser; it checks that tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed tags"
    return builder.root


@pytest.fixture(scope="module")
def demo_summary(demo_url: str) -> Summary:
    with Diary(demo_url, person="demo") as diary:
        return summarise(load(diary, until=DEMO_END))


@pytest.fixture(scope="module")
def page(demo_summary: Summary) -> Node:
    return parse(render_html(demo_summary, generated=GENERATED))


def test_page_one_holds_what_a_doctor_needs(page: Node, demo_summary: Summary) -> None:
    first = page.by_id("title")
    assert first.tag == "h1"
    section = page.find_all("section")[0]
    text = section.text()
    assert "born 1961, female" in text
    d = demo_summary.data
    assert f"{d.start} to {d.end}" in text and f"{d.days} days" in text
    headings = [h.text() for h in section.find_all("h2")]
    assert headings == ["Warning patterns over time", "How often", "Medicines",
                        "Worst episodes", "Possible triggers"]  # fmt: skip
    # the warning patterns, each with its level and its sources, in words for the doctor
    for pattern in demo_summary.patterns:
        assert doctor_text(pattern) in text and "Your " not in doctor_text(pattern)
        assert all(s.title in text for s in pattern.sources)
    assert "SEE A DOCTOR" in text
    # counts by kind and site, the trend
    assert f"Cramps {demo_summary.count('cramp').episodes}" in text
    for site in demo_summary.sites:
        assert f"{site_name(site.site)} {site.total}" in text
    # medicines: the statin marked as linked to cramps, with the class's note
    medicines = page.by_id("medicines")
    assert medicines.tag == "h2"
    assert "Atorvastatin 20mg" in text and "linked to cramps" in text and "Statin" in text
    # the triggers with their intervals, and how they were looked for, in plain words
    for f in demo_summary.top_triggers:
        assert f.label in text
    assert "Benjamini-Hochberg" in text and "association is not a cause" in text
    assert "taking the other factors (that day and the day before) into account" in text
    assert "comparisons were tested together" not in text  # the person's wording stays off
    # what the diary shows about the statin, apart from what its label says
    assert "a steady rise over the diary explains that as well" in text
    assert "you started" not in text
    assert "from published sources" in text
    # the dates of the worst episodes
    for e in demo_summary.worst:
        assert f"{e.local_start:%Y-%m-%d %H:%M}" in text


def test_one_trend_one_wording(page: Node, demo_summary: Summary) -> None:
    """Issue 14, item 14: the page said "more frequent" beside its own "no clear change"."""
    rising = any(p.id == "cramps_more_frequent" for p in demo_summary.patterns)
    assert rising  # the demo's cramps rise
    assert demo_summary.count("cramp").trend == "rising"
    counts = page.by_id("counts")
    table = next(t for t in page.find_all("table") if "Trend" in t.text())
    row = next(r for r in table.find_all("tr") if r.text().startswith("Cramps"))
    assert "rising" in row.text() and "no clear change" not in row.text()
    assert counts.tag == "h2"


def test_html_is_accessible(page: Node) -> None:
    html = page.find_all("html")[0]
    assert html.attrs.get("lang") == "en"
    assert page.find_all("title")[0].text()
    images = page.find_all("img")
    assert len(images) >= 4
    for img in images:
        alt = img.attrs.get("alt") or ""
        assert len(alt) > 40, alt  # a real description, drawn from the numbers
        assert (img.attrs.get("src") or "").startswith("data:image/svg+xml;base64,")
    for table in page.find_all("table"):
        head = table.find_all("thead")
        assert head and all(th.attrs.get("scope") == "col" for th in head[0].find_all("th"))
    levels = [int(n.tag[1]) for n in _headings(page)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels))


def _headings(node: Node) -> list[Node]:
    found: list[Node] = []
    for c in node.children:
        if isinstance(c, Node):
            if c.tag in ("h1", "h2", "h3", "h4"):
                found.append(c)
            found += _headings(c)
    return found


def test_every_episode_is_in_the_table(page: Node, demo_summary: Summary) -> None:
    table = page.find_all("table")[-1]
    rows = table.find_all("tbody")[0].find_all("tr")
    assert len(rows) == len(demo_summary.data.episodes)


def test_everything_from_the_diary_is_escaped(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'x.sqlite3'}", person="Jane Q Example") as diary:
        diary.set_profile({"timezone": "Europe/London", "birth_year": 1980, "sex": "female"})
        diary.add_medicine("<b>Lipitor</b>", date(2026, 1, 5), allow_unknown=True)
        diary.add_episode("calf", pain=7, duration_s=60, notes="<script>alert(1)</script> & co",
                          started_at=datetime(2026, 2, 1, 3, 0, tzinfo=UTC))  # fmt: skip
        summary = summarise(load(diary, until=date(2026, 2, 28)))
    html = render_html(summary, generated=GENERATED)
    tree = parse(html)
    assert not tree.find_all("script") and not tree.find_all("b")
    assert "<script>alert(1)</script> & co" in tree.text()
    assert "&lt;b&gt;Lipitor&lt;/b&gt;" in html
    assert "Jane" not in html  # pseudonymous: year of birth and sex only


def test_the_pdf_page_one_is_one_page_and_reads_right(
    demo_summary: Summary, tmp_path: Path
) -> None:
    need_weasyprint()
    pdftoppm = need_tool("pdftoppm")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_report(demo_summary, "pdf", generated=GENERATED))
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run([pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    (png,) = tmp_path.glob("page-*.png")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    one = page_text(pdf, 1)
    for words in ("summary for a clinician", "born 1961, female", "Warning patterns",
                  "SEE A DOCTOR", "How often", "Medicines", "Atorvastatin 20mg",
                  "linked to cramps", "Possible triggers", "Benjamini-Hochberg",
                  "Worst episodes", "page 1 of"):  # fmt: skip
        assert words in one, words
    assert "Every episode" not in one
    two = page_text(pdf, 2)
    assert two.lstrip().startswith("Charts")  # page 1 did not run over
    last = page_text(pdf, 2, 99)
    assert "Every episode" in last
    first_episode = demo_summary.data.episodes[0]
    assert f"{first_episode.local_start:%Y-%m-%d %H:%M}" in last


def test_a_crowded_page_one_still_fits_on_one_page(tmp_path: Path) -> None:
    """Many medicines push the chart off page 1, never the summary onto page 2."""
    need_weasyprint()
    with Diary(f"sqlite:///{tmp_path / 'm.sqlite3'}") as diary:
        diary.set_profile({"timezone": "Europe/London", "birth_year": 1950, "sex": "male"})
        for name in ("furosemide", "bendroflumethiazide", "spironolactone", "simvastatin",
                     "salbutamol inhaler", "nifedipine", "pindolol", "raloxifene",
                     "lithium", "donepezil", "naproxen", "metformin"):  # fmt: skip
            diary.add_medicine(name, date(2026, 1, 1))
        for day in range(1, 28):
            diary.add_episode("calf", pain=6, duration_s=90,
                              started_at=datetime(2026, 2, day, 3, 0, tzinfo=UTC))  # fmt: skip
        summary = summarise(load(diary, until=date(2026, 2, 28)))
    pdf = tmp_path / "crowded.pdf"
    pdf.write_bytes(make_report(summary, "pdf", generated=GENERATED))
    assert page_text(pdf, 2).lstrip().startswith("Charts")
    assert "furosemide" in page_text(pdf, 1) and "metformin" in page_text(pdf, 1)


def test_an_empty_diary_still_reports(tmp_path: Path) -> None:
    with Diary(f"sqlite:///{tmp_path / 'e.sqlite3'}") as diary:
        summary = summarise(load(diary, until=date(2026, 3, 1)))
    tree = parse(render_html(summary, generated=GENERATED))
    assert "None of the warning patterns" in tree.text()
    assert "too few days or episodes to compare any factor yet" in tree.text()
