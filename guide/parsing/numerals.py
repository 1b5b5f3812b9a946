"""Chinese numerals as they appear in guides (一 … 九十九, 两)."""

CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """'三' → 3, '十' → 10, '十二' → 12, '二十' → 20, '两' → 2; None if not a numeral."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        if (tens and tens not in CN_DIGITS) or (units and units not in CN_DIGITS):
            return None
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)
    if len(text) == 1:
        return CN_DIGITS.get(text)
    return None


def to_int(token: str) -> int | None:
    """An Arabic or Chinese numeral as int."""
    return int(token) if token.isdigit() else chinese_number(token)
