"""Direction-level rules: the direction exists, and its partner requirements
(形式审查 4: "其他形式审查条件要求请参见具体指南说明")."""

from __future__ import annotations

from screening.rules.base import (
    DATA_MISSING,
    DIRECTION_NO_REQUIREMENT,
    DIRECTION_UNRESOLVED,
    GUIDE_MISSING,
    country_code,
    data_missing,
    direction_clause,
    ev,
    finding,
    guide_missing,
    is_outside_mainland_unit,
    region_kind,
    resolve_direction,
    rule,
)
from screening.rules.geo import continent_name, continents_of
from screening.rules.text import normalise_code
from screening.rules.types import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    UNKNOWN,
    WARN,
    DirectionParams,
    Finding,
    PartnerReq,
    RuleContext,
    UnitSnap,
    unit_key,
)


@rule(
    "direction.exists",
    clause="1(3)",
    messages=("direction.exists.pass", "direction.exists.not_found", GUIDE_MISSING, DATA_MISSING),
    fixes=("fix.choose_direction",),
)
def direction_exists(ctx: RuleContext) -> list[Finding]:
    if ctx.guide is None:
        return guide_missing(direction_exists, ctx)
    code = normalise_code(ctx.proposal.direction)
    if not code:
        return data_missing(direction_exists, "direction")
    direction = next((d for k, d in ctx.guide.directions.items() if normalise_code(k) == code), None)
    if direction is None:
        return [
            finding(
                direction_exists,
                FAIL,
                "direction.exists.not_found",
                {"direction": code, "year": ctx.guide.year},
                evidence=[ev("direction", ctx.proposal.direction)],
                field="direction",
                fix_id="fix.choose_direction",
            )
        ]
    return [
        finding(
            direction_exists,
            PASS,
            "direction.exists.pass",
            {"direction": direction.code, "title": direction.title, "year": ctx.guide.year},
        )
    ]


def _requirements(direction: DirectionParams, kind: str) -> list[PartnerReq]:
    return [r for r in direction.partner_reqs if r.kind == kind]


def _unmet_status(req: PartnerReq) -> str:
    return FAIL if req.strength == "required" else WARN


def _not_applicable(fn, direction: DirectionParams, kind: str) -> list[Finding]:
    return [
        finding(
            fn,
            NOT_APPLICABLE,
            DIRECTION_NO_REQUIREMENT,
            {"direction": direction.code, "requirement": kind},
            clause=direction_clause(direction),
        )
    ]


def _partner_units(ctx: RuleContext) -> list[UnitSnap]:
    return [u for u in ctx.proposal.units if u.role != "lead"]


