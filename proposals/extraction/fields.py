"""Extract proposal fields from the neutral document model.

Input: blocks (lines / paragraphs and tables, each with its page) from the
PDF or DOCX reader. Output: a ProposalData, ``found`` (field path → page it
came from, None when not found) and warnings.

How a draft is read:

1. Clean-up: running headers repeated on most pages are dropped; lines the
   PDF reader marked as wrapped continuations are joined to their paragraph
   (Chinese without spaces, Latin words with one); tables continued over a
   page break are merged (with or without a repeated header row; a row split
   over the break is glued back together).
2. Sections start at their headings (基本信息, 项目负责人, 申报单位及参与单位,
   项目骨干, 课题, 研究内容, 考核指标, 附件清单, and common variants), with or
   without numbering such as "一、" or "1.".
3. Values are read from "label：value" / "label: value" lines (several per
   line are fine), from two-column (or label/value/label/value) table rows,
   and from list tables whose header row names the columns (units, members,
   subtasks; or label：value blocks, one per unit / person / subtask). Labels vary
   (执行期限 / 执行期 / 起止年月 ...); a unit in brackets in the label, as in
   "国拨经费（元）", is honoured.

Nothing is guessed: a value that cannot be parsed is left None with a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from proposals.extraction.model import Line, Table
from proposals.extraction.text import clean_text, join_wrapped
from proposals.identifiers import normalize_identifier
from proposals.interchange import (
    ATTACHMENT_KINDS,
    Budget,
    Issue,
    PersonData,
    ProposalData,
    SubtaskData,
    UnitData,
    normalize_country,
    normalize_unit_type,
    parse_date,
    parse_money_wan,
    parse_period,
)

__all__ = ["FIELD_PATHS", "FieldResult", "extract_fields", "tables_wanted"]

FIELD_PATHS = (
    "reference",
    "guide_year",
    "title",
    "direction",
    "recommender",
    "start_date",
    "end_date",
    "budget.national",
    "budget.matching",
    "pi.name",
    "pi.gender",
    "pi.id_number",
    "pi.birth_date",
    "pi.nationality",
    "pi.region",
    "pi.title",
    "pi.degree",
    "pi.employer",
    "pi.employment",
    "pi.employment_proofs",
    "pi.civil_servant",
    "units",
    "members",
    "subtasks",
    "research_content",
    "indicators",
    "attachments",
)

# --------------------------------------------------------------------------- #
# Vocabulary
# --------------------------------------------------------------------------- #

SECTIONS: dict[str, tuple[str, ...]] = {
    "basic": ("基本信息", "项目基本信息", "基本情况", "项目基本情况", "项目概况"),
    "pi": (
        "项目负责人",
        "项目负责人信息",
        "项目负责人基本信息",
        "项目负责人情况",
        "项目负责人基本情况",
        "负责人信息",
        "负责人基本信息",
    ),
    "units": (
        "申报单位及参与单位",
        "申报单位和参与单位",
        "申报单位与参与单位",
        "项目申报单位及参与单位",
        "申报及参与单位",
        "承担单位及参与单位",
        "项目承担单位及参与单位",
        "牵头单位及参与单位",
        "参与单位",
        "单位信息",
        "申报单位信息",
    ),
    "members": (
        "项目骨干",
        "项目骨干人员",
        "项目骨干成员",
        "项目骨干信息",
        "骨干人员",
        "主要参与人员",
        "项目组成员",
        "项目组主要成员",
        "项目主要成员",
        "项目成员",
        "主要研究人员",
    ),
    "subtasks": (
        "课题",
        "课题设置",
        "课题信息",
        "课题情况",
        "项目课题",
        "课题及负责人",
        "课题设置及负责人",
        "课题分解",
        "课题列表",
    ),
    "research": ("研究内容", "主要研究内容", "项目研究内容", "研究内容摘要", "项目主要研究内容"),
    "indicators": (
        "考核指标",
        "主要考核指标",
        "项目考核指标",
        "考核指标及评价方式",
        "预期目标及考核指标",
        "预期成果及考核指标",
    ),
    "attachments": ("附件清单", "附件", "附件材料", "附件目录", "附件材料清单", "附件列表"),
}
_FREE_TEXT = ("research", "indicators")

GENERAL_LABELS: dict[str, tuple[str, ...]] = {
    "reference": ("申报编号", "项目编号", "受理编号", "申报书编号", "项目申报编号"),
    "guide_year": ("指南年度", "申报年度", "项目年度"),
    "title": ("项目名称", "项目中文名称", "中文名称"),
    "direction": ("指南方向", "申报指南方向", "所属指南方向", "指南方向名称", "申报方向", "所属方向"),
    "recommender": ("推荐单位", "推荐部门", "推荐单位名称", "推荐渠道"),
    "period": (
        "执行期限",
        "执行期",
        "起止年月",
        "项目执行期",
        "项目执行期限",
        "实施周期",
        "实施期限",
        "起止时间",
        "项目起止时间",
        "项目起止年月",
        "执行年限",
        "研究期限",
    ),
    "start_date": ("开始日期", "起始日期", "开始时间", "起始时间", "项目开始时间", "项目开始日期"),
    "end_date": ("结束日期", "完成日期", "结束时间", "截止日期", "终止日期", "项目结束时间", "项目结束日期"),
    "budget.national": (
        "国拨经费",
        "中央财政经费",
        "中央财政专项资金",
        "中央财政专项经费",
        "中央财政资金",
        "申请国拨经费",
        "申请中央财政经费",
        "申请中央财政专项资金",
        "国拨资金",
        "专项经费",
    ),
    "budget.matching": ("配套经费", "自筹经费", "其他来源经费", "其他来源资金", "配套资金", "自筹资金"),
    "pi.name": ("姓名", "项目负责人", "负责人姓名", "项目负责人姓名", "负责人"),
    "pi.gender": ("性别",),
    "pi.id_number": ("证件号码", "身份证号码", "身份证号", "证件号", "护照号码", "身份证件号码", "证件编号"),
    "pi.birth_date": ("出生日期", "出生年月", "出生年月日"),
    "pi.nationality": ("国籍", "国籍/地区", "国家/地区", "国籍或地区"),
    "pi.title": ("职称", "专业技术职称", "专业技术职务", "技术职称", "职务/职称", "职称/职务"),
    "pi.degree": ("学位", "最高学位"),
    "pi.employer": ("工作单位", "所在单位", "工作单位名称", "所在单位名称"),
    "pi.employment": ("聘用方式", "聘用形式", "聘用性质", "全职/兼职", "是否全职"),
    "pi.civil_servant": (
        "是否为国家机关公务人员",
        "是否国家机关公务人员",
        "是否为公务员",
        "是否公务员",
        "是否为国家机关工作人员",
        "是否为公务人员",
    ),
}
UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "名称", "单位", "机构名称", "单位中文名称"),
    "credit_code": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "组织机构代码",
        "统一社会信用代码/组织机构代码",
    ),
    "country": ("国别/地区", "国家/地区", "国别", "国家", "所在国家", "所在国家/地区", "所属国家/地区"),
    "type": ("单位类型", "单位性质", "类型", "性质", "单位类别"),
    "registered_on": ("注册日期", "成立时间", "注册时间", "成立日期", "注册成立时间", "注册成立日期"),
    "role": ("角色", "单位角色", "承担角色", "参与角色"),
    "remarks": ("资质/备注", "备注", "资质", "资质情况", "资质说明", "相关资质"),
}
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "gender": GENERAL_LABELS["pi.gender"],
    "id_number": GENERAL_LABELS["pi.id_number"],
    "birth_date": GENERAL_LABELS["pi.birth_date"],
    "nationality": GENERAL_LABELS["pi.nationality"],
    "unit": ("工作单位", "所在单位", "单位", "单位名称", "工作单位名称"),
    "role": (
        "分工",
        "任务分工",
        "项目分工",
        "承担任务",
        "主要分工",
        "项目中的分工",
        "在项目中的分工",
        "在项目中分工",
        "承担的主要任务",
    ),
}
SUBTASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("课题名称", "子课题名称", "课题", "课题题目"),
    "lead_unit": ("承担单位", "课题承担单位", "承担单位名称", "牵头单位", "课题牵头单位"),
    # never a bare 姓名: a members table (姓名 … 承担课题) is not a list of subtasks
    "lead_name": ("课题负责人", "课题负责人姓名", "负责人", "负责人姓名"),
    "lead_id_number": ("负责人证件号码", "负责人身份证号码", *GENERAL_LABELS["pi.id_number"]),
    "lead_birth_date": ("负责人出生日期", "负责人出生年月", *GENERAL_LABELS["pi.birth_date"]),
    "lead_title": ("负责人职称", *GENERAL_LABELS["pi.title"]),
    "lead_degree": ("负责人学位", *GENERAL_LABELS["pi.degree"]),
    "national_funding": (
        "国拨经费",
        "课题国拨经费",
        "中央财政经费",
        "中央财政资金",
        "中央财政专项经费",
        "中央财政专项资金",
        "国拨资金",
    ),
}
ATTACHMENT_WORDS: dict[str, tuple[str, ...]] = {
    "recommendation_letter": ("推荐函", "推荐信", "推荐意见"),
    "cooperation_agreement": ("合作协议", "国际合作协议", "合作协议书"),
    "employment_proof": ("聘用证明", "聘用合同", "聘用协议", "工作证明"),
}
_ATTACHMENT_LABELS = {w for words in ATTACHMENT_WORDS.values() for w in words}
_PLACEHOLDERS = {"无", "/", "-", "—", "——", "--", "暂无", "n/a", "na", "none", "不适用", "空", "略", "null"}
# Check boxes, including Wingdings / Wingdings 2 symbols that reach us as private-use characters.
_CHECKED = "☑■√✓✔☒▣●◼\uf052\uf054\uf0fe\uf0fc"
_UNCHECKED = "□☐○◻\uf0a3\uf0a8\uf06f"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_NUMBERING = re.compile(
    r"^(第[一二三四五六七八九十]+(部分|章|节)|[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]"
    r"|\d+(\.\d+)*[、.)]?(?=\D)|[★*●■◆▲•·])+"
)
_PARENS = re.compile(r"[(][^()]*[)]")


def _label_key(text: str) -> tuple[str, str]:
    """(base label, text in brackets) — "1. 国拨经费（万元）：" → ("国拨经费", "万元")."""
    key = _norm(text).rstrip(":")
    key = _NUMBERING.sub("", key)
    parens = "".join(m.group()[1:-1] for m in _PARENS.finditer(key))
    return _PARENS.sub("", key), parens


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, variants in table.items():
        for variant in variants:
            out.setdefault(_label_key(variant)[0], path)
    return out


_GENERAL = _index(GENERAL_LABELS)
_UNIT = _index(UNIT_COLUMNS)
_MEMBER = _index(MEMBER_COLUMNS)
_SUBTASK = _index(SUBTASK_COLUMNS)
_HEADINGS = {_label_key(h)[0]: s for s, hs in SECTIONS.items() for h in hs}
_ALL_LABELS = set(_GENERAL) | set(_UNIT) | set(_MEMBER) | set(_SUBTASK)
_CONTEXT_LABELS = {"units": _UNIT, "members": _MEMBER, "subtasks": _SUBTASK}


# --------------------------------------------------------------------------- #
# Result
# --------------------------------------------------------------------------- #


@dataclass
class FieldResult:
    proposal: ProposalData
    found: dict[str, int | None]
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class _Para:
    text: str
    page: int


@dataclass
class _KV:
    label: str  # normalised base label
    unit_hint: str  # text in brackets after the label
    value: str
    page: int


# --------------------------------------------------------------------------- #
# Step 1: clean-up
# --------------------------------------------------------------------------- #


def _page_lines(blocks: list[Line | Table]) -> dict[int, list[Line]]:
    pages: dict[int, list[Line]] = {}
    for b in blocks:
        if isinstance(b, Line):
            pages.setdefault(b.page, []).append(b)
    return pages


def _edges(pages: dict[int, list[Line]]) -> set[int]:
    return {id(lines[0]) for lines in pages.values()} | {id(lines[-1]) for lines in pages.values()}


def _drop_running_headers(blocks: list[Line | Table]) -> list[Line | Table]:
    """Drop running headers / footers: the same short line first or last on most
    pages (at least three). Page numbers are dropped by the PDF reader."""
    pages = _page_lines(blocks)
    if len(pages) < 3:
        return blocks
    seen: dict[str, set[int]] = {}
    for page, lines in pages.items():
        for line in {lines[0].text.strip(), lines[-1].text.strip()}:
            if len(line) <= 60:
                seen.setdefault(line, set()).add(page)
    limit = max(3, len(pages) / 2)
    repeated = {t for t, ps in seen.items() if len(ps) >= limit}
    edges = _edges(pages)
    return [b for b in blocks if not (id(b) in edges and b.text.strip() in repeated)]


def _heading(text: str) -> tuple[str, str] | None:
    """(section, inline text) when the paragraph is a section heading."""
    m = re.search(r"[:：]", text)
    head, rest = (text[: m.start()], text[m.end() :].strip()) if m else (text, "")
    key = _label_key(head)[0]
    section = _HEADINGS.get(key)
    if section is None or len(key) > 20:
        return None
    if rest and section not in _FREE_TEXT:
        return None  # "项目负责人：张三" is a value, not a heading
    return section, rest


def _starts_with_label(text: str) -> bool:
    m = re.search(r"[:：]", text)
    return bool(m) and _label_key(text[: m.start()])[0] in _ALL_LABELS


def _paragraphs(blocks: list[Line | Table]) -> list[_Para | Table]:
    out: list[_Para | Table] = []
    for b in blocks:
        if isinstance(b, Table):
            out.append(b)
            continue
        text = clean_text(b.text)
        if not text:
            continue
        prev = out[-1] if out else None
        if (
            b.continues
            and isinstance(prev, _Para)
            and not _starts_with_label(text)
            and _heading(text) is None
            and _heading(prev.text) is None
        ):
            prev.text = join_wrapped([prev.text, text])
        else:
            out.append(_Para(text, b.page))
    return out


def _cell(text: str | None) -> str:
    return join_wrapped(clean_text(part) for part in (text or "").split("\n"))


def _row_key(row: list[str]) -> tuple[str, ...]:
    return tuple(_norm(_cell(c)) for c in row if _norm(_cell(c)))


def _width(t: Table) -> int:
    return max((len(r) for r in t.rows), default=0)


_CONTINUED = re.compile(r"[(（]?续[表上]?[)）]?.{0,12}")  # "续表" between the two parts of a table


def _merge_tables(items: list[_Para | Table]) -> list[_Para | Table]:
    out: list[_Para | Table] = []
    open_table: Table | None = None
    last_page = 0
    for item in items:
        if isinstance(item, _Para):
            if open_table is not None and _CONTINUED.fullmatch(item.text):
                continue  # "续表" between the two parts
            out.append(item)
            open_table = None
            continue
        rows = [list(r) for r in item.rows]
        if open_table is not None and rows and item.page >= last_page:
            header = _find_header(open_table.rows)
            head_row = open_table.rows[header[0]] if header else None
            first = rows[0]
            if head_row is not None and _row_key(first) == _row_key(head_row):
                rows = rows[1:]  # repeated header row
                joined = True
            else:
                joined = _classify(first) is None and _width(item) == _width(open_table)
            if joined:
                if rows and header is not None:
                    rows = _glue_split_row(open_table, rows, header)
                open_table.rows.extend(rows)
                last_page = item.page
                continue
        table = Table(rows, item.page)
        out.append(table)
        open_table, last_page = table, item.page
    return out


def _glue_split_row(
    table: Table, rows: list[list[str]], header: tuple[int, str, dict[int, str]]
) -> list[list[str]]:
    """A row broken over the page: the continuation has an empty key column."""
    _, _, columns = header
    key_col = next((i for i, f in columns.items() if f == "name"), 0)
    first, last = rows[0], table.rows[-1]
    if (
        key_col < len(first)
        and not _cell(first[key_col])
        and any(_cell(c) for c in first)
        and len(first) == len(last)
    ):
        table.rows[-1] = [(a + "\n" + b).strip("\n") if b else a for a, b in zip(last, first, strict=True)]
        return rows[1:]
    return rows


# --------------------------------------------------------------------------- #
# Step 2 and 3: sections, key-value pairs, tables
# --------------------------------------------------------------------------- #


def _classify(row: list[str]) -> tuple[str, dict[int, str]] | None:
    """("units" | "members" | "subtasks", column index → field) when ``row`` is a list
    table's header."""
    for kind, index in (("subtasks", _SUBTASK), ("members", _MEMBER), ("units", _UNIT)):
        columns: dict[int, str] = {}
        for i, cell in enumerate(row):
            key = _label_key(_cell(cell))[0]
            name = index.get(key)
            if name and name not in columns.values():
                columns[i] = name
        fields = set(columns.values())
        if kind == "members" and "name" in fields and len(fields) >= 3:
            return kind, columns
        if kind == "units" and "name" in fields and len(fields - {"name"}) >= 2:
            return kind, columns
        # 课题名称 and its lead (负责人): a members table (姓名 …) or a units table (单位名称 …) never is
        if kind == "subtasks" and {"name", "lead_name"} <= fields and len(fields) >= 3:
            return kind, columns
    return None


