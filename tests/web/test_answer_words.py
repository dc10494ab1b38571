"""What a new user reads on the answer and insights pages (issue 11, tried as a new user):
nothing calm is said before unchecked warning signs, no heading is repeated in its text, the
disclaimer's "sources below" has the sources below it, and insights speak in the library's
words for a trigger's day and a trend."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from musclewise.web import create_app
from tests.web.helpers import post, triage_of
from tests.web.test_http import (
    EMERGENCY,
    NIGHT_CRAMP,
    _first_screen,
    answer_no_to_warnings,
    describe,
)


def test_unchecked_warning_signs_come_before_a_calm_answer(client: TestClient) -> None:
    page, action, key, _ = _first_screen(client)
    page = post(client, page, action, {"key": key, "answer": "__not_sure__"}).text
    stop = re.search(r'action="(/check/[^"]+/stop)"', page)
    assert stop
    answer = post(client, page, stop.group(1)).text
    level = triage_of(answer)
    assert level in ("self_care", "see_doctor"), level
    assert answer.index('id="not-checked"') < answer.index("data-triage=")
    assert "You can look after this at home" not in answer
    assert "Check the warning signs first" in answer or level == "see_doctor"
    assert "listed below" not in answer  # the list is above the answer
    signs = re.search(r'id="not-checked">(.*?)</div>', answer, re.S)
    assert signs and signs.group(1).count("<li>") >= 2  # a list, one sign a line
    # grouped by how soon to get help, the most serious first, as musclewise assess says
    levels = re.findall(r'data-unscreened-level="([a-z_]+)"', signs.group(1))
    assert levels and levels[0] == "emergency", levels
    assert "Call 999, 112 or 911" in signs.group(1) and "trouble breathing" in signs.group(1)


def test_a_screened_night_cramp_still_says_self_care(client: TestClient) -> None:
    answer = answer_no_to_warnings(client, describe(client, NIGHT_CRAMP))
    assert triage_of(answer) == "self_care"
    assert "You can look after this at home" in answer
    assert 'id="not-checked"' not in answer


def test_the_disclaimer_about_the_sources_below_is_above_them(client: TestClient) -> None:
    answer = answer_no_to_warnings(client, describe(client, NIGHT_CRAMP))
    assert "sources below" in answer
    assert answer.index('id="disclaimer"') < answer.index("<h2>Sources</h2>")


def test_advice_under_while_you_get_help_does_not_repeat_it(client: TestClient) -> None:
    answer = answer_no_to_warnings(client, describe(client, EMERGENCY))
    assert triage_of(answer) == "emergency"
    assert "<h2>While you get help</h2>" in answer
    assert answer.count("While you get help") == 1, "the heading is repeated in the advice"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    subprocess.run([sys.executable, "-m", "musclewise", "demo", "--database-url", url,
                    "--end", "2026-11-30"], check=True, capture_output=True)  # fmt: skip
    app = create_app(url)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.web.close()


def test_insights_name_each_triggers_day_and_a_trend_with_what_it_compares(
    demo: TestClient,
) -> None:
    page = demo.get("/insights").text
    items = re.findall(r'<li data-when="([^"]+)"><strong>([^<]+)</strong>', page)
    assert items, "the demo diary has a trigger"
    for when, lead in items:
        assert when in ("the same day", "the day before", "the same day or the day before",
                        "while taking it")  # fmt: skip
        assert f", {when}" in lead
        if when == "the same day or the day before":
            assert "cannot tell which" in lead
    table = page[page.index("<h2>Counts</h2>") :]
    assert "4 weeks before" not in table
    assert re.search(r"<td>(rising|falling|no clear change) \(\d+\.\d to \d+\.\d a week, "
                     r"first and last 4 of \d+ weeks\)</td>", table)  # fmt: skip


def test_a_diary_episode_lists_the_warning_signs_its_calm_level_did_not_check(
    demo: TestClient,
) -> None:
    diary = demo.get("/diary").text
    first = re.search(r'href="(/diary/[0-9a-f]{32})"', diary)
    assert first
    page = demo.get(first.group(1)).text
    assert triage_of(page) in ("self_care", "see_doctor")
    assert "You can look after this at home" not in page
    signs = re.search(r'id="not-checked">(.*?)</details>', page, re.S)
    assert signs and signs.group(1).count("<li>") >= 2


def test_the_home_page_points_to_the_warning_signs_before_the_stretches(
    client: TestClient,
) -> None:
    page = client.get("/").text
    link = page.index('href="#get-help"')
    assert link < page.index('class="card"'), "the stretches come before the way to the signs"
    assert 'id="get-help"' in page


def test_knowledge_cites_sources_by_number_never_by_internal_id(client: TestClient) -> None:
    from musclewise.knowledge import load_knowledge

    page = client.get("/knowledge").text
    for sid in load_knowledge().sources:
        assert f"[{sid}]" not in page, f"the source id {sid} is shown"
    cited = re.findall(r'<a class="ref" href="#src-([^"]+)" aria-label="source (\d+)"', page)
    assert cited
    listed = re.findall(r'<li id="src-([^"]+)">', page[page.index('id="sources"') :])
    for sid, n in cited:  # each number is the place of its source in the numbered list
        assert listed[int(n) - 1] == sid


def test_the_running_timer_says_what_to_do_while_it_lasts(client: TestClient) -> None:
    from musclewise.web import words

    timer = post(client, client.get("/").text, "/log").text
    assert "Timing your episode" in timer
    help_now = timer[timer.index('id="while-it-lasts"') :]
    for card in words.home_view()["cards"]:
        assert card["text"] in html.unescape(help_now)
        assert all(s["title"] in html.unescape(help_now) for s in card["sources"])
    assert 'href="/#get-help"' in help_now


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(45, "about 45 seconds"), (105, "about 2 minutes"), (60 * 17.4, "about 17 minutes"),
     (3600 * 1.6, "about 1.5 hours"), (3600 * 30, "about 30 hours"), (86_400 * 3, "about 3 days"),
     (60, "about 60 seconds"), (90, "about 2 minutes")],
)  # fmt: skip
def test_how_long_is_said_as_people_say_it(seconds: float, said: str) -> None:
    from musclewise.web import words

    assert words.describe("duration_s", seconds) == said


def test_an_episode_says_how_long_in_whole_minutes(client: TestClient) -> None:
    from musclewise.web import words

    timer = post(client, client.get("/").text, "/log").text
    stop = re.search(r'action="(/log/[^"]+/stop)"', timer)
    assert stop
    episode = post(client, timer, stop.group(1), {"site": "calf", "pain": "5"}).text
    edit = re.search(r'href="(/diary/[0-9a-f]{32}/edit)"', episode)
    assert edit
    form = client.get(edit.group(1)).text
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    changed = post(client, form, edit.group(1),
                   {**fields, "site": "calf", "pain": "5", "duration_min": "1.75"}).text  # fmt: skip
    assert words.duration_words(105) in changed and "1.75 minutes" not in changed
