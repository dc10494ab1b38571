"""The real ``musclewise accounts`` and ``tokens`` commands in subprocesses, on SQLite and
PostgreSQL: what they print, their JSON, and exit 2 with a clear message for user errors."""

from __future__ import annotations

import json
import subprocess

from musclewise.accounts import Accounts
from tests.accounts.conftest import PASSWORD
from tests.conftest import run_cli


def cli(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    given = stdin.encode() if stdin is not None else None
    return run_cli(*args, "--database-url", url, input=given, env={"COLUMNS": "160"})


def test_accounts_and_tokens_from_the_command_line(db_url: str) -> None:
    added = cli(db_url, "accounts", "add", "Ann@Example.org", "--password-stdin",
                stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr.decode()
    assert b"ann@example.org" in added.stdout and PASSWORD.encode() not in added.stdout
    again = cli(db_url, "accounts", "add", "ann@example.ORG", "--password-stdin", stdin=PASSWORD)
    assert again.returncode == 2 and b"email: already has an account" in again.stderr
    weak = cli(db_url, "accounts", "add", "bob@example.org", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and b"password: must be at least 12" in weak.stderr
    assert b"short" not in weak.stderr
    listed = json.loads(cli(db_url, "accounts", "list", "--json").stdout)
    assert [(a["email"], a["disabled"], a["people"]) for a in listed] == [
        ("ann@example.org", False, ["me"])
    ]

    made = cli(db_url, "tokens", "create", "ann@example.org", "--name", "script")
    assert made.returncode == 0, made.stderr.decode()
    token = made.stdout.decode().strip()
    assert token.startswith("mwt_") and b"shown only this once" in made.stderr
    with Accounts(db_url) as accounts:
        scope = accounts.token_scope(token)
    assert scope.person == "me"
    [row] = json.loads(cli(db_url, "tokens", "list", "ann@example.org", "--json").stdout)
    assert row["name"] == "script" and row["revoked_at"] is None and "token" not in row
    assert cli(db_url, "tokens", "revoke", str(row["id"])).returncode == 0
    [row] = json.loads(cli(db_url, "tokens", "list", "ann@example.org", "--json").stdout)
    assert row["revoked_at"] is not None
    missing = cli(db_url, "tokens", "revoke", "999")
    assert missing.returncode == 2 and b"token 999: there is no such token" in missing.stderr

    reset = cli(db_url, "accounts", "reset-password", "ann@example.org", "--password-stdin",
                stdin="a new long password\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr.decode()
    with Accounts(db_url) as accounts:
        accounts.authenticate("ann@example.org", "a new long password")
    assert cli(db_url, "accounts", "disable", "ann@example.org").returncode == 0
    listed = json.loads(cli(db_url, "accounts", "list", "--json").stdout)
    assert listed[0]["disabled"] is True
    nobody = cli(db_url, "accounts", "disable", "nobody@example.org")
    assert nobody.returncode == 2 and b"email: there is no account" in nobody.stderr


def test_help_names_every_command() -> None:
    for args in (("accounts", "--help"), ("tokens", "--help"), ("accounts", "add", "--help")):
        shown = run_cli(*args)
        assert shown.returncode == 0 and b"--help" in shown.stdout
    listing = run_cli("--help").stdout.decode()
    assert "accounts" in listing and "tokens" in listing


def test_serve_refuses_a_network_address_without_accounts(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/diary.sqlite3"
    refused = run_cli("serve", "--host", "0.0.0.0", "--database-url", url)
    assert refused.returncode == 2
    assert b"without --accounts" in refused.stderr and b"--open-without-accounts" in refused.stderr
    lonely = run_cli("serve", "--registration", "--database-url", url)
    assert lonely.returncode == 2 and b"--registration" in lonely.stderr
