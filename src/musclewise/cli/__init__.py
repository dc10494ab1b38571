"""The ``musclewise`` command line: a thin shell around the library.

Exit status (also in ``docs/cli.md``):

- 0: done;
- 1: an unexpected internal error (a bug: the message says how to report it);
- 2: bad input or usage (the message names the key or option and what is allowed);
- 3: the knowledge base is invalid (a bug in the package data);
- 4: the database cannot be used (unreachable, not a diary, damaged, at another revision).

No message holds health data: an internal error names only its type and place.

Every command imports what it needs when it runs, so ``musclewise assess`` starts quickly.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from musclewise.errors import MusclewiseError

SUMMARIES = {
    "assess": "Assess one episode: cramp, twitch or mimic, triage, and why.",
    "check": "Answer questions one at a time, then get the assessment.",
    "eval": "Score musclewise on vignettes with gold answers.",
    "log": "Record an episode in the diary, assess it, and keep both.",
    "day": "Record the context of a day: coffee, exercise, sleep, stress...",
    "export": "Export the diary: CSV, JSON Lines or FHIR.",
    "import": "Import an export into the diary, in one transaction.",
    "backup": "Copy a SQLite diary safely, even while it is in use.",
    "demo": "Fill an empty database with an example diary of a year.",
    "insights": "What the diary shows: warning patterns, triggers, counts.",
    "report": "A report for a doctor (PDF or HTML).",
    "knowledge": "Browse what musclewise knows, and where it comes from.",
    "episodes": "The episodes in the diary: list, show, edit, delete, reassess.",
    "profile": "The person whose diary it is: details and medicines.",
    "person": "The people with a diary here: list them, or add someone new.",
    "db": "The diary's database: which one, its migration state, upgrades.",
    "serve": "Start the web app on this computer and print its address.",
    "accounts": "The web app's accounts: add, list, disable, reset a password.",
    "tokens": "Personal API tokens of an account: create, list, revoke.",
    "worker": "Run the jobs the HTTP API queues (PostgreSQL diaries).",
}
"""Each command's line in ``musclewise --help``, so that listing the commands imports none of
them (a test checks that it names every command and nothing else)."""


class _LazyGroup(TyperGroup):
    """Lists every command from :data:`SUMMARIES`; only the command being run is built."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*dict.fromkeys([*super().list_commands(ctx), *SUMMARIES])]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        # (Any: typer vendors click from 0.28 on, so the context's class depends on its version)
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in SUMMARIES:
            # a stand-in for the listing only: main() registers the command that runs
            found = TyperCommand(cmd_name, short_help=SUMMARIES[cmd_name])
        return found

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        """Runs the command line; a library error becomes its message, its hint as a terminal
        words it (:mod:`musclewise.cli.hints`) and its exit status. Here rather than in
        :func:`main`, so that Typer's test runner gets the same messages and statuses."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            _negative_numbers(argv)
            return super().main(argv, *rest, **options)
        except MusclewiseError as exc:
            from musclewise.cli.hints import cli_message

            sys.stderr.write(cli_message(exc) + "\n")
            sys.exit(exc.exit_code)


app = typer.Typer(
    cls=_LazyGroup,
    name="musclewise",
    help=(
        "Tell a muscle cramp from a twitch or a mimic, triage it, and say why, with sources.\n\n"
        "Health information, not a diagnosis: if a warning sign is present, contact a doctor "
        "or emergency services."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _add_assess() -> None:
    from musclewise.cli import assess

    app.command("assess", no_args_is_help=False)(assess.assess_command)


def _add_knowledge() -> None:
    from musclewise.cli import knowledge

    app.add_typer(knowledge.app, name="knowledge")


def _add_eval() -> None:
    from musclewise.cli import evaluate

    app.command("eval")(evaluate.eval_command)


def _add_check() -> None:
    from musclewise.cli import check

    app.command("check")(check.check_command)


def _add_diary(only: str | None = None) -> None:
    from musclewise.cli import diary

    diary.register(app, only)


def _add_insights() -> None:
    from musclewise.cli import insights

    app.command("insights")(insights.insights_command)
    app.command("report")(insights.report_command)


def _add_serve() -> None:
    from musclewise.cli import serve

    app.command("serve")(serve.serve_command)


def _add_accounts() -> None:
    from musclewise.cli import accounts

    app.add_typer(accounts.accounts_app, name="accounts")
    app.add_typer(accounts.tokens_app, name="tokens")


def _add_worker() -> None:
    from musclewise.cli import worker

    app.command("worker")(worker.worker_command)


DIARY_COMMANDS = ("log", "episodes", "day", "profile", "person", "db", "export", "import",
                  "backup", "demo")  # fmt: skip
"""The commands of :mod:`musclewise.cli.diary`, each registered alone when it runs."""
COMMANDS: dict[str, Callable[[], None]] = {
    "assess": _add_assess,
    "check": _add_check,
    "knowledge": _add_knowledge,
    "eval": _add_eval,
    **{name: functools.partial(_add_diary, name) for name in DIARY_COMMANDS},
    "insights": _add_insights,
    "report": _add_insights,
    "serve": _add_serve,
    "accounts": _add_accounts,
    "tokens": _add_accounts,
    "worker": _add_worker,
}
"""Each command and what registers it. Typer builds every registered command when it starts,
so ``main`` registers only the one being run (none for ``--help``: :class:`_LazyGroup` lists
them from :data:`SUMMARIES`)."""


_REGISTERED: set[str] = set()
"""The commands registered so far: each is registered once, however often it is asked for
(Typer keeps a list, so registering twice would build the command twice on every run)."""


def register_all() -> None:
    """Register every command (for tools and tests that walk the whole command tree)."""
    for name in COMMANDS:
        _register_one(name)


def _register_one(name: str) -> None:
    if name not in _REGISTERED:
        COMMANDS[name]()
        # a registrar may add several commands ("accounts" and "tokens"): all are done
        _REGISTERED.update(n for n, add in COMMANDS.items() if add is COMMANDS[name])


def _register(argv: list[str] | None = None) -> None:
    first = next((a for a in (argv or []) if not a.startswith("-")), None)
    if first in COMMANDS:
        _register_one(first)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        from musclewise import __version__
        from musclewise.knowledge import load_knowledge

        typer.echo(f"musclewise {__version__} (knowledge base {load_knowledge().version})")
        raise typer.Exit()


def main() -> None:
    """Entry point: registers the command being run and runs the app (which words library
    errors, :meth:`_LazyGroup.main`); a bug becomes a one-line message without health data."""
    _register(sys.argv[1:])
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("MUSCLEWISE_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__} at {_where(exc)}\n"
            "This is a bug in musclewise; run again with MUSCLEWISE_DEBUG=1 for the details "
            "(they may show what you typed: look before sharing them).\n"
        )
        sys.exit(1)


def _negative_numbers(argv: list[str]) -> None:
    """``musclewise log calf -3 90s``: a number where a value goes, not an unknown option."""
    import itertools
    import re

    if not argv or argv[0] != "log":
        return
    for before, token in itertools.pairwise(argv):
        if re.fullmatch(r"-\d+(\.\d+)?[a-z]*", token) and not before.startswith("-"):
            from musclewise.errors import UsageError

            raise UsageError(
                f"'{token}' cannot be negative: PAIN is a whole number from 0 to 10 and "
                "DURATION a length of time such as 90s",
                hint="for example: musclewise log calf 3 90s",
            )


def _where(exc: BaseException) -> str:
    """The file and line of musclewise's code nearest to where ``exc`` was raised: enough to
    report a bug, without the exception's text (it may hold notes, medicines or SQL values)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "musclewise" in f.filename.replace("\\", "/").split("/")]
    if not (ours or frames):
        return "an unknown place"
    frame = (ours or frames)[-1]
    parts = frame.filename.replace("\\", "/").split("/")
    short = "/".join(parts[parts.index("musclewise") :]) if "musclewise" in parts else parts[-1]
    return f"{short}:{frame.lineno}"
