"""The catalogue of the screening findings' messages and the rules' titles.

Findings store a ``message_id`` and ``params``; people read the message in their language. The texts
live in the gettext catalogues like every other string of the product: the Chinese text here is the
msgid (marked with ``gettext_noop`` / ``pgettext_lazy`` so ``makemessages`` finds it), the English is
in ``locale/en/LC_MESSAGES/django.po``; a new language is a new ``.po`` file, never code.

* ``MESSAGE_TEXTS[message_id]`` → the Chinese msgid, with ``{param}`` placeholders filled from
  ``Finding.params`` (fix messages, ``fix.*``, take the params of the finding that suggests them);
* ``SHORTER_TEXTS[message_id][param]`` → a shorter wording for when that list param is empty;
* ``RULE_TITLE_TEXTS[rule_id]`` → ``Msg(context, msgid)``;
* ``render(message_id, params, lang)`` → the message in ``lang``, never raising (unless
  ``strict=True``): an unknown id or a missing param falls back to the raw id and params.

No Django import: the rules and their tests use this module without settings. Translation goes
through a ``Translator`` — ``render(..., gettext=...)`` takes one for a call, ``install_translator``
sets the default; ``screening.labels`` installs Django's gettext (without one every language reads
the Chinese msgid). ``MESSAGES``, ``SHORTER`` and ``RULE_TITLES`` are read-only views of the same
texts in each language (``RULE_TITLES["pi.age"]["en"]``) for the callers that look texts up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from common.templating import fill_or_none, placeholders

LANGUAGES = ("zh", "en")

# The context of the rules' titles in the catalogue: a title is a short word ("推荐单位") that other
# pages use for other things.
RULE_CONTEXT = "检查项"


class Msg(NamedTuple):
    """A msgid with its gettext context."""

    context: str
    text: str


def gettext_noop(text: str) -> str:
    """Marks ``text`` for the catalogue (``makemessages`` extracts the calls of this name) and
    returns it unchanged: it is translated when rendered."""
    return text


def pgettext_lazy(context: str, text: str) -> Msg:
    """Marks ``text`` with its ``context`` for the catalogue (``makemessages`` extracts the calls of
    this name with the context) and keeps both: translated when rendered, like Django's lazy text."""
    return Msg(context, text)


