"""The web app over plain HTTP, as a browser without JavaScript uses it: every form posted with
the token its page gave, every POST answered by a 303."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

import musclewise
from musclewise.assessment import default_engine, resolve_medicines
from musclewise.interview import simulate
from tests.conftest import shared_path
from tests.web.helpers import (
    QUESTION,
    answer_from,
    kind_of,
    post,
    run_interview,
    token,
    triage_of,
)

PAGES = ["/", "/log", "/assess", "/check", "/diary", "/day", "/profile", "/insights", "/report",
         "/transfer", "/knowledge", "/settings", "/offline"]  # fmt: skip
EMERGENCY = ("After a 12 hour flight my left calf is swollen and red, and now I am short of "
             "breath with chest pain")  # fmt: skip
NIGHT_CRAMP = ("Woke up at 3am with my left calf locked solid, agony for about two minutes, "
               "stretching it helped, no swelling")  # fmt: skip
NONSENSE = "hello, just testing this thing"


def describe(client: TestClient, text: str) -> Any:
    """Post a description; confirm what was understood (if anything)."""
    page = client.get("/assess").text
    response = post(client, page, "/assess", {"text": text})
    if "/understood" not in str(response.url):
        return response
    keep = re.findall(r'name="keep" value="([^"]+)"', response.text)
    action = re.search(r'action="(/check/[^"]+/understood)"', response.text)
    assert action
    return post(client, response.text, action.group(1), {"keep": keep})


def answer_no_to_warnings(client: TestClient, response: Any) -> Any:
    """Answer every question: "None of these" and "No" to warning signs, "Not sure" to the
    rest."""
    page = response.text
    for _ in range(60):
        found = QUESTION.search(page)
        if not found:
            return page
        key, kind = found.groups()
        action = re.search(r'<form method="post" action="(/check/[^"/]+)"', page)
        assert action
        answers = dict.fromkeys(re.findall(r'name="answer" value="([a-z_]+)"', page), False)
        if kind == "yes_no":
            answers[key] = False
        data, _, _ = answer_from(page, key, kind, answers)
        page = post(client, page, action.group(1), {"key": key, **data}).text
    raise AssertionError("the interview did not end")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_lang_and_title(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert re.search(r'<html lang="en"', response.text)
    assert re.search(r"<title>[^<]+ · musclewise</title>", response.text)
    assert "<script>" not in response.text and "style=" not in response.text
    assert "<style" not in response.text


def test_without_accounts_the_menu_has_no_account_link(client: TestClient) -> None:
    main_nav = client.get("/").text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert 'href="/diary"' in main_nav and 'href="/account"' not in main_nav


def test_strict_headers(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_post_without_the_token_is_refused(client: TestClient) -> None:
    client.get("/")
    assert client.post("/assess", data={"text": NIGHT_CRAMP}).status_code == 403
    assert client.post("/assess", data={"text": NIGHT_CRAMP, "csrf": "a.b"}).status_code == 403
    assert client.post("/log").status_code == 403


def test_a_token_of_another_browser_is_refused(client: TestClient, tmp_path: Path) -> None:
    other = token(client.get("/").text)
    client.cookies.clear()
    client.get("/")  # a new cookie, signed by the same app
    response = client.post("/assess", data={"text": NIGHT_CRAMP, "csrf": other})
    assert response.status_code == 403


def test_unknown_host_and_cross_origin_posts_are_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
    page = client.get("/").text
    response = client.post(
        "/assess",
        data={"csrf": token(page), "text": NIGHT_CRAMP},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_a_described_emergency_shows_the_emergency_panel(client: TestClient) -> None:
    response = describe(client, EMERGENCY)
    assert response.status_code == 200
    page = answer_no_to_warnings(client, response)
    assert triage_of(page) == "emergency"
    assert "Call an ambulance now" in page
    assert "999, 112 or 911" in page
    assert "You can look after this at home" not in page


def test_the_emergency_number_follows_the_setting(client: TestClient) -> None:
    page = client.get("/settings").text
    post(client, page, "/settings", {"theme": "dark", "emergency": "112"})
    page = answer_no_to_warnings(client, describe(client, EMERGENCY))
    assert 'Call <strong class="big">112</strong> now' in page
    assert '<html lang="en" data-theme="dark">' in page


def test_an_ordinary_night_cramp_is_self_care_and_can_be_saved(client: TestClient) -> None:
    page = answer_no_to_warnings(client, describe(client, NIGHT_CRAMP))
    assert triage_of(page) == "self_care"
    assert kind_of(page) == "cramp"
    save = re.search(r'action="(/check/[^"]+/save)"', page)
    assert save
    episode = post(client, page, save.group(1))
    assert "Saved to your diary" in episode.text
    assert triage_of(episode.text) == "self_care"
    diary = client.get("/diary").text
    assert "calf (back of the lower leg)" in diary


def test_nonsense_gives_no_triage(client: TestClient) -> None:
    response = describe(client, NONSENSE)
    assert response.status_code == 422
    assert triage_of(response.text) is None
    assert "I could not tell what happened" in response.text
    assert "where" in response.text
    # words it cannot read may still be an emergency: the signs, the number, the questions
    assert "Get help at once, calling" in response.text
    assert "breathless" in response.text
    assert 'href="/check"' in response.text


def test_an_empty_description_names_the_field(client: TestClient) -> None:
    response = describe(client, "   ")
    assert response.status_code == 422
    assert 'href="#text"' in response.text and "There is a problem" in response.text


def test_the_understood_findings_can_be_corrected(client: TestClient) -> None:
    page = client.get("/assess").text
    response = post(client, page, "/assess", {"text": NIGHT_CRAMP})
    assert "What I understood" in response.text
    action = re.search(r'action="(/check/[^"]+/understood)"', response.text)
    assert action
    keep = [k for k in re.findall(r'name="keep" value="([^"]+)"', response.text) if k != "site"]
    question = post(client, response.text, action.group(1), {"keep": keep})
    assert QUESTION.search(question.text).group(1) == "site"  # type: ignore[union-attr]


def test_back_and_not_sure(client: TestClient) -> None:
    page = post(client, client.get("/check").text, "/check").text
    first = QUESTION.search(page)
    assert first and first.group(1) == "site"
    action = re.search(r'<form method="post" action="(/check/[^"/]+)"', page)
    assert action
    page = post(client, page, action.group(1), {"key": "site", "answer": "calf"}).text
    second = QUESTION.search(page)
    assert second and second.group(1) != "site"
    assert "Question 2" in page
    page = post(client, page, action.group(1) + "/back").text
    assert QUESTION.search(page).group(1) == "site"  # type: ignore[union-attr]
    page = post(client, page, action.group(1), {"key": "site", "answer": "__not_sure__"}).text
    assert QUESTION.search(page).group(1) != "site"  # type: ignore[union-attr]


def test_a_question_without_an_answer_shows_an_error_summary(client: TestClient) -> None:
    page = post(client, client.get("/check").text, "/check").text
    action = re.search(r'<form method="post" action="(/check/[^"/]+)"', page)
    assert action
    response = client.post(action.group(1), data={"csrf": token(page), "key": "site"})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#answer"' in response.text


def _vignettes() -> list[dict[str, Any]]:
    path = shared_path("vignettes", "public.yaml")  # skipped without ../shared, never on CI
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text("utf-8"))
    return cases


def test_every_public_vignette_gets_the_same_answer_on_the_web_and_the_cli(
    client: TestClient,
) -> None:
    """The web interview, answered from each vignette's answers, gives ``musclewise.assess``
    of the findings it gathered, and ends where the CLI's does (``musclewise check
    --simulate``): the same level, and the same kind unless the level is an emergency (the
    web stops asking then, and shows the emergency panel at once)."""
    engine = default_engine()
    cases = _vignettes()
    assert len(cases) >= 40
    for case in cases:
        page, findings = run_interview(client, case["answers"])
        level, kind = triage_of(page), kind_of(page)
        expected = musclewise.assess(findings)
        assert (level, kind) == (expected["triage"]["level"], expected["kind"]), case["id"]
        _, cli = simulate(engine, case["answers"], resolve_medicines)
        assert level == cli["triage"]["level"], case["id"]
        if level != "emergency":  # the web stops asking at an emergency; the CLI goes on
            assert kind == cli["kind"], case["id"]


def test_log_it_with_the_timer(client: TestClient) -> None:
    page = client.get("/").text
    timer = post(client, page, "/log")
    assert "Timing your episode" in timer.text
    action = re.search(r'action="(/log/[^"]+/stop)"', timer.text)
    assert action
    bad = client.post(action.group(1), data={"csrf": token(timer.text), "site": "nowhere"})
    assert bad.status_code == 422 and "Choose where it was" in bad.text
    episode = post(
        client, timer.text, action.group(1), {"site": "foot", "side": "left", "pain": "6"}
    )
    assert "Saved to your diary" in episode.text
    assert "Foot, " in episode.text and "6 out of 10" in episode.text
    again = client.post(action.group(1), data={"csrf": token(timer.text), "site": "foot"})
    assert again.status_code == 404  # the timer is spent


def _log(client: TestClient, site: str = "calf", pain: str = "7") -> tuple[str, str]:
    timer = post(client, client.get("/").text, "/log")
    action = re.search(r'action="(/log/[^"]+/stop)"', timer.text)
    assert action
    episode = post(client, timer.text, action.group(1), {"site": site, "pain": pain})
    return str(episode.url).split("?")[0].rsplit("/", 1)[-1], episode.text


def test_diary_edit_delete_and_undo(client: TestClient) -> None:
    episode_id, _ = _log(client)
    edit = client.get(f"/diary/{episode_id}/edit").text
    values = {"site": "calf", "side": "right", "pain": "11", "duration_min": "2", "notes": "",
              "date": re.search(r'name="date" value="([^"]+)"', edit).group(1),  # type: ignore[union-attr]
              "time": re.search(r'name="time" value="([^"]+)"', edit).group(1)}  # type: ignore[union-attr]  # fmt: skip
    bad = client.post(f"/diary/{episode_id}/edit", data={"csrf": token(edit), **values})
    assert bad.status_code == 422 and "0 to 10" in bad.text
    values.update(pain="4", notes="<script>alert(1)</script> after running")
    changed = post(client, edit, f"/diary/{episode_id}/edit", values)
    assert "Your changes were saved" in changed.text and "4 out of 10" in changed.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in changed.text
    assert "<script>alert(1)" not in changed.text
    listing = post(client, changed.text, f"/diary/{episode_id}/delete")
    assert "The episode was deleted" in listing.text
    assert f'href="/diary/{episode_id}"' not in listing.text
    assert client.get(f"/diary/{episode_id}").status_code == 404
    undo = re.search(r'action="(/diary/undo/[^"]+)"', listing.text)
    assert undo
    restored = post(client, listing.text, undo.group(1))
    assert "4 out of 10" in restored.text and "after running" in restored.text


def test_diary_filters(client: TestClient) -> None:
    _log(client, "calf")
    _log(client, "hand")
    listing = client.get("/diary?site=hand").text
    assert listing.count('<tr><td><a href="/diary/') == 1
    assert client.get("/diary?site=nonsense").status_code == 200


def test_the_day_form(client: TestClient) -> None:
    page = client.get("/day").text
    day = re.search(r'name="date" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    bad = client.post("/day", data={"csrf": token(page), "date": day, "stress": "eleven"})
    assert bad.status_code == 422 and 'href="#stress"' in bad.text
    saved = post(client, page, "/day", {"date": day, "caffeine_cups": "3", "stress": "6",
                                        "hot_environment": "yes"})  # fmt: skip
    assert "was saved" in saved.text
    assert 'name="caffeine_cups" value="3.0"' in saved.text
    assert 'id="hot_environment" name="hot_environment" value="yes" checked' in saved.text


def test_profile_and_medicines(client: TestClient) -> None:
    page = client.get("/profile").text
    post(client, page, "/profile", {"birth_year": "1960", "sex": "female"})
    post(client, page, "/profile/medicines", {"medicine": "furosemide"})
    page = post(client, page, "/profile/medicines", {"medicine": "bumetanide"}).text
    assert 'value="1960"' in page and "furosemide" in page
    assert "Two medicines of one kind" in page
    page = post(client, page, "/profile/medicines", {"medicine": "lipitr"}).text
    assert "lipitr (read as atorvastatin: is that right?)" in page
    bad = post(client, page, "/profile/medicines", {"medicine": "xyzzyq"})
    assert bad.status_code == 422 and 'href="#medicine"' in bad.text


def test_insights_report_and_export(client: TestClient) -> None:
    for site in ("calf", "calf", "foot"):
        _log(client, site)
    insights = client.get("/insights").text
    assert '<img src="data:image/svg+xml;base64,' in insights
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]{10,}"', insights)
    view = client.get("/report/view")
    assert view.status_code == 200 and "unsafe-inline" in view.headers["content-security-policy"]
    for fmt in ("csv", "jsonl", "fhir"):
        response = client.get(f"/export/{fmt}")
        assert (
            response.status_code == 200 and "attachment" in response.headers["content-disposition"]
        )
    assert client.get("/export/xml").status_code == 404


def test_import_lists_every_bad_row_and_writes_nothing(client: TestClient) -> None:
    _log(client, "calf")
    exported = client.get("/export/csv").text
    lines = exported.splitlines()
    header, row = lines[0], lines[1]
    columns = header.split(",")
    cells = row.split(",")
    cells[columns.index("pain")] = "12"
    bad = "\n".join([header, row, ",".join(cells)]) + "\n"
    page = client.get("/transfer").text
    response = client.post("/import", data={"csrf": token(page), "action": "check"},
                           files={"file": ("diary.csv", bad.encode(), "text/csv")})  # fmt: skip
    assert response.status_code == 422
    assert "line 3" in response.text and "pain" in response.text
    assert client.get("/diary").text.count('<tr><td><a href="/diary/') == 1


def test_delete_everything_needs_the_typed_confirmation(client: TestClient) -> None:
    _log(client)
    page = client.get("/settings").text
    wrong = client.post("/settings/delete-everything", data={"csrf": token(page), "confirm": "yes"})
    assert wrong.status_code == 422 and "delete everything" in wrong.text
    assert client.get("/diary").text.count('<tr><td><a href="/diary/') == 1
    post(client, page, "/settings/delete-everything", {"confirm": "delete everything"})
    assert "No episodes yet" in client.get("/diary").text


def test_manifest_and_service_worker(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["shortcuts"][0]["name"] == "Log it"
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "/offline" in worker.text


def test_a_saved_answer_that_reads_differently_in_the_diary_says_so(client: TestClient) -> None:
    """Describe it answers from the description alone, as ``musclewise assess`` does; the diary
    assesses each episode with the stored profile and medicines. When the two differ, the
    saved episode's page says so."""
    page = answer_no_to_warnings(client, describe(client, NIGHT_CRAMP))
    save = re.search(r'action="(/check/[^"]+/save)"', page)
    assert save
    episode = post(client, page, save.group(1)).text
    assert triage_of(page) == triage_of(episode) == "self_care"
    assert "reads differently" not in episode
    assert "stretching it helped" in episode  # the description is kept as the episode's notes
    profile = client.get("/profile").text
    post(client, profile, "/profile", {"birth_year": "2015"})  # a child: weakness is an emergency
    page = answer_no_to_warnings(
        client, describe(client, "my calf cramps at night and my legs feel weak")
    )
    save = re.search(r'action="(/check/[^"]+/save)"', page)
    assert save
    episode = post(client, page, save.group(1)).text
    assert triage_of(page) == "urgent" and triage_of(episode) == "emergency"
    assert "reads differently" in episode


