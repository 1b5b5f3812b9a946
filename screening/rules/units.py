"""形式审查 3 and the unit limits of section 二 (中方参与单位总数, 国（境）外单位)."""

from __future__ import annotations

import re

from guide.parsing.conditions import value_date
from screening.rules.base import (
    CONDITION_MESSAGES,
    DATA_MISSING,
    REGISTRY_NOT_LOADED,
    country_code,
    credit_code_valid,
    data_missing,
    ev,
    finding,
    guide_condition,
    is_mainland_unit,
    is_outside_mainland_unit,
    region_kind,
    registry_not_loaded,
    rule,
    scope_params,
)
from screening.rules.text import normalise_id, normalise_name
from screening.rules.types import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    UNKNOWN,
    WARN,
    Finding,
    RuleContext,
    UnitSnap,
    unit_key,
)


def _distinct(units: list[UnitSnap]) -> list[UnitSnap]:
    """Units with a repeated ``unit_key`` are counted once."""
    seen: set[str] = set()
    out = []
    for unit in units:
        key = unit_key(unit) or unit.path()
        if key in seen:
            continue
        seen.add(key)
        out.append(unit)
    return out


def _unit_params(unit: UnitSnap) -> dict:
    return {"unit": unit.name or unit.path(), "path": unit.path()}


@rule(
    "unit.mainland_registered",
    clause="3(1)",
    messages=(
        "unit.mainland_registered.pass",
        "unit.mainland_registered.lead_outside_mainland",
        "unit.mainland_registered.no_lead",
        "unit.mainland_registered.invalid_credit_code",
        DATA_MISSING,
    ),
    fixes=("fix.mainland_lead_unit", "fix.correct_credit_code", "fix.fill_missing"),
)
def unit_mainland_registered(ctx: RuleContext) -> list[Finding]:
    """The lead unit and every Chinese participating unit is a legal person
    registered in mainland China.

    * lead unit outside the mainland (foreign, HK/MO/TW, international org.) → fail;
    * no lead unit → unknown; a unit without country → unknown;
    * a mainland (CN) unit without a credit code → unknown (the data is missing);
      with a credit code failing the GB 32100 format/check digit → fail (a real
      registration always has a valid code; the applicant must correct it).
    Units outside the mainland that participate are partners, not checked here.
    """
    units = ctx.proposal.units
    if not units:
        return data_missing(unit_mainland_registered, "units")
    findings = []
    leads = [u for u in units if u.role == "lead"]
    if not leads:
        findings.append(
            finding(unit_mainland_registered, UNKNOWN, "unit.mainland_registered.no_lead", field="units")
        )
    for unit in leads:
        if unit.type == "international_organization" or region_kind(unit.country) in ("foreign", "region"):
            findings.append(
                finding(
                    unit_mainland_registered,
                    FAIL,
                    "unit.mainland_registered.lead_outside_mainland",
                    _unit_params(unit) | {"country": country_code(unit.country)},
                    evidence=[ev(unit.path("country"), country_code(unit.country))],
                    field=unit.path("country"),
                    fix_id="fix.mainland_lead_unit",
                )
            )
    for unit in units:
        mainland = is_mainland_unit(unit)
        if mainland is None and unit.type != "international_organization":
            findings += data_missing(unit_mainland_registered, unit.path("country"))
            continue
        if not mainland:
            continue
        if not (unit.credit_code or "").strip():
            findings += data_missing(unit_mainland_registered, unit.path("credit_code"))
        elif not credit_code_valid(unit.credit_code):
            findings.append(
                finding(
                    unit_mainland_registered,
                    FAIL,
                    "unit.mainland_registered.invalid_credit_code",
                    _unit_params(unit) | {"credit_code": unit.credit_code},
                    evidence=[ev(unit.path("credit_code"), unit.credit_code)],
                    field=unit.path("credit_code"),
                    fix_id="fix.correct_credit_code",
                )
            )
    if not findings:
        findings.append(
            finding(
                unit_mainland_registered,
                PASS,
                "unit.mainland_registered.pass",
                {"count": sum(1 for u in units if is_mainland_unit(u))},
            )
        )
    return findings


_STATE_ORGAN_NAME = re.compile(
    r"(人民政府|人民代表大会|人民法院|人民检察院|政协|委员会|办公厅|办公室|[部厅局])$"
)


