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

# The reader's version, recorded on every GuideVersion it reads: raise it when a change to the readers
# or the parser may read the same file differently (re-reading a file then re-applies its corrections).
READER_VERSION = "2026.12.1"

__all__ = [
    "READER_VERSION",
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
