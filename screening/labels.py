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
from decimal import Decimal
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from . import messages as _messages
from .messages import MESSAGES, Msg, fill, pgettext_lazy, render, rule_title, shorter

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

_SEP = _messages.LIST_SEPARATOR
_COLON = pgettext_lazy("预审结果", "：")
_BOOL = (pgettext_lazy("预审结果", "是"), pgettext_lazy("预审结果", "否"))
_NOT_GIVEN = pgettext_lazy("预审结果", "未填写")
_NONE = pgettext_lazy("预审结果", "无")

STATUS_LABELS: dict[str, Msg] = {
    "pass": pgettext_lazy("预审结果", "通过"),
    "fail": pgettext_lazy("预审结果", "不通过"),
    "warn": pgettext_lazy("预审结果", "提醒"),
    "unknown": pgettext_lazy("预审结果", "无法判定"),
    "not_applicable": pgettext_lazy("预审结果", "不适用"),
    "queued": pgettext_lazy("预审结果", "排队中"),
    "running": pgettext_lazy("预审结果", "运行中"),
    "done": pgettext_lazy("预审结果", "已完成"),
    "failed": pgettext_lazy("预审结果", "失败"),
}

FIELD_LABELS: dict[str, Msg] = {
    "reference": pgettext_lazy("预审结果", "编号"),
    "guide_year": pgettext_lazy("预审结果", "指南年度"),
    "direction": pgettext_lazy("预审结果", "指南方向"),
    "title": pgettext_lazy("预审结果", "项目名称"),
    "recommender": pgettext_lazy("预审结果", "推荐单位"),
    "start_date": pgettext_lazy("预审结果", "开始日期"),
    "end_date": pgettext_lazy("预审结果", "结束日期"),
    "budget": pgettext_lazy("预审结果", "经费"),
    "budget.national": pgettext_lazy("预审结果", "国拨经费（万元）"),
    "budget.matching": pgettext_lazy("预审结果", "配套经费（万元）"),
    "research_content": pgettext_lazy("预审结果", "研究内容"),
    "indicators": pgettext_lazy("预审结果", "考核指标"),
    "indicators_text": pgettext_lazy("预审结果", "考核指标"),
    "pi": pgettext_lazy("预审结果", "项目负责人"),
    "members": pgettext_lazy("预审结果", "项目骨干"),
    "units": pgettext_lazy("预审结果", "申报单位及参与单位"),
    "units[lead]": pgettext_lazy("预审结果", "牵头单位"),
    "attachments": pgettext_lazy("预审结果", "附件"),
}
PERSON_LABELS: dict[str, Msg] = {
    "name": pgettext_lazy("预审结果", "姓名"),
    "id_number": pgettext_lazy("预审结果", "证件号码"),
    "birth_date": pgettext_lazy("预审结果", "出生日期"),
    "nationality": pgettext_lazy("预审结果", "国籍/地区"),
    "title": pgettext_lazy("预审结果", "职称"),
    "degree": pgettext_lazy("预审结果", "学位"),
    "employer": pgettext_lazy("预审结果", "工作单位"),
    "employment": pgettext_lazy("预审结果", "聘用方式"),
    "employment_proofs": pgettext_lazy("预审结果", "聘用证明份数"),
    "civil_servant": pgettext_lazy("预审结果", "是否为公务人员"),
    "role": pgettext_lazy("预审结果", "分工"),
}
UNIT_LABELS: dict[str, Msg] = {
    "name": pgettext_lazy("预审结果", "单位名称"),
    "credit_code": pgettext_lazy("预审结果", "统一社会信用代码"),
    "country": pgettext_lazy("预审结果", "国别/地区"),
    "type": pgettext_lazy("预审结果", "单位类型"),
    "registered_on": pgettext_lazy("预审结果", "注册日期"),
    "role": pgettext_lazy("预审结果", "角色"),
    "third_party_testing": pgettext_lazy("预审结果", "是否为第三方公共检测机构"),
    "hgr_license": pgettext_lazy("预审结果", "是否具备人类遗传资源保藏行政许可"),
}

