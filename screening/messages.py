"""Message catalogue for the screening findings (zh / en).

``MESSAGES[message_id]`` → ``{"zh": ..., "en": ...}`` with ``{param}``
placeholders filled from ``Finding.params``; fix messages (``fix.*``) are
rendered with the params of the finding that suggests them.
``RULE_TITLES[rule_id]`` → ``{"zh": ..., "en": ...}``.
``render(message_id, params, lang)`` never raises (unless ``strict=True``): an
unknown id or a missing param falls back to the raw id and params.

No Django import: usable from the rules, the service, templates and tests.
"""

from __future__ import annotations

import json
import string
from typing import Any

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- shared ----------------------------------------------------------------------
    "common.guide_missing": {
        "zh": "尚未导入 {year} 年度指南，无法检查此项。",
        "en": "The {year} guide has not been imported; this check cannot run.",
    },
    "common.guide_param_absent": {
        "zh": "{year} 年度指南未规定此项条件（{param}），不适用。",
        "en": "The {year} guide sets no such condition ({param}); not applicable.",
    },
    "common.guide_param_missing": {
        "zh": "未能从 {year} 年度指南中读出此项条件（{param}），且指南管理员尚未填写或确认“指南未规定”，无法检查。",
        "en": "The {year} guide's value of this condition ({param}) was not read, and no officer has "
        "entered it or confirmed the guide sets none; cannot check.",
    },
    "common.guide_param_needs_gender": {
        "zh": "指南对此项条件（{param}）按性别规定不同的要求（{values}），请填写项目负责人性别。",
        "en": "The guide sets this condition ({param}) by gender ({values}); enter the PI's gender.",
    },
    "common.guide_param_ambiguous": {
        "zh": "指南对此项条件（{param}）有多个同样适用的取值（{values}），请人工核对。",
        "en": "Several values of this condition ({param}) apply equally ({values}); check by hand.",
    },
    "common.registry_not_loaded": {
        "zh": "名单“{registry}”尚未导入，无法核对。",
        "en": "The registry “{registry}” has not been loaded; cannot check.",
    },
    "common.cross_not_computed": {
        "zh": "尚未计算本年度申报项目之间的交叉索引，无法核对。",
        "en": "The cross-proposal index of this year has not been computed; cannot check.",
    },
    "common.direction_unresolved": {
        "zh": "指南方向 {direction} 不在 {year} 年度指南中，无法检查此项。",
        "en": "Direction {direction} is not in the {year} guide; this check cannot run.",
    },
    "common.data_missing": {
        "zh": "缺少数据：{field}，无法判断。",
        "en": "Missing data: {field}; cannot decide.",
    },
    "common.direction_no_requirement": {
        "zh": "指南方向 {direction} 未规定此项要求（{requirement}），不适用。",
        "en": "Direction {direction} sets no such requirement ({requirement}); not applicable.",
    },
    "common.bad_requirement": {
        "zh": "无法解读指南中的要求（{requirement}：{value}），请人工核对。",
        "en": "Cannot interpret the guide requirement ({requirement}: {value}); check by hand.",
    },
    # --- runner ----------------------------------------------------------------------
    "rule.error": {
        "zh": "检查规则 {rule} 运行出错（{error}），结果未知，请人工核对。",
        "en": "Rule {rule} failed with an error ({error}); result unknown, check by hand.",
    },
    "rule.no_result": {
        "zh": "检查规则 {rule} 未给出结果，请人工核对。",
        "en": "Rule {rule} returned no result; check by hand.",
    },
    "rule.bad_result": {
        "zh": "检查规则 {rule} 返回了无效结果，请人工核对。",
        "en": "Rule {rule} returned an invalid result; check by hand.",
    },
    # --- submission ------------------------------------------------------------------
    "direction.exists.pass": {
        "zh": "指南方向 {direction}“{title}”存在于 {year} 年度指南中。",
        "en": "Direction {direction} “{title}” exists in the {year} guide.",
    },
    "direction.exists.not_found": {
        "zh": "指南方向 {direction} 不在 {year} 年度指南中。",
        "en": "Direction {direction} does not exist in the {year} guide.",
    },
    "submission.complete.pass": {
        "zh": "申报书必填内容齐全。",
        "en": "All required fields are filled in.",
    },
    "submission.complete.missing": {
        "zh": "申报书未按要求填写完整，缺少：{missing}。",
        "en": "The application is incomplete; missing: {missing}.",
    },
    "recommendation.letter.pass": {
        "zh": "已附推荐函。",
        "en": "The recommendation letter is attached.",
    },
    "recommendation.letter.missing": {
        "zh": "未附推荐单位出具的推荐函。",
        "en": "No recommendation letter from the recommender is attached.",
    },
    "recommendation.recommender.pass": {
        "zh": "推荐单位“{recommender}”为指南规定的推荐单位。",
        "en": "The recommender “{recommender}” is a designated recommender.",
    },
    "recommendation.recommender.not_designated": {
        "zh": "推荐单位“{recommender}”不在指南规定的推荐单位名单中。",
        "en": "The recommender “{recommender}” is not on the list of designated recommenders.",
    },
    "submission.duplicate.pass": {
        "zh": "未发现多头申报或重复申报。",
        "en": "No duplicate or multiple submission found.",
    },
    "submission.duplicate.found": {
        "zh": "疑似多头或重复申报：与项目 {others} 的负责人或牵头单位相同且名称近似，或研究内容近似。",
        "en": "Suspected duplicate or multiple submission: same PI or lead unit with a near-identical "
        "title, or near-identical research content, as proposal(s) {others}.",
    },
    "submission.duplicate.no_text": {
        "zh": "缺少项目名称和研究内容，无法检查重复申报。",
        "en": "Title and research content are missing; cannot check for duplicates.",
    },
    "direction.relevance.pass": {
        "zh": "申报内容与指南方向 {direction}“{title}”基本相符（相似度 {score}，排名第 {rank}）。",
        "en": "The content fits direction {direction} “{title}” (similarity {score}, rank {rank}).",
    },
    "direction.relevance.better_direction": {
        "zh": "申报内容与所选方向 {direction}（相似度 {score}）的相符程度明显低于方向 {best}"
        "“{best_title}”（相似度 {best_score}），请核对申报方向。",
        "en": "The content fits direction {best} “{best_title}” (similarity {best_score}) clearly "
        "better than the chosen direction {direction} (similarity {score}); check the direction.",
    },
    "direction.relevance.weak": {
        "zh": "申报内容与指南方向 {direction}“{title}”的相符程度较低（相似度 {score}，低于 {threshold}）。",
        "en": "The content fits direction {direction} “{title}” weakly (similarity {score}, "
        "below {threshold}).",
    },
    # --- PI --------------------------------------------------------------------------
    "pi.age.pass": {
        "zh": "项目负责人出生日期 {birth_date}，符合 {cutoff} 以后出生的要求。",
        "en": "The PI was born on {birth_date}, on or after {cutoff}.",
    },
    "pi.age.too_old": {
        "zh": "项目负责人出生日期 {birth_date} 早于 {cutoff}，不符合年龄要求。",
        "en": "The PI was born on {birth_date}, before {cutoff}; the age limit is not met.",
    },
    "pi.age.id_mismatch": {
        "zh": "项目负责人填报的出生日期 {birth_date} 与身份证号中的 {id_birth_date} 不一致，"
        "按身份证号则早于 {cutoff}。",
        "en": "The PI's stated birth date {birth_date} differs from {id_birth_date} in the ID "
        "number, which is before {cutoff}.",
    },
    "pi.qualification.pass": {
        "zh": "项目负责人具有高级职称或博士学位（职称：{title}；学位：{degree}）。",
        "en": "The PI holds a senior title or a doctorate (title: {title}; degree: {degree}).",
    },
    "pi.qualification.fail": {
        "zh": "项目负责人既无高级职称也无博士学位（职称：{title}；学位：{degree}）。",
        "en": "The PI has neither a senior title nor a doctorate (title: {title}; degree: {degree}).",
    },
    "pi.qualification.unknown": {
        "zh": "无法判断项目负责人是否具有高级职称或博士学位，缺少 {missing}（职称：{title}；学位：{degree}）。",
        "en": "Cannot tell whether the PI holds a senior title or a doctorate; {missing} is missing "
        "(title: {title}; degree: {degree}).",
    },
    "pi.employment_proof.pass": {
        "zh": "境外（{nationality}）项目负责人的聘用材料齐全（{count} 份，要求 {required} 份）。",
        "en": "The non-mainland ({nationality}) PI's employment proofs are complete ({count}, "
        "{required} required).",
    },
    "pi.employment_proof.mainland_pi": {
        "zh": "项目负责人为内地人员，无需聘用证明材料。",
        "en": "The PI is from the mainland; no employment proof is needed.",
    },
    "pi.employment_proof.insufficient": {
        "zh": "境外（{nationality}）项目负责人聘用材料不足：现有 {count} 份，要求 {required} 份"
        "（全职 1 份由内地聘用单位提供，非全职 2 份由双方单位提供）。",
        "en": "The non-mainland ({nationality}) PI's employment proofs are insufficient: {count} "
        "given, {required} required (full-time: 1 from the mainland employer; part-time: 2, one "
        "from each employer).",
    },
    "pi.employment_proof.not_mainland_employer": {
        "zh": "境外项目负责人须受聘于内地单位，但其聘用单位“{employer}”位于 {country}。",
        "en": "A non-mainland PI must be employed by a mainland unit, but the employer “{employer}” "
        "is in {country}.",
    },
    "pi.single_project.pass": {
        "zh": "项目负责人 {name} 本年度仅牵头申报本项目。",
        "en": "The PI {name} leads no other proposal this year.",
    },
    # What an applicant sees instead of a cross-proposal finding: the other
    # proposals belong to other applicants and are not named.
    "cross.redacted.duplicate": {
        "zh": "本申报书与另一份已提交的申报书高度相似（同一项目不得多头申报或重复申报），请与项目管理部门核实。",
        "en": "This proposal closely resembles another submitted proposal (the same project may not be "
        "submitted twice or through several recommenders); please check with the programme office.",
    },
    "cross.redacted.person": {
        "zh": "本申报书中有人员（按证件号码识别）还出现在本专项另一份已提交的申报书中，"
        "项目负责人和项目骨干只能主持或参与 1 项本专项项目。",
        "en": "A person in this proposal (identified by ID number) also appears in another submitted proposal "
        "of this special project; the PI and key members may lead or join only one.",
    },
    "pi.single_project.multiple": {
        "zh": "项目负责人 {name} 还牵头申报了项目 {others}，限申报 1 个项目。",
        "en": "The PI {name} also leads proposal(s) {others}; only one is allowed.",
    },
    "pi.ongoing_project.pass": {
        "zh": "项目负责人 {name} 不是在研国家项目（含任务或课题）负责人。",
        "en": "The PI {name} leads no ongoing national project, task or sub-project.",
    },
    "pi.ongoing_project.leads_ongoing": {
        "zh": "项目负责人 {name} 是在研项目（含任务或课题）负责人：{programs}，不得牵头申报。",
        "en": "The PI {name} leads ongoing national work ({programs}) and may not lead a proposal.",
    },
    "pi.civil_servant.pass": {
        "zh": "项目负责人 {name} 不是国家机关公务人员。",
        "en": "The PI {name} is not a civil servant of a state organ.",
    },
    "pi.civil_servant.fail": {
        "zh": "项目负责人 {name}（{employer}）为国家机关公务人员，不得申报。",
        "en": "The PI {name} ({employer}) is a civil servant of a state organ and may not apply.",
    },
    # --- people ----------------------------------------------------------------------
    "member.ongoing_project.pass": {
        "zh": "项目骨干（{count} 人）均不是在研国家项目负责人。",
        "en": "None of the key members ({count}) leads an ongoing national project.",
    },
    "member.ongoing_project.leads_ongoing": {
        "zh": "项目骨干 {name}（{path}）是在研国家项目负责人（{others}），不得参与申报。",
        "en": "Key member {name} ({path}) leads an ongoing national project ({others}) and may not "
        "take part.",
    },
    "person.single_project.pass": {
        "zh": "项目负责人和骨干（{count} 人）均未参与本专项其他申报项目。",
        "en": "The PI and key members ({count}) take part in no other proposal of this special project.",
    },
    "person.single_project.multiple": {
        "zh": "{name}（{path}）还主持或参与了本专项项目 {others}，只能主持或参与 1 项。",
        "en": "{name} ({path}) also leads or takes part in proposal(s) {others}; only one is allowed.",
    },
    "person.guide_expert.pass": {
        "zh": "项目负责人和骨干（{count} 人）均未参与指南编制。",
        "en": "None of the PI and key members ({count}) helped draft the guide.",
    },
    "person.guide_expert.expert": {
        "zh": "{name}（{path}）参与了实施方案或本年度指南编制，原则上不能申报，请人工核实。",
        "en": "{name} ({path}) helped draft the implementation plan or this year's guide and in "
        "principle may not apply; please review.",
    },
    "person.integrity.pass": {
        "zh": "项目负责人和骨干（{count} 人）均无严重失信记录。",
        "en": "None of the PI and key members ({count}) is on the misconduct registry.",
    },
    "person.integrity.misconduct": {
        "zh": "{name}（{path}）有在惩戒执行期内的严重失信行为记录。",
        "en": "{name} ({path}) is on the misconduct registry within the sanction period.",
    },
    # --- units -----------------------------------------------------------------------
    "unit.mainland_registered.pass": {
        "zh": "牵头单位和中方参与单位（{count} 家）均为在中国大陆境内登记注册的法人单位。",
        "en": "The lead unit and the Chinese units ({count}) are registered in mainland China.",
    },
    "unit.mainland_registered.lead_outside_mainland": {
        "zh": "牵头单位“{unit}”不在中国大陆境内登记注册（{country}）。",
        "en": "The lead unit “{unit}” is not registered in mainland China ({country}).",
    },
    "unit.mainland_registered.no_lead": {
        "zh": "未填写牵头单位。",
        "en": "No lead unit is given.",
    },
    "unit.mainland_registered.invalid_credit_code": {
        "zh": "单位“{unit}”的统一社会信用代码“{credit_code}”格式或校验位无效。",
        "en": "The unified social credit code “{credit_code}” of “{unit}” is malformed or fails "
        "its check digit.",
    },
    "unit.state_organ.pass": {
        "zh": "申报单位（{count} 家）中无国家机关。",
        "en": "No state organ among the units ({count}).",
    },
    "unit.state_organ.state_organ": {
        "zh": "单位“{unit}”为国家机关，不得牵头或参与申报。",
        "en": "“{unit}” is a state organ and may neither lead nor take part.",
    },
    "unit.state_organ.name_suggests": {
        "zh": "单位“{unit}”的名称像是国家机关，请核实单位性质。",
        "en": "The name of “{unit}” suggests a state organ; check the unit type.",
    },
    "unit.registration_date.pass": {
        "zh": "中方单位（{count} 家）均于 {cutoff} 前注册。",
        "en": "The Chinese units ({count}) were registered on or before {cutoff}.",
    },
    "unit.registration_date.too_late": {
        "zh": "单位“{unit}”注册时间 {registered_on} 晚于 {cutoff}。",
        "en": "“{unit}” was registered on {registered_on}, after {cutoff}.",
    },
    "unit.registration_date.no_mainland_units": {
        "zh": "无中方单位，不适用注册时间要求（{cutoff}）。",
        "en": "No Chinese unit; the registration date limit ({cutoff}) does not apply.",
    },
    "unit.integrity.pass": {
        "zh": "申报单位（{count} 家）均无严重失信记录。",
        "en": "None of the units ({count}) is on the misconduct registry.",
    },
    "unit.integrity.misconduct": {
        "zh": "单位“{unit}”有在惩戒执行期内的严重失信行为记录。",
        "en": "“{unit}” is on the misconduct registry within the sanction period.",
    },
    "project.subtasks.none": {
        "zh": "指南规定项目不下设课题，申报书未设课题。",
        "en": "The guide allows no subtasks and the proposal has none.",
    },
    "project.subtasks.pass": {
        "zh": "申报书下设课题 {count} 个，符合指南要求（上限：{limit}）。",
        "en": "{count} subtasks, as the guide allows (at most: {limit}).",
    },
    "project.subtasks.forbidden": {
        "zh": "指南规定不下设课题，申报书却下设了 {count} 个课题。",
        "en": "The guide allows no subtasks, but the proposal has {count}.",
    },
    "project.subtasks.too_many": {
        "zh": "申报书下设课题 {count} 个，超过 {limit} 个的上限。",
        "en": "{count} subtasks, more than the limit of {limit}.",
    },
    "project.subtasks.lead_too_old": {
        "zh": "课题“{subtask}”负责人出生日期 {birth_date} 早于 {cutoff}，不符合年龄要求。",
        "en": "The lead of subtask “{subtask}” was born on {birth_date}, before {cutoff}.",
    },
    "units.total_limit.pass": {
        "zh": "参与单位 {count} 家（含牵头单位），不超过 {limit} 家。",
        "en": "{count} participating units (lead included), at most {limit} allowed.",
    },
    "units.total_limit.exceeded": {
        "zh": "参与单位 {count} 家（含牵头单位），超过 {limit} 家的上限。",
        "en": "{count} participating units (lead included), more than the limit of {limit}.",
    },
    "units.domestic_limit.pass": {
        "zh": "中方参与单位 {count} 家（含牵头单位），不超过 {limit} 家。",
        "en": "{count} Chinese units (lead included), at most {limit} allowed.",
    },
    "units.domestic_limit.exceeded": {
        "zh": "中方参与单位 {count} 家（含牵头单位），超过 {limit} 家的上限。",
        "en": "{count} Chinese units (lead included), more than the limit of {limit}.",
    },
    "units.domestic_limit.unknown_country": {
        "zh": "中方参与单位已有 {count} 家，另有单位国别未知（{units}），可能超过 {limit} 家。",
        "en": "{count} Chinese units, and units of unknown country ({units}) may exceed the "
        "limit of {limit}.",
    },
    "units.foreign_partner.pass": {
        "zh": "国（境）外参与单位 {count} 家，满足至少 {required} 家的要求。",
        "en": "{count} partner unit(s) from outside mainland China, at least {required} required.",
    },
    "units.foreign_partner.short": {
        "zh": "国（境）外参与单位仅 {count} 家，须至少 {required} 家。",
        "en": "Only {count} partner unit(s) from outside mainland China; at least {required} required.",
    },
    "units.foreign_partner.unknown_country": {
        "zh": "国（境）外参与单位 {count} 家，另有单位国别未知（{units}），无法判断是否达到 {required} 家。",
        "en": "{count} partner unit(s) from outside mainland China; units of unknown country "
        "({units}) decide whether {required} are reached.",
    },
    # --- project & budget ------------------------------------------------------------
    "project.duration.pass": {
        "zh": "实施周期 {months} 个月（{start_date} 至 {end_date}），不超过 {max_years} 年。",
        "en": "The period is {months} months ({start_date} to {end_date}), at most {max_years} years.",
    },
    "project.duration.too_long": {
        "zh": "实施周期 {months} 个月（{start_date} 至 {end_date}），超过 {max_years} 年（{max_months} 个月）。",
        "en": "The period is {months} months ({start_date} to {end_date}), more than {max_years} "
        "years ({max_months} months).",
    },
    "project.duration.end_before_start": {
        "zh": "结束日期 {end_date} 早于开始日期 {start_date}。",
        "en": "The end date {end_date} is before the start date {start_date}.",
    },
    "budget.matching_ratio.pass": {
        "zh": "配套经费 {matching} 万元与国拨经费 {national} 万元之比为 {actual_ratio}:1，不低于 {ratio}:1。",
        "en": "Matching {matching} vs national {national} (10k CNY) is {actual_ratio}:1, at least {ratio}:1.",
    },
    "budget.matching_ratio.too_low": {
        "zh": "配套经费 {matching} 万元与国拨经费 {national} 万元之比为 {actual_ratio}:1，低于 {ratio}:1"
        "（配套经费至少 {required_matching} 万元，差 {shortfall} 万元）。",
        "en": "Matching {matching} vs national {national} (10k CNY) is {actual_ratio}:1, below "
        "{ratio}:1 (matching must be at least {required_matching}, {shortfall} short).",
    },
    "budget.matching_ratio.no_national": {
        "zh": "国拨经费为 {national} 万元，无法计算配套比例。",
        "en": "National funding is {national} (10k CNY); the matching ratio cannot be computed.",
    },
    # --- direction -------------------------------------------------------------------
    "direction.partner_countries.pass": {
        "zh": "合作方来自 {count} 个国家（地区）：{countries}，满足 {required} 个的要求。",
        "en": "Partners from {count} countries (regions): {countries}; {required} required.",
    },
    "direction.partner_countries.short": {
        "zh": "合作方仅来自 {count} 个国家（地区）：{countries}，指南要求 {required} 个以上（{requirement}）。",
        "en": "Partners from only {count} countries (regions): {countries}; the guide requires "
        "{required} or more ({requirement}).",
    },
    "direction.partner_countries.unknown_country": {
        "zh": "合作方来自 {count} 个国家（地区），另有单位国别未知（{units}），无法判断是否达到 {required} 个。",
        "en": "Partners from {count} countries (regions); units of unknown country ({units}) decide "
        "whether {required} are reached.",
    },
    "direction.partner_continents.pass": {
        "zh": "合作单位覆盖指南要求的各大洲：{required}。",
        "en": "Partners cover every continent the guide names: {required}.",
    },
    "direction.partner_continents.missing": {
        "zh": "缺少来自以下大洲的合作单位：{missing}（指南要求：{requirement}）。",
        "en": "No partner from: {missing} (the guide requires: {requirement}).",
    },
    "direction.testing_institution.pass": {
        "zh": "参加单位包含所需类型（{kind}）的单位：{units}。",
        "en": "The units include the required kind of institution ({kind}): {units}.",
    },
    "direction.testing_institution.missing": {
        "zh": "参加单位中所需类型（{kind}）的单位 {count} 家，少于要求的 {required} 家（{requirement}）。",
        "en": "{count} unit(s) of the required kind ({kind}), fewer than the {required} required "
        "({requirement}).",
    },
    "direction.hgr_license.pass": {
        "zh": "具备所需资质（人类遗传资源保藏行政许可）的单位：{units}。",
        "en": "Units holding the required licence (human genetic resources preservation): {units}.",
    },
    "direction.hgr_license.missing": {
        "zh": "没有单位具备所需资质（人类遗传资源保藏行政许可），要求 {required} 家（{requirement}）。",
        "en": "No unit holds the required human genetic resources preservation licence ({required} "
        "required; {requirement}).",
    },
    "direction.indicator_coverage.pass": {
        "zh": "申报考核指标涵盖指南方向 {direction} 的全部 {total} 项量化考核指标。",
        "en": "The proposal's indicators cover all {total} quantitative indicators of direction {direction}.",
    },
    "direction.indicator_coverage.gaps": {
        "zh": "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。缺少：{missing}；"
        "低于指南：{weaker}。",
        "en": "The proposal's indicators do not fully cover the {total} quantitative indicators of "
        "direction {direction}. Missing: {missing}; weaker than the guide: {weaker}.",
    },
    # --- fixes -----------------------------------------------------------------------
    "fix.fill_missing": {
        "zh": "请补充填写缺少的内容。",
        "en": "Fill in the missing fields.",
    },
    "fix.choose_direction": {
        "zh": "请选择本年度指南中的二级指南方向（如 1.1）。",
        "en": "Choose a second-level direction of this year's guide (e.g. 1.1).",
    },
    "fix.attach_recommendation_letter": {
        "zh": "请上传推荐单位出具的推荐函。",
        "en": "Upload the recommendation letter issued by the recommender.",
    },
    "fix.use_designated_recommender": {
        "zh": "请通过指南规定的推荐单位推荐，或核对推荐单位名称。",
        "en": "Apply through a designated recommender, or correct the recommender's name.",
    },
    "fix.withdraw_duplicate": {
        "zh": "同一项目只能通过一个推荐单位申报一次，请撤回重复的申报。",
        "en": "A project may be submitted once, through one recommender; withdraw the duplicates.",
    },
    "fix.check_direction": {
        "zh": "请核对申报方向，或使申报内容与所选方向相符。",
        "en": "Check the chosen direction, or align the content with it.",
    },
    "fix.pi_birth_date": {
        "zh": "请核对出生日期；如无误，须更换 {cutoff} 以后出生的项目负责人。",
        "en": "Check the birth date; if correct, choose a PI born on or after {cutoff}.",
    },
    "fix.pi_qualification": {
        "zh": "请核对职称和学位；项目负责人须具有高级职称或博士学位。",
        "en": "Check the title and degree; the PI needs a senior title or a doctorate.",
    },
    "fix.attach_employment_proof": {
        "zh": "请上传聘用证明材料：全职由内地聘用单位提供，非全职由双方单位分别提供（共 {required} 份）。",
        "en": "Upload the employment proofs: full-time from the mainland employer, part-time from "
        "both employers ({required} in all).",
    },
    "fix.pi_employer": {
        "zh": "境外项目负责人须受聘于内地单位，请核对聘用单位或更换项目负责人。",
        "en": "A non-mainland PI must be employed by a mainland unit; check the employer or change the PI.",
    },
    "fix.withdraw_other_pi_proposals": {
        "zh": "项目负责人限申报 1 个项目，请撤回其他申报或更换项目负责人。",
        "en": "A PI may lead one proposal only; withdraw the others or change the PI.",
    },
    "fix.replace_pi": {
        "zh": "请更换项目负责人。",
        "en": "Change the PI.",
    },
    "fix.replace_member": {
        "zh": "请将该人员移出项目骨干名单。",
        "en": "Remove this person from the key members.",
    },
    "fix.leave_other_proposals": {
        "zh": "每人只能主持或参与 1 项本专项项目，请退出其他申报项目或从本项目中移除该人员。",
        "en": "Each person may lead or join one proposal of this special project; leave the others "
        "or remove the person here.",
    },
    "fix.review_guide_expert": {
        "zh": "请人工核实该人员是否参与了指南编制。",
        "en": "Check by hand whether this person helped draft the guide.",
    },
    "fix.replace_person": {
        "zh": "请更换该人员。",
        "en": "Replace this person.",
    },
    "fix.mainland_lead_unit": {
        "zh": "牵头单位须为在中国大陆境内登记注册的法人单位。",
        "en": "The lead unit must be a legal person registered in mainland China.",
    },
    "fix.correct_credit_code": {
        "zh": "请核对并更正统一社会信用代码。",
        "en": "Check and correct the unified social credit code.",
    },
    "fix.remove_state_organ": {
        "zh": "国家机关不得牵头或参与申报，请移除该单位或更正单位性质。",
        "en": "State organs may not take part; remove the unit or correct its type.",
    },
    "fix.unit_registration_date": {
        "zh": "请核对注册时间；注册时间须在 {cutoff} 前，否则请更换单位。",
        "en": "Check the registration date; it must be on or before {cutoff}, otherwise replace the unit.",
    },
    "fix.replace_unit": {
        "zh": "请更换该单位。",
        "en": "Replace this unit.",
    },
    "fix.remove_subtasks": {
        "zh": "请删除课题，由项目直接组织实施。",
        "en": "Remove the subtasks; the project is carried out as a whole.",
    },
    "fix.reduce_subtasks": {
        "zh": "请将课题减至 {limit} 个以内。",
        "en": "Reduce the subtasks to {limit} or fewer.",
    },
    "fix.task_lead_birth_date": {
        "zh": "请核对课题负责人出生日期；如无误，须更换 {cutoff} 以后出生的课题负责人。",
        "en": "Check the task lead's birth date; if correct, choose a lead born on or after {cutoff}.",
    },
    "fix.reduce_units": {
        "zh": "请将参与单位（含牵头单位）减至 {limit} 家以内。",
        "en": "Reduce the participating units (lead included) to {limit} or fewer.",
    },
    "fix.pi_gender": {
        "zh": "请填写项目负责人的性别（身份证号非大陆居民身份证时须填写）。",
        "en": "Enter the PI's gender (needed when the ID is not a mainland resident ID card).",
    },
    "fix.reduce_domestic_units": {
        "zh": "请将中方参与单位减至 {limit} 家以内。",
        "en": "Reduce the Chinese units to {limit} or fewer.",
    },
    "fix.add_foreign_partner": {
        "zh": "请增加国（境）外参与单位，至少 {required} 家。",
        "en": "Add partner units from outside mainland China, at least {required}.",
    },
    "fix.shorten_period": {
        "zh": "请将实施周期缩短至 {max_years} 年（{max_months} 个月）以内。",
        "en": "Shorten the period to {max_years} years ({max_months} months) or less.",
    },
    "fix.correct_dates": {
        "zh": "请核对开始和结束日期。",
        "en": "Check the start and end dates.",
    },
    "fix.raise_matching": {
        "zh": "请将配套经费提高到至少 {required_matching} 万元。",
        "en": "Raise the matching funding to at least {required_matching} (10k CNY).",
    },
    "fix.add_partner_countries": {
        "zh": "请增加来自其他国家的合作单位，至少达到 {required} 个国家。",
        "en": "Add partners from further countries, to reach at least {required}.",
    },
    "fix.add_partner_continents": {
        "zh": "请增加来自以下大洲的合作单位：{missing}。",
        "en": "Add partners from: {missing}.",
    },
    "fix.add_testing_institution": {
        "zh": "请增加所需类型（{kind}）的参加单位，或标注已有单位的类型（如第三方公共检测机构）。",
        "en": "Add a participating unit of the required kind ({kind}), or record that kind on an "
        "existing unit (e.g. third-party public testing institution).",
    },
    "fix.add_hgr_license_holder": {
        "zh": "临床样本保藏机构须具备人类遗传资源保藏行政许可，请补充具备资质的单位或标注资质。",
        "en": "The clinical sample repository must hold the human genetic resources preservation "
        "licence; add such a unit or record its licence.",
    },
    "fix.cover_indicators": {
        "zh": "申报项目须涵盖指南所列的全部考核指标，请补充或提高相应指标。",
        "en": "The proposal must cover all the guide's indicators; add or raise the listed ones.",
    },
}

