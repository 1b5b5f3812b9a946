from django.utils.translation import get_language

from .labels import DJANGO_LANGUAGES
from .messages import RULE_TITLE_TEXTS, rule_title


def rule_choices() -> list[tuple[str, str]]:
    """The rules by their titles in the page's language ("配套经费比例", "Matching funding ratio"), in
    the report's order; called for each form, so the language is the request's."""
    language = get_language() or ""
    lang = next((key for key, code in DJANGO_LANGUAGES.items() if language.startswith(code[:2])), "zh")
    return [(rule_id, rule_title(rule_id, lang)) for rule_id in RULE_TITLE_TEXTS]
