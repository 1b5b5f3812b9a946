"""形式审查 2: the project leader (PI)."""

from __future__ import annotations

import re

from guide.parsing.conditions import value_date
from screening.rules.base import (
    CONDITION_MESSAGES,
    CROSS_NOT_COMPUTED,
    DATA_MISSING,
    REGISTRY_NOT_LOADED,
    birth_date_from_id,
    country_code,
    cross_not_computed,
    data_missing,
    ev,
    finding,
    guide_condition,
    person_key,
    region_kind,
    registry_not_loaded,
    rule,
    scope_params,
)
from screening.rules.text import nfkc, normalise_id, normalise_name
from screening.rules.types import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    UNKNOWN,
    WARN,
    Finding,
    RuleContext,
)


@rule(
    "pi.age",
    clause="2(1)",
    messages=(
        "pi.age.pass",
        "pi.age.too_old",
        "pi.age.id_mismatch",
        *CONDITION_MESSAGES,
    ),
    fixes=("fix.pi_birth_date", "fix.pi_gender"),
)
def pi_age(ctx: RuleContext) -> list[Finding]:
    """PI born on or after the guide's cutoff for this proposal (the date itself passes): the cutoff of
    the direction's project type and the PI's gender where the guide sets one (a young-scientist
    project's 男性/女性 cutoffs), else the call's. The gender is the stated one or the ID number's.

    Without a stated birth date, the one in an 18-digit mainland ID number is used.
    When both exist and only the ID date fails, the finding is a warn.
    """
    resolved = guide_condition(pi_age, ctx, "pi_born_on_or_after")
    if isinstance(resolved, list):
        return resolved
    cutoff = value_date(resolved.value)
    scope = scope_params(resolved.condition)
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_age, "pi")
    from_id = birth_date_from_id(pi.id_number)
    born = pi.birth_date or from_id
    if born is None:
        return data_missing(pi_age, "pi.birth_date")
    evidence = [ev("pi.birth_date", pi.birth_date)] if pi.birth_date else []
    if from_id is not None:
        evidence.append(ev("pi.id_number", from_id, source="id_number"))
    params = {"birth_date": born, "cutoff": cutoff} | scope
    if born < cutoff:
        return [
            finding(
                pi_age,
                FAIL,
                "pi.age.too_old",
                params,
                evidence=evidence,
                field="pi.birth_date",
                fix_id="fix.pi_birth_date",
            )
        ]
    if from_id is not None and from_id != born and from_id < cutoff:
        return [
            finding(
                pi_age,
                WARN,
                "pi.age.id_mismatch",
                params | {"id_birth_date": from_id},
                evidence=evidence,
                field="pi.birth_date",
                fix_id="fix.pi_birth_date",
            )
        ]
    return [finding(pi_age, PASS, "pi.age.pass", params, evidence=evidence)]


# --- qualification --------------------------------------------------------------------

# Removed before looking for senior titles: junior titles that contain a senior word.
_NON_SENIOR_PHRASES = (
    "助理教授",
    "助理研究员",
    "实习研究员",
    "研究实习员",
    "助理研究馆员",
    "博士后研究员",
    "博士后",
    "研究员助理",
    "研究助理",
    "特别研究助理",
    "高级技师",
    "高级技工",
    "assistant research professor",
    "research assistant professor",
    "assistant professor",
    "assistant research fellow",
    "postdoctoral research fellow",
    "postdoctoral researcher",
    "postdoctoral fellow",
    "research assistant",
    "professor assistant",
)

_SENIOR_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"教授",  # 教授, 副教授, 教授级高级工程师, 特聘教授
        r"研究员",  # 研究员, 副研究员, 研究员级高级工程师, 农业技术推广研究员
        r"主任(医|药|护|技)师",  # 主任医师, 副主任医师, 主任药师…
        r"正高",
        r"副高",
        r"高级",  # 高级工程师, 高级实验师, 高级经济师, 高级农艺师, 高级讲师…
        r"编审",  # 编审, 副编审
        r"译审",
        r"研究馆员",
        r"主任(记者|编辑)",
        r"\bprofessor\b",  # Professor, Associate/Full/Research/Chair Professor
        r"\bsenior (engineer|scientist|researcher|research|lecturer|fellow|economist|"
        r"experimentalist|investigator)",
        r"\bprincipal (scientist|engineer|researcher|research|investigator)",
        r"\bchief (physician|scientist|engineer)",
        r"\breader\b",
        r"\bdistinguished (scientist|engineer|fellow)",
    )
)


def is_senior_title(title: str | None) -> bool | None:
    """True for a 正高级 or 副高级 professional title (Chinese or English), False for a
    junior one, None for an empty title.

    Not senior: 讲师, 助理研究员, 工程师, 助理教授, Assistant Professor, 实验师,
    主治医师, Lecturer, 博士后…
    """
    text = re.sub(r"\s+", " ", nfkc(title).lower()).strip()
    if not text:
        return None
    for phrase in _NON_SENIOR_PHRASES:
        text = text.replace(phrase, " ")
    return any(p.search(text) for p in _SENIOR_PATTERNS)


