"""申报项目的研究内容必须涵盖二级标题下指南所列的全部研究内容和考核指标:
every quantitative 考核指标 of the direction must be matched by the proposal's.

Matching
--------
* subject: normalised (NFKC, lower-case, no spaces/punctuation, no 的/之); equal,
  one contained in the other (≥ 2 characters), character-bigram Dice ≥
  ``SUBJECT_SIMILARITY`` (0.6), or ≥ ``SUBJECT_CONTAINMENT`` (0.75) of the
  shorter subject's bigrams (at least 3) found in the other. A guide indicator
  without a subject uses its text.
* unit: equal after normalisation (NFKC, lower-case, no spaces; ％→%; a few
  synonyms such as 千瓦/kw). Both missing counts as equal.
* strength: each indicator is read as bounds on the value —
  ``>=``/``>`` give a lower bound, ``<=``/``<`` an upper bound, ``=`` both, a
  ``range`` its two ends. A guide ``>=``, ``>``, ``=`` or ``range`` indicator
  is a target whose minimum must be met (a guide "= 1 项" or "2~3 个" is met by
  more); ``<=``/``<`` a ceiling. The proposal's indicator covers the guide's when
  its lower bound is at least the guide's minimum (strictly above for ``>``,
  unless the proposal's is also strict), or its upper bound at most the guide's
  ceiling.
* partner indicators (须有2个以上国家的合作单位参与…) are left to the partner rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

from guide.parsing.indicators import parse_indicators
from screening.rules.base import (
    DATA_MISSING,
    DIRECTION_NO_REQUIREMENT,
    DIRECTION_UNRESOLVED,
    GUIDE_MISSING,
    data_missing,
    direction_clause,
    ev,
    finding,
    resolve_direction,
    rule,
)
from screening.rules.text import bigrams, dice, nfkc, normalise_name
from screening.rules.types import NOT_APPLICABLE, PASS, UNKNOWN, WARN, Finding, IndicatorSpec, RuleContext

SUBJECT_SIMILARITY = 0.6
SUBJECT_CONTAINMENT = 0.75

_UNIT_SYNONYMS = {
    "％": "%",
    "千瓦": "kw",
    "兆瓦": "mw",
    "吉瓦": "gw",
    "千瓦时": "kwh",
    "小时": "h",
}

QUANTITATIVE = (">=", ">", "<=", "<", "=", "range")


_SPACE = re.compile(r"\s")
_OF = re.compile(r"[的之]")


@lru_cache(maxsize=1024)
def normalise_unit(unit: str | None) -> str:
    text = _SPACE.sub("", nfkc(unit)).lower()
    return _UNIT_SYNONYMS.get(text, text)


def _subject_key(text: str | None) -> str:
    return _OF.sub("", normalise_name(text))


@lru_cache(maxsize=8192)  # a guide's subjects recur against every proposal of their direction
def subject_matches(a: str | None, b: str | None) -> bool:
    """Equal, contained (≥ 2 characters), bigram Dice ≥ ``SUBJECT_SIMILARITY``, or
    ≥ ``SUBJECT_CONTAINMENT`` of the shorter subject's bigrams found in the other."""
    na, nb = _subject_key(a), _subject_key(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    if min(len(na), len(nb)) >= 2 and (na in nb or nb in na):
        return True
    ba, bb = set(bigrams(na)), set(bigrams(nb))
    if dice(ba, bb) >= SUBJECT_SIMILARITY:
        return True
    shorter = min(len(ba), len(bb))
    return shorter >= 3 and len(ba & bb) / shorter >= SUBJECT_CONTAINMENT


def _bounds(ind: IndicatorSpec):
    """(lower, lower_strict, upper, upper_strict) of a proposal's indicator."""
    c, v, vmax = ind.comparator, ind.value, ind.value_max
    if v is None or c not in QUANTITATIVE:
        return None, False, None, False
    if c == ">=":
        return v, False, None, False
    if c == ">":
        return v, True, None, False
    if c == "<=":
        return None, False, v, False
    if c == "<":
        return None, False, v, True
    if c == "=":
        return v, False, v, False
    return v, False, (vmax if vmax is not None else v), False  # range


def covers(guide: IndicatorSpec, proposal: IndicatorSpec) -> bool:
    """Whether the proposal's value is at least as strong as the guide's."""
    lo, lo_strict, hi, hi_strict = _bounds(proposal)
    if guide.value is None:
        return False
    if guide.comparator in (">=", ">", "=", "range"):
        if lo is None:
            return False
        if guide.comparator == ">":
            return lo > guide.value or (lo == guide.value and lo_strict)
        return lo >= guide.value
    if guide.comparator in ("<=", "<"):
        if hi is None:
            return False
        if guide.comparator == "<":
            return hi < guide.value or (hi == guide.value and hi_strict)
        return hi <= guide.value
    return False


_PARTNER_INDICATOR = re.compile(r"(国家|国际组织|地区|大洲|洲).*(合作|参与|参加)|合作单位|合作方")


def is_partner_indicator(ind: IndicatorSpec, direction) -> bool:
    """Indicators about partners (须有2个以上国家的合作单位参与) are checked by the
    partner rules, not here: skipped when the text matches a partner requirement's
    text or reads as a partner clause."""
    text = normalise_name(ind.text or ind.subject)
    for req in direction.partner_reqs:
        req_text = normalise_name(req.text)
        if text and req_text and (text in req_text or req_text in text):
            return True
    return bool(_PARTNER_INDICATOR.search(f"{ind.subject or ''} {ind.text or ''}"))


def _describe(ind: IndicatorSpec) -> str:
    if ind.text:
        return ind.text
    value = f"{ind.value:g}" if ind.value is not None else "?"
    if ind.comparator == "range" and ind.value_max is not None:
        value = f"{value}~{ind.value_max:g}"
    return f"{ind.subject or ''} {ind.comparator or ''} {value}{ind.unit or ''}".strip()


def _proposal_indicators(ctx: RuleContext) -> list[IndicatorSpec] | str:
    """The proposal's indicators, or a message id explaining why there are none."""
    p = ctx.proposal
    if p.indicators is not None:
        return list(p.indicators)
    if not (p.indicators_text or "").strip():
        return DATA_MISSING
    return [IndicatorSpec.from_indicator(i) for i in parse_indicators(p.indicators_text)]


@rule(
    "direction.indicator_coverage",
    clause="4",
    messages=(
        "direction.indicator_coverage.pass",
        "direction.indicator_coverage.gaps",
        DIRECTION_NO_REQUIREMENT,
        DIRECTION_UNRESOLVED,
        GUIDE_MISSING,
        DATA_MISSING,
    ),
    fixes=("fix.cover_indicators",),
)
def indicator_coverage(ctx: RuleContext) -> list[Finding]:
    """Warn listing each quantitative guide indicator that the proposal's 考核指标
    miss (no indicator with the same subject and unit) or state weaker."""
    direction = resolve_direction(indicator_coverage, ctx)
    if isinstance(direction, list):
        return direction
    clause = direction_clause(direction)
    required = [
        i
        for i in direction.indicators
        if i.comparator in QUANTITATIVE and i.value is not None and not is_partner_indicator(i, direction)
    ]
    if not required:
        return [
            finding(
                indicator_coverage,
                NOT_APPLICABLE,
                DIRECTION_NO_REQUIREMENT,
                {"direction": direction.code, "requirement": "indicators"},
                clause=clause,
            )
        ]
    own = _proposal_indicators(ctx)
    if own == DATA_MISSING:
        return data_missing(indicator_coverage, "indicators_text", clause=clause)
    if isinstance(own, str):
        return [finding(indicator_coverage, UNKNOWN, own, field="indicators_text", clause=clause)]
    missing: list[str] = []
    weaker: list[str] = []
    evidence = []
    for req in required:
        candidates = [
            o
            for o in own
            if o.comparator in QUANTITATIVE
            and o.value is not None
            and normalise_unit(o.unit) == normalise_unit(req.unit)
            and subject_matches(req.subject or req.text, o.subject or o.text)
        ]
        if any(covers(req, o) for o in candidates):
            continue
        label = _describe(req)
        if candidates:
            weaker.append(label)
            evidence.append(
                ev("indicators_text", _describe(candidates[0]), source="proposal", required=label)
            )
        else:
            missing.append(label)
            evidence.append(ev("indicators_text", None, source="guide", required=label))
    params = {"direction": direction.code, "total": len(required), "missing": missing, "weaker": weaker}
    if missing or weaker:
        return [
            finding(
                indicator_coverage,
                WARN,
                "direction.indicator_coverage.gaps",
                params,
                evidence=evidence,
                field="indicators_text",
                fix_id="fix.cover_indicators",
                clause=clause,
            )
        ]
    return [finding(indicator_coverage, PASS, "direction.indicator_coverage.pass", params, clause=clause)]
