"""Resident identity card numbers (GB 11643-1999): structure and check digit."""

from __future__ import annotations

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """An ID number that is malformed; the message says why, in Chinese."""


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character number or raise IdNumberError."""
    s = (value or "").strip().upper()
    if len(s) != 18:
        raise IdNumberError(f"身份证号码“{value}”应为18位")
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        raise IdNumberError(f"身份证号码“{value}”前17位应为数字，末位为数字或X")
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号码“{value}”中的出生日期“{s[6:14]}”无效") from None
    if born.year < 1900 or born > date.today():
        raise IdNumberError(f"身份证号码“{value}”中的出生日期“{s[6:14]}”不合理")
    expected = check_digit(s[:17])
    if s[17] != expected:
        raise IdNumberError(f"身份证号码“{value}”校验位错误，应为“{expected}”")
    return s
