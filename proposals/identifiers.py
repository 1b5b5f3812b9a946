"""Checks for Chinese identifiers found in proposals.

* Mainland resident identity card numbers (GB 11643-1999), also used by the
  residence permits for Hong Kong, Macao and Taiwan residents (prefixes
  810000 / 820000 / 830000), which follow the same rules; the gender they
  encode (:func:`gender_from_id`).
* Unified social credit codes (GB 32100-2015), including the embedded
  organisation code (GB 11714-1997).

Plain Python, no Django. Every check returns a small frozen dataclass with a
stable ``error`` code that callers can map to their own messages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CodeCheck",
    "IdCheck",
    "check_credit_code",
    "check_org_code",
    "check_resident_id",
    "gender_from_id",
    "looks_like_resident_id",
    "make_credit_code",
    "make_org_code",
    "make_resident_id",
    "normalize_identifier",
]

# --------------------------------------------------------------------------- #
# Resident identity card numbers
# --------------------------------------------------------------------------- #

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# (sum mod 11) -> check character
_ID_CHECK_CHARS = "10X98765432"
_ID_FORMAT = re.compile(r"\d{17}[\dX]")
_ID_LOOKALIKE = re.compile(r"\d{14,18}X?")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class IdCheck:
    """Outcome of :func:`check_resident_id`.

    ``error`` is one of ``"length"``, ``"format"``, ``"checksum"``,
    ``"birth_date_invalid"``, ``"birth_date_mismatch"`` (or None when valid).
    ``birth_date`` is the embedded date whenever it is a real date, even when
    another check failed.
    """

    valid: bool
    error: str | None = None
    birth_date: date | None = None


def normalize_identifier(value: str | None) -> str:
    """Strip spaces, fold full-width characters (``１２３Ｘ`` → ``123X``), upper-case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s\-]+", "", text).upper()


