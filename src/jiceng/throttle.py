"""Rate limits on what anyone may call without an account, the same for every adapter."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from jiceng.errors import RateLimited


def client_address(group: str, request: HttpRequest) -> str:
    """The rate-limit key; a WSGI server may omit REMOTE_ADDR (schemathesis found this)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def check_rate(request: HttpRequest, group: str, rate: str, message: str | None = None) -> None:
    """Count one call of ``group`` from this client; RateLimited once it exceeds ``rate`` (e.g. ``60/h``)."""
    if is_ratelimited(request, group=group, key=client_address, rate=rate, increment=True):
        raise RateLimited(message or _("Too many requests from your address; try again later"))


def failures_exceeded(key: str, limit: int) -> bool:
    """Whether ``key`` (e.g. a case number) has had ``limit`` failed guesses in the current window, from any address."""
    from django.core.cache import cache

    return int(cache.get(f"failures:{key}", 0)) >= limit


def count_failure(key: str, window_seconds: int) -> None:
    """Count one failed guess against ``key``; the count lapses ``window_seconds`` after the first failure."""
    from django.core.cache import cache

    name = f"failures:{key}"
    if not cache.add(name, 1, timeout=window_seconds):
        try:
            cache.incr(name)
        except ValueError:  # lapsed between add and incr
            cache.add(name, 1, timeout=window_seconds)
