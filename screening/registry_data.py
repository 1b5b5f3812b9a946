"""The registries' data as people write it, without the database: the columns of each registry
(their display names in Chinese and English and the other headers a spreadsheet may use), the CSV
reader, the cleaners that check each row and normalise it to its model's fields, the sample file
made from the same columns, and the difference between a registry's rows and a new file's.

Errors are RegistryImportError: a message id with parameters and the place (a spreadsheet row as
Excel numbers it, the header being row 1; or the n-th entry of a batch file's list), rendered in
the reader's language by gettext when shown (``str(error)``)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .rules.text import normalise_name

ONGOING_PROJECTS = "ongoing_projects"
MISCONDUCT = "misconduct"
GUIDE_EXPERTS = "guide_experts"
RECOMMENDERS = "recommenders"
REGISTRIES = (ONGOING_PROJECTS, MISCONDUCT, GUIDE_EXPERTS, RECOMMENDERS)

PROJECT_LEAD = "project_lead"
TASK_LEAD = "task_lead"


@dataclass(frozen=True)
class Column:
    """One column of a registry: its key (the model field and the batch file's key), its display
    name (a Chinese msgid; ``english`` is its catalogue's English, also read as a header), the other
    headers read as this column, whether every row must fill it, and a sample value."""

    key: str
    label: str
    english: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: tuple[str, str] = ("", "")
    note: str = ""  # a msgid saying what the column takes, beside its name on the page

    def headers(self) -> tuple[str, ...]:
        """Every header read as this column."""
        return (self.key, self.label, self.english, *self.aliases)


ID_NUMBER = ("证件号码", "ID number", ("身份证号码", "身份证号", "证件号", "id", "id no"))

COLUMNS: dict[str, tuple[Column, ...]] = {
    ONGOING_PROJECTS: (
        Column(
            "id_number",
            gettext_noop("证件号码"),
            "ID number",
            ID_NUMBER[2],
            required=True,
            example=("110101198001010011", "110101198506060022"),
        ),
        Column("name", gettext_noop("姓名"), "Name", (), example=("张三", "李四")),
        Column(
            "role",
            gettext_noop("角色"),
            "Role",
            ("承担角色",),
            example=("项目负责人", "任务（课题）负责人"),
            note=gettext_noop("“项目负责人”或“任务（课题）负责人”；不填这一列时为项目负责人"),
        ),
        Column(
            "program",
            gettext_noop("计划/项目"),
            "Program/project",
            ("项目名称", "项目", "计划", "program", "programme", "project"),
            example=("国家重点研发计划 2021YFE0100100", "国家重点研发计划 2021YFE0100200"),
        ),
    ),
    MISCONDUCT: (
        Column(
            "id_number",
            gettext_noop("证件号码"),
            "ID number",
            ID_NUMBER[2],
            example=("110101197001010033", ""),
        ),
        Column(
            "credit_code",
            gettext_noop("统一社会信用代码"),
            "Unified social credit code",
            ("信用代码", "社会信用代码", "credit code", "uscc"),
            example=("", "91110000100000000X"),
        ),
        Column(
            "name",
            gettext_noop("名称"),
            "Name",
            ("姓名", "单位名称", "姓名或名称", "单位"),
            example=("王五", "某某科技有限公司"),
            note=gettext_noop("个人姓名或单位名称；证件号码、统一社会信用代码和名称至少填一项"),
        ),
    ),
    GUIDE_EXPERTS: (
        Column(
            "id_number",
            gettext_noop("证件号码"),
            "ID number",
            ID_NUMBER[2],
            required=True,
            example=("110101196501010044", "110101197203030055"),
        ),
        Column("name", gettext_noop("姓名"), "Name", (), example=("赵六", "孙七")),
    ),
    RECOMMENDERS: (
        Column(
            "name",
            gettext_noop("推荐单位"),
            "Recommender",
            ("名称", "单位名称", "推荐单位名称", "recommending unit"),
            required=True,
            example=("北京市科学技术委员会", "中国科学院"),
        ),
    ),
}
# Misconduct entries need one of these (any of the three identifies the person or unit).
ONE_OF = {MISCONDUCT: ("id_number", "credit_code", "name")}

# The roles of an ongoing project, as written in a file.
ROLE_VALUES = {
    PROJECT_LEAD: PROJECT_LEAD,
    TASK_LEAD: TASK_LEAD,
    "项目负责人": PROJECT_LEAD,
    "任务（课题）负责人": TASK_LEAD,
    "任务(课题)负责人": TASK_LEAD,
    "课题负责人": TASK_LEAD,
    "任务负责人": TASK_LEAD,
    "project lead": PROJECT_LEAD,
    "task lead": TASK_LEAD,
}

# The messages: a place prefix and a body, each a msgid rendered by gettext with its parameters.
MESSAGES = {
    "registries_not_object": gettext_noop("名单数据应为一个对象：名单名称对应记录列表。"),
    "unknown_registries": gettext_noop("没有这些名单：%(names)s。可用的名单：%(known)s。"),
    "not_a_list": gettext_noop("名单“%(registry)s”应为记录列表。"),
    "unknown_registry": gettext_noop("没有名为“%(name)s”的名单。"),
    "empty_file": gettext_noop("文件是空的：第 1 行应为表头（各列的名称）。"),
    "unreadable": gettext_noop(
        "无法按 CSV 读取：引号不成对，或一个单元格超过 128 KB。请在表格软件中另存为 CSV（UTF-8）后重试。"
    ),
    "missing_column": gettext_noop("表头中没有“%(column)s”列。这个名单的列：“%(columns)s”。"),
    "missing_any_column": gettext_noop("表头中至少要有“%(columns)s”中的一列。"),
    "duplicate_column": gettext_noop("“%(column)s”列出现了不止一次（%(headers)s）。"),
    "not_object": gettext_noop("应为一条记录（对象）。"),
    "required": gettext_noop("“%(column)s”没有填写。"),
    "needs_one_of": gettext_noop("“%(columns)s”至少要填一项。"),
    "bad_role": gettext_noop("“%(column)s”应为“项目负责人”或“任务（课题）负责人”，而不是“%(value)s”。"),
    "too_long": gettext_noop("“%(column)s”超过 %(limit)s 个字符。"),
}
PLACES = {
    "row": gettext_noop("第 %(n)s 行："),
    "entry": gettext_noop("名单“%(registry)s”第 %(n)s 条："),
}
# Parameters that are msgids themselves (column names, registry names): translated when shown.
_TRANSLATED_PARAMS = ("column", "registry")
_TRANSLATED_LISTS = ("columns",)


class RegistryImportError(ValueError):
    """A registry file or object that cannot be read: ``code`` (MESSAGES), its ``params`` and the
    place (``place``: "row" or "entry", ``n``, ``registry``). ``str()`` is the message in the
    active language."""

    def __init__(self, code: str, *, place: str = "", n: int = 0, registry: str = "", **params):
        super().__init__(code)
        self.code, self.place, self.n, self.registry, self.params = code, place, n, registry, params

    def as_json(self) -> str:
        return json.dumps(
            {
                "code": self.code,
                "place": self.place,
                "n": self.n,
                "registry": self.registry,
                "params": self.params,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> RegistryImportError | None:
        try:
            data = json.loads(text)
            return cls(
                data["code"], place=data["place"], n=data["n"], registry=data["registry"], **data["params"]
            )
        except (ValueError, KeyError, TypeError):
            return None

    def __str__(self) -> str:
        from django.utils.translation import gettext, pgettext

        from .enums import RegistryName

        def registry_label(name: str) -> str:
            return str(RegistryName(name).label) if name in RegistryName.values else name

        params = dict(self.params)
        for key in _TRANSLATED_PARAMS:
            if key in params:
                params[key] = registry_label(params[key]) if key == "registry" else gettext(params[key])
        sep = pgettext("quoted list", "”“")
        for key in _TRANSLATED_LISTS:
            if key in params:
                params[key] = sep.join(gettext(v) for v in params[key])
        if isinstance(params.get("headers"), list):
            params["headers"] = pgettext("list", "、").join(params["headers"])
        body = gettext(MESSAGES[self.code]) % params if self.code in MESSAGES else self.code
        if not self.place:
            return body
        return gettext(PLACES[self.place]) % {"n": self.n, "registry": registry_label(self.registry)} + body


# --- headers -------------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A header as compared: full-width folded to half-width, case and spaces, underscores and
    hyphens ignored ("ID number", "id_number" and "ＩＤ Number" are one)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-")


_ROLES = {header_key(k): v for k, v in ROLE_VALUES.items()}


def _header_index(name: str) -> dict[str, Column]:
    return {header_key(h): column for column in COLUMNS[name] for h in column.headers()}


@dataclass
class CsvRows:
    """The data rows of a CSV file: each a dict of the registry's keys, with its spreadsheet row
    number; the headers that name no column of the registry (left out)."""

    rows: list[dict] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def read_csv(name: str, text: str) -> CsvRows:
    """Read CSV ``text`` (header row first, Chinese or English column names) as registry ``name``'s
    rows. Values stripped; blank lines skipped (but counted, as a spreadsheet shows them); a short
    row's missing cells empty; cells past the header, and columns the registry has not, left out."""
    if name not in COLUMNS:
        raise RegistryImportError("unknown_registry", name=name)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    records = 0
    try:
        header = next(reader, None)
        records = 1
        if header is None or not any(h.strip() for h in header):
            raise RegistryImportError("empty_file")
        keys = _header_keys(name, header)
        out = CsvRows(
            ignored=[h.strip() for h, k in zip(header, keys, strict=True) if k is None and h.strip()]
        )
        for values in reader:
            records += 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            values = values + [""] * (len(keys) - len(values))
            out.rows.append({k: v.strip() for k, v in zip(keys, values, strict=False) if k})
            out.numbers.append(records)
    except csv.Error:  # a field over the csv module's 128 KiB, a stray quote at the end …
        raise RegistryImportError("unreadable", place="row", n=records + 1) from None
    return out


def _header_keys(name: str, header: list[str]) -> list[str | None]:
    """Each header cell's column key (None: not a column of this registry); the header must name
    the required columns, and no column twice."""
    index = _header_index(name)
    keys: list[str | None] = []
    seen: dict[str, str] = {}
    for cell in header:
        column = index.get(header_key(cell)) if cell.strip() else None
        if column is not None and column.key in seen:
            raise RegistryImportError(
                "duplicate_column",
                place="row",
                n=1,
                column=column.label,
                headers=[seen[column.key], cell.strip()],
            )
        if column is not None:
            seen[column.key] = cell.strip()
        keys.append(column.key if column is not None else None)
    for column in COLUMNS[name]:
        if column.required and column.key not in seen:
            raise RegistryImportError(
                "missing_column",
                place="row",
                n=1,
                column=column.label,
                columns=[c.label for c in COLUMNS[name]],
            )
    one_of = ONE_OF.get(name)
    if one_of and not seen.keys() & set(one_of):
        labels = {c.key: c.label for c in COLUMNS[name]}
        raise RegistryImportError("missing_any_column", place="row", n=1, columns=[labels[k] for k in one_of])
    return keys


# --- cleaning --------------------------------------------------------------------------------


def clean_rows(
    name: str,
    rows: list,
    *,
    numbers: Iterable[int] | None = None,
    limits: dict[str, int] | None = None,
) -> list[dict]:
    """Check each of ``rows`` (dicts of the registry's keys; a recommender may be a plain name)
    and normalise it to its model's fields. ``numbers``: each row's spreadsheet row (CSV); without
    them the rows are a batch file's list, named by their position from 1. ``limits``: the columns'
    lengths. Applying it to its own output gives the same rows. Raises RegistryImportError naming
    the first bad row."""
    if name not in COLUMNS:
        raise RegistryImportError("unknown_registry", name=name)
    numbers = list(numbers) if numbers is not None else None
    labels = {c.key: c.label for c in COLUMNS[name]}
    cleaned = []
    for i, row in enumerate(rows):
        where = (
            {"place": "row", "n": numbers[i]}
            if numbers is not None
            else {"place": "entry", "n": i + 1, "registry": name}
        )
        out = _CLEANERS[name](row, where, labels)
        for key, value in out.items():
            limit = (limits or {}).get(key)
            if limit is not None and len(value) > limit:
                raise RegistryImportError("too_long", **where, column=labels.get(key, key), limit=limit)
        cleaned.append(out)
    if name == RECOMMENDERS:  # one entry per normalised name, the last spelling kept
        cleaned = list({row["name_key"]: row for row in cleaned}.values())
    return cleaned


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _object(row, where: dict) -> dict:
    if not isinstance(row, dict):
        raise RegistryImportError("not_object", **where)
    return row


def _required(row: dict, key: str, where: dict, labels: dict) -> str:
    value = _text(row, key)
    if not value:
        raise RegistryImportError("required", **where, column=labels[key])
    return value


def _clean_ongoing(row, where: dict, labels: dict) -> dict:
    row = _object(row, where)
    id_number = _required(row, "id_number", where, labels).upper()
    raw_role = row.get("role", PROJECT_LEAD)  # no role column: a project lead
    text = "" if raw_role is None else str(raw_role).strip()
    if not text:
        raise RegistryImportError("required", **where, column=labels["role"])
    role = _ROLES.get(header_key(text))
    if role is None:
        raise RegistryImportError("bad_role", **where, column=labels["role"], value=text)
    return {
        "id_number": id_number,
        "name": _text(row, "name"),
        "role": role,
        "program": _text(row, "program"),
    }


def _clean_misconduct(row, where: dict, labels: dict) -> dict:
    row = _object(row, where)
    id_number = _text(row, "id_number").upper()
    credit_code = _text(row, "credit_code").upper()
    name = _text(row, "name")
    if not (id_number or credit_code or name):
        raise RegistryImportError("needs_one_of", **where, columns=[labels[k] for k in ONE_OF[MISCONDUCT]])
    return {
        "id_number": id_number,
        "credit_code": credit_code,
        "name": name,
        "name_key": normalise_name(name) if not (id_number or credit_code) else "",
    }


def _clean_experts(row, where: dict, labels: dict) -> dict:
    row = _object(row, where)
    return {"id_number": _required(row, "id_number", where, labels).upper(), "name": _text(row, "name")}


def _clean_recommenders(row, where: dict, labels: dict) -> dict:
    name = _required({"name": row} if isinstance(row, str) else _object(row, where), "name", where, labels)
    return {"name": name, "name_key": normalise_name(name)}


_CLEANERS = {
    ONGOING_PROJECTS: _clean_ongoing,
    MISCONDUCT: _clean_misconduct,
    GUIDE_EXPERTS: _clean_experts,
    RECOMMENDERS: _clean_recommenders,
}


# --- the sample file -------------------------------------------------------------------------


def sample_csv(name: str, *, headers: list[str]) -> str:
    """A sample CSV of registry ``name`` with ``headers`` (its columns' names in the reader's
    language, in COLUMNS' order) and two example rows, UTF-8 with a BOM so that Excel opens it."""
    if name not in COLUMNS:
        raise RegistryImportError("unknown_registry", name=name)
    columns = COLUMNS[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for n in range(2):
        writer.writerow([c.example[n] for c in columns])
    return "\ufeff" + out.getvalue()


# --- the difference a new file makes ------------------------------------------------------------

# What identifies an entry (an entry of the same key with other values is "changed").
_IDENTITY = {
    ONGOING_PROJECTS: ("id_number", "role", "program"),
    MISCONDUCT: ("id_number", "credit_code", "name_key"),
    GUIDE_EXPERTS: ("id_number",),
    RECOMMENDERS: ("name_key",),
}
# The fields compared (and shown): the columns.
SHOWN = {name: tuple(c.key for c in columns) for name, columns in COLUMNS.items()}


def diff_rows(name: str, old: list[dict], new: list[dict], *, examples: int = 5) -> dict:
    """How cleaned rows ``new`` differ from ``old``: counts of entries added, removed, changed (same
    identity, other values) and unchanged, with up to ``examples`` of each kind (rows of the shown
    fields; a change as its old and new row). JSON-ready."""
    identity, shown = _IDENTITY[name], SHOWN[name]

    def group(rows: list[dict]) -> dict[tuple, list[tuple]]:
        groups: dict[tuple, list[tuple]] = {}
        for row in rows:
            key = tuple(row.get(k, "") for k in identity)
            groups.setdefault(key, []).append(tuple(row.get(k, "") for k in shown))
        return {k: sorted(v) for k, v in groups.items()}

    before, after = group(old), group(new)
    out = {
        "current": len(old),
        "new": len(new),
        "added": 0,
        "removed": 0,
        "changed": 0,
        "unchanged": 0,
        "examples": {"added": [], "removed": [], "changed": []},
    }

    def as_row(values: tuple) -> dict:
        return dict(zip(shown, values, strict=True))

    for key in sorted(after.keys() - before.keys()):
        out["added"] += len(after[key])
        for values in after[key]:
            if len(out["examples"]["added"]) < examples:
                out["examples"]["added"].append(as_row(values))
    for key in sorted(before.keys() - after.keys()):
        out["removed"] += len(before[key])
        for values in before[key]:
            if len(out["examples"]["removed"]) < examples:
                out["examples"]["removed"].append(as_row(values))
    for key in sorted(before.keys() & after.keys()):
        if before[key] == after[key]:
            out["unchanged"] += len(after[key])
            continue
        out["changed"] += max(len(before[key]), len(after[key]))
        if len(out["examples"]["changed"]) < examples:
            out["examples"]["changed"].append({"old": as_row(before[key][0]), "new": as_row(after[key][0])})
    return out
