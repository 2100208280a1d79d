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
