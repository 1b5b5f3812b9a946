"""形式审查 2(3)–2(5): rules over the PI and every key member.

Every person is identified by ID number (``normalise_id``); two people with the
same name and different ID numbers are different people. The ``members`` list is
taken to be the project's key members (项目骨干). A member repeating the PI's ID
number is checked once, as the PI.
"""

from __future__ import annotations

from collections.abc import Callable

from screening.rules.base import (
    CROSS_NOT_COMPUTED,
    DATA_MISSING,
    REGISTRY_NOT_LOADED,
    cross_not_computed,
    ev,
    finding,
    people,
    person_key,
    person_params,
    registry_not_loaded,
    rule,
)
from screening.rules.text import normalise_id
from screening.rules.types import FAIL, PASS, UNKNOWN, WARN, Finding, PersonSnap, RuleContext


def _missing_ids(fn, persons: list[PersonSnap]) -> list[Finding]:
    paths = [p.path("id_number") for p in persons if not person_key(p)]
    if not paths:
        return []
    return [finding(fn, UNKNOWN, DATA_MISSING, {"field": ", ".join(paths)}, field=paths[0])]


def _per_person(
    fn,
    persons: list[PersonSnap],
    hit: Callable[[PersonSnap], list | None],
    *,
    status: str,
    message_id: str,
    pass_id: str,
    fix_id: str | None,
    source: str,
) -> list[Finding]:
    """One ``status`` finding per person for whom ``hit`` returns a non-empty list
    (used as ``params["others"]``), then unknowns for missing IDs; a single pass
    when nobody is hit and no ID is missing."""
    findings = []
    for person in persons:
        if not person_key(person):
            continue
        others = hit(person)
        if others:
            findings.append(
                finding(
                    fn,
                    status,
                    message_id,
                    person_params(person) | {"others": others},
                    evidence=[ev(person.path("id_number"), person.id_number, source=source)],
                    field=person.path(),
                    fix_id=fix_id,
                )
            )
    findings += _missing_ids(fn, persons)
    if not findings:
        findings.append(finding(fn, PASS, pass_id, {"count": len(persons)}))
    return findings


@rule(
    "member.ongoing_project",
    clause="2(3)",
    messages=(
        "member.ongoing_project.pass",
        "member.ongoing_project.leads_ongoing",
        REGISTRY_NOT_LOADED,
        DATA_MISSING,
    ),
    fixes=("fix.replace_member",),
)
def member_ongoing_project(ctx: RuleContext) -> list[Finding]:
    """No key member leads an ongoing national project (在研项目负责人); leads of
    ongoing tasks or sub-projects (任务或课题负责人) may take part. The PI is
    checked by ``pi.ongoing_project``. An empty members list passes."""
    registry = ctx.registries.ongoing_projects
    if registry is None:
        return registry_not_loaded(member_ongoing_project, "ongoing_projects")
    pi_key = person_key(ctx.proposal.pi)
    members = [p for p in people(ctx) if p is not ctx.proposal.pi and (not pi_key or person_key(p) != pi_key)]
    leads: dict[str, list[str]] = {}
    for entry in registry:
        if entry.role == "project_lead":
            leads.setdefault(normalise_id(entry.id_number), []).append(entry.program or "")
    return _per_person(
        member_ongoing_project,
        members,
        lambda p: leads.get(person_key(p)),
        status=FAIL,
        message_id="member.ongoing_project.leads_ongoing",
        pass_id="member.ongoing_project.pass",
        fix_id="fix.replace_member",
        source="ongoing_projects",
    )


@rule(
    "person.single_project",
    clause="2(3)",
    messages=(
        "person.single_project.pass",
        "person.single_project.multiple",
        CROSS_NOT_COMPUTED,
        DATA_MISSING,
    ),
    fixes=("fix.leave_other_proposals",),
)
def person_single_project(ctx: RuleContext) -> list[Finding]:
    """The PI and each key member lead or take part in only one proposal of this
    special project (只能主持或参与1项本专项项目). The service computes the index
    for every proposal, so each proposal involved fails."""
    if ctx.cross is None:
        return cross_not_computed(person_single_project)
    index = {normalise_id(k): v for k, v in ctx.cross.person_proposals.items()}
    own = ctx.proposal

    def others(person: PersonSnap) -> list[str]:
        refs = index.get(person_key(person), [])
        return sorted({r.reference for r in refs if r.id != own.id and r.reference != own.reference})

    return _per_person(
        person_single_project,
        list(people(ctx)),
        others,
        status=FAIL,
        message_id="person.single_project.multiple",
        pass_id="person.single_project.pass",
        fix_id="fix.leave_other_proposals",
        source="proposals",
    )


@rule(
    "person.guide_expert",
    clause="2(4)",
    messages=("person.guide_expert.pass", "person.guide_expert.expert", REGISTRY_NOT_LOADED, DATA_MISSING),
    fixes=("fix.review_guide_expert",),
)
def person_guide_expert(ctx: RuleContext) -> list[Finding]:
    """A PI or member who drafted the implementation plan or this year's guide
    "in principle" may not apply: warn, for a human to decide."""
    registry = ctx.registries.guide_experts
    if registry is None:
        return registry_not_loaded(person_guide_expert, "guide_experts")
    experts = {normalise_id(i) for i in registry}
    return _per_person(
        person_guide_expert,
        list(people(ctx)),
        lambda p: ["guide_experts"] if person_key(p) in experts else None,
        status=WARN,
        message_id="person.guide_expert.expert",
        pass_id="person.guide_expert.pass",
        fix_id="fix.review_guide_expert",
        source="guide_experts",
    )


@rule(
    "person.integrity",
    clause="2(5)",
    messages=("person.integrity.pass", "person.integrity.misconduct", REGISTRY_NOT_LOADED, DATA_MISSING),
    fixes=("fix.replace_person",),
)
def person_integrity(ctx: RuleContext) -> list[Finding]:
    """No PI or member on the misconduct registry (科研严重失信 / 黑名单)."""
    registry = ctx.registries.misconduct_people
    if registry is None:
        return registry_not_loaded(person_integrity, "misconduct_people")
    listed = {normalise_id(i) for i in registry}
    return _per_person(
        person_integrity,
        list(people(ctx)),
        lambda p: ["misconduct_people"] if person_key(p) in listed else None,
        status=FAIL,
        message_id="person.integrity.misconduct",
        pass_id="person.integrity.pass",
        fix_id="fix.replace_person",
        source="misconduct_people",
    )