MESSAGE_TEXTS: dict[str, str] = {
    # --- shared ----------------------------------------------------------------------
    "common.guide_missing": gettext_noop("尚未导入 {year} 年度指南，无法检查此项。"),
    "common.guide_param_absent": gettext_noop("{year} 年度指南未规定此项条件（{param}），不适用。"),
    "common.guide_param_missing": gettext_noop(
        "未能从 {year} 年度指南中读出此项条件（{param}），且指南管理员尚未填写或确认“指南未规定”，无法检查。"
    ),
    "common.guide_param_needs_gender": gettext_noop(
        "指南对此项条件（{param}）按性别规定不同的要求（{values}），请填写项目负责人性别。"
    ),
    "common.guide_param_ambiguous": gettext_noop(
        "指南对此项条件（{param}）有多个同样适用的取值（{values}），请人工核对。"
    ),
    "common.registry_not_loaded": gettext_noop("名单“{registry}”尚未导入，无法核对。"),
    "common.cross_not_computed": gettext_noop("尚未计算本年度申报项目之间的交叉索引，无法核对。"),
    "common.direction_unresolved": gettext_noop(
        "指南方向 {direction} 不在 {year} 年度指南中，无法检查此项。"
    ),
    "common.data_missing": gettext_noop("缺少数据：{field}，无法判断。"),
    "common.direction_no_requirement": gettext_noop(
        "指南方向 {direction} 未规定此项要求（{requirement}），不适用。"
    ),
    "common.bad_requirement": gettext_noop("无法解读指南中的要求（{requirement}：{value}），请人工核对。"),
    # --- runner ----------------------------------------------------------------------
    "rule.error": gettext_noop("检查规则 {rule} 运行出错（{error}），结果未知，请人工核对。"),
    "rule.no_result": gettext_noop("检查规则 {rule} 未给出结果，请人工核对。"),
    "rule.bad_result": gettext_noop("检查规则 {rule} 返回了无效结果，请人工核对。"),
    # --- submission ------------------------------------------------------------------
    "direction.exists.pass": gettext_noop("指南方向 {direction}“{title}”存在于 {year} 年度指南中。"),
    "direction.exists.not_found": gettext_noop("指南方向 {direction} 不在 {year} 年度指南中。"),
    "submission.complete.pass": gettext_noop("申报书必填内容齐全。"),
    "submission.complete.missing": gettext_noop("申报书未按要求填写完整，缺少：{missing}。"),
    "recommendation.letter.pass": gettext_noop("已附推荐函。"),
    "recommendation.letter.missing": gettext_noop("未附推荐单位出具的推荐函。"),
    "recommendation.recommender.pass": gettext_noop("推荐单位“{recommender}”为指南规定的推荐单位。"),
    "recommendation.recommender.not_designated": gettext_noop(
        "推荐单位“{recommender}”不在指南规定的推荐单位名单中。"
    ),
    "submission.duplicate.pass": gettext_noop("未发现多头申报或重复申报。"),
    "submission.duplicate.found": gettext_noop(
        "疑似多头或重复申报：与项目 {others} 的负责人或牵头单位相同且名称近似，或研究内容近似。"
    ),
    "submission.duplicate.no_text": gettext_noop("缺少项目名称和研究内容，无法检查重复申报。"),
    "direction.relevance.pass": gettext_noop(
        "申报内容与指南方向 {direction}“{title}”基本相符（相似度 {score}，排名第 {rank}）。"
    ),
    "direction.relevance.better_direction": gettext_noop(
        "申报内容与所选方向 {direction}（相似度 {score}）的相符程度明显低于方向 {best}"
        "“{best_title}”（相似度 {best_score}），请核对申报方向。"
    ),
    "direction.relevance.weak": gettext_noop(
        "申报内容与指南方向 {direction}“{title}”的相符程度较低（相似度 {score}，低于 {threshold}）。"
    ),
    # --- PI --------------------------------------------------------------------------
    "pi.age.pass": gettext_noop("项目负责人出生日期 {birth_date}，符合 {cutoff} 以后出生的要求。"),
    "pi.age.too_old": gettext_noop("项目负责人出生日期 {birth_date} 早于 {cutoff}，不符合年龄要求。"),
    "pi.age.id_mismatch": gettext_noop(
        "项目负责人填报的出生日期 {birth_date} 与身份证号中的 {id_birth_date} 不一致，"
        "按身份证号则早于 {cutoff}。"
    ),
    "pi.qualification.pass": gettext_noop(
        "项目负责人具有高级职称或博士学位（职称：{title}；学位：{degree}）。"
    ),
    "pi.qualification.fail": gettext_noop(
        "项目负责人既无高级职称也无博士学位（职称：{title}；学位：{degree}）。"
    ),
    "pi.qualification.unknown": gettext_noop(
        "无法判断项目负责人是否具有高级职称或博士学位，缺少 {missing}（职称：{title}；学位：{degree}）。"
    ),
    "pi.employment_proof.pass": gettext_noop(
        "境外（{nationality}）项目负责人的聘用材料齐全（{count} 份，要求 {required} 份）。"
    ),
    "pi.employment_proof.mainland_pi": gettext_noop("项目负责人为内地人员，无需聘用证明材料。"),
    "pi.employment_proof.insufficient": gettext_noop(
        "境外（{nationality}）项目负责人聘用材料不足：现有 {count} 份，要求 {required} 份"
        "（全职 1 份由内地聘用单位提供，非全职 2 份由双方单位提供）。"
    ),
    "pi.employment_proof.not_mainland_employer": gettext_noop(
        "境外项目负责人须受聘于内地单位，但其聘用单位“{employer}”位于 {country}。"
    ),
    "pi.single_project.pass": gettext_noop("项目负责人 {name} 本年度仅牵头申报本项目。"),
    # What an applicant sees instead of a cross-proposal finding: the other
    # proposals belong to other applicants and are not named.
    "cross.redacted.duplicate": gettext_noop(
        "本申报书与另一份已提交的申报书高度相似（同一项目不得多头申报或重复申报），请与项目管理部门核实。"
    ),
    "cross.redacted.person": gettext_noop(
        "本申报书中有人员（按证件号码识别）还出现在本专项另一份已提交的申报书中，"
        "项目负责人和项目骨干只能主持或参与 1 项本专项项目。"
    ),
    "pi.single_project.multiple": gettext_noop(
        "项目负责人 {name} 还牵头申报了项目 {others}，限申报 1 个项目。"
    ),
    "pi.ongoing_project.pass": gettext_noop("项目负责人 {name} 不是在研国家项目（含任务或课题）负责人。"),
    "pi.ongoing_project.leads_ongoing": gettext_noop(
        "项目负责人 {name} 是在研项目（含任务或课题）负责人：{programs}，不得牵头申报。"
    ),
    "pi.civil_servant.pass": gettext_noop("项目负责人 {name} 不是国家机关公务人员。"),
    "pi.civil_servant.fail": gettext_noop("项目负责人 {name}（{employer}）为国家机关公务人员，不得申报。"),
    # --- people ----------------------------------------------------------------------
    "member.ongoing_project.pass": gettext_noop("项目骨干（{count} 人）均不是在研国家项目负责人。"),
    "member.ongoing_project.leads_ongoing": gettext_noop(
        "项目骨干 {name}（{path}）是在研国家项目负责人（{others}），不得参与申报。"
    ),
    "person.single_project.pass": gettext_noop("项目负责人和骨干（{count} 人）均未参与本专项其他申报项目。"),
    "person.single_project.multiple": gettext_noop(
        "{name}（{path}）还主持或参与了本专项项目 {others}，只能主持或参与 1 项。"
    ),
    "person.guide_expert.pass": gettext_noop("项目负责人和骨干（{count} 人）均未参与指南编制。"),
    "person.guide_expert.expert": gettext_noop(
        "{name}（{path}）参与了实施方案或本年度指南编制，原则上不能申报，请人工核实。"
    ),
    "person.integrity.pass": gettext_noop("项目负责人和骨干（{count} 人）均无严重失信记录。"),
    "person.integrity.misconduct": gettext_noop("{name}（{path}）有在惩戒执行期内的严重失信行为记录。"),
    # --- units -----------------------------------------------------------------------
    "unit.mainland_registered.pass": gettext_noop(
        "牵头单位和中方参与单位（{count} 家）均为在中国大陆境内登记注册的法人单位。"
    ),
    "unit.mainland_registered.lead_outside_mainland": gettext_noop(
        "牵头单位“{unit}”不在中国大陆境内登记注册（{country}）。"
    ),
    "unit.mainland_registered.no_lead": gettext_noop("未填写牵头单位。"),
    "unit.mainland_registered.invalid_credit_code": gettext_noop(
        "单位“{unit}”的统一社会信用代码“{credit_code}”格式或校验位无效。"
    ),
    "unit.state_organ.pass": gettext_noop("申报单位（{count} 家）中无国家机关。"),
    "unit.state_organ.state_organ": gettext_noop("单位“{unit}”为国家机关，不得牵头或参与申报。"),
    "unit.state_organ.name_suggests": gettext_noop("单位“{unit}”的名称像是国家机关，请核实单位性质。"),
    "unit.registration_date.pass": gettext_noop("中方单位（{count} 家）均于 {cutoff} 前注册。"),
    "unit.registration_date.too_late": gettext_noop("单位“{unit}”注册时间 {registered_on} 晚于 {cutoff}。"),
    "unit.registration_date.no_mainland_units": gettext_noop("无中方单位，不适用注册时间要求（{cutoff}）。"),
    "unit.integrity.pass": gettext_noop("申报单位（{count} 家）均无严重失信记录。"),
    "unit.integrity.misconduct": gettext_noop("单位“{unit}”有在惩戒执行期内的严重失信行为记录。"),
    "project.subtasks.none": gettext_noop("指南规定项目不下设课题，申报书未设课题。"),
    "project.subtasks.pass": gettext_noop("申报书下设课题 {count} 个，符合指南要求（上限：{limit}）。"),
    "project.subtasks.forbidden": gettext_noop("指南规定不下设课题，申报书却下设了 {count} 个课题。"),
    "project.subtasks.too_many": gettext_noop("申报书下设课题 {count} 个，超过 {limit} 个的上限。"),
    "project.subtasks.lead_too_old": gettext_noop(
        "课题“{subtask}”负责人出生日期 {birth_date} 早于 {cutoff}，不符合年龄要求。"
    ),
    "units.total_limit.pass": gettext_noop("参与单位 {count} 家（含牵头单位），不超过 {limit} 家。"),
    "units.total_limit.exceeded": gettext_noop("参与单位 {count} 家（含牵头单位），超过 {limit} 家的上限。"),
    "units.domestic_limit.pass": gettext_noop("中方参与单位 {count} 家（含牵头单位），不超过 {limit} 家。"),
    "units.domestic_limit.exceeded": gettext_noop(
        "中方参与单位 {count} 家（含牵头单位），超过 {limit} 家的上限。"
    ),
    "units.domestic_limit.unknown_country": gettext_noop(
        "中方参与单位已有 {count} 家，另有单位国别未知（{units}），可能超过 {limit} 家。"
    ),
    "units.foreign_partner.pass": gettext_noop(
        "国（境）外参与单位 {count} 家，满足至少 {required} 家的要求。"
    ),
    "units.foreign_partner.short": gettext_noop("国（境）外参与单位仅 {count} 家，须至少 {required} 家。"),
    "units.foreign_partner.unknown_country": gettext_noop(
        "国（境）外参与单位 {count} 家，另有单位国别未知（{units}），无法判断是否达到 {required} 家。"
    ),
    # --- project & budget ------------------------------------------------------------
    "project.duration.pass": gettext_noop(
        "实施周期 {months} 个月（{start_date} 至 {end_date}），不超过 {max_years} 年。"
    ),
    "project.duration.too_long": gettext_noop(
        "实施周期 {months} 个月（{start_date} 至 {end_date}），超过 {max_years} 年（{max_months} 个月）。"
    ),
    "project.duration.end_before_start": gettext_noop("结束日期 {end_date} 早于开始日期 {start_date}。"),
    "budget.matching_ratio.pass": gettext_noop(
        "配套经费 {matching} 万元与国拨经费 {national} 万元之比为 {actual_ratio}:1，不低于 {ratio}:1。"
    ),
    "budget.matching_ratio.too_low": gettext_noop(
        "配套经费 {matching} 万元与国拨经费 {national} 万元之比为 {actual_ratio}:1，低于 {ratio}:1"
        "（配套经费至少 {required_matching} 万元，差 {shortfall} 万元）。"
    ),
    "budget.matching_ratio.no_national": gettext_noop("国拨经费为 {national} 万元，无法计算配套比例。"),
    # --- direction -------------------------------------------------------------------
    "direction.partner_countries.pass": gettext_noop(
        "合作方来自 {count} 个国家（地区）：{countries}，满足 {required} 个的要求。"
    ),
    "direction.partner_countries.short": gettext_noop(
        "合作方仅来自 {count} 个国家（地区）：{countries}，指南要求 {required} 个以上（{requirement}）。"
    ),
    "direction.partner_countries.unknown_country": gettext_noop(
        "合作方来自 {count} 个国家（地区），另有单位国别未知（{units}），无法判断是否达到 {required} 个。"
    ),
    "direction.partner_continents.pass": gettext_noop("合作单位覆盖指南要求的各大洲：{required}。"),
    "direction.partner_continents.missing": gettext_noop(
        "缺少来自以下大洲的合作单位：{missing}（指南要求：{requirement}）。"
    ),
    "direction.testing_institution.pass": gettext_noop("参加单位包含所需类型（{kind}）的单位：{units}。"),
    "direction.testing_institution.missing": gettext_noop(
        "参加单位中所需类型（{kind}）的单位 {count} 家，少于要求的 {required} 家（{requirement}）。"
    ),
    "direction.hgr_license.pass": gettext_noop("具备所需资质（人类遗传资源保藏行政许可）的单位：{units}。"),
    "direction.hgr_license.missing": gettext_noop(
        "没有单位具备所需资质（人类遗传资源保藏行政许可），要求 {required} 家（{requirement}）。"
    ),
    "direction.indicator_coverage.pass": gettext_noop(
        "申报考核指标涵盖指南方向 {direction} 的全部 {total} 项量化考核指标。"
    ),
    "direction.indicator_coverage.gaps": gettext_noop(
        "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。缺少：{missing}；"
        "低于指南：{weaker}。"
    ),
    # --- fixes -----------------------------------------------------------------------
    "fix.fill_missing": gettext_noop("请补充填写缺少的内容。"),
    "fix.choose_direction": gettext_noop("请选择本年度指南中的二级指南方向（如 1.1）。"),
    "fix.attach_recommendation_letter": gettext_noop("请上传推荐单位出具的推荐函。"),
    "fix.use_designated_recommender": gettext_noop("请通过指南规定的推荐单位推荐，或核对推荐单位名称。"),
    "fix.withdraw_duplicate": gettext_noop("同一项目只能通过一个推荐单位申报一次，请撤回重复的申报。"),
    "fix.check_direction": gettext_noop("请核对申报方向，或使申报内容与所选方向相符。"),
    "fix.pi_birth_date": gettext_noop("请核对出生日期；如无误，须更换 {cutoff} 以后出生的项目负责人。"),
    "fix.pi_qualification": gettext_noop("请核对职称和学位；项目负责人须具有高级职称或博士学位。"),
    "fix.attach_employment_proof": gettext_noop(
        "请上传聘用证明材料：全职由内地聘用单位提供，非全职由双方单位分别提供（共 {required} 份）。"
    ),
    "fix.pi_employer": gettext_noop("境外项目负责人须受聘于内地单位，请核对聘用单位或更换项目负责人。"),
    "fix.withdraw_other_pi_proposals": gettext_noop(
        "项目负责人限申报 1 个项目，请撤回其他申报或更换项目负责人。"
    ),
    "fix.replace_pi": gettext_noop("请更换项目负责人。"),
    "fix.replace_member": gettext_noop("请将该人员移出项目骨干名单。"),
    "fix.leave_other_proposals": gettext_noop(
        "每人只能主持或参与 1 项本专项项目，请退出其他申报项目或从本项目中移除该人员。"
    ),
    "fix.review_guide_expert": gettext_noop("请人工核实该人员是否参与了指南编制。"),
    "fix.replace_person": gettext_noop("请更换该人员。"),
    "fix.mainland_lead_unit": gettext_noop("牵头单位须为在中国大陆境内登记注册的法人单位。"),
    "fix.correct_credit_code": gettext_noop("请核对并更正统一社会信用代码。"),
    "fix.remove_state_organ": gettext_noop("国家机关不得牵头或参与申报，请移除该单位或更正单位性质。"),
    "fix.unit_registration_date": gettext_noop("请核对注册时间；注册时间须在 {cutoff} 前，否则请更换单位。"),
    "fix.replace_unit": gettext_noop("请更换该单位。"),
    "fix.remove_subtasks": gettext_noop("请删除课题，由项目直接组织实施。"),
    "fix.reduce_subtasks": gettext_noop("请将课题减至 {limit} 个以内。"),
    "fix.task_lead_birth_date": gettext_noop(
        "请核对课题负责人出生日期；如无误，须更换 {cutoff} 以后出生的课题负责人。"
    ),
    "fix.reduce_units": gettext_noop("请将参与单位（含牵头单位）减至 {limit} 家以内。"),
    "fix.pi_gender": gettext_noop("请填写项目负责人的性别（身份证号非大陆居民身份证时须填写）。"),
    "fix.reduce_domestic_units": gettext_noop("请将中方参与单位减至 {limit} 家以内。"),
    "fix.add_foreign_partner": gettext_noop("请增加国（境）外参与单位，至少 {required} 家。"),
    "fix.shorten_period": gettext_noop("请将实施周期缩短至 {max_years} 年（{max_months} 个月）以内。"),
    "fix.correct_dates": gettext_noop("请核对开始和结束日期。"),
    "fix.raise_matching": gettext_noop("请将配套经费提高到至少 {required_matching} 万元。"),
    "fix.add_partner_countries": gettext_noop("请增加来自其他国家的合作单位，至少达到 {required} 个国家。"),
    "fix.add_partner_continents": gettext_noop("请增加来自以下大洲的合作单位：{missing}。"),
    "fix.add_testing_institution": gettext_noop(
        "请增加所需类型（{kind}）的参加单位，或标注已有单位的类型（如第三方公共检测机构）。"
    ),
    "fix.add_hgr_license_holder": gettext_noop(
        "临床样本保藏机构须具备人类遗传资源保藏行政许可，请补充具备资质的单位或标注资质。"
    ),
    "fix.cover_indicators": gettext_noop("申报项目须涵盖指南所列的全部考核指标，请补充或提高相应指标。"),
}

