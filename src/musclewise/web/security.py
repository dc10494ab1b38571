"""What keeps the web app safe: the Host check (DNS rebinding), CSRF tokens that work without
JavaScript (a signed double-submit cookie; the secret is shared by every app process, see
:mod:`.state`), and the response headers (a strict Content-Security-Policy: no inline script
or style), all applied by :class:`Guard`, plain ASGI middleware."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

CSRF_COOKIE = "mw_csrf"
CSRF_FIELD = "csrf"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
"""No inline script, no inline style, nothing from another origin."""

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""For the SVG charts (shown through <img>): matplotlib styles them with attributes."""

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
"""For the HTML report shown in a frame: its own stylesheet is inline, and it has no script."""

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class Csrf:
    """Signed double-submit tokens: the cookie holds ``nonce.signature``; every form posts
    the same value back. A page from another origin can neither read the cookie nor forge a
    signature, so it cannot post a valid form."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        if not token or token.count(".") != 1:
            return False
        nonce, signature = token.split(".")
        return hmac.compare_digest(signature, self._sign(nonce))

    def matches(self, cookie: str | None, posted: str | None) -> bool:
        return (
            self.valid(cookie)
            and posted is not None
            and hmac.compare_digest(str(cookie), str(posted))
        )


def host_name(header: str) -> str:
    """The host of a Host header, without the port ("[::1]:8000" -> "[::1]")."""
    header = header.strip().lower()
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names the app answers: the loopback names, the address it is bound to (unless
    a wildcard) and any given."""
    hosts = set(LOCAL_HOSTS) | {h.lower() for h in extra}
    if bind not in ("0.0.0.0", "::", ""):
        hosts.add(bind.lower())
        if ":" in bind and not bind.startswith("["):
            hosts.add(f"[{bind.lower()}]")
    return frozenset(hosts)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
NO_CSRF_PREFIXES = ("/api/", "/static/")
"""Paths whose answers need no CSRF cookie: the JSON API (no forms, no cookies) and files."""


class Guard:
    """The app's outermost check, as plain ASGI middleware (Starlette's ``BaseHTTPMiddleware``
    cost a millisecond a request): the Host check, the Origin check of unsafe requests, a
    CSRF token for the page (``scope["state"]["csrf"]``, from the cookie or a new one, then
    set as the cookie: ``Secure`` when the request came over HTTPS), and the security headers
    on every answer (a header the app set itself is kept)."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str], csrf: Csrf) -> None:
        self.app = app
        self.allowed = allowed
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        host = headers.get(b"host", b"").decode("latin-1")
        if host_name(host) not in self.allowed:
            await _plain(send, 400, "Unknown host.")
            return
        method = scope["method"]
        origin = headers.get(b"origin")
        if (
            method not in SAFE
            and origin is not None
            and origin != b"null"
            and origin.decode("latin-1").split("://", 1)[-1].lower() != host.lower()
        ):
            await _plain(send, 403, "Cross-site request refused.")
            return
        path: str = scope["path"]
        cookie_header = b""
        fresh: str | None = None
        if not path.startswith(NO_CSRF_PREFIXES):
            cookie = _cookie(headers.get(b"cookie", b""), CSRF_COOKIE)
            if self.csrf.valid(cookie):
                scope.setdefault("state", {})["csrf"] = cookie
            else:
                fresh = self.csrf.new_token()
                scope.setdefault("state", {})["csrf"] = fresh
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                cookie_header = (
                    f"{CSRF_COOKIE}={fresh}; HttpOnly; Path=/; SameSite=strict{secure}"
                ).encode("latin-1")
        extra = list(STATIC_HEADERS)
        if not path.startswith("/static/"):
            extra.append((b"cache-control", b"no-store"))
        if method == "GET" and b"hx-request" in headers:
            query = scope.get("query_string", b"")
            pushed = path.encode("utf-8") + (b"?" + query if query else b"")
            extra.append((b"hx-push-url", pushed))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = list(message.get("headers", []))
                have = {name.lower() for name, _ in given}
                given += [(n, v) for n, v in extra if n not in have]
                if fresh is not None:
                    given.append((b"set-cookie", cookie_header))
                message["headers"] = given
            await send(message)

        await self.app(scope, receive, send_with_headers)


STATIC_HEADERS = tuple(
    (name.lower().encode(), value.encode())
    for name, value in {**HEADERS, "Content-Security-Policy": CSP}.items()
)


def _cookie(header: bytes, name: str) -> str | None:
    """One cookie's value from a Cookie header (as Starlette parses it)."""
    from starlette.requests import cookie_parser

    return cookie_parser(header.decode("latin-1")).get(name) if header else None


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *STATIC_HEADERS,
            (b"cache-control", b"no-store"),
        ],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
