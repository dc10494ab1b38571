"""``musclewise worker``: runs the jobs the HTTP API queues (reports) on a PostgreSQL diary."""

from __future__ import annotations

import typer

from musclewise.cli.diary_common import DATABASE_URL
from musclewise.errors import UsageError


def worker_command(
    database_url: str | None = DATABASE_URL,
    once: bool = typer.Option(False, "--once", help="Run the jobs waiting now, then stop."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=32,
                                    help="How many jobs to run at the same time."),
) -> None:  # fmt: skip
    """Run the jobs the HTTP API queues (reports for a doctor), until stopped (Ctrl-C).

    Only for a PostgreSQL diary: the queue (Procrastinate) lives in the same database, so run
    as many workers, on as many machines, as you like. A SQLite diary needs none: the server
    runs its jobs itself.

    Example: musclewise worker --database-url postgresql+psycopg://musclewise@db/musclewise
    """
    from musclewise.diary import database
    from musclewise.jobs.queue import run_worker

    url = database.resolve_url(database_url)
    if database.is_sqlite(url):
        raise UsageError(
            "--database-url: the worker is for a PostgreSQL diary; with SQLite the server "
            "(musclewise serve) runs the jobs itself"
        )
    engine = database.make_engine(url)
    try:
        with database.connection_errors(url):
            database.ensure_ready(engine, migrate=False)
            typer.echo(f"musclewise worker on {database.masked(url)}"
                       + (" (the jobs waiting now)" if once else "; press Ctrl-C to stop."),
                       err=True)  # fmt: skip
            run_worker(url, engine, once=once, concurrency=concurrency)
    finally:
        engine.dispose()
