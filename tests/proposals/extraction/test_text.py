from proposals.extraction.text import first_chunk, is_wide, join_wrapped, needs_space, safe_breaks, wrap_text


def test_join_wrapped():
    assert join_wrapped(["中国科学院福建", "物质结构研究所"]) == "中国科学院福建物质结构研究所"
    assert join_wrapped(["Max Planck Institute", "for Chemical", "Energy Conversion"]) == (
        "Max Planck Institute for Chemical Energy Conversion"
    )
    assert (
        join_wrapped(["研究所（Fraunhofer", "Institute）和", "日本"])
        == "研究所（Fraunhofer Institute）和日本"
    )
    assert join_wrapped(["2023-01-", "01"]) == "2023-01-01"
    assert join_wrapped(["Systems,", "and"]) == "Systems, and"
    assert join_wrapped(["A/", "cm2"]) == "A/cm2"
    assert join_wrapped(["  ", "甲", ""]) == "甲"


def test_needs_space():
    assert needs_space("a", "b") is True
    assert needs_space("1", "2") is True
    assert needs_space("中", "a") is False
    assert needs_space("a", "，") is False
    assert needs_space("(", "a") is False
    assert needs_space("a", ")") is False
    assert is_wide("中") and is_wide("，") and is_wide("“") and not is_wide("a")


def test_safe_breaks_and_first_chunk():
    assert safe_breaks("ab cd") == [(2, 3)]
    assert safe_breaks("级 PEM") == []
    assert safe_breaks("甲乙") == [(1, 1)]
    assert first_chunk("级 PEM 电解槽") == "级 PEM 电"
    assert first_chunk("Energy Systems") == "Energy"
    assert first_chunk("") == ""


def test_wrap_text_reads_back_to_the_original():
    texts = [
        "本项目面向碳中和目标，联合德国弗劳恩霍夫太阳能系统研究所（Fraunhofer Institute for Solar Energy Systems）开展研究",
        "（2）兆瓦级 PEM 电解槽关键材料的中试放大，2 A/cm2 下稳定运行 2000 小时",
        "AI-driven Smart Port Collaboration with supercalifragilisticexpialidocious words",
        "91350100M000100Y43",
    ]

    def width(ch: str) -> float:
        return 1.0 if is_wide(ch) else 0.5

    for text in texts:
        for line_width in (3, 5, 8, 13, 21, 34):
            lines = wrap_text(text, line_width, width)
            assert all(sum(map(width, line)) <= line_width for line in lines)
            if all(sum(map(width, w)) <= line_width for w in text.split()):
                assert join_wrapped(lines) == text, (text, line_width, lines)
