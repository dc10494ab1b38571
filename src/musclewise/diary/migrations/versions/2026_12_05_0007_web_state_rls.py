"""web_state under row-level security (PostgreSQL only): the second wall for checks in
progress, timers, undo records and offline logs' idempotency keys, as 0003 and 0004 are for
the diary's tables.

``web.state.Store`` already filters every query by the row's owner (``"{account}/{person}"``
with accounts, ``""`` without); with these policies a query that forgot the owner still sees
only its own account's rows. Each transaction names its account in the
``musclewise.account_id`` setting (``diary.session.set_scope``); without it (the setting unset,
or ``''`` on a pooled connection once a transaction that set it has ended) only the rows of no
account (owner ``''``) are its own. Enabled and forced, so the table's owner is held too.

- A row is one's own when the owner's account part (before the ``/``) is the setting, or the
  owner is ``''`` and there is no setting: ``split_part(owner, '/', 1) =
  COALESCE(setting, '')``. Rows of no account are not seen by an account's transaction (the
  diary of no account may share the database, like ``person`` in 0003).
- The CSRF secret (id ``csrf-secret``, owner ``''``) is read by every transaction, and may be
  made by any (the first request may be an account's); only a transaction without an account
  may change or delete it.
- Expired rows (``expires_at < now()``) may be deleted by anyone: ``Store.add`` sweeps every
  owner's, so that health data does not outlive its check. PostgreSQL applies the SELECT
  policies to a DELETE whose WHERE reads the table's columns, so SELECT must let the sweep see
  them too; it does only while the transaction's ``musclewise.sweep_expired`` setting is
  ``on`` (``Store.add`` sets it around its DELETE alone), so that any other query that forgot
  the owner still sees no expired row of another account. Like ``musclewise.account_id``, the
  setting guards against the app's mistakes, not against SQL an attacker writes (who could set
  either).

Nothing on SQLite (no row-level security there). Downgrade drops the policies and disables
row-level security on the table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 12:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWN = "split_part(owner, '/', 1) = COALESCE(current_setting('musclewise.account_id', true), '')"
"""The row's account is the transaction's (owner '' and no setting for the diary without
accounts; an unset setting is NULL, a reset one '')."""
SECRET = "(id = 'csrf-secret' AND owner = '')"
EXPIRED = "expires_at < now()"
SWEEPING = f"({EXPIRED} AND current_setting('musclewise.sweep_expired', true) = 'on')"
"""An expired row, read by ``Store.add``'s sweep (which sets the setting around its DELETE)."""
POLICIES = {
    "web_state_select": f"FOR SELECT USING ({OWN} OR {SECRET} OR {SWEEPING})",
    "web_state_insert": f"FOR INSERT WITH CHECK ({OWN} OR {SECRET})",
    "web_state_update": f"FOR UPDATE USING ({OWN}) WITH CHECK ({OWN})",
    "web_state_delete": f"FOR DELETE USING ({OWN} OR {EXPIRED})",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE web_state ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE web_state FORCE ROW LEVEL SECURITY")
    for name, rule in POLICIES.items():
        op.execute(f"CREATE POLICY {name} ON web_state {rule}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS {name} ON web_state")
    op.execute("ALTER TABLE web_state NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE web_state DISABLE ROW LEVEL SECURITY")
