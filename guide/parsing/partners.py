"""Partner requirements of a direction: foreign countries, continents, institution kinds, licences.

``strength`` is ``"required"`` for a participation rule checked when applying (须有……参与, 应包括……,
须具备……资质) and ``"indicator"`` for a cooperation target to reach during the project
(同 2 个以上国家（地区、国际组织）开展合作).  Preferences (……优先) are not requirements and are skipped.
"""

from __future__ import annotations

import re

from .normalize import split_top_level
from .numerals import chinese_number
from .types import STRENGTH_INDICATOR, STRENGTH_REQUIRED, PartnerRequirement

_FOREIGN = re.compile(
    r"(?:(?P<num>\d{1,6})|(?P<cn>[一二两三四五六七八九十])|(?P<many>多))\s*个\s*"
    r"(?:[（(]?(?:或|及)?以上[）)]?)?\s*(?:不同)?(?:的)?(?:国家|国别)"
    r"(?P<regions>\s*[（(]\s*地区\s*[、，,]?\s*国际组织\s*[）)]|或地区|\s*[（(]\s*地区\s*[）)])?"
)
_COOPERATION = re.compile(r"合作|参与|参加|联合")
_REQUIRED = re.compile(r"须|必须|应当?|需要?|要求")
_PARTICIPATION = re.compile(r"参与|参加|包括|包含|合作单位|合作方|单位")

CONTINENTS = {
    "亚洲": "asia",
    "欧洲": "europe",
    "北美洲": "americas",
    "南美洲": "americas",
    "拉丁美洲": "americas",
    "美洲": "americas",
    "北美": "americas",
    "南美": "americas",
    "拉美": "americas",
    "非洲": "africa",
    "大洋洲": "oceania",
    "澳洲": "oceania",
}
_CONTINENT_RE = re.compile("|".join(sorted(CONTINENTS, key=len, reverse=True)))
_PARTNER_WORDS = re.compile(r"合作单位|合作方|合作伙伴|参与单位|参加单位|合作机构|伙伴")

# Institution kinds: checked in clauses about who takes part (参加单位应包括……).
INSTITUTION_KINDS = (
    (re.compile(r"第三方[^，。；]*?(?:检测|检验|认证|测试)"), "third_party_testing"),
    (re.compile(r"(?:检测|检验)(?:机构|中心)"), "testing_institution"),
    (re.compile(r"医院|医疗机构"), "hospital"),
    (re.compile(r"企业"), "enterprise"),
    (re.compile(r"高等学校|高校|大学"), "university"),
    (re.compile(r"科研院所|研究机构|研究院"), "research_institute"),
    (re.compile(r"国际组织"), "international_organization"),
)
_PARTICIPANTS = re.compile(r"(?:参加|参与|合作|申报|承担|牵头)单位|项目团队|参研单位")
_MUST_INCLUDE = re.compile(r"(?:应|须|需|必须|应当)(?:至少)?(?:包括|包含|有|含)")

# Licences and qualifications: 须具备“……”资质.
LICENCES = (
    (re.compile(r"人类遗传资源保藏"), "hgr_preservation"),
    (re.compile(r"人类遗传资源采集"), "hgr_collection"),
    (re.compile(r"人类遗传资源国际合作"), "hgr_international_cooperation"),
    (re.compile(r"人类遗传资源"), "hgr"),
    (re.compile(r"实验动物"), "lab_animal"),
    (re.compile(r"生物安全[^，。；]*?(?:三级|3\s*级|P3|BSL-?3)"), "biosafety_level_3"),
    (re.compile(r"生物安全[^，。；]*?(?:四级|4\s*级|P4|BSL-?4)"), "biosafety_level_4"),
    (re.compile(r"生物安全"), "biosafety"),
    (re.compile(r"药物临床试验|临床试验机构|GCP"), "clinical_trial"),
    (re.compile(r"生物样本库"), "biobank_accreditation"),
    (re.compile(r"医疗器械"), "medical_device"),
    (re.compile(r"辐射安全"), "radiation_safety"),
)
_LICENCE_CLAUSE = re.compile(
    r"(?:须|应|必须|需|应当)(?:具备|具有|取得|持有)[^，。；]*?(?:许可|资质|资格|认证|认可|备案)"
)


# The codes a requirement's value may hold, as the review page offers them to choose from.
CONTINENT_CODES = tuple(dict.fromkeys(CONTINENTS.values()))
INSTITUTION_KIND_CODES = tuple(code for _pattern, code in INSTITUTION_KINDS)
LICENCE_CODES = (*(code for _pattern, code in LICENCES), "other")


def pgettext_lazy(context: str, text: str) -> tuple[str, str]:
    """Marks ``text`` with its ``context`` for the catalogue (``makemessages`` extracts the calls of this
    name) and keeps both: the pages translate it (guide.words), as does the comparison (guide.diff)."""
    return context, text


