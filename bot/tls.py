"""One TLS context per process for every HTTP client the bot opens."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context httpx would make, made once: loading the CA bundle is slow.

    Each httpx client otherwise reads the whole bundle again (a tenth of a second or more);
    the bot opens two at start and the sandbox one more, which the tests did hundreds of times.
    """
    return httpx.create_ssl_context()