UNIT_TYPES: dict[str, Msg] = {
    "university": pgettext_lazy("预审结果", "高等学校"),
    "research_institute": pgettext_lazy("预审结果", "科研院所"),
    "enterprise": pgettext_lazy("预审结果", "企业"),
    "state_organ": pgettext_lazy("预审结果", "国家机关"),
    "international_organization": pgettext_lazy("预审结果", "国际组织"),
    "other": pgettext_lazy("预审结果", "其他"),
}
CODES: dict[str, Msg] = {
    # employment
    "full_time": pgettext_lazy("预审结果", "全职"),
    "part_time": pgettext_lazy("预审结果", "兼职"),
    # attachments
    "recommendation_letter": pgettext_lazy("预审结果", "推荐函"),
    "employment_proof": pgettext_lazy("预审结果", "聘用证明"),
    "cooperation_agreement": pgettext_lazy("预审结果", "合作协议"),
    "draft": pgettext_lazy("预审结果", "申报书草稿"),
    # continents
    "asia": pgettext_lazy("预审结果", "亚洲"),
    "europe": pgettext_lazy("预审结果", "欧洲"),
    "americas": pgettext_lazy("预审结果", "美洲"),
    "north_america": pgettext_lazy("预审结果", "北美洲"),
    "south_america": pgettext_lazy("预审结果", "南美洲"),
    "africa": pgettext_lazy("预审结果", "非洲"),
    "oceania": pgettext_lazy("预审结果", "大洋洲"),
    # institution kinds and licences a direction may require
    "third_party_testing": pgettext_lazy("预审结果", "第三方公共检测机构"),
    "testing_institution": pgettext_lazy("预审结果", "第三方公共检测机构"),
    "hgr_license": pgettext_lazy("预审结果", "人类遗传资源保藏行政许可"),
    # the other kinds and licences the guide reader knows (guide.parsing.partners), which the rules
    # cannot check and name in an "undecidable" finding
    "hospital": pgettext_lazy("预审结果", "医院或医疗机构"),
    "hgr_preservation": pgettext_lazy("预审结果", "人类遗传资源保藏行政许可"),
    "hgr_collection": pgettext_lazy("预审结果", "人类遗传资源采集行政许可"),
    "hgr_international_cooperation": pgettext_lazy("预审结果", "人类遗传资源国际合作许可"),
    "hgr": pgettext_lazy("预审结果", "人类遗传资源相关行政许可"),
    "lab_animal": pgettext_lazy("预审结果", "实验动物相关许可"),
    "biosafety_level_3": pgettext_lazy("预审结果", "生物安全三级实验室资质"),
    "biosafety_level_4": pgettext_lazy("预审结果", "生物安全四级实验室资质"),
    "biosafety": pgettext_lazy("预审结果", "生物安全实验室资质"),
    "clinical_trial": pgettext_lazy("预审结果", "药物临床试验机构资质"),
    "biobank_accreditation": pgettext_lazy("预审结果", "生物样本库认可"),
    "medical_device": pgettext_lazy("预审结果", "医疗器械相关资质"),
    "radiation_safety": pgettext_lazy("预审结果", "辐射安全许可"),
    **UNIT_TYPES,
}
# What a direction or a guide may set (``common.direction_no_requirement``,
# ``common.guide_param_absent``, ``common.bad_requirement``).
REQUIREMENTS: dict[str, Msg] = {
    "foreign_countries": pgettext_lazy("预审结果", "合作国家数量"),
    "continents": pgettext_lazy("预审结果", "合作单位所在大洲"),
    "institution_kind": pgettext_lazy("预审结果", "特定类型的参加单位"),
    "licence": pgettext_lazy("预审结果", "单位资质许可"),
    "matching_ratio": pgettext_lazy("预审结果", "配套经费比例"),
    "indicators": pgettext_lazy("预审结果", "量化考核指标"),
    "pi_born_on_or_after": pgettext_lazy("预审结果", "项目负责人出生日期要求"),
    "max_duration_years": pgettext_lazy("预审结果", "实施周期上限"),
    "unit_registered_by": pgettext_lazy("预审结果", "单位注册时间要求"),
    "max_domestic_units": pgettext_lazy("预审结果", "中方参与单位数上限"),
    "max_units": pgettext_lazy("预审结果", "参与单位总数上限"),
    "max_subtasks": pgettext_lazy("预审结果", "下设课题数上限"),
    "subtasks_allowed": pgettext_lazy("预审结果", "可否下设课题"),
    "task_lead_born_on_or_after": pgettext_lazy("预审结果", "课题负责人出生日期要求"),
    "min_foreign_units": pgettext_lazy("预审结果", "国（境）外参与单位最少数量"),
}
REGISTRIES: dict[str, Msg] = {
    "ongoing_projects": pgettext_lazy("预审结果", "在研项目名单"),
    "misconduct_people": pgettext_lazy("预审结果", "失信人员名单"),
    "misconduct_units": pgettext_lazy("预审结果", "失信单位名单"),
    "misconduct": pgettext_lazy("预审结果", "失信记录"),
    "guide_experts": pgettext_lazy("预审结果", "指南编制专家名单"),
    "recommenders": pgettext_lazy("预审结果", "推荐单位名单"),
}
# A person's role: in an ongoing project of the registry, or in the proposal.
ROLES: dict[str, Msg] = {
    "project_lead": pgettext_lazy("在研项目角色", "项目负责人"),
    "task_lead": pgettext_lazy("在研项目角色", "任务（课题）负责人"),
    "pi": pgettext_lazy("申报书角色", "项目负责人"),
    "member": pgettext_lazy("申报书角色", "项目骨干"),
}
# Country names are translated with this context (the proposals' table names them in Chinese).
COUNTRY_CONTEXT = "国家或地区"

