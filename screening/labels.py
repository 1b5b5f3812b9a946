"""What people read instead of the codes a finding stores: field paths
(``units[2].type``), codes in params and evidence (``state_organ``, ``DE``,
``asia``, ``licence``) and the evidence items themselves, in zh / en.

* ``field_label("units[2].type", "zh", names)`` → "第 3 家参与单位“某市发展和改革委员会”的单位类型"
* ``evidence_lines(evidence, "en", names)`` → ["PI is a civil servant: no", …], each line once
* ``message(message_id, params, lang, names)`` → the finding's message with its
  codes shown as words (``messages.render`` keeps the raw wording for the JSON export)
* ``names_of(findings)`` → ``{"units[2]": "某市发展和改革委员会", "members[1]": "王强"}``
  gathered from the params and evidence of one run's findings

Only rendering: the stored rule, message_id, params, field and evidence stay as they
are. Every call takes its language ("zh", "en"), so exports render either language
whatever the request's language is.

This is the Django side of ``screening.messages``: importing it installs Django's gettext as the
messages' translator, so findings, fixes and rule titles are read from the gettext catalogues
(``locale/<lang>/LC_MESSAGES/django.po``) in the language asked for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from . import messages as _messages
from .messages import MESSAGES, fill, render, rule_title, shorter

# The messages' languages ("zh", "en") as Django names them.
DJANGO_LANGUAGES = {"zh": "zh-hans", "en": "en"}


@functools.lru_cache(maxsize=4096)
def django_translate(text: str, lang: str, context: str | None = None) -> str:
    """``text`` (a Chinese msgid) from the gettext catalogue of ``lang``, whatever language is active.
    Remembered: an export renders the same few hundred texts hundreds of thousands of times, and
    switching the active language costs more than the rest of a message (the catalogues are read once
    per process, as Django reads them; a change of the settings that locate them forgets this too)."""
    with translation.override(DJANGO_LANGUAGES.get(lang, lang)):
        return translation.pgettext(context, text) if context else translation.gettext(text)


@receiver(setting_changed)
def _forget_translations(*, setting: str, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        django_translate.cache_clear()


_messages.install_translator(django_translate)

Names = dict[str, str]

_SEP = {"zh": "、", "en": ", "}
_COLON = {"zh": "：", "en": ": "}
_BOOL = {"zh": ("是", "否"), "en": ("yes", "no")}
_NOT_GIVEN = {"zh": "未填写", "en": "not given"}
_NONE = {"zh": "无", "en": "none"}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "pass": {"zh": "通过", "en": "Pass"},
    "fail": {"zh": "不通过", "en": "Fail"},
    "warn": {"zh": "提醒", "en": "Warning"},
    "unknown": {"zh": "无法判定", "en": "Undecidable"},
    "not_applicable": {"zh": "不适用", "en": "Not applicable"},
    "queued": {"zh": "排队中", "en": "Queued"},
    "running": {"zh": "运行中", "en": "Running"},
    "done": {"zh": "已完成", "en": "Completed"},
    "failed": {"zh": "失败", "en": "Failed"},
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "reference": {"zh": "编号", "en": "Reference"},
    "guide_year": {"zh": "指南年度", "en": "Guide year"},
    "direction": {"zh": "指南方向", "en": "Guide direction"},
    "title": {"zh": "项目名称", "en": "Project title"},
    "recommender": {"zh": "推荐单位", "en": "Recommender"},
    "start_date": {"zh": "开始日期", "en": "Start date"},
    "end_date": {"zh": "结束日期", "en": "End date"},
    "budget": {"zh": "经费", "en": "Budget"},
    "budget.national": {"zh": "国拨经费（万元）", "en": "National funding (10k CNY)"},
    "budget.matching": {"zh": "配套经费（万元）", "en": "Matching funding (10k CNY)"},
    "research_content": {"zh": "研究内容", "en": "Research content"},
    "indicators": {"zh": "考核指标", "en": "Indicators"},
    "indicators_text": {"zh": "考核指标", "en": "Indicators"},
    "pi": {"zh": "项目负责人", "en": "PI"},
    "members": {"zh": "项目骨干", "en": "Key members"},
    "units": {"zh": "申报单位及参与单位", "en": "Units"},
    "units[lead]": {"zh": "牵头单位", "en": "Lead unit"},
    "attachments": {"zh": "附件", "en": "Attachments"},
}
PERSON_LABELS: dict[str, dict[str, str]] = {
    "name": {"zh": "姓名", "en": "name"},
    "id_number": {"zh": "证件号码", "en": "ID number"},
    "birth_date": {"zh": "出生日期", "en": "date of birth"},
    "nationality": {"zh": "国籍/地区", "en": "nationality"},
    "title": {"zh": "职称", "en": "professional title"},
    "degree": {"zh": "学位", "en": "degree"},
    "employer": {"zh": "工作单位", "en": "employer"},
    "employment": {"zh": "聘用方式", "en": "employment"},
    "employment_proofs": {"zh": "聘用证明份数", "en": "employment proofs"},
    "civil_servant": {"zh": "是否为公务人员", "en": "is a civil servant"},
    "role": {"zh": "分工", "en": "role"},
}
UNIT_LABELS: dict[str, dict[str, str]] = {
    "name": {"zh": "单位名称", "en": "name"},
    "credit_code": {"zh": "统一社会信用代码", "en": "unified social credit code"},
    "country": {"zh": "国别/地区", "en": "country or region"},
    "type": {"zh": "单位类型", "en": "type"},
    "registered_on": {"zh": "注册日期", "en": "registration date"},
    "role": {"zh": "角色", "en": "role"},
    "third_party_testing": {
        "zh": "是否为第三方公共检测机构",
        "en": "is a third-party public testing institution",
    },
    "hgr_license": {
        "zh": "是否具备人类遗传资源保藏行政许可",
        "en": "holds the human genetic resources preservation licence",
    },
}

UNIT_TYPES: dict[str, dict[str, str]] = {
    "university": {"zh": "高等学校", "en": "university"},
    "research_institute": {"zh": "科研院所", "en": "research institute"},
    "enterprise": {"zh": "企业", "en": "enterprise"},
    "state_organ": {"zh": "国家机关", "en": "government agency"},
    "international_organization": {"zh": "国际组织", "en": "international organization"},
    "other": {"zh": "其他", "en": "other"},
}
CODES: dict[str, dict[str, str]] = {
    # employment
    "full_time": {"zh": "全职", "en": "full-time"},
    "part_time": {"zh": "兼职", "en": "part-time"},
    # attachments
    "recommendation_letter": {"zh": "推荐函", "en": "recommendation letter"},
    "employment_proof": {"zh": "聘用证明", "en": "proof of employment"},
    "cooperation_agreement": {"zh": "合作协议", "en": "cooperation agreement"},
    "draft": {"zh": "申报书草稿", "en": "draft application"},
    # continents
    "asia": {"zh": "亚洲", "en": "Asia"},
    "europe": {"zh": "欧洲", "en": "Europe"},
    "americas": {"zh": "美洲", "en": "the Americas"},
    "north_america": {"zh": "北美洲", "en": "North America"},
    "south_america": {"zh": "南美洲", "en": "South America"},
    "africa": {"zh": "非洲", "en": "Africa"},
    "oceania": {"zh": "大洋洲", "en": "Oceania"},
    # institution kinds and licences a direction may require
    "third_party_testing": {"zh": "第三方公共检测机构", "en": "third-party public testing institution"},
    "testing_institution": {"zh": "第三方公共检测机构", "en": "third-party public testing institution"},
    "hgr_license": {"zh": "人类遗传资源保藏行政许可", "en": "human genetic resources preservation licence"},
    **UNIT_TYPES,
}
# What a direction or a guide may set (``common.direction_no_requirement``,
# ``common.guide_param_absent``, ``common.bad_requirement``).
REQUIREMENTS: dict[str, dict[str, str]] = {
    "foreign_countries": {"zh": "合作国家数量", "en": "number of partner countries"},
    "continents": {"zh": "合作单位所在大洲", "en": "continents of the partners"},
    "institution_kind": {"zh": "特定类型的参加单位", "en": "a participating unit of a given kind"},
    "licence": {"zh": "单位资质许可", "en": "a unit licence"},
    "matching_ratio": {"zh": "配套经费比例", "en": "matching funding ratio"},
    "indicators": {"zh": "量化考核指标", "en": "quantitative indicators"},
    "pi_born_on_or_after": {"zh": "项目负责人出生日期要求", "en": "the PI's birth-date limit"},
    "max_duration_years": {"zh": "实施周期上限", "en": "the longest project period"},
    "unit_registered_by": {"zh": "单位注册时间要求", "en": "the unit registration deadline"},
    "max_domestic_units": {"zh": "中方参与单位数上限", "en": "the limit on Chinese units"},
    "max_units": {"zh": "参与单位总数上限", "en": "the limit on participating units"},
    "max_subtasks": {"zh": "下设课题数上限", "en": "the limit on subtasks"},
    "subtasks_allowed": {"zh": "可否下设课题", "en": "whether subtasks are allowed"},
    "task_lead_born_on_or_after": {"zh": "课题负责人出生日期要求", "en": "the task leads' birth-date limit"},
    "min_foreign_units": {
        "zh": "国（境）外参与单位最少数量",
        "en": "the minimum number of partners outside mainland China",
    },
}
REGISTRIES: dict[str, dict[str, str]] = {
    "ongoing_projects": {"zh": "在研项目名单", "en": "ongoing projects"},
    "misconduct_people": {"zh": "失信人员名单", "en": "misconduct registry (people)"},
    "misconduct_units": {"zh": "失信单位名单", "en": "misconduct registry (units)"},
    "misconduct": {"zh": "失信记录", "en": "misconduct registry"},
    "guide_experts": {"zh": "指南编制专家名单", "en": "guide drafting experts"},
    "recommenders": {"zh": "推荐单位名单", "en": "designated recommenders"},
}
ROLES: dict[str, dict[str, str]] = {
    "project_lead": {"zh": "项目负责人", "en": "project lead"},
    "task_lead": {"zh": "任务（课题）负责人", "en": "task lead"},
    "pi": {"zh": "项目负责人", "en": "PI"},
    "member": {"zh": "项目骨干", "en": "key member"},
}
COUNTRIES_EN = {
    "CN": "China",
    "HK": "Hong Kong, China",
    "MO": "Macao, China",
    "TW": "Taiwan, China",
    "JP": "Japan",
    "DE": "Germany",
    "US": "United States",
    "GB": "United Kingdom",
    "FR": "France",
    "IT": "Italy",
    "RU": "Russia",
    "KR": "South Korea",
    "KP": "North Korea",
    "SG": "Singapore",
    "AU": "Australia",
    "CA": "Canada",
    "BR": "Brazil",
    "IN": "India",
    "ZA": "South Africa",
    "PG": "Papua New Guinea",
}

_ITEM = re.compile(r"(units|members)\[(\d+)\](?:\.(\w+))?")


def _pick(entry: dict[str, str] | None, lang: str, default: str) -> str:
    if not entry:
        return default
    return entry.get(lang) or entry["zh"]


def code_label(code: str, lang: str) -> str:
    return _pick(CODES.get(code), lang, code)


def status_label(status: str, lang: str) -> str:
    return _pick(STATUS_LABELS.get(status), lang, status)


def country_label(code: Any, lang: str) -> str:
    if not code:
        return _NOT_GIVEN[lang]
    code = str(code)
    if lang == "en":
        return COUNTRIES_EN.get(code, code)
    from proposals.interchange import country_name_zh

    return country_name_zh(code) or code


def clause_label(clause: str, lang: str) -> str:
    """'2(1)' → '形式审查 2(1)' / 'Formal review 2(1)'; 'direction 5.2' → '指南方向 5.2'."""
    if clause.startswith("direction "):
        code = clause.removeprefix("direction ")
        return f"指南方向 {code}" if lang == "zh" else f"Guide direction {code}"
    if clause[:1].isdigit():
        return f"形式审查 {clause}" if lang == "zh" else f"Formal review {clause}"
    if clause == "二":
        return "总体要求（指南第二部分）" if lang == "zh" else "General requirements (part 2 of the guide)"
    return clause or "—"


def who_label(base: str, lang: str, names: Names | None = None) -> str:
    """``pi`` → 项目负责人 / PI; ``members[1]`` → 第 2 位项目骨干“王强” / Key member 2 “王强”;
    ``units[1]`` → 第 2 家参与单位“…” / Participant unit 2 “…”."""
    if base in FIELD_LABELS:
        return FIELD_LABELS[base][lang]
    m = _ITEM.fullmatch(base)
    if not m:
        return base
    kind, index, _ = m.groups()
    n = int(index) + 1
    if kind == "units":
        head = f"第 {n} 家参与单位" if lang == "zh" else f"Participant unit {n}"
    else:
        head = f"第 {n} 位项目骨干" if lang == "zh" else f"Key member {n}"
    name = (names or {}).get(base)
    if name:
        head += f"“{name}”" if lang == "zh" else f" “{name}”"
    return head


def _split(path: str) -> tuple[str, str | None]:
    """'units[2].type' → ('units[2]', 'type'); 'pi.birth_date' → ('pi', 'birth_date')."""
    m = _ITEM.fullmatch(path)
    if m:
        kind, index, key = m.groups()
        return f"{kind}[{index}]", key
    if path.startswith("pi."):
        return "pi", path[3:]
    return path, None


def field_label(path: str, lang: str = "zh", names: Names | None = None) -> str:
    """A field path as a person would name it ("项目负责人出生日期", "PI date of birth")."""
    if not path:
        return ""
    if path in FIELD_LABELS:
        return FIELD_LABELS[path][lang]
    base, key = _split(path)
    if base != "pi" and not _ITEM.fullmatch(base):
        return path
    who = who_label(base, lang, names)
    if key is None:
        return who
    labels = UNIT_LABELS if base.startswith("units") else PERSON_LABELS
    label = _pick(labels.get(key), lang, key)
    if lang == "en":
        return f"{who} {label}"
    joiner = "" if base == "pi" or label.startswith("是否") else "的"
    return f"{who}{joiner}{label}"


def _join(items: list[str], lang: str) -> str:
    return _SEP[lang].join(items) if items else _NONE[lang]


def value_label(path: str, value: Any, lang: str = "zh") -> str:
    """A stored value shown for its field: codes as words, booleans as 是/否."""
    key = _split(path)[1] or path
    if value is None or value == "":
        return _NOT_GIVEN[lang]
    if isinstance(value, bool):
        yes, no = _BOOL[lang]
        return yes if value else no
    if isinstance(value, list | tuple):
        return _join([value_label(path, v, lang) for v in value], lang)
    if key in ("country", "nationality"):
        return country_label(value, lang)
    if isinstance(value, str) and value in CODES:
        return code_label(value, lang)
    return str(value)


# --- messages ------------------------------------------------------------------------

# How to show a param, by message (``"*"``: every message). Kinds: path, paths,
# who (a path shown as the person or unit it names), unit_paths, country(ies),
# code(s), requirement, registry, rule.
_PARAM_KINDS: dict[str, dict[str, str]] = {
    "*": {"path": "who", "unit": "who"},
    "common.guide_param_absent": {"param": "requirement"},
    "common.guide_param_missing": {"param": "requirement"},
    "common.guide_param_needs_gender": {"param": "requirement"},
    "common.guide_param_ambiguous": {"param": "requirement"},
    "common.direction_no_requirement": {"requirement": "requirement"},
    "common.bad_requirement": {"requirement": "requirement", "value": "codes"},
    "common.data_missing": {"field": "paths"},
    "common.registry_not_loaded": {"registry": "registry"},
    "rule.error": {"rule": "rule"},
    "rule.no_result": {"rule": "rule"},
    "rule.bad_result": {"rule": "rule"},
    "submission.complete.missing": {"missing": "paths"},
    "pi.qualification.unknown": {"missing": "paths"},
    "pi.employment_proof.pass": {"nationality": "country"},
    "pi.employment_proof.insufficient": {"nationality": "country"},
    "pi.employment_proof.not_mainland_employer": {"country": "country"},
    "unit.mainland_registered.lead_outside_mainland": {"country": "country"},
    "units.domestic_limit.unknown_country": {"units": "unit_paths"},
    "units.foreign_partner.unknown_country": {"units": "unit_paths"},
    "direction.partner_countries.pass": {"countries": "countries"},
    "direction.partner_countries.short": {"countries": "countries"},
    "direction.partner_countries.unknown_country": {"countries": "countries", "units": "unit_paths"},
    "direction.partner_continents.pass": {"required": "codes"},
    "direction.partner_continents.missing": {"required": "codes", "missing": "codes"},
    "fix.add_partner_continents": {"missing": "codes"},
    "direction.testing_institution.pass": {"kind": "codes", "units": "unit_paths"},
    "direction.testing_institution.missing": {"kind": "codes", "units": "unit_paths"},
    "fix.add_testing_institution": {"kind": "codes"},
    "direction.hgr_license.pass": {"units": "unit_paths"},
    "direction.hgr_license.missing": {"units": "unit_paths"},
}
# Free-text params that may be empty and read better said so.
_MAY_BE_BLANK = {"title", "degree", "employer", "birth_date", "national", "matching"}


def _as_list(value: Any) -> list:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str) and ", " in value:
        return value.split(", ")
    return [value]


def _show(kind: str, value: Any, lang: str, names: Names | None) -> Any:
    if kind == "who":  # a path, or already a name
        text = str(value)
        return field_label(text, lang) if _ITEM.fullmatch(text) or _split(text)[0] == "pi" else text
    if kind == "paths":
        return _join([field_label(str(v), lang, names) for v in _as_list(value) if v], lang)
    if kind == "unit_paths":
        bases = [_split(str(v))[0] for v in _as_list(value)]
        return _join([who_label(b, lang, names) if _ITEM.fullmatch(b) else b for b in bases], lang)
    if kind in ("country", "countries"):
        return _join([country_label(v, lang) for v in _as_list(value)], lang)
    if kind in ("code", "codes"):
        return _join([code_label(str(v), lang) for v in _as_list(value)], lang)
    if kind == "requirement":
        return _pick(REQUIREMENTS.get(str(value)), lang, str(value))
    if kind == "registry":
        return _pick(REGISTRIES.get(str(value)), lang, str(value))
    if kind == "rule":
        return rule_title(str(value), lang)
    return value


def display_params(
    message_id: str, params: dict[str, Any] | None, lang: str = "zh", names: Names | None = None
) -> dict[str, Any]:
    kinds = _PARAM_KINDS["*"] | _PARAM_KINDS.get(message_id, {})
    shown: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key in kinds and value not in (None, ""):
            shown[key] = _show(kinds[key], value, lang, names)
        elif key in _MAY_BE_BLANK and value in (None, ""):
            shown[key] = _NOT_GIVEN[lang]
        elif isinstance(value, list | tuple) and not value:
            shown[key] = _NONE[lang]
        else:
            shown[key] = value
    return shown


def message(
    message_id: str, params: dict[str, Any] | None = None, lang: str = "zh", names: Names | None = None
) -> str:
    """The message for people: its codes and paths as words, and — where a list
    param is empty — the shorter wording of ``messages.SHORTER_TEXTS`` (no "低于指南：—")."""
    params = params or {}
    prefix = scope_prefix(params.get("scope"), lang)
    shown = display_params(message_id, params, lang, names)
    for empty_key in _messages.SHORTER_TEXTS.get(message_id, {}):
        if not params.get(empty_key) and message_id in MESSAGES:
            filled = fill(shorter(message_id, empty_key, lang) or "", shown, lang)
            if filled is not None:
                return prefix + filled
    return prefix + render(message_id, shown, lang)


_GENDERS = {"male": {"zh": "男性", "en": "male"}, "female": {"zh": "女性", "en": "female"}}


def scope_label(scope: Any, lang: str = "zh") -> str:
    """A condition's scope in words: "青年科学家项目（男性）", "方向 1.1", "young-scientist … (female)";
    "" for the whole call."""
    if not isinstance(scope, dict):
        return ""
    head = []
    if scope.get("direction"):
        head.append(f"方向 {scope['direction']}" if lang == "zh" else f"direction {scope['direction']}")
    if scope.get("project_type"):
        head.append(str(scope["project_type"]))
    gender = _GENDERS.get(str(scope.get("gender") or ""))
    text = "、".join(head) if lang == "zh" else ", ".join(head)
    if gender:
        shown = gender.get(lang) or gender["zh"]
        text = f"{text}（{shown}）" if lang == "zh" else f"{text} ({shown})"
    return text.strip()


def scope_prefix(scope: Any, lang: str = "zh") -> str:
    label = scope_label(scope, lang)
    if not label:
        return ""
    return f"{label}：" if lang == "zh" else f"{label}: "


# --- evidence ------------------------------------------------------------------------

_KNOWN_SOURCES = {"proposal", "guide", "tfidf", "id_number", *REGISTRIES}
_SIMILARITIES = {
    "title_similarity": {"zh": "名称相似度", "en": "title similarity"},
    "content_similarity": {"zh": "内容相似度", "en": "content similarity"},
}


def _evidence_line(item: dict, lang: str, names: Names | None) -> str:
    path = str(item.get("field") or "")
    value = item.get("value")
    source = item.get("source")
    colon = _COLON[lang]
    if "required" in item:  # direction.indicator_coverage: a guide indicator and the proposal's
        required = item["required"]
        if lang == "zh":
            return f"指南考核指标“{required}”：申报书为“{value}”，低于指南"
        return f"Guide indicator “{required}”: the proposal states “{value}”, weaker than the guide"
    if source == "id_number":  # the birth date read from the ID number
        base = _split(path)[0]
        label = (
            f"{who_label(base, lang, names)}身份证号中的出生日期"
            if lang == "zh"
            else f"{who_label(base, lang, names)} date of birth in the ID number"
        )
        return f"{label}{colon}{value_label('birth_date', value, lang)}"
    line = f"{field_label(path, lang, names)}{colon}{value_label(path, value, lang)}"
    notes = []
    if source == "tfidf" and "score" in item:
        notes.append(f"相似度 {item['score']}" if lang == "zh" else f"similarity {item['score']}")
    elif source in REGISTRIES:
        note = REGISTRIES[source][lang]
        if item.get("program"):
            note += f"{colon}{item['program']}"
        if item.get("role"):
            note += f"{_SEP[lang]}{_pick(ROLES.get(item['role']), lang, item['role'])}"
        notes.append(note)
    elif source and source not in _KNOWN_SOURCES:  # another proposal's reference
        notes.append(f"项目 {source}" if lang == "zh" else f"proposal {source}")
        for key, words in _SIMILARITIES.items():
            if item.get(key) is not None:
                notes.append(f"{words[lang]} {item[key]}")
    if notes:
        line += f"（{'，'.join(notes)}）" if lang == "zh" else f" ({', '.join(notes)})"
    return line


def evidence_lines(
    evidence: Iterable[dict] | None, lang: str = "zh", names: Names | None = None
) -> list[str]:
    """One readable line per evidence item, each distinct line once, in order."""
    lines: list[str] = []
    unmatched = 0  # guide indicators the proposal has nothing to compare with: one line for all
    for item in evidence or []:
        if not isinstance(item, dict):
            continue
        if "required" in item and item.get("value") is None:
            unmatched += 1
            continue
        line = _evidence_line(item, lang, names)
        if line not in lines:
            lines.append(line)
    if unmatched:
        lines.append(
            f"申报书未给出可比较数值的指南考核指标：{unmatched} 项"
            if lang == "zh"
            else f"Guide indicators the proposal gives no value to compare with: {unmatched}"
        )
    return lines


def names_of(findings: Iterable[Any]) -> Names:
    """Person and unit names by path (``units[2]``, ``members[1]``), from the params
    (``unit``/``name`` with ``path``) and evidence (``unit=``) of findings."""
    names: Names = {}
    for f in findings:
        params = getattr(f, "params", None) or {}
        path = params.get("path")
        if isinstance(path, str) and _ITEM.fullmatch(path):
            name = params.get("unit") if path.startswith("units") else params.get("name")
            if name and name != path:
                names.setdefault(path, str(name))
        for item in getattr(f, "evidence", None) or []:
            if isinstance(item, dict) and item.get("unit"):
                base = _split(str(item.get("field") or ""))[0]
                if _ITEM.fullmatch(base):
                    names.setdefault(base, str(item["unit"]))
    return names