# Shorter wordings of a message for when one of its list params is empty
# (``SHORTER_TEXTS[message_id][param]``), so a report never reads "低于指南：—". Used by
# ``labels.message`` (the report, CSV, XLSX and PDF); the JSON export keeps ``render``.
SHORTER_TEXTS: dict[str, dict[str, str]] = {
    "direction.indicator_coverage.gaps": {
        "weaker": gettext_noop(
            "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。缺少：{missing}。"
        ),
        "missing": gettext_noop(
            "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。低于指南：{weaker}。"
        ),
    },
}

RULE_TITLE_TEXTS: dict[str, Msg] = {
    "direction.exists": pgettext_lazy("检查项", "指南方向存在"),
    "submission.complete": pgettext_lazy("检查项", "申报书填写完整"),
    "recommendation.letter": pgettext_lazy("检查项", "推荐函"),
    "recommendation.recommender": pgettext_lazy("检查项", "推荐单位"),
    "submission.duplicate": pgettext_lazy("检查项", "多头或重复申报"),
    "direction.relevance": pgettext_lazy("检查项", "与指南方向相符"),
    "pi.age": pgettext_lazy("检查项", "项目负责人年龄"),
    "pi.qualification": pgettext_lazy("检查项", "项目负责人职称或学位"),
    "pi.employment_proof": pgettext_lazy("检查项", "境外项目负责人聘用材料"),
    "pi.single_project": pgettext_lazy("检查项", "项目负责人限报 1 项"),
    "pi.ongoing_project": pgettext_lazy("检查项", "项目负责人在研项目"),
    "member.ongoing_project": pgettext_lazy("检查项", "项目骨干在研项目"),
    "person.single_project": pgettext_lazy("检查项", "主持或参与限 1 项"),
    "person.guide_expert": pgettext_lazy("检查项", "指南编制专家"),
    "person.integrity": pgettext_lazy("检查项", "人员诚信"),
    "pi.civil_servant": pgettext_lazy("检查项", "国家机关公务人员"),
    "unit.mainland_registered": pgettext_lazy("检查项", "大陆境内注册法人单位"),
    "unit.state_organ": pgettext_lazy("检查项", "国家机关不得参与"),
    "unit.registration_date": pgettext_lazy("检查项", "单位注册时间"),
    "unit.integrity": pgettext_lazy("检查项", "单位诚信"),
    "units.domestic_limit": pgettext_lazy("检查项", "中方参与单位数"),
    "units.total_limit": pgettext_lazy("检查项", "参与单位总数"),
    "units.foreign_partner": pgettext_lazy("检查项", "国（境）外参与单位"),
    "project.duration": pgettext_lazy("检查项", "实施周期"),
    "project.subtasks": pgettext_lazy("检查项", "下设课题"),
    "budget.matching_ratio": pgettext_lazy("检查项", "配套经费比例"),
    "direction.partner_countries": pgettext_lazy("检查项", "合作国家数"),
    "direction.partner_continents": pgettext_lazy("检查项", "合作单位所在大洲"),
    "direction.testing_institution": pgettext_lazy("检查项", "第三方检测机构"),
    "direction.hgr_license": pgettext_lazy("检查项", "人类遗传资源保藏许可"),
    "direction.indicator_coverage": pgettext_lazy("检查项", "考核指标覆盖"),
}


