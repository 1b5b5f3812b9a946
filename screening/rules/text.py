"""Pure text helpers shared by the rules: normalisation, similarity, fingerprints.

No Django import. Everything here is deterministic so the service can store the
fingerprints and recompute them later with the same result.

Thresholds (documented constants):

* ``TITLE_SIMILARITY_THRESHOLD`` (0.80): character-bigram Dice coefficient of the
  normalised titles at or above which two titles are "near-identical".
* ``CONTENT_SIMILARITY_THRESHOLD`` (0.80): cosine similarity of character-bigram
  count vectors of the normalised research contents at or above which two
  contents are "near-identical".
* ``content_fingerprints`` uses MinHash over character 3-shingles, 30 hash
  functions grouped into 10 bands of 3 rows (LSH). Two texts whose shingle Jaccard
  similarity is 0.6 share at least one band with probability ~0.91, at 0.8 with
  ~0.9999, at 0.3 with ~0.24; the rule then confirms with
  ``content_similarity``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

TITLE_SIMILARITY_THRESHOLD = 0.80
CONTENT_SIMILARITY_THRESHOLD = 0.80

FINGERPRINT_VERSION = "mh1"
FINGERPRINT_SHINGLE = 3
FINGERPRINT_BANDS = 10
FINGERPRINT_ROWS = 3

_PUNCT_CATEGORIES = ("P", "S", "Z", "C")


def nfkc(text: str | None) -> str:
    """Unicode NFKC (full-width → half-width), ``None`` → ``""``."""
    if not text:
        return ""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


class _Dropped(dict):
    """``str.translate`` table that drops whitespace, punctuation, symbols and control characters
    (Unicode categories Z, P, S, C), each character's category looked up once per process."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] in _PUNCT_CATEGORIES else code
        if len(self) < 65536:  # bounded whatever characters a text brings
            self[code] = kept
        return kept


_DROPPED = _Dropped()


@lru_cache(maxsize=16384)
def _name_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_DROPPED)


def normalise_name(text: str | None) -> str:
    """Name key: NFKC, lower-case, without whitespace, punctuation or symbols. Names recur across
    the rules of one proposal, so keys of the last few thousand are kept."""
    return _name_key(text) if text else ""


_ID_SEPARATORS = re.compile(r"[\s\-_/.]")
_SPACE = re.compile(r"\s")


def normalise_id(value: str | None) -> str:
    """Identity-document key: NFKC, no whitespace or separators, upper-case."""
    return _ID_SEPARATORS.sub("", nfkc(value)).upper()


def normalise_code(value: str | None) -> str:
    """Direction code key: ``" 5．2 "`` → ``"5.2"``."""
    return _SPACE.sub("", nfkc(value)).strip(".")


def bigrams(text: str | None) -> list[str]:
    """Character bigrams of the normalised text (punctuation and spaces removed).

    A one-character text yields that character, an empty text nothing.
    """
    norm = normalise_name(text)
    if len(norm) < 2:
        return [norm] if norm else []
    return list(map(str.__add__, norm[:-1], norm[1:]))


def dice(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def cosine_counts(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def title_similarity(a: str | None, b: str | None) -> float:
    """Character-bigram Dice coefficient of the normalised titles, 0.0–1.0.

    Identical normalised titles give 1.0; an empty title gives 0.0.
    """
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return dice(bigrams(na), bigrams(nb))


def content_similarity(a: str | None, b: str | None) -> float:
    """Cosine similarity of character-bigram count vectors, 0.0–1.0."""
    if not a or not b:
        return 0.0
    (va, na), (vb, nb) = _bigram_vector(a), _bigram_vector(b)
    if not na or not nb:
        return 0.0
    if len(va) > len(vb):
        va, vb = vb, va
    get = vb.get
    return sum([v * get(k, 0) for k, v in va.items()]) / (na * nb)


@lru_cache(maxsize=256)
def _bigram_vector(text: str) -> tuple[Counter, float]:
    """A text's bigram counts and their norm. A proposal's research content is compared with every
    near-duplicate candidate's, and the same candidates come up for one proposal after another
    (a check, then its submission's run): the vectors of the last few hundred texts are kept
    (tens of kilobytes each)."""
    counts = Counter(bigrams(text))
    return counts, math.sqrt(sum([v * v for v in counts.values()]))


# --- MinHash fingerprints -------------------------------------------------------------

_MERSENNE = (1 << 61) - 1


def _coefficients(n: int) -> list[tuple[int, int]]:
    coeffs = []
    for i in range(n):
        digest = hashlib.blake2b(f"prescreen-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _MERSENNE
        coeffs.append((a, b))
    return coeffs


_COEFFS = _coefficients(FINGERPRINT_BANDS * FINGERPRINT_ROWS)


def shingles(text: str | None, size: int = FINGERPRINT_SHINGLE) -> set[str]:
    norm = normalise_name(text)
    if not norm:
        return set()
    if len(norm) <= size:
        return {norm}
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def content_fingerprints(text: str | None) -> list[str]:
    """LSH band keys of a MinHash signature of the text's character 3-shingles.

    Returns ``FINGERPRINT_BANDS`` strings such as ``"mh1:03:5f0c…"`` (empty list for
    an empty text). Store them in an indexed table; proposals sharing at least one
    key are near-duplicate *candidates* to hand to the rule in
    ``CrossIndex.duplicate_candidates``.
    """
    grams = shingles(text)
    if not grams:
        return []
    hashes = [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams]
    signature = [min((a * h + b) % _MERSENNE for h in hashes) for a, b in _COEFFS]
    keys = []
    for band in range(FINGERPRINT_BANDS):
        rows = signature[band * FINGERPRINT_ROWS : (band + 1) * FINGERPRINT_ROWS]
        digest = hashlib.blake2b(",".join(map(str, rows)).encode(), digest_size=8).hexdigest()
        keys.append(f"{FINGERPRINT_VERSION}:{band:02d}:{digest}")
    return keys
