"""Drafts written by applicants: other labels, date and money formats, lines vs tables."""

from datetime import date
from decimal import Decimal

from proposals.extraction import extract
from proposals.extraction.fields import extract_fields
from proposals.extraction.model import Line, Table
from proposals.extraction.text import join_wrapped
from proposals.interchange import Budget, PersonData, UnitData, proposal_to_dict
from tests.factories.proposal_docs import PAGE_BREAK, make_docx, make_pdf

KV_DRAFT = [
    "国家重点研发计划 战略性科技创新合作重点专项 2024年度项目申报书",
    "一、项目基本信息",
    "项目名称：深海观测装备国际联合研发",
    "申报指南方向：2.3 海洋领域国际合作",
    "推荐单位: 自然资源部",
    "起止年月：2024.01-2026.12",
    "中央财政经费（元）：1,000,000",
    "自筹经费：50万元",
    "二、项目负责人信息",
    "姓    名：张三    性别：男",
    "身份证号码：11010519491231002X",
    "出生年月：1949.12",
    "国家/地区：中国香港",
    "专业技术职务：教授",
    "最高学位：博士",
    "所在单位：香港大学",
    "聘用形式：☑兼职 □全职",
    "是否国家机关公务人员：□是 ☑否",
    "三、申报单位及参与单位",
    [
        ["序号", "单位名称", "统一社会信用代码", "国家/地区", "单位性质", "成立时间", "单位角色", "备注"],
        ["1", "香港大学", "无", "中国香港", "高等院校", "1911年3月16日", "牵头单位", ""],
        [
            "2",
            "国家海洋技术中心",
            "12100000400000383B",
            "中国",
            "科研院所",
            "1965.3",
            "参与单位",
            "第三方公共检测机构",
        ],
        ["3", "University of Southampton", "/", "英国", "University", "1952-04-29", "参与", ""],
    ],
    "四、项目骨干",
    [
        ["序号", "姓名", "性别", "身份证号码", "出生年月", "所在单位", "项目分工"],
        ["1", "李四", "女", "110105198001010027", "1980年1月", "国家海洋技术中心", ["传感器", "研制"]],
        [
            "2",
            "John Smith",
            "男",
            "P1234567",
            "1975-05-05",
            "University of Southampton",
            ["Data", "analysis"],
        ],
    ],
    "五、主要研究内容",
    "研发深海长期观测装备。",
    "开展联合海试。",
    "六、考核指标",
    "研制样机 2 套。",
    "七、附件",
    "1. 推荐函",
    "2. 合作协议：无",
    "3. 聘用证明 3 份",
]

KV_EXPECTED = {
    "reference": None,
    "guide_year": 2024,
    "direction": "2.3",
    "title": "深海观测装备国际联合研发",
    "recommender": "自然资源部",
    "start_date": "2024-01-01",
    "end_date": "2026-12-31",
    "budget": {"national": 100, "matching": 50, "unit": "万元"},
    "pi": {
        "name": "张三",
        "gender": "male",  # as written (the ID number's 17th digit says female: the form asks)
        "id_number": "11010519491231002X",
        "birth_date": "1949-12-01",
        "nationality": "HK",
        "region": None,
        "title": "教授",
        "degree": "博士",
        "employer": "香港大学",
        "employment": "part_time",
        "employment_proofs": 3,
        "civil_servant": False,
    },
    "members": [
        {
            "name": "李四",
            "gender": "female",
            "id_number": "110105198001010027",
            "birth_date": "1980-01-01",
            "nationality": None,
            "role": "传感器研制",
            "unit": "国家海洋技术中心",
        },
        {
            "name": "John Smith",
            "gender": "male",
            "id_number": "P1234567",
            "birth_date": "1975-05-05",
            "nationality": None,
            "role": "Data analysis",
            "unit": "University of Southampton",
        },
    ],
    "units": [
        {
            "name": "香港大学",
            "credit_code": None,
            "country": "HK",
            "type": "university",
            "registered_on": "1911-03-16",
            "role": "lead",
            "third_party_testing": None,
            "hgr_license": None,
        },
        {
            "name": "国家海洋技术中心",
            "credit_code": "12100000400000383B",
            "country": "CN",
            "type": "research_institute",
            "registered_on": "1965-03-01",
            "role": "participant",
            "third_party_testing": True,
            "hgr_license": None,
        },
        {
            "name": "University of Southampton",
            "credit_code": None,
            "country": "GB",
            "type": "university",
            "registered_on": "1952-04-29",
            "role": "participant",
            "third_party_testing": None,
            "hgr_license": None,
        },
    ],
    "subtasks": None,
    "research_content": "研发深海长期观测装备。\n开展联合海试。",
    "indicators": "研制样机 2 套。",
    "attachments": ["recommendation_letter", "employment_proof"],
}


