from pathlib import Path

import pytest

GUIDE_2022 = Path(__file__).resolve().parents[2] / "fixtures" / "guides" / "2022-strategic-cooperation.txt"


@pytest.fixture
def guide2022(db):
    from guide.services import guide_ingest

    return guide_ingest(path=GUIDE_2022)


@pytest.fixture
def all_registries_empty(db):
    from screening.services import registries_import

    registries_import(
        data={
            "ongoing_projects": [],
            "misconduct": [],
            "guide_experts": [],
            "recommenders": ["科学技术部国际合作司"],
        }
    )
