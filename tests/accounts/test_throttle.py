"""Login limits per client address (OWASP ASVS 2.2.1), on SQLite and PostgreSQL: one address
spraying a password over many e-mails is refused after ``max_address_failures`` whatever the
e-mail, until the window has passed; other addresses are not; a person's own address still
logs in while an attacker's failures lock the attacker's address; the addresses are stored only
as a keyed hash; the failures expire."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from musclewise.accounts import Accounts, LockedOut, LoginRefused, Policy
from musclewise.accounts.store import address_network
from musclewise.diary import database
from tests.accounts.conftest import PASSWORD, Clock, quick_hasher

ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.23"
KEY = b"k" * 32


@pytest.fixture
def keyed(db_url: str, clock: Clock) -> Iterator[Accounts]:
    with Accounts(db_url, hasher=quick_hasher(), clock=clock, address_key=KEY) as opened:
        yield opened


def _fail(accounts: Accounts, email: str, address: str | None) -> None:
    with pytest.raises(LoginRefused) as caught:
        accounts.authenticate(email, "a wrong pass phrase", address=address)
    assert not isinstance(caught.value, LockedOut), caught.value.message


def _stored(accounts: Accounts) -> list[tuple[str, str]]:
    with accounts.engine.connect() as connection:
        rows = connection.execute(text("SELECT email, address FROM login_failure ORDER BY id"))
        return [(r[0], r[1]) for r in rows]


def test_spraying_many_emails_from_one_address_is_refused_until_the_window_passes(
    keyed: Accounts, db_url: str, clock: Clock
) -> None:
    keyed.add("ann@example.org", PASSWORD)
    for n in range(20):  # one password tried on 20 e-mails (most have no account)
        _fail(keyed, f"person{n}@example.org", ATTACKER)
        clock.move(seconds=10)
    # the 21st attempt is refused before its password is checked, whatever the e-mail, in
    # another app process too (its own engine, the same key)
    with Accounts(db_url, hasher=quick_hasher(), clock=clock, address_key=KEY) as other:
        for email, password in (("someone.else@example.org", "a wrong pass phrase"),
                                ("ann@example.org", PASSWORD)):  # fmt: skip
            with pytest.raises(LockedOut) as caught:
                other.authenticate(email, password, address=ATTACKER)
            assert caught.value.by == "address" and caught.value.code == "address_throttled"
            assert caught.value.field == "address" and ATTACKER not in caught.value.message
            # the first failure leaves the window 15 minutes after it was made
            assert caught.value.retry_after == 15 * 60 - 200
    # another address is not affected, and neither is the person whose e-mail was tried
    assert (
        keyed.authenticate("ann@example.org", PASSWORD, address=VICTIM).email == "ann@example.org"
    )
    _fail(keyed, "person0@example.org", "192.0.2.1")
    # the refused attempts were not counted: once the first failures leave the window, the
    # address may try again (as many times as failures have left)
    clock.move(seconds=15 * 60 - 200)
    _fail(keyed, "person99@example.org", ATTACKER)
    with pytest.raises(LockedOut):
        keyed.authenticate("person98@example.org", "a wrong pass phrase", address=ATTACKER)
    clock.move(minutes=15)
    assert keyed.authenticate("ann@example.org", PASSWORD, address=ATTACKER).id


def test_the_victim_logs_in_from_their_own_address_while_the_attackers_is_locked(
    keyed: Accounts, clock: Clock
) -> None:
    keyed.add("ann@example.org", PASSWORD)
    for _ in range(5):
        _fail(keyed, "ann@example.org", ATTACKER)
    with pytest.raises(LockedOut) as caught:  # from its address, no more guesses at ann's
        keyed.authenticate("ann@example.org", PASSWORD, address=ATTACKER)
    assert caught.value.by == "email" and caught.value.code == "locked_out"
    assert (
        keyed.authenticate("ann@example.org", PASSWORD, address=VICTIM).email == "ann@example.org"
    )
    # ann's own success does not give the attacker new guesses
    with pytest.raises(LockedOut):
        keyed.authenticate("ann@example.org", "another guess here", address=ATTACKER)
    # ann's own failures count for her address only, and her success clears them
    for _ in range(4):
        _fail(keyed, "ann@example.org", VICTIM)
    keyed.authenticate("ann@example.org", PASSWORD, address=VICTIM)
    assert sum(1 for email, _ in _stored(keyed) if email == "ann@example.org") == 5  # attacker's


def test_one_email_guessed_from_many_addresses_is_locked_out_everywhere(
    db_url: str, clock: Clock
) -> None:
    policy = Policy(max_failures=3, max_address_failures=5, max_email_failures=10)
    with Accounts(db_url, hasher=quick_hasher(), clock=clock, policy=policy) as accounts:
        accounts.add("ann@example.org", PASSWORD)
        for n in range(10):  # a botnet: one guess from each of ten addresses
            _fail(accounts, "ann@example.org", f"192.0.2.{n + 1}")
        for address in (VICTIM, "192.0.2.1"):
            with pytest.raises(LockedOut) as caught:
                accounts.authenticate("ann@example.org", PASSWORD, address=address)
            assert caught.value.by == "email"
        clock.move(minutes=15, seconds=1)
        assert accounts.authenticate("ann@example.org", PASSWORD, address=VICTIM).id


def test_addresses_are_stored_only_as_a_keyed_hash(keyed: Accounts, db_url: str) -> None:
    _fail(keyed, "ann@example.org", ATTACKER)
    _fail(keyed, "bob@example.org", "2001:db8:1:2:3:4:5:6")
    stored = _stored(keyed)
    dump = repr(stored)
    assert ATTACKER not in dump and "2001:db8" not in dump and "203.0.113" not in dump
    assert all(len(address) == 64 for _, address in stored)
    assert stored[0][1] == keyed.address_hash(ATTACKER)
    # another key gives other hashes: a leaked table cannot be matched against the addresses
    # (2^32 IPv4 addresses are quickly hashed without a key)
    with Accounts(db_url, hasher=quick_hasher(), address_key=b"another key" * 3) as other:
        assert other.address_hash(ATTACKER) != stored[0][1]


def test_an_ipv6_address_counts_as_its_64_network() -> None:
    assert address_network("2001:db8:1:2:aaaa::1") == address_network("2001:db8:1:2:bbbb::9")
    assert address_network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_network("2001:db8:1:3::1") != address_network("2001:db8:1:2::1")
    assert address_network("::ffff:203.0.113.7") == ATTACKER
    assert address_network(" 203.0.113.7 ") == ATTACKER
    assert address_network(None) == address_network("") == ""
    assert address_network("testclient") == "testclient"


def test_a_64_network_shares_one_address_limit(keyed: Accounts) -> None:
    for n in range(20):  # a new address of the same /64 at every try
        _fail(keyed, f"person{n}@example.org", f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(LockedOut):
        keyed.authenticate("person0@example.org", "a wrong pass phrase",
                           address="2001:db8:1:2:ffff::1")  # fmt: skip
    _fail(keyed, "person0@example.org", "2001:db8:1:3::1")


def test_failures_older_than_the_window_are_removed(keyed: Accounts, clock: Clock) -> None:
    for n in range(3):
        _fail(keyed, f"person{n}@example.org", ATTACKER)
    assert len(_stored(keyed)) == 3
    clock.move(minutes=10)
    _fail(keyed, "person3@example.org", VICTIM)
    assert len(_stored(keyed)) == 4  # the first three still count
    clock.move(minutes=5)
    _fail(keyed, "person4@example.org", VICTIM)
    assert [email for email, _ in _stored(keyed)] == ["person3@example.org",
                                                      "person4@example.org"]  # fmt: skip


def test_migration_0006_drops_the_failures_without_an_address_and_goes_back(
    empty_url: str, clock: Clock
) -> None:
    engine = database.make_engine(database.resolve_url(empty_url))
    try:
        database.upgrade(engine, "0005")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO login_failure (email, at) VALUES "
                                    "('ann@example.org', '2026-12-05 08:59:00+00:00')"))  # fmt: skip
        database.upgrade(engine)
        with Accounts(engine=engine, hasher=quick_hasher(), clock=clock) as accounts:
            accounts.add("ann@example.org", PASSWORD)
            assert _stored(accounts) == []
            _fail(accounts, "ann@example.org", ATTACKER)
            assert len(_stored(accounts)) == 1
        database.downgrade(engine, "0005")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT email FROM login_failure")).scalars().all()
        assert rows == ["ann@example.org"]
    finally:
        engine.dispose()
