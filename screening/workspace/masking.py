"""ID numbers as officers without the full-ID permission see them in lists and exports. No Django."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Resident ID numbers (18 characters, or the old 15 digits) standing on their own in a text.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id(value: str | None) -> str:
    """Keep the first and last four characters of a long ID number (two of a short one, such as a
    passport number), star the rest: "110101199001011234" → "1101**********1234". Five characters
    or fewer are starred whole."""
    value = value or ""
    keep = 4 if len(value) >= 12 else 2 if len(value) >= 6 else 0
    if not keep:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_ids_in(text: str, known: Iterable[str] = (), *, resident: bool = True) -> str:
    """``text`` with every ID number in ``known`` (a proposal's people's, whatever their form) and,
    with ``resident``, every resident ID number masked."""
    if not text:
        return text
    for value in sorted({k for k in known if k and len(k) > 5}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, mask_id(value))
    return _RESIDENT_ID.sub(lambda m: mask_id(m.group()), text) if resident else text


_FIFTEEN_DIGITS = re.compile(r"\d{15}")  # what every resident ID number has (a quick first look)


def has_resident_id(text: str) -> bool:
    """Whether ``text`` holds a resident ID number that mask_ids_in would mask."""
    return _FIFTEEN_DIGITS.search(text) is not None and _RESIDENT_ID.search(text) is not None


def mask_ids_deep(value, known: Iterable[str] = ()):
    """``value`` (JSON-like: dicts, lists, strings) with mask_ids_in applied to every string in it."""
    if isinstance(value, str):
        return mask_ids_in(value, known)
    if isinstance(value, dict):
        return {k: mask_ids_deep(v, known) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_ids_deep(v, known) for v in value]
    return value
