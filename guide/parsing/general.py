"""General values of a call guide: title year, budget, declared direction count, projects per direction
(the conditions are read by :mod:`guide.parsing.conditions`).  Every value comes from the text.

Numbers are read with a bounded number of digits (a count has at most 6, the budget at most 15): a
longer run of digits is not a value of the guide, and ``int()`` refuses strings beyond 4,300 digits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .conditions import compact, projects_supported
from .numerals import to_int
from .types import NO_SOURCE, Block, Source

RE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
RE_DECLARED_COUNT = re.compile(r"共(?:计|有|部署|安排|设置)?\s*(\d{1,6})\s*个[^，。；\d]{0,8}?方向")
# Other guides of the family: 拟支持 21 个研究方向; 2019 年拟安排 22 个研究方向 (read on compacted text).
RE_DECLARED_COUNT_OTHER = re.compile(
    r"拟(?:支持|安排|部署|启动)(\d{1,6}|[一二两三四五六七八九十]{1,3})个[^,，。;；\d]{0,8}?方向"
)
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


def find_declared_direction_count(text: str) -> int | None:
    match = RE_DECLARED_COUNT.search(text) or RE_DECLARED_COUNT_OTHER.search(compact(text))
    return to_int(match.group(1)) if match else None


def find_budget_yuan(text: str) -> int | None:
    """国拨经费概算 2.5 亿元 → 250000000; 3000 万元 → 30000000; 拟安排国拨经费 2.6 亿元."""
    match = RE_BUDGET.search(text) or RE_BUDGET_OTHER.search(compact(text))
    if not match:
        return None
    return int(Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)])


def find_projects_per_direction(text: str) -> tuple[int, int] | None:
    """拟支持项目数为 1~2 项 → (1, 2); 原则上只支持 1 项……可同时支持 2 项 → (1, 2)."""
    return projects_supported(text)


# The patterns each value is read with, in the order the finders above try them.
_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {
    "declared_direction_count": (RE_DECLARED_COUNT, RE_DECLARED_COUNT_OTHER),
    "total_budget_yuan": (RE_BUDGET, RE_BUDGET_OTHER),
    "projects_per_direction": (RE_PROJECTS,),
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
