"""What keeps the local web app safe on one machine: the Host check (DNS rebinding), CSRF
tokens that work without JavaScript (a signed double-submit cookie), and the response headers
(a strict Content-Security-Policy: no inline script or style)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

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
