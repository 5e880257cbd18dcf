"""Request limits: body size (413) and per-token request rate (429).

The body limit is enforced on the raw ASGI stream, before any route parses it: a declared
``Content-Length`` over the limit is refused at once, and a body without one (chunked) or with
one that lies is counted as it arrives and refused the moment it passes the limit. A request is
never handed to a route with a truncated body.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimitMiddleware", "RateLimiter"]


class _BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answer 413 to any HTTP request whose body exceeds ``max_body_bytes``.

    The body is read (up to the limit) before the application runs, then replayed to it, so the
    application sees either the complete body or nothing.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._refuse(send, int(declared) if declared.isdigit() else None)
            return
        try:
            messages = await self._read_body(receive)
        except _BodyTooLargeError:
            await self._refuse(send, None)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> list[Message]:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages  # disconnect: let the application see it
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                raise _BodyTooLargeError
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, send: Send, declared: int | None) -> None:
        detail = f"request body exceeds the limit of {self.max_body_bytes} bytes" + (
            f" (Content-Length: {declared})" if declared is not None else ""
        )
        body = json.dumps({"detail": detail, "problems": []}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token bucket per API token: ``per_minute`` requests a minute, bursts up to that many.

    Parameters
    ----------
    per_minute
        Sustained rate and burst size.
    clock
        Monotonic seconds (injectable so tests control time).
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"rate_limit_per_minute must be ≥ 1, got {per_minute}")
        self.capacity = float(per_minute)
        self.rate_per_s = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: int) -> int | None:
        """Take one request from ``key``'s bucket: None if allowed, else seconds to wait."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(self.capacity, now))
            bucket.tokens = min(
                self.capacity, bucket.tokens + (now - bucket.updated) * self.rate_per_s
            )
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate_per_s))
