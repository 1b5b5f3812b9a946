"""General rules of a call guide: budget, counts, eligibility.  Every value comes from the text.

Numbers are read with a bounded number of digits (a count has at most 6, the budget at most 15): a
longer run of digits is not a value of the guide, and ``int()`` refuses strings beyond 4,300 digits.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .conditions import compact
from .numerals import to_int
from .types import NO_SOURCE, Block, Eligibility, Source

_N = r"(\d{1,6}|[一二两三四五六七八九十])"

RE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
RE_DECLARED_COUNT = re.compile(r"共(?:计|有|部署|安排|设置)?\s*(\d{1,6})\s*个[^，。；\d]{0,8}?方向")
# Other guides of the family: 拟支持 21 个研究方向; 2019 年拟安排 22 个研究方向 (read on compacted text).
RE_DECLARED_COUNT_OTHER = re.compile(r"拟(?:支持|安排|部署|启动)(\d{1,6})个[^,，。;；\d]{0,8}?方向")
RE_BUDGET = re.compile(
    r"国拨经费(?:总)?概算(?:为|约|共)?\s*(?:约)?\s*(\d{1,15}(?:\.\d{1,6})?)\s*(亿|千万|百万|万)?\s*元"
)
# 拟安排国拨经费 2.6 亿元; 国拨经费总概算约 5 亿元; 中央财政经费概算 3 亿元 (compacted text).
RE_BUDGET_OTHER = re.compile(
    r"(?:国拨|中央财政)经费(?:总)?(?:概算|预算|总额)?(?:为|约|共|总计)?约?(\d{1,15}(?:\.\d{1,6})?)(亿|千万|百万|万)?元"
)
_MULTIPLIERS = {None: 1, "万": 10_000, "百万": 1_000_000, "千万": 10_000_000, "亿": 100_000_000}
# Where the projects per direction are stated (read by conditions.projects_supported): 拟支持项目数为 1~2 项;
# 原则上只支持 1 项; 每个方向拟支持 1~2 个项目.
RE_PROJECTS = re.compile(
    r"拟支持项目数(?:原则上|原则)?(?:为)?\s*(\d{1,6})\s*(?:[~～\-—至到]\s*(\d{1,6})\s*)?(?:个)?项"
    r"|原则上(?:只|仅)?支持\s*\d{1,6}\s*(?:个)?项"
    r"|拟支持\s*\d{1,6}\s*(?:[~～\-—至到]\s*\d{1,6}\s*)?个项目"
)

RE_DOMESTIC_UNITS = (
    re.compile(
        r"中方(?:参与|参研|参加)?单位(?:总数)?[^，。；\d]{0,6}?(?:不超过|不多于|不得超过|最多|至多)\s*(\d{1,6})\s*[家个]"
    ),
    re.compile(
        r"(?<!外)(?<!外方)(?:参与|参研|参加)单位(?:总数)?[^，。；\d]{0,6}?(?:不超过|不多于|不得超过|最多|至多)\s*(\d{1,6})\s*[家个]"
    ),
)
RE_FOREIGN_UNITS = (
    re.compile(
        rf"(?:须|应|需|必须)?有\s*{_N}\s*(?:个|家)\s*(?:[（(]\s*(?:或|及)?以上\s*[）)]|(?:或|及)?以上)?\s*(?:的)?"
        r"(?:国[（(]境[）)]外|境外|国外|外方)(?:参与|合作)?单位"
    ),
    re.compile(
        rf"(?:国[（(]境[）)]外|境外|国外|外方)(?:参与|合作)?单位(?:总数|数量)?(?:应|须)?(?:不少于|至少|不低于)\s*{_N}\s*[家个]"
    ),
)
RE_DURATION = re.compile(
    r"(?:实施|执行)周期(?:一般|原则上)?(?:不超过|不得超过|不多于|最长|为)\s*(\d{1,6})\s*年"
)
RE_NO_SUBTASKS = re.compile(r"不(?:下设|设)(?:任务|课题)")
RE_SUBTASKS = re.compile(r"(?:可|可以)?下设(?:任务|课题)|课题数")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
RE_PI_BORN = re.compile(_DATE + r"\s*(?:[（(]含[）)])?\s*(?:以后|之后|后)\s*出生")
RE_REGISTERED = re.compile(
    r"注册(?:成立)?(?:时间|日期)?\s*(?:应|须)?\s*(?:在|为|于)?\s*"
    + _DATE
    + r"\s*(?:[（(]含[）)])?\s*(?:前|之前|以前)"
)


def _int(token: str) -> int:
    return to_int(token)


def _date(match: re.Match | None, warnings: list[str], what: str) -> date | None:
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        warnings.append(f"{what}: invalid date “{match.group(0)}”")
        return None


def find_declared_direction_count(text: str) -> int | None:
    match = RE_DECLARED_COUNT.search(text) or RE_DECLARED_COUNT_OTHER.search(compact(text))
    return int(match.group(1)) if match else None


def find_budget_yuan(text: str) -> int | None:
    """国拨经费概算 2.5 亿元 → 250000000; 3000 万元 → 30000000; 拟安排国拨经费 2.6 亿元."""
    match = RE_BUDGET.search(text) or RE_BUDGET_OTHER.search(compact(text))
    if not match:
        return None
    return int(Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)])


def find_projects_per_direction(text: str) -> tuple[int, int] | None:
    """拟支持项目数为 1~2 项 → (1, 2); 原则上只支持 1 项……可同时支持 2 项 → (1, 2)."""
    from .conditions import projects_supported

    return projects_supported(text)


def _first(patterns: tuple[re.Pattern, ...], text: str) -> re.Match | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def find_eligibility(text: str, warnings: list[str]) -> Eligibility:
    domestic = _first(RE_DOMESTIC_UNITS, text)
    foreign = _first(RE_FOREIGN_UNITS, text)
    duration = RE_DURATION.search(text)
    if RE_NO_SUBTASKS.search(text):
        subtasks: bool | None = False
    elif RE_SUBTASKS.search(text):
        subtasks = True
    else:
        subtasks = None
    return Eligibility(
        pi_born_on_or_after=_date(RE_PI_BORN.search(text), warnings, "PI birth date"),
        unit_registered_by=_date(RE_REGISTERED.search(text), warnings, "unit registration date"),
        max_domestic_units=int(domestic.group(1)) if domestic else None,
        min_foreign_units=_int(foreign.group(1)) if foreign else None,
        max_duration_years=int(duration.group(1)) if duration else None,
        subtasks_allowed=subtasks,
    )


ELIGIBILITY_FIELDS = (
    "pi_born_on_or_after",
    "unit_registered_by",
    "max_domestic_units",
    "min_foreign_units",
    "max_duration_years",
    "subtasks_allowed",
)
# The patterns each value is read with, in the order the finders above try them.
_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {
    "declared_direction_count": (RE_DECLARED_COUNT, RE_DECLARED_COUNT_OTHER),
    "total_budget_yuan": (RE_BUDGET, RE_BUDGET_OTHER),
    "projects_per_direction": (RE_PROJECTS,),
    "pi_born_on_or_after": (RE_PI_BORN,),
    "unit_registered_by": (RE_REGISTERED,),
    "max_domestic_units": RE_DOMESTIC_UNITS,
    "min_foreign_units": RE_FOREIGN_UNITS,
    "max_duration_years": (RE_DURATION,),
    "subtasks_allowed": (RE_NO_SUBTASKS, RE_SUBTASKS),
}


def locate(blocks: list[Block], key: str) -> Source:
    """Where the value ``key`` (a key of ``_PATTERNS``) was read: the first block (and lines) that match."""
    for pattern in _PATTERNS[key]:
        for block in blocks:
            match = pattern.search(block.text)
            if match:
                return block.span_source(match.start(), match.end())
    for pattern in _PATTERNS[key]:  # the phrasings read on compacted text: the block
        for block in blocks:
            if pattern.search(compact(block.text)):
                return block.source
    return NO_SOURCE