def test_the_offline_log_is_idempotent(client: TestClient) -> None:
    page = client.get("/offline").text
    form = {"site": "calf", "pain": "6", "minutes_ago": "5", "duration_min": "1.5",
            "idempotency_key": "0b7c-key", "started_at": ""}  # fmt: skip
    first = post(client, page, "/log/quick", form)
    assert "Saved to your diary" in first.text and "6 out of 10" in first.text
    again = post(client, page, "/log/quick", form)  # the service worker replays it
    assert again.url == first.url
    assert client.get("/diary").text.count('<tr><td><a href="/diary/') == 1
    stamped = {**form, "idempotency_key": "", "started_at": "2026-01-02T03:04:05Z"}
    post(client, page, "/log/quick", stamped)
    post(client, page, "/log/quick", stamped)  # the same site and start: the same episode
    assert client.get("/diary").text.count('<tr><td><a href="/diary/') == 2
    bad = client.post("/log/quick", data={"csrf": token(page), "site": "calf", "minutes_ago": "x"})
    assert bad.status_code == 422 and 'href="#minutes_ago"' in bad.text


def test_a_day_in_the_future_is_refused_with_the_field_named(client: TestClient) -> None:
    page = client.get("/day").text
    response = client.post("/day", data={"csrf": token(page), "date": "2999-01-01", "stress": "3"})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#date"' in response.text