@rule(
    "direction.partner_countries",
    clause="4",
    messages=(
        "direction.partner_countries.pass",
        "direction.partner_countries.short",
        "direction.partner_countries.unknown_country",
        DIRECTION_NO_REQUIREMENT,
        DIRECTION_UNRESOLVED,
        GUIDE_MISSING,
        DATA_MISSING,
        "common.bad_requirement",
    ),
    fixes=("fix.add_partner_countries",),
)
def partner_countries(ctx: RuleContext) -> list[Finding]:
    """Minimum number of foreign countries among the partner units.

    Hard rule (须有N个以上国家的合作单位参与, ``counts_regions=False``): only foreign
    countries count — CN is not foreign, HK/MO/TW are regions, an international
    organisation is not a country. Unmet → fail.
    Indicator (同N个以上国家（地区、国际组织）开展合作, ``counts_regions=True``):
    each foreign country, each of HK/MO/TW and each international organisation
    counts once. Unmet → warn (it is a target to reach during the project).
    """
    direction = resolve_direction(partner_countries, ctx)
    if isinstance(direction, list):
        return direction
    reqs = _requirements(direction, "foreign_countries")
    if not reqs:
        return _not_applicable(partner_countries, direction, "foreign_countries")
    clause = direction_clause(direction)
    findings = []
    for req in reqs:
        try:
            needed = int(req.value)
        except (TypeError, ValueError):
            findings.append(
                finding(
                    partner_countries,
                    UNKNOWN,
                    "common.bad_requirement",
                    {"requirement": req.kind, "value": str(req.value)},
                    clause=clause,
                )
            )
            continue
        counted: dict[str, str] = {}  # entity key → label
        unknown_paths = []
        evidence = []
        for unit in _partner_units(ctx):
            code = country_code(unit.country)
            kind = region_kind(code)
            if unit.type == "international_organization":
                if req.counts_regions:
                    counted.setdefault("IO:" + unit_key(unit), unit.name or "")
                    evidence.append(ev(unit.path("type"), unit.type, unit=unit.name))
                continue
            if kind is None:
                unknown_paths.append(unit.path("country"))
            elif kind == "foreign" or (kind == "region" and req.counts_regions):
                counted.setdefault(code, code)
                evidence.append(ev(unit.path("country"), code, unit=unit.name))
        params = {
            "required": needed,
            "count": len(counted),
            "countries": sorted(counted.values()),
            "counts_regions": req.counts_regions,
            "requirement": req.text,
        }
        if len(counted) >= needed:
            findings.append(
                finding(
                    partner_countries,
                    PASS,
                    "direction.partner_countries.pass",
                    params,
                    evidence=evidence,
                    clause=clause,
                )
            )
        elif len(counted) + len(unknown_paths) >= needed:
            findings.append(
                finding(
                    partner_countries,
                    UNKNOWN,
                    "direction.partner_countries.unknown_country",
                    params | {"units": unknown_paths},
                    evidence=evidence,
                    field=unknown_paths[0],
                    clause=clause,
                )
            )
        else:
            findings.append(
                finding(
                    partner_countries,
                    _unmet_status(req),
                    "direction.partner_countries.short",
                    params,
                    evidence=evidence,
                    field="units",
                    fix_id="fix.add_partner_countries",
                    clause=clause,
                )
            )
    return findings


@rule(
    "direction.partner_continents",
    clause="4",
    messages=(
        "direction.partner_continents.pass",
        "direction.partner_continents.missing",
        DIRECTION_NO_REQUIREMENT,
        DIRECTION_UNRESOLVED,
        GUIDE_MISSING,
        DATA_MISSING,
        "common.bad_requirement",
    ),
    fixes=("fix.add_partner_continents",),
)
def partner_continents(ctx: RuleContext) -> list[Finding]:
    """Partners from each continent the direction names (应至少包括来自亚洲、欧洲、
    美洲的合作单位).

    Only units outside the mainland count (a mainland unit is never an "Asian
    partner"). HK, MO and TW partners count for Asia: the requirement is about the
    geography of the partners, not about sovereign countries. An international
    organisation counts for the continent of its ``country`` (seat) when given.
    Unmet → fail for ``strength="required"``, warn for an indicator.
    """
    direction = resolve_direction(partner_continents, ctx)
    if isinstance(direction, list):
        return direction
    reqs = _requirements(direction, "continents")
    if not reqs:
        return _not_applicable(partner_continents, direction, "continents")
    clause = direction_clause(direction)
    present: dict[str, list[str]] = {}
    evidence = []
    for unit in _partner_units(ctx):
        if not is_outside_mainland_unit(unit):
            continue
        for continent in continents_of(country_code(unit.country)):
            present.setdefault(continent, []).append(unit.name or unit.path())
        evidence.append(ev(unit.path("country"), country_code(unit.country), unit=unit.name))
    findings = []
    for req in reqs:
        values = [req.value] if isinstance(req.value, str) else list(req.value or [])
        wanted = [continent_name(v) for v in values]
        if not values or None in wanted:
            findings.append(
                finding(
                    partner_continents,
                    UNKNOWN,
                    "common.bad_requirement",
                    {"requirement": req.kind, "value": [str(v) for v in values]},
                    clause=clause,
                )
            )
            continue
        missing = [c for c in wanted if c not in present]
        params = {
            "required": wanted,
            "present": sorted(c for c in present if c in wanted),
            "missing": missing,
            "requirement": req.text,
        }
        if missing:
            findings.append(
                finding(
                    partner_continents,
                    _unmet_status(req),
                    "direction.partner_continents.missing",
                    params,
                    evidence=evidence,
                    field="units",
                    fix_id="fix.add_partner_continents",
                    clause=clause,
                )
            )
        else:
            findings.append(
                finding(
                    partner_continents,
                    PASS,
                    "direction.partner_continents.pass",
                    params,
                    evidence=evidence,
                    clause=clause,
                )
            )
    return findings


