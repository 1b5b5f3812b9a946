"""What changed between two guides: two ``guide.parsing.types.to_json`` dicts in, a :class:`GuideDiff` out.

Plain Python (no Django), so the command line, the compare page and the tests share it.

* :func:`diff_guides` matches the directions of the two guides: first by identical title (a
  direction renumbered between years keeps its title: 2022's 6.4 is 2023's 6.3), then by code when
  the title or the research content stays similar (a renamed direction), then by similarity alone
  (renumbered and renamed); the rest are added or removed. Matching by code alone would pair two
  unrelated directions whenever one was removed and the next renumbered into its place. Within a
  matched pair the indicators are matched by text, then subject, then similarity; thresholds are
  compared as comparator + value + unit. It also compares the general values (budget, declared
  count, projects per direction), the conditions (below), the directions' project types and matching
  ratios, the partner rules and the formal-review clauses.
* :func:`diff_conditions` compares the guide's conditions (``guide.parsing.conditions.all_conditions``
  of each side) by parameter and scope — call-wide and scoped ones alike: a scope only in B is added,
  only in A removed; the same scope with another value is changed, with another state (stated →
  missing, set aside …) a state change. A direction's scope follows the direction as matched above
  (renumbered 6.4 → 6.3 keeps its conditions). The projects per direction of the whole call and each
  direction's own matching ratio are left to the general values and the direction rows, which show them.
* :class:`TextDiff` is a readable diff of two texts: for Chinese, characters (Latin words and
  numbers kept whole) grouped into runs of equal, deleted and inserted text; the compare page marks
  them, :func:`render_text` quotes each changed place with a little context.
* :func:`render_text` writes the diff as a person would summarise it, in Chinese (``"zh"``) or
  English (``"en"``); the guide's own text is quoted as published (in Chinese).
* :func:`diff_to_json` is the diff as JSON-ready data (``guide_diff --json``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from fractions import Fraction
from typing import Any

from .parsing.conditions import (
    ABSENT,
    IGNORED,
    MISSING,
    PARAMETERS,
    RANGE,
    RATIO,
    Condition,
    Scope,
    all_conditions,
)
from .parsing.partners import CONTINENT_WORDS, PARTNER_CODE_WORDS, says_requirement
from .parsing.types import from_json

SIMILAR = 0.6  # a pair of directions (title and content together) or of indicator subjects
GENERAL_FIELDS = ("title", "declared_direction_count", "total_budget_yuan", "projects_per_direction")
GENDER_ORDER = {None: 0, "male": 1, "female": 2}
COMPARATOR_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": ""}  # "降低 25%": no "="
_TOKEN = re.compile(r"[A-Za-z0-9_.%‰]+|\s+|.", re.DOTALL)
_STOP = set("。；;！!？?\n")  # a change never folds across the end of a sentence
_CONTEXT_STOP = _STOP | set("，,、：:（）()“”")  # the context quoted around a change stops at a clause
CONTEXT_TOKENS = 5
MAX_QUOTE = 80  # characters of one side of a changed place in the summary
MAX_PLACES = 4  # changed places quoted per text; more are counted


# --------------------------------------------------------------------------- #
# Text diffs
# --------------------------------------------------------------------------- #


# Han, kana, CJK punctuation and full-width forms: a space next to one is layout (a PDF's line join, a
# DOCX's spacing), not a change of the text.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_SPACES = re.compile(r"\s+")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def without_layout_spacing(text: str) -> str:
    """``text`` as compared: white space next to a CJK character removed, other runs of white space one
    space, the ends stripped ("效率提升 5 倍" and "效率提升 5倍" read the same; "200 kW" and "200kW" do not)."""
    return _SPACES.sub(" ", _SPACE_BY_CJK.sub("", text or "")).strip()


def _layout_only(before: str, after: str, left: str, right: str) -> bool:
    """A change of white space only, next to a CJK character (``left``/``right``: the characters of the
    text around it)."""
    if before.strip() or after.strip():
        return False
    return any(_CJK_CHAR.fullmatch(side) for side in (left, right) if side)


def tokens(text: str) -> list[str]:
    """Latin words and numbers (with . % ‰) whole, runs of white space, every other character alone."""
    return _TOKEN.findall(text or "")


@dataclass(frozen=True)
class Place:
    """One changed place of a text: ``before`` became ``after`` between ``left`` and ``right``."""

    left: str
    before: str
    after: str
    right: str


@dataclass(frozen=True)
class TextDiff:
    """``ops``: the runs of the two texts in order, each ``("equal" | "delete" | "insert", text)``."""

    a: str
    b: str
    ops: tuple[tuple[str, str], ...]

    @property
    def places(self) -> list[Place]:
        places = []
        ops = list(self.ops)
        i = 0
        while i < len(ops):
            if ops[i][0] == "equal":
                i += 1
                continue
            before = after = ""
            j = i
            while j < len(ops) and ops[j][0] != "equal":
                if ops[j][0] == "delete":
                    before += ops[j][1]
                else:
                    after += ops[j][1]
                j += 1
            left = _context(ops[i - 1][1] if i else "", from_end=True)
            right = _context(ops[j][1] if j < len(ops) else "", from_end=False)
            places.append(Place(left, before, after, right))
            i = j
        return places


def _context(text: str, *, from_end: bool) -> str:
    """Up to CONTEXT_TOKENS tokens (white space not counted) of ``text`` next to a change: its end
    (``from_end``) or its start, never past a clause boundary; trimmed on the side away from it."""
    parts = tokens(text)
    taken: list[str] = []
    counted = 0
    for token in reversed(parts) if from_end else parts:
        if token in _CONTEXT_STOP or counted >= CONTEXT_TOKENS:
            break
        taken.append(token)
        counted += not token.isspace()
    joined = "".join(reversed(taken) if from_end else taken)
    return joined.lstrip() if from_end else joined.rstrip()


def _equal(ops: list[list[str]], text: str) -> None:
    """Append an equal run (joined to an equal run before it, so spacing taken out of a change never
    makes a run of its own)."""
    if not text:
        return
    if ops and ops[-1][0] == "equal":
        ops[-1][1] += text
        ops[-1][2] += text
    else:
        ops.append(["equal", text, text])


def diff_text(a: str, b: str) -> TextDiff | None:
    """The diff of ``a`` and ``b``: None when they are equal but for layout spacing (see
    :func:`without_layout_spacing`), and a change of spacing next to a CJK character is no change in
    the runs either (they keep ``b``'s spacing). An equal run of a single token (white space aside)
    between two changes is folded into them, so a change reads as one place, not a comb of
    characters."""
    a, b = a or "", b or ""
    if without_layout_spacing(a) == without_layout_spacing(b):
        return None
    ta, tb = tokens(a), tokens(b)
    ops: list[list[str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        before, after = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        left, right = "".join(ta[:i1])[-1:], "".join(ta[i2:])[:1]
        if tag == "equal" or _layout_only(before, after, left, right):
            _equal(ops, after)
            continue
        if _CJK_CHAR.fullmatch(left or "-"):  # spacing at the change's ends next to CJK is layout
            _equal(ops, after[: len(after) - len(after.lstrip())])
            before, after = before.lstrip(), after.lstrip()
        tail = ""
        if _CJK_CHAR.fullmatch(right or "-"):
            tail = after[len(after.rstrip()) :]
            before, after = before.rstrip(), after.rstrip()
        ops.append(["change", before, after])
        _equal(ops, tail)
    merged: list[list[str]] = []
    for index, op in enumerate(ops):
        short = sum(1 for t in tokens(op[1]) if not t.isspace()) <= 1
        between = 0 < index < len(ops) - 1 and op[0] == "equal" and short
        if between and op[1] not in _STOP and merged and merged[-1][0] == "change":
            merged[-1][1] += op[1]
            merged[-1][2] += op[2]
            continue
        if op[0] == "change" and merged and merged[-1][0] == "change":
            merged[-1][1] += op[1]
            merged[-1][2] += op[2]
            continue
        merged.append(list(op))
    runs: list[tuple[str, str]] = []
    for kind, before, after in merged:
        if kind == "equal":
            runs.append(("equal", before))
            continue
        if before:
            runs.append(("delete", before))
        if after:
            runs.append(("insert", after))
    return TextDiff(a, b, tuple(runs))


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a or "", b or "", autojunk=False).ratio()


# --------------------------------------------------------------------------- #
# The diff
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ValueChange:
    field: str  # "title", "declared_direction_count", "total_budget_yuan", "projects_per_direction"
    a: Any
    b: Any


@dataclass(frozen=True)
class Reading:
    """One condition of a side as compared: its ``key`` in that guide, ``value`` (JSON) and effective
    ``state`` (``stated``, ``missing``, ``absent``, ``ignored``)."""

    key: str
    value: Any
    state: str


@dataclass(frozen=True)
class ConditionChange:
    """The conditions of one parameter in one scope that differ: ``a`` and ``b`` are the readings of
    each side (usually one; two when a guide states a parameter twice in one scope). ``scope`` names
    B's direction code for a direction matched in both guides."""

    change: str  # "added", "removed", "changed" (a value), "state" (stated → missing, set aside …)
    parameter: str
    scope: Scope
    a: tuple[Reading, ...] = ()
    b: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class IndicatorChange:
    change: str  # "changed", "added", "removed"
    a: dict | None
    b: dict | None
    threshold: bool = False  # comparator, value or unit changed
    subject: bool = False  # the subject changed
    text: TextDiff | None = None


@dataclass(frozen=True)
class PartnerChange:
    change: str  # "changed", "added", "removed"
    a: dict | None
    b: dict | None


@dataclass(frozen=True)
class DirectionChange:
    code_a: str
    code_b: str
    title_a: str
    title_b: str
    title: TextDiff | None = None
    matching_ratio: tuple[float | None, float | None] | None = None
    project_types: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # its title tag's types
    research_content: TextDiff | None = None
    indicators: list[IndicatorChange] = field(default_factory=list)
    indicators_text: TextDiff | None = None  # only when neither side has parsed indicators
    partner_requirements: list[PartnerChange] = field(default_factory=list)
    notes: TextDiff | None = None
    other_requirements: TextDiff | None = None  # not when only the ratio sentence changed with the ratio

    @property
    def renumbered(self) -> bool:
        return self.code_a != self.code_b

    @property
    def renamed(self) -> bool:
        return self.title is not None

    @property
    def content_changed(self) -> bool:
        return bool(
            self.matching_ratio
            or self.project_types
            or self.research_content
            or self.indicators
            or self.indicators_text
            or self.partner_requirements
            or self.notes
            or self.other_requirements
        )


@dataclass(frozen=True)
class ClauseChange:
    clause: str
    change: str  # "changed", "added", "removed"
    a: str
    b: str
    text: TextDiff | None = None


@dataclass(frozen=True)
class GuideDiff:
    year_a: int | None
    year_b: int | None
    general: list[ValueChange] = field(default_factory=list)
    conditions: list[ConditionChange] = field(default_factory=list)  # call-wide and scoped alike
    added: list[dict] = field(default_factory=list)  # directions of b (to_json)
    removed: list[dict] = field(default_factory=list)  # directions of a
    directions: list[DirectionChange] = field(default_factory=list)  # matched pairs that differ
    clauses: list[ClauseChange] = field(default_factory=list)
    direction_count: tuple[int, int] = (0, 0)

    @property
    def empty(self) -> bool:
        return not (
            self.general or self.conditions or self.added or self.removed or self.directions or self.clauses
        )

    @property
    def renamed(self) -> list[DirectionChange]:
        return [d for d in self.directions if d.renamed]

    @property
    def renumbered(self) -> list[DirectionChange]:
        return [d for d in self.directions if d.renumbered]

    @property
    def content_changed(self) -> list[DirectionChange]:
        return [d for d in self.directions if d.content_changed]


def _match(
    left: list[dict], right: list[dict], steps
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair items of ``left`` and ``right``: each step is ``(key or None, score or None)``; a key pairs
    items with equal keys (in order), a score pairs the best-scoring remaining pairs at or above
    SIMILAR. Returns the pairs (in ``right``'s order), the unpaired of left and of right."""
    free_left = list(range(len(left)))
    free_right = list(range(len(right)))
    pairs: dict[int, int] = {}  # right index → left index
    for key, score in steps:
        if key is not None:
            for r in list(free_right):
                for i in free_left:
                    k = key(left[i])
                    if k is not None and k == key(right[r]):
                        pairs[r] = i
                        free_left.remove(i)
                        free_right.remove(r)
                        break
        else:
            scored = sorted(
                ((score(left[i], right[r]), i, r) for i in free_left for r in free_right),
                key=lambda t: (-t[0], t[1], t[2]),
            )
            for value, i, r in scored:
                if value < SIMILAR:
                    break
                if i in free_left and r in free_right:
                    pairs[r] = i
                    free_left.remove(i)
                    free_right.remove(r)
    ordered = [(left[pairs[r]], right[r]) for r in sorted(pairs)]
    return ordered, [left[i] for i in free_left], [right[r] for r in free_right]


def _direction_score(a: dict, b: dict) -> float:
    title = similarity(a.get("title", ""), b.get("title", ""))
    if not a.get("research_content") and not b.get("research_content"):
        return title
    return (title + similarity(a.get("research_content", ""), b.get("research_content", ""))) / 2


def _same_code_similar(a: dict, b: dict) -> float:
    return _direction_score(a, b) if a.get("code") == b.get("code") else 0.0


def _threshold(indicator: dict | None) -> tuple:
    if not indicator:
        return (None, None, None, None)
    return (
        indicator.get("comparator"),
        indicator.get("value"),
        indicator.get("value_max"),
        indicator.get("unit"),
    )


def _indicator_key(indicator: dict) -> str:
    return without_layout_spacing(indicator.get("subject") or indicator.get("text") or "")


def _spacing_free(value: str | None) -> str | None:
    """A text key for matching, layout spacing aside (None for none)."""
    return without_layout_spacing(value) or None if value else None


def diff_indicators(a: list[dict], b: list[dict]) -> list[IndicatorChange]:
    """Indicators matched by identical text, then identical subject, then similar subject (or text)."""
    pairs, removed, added = _match(
        list(a or ()),
        list(b or ()),
        [
            (lambda i: _spacing_free(i.get("text")), None),
            (lambda i: _spacing_free(i.get("subject")), None),
            (None, lambda x, y: similarity(_indicator_key(x), _indicator_key(y))),
        ],
    )
    changes = []
    for x, y in pairs:
        threshold = _threshold(x) != _threshold(y)
        subject = without_layout_spacing(x.get("subject") or "") != without_layout_spacing(
            y.get("subject") or ""
        )
        text = diff_text(x.get("text", ""), y.get("text", ""))
        if threshold or subject or text:
            changes.append(IndicatorChange("changed", x, y, threshold, subject, text))
    changes += [IndicatorChange("removed", x, None) for x in removed]
    changes += [IndicatorChange("added", None, y) for y in added]
    return changes


def _partner_key(requirement: dict) -> tuple:
    return (requirement.get("kind"), requirement.get("strength"))


def diff_partners(a: list[dict], b: list[dict]) -> list[PartnerChange]:
    pairs, removed, added = _match(list(a or ()), list(b or ()), [(_partner_key, None)])
    changes = []
    for x, y in pairs:
        if (x.get("value"), x.get("counts_regions", False)) != (
            y.get("value"),
            y.get("counts_regions", False),
        ):
            changes.append(PartnerChange("changed", x, y))
    changes += [PartnerChange("removed", x, None) for x in removed]
    changes += [PartnerChange("added", None, y) for y in added]
    return changes


def diff_direction(a: dict, b: dict) -> DirectionChange:
    ratio = (a.get("matching_ratio"), b.get("matching_ratio"))
    ratio_changed = ratio[0] != ratio[1]
    types = (tuple(a.get("project_types") or ()), tuple(b.get("project_types") or ()))
    indicators_text = None
    if not a.get("indicators") and not b.get("indicators"):
        indicators_text = diff_text(a.get("indicators_text", ""), b.get("indicators_text", ""))
    return DirectionChange(
        code_a=a.get("code", ""),
        code_b=b.get("code", ""),
        title_a=a.get("title", ""),
        title_b=b.get("title", ""),
        title=diff_text(a.get("title", ""), b.get("title", "")),
        matching_ratio=ratio if ratio_changed else None,
        project_types=types if types[0] != types[1] else None,
        research_content=diff_text(a.get("research_content", ""), b.get("research_content", "")),
        indicators=diff_indicators(a.get("indicators") or [], b.get("indicators") or []),
        indicators_text=indicators_text,
        partner_requirements=diff_partners(
            a.get("partner_requirements") or [], b.get("partner_requirements") or []
        ),
        notes=diff_text(a.get("notes", ""), b.get("notes", "")),
        other_requirements=None
        if ratio_changed
        else diff_text(a.get("other_requirements", ""), b.get("other_requirements", "")),
    )


def diff_guides(a: dict, b: dict) -> GuideDiff:
    """What changed from guide ``a`` to guide ``b`` (both ``to_json`` dicts, possibly corrected)."""
    general = [
        ValueChange(name, a.get(name), b.get(name)) for name in GENERAL_FIELDS if a.get(name) != b.get(name)
    ]
    pairs, removed, added = _match(
        list(a.get("directions") or ()),
        list(b.get("directions") or ()),
        [
            (lambda d: _spacing_free(d.get("title")), None),
            (None, _same_code_similar),
            (None, _direction_score),
        ],
    )
    changes = []
    for x, y in pairs:
        change = diff_direction(x, y)
        if change.renumbered or change.renamed or change.content_changed:
            changes.append(change)
    changes.sort(key=lambda c: _code_order(c.code_b))
    clause_pairs, clauses_removed, clauses_added = _match(
        list(a.get("formal_review") or ()),
        list(b.get("formal_review") or ()),
        [(lambda c: c.get("clause"), None)],
    )
    clauses = []
    for x, y in clause_pairs:
        text = diff_text(x.get("text", ""), y.get("text", ""))
        if text:
            clauses.append(ClauseChange(y["clause"], "changed", x.get("text", ""), y.get("text", ""), text))
    clauses += [ClauseChange(c["clause"], "removed", c.get("text", ""), "") for c in clauses_removed]
    clauses += [ClauseChange(c["clause"], "added", "", c.get("text", "")) for c in clauses_added]
    clauses.sort(key=lambda c: _code_order(c.clause))
    return GuideDiff(
        year_a=a.get("year"),
        year_b=b.get("year"),
        general=general,
        conditions=diff_conditions(a, b, {x.get("code"): y.get("code") for x, y in pairs}),
        added=sorted(added, key=lambda d: _code_order(d.get("code", ""))),
        removed=sorted(removed, key=lambda d: _code_order(d.get("code", ""))),
        directions=changes,
        clauses=clauses,
        direction_count=(len(a.get("directions") or ()), len(b.get("directions") or ())),
    )


def _compared_conditions(data: dict) -> list[Condition]:
    """``all_conditions`` of a guide but for what the general values and the direction rows compare
    already: the call's projects per direction and each direction's own matching ratio."""
    guide = from_json(data)
    shown = {"projects_per_direction"} | {f"directions[{d.code}].matching_ratio" for d in guide.directions}
    return [c for c in all_conditions(guide) if c.key not in shown]


def diff_conditions(a: dict, b: dict, codes: dict[str, str] | None = None) -> list[ConditionChange]:
    """The conditions of guide ``a`` and guide ``b`` (``to_json`` dicts) compared by parameter and
    scope. ``codes`` maps a direction code of A to the code of its match in B (renumbered directions
    keep their conditions); a direction of A not in it was removed, and its conditions with it (never
    paired with B's direction of that code). Without ``codes`` directions are paired by code.
    Ordered by scope (the call, the project types, the directions) then by parameter and gender."""
    groups: dict[tuple, dict[str, list[Condition]]] = {}
    for side, data in (("a", a), ("b", b)):
        for condition in _compared_conditions(data):
            scope, gone = condition.scope, False
            if side == "a" and scope.direction and codes is not None:
                gone = scope.direction not in codes
                scope = replace(scope, direction=codes.get(scope.direction, scope.direction))
            group = groups.setdefault((condition.parameter, scope, gone), {"a": [], "b": []})
            group[side].append(condition)
    types = _type_order(a, b)
    changes = []
    for (parameter, scope, _gone), sides in groups.items():
        before, after = (
            tuple(Reading(c.key, c.value, c.effective_state) for c in sides[side]) for side in ("a", "b")
        )
        if _compared(before) == _compared(after):
            continue
        if not before or not after:
            change = "added" if after else "removed"
        elif {r.state for r in before} != {r.state for r in after}:
            change = "state"
        else:
            change = "changed"
        changes.append(ConditionChange(change, parameter, scope, before, after))
    changes.sort(
        key=lambda c: (
            c.scope.level,
            types.get(c.scope.project_type or "", len(types)),
            c.scope.project_type or "",
            _code_order(c.scope.direction or ""),
            list(PARAMETERS).index(c.parameter) if c.parameter in PARAMETERS else len(PARAMETERS),
            c.parameter,
            GENDER_ORDER.get(c.scope.gender, 3),
        )
    )
    return changes


def _compared(readings: tuple[Reading, ...]) -> list:
    """The readings of one side as a sorted list: the order two readings were found in is no change,
    nor is 2 against 2.0 (a value typed in a correction against one read)."""
    return sorted((r.state, repr(_plain(r.value))) for r in readings)


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def _type_order(a: dict, b: dict) -> dict[str, int]:
    """Project types in the order the directions of B, then of A, name them."""
    order: dict[str, int] = {}
    for data in (b, a):
        for direction in data.get("directions") or ():
            for name in direction.get("project_types") or ():
                order.setdefault(name, len(order))
    return order


def _code_order(code: str) -> tuple:
    """ "10.2" after "9.5"; "2(10)" after "2(9)"."""
    return tuple(int(n) for n in re.findall(r"\d+", code or "")) or (10**9,)


def diff_to_json(diff: GuideDiff) -> dict:
    """The diff as JSON-ready data (dataclasses as dicts, with the derived counts)."""
    data = asdict(diff)
    data["direction_count"] = list(diff.direction_count)
    for entry, change in zip(data["directions"], diff.directions, strict=True):
        entry["renamed"], entry["renumbered"] = change.renamed, change.renumbered
    data["summary"] = {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "renamed": len(diff.renamed),
        "renumbered": len(diff.renumbered),
        "changed": len(diff.content_changed),
        "conditions": len(diff.conditions),
        "clauses": len(diff.clauses),
    }
    return data


# --------------------------------------------------------------------------- #
# Words for people
# --------------------------------------------------------------------------- #

# The summary's words: Chinese msgids with the context 指南变化, read from the gettext catalogue of the
# language asked for (the English is in locale/en/LC_MESSAGES/django.po) through the translator the
# Django side installs (guide.comparison); without one every language reads the Chinese.
WORDS_CONTEXT = "指南变化"


def pgettext_lazy(context: str, text: str) -> tuple[str, str]:
    """Marks ``text`` with its ``context`` for the catalogue (``makemessages`` extracts the calls of this
    name) and keeps both; translated when the summary is written."""
    return context, text


# Translates a msgid with its context into a language ("zh", "en").
Translator = Callable[[str, str, str], str]
_translator: Translator | None = None


def install_translator(translator: Translator | None) -> None:
    """Use ``translator`` for the summary's words (None: the Chinese msgids as they are)."""
    global _translator
    _translator = translator


WORDS = {
    "heading": pgettext_lazy("指南变化", "%(a)s → %(b)s 指南的变化"),
    "none": pgettext_lazy("指南变化", "两份指南的内容相同。"),
    "general": pgettext_lazy("指南变化", "总体"),
    "directions": pgettext_lazy("指南变化", "方向"),
    "direction_counts": pgettext_lazy(
        "指南变化",
        "方向 %(a)s 个 → %(b)s 个：新增 %(added)s 个，删除 %(removed)s 个，改名 %(renamed)s 个，改编号 %(renumbered)s 个，内容有变化 %(changed)s 个。",
    ),
    "added": pgettext_lazy("指南变化", "新增方向"),
    "removed": pgettext_lazy("指南变化", "删除的方向"),
    "renamed": pgettext_lazy("指南变化", "改名的方向"),
    "renumbered": pgettext_lazy("指南变化", "改编号的方向"),
    "changed": pgettext_lazy("指南变化", "内容有变化的方向"),
    "clauses": pgettext_lazy("指南变化", "形式审查条件"),
    "title": pgettext_lazy("指南变化", "标题"),
    "declared_direction_count": pgettext_lazy("指南变化", "声明的方向数"),
    "total_budget_yuan": pgettext_lazy("指南变化", "国拨经费概算"),
    "projects_per_direction": pgettext_lazy("指南变化", "每个方向拟支持项目数"),
    "eligibility.pi_born_on_or_after": pgettext_lazy("指南变化", "项目负责人出生日期不早于"),
    "eligibility.unit_registered_by": pgettext_lazy("指南变化", "申报单位注册日期不晚于"),
    "eligibility.max_domestic_units": pgettext_lazy("指南变化", "中方参与单位总数上限"),
    "eligibility.min_foreign_units": pgettext_lazy("指南变化", "国（境）外参与单位下限"),
    "eligibility.max_duration_years": pgettext_lazy("指南变化", "实施周期上限（年）"),
    "eligibility.subtasks_allowed": pgettext_lazy("指南变化", "项目下设任务（课题）"),
    "eligibility.max_units": pgettext_lazy("指南变化", "参与单位总数上限"),
    "eligibility.max_subtasks": pgettext_lazy("指南变化", "下设课题数上限"),
    "eligibility.task_lead_born_on_or_after": pgettext_lazy("指南变化", "课题负责人出生不早于"),
    "eligibility.matching_ratio": pgettext_lazy("指南变化", "配套经费比例"),
    "eligibility.projects_supported": pgettext_lazy("指南变化", "拟支持项目数"),
    "conditions": pgettext_lazy("指南变化", "申报条件"),
    "condition": pgettext_lazy("指南变化", "%(scope)s · %(parameter)s"),
    "condition_changed": pgettext_lazy("指南变化", "%(condition)s：%(a)s → %(b)s"),
    "condition_added": pgettext_lazy("指南变化", "%(condition)s 新增：%(b)s"),
    "condition_removed": pgettext_lazy("指南变化", "%(condition)s 删去：%(a)s"),
    "scope_call": pgettext_lazy("指南变化", "全指南"),
    "scope_direction": pgettext_lazy("指南变化", "方向 %(code)s"),
    "scope_gender": pgettext_lazy("指南变化", "%(scope)s（%(gender)s）"),
    "male": pgettext_lazy("指南变化", "男性"),
    "female": pgettext_lazy("指南变化", "女性"),
    "state_missing": pgettext_lazy("指南变化", "待确认（未读出）"),
    "state_absent": pgettext_lazy("指南变化", "指南未规定（已确认）"),
    "state_ignored": pgettext_lazy("指南变化", "%(value)s（不采用）"),
    "project_types": pgettext_lazy("指南变化", "项目类型：%(a)s → %(b)s"),
    "no_types": pgettext_lazy("指南变化", "未标注"),
    "allowed": pgettext_lazy("指南变化", "允许"),
    "not_allowed": pgettext_lazy("指南变化", "不下设"),
    "unknown": pgettext_lazy("指南变化", "未规定"),
    "no_ratio": pgettext_lazy("指南变化", "无配套要求"),
    "ratio": pgettext_lazy("指南变化", "配套经费比例：%(a)s → %(b)s"),
    "with_ratio": pgettext_lazy("指南变化", "配套比例 %(r)s"),
    "research_content": pgettext_lazy("指南变化", "研究内容"),
    "indicators_text": pgettext_lazy("指南变化", "考核指标"),
    "notes": pgettext_lazy("指南变化", "有关说明"),
    "other_requirements": pgettext_lazy("指南变化", "其他要求"),
    "indicator_added": pgettext_lazy("指南变化", "新增指标：%(text)s"),
    "indicator_removed": pgettext_lazy("指南变化", "删去指标：%(text)s"),
    "indicator_text": pgettext_lazy("指南变化", "指标原文"),
    "partner": pgettext_lazy("指南变化", "合作要求：%(a)s → %(b)s"),
    "partner_added": pgettext_lazy("指南变化", "新增合作要求：%(text)s"),
    "partner_removed": pgettext_lazy("指南变化", "删去合作要求：%(text)s"),
    "required": pgettext_lazy("指南变化", "申报时须满足"),
    "indicator": pgettext_lazy("指南变化", "执行期内须达到"),
    "countries_required": pgettext_lazy("指南变化", "须有 %(n)s 个以上%(where)s的合作单位参与"),
    "countries_indicator": pgettext_lazy("指南变化", "同 %(n)s 个以上%(where)s开展合作"),
    "countries": pgettext_lazy("指南变化", "国家"),
    "countries_regions": pgettext_lazy("指南变化", "国家（地区、国际组织）"),
    "continents": pgettext_lazy("指南变化", "合作单位来自%(names)s"),
    "clause_changed": pgettext_lazy("指南变化", "%(clause)s：%(text)s"),
    "clause_added": pgettext_lazy("指南变化", "%(clause)s 新增：%(text)s"),
    "clause_removed": pgettext_lazy("指南变化", "%(clause)s 删去：%(text)s"),
    "place": pgettext_lazy("指南变化", "“%(a)s”改为“%(b)s”"),
    "more_places": pgettext_lazy("指南变化", "等 %(n)s 处"),
    "sep": pgettext_lazy("指南变化", "；"),
    "colon": pgettext_lazy("指南变化", "："),
    "list_sep": pgettext_lazy("指南变化", "、"),
    "with_note": pgettext_lazy("指南变化", "%(text)s（%(note)s）"),
}


class _Words:
    """The summary's words in one language: ``words("place", a=…, b=…)``; ``chinese`` for what a
    language writes its own way (an amount in 亿元)."""

    def __init__(self, lang: str) -> None:
        self.lang = "en" if (lang or "").lower().startswith("en") else "zh"
        self.chinese = self.lang == "zh"

    def word(self, msg: tuple[str, str]) -> str:
        context, text = msg
        if self.chinese or _translator is None:
            return text
        return _translator(text, self.lang, context)

    def __call__(self, key: str, **params) -> str:
        text = self.word(WORDS[key])
        return text % params if params else text


def format_number(value) -> str:
    """90.0 → "90", 0.8 → "0.8", 1000000.0 → "1000000"."""
    if value is None:
        return "—"
    try:
        return f"{Decimal(repr(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def format_ratio(value) -> str:
    """2.0 → "2:1", 0.5 → "1:2", 1.5 → "3:2"."""
    fraction = Fraction(str(value)).limit_denominator(20)
    return f"{fraction.numerator}:{fraction.denominator}"


def format_threshold(indicator: dict, words: _Words) -> str:
    """ "≥ 95%", "≤ 220 元人民币/吨", "10~20 kW"; the text when the indicator has no value."""
    comparator, value, value_max, unit = _threshold(indicator)
    if value is None:
        return indicator.get("text", "")
    unit = unit or ""
    joined = unit if not unit or unit[0] in "%‰°℃" else f" {unit}"
    if comparator == "range" and value_max is not None:
        return f"{format_number(value)}~{format_number(value_max)}{joined}"
    symbol = COMPARATOR_SYMBOLS.get(comparator or "", "")
    return f"{symbol} {format_number(value)}{joined}".strip()


def format_value(name: str, value, words: _Words) -> str:
    if value is None:
        return words("unknown")
    if name == "total_budget_yuan":
        if words.chinese:
            return f"{format_number(Decimal(value) / Decimal(100_000_000))} 亿元"
        return f"CNY {int(value):,}"
    if name == "projects_per_direction":
        low, high = value.get("min"), value.get("max")
        return str(low) if low == high else f"{low}~{high}"
    return str(value)


def format_condition_value(parameter: str, value, words: _Words) -> str:
    """A condition's value: "1986-01-01", "6", 允许/不下设, "2:1", "1" or "1~2" projects."""
    if value is None:
        return words("unknown")
    kind = PARAMETERS.get(parameter)
    if isinstance(value, bool):
        return words("allowed") if value else words("not_allowed")
    if kind == RATIO:
        return format_ratio(value)
    if kind == RANGE and isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
        return str(low) if low == high else f"{low}~{high}"
    return format_number(value) if isinstance(value, float) else str(value)


def describe_scope(scope: Scope, words: _Words) -> str:
    """A scope as the review page names it: "全指南", "基础研究类", "方向 2.2", "青年科学家项目（男性）"
    (English: "Whole call", "Direction 2.2", "青年科学家项目 (male)"; a type is the guide's own name)."""
    parts = []
    if scope.direction:
        parts.append(words("scope_direction", code=scope.direction))
    if scope.project_type:
        parts.append(scope.project_type)
    text = words("list_sep").join(parts) or words("scope_call")
    if scope.gender in ("male", "female"):
        text = words("scope_gender", scope=text, gender=words(scope.gender))
    return text


def describe_readings(parameter: str, readings, words: _Words) -> str:
    """The readings of one side: each value, a state other than stated in words ("待确认（未读出）",
    "5（不采用）"); two readings in one scope joined with "、"."""
    shown = []
    for reading in readings:
        value = format_condition_value(parameter, reading.value, words)
        if reading.state == MISSING:
            shown.append(words("state_missing"))
        elif reading.state == ABSENT:
            shown.append(words("state_absent"))
        elif reading.state == IGNORED:
            shown.append(words("state_ignored", value=value))
        else:
            shown.append(value)
    return words("list_sep").join(shown) if shown else words("unknown")


def describe_partner(requirement: dict, words: _Words) -> str:
    kind, value = requirement.get("kind"), requirement.get("value")
    strength = words(requirement.get("strength")) if requirement.get("strength") in WORDS else ""
    if kind == "foreign_countries":
        where = words("countries_regions" if requirement.get("counts_regions") else "countries")
        key = "countries_indicator" if requirement.get("strength") == "indicator" else "countries_required"
        text = words(key, n=value, where=where)
    elif kind == "continents":
        names = [words.word(CONTINENT_WORDS[c]) if c in CONTINENT_WORDS else c for c in value or ()]
        text = words("continents", names=words("list_sep").join(names))
    elif kind in ("institution_kind", "licence") and says_requirement(value):
        text = words.word(PARTNER_CODE_WORDS[value])
    else:
        text = requirement.get("text") or str(value)
    return words("with_note", text=text, note=strength) if strength else text


def _shorten(text: str, limit: int = MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_text(diff: TextDiff, words: _Words) -> str:
    """The changed places of a text, quoted with their context: “… 20MW 以上…”改为“… 25MW 以上…”."""
    places = diff.places
    quoted = [
        words(
            "place",
            a=_shorten(f"{p.left}{p.before}{p.right}"),
            b=_shorten(f"{p.left}{p.after}{p.right}"),
        )
        for p in places[:MAX_PLACES]
    ]
    text = words("sep").join(quoted)
    if len(places) > MAX_PLACES:
        text += words("sep") + words("more_places", n=len(places) - MAX_PLACES)
    return text


def _direction_line(direction: dict, words: _Words) -> str:
    """ "2.2 title（青年科学家项目；配套比例 1:1）": its code, title, project types and matching ratio."""
    line = f"{direction.get('code', '')} {direction.get('title', '')}"
    notes = []
    if direction.get("project_types"):
        notes.append(words("list_sep").join(direction["project_types"]))
    if direction.get("matching_ratio") is not None:
        notes.append(words("with_ratio", r=format_ratio(direction["matching_ratio"])))
    if notes:
        note = words("sep").join(notes)
        line = words("with_note", text=line, note=note)
    return line


def _types(types: tuple[str, ...], words: _Words) -> str:
    return words("list_sep").join(types) if types else words("no_types")


def _ratio(value, words: _Words) -> str:
    return words("no_ratio") if value is None else format_ratio(value)


def _indicator_lines(change: IndicatorChange, words: _Words) -> list[str]:
    if change.change == "added":
        return [words("indicator_added", text=change.b.get("text", ""))]
    if change.change == "removed":
        return [words("indicator_removed", text=change.a.get("text", ""))]
    a, b = change.a, change.b
    measured = a.get("value") is not None or b.get("value") is not None
    if measured and (change.threshold or change.subject):
        subject_a, subject_b = a.get("subject") or a.get("text", ""), b.get("subject") or b.get("text", "")
        subject = subject_b if not change.subject else f"{subject_a} → {subject_b}"
        before, after = format_threshold(a, words), format_threshold(b, words)
        if before == after:
            return [subject]
        return [f"{subject} {before} → {after}"]
    return [words("indicator_text") + words("colon") + describe_text(change.text, words)]


@dataclass(frozen=True)
class Row:
    """One line of the summary. ``text`` is the line as the plain summary writes it; a row about a
    changed text also has its ``label`` ("研究内容") and the text's ``ops``, which the compare page
    shows in full with the deleted and inserted runs marked. ``rows``: the lines under a direction."""

    text: str
    label: str = ""
    ops: tuple[tuple[str, str], ...] = ()
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str  # "general", "conditions", "directions", "added", "removed", "renamed", "renumbered", …
    title: str
    rows: tuple[Row, ...]
    plain: bool = False  # its rows are sentences, not a list


def _text_row(label: str, diff: TextDiff, words: _Words) -> Row:
    return Row(label + words("colon") + describe_text(diff, words), label, diff.ops)


def direction_rows(change: DirectionChange, words: _Words) -> list[Row]:
    """What changed inside a matched direction, one row each."""
    rows = []
    if change.project_types:
        a, b = change.project_types
        rows.append(Row(words("project_types", a=_types(a, words), b=_types(b, words))))
    if change.matching_ratio:
        a, b = change.matching_ratio
        rows.append(Row(words("ratio", a=_ratio(a, words), b=_ratio(b, words))))
    for name in ("research_content", "indicators_text"):
        diff = getattr(change, name)
        if diff is not None:
            rows.append(_text_row(words(name), diff, words))
    for indicator in change.indicators:
        if indicator.change == "changed" and not (
            (indicator.a.get("value") is not None or indicator.b.get("value") is not None)
            and (indicator.threshold or indicator.subject)
        ):
            rows.append(_text_row(words("indicator_text"), indicator.text, words))
        else:
            rows += [Row(line) for line in _indicator_lines(indicator, words)]
    for partner in change.partner_requirements:
        if partner.change == "added":
            rows.append(Row(words("partner_added", text=describe_partner(partner.b, words))))
        elif partner.change == "removed":
            rows.append(Row(words("partner_removed", text=describe_partner(partner.a, words))))
        else:
            rows.append(
                Row(
                    words(
                        "partner", a=describe_partner(partner.a, words), b=describe_partner(partner.b, words)
                    )
                )
            )
    for name in ("notes", "other_requirements"):
        diff = getattr(change, name)
        if diff is not None:
            rows.append(_text_row(words(name), diff, words))
    return rows


def direction_lines(change: DirectionChange, words: _Words) -> list[str]:
    """What changed inside a matched direction, one line each (no heading)."""
    return [row.text for row in direction_rows(change, words)]


def _value_row(change: ValueChange, words: _Words) -> Row:
    before, after = format_value(change.field, change.a, words), format_value(change.field, change.b, words)
    return Row(f"{words(change.field)}{words('colon')}{before} → {after}", words(change.field))


def _condition_row(change: ConditionChange, words: _Words) -> Row:
    """ "基础研究类 · 参与单位总数上限：6 → 8", "青年科学家项目（男性） · 项目负责人出生日期不早于 删去：1986-01-01"."""
    name = f"eligibility.{change.parameter}"
    parameter = words(name) if name in WORDS else change.parameter
    label = words("condition", parameter=parameter, scope=describe_scope(change.scope, words))
    before = describe_readings(change.parameter, change.a, words)
    after = describe_readings(change.parameter, change.b, words)
    key = "condition_changed" if change.change in ("changed", "state") else f"condition_{change.change}"
    return Row(words(key, condition=label, a=before, b=after), label)


def _clause_row(change: ClauseChange, words: _Words) -> Row:
    if change.change == "changed":
        row = _text_row(change.clause, change.text, words)
        return Row(
            words("clause_changed", clause=change.clause, text=describe_text(change.text, words)),
            row.label,
            row.ops,
        )
    text = _shorten(change.a or change.b, 200)
    return Row(words(f"clause_{change.change}", clause=change.clause, text=text), change.clause)


def heading(diff: GuideDiff, lang: str = "zh", labels: tuple[str, str] | None = None) -> str:
    """ "2022 → 2023 指南的变化", or with ``labels`` ("2022 v1", "2022 v2") instead of the years."""
    a, b = labels or (diff.year_a, diff.year_b)
    return _Words(lang)("heading", a=a, b=b)


def sections(diff: GuideDiff, lang: str = "zh") -> list[Section]:
    """The summary in sections (only those with something to say), for the text and the compare page."""
    words = _Words(lang)
    out: list[Section] = []

    def add(key: str, rows: list[Row], plain: bool = False) -> None:
        if rows:
            out.append(Section(key, words(key), tuple(rows), plain))

    add("general", [_value_row(c, words) for c in diff.general])
    add("conditions", [_condition_row(c, words) for c in diff.conditions])
    if diff.added or diff.removed or diff.directions:
        counts = words(
            "direction_counts",
            a=diff.direction_count[0],
            b=diff.direction_count[1],
            added=len(diff.added),
            removed=len(diff.removed),
            renamed=len(diff.renamed),
            renumbered=len(diff.renumbered),
            changed=len(diff.content_changed),
        )
        add("directions", [Row(counts)], plain=True)
    add("added", [Row(_direction_line(d, words)) for d in diff.added])
    add("removed", [Row(_direction_line(d, words)) for d in diff.removed])
    add(
        "renamed",
        [
            Row(f"{c.code_b} {c.title_a} → {c.title_b}", c.code_b, c.title.ops)
            for c in diff.renamed
            if not c.renumbered
        ],
    )
    add(
        "renumbered",
        [
            Row(f"{c.code_a} → {c.code_b} {c.title_b}")
            if not c.renamed
            else Row(
                f"{c.code_a} → {c.code_b} {c.title_a} → {c.title_b}", f"{c.code_a} → {c.code_b}", c.title.ops
            )
            for c in diff.renumbered
        ],
    )
    add(
        "changed",
        [Row(f"{c.code_b} {c.title_b}", rows=tuple(direction_rows(c, words))) for c in diff.content_changed],
    )
    add("clauses", [_clause_row(c, words) for c in diff.clauses])
    return out


def render_text(diff: GuideDiff, lang: str = "zh", labels: tuple[str, str] | None = None) -> str:
    """The diff as a summary a person would write: headed sections, one change a line; ``labels``
    name the two guides in the heading (their years by default)."""
    out = [heading(diff, lang, labels)]
    if diff.empty:
        out.append(_Words(lang)("none"))
        return "\n".join(out) + "\n"
    for section in sections(diff, lang):
        out += ["", section.title]
        for row in section.rows:
            if section.plain:
                out.append(row.text)
            elif row.rows:
                out.append(row.text)
                out.extend(f"  - {sub.text}" for sub in row.rows)
            else:
                out.append(f"- {row.text}")
    return "\n".join(out) + "\n"
