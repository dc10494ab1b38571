"""The web app: the factory, the safety middleware and the home page. The pages are in
:mod:`.log` ("Log it"), :mod:`.check` ("Describe it", the questions, the answer) and
:mod:`.pages` (the diary, insights and the rest).

Every form posts its CSRF token; every POST that succeeds answers 303 to a page, so the app
works with JavaScript off and the back button never re-posts. The app process holds no state:
a check in progress, a timer or an undo record is kept in the database under a random id
(:mod:`.state`), never in the URL's query string, and the CSRF secret is shared by every
process on the database, so any number of app servers can serve one person. Nothing a person
types is logged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from musclewise.accounts import scope
from musclewise.contract import is_urgent
from musclewise.diary import Diary
from musclewise.errors import FieldProblem, MusclewiseError
from musclewise.web import security, words
from musclewise.web.state import Store

HERE = Path(__file__).parent
THEMES = ("system", "light", "dark")
EMERGENCY_NUMBERS = ("999", "112", "911")


class Web:
    """What the pages share: the diary's database engine, the templates and the store."""

    def __init__(self, database_url: str | None, csrf_secret: bytes | None = None) -> None:
        first = Diary(database_url)  # migrates an empty SQLite file, checks PostgreSQL
        self.engine = first.engine
        self.display_url = first.display_url
        self.store = Store(self.engine)
        self.csrf = security.Csrf(csrf_secret or self.store.secret())
        self.insights: tuple[tuple[Any, ...], Any, list[Any]] | None = None
        """The last insights page's diary state, summary and charts (see pages._insights):
        only a cache, so each process may keep its own."""
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(words=words, site_name=words.site_name, is_urgent=is_urgent)
        self.env.filters.update(describe=words.describe, percent=words.percent)

    @contextmanager
    def diary(self) -> Iterator[Diary]:
        """The diary of the request being served (with ``--accounts``, its login's person)."""
        now = scope.current()
        with Diary(engine=self.engine, migrate=False, account=now.account,
                   person=now.person) as diary:  # fmt: skip
            yield diary

    def close(self) -> None:
        self.engine.dispose()


def web(request: Request) -> Web:
    value: Web = request.app.state.web
    return value


def prefs(request: Request) -> dict[str, str]:
    """The browser's settings (cookies): theme and the emergency number."""
    theme = request.cookies.get("mw_theme", "system")
    number = request.cookies.get("mw_emergency", "")
    return {
        "theme": theme if theme in THEMES else "system",
        "emergency": number if number in EMERGENCY_NUMBERS else "",
    }


def render(
    request: Request,
    template: str,
    *,
    title: str,
    status: int = 200,
    errors: Sequence[FieldProblem] = (),
    **context: Any,
) -> HTMLResponse:
    """A page: the template with what every page needs (the CSRF token, the settings)."""
    app = web(request)
    html = app.env.get_template(template).render(
        request=request,
        path=request.url.path,
        title=title,
        csrf=request.state.csrf,
        prefs=prefs(request),
        errors=list(errors),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_of(request: Request) -> FormData:
    return await request.form()


FormOf = Annotated[FormData, Depends(form_of)]
"""A handler's parameter for the posted form (read once; the CSRF check reads it too)."""


async def csrf_guard(request: Request) -> None:
    """Every unsafe request carries the token of its page (form field or X-CSRF-Token)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    posted = request.headers.get("x-csrf-token")
    if posted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FIELD)
            posted = value if isinstance(value, str) else None
    if not web(request).csrf.matches(request.cookies.get(security.CSRF_COOKIE), posted):
        raise HTTPException(
            403,
            "The form was out of date or came from another site: nothing was saved. "
            "Go back, reload the page and try again.",
        )


def create_app(
    database_url: str | None = None,
    *,
    bind: str = "127.0.0.1",
    hosts: Sequence[str] = (),
    csrf_secret: bytes | None = None,
    accounts: bool = False,
    registration: bool = False,
    accounts_options: Mapping[str, Any] | None = None,
) -> FastAPI:
    """The app on the diary at ``database_url`` (default: as the CLI resolves it).

    ``bind`` is the address the server listens on and ``hosts`` more Host names to accept;
    any other Host header is refused (DNS rebinding). ``accounts``: every page needs a login
    and shows its account's diary (``registration``: anyone may make an account); see
    :mod:`musclewise.web.auth`."""
    app = FastAPI(
        title="musclewise",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.web = Web(database_url, csrf_secret)
    allowed = security.allowed_hosts(bind, hosts)
    from musclewise.web import auth

    auth.install(app, accounts=accounts, registration=registration,
                 options=accounts_options)  # fmt: skip

    app.add_middleware(security.Guard, allowed=allowed, csrf=app.state.web.csrf)

    @app.exception_handler(StarletteHTTPException)  # (the router's own 404s and 405s too)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):  # a path the API's routes do not match
            from musclewise.api.problems import problem

            titles = {404: "Not found", 405: "Method not allowed"}
            return problem(exc.status_code, titles.get(exc.status_code, "Error"),
                           str(exc.detail), [])  # fmt: skip
        if not hasattr(request.state, "csrf"):
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        titles = {403: "Refused", 404: "Page not found", 405: "Not allowed"}
        return render(
            request,
            "error.html",
            title=titles.get(exc.status_code, "Something went wrong"),
            status=exc.status_code,
            message=str(exc.detail),
        )

    @app.exception_handler(MusclewiseError)
    async def library_error(request: Request, exc: MusclewiseError) -> Response:
        """A library error no page handles: its message (which names the field), as the CLI
        words it; status 400 for bad input, 500 for a bug or an unusable database."""
        status = 400 if exc.exit_code == 2 else 500
        message = exc.message[:1].upper() + exc.message[1:]
        if exc.hint:
            message += f" ({exc.hint})"
        if not hasattr(request.state, "csrf"):
            return PlainTextResponse(message, status_code=status)
        return render(request, "error.html", title="Something went wrong", status=status,
                      message=message)  # fmt: skip

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    from musclewise.api import PREFIX
    from musclewise.api import create_app as create_api

    app.mount(PREFIX, create_api(engine=app.state.web.engine), name="api")
    _routes(app)
    from musclewise.web import check, log, pages

    log.routes(app)
    check.routes(app)
    pages.routes(app)
    return app


# ---------------------------------------------------------------------- pages


def _routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", title="Having one now?", sites=words.LOG_SITES)

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"


def problem_list(exc: MusclewiseError) -> list[FieldProblem]:
    """A library error as field problems for an error summary."""
    problems = getattr(exc, "problems", None)
    if problems:
        return [FieldProblem(p.key, p.problem) for p in problems]
    return [FieldProblem("", exc.message)]
