import pytest

from guide.parsing.indicators import parse_indicator, parse_indicators, split_indicators
from guide.parsing.types import Indicator


def parsed(text: str) -> tuple:
    indicator = parse_indicator(text)
    return (indicator.subject, indicator.comparator, indicator.value, indicator.value_max, indicator.unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples the screening code relies on
        ("氧浓度 ≥25%", ("氧浓度", ">=", 25.0, None, "%")),
        ("200kW 以上等级的中试验证", ("等级的中试验证", ">=", 200.0, None, "kW")),
        ("二氧化碳捕集成本 ≤ 250 元人民币/吨", ("二氧化碳捕集成本", "<=", 250.0, None, "元人民币/吨")),
        ("埋存率大于 40%", ("埋存率", ">", 40.0, None, "%")),
        ("储能密度不低于 30 千瓦时/立方米", ("储能密度", ">=", 30.0, None, "千瓦时/立方米")),
        ("单次换电时间低于3分钟", ("单次换电时间", "<", 3.0, None, "分钟")),
        ("培养硕博研究生5~8人", ("硕博研究生", "range", 5.0, 8.0, "人")),
        ("提出不少于5项团体/行业/国家标准的建议稿", ("团体/行业/国家标准的建议稿", ">=", 5.0, None, "项")),
        ("放氢纯度 ≥99.999%", ("放氢纯度", ">=", 99.999, None, "%")),
        ("环境适应温度 20 摄氏度至 80 摄氏度", ("环境适应温度", "range", 20.0, 80.0, "摄氏度")),
    ],
)
def test_required_examples(text, expected):
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # more wordings found in the 2022 guide (raw LaTeX-like text as extracted)
        (r"储氢容量 $\geq 2.0\text{wt}\%$", ("储氢容量", ">=", 2.0, None, "wt%")),
        (r"吸放氢工作温度 $\leq 65^\circ\text{C}$", ("吸放氢工作温度", "<=", 65.0, None, "°C")),
        (r"事故备用型响应时间 $< 10\text{min}$", ("事故备用型响应时间", "<", 10.0, None, "min")),
        (r"额定吸放氢速率 $\geq 1500\text{SL}/\text{min}$", ("额定吸放氢速率", ">=", 1500.0, None, "SL/min")),
        (
            r"初始接触电阻 $\text{ICR} \leq 2.5\text{m}\Omega\cdot\text{cm}^2$",
            ("初始接触电阻 ICR", "<=", 2.5, None, "mΩ·cm²"),
        ),
        (
            r"连接后双极板厚度一致性偏差 $\leq \pm 10\mu\text{m}$",
            ("连接后双极板厚度一致性偏差", "<=", 10.0, None, "μm"),
        ),
        (r"流道间节长 $\leq 1.30 \pm$ 0.01mm", ("流道间节长", "<=", 1.3, None, "mm")),
        (
            r"在 0.25Mpa 下的气体泄露率 $\leq 1\text{ppm mbar}\cdot\text{L/s}$",
            ("气体泄露率", "<=", 1.0, None, "ppm mbar·L/s"),
        ),
        (r"最可几孔径 $3 \sim 15\text{nm}$ 可调、可控", ("最可几孔径", "range", 3.0, 15.0, "nm")),
        (
            r"1 万次 $-40^\circ\text{C} \sim 120^\circ\text{C}$ 冷热循环后涂层无脱落",
            ("1 万次", "range", -40.0, 120.0, "°C"),
        ),
        (
            r"浓度范围 $1 \times 10^{-6} \text{mol/mol} \sim 0.1 \text{mol/mol}$",
            ("浓度范围", "range", 1e-06, 0.1, "mol/mol"),
        ),
        ("流道深宽比 ≥ 0.7", ("流道深宽比", ">=", 0.7, None, None)),
        ("涂层制造成本小于 35 元人民币/ m²", ("涂层制造成本", "<", 35.0, None, "元人民币/m²")),
        ("叶片长度达到 150 米及以上", ("叶片长度", ">=", 150.0, None, "米")),
        (
            "关键参数的仿真结果与型式测试对比偏差 5%以内",
            ("关键参数的仿真结果与型式测试对比偏差", "<=", 5.0, None, "%"),
        ),
        (
            "秸秆类生物质小试验证系统产能达到 100 千克/天",
            ("秸秆类生物质小试验证系统产能", ">=", 100.0, None, "千克/天"),
        ),
        (
            "完成三个及以上不同重点行业 ≥ 10 万吨/年燃烧中碳捕集工业示范技术方案",
            ("三个及以上不同重点行业", ">=", 10.0, None, "万吨/年"),
        ),
        (
            "高温储热/低温储冷单元温度分别不高于-100 摄氏度",
            ("高温储热/低温储冷单元温度", "<=", -100.0, None, "摄氏度"),
        ),
        ("电芯的质量能量密度不小于 200 瓦时/千克", ("电芯的质量能量密度", ">=", 200.0, None, "瓦时/千克")),
        ("快速调频响应时间不大于 200 毫秒", ("快速调频响应时间", "<=", 200.0, None, "毫秒")),
        ("完成至少 2 项 IEEE 标准立项", ("IEEE 标准立项", ">=", 2.0, None, "项")),
        (
            "换电站电池大功率快充技术实现充电功率高于350千瓦",
            ("换电站电池大功率快充技术实现充电功率", ">", 350.0, None, "千瓦"),
        ),
        ("车内空气噪声声压级不大于63dB(A)", ("车内空气噪声声压级", "<=", 63.0, None, "dB(A)")),
        ("强化指标不低于21MPa·m/s", ("强化指标", ">=", 21.0, None, "MPa·m/s")),
        (
            "2种（液态/固态）以上体系电池不发生热失控的时间超过1h",
            ("2种（液态/固态）以上体系电池不发生热失控的时间", ">", 1.0, None, "h"),
        ),
        ("系统性减碳效果达到同类地区的30%(含)以上", ("系统性减碳效果达到同类地区", ">=", 30.0, None, "%")),
        ("示范区范围在1~10平方公里之间", ("示范区范围", "range", 1.0, 10.0, "平方公里")),
        (
            "研发化工行业节能降耗技术或装备2~3项/台",
            ("化工行业节能降耗技术或装备", "range", 2.0, 3.0, "项/台"),
        ),
        ("时间跨度 35 年以上", ("时间跨度", ">=", 35.0, None, "年")),
        ("识别关键因子 5 个以上", ("关键因子", ">=", 5.0, None, "个")),
        ("产生经济效益超 2000 万元人民币", ("经济效益", ">", 2000.0, None, "万元人民币")),
        ("其中国外专家人数不少于 50%", ("国外专家人数", ">=", 50.0, None, "%")),
        ("形成地质封存潜力评价技术方法 1 套", ("地质封存潜力评价技术方法", "=", 1.0, None, "套")),
        ("单位载荷叶片重量降低 5%", ("单位载荷叶片重量降低", "=", 5.0, None, "%")),
        ("平台测试时间不小于3个月", ("平台测试时间", ">=", 3.0, None, "个月")),
        (
            "开发出至少一款氨、氢燃料船用发动机原理样机",
            ("氨、氢燃料船用发动机原理样机", ">=", 1.0, None, "款"),
        ),
        ("在 500mA/cm² 电流密度条件下可实现1000h稳定运行（衰减率 ≤ 10%）", ("衰减率", "<=", 10.0, None, "%")),
        (
            "制定催化剂载体的团体标准（送审稿）1~2项",
            ("催化剂载体的团体标准（送审稿）", "range", 1.0, 2.0, "项"),
        ),
        ("培养硕博研究生5-8人", ("硕博研究生", "range", 5.0, 8.0, "人")),
        ("总投资不超过 3000 万元", ("总投资", "<=", 3000.0, None, "万元")),
        ("样本量少于 100 例", ("样本量", "<", 100.0, None, "例")),
    ],
)
def test_wordings_from_the_guide(text, expected):
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("无组织源反演系统排放量测量不确定度优于 30%", "<"),  # smaller is better for an uncertainty
        ("定位误差优于 5 米", "<"),
        ("光电转换效率优于 25%", ">"),  # larger is better otherwise
    ],
)
def test_better_than_depends_on_the_subject(text, comparator):
    assert parse_indicator(text).comparator == comparator


