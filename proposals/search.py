"""Keyword search terms for proposals, without Django: what is indexed and what a query looks for.

Chinese has no spaces between words, so a word index finds nothing for a one- or two-character
term. The index holds, for every CJK run of the searched text, each character (a unigram) and each
pair of neighbouring characters (a bigram), plus the other words (letters and digits, lower case).
A query term becomes the same tokens: one character → its unigram, two or more → every bigram of
the run, AND-ed; another word matches as a prefix. So a one- or two-character term finds exactly
the proposals whose text contains it; a longer one those that contain all its pairs.

* ``search_document(proposal, units, members)`` → "ref words 碳 捕 碳捕 …" (space-separated, each
  token once), what ``proposals.services`` stores in ``ProposalSearch.document`` (on PostgreSQL a
  tsvector built from it with ``to_tsvector('simple', …)``).
* ``search_terms("碳捕集 ABC")`` → ``[["碳捕", "捕集"], ["abc"]]`` (CJK bigrams or unigram; other words)
* ``tsquery_text("碳捕集 ABC")`` → ``"'碳捕' & '捕集' & 'abc':*"`` for ``to_tsquery('simple', …)``

Only letters and digits ever reach a token, so none needs escaping inside the quotes added here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# CJK unified ideographs (with extension A and the compatibility block) and the supplementary planes.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A word: letters and digits that are not CJK (ASCII, accented Latin, Greek, …).
_TOKENS = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")

# The most characters of one field that are indexed (a research content is a few thousand).
MAX_FIELD_CHARS = 20000


def _normal(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case."""
    return unicodedata.normalize("NFKC", text or "")[:MAX_FIELD_CHARS].lower()


def text_tokens(text: str) -> list[str]:
    """Every index token of one piece of text: unigrams and bigrams of each CJK run, other words."""
    tokens: list[str] = []
    for match in _TOKENS.finditer(_normal(text)):
        run = match.group()
        if _CJK_RUN.fullmatch(run):
            tokens.extend(run)
            tokens.extend(run[k : k + 2] for k in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def _attr(obj: Any, name: str) -> str:
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, "")
    return value or ""


def search_document(proposal: Any, units: Iterable[Any], members: Iterable[Any]) -> str:
    """The tokens of what the officers' keyword search looks at: the reference, title and research
    content of ``proposal``, the names of its people (``members``: the PI and key members) and of
    its ``units``. Objects or dicts with those attributes. Each token once, in first-seen order, so
    the same proposal always gives the same document."""
    fields = [_attr(proposal, "reference"), _attr(proposal, "title"), _attr(proposal, "research_content")]
    fields += [_attr(person, "name") for person in members]
    fields += [_attr(unit, "name") for unit in units]
    seen: dict[str, None] = {}
    for text in fields:
        for token in text_tokens(text):
            seen.setdefault(token, None)
    return " ".join(seen)


def search_terms(query: str) -> list[list[str]]:
    """What a query looks for, one list per run of the query: a CJK run of one character gives its
    unigram, a longer run its bigrams; another word itself (matched as a prefix). Empty for a query
    with neither (punctuation only)."""
    terms: list[list[str]] = []
    for match in _TOKENS.finditer(_normal(query)):
        run = match.group()
        if _CJK_RUN.fullmatch(run):
            terms.append([run] if len(run) == 1 else [run[k : k + 2] for k in range(len(run) - 1)])
        else:
            terms.append([run])
    return terms


def tsquery_text(query: str) -> str | None:
    """The query for PostgreSQL's ``to_tsquery('simple', …)``: every token AND-ed, other words as
    prefixes (``'abc':*``). None when the query has nothing to search for."""
    parts = []
    for run in search_terms(query):
        for token in dict.fromkeys(run):
            parts.append(f"'{token}'" if _CJK_RUN.fullmatch(token) else f"'{token}':*")
    return " & ".join(parts) or None