def _institution_predicate(value: str):
    """(unit predicate, evidence attribute) for an institution kind, or None."""
    if value in ("third_party_testing", "testing_institution"):
        return (lambda u: u.third_party_testing), "third_party_testing"
    if value in ("enterprise", "university", "research_institute"):
        return (lambda u: u.type == value), "type"
    return None


def _licence_predicate(value: str):
    """Every 人类遗传资源 licence (hgr, hgr_preservation, hgr_collection…) is
    ``UnitSnap.hgr_license``; other licences are not modelled."""
    if value.startswith("hgr"):
        return (lambda u: u.hgr_license), "hgr_license"
    return None


def _flag_rule(fn, ctx: RuleContext, kind: str, predicate_for, prefix: str, fix: str):
    direction = resolve_direction(fn, ctx)
    if isinstance(direction, list):
        return direction
    reqs = _requirements(direction, kind)
    if not reqs:
        return _not_applicable(fn, direction, kind)
    clause = direction_clause(direction)
    findings = []
    for req in reqs:
        resolved = predicate_for(str(req.value))
        if resolved is None:
            findings.append(
                finding(
                    fn,
                    UNKNOWN,
                    "common.bad_requirement",
                    {"requirement": req.kind, "value": str(req.value)},
                    clause=clause,
                )
            )
            continue
        predicate, attr = resolved
        holders = [u for u in ctx.proposal.units if predicate(u)]
        params = {
            "kind": str(req.value),
            "required": req.min_count,
            "count": len(holders),
            "units": [u.name or u.path() for u in holders],
            "requirement": req.text,
        }
        evidence = [ev(u.path(attr), getattr(u, attr), unit=u.name) for u in holders]
        if len(holders) >= req.min_count:
            findings.append(finding(fn, PASS, f"{prefix}.pass", params, evidence=evidence, clause=clause))
        else:
            findings.append(
                finding(
                    fn,
                    _unmet_status(req),
                    f"{prefix}.missing",
                    params,
                    evidence=evidence,
                    field="units",
                    fix_id=fix,
                    clause=clause,
                )
            )
    return findings


@rule(
    "direction.testing_institution",
    clause="4",
    messages=(
        "direction.testing_institution.pass",
        "direction.testing_institution.missing",
        DIRECTION_NO_REQUIREMENT,
        DIRECTION_UNRESOLVED,
        GUIDE_MISSING,
        DATA_MISSING,
        "common.bad_requirement",
    ),
    fixes=("fix.add_testing_institution",),
)
def direction_testing_institution(ctx: RuleContext) -> list[Finding]:
    """Units of the required kind (2.1: 第三方公共检测机构不少于1家).

    "third_party_testing" / "testing_institution" → ``UnitSnap.third_party_testing``;
    "enterprise" / "university" / "research_institute" → ``UnitSnap.type``; any
    other kind (e.g. "hospital") → unknown (not modelled). ``min_count`` units needed.
    """
    return _flag_rule(
        direction_testing_institution,
        ctx,
        "institution_kind",
        _institution_predicate,
        "direction.testing_institution",
        "fix.add_testing_institution",
    )


@rule(
    "direction.hgr_license",
    clause="4",
    messages=(
        "direction.hgr_license.pass",
        "direction.hgr_license.missing",
        DIRECTION_NO_REQUIREMENT,
        DIRECTION_UNRESOLVED,
        GUIDE_MISSING,
        DATA_MISSING,
        "common.bad_requirement",
    ),
    fixes=("fix.add_hgr_license_holder",),
)
def hgr_license(ctx: RuleContext) -> list[Finding]:
    """A unit holding the licence the direction requires (10.4: 人类遗传资源保藏行政许可,
    ``UnitSnap.hgr_license``; every "hgr*" licence code maps to that flag). The
    clause applies to the units that keep clinical samples; the rule cannot tell
    which units do, so it asks for at least one licensed unit and fails otherwise
    (for ``strength="required"``)."""
    return _flag_rule(
        hgr_license,
        ctx,
        "licence",
        _licence_predicate,
        "direction.hgr_license",
        "fix.add_hgr_license_holder",
    )
