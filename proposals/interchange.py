"""The JSON interchange format for proposals, and the normalisers shared with extraction.

One JSON object per proposal (see :func:`proposal_to_dict` for the exact
shape). A batch file is ``{"registries": {...}, "proposals": [...]}`` or a
bare list of proposals.

People (``pi`` and each of ``members``) carry ``gender``: ``"male"``,
``"female"`` or null (unknown; ``""`` reads as null). A proposal's 课题 are the list
``subtasks`` (at most :data:`MAX_SUBTASKS`, in order; ``units`` and ``members`` at most
:data:`MAX_UNITS` and :data:`MAX_MEMBERS`), each an object with
``name`` (课题名称), ``lead_unit`` (承担单位), ``lead_name``, ``lead_id_number``,
``lead_birth_date``, ``lead_title`` (职称), ``lead_degree`` (学位) of
its lead (课题负责人) and ``national_funding`` (国拨经费, a number in 万元); null or
a missing key means not given, ``[]`` none.

Parsing never crashes on bad data and never guesses: a missing field is
stored as None, a wrongly typed value becomes an :class:`Issue` (with the
JSON path, e.g. ``proposals[3].units[1].registered_on``) and the field is
None; unknown keys are ignored with a warning. So does a value that could not
be stored as given: text with a control character, text longer than its
column (:data:`MAX_LENGTHS`), an unsafe reference, money beyond the column's
12 digits or with more than 2 decimal places in 万元 (never rounded). ID
numbers, credit codes and direction codes are read in their stored form
(:func:`~proposals.identifiers.normalize_identifier`, :func:`normalize_direction_code`).

Plain Python, no Django.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .identifiers import normalize_identifier

__all__ = [
    "ATTACHMENT_KINDS",
    "EMPLOYMENT_KINDS",
    "GENDERS",
    "MAX_LENGTHS",
    "MAX_MEMBERS",
    "MAX_SUBTASKS",
    "MAX_UNITS",
    "MONEY_LIMIT",
    "REFERENCE_PATTERN",
    "UNIT_ROLES",
    "UNIT_TYPES",
    "Batch",
    "Budget",
    "Issue",
    "PersonData",
    "ProposalData",
    "SubtaskData",
    "UnitData",
    "continent_of",
    "control_character",
    "country_name_zh",
    "is_country_code",
    "normalize_country",
    "normalize_direction_code",
    "normalize_unit_type",
    "parse_batch",
    "parse_date",
    "parse_money_wan",
    "parse_period",
    "parse_proposal",
    "proposal_to_dict",
]

UNIT_TYPES = (
    "university",
    "research_institute",
    "enterprise",
    "state_organ",
    "international_organization",
    "other",
)
UNIT_ROLES = ("lead", "participant")
EMPLOYMENT_KINDS = ("full_time", "part_time")
GENDERS = ("male", "female")
# The most 课题 a proposal may list (the form's formset has the same bound).
MAX_SUBTASKS = 20
# The most units and members a proposal may list (the form's formsets have the same bounds): far
# above any project team, low enough that one proposal's check stays a matter of milliseconds.
MAX_UNITS = 60
MAX_MEMBERS = 100
# Canonical order, also used when writing ``attachments``.
ATTACHMENT_KINDS = ("recommendation_letter", "cooperation_agreement", "employment_proof")

# The longest value of each stored text field, by its interchange path (``pi.name``
# stands for the PI's name, ``members.name`` for every member's): the max_length of
# the database column it is written to. Fields not listed have no limit.
MAX_LENGTHS: dict[str, int] = {
    "reference": 64,
    "direction": 16,
    "title": 300,
    "recommender": 200,
    "pi.name": 100,
    "pi.id_number": 40,
    "pi.title": 100,
    "pi.degree": 100,
    "pi.employer": 200,
    "members.name": 100,
    "members.id_number": 40,
    "members.role": 200,
    "members.unit": 200,
    "units.name": 200,
    "units.credit_code": 18,
    "subtasks.name": 200,
    "subtasks.lead_unit": 200,
    "subtasks.lead_name": 100,
    "subtasks.lead_id_number": 40,
    "subtasks.lead_title": 100,
    "subtasks.lead_degree": 100,
    # the free-text sections of the 申报书: 3,000 characters each, as the official template allows
    # (a check reads them in full, so one draft's size bounds its cost)
    "research_content": 3000,
    "indicators": 3000,
}
# Money is stored in 万元 with 2 decimal places in 12 digits: below 10^10 万元.
MONEY_LIMIT = Decimal(10) ** 10
_CENT = Decimal("0.01")
# A reference (编号) goes into URLs, file names and headers: a safe charset only.
REFERENCE_PATTERN = r"\A[A-Za-z0-9._/-]{1,64}\Z"
_REFERENCE = re.compile(REFERENCE_PATTERN)
# C0 control characters other than tab, line feed and carriage return (NUL
# included), and lone surrogates: they cannot be stored as text everywhere and
# break the spreadsheet exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def control_character(text: str) -> tuple[int, str] | None:
    """The first forbidden character of ``text`` as (1-based position, ``U+XXXX``), or None."""
    m = _CONTROL.search(text)
    if m is None:
        return None
    return m.start() + 1, f"U+{ord(m.group()):04X}"


def normalize_direction_code(code: str | None) -> str:
    """The stored form of a direction code: NFKC (``５．２`` → ``5.2``), no whitespace,
    no leading or trailing dot. None → ``""``."""
    if code is None:
        return ""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(code))).strip(".")


# --------------------------------------------------------------------------- #
# Data classes
# --------------------------------------------------------------------------- #


@dataclass
class Issue:
    """A problem found while reading a proposal (interchange JSON or a draft file).

    ``severity`` is ``"error"`` (a value was rejected and stored as None) or
    ``"warning"`` (e.g. an unknown key, an unreadable page). ``page`` is set by
    the extraction code when the problem is tied to a page.
    """

    path: str
    code: str
    message: str
    severity: str = "error"
    page: int | None = None


@dataclass
class Budget:
    """Money in 万元 (ten thousand yuan)."""

    national: Decimal | None = None
    matching: Decimal | None = None
    unit: str = "万元"


@dataclass
class PersonData:
    """The principal investigator (PI) or a member.

    For the PI, ``role`` and ``unit`` stay None; for members only ``name``,
    ``gender``, ``id_number``, ``birth_date``, ``nationality``, ``role`` (分工) and
    ``unit`` (工作单位) are used.
    ``nationality`` is an ISO 3166-1 alpha-2 code (HK / MO / TW for those regions).
    ``gender`` is ``"male"``, ``"female"`` or None (unknown).
    """

    name: str | None = None
    gender: str | None = None  # one of GENDERS
    id_number: str | None = None
    birth_date: date | None = None
    nationality: str | None = None
    region: str | None = None
    title: str | None = None
    degree: str | None = None
    employer: str | None = None
    employment: str | None = None  # "full_time" | "part_time"
    employment_proofs: int | None = None
    civil_servant: bool | None = None
    role: str | None = None
    unit: str | None = None


@dataclass
class UnitData:
    name: str | None = None
    credit_code: str | None = None
    country: str | None = None  # ISO alpha-2
    type: str | None = None  # one of UNIT_TYPES
    registered_on: date | None = None
    role: str | None = None  # "lead" | "participant"
    third_party_testing: bool | None = None
    hgr_license: bool | None = None


@dataclass
class SubtaskData:
    """One 课题 of a proposal and its lead (课题负责人). Money in 万元."""

    name: str | None = None
    lead_unit: str | None = None  # 承担单位
    lead_name: str | None = None
    lead_id_number: str | None = None
    lead_birth_date: date | None = None
    lead_title: str | None = None  # 职称
    lead_degree: str | None = None  # 学位
    national_funding: Decimal | None = None  # 国拨经费


@dataclass
class ProposalData:
    """One proposal. ``None`` always means "not given"; an empty list means "given, none".

    ``pi`` and ``budget`` are None when the whole block is missing;
    ``members``, ``units``, ``subtasks`` and ``attachments`` are None when not given at all.
    """

    reference: str | None = None
    guide_year: int | None = None
    direction: str | None = None
    title: str | None = None
    recommender: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    budget: Budget | None = None
    pi: PersonData | None = None
    members: list[PersonData] | None = None
    units: list[UnitData] | None = None
    research_content: str | None = None
    indicators: str | None = None
    attachments: list[str] | None = None
    subtasks: list[SubtaskData] | None = None


@dataclass
class Batch:
    registries: dict | None = None
    proposals: list[ProposalData] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


# --------------------------------------------------------------------------- #
# Countries
# --------------------------------------------------------------------------- #

# ISO 3166-1 alpha-2 codes by continent (UN M49 regions; Russia in Europe,
# Turkey / Cyprus / the Caucasus in Asia, Egypt in Africa). AQ has none.
_CONTINENT_CODES = {
    "africa": (
        "DZ EG LY MA SD TN EH IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "
        "AO CM CF TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"
    ),
    "americas": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM US"
    ),
    "asia": (
        "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN "
        "AF BD BT IN IR MV NP PK LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ),
    "europe": (
        "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES AT BE FR DE LI LU MC NL CH"
    ),
    "oceania": ("AU NZ NF HM CX CC FJ NC PG SB VU GU KI MH FM NR MP PW UM AS CK PF NU PN WS TK TO TV WF"),
}
_CONTINENT: dict[str, str] = {
    code: continent for continent, codes in _CONTINENT_CODES.items() for code in codes.split()
}
_ISO_CODES = frozenset(_CONTINENT) | {"AQ"}

# code alpha-3 | Chinese names (first = display name) | English names
_COUNTRY_TABLE = """
CN CHN|中国 中华人民共和国 中国大陆 大陆 内地|China;People's Republic of China;PR China;P R China;PRC;Mainland China;China Mainland
HK HKG|中国香港 香港 香港特别行政区 中国香港特别行政区 中华人民共和国香港特别行政区|Hong Kong;Hong Kong China;Hong Kong SAR;Hong Kong SAR China;HKSAR
MO MAC|中国澳门 澳门 澳门特别行政区 中国澳门特别行政区 中华人民共和国澳门特别行政区|Macao;Macau;Macao China;Macau China;Macao SAR;Macau SAR;Macao SAR China
TW TWN|中国台湾 台湾 台湾地区 台湾省 中国台湾地区 中国台湾省|Taiwan;Taiwan China;Chinese Taipei;Taiwan Province of China
JP JPN|日本|Japan
DE DEU|德国 德意志联邦共和国|Germany;Federal Republic of Germany;Deutschland
US USA|美国 美利坚合众国|United States;United States of America;USA;America
GB GBR|英国 大不列颠及北爱尔兰联合王国 联合王国|United Kingdom;UK;Great Britain;Britain;England;Scotland;Wales;Northern Ireland
FR FRA|法国 法兰西共和国|France
IT ITA|意大利|Italy
RU RUS|俄罗斯 俄罗斯联邦 俄国|Russia;Russian Federation
KR KOR|韩国 大韩民国 南韩|South Korea;Korea;Republic of Korea;Korea Republic of;Korea South
KP PRK|朝鲜 朝鲜民主主义人民共和国|North Korea;DPRK;Democratic People's Republic of Korea
SG SGP|新加坡|Singapore
AU AUS|澳大利亚 澳洲|Australia
CA CAN|加拿大|Canada
BR BRA|巴西|Brazil
IN IND|印度|India
ZA ZAF|南非|South Africa
NL NLD|荷兰|Netherlands;The Netherlands;Holland
CH CHE|瑞士|Switzerland
SE SWE|瑞典|Sweden
DK DNK|丹麦|Denmark
NO NOR|挪威|Norway
FI FIN|芬兰|Finland
ES ESP|西班牙|Spain
PT PRT|葡萄牙|Portugal
AT AUT|奥地利|Austria
BE BEL|比利时|Belgium
IL ISR|以色列|Israel
EG EGY|埃及|Egypt
TH THA|泰国|Thailand
MY MYS|马来西亚|Malaysia
ID IDN|印度尼西亚 印尼|Indonesia
VN VNM|越南|Vietnam;Viet Nam
PK PAK|巴基斯坦|Pakistan
KZ KAZ|哈萨克斯坦|Kazakhstan
AE ARE|阿联酋 阿拉伯联合酋长国|United Arab Emirates;UAE
SA SAU|沙特阿拉伯 沙特|Saudi Arabia
NZ NZL|新西兰|New Zealand
MX MEX|墨西哥|Mexico
AR ARG|阿根廷|Argentina
CL CHL|智利|Chile
IE IRL|爱尔兰|Ireland
PL POL|波兰|Poland
CZ CZE|捷克 捷克共和国|Czech Republic;Czechia
HU HUN|匈牙利|Hungary
GR GRC|希腊|Greece
TR TUR|土耳其|Turkey;Türkiye;Turkiye
UZ UZB|乌兹别克斯坦|Uzbekistan
MN MNG|蒙古 蒙古国|Mongolia
LA LAO|老挝|Laos;Lao PDR;Lao People's Democratic Republic
KH KHM|柬埔寨|Cambodia
MM MMR|缅甸|Myanmar;Burma
PH PHL|菲律宾|Philippines
LK LKA|斯里兰卡|Sri Lanka
BD BGD|孟加拉国 孟加拉|Bangladesh
NP NPL|尼泊尔|Nepal
IR IRN|伊朗|Iran;Islamic Republic of Iran
KE KEN|肯尼亚|Kenya
ET ETH|埃塞俄比亚|Ethiopia
NG NGA|尼日利亚|Nigeria
RS SRB|塞尔维亚|Serbia
BY BLR|白俄罗斯|Belarus
UA UKR|乌克兰|Ukraine
KG KGZ|吉尔吉斯斯坦 吉尔吉斯|Kyrgyzstan;Kyrgyz Republic
TJ TJK|塔吉克斯坦|Tajikistan
TM TKM|土库曼斯坦|Turkmenistan
AZ AZE|阿塞拜疆|Azerbaijan
AM ARM|亚美尼亚|Armenia
GE GEO|格鲁吉亚|Georgia
QA QAT|卡塔尔|Qatar
KW KWT|科威特|Kuwait
OM OMN|阿曼|Oman
BH BHR|巴林|Bahrain
JO JOR|约旦|Jordan
LB LBN|黎巴嫩|Lebanon
IQ IRQ|伊拉克|Iraq
SY SYR|叙利亚|Syria
AF AFG|阿富汗|Afghanistan
BN BRN|文莱|Brunei;Brunei Darussalam
TL TLS|东帝汶|Timor-Leste;East Timor
BT BTN|不丹|Bhutan
MV MDV|马尔代夫|Maldives
RO ROU|罗马尼亚|Romania
BG BGR|保加利亚|Bulgaria
HR HRV|克罗地亚|Croatia
SI SVN|斯洛文尼亚|Slovenia
SK SVK|斯洛伐克|Slovakia
EE EST|爱沙尼亚|Estonia
LV LVA|拉脱维亚|Latvia
LT LTU|立陶宛|Lithuania
LU LUX|卢森堡|Luxembourg
IS ISL|冰岛|Iceland
MT MLT|马耳他|Malta
CY CYP|塞浦路斯|Cyprus
MD MDA|摩尔多瓦|Moldova
ME MNE|黑山|Montenegro
MK MKD|北马其顿|North Macedonia
AL ALB|阿尔巴尼亚|Albania
BA BIH|波黑 波斯尼亚和黑塞哥维那|Bosnia and Herzegovina
MA MAR|摩洛哥|Morocco
DZ DZA|阿尔及利亚|Algeria
TN TUN|突尼斯|Tunisia
LY LBY|利比亚|Libya
GH GHA|加纳|Ghana
TZ TZA|坦桑尼亚|Tanzania
UG UGA|乌干达|Uganda
ZM ZMB|赞比亚|Zambia
ZW ZWE|津巴布韦|Zimbabwe
AO AGO|安哥拉|Angola
MZ MOZ|莫桑比克|Mozambique
SN SEN|塞内加尔|Senegal
CM CMR|喀麦隆|Cameroon
CI CIV|科特迪瓦|Cote d'Ivoire;Ivory Coast
SD SDN|苏丹|Sudan
RW RWA|卢旺达|Rwanda
MG MDG|马达加斯加|Madagascar
DJ DJI|吉布提|Djibouti
NA NAM|纳米比亚|Namibia
BW BWA|博茨瓦纳|Botswana
MU MUS|毛里求斯|Mauritius
PE PER|秘鲁|Peru
CO COL|哥伦比亚|Colombia
VE VEN|委内瑞拉|Venezuela
EC ECU|厄瓜多尔|Ecuador
UY URY|乌拉圭|Uruguay
PY PRY|巴拉圭|Paraguay
BO BOL|玻利维亚|Bolivia
CU CUB|古巴|Cuba
CR CRI|哥斯达黎加|Costa Rica
PA PAN|巴拿马|Panama
FJ FJI|斐济|Fiji
PG PNG|巴布亚新几内亚|Papua New Guinea
"""

_KEY_JUNK = re.compile(r"[\s.,;:'’‘\"“”()（）\[\]【】\-_·・/&]+")


def _country_key(text: str) -> str:
    return _KEY_JUNK.sub("", unicodedata.normalize("NFKC", text).casefold())


_COUNTRY_BY_KEY: dict[str, str] = {}
_COUNTRY_NAME_ZH: dict[str, str] = {}
_COUNTRY_NAME_EN: dict[str, str] = {}
for _line in _COUNTRY_TABLE.strip().splitlines():
    _codes, _zh, _en = _line.split("|")
    _a2, _a3 = _codes.split()
    _COUNTRY_NAME_ZH[_a2] = _zh.split()[0]
    _COUNTRY_NAME_EN[_a2] = _en.split(";")[0]
    for _name in [_a3, *_zh.split(), *_en.split(";")]:
        _COUNTRY_BY_KEY[_country_key(_name)] = _a2
del _line, _codes, _zh, _en, _a2, _a3, _name

_REGION_CODES = ("HK", "MO", "TW")
_SUFFIXES = ("特别行政区", "地区", "省", "sarchina", "sar", "china")
_PREFIXES = ("中华人民共和国", "中国", "china", "prchina")


def is_country_code(code: str | None) -> bool:
    """True for an ISO 3166-1 alpha-2 code (upper case)."""
    return code in _ISO_CODES


def normalize_country(text: str | None) -> str | None:
    """Map a country / region name or code to ISO alpha-2, or None when unknown.

    Accepts Chinese names (中国, 中华人民共和国, 日本 ...), English names
    (Germany, United States ...), ISO alpha-2 (any case) and alpha-3 codes
    of the countries in the table. 香港 / 中国香港 / Hong Kong → HK,
    澳门 → MO, 台湾 / 中国台湾 → TW.
    """
    if text is None:
        return None
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    if not raw:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", raw) and raw.upper() in _ISO_CODES:
        return raw.upper()
    key = _country_key(raw)
    if not key:
        return None
    if key in _COUNTRY_BY_KEY:
        return _COUNTRY_BY_KEY[key]
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _COUNTRY_BY_KEY:
            found = _COUNTRY_BY_KEY[key[: -len(suffix)]]
            # "香港地区" → HK, but "日本省" is nonsense.
            if found in _REGION_CODES or suffix == "地区":
                return found
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            rest = normalize_country(key[len(prefix) :])
            if rest in _REGION_CODES:
                return rest
    return None


def continent_of(country_code: str | None) -> str | None:
    """``"asia"``, ``"europe"``, ``"americas"``, ``"africa"`` or ``"oceania"`` for an alpha-2 code."""
    if not country_code:
        return None
    return _CONTINENT.get(country_code.strip().upper())


def country_name_zh(code: str | None) -> str | None:
    """Chinese display name for a code (the code itself when not in the table)."""
    if not code:
        return None
    return _COUNTRY_NAME_ZH.get(code, code)


def country_name_en(code: str | None) -> str | None:
    """English display name for a code (the first English name of the table; the code itself when not
    in the table)."""
    if not code:
        return None
    return _COUNTRY_NAME_EN.get(code, code)


# --------------------------------------------------------------------------- #
# Unit types
# --------------------------------------------------------------------------- #

_UNIT_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("international_organization", ("国际组织", "internationalorganization", "internationalorganisation")),
    (
        "state_organ",
        ("国家机关", "政府", "机关", "行政", "stateorgan", "government", "governmentagency", "ministry"),
    ),
    ("university", ("大学", "高等", "高校", "院校", "university", "college", "highereducation")),
    (
        "research_institute",
        (
            "科研",
            "研究所",
            "研究院",
            "研究中心",
            "院所",
            "科学院",
            "researchinstitute",
            "researchinstitution",
            "researchcenter",
            "researchcentre",
            "institute",
            "laboratory",
        ),
    ),
    ("university", ("学院", "学校")),
    ("enterprise", ("企业", "公司", "enterprise", "company", "corporation", "business", "firm")),
    ("other", ("其他", "其它", "other", "others")),
)


def normalize_unit_type(text: str | None) -> str | None:
    """Map a unit-type label (高等学校, 科研院所, 企业 ..., English, or the enum value) to UNIT_TYPES."""
    if text is None:
        return None
    key = _KEY_JUNK.sub("", unicodedata.normalize("NFKC", str(text)).casefold())
    if not key:
        return None
    if key in {t.replace("_", "") for t in UNIT_TYPES}:
        return next(t for t in UNIT_TYPES if t.replace("_", "") == key)
    for unit_type, words in _UNIT_TYPE_WORDS:
        if any(word in key for word in words):
            return unit_type
    return None


UNIT_TYPE_LABELS = {
    "university": "高等学校",
    "research_institute": "科研院所",
    "enterprise": "企业",
    "state_organ": "国家机关",
    "international_organization": "国际组织",
    "other": "其他",
}

# --------------------------------------------------------------------------- #
# Dates, periods and money
# --------------------------------------------------------------------------- #

_DATE_CN = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号]?)?")
_DATE_SEP = re.compile(r"(\d{4})([-./])(\d{1,2})(?:\2(\d{1,2}))?\.?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _clean_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _make_date(year: str, month: str | None, day: str | None, *, end: bool = False) -> date | None:
    try:
        y = int(year)
        m = int(month) if month else (12 if end else 1)
        if day:
            d = int(day)
        else:
            d = calendar.monthrange(y, m)[1] if end else 1
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str | date | None) -> date | None:
    """Parse a written date; None when it is not a (real) date.

    2023-01-01, 2023-1-1, 2023年1月1日, 2023.01.01, 2023/1/1, 20230101;
    month only (2023年1月, 2023-01, 1962.01) gives the first of the month.
    """
    if text is None:
        return None
    if isinstance(text, date):
        return text
    s = _clean_text(str(text))
    m = _DATE_CN.fullmatch(s)
    if m:
        return _make_date(*m.groups())
    m = _DATE_SEP.fullmatch(s)
    if m:
        return _make_date(m.group(1), m.group(3), m.group(4))
    m = _DATE_COMPACT.fullmatch(s)
    if m:
        return _make_date(*m.groups())
    return None


_PERIOD_TOKEN = re.compile(
    r"(?P<cy>\d{4})年(?:(?P<cm>\d{1,2})月(?:(?P<cd>\d{1,2})[日号]?)?)?"
    r"|(?<!\d)(?P<sy>\d{4})(?P<sep>[-./])(?P<sm>\d{1,2})(?:(?P=sep)(?P<sd>\d{1,2}))?(?!\d)"
    r"|(?<!\d)(?P<ky>\d{4})(?P<km>\d{2})(?P<kd>\d{2})(?!\d)"
)
_PERIOD_YEARS = re.compile(r"(?<!\d)(\d{4})(?:[-~至到—–]+)(\d{4})(?!\d)")


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """Parse an execution period into (start, end).

    "2023年1月 至 2025年12月" → 2023-01-01..2025-12-31 (a month-only end is
    the end of that month, a year-only end is 31 December);
    "2023-01-01 至 2025-12-31"; "2023.01-2025.12". Missing parts are None.
    """
    if not text:
        return None, None
    s = _clean_text(str(text))
    tokens = []
    for m in _PERIOD_TOKEN.finditer(s):
        if m.group("cy"):
            tokens.append((m.group("cy"), m.group("cm"), m.group("cd")))
        elif m.group("sy"):
            tokens.append((m.group("sy"), m.group("sm"), m.group("sd")))
        else:
            tokens.append((m.group("ky"), m.group("km"), m.group("kd")))
    if len(tokens) < 2:
        m = _PERIOD_YEARS.search(s)
        if m:
            tokens = [(m.group(1), None, None), (m.group(2), None, None)]
    start = _make_date(*tokens[0]) if tokens else None
    end = _make_date(*tokens[1], end=True) if len(tokens) > 1 else None
    return start, end


_MONEY = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(亿元|亿|万元|万|千元|元)?")
_WAN_FACTORS = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}


def _tidy_decimal(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_money_wan(text: str | int | float | Decimal | None, default_unit: str = "万元") -> Decimal | None:
    """Parse an amount of money into 万元.

    "100" and "100.5" are taken in ``default_unit`` (万元 unless the label said
    otherwise); "100万元" → 100; "1,000,000 元" → 100; "1.2亿元" → 12000.
    Returns None when there is no non-negative number.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, Decimal)) or isinstance(text, float):
        if isinstance(text, float) and not math.isfinite(text):
            return None
        value = Decimal(str(text))
        return None if value < 0 else _tidy_decimal(value * _WAN_FACTORS.get(default_unit, Decimal(1)))
    s = _clean_text(str(text))
    s = re.sub(r"^(人民币|RMB|CNY|¥)+", "", s, flags=re.IGNORECASE)
    m = _MONEY.search(s)
    if not m or s[: m.start()].endswith("-"):
        return None
    number = Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
    unit = m.group(3) or default_unit
    return _tidy_decimal(number * _WAN_FACTORS.get(unit, Decimal(1)))


