"""Registry files as people write them (screening.registry_data, pure): Chinese and English
headers, errors with the spreadsheet's row and the column's name in the reader's language, the
sample file read back by the same reader, and the difference a new file makes."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from screening import registry_data
from screening.registry_data import COLUMNS, RegistryImportError, clean_rows, diff_rows, read_csv, sample_csv


def error(name: str, text: str, language: str = "zh-hans") -> str:
    with pytest.raises(RegistryImportError) as caught:
        read = read_csv(name, text)
        clean_rows(name, read.rows, numbers=read.numbers, limits={"name": 100})
    with translation.override(language):
        return str(caught.value)


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("证件号码,姓名,角色,计划/项目", "110101198001010011,张三,任务（课题）负责人,重点研发计划"),
        ("id_number,name,role,program", "110101198001010011,张三,task_lead,重点研发计划"),
        ("ID Number,Name,Role,Program/project", "110101198001010011,张三,Task lead,重点研发计划"),
        ("id number,name,role,programme", "110101198001010011,张三,TASK_LEAD,重点研发计划"),
        ("身份证号,姓名,承担角色,项目名称", "110101198001010011,张三,课题负责人,重点研发计划"),
        ("ＩＤ　ｎｕｍｂｅｒ,name,ROLE,program", "110101198001010011,张三,task lead,重点研发计划"),
    ],
)
def test_chinese_and_english_headers_name_the_same_columns(header, row):
    read = read_csv("ongoing_projects", f"{header}\n{row}\n")
    assert clean_rows("ongoing_projects", read.rows, numbers=read.numbers) == [
        {"id_number": "110101198001010011", "name": "张三", "role": "task_lead", "program": "重点研发计划"}
    ]


def test_every_column_of_every_registry_is_read_under_its_chinese_and_english_name():
    for name, columns in COLUMNS.items():
        for column in columns:
            for header in (column.key, column.label, column.english):
                keys = registry_data._header_keys(
                    name, [header] + [c.label for c in columns if c is not column]
                )
                assert keys[0] == column.key, (name, header)


def test_each_columns_english_name_is_its_catalogues_english():
    with translation.override("en"):
        shown = {(name, c.key): translation.gettext(c.label) for name, cs in COLUMNS.items() for c in cs}
    assert shown == {(name, c.key): c.english for name, cs in COLUMNS.items() for c in cs}


def test_columns_the_registry_has_not_are_left_out_and_named():
    read = read_csv("guide_experts", "序号,证件号码,姓名,备注\n1,110101196501010044,赵六,外聘\n")
    assert (read.rows, read.ignored) == (
        [{"id_number": "110101196501010044", "name": "赵六"}],
        ["序号", "备注"],
    )


def test_row_numbers_are_the_spreadsheets_counting_blank_lines_and_multi_line_cells():
    text = 'id_number,name\n110101196501010044,"赵\n六"\n\n,孙七\n'
    assert error("guide_experts", text) == "第 4 行：“证件号码”没有填写。"
    assert error("guide_experts", text, "en") == "Row 4: “ID number” is empty."


@pytest.mark.parametrize(
    ("name", "text", "zh", "en"),
    [
        (
            "guide_experts",
            "姓名\n赵六\n",
            "第 1 行：表头中没有“证件号码”列。这个名单的列：“证件号码”“姓名”。",
            "Row 1: The header has no “ID number” column. This registry's columns: “ID number”, “Name”.",
        ),
        (
            "misconduct",
            "备注\n某人\n",
            "第 1 行：表头中至少要有“证件号码”“统一社会信用代码”“名称”中的一列。",
            "Row 1: The header needs at least one of the columns “ID number”, “Unified social credit code”, “Name”.",
        ),
        (
            "misconduct",
            "名称,姓名\n甲,乙\n",
            "第 1 行：“名称”列出现了不止一次（名称、姓名）。",
            "Row 1: The column “Name” appears more than once (名称, 姓名).",
        ),
        (
            "misconduct",
            "证件号码,名称,备注\n,甲,\n,,未填名称\n",
            "第 3 行：“证件号码”“统一社会信用代码”“名称”至少要填一项。",
            "Row 3: Fill in at least one of “ID number”, “Unified social credit code”, “Name”.",
        ),
        (
            "ongoing_projects",
            "证件号码,角色\nX1,组长\n",
            "第 2 行：“角色”应为“项目负责人”或“任务（课题）负责人”，而不是“组长”。",
            "Row 2: “Role” must be “project lead” or “task lead”, not “组长”.",
        ),
        (
            "guide_experts",
            "证件号码,姓名\nX1," + "甲" * 101 + "\n",
            "第 2 行：“姓名”超过 100 个字符。",
            "Row 2: “Name” is longer than 100 characters.",
        ),
        (
            "guide_experts",
            "",
            "文件是空的：第 1 行应为表头（各列的名称）。",
            "The file is empty: row 1 must be the header (the columns' names).",
        ),
        (
            "guide_experts",
            "id_number,name\nX1," + "甲" * 140_000 + "\n",
            "第 2 行：无法按 CSV 读取：引号不成对，或一个单元格超过 128 KB。请在表格软件中另存为 CSV（UTF-8）后重试。",
            "Row 2: Not readable as CSV: a quote is not closed, or a cell is over 128 KB. "
            "Save it again as CSV (UTF-8) from your spreadsheet program and retry.",
        ),
    ],
)
def test_errors_name_the_spreadsheet_row_and_the_column_in_the_readers_language(name, text, zh, en):
    assert (error(name, text), error(name, text, "en")) == (zh, en)


def test_a_batch_files_entry_is_named_by_its_registry_and_position_from_one():
    with pytest.raises(RegistryImportError) as caught:
        clean_rows("misconduct", [{"name": "甲"}, {}])
    with translation.override("en"):
        english = str(caught.value)
    assert (str(caught.value), english) == (
        "名单“失信记录”第 2 条：“证件号码”“统一社会信用代码”“名称”至少要填一项。",
        "Registry “Misconduct records” entry 2: Fill in at least one of “ID number”, “Unified social credit code”, “Name”.",
    )


@pytest.mark.parametrize("name", list(COLUMNS))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_sample_file_is_read_back_by_the_same_reader(name, language):
    headers = [c.english if language == "en" else c.label for c in COLUMNS[name]]
    text = sample_csv(name, headers=headers)
    assert text.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(text[1:]))) == headers
    read = read_csv(name, text)
    rows = clean_rows(name, read.rows, numbers=read.numbers)
    assert (len(rows), read.numbers, read.ignored) == (2, [2, 3], [])


def test_the_difference_counts_added_removed_changed_and_unchanged_entries():
    old = clean_rows(
        "guide_experts",
        [
            {"id_number": "A1", "name": "甲"},
            {"id_number": "B2", "name": "乙"},
            {"id_number": "C3", "name": "丙"},
        ],
    )
    new = clean_rows(
        "guide_experts",
        [
            {"id_number": "A1", "name": "甲"},
            {"id_number": "B2", "name": "乙二"},
            {"id_number": "D4", "name": "丁"},
        ],
    )
    diff = diff_rows("guide_experts", old, new, examples=5)
    assert diff == {
        "current": 3,
        "new": 3,
        "added": 1,
        "removed": 1,
        "changed": 1,
        "unchanged": 1,
        "examples": {
            "added": [{"id_number": "D4", "name": "丁"}],
            "removed": [{"id_number": "C3", "name": "丙"}],
            "changed": [
                {"old": {"id_number": "B2", "name": "乙"}, "new": {"id_number": "B2", "name": "乙二"}}
            ],
        },
    }


def test_the_difference_of_identical_lists_is_nothing_and_examples_are_bounded():
    rows = clean_rows("recommenders", [f"第{n}省科学技术厅" for n in range(20)])
    assert {k: v for k, v in diff_rows("recommenders", rows, rows).items() if k != "examples"} == {
        "current": 20,
        "new": 20,
        "added": 0,
        "removed": 0,
        "changed": 0,
        "unchanged": 20,
    }
    diff = diff_rows("recommenders", [], rows, examples=3)
    assert (diff["added"], len(diff["examples"]["added"])) == (20, 3)