_ITEM = re.compile(r"(units|members)\[(\d+)\](?:\.(\w+))?")


# Phrases with {placeholders}, in the catalogue like the words above.
_UNIT_N = pgettext_lazy("预审结果", "第 {n} 家参与单位")
_MEMBER_N = pgettext_lazy("预审结果", "第 {n} 位项目骨干")
_NAMED = pgettext_lazy("预审结果", "{who}“{name}”")
_OF = pgettext_lazy("预审结果", "{who}的{label}")
_OWN = pgettext_lazy("预审结果", "{who}{label}")
_DIRECTION_CLAUSE = pgettext_lazy("预审结果", "指南方向 {code}")
_FORMAL_CLAUSE = pgettext_lazy("预审结果", "形式审查 {clause}")
_GENERAL_CLAUSE = pgettext_lazy("预审结果", "总体要求（指南第二部分）")
_SCOPE_DIRECTION = pgettext_lazy("预审结果", "方向 {code}")
_QUALIFIED = pgettext_lazy("预审结果", "{text}（{gender}）")
_PREFIX = pgettext_lazy("预审结果", "{label}：")
_WEAKER_INDICATOR = pgettext_lazy("预审结果", "指南考核指标“{required}”：申报书为“{value}”，低于指南")
_ID_BIRTH_DATE = pgettext_lazy("预审结果", "{who}身份证号中的出生日期")
_SIMILARITY = pgettext_lazy("预审结果", "相似度 {score}")
_OTHER_PROPOSAL = pgettext_lazy("预审结果", "项目 {reference}")
_NOTES = pgettext_lazy("预审结果", "{line}（{notes}）")
_NOTE_SEP = pgettext_lazy("预审结果", "，")
_UNMATCHED = pgettext_lazy("预审结果", "申报书未给出可比较数值的指南考核指标：{n} 项")


def say(msg: Msg, lang: str, **params: Any) -> str:
    """``msg`` from the catalogue in ``lang`` ("zh", "en"), its placeholders filled with ``params``."""
    text = _messages.translate(msg.text, lang, msg.context)
    return text.format_map(params) if params else text