@pytest.mark.parametrize(
    "text",
    [
        "电芯的安全性符合国家标准",
        "建立符合 IEC 61853-4:2018 标准的光伏组件第三方户外测试区",
        "核算全球前 20 经济体 2018—2022 年甲烷月平均排放通量",
        "空间分辨率 0.25°×0.31°",
        "精度不低于 1:5 万比例尺",
        "产品质量达到中国生物柴油（BD100）的国家标准（GB/T20828-2017）",
        r"成本 \leq （Pt 现货价格·PGM wt%+50)元人民币/g",
    ],
)
def test_qualitative_or_unparseable_indicators_have_no_comparator(text):
    indicator = parse_indicator(text)
    assert (
        indicator.subject,
        indicator.comparator,
        indicator.value,
        indicator.value_max,
        indicator.unit,
    ) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert indicator.quantitative is False


def test_indicator_keeps_position_and_normalised_text():
    indicator = parse_indicator(r"放氢纯度 $\geq 99.999\%$ ；", position=7)
    assert indicator == Indicator(
        position=7, text="放氢纯度 ≥ 99.999%", subject="放氢纯度", comparator=">=", value=99.999, unit="%"
    )
    assert indicator.quantitative is True


def test_split_at_commas_only_when_each_part_has_its_own_value():
    assert split_indicators("氧浓度 ≥25%，燃尽度 ≥90%") == ["氧浓度 ≥25%", "燃尽度 ≥90%"]
    assert split_indicators("高浓度二氧化碳氛围下物料耦合流动、传热和传质模型，误差 ≤ 10%") == [
        "高浓度二氧化碳氛围下物料耦合流动、传热和传质模型，误差 ≤ 10%"
    ]


