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
from functools import lru_cache

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


class _DirectionModel:
    """IDF weights and normalised TF-IDF vectors of one guide's directions. Built
    once per guide (see ``_model``), so scoring a proposal costs one pass over its
    own bigrams plus a sparse dot product per direction."""

    def __init__(self, texts: tuple[tuple[str, str], ...]):
        docs = {code: _tf(text) for code, text in texts}
        n = len(docs)
        df: Counter = Counter()
        for counts in docs.values():
            df.update(counts.keys())
        self.default_idf = math.log(1 + n) + 1
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
        self.codes = list(docs)
        # inverted index: term → [(code, weight in that direction's unit vector)]
        self.postings: dict[str, list[tuple[str, float]]] = {}
        for code, counts in docs.items():
            for term, weight in self._unit(self._weights(counts)).items():
                self.postings.setdefault(term, []).append((code, weight))

    def _weights(self, counts: Counter) -> dict[str, float]:
        idf, default = self.idf, self.default_idf
        return {t: (1 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}

    @staticmethod
    def _unit(vec: dict[str, float]) -> dict[str, float]:
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    def scores(self, text: str) -> dict[str, float]:
        scores = dict.fromkeys(self.codes, 0.0)
        postings = self.postings
        for term, weight in self._unit(self._weights(_tf(text))).items():
            for code, dweight in postings.get(term, ()):
                scores[code] += weight * dweight
        return scores


@lru_cache(maxsize=8)
def _model(texts: tuple[tuple[str, str], ...]) -> _DirectionModel:
    return _DirectionModel(texts)


def tfidf_scores(text: str, directions: dict[str, DirectionParams]) -> dict[str, float]:
    """Cosine of the text's TF-IDF vector with each direction's (code → score)."""
    texts = tuple((code, f"{d.title}\n{d.text}") for code, d in directions.items())
    return _model(texts).scores(text)


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
