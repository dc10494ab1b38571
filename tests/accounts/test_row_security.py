"""PostgreSQL row-level security, the second wall: as an ordinary role (what the app should
connect as), a query that forgot its account's scope still sees only the rows of the account
its transaction names, and cannot write into another's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from musclewise.accounts import Accounts
from musclewise.diary import Diary
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
)
"""The tables of health data under row-level security (migrations 0003 and 0004)."""


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


def test_row_security_alone_keeps_accounts_apart(
    new_schema: object, app_role: str, postgres_available: str
) -> None:
    url = new_schema()  # type: ignore[operator]
    migrate(url)
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

    # the app, connected as the ordinary role, through the library
    user = postgres_available.split("://", 1)[1].split("@", 1)[0]
    app_url = url.replace(f"://{user}@", f"://{quote(app_role)}@", 1)
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
