"""English titles and search keywords of a guide's directions, from a per-year data file
beside the guide (``2022-strategic-cooperation.en.json`` next to ``…txt``/``.pdf``/``.docx``).
Plain Python, no Django. The guide is published in Chinese only; this file is optional."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GuideReadError


@dataclass(frozen=True)
class EnglishDirection:
    title: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnglishGuide:
    year: int | None
    directions: dict[str, EnglishDirection] = field(default_factory=dict)


def english_path(guide_path: Path) -> Path:
    """`fixtures/guides/2022-x.txt` → `fixtures/guides/2022-x.en.json`."""
    guide_path = Path(guide_path)
    return guide_path.with_name(f"{guide_path.stem}.en.json")


def english_parse(data: dict) -> EnglishGuide:
    """Validate the decoded JSON: {"year": 2022, "directions": {"1.1": {"title": …, "keywords": […]}}}."""
    if not isinstance(data, dict) or not isinstance(data.get("directions"), dict):
        raise GuideReadError("English data file: expected an object with 'directions'")
    directions = {}
    for code, entry in data["directions"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("title", ""), str):
            raise GuideReadError(f"English data file: direction {code}: expected a title string")
        keywords = entry.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise GuideReadError(f"English data file: direction {code}: keywords must be a list of strings")
        directions[str(code)] = EnglishDirection(
            title=entry.get("title", "").strip(), keywords=tuple(k.strip() for k in keywords if k.strip())
        )
    year = data.get("year")
    return EnglishGuide(year=year if isinstance(year, int) else None, directions=directions)


def english_load(guide_path: Path) -> EnglishGuide | None:
    """The English data beside a guide file, or None when there is none."""
    path = english_path(guide_path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GuideReadError(f"{path.name}: cannot read ({exc})") from None
    return english_parse(data)
