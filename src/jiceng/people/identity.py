"""Reading and writing a person's ID number and phone: the one place that knows how they are stored.

Both are sealed at rest (``jiceng.sealed``: AES-GCM columns); lookups go through
the keyed-hash columns beside them (``id_number_index``, ``phone_index``).
Everything else in the registry calls these functions.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.errors import InvalidInput
from jiceng.sealed import blind_index, blind_indexes

from .idnumber import IdNumberError, birth_date_of, sex_of, validate_id_number

_PHONE_SEPARATORS = re.compile(r"[\s\-－()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(value: object) -> str:
    """A phone as typed (full-width digits, spaces, hyphens, +86) → digits only; '' if empty; InvalidInput if not a phone.

    Mobile numbers become 11 digits (13812345678), landlines area code and
    number without separators (07468221234).
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = _PHONE_SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not text:
        return ""
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    raise InvalidInput(_("联系电话“%(phone)s”不是有效的手机或固定电话号码") % {"phone": str(value)[:24]}, field="phone")


def clean_id_number(value: object) -> str:
    """The normalised, validated ID number, or InvalidInput naming 身份证号码 and saying why."""
    try:
        return validate_id_number(value)
    except IdNumberError as exc:
        raise InvalidInput(_("身份证号码：%(reason)s") % {"reason": str(exc)}, field="id_number") from None


def identity_fields(id_number: str) -> dict:
    """Stored columns for a clean ID number (with its keyed hash), and the birth date and sex it encodes."""
    return {"id_number": id_number, "id_number_index": blind_index(id_number, "id_number"), "birth_date": birth_date_of(id_number),
            "sex": sex_of(id_number)}


def phone_fields(phone: str) -> dict:
    """Stored columns for a normalised phone, with its keyed hash (set here too: ``update()`` does not run ``pre_save``)."""
    return {"phone": phone, "phone_index": blind_index(phone, "phone")}


def by_id_number_q(id_number: str) -> Q:
    """A filter finding the person rows with this (clean) ID number: its keyed hash under every key of the ring."""
    return Q(id_number_index__in=blind_indexes(id_number, "id_number"))


def by_id_numbers_q(id_numbers: list[str]) -> Q:
    return Q(id_number_index__in=[h for n in id_numbers for h in blind_indexes(n, "id_number")])


def by_phone_q(phone: str) -> Q:
    return Q(phone_index__in=blind_indexes(phone, "phone"))


def id_number_of(person) -> str:
    return person.id_number


def phone_of(person) -> str:
    return person.phone
