"""Screening tests use the root conftest's guide2022 and all_registries_empty fixtures;
GUIDE_2022 stays importable from here for the tests that name it."""

from tests.conftest import GUIDE_2022

__all__ = ["GUIDE_2022"]
