"""guide.selectors: what a process keeps per state of a guide row."""

from datetime import UTC, datetime

from guide.selectors import KeptPerGuide

AT = datetime(2026, 12, 6, tzinfo=UTC)


def test_a_guide_state_seen_again_is_not_built_again_and_a_new_state_is():
    kept, built = KeptPerGuide(), []

    def build(value):
        def run():
            built.append(value)
            return value

        return run

    assert kept.get((1, 10, AT), build("a")) == "a"
    assert kept.get((1, 10, AT), build("b")) == "a"  # the same state: kept
    assert kept.get((1, 11, AT), build("c")) == "c"  # another version published
    assert kept.get((1, 11, AT.replace(hour=1)), build("d")) == "d"  # the row saved again
    assert kept.get((2, 11, AT), build("e")) == "e"  # another guide, kept beside it
    assert kept.get((1, 11, AT.replace(hour=1)), build("f")) == "d"
    assert built == ["a", "c", "d", "e"]


def test_past_its_limit_the_store_starts_afresh():
    kept, built = KeptPerGuide(limit=2), []
    for pk in (1, 2, 3):
        kept.get((pk, 1, AT), lambda pk=pk: built.append(pk) or pk)
    assert kept.get((3, 1, AT), lambda: built.append("again")) == 3  # kept after the fresh start
    assert kept.get((1, 1, AT), lambda: built.append("again") or 1) == 1  # dropped: built again
    assert built == [1, 2, 3, "again"]
