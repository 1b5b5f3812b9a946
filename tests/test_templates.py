"""Templates write full-width punctuation only inside translated strings: a "：" or "（" typed between
two template variables is shown in English too ("Original text：…", "admin（…）"), while one inside
``{% translate %}`` / ``{% blocktranslate %}`` (or a ``_("…")`` literal) has the English catalogue's
own punctuation."""

import re
from pathlib import Path

from django.conf import settings

FULL_WIDTH = re.compile(r"[；：，（）、。！？]|……")
TRANSLATED = re.compile(
    r"(?s)\{%\s*translate\b.*?%\}"
    r"|\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}"
    r"|\{#.*?#\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r'|_\("[^"]*"\)'
)


def untranslated_punctuation(source: str) -> list[str]:
    """Each full-width mark outside a translated string, with the text around it."""
    blanked = TRANSLATED.sub(lambda m: " " * len(m.group()), source)
    return [source[max(0, m.start() - 30) : m.end() + 20] for m in FULL_WIDTH.finditer(blanked)]


def test_the_check_finds_punctuation_between_variables_and_not_in_translations():
    assert untranslated_punctuation('{% translate "原文" %}：{{ text }}') == [
        '{% translate "原文" %}：{{ text }}'
    ]
    assert untranslated_punctuation("{{ name }}（{{ who }}）") == [
        "{{ name }}（{{ who }}）",
        "{{ name }}（{{ who }}）",
    ]
    assert untranslated_punctuation("{% blocktranslate %}原文：{{ t }}{% endblocktranslate %}") == []
    assert (
        untranslated_punctuation('{% translate "，" context "list" %}{{ p.title|default:_("（未填写）") }}')
        == []
    )


def test_no_template_writes_full_width_punctuation_outside_a_translation():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    found = {
        f"{path.relative_to(settings.BASE_DIR)}: {context}"
        for root in roots
        for path in sorted(root.rglob("*.html"))
        for context in untranslated_punctuation(path.read_text(encoding="utf-8"))
    }
    assert sorted(found) == []
