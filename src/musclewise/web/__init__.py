"""musclewise in the browser: a local web app (FastAPI, Jinja2, htmx only as an enhancement).

>>> from musclewise.web import create_app                          # doctest: +SKIP
>>> app = create_app("sqlite:///diary.sqlite3")

Every page is rendered on the server and every flow works with JavaScript off (a plain POST
answered by a 303 redirect). See ``docs/web.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(database_url: str | None = None, **options: Any) -> FastAPI:
    """The web app on the diary at ``database_url`` (see :func:`musclewise.web.app.create_app`)."""
    from musclewise.web.app import create_app as create

    return create(database_url, **options)