# --------------------------------------------------------------------------- #
# Parsing the interchange JSON
# --------------------------------------------------------------------------- #

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_PROPOSAL_KEYS = (
    "reference",
    "guide_year",
    "direction",
    "title",
    "recommender",
    "start_date",
    "end_date",
    "budget",
    "pi",
    "members",
    "units",
    "research_content",
    "indicators",
    "attachments",
    "subtasks",
)
_PI_KEYS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "nationality",
    "region",
    "title",
    "degree",
    "employer",
    "employment",
    "employment_proofs",
    "civil_servant",
)
_MEMBER_KEYS = ("name", "gender", "id_number", "birth_date", "nationality", "role", "unit")
_SUBTASK_KEYS = (
    "name",
    "lead_unit",
    "lead_name",
    "lead_id_number",
    "lead_birth_date",
    "lead_title",
    "lead_degree",
    "national_funding",
)
_UNIT_KEYS = (
    "name",
    "credit_code",
    "country",
    "type",
    "registered_on",
    "role",
    "third_party_testing",
    "hgr_license",
)
_BUDGET_KEYS = ("national", "matching", "unit")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


class _Reader:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def error(self, path: str, code: str, message: str) -> None:
        self.issues.append(Issue(path, code, message, "error"))

    def warn(self, path: str, code: str, message: str) -> None:
        self.issues.append(Issue(path, code, message, "warning"))

    def obj(self, value: Any, path: str, keys: tuple[str, ...]) -> dict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(path, "type", f"{path or 'value'}: expected an object, got {_type_name(value)}")
            return None
        for key in value:
            if key not in keys:
                self.warn(_join(path, str(key)), "unknown_key", f"unknown key {key!r} ignored")
        return value

    def text(self, value: Any, path: str, max_length: int | None = None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, "type", f"{path}: expected a string, got {_type_name(value)}")
            return None
        found = control_character(value)
        if found is not None:
            position, char = found
            self.error(
                path,
                "control_character",
                f"{path}: control character {char} at position {position} is not allowed "
                "(only tab, line feed and carriage return are)",
            )
            return None
        return self._limited(value.strip() or None, path, max_length)

    def _limited(self, text: str | None, path: str, max_length: int | None) -> str | None:
        if text is not None and max_length is not None and len(text) > max_length:
            self.error(path, "too_long", f"{path}: {len(text)} characters, at most {max_length} are allowed")
            return None
        return text

    def reference(self, value: Any, path: str) -> str | None:
        text = self.text(value, path, MAX_LENGTHS["reference"])
        if text is not None and not _REFERENCE.search(text):
            self.error(
                path,
                "invalid_reference",
                f"{path}: {text!r} is not a valid reference (1 to 64 letters, digits, '-', '_', '.' or '/')",
            )
            return None
        return text

    def identifier(self, value: Any, path: str, max_length: int) -> str | None:
        """An ID number or credit code, in its stored form (see normalize_identifier)."""
        text = self.text(value, path)
        if text is None:
            return None
        return self._limited(normalize_identifier(text) or None, path, max_length)

    def direction(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        return self._limited(normalize_direction_code(text) or None, path, MAX_LENGTHS["direction"])

    def date(self, value: Any, path: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(path, "invalid_date", f"{path}: {value!r} is not a date (expected YYYY-MM-DD)")
        return None

    def money(self, value: Any, path: str, unit: str) -> Decimal | None:
        if value is None:
            return None
        number: Decimal | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not (isinstance(value, float) and not math.isfinite(value)):
                number = Decimal(str(value))
        elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
            number = Decimal(value.strip())
        if number is None:
            self.error(path, "invalid_number", f"{path}: {value!r} is not an amount of money")
            return None
        if number < 0:
            self.error(path, "invalid_value", f"{path}: amount must not be negative")
            return None
        number *= _WAN_FACTORS[unit]
        if number >= MONEY_LIMIT:
            self.error(path, "too_large", f"{path}: {value!r} is too large (at most 9999999999.99 万元)")
            return None
        if number != number.quantize(_CENT):
            self.error(path, "too_precise", f"{path}: {value!r} has more than 2 decimal places in 万元")
            return None
        return _tidy_decimal(number)

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.error(path, "invalid_number", f"{path}: expected a whole number, got {value!r}")
                return None
        if not low <= value <= high:
            self.error(path, "invalid_value", f"{path}: {value} is out of range {low}..{high}")
            return None
        return value

    def boolean(self, value: Any, path: str) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(path, "type", f"{path}: expected true or false, got {value!r}")
            return None
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value.strip() not in choices:
            self.error(path, "invalid_choice", f"{path}: {value!r} is not one of {', '.join(choices)}")
            return None
        return value.strip()

    def gender(self, value: Any, path: str) -> str | None:
        """``"male"``, ``"female"``; null and ``""`` are unknown (None)."""
        if isinstance(value, str) and not value.strip():
            return None
        return self.choice(value, path, GENDERS)

    def country(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, "type", f"{path}: expected a country code, got {_type_name(value)}")
            return None
        if not value.strip():
            return None
        code = normalize_country(value)
        if code is None:
            self.error(path, "invalid_choice", f"{path}: unknown country or region {value!r}")
            return None
        if code != value.strip():
            self.warn(path, "normalized", f"{path}: {value!r} read as {code}")
        return code

    def listing(self, value: Any, path: str) -> list | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(path, "type", f"{path}: expected a list, got {_type_name(value)}")
            return None
        return value

    # -- blocks -------------------------------------------------------------

    def budget(self, value: Any, path: str) -> Budget | None:
        obj = self.obj(value, path, _BUDGET_KEYS)
        if obj is None:
            return None
        unit = obj.get("unit")
        if unit is None:
            unit = "万元"
        elif unit not in ("万元", "元"):
            self.error(_join(path, "unit"), "invalid_choice", f"{_join(path, 'unit')}: {unit!r} is not 万元")
            return Budget()
        return Budget(
            national=self.money(obj.get("national"), _join(path, "national"), unit),
            matching=self.money(obj.get("matching"), _join(path, "matching"), unit),
        )

    def pi(self, value: Any, path: str) -> PersonData | None:
        obj = self.obj(value, path, _PI_KEYS)
        if obj is None:
            return None
        p = lambda key: _join(path, key)  # noqa: E731
        return PersonData(
            name=self.text(obj.get("name"), p("name"), MAX_LENGTHS["pi.name"]),
            gender=self.gender(obj.get("gender"), p("gender")),
            id_number=self.identifier(obj.get("id_number"), p("id_number"), MAX_LENGTHS["pi.id_number"]),
            birth_date=self.date(obj.get("birth_date"), p("birth_date")),
            nationality=self.country(obj.get("nationality"), p("nationality")),
            region=self.text(obj.get("region"), p("region")),
            title=self.text(obj.get("title"), p("title"), MAX_LENGTHS["pi.title"]),
            degree=self.text(obj.get("degree"), p("degree"), MAX_LENGTHS["pi.degree"]),
            employer=self.text(obj.get("employer"), p("employer"), MAX_LENGTHS["pi.employer"]),
            employment=self.choice(obj.get("employment"), p("employment"), EMPLOYMENT_KINDS),
            employment_proofs=self.integer(obj.get("employment_proofs"), p("employment_proofs"), 0, 1000),
            civil_servant=self.boolean(obj.get("civil_servant"), p("civil_servant")),
        )

    def member(self, value: Any, path: str) -> PersonData | None:
        obj = self.obj(value, path, _MEMBER_KEYS)
        if obj is None:
            return None
        p = lambda key: _join(path, key)  # noqa: E731
        return PersonData(
            name=self.text(obj.get("name"), p("name"), MAX_LENGTHS["members.name"]),
            gender=self.gender(obj.get("gender"), p("gender")),
            id_number=self.identifier(obj.get("id_number"), p("id_number"), MAX_LENGTHS["members.id_number"]),
            birth_date=self.date(obj.get("birth_date"), p("birth_date")),
            nationality=self.country(obj.get("nationality"), p("nationality")),
            role=self.text(obj.get("role"), p("role"), MAX_LENGTHS["members.role"]),
            unit=self.text(obj.get("unit"), p("unit"), MAX_LENGTHS["members.unit"]),
        )

    def unit(self, value: Any, path: str) -> UnitData | None:
        obj = self.obj(value, path, _UNIT_KEYS)
        if obj is None:
            return None
        p = lambda key: _join(path, key)  # noqa: E731
        return UnitData(
            name=self.text(obj.get("name"), p("name"), MAX_LENGTHS["units.name"]),
            credit_code=self.identifier(
                obj.get("credit_code"), p("credit_code"), MAX_LENGTHS["units.credit_code"]
            ),
            country=self.country(obj.get("country"), p("country")),
            type=self.choice(obj.get("type"), p("type"), UNIT_TYPES),
            registered_on=self.date(obj.get("registered_on"), p("registered_on")),
            role=self.choice(obj.get("role"), p("role"), UNIT_ROLES),
            third_party_testing=self.boolean(obj.get("third_party_testing"), p("third_party_testing")),
            hgr_license=self.boolean(obj.get("hgr_license"), p("hgr_license")),
        )

    def subtask(self, value: Any, path: str) -> SubtaskData | None:
        obj = self.obj(value, path, _SUBTASK_KEYS)
        if obj is None:
            return None
        p = lambda key: _join(path, key)  # noqa: E731
        limit = lambda key: MAX_LENGTHS[f"subtasks.{key}"]  # noqa: E731
        return SubtaskData(
            name=self.text(obj.get("name"), p("name"), limit("name")),
            lead_unit=self.text(obj.get("lead_unit"), p("lead_unit"), limit("lead_unit")),
            lead_name=self.text(obj.get("lead_name"), p("lead_name"), limit("lead_name")),
            lead_id_number=self.identifier(
                obj.get("lead_id_number"), p("lead_id_number"), limit("lead_id_number")
            ),
            lead_birth_date=self.date(obj.get("lead_birth_date"), p("lead_birth_date")),
            lead_title=self.text(obj.get("lead_title"), p("lead_title"), limit("lead_title")),
            lead_degree=self.text(obj.get("lead_degree"), p("lead_degree"), limit("lead_degree")),
            national_funding=self.money(obj.get("national_funding"), p("national_funding"), "万元"),
        )

    def items(self, value: Any, path: str, read, max_items: int | None = None) -> list | None:
        values = self.listing(value, path)
        if values is None:
            return None
        if max_items is not None and len(values) > max_items:
            self.error(path, "too_many", f"{path}: {len(values)} items, at most {max_items} are allowed")
            return None
        out = []
        for i, item in enumerate(values):
            if item is None:
                self.error(_join(path, i), "type", f"{_join(path, i)}: expected an object, got null")
                continue
            parsed = read(item, _join(path, i))
            if parsed is not None:
                out.append(parsed)
        return out

    def attachments(self, value: Any, path: str) -> list[str] | None:
        values = self.listing(value, path)
        if values is None:
            return None
        kinds = set()
        for i, item in enumerate(values):
            kind = self.choice(item, _join(path, i), ATTACHMENT_KINDS)
            if kind:
                kinds.add(kind)
        return [k for k in ATTACHMENT_KINDS if k in kinds]

    def proposal(self, value: Any, path: str) -> ProposalData:
        obj = self.obj(value, path, _PROPOSAL_KEYS)
        if obj is None:
            return ProposalData()
        p = lambda key: _join(path, key)  # noqa: E731
        return ProposalData(
            reference=self.reference(obj.get("reference"), p("reference")),
            guide_year=self.integer(obj.get("guide_year"), p("guide_year"), 2000, 2100),
            direction=self.direction(obj.get("direction"), p("direction")),
            title=self.text(obj.get("title"), p("title"), MAX_LENGTHS["title"]),
            recommender=self.text(obj.get("recommender"), p("recommender"), MAX_LENGTHS["recommender"]),
            start_date=self.date(obj.get("start_date"), p("start_date")),
            end_date=self.date(obj.get("end_date"), p("end_date")),
            budget=self.budget(obj.get("budget"), p("budget")),
            pi=self.pi(obj.get("pi"), p("pi")),
            members=self.items(obj.get("members"), p("members"), self.member, MAX_MEMBERS),
            units=self.items(obj.get("units"), p("units"), self.unit, MAX_UNITS),
            research_content=self.text(
                obj.get("research_content"), p("research_content"), MAX_LENGTHS["research_content"]
            ),
            indicators=self.text(obj.get("indicators"), p("indicators"), MAX_LENGTHS["indicators"]),
            attachments=self.attachments(obj.get("attachments"), p("attachments")),
            subtasks=self.items(obj.get("subtasks"), p("subtasks"), self.subtask, MAX_SUBTASKS),
        )


def parse_proposal(obj: Any, path: str = "") -> tuple[ProposalData, list[Issue]]:
    """Read one interchange object. Never raises on bad data; see the module docstring."""
    reader = _Reader()
    proposal = reader.proposal(obj, path)
    return proposal, reader.issues


def parse_batch(obj: Any) -> Batch:
    """Read a batch: ``{"registries": {...}, "proposals": [...]}`` or a bare list of proposals."""
    reader = _Reader()
    registries: dict | None = None
    if isinstance(obj, list):
        items: list | None = obj
    elif isinstance(obj, dict):
        reader.obj(obj, "", ("registries", "proposals"))
        raw_registries = obj.get("registries")
        if raw_registries is not None and not isinstance(raw_registries, dict):
            reader.error(
                "registries", "type", f"registries: expected an object, got {_type_name(raw_registries)}"
            )
        else:
            registries = raw_registries
        items = reader.listing(obj.get("proposals"), "proposals")
        if "proposals" not in obj:
            reader.error("proposals", "missing", "the batch has no 'proposals' list")
    else:
        reader.error("", "type", f"expected a list of proposals or a batch object, got {_type_name(obj)}")
        items = None
    proposals = []
    for i, item in enumerate(items or []):
        proposals.append(reader.proposal(item, f"proposals[{i}]"))
    return Batch(registries=registries, proposals=proposals, issues=reader.issues)


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def _money_out(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _date_out(value: date | None) -> str | None:
    return value.isoformat() if value else None


def proposal_to_dict(p: ProposalData) -> dict:
    """The interchange shape of ``p`` (every key present; None for missing values).

    Dates are ISO strings, money is a JSON number (int when whole) in 万元; genders
    ``"male"`` / ``"female"`` / None. ``subtasks`` is a list of objects with the keys
    ``name``, ``lead_unit``, ``lead_name``, ``lead_id_number``, ``lead_birth_date``,
    ``lead_title``, ``lead_degree`` and ``national_funding`` (万元).
    """
    pi = p.pi
    return {
        "reference": p.reference,
        "guide_year": p.guide_year,
        "direction": p.direction,
        "title": p.title,
        "recommender": p.recommender,
        "start_date": _date_out(p.start_date),
        "end_date": _date_out(p.end_date),
        "budget": None
        if p.budget is None
        else {
            "national": _money_out(p.budget.national),
            "matching": _money_out(p.budget.matching),
            "unit": "万元",
        },
        "pi": None
        if pi is None
        else {
            "name": pi.name,
            "gender": pi.gender,
            "id_number": pi.id_number,
            "birth_date": _date_out(pi.birth_date),
            "nationality": pi.nationality,
            "region": pi.region,
            "title": pi.title,
            "degree": pi.degree,
            "employer": pi.employer,
            "employment": pi.employment,
            "employment_proofs": pi.employment_proofs,
            "civil_servant": pi.civil_servant,
        },
        "members": None
        if p.members is None
        else [
            {
                "name": m.name,
                "gender": m.gender,
                "id_number": m.id_number,
                "birth_date": _date_out(m.birth_date),
                "nationality": m.nationality,
                "role": m.role,
                "unit": m.unit,
            }
            for m in p.members
        ],
        "units": None
        if p.units is None
        else [
            {
                "name": u.name,
                "credit_code": u.credit_code,
                "country": u.country,
                "type": u.type,
                "registered_on": _date_out(u.registered_on),
                "role": u.role,
                "third_party_testing": u.third_party_testing,
                "hgr_license": u.hgr_license,
            }
            for u in p.units
        ],
        "subtasks": None
        if p.subtasks is None
        else [
            {
                "name": t.name,
                "lead_unit": t.lead_unit,
                "lead_name": t.lead_name,
                "lead_id_number": t.lead_id_number,
                "lead_birth_date": _date_out(t.lead_birth_date),
                "lead_title": t.lead_title,
                "lead_degree": t.lead_degree,
                "national_funding": _money_out(t.national_funding),
            }
            for t in p.subtasks
        ],
        "research_content": p.research_content,
        "indicators": p.indicators,
        "attachments": None if p.attachments is None else list(p.attachments),
    }
