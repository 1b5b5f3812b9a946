"""Plain builders for guide rows (for page tests that need N directions)."""

from datetime import date
from decimal import Decimal

from guide.models import Area, Direction, Guide, Indicator, PartnerRequirement


def make_guide(*, year: int = 2030, areas: int = 2, directions_per_area: int = 2, **overrides) -> Guide:
    fields = {
        "title": f"测试指南 {year}",
        "declared_direction_count": areas * directions_per_area,
        "total_budget_yuan": 100_000_000,
        "projects_min": 1,
        "projects_max": 2,
        "pi_born_on_or_after": date(1965, 1, 1),
        "unit_registered_by": date(year - 1, 12, 31),
        "max_domestic_units": 8,
        "min_foreign_units": 2,
        "max_duration_years": 4,
        "subtasks_allowed": False,
    }
    fields.update(overrides)
    guide = Guide.objects.create(year=year, **fields)
    position = 0
    for a in range(1, areas + 1):
        area = Area.objects.create(guide=guide, number=a, title=f"领域{a}")
        for d in range(1, directions_per_area + 1):
            direction = Direction.objects.create(
                guide=guide,
                area=area,
                code=f"{a}.{d}",
                position=position,
                title=f"方向{a}.{d}",
                research_content=f"研究内容{a}.{d}",
                indicators_text="效率≥90%",
                matching_ratio=Decimal("1.00") if d % 2 else None,
            )
            position += 1
            Indicator.objects.create(
                direction=direction,
                position=1,
                text="效率≥90%",
                subject="效率",
                comparator=">=",
                value=90,
                unit="%",
            )
            PartnerRequirement.objects.create(
                direction=direction,
                kind="foreign_countries",
                value=2,
                strength="required",
                text="须有2个以上国家",
            )
    return guide