def _find_header(rows: list[list[str]]) -> tuple[int, str, dict[int, str]] | None:
    for i, row in enumerate(rows[:3]):
        found = _classify(row)
        if found:
            return i, found[0], found[1]
    return None


_COLON = re.compile(r"：|:(?!//)")


def _split_kv(text: str, page: int, labels: dict[str, str]) -> list[_KV]:
    """All "label：value" pairs in one line (values run to the next label)."""
    colons = [m for m in _COLON.finditer(text) if not _is_time_colon(text, m.start())]
    if not colons:
        return []
    pairs: list[tuple[int, int, str]] = []  # (label start, value start, label text)
    prev_end = 0
    for m in colons:
        seg = text[prev_end : m.start()]
        if not pairs:
            label_start = prev_end
        else:
            label_start = _label_suffix(seg, labels, full_width=m.group() == "：")
            if label_start is None:
                continue  # a colon inside a value
            label_start += prev_end
        pairs.append((label_start, m.end(), text[label_start : m.start()]))
        prev_end = m.end()
    out = []
    for i, (_, value_start, label) in enumerate(pairs):
        value_end = pairs[i + 1][0] if i + 1 < len(pairs) else len(text)
        base, hint = _label_key(label)
        # "姓名：陈晓明，出生日期：…": the separator before the next label is not part of the value
        value = text[value_start:value_end].strip()
        if i + 1 < len(pairs):
            value = value.rstrip("，,；;、 \t")
        out.append(_KV(base, hint, value, page))
    return out