@rule(
    "unit.state_organ",
    clause="3(1)",
    messages=(
        "unit.state_organ.pass",
        "unit.state_organ.state_organ",
        "unit.state_organ.name_suggests",
        DATA_MISSING,
    ),
    fixes=("fix.remove_state_organ",),
)
def unit_state_organ(ctx: RuleContext) -> list[Finding]:
    """No (Chinese) state organ (国家机关) leads or takes part.

    ``type == "state_organ"`` on a mainland unit → fail. A mainland unit whose type
    is missing or "other" and whose name ends like an organ (…人民政府, …委员会,
    …厅, …局, …部) → warn (public institutions such as 中国地质调查局 end so too).
    Units outside the mainland are not 国家机关 in the sense of the guide.
    """
    units = ctx.proposal.units
    if not units:
        return data_missing(unit_state_organ, "units")
    findings = []
    for unit in units:
        if is_mainland_unit(unit) is False:
            continue
        if unit.type == "state_organ":
            findings.append(
                finding(
                    unit_state_organ,
                    FAIL,
                    "unit.state_organ.state_organ",
                    _unit_params(unit),
                    evidence=[ev(unit.path("type"), unit.type)],
                    field=unit.path(),
                    fix_id="fix.remove_state_organ",
                )
            )
        elif unit.type in (None, "", "other") and _STATE_ORGAN_NAME.search(normalise_name(unit.name)):
            findings.append(
                finding(
                    unit_state_organ,
                    WARN,
                    "unit.state_organ.name_suggests",
                    _unit_params(unit),
                    evidence=[ev(unit.path("name"), unit.name), ev(unit.path("type"), unit.type)],
                    field=unit.path("type"),
                    fix_id="fix.remove_state_organ",
                )
            )
        elif not unit.type:
            findings += data_missing(unit_state_organ, unit.path("type"))
    if not findings:
        findings.append(finding(unit_state_organ, PASS, "unit.state_organ.pass", {"count": len(units)}))
    return findings