# Translates a msgid (with its context, or None) into a language ("zh", "en").
Translator = Callable[[str, str, "str | None"], str]


def _untranslated(text: str, lang: str, context: str | None = None) -> str:
    return text


_translator: Translator = _untranslated


def install_translator(translator: Translator | None) -> None:
    """Use ``translator`` wherever no ``gettext`` is passed (None: the Chinese msgids as they are)."""
    global _translator
    _translator = translator or _untranslated


def installed_translator() -> Translator:
    """The translator in use (a key for callers that keep texts it made)."""
    return _translator


def translate(text: str, lang: str, context: str | None = None) -> str:
    """``text`` (a msgid of this module) in ``lang`` through the installed translator; Chinese and
    any language without a catalogue read the msgid itself."""
    if lang not in LANGUAGES or lang == "zh":
        return text
    return _translator(text, lang, context)


class _Texts(Mapping):
    """One msgid in each language: ``texts["en"]``, ``texts.get(lang, default)``."""

    __slots__ = ("_context", "_text")

    def __init__(self, text: str, context: str | None = None) -> None:
        self._text, self._context = text, context

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return translate(self._text, lang, self._context)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


MESSAGES: Mapping[str, Mapping[str, str]] = {mid: _Texts(text) for mid, text in MESSAGE_TEXTS.items()}
SHORTER: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    mid: {param: _Texts(text) for param, text in variants.items()} for mid, variants in SHORTER_TEXTS.items()
}
RULE_TITLES: Mapping[str, Mapping[str, str]] = {
    rid: _Texts(msg.text, msg.context) for rid, msg in RULE_TITLE_TEXTS.items()
}