def _is_time_colon(text: str, i: int) -> bool:
    """ "10:30" is a time, not a label separator."""
    return text[i] == ":" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _label_suffix(seg: str, labels: dict[str, str], *, full_width: bool) -> int | None:
    """Where a label starts at the end of ``seg`` (the text between two colons).

    A known label, or else a short word after a space before a full-width
    colon ("张三 性别：男"); an ASCII colon after a word ("Dept: Energy") stays
    in the value."""
    best = None
    for k in range(max(0, len(seg) - 24), len(seg)):
        if _label_key(seg[k:])[0] in labels and (
            k == 0 or not seg[k - 1].isalnum() or _is_cjk_boundary(seg, k)
        ):
            best = k
            break
    if best is not None:
        return best
    m = re.search(r"\s([^\s:：]{1,12})$", seg)
    if full_width and m and not re.search(r"\d", m.group(1)):
        return m.start(1)
    return None


def _is_cjk_boundary(seg: str, k: int) -> bool:
    return not seg[k - 1].isascii() or not seg[k].isascii()


def _table_kvs(table: Table, labels: dict[str, str]) -> list[_KV]:
    """Label/value pairs from a table: label cell then value cell, or a header row over a value row."""
    out: list[_KV] = []
    rows = [[_cell(c) for c in row] for row in table.rows]
    i = 0
    while i < len(rows):
        row = rows[i]
        keys = [_label_key(c) for c in row]
        known = [k[0] in labels for k in keys]
        nonempty = [c for c in row if c]
        if (
            len(nonempty) >= 2
            and all(known[j] for j, c in enumerate(row) if c)
            and i + 1 < len(rows)
            and len(rows[i + 1]) == len(row)
            and not any(_label_key(c)[0] in labels for c in rows[i + 1] if c)
        ):
            for (base, hint), value in zip(keys, rows[i + 1], strict=True):
                if base:
                    out.append(_KV(base, hint, value, table.page))
            i += 2
            continue
        j = 0
        while j < len(row):
            cell = row[j]
            if known[j] and cell:
                value = next((c for c in row[j + 1 :] if c), "") if j + 1 < len(row) else ""
                # the value is the next non-empty cell unless that is a label itself
                if value and _label_key(value)[0] in labels:
                    value = ""
                out.append(_KV(keys[j][0], keys[j][1], value, table.page))
                j += 2 if value else 1
                continue
            if cell:
                out.extend(_split_kv(cell, table.page, labels))
            j += 1
        i += 1
    return out