def _pdf_blocks(blocks: list) -> list:
    out = []
    for block in blocks:
        if isinstance(block, list):
            rows = [[join_wrapped(c) if isinstance(c, list) else c for c in row] for row in block]
            out.append(("table", rows, True))
        else:
            # STSong-Light has no glyph for ☑ (pdfplumber drops it); √ is common in PDFs too
            out.append(block.replace("☑", "√") if isinstance(block, str) else block)
    return out


def test_key_value_draft_docx():
    result = extract(make_docx(KV_DRAFT))
    assert proposal_to_dict(result.proposal) == KV_EXPECTED
    assert result.warnings == []


def test_key_value_draft_pdf():
    result = extract(make_pdf(_pdf_blocks(KV_DRAFT)))
    assert proposal_to_dict(result.proposal) == KV_EXPECTED
    assert result.warnings == []


def test_table_layout_draft_docx():
    blocks = [
        "项目申报书",
        "基本信息",
        [
            ["项目名称", "智能电网国际合作"],
            ["指南方向", "1.2 能源领域"],
            ["推荐单位", "国家能源局"],
            ["执行期", "2025年1月 至 2027年6月"],
            ["中央财政专项资金（万元）", "300"],
            ["其他来源资金（万元）", "150.75"],
        ],
        "项目负责人",
        [
            ["姓名", "王伟", "出生日期", "1968-08-08"],
            ["证件号码", "E98765432", "国籍", "Germany"],
            ["专业技术职称", "Professor", "学位", "PhD"],
            ["工作单位", ["德国", "亚琛工业大学"], "聘用方式", "全职"],
            ["是否为国家机关公务人员", "否", "", ""],
        ],
        "申报单位及参与单位",
        [
            ["单位名称", "国家/地区", "单位类型", "注册时间", "角色"],
            ["国网能源研究院有限公司", "中国", "企业", "2009/6/1", "牵头"],
            ["RWTH Aachen University", "德国", "高等学校", "1870.10", "参与"],
        ],
        "附件清单",
        [["附件", "是否提供"], ["推荐函", "有"], ["合作协议", "☑有 □无"], ["聘用证明", "1 份"]],
    ]
    p = extract(make_docx(blocks)).proposal
    assert (p.title, p.direction, p.recommender) == ("智能电网国际合作", "1.2", "国家能源局")
    assert (p.start_date, p.end_date) == (date(2025, 1, 1), date(2027, 6, 30))
    assert p.budget == Budget(national=Decimal("300"), matching=Decimal("150.75"))
    assert p.pi == PersonData(
        name="王伟",
        id_number="E98765432",
        birth_date=date(1968, 8, 8),
        nationality="DE",
        title="Professor",
        degree="PhD",
        employer="德国亚琛工业大学",
        employment="full_time",
        employment_proofs=1,
        civil_servant=False,
    )
    assert p.units == [
        UnitData(
            name="国网能源研究院有限公司",
            country="CN",
            type="enterprise",
            registered_on=date(2009, 6, 1),
            role="lead",
        ),
        UnitData(
            name="RWTH Aachen University",
            country="DE",
            type="university",
            registered_on=date(1870, 10, 1),
            role="participant",
        ),
    ]
    assert p.attachments == ["recommendation_letter", "cooperation_agreement", "employment_proof"]
    assert p.members is None


