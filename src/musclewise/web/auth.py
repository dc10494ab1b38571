"""Accounts in the web app (``musclewise serve --accounts``): logging in and out, registering
(when allowed), the account's page (people, password, delete), share links for a doctor,
personal API tokens, and the gate that decides whose diary each request opens.

The gate (a middleware) runs for every request, the API's included:

- without ``--accounts``: every request opens the local diary, as before;
- with it: a page needs a login (the ``mw_session`` cookie: HttpOnly, SameSite=Lax, Secure
  over https; a random token whose SHA-256 lives in the database) and opens the diary of the
  login's current person; ``/api/v1`` needs ``Authorization: Bearer TOKEN`` (a personal API
  token) and opens its account's first person, or the one its ``X-Musclewise-Person`` header
  names; ``/share/{token}`` shows one person's report
  and diary summary, read-only, to anyone holding the link until it expires or is revoked.

Pages and API endpoints get the diary from :func:`current_diary` (a FastAPI dependency) or,
for the pages written before accounts, ``Web.diary()``, which reads the same scope.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as Scope_

from musclewise.accounts import (
    Accounts,
    AccountValueError,
    LockedOut,
    LoginRefused,
    NotFoundError,
    Scope,
    SessionRecord,
    scope,
)
from musclewise.errors import FieldProblem
from musclewise.web import security
from musclewise.web.app import FormOf, render, see_other

if TYPE_CHECKING:
    from fastapi import FastAPI

    from musclewise.diary import Diary

SESSION_COOKIE = "mw_session"
SECURE_SESSION_COOKIE = "__Host-mw_session"
"""Over https the cookie's name has the ``__Host-`` prefix: browsers then accept it only with
Secure, Path=/ and no Domain, so no other site or subdomain can set it."""
NOBODY = Scope(0, None)
"""The scope of a request with no login (the login page, static files): no account is 0."""
PUBLIC = frozenset({"/login", "/register", "/healthz", "/manifest.webmanifest", "/sw.js",
                    "/offline"})  # fmt: skip
PUBLIC_PREFIXES = ("/static/", "/share/")
API_OPEN = ("/openapi.json", "/docs")
PERSON_HEADER = "X-Musclewise-Person"
"""An API request's choice of person: one of the token's account's people, by name
(percent-encoded UTF-8 for names beyond ASCII); without it, the account's first person."""
"""Paths of the API (under its prefix) that need no token: its description."""
DELETE_WORDS = "delete my account"
SHARE_DAYS = (1, 7, 30, 90)


@dataclass
class AuthState:
    accounts: Accounts | None
    registration: bool


def install(
    app: FastAPI, *, accounts: bool, registration: bool, options: Mapping[str, Any] | None = None
) -> None:
    """Put the gate on ``app`` and, with ``accounts``, the pages of this module."""
    web = app.state.web
    # the client addresses of failed logins are stored as an HMAC keyed with a key of its own,
    # made from the secret every process shares (a leaked database does not give addresses)
    key = hmac.new(web.csrf.secret, b"musclewise login addresses", hashlib.sha256).digest()
    settings = {"address_key": key, **(options or {})}
    store = Accounts(engine=web.engine, migrate=False, **settings) if accounts else None
    app.state.auth = AuthState(store, registration and accounts)
    app.add_middleware(Gate)
    if accounts:
        app.include_router(router)


def _accounts(request: Request) -> Accounts:
    found = request.app.state.auth.accounts
    if found is None:  # (the pages are only routed with accounts on)
        raise HTTPException(404, "This page does not exist.")
    store: Accounts = found
    return store


def _public(path: str) -> bool:
    return path in PUBLIC or path.startswith(PUBLIC_PREFIXES)