def _first_screen(client: TestClient) -> tuple[str, str, str, list[str]]:
    """The first grouped question of the safety screen after a described night cramp."""
    page = describe(client, NIGHT_CRAMP).text
    found = QUESTION.search(page)
    assert found
    key, kind = found.groups()
    if kind != "group":
        pytest.skip("next_step asks no grouped safety-screen question on this branch")
    action = re.search(r'<form method="post" action="(/check/[^"/]+)"', page)
    assert action
    signs = [v for v in re.findall(r'name="answer" value="([^"]+)"', page) if "__" not in v]
    return page, action.group(1), key, signs


def test_the_safety_screen_is_a_checklist(client: TestClient) -> None:
    page, action, key, signs = _first_screen(client)
    assert 'value="__none__"' in page and 'value="__not_sure__"' in page
    assert "None of these" in page and "Not sure" in page
    mixed = client.post(action, data={"csrf": token(page), "key": key,
                                      "answer": [signs[0], "__none__"]})  # fmt: skip
    assert mixed.status_code == 422 and 'href="#answer"' in mixed.text
    empty = client.post(action, data={"csrf": token(page), "key": key})
    assert empty.status_code == 422
    if "trouble_breathing" in signs:  # any "yes" escalates at once
        answer = post(client, page, action, {"key": key, "answer": ["trouble_breathing"]})
        assert triage_of(answer.text) == "emergency"


