"""The dashboard's charts as geometry for inline SVG (no Django, no JavaScript): the template draws
each bar as a ``<rect>`` with these x/y/width/height attributes and a CSS class for its colour (the
Content-Security-Policy forbids inline styles, so nothing here is CSS)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Bar:
    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    css: str = ""
    title: str = ""  # what the bar's <title> says (a screen reader, a hover)
    marker_x: float | None = None  # where a reference value sits on the bar's axis

    @property
    def label_x(self) -> float:
        """Where the label of a horizontal bar ends (it is drawn right-aligned, left of the bar)."""
        return round(self.x - 6, 1)

    @property
    def text_y(self) -> float:
        """The baseline of the bar's label and value text."""
        return round(self.y + self.height - 3, 1)

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 4, 1)

    @property
    def bottom(self) -> float:
        return round(self.y + self.height, 1)


@dataclass
class Chart:
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (x, label) under a day series
    maximum: int = 0
    label_width: float = 0
    baseline: float = 0  # y of the axis of a column chart


def _scale(value: float, maximum: float, span: float) -> float:
    return round(span * value / maximum, 1) if maximum else 0.0


FONT_PX = 12  # the labels' font size (static/css/workspace.css: .chart)


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """An estimate of ``text``'s width in pixels: a full-width (CJK) character is one em, others
    about 0.62 em (digits, Latin letters and the dot of a direction code in a sans-serif font)."""
    import unicodedata

    return sum(font_px if unicodedata.east_asian_width(c) in "WF" else 0.62 * font_px for c in text)


def fit_label(text: str, width: float, font_px: float = FONT_PX) -> str:
    """``text`` cut at its end with "…" so that it fits ``width`` pixels (its start, a direction
    code, is what must stay readable); unchanged when it fits."""
    if text_width(text, font_px) <= width:
        return text
    budget = width - text_width("…", font_px)
    kept = ""
    for char in text:
        if text_width(kept + char, font_px) > budget:
            break
        kept += char
    return kept.rstrip() + "…"


def horizontal_bars(
    items: list[tuple[str, str, int, str]],
    *,
    width: int = 640,
    bar_height: int = 18,
    gap: int = 6,
    label_width: int = 180,
    value_width: int = 60,
    markers: dict[str, int] | None = None,
    colon: str = ": ",
) -> Chart:
    """One bar per (key, label, value, css class) item, longest for the largest value; ``markers``
    (key → value) places a reference line on a bar (a direction's supported project count);
    ``colon`` between a bar's label and value in its title (the page's language's)."""
    values = [value for _key, _label, value, _css in items] + list((markers or {}).values())
    maximum = max(values, default=0)
    span = width - label_width - value_width
    chart = Chart(width=width, height=len(items) * (bar_height + gap) + gap, maximum=maximum)
    chart.label_width = label_width
    for n, (key, label, value, css) in enumerate(items):
        marker = (markers or {}).get(key)
        chart.bars.append(
            Bar(
                key=key,
                label=fit_label(label, label_width - 8),  # the gap between label and bar
                value=value,
                x=label_width,
                y=gap + n * (bar_height + gap),
                width=max(_scale(value, maximum, span), 1.0 if value else 0.0),
                height=bar_height,
                css=css,
                title=f"{label}{colon}{value}",
                marker_x=label_width + _scale(marker, maximum, span) if marker is not None else None,
            )
        )
    return chart


def day_columns(
    days: list[tuple[dt.date, int]],
    *,
    width: int = 640,
    height: int = 160,
    bottom: int = 22,
    top: int = 8,
    colon: str = ": ",
) -> Chart:
    """A column per day (oldest first), a tick label under the first day of each week's start
    (Mondays) and under the first and last day."""
    maximum = max((n for _day, n in days), default=0)
    chart = Chart(width=width, height=height, maximum=maximum, baseline=height - bottom)
    if not days:
        return chart
    step = width / len(days)
    span = height - bottom - top
    for k, (day, n) in enumerate(days):
        h = max(_scale(n, maximum, span), 1.0 if n else 0.0)
        chart.bars.append(
            Bar(
                key=day.isoformat(),
                label=day.isoformat(),
                value=n,
                x=round(k * step + step * 0.1, 1),
                y=round(height - bottom - h, 1),
                width=round(max(step * 0.8, 1.0), 1),
                height=h,
                css="day",
                title=f"{day.isoformat()}{colon}{n}",
            )
        )
        if k in (0, len(days) - 1) or (day.weekday() == 0 and 3 < k < len(days) - 4):
            chart.ticks.append((round(k * step + step / 2, 1), f"{day:%m-%d}"))
    return chart
