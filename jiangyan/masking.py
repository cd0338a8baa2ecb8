"""Masking of personal information for lists and public pages (DESIGN §4)."""

import re

_NON_DIGIT = re.compile(r"\D")


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; shorter numbers keep only their last two digits."""
    if not phone:
        return ""
    digits = _NON_DIGIT.sub("", phone)
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``; a one-character name becomes ``*``."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_address(address: str | None) -> str:
    """Keep the first part (town and community, at most 8 characters and never more than half) and hide
    the rest: ``罗塘街道天目社区3栋2单元501`` → ``罗塘街道天目社区****``."""
    if not address:
        return ""
    address = address.strip()
    keep = min(8, len(address) // 2)
    return address[:keep] + "****"
