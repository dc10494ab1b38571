"""``musclewise accounts`` and ``musclewise tokens``: an administrator's command line for the
accounts of ``musclewise serve --accounts`` (no e-mail is ever sent: a new or reset password is
typed here, or given on standard input with ``--password-stdin``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from musclewise.cli.diary_common import DATABASE_URL, JSON_FLAG, print_json
from musclewise.errors import UsageError

if TYPE_CHECKING:
    from musclewise.accounts import Accounts

accounts_app = typer.Typer(
    no_args_is_help=True,
    help="The accounts of the web app (musclewise serve --accounts): add, list, disable, "
    "reset a password.",
)
tokens_app = typer.Typer(
    no_args_is_help=True,
    help="Personal API tokens (Authorization: Bearer TOKEN): create, list, revoke.",
)

EMAIL = typer.Argument(..., metavar="EMAIL", help="The account's e-mail address.")
PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from the first line of standard input "
    "(for scripts) instead of asking for it twice."
)  # fmt: skip


def _open(database_url: str | None) -> Accounts:
    from musclewise.accounts import Accounts

    return Accounts(database_url)


def _password(from_stdin: bool) -> str:
    from musclewise.accounts import check_password

    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise UsageError("--password-stdin: standard input held no password")
    else:
        password = typer.prompt("Password (at least 12 characters)", hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    return check_password(password)


@accounts_app.command("add")
def add_command(
    email: str = EMAIL,
    password_stdin: bool = PASSWORD_STDIN,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Add an account (its first person, 'me', gets a diary of their own).

    Example: echo 'a long pass phrase' | musclewise accounts add ann@example.org --password-stdin
    """
    password = _password(password_stdin)
    with _open(database_url) as accounts:
        made = accounts.add(email, password)
    typer.echo(f"Added the account {made.email}.")


@accounts_app.command("list")
def list_command(json_flag: bool = JSON_FLAG, database_url: str | None = DATABASE_URL) -> None:
    """The accounts: e-mail, whether disabled, the people of each."""
    with _open(database_url) as accounts:
        found = accounts.all()
    if json_flag:
        print_json([a.to_dict() for a in found])
    elif not found:
        typer.echo("There are no accounts yet: musclewise accounts add EMAIL adds one.")
    for account in [] if json_flag else found:
        state = " (disabled)" if account.disabled else ""
        typer.echo(f"{account.email}{state}: {', '.join(account.people)}")


@accounts_app.command("disable")
def disable_command(
    email: str = EMAIL,
    enable: bool = typer.Option(False, "--enable", help="Enable it again instead."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Disable an account: it can no longer log in, its logins end, its tokens stop working."""
    with _open(database_url) as accounts:
        done = accounts.set_disabled(email, not enable)
    typer.echo(f"{done.email} is {'disabled' if done.disabled else 'enabled'}.")


@accounts_app.command("reset-password")
def reset_password_command(
    email: str = EMAIL,
    password_stdin: bool = PASSWORD_STDIN,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Give an account a new password (every login of it ends)."""
    password = _password(password_stdin)
    with _open(database_url) as accounts:
        accounts.set_password(email, password)
    typer.echo(f"The password of {email.strip().lower()} is changed; its logins have ended.")


@tokens_app.command("create")
def create_command(
    email: str = EMAIL,
    name: str = typer.Option("API token", "--name", help="What the token is for."),
    json_flag: bool = JSON_FLAG,
    database_url: str | None = DATABASE_URL,
) -> None:
    """Create a personal API token for an account and print it (once: only its hash is kept).

    Example: curl -H "Authorization: Bearer TOKEN" http://127.0.0.1:8000/api/v1/episodes
    """
    with _open(database_url) as accounts:
        account = accounts.get(email)
        record, secret = accounts.create_token(account.id, name)
    if json_flag:
        print_json({**record.to_dict(), "token": secret})
        return
    typer.echo(secret)
    typer.echo(f"Token {record.id} ({record.name}) for {account.email}: keep it secret; it is "
               "shown only this once.", err=True)  # fmt: skip


@tokens_app.command("list")
def tokens_list_command(
    email: str = EMAIL, json_flag: bool = JSON_FLAG, database_url: str | None = DATABASE_URL
) -> None:
    """An account's tokens: id, name, created, last used, revoked (never the token)."""
    with _open(database_url) as accounts:
        found = accounts.tokens(accounts.get(email).id)
    if json_flag:
        print_json([t.to_dict() for t in found])
        return
    if not found:
        typer.echo("This account has no tokens.")
    for token in found:
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "unused"
        state = f", revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else ""
        typer.echo(f"{token.id}\t{token.name}\tcreated {token.created_at:%Y-%m-%d}, {used}{state}")


@tokens_app.command("revoke")
def revoke_command(
    token_id: int = typer.Argument(..., metavar="ID", help="The token's id (tokens list)."),
    database_url: str | None = DATABASE_URL,
) -> None:
    """Revoke a token: it stops working at once."""
    with _open(database_url) as accounts:
        accounts.revoke_token(token_id)
    typer.echo(f"Token {token_id} is revoked.")
