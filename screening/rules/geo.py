"""Continent of each ISO 3166-1 alpha-2 code (for ``direction.partner_continents``).

"americas" (美洲) covers both North and South America (incl. Central America and
the Caribbean). Russia and Türkiye count for both Europe and Asia. HK, MO and TW
are in Asia (see ``direction.partner_continents`` for how regions are counted).
"""

from __future__ import annotations

import re

from screening.rules.text import nfkc

_ASIA = (
    "AE AF AM AZ BD BH BN BT CN CY GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM "
    "MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TW UZ VN YE"
)
_EUROPE = (
    "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI "
    "LT LU LV MC MD ME MK MT NL NO PL PT RO RS SE SI SJ SK SM UA VA XK"
)
_AFRICA = (
    "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA "
    "MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW"
)
_NORTH_AMERICA = (
    "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX "
    "NI PA PM PR SV SX TC TT US VC VG VI"
)
_SOUTH_AMERICA = "AR BO BR CL CO EC FK GF GY PE PY SR UY VE"
_OCEANIA = "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"

CONTINENTS: dict[str, frozenset[str]] = {}


def _add(codes: str, *continents: str) -> None:
    for code in codes.split():
        CONTINENTS[code] = CONTINENTS.get(code, frozenset()) | frozenset(continents)


_add(_ASIA, "asia")
_add(_EUROPE, "europe")
_add(_AFRICA, "africa")
_add(_NORTH_AMERICA, "north_america", "americas")
_add(_SOUTH_AMERICA, "south_america", "americas")
_add(_OCEANIA, "oceania")
_add("RU TR", "europe", "asia")

CONTINENT_NAMES = {
    "asia": "asia",
    "亚洲": "asia",
    "europe": "europe",
    "欧洲": "europe",
    "africa": "africa",
    "非洲": "africa",
    "americas": "americas",
    "america": "americas",
    "美洲": "americas",
    "northamerica": "north_america",
    "north_america": "north_america",
    "北美洲": "north_america",
    "北美": "north_america",
    "southamerica": "south_america",
    "south_america": "south_america",
    "南美洲": "south_america",
    "南美": "south_america",
    "oceania": "oceania",
    "大洋洲": "oceania",
}


def continent_name(value: str) -> str | None:
    """Canonical continent key for a requirement value (code or Chinese name)."""
    text = re.sub(r"[\s\-]", "", nfkc(value)).lower()
    return CONTINENT_NAMES.get(text) or CONTINENT_NAMES.get(text.replace("_", ""))


def continents_of(country: str | None) -> frozenset[str]:
    return CONTINENTS.get((country or "").upper(), frozenset())