_DOCTOR_NEGATIVE = ("在读", "肄业", "结业", "未毕业", "candidate", "student", "博士生在读")
_DOCTOR_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"博士",
        r"\bph\.? ?d\b",
        r"\bd\.? ?phil\b",
        r"\bdoctor",  # doctor, doctorate, doctoral
        r"\bdr\b\.?",
        r"\bd\.? ?sc\b",
        r"\bsc\.? ?d\b",
    )
)


def is_doctorate(degree: str | None) -> bool | None:
    """True for a doctorate (博士, PhD, Dr., DPhil, doctorate…), False otherwise,
    None for an empty degree. A doctoral student (博士在读, PhD candidate) is not."""
    text = re.sub(r"\s+", " ", nfkc(degree).lower()).strip()
    if not text:
        return None
    if any(neg in text for neg in _DOCTOR_NEGATIVE):
        return False
    return any(p.search(text) for p in _DOCTOR_PATTERNS)


@rule(
    "pi.qualification",
    clause="2(1)",
    messages=("pi.qualification.pass", "pi.qualification.fail", "pi.qualification.unknown", DATA_MISSING),
    fixes=("fix.pi_qualification",),
)
def pi_qualification(ctx: RuleContext) -> list[Finding]:
    """Senior professional title (高级职称) or a doctorate (博士学位).

    Passes when either qualifies; fails only when both are given and neither
    qualifies; otherwise (one of them missing) unknown.
    """
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_qualification, "pi")
    senior = is_senior_title(pi.title)
    doctor = is_doctorate(pi.degree)
    params = {"title": pi.title or "", "degree": pi.degree or ""}
    evidence = [ev("pi.title", pi.title), ev("pi.degree", pi.degree)]
    if senior or doctor:
        basis = "title" if senior else "degree"
        return [
            finding(
                pi_qualification,
                PASS,
                "pi.qualification.pass",
                params | {"basis": basis},
                evidence=evidence,
            )
        ]
    if senior is False and doctor is False:
        return [
            finding(
                pi_qualification,
                FAIL,
                "pi.qualification.fail",
                params,
                evidence=evidence,
                field="pi.title",
                fix_id="fix.pi_qualification",
            )
        ]
    missing = "pi.title" if senior is None else "pi.degree"
    return [
        finding(
            pi_qualification,
            UNKNOWN,
            "pi.qualification.unknown",
            params | {"missing": missing},
            evidence=evidence,
            field=missing,
        )
    ]


# --- employment proof -----------------------------------------------------------------


@rule(
    "pi.employment_proof",
    clause="2(2)",
    messages=(
        "pi.employment_proof.pass",
        "pi.employment_proof.mainland_pi",
        "pi.employment_proof.insufficient",
        "pi.employment_proof.not_mainland_employer",
        DATA_MISSING,
    ),
    fixes=("fix.attach_employment_proof", "fix.pi_employer"),
)
def pi_employment_proof(ctx: RuleContext) -> list[Finding]:
    """A foreign or HK/MO/TW PI must be employed by a mainland unit and bring
    proof: full-time ≥ 1 proof from the mainland employer, part-time ≥ 2 (from
    both employers). ``pi.employment_proofs`` counts the proofs; when it is
    ``None`` and the attachments list has no "employment_proof", the count is 0.
    """
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_employment_proof, "pi")
    kind = region_kind(pi.nationality)
    if kind is None:
        return data_missing(pi_employment_proof, "pi.nationality")
    if kind == "mainland":
        return [
            finding(
                pi_employment_proof,
                NOT_APPLICABLE,
                "pi.employment_proof.mainland_pi",
                {"nationality": country_code(pi.nationality)},
            )
        ]
    nationality = country_code(pi.nationality)
    if pi.employer:
        employer = next(
            (u for u in ctx.proposal.units if normalise_name(u.name) == normalise_name(pi.employer)),
            None,
        )
        if employer is not None and region_kind(employer.country) not in (None, "mainland"):
            return [
                finding(
                    pi_employment_proof,
                    FAIL,
                    "pi.employment_proof.not_mainland_employer",
                    {"employer": pi.employer, "country": country_code(employer.country)},
                    evidence=[ev("pi.employer", pi.employer), ev(employer.path("country"), employer.country)],
                    field="pi.employer",
                    fix_id="fix.pi_employer",
                )
            ]
    if pi.employment not in ("full_time", "part_time"):
        return data_missing(pi_employment_proof, "pi.employment")
    required = 1 if pi.employment == "full_time" else 2
    count = pi.employment_proofs
    evidence = [ev("pi.nationality", nationality), ev("pi.employment", pi.employment)]
    if count is None:
        attachments = ctx.proposal.attachments
        if attachments is None or "employment_proof" in attachments:
            return data_missing(pi_employment_proof, "pi.employment_proofs")
        count = 0
        evidence.append(ev("attachments", sorted(attachments)))
    else:
        evidence.append(ev("pi.employment_proofs", count))
    params = {
        "nationality": nationality,
        "employment": pi.employment,
        "count": count,
        "required": required,
    }
    if count >= required:
        return [finding(pi_employment_proof, PASS, "pi.employment_proof.pass", params, evidence=evidence)]
    return [
        finding(
            pi_employment_proof,
            FAIL,
            "pi.employment_proof.insufficient",
            params,
            evidence=evidence,
            field="attachments",
            fix_id="fix.attach_employment_proof",
        )
    ]