def _pick(entry: Msg | None, lang: str, default: str) -> str:
    return say(entry, lang) if entry else default


def code_label(code: str, lang: str) -> str:
    return _pick(CODES.get(code), lang, code)


def status_label(status: str, lang: str) -> str:
    return _pick(STATUS_LABELS.get(status), lang, status)


def country_label(code: Any, lang: str) -> str:
    """A country or region by its name (the proposals' table of Chinese names, translated through the
    catalogue with the context 国家或地区, else the table's English name); a code nobody named stays a
    code."""
    if not code:
        return say(_NOT_GIVEN, lang)
    from proposals.interchange import country_name_en, country_name_zh

    code = str(code)
    name = country_name_zh(code) or code
    if lang == "zh" or name == code:
        return name
    translated = _messages.translate(name, lang, COUNTRY_CONTEXT)
    return translated if translated != name else country_name_en(code) or code


def clause_label(clause: str, lang: str) -> str:
    """'2(1)' → '形式审查 2(1)' / 'Formal review 2(1)'; 'direction 5.2' → '指南方向 5.2'."""
    if clause.startswith("direction "):
        code = clause.removeprefix("direction ")
        return say(_DIRECTION_CLAUSE, lang, code=code)
    if clause[:1].isdigit():
        return say(_FORMAL_CLAUSE, lang, clause=clause)
    if clause == "二":
        return say(_GENERAL_CLAUSE, lang)
    return clause or "—"


def who_label(base: str, lang: str, names: Names | None = None) -> str:
    """``pi`` → 项目负责人 / PI; ``members[1]`` → 第 2 位项目骨干“王强” / Key member 2 “王强”;
    ``units[1]`` → 第 2 家参与单位“…” / Participant unit 2 “…”."""
    if base in FIELD_LABELS:
        return say(FIELD_LABELS[base], lang)
    m = _ITEM.fullmatch(base)
    if not m:
        return base
    kind, index, _ = m.groups()
    head = say(_UNIT_N if kind == "units" else _MEMBER_N, lang, n=int(index) + 1)
    name = (names or {}).get(base)
    return say(_NAMED, lang, who=head, name=name) if name else head


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
    # the label depends on the path, the language, the name of the unit or member it names and the
    # catalogue only
    name = names.get(path.split(".", 1)[0]) if names else None
    return _field_label(path, lang, name, _messages.installed_translator())


@functools.lru_cache(maxsize=8192)  # a large export names the same fields hundreds of thousands of times
def _field_label(path: str, lang: str, name: str | None, _translator) -> str:
    if path in FIELD_LABELS:
        return say(FIELD_LABELS[path], lang)
    base, key = _split(path)
    if base != "pi" and not _ITEM.fullmatch(base):
        return path
    who = who_label(base, lang, {base: name} if name else None)
    if key is None:
        return who
    labels = UNIT_LABELS if base.startswith("units") else PERSON_LABELS
    entry = labels.get(key)
    # "项目负责人出生日期", "第 1 家参与单位是否为……", but "第 1 家参与单位的国别/地区"
    own = base == "pi" or (entry is not None and entry.text.startswith("是否"))
    return say(_OWN if own else _OF, lang, who=who, label=_pick(entry, lang, key))


def join_list(items: Iterable[str], lang: str) -> str:
    """Items joined the way ``lang`` separates a list ("甲、乙" / "A, B"); "" for none."""
    return say(_SEP, lang).join(items)


def _join(items: list[str], lang: str) -> str:
    return join_list(items, lang) if items else say(_NONE, lang)


def value_label(path: str, value: Any, lang: str = "zh") -> str:
    """A stored value shown for its field: codes as words, booleans as 是/否."""
    key = _split(path)[1] or path
    if value is None or value == "":
        return say(_NOT_GIVEN, lang)
    if isinstance(value, bool):
        return say(_BOOL[0] if value else _BOOL[1], lang)
    if isinstance(value, float | Decimal):
        return _messages.number_text(value)
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
    "direction.indicator_coverage.gaps": {"missing": "indicators", "weaker": "indicators"},
}
# Free-text params that may be empty and read better said so.
_MAY_BE_BLANK = {"title", "degree", "employer", "birth_date", "national", "matching"}


