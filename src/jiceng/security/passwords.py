"""Password complexity (等保 2.0: 身份鉴别信息具有复杂度要求)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other characters occur."""
    return sum((
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    ))


class MinimumLengthValidator:
    """At least ``min_length`` characters (Django's own, with a message every catalog translates)."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(_("The password is too short: at least %(n)s characters.") % {"n": self.min_length},
                                  code="password_too_short")

    def get_help_text(self) -> str:
        return _("At least %(n)s characters.") % {"n": self.min_length}


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case, upper-case, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)s of: lower-case letters, upper-case letters, digits, other characters.")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)s of: lower-case letters, upper-case letters, digits, other characters.") % {"n": self.min_classes}