def test_a_condition_stays_with_the_value_it_qualifies():
    assert split_indicators(
        r"储氢容量 $\geq 2.0\text{wt}\%$ ，对 0.1Mpa 放氢，有效可逆放氢容量 $\geq 1.85\text{wt}\%$"
    ) == [
        "储氢容量 ≥ 2.0wt%",
        "对 0.1Mpa 放氢，有效可逆放氢容量 ≥ 1.85wt%",
    ]


def test_a_requirement_without_value_between_values_is_its_own_indicator():
    text = "形成新技术2~3项，完成立方级技术验证，相比于现有技术焦煤量下降5%以上"
    assert split_indicators(text) == [
        "形成新技术2~3项",
        "完成立方级技术验证",
        "相比于现有技术焦煤量下降5%以上",
    ]


def test_split_at_semicolons_full_stops_and_numbered_items():
    text = "合作实现至少 2 项关键技术的突破，包括但不限于：（1）安全设计模拟技术；（2）安全性能等级评价技术。提交不少于 1 项国际标准提案"
    assert split_indicators(text) == [
        "合作实现至少 2 项关键技术的突破，包括但不限于",
        "安全设计模拟技术",
        "安全性能等级评价技术",
        "提交不少于 1 项国际标准提案",
    ]


def test_commas_inside_parentheses_do_not_split():
    text = r"电压衰减 $\leq 30\text{mV}@0.8\text{A}/\text{cm}^2 (0.6\text{V} \sim 0.95\text{V}, 3\text{万圈}, \text{方波加速测试})$"
    assert split_indicators(text) == ["电压衰减 ≤ 30mV@0.8A/cm² (0.6V~0.95V, 3万圈，方波加速测试)"]


def test_group_headings_and_labels_are_handled():
    text = (
        "考核指标：\n(1) 催化剂载体\n性状要求：热分解温度 ≥ 600°C；\n工艺成本要求：成本 ≤ 10000 元人民币/kg。"
    )
    indicators = parse_indicators(text)
    assert [(i.position, i.text, i.subject, i.comparator, i.value, i.unit) for i in indicators] == [
        (0, "性状要求：热分解温度 ≥ 600°C", "热分解温度", ">=", 600.0, "°C"),
        (1, "工艺成本要求：成本 ≤ 10000 元人民币/kg", "成本", "<=", 10000.0, "元人民币/kg"),
    ]


def test_parse_indicators_of_direction_1_1_from_the_raw_text():
    text = (
        r"高浓度二氧化碳氛围下物料耦合流动、传热和传质模型，误差 $\leq 10\%$ ；完成工业炉窑富氧低氮燃烧关键装备 "
        r"200kW 以上等级的中试验证，氧浓度 $\geq 25\%$ ，燃尽度 $\geq 90\%$ ，干烟气二氧化碳浓度 $\geq 90\%$ ；"
        "完成三个及以上不同重点行业 ≥ 10 万吨/年燃烧中碳捕集工业示范技术方案，包括空分等的二氧化碳捕集成本 ≤ 250 元人民币/吨。"
    )
    assert [(i.position, i.subject, i.comparator, i.value, i.unit) for i in parse_indicators(text)] == [
        (0, "误差", "<=", 10.0, "%"),
        (1, "工业炉窑富氧低氮燃烧关键装备", ">=", 200.0, "kW"),
        (2, "氧浓度", ">=", 25.0, "%"),
        (3, "燃尽度", ">=", 90.0, "%"),
        (4, "干烟气二氧化碳浓度", ">=", 90.0, "%"),
        (5, "三个及以上不同重点行业", ">=", 10.0, "万吨/年"),
        (6, "空分等的二氧化碳捕集成本", "<=", 250.0, "元人民币/吨"),
    ]


def test_empty_text_gives_no_indicators():
    assert parse_indicators("") == []
    assert split_indicators("考核指标：") == []