# Shorter wordings of a message for when one of its list params is empty
# (``SHORTER[message_id][param]``), so a report never reads "低于指南：—". Used by
# ``labels.message`` (the report, CSV, XLSX and PDF); the JSON export keeps ``render``.
SHORTER: dict[str, dict[str, dict[str, str]]] = {
    "direction.indicator_coverage.gaps": {
        "weaker": {
            "zh": "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。缺少：{missing}。",
            "en": "The proposal's indicators do not fully cover the {total} quantitative indicators of "
            "direction {direction}. Missing: {missing}.",
        },
        "missing": {
            "zh": "申报考核指标未完全涵盖指南方向 {direction} 的 {total} 项量化考核指标。低于指南：{weaker}。",
            "en": "The proposal's indicators do not fully cover the {total} quantitative indicators of "
            "direction {direction}. Weaker than the guide: {weaker}.",
        },
    },
}

RULE_TITLES: dict[str, dict[str, str]] = {
    "direction.exists": {"zh": "指南方向存在", "en": "Direction exists"},
    "submission.complete": {"zh": "申报书填写完整", "en": "Application complete"},
    "recommendation.letter": {"zh": "推荐函", "en": "Recommendation letter"},
    "recommendation.recommender": {"zh": "推荐单位", "en": "Designated recommender"},
    "submission.duplicate": {"zh": "多头或重复申报", "en": "Duplicate submission"},
    "direction.relevance": {"zh": "与指南方向相符", "en": "Fits the direction"},
    "pi.age": {"zh": "项目负责人年龄", "en": "PI age"},
    "pi.qualification": {"zh": "项目负责人职称或学位", "en": "PI title or degree"},
    "pi.employment_proof": {"zh": "境外项目负责人聘用材料", "en": "Non-mainland PI employment proof"},
    "pi.single_project": {"zh": "项目负责人限报 1 项", "en": "PI leads one proposal"},
    "pi.ongoing_project": {"zh": "项目负责人在研项目", "en": "PI ongoing projects"},
    "member.ongoing_project": {"zh": "项目骨干在研项目", "en": "Key members' ongoing projects"},
    "person.single_project": {"zh": "主持或参与限 1 项", "en": "One proposal per person"},
    "person.guide_expert": {"zh": "指南编制专家", "en": "Guide drafting experts"},
    "person.integrity": {"zh": "人员诚信", "en": "Personal integrity"},
    "pi.civil_servant": {"zh": "国家机关公务人员", "en": "Civil servants"},
    "unit.mainland_registered": {"zh": "大陆境内注册法人单位", "en": "Registered in mainland China"},
    "unit.state_organ": {"zh": "国家机关不得参与", "en": "No state organs"},
    "unit.registration_date": {"zh": "单位注册时间", "en": "Unit registration date"},
    "unit.integrity": {"zh": "单位诚信", "en": "Unit integrity"},
    "units.domestic_limit": {"zh": "中方参与单位数", "en": "Number of Chinese units"},
    "units.total_limit": {"zh": "参与单位总数", "en": "Number of participating units"},
    "units.foreign_partner": {"zh": "国（境）外参与单位", "en": "Partners outside mainland China"},
    "project.duration": {"zh": "实施周期", "en": "Project period"},
    "project.subtasks": {"zh": "下设课题", "en": "Subtasks"},
    "budget.matching_ratio": {"zh": "配套经费比例", "en": "Matching funding ratio"},
    "direction.partner_countries": {"zh": "合作国家数", "en": "Partner countries"},
    "direction.partner_continents": {"zh": "合作单位所在大洲", "en": "Partner continents"},
    "direction.testing_institution": {"zh": "第三方检测机构", "en": "Third-party testing institution"},
    "direction.hgr_license": {"zh": "人类遗传资源保藏许可", "en": "Human genetic resources licence"},
    "direction.indicator_coverage": {"zh": "考核指标覆盖", "en": "Indicator coverage"},
}

