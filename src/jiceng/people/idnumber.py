"""Resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number: 6-digit address code, 8-digit birth date, 3-digit
sequence, and a check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

# Weight of position i is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2).
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
# Check character for (sum mod 11) = 0..10.
_CHECK_CHARS = "10X98765432"
# First two digits: provinces, plus 81/82/83 for HK/Macao/Taiwan residence permits.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_SPACES = re.compile(r"\s+")


class IdNumberError(ValueError):
    """An ID number that is malformed; the message says why, in Chinese."""


def check_digit(first17: str) -> str:
    """The check character ("0"-"9" or "X") for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(_("The first 17 characters must be digits"))
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise_id_number(value: object) -> str:
    """Tidy an ID number as typed in a spreadsheet, without validating it.

    Full-width characters become ASCII, spaces and a leading apostrophe
    (Excel's text marker) are removed, and a lowercase x becomes X.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACES.sub("", text).lstrip("'")
    return text.upper()


def validate_id_number(s: object, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character ID number, or raise ``ValueError``.

    The Chinese reason says what is wrong: length, non-digits, province code,
    birth date, or a wrong check character (with the expected one).
    """
    text = normalise_id_number(s)
    if not text:
        raise IdNumberError(_("The ID number is empty"))
    if len(text) == 15 and text.isdigit():
        raise IdNumberError(_("This is an old 15-digit ID number; use the 18-digit one"))
    if len(text) != 18:
        raise IdNumberError(_("An ID number has 18 characters, this one has %(n)s") % {"n": len(text)})
    body, last = text[:17], text[17]
    if not body.isascii() or not body.isdigit():
        raise IdNumberError(_("The first 17 characters of the ID number must be digits"))
    if not (last.isascii() and (last.isdigit() or last == "X")):
        raise IdNumberError(_("The 18th character of the ID number must be a digit or X"))
    if body[:2] not in _PROVINCES:
        raise IdNumberError(_("The address code begins with “%(code)s”, which is not a province") % {"code": body[:2]})
    try:
        born = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise IdNumberError(_("The birth date “%(date)s” is not a date") % {"date": body[6:14]}) from None
    if born.year < 1850 or born > (today or dt.date.today()):
        raise IdNumberError(_("The birth date “%(date)s” cannot be right") % {"date": body[6:14]})
    expected = check_digit(body)
    if last != expected:
        raise IdNumberError(_("Wrong check digit: the first 17 give %(expected)s, the number has %(last)s") % {"expected": expected, "last": last})
    return text


def birth_date_of(id_number: str) -> dt.date:
    """The birth date in a valid 18-character ID number (characters 7–14)."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_of(id_number: str) -> str:
    """"M" or "F": the 17th character is odd for men, even for women (GB 11643)."""
    return "M" if int(id_number[16]) % 2 else "F"


def make_id_number(address_code: str, born: dt.date, sequence: int) -> str:
    """A valid ID number for a 6-digit address code, a birth date and a 3-digit sequence (demo data and tests)."""
    body = f"{address_code[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + check_digit(body)