class Gate:
    """The gate as plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs about a
    millisecond a request): it answers itself (a 401, a redirect to the login page) or lets the
    request through with its scope set (:func:`musclewise.accounts.scope.use`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, where: Scope_, receive: Receive, send: Send) -> None:
        if where["type"] == "http":
            answer = await _gate(Request(where, receive))
            if answer is not None:
                await answer(where, receive, send)
                return
        await self.app(where, receive, send)


async def _gate(request: Request) -> Response | None:
    """None to let the request through (its scope set), else the answer to give instead."""
    state: AuthState = request.app.state.auth
    request.state.mw_web = request.app.state.web
    if state.accounts is None:
        request.state.mw_scope = scope.LOCAL
        scope.use(scope.LOCAL)
        return None
    from musclewise.api import PREFIX

    store = state.accounts
    path = request.url.path
    found = NOBODY
    if path.startswith(PREFIX + "/") or path == PREFIX:
        rest = path[len(PREFIX) :]
        if not rest.startswith(API_OPEN):
            bearer = _bearer(request)
            try:
                found = await run_in_threadpool(store.token_scope, bearer) if bearer else NOBODY
            except NotFoundError:
                found = NOBODY
            if found is NOBODY:
                return JSONResponse(
                    {"type": "about:blank", "title": "Not authenticated", "status": 401,
                     "detail": "Authorization: Bearer TOKEN is needed (musclewise tokens "
                               "create EMAIL makes one); the token was missing, unknown or "
                               "revoked.",
                     "errors": [{"field": "authorization", "problem": "no valid token"}]},
                    status_code=401, media_type="application/problem+json",
                    headers={"WWW-Authenticate": "Bearer"},
                )  # fmt: skip
            person = request.headers.get(PERSON_HEADER)
            if person is not None and found.account is not None:
                name = unquote(person).strip()
                try:
                    found = await run_in_threadpool(store.person_scope, found.account, name)
                except NotFoundError:
                    return JSONResponse(
                        {"type": "about:blank", "title": "No such person", "status": 404,
                         "detail": f"{PERSON_HEADER} names no person of this token's account "
                                   "(the account page lists them).",
                         "errors": [{"field": PERSON_HEADER.lower(),
                                     "problem": "is not a person of this account"}]},
                        status_code=404, media_type="application/problem+json",
                    )  # fmt: skip
    elif not _public(path):
        record = await _login(store, request)
        if record is None:
            target = path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            if _cookie(request):
                _forget(request, response)
            return response
        request.state.mw_session = record
        found = record.scope
    request.state.mw_scope = found
    scope.use(found)
    return None


def _cookie_name(request: Request) -> str:
    return SECURE_SESSION_COOKIE if request.url.scheme == "https" else SESSION_COOKIE


def _cookie(request: Request) -> str:
    """The login's token from its cookie ("" when there is none)."""
    return request.cookies.get(_cookie_name(request), "")


def _forget(request: Request, response: Response) -> None:
    name = _cookie_name(request)
    response.delete_cookie(name, path="/", secure=name == SECURE_SESSION_COOKIE, httponly=True,
                           samesite="lax")  # fmt: skip


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    kind, _, value = header.partition(" ")
    return value.strip() or None if kind.lower() == "bearer" else None


async def _login(store: Accounts, request: Request) -> SessionRecord | None:
    secret = _cookie(request)
    if not secret:
        return None
    try:
        return await run_in_threadpool(store.session, secret)
    except NotFoundError:
        return None


# -------------------------------------------------------------------------- dependencies


def current_scope(request: Request) -> Scope:
    """Whose diary this request may open (a FastAPI dependency for pages and the API):
    the local diary without ``--accounts``; else the login's or the bearer token's person.
    401 when the request has neither (the gate answers it first on every guarded path)."""
    found: Scope = getattr(request.state, "mw_scope", scope.LOCAL)
    if found.account == NOBODY.account:
        raise HTTPException(401, "Log in first.", headers={"WWW-Authenticate": "Bearer"})
    return found


def current_diary(request: Request) -> Iterator[Diary]:
    """The diary of :func:`current_scope`, opened for this request and closed after it (a
    FastAPI dependency: ``diary: Annotated[Diary, Depends(current_diary)]``). A read-only
    scope (a share link) is refused here: those pages read through their own handlers."""
    from musclewise.diary import Diary

    found = current_scope(request)
    if found.read_only:
        raise HTTPException(403, "This link is read-only.")
    web = getattr(request.state, "mw_web", None)
    if web is None:
        raise HTTPException(500, "The API is not mounted in the web app: it has no diary.")
    with Diary(engine=web.engine, migrate=False, account=found.account,
               person=found.person) as diary:  # fmt: skip
        yield diary