def test_pi_as_header_row_over_values():
    blocks = [
        "项目负责人",
        [
            ["姓名", "证件号码", "出生日期", "工作单位"],
            ["赵六", "110105198001010027", "1980.01.01", "清华大学"],
        ],
    ]
    p = extract(make_docx(blocks)).proposal
    assert p.pi == PersonData(
        name="赵六", id_number="110105198001010027", birth_date=date(1980, 1, 1), employer="清华大学"
    )
    assert p.members is None


def test_units_and_members_written_as_label_value_blocks():
    blocks = [
        "申报单位及参与单位",
        "单位名称：北京大学",
        "统一社会信用代码：12100000400000383B",
        "国别/地区：中国",
        "单位类型：高等学校",
        "注册日期：1898年7月3日",
        "角色：牵头",
        "单位名称：Universität Wien",
        "国别/地区：奥地利",
        "单位类型：大学",
        "角色：参与",
        "项目骨干",
        [["姓名", "钱七"], ["证件号码", "G12345678"], ["分工", "算法"]],
        [["姓名", "孙八"], ["证件号码", "110105198001010027"], ["工作单位", "北京大学"]],
    ]
    p = extract(make_docx(blocks)).proposal
    assert p.units == [
        UnitData(
            name="北京大学",
            credit_code="12100000400000383B",
            country="CN",
            type="university",
            registered_on=date(1898, 7, 3),
            role="lead",
        ),
        UnitData(name="Universität Wien", country="AT", type="university", role="participant"),
    ]
    assert p.members == [
        PersonData(name="钱七", id_number="G12345678", role="算法"),
        PersonData(name="孙八", id_number="110105198001010027", unit="北京大学"),
    ]


def test_value_on_the_next_line_and_ascii_colons():
    blocks = [
        "基本信息",
        "项目名称：",
        "一个很长的项目名称",
        "执行期限:2023-01-01 至 2025-12-31",
        "国拨经费: 80",
    ]
    p = extract(make_docx(blocks)).proposal
    assert p.title == "一个很长的项目名称"
    assert (p.start_date, p.end_date) == (date(2023, 1, 1), date(2025, 12, 31))
    assert p.budget == Budget(national=Decimal("80"))


def test_several_labels_on_one_line():
    blocks = ["项目负责人", "姓名：李雷  出生日期：1985年5月  国籍：中国", "职称：研究员 学位：博士"]
    p = extract(make_docx(blocks)).proposal
    assert p.pi == PersonData(
        name="李雷", birth_date=date(1985, 5, 1), nationality="CN", title="研究员", degree="博士"
    )


def test_unparseable_values_are_none_with_warnings():
    blocks = [
        "基本信息",
        "执行期限：三年",
        "国拨经费：待定",
        "项目负责人",
        "出生日期：不详",
        "国籍：火星",
        "聘用方式：全职/兼职",
        "申报单位及参与单位",
        [["单位名称", "国别/地区", "单位类型", "注册日期"], ["某单位", "Atlantis", "俱乐部", "去年"]],
    ]
    result = extract(make_docx(blocks))
    p = result.proposal
    assert (p.start_date, p.end_date, p.budget, p.pi) == (None, None, None, None)
    assert p.units == [UnitData(name="某单位")]
    assert [(w.path, w.code) for w in result.warnings] == [
        ("start_date", "invalid_period"),
        ("budget.national", "invalid_number"),
        ("pi.birth_date", "invalid_date"),
        ("pi.nationality", "unknown_country"),
        ("pi.employment", "invalid_choice"),
        ("units[0].country", "unknown_country"),
        ("units[0].type", "invalid_choice"),
        ("units[0].registered_on", "invalid_date"),
    ]
    assert all(w.severity == "warning" and w.page == 1 for w in result.warnings)