# --------------------------------------------------------------------------- #
# Values
# --------------------------------------------------------------------------- #


def _value(text: str | None) -> str | None:
    text = clean_text(_cell(text))
    text = re.sub(r"^_{2,}|_{2,}$", "", text).strip()
    if not text or _norm(text).casefold() in _PLACEHOLDERS or re.fullmatch(r"[_\s.。…]+", text):
        return None
    return text


def _choice(text: str | None, options: dict[str, str]) -> str | None:
    """Pick one of ``options`` (word → result) from a value, honouring check boxes (☑是 □否)."""
    if not text:
        return None
    s = _norm(text)
    # A mark before the option (☑是 □否) or, failing that, after it (是√ 否).
    for pattern in (r"[{c}]{w}", r"{w}[{c}]|{w}[(][{c}][)]"):
        marked = set()
        for word, result in options.items():
            w = re.escape(_norm(word))
            if re.search(pattern.format(c=_CHECKED, w=w), s):
                marked.add(result)
        if len(marked) == 1:
            return marked.pop()
        if marked:
            return None
    s = re.sub(rf"[{_UNCHECKED}]", "", s)
    hits = {result for word, result in options.items() if _norm(word).casefold() in s.casefold()}
    return hits.pop() if len(hits) == 1 else None


_YES_NO = {"是": "yes", "否": "no", "yes": "yes", "no": "no"}
_GENDERS = {
    "男": "male",
    "女": "female",
    "男性": "male",
    "女性": "female",
    "male": "male",
    "female": "female",
    "m": "male",
    "f": "female",
}


def _gender(text: str | None) -> str | None:
    """``"male"`` / ``"female"`` from 男 / 女 (男性, Male, F …, or a ticked box: ☑男 □女)."""
    if not text:
        return None
    word = _GENDERS.get(_norm(text).casefold().rstrip("."))
    return word or _choice(text, {"男": "male", "女": "female"})


def _money_unit(hint: str) -> str:
    """The unit a label's brackets give amounts in: 国拨经费（元） → 元; 万元 by default."""
    if "亿" in hint:
        return "亿元"
    return "元" if "元" in hint and "万元" not in hint else "万元"


_EMPLOYMENT = {
    "全职": "full_time",
    "兼职": "part_time",
    "full-time": "full_time",
    "part-time": "part_time",
    "fulltime": "full_time",
    "parttime": "part_time",
}
_ROLES = {
    "牵头": "lead",
    "申报单位": "lead",
    "承担单位": "lead",
    "lead": "lead",
    "参与": "participant",
    "合作": "participant",
    "participant": "participant",
}


def _direction(text: str) -> str:
    m = re.match(r"\s*(\d+(?:[.．]\d+)*)(?![\d.])", unicodedata.normalize("NFKC", text))
    return m.group(1) if m else text


def _country(text: str) -> tuple[str | None, str | None]:
    """(code, region) — "中国（北京）" → ("CN", "北京")."""
    code = normalize_country(text)
    if code:
        return code, None
    m = re.fullmatch(r"\s*(.+?)\s*[(（]\s*(.+?)\s*[)）]\s*", text)
    if m:
        code = normalize_country(m.group(1))
        if code:
            return code, m.group(2)
    return None, None