# -------------------------------------------------------------------------- pages

router = APIRouter()


def _session(request: Request) -> SessionRecord:
    record: SessionRecord | None = getattr(request.state, "mw_session", None)
    if record is None:
        raise HTTPException(401, "Log in first.")
    return record


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _safe_next(target: str) -> str:
    """Only a path of this site (never ``//elsewhere`` or ``https://...``)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target:
        return target
    return "/"


def _with_cookie(request: Request, response: Response, secret: str, store: Accounts) -> Response:
    response.set_cookie(
        _cookie_name(request), secret, httponly=True, samesite="lax", path="/",
        secure=request.url.scheme == "https",
        max_age=int(store.policy.absolute.total_seconds()),
    )  # fmt: skip
    return response


async def _start(request: Request, store: Accounts, account_id: int, target: str) -> Response:
    """A new login (the old one, if any, ends: the session id changes at every login)."""
    old = _cookie(request)
    if old:
        await run_in_threadpool(store.end_session, old)
    secret = await run_in_threadpool(store.start_session, account_id)
    return _with_cookie(request, see_other(_safe_next(target)), secret, store)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", ended: int = 0) -> HTMLResponse:
    registration = request.app.state.auth.registration
    return render(request, "login.html", title="Log in", next=_safe_next(next), ended=ended,
                  registration=registration, email="")  # fmt: skip


@router.post("/login")
async def login(request: Request, form: FormOf) -> Response:
    store = _accounts(request)
    email, target = _field(form, "email"), _safe_next(_field(form, "next"))
    try:
        account = await run_in_threadpool(
            partial(store.authenticate, email, _field(form, "password"), address=_address(request))
        )
    except LockedOut as exc:
        problem = _locked_problem("email", "Too many failed logins", exc)
        page = render(request, "login.html", title="Log in", status=429, errors=[problem],
                      next=target, email=email, registration=request.app.state.auth.registration)  # fmt: skip
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except LoginRefused:
        problem = FieldProblem("password", "The e-mail or the password is not right.")
        return render(request, "login.html", title="Log in", status=400, errors=[problem],
                      next=target, email=email, registration=request.app.state.auth.registration)  # fmt: skip
    return await _start(request, store, account.id, target)


def _address(request: Request) -> str | None:
    """The client's address (what the login limits count): the connection's, or with
    ``--proxy-headers`` the one a trusted proxy (``--forwarded-allow-ips``) forwarded, as
    Uvicorn put it in the ASGI scope."""
    return request.client.host if request.client is not None else None


@router.post("/logout")
def logout(request: Request) -> Response:
    secret = _cookie(request)
    if secret:
        _accounts(request).end_session(secret)
    response = see_other("/login")
    _forget(request, response)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(request: Request) -> Response:
    _accounts(request).end_all_sessions(_session(request).account)
    response = see_other("/login?ended=1")
    _forget(request, response)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> HTMLResponse:
    if not request.app.state.auth.registration:
        raise HTTPException(404, "Registration is closed here: ask who runs it for an account.")
    return render(request, "register.html", title="Make an account", email="")


@router.post("/register")
async def register(request: Request, form: FormOf) -> Response:
    if not request.app.state.auth.registration:
        raise HTTPException(404, "Registration is closed here: ask who runs it for an account.")
    store = _accounts(request)
    email, password = _field(form, "email"), _field(form, "password")
    problems = []
    if password != _field(form, "password_again"):
        problems.append(FieldProblem("password_again", "The two passwords are not the same."))
    else:
        try:
            made = await run_in_threadpool(store.add, email, password)
        except AccountValueError as exc:
            problems = [FieldProblem(p.key, _sentence(p.key, p.problem)) for p in exc.problems]
    if problems:
        return render(request, "register.html", title="Make an account", status=400,
                      errors=problems, email=email)  # fmt: skip
    return await _start(request, store, made.id, "/")


def _sentence(field: str, problem: str) -> str:
    names = {"email": "The e-mail", "password": "The password", "new_password": "The new "
             "password", "current_password": "The current password", "person": "The name",
             "days": "The number of days", "label": "The label", "name": "The name"}  # fmt: skip
    return f"{names.get(field, field)} {problem}."


def _account_page(request: Request, status: int = 200, errors: list[FieldProblem] | None = None,
                  **context: Any) -> HTMLResponse:  # fmt: skip
    record = _session(request)
    people = _accounts(request).people(record.account)
    return render(request, "account.html", title="Your account", status=status,
                  errors=errors or [], me=record, people=people, **context)  # fmt: skip


def _problems(exc: AccountValueError) -> list[FieldProblem]:
    return [FieldProblem(p.key, _sentence(p.key, p.problem)) for p in exc.problems]


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, saved: str = "") -> HTMLResponse:
    return _account_page(request, saved=saved)


@router.post("/account/password")
def change_password(request: Request, form: FormOf) -> Response:
    record = _session(request)
    try:
        _accounts(request).change_password(
            record.account, _field(form, "current_password"), _field(form, "new_password"),
            keep=_cookie(request), address=_address(request),
        )  # fmt: skip
    except AccountValueError as exc:
        return _account_page(request, 400, _problems(exc))
    except LockedOut as exc:
        return _locked_account_page(request, "current_password", exc)
    return see_other("/account?saved=password")


def _locked_problem(field: str, what: str, exc: LockedOut) -> FieldProblem:
    """ "Too many ...[ from this address]: try again in N minute(s)." for a lockout."""
    whose = " from this address" if exc.by == "address" else ""
    return FieldProblem(field, f"{what}{whose}: try again in "
                               f"{max(1, exc.retry_after // 60)} minute(s).")  # fmt: skip


def _locked_account_page(request: Request, field: str, exc: LockedOut) -> HTMLResponse:
    """The account page refusing a password check after too many wrong ones (429)."""
    page = _account_page(request, 429, [_locked_problem(field, "Too many wrong passwords", exc)])
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


@router.post("/account/people")
def add_person(request: Request, form: FormOf) -> Response:
    record = _session(request)
    try:
        _accounts(request).add_person(record.account, _field(form, "person"))
    except AccountValueError as exc:
        return _account_page(request, 400, _problems(exc))
    return see_other("/account?saved=person")


@router.post("/account/people/switch")
def switch_person(request: Request, form: FormOf) -> Response:
    record = _session(request)
    try:
        _accounts(request).switch_person(_cookie(request), record.account, _field(form, "person"))
    except NotFoundError:
        raise HTTPException(404, "There is no such person in your account.") from None
    return see_other("/diary")


@router.post("/account/people/remove")
def remove_person(request: Request, form: FormOf) -> Response:
    record = _session(request)
    name = _field(form, "person")
    if _field(form, "confirm").strip() != name:
        problem = FieldProblem("confirm", f"Type the name ({name}) to delete their diary.")
        return _account_page(request, 400, [problem])
    try:
        _accounts(request).remove_person(record.account, name)
    except NotFoundError:
        raise HTTPException(404, "There is no such person in your account.") from None
    except AccountValueError as exc:
        return _account_page(request, 400, _problems(exc))
    return see_other("/account?saved=removed")


@router.post("/account/delete")
def delete_account(request: Request, form: FormOf) -> Response:
    record = _session(request)
    store = _accounts(request)
    problems = []
    if _field(form, "confirm").strip().lower() != DELETE_WORDS:
        problems.append(FieldProblem("confirm", f"Type {DELETE_WORDS} to confirm."))
    else:
        try:
            store.authenticate(record.email, _field(form, "password"), address=_address(request))
        except LockedOut as exc:
            return _locked_account_page(request, "password", exc)
        except LoginRefused:
            problems.append(FieldProblem("password", "The password is not right."))
    if problems:
        return _account_page(request, 400, problems)
    store.delete(record.account)
    response = see_other("/login?ended=2")
    _forget(request, response)
    return response


# ---------------------------------------------------------------- share links and tokens


def _share_page(request: Request, status: int = 200, errors: list[FieldProblem] | None = None,
                **context: Any) -> HTMLResponse:  # fmt: skip
    record = _session(request)
    store = _accounts(request)
    links = store.shares(record.account)
    now = store.clock()
    return render(request, "share_links.html", title="Share with a doctor", status=status,
                  errors=errors or [], links=links, now=now, people=store.people(record.account),
                  me=record, days=SHARE_DAYS, **context)  # fmt: skip


@router.get("/account/share", response_class=HTMLResponse)
def share_links_page(request: Request) -> HTMLResponse:
    return _share_page(request)


@router.post("/account/share")
def create_share(request: Request, form: FormOf) -> Response:
    record = _session(request)
    raw_days = _field(form, "days")
    try:
        days = int(raw_days)
    except ValueError:
        return _share_page(request, 400, [FieldProblem("days", "Choose how many days.")])
    try:
        _, secret = _accounts(request).create_share(
            record.account, _field(form, "person") or record.person, days,
            _field(form, "label") or "For my doctor",
        )  # fmt: skip
    except AccountValueError as exc:
        return _share_page(request, 400, _problems(exc))
    except NotFoundError:
        return _share_page(request, 400, [FieldProblem("person", "Choose a person.")])
    link = str(request.base_url).rstrip("/") + f"/share/{secret}"
    return _share_page(request, new_link=link)


@router.post("/account/share/{share_id}/revoke")
def revoke_share(request: Request, share_id: int) -> Response:
    try:
        _accounts(request).revoke_share(_session(request).account, share_id)
    except NotFoundError:
        raise HTTPException(404, "There is no such link in your account.") from None
    return see_other("/account/share")


def _tokens_page(request: Request, status: int = 200, errors: list[FieldProblem] | None = None,
                 **context: Any) -> HTMLResponse:  # fmt: skip
    record = _session(request)
    found = _accounts(request).tokens(record.account)
    return render(request, "tokens.html", title="API tokens", status=status,
                  errors=errors or [], tokens=found, **context)  # fmt: skip


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request) -> HTMLResponse:
    return _tokens_page(request)


@router.post("/account/tokens")
def create_token(request: Request, form: FormOf) -> Response:
    record = _session(request)
    try:
        _, secret = _accounts(request).create_token(
            record.account, _field(form, "name") or "API token"
        )
    except AccountValueError as exc:
        return _tokens_page(request, 400, _problems(exc))
    return _tokens_page(request, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int) -> Response:
    try:
        _accounts(request).revoke_token(token_id, _session(request).account)
    except NotFoundError:
        raise HTTPException(404, "There is no such token in your account.") from None
    return see_other("/account/tokens")


# ---------------------------------------------------------------- what a doctor sees


def _shared_scope(request: Request, token: str) -> Scope:
    try:
        found = _accounts(request).share_scope(token)
    except NotFoundError:
        raise HTTPException(
            404, "This link has expired or was withdrawn: ask for a new one."
        ) from None
    scope.use(found)
    return found


def _shared_summary(request: Request, found: Scope) -> tuple[Any, list[Any]]:
    from musclewise.diary import Diary
    from musclewise.insights.diary import load
    from musclewise.insights.summary import summarise

    with Diary(engine=request.app.state.web.engine, migrate=False, account=found.account,
               person=found.person) as diary:  # fmt: skip
        data = load(diary)
        episodes = diary.list_episodes(newest_first=True, limit=50)
    return summarise(data), episodes


@router.get("/share/{token}", response_class=HTMLResponse)
def shared_page(request: Request, token: str) -> HTMLResponse:
    found = _shared_scope(request, token)
    summary, episodes = _shared_summary(request, found)
    return render(request, "shared.html", title="Shared diary", s=summary, episodes=episodes,
                  token=token)  # fmt: skip


@router.get("/share/{token}/report")
def shared_report(request: Request, token: str) -> Response:
    from musclewise.insights.report import make_report

    found = _shared_scope(request, token)
    summary, _ = _shared_summary(request, found)
    return Response(make_report(summary, "html"), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": security.REPORT_CSP})  # fmt: skip