def test_nationality_with_region():
    p = extract(make_docx(["项目负责人", "国籍/地区：中国（福建）"])).proposal
    assert (p.pi.nationality, p.pi.region) == ("CN", "福建")


def test_direction_without_code_is_kept_as_written():
    assert extract(make_docx(["指南方向：工业领域"])).proposal.direction == "工业领域"
    assert extract(make_docx(["指南方向：1.1 工业领域…"])).proposal.direction == "1.1"
    assert extract(make_docx(["指南方向：2.10.3、生物医药"])).proposal.direction == "2.10.3"


def test_docx_pages_from_explicit_breaks():
    blocks = ["封面", PAGE_BREAK, "基本信息", "项目名称：分页测试", PAGE_BREAK, "项目负责人", "姓名：周九"]
    result = extract(make_docx(blocks))
    assert result.pages == 3
    assert (result.found["title"], result.found["pi.name"]) == (2, 3)


# --------------------------------------------------------------------------- tables over page breaks

UNIT_HEAD = ["单位名称", "统一社会信用代码", "国别/地区", "单位类型", "注册日期", "角色"]
UNIT_ROWS = [
    [f"测试单位{i:02d}研究所", "91350100M000100Y43", "中国", "科研院所", f"2001-01-{i:02d}", "参与"]
    for i in range(1, 25)
]


def _long_table_pdf(repeat_header: bool) -> bytes:
    blocks = [
        "申报单位及参与单位",
        ("spacer", 500),
        ("table", [UNIT_HEAD, *UNIT_ROWS], repeat_header),
        "项目骨干",
    ]
    return make_pdf(blocks, col_widths={6: [110, 110, 60, 60, 70, 40]})


def test_pdf_table_continued_with_repeated_header():
    result = extract(_long_table_pdf(True))
    assert result.pages == 2
    assert [u.name for u in result.proposal.units] == [row[0] for row in UNIT_ROWS]
    assert result.proposal.units[23].registered_on == date(2001, 1, 24)
    assert result.found["units"] == 1


def test_pdf_table_continued_without_header():
    result = extract(_long_table_pdf(False))
    assert result.pages == 2
    assert [u.name for u in result.proposal.units] == [row[0] for row in UNIT_ROWS]


def test_row_split_over_a_page_break_is_glued():
    blocks = [
        Table(
            [
                UNIT_HEAD,
                ["甲研究所", "91350100M000100Y43", "中国", "科研院所", "2001-01-01", "参与"],
                ["乙大学", "", "中", "高等学校", "2002-02-", ""],
            ],
            1,
        ),
        Table([["", "", "国", "", "02", "牵头"], ["丙公司", "", "日本", "企业", "2003-03-03", "参与"]], 2),
    ]
    units = extract_fields(blocks).proposal.units
    assert [(u.name, u.country, u.registered_on, u.role) for u in units] == [
        ("甲研究所", "CN", date(2001, 1, 1), "participant"),
        ("乙大学", "CN", date(2002, 2, 2), "lead"),
        ("丙公司", "JP", date(2003, 3, 3), "participant"),
    ]


def test_tables_with_different_headers_are_not_merged():
    blocks = [
        Table([UNIT_HEAD, ["甲研究所", "", "中国", "科研院所", "2001-01-01", "参与"]], 1),
        Table(
            [
                ["姓名", "证件号码", "出生日期", "工作单位", "分工"],
                ["吴十", "E1", "1990-01-01", "甲研究所", "测试"],
            ],
            2,
        ),
    ]
    p = extract_fields(blocks).proposal
    assert [u.name for u in p.units] == ["甲研究所"]
    assert [m.name for m in p.members] == ["吴十"]


