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
from screening.rules.text import normalise_name
from screening.rules.types import PASS, WARN, DirectionParams, Finding, RuleContext

NEAR_BEST_RATIO = 0.85
WEAK_FIT = 0.10


def _tf(text: str) -> Counter:
    """The text's bigram counts (as :func:`~screening.rules.text.bigrams` makes them)."""
    norm = normalise_name(text)
    if len(norm) < 2:
        return Counter([norm] if norm else [])
    return Counter(map(str.__add__, norm[:-1], norm[1:]))


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
        # inverted index: term → [(direction's index in codes, weight in its unit vector)]
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for n, counts in enumerate(docs.values()):
            for term, weight in self._unit(self._weights(counts)).items():
                self.postings.setdefault(term, []).append((n, weight))

    def _weights(self, counts: Counter) -> dict[str, float]:
        idf, default = self.idf, self.default_idf
        return {t: (1 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}

    @staticmethod
    def _unit(vec: dict[str, float]) -> dict[str, float]:
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    def scores(self, text: str) -> dict[str, float]:
        """Cosine with each direction. The dot product runs over the terms the text shares with
        the directions (a few dozen of a text's hundreds); the text's norm counts every other term
        at the default IDF, from the histogram of their counts."""
        counts = _tf(text)
        postings, idf, default = self.postings, self.idf, self.default_idf
        log = math.log
        # every term as if at the default IDF, then the shared ones corrected to their own
        norm2 = default * default * sum(k * (1 + log(c)) ** 2 for c, k in Counter(counts.values()).items())
        scores = [0.0] * len(self.codes)
        for term in counts.keys() & postings.keys():
            tf = 1 + log(counts[term])
            weight = tf * idf[term]
            norm2 += weight * weight - (tf * default) ** 2
            for n, dweight in postings[term]:
                scores[n] += weight * dweight
        norm = math.sqrt(norm2) if norm2 > 0 else 1.0
        return {code: score / norm for code, score in zip(self.codes, scores, strict=True)}


@lru_cache(maxsize=8)
def _model(texts: tuple[tuple[str, str], ...]) -> _DirectionModel:
    return _DirectionModel(texts)


# the model of each directions mapping in use, by identity (holding the mapping, so an id is never
# answered for another one): a chunk scores hundreds of proposals against the same mapping, and
# building the texts to look the model up by content costs more than scoring one proposal
_BY_MAPPING: dict[int, tuple[dict, _DirectionModel]] = {}


def tfidf_scores(text: str, directions: dict[str, DirectionParams]) -> dict[str, float]:
    """Cosine of the text's TF-IDF vector with each direction's (code → score)."""
    hit = _BY_MAPPING.get(id(directions))
    if hit is None or hit[0] is not directions:
        texts = tuple((code, f"{d.title}\n{d.text}") for code, d in directions.items())
        if len(_BY_MAPPING) >= 8:
            _BY_MAPPING.clear()
        hit = _BY_MAPPING[id(directions)] = (directions, _model(texts))
    return hit[1].scores(text)


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
