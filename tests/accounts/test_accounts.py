"""The accounts library on SQLite and PostgreSQL: e-mails, passwords, logins and their
expiry, lockout, API tokens, share links, people, deleting an account."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from musclewise.accounts import (
    Accounts,
    AccountValueError,
    LockedOut,
    LoginRefused,
    NotFoundError,
    Scope,
)
from musclewise.diary import Diary
from musclewise.diary.models import Base
from tests.accounts.conftest import PASSWORD, Clock, quick_hasher


def test_an_email_is_normalised_and_unique_whatever_its_case(accounts: Accounts) -> None:
    made = accounts.add("  Ann@Example.ORG ", PASSWORD)
    assert made.email == "ann@example.org" and made.people == ("me",) and not made.disabled
    with pytest.raises(AccountValueError) as caught:
        accounts.add("ANN@example.org", PASSWORD)
    assert caught.value.problems[0].key == "email"
    assert [a.email for a in accounts.all()] == ["ann@example.org"]


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not an address", PASSWORD, "email"), ("a@b.org", "short", "password"),
     ("a@b.org", "x" * 129, "password")],
)  # fmt: skip
def test_bad_values_name_their_field(
    accounts: Accounts, email: str, password: str, field: str
) -> None:
    with pytest.raises(AccountValueError) as caught:
        accounts.add(email, password)
    assert [p.key for p in caught.value.problems] == [field]
    assert password not in str(caught.value)
    assert accounts.all() == []


def test_passwords_are_stored_as_argon2_and_any_characters_are_allowed(
    accounts: Accounts,
) -> None:
    phrase = "späces and ünïcode ✓ ok"
    accounts.add("ann@example.org", phrase)
    with accounts.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM account")).scalar_one()
    assert stored.startswith("$argon2id$") and phrase not in stored
    assert accounts.authenticate("ANN@example.org", phrase).email == "ann@example.org"


def test_a_wrong_password_an_unknown_email_and_a_disabled_account_get_one_answer(
    accounts: Accounts,
) -> None:
    accounts.add("ann@example.org", PASSWORD)
    accounts.add("bob@example.org", PASSWORD)
    accounts.set_disabled("bob@example.org")
    messages = set()
    for email, password in [("ann@example.org", PASSWORD + "!"), ("nobody@example.org", PASSWORD),
                            ("bob@example.org", PASSWORD)]:  # fmt: skip
        with pytest.raises(LoginRefused) as caught:
            accounts.authenticate(email, password)
        assert not isinstance(caught.value, LockedOut)
        messages.add(caught.value.message)
    assert len(messages) == 1


def test_lockout_after_five_failures_holds_across_processes_and_ends(
    accounts: Accounts, db_url: str, clock: Clock
) -> None:
    accounts.add("ann@example.org", PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.authenticate("ann@example.org", "wrong password!")
    # another app process (its own engine and connections) sees the same failures
    with Accounts(db_url, hasher=quick_hasher(), clock=clock) as other:
        with pytest.raises(LockedOut) as caught:
            other.authenticate("Ann@example.org", PASSWORD)  # even the right password
        assert 0 < caught.value.retry_after <= 15 * 60
    clock.move(minutes=16)
    assert accounts.authenticate("ann@example.org", PASSWORD).email == "ann@example.org"
    # a success clears the count
    for _ in range(4):
        with pytest.raises(LoginRefused):
            accounts.authenticate("ann@example.org", "wrong password!")
    accounts.authenticate("ann@example.org", PASSWORD)


def test_sessions_rotate_expire_when_idle_or_old_and_end_everywhere(
    accounts: Accounts, clock: Clock
) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    first = accounts.start_session(ann.id)
    second = accounts.start_session(ann.id)
    assert first != second and len(first) > 40
    assert accounts.session(first).scope == Scope(ann.id, "me")
    with accounts.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM login_session")).scalars().all()
    assert first not in stored and second not in stored
    accounts.end_session(first)
    with pytest.raises(NotFoundError):
        accounts.session(first)
    clock.move(hours=11)
    accounts.session(second)  # used: the idle time starts again
    clock.move(hours=11)
    accounts.session(second)
    clock.move(hours=13)
    with pytest.raises(NotFoundError):
        accounts.session(second)  # idle too long
    kept = accounts.start_session(ann.id)
    for _ in range(72):  # used every 10 hours for 30 days
        clock.move(hours=10)
        accounts.session(kept)
    clock.move(hours=1)
    with pytest.raises(NotFoundError):
        accounts.session(kept)  # at most 30 days, however often used
    a, b = accounts.start_session(ann.id), accounts.start_session(ann.id)
    assert accounts.end_all_sessions(ann.id) == 2
    for ended in (a, b):
        with pytest.raises(NotFoundError):
            accounts.session(ended)


def test_a_password_change_or_reset_or_disabling_ends_other_logins(accounts: Accounts) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    here, there = accounts.start_session(ann.id), accounts.start_session(ann.id)
    with pytest.raises(AccountValueError) as caught:
        accounts.change_password(ann.id, "not the password", "a brand new password", keep=here)
    assert caught.value.problems[0].key == "current_password"
    accounts.change_password(ann.id, PASSWORD, "a brand new password", keep=here)
    accounts.session(here)
    with pytest.raises(NotFoundError):
        accounts.session(there)
    accounts.set_password("ann@example.org", "reset by the admin")
    with pytest.raises(NotFoundError):
        accounts.session(here)
    with pytest.raises(LoginRefused):
        accounts.authenticate("ann@example.org", "a brand new password")
    accounts.authenticate("ann@example.org", "reset by the admin")
    later = accounts.start_session(ann.id)
    accounts.set_disabled("ann@example.org")
    with pytest.raises(NotFoundError):
        accounts.session(later)


def test_api_tokens_are_shown_once_listed_used_and_revoked(
    accounts: Accounts, clock: Clock
) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    record, secret = accounts.create_token(ann.id, "my script")
    with accounts.engine.connect() as connection:
        assert secret not in str(connection.execute(text("SELECT * FROM api_token")).all())
    assert accounts.token_scope(secret) == Scope(ann.id, "me")
    [listed] = accounts.tokens(ann.id)
    assert listed.name == "my script" and listed.last_used_at == clock.now
    bob = accounts.add("bob@example.org", PASSWORD)
    with pytest.raises(NotFoundError):
        accounts.revoke_token(record.id, bob.id)  # not bob's
    accounts.revoke_token(record.id, ann.id)
    with pytest.raises(NotFoundError):
        accounts.token_scope(secret)
    with pytest.raises(NotFoundError):
        accounts.token_scope(secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_share_links_are_read_only_expire_and_are_revoked(accounts: Accounts, clock: Clock) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    record, secret = accounts.create_share(ann.id, "me", days=7)
    assert accounts.share_scope(secret) == Scope(ann.id, "me", read_only=True)
    assert accounts.shares(ann.id)[0].expires_at == clock.now + (record.expires_at - clock.now)
    clock.move(days=7)
    with pytest.raises(NotFoundError):
        accounts.share_scope(secret)  # expired
    _, other = accounts.create_share(ann.id, "me", days=1)
    accounts.share_scope(other)
    bob = accounts.add("bob@example.org", PASSWORD)
    with pytest.raises(NotFoundError):
        accounts.revoke_share(bob.id, accounts.shares(ann.id)[1].id)
    accounts.revoke_share(ann.id, accounts.shares(ann.id)[1].id)
    with pytest.raises(NotFoundError):
        accounts.share_scope(other)
    for days in (0, 91):
        with pytest.raises(AccountValueError) as caught:
            accounts.create_share(ann.id, "me", days=days)
        assert caught.value.problems[0].key == "days"
    with pytest.raises(NotFoundError):
        accounts.create_share(ann.id, "nobody", days=3)


def test_people_of_an_account_each_have_their_own_diary(accounts: Accounts) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    bob = accounts.add("bob@example.org", PASSWORD)
    accounts.add_person(ann.id, "Tom")
    accounts.add_person(bob.id, "Tom")  # the same name in another account
    assert accounts.people(ann.id) == ["me", "Tom"]
    with Diary(engine=accounts.engine, account=ann.id, person="Tom") as tom:
        episode = tom.add_episode("calf", pain=4)
    with Diary(engine=accounts.engine, account=bob.id, person="Tom") as bobs_tom:
        assert bobs_tom.list_episodes() == []
        with pytest.raises(NotFoundError):
            bobs_tom.get_episode(episode.id)
        with pytest.raises(NotFoundError):
            bobs_tom.episode_id(episode.public_id)
    with Diary(engine=accounts.engine, account=ann.id, person="me") as me:
        assert me.list_episodes() == [] and me.people() == ["Tom", "me"]
    with Diary(engine=accounts.engine) as local:  # no account: sees no account's people
        assert local.people() == [] and local.list_episodes() == []
    secret = accounts.start_session(ann.id)
    accounts.switch_person(secret, ann.id, "Tom")
    assert accounts.session(secret).person == "Tom"
    with pytest.raises(NotFoundError):
        accounts.switch_person(secret, ann.id, "Nobody")
    accounts.remove_person(ann.id, "Tom")
    assert accounts.people(ann.id) == ["me"] and accounts.session(secret).person == "me"
    with pytest.raises(AccountValueError):
        accounts.remove_person(ann.id, "me")


def test_deleting_an_account_deletes_all_its_data_and_nothing_else(accounts: Accounts) -> None:
    ann = accounts.add("ann@example.org", PASSWORD)
    bob = accounts.add("bob@example.org", PASSWORD)
    for account in (ann, bob):
        with Diary(engine=accounts.engine, account=account.id, person="me") as diary:
            diary.set_profile({"birth_year": 1970}, conditions=["diabetes"])
            diary.add_medicine("atorvastatin")
            diary.add_episode("calf", pain=4)
            diary.set_day(diary.today(), {"caffeine_cups": 2})
        accounts.start_session(account.id)
        accounts.create_token(account.id)
        accounts.create_share(account.id, "me", days=3)

    def counts() -> dict[str, int]:
        with accounts.engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in Base.metadata.tables.items()
                if name != "login_failure"
            }

    before = counts()
    accounts.delete(ann.id)
    after = counts()
    assert all(after[name] * 2 == before[name] for name in before), (before, after)
    assert [a.email for a in accounts.all()] == ["bob@example.org"]
