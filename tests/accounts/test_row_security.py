"""PostgreSQL row-level security, the second wall: as an ordinary role (what the app should
connect as), a query that forgot its account's scope still sees only the rows of the account
its transaction names, and cannot write into another's: the diary's tables and the web app's
``web_state`` (checks in progress, timers, undo records; migration 0007)."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from musclewise.accounts import Accounts, scope
from musclewise.accounts.records import Scope
from musclewise.diary import Diary, database
from musclewise.web.state import SECRET_ID, Check, Store
from tests.accounts.conftest import PASSWORD, quick_hasher
from tests.diary.conftest import migrate

HEALTH_TABLES = (
    "person",
    "person_condition",
    "medicine",
    "episode",
    "day_context",
    "api_request",
    "job",
    "web_state",
)
"""The tables of health data under row-level security (migrations 0003, 0004 and 0007)."""


@pytest.fixture
def app_role(postgres_available: str) -> Iterator[str]:
    """A new login role without superuser or BYPASSRLS (dropped after the test)."""
    role = f"mw_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_available)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
    try:
        yield role
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def _app_url(url: str, app_role: str, admin_url: str) -> str:
    """Grant the ordinary role the app's rights on the schema at ``url`` (migrated), check
    which tables are under forced row-level security, and give the role's URL."""
    schema = url.rsplit("search_path%3D", 1)[1]
    owner = create_engine(url)
    with owner.begin() as connection:
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{app_role}"'))
        connection.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA '
                                f'"{schema}" TO "{app_role}"'))  # fmt: skip
        connection.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" '
                                f'TO "{app_role}"'))  # fmt: skip
        rls = connection.execute(text(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = CAST(:s AS regnamespace) AND relkind = 'r'"), {"s": schema}
        ).all()  # fmt: skip
    assert {r[0] for r in rls if r[1] and r[2]} == set(HEALTH_TABLES)
    owner.dispose()
    user = admin_url.split("://", 1)[1].split("@", 1)[0]
    return url.replace(f"://{user}@", f"://{quote(app_role)}@", 1)


def test_row_security_alone_keeps_accounts_apart(
    new_schema: object, app_role: str, postgres_available: str
) -> None:
    url = new_schema()  # type: ignore[operator]
    migrate(url)
    app_url = _app_url(url, app_role, postgres_available)

    # the app, connected as the ordinary role, through the library
    with Accounts(app_url, hasher=quick_hasher(), migrate=False) as accounts:
        ann = accounts.add("ann@example.org", PASSWORD)
        bob = accounts.add("bob@example.org", PASSWORD)
        for account, site in ((ann, "calf"), (bob, "foot")):
            with Diary(engine=accounts.engine, account=account.id, person="me") as diary:
                diary.add_episode(site, pain=5)
                diary.add_medicine("atorvastatin")
        with Diary(engine=accounts.engine) as local:  # the diary of no account, beside them
            local.add_episode("hand", pain=1)

        # raw SQL as the app role, with no WHERE on the account: RLS alone decides
        with accounts.engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == app_role
            assert connection.execute(text("SELECT site FROM episode")).scalars().all() == [
                "hand"
            ], "without the setting: only the rows of no account"
            connection.rollback()
            for account, site in ((ann, "calf"), (bob, "foot")):
                with connection.begin():
                    connection.execute(text("SELECT set_config('musclewise.account_id', :a, "
                                            "true)"), {"a": str(account.id)})  # fmt: skip
                    assert connection.execute(text("SELECT site FROM episode")).scalars().all() == [
                        site
                    ]
                    assert connection.execute(text("SELECT count(*) FROM medicine")).scalar() == 1
                    people = connection.execute(text("SELECT account_id FROM person")).scalars()
                    assert set(people) == {account.id}
            with connection.begin():
                connection.execute(text("SELECT set_config('musclewise.account_id', :a, true)"),
                                   {"a": str(ann.id)})  # fmt: skip
                assert (
                    connection.execute(
                        text("UPDATE episode SET pain = 0 WHERE site = 'foot'")
                    ).rowcount
                    == 0
                ), "bob's episode is invisible to an update in ann's scope"
            with pytest.raises(DBAPIError, match="row-level security"), connection.begin():
                connection.execute(text("SELECT set_config('musclewise.account_id', :a, true)"),
                                   {"a": str(ann.id)})  # fmt: skip
                connection.execute(
                    text("INSERT INTO person (account_id, name, timezone, created_at) "
                         "VALUES (:b, 'intruder', 'UTC', now())"), {"b": bob.id}
                )  # fmt: skip


def _as(who: Scope, do: Callable[[], object]) -> object:
    """``do()`` as a request of ``who`` would run it (the gate's scope, in a context of its own
    so that it does not outlive the call)."""

    def run() -> object:
        scope.use(who)
        return do()

    return contextvars.copy_context().run(run)


def test_web_state_rows_of_one_account_are_invisible_to_the_others(
    new_schema: object, app_role: str, postgres_available: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUSCLEWISE_SECRET_KEY", raising=False)
    url = new_schema()  # type: ignore[operator]
    migrate(url)
    app_url = _app_url(url, app_role, postgres_available)
    admin = create_engine(url)  # a superuser: not held by row-level security
    with Accounts(app_url, hasher=quick_hasher(), migrate=False) as accounts:
        ann = accounts.add("ann@example.org", PASSWORD)
        bob = accounts.add("bob@example.org", PASSWORD)
        ann_me, bob_me, local = Scope(ann.id, "me"), Scope(bob.id, "me"), Scope(None, None)
        store = Store(accounts.engine)  # the web app's store, as the ordinary role
        secret = _as(bob_me, store.secret)  # the first request may be an account's
        keys = {who: _as(who, lambda: store.add(Check(text="calf"))) for who in (ann_me, bob_me)}
        keys[local] = _as(local, lambda: store.add(Check(text="hand")))
        assert _as(ann_me, store.secret) == _as(local, store.secret) == secret

        def owners(account: int | None) -> set[str]:
            with accounts.engine.begin() as connection:
                if account is not None:
                    connection.execute(text("SELECT set_config('musclewise.account_id', :a, "
                                            "true)"), {"a": str(account)})  # fmt: skip
                return set(connection.execute(text("SELECT owner FROM web_state")).scalars())

        # raw SQL with no WHERE on the owner: row-level security alone decides
        assert owners(ann.id) == {f"{ann.id}/me", ""}, "ann's check and the secret"
        assert owners(bob.id) == {f"{bob.id}/me", ""}
        assert owners(None) == {""}, "without an account: the rows of no account"
        with accounts.engine.begin() as connection:
            seen = connection.execute(text("SELECT id FROM web_state")).scalars().all()
        assert sorted(seen) == sorted([keys[local], SECRET_ID])

        def write(account: int | None, sql: str) -> int:
            with accounts.engine.begin() as connection:
                if account is not None:
                    connection.execute(text("SELECT set_config('musclewise.account_id', :a, "
                                            "true)"), {"a": str(account)})  # fmt: skip
                return connection.execute(text(sql), {"k": keys[ann_me]}).rowcount

        for other in (bob.id, None):
            assert write(other, "UPDATE web_state SET data = '{}' WHERE id = :k") == 0
            assert write(other, "DELETE FROM web_state WHERE id = :k") == 0
            with pytest.raises(DBAPIError, match="row-level security"):
                write(other, "INSERT INTO web_state (id, kind, owner, data, created_at) VALUES "
                             f"('intruder', 'check', '{ann.id}/me', '{{}}', now())")  # fmt: skip
        assert write(ann.id, f"UPDATE web_state SET data = data WHERE id = '{SECRET_ID}'") == 0
        assert write(ann.id, f"DELETE FROM web_state WHERE id = '{SECRET_ID}'") == 0
        assert _as(ann_me, lambda: store.get(keys[ann_me], Check)).text == "calf"

        # expired checks of ann's and of no account are swept by bob's next one
        with admin.begin() as connection:
            connection.execute(
                text("UPDATE web_state SET expires_at = :t WHERE id IN (:a, :l)"),
                {"t": datetime.now(UTC) - timedelta(seconds=1), "a": keys[ann_me],
                 "l": keys[local]},
            )  # fmt: skip
        assert owners(bob.id) == {f"{bob.id}/me", ""}, "expired: still not bob's to read"
        assert owners(None) == {""}
        _as(bob_me, lambda: store.add(Check()))
        with admin.connect() as connection:
            left = set(connection.execute(text("SELECT id FROM web_state")).scalars())
        assert keys[ann_me] not in left and keys[local] not in left
        assert {keys[bob_me], SECRET_ID} <= left
    admin.dispose()


def test_migration_0007_goes_down_and_up_keeping_web_state(empty_url: str) -> None:
    engine = database.make_engine(database.resolve_url(empty_url))
    postgres = engine.dialect.name == "postgresql"

    def secured() -> bool:
        if not postgres:
            return False
        with engine.connect() as connection:
            flags = connection.execute(text(
                "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class "
                "WHERE oid = CAST('web_state' AS regclass)")).scalar_one()  # fmt: skip
            policies = connection.execute(text(
                "SELECT count(*) FROM pg_policies WHERE tablename = 'web_state' "
                "AND schemaname = current_schema()")).scalar_one()  # fmt: skip
        assert bool(flags) == (policies == 4)
        return bool(flags)

    try:
        database.upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO web_state (id, kind, owner, data, created_at) "
                                    "VALUES ('k', 'check', '1/me', '{}', "
                                    "'2026-12-05 12:00:00+00:00')"))  # fmt: skip
        assert not secured()
        database.upgrade(engine)
        assert secured() == postgres
        database.downgrade(engine, "0006")
        assert not secured()
        database.upgrade(engine)
        assert secured() == postgres
        with engine.connect() as connection:  # the owner here is a superuser: sees every row
            assert connection.execute(text("SELECT owner FROM web_state")).scalars().all() == [
                "1/me"
            ]
    finally:
        engine.dispose()
