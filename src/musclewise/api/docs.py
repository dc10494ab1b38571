"""``/docs``: Swagger UI from the ``swagger-ui-bundle`` package, so it works offline and under a
strict Content-Security-Policy (no CDN, no inline script)."""

from __future__ import annotations

from fastapi import FastAPI

DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'"
)
"""The documentation page's policy: Swagger UI sets styles inline; every file is local."""


def install(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the ``swagger-ui-bundle`` package, so it works offline and
    under a strict Content-Security-Policy (no CDN, no inline script)."""
    from pathlib import Path

    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.mount(
        "/docs/start", StaticFiles(directory=Path(__file__).with_name("static")), name="api-docs"
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>musclewise API</title>"
        '<link rel="stylesheet" href="docs/ui/swagger-ui.css"></head>'
        '<body><div id="swagger-ui"></div>'
        '<script src="docs/ui/swagger-ui-bundle.js"></script>'
        '<script src="docs/start/docs.js"></script></body></html>'
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})
