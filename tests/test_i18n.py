"""The English catalogue stays complete: every msgid translated, nothing fuzzy,
placeholders kept."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries() -> list[dict]:
    result, current, key = [], None, None
    for line in PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            current = {"flags": line, "msgid": "", "msgstr": []}
            result.append(current)
        elif line.startswith("msgid "):
            if current is None or current["msgid"] or current["msgstr"]:
                current = {"flags": "", "msgid": "", "msgstr": []}
                result.append(current)
            key = "msgid"
            current["msgid"] = line[7:-1]
        elif line.startswith("msgid_plural "):
            key = "plural"
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(line.split(" ", 1)[1][1:-1])
        elif line.startswith('"') and current is not None:
            if key == "msgid":
                current["msgid"] += line[1:-1]
            elif key == "msgstr":
                current["msgstr"][-1] += line[1:-1]
    return [e for e in result if e["msgid"]]


def test_every_message_is_translated_and_not_fuzzy():
    items = entries()
    assert len(items) > 300
    assert [e["msgid"] for e in items if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in items if not all(e["msgstr"])] == []


def test_placeholders_survive_translation():
    pattern = re.compile(r"%\(\w+\)[sd]")
    broken = [
        e["msgid"]
        for e in items_with_placeholders(pattern)
        if set(pattern.findall(e["msgid"])) - set(pattern.findall(" ".join(e["msgstr"])))
    ]
    assert broken == []


def items_with_placeholders(pattern):
    return [e for e in entries() if pattern.search(e["msgid"])]
