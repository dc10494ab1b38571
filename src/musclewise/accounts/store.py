"""Accounts in the diary's database: who may log in, their login sessions, personal API
tokens, the people of each account and the links they share with a doctor.

>>> accounts = Accounts("sqlite:///diary.sqlite3")                 # doctest: +SKIP
>>> account = accounts.add("Ann@Example.org", "a long pass phrase")
>>> token = accounts.start_session(accounts.authenticate("ann@example.org", "a long pass phrase").id)
>>> accounts.session(token).scope                                  # whose diary the pages open
Scope(account=1, person='me', read_only=False)

Passwords are hashed with argon2 (``pwdlib``); every other secret (session, API token, share
link) is 256 random bits of which only the SHA-256 is stored. Failed logins are rows in the
database, so the rate limit and lockout hold across every app process: with the e-mail tried
and a keyed hash of the client's address (see :class:`Policy` for the limits).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from musclewise.accounts import tokens
from musclewise.accounts.errors import (
    AccountValueError,
    FieldProblem,
    LockedOut,
    LoginRefused,
    NotFoundError,
)
from musclewise.accounts.records import (
    AccountRecord,
    Scope,
    SessionRecord,
    ShareRecord,
    TokenRecord,
)
from musclewise.diary import database, times
from musclewise.diary.models import (
    EMAIL_MAX,
    LABEL_MAX,
    Account,
    ApiToken,
    LoginFailure,
    LoginSession,
    Person,
    ShareLink,
)
from musclewise.diary.people import DEFAULT_PERSON
from musclewise.diary.session import set_scope
from musclewise.diary.validate import check_name

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
PASSWORD_MIN = 12
PASSWORD_MAX = 128


@dataclass(frozen=True, slots=True)
class Policy:
    """How long a login lasts and how many failed logins, within ``window``, refuse more:

    - ``max_failures`` of one e-mail from one client address lock that e-mail out for that
      address (the person's own address is not locked by another's failures);
    - ``max_address_failures`` from one address, whatever the e-mails, refuse every login
      from it (password spraying: one password tried against many e-mails);
    - ``max_email_failures`` of one e-mail from all addresses lock it out everywhere (guessing
      one password from many addresses; NIST SP 800-63B 5.2.2 asks for at most 100).
    """

    idle: timedelta = timedelta(hours=12)
    """A login unused this long is over."""
    absolute: timedelta = timedelta(days=30)
    """A login this old is over, used or not."""
    max_failures: int = 5
    """Failed logins of one e-mail from one address that lock it out for that address."""
    max_address_failures: int = 20
    """Failed logins from one address (any e-mails) that refuse its logins."""
    max_email_failures: int = 100
    """Failed logins of one e-mail (any addresses) that lock it out for every address."""
    window: timedelta = timedelta(minutes=15)
    """How long a failure counts (and is kept)."""
    share_days_max: int = 90
    """The longest a share link may last."""


def normal_email(email: str) -> str:
    """The e-mail as stored and compared: trimmed, lower case."""
    return email.strip().lower()


def check_email(email: str) -> str:
    normal = normal_email(email)
    if not EMAIL.fullmatch(normal) or len(normal) > EMAIL_MAX:
        raise AccountValueError([FieldProblem("email", "is not an e-mail address")])
    return normal


def check_password(password: str, field: str = "password") -> str:
    """At least 12 characters, at most 128; any characters (spaces and emoji included), no
    rules of composition (OWASP ASVS 2.1.1, 2.1.2, 2.1.4, 2.1.9)."""
    if len(password) < PASSWORD_MIN:
        raise AccountValueError(
            [FieldProblem(field, f"must be at least {PASSWORD_MIN} characters long")],
            hint="a few words make a long password that is easy to remember",
        )
    if len(password) > PASSWORD_MAX:
        raise AccountValueError(
            [FieldProblem(field, f"must be at most {PASSWORD_MAX} characters long")]
        )
    return password


def address_network(address: str | None) -> str:
    """What the limits count a client address as: an IPv4 address; an IPv6 address's /64
    network (one subscriber usually has a whole /64); ``""`` when unknown (the library and the
    command line: their failures count together); any other text as given."""
    text = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text[:200]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def default_hasher() -> Any:
    """pwdlib's recommended hasher: argon2id with its default costs."""
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


