import datetime as dt

from screening.workspace.charts import day_columns, fit_label, horizontal_bars, text_width


def test_bars_scale_to_the_largest_value_and_an_empty_one_has_no_width():
    chart = horizontal_bars(
        [("a", "A", 10, "x"), ("b", "B", 5, "x"), ("c", "C", 0, "x")],
        width=400,
        label_width=100,
        value_width=50,
    )
    assert [(b.width, b.y) for b in chart.bars] == [(250.0, 6), (125.0, 30), (0.0, 54)]
    assert (chart.height, chart.maximum) == (78, 10)


def test_a_marker_shares_the_bars_axis():
    chart = horizontal_bars(
        [("1.1", "1.1", 4, "d")], width=400, label_width=100, value_width=50, markers={"1.1": 2}
    )
    assert (chart.bars[0].width, chart.bars[0].marker_x) == (250.0, 225.0)


def test_a_marker_larger_than_every_bar_sets_the_scale():
    chart = horizontal_bars(
        [("1.1", "1.1", 1, "d")], width=400, label_width=100, value_width=50, markers={"1.1": 2}
    )
    assert (chart.bars[0].width, chart.bars[0].marker_x) == (125.0, 350.0)


def test_all_zero_values_draw_nothing():
    chart = horizontal_bars([("a", "A", 0, "x")])
    assert chart.bars[0].width == 0.0


def test_day_columns_one_per_day_tallest_for_the_busiest_day():
    days = [(dt.date(2022, 5, 1) + dt.timedelta(days=k), n) for k, n in enumerate([1, 0, 4])]
    chart = day_columns(days, width=300, height=130, bottom=20, top=10)
    assert [(b.key, b.height, b.y) for b in chart.bars] == [
        ("2022-05-01", 25.0, 85.0),
        ("2022-05-02", 0.0, 110.0),
        ("2022-05-03", 100.0, 10.0),
    ]
    assert [label for _x, label in chart.ticks] == ["05-01", "05-03"]
    assert chart.baseline == 110


def test_no_days_no_columns():
    assert day_columns([]).bars == []


def test_a_long_label_is_cut_at_its_end_so_its_code_stays_whole():
    chart = horizontal_bars(
        [("10.1", "10.1 基于人工智能的新一代信息技术国际合作研究", 3, "direction")], label_width=200
    )
    label = chart.bars[0].label
    assert (label.startswith("10.1 基于人工智能"), label.endswith("…")) == (True, True)
    assert text_width(label) <= 192
    assert fit_label("1.1 氢能", 192) == "1.1 氢能"
