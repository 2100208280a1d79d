"""Each ``jiceng tick`` brings the statistics up to date (incrementally, from the watermark)."""

from __future__ import annotations

from django.dispatch import receiver

from jiceng.cases.tick import ticked


@receiver(ticked, dispatch_uid="stats-refresh-on-tick")
def refresh_on_tick(sender, now, **kwargs) -> str | None:
    from .rollups import refresh

    result = refresh(now=now)
    return result.line() if result.cases else None
