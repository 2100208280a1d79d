"""What every page needs to know about the viewer: their capabilities (accounts.capabilities), for menus."""

from __future__ import annotations

from jiceng.accounts.capabilities import capabilities_of


def capabilities(request) -> dict:
    return {"caps": {str(c) for c in capabilities_of(getattr(request, "user", None))}}
