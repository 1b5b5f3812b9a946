"""What the parser tells an officer about a reading, as codes with parameters.

A :class:`~guide.parsing.types.Notice` carries a ``code`` (``"indicator_qualitative"``) and ``params``
(``{"direction": "1.2", "n": 1}``); people read it in their language from the gettext catalogue, whose
msgid is the Chinese text here (marked with ``gettext_noop``; the English is in
``locale/en/LC_MESSAGES/django.po``). The notice also keeps an English sentence in ``message`` for the
logs and the command line (``english``), the wording the parser always wrote.

Notices stored by earlier readers have only that English sentence: :func:`recognise` reads the code and
the parameters back from it, so an older version's review page reads as a new one's; a sentence it does
not know is shown as stored.

Plain Python, no Django: :func:`render` takes a ``gettext``-like callable and a function that shows a
parameter (the Django side, ``guide.selectors.notice_text``, names parameters and scopes in words).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from common.templating import fill_or_none, placeholders

from .types import NO_SOURCE, WARNING, Notice, Source


def gettext_noop(text: str) -> str:
    """Marks ``text`` for the catalogue (``makemessages`` extracts the calls of this name); unchanged."""
    return text


class Wording(NamedTuple):
    zh: str  # the msgid
    en: str  # the English sentence kept in ``Notice.message`` (logs, command line, older readings)


# code → wording. The placeholders are the notice's params.
NOTICES: dict[str, Wording] = {
    "direction_without_area": Wording(
        gettext_noop("指南方向 {direction} 前没有领域标题（“{area}. ……”）。"),
        "direction {direction} has no area heading “{area}. ……”",
    ),
    "direction_numbering_gap": Wording(
        gettext_noop("指南方向 {direction} 紧接在 {previous} 之后，编号不连续。"),
        "direction {direction} follows {previous}: numbering gap",
    ),
    "heading_out_of_sequence": Wording(
        gettext_noop("“{text}”像是指南方向标题，但按编号此处应为 {expected}，已作为正文读取。"),
        "“{text}” looks like a direction heading but the numbering expects {expected}: read as text",
    ),
    "numbering_restarts": Wording(
        gettext_noop("编号在“{text}”处重新开始，其后的内容未作为指南方向读取。"),
        "numbering restarts at “{text}”: text after it is not read as directions",
    ),
    "area_numbering_gap": Wording(
        gettext_noop("领域 {area} 紧接在领域 {previous} 之后，编号不连续。"),
        "area {area} follows area {previous}: numbering gap",
    ),
    "text_before_label": Wording(
        gettext_noop("指南方向 {direction}：标签之前的文字已作为研究内容读取。"),
        "direction {direction}: text before any label read as 研究内容",
    ),
    "no_research_content": Wording(
        gettext_noop("指南方向 {direction} 没有研究内容。"),
        "direction {direction}: no 研究内容",
    ),
    "no_indicators": Wording(
        gettext_noop("指南方向 {direction} 没有考核指标。"),
        "direction {direction}: no 考核指标",
    ),
    "ratio_not_read": Wording(
        gettext_noop("指南方向 {direction} 提到了配套经费，但未能读出配套比例。"),
        "direction {direction}: matching funds mentioned but no ratio read",
    ),
    "unknown_licence": Wording(
        gettext_noop("指南方向 {direction}：无法识别的资质要求“{text}”。"),
        "direction {direction}: unknown licence “{text}”",
    ),
    "indicator_qualitative": Wording(
        gettext_noop("指南方向 {direction} 的指标 {n} 没有比较符（定性指标），请对照原文核对。"),
        "direction {direction}: indicator {n} has no comparator (qualitative): check it against the text",
    ),
    "no_formal_review": Wording(
        gettext_noop("未找到形式审查条件要求部分。"),
        "no formal review section (形式审查条件要求) found",
    ),
    "direction_count_mismatch": Wording(
        gettext_noop("指南写明 {declared} 个指南方向，实际读出 {found} 个。"),
        "the guide declares {declared} directions but {found} were found",
    ),
    "no_budget": Wording(
        gettext_noop("未找到国拨经费概算。"),
        "no national budget (国拨经费概算) found",
    ),
    "no_projects_per_direction": Wording(
        gettext_noop("未找到每个方向拟支持项目数：请填写，或确认指南未规定。"),
        "no number of projects per direction (拟支持项目数) found: enter it or confirm there is none",
    ),
    "no_formal_clauses": Wording(
        gettext_noop("形式审查条件要求部分没有编号的条款。"),
        "formal review section has no numbered clauses",
    ),
    "clause_unpunctuated": Wording(
        gettext_noop("形式审查条款 {clause} 末尾没有标点，可能不完整。"),
        "formal-review clause {clause} ends without punctuation: it may be cut short",
    ),
    "condition_missing": Wording(
        gettext_noop("未读出“{parameter}”：在填写取值或确认指南未规定之前，预审不检查此项。"),
        "no {parameter} found: screening will not check it until you enter one or confirm there is none",
    ),
    "condition_conflict": Wording(
        gettext_noop(
            "“{parameter}”在同一范围（{scope}）内有不同的取值（{values}）：发布前请指定各自的适用范围，"
            "或将其中之一设为“不采用”。"
        ),
        "{parameter} is stated with different values ({values}) for the same scope ({scope}): "
        "assign scopes or set one aside before publishing",
    ),
    "condition_unknown_type": Wording(
        gettext_noop("条件所针对的项目类型“{project_type}”没有任何指南方向属于，不适用于任何申报书。"),
        "condition for project type “{project_type}”, which no direction has: it applies to no proposal",
    ),
    "pdf_unmapped_font": Wording(
        gettext_noop("PDF 中有 {pages} 页使用了没有 Unicode 映射的字体，这些页的文字不完整。"),
        "{pages} PDF page(s) use a font without Unicode map: their text is incomplete",
    ),
}

# What a condition's parameter is called in the English sentence.
PARAMETER_WORDS = {
    "pi_born_on_or_after": "PI birth cutoff (项目负责人……以后出生)",
    "task_lead_born_on_or_after": "task-lead birth cutoff (课题负责人……以后出生)",
    "unit_registered_by": "unit registration date (注册时间在……前)",
    "max_units": "limit on participating units (参与单位总数不超过……家)",
    "max_domestic_units": "limit on Chinese units (中方参与单位总数不超过……家)",
    "min_foreign_units": "foreign partner requirement (须有……个国（境）外单位)",
    "max_duration_years": "project duration (实施周期/执行期……年)",
    "subtasks_allowed": "rule on subtasks (下设课题 / 不下设课题)",
    "max_subtasks": "limit on subtasks (下设课题数不超过……个)",
    "matching_ratio": "matching-funds ratio",
    "projects_supported": "projects per direction (拟支持项目数)",
}
_PARAMETERS_BY_WORDS = {words: name for name, words in PARAMETER_WORDS.items()}

CALL_SCOPE = "call"  # the ``scope`` param of a condition that applies to the whole call


def _english_value(name: str, value: Any) -> str:
    if name == "parameter":
        return PARAMETER_WORDS.get(str(value), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def english(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence of a notice (logs, command line); an unknown code gives the code and params."""
    wording = NOTICES.get(code)
    shown = {name: _english_value(name, value) for name, value in params.items()}
    if wording is None or placeholders(wording.en) - shown.keys():
        return f"{code} {dict(params)}"
    return wording.en.format_map(shown)