# Does a value look like the field? A value that does not is reported, never marked found.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NAME_CJK = re.compile(f"[{_CJK}]{{2,4}}")
# minority names: 阿依古丽·买买提 (the dot written in several ways)
_NAME_DOTTED = re.compile(f"[{_CJK}]{{1,10}}(?:[·•・．.][{_CJK}]{{1,10}}){{1,3}}")
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_NAME_LATIN = re.compile(f"[{_LATIN}](?:[{_LATIN}'’.\\-]|,? (?=[{_LATIN}])){{1,58}}")
_ID_NUMBER = re.compile(r"[0-9A-Z][0-9A-Z()\-/]{4,23}")
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CREDIT_CODE = re.compile(r"[0-9A-Z]{18}|[0-9A-Z]{8}-?[0-9X]")
_SENTENCE_SPLIT = re.compile(r"[，,、；;。\s(（]")
_BORN = re.compile(
    r"(\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?)\s*(?:出生|生)"
    r"|(?:出生(?:日期|年月|于)?)\s*[:：为是]?\s*"
    r"(\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?)"
)
_ID_IN_TEXT = re.compile(
    r"(?:身份证(?:件)?(?:号码|号)?|证件号(?:码)?|护照(?:号码|号)?)\s*[:：为是]?\s*([0-9A-Za-z][0-9A-Za-z\-]{4,23})"
)


def looks_like_name(text: str | None) -> bool:
    """2–4 Chinese characters (spaces between them allowed), a dotted minority name, or
    a Latin-script name of at most 60 characters and six words; never a sentence."""
    if not text:
        return False
    t = unicodedata.normalize("NFC", text.strip())
    squeezed = re.sub(r"\s+", "", t)
    if _NAME_CJK.fullmatch(squeezed) or _NAME_DOTTED.fullmatch(squeezed):
        return True
    return bool(_NAME_LATIN.fullmatch(t)) and len(t) <= 60 and len(t.split()) <= 6


