"""Database rows for screening tests: a proposal that passes every 2022 condition
unless told otherwise."""

from datetime import date
from decimal import Decimal
from itertools import count

from proposals.identifiers import make_credit_code, make_resident_id
from proposals.models import Attachment, Person, Proposal, Unit
from tests.factories.proposals import make_user

_seq = count(1)
_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


def distinct_text(n: int, length: int = 120) -> str:
    """Deterministic text unique to n, so generated proposals are not near-duplicates."""
    import random

    return "".join(random.Random(n).choices(_HANZI, k=length))


def credit_code(n: int) -> str:
    return make_credit_code(f"MA{n:06d}")


def make_proposal(
    *,
    owner=None,
    reference: str | None = None,
    state: str = "submitted",
    direction: str = "1.1",
    title: str | None = None,
    pi_id: str | None = None,
    pi_birth: date = date(1975, 5, 4),
    pi_title: str = "教授",
    lead_code: str | None = None,
    members: int = 1,
    foreign_countries: tuple[str, ...] = ("DE",),
    domestic_participants: int = 1,
    national: str = "500",
    matching: str = "1000",
    research_content: str | None = None,
    recommender: str = "科学技术部国际合作司",
    attachments: tuple[str, ...] = ("recommendation_letter",),
) -> Proposal:
    n = next(_seq)
    owner = owner or make_user()
    proposal = Proposal.objects.create(
        owner=owner,
        reference=reference or f"P-{n:05d}",
        guide_year=2022,
        direction_code=direction,
        title=title or f"燃烧中碳捕集技术 {distinct_text(n, 12)}",
        recommender=recommender,
        start_date=date(2023, 1, 1),
        end_date=date(2025, 12, 31),
        national_funding=Decimal(national),
        matching_funding=Decimal(matching),
        research_content=research_content or f"开发燃烧中二氧化碳捕集共性关键技术。{distinct_text(n)}",
        indicators="误差≤10%；氧浓度≥25%；燃尽度≥90%；干烟气二氧化碳浓度≥90%；捕集成本≤250元人民币/吨",
        state=state,
    )
    Person.objects.create(
        proposal=proposal,
        role="pi",
        name=f"负责人{n}",
        id_number=pi_id or make_resident_id(pi_birth, seq=f"{n % 1000:03d}"),
        birth_date=pi_birth,
        nationality="CN",
        title=pi_title,
        degree="博士",
        employer="清华大学",
        employment="full_time",
        civil_servant=False,
    )
    for m in range(members):
        Person.objects.create(
            proposal=proposal,
            role="member",
            position=m,
            name=f"骨干{n}-{m}",
            id_number=make_resident_id(date(1980, 1, 1 + m), seq=f"{(n * 7 + m) % 1000:03d}"),
            birth_date=date(1980, 1, 1 + m),
            nationality="CN",
        )
    Unit.objects.create(
        proposal=proposal,
        position=0,
        name=f"牵头大学{n}",
        credit_code=lead_code or credit_code(n),
        country="CN",
        type="university",
        registered_on=date(2000, 1, 1),
        role="lead",
    )
    for d in range(domestic_participants):
        Unit.objects.create(
            proposal=proposal,
            position=1 + d,
            name=f"参与企业{n}-{d}",
            credit_code=credit_code(100000 + n * 20 + d),
            country="CN",
            type="enterprise",
            registered_on=date(2010, 1, 1),
            role="participant",
        )
    for f, country in enumerate(foreign_countries):
        Unit.objects.create(
            proposal=proposal,
            position=50 + f,
            name=f"Foreign Partner {country} {n}",
            country=country,
            type="university",
            role="participant",
        )
    for kind in attachments:
        Attachment.objects.create(proposal=proposal, kind=kind, original_name=f"{kind}.pdf", sha256="0" * 64)
    return proposal