# How a language separates the items of a list ("甲、乙" / "A, B"): the one separator of the findings,
# the reports and the exports (labels.join_list).
LIST_SEPARATOR = pgettext_lazy("预审结果", "、")
_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}


def number_text(value: Decimal | float | int) -> str:
    """A number as people write it: ``100.0`` → "100", ``Decimal("1.50")`` → "1.5", no exponent."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value():
            return str(value.quantize(Decimal(1)))
        return format(value.normalize(), "f")
    return str(value)


def _display(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        yes, no = _BOOL.get(lang, _BOOL["zh"])
        return yes if value else no
    if isinstance(value, float | Decimal):
        return number_text(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [_display(v, lang) for v in value]
        return translate(LIST_SEPARATOR.text, lang, LIST_SEPARATOR.context).join(items) if items else "—"
    return str(value)


def _raw(message_id: str, params: dict[str, Any] | None) -> str:
    try:
        shown = json.dumps(params or {}, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        shown = repr(params)
    return f"{message_id} {shown}"


def _template(text: str, lang: str, gettext: Callable[[str], str] | None) -> str:
    if lang not in LANGUAGES:
        return text
    return gettext(text) if gettext is not None else translate(text, lang)


def render(
    message_id: str,
    params: dict[str, Any] | None = None,
    lang: str = "zh",
    *,
    strict: bool = False,
    gettext: Callable[[str], str] | None = None,
) -> str:
    """The message in ``lang`` ("zh" or "en"; others read the Chinese) with its params filled in.
    Lists are joined, booleans shown as 是/否 or yes/no, numbers without a trailing ".0".

    ``gettext`` translates the msgid for this call (default: the installed translator). An unknown
    id or a missing param gives ``"<id> <params as JSON>"`` — or, with ``strict=True``, raises
    ``KeyError`` (for tests).
    """
    text = MESSAGE_TEXTS.get(message_id)
    if text is None:
        if strict:
            raise KeyError(message_id)
        return _raw(message_id, params)
    lang = lang if lang in LANGUAGES else "zh"
    filled = fill(_template(text, lang, gettext), params or {}, lang)
    if filled is None:
        if strict:
            raise KeyError(f"{message_id}: missing {sorted(placeholders(text) - (params or {}).keys())}")
        return _raw(message_id, params)
    return filled


def shorter(message_id: str, empty_param: str, lang: str = "zh") -> str | None:
    """The shorter wording of ``message_id`` for when ``empty_param`` is empty, in ``lang``."""
    text = SHORTER_TEXTS.get(message_id, {}).get(empty_param)
    return None if text is None else translate(text, lang if lang in LANGUAGES else "zh")


def fill(template: str, params: dict[str, Any], lang: str = "zh") -> str | None:
    """``template`` with ``params`` shown as ``render`` shows them; None when a
    placeholder has no param."""
    return fill_or_none(template, {k: _display(v, lang) for k, v in params.items()})


def rule_title(rule_id: str, lang: str = "zh") -> str:
    """The rule's title in ``lang`` ("配套经费比例", "Matching funds ratio"); an unknown rule is its id."""
    msg = RULE_TITLE_TEXTS.get(rule_id)
    if msg is None:
        return rule_id
    return translate(msg.text, lang if lang in LANGUAGES else "zh", msg.context)
