"""The streaming XLSX writer, read back with openpyxl."""

import io
import zipfile

from openpyxl import load_workbook

from screening.workspace.xlsx import Sheet, column_letter, write_xlsx


def written(sheets) -> io.BytesIO:
    out = io.BytesIO()
    write_xlsx(out, sheets)
    out.seek(0)
    return out


def test_column_letters():
    assert [column_letter(n) for n in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_values_come_back_with_their_types():
    wb = load_workbook(
        written([Sheet("s", [["h1", "h2", "h3", "h4", "h5"], ["文本 <&>", 3, 2.5, True, None]])])
    )
    assert list(wb.active.iter_rows(values_only=True)) == [
        ("h1", "h2", "h3", "h4", "h5"),
        ("文本 <&>", 3, 2.5, True, None),
    ]


def test_stamp_lines_above_a_bold_frozen_header_with_an_autofilter():
    rows = [["导出时间", "2022-05-01"], [], ["编号", "项目名称"], ["P-1", "甲"], ["P-2", "乙"]]
    ws = load_workbook(written([Sheet("申报项目", rows, widths=[14, 30], header_row=3, wrap={1})])).active
    assert (ws.title, ws.freeze_panes, ws.auto_filter.ref) == ("申报项目", "A4", "A3:B5")
    assert (ws["A3"].font.b, ws["A1"].font.b, ws["B4"].alignment.wrap_text) == (True, False, True)
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (14, 30)


def test_leading_and_trailing_spaces_and_line_breaks_are_kept():
    ws = load_workbook(written([Sheet("s", [["h"], ["  a\nb  "]])])).active
    assert ws["A2"].value == "  a\nb  "


def test_text_longer_than_a_cell_holds_is_cut_at_excels_limit():
    ws = load_workbook(written([Sheet("s", [["h"], ["x" * 40000]])])).active
    assert len(ws["A2"].value) == 32767


def test_several_sheets_keep_their_order_and_odd_names_are_made_valid():
    wb = load_workbook(written([Sheet("a/b:c", [["x"]]), Sheet("第二", [["y"]]), Sheet("第二", [["z"]])]))
    assert wb.sheetnames == ["a b c", "第二", "第二 2"]


def test_the_package_holds_the_parts_excel_needs():
    names = zipfile.ZipFile(written([Sheet("s", [["x"]])])).namelist()
    assert sorted(names) == [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
    ]