def test_not_sure_on_the_screen_is_shown_as_not_checked(client: TestClient) -> None:
    page, action, key, _ = _first_screen(client)
    page = post(client, page, action, {"key": key, "answer": "__not_sure__"}).text
    stop = re.search(r'action="(/check/[^"]+/stop)"', page)
    assert stop
    answer = post(client, page, stop.group(1)).text
    assert triage_of(answer) is not None
    assert "Not checked yet" in answer


def test_insights_are_drawn_again_only_when_the_diary_changes(client: TestClient) -> None:
    """The charts take about a second to draw: an unchanged diary reuses them, and any change
    (a new episode, a day's context) shows at once."""
    for site in ("calf", "calf"):
        _log(client, site)
    first = client.get("/insights").text
    assert client.get("/insights").text == first
    _log(client, "foot")
    second = client.get("/insights").text
    assert second != first
    page = client.get("/day").text
    day = re.search(r'name="date" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    post(client, page, "/day", {"date": day, "caffeine_cups": "5", "stress": "8"})
    assert client.get("/insights").text != second


def test_an_unknown_address_is_a_page_and_under_the_api_a_problem(client: TestClient) -> None:
    """The router's own 404 (no route matched) is worded like every other: a page for a
    person, an RFC 9457 problem under /api/ (a path no API route matches, e.g. with a newline
    in an episode id, never falls back to a bare JSON body)."""
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>" in page.text
    api = client.get("/api/v1/episodes/%0Aabc")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 404