# The codes in people's words (msgids of the catalogue, context "合作要求"): one table for every page.
CONTINENT_WORDS = {
    "asia": pgettext_lazy("合作要求", "亚洲"),
    "europe": pgettext_lazy("合作要求", "欧洲"),
    "americas": pgettext_lazy("合作要求", "美洲"),
    "africa": pgettext_lazy("合作要求", "非洲"),
    "oceania": pgettext_lazy("合作要求", "大洋洲"),
}
PARTNER_CODE_WORDS = {
    "third_party_testing": pgettext_lazy("合作要求", "须有第三方公共检测机构参加"),
    "testing_institution": pgettext_lazy("合作要求", "须有检测或检验机构参加"),
    "hospital": pgettext_lazy("合作要求", "须有医院或医疗机构参加"),
    "enterprise": pgettext_lazy("合作要求", "须有企业参加"),
    "university": pgettext_lazy("合作要求", "须有高等学校参加"),
    "research_institute": pgettext_lazy("合作要求", "须有科研院所参加"),
    "international_organization": pgettext_lazy("合作要求", "须有国际组织参加"),
    "hgr_preservation": pgettext_lazy("合作要求", "须具备人类遗传资源保藏行政许可"),
    "hgr_collection": pgettext_lazy("合作要求", "须具备人类遗传资源采集行政许可"),
    "hgr_international_cooperation": pgettext_lazy("合作要求", "须具备人类遗传资源国际合作许可"),
    "hgr": pgettext_lazy("合作要求", "须具备人类遗传资源相关行政许可"),
    "lab_animal": pgettext_lazy("合作要求", "须具备实验动物相关许可"),
    "biosafety_level_3": pgettext_lazy("合作要求", "须具备生物安全三级实验室资质"),
    "biosafety_level_4": pgettext_lazy("合作要求", "须具备生物安全四级实验室资质"),
    "biosafety": pgettext_lazy("合作要求", "须具备生物安全实验室资质"),
    "clinical_trial": pgettext_lazy("合作要求", "须具备药物临床试验机构资质"),
    "biobank_accreditation": pgettext_lazy("合作要求", "须具备生物样本库认可"),
    "medical_device": pgettext_lazy("合作要求", "须具备医疗器械相关资质"),
    "radiation_safety": pgettext_lazy("合作要求", "须具备辐射安全许可"),
    "other": pgettext_lazy("合作要求", "须具备其他资质（见指南原文）"),
}
assert set(CONTINENT_WORDS) == set(CONTINENT_CODES)
assert set(PARTNER_CODE_WORDS) == set(INSTITUTION_KIND_CODES) | set(LICENCE_CODES)


def says_requirement(code) -> bool:
    """Whether a code's words say the whole requirement, so a page may show them for it; not for
    "other" (其他资质: the clause says which) nor a code without words."""
    return code in PARTNER_CODE_WORDS and code != "other"


def _clauses(text: str) -> list[str]:
    return split_top_level(text, "。；;，,\n")


def _foreign_value(match: re.Match) -> int:
    if match.group("num"):
        return int(match.group("num"))
    if match.group("cn"):
        return chinese_number(match.group("cn"))
    return 2  # 多个国家: more than one


def _strength(clause: str) -> str:
    required = _REQUIRED.search(clause) and _PARTICIPATION.search(clause)
    return STRENGTH_REQUIRED if required else STRENGTH_INDICATOR


def licence_code(clause: str) -> str:
    for pattern, code in LICENCES:
        if pattern.search(clause):
            return code
    return "other"


def extract_partner_requirements(text: str) -> list[PartnerRequirement]:
    """All partner requirements found in ``text`` (a direction's whole text), in reading order."""
    found: list[PartnerRequirement] = []
    seen: set[tuple] = set()

    def add(requirement: PartnerRequirement) -> None:
        value = requirement.value
        key = (requirement.kind, tuple(value) if isinstance(value, list) else value, requirement.strength)
        if key not in seen:
            seen.add(key)
            found.append(requirement)

    for clause in _clauses(text):
        if "优先" in clause:
            continue
        match = _FOREIGN.search(clause)
        if match and _COOPERATION.search(clause):
            add(
                PartnerRequirement(
                    kind="foreign_countries",
                    value=_foreign_value(match),
                    strength=_strength(clause),
                    text=clause,
                    counts_regions=bool(match.group("regions")),
                )
            )
        continents: list[str] = []
        for name in _CONTINENT_RE.findall(clause):
            code = CONTINENTS[name]
            if code not in continents:
                continents.append(code)
        if continents and _PARTNER_WORDS.search(clause):
            add(
                PartnerRequirement(
                    kind="continents", value=continents, strength=_strength(clause), text=clause
                )
            )
        if _PARTICIPANTS.search(clause) and _MUST_INCLUDE.search(clause):
            tail = clause[_MUST_INCLUDE.search(clause).end() :]
            for pattern, code in INSTITUTION_KINDS:
                if pattern.search(tail):
                    add(
                        PartnerRequirement(
                            kind="institution_kind", value=code, strength=STRENGTH_REQUIRED, text=clause
                        )
                    )
                    break
        if _LICENCE_CLAUSE.search(clause):
            add(
                PartnerRequirement(
                    kind="licence", value=licence_code(clause), strength=STRENGTH_REQUIRED, text=clause
                )
            )
    return found
