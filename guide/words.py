"""The guide's codes in people's words, in the active language: continents, partner requirement codes,
and lists joined the way the language joins them. Used by the pages' template filters
(templatetags.humanize_guide) and the review page's values (selectors.display_value). The words
themselves are the catalogue's (guide.parsing.partners: CONTINENT_WORDS, PARTNER_CODE_WORDS)."""

from django.utils.translation import get_language, pgettext

from .parsing.partners import CONTINENT_WORDS, PARTNER_CODE_WORDS


def join_words(items) -> str:
    """['亚洲', '欧洲', '美洲'] → '亚洲、欧洲、美洲' in Chinese, 'Asia, Europe and the Americas' in English."""
    items = [str(i) for i in items]
    if (get_language() or "").startswith("zh"):
        return "、".join(items)
    # The interface speaks Chinese or English (settings.LANGUAGES): this is the English way.
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def continent_name(code: str) -> str:
    """A continent code in the active language; an unknown one as it is."""
    return pgettext(*CONTINENT_WORDS[code]) if code in CONTINENT_WORDS else str(code)


def continent_names(codes) -> str:
    """Continent codes named and joined the way the active language joins a list."""
    return join_words(continent_name(c) for c in codes or [])


def partner_code_name(code: str) -> str | None:
    """What a partner requirement's code (institution_kind, licence) asks for, in the active language
    ("hgr_preservation" → 须具备人类遗传资源保藏行政许可); None for a code without words."""
    return pgettext(*PARTNER_CODE_WORDS[code]) if code in PARTNER_CODE_WORDS else None
