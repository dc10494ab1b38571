"""Whose diary the request being served may open: set by :mod:`musclewise.web.auth`'s gate
for each request (a context variable, so every page's ``Web.diary()`` opens the right one
without being handed the request). Without ``--accounts`` it is the local diary, as always."""

from __future__ import annotations

from contextvars import ContextVar

from musclewise.accounts.records import Scope

LOCAL = Scope(None, None)
"""The single-person diary of ``musclewise serve`` without accounts."""

_current: ContextVar[Scope] = ContextVar("musclewise_scope", default=LOCAL)


def current() -> Scope:
    """The scope of the request being served (the local diary outside a request)."""
    return _current.get()


def use(scope: Scope) -> None:
    """Serve the rest of this request for ``scope`` (the gate calls it, once per request)."""
    _current.set(scope)