@rule(
    "unit.registration_date",
    clause="3(2)",
    messages=(
        "unit.registration_date.pass",
        "unit.registration_date.too_late",
        "unit.registration_date.no_mainland_units",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.unit_registration_date",),
)
def unit_registration_date(ctx: RuleContext) -> list[Finding]:
    """Every mainland unit registered on or before ``guide.unit_registered_by`` (the
    date itself passes). Units outside the mainland are not checked; a unit of
    unknown country or without a date → unknown."""
    resolved = guide_condition(unit_registration_date, ctx, "unit_registered_by")
    if isinstance(resolved, list):
        return resolved
    cutoff = value_date(resolved.value)
    findings = []
    checked = []
    for unit in ctx.proposal.units:
        mainland = is_mainland_unit(unit)
        if mainland is False or unit.type == "international_organization":
            continue
        if mainland is None:
            findings += data_missing(unit_registration_date, unit.path("country"))
            continue
        if unit.registered_on is None:
            findings += data_missing(unit_registration_date, unit.path("registered_on"))
            continue
        checked.append(unit)
        if unit.registered_on > cutoff:
            findings.append(
                finding(
                    unit_registration_date,
                    FAIL,
                    "unit.registration_date.too_late",
                    _unit_params(unit) | {"registered_on": unit.registered_on, "cutoff": cutoff},
                    evidence=[ev(unit.path("registered_on"), unit.registered_on)],
                    field=unit.path("registered_on"),
                    fix_id="fix.unit_registration_date",
                )
            )
    if findings:
        return findings
    if not checked:
        return [
            finding(
                unit_registration_date,
                NOT_APPLICABLE,
                "unit.registration_date.no_mainland_units",
                {"cutoff": cutoff},
            )
        ]
    return [
        finding(
            unit_registration_date,
            PASS,
            "unit.registration_date.pass",
            {"cutoff": cutoff, "count": len(checked)},
            evidence=[ev(u.path("registered_on"), u.registered_on) for u in checked],
        )
    ]


@rule(
    "unit.integrity",
    clause="3(3)",
    messages=("unit.integrity.pass", "unit.integrity.misconduct", REGISTRY_NOT_LOADED, DATA_MISSING),
    fixes=("fix.replace_unit",),
)
def unit_integrity(ctx: RuleContext) -> list[Finding]:
    """No unit on the misconduct registry, matched by credit code (upper-cased) or
    by normalised name."""
    registry = ctx.registries.misconduct_units
    if registry is None:
        return registry_not_loaded(unit_integrity, "misconduct_units")
    units = ctx.proposal.units
    if not units:
        return data_missing(unit_integrity, "units")
    listed = {normalise_name(v) for v in registry} | {normalise_id(v) for v in registry}
    findings = []
    for unit in units:
        keys = {normalise_name(unit.name)} | ({normalise_id(unit.credit_code)} if unit.credit_code else set())
        keys.discard("")
        if keys & listed:
            findings.append(
                finding(
                    unit_integrity,
                    FAIL,
                    "unit.integrity.misconduct",
                    _unit_params(unit),
                    evidence=[ev(unit.path("credit_code"), unit.credit_code, source="misconduct_units")],
                    field=unit.path(),
                    fix_id="fix.replace_unit",
                )
            )
    if not findings:
        findings.append(finding(unit_integrity, PASS, "unit.integrity.pass", {"count": len(units)}))
    return findings


@rule(
    "units.domestic_limit",
    clause="二",
    messages=(
        "units.domestic_limit.pass",
        "units.domestic_limit.exceeded",
        "units.domestic_limit.unknown_country",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.reduce_domestic_units",),
)
def units_domestic_limit(ctx: RuleContext) -> list[Finding]:
    """Chinese (mainland) participating units, the lead included, distinct by
    ``unit_key``, at most ``guide.max_domestic_units``."""
    resolved = guide_condition(units_domestic_limit, ctx, "max_domestic_units")
    if isinstance(resolved, list):
        return resolved
    limit = int(resolved.value)
    units = _distinct(ctx.proposal.units)
    domestic = [u for u in units if is_mainland_unit(u)]
    unknown = [u for u in units if is_mainland_unit(u) is None and u.type != "international_organization"]
    params = {"count": len(domestic), "limit": limit} | scope_params(resolved.condition)
    evidence = [ev(u.path("country"), country_code(u.country), unit=u.name) for u in domestic]
    if len(domestic) > limit:
        return [
            finding(
                units_domestic_limit,
                FAIL,
                "units.domestic_limit.exceeded",
                params,
                evidence=evidence,
                field="units",
                fix_id="fix.reduce_domestic_units",
            )
        ]
    if len(domestic) + len(unknown) > limit:
        return [
            finding(
                units_domestic_limit,
                UNKNOWN,
                "units.domestic_limit.unknown_country",
                params | {"units": [u.path("country") for u in unknown]},
                evidence=evidence,
                field=unknown[0].path("country"),
            )
        ]
    return [finding(units_domestic_limit, PASS, "units.domestic_limit.pass", params, evidence=evidence)]


@rule(
    "units.total_limit",
    clause="二",
    messages=("units.total_limit.pass", "units.total_limit.exceeded", *CONDITION_MESSAGES),
    fixes=("fix.reduce_units",),
)
def units_total_limit(ctx: RuleContext) -> list[Finding]:
    """All participating units, the lead included, distinct by ``unit_key``, at most the guide's
    项目参与单位总数 for this proposal's project type (基础研究类 6, 青年科学家项目 3 …)."""
    resolved = guide_condition(units_total_limit, ctx, "max_units")
    if isinstance(resolved, list):
        return resolved
    limit = int(resolved.value)
    units = _distinct(ctx.proposal.units)
    params = {"count": len(units), "limit": limit} | scope_params(resolved.condition)
    evidence = [ev(u.path("name"), u.name) for u in units]
    if len(units) > limit:
        return [
            finding(
                units_total_limit,
                FAIL,
                "units.total_limit.exceeded",
                params,
                evidence=evidence,
                field="units",
                fix_id="fix.reduce_units",
            )
        ]
    return [finding(units_total_limit, PASS, "units.total_limit.pass", params, evidence=evidence)]


@rule(
    "units.foreign_partner",
    clause="二",
    messages=(
        "units.foreign_partner.pass",
        "units.foreign_partner.short",
        "units.foreign_partner.unknown_country",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.add_foreign_partner",),
)
def units_foreign_partner(ctx: RuleContext) -> list[Finding]:
    """At least ``guide.min_foreign_units`` participating (non-lead) units from
    outside mainland China (国（境）外: foreign countries, HK, MO, TW,
    international organisations), distinct by ``unit_key``."""
    resolved = guide_condition(units_foreign_partner, ctx, "min_foreign_units")
    if isinstance(resolved, list):
        return resolved
    minimum = int(resolved.value)
    units = [u for u in _distinct(ctx.proposal.units) if u.role != "lead"]
    outside = [u for u in units if is_outside_mainland_unit(u)]
    unknown = [u for u in units if is_outside_mainland_unit(u) is None]
    params = {"count": len(outside), "required": minimum} | scope_params(resolved.condition)
    evidence = [ev(u.path("country"), country_code(u.country), unit=u.name) for u in outside]
    if len(outside) >= minimum:
        return [finding(units_foreign_partner, PASS, "units.foreign_partner.pass", params, evidence=evidence)]
    if len(outside) + len(unknown) >= minimum:
        return [
            finding(
                units_foreign_partner,
                UNKNOWN,
                "units.foreign_partner.unknown_country",
                params | {"units": [u.path("country") for u in unknown]},
                evidence=evidence,
                field=unknown[0].path("country"),
            )
        ]
    return [
        finding(
            units_foreign_partner,
            FAIL,
            "units.foreign_partner.short",
            params,
            evidence=evidence,
            field="units",
            fix_id="fix.add_foreign_partner",
        )
    ]
