"""``musclewise serve``: the web app and the API (see ``docs/web.md`` and ``docs/deploy.md``).

One worker runs in plain Uvicorn; ``--workers N`` (N > 1) runs Gunicorn with N Uvicorn
workers (the ``uvicorn-worker`` package), each with its own connections to the database. The
app holds no state of its own, so the workers, or servers on other machines sharing one
PostgreSQL database, all serve the same people.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on. Anything "
        "but this computer's own (127.0.0.1) lets other machines reach your diary."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="The port to listen on."),
    database_url: str | None = typer.Option(None, "--database-url", metavar="URL",
        envvar="MUSCLEWISE_DATABASE_URL",
        help="The diary's database (default: the SQLite file the other commands use). Behind "
        "PgBouncer in transaction mode add ?prepare_threshold=none."),
    allow_host: list[str] | None = typer.Option(None, "--allow-host", metavar="NAME",
        help="Another Host name to answer (the app refuses unknown ones: DNS rebinding)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, envvar="MUSCLEWISE_WORKERS",
        help="Worker processes: 1 runs Uvicorn; more run Gunicorn with Uvicorn workers "
        "(about one per CPU core)."),
    proxy_headers: bool = typer.Option(True, "--proxy-headers/--no-proxy-headers",
        help="Trust X-Forwarded-For and X-Forwarded-Proto from the addresses of "
        "--forwarded-allow-ips (a reverse proxy in front)."),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
        metavar="IPS", envvar="FORWARDED_ALLOW_IPS",
        help="Comma-separated addresses of the reverse proxies whose forwarded headers are "
        "trusted ('*' trusts any: only inside a private network)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in the browser."),
    accounts: bool = typer.Option(False, "--accounts", help="Many people: every page needs a "
        "login (musclewise accounts add EMAIL makes one) and the API a token."),
    registration: bool = typer.Option(False, "--registration/--no-registration",
        help="With --accounts: let anyone make an account on the login page."),
    open_network: bool = typer.Option(False, "--open-without-accounts", help="Listen on a "
        "network address without --accounts: anyone who reaches it reads and writes the diary."),
) -> None:  # fmt: skip
    """Start the web app (and the API under /api/v1) and print its address.

    Examples: musclewise serve --open;
    musclewise serve --workers 4 --database-url postgresql+psycopg://mw@db/musclewise
    """
    from musclewise.errors import UsageError

    loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
    if not loopback and not accounts and not open_network:
        raise UsageError(
            f"--host {host}: without --accounts the diary and its API have no login, so "
            "musclewise listens only on this computer (127.0.0.1)",
            hint="add --accounts (musclewise accounts add EMAIL first), or "
            "--open-without-accounts if every machine that can reach it may read the diary",
        )
    if registration and not accounts:
        raise UsageError("--registration: there are no accounts to register without --accounts")
    from musclewise.web import create_app

    def make() -> Any:
        return create_app(database_url, bind=host, hosts=allow_host or (), accounts=accounts,
                          registration=registration)  # fmt: skip

    app = make()  # checks (or migrates) the database before any worker starts
    display_url = app.state.web.display_url
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    url = f"http://{shown}:{port}/"
    if not loopback and not accounts:
        typer.echo(
            f"warning: listening on {host}: other machines on the network can reach this diary, "
            "and there are no accounts yet. Use the default (127.0.0.1) unless you mean it.",
            err=True,
        )
    many = f" with {workers} workers" if workers > 1 else ""
    typer.echo(f"musclewise is running at {url}{many} (diary: {display_url}); "
               "press Ctrl-C to stop.")  # fmt: skip
    sys.stdout.flush()
    if open_browser:
        _open_later(url)
    if workers == 1:
        import uvicorn

        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                    server_header=False, proxy_headers=proxy_headers,
                    forwarded_allow_ips=forwarded_allow_ips)  # fmt: skip
        return
    app.state.web.close()  # each worker opens its own connections
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _gunicorn(make, bind, workers,
              proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips)  # fmt: skip


def _gunicorn(
    make: Callable[[], Any],
    bind: str,
    workers: int,
    *,
    proxy_headers: bool,
    forwarded_allow_ips: str,
) -> None:
    """Gunicorn with ``workers`` Uvicorn workers, each making its own app with ``make``."""
    from gunicorn.app.base import BaseApplication
    from uvicorn_worker import UvicornWorker

    class Worker(UvicornWorker):  # type: ignore[misc]
        CONFIG_KWARGS = {  # noqa: RUF012 (uvicorn-worker's own name)
            "loop": "auto",
            "http": "auto",
            "server_header": False,
            "proxy_headers": proxy_headers,
        }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": [bind],
                "workers": workers,
                "worker_class": Worker,
                "loglevel": "warning",
                "accesslog": None,
                "forwarded_allow_ips": forwarded_allow_ips,
                "graceful_timeout": 10,
                "proc_name": "musclewise",
            }
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return make()

    Server().run()


def _open_later(url: str) -> None:
    import threading
    import webbrowser

    def run(*_: Any) -> None:
        webbrowser.open(url)

    threading.Timer(1.0, run).start()
