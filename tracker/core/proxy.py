"""Behind a reverse proxy: trust its X-Forwarded-* headers for exactly the configured number of hops.

Trusting more hops than there are proxies would let any client set its own address (defeating the
sign-in rate limits) or claim HTTPS; trusting none behind a proxy makes every link http://.
PROXY_HOPS (environment) is 0 by default: the app is reached directly.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)  # type: ignore[method-assign]
