"""形式审查 1: recommendation, duplicates, completeness."""

from __future__ import annotations

from screening.rules.base import (
    CROSS_NOT_COMPUTED,
    DATA_MISSING,
    REGISTRY_NOT_LOADED,
    cross_not_computed,
    data_missing,
    ev,
    finding,
    person_key,
    registry_not_loaded,
    rule,
)
from screening.rules.text import (
    CONTENT_SIMILARITY_THRESHOLD,
    TITLE_SIMILARITY_THRESHOLD,
    content_similarity,
    normalise_code,
    normalise_id,
    normalise_name,
    title_similarity,
)
from screening.rules.types import FAIL, PASS, UNKNOWN, Finding, RuleContext, unit_key


@rule(
    "submission.complete",
    clause="1(4)",
    messages=("submission.complete.pass", "submission.complete.missing"),
    fixes=("fix.fill_missing",),
)
def submission_complete(ctx: RuleContext) -> list[Finding]:
    """Required fields are present; lists every missing one (field paths).

    Required: title, direction, recommender, PI name / ID number / birth date /
    title / degree, at least one unit and a lead unit, start and end dates,
    national funding, matching funding when the direction sets a ratio,
    research content and 考核指标 text.
    """
    p = ctx.proposal
    missing: list[str] = []

    def need(value: object, path: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(path)

    need(p.title, "title")
    need(p.direction, "direction")
    need(p.recommender, "recommender")
    if p.pi is None:
        missing.append("pi")
    else:
        need(p.pi.name, "pi.name")
        need(p.pi.id_number, "pi.id_number")
        need(p.pi.birth_date, "pi.birth_date")
        need(p.pi.title, "pi.title")
        need(p.pi.degree, "pi.degree")
    if not p.units:
        missing.append("units")
    elif not any(u.role == "lead" for u in p.units):
        missing.append("units[lead]")
    need(p.start_date, "start_date")
    need(p.end_date, "end_date")
    need(p.national_funding, "budget.national")
    direction = ctx.guide.directions.get(normalise_code(p.direction)) if ctx.guide else None
    if direction is not None and direction.matching_ratio is not None:
        need(p.matching_funding, "budget.matching")
    need(p.research_content, "research_content")
    need(p.indicators_text if p.indicators is None else "x", "indicators_text")

    if missing:
        return [
            finding(
                submission_complete,
                FAIL,
                "submission.complete.missing",
                {"missing": missing},
                evidence=[ev(path, None) for path in missing],
                field=missing[0],
                fix_id="fix.fill_missing",
            )
        ]
    return [finding(submission_complete, PASS, "submission.complete.pass")]


@rule(
    "recommendation.letter",
    clause="1(1)",
    messages=("recommendation.letter.pass", "recommendation.letter.missing", DATA_MISSING),
    fixes=("fix.attach_recommendation_letter",),
)
def recommendation_letter(ctx: RuleContext) -> list[Finding]:
    attachments = ctx.proposal.attachments
    if attachments is None:
        return data_missing(recommendation_letter, "attachments")
    if "recommendation_letter" in attachments:
        return [
            finding(
                recommendation_letter,
                PASS,
                "recommendation.letter.pass",
                evidence=[ev("attachments", sorted(attachments))],
            )
        ]
    return [
        finding(
            recommendation_letter,
            FAIL,
            "recommendation.letter.missing",
            evidence=[ev("attachments", sorted(attachments))],
            field="attachments",
            fix_id="fix.attach_recommendation_letter",
        )
    ]


@rule(
    "recommendation.recommender",
    clause="1(1)",
    messages=(
        "recommendation.recommender.pass",
        "recommendation.recommender.not_designated",
        REGISTRY_NOT_LOADED,
        DATA_MISSING,
    ),
    fixes=("fix.use_designated_recommender",),
)
def recommendation_recommender(ctx: RuleContext) -> list[Finding]:
    """The recommender is one of the designated recommenders; names compared after
    normalisation (NFKC, case, spaces and punctuation ignored)."""
    recommender = ctx.proposal.recommender
    if not (recommender or "").strip():
        return data_missing(recommendation_recommender, "recommender")
    registry = ctx.registries.recommenders
    if registry is None:
        return registry_not_loaded(recommendation_recommender, "recommenders")
    designated = {normalise_name(name) for name in registry}
    evidence = [ev("recommender", recommender)]
    if normalise_name(recommender) in designated:
        return [
            finding(
                recommendation_recommender,
                PASS,
                "recommendation.recommender.pass",
                {"recommender": recommender},
                evidence=evidence,
            )
        ]
    return [
        finding(
            recommendation_recommender,
            FAIL,
            "recommendation.recommender.not_designated",
            {"recommender": recommender},
            evidence=evidence,
            field="recommender",
            fix_id="fix.use_designated_recommender",
        )
    ]


@rule(
    "submission.duplicate",
    clause="1(2)",
    messages=(
        "submission.duplicate.pass",
        "submission.duplicate.found",
        "submission.duplicate.no_text",
        CROSS_NOT_COMPUTED,
    ),
    fixes=("fix.withdraw_duplicate",),
)
def submission_duplicate(ctx: RuleContext) -> list[Finding]:
    """Same project submitted twice or through several recommenders.

    A candidate is a duplicate when it has the same PI (ID number) or the same
    lead unit (``unit_key``) and a title with ``title_similarity`` ≥
    ``TITLE_SIMILARITY_THRESHOLD``, or — whoever submits it — research content with
    ``content_similarity`` ≥ ``CONTENT_SIMILARITY_THRESHOLD``. The service runs
    the rule for every proposal, so both proposals of a pair fail.
    """
    if ctx.cross is None:
        return cross_not_computed(submission_duplicate)
    p = ctx.proposal
    if not (p.title or "").strip() and not (p.research_content or "").strip():
        return [
            finding(
                submission_duplicate,
                UNKNOWN,
                "submission.duplicate.no_text",
                field="title",
            )
        ]
    pi_id = person_key(p.pi)
    lead = next((u for u in p.units if u.role == "lead"), None)
    lead_key = unit_key(lead) if lead else ""
    own_recommender = normalise_name(p.recommender)

    others: list[str] = []
    evidence = []
    other_recommenders = False
    seen: set[int] = set()
    for other in ctx.cross.duplicate_candidates:
        if other.id == p.id or other.id in seen:
            continue
        same_pi = bool(pi_id) and normalise_id(other.pi_id_number) == pi_id
        same_lead = bool(lead_key) and (other.lead_unit_key or "") == lead_key
        t_sim = title_similarity(p.title, other.title)
        c_sim = content_similarity(p.research_content, other.research_content)
        reasons = []
        if (same_pi or same_lead) and t_sim >= TITLE_SIMILARITY_THRESHOLD:
            reasons.append("same_pi_title" if same_pi else "same_lead_unit_title")
        if c_sim >= CONTENT_SIMILARITY_THRESHOLD:
            reasons.append("same_content")
        if not reasons:
            continue
        seen.add(other.id)
        others.append(other.reference)
        different = bool(other.recommender) and normalise_name(other.recommender) != own_recommender
        other_recommenders = other_recommenders or different
        evidence.append(
            ev(
                "title",
                other.title,
                source=other.reference,
                reasons=reasons,
                title_similarity=round(t_sim, 3),
                content_similarity=round(c_sim, 3),
                recommender=other.recommender,
            )
        )
    if others:
        return [
            finding(
                submission_duplicate,
                FAIL,
                "submission.duplicate.found",
                {"others": others, "other_recommender": other_recommenders},
                evidence=evidence,
                field="title",
                fix_id="fix.withdraw_duplicate",
            )
        ]
    return [finding(submission_duplicate, PASS, "submission.duplicate.pass")]
