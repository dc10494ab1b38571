"""What the web app's servers share between requests (issue 12, "past one machine"): a check in
progress, a "Log it" timer, the record that lets Undo put a deleted episode back, an offline
log's idempotency key, and the secret that signs the CSRF tokens.

Each row is keyed by a random id (or a hash of the client's key) and expires
(``expires_at``; the web app deletes expired rows as it adds new ones), so any number of app
processes on one database serve the same person, and health data stays only as long as a
check or an undo needs it. With accounts each row has its owner and is seen only by
requests of that owner. The table is created by migration 0005; its model is in
:mod:`musclewise.diary.models` with the others (so that every import of the models sees the
whole schema).
"""

from __future__ import annotations

from musclewise.diary.models import WEB_KEY_MAX as KEY_MAX
from musclewise.diary.models import WEB_KIND_MAX as KIND_MAX
from musclewise.diary.models import WEB_OWNER_MAX as OWNER_MAX
from musclewise.diary.models import WebState

__all__ = ["KEY_MAX", "KIND_MAX", "OWNER_MAX", "WebState"]