def test_wrapped_cells_are_joined():
    blocks = [
        Table(
            [
                ["姓名", "证件号码", "出生日期", "工作单位", "分工"],
                [
                    "Hans\nMüller",
                    "C4X7K2\nM19",
                    "1970-\n01-25",
                    "Max Planck Institute\nfor Chemical\nEnergy Conversion",
                    "中国科学院福建\n物质结构研究所\n牵头协调",
                ],
            ],
            1,
        )
    ]
    assert extract_fields(blocks).proposal.members == [
        PersonData(
            name="Hans Müller",
            id_number="C4X7K2M19",
            birth_date=date(1970, 1, 25),
            unit="Max Planck Institute for Chemical Energy Conversion",
            role="中国科学院福建物质结构研究所牵头协调",
        )
    ]


def test_wrapped_cells_in_a_real_pdf():
    head = ["姓名", "证件号码", "出生日期", "工作单位", "分工"]
    row = [
        "王五",
        "110105198001010027",
        "1980-01-01",
        "Max Planck Institute for Chemical Energy Conversion",
        "中国科学院福建物质结构研究所牵头协调",
    ]
    data = make_pdf(["项目骨干", ("table", [head, row], True)], col_widths={5: [50, 110, 60, 80, 80]})
    assert extract(data).proposal.members == [
        PersonData(
            name="王五",
            id_number="110105198001010027",
            birth_date=date(1980, 1, 1),
            unit="Max Planck Institute for Chemical Energy Conversion",
            role="中国科学院福建物质结构研究所牵头协调",
        )
    ]


def test_wrapped_pdf_lines_are_joined_but_paragraphs_kept():
    blocks = [
        Line("研究内容", 1),
        Line("第一段开头，", 1),
        Line("第一段续行 Digital", 1, continues=True),
        Line("Twin platform。", 1, continues=True),
        Line("第二段。", 1),
        Line("项目名称：不被并入", 1, continues=True),
    ]
    p = extract_fields(blocks).proposal
    assert (
        p.research_content == "第一段开头，第一段续行 Digital Twin platform。\n第二段。\n项目名称：不被并入"
    )


def test_running_headers_are_dropped():
    blocks = []
    for page in range(1, 5):
        blocks += [Line("国家重点研发计划项目申报书", page), Line(f"正文第{page}页。", page)]
    blocks.insert(1, Line("研究内容", 1))
    assert (
        extract_fields(blocks).proposal.research_content
        == "正文第1页。\n正文第2页。\n正文第3页。\n正文第4页。"
    )


def test_repeated_lines_inside_pages_are_kept():
    blocks = [Line("申报单位及参与单位", 1)]
    for page in range(1, 5):
        blocks += [
            Line(f"单位名称：单位{page}", page),
            Line("国别/地区：中国", page),
            Line(f"角色：参与{page}", page),
        ]
    units = extract_fields(blocks).proposal.units
    assert [(u.name, u.country) for u in units] == [(f"单位{n}", "CN") for n in range(1, 5)]


def test_attachment_list_variants():
    cases = {
        ("推荐函：有", "合作协议：无", "聘用证明：2 份"): (["recommendation_letter", "employment_proof"], 2),
        ("1. 推荐函", "2. 合作协议（英文版）", "3. 聘用证明（2份）"): (
            ["recommendation_letter", "cooperation_agreement", "employment_proof"],
            2,
        ),
        ("推荐函、合作协议",): (["recommendation_letter", "cooperation_agreement"], None),
        ("☑推荐函 □合作协议",): (["recommendation_letter"], None),
        ("推荐函（附件1）：无", "聘用证明：没有"): ([], 0),
        ("聘用证明：有",): (["employment_proof"], None),
        ("推荐函：", "合作协议：", "聘用证明："): (None, None),
    }
    for lines, (kinds, proofs) in cases.items():
        blocks = [Line("附件清单", 1)] + [Line(text, 1) for text in lines]
        p = extract_fields(blocks).proposal
        assert (p.attachments, p.pi.employment_proofs if p.pi else None) == (kinds, proofs), lines