def _id_number(text: str) -> str | None:
    """An ID or passport number (5–24 letters and digits), or None. A resident ID
    found inside other words ("110…1234（身份证）") is taken out of them."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if _ID_NUMBER.fullmatch(value.upper()):
        return value
    m = _RESIDENT_ID.search(value)
    return m.group() if m else None


def _credit_code(text: str) -> str | None:
    """A unified social credit code (18 characters) or an old organisation code (9)."""
    value = normalize_identifier(text)
    return value if _CREDIT_CODE.fullmatch(value) else None


def _person_sentence(text: str) -> tuple[str | None, object, str | None]:
    """(name, birth date, ID number) out of a sentence describing a person."""
    s = unicodedata.normalize("NFKC", text).strip()
    first = next((part for part in _SENTENCE_SPLIT.split(s) if part), "")
    name = first if looks_like_name(first) else None
    birth = None
    m = _BORN.search(s)
    if m:
        birth = parse_date(m.group(1) or m.group(2))
    number = None
    m = _ID_IN_TEXT.search(s)
    if m:
        number = _id_number(m.group(1))
    elif _RESIDENT_ID.search(s):
        number = _RESIDENT_ID.search(s).group()
    return name, birth, number


def _sentence_gender(text: str) -> str | None:
    """The gender a sentence about a person states as a phrase of its own (陈晓明，男，……)."""
    phrases = {part for part in _SENTENCE_SPLIT.split(unicodedata.normalize("NFKC", text)) if part}
    found = {_GENDERS[p] for p in phrases & {"男", "女", "男性", "女性"}}
    return found.pop() if len(found) == 1 else None


def _is_person_sentence(text: str) -> bool:
    """A sentence that starts with a name and gives a birth date or an ID number."""
    name, birth, number = _person_sentence(text)
    return name is not None and (birth is not None or number is not None)


# --------------------------------------------------------------------------- #
# The extractor
# --------------------------------------------------------------------------- #


class _Extractor:
    def __init__(self) -> None:
        self.p = ProposalData()
        self.found: dict[str, int | None] = dict.fromkeys(FIELD_PATHS)
        self.warnings: list[Issue] = []
        self.values: dict[str, object] = {}
        self.units: list[UnitData] = []
        self.members: list[PersonData] = []
        self.subtasks: list[SubtaskData] = []
        self.units_page: int | None = None
        self.members_page: int | None = None
        self.subtasks_page: int | None = None
        self.attachments: dict[str, bool] = {}

    def warn(self, path: str, code: str, message: str, page: int | None) -> None:
        self.warnings.append(Issue(path, code, message, "warning", page))

    def put(self, path: str, value: object, page: int, raw: str) -> None:
        if value is None:
            return
        if path in self.values:
            if self.values[path] != value:
                self.warn(path, "duplicate", f"{path} 出现多次，取第一次的值（另见：{raw}）", page)
            return
        self.values[path] = value
        self.found[path] = page

    # -- general key-value pairs --------------------------------------------

    def general(self, kv: _KV) -> None:
        path = _GENERAL.get(kv.label)
        if path is None:
            if kv.label in _ATTACHMENT_LABELS:  # "推荐函：有" outside the 附件清单
                self.attachment_text(f"{kv.label}：{kv.value}", kv.page)
            return
        raw = kv.value
        value = _value(raw)
        if value is None:
            return
        page = kv.page
        if path == "period":
            start, end = parse_period(value)
            if start is None and end is None:
                self.warn("start_date", "invalid_period", f"执行期限无法识别：{value}", page)
            self.put("start_date", start, page, value)
            self.put("end_date", end, page, value)
        elif path in ("start_date", "end_date", "pi.birth_date"):
            parsed = parse_date(value)
            if parsed is None:
                self.warn(path, "invalid_date", f"日期无法识别：{value}", page)
            self.put(path, parsed, page, value)
        elif path.startswith("budget."):
            money = parse_money_wan(value, _money_unit(kv.unit_hint))
            if money is None:
                self.warn(path, "invalid_number", f"金额无法识别：{value}", page)
            self.put(path, money, page, value)
        elif path == "guide_year":
            m = re.search(r"(20\d{2})", value)
            self.put(path, int(m.group(1)) if m else None, page, value)
        elif path == "direction":
            self.put(path, _direction(value), page, value)
        elif path == "pi.name":
            if looks_like_name(value):
                self.put(path, value, page, value)
            else:
                self.person_sentence(value, page, warn=True)
        elif path == "pi.gender":
            gender = _gender(value)
            if gender is None:
                self.warn(path, "invalid_choice", f"性别无法识别（应为男/女）：{value}", page)
            self.put(path, gender, page, value)
        elif path == "pi.id_number":
            number = _id_number(value)
            if number is None:
                self.warn(path, "invalid_id", f"证件号码无法识别：{value}", page)
            self.put(path, number, page, value)
        elif path == "pi.nationality":
            code, region = _country(value)
            if code is None:
                self.warn(path, "unknown_country", f"国籍/地区无法识别：{value}", page)
            self.put(path, code, page, value)
            if code and region:
                self.put("pi.region", region, page, value)
        elif path == "pi.employment":
            if kv.label == "是否全职":
                answer = _choice(value, _YES_NO)
                choice = {"yes": "full_time", "no": "part_time"}.get(answer or "")
            else:
                choice = _choice(value, _EMPLOYMENT)
            if choice is None:
                self.warn(path, "invalid_choice", f"聘用方式无法识别（应为全职/兼职）：{value}", page)
            self.put(path, choice, page, value)
        elif path == "pi.civil_servant":
            answer = _choice(value, _YES_NO)
            if answer is None:
                self.warn(
                    path, "invalid_choice", f"是否为国家机关公务人员无法识别（应为是/否）：{value}", page
                )
            self.put(path, {"yes": True, "no": False}.get(answer or ""), page, value)
        else:
            self.put(path, value, page, value)

    # -- units and members ----------------------------------------------------

    def unit_row(self, record: dict[str, str], page: int) -> None:
        values = {k: _value(v) for k, v in record.items()}
        if not any(values.values()):
            return
        unit = UnitData(name=values.get("name"))
        where = f"units[{len(self.units)}]"
        if values.get("credit_code"):
            unit.credit_code = _credit_code(values["credit_code"])
            if unit.credit_code is None:
                self.warn(
                    f"{where}.credit_code",
                    "invalid_credit_code",
                    f"统一社会信用代码无法识别（应为 18 位）：{values['credit_code']}",
                    page,
                )
        if values.get("country"):
            unit.country, _ = _country(values["country"])
            if unit.country is None:
                self.warn(
                    f"{where}.country", "unknown_country", f"国别/地区无法识别：{values['country']}", page
                )
        if values.get("type"):
            unit.type = normalize_unit_type(values["type"])
            if unit.type is None:
                self.warn(f"{where}.type", "invalid_choice", f"单位类型无法识别：{values['type']}", page)
        if values.get("registered_on"):
            unit.registered_on = parse_date(values["registered_on"])
            if unit.registered_on is None:
                self.warn(
                    f"{where}.registered_on",
                    "invalid_date",
                    f"注册日期无法识别：{values['registered_on']}",
                    page,
                )
        if values.get("role"):
            unit.role = _choice(values["role"], _ROLES)
            if unit.role is None:
                self.warn(
                    f"{where}.role",
                    "invalid_choice",
                    f"角色无法识别（应为牵头/参与）：{values['role']}",
                    page,
                )
        remarks = _norm(values.get("remarks") or "")
        if "第三方" in remarks and "检测" in remarks and not re.search(r"(非|不是)第三方", remarks):
            unit.third_party_testing = True
        if "人类遗传资源" in remarks and not re.search(r"(无|未取得|没有)[^；;]*人类遗传资源", remarks):
            unit.hgr_license = True
        self.units.append(unit)
        if self.units_page is None:
            self.units_page = page

    def member_row(self, record: dict[str, str], page: int) -> None:
        values = {k: _value(v) for k, v in record.items()}
        if not any(values.values()):
            return
        member = PersonData(role=values.get("role"), unit=values.get("unit"))
        where = f"members[{len(self.members)}]"
        if values.get("name"):
            if looks_like_name(values["name"]):
                member.name = values["name"]
            else:
                self.warn(f"{where}.name", "invalid_name", f"姓名无法识别：{values['name']}", page)
        if values.get("gender"):
            member.gender = _gender(values["gender"])
            if member.gender is None:
                self.warn(
                    f"{where}.gender",
                    "invalid_choice",
                    f"性别无法识别（应为男/女）：{values['gender']}",
                    page,
                )
        if values.get("id_number"):
            member.id_number = _id_number(values["id_number"])
            if member.id_number is None:
                self.warn(
                    f"{where}.id_number", "invalid_id", f"证件号码无法识别：{values['id_number']}", page
                )
        if values.get("birth_date"):
            member.birth_date = parse_date(values["birth_date"])
            if member.birth_date is None:
                self.warn(
                    f"{where}.birth_date", "invalid_date", f"出生日期无法识别：{values['birth_date']}", page
                )
        if values.get("nationality"):
            member.nationality, _ = _country(values["nationality"])
            if member.nationality is None:
                self.warn(
                    f"{where}.nationality",
                    "unknown_country",
                    f"国籍/地区无法识别：{values['nationality']}",
                    page,
                )
        self.members.append(member)
        if self.members_page is None:
            self.members_page = page

    def subtask_row(self, record: dict[str, str], page: int, hints: dict[str, str]) -> None:
        """One 课题; ``hints`` are the brackets of each column's label (国拨经费（元）)."""
        values = {k: _value(v) for k, v in record.items()}
        if not any(values.values()):
            return
        subtask = SubtaskData(
            name=values.get("name"),
            lead_unit=values.get("lead_unit"),
            lead_title=values.get("lead_title"),
            lead_degree=values.get("lead_degree"),
        )
        where = f"subtasks[{len(self.subtasks)}]"
        money = _money_unit(hints.get("national_funding", ""))
        readers = (  # field, reader (None: unreadable), warning code, what it is called
            (
                "lead_name",
                lambda raw: raw if looks_like_name(raw) else None,
                "invalid_name",
                "课题负责人姓名",
            ),
            ("lead_id_number", _id_number, "invalid_id", "课题负责人证件号码"),
            ("lead_birth_date", parse_date, "invalid_date", "课题负责人出生日期"),
            ("national_funding", lambda raw: parse_money_wan(raw, money), "invalid_number", "课题国拨经费"),
        )
        for name, read, code, what in readers:
            raw = values.get(name)
            if not raw:
                continue
            value = read(raw)
            setattr(subtask, name, value)
            if value is None:
                self.warn(f"{where}.{name}", code, f"{what}无法识别：{raw}", page)
        self.subtasks.append(subtask)
        if self.subtasks_page is None:
            self.subtasks_page = page

    def list_table(self, table: Table, kind: str, header: int, columns: dict[int, str]) -> None:
        header_key = _row_key(table.rows[header])
        hints = {name: _label_key(_cell(table.rows[header][i]))[1] for i, name in columns.items()}
        for row in table.rows[header + 1 :]:
            if _row_key(row) == header_key:
                continue  # a repeated header row
            record = {name: row[i] for i, name in columns.items() if i < len(row)}
            self.flush(kind, record, table.page, hints)

    def grouped_kvs(self, kvs: list[_KV], kind: str) -> None:
        """Units, members or subtasks written as label：value blocks, one block per unit /
        person / subtask."""
        index = _CONTEXT_LABELS[kind]
        record: dict[str, str] = {}
        hints: dict[str, str] = {}
        page = None
        for kv in kvs:
            name = index.get(kv.label)
            if name is None:
                continue
            if name in record:
                self.flush(kind, record, page, hints)
                record, hints = {}, {}
            record[name] = kv.value
            hints[name] = kv.unit_hint
            page = page if record.keys() - {name} else kv.page
        if record:
            self.flush(kind, record, page, hints)

    def flush(self, kind: str, record: dict[str, str], page: int | None, hints: dict[str, str]) -> None:
        if kind == "units":
            self.unit_row(record, page or 1)
        elif kind == "members":
            self.member_row(record, page or 1)
        else:
            self.subtask_row(record, page or 1, hints)

    # -- a person described in prose -------------------------------------------

    def person_sentence(self, text: str, page: int, *, warn: bool) -> bool:
        """ "陈晓明，男，1970年6月8日出生，身份证号110101197006081234，现任……": the PI's
        name (the first phrase, when it looks like a name), gender (a phrase 男 / 女 of its
        own), birth date and ID number. Returns whether a name was read; with ``warn`` a
        sentence without one is reported instead of stored as the name."""
        name, birth, number = _person_sentence(text)
        if name is None:
            if warn:
                self.warn("pi.name", "invalid_name", f"姓名无法识别：{text}", page)
            return False
        self.put("pi.name", name, page, text)
        self.put("pi.gender", _sentence_gender(text), page, text)
        self.put("pi.birth_date", birth, page, text)
        self.put("pi.id_number", number, page, text)
        return True

    # -- attachments ------------------------------------------------------------

    def attachment_text(self, text: str, page: int) -> None:
        """One line of the attachment list: "推荐函：有", "聘用证明：2 份", "1. 合作协议", "☑推荐函"."""
        s = _norm(text).replace("没有", "无")
        for kind, words in ATTACHMENT_WORDS.items():
            word = next((w for w in words if w in s), None)
            if word is None:
                continue
            after = s[s.index(word) + len(word) :]
            paren = re.match(r"[(]([^()]*)[)]", after)
            if paren:
                after = after[paren.end() :]
            has_colon = after.startswith(":")
            value = after.lstrip(":")
            if re.match(r"[、,;/]", value):
                value = ""  # "推荐函、合作协议": a list of what is attached
            answer = _choice(value, {"有": "yes", "无": "no", "是": "yes", "否": "no"})
            count = re.search(r"(\d+)(份|件|个|页)?", value)
            if count is None and paren:
                count = re.search(r"(\d+)(份|件|个)", paren.group(1))
            present: bool | None = None
            if kind == "employment_proof" and (count or answer == "no"):
                n = int(count.group(1)) if count and answer != "no" else 0
                self.put("pi.employment_proofs", n, page, text)
                present = n > 0
            elif answer:
                present = answer == "yes"
            elif count:
                present = int(count.group(1)) > 0
            elif s.index(word) and s[s.index(word) - 1] in _CHECKED + _UNCHECKED:
                present = s[s.index(word) - 1] in _CHECKED  # ☑推荐函 □合作协议
            elif not has_colon and not value:
                present = True  # listed as "1. 推荐函"
            if present is not None and kind not in self.attachments:
                self.attachments[kind] = present
                if self.found["attachments"] is None:
                    self.found["attachments"] = page

    # -- assembling ---------------------------------------------------------------

    def result(self, free: dict[str, list[_Para]]) -> FieldResult:
        v = self.values
        p = self.p
        p.reference = v.get("reference")  # type: ignore[assignment]
        p.guide_year = v.get("guide_year")  # type: ignore[assignment]
        p.title = v.get("title")  # type: ignore[assignment]
        p.direction = v.get("direction")  # type: ignore[assignment]
        p.recommender = v.get("recommender")  # type: ignore[assignment]
        p.start_date = v.get("start_date")  # type: ignore[assignment]
        p.end_date = v.get("end_date")  # type: ignore[assignment]
        if p.start_date and p.end_date and p.start_date > p.end_date:
            self.warn("end_date", "period_reversed", "执行期限的结束日期早于开始日期", self.found["end_date"])
        if "budget.national" in v or "budget.matching" in v:
            p.budget = Budget(national=v.get("budget.national"), matching=v.get("budget.matching"))  # type: ignore[arg-type]
        pi_values = {k[3:]: val for k, val in v.items() if k.startswith("pi.")}
        if pi_values:
            p.pi = PersonData(**pi_values)  # type: ignore[arg-type]
        if self.units:
            p.units = self.units
            self.found["units"] = self.units_page
        if self.members:
            p.members = self.members
            self.found["members"] = self.members_page
        if self.subtasks:
            p.subtasks = self.subtasks
            self.found["subtasks"] = self.subtasks_page
        for section, path in (("research", "research_content"), ("indicators", "indicators")):
            paras = [para for para in free.get(section, []) if para.text.strip()]
            if paras:
                setattr(p, path, "\n".join(para.text.strip() for para in paras))
                self.found[path] = paras[0].page
        if self.attachments:
            p.attachments = [k for k in ATTACHMENT_KINDS if self.attachments.get(k)]
        return FieldResult(p, self.found, self.warnings)