_COMPARATOR_WORDS = re.compile(r"(?<![<>=])(>=|<=|>|<)(?![<>=])")
_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def indicator_text(text: str) -> str:
    """An indicator as the guide writes it: "≥" and "≤" for the ">=" and "<=" of a description built
    from its parts ("效率 >= 90%" → "效率 ≥ 90%")."""
    return _COMPARATOR_WORDS.sub(lambda m: _SIGNS[m.group(1)], text)


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
    if kind == "indicators":
        return _join([indicator_text(str(v)) for v in _as_list(value)], lang)
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
            shown[key] = say(_NOT_GIVEN, lang)
        elif isinstance(value, list | tuple) and not value:
            shown[key] = say(_NONE, lang)
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


_GENDERS = {"male": pgettext_lazy("预审结果", "男性"), "female": pgettext_lazy("预审结果", "女性")}


def scope_label(scope: Any, lang: str = "zh") -> str:
    """A condition's scope in words: "青年科学家项目（男性）", "方向 1.1", "young-scientist … (female)";
    "" for the whole call."""
    if not isinstance(scope, dict):
        return ""
    head = []
    if scope.get("direction"):
        head.append(say(_SCOPE_DIRECTION, lang, code=scope["direction"]))
    if scope.get("project_type"):
        head.append(str(scope["project_type"]))
    gender = _GENDERS.get(str(scope.get("gender") or ""))
    text = say(_SEP, lang).join(head)
    if gender:
        text = say(_QUALIFIED, lang, text=text, gender=say(gender, lang))
    return text.strip()


def scope_prefix(scope: Any, lang: str = "zh") -> str:
    label = scope_label(scope, lang)
    if not label:
        return ""
    return say(_PREFIX, lang, label=label)


# --- evidence ------------------------------------------------------------------------

_KNOWN_SOURCES = {"proposal", "guide", "tfidf", "id_number", *REGISTRIES}
_SIMILARITIES = {
    "title_similarity": pgettext_lazy("预审结果", "名称相似度"),
    "content_similarity": pgettext_lazy("预审结果", "内容相似度"),
}


def _evidence_line(item: dict, lang: str, names: Names | None) -> str:
    path = str(item.get("field") or "")
    value = item.get("value")
    source = item.get("source")
    colon = say(_COLON, lang)
    if "required" in item:  # direction.indicator_coverage: a guide indicator and the proposal's
        return say(
            _WEAKER_INDICATOR,
            lang,
            required=indicator_text(str(item["required"])),
            value=indicator_text(str(value)),
        )
    if source == "id_number":  # the birth date read from the ID number
        label = say(_ID_BIRTH_DATE, lang, who=who_label(_split(path)[0], lang, names))
        return f"{label}{colon}{value_label('birth_date', value, lang)}"
    line = f"{field_label(path, lang, names)}{colon}{value_label(path, value, lang)}"
    notes = []
    if source == "tfidf" and "score" in item:
        notes.append(say(_SIMILARITY, lang, score=item["score"]))
    elif source in REGISTRIES:
        note = say(REGISTRIES[source], lang)
        if item.get("program"):
            note += f"{colon}{item['program']}"
        if item.get("role"):
            note += f"{say(_SEP, lang)}{_pick(ROLES.get(item['role']), lang, item['role'])}"
        notes.append(note)
    elif source and source not in _KNOWN_SOURCES:  # another proposal's reference
        notes.append(say(_OTHER_PROPOSAL, lang, reference=source))
        for key, words in _SIMILARITIES.items():
            if item.get(key) is not None:
                notes.append(f"{say(words, lang)} {item[key]}")
    if notes:
        line = say(_NOTES, lang, line=line, notes=say(_NOTE_SEP, lang).join(notes))
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
        lines.append(say(_UNMATCHED, lang, n=unmatched))
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