# --- one project per PI, ongoing projects, civil servants ---------------------------


@rule(
    "pi.single_project",
    clause="2(3)",
    messages=("pi.single_project.pass", "pi.single_project.multiple", CROSS_NOT_COMPUTED, DATA_MISSING),
    fixes=("fix.withdraw_other_pi_proposals",),
)
def pi_single_project(ctx: RuleContext) -> list[Finding]:
    """The PI leads no other proposal of this guide year (项目负责人限申报1个项目)."""
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_single_project, "pi")
    if not person_key(pi):
        return data_missing(pi_single_project, "pi.id_number")
    if ctx.cross is None:
        return cross_not_computed(pi_single_project)
    others = [ref for ref in ctx.cross.other_pi_proposals if ref != ctx.proposal.reference]
    if others:
        return [
            finding(
                pi_single_project,
                FAIL,
                "pi.single_project.multiple",
                {"name": pi.name or "", "others": others},
                evidence=[ev("pi.id_number", pi.id_number, source=ref) for ref in others],
                field="pi",
                fix_id="fix.withdraw_other_pi_proposals",
            )
        ]
    return [finding(pi_single_project, PASS, "pi.single_project.pass", {"name": pi.name or ""})]


@rule(
    "pi.ongoing_project",
    clause="2(3)",
    messages=(
        "pi.ongoing_project.pass",
        "pi.ongoing_project.leads_ongoing",
        REGISTRY_NOT_LOADED,
        DATA_MISSING,
    ),
    fixes=("fix.replace_pi",),
)
def pi_ongoing_project(ctx: RuleContext) -> list[Finding]:
    """The PI leads no ongoing national project, task or sub-project (项目、任务或课题)."""
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_ongoing_project, "pi")
    key = person_key(pi)
    if not key:
        return data_missing(pi_ongoing_project, "pi.id_number")
    if ctx.registries.ongoing_projects is None:
        return registry_not_loaded(pi_ongoing_project, "ongoing_projects")
    hits = [
        e
        for e in ctx.registries.ongoing_projects
        if normalise_id(e.id_number) == key and e.role in ("project_lead", "task_lead")
    ]
    if hits:
        return [
            finding(
                pi_ongoing_project,
                FAIL,
                "pi.ongoing_project.leads_ongoing",
                {
                    "name": pi.name or "",
                    "programs": [e.program or "" for e in hits],
                    "roles": [e.role for e in hits],
                },
                evidence=[
                    ev(
                        "pi.id_number",
                        pi.id_number,
                        source="ongoing_projects",
                        program=e.program,
                        role=e.role,
                    )
                    for e in hits
                ],
                field="pi",
                fix_id="fix.replace_pi",
            )
        ]
    return [finding(pi_ongoing_project, PASS, "pi.ongoing_project.pass", {"name": pi.name or ""})]


@rule(
    "pi.civil_servant",
    clause="2(6)",
    messages=("pi.civil_servant.pass", "pi.civil_servant.fail", DATA_MISSING),
    fixes=("fix.replace_pi",),
)
def pi_civil_servant(ctx: RuleContext) -> list[Finding]:
    """The PI is not a civil servant of a state organ (国家机关的公务人员)."""
    pi = ctx.proposal.pi
    if pi is None:
        return data_missing(pi_civil_servant, "pi")
    if pi.civil_servant is None:
        return data_missing(pi_civil_servant, "pi.civil_servant")
    evidence = [ev("pi.civil_servant", pi.civil_servant), ev("pi.employer", pi.employer)]
    if pi.civil_servant:
        return [
            finding(
                pi_civil_servant,
                FAIL,
                "pi.civil_servant.fail",
                {"name": pi.name or "", "employer": pi.employer or ""},
                evidence=evidence,
                field="pi.civil_servant",
                fix_id="fix.replace_pi",
            )
        ]
    return [
        finding(pi_civil_servant, PASS, "pi.civil_servant.pass", {"name": pi.name or ""}, evidence=evidence)
    ]