def extract_fields(blocks: list[Line | Table]) -> FieldResult:
    """Read a ProposalData out of document blocks (see the module docstring)."""
    items = _merge_tables(_paragraphs(_drop_running_headers(blocks)))
    ex = _Extractor()
    section = "preamble"
    free: dict[str, list[_Para]] = {}
    kv_buffer: dict[str, list[_KV]] = {"units": [], "members": [], "subtasks": []}
    for n, item in enumerate(items):
        if isinstance(item, _Para):
            if not item.text:
                continue
            heading = _heading(item.text)
            if heading:
                section, inline = heading
                if inline:
                    free.setdefault(section, []).append(_Para(inline, item.page))
                continue
            if section in _FREE_TEXT:
                free.setdefault(section, []).append(item)
                continue
            if section == "attachments":
                ex.attachment_text(item.text, item.page)
                continue
            if section == "preamble" and ex.found["guide_year"] is None:
                m = re.search(r"(20\d{2})\s*年度", item.text)
                if m and not _starts_with_label(item.text):
                    ex.put("guide_year", int(m.group(1)), item.page, item.text)
            labels = _CONTEXT_LABELS.get(section, _GENERAL)
            kvs = _split_kv(item.text, item.page, labels)
            kvs = _value_on_next_line(kvs, items, n, labels)
            if (
                section == "pi"
                and not any(kv.label in labels for kv in kvs)
                and ex.found["pi.name"] is None
                and _is_person_sentence(item.text)
            ):
                ex.person_sentence(item.text, item.page, warn=False)
                continue
            if section in kv_buffer:
                kv_buffer[section].extend(kvs)
            else:
                for kv in kvs:
                    ex.general(kv)
            continue
        # a table
        header = _find_header(item.rows)
        if header is not None:
            index, kind, columns = header
            if kind == "members" and section == "pi":
                _pi_from_table(ex, item, index, columns)
            else:
                ex.list_table(item, kind, index, columns)
            continue
        if section in _FREE_TEXT:
            continue
        if section == "attachments":
            for row in item.rows:
                cells = [_cell(c) for c in row if _cell(c)]
                for i, c in enumerate(cells):
                    if any(w in _norm(c) for ws in ATTACHMENT_WORDS.values() for w in ws):
                        ex.attachment_text(c + "：" + " ".join(cells[i + 1 :]), item.page)
                        break
            continue
        labels = _CONTEXT_LABELS.get(section, _GENERAL)
        kvs = _table_kvs(item, labels)
        if section in kv_buffer:
            kv_buffer[section].extend(kvs)
        else:
            for kv in kvs:
                ex.general(kv)
    for kind, kvs in kv_buffer.items():
        if kvs:
            ex.grouped_kvs(kvs, kind)
    return ex.result(free)


