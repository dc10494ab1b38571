"""Where jobs run: a Procrastinate queue on PostgreSQL, a background thread on SQLite.

Procrastinate keeps its queue in tables of the diary's own PostgreSQL database (no broker);
:func:`ensure_schema` creates them the first time (under an advisory lock, so several
processes starting at once create them once). ``musclewise worker`` runs the jobs
(:func:`run_worker`); an app process only defers them (:class:`Dispatcher`).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

if TYPE_CHECKING:
    import procrastinate

QUEUE = "musclewise"
TASK = "musclewise.run_job"
TIDY = "musclewise.tidy"
TIDY_CRON = "17 * * * *"
SCHEMA_LOCK = 7_421_330_001
"""The advisory lock taken while the queue's tables are created."""

log = logging.getLogger(__name__)


def conninfo(url: URL) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (its options kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(engine: Engine) -> bool:
    """Create Procrastinate's tables in the database's current schema unless they are there;
    True if they were created now."""
    from procrastinate.schema import SchemaManager

    with engine.begin() as connection:
        if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar():
            return False
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar():
            return False
        raw: Any = connection.connection.driver_connection
        raw.execute(SchemaManager.get_schema())  # several statements: no parameters
        return True


def make_app(url: URL, *, engine: Engine | None = None, sync: bool = False) -> procrastinate.App:
    """The queue's app on the database at ``url``. With ``engine`` the task that runs jobs is
    registered (a worker); ``sync``: a synchronous connector (an app process that defers)."""
    import procrastinate

    connector: Any
    if sync:
        connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(url), min_size=1,
                                                       max_size=2)  # fmt: skip
    else:
        connector = procrastinate.PsycopgConnector(conninfo=conninfo(url))
    app = procrastinate.App(connector=connector)
    if engine is not None:
        from musclewise.jobs import run_job

        bound = engine

        @app.task(name=TASK, queue=QUEUE)
        def run(job_id: str, account: int | None = None) -> None:
            run_job(bound, job_id, account)

        @app.periodic(cron=TIDY_CRON)
        @app.task(name=TIDY, queue=QUEUE, queueing_lock=TIDY, pass_context=True)
        async def tidy(context: Any, timestamp: int) -> None:
            """Every hour: expired jobs and answers go, and the queue's finished jobs."""
            import asyncio

            from musclewise.diary.service import remove_expired

            await context.app.job_manager.delete_old_jobs(nb_hours=24, queue=QUEUE,
                                                          include_failed=True)  # fmt: skip
            await asyncio.to_thread(remove_expired, bound)

    return app


def run_worker(url: URL, engine: Engine, *, once: bool = False, concurrency: int = 1) -> None:
    """Run jobs until stopped (Ctrl-C, SIGTERM), or, with ``once``, until none is waiting."""
    ensure_schema(engine)
    app = make_app(url, engine=engine)
    with app.open():
        app.run_worker(queues=[QUEUE], wait=not once, concurrency=concurrency,
                       install_signal_handlers=not once)  # fmt: skip


class Dispatcher:
    """Hands a stored job to what runs it: the queue on PostgreSQL, else a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queued = engine.url.get_backend_name() == "postgresql"
        self._lock = threading.Lock()
        self._app: procrastinate.App | None = None
        self._threads: ThreadPoolExecutor | None = None

    def submit(self, job_id: str, account: int | None = None) -> None:
        """Run the job ``job_id`` of ``account``'s (None: of the diary without accounts)."""
        if self.queued:
            self._queue().configure_task(TASK, queue=QUEUE).defer(job_id=job_id, account=account)
            return
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(1, thread_name_prefix="musclewise-job")
        self._threads.submit(self._run, job_id, account)

    def _run(self, job_id: str, account: int | None) -> None:
        from musclewise.jobs import run_job

        try:
            run_job(self.engine, job_id, account)
        except Exception as exc:  # the job is marked failed; the type alone is logged
            log.error("job %s failed: %s", job_id, type(exc).__name__)

    def _queue(self) -> procrastinate.App:
        with self._lock:
            if self._app is None:
                ensure_schema(self.engine)
                self._app = make_app(self.engine.url, sync=True).open()
            return self._app

    def wait(self) -> None:
        """Wait for the jobs running in threads (tests; shutting down)."""
        with self._lock:
            threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=True)

    def close(self) -> None:
        self.wait()
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            app.close()
