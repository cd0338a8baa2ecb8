"""Masking of personal information for lists and public pages (DESIGN §4)."""

import re

_NON_DIGIT = re.compile(r"\D")


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``, a landline ``0523-88812345`` → ``0523-****2345``; shorter
    numbers keep only their last two digits."""
    if not phone:
        return ""
    area, dash, number = phone.partition("-")
    if dash and area.startswith("0") and len(_NON_DIGIT.sub("", number)) >= 7:
        return f"{area}-****{number[-4:]}"
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


# The shortest beginning of an address that ends with its village or community (河横村, 天目社区, …), or
# failing that with its town (溱潼镇, 罗塘街道).
_TO_COMMUNITY = re.compile(r"^.*?(?:社区|居委会|村委会|村)")
_TO_TOWN = re.compile(r"^.*?(?:街道|镇|乡)")
_DIGIT = re.compile(r"[0-9０-９]")


def mask_address(address: str | None) -> str:
    """Cut an address to its village or community (DESIGN §4): ``河横村24组15号`` → ``河横村****``,
    ``罗塘街道天目社区3栋2单元501`` → ``罗塘街道天目社区****``. Without a village or community, to its
    town; without either, nothing is shown. A kept part never carries a digit (a house number)."""
    if not address:
        return ""
    address = address.strip()
    for place in (_TO_COMMUNITY, _TO_TOWN):
        found = place.match(address)
        if found and not _DIGIT.search(found.group(0)):
            return found.group(0) + "****"
    return "****"
