"""The importing administrator's own area scope: an administrator of one county imports only that county."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jiceng.areas import codes


def scope_prefix(user: Any) -> str:
    """The code prefix the user may import under; empty for a platform-wide administrator."""
    area = getattr(user, "scope_area", None)
    return area.prefix if area is not None else ""


def check_in_scope(user: Any, code: str) -> None:
    prefix = scope_prefix(user)
    if prefix and not code.startswith(prefix):
        raise ValueError(_("“%(code)s”不在您的辖区（%(scope)s）内") % {"code": code, "scope": user.scope_area.name})


def area_code(value: str) -> str:
    """A well-formed 12-digit division code, or ValueError in Chinese."""
    if not value:
        raise ValueError(_("不能为空"))
    try:
        codes.level_of(value)
    except codes.CodeError as exc:
        raise ValueError(str(exc)) from None
    return value