def _pattern(template: str) -> re.Pattern:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


_PATTERNS = [(code, _pattern(wording.en)) for code, wording in NOTICES.items()]


def recognise(message: str) -> tuple[str, dict[str, Any]] | None:
    """The code and params of an English sentence an earlier reader stored (None when unknown)."""
    for code, pattern in _PATTERNS:
        match = pattern.fullmatch(message or "")
        if match is None:
            continue
        params: dict[str, Any] = dict(match.groupdict())
        if "parameter" in params:
            params["parameter"] = _PARAMETERS_BY_WORDS.get(params["parameter"], params["parameter"])
        if "values" in params:
            params["values"] = params["values"].split(", ")
        if "n" in params and params["n"].isdigit():
            params["n"] = int(params["n"])
        return code, params
    return None


def render(
    code: str,
    params: Mapping[str, Any],
    *,
    gettext: Callable[[str], str],
    show: Callable[[str, Any], str] | None = None,
) -> str | None:
    """The notice in the language of ``gettext``, each param shown by ``show(name, value)`` (default:
    lists joined with "、"); None for an unknown code or a missing param (the caller shows the stored
    sentence)."""
    wording = NOTICES.get(code)
    if wording is None:
        return None

    def shown(name: str, value: Any) -> str:
        if show is not None:
            return show(name, value)
        return "、".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)

    return fill_or_none(gettext(wording.zh), {name: shown(name, value) for name, value in params.items()})


def notice(
    code: str, item: str | None = None, source: Source = NO_SOURCE, severity: str = WARNING, **params: Any
) -> Notice:
    """A notice of ``code`` with its params and its English sentence."""
    return Notice(english(code, params), item, source, severity, code, params)