def tables_wanted(blocks: list[Line | Table], texts: dict[int, str]) -> set[int]:
    """The pages whose tables :func:`extract_fields` may take something from, among those whose
    tables are not read yet.

    ``blocks`` are the document's blocks with each table whose cells are not read yet standing as
    ``Table([], page)``; ``texts`` holds those pages' whole text (table cells included).
    :func:`extract_fields` takes from a table the columns of a list table (members, units,
    subtasks: a header row naming them, in any section), and outside the free-text sections
    (研究内容, 考核指标) "label / value" cells with a label it knows (the section's own, or in
    the attachment list the attachment names); a table merged into another (nothing but
    "续表" between them) counts with it. So a table is wanted when its page's text names the
    columns a list table's header needs (the thresholds of :func:`_classify`), or, outside the
    free-text sections, holds a label of its section; and with it every table of its run (tables
    with nothing between them that ends a table, read ones included). The sections are followed
    exactly as :func:`extract_fields` follows them, over the same paragraphs.

    Names are looked for anywhere in the page's text, whitespace removed, with and without text
    in brackets: a page may be wanted for nothing (a label in its prose); a table is missed only
    if the text interleaves one cell's wrapped label with other cells' text.
    """
    runs: list[tuple[list[Table], list[bool]]] = []
    section = "preamble"
    open_run: tuple[list[Table], list[bool]] | None = None
    for item in _paragraphs(_drop_running_headers(blocks)):
        if isinstance(item, _Para):
            if open_run is not None and _CONTINUED.fullmatch(item.text):
                continue
            open_run = None
            heading = _heading(item.text)
            if heading:
                section = heading[0]
            continue
        if open_run is None:
            open_run = ([], [])
            runs.append(open_run)
        if item.rows:
            cells = "\n".join(cell for row in item.rows for cell in row)
            matters = _find_header(item.rows) is not None or _may_give_fields(section, cells)
        else:
            matters = _may_give_fields(section, texts.get(item.page, ""))
        open_run[0].append(item)
        open_run[1].append(matters)
    return {t.page for tables, matters in runs if any(matters) for t in tables if not t.rows}


def _may_give_fields(section: str, text: str) -> bool:
    """Whether a table in ``section`` can give a field, from the text of its page (or cells)."""
    flat = _norm(text)
    flats = (flat, _PARENS.sub("", flat))
    for kind, index in (("subtasks", _SUBTASK), ("members", _MEMBER), ("units", _UNIT)):
        fields = {name for label, name in index.items() if label and any(label in f for f in flats)}
        if kind == "members" and "name" in fields and len(fields) >= 3:
            return True
        if kind == "units" and "name" in fields and len(fields - {"name"}) >= 2:
            return True
        if kind == "subtasks" and {"name", "lead_name"} <= fields and len(fields) >= 3:
            return True
    if section in _FREE_TEXT:
        return False
    return any(label in f for label in _TABLE_LABELS.get(section, _TABLE_LABELS["general"]) for f in flats)


# What a table outside the free-text sections gives fields by: its section's labels (general ones
# also route attachment names), the attachment names in the attachment list.
_TABLE_LABELS: dict[str, frozenset[str]] = {
    "general": frozenset(_GENERAL) | frozenset(_ATTACHMENT_LABELS),
    "attachments": frozenset(w for words in ATTACHMENT_WORDS.values() for w in words),
    **{section: frozenset(index) for section, index in _CONTEXT_LABELS.items()},
}


def _value_on_next_line(kvs: list[_KV], items: list, n: int, labels: dict[str, str]) -> list[_KV]:
    """ "项目名称：" with the value alone on the next line."""
    if len(kvs) == 1 and not kvs[0].value and kvs[0].label in labels and n + 1 < len(items):
        nxt = items[n + 1]
        if isinstance(nxt, _Para) and not _COLON.search(nxt.text) and _heading(nxt.text) is None:
            kvs[0].value = nxt.text
            nxt.text = ""
    return kvs


def _pi_from_table(ex: _Extractor, table: Table, header: int, columns: dict[int, str]) -> None:
    """A PI table laid out as a header row over one value row."""
    if header + 1 >= len(table.rows):
        return
    row = table.rows[header + 1]
    for i, cell in enumerate(table.rows[header]):
        if i < len(row):
            base, hint = _label_key(_cell(cell))
            ex.general(_KV(base, hint, _cell(row[i]), table.page))
