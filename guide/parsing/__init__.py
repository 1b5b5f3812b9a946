"""Call-guide parser: plain Python (no Django), text in, dataclasses out.

Modules: ``types`` (dataclasses, ``to_json``), ``errors``, ``normalize`` (text clean-up), ``indicators``
(考核指标 parsing, also used on applicants' text), ``partners``, ``general`` (budget, eligibility),
``parser`` (``parse_text``) and ``readers`` (``read_document``/``parse_file`` for .txt/.pdf/.docx).
"""

from .errors import GuideError, GuideParseError, GuideReadError
from .indicators import parse_indicator, parse_indicators, split_indicators
from .parser import parse_text
from .readers import extract_document, parse_file, read_document
from .types import (
    Area,
    Direction,
    Eligibility,
    FormalClause,
    Indicator,
    ParsedGuide,
    PartnerRequirement,
    to_json,
)

__all__ = [
    "Area",
    "Direction",
    "Eligibility",
    "FormalClause",
    "GuideError",
    "GuideParseError",
    "GuideReadError",
    "Indicator",
    "ParsedGuide",
    "PartnerRequirement",
    "extract_document",
    "parse_file",
    "parse_indicator",
    "parse_indicators",
    "parse_text",
    "read_document",
    "split_indicators",
    "to_json",
]