class Accounts:
    """The accounts of one database (the diary's). ``hasher``: a ``pwdlib.PasswordHash``
    (argon2 by default); ``clock``: what time it is (tests move it); ``address_key``: the key of the client
    addresses' HMAC (the same in every process; without it a plain SHA-256)."""

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        engine: Engine | None = None,
        migrate: bool | None = None,
        policy: Policy | None = None,
        hasher: Any = None,
        clock: Callable[[], datetime] = times.now,
        address_key: bytes | None = None,
    ) -> None:
        self._owns_engine = engine is None
        if engine is None:
            resolved = url if isinstance(url, URL) else database.resolve_url(url)
            engine = database.make_engine(resolved)
        self.engine = engine
        try:
            if migrate is None:
                migrate = database.is_sqlite(engine.url)
            database.ensure_ready(engine, migrate=migrate)
        except BaseException:
            self.close()
            raise
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.policy = policy or Policy()
        self.hasher = hasher if hasher is not None else default_hasher()
        self.clock = clock
        self._address_key = address_key or b""
        self._dummy: str | None = None

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _begin(self, account: int | None = None) -> Iterator[Session]:
        with database.connection_errors(self.engine.url), self._sessions.begin() as session:
            set_scope(session, account)
            yield session

    # ------------------------------------------------------------------ accounts

    def add(self, email: str, password: str, *, person: str = DEFAULT_PERSON) -> AccountRecord:
        """A new account (with a first person, ``person``, whose diary it opens)."""
        normal = check_email(email)
        check_password(password)
        name = check_name(person, "person")
        hashed = self.hasher.hash(password)
        now = self.clock()
        with self._begin() as session:
            if session.scalars(select(Account.id).where(Account.email == normal)).first():
                raise AccountValueError([FieldProblem("email", "already has an account")])
            account = Account(email=normal, password_hash=hashed, disabled=False,
                              created_at=now, password_changed_at=now)  # fmt: skip
            session.add(account)
            session.flush()
            set_scope(session, account.id)
            session.add(Person(account_id=account.id, name=name,
                               timezone=times.local_zone_name(), created_at=now))  # fmt: skip
            session.flush()
            return self._record(session, account)

    def _record(self, session: Session, account: Account) -> AccountRecord:
        set_scope(session, account.id)
        return AccountRecord(account.id, account.email, account.disabled, account.created_at,
                             tuple(self._people(session, account.id)))  # fmt: skip

    def _find(self, session: Session, email: str) -> Account:
        found = session.scalars(select(Account).where(Account.email == normal_email(email)))
        account = found.first()
        if account is None:
            raise NotFoundError("email: there is no account with this e-mail",
                                hint="musclewise accounts list shows them")  # fmt: skip
        return account

    def get(self, email: str) -> AccountRecord:
        with self._begin() as session:
            return self._record(session, self._find(session, email))

    def get_by_id(self, account_id: int) -> AccountRecord:
        with self._begin(account_id) as session:
            account = session.get(Account, account_id)
            if account is None:
                raise NotFoundError("account: there is no such account")
            return self._record(session, account)

    def all(self) -> list[AccountRecord]:
        with self._begin() as session:
            rows = session.scalars(select(Account).order_by(Account.email)).all()
            return [self._record(session, row) for row in rows]

    def set_disabled(self, email: str, disabled: bool = True) -> AccountRecord:
        """Disable (or enable) an account; disabling ends its logins and its tokens' use."""
        with self._begin() as session:
            account = self._find(session, email)
            account.disabled = disabled
            if disabled:
                session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
            return self._record(session, account)

    def set_password(self, email: str, password: str) -> None:
        """A new password (an admin's reset): every login of the account ends."""
        check_password(password)
        hashed = self.hasher.hash(password)
        with self._begin() as session:
            account = self._find(session, email)
            account.password_hash, account.password_changed_at = hashed, self.clock()
            session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))

    def change_password(
        self, account_id: int, current: str, new: str, *, keep: str, address: str | None = None
    ) -> None:
        """The person's own change: the current password is asked again; every other login
        ends (``keep``: the session token of the browser that changed it). A wrong current
        password counts as a failed login of the account's e-mail from ``address`` (the
        client's IP address), and :class:`LockedOut` comes as it does for logging in: a stolen
        login cannot be used to guess the password."""
        check_password(new, "new_password")
        client = self.address_hash(address)
        now = self.clock()
        wrong = False
        with self._begin() as session:
            account = session.get(Account, account_id)
            if account is None:
                raise NotFoundError("account: there is no such account")
            self._check_limits(session, account.email, client, now)
            if not self.hasher.verify(current[: PASSWORD_MAX * 4], account.password_hash):
                self._fail(session, account.email, client, now)
                wrong = True
            else:
                account.password_hash = self.hasher.hash(new)
                account.password_changed_at = now
                session.execute(
                    delete(LoginSession).where(LoginSession.account_id == account_id,
                                               LoginSession.token_hash != tokens.digest(keep))
                )  # fmt: skip
        if wrong:
            raise AccountValueError(
                [FieldProblem("current_password", "is not the account's password")]
            )

    def delete(self, account_id: int) -> None:
        """The account and everything of it: its people and their diaries, logins, tokens
        and share links (the database's ON DELETE CASCADE, in one transaction)."""
        with self._begin(account_id) as session:
            session.execute(delete(Person).where(Person.account_id == account_id))
            session.execute(delete(Account).where(Account.id == account_id))

    # ------------------------------------------------------------------ logging in

    def authenticate(
        self, email: str, password: str, *, address: str | None = None
    ) -> AccountRecord:
        """The account these open; :class:`LoginRefused` (the same for a wrong e-mail, a wrong
        password or a disabled account) or :class:`LockedOut` after too many failures (see
        :class:`Policy`). ``address``: the client's IP address (None: unknown)."""
        key = normal_email(email)[:EMAIL_MAX]
        client = self.address_hash(address)
        now = self.clock()
        refused: LoginRefused | None = None
        with self._begin() as session:
            self._check_limits(session, key, client, now)
            account = session.scalars(select(Account).where(Account.email == key)).first()
            stored = account.password_hash if account is not None else self._dummy_hash()
            good, newer = self.hasher.verify_and_update(password[: PASSWORD_MAX * 4], stored)
            if not good or account is None or account.disabled:
                self._fail(session, key, client, now)
                refused = LoginRefused()
            else:  # (the address's failures with other e-mails still count)
                session.execute(delete(LoginFailure).where(LoginFailure.email == key,
                                                           LoginFailure.address == client))  # fmt: skip
                if newer is not None:
                    account.password_hash = newer
                record = self._record(session, account)
        if refused is not None:
            raise refused
        return record

    def address_hash(self, address: str | None) -> str:
        """How a client address is stored: the HMAC-SHA256 (hex) of its network
        (:func:`address_network`), never the address."""
        network = b"login address\n" + address_network(address).encode("utf-8")
        return hmac.new(self._address_key, network, hashlib.sha256).hexdigest()

    def _fail(self, session: Session, email: str, client: str, now: datetime) -> None:
        """Record a failed password check (and drop the failures older than the window)."""
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.policy.window))
        session.add(LoginFailure(email=email, address=client, at=now))

    def _check_limits(self, session: Session, email: str, client: str, now: datetime) -> None:
        """:class:`LockedOut` when this address, this e-mail from it, or this e-mail from
        everywhere has failed too often within the window (checked before the password is
        hashed: a refused attempt costs no argon2 work)."""
        policy = self.policy
        rows = session.execute(
            select(LoginFailure.at, LoginFailure.email, LoginFailure.address)
            .where((LoginFailure.address == client) | (LoginFailure.email == email),
                   LoginFailure.at > now - policy.window)
            .order_by(LoginFailure.at)
        ).all()  # fmt: skip
        mine = [r for r in rows if r.address == client]
        limits = (
            ("address", policy.max_address_failures, [r.at for r in mine]),
            ("email", policy.max_failures, [r.at for r in mine if r.email == email]),
            ("email", policy.max_email_failures, [r.at for r in rows if r.email == email]),
        )
        for by, limit, failed in limits:
            if len(failed) >= limit:
                until = failed[-limit] + policy.window
                raise LockedOut(max(1, math.ceil((until - now).total_seconds())), by=by)

    def _dummy_hash(self) -> str:
        """A hash to verify against when the e-mail has no account (the same work is done,
        so the time taken does not tell whether an account exists)."""
        if self._dummy is None:
            self._dummy = str(self.hasher.hash(tokens.new_secret("")))
        return self._dummy

    def start_session(self, account_id: int) -> str:
        """A new login (a new random token: the session id changes at every login)."""
        secret = tokens.new_secret(tokens.SESSION_PREFIX)
        now = self.clock()
        with self._begin() as session:
            session.add(LoginSession(account_id=account_id, token_hash=tokens.digest(secret),
                                     created_at=now, last_seen_at=now))  # fmt: skip
        return secret

    def session(self, secret: str) -> SessionRecord:
        """The login of a cookie's token; :class:`NotFoundError` when it is unknown, ended,
        idle too long, too old, or its account is disabled (the row is then removed)."""
        now = self.clock()
        with self._begin() as session:
            found = session.execute(
                select(LoginSession, Account)
                .join(Account, Account.id == LoginSession.account_id)
                .where(LoginSession.token_hash == tokens.digest(secret))
            ).first()
            if found is not None:
                row, account = found
                if (account.disabled or now - row.last_seen_at > self.policy.idle
                        or now - row.created_at > self.policy.absolute):  # fmt: skip
                    session.delete(row)
                    found = None
        if found is None:
            raise NotFoundError("session: not logged in, or the login has ended")
        with self._begin(account.id) as session:
            if now - row.last_seen_at > timedelta(minutes=1):
                session.execute(update(LoginSession).where(LoginSession.id == row.id)
                                .values(last_seen_at=now))  # fmt: skip
            person = self._person_name(session, account.id, row.person_id)
        return SessionRecord(row.id, account.id, account.email, person, row.created_at, now)

    def end_session(self, secret: str) -> None:
        with self._begin() as session:
            session.execute(
                delete(LoginSession).where(LoginSession.token_hash == tokens.digest(secret))
            )

    def end_all_sessions(self, account_id: int) -> int:
        """Log out everywhere: every login of the account ends; how many there were."""
        with self._begin() as session:
            ended = session.execute(
                delete(LoginSession).where(LoginSession.account_id == account_id)
            )
            return int(getattr(ended, "rowcount", 0) or 0)

    def switch_person(self, secret: str, account_id: int, person: str) -> None:
        """The pages of this login show ``person``'s diary from now on."""
        with self._begin(account_id) as session:
            person_id = self._person_id(session, account_id, person)
            session.execute(
                update(LoginSession)
                .where(LoginSession.token_hash == tokens.digest(secret),
                       LoginSession.account_id == account_id)
                .values(person_id=person_id)
            )  # fmt: skip

    # ------------------------------------------------------------------ people

    def _people(self, session: Session, account_id: int) -> list[str]:
        query = select(Person.name).where(Person.account_id == account_id).order_by(Person.id)
        return list(session.scalars(query))

    def _person_id(self, session: Session, account_id: int, name: str) -> int:
        found = session.scalars(
            select(Person.id).where(Person.account_id == account_id, Person.name == name)
        ).first()
        if found is None:
            raise NotFoundError(f"person: '{name}' has no diary in this account")
        return found

    def _person_name(self, session: Session, account_id: int, person_id: int | None) -> str:
        query = select(Person.name).where(Person.account_id == account_id)
        if person_id is not None:
            chosen = session.scalars(query.where(Person.id == person_id)).first()
            if chosen is not None:
                return chosen
        first = session.scalars(query.order_by(Person.id)).first()
        return first if first is not None else DEFAULT_PERSON

    def people(self, account_id: int) -> list[str]:
        """The people of the account, the first (the account's own) first."""
        with self._begin(account_id) as session:
            return self._people(session, account_id)

    def add_person(self, account_id: int, name: str) -> str:
        checked = check_name(name, "person")
        with self._begin(account_id) as session:
            if checked in self._people(session, account_id):
                raise AccountValueError([FieldProblem("person", "already has a diary here")])
            session.add(Person(account_id=account_id, name=checked,
                               timezone=times.local_zone_name(), created_at=self.clock()))  # fmt: skip
        return checked

    def remove_person(self, account_id: int, name: str) -> None:
        """Delete a person and their whole diary (not the last person of the account)."""
        with self._begin(account_id) as session:
            person_id = self._person_id(session, account_id, name)
            if len(self._people(session, account_id)) == 1:
                raise AccountValueError(
                    [FieldProblem("person", "is the only person of the account")],
                    hint="to delete everything, delete the account",
                )
            session.execute(delete(Person).where(Person.id == person_id))

    def default_scope(self, account_id: int) -> Scope:
        """The account's first person (what an API token opens unless it names another)."""
        with self._begin(account_id) as session:
            return Scope(account_id, self._person_name(session, account_id, None))

    def person_scope(self, account_id: int, person: str) -> Scope:
        """The diary of the account's person named ``person`` (an API request that names
        one); :class:`NotFoundError` when the account has no such person."""
        with self._begin(account_id) as session:
            self._person_id(session, account_id, person)
        return Scope(account_id, person)

    # ------------------------------------------------------------------ API tokens

    def create_token(self, account_id: int, name: str = "API token") -> tuple[TokenRecord, str]:
        """A new personal API token: the record, and the token itself (shown once: only its
        hash is stored)."""
        label = _label(name, "name")
        secret = tokens.new_secret(tokens.API_PREFIX)
        with self._begin() as session:
            if session.get(Account, account_id) is None:
                raise NotFoundError("account: there is no such account")
            row = ApiToken(account_id=account_id, token_hash=tokens.digest(secret), name=label,
                           created_at=self.clock())  # fmt: skip
            session.add(row)
            session.flush()
            return _token_record(row), secret

    def tokens(self, account_id: int) -> list[TokenRecord]:
        with self._begin() as session:
            query = select(ApiToken).where(ApiToken.account_id == account_id)
            return [_token_record(r) for r in session.scalars(query.order_by(ApiToken.id))]

    def revoke_token(self, token_id: int, account_id: int | None = None) -> TokenRecord:
        """Revoke a token (``account_id``: only one of that account's)."""
        with self._begin() as session:
            row = session.get(ApiToken, token_id)
            if row is None or (account_id is not None and row.account_id != account_id):
                raise NotFoundError(f"token {token_id}: there is no such token")
            if row.revoked_at is None:
                row.revoked_at = self.clock()
            return _token_record(row)

    def token_scope(self, secret: str) -> Scope:
        """Whose diary a bearer token opens (its last use is recorded); :class:`NotFoundError`
        for an unknown or revoked token, or a disabled account."""
        now = self.clock()
        with self._begin() as session:
            found = session.execute(
                select(ApiToken, Account)
                .join(Account, Account.id == ApiToken.account_id)
                .where(ApiToken.token_hash == tokens.digest(secret))
            ).first()
            if found is None or found[0].revoked_at is not None or found[1].disabled:
                raise NotFoundError("token: unknown or revoked")
            row = found[0]
            if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
                row.last_used_at = now
            account_id = row.account_id
        return self.default_scope(account_id)

    # ------------------------------------------------------------------ share links

    def create_share(
        self, account_id: int, person: str, days: int, label: str = "For my doctor"
    ) -> tuple[ShareRecord, str]:
        """A read-only link to ``person``'s report and diary summary for ``days`` days: the
        record and the token (shown once)."""
        if not 1 <= days <= self.policy.share_days_max:
            raise AccountValueError([FieldProblem(
                "days", f"must be a whole number from 1 to {self.policy.share_days_max}")])  # fmt: skip
        text = _label(label, "label")
        secret = tokens.new_secret(tokens.SHARE_PREFIX)
        now = self.clock()
        with self._begin(account_id) as session:
            person_id = self._person_id(session, account_id, person)
            row = ShareLink(account_id=account_id, person_id=person_id, label=text,
                            token_hash=tokens.digest(secret), created_at=now,
                            expires_at=now + timedelta(days=days))  # fmt: skip
            session.add(row)
            session.flush()
            return ShareRecord(row.id, person, text, now, row.expires_at, None), secret

    def shares(self, account_id: int) -> list[ShareRecord]:
        with self._begin(account_id) as session:
            rows = session.execute(
                select(ShareLink, Person.name)
                .join(Person, Person.id == ShareLink.person_id)
                .where(ShareLink.account_id == account_id)
                .order_by(ShareLink.id)
            ).all()
            return [_share_record(r, name) for r, name in rows]

    def revoke_share(self, account_id: int, share_id: int) -> None:
        with self._begin() as session:
            row = session.get(ShareLink, share_id)
            if row is None or row.account_id != account_id:
                raise NotFoundError(f"share link {share_id}: there is no such link")
            if row.revoked_at is None:
                row.revoked_at = self.clock()

    def share_scope(self, secret: str) -> Scope:
        """The read-only scope a share link opens; :class:`NotFoundError` once it has expired
        or been revoked (or never existed, or its account is disabled)."""
        now = self.clock()
        with self._begin() as session:
            found = session.execute(
                select(ShareLink, Account)
                .join(Account, Account.id == ShareLink.account_id)
                .where(ShareLink.token_hash == tokens.digest(secret))
            ).first()
            if (found is None or found[0].revoked_at is not None
                    or found[0].expires_at <= now or found[1].disabled):  # fmt: skip
                raise NotFoundError("share link: unknown, expired or revoked")
            row = found[0]
        with self._begin(row.account_id) as session:
            name = session.scalars(select(Person.name).where(Person.id == row.person_id)).one()
        return Scope(row.account_id, name, read_only=True)


def _label(value: str, field: str) -> str:
    text = " ".join(str(value).split())
    if not text or len(text) > LABEL_MAX:
        raise AccountValueError([FieldProblem(field, f"must be 1 to {LABEL_MAX} characters")])
    return text


def _token_record(row: ApiToken) -> TokenRecord:
    return TokenRecord(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at)


def _share_record(row: ShareLink, person: str) -> ShareRecord:
    return ShareRecord(row.id, person, row.label, row.created_at, row.expires_at, row.revoked_at)
