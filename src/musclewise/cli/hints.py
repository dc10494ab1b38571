"""How the command line words a library error: the one table from an error's ``code`` (and
``field``) to the flags and commands of this shell.

The library's errors name no flag and no command (see :mod:`musclewise.errors`); their
``hint`` fits any shell. Here a terminal user gets the flag or command to type instead.
"""

from __future__ import annotations

from musclewise.errors import MusclewiseError

FIELD_FLAGS: dict[str, str] = {
    "database_url": "--database-url",
    "format": "--format",
    "person": "--person",
    "started_at": "--at",
    "path": "PATH",
}
"""A field an error names → the option or argument that sets it on the command line."""

CODE_HINTS: dict[str, str] = {
    "backup_not_sqlite": "use pg_dump for PostgreSQL, or musclewise export for the diary's data",
    "database_damaged": (
        "check --database-url; if it is your diary, restore it from a backup "
        "(musclewise backup makes one)"
    ),
    "database_not_upgraded": "run: musclewise db upgrade (with the same --database-url)",
    "database_unreachable": "check --database-url or MUSCLEWISE_DATABASE_URL",
    "database_url_invalid": "give --database-url (or MUSCLEWISE_DATABASE_URL) as shown",
    "database_url_unsupported": "give --database-url (or MUSCLEWISE_DATABASE_URL) as shown",
    "demo_database_not_empty": (
        "use another --database-url (a new SQLite file, or an empty PostgreSQL schema)"
    ),
    "diary_missing": (
        "check --database-url (or MUSCLEWISE_DATABASE_URL); musclewise log records a "
        "first episode and starts the diary"
    ),
    "episode_missing": "musclewise episodes list shows the ids",
    "episode_same_start": (
        "give another time with --at, or change that episode with musclewise episodes edit"
    ),
    "file_exists": "add --overwrite to replace it",
    "import_rejected": "fix them, or import the rest with --skip-invalid REJECTS_FILE",
    "medicine_current": "stop it first (profile medicine stop) to record a new course",
    "medicine_unknown": "check the spelling, or keep the name as typed with --unknown-ok",
    "pdf_unavailable": (
        "install the Debian packages {allowed} (make install does it as root), "
        "or write HTML: --output report.html"
    ),
    "person_ambiguous": "use --person NAME (or MUSCLEWISE_PERSON): {allowed}",
    "person_unknown": "to start a diary for them: musclewise person add NAME",
}
"""An error's code → the hint a terminal shows (``{allowed}``: the error's allowed values)."""


def flag(field: str) -> str:
    """The option that sets ``field`` on the command line (the field's name if none does)."""
    return FIELD_FLAGS.get(field, field)


def cli_hint(exc: MusclewiseError) -> str:
    """The hint for a terminal: the table's, else the library's own."""
    template = CODE_HINTS.get(exc.code)
    if template is None:
        return exc.hint
    return template.format(allowed=", ".join(exc.allowed))


def cli_message(exc: MusclewiseError) -> str:
    """The error's message and hint as a terminal shows them (``error: ...``, ``hint: ...``);
    a message that starts with its field (``started_at: ...``) starts with the flag instead."""
    text = exc.message
    if exc.field and text.startswith(f"{exc.field}: "):
        text = flag(exc.field) + text[len(exc.field) :]
    message = f"error: {text}"
    hint = cli_hint(exc)
    return message + (f"\nhint: {hint}" if hint else "")
