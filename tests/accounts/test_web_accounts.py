"""The web app with ``--accounts`` through HTTP (FastAPI's TestClient, plain form posts as a
browser without JavaScript sends them): logging in and out, the cookie, lockout,
registration, people, share links, API tokens, deleting an account."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from musclewise.diary import Diary
from tests.accounts.conftest import PASSWORD, Clock
from tests.accounts.web_helpers import (
    accounts_app,
    client_of,
    form,
    log_in,
    new_link,
    new_token,
)
from tests.web.helpers import token

FINDINGS = {"site": "calf", "pain": 3}


def test_every_page_needs_a_login_and_the_api_a_token(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, _), client_of(app) as client:
        for path in ("/", "/diary", "/insights", "/settings", "/account", "/export/jsonl"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=")
        posted = client.post("/log", follow_redirects=False)
        assert posted.status_code in (303, 403)
        api = client.post("/api/v1/assess", json=FINDINGS)
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert api.headers["content-type"].startswith("application/problem+json")
        assert client.get("/login").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_logging_in_sets_a_safe_cookie_that_changes_at_every_login(
    db_url: str, clock: Clock
) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        accounts.add("ann@example.org", PASSWORD)
        wrong = log_in(client, "ann@example.org", "not the password")
        assert wrong.status_code == 400 and "The e-mail or the password is not right" in wrong.text
        answer = log_in(client, "Ann@Example.org", next="/diary")
        assert answer.status_code == 303 and answer.headers["location"] == "/diary"
        cookie = answer.headers["set-cookie"]
        assert "mw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        first = client.cookies["mw_session"]
        diary = client.get("/diary")
        assert diary.status_code == 200
        main_nav = diary.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
        assert 'href="/account"' in main_nav, "the account is one tap away on every page"
        assert "ann@example.org" in client.get("/account").text
        log_in(client, "ann@example.org")
        second = client.cookies["mw_session"]
        assert second != first
        with client_of(app) as stolen:
            stolen.cookies.set("mw_session", first)
            assert stolen.get("/diary", follow_redirects=False).status_code == 303
        assert log_in(client, "ann@example.org", next="//evil.example").headers[
            "location"] == "/"  # fmt: skip
    with accounts_app(db_url, clock) as (app, _), client_of(app, "https://127.0.0.1") as client:
        secure = log_in(client, "ann@example.org").headers["set-cookie"]
        assert secure.startswith("__Host-mw_session=") and "Secure" in secure
        assert "Domain" not in secure and "Path=/" in secure
        assert client.get("/diary").status_code == 200


def test_logout_and_logout_everywhere(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts):
        accounts.add("ann@example.org", PASSWORD)
        with client_of(app) as phone, client_of(app) as laptop:
            log_in(phone, "ann@example.org")
            log_in(laptop, "ann@example.org")
            form(phone, "/account", "/logout")
            assert phone.get("/diary", follow_redirects=False).status_code == 303
            assert laptop.get("/diary").status_code == 200
            log_in(phone, "ann@example.org")
            ended = form(laptop, "/account", "/logout-everywhere")
            assert "logged out on every device" in ended.text
            for client in (phone, laptop):
                assert client.get("/diary", follow_redirects=False).status_code == 303


def test_lockout_after_failed_logins(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        accounts.add("ann@example.org", PASSWORD)
        for _ in range(5):
            assert log_in(client, "ann@example.org", "guess guess guess").status_code == 400
        locked = log_in(client, "ann@example.org")
        assert locked.status_code == 429 and "Too many failed logins" in locked.text
        assert 0 < int(locked.headers["retry-after"]) <= 900
        clock.move(minutes=15, seconds=1)
        assert log_in(client, "ann@example.org").status_code == 303


def test_spraying_from_one_address_gets_429_and_the_others_still_log_in(
    db_url: str, clock: Clock
) -> None:
    with (accounts_app(db_url, clock) as (app, accounts),
          client_of(app, address="203.0.113.7") as attacker,
          client_of(app, address="198.51.100.23") as ann):  # fmt: skip
        accounts.add("ann@example.org", PASSWORD)
        for n in range(20):  # one password tried on many e-mails
            assert log_in(attacker, f"person{n}@example.org", "Summer2026!!").status_code == 400
        for email in ("person99@example.org", "ann@example.org"):
            refused = log_in(attacker, email, PASSWORD)
            assert refused.status_code == 429, refused.status_code
            assert "Too many failed logins from this address" in refused.text
            assert 0 < int(refused.headers["retry-after"]) <= 900
        assert log_in(ann, "ann@example.org").status_code == 303
        with accounts.engine.connect() as connection:
            stored = str(connection.execute(text("SELECT * FROM login_failure")).all())
        assert "203.0.113.7" not in stored and "person3@example.org" in stored
        clock.move(minutes=15, seconds=1)
        assert log_in(attacker, "ann@example.org").status_code == 303


def test_a_victims_own_address_is_not_locked_by_anothers_failures(
    db_url: str, clock: Clock
) -> None:
    with (accounts_app(db_url, clock) as (app, accounts),
          client_of(app, address="203.0.113.7") as attacker,
          client_of(app, address="198.51.100.23") as ann):  # fmt: skip
        accounts.add("ann@example.org", PASSWORD)
        for _ in range(5):
            assert log_in(attacker, "ann@example.org", "guess guess guess").status_code == 400
        locked = log_in(attacker, "ann@example.org")
        assert locked.status_code == 429 and "from this address" not in locked.text
        assert log_in(ann, "ann@example.org").status_code == 303


def test_registration_can_be_switched_on_and_off(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock, registration=False) as (app, _), client_of(app) as client:
        assert client.get("/register").status_code == 404
        assert "/register" not in client.get("/login").text
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        page = client.get("/register").text
        short = client.post("/register", data={"csrf": token(page), "email": "new@example.org",
                                               "password": "short", "password_again": "short"})  # fmt: skip
        assert short.status_code == 400 and "at least 12 characters" in short.text
        made = client.post("/register", data={"csrf": token(page), "email": "new@example.org",
                                              "password": PASSWORD, "password_again": PASSWORD})  # fmt: skip
        assert made.status_code == 200 and made.url.path == "/"
        assert [a.email for a in accounts.all()] == ["new@example.org"]


def test_people_of_an_account_and_switching_between_them(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        ann = accounts.add("ann@example.org", PASSWORD)
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            diary.add_episode("calf", pain=4, notes="mine-note")
        log_in(client, "ann@example.org")
        form(client, "/account", "/account/people", {"person": "Lily"})
        assert "Lily" in client.get("/account").text
        assert "mine-note" in client.get(f"/diary/{diary.list_episodes()[0].public_id}").text
        shown = form(client, "/account", "/account/people/switch", {"person": "Lily"})
        assert shown.url.path == "/diary" and "diary of Lily" in shown.text
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            episode = diary.list_episodes()[0]
        assert client.get(f"/diary/{episode.public_id}").status_code == 404  # not Lily's
        assert client.get(f"/diary/{episode.id}").status_code == 404  # no numbers with accounts
        refused = form(client, "/account", "/account/people/remove",
                       {"person": "Lily", "confirm": "nope"})  # fmt: skip
        assert refused.status_code == 400
        form(client, "/account", "/account/people/remove", {"person": "Lily", "confirm": "Lily"})
        assert accounts.people(ann.id) == ["me"]


def test_share_links_show_the_diary_read_only_until_expired_or_revoked(
    db_url: str, clock: Clock
) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        ann = accounts.add("ann@example.org", PASSWORD)
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            diary.add_episode("calf", pain=4)
        log_in(client, "ann@example.org")
        made = form(client, "/account/share", "/account/share",
                    {"person": "me", "days": "7", "label": "Dr Jones"})  # fmt: skip
        link = new_link(made.text)
        path = link.split("://", 1)[1].split("/", 1)[1]
        assert "Dr Jones" in made.text and "active" in made.text
        assert link not in client.get("/account/share").text, "shown only once"
        with client_of(app) as doctor:
            shared = doctor.get("/" + path)
            assert shared.status_code == 200 and "calf (back" in shared.text
            report = doctor.get("/" + path + "/report")
            assert report.status_code == 200 and report.headers["content-type"].startswith(
                "text/html")  # fmt: skip
            assert doctor.get("/diary", follow_redirects=False).status_code == 303
            assert doctor.post("/" + path).status_code in (403, 405)
            clock.move(days=7)
            assert doctor.get("/" + path).status_code == 404
            log_in(client, "ann@example.org")  # (her own login had ended: idle for days)
            assert "expired" in client.get("/account/share").text
            again = new_link(form(client, "/account/share", "/account/share",
                                  {"person": "me", "days": "1"}).text)  # fmt: skip
            path = again.split("://", 1)[1].split("/", 1)[1]
            assert doctor.get("/" + path).status_code == 200
            second = accounts.shares(ann.id)[-1].id
            form(client, "/account/share", f"/account/share/{second}/revoke")
            assert doctor.get("/" + path).status_code == 404
            assert "revoked" in client.get("/account/share").text


def test_api_tokens_from_the_page_open_the_api(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        accounts.add("ann@example.org", PASSWORD)
        log_in(client, "ann@example.org")
        made = form(client, "/account/tokens", "/account/tokens", {"name": "my script"})
        secret = new_token(made.text)
        assert secret not in client.get("/account/tokens").text, "shown only once"
        with client_of(app) as script:
            bearer = {"Authorization": f"Bearer {secret}"}
            assert script.post("/api/v1/assess", json=FINDINGS, headers=bearer).status_code == 200
            assert "never" not in client.get("/account/tokens").text  # its last use is shown
            [listed] = accounts.tokens(accounts.get("ann@example.org").id)
            form(client, "/account/tokens", f"/account/tokens/{listed.id}/revoke")
            assert script.post("/api/v1/assess", json=FINDINGS, headers=bearer).status_code == 401


def test_changing_the_password_and_deleting_the_account(db_url: str, clock: Clock) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        ann = accounts.add("ann@example.org", PASSWORD)
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            diary.add_episode("calf", pain=4)
        log_in(client, "ann@example.org")
        bad = form(client, "/account", "/account/password",
                   {"current_password": "wrong", "new_password": "a new long password"})  # fmt: skip
        assert bad.status_code == 400 and "The current password is not" in bad.text
        form(client, "/account", "/account/password",
             {"current_password": PASSWORD, "new_password": "a new long password"})  # fmt: skip
        assert client.get("/diary").status_code == 200, "this login goes on"
        refused = form(client, "/account", "/account/delete",
                       {"confirm": "delete my account", "password": PASSWORD})  # fmt: skip
        assert refused.status_code == 400 and accounts.all()
        gone = form(client, "/account", "/account/delete",
                    {"confirm": "delete my account", "password": "a new long password"})  # fmt: skip
        assert "Your account and all its data were deleted" in gone.text
        assert accounts.all() == []
        with Diary(engine=accounts.engine, account=ann.id, person="me") as diary:
            assert diary.list_episodes() == []


def test_a_stolen_login_cannot_guess_the_password_on_the_account_page(
    db_url: str, clock: Clock
) -> None:
    """Wrong current passwords (to change it, or to delete the account) count as failed logins:
    after five, both forms answer 429 with Retry-After, even with the right password, and the
    password stays as it was; after the window it works again."""
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        accounts.add("ann@example.org", PASSWORD)
        log_in(client, "ann@example.org")
        for n in range(5):
            guess = {"current_password": f"guess number {n}", "new_password": "a new long password"}
            assert form(client, "/account", "/account/password", guess).status_code == 400
        right = {"current_password": PASSWORD, "new_password": "a new long password"}
        locked = form(client, "/account", "/account/password", right)
        assert locked.status_code == 429 and "Too many wrong passwords" in locked.text
        assert 0 < int(locked.headers["retry-after"]) <= 900
        deleting = form(client, "/account", "/account/delete",
                        {"confirm": "delete my account", "password": PASSWORD})  # fmt: skip
        assert deleting.status_code == 429 and accounts.all()
        with client_of(app) as other:  # the e-mail is locked from this address for logging in too
            assert log_in(other, "ann@example.org").status_code == 429
        clock.move(minutes=15, seconds=1)
        assert form(client, "/account", "/account/password", right).status_code == 200
        assert accounts.authenticate("ann@example.org", "a new long password")


@pytest.mark.parametrize("path", ["/account/people", "/account/tokens", "/logout-everywhere"])
def test_every_form_needs_its_csrf_token(db_url: str, clock: Clock, path: str) -> None:
    with accounts_app(db_url, clock) as (app, accounts), client_of(app) as client:
        accounts.add("ann@example.org", PASSWORD)
        log_in(client, "ann@example.org")
        assert client.post(path, data={"person": "x", "name": "x"}).status_code == 403
        assert client.get("/diary").status_code == 200
