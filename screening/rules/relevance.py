"""形式审查 1(3): 项目申报书内容与申报的指南方向基本相符.

Character-bigram TF-IDF cosine between the proposal (title + research content +
考核指标) and every direction of the guide (title + text); the IDF is computed
over the directions of that guide. Thresholds:

* ``NEAR_BEST_RATIO`` (0.85): the own direction is "near best" when its score is
  at least 85 % of the best direction's score → no competing direction is named;
* ``WEAK_FIT`` (0.10): an own score below this is a weak fit → warn (short
  paraphrased proposals of the 2022 guide score 0.14–0.32 against their own
  direction, unrelated texts 0.02–0.08).

Both outcomes are warnings (a human judges relevance); a pass needs the own
direction best or near best and a score ≥ ``WEAK_FIT``.
"""

from __future__ import annotations

import math
from collections import Counter

from screening.rules.base import (
    DATA_MISSING,
    DIRECTION_UNRESOLVED,
    GUIDE_MISSING,
    data_missing,
    ev,
    finding,
    resolve_direction,
    rule,
)
from screening.rules.text import bigrams
from screening.rules.types import PASS, WARN, DirectionParams, Finding, RuleContext

NEAR_BEST_RATIO = 0.85
WEAK_FIT = 0.10


def _tf(text: str) -> Counter:
    return Counter(bigrams(text))


def tfidf_scores(text: str, directions: dict[str, DirectionParams]) -> dict[str, float]:
    """Cosine of the text's TF-IDF vector with each direction's (code → score)."""
    docs = {code: _tf(f"{d.title}\n{d.text}") for code, d in directions.items()}
    n = len(docs)
    df: Counter = Counter()
    for counts in docs.values():
        df.update(counts.keys())

    def idf(term: str) -> float:
        return math.log((1 + n) / (1 + df.get(term, 0))) + 1

    def vector(counts: Counter) -> dict[str, float]:
        return {t: (1 + math.log(c)) * idf(t) for t, c in counts.items()}

    def norm(vec: dict[str, float]) -> float:
        return math.sqrt(sum(v * v for v in vec.values()))

    query = vector(_tf(text))
    qn = norm(query)
    scores = {}
    for code, counts in docs.items():
        vec = vector(counts)
        dn = norm(vec)
        dot = sum(w * vec.get(t, 0.0) for t, w in query.items())
        scores[code] = dot / (qn * dn) if qn and dn else 0.0
    return scores


@rule(
    "direction.relevance",
    clause="1(3)",
    messages=(
        "direction.relevance.pass",
        "direction.relevance.better_direction",
        "direction.relevance.weak",
        GUIDE_MISSING,
        DIRECTION_UNRESOLVED,
        DATA_MISSING,
    ),
    fixes=("fix.check_direction",),
)
def direction_relevance(ctx: RuleContext) -> list[Finding]:
    direction = resolve_direction(direction_relevance, ctx)
    if isinstance(direction, list):
        return direction
    p = ctx.proposal
    text = "\n".join(t for t in (p.title, p.research_content, p.indicators_text) if t)
    if not (p.research_content or "").strip():
        return data_missing(direction_relevance, "research_content")
    scores = tfidf_scores(text, ctx.guide.directions)
    own_code = next(k for k, d in ctx.guide.directions.items() if d is direction)
    own = scores[own_code]
    best_code = max(scores, key=lambda k: (scores[k], k == own_code))
    best = scores[best_code]
    ranked = sorted(scores, key=lambda k: -scores[k])
    params = {
        "direction": direction.code,
        "title": direction.title,
        "score": round(own, 3),
        "rank": ranked.index(own_code) + 1,
    }
    evidence = [ev("direction", c, source="tfidf", score=round(scores[c], 3)) for c in ranked[:3]]
    if best_code != own_code and own < NEAR_BEST_RATIO * best:
        other = ctx.guide.directions[best_code]
        return [
            finding(
                direction_relevance,
                WARN,
                "direction.relevance.better_direction",
                params | {"best": other.code, "best_title": other.title, "best_score": round(best, 3)},
                evidence=evidence,
                field="direction",
                fix_id="fix.check_direction",
            )
        ]
    if own < WEAK_FIT:
        return [
            finding(
                direction_relevance,
                WARN,
                "direction.relevance.weak",
                params | {"threshold": WEAK_FIT},
                evidence=evidence,
                field="research_content",
                fix_id="fix.check_direction",
            )
        ]
    return [finding(direction_relevance, PASS, "direction.relevance.pass", params, evidence=evidence)]