def _resident_id_check_char(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _embedded_birth_date(code: str) -> date | None:
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return None
    if born < _EARLIEST_BIRTH or born > date.today():
        return None
    return born


def check_resident_id(value: str, stated_birth_date: date | None = None) -> IdCheck:
    """Validate an 18-character resident identity card number.

    Checks run in this order: length, format (17 digits + digit/X), checksum
    (ISO 7064 MOD 11-2), embedded birth date (a real date between 1900 and
    today), then agreement with ``stated_birth_date`` when one is given.
    A lower-case ``x`` and full-width characters are accepted.
    """
    code = normalize_identifier(value)
    if len(code) != 18:
        return IdCheck(False, "length")
    if not _ID_FORMAT.fullmatch(code):
        return IdCheck(False, "format")
    born = _embedded_birth_date(code)
    if _resident_id_check_char(code[:17]) != code[17]:
        return IdCheck(False, "checksum", born)
    if born is None:
        return IdCheck(False, "birth_date_invalid")
    if stated_birth_date is not None and stated_birth_date != born:
        return IdCheck(False, "birth_date_mismatch", born)
    return IdCheck(True, None, born)


@lru_cache(maxsize=8192)
def gender_from_id(id_number: str | None) -> str | None:
    """The gender a resident ID number encodes: ``"male"`` when its 17th digit (the
    last of the order code) is odd, ``"female"`` when even (GB 11643-1999).

    None when ``id_number`` is not a well-formed 18-character resident ID with a
    correct check character: a passport or another document, a blank, or a mistyped
    number (which digit is wrong cannot be told, so neither can the gender). The
    embedded birth date is not judged. Spaces, full-width characters and a lower-case
    ``x`` are accepted, as by :func:`check_resident_id`. Pure, so the last few thousand
    answers are kept: the rules ask it of the same people several times per proposal.
    """
    code = normalize_identifier(id_number)
    if not _ID_FORMAT.fullmatch(code) or _resident_id_check_char(code[:17]) != code[17]:
        return None
    return "male" if int(code[16]) % 2 else "female"


def looks_like_resident_id(value: str | None) -> bool:
    """True when ``value`` is shaped like a (possibly mistyped) resident ID.

    All digits, optionally ending in X, 15 to 19 characters long. Passport
    numbers (letters + digits, or 9 digits) and other foreign document numbers
    do not match, so they are not run through :func:`check_resident_id`.
    """
    code = normalize_identifier(value)
    return bool(_ID_LOOKALIKE.fullmatch(code)) and 15 <= len(code) <= 19


def make_resident_id(birth: date, seq: str = "123", region: str = "110105") -> str:
    """Build a valid resident ID for ``birth`` (for tests and demo data).

    ``seq`` is the 3-digit order code (odd = male, even = female) and
    ``region`` the 6-digit administrative division code.
    """
    if not (re.fullmatch(r"\d{3}", seq) and re.fullmatch(r"\d{6}", region)):
        raise ValueError("seq must be 3 digits and region 6 digits")
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + _resident_id_check_char(first17)


# --------------------------------------------------------------------------- #
# Unified social credit codes and organisation codes
# --------------------------------------------------------------------------- #

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of :func:`check_credit_code` / :func:`check_org_code`.

    ``error`` is one of ``"length"``, ``"format"`` (a character outside the
    code's alphabet, e.g. I, O, Z, S, V), ``"region_code"`` (positions 3-8
    are not six digits), ``"checksum"`` (18th character), ``"org_code_format"``,
    ``"org_code_checksum"`` (embedded organisation code, positions 9-17), or
    None when valid. ``org_code`` is the embedded 9-character organisation code.
    """

    valid: bool
    error: str | None = None
    org_code: str | None = None


# GB 11714: digits are their value, letters A-Z are 10-35.
_ORG_VALUES = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ORG_CHECK_CHARS = "0123456789X0"  # 11 - (sum mod 11) -> check character (10: X, 11: 0)
_ORG_FORMAT = re.compile(r"[0-9A-Z]{8}[0-9X]")
_CREDIT_FORMAT = re.compile(f"[{CREDIT_CODE_ALPHABET}]{{18}}")


def _weighted_sum(values: dict[str, int], text: str, weights: tuple[int, ...]) -> int:
    if len(text) != len(weights):
        raise ValueError("wrong length")
    return sum(map(mul, map(values.__getitem__, text), weights))


def _org_check_char(body: str) -> str:
    return _ORG_CHECK_CHARS[11 - _weighted_sum(_ORG_VALUES, body, _ORG_WEIGHTS) % 11]


def _credit_check_char(first17: str) -> str:
    return CREDIT_CODE_ALPHABET[(31 - _weighted_sum(_CREDIT_VALUES, first17, _CREDIT_WEIGHTS) % 31) % 31]


def check_org_code(value: str) -> CodeCheck:
    """Validate a 9-character organisation code (GB 11714), e.g. ``M000100Y4``."""
    code = normalize_identifier(value)
    if len(code) != 9:
        return CodeCheck(False, "length")
    if not _ORG_FORMAT.fullmatch(code):
        return CodeCheck(False, "format")
    if _org_check_char(code[:8]) != code[8]:
        return CodeCheck(False, "checksum", code)
    return CodeCheck(True, None, code)


@lru_cache(maxsize=8192)
def check_credit_code(value: str) -> CodeCheck:
    """Validate an 18-character unified social credit code (GB 32100-2015).

    Checks run in this order: length, alphabet, region code, the code's own
    check character (mod 31), then the embedded organisation code. Pure, so the
    last few thousand answers are kept (a proposal's units are checked by several
    rules, and again at every re-screen).
    """
    code = normalize_identifier(value)
    if len(code) != 18:
        return CodeCheck(False, "length")
    if not _CREDIT_FORMAT.fullmatch(code):
        return CodeCheck(False, "format")
    org = code[8:17]
    if not code[2:8].isdigit():
        return CodeCheck(False, "region_code", org)
    if _credit_check_char(code[:17]) != code[17]:
        return CodeCheck(False, "checksum", org)
    org_check = check_org_code(org)
    if not org_check.valid:
        return CodeCheck(False, f"org_code_{org_check.error}", org)
    return CodeCheck(True, None, org)


def make_org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character body."""
    body = body.upper()
    if not re.fullmatch(r"[0-9A-Z]{8}", body):
        raise ValueError("organisation code body must be 8 characters 0-9/A-Z")
    return body + _org_check_char(body)


def make_credit_code(
    org_body: str = "MA000100",
    *,
    authority: str = "9",
    category: str = "1",
    region: str = "110000",
) -> str:
    """Build a valid unified social credit code (for tests and demo data).

    ``authority`` is the registration authority (9 = market regulation,
    1 = establishment office, 5 = civil affairs ...), ``category`` the
    organisation category, ``region`` the 6-digit division code and
    ``org_body`` the first 8 characters of the organisation code (its check
    character is computed). Organisation-code check characters that are not
    in the credit-code alphabet cannot occur (``X`` is in it).
    """
    org = make_org_code(org_body)
    first17 = f"{authority}{category}{region}{org}"
    if len(first17) != 17 or any(ch not in _CREDIT_VALUES for ch in first17) or not region.isdigit():
        raise ValueError("invalid credit code parts")
    return first17 + _credit_check_char(first17)
