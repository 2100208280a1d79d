"""Masking personal data for viewers without a need to see it."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳建国 → 欧**国."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only the last two digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    """431102199001011234 → 4311**********1234."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(address: str) -> str:
    """Hide the exact spot but keep the neighbourhood: house, building and room numbers go.

    南津路88号3栋201室 → 南津路**号*栋***室. Digits (ASCII and full-width) are
    replaced; the street and village names stay, so the address still says
    roughly where the matter is.
    """
    return "".join("*" if ch.isdigit() else ch for ch in address)


def person_fields(name: str, phone: str, id_number: str, address: str, *, reveal: bool) -> dict:
    """A case's personal data as shown to a viewer: raw when ``reveal``, masked otherwise."""
    if reveal:
        return {"name": name, "phone": phone, "id_number": id_number, "address": address, "masked": False}
    return {
        "name": mask_name(name), "phone": mask_phone(phone), "id_number": mask_id_number(id_number),
        "address": mask_address(address), "masked": True,
    }
