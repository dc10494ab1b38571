"""``musclewise serve``: the local web app (see ``docs/web.md``)."""

from __future__ import annotations

import sys
from typing import Any

import typer


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on. Anything "
        "but this computer's own (127.0.0.1) lets other machines reach your diary."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="The port to listen on."),
    database_url: str | None = typer.Option(None, "--database-url", metavar="URL",
        envvar="MUSCLEWISE_DATABASE_URL",
        help="The diary's database (default: the SQLite file the other commands use)."),
    allow_host: list[str] | None = typer.Option(None, "--allow-host", metavar="NAME",
        help="Another Host name to answer (the app refuses unknown ones: DNS rebinding)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in the browser."),
    accounts: bool = typer.Option(False, "--accounts", help="Many people: every page needs a "
        "login (musclewise accounts add EMAIL makes one) and the API a token."),
    registration: bool = typer.Option(False, "--registration/--no-registration",
        help="With --accounts: let anyone make an account on the login page."),
    open_network: bool = typer.Option(False, "--open-without-accounts", help="Listen on a "
        "network address without --accounts: anyone who reaches it reads and writes the diary."),
) -> None:  # fmt: skip
    """Start the web app on this computer and print its address.

    Example: musclewise serve --open
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
    import uvicorn

    from musclewise.web import create_app

    app = create_app(database_url, bind=host, hosts=allow_host or (), accounts=accounts,
                     registration=registration)  # fmt: skip
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
    typer.echo(f"musclewise is running at {url} (diary: {app.state.web.display_url}); "
               "press Ctrl-C to stop.")  # fmt: skip
    sys.stdout.flush()
    if open_browser:
        _open_later(url)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                server_header=False)  # fmt: skip


def _open_later(url: str) -> None:
    import threading
    import webbrowser

    def run(*_: Any) -> None:
        webbrowser.open(url)

    threading.Timer(1.0, run).start()
