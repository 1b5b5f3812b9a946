"""The guide's codes in people's words, in the active language: continents, partner requirement codes,
and lists joined the way the language joins them. Used by the pages' template filters
(templatetags.humanize_guide) and the review page's values (selectors.display_value)."""

from django.utils.translation import get_language, gettext_lazy

CONTINENT_NAMES = {
    "asia": gettext_lazy("亚洲"),
    "europe": gettext_lazy("欧洲"),
    "americas": gettext_lazy("美洲"),
    "africa": gettext_lazy("非洲"),
    "oceania": gettext_lazy("大洋洲"),
}

# A partner requirement's code value (institution_kind, licence) as the direction page says it.
PARTNER_CODE_NAMES = {
    "third_party_testing": gettext_lazy("须有第三方公共检测机构参加"),
    "hgr_preservation": gettext_lazy("须具备人类遗传资源保藏行政许可"),
}


def join_words(items) -> str:
    """['亚洲', '欧洲', '美洲'] → '亚洲、欧洲、美洲' in Chinese, 'Asia, Europe and the Americas' in English."""
    items = [str(i) for i in items]
    if (get_language() or "").startswith("zh"):
        return "、".join(items)
    # The interface speaks Chinese or English (settings.LANGUAGES): this is the English way.
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def continent_names(codes) -> str:
    """Continent codes named and joined the way the active language joins a list."""
    return join_words(CONTINENT_NAMES.get(c, c) for c in codes or [])