_LIST_SEPARATOR = {"zh": "、", "en": ", "}
_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _display(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        yes, no = _BOOL.get(lang, _BOOL["en"])
        return yes if value else no
    if isinstance(value, list | tuple | set | frozenset):
        items = [_display(v, lang) for v in value]
        return _LIST_SEPARATOR.get(lang, ", ").join(items) if items else "—"
    return str(value)


def _raw(message_id: str, params: dict[str, Any] | None) -> str:
    try:
        shown = json.dumps(params or {}, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        shown = repr(params)
    return f"{message_id} {shown}"


def render(
    message_id: str, params: dict[str, Any] | None = None, lang: str = "zh", *, strict: bool = False
) -> str:
    """The message in ``lang`` ("zh" or "en"; others fall back to zh) with its
    params filled in. Lists are joined, booleans shown as 是/否 or yes/no.

    An unknown id or a missing param gives ``"<id> <params as JSON>"`` — or, with
    ``strict=True``, raises ``KeyError`` (for tests).
    """
    entry = MESSAGES.get(message_id)
    if entry is None:
        if strict:
            raise KeyError(message_id)
        return _raw(message_id, params)
    template = entry.get(lang) or entry["zh"]
    values = {k: _display(v, lang) for k, v in (params or {}).items()}
    missing = placeholders(template) - values.keys()
    if missing:
        if strict:
            raise KeyError(f"{message_id}: missing {sorted(missing)}")
        return _raw(message_id, params)
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        if strict:
            raise
        return _raw(message_id, params)


def fill(template: str, params: dict[str, Any], lang: str = "zh") -> str | None:
    """``template`` with ``params`` shown as ``render`` shows them; None when a
    placeholder has no param."""
    values = {k: _display(v, lang) for k, v in params.items()}
    if placeholders(template) - values.keys():
        return None
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None


def rule_title(rule_id: str, lang: str = "zh") -> str:
    entry = RULE_TITLES.get(rule_id)
    if entry is None:
        return rule_id
    return entry.get(lang) or entry["zh"]
