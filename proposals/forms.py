"""Forms. The proposal form is one main form, the PI's form and three formsets (units,
members, subtasks) rendered inline, bundled in :class:`ProposalForms`.

Every field is optional: drafts save however incomplete they are, and the
submit checks (:mod:`proposals.validators`) run on the saved draft. A form only
rejects what cannot be stored at all (a date that is not a date, a word in a
number field, text longer than the column, a control character, a reference
outside its safe charset, a gender that contradicts the resident ID number next to it).

The formsets are plain Django formsets (``formset_factory``), not model inline
formsets: the same form shows extracted data that is not saved anywhere yet
(the upload confirmation), and the service replaces a proposal's people and
units as a whole, so there are no row ids to carry.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms import BaseFormSet, formset_factory
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.roles import APPLICANT, role_of

from .enums import AttachmentKind, Employment, Gender, UnitRole, UnitType
from .identifiers import normalize_identifier
from .interchange import (
    ATTACHMENT_KINDS,
    MAX_LENGTHS,
    MAX_SUBTASKS,
    Budget,
    PersonData,
    ProposalData,
    SubtaskData,
    UnitData,
    country_name_zh,
    normalize_country,
    normalize_direction_code,
)
from .selectors import direction_choices
from .validators import (
    FieldError,
    digits_id_message,
    gender_mismatch_message,
    path_label,
    validate_plain_text,
    validate_reference,
)

EMPTY = [("", "—")]

# Format hints, the same as in the draft template (proposals.docgen).
DATE_HINT = "YYYY-MM-DD"
# What a date field accepts besides YYYY-MM-DD: the ways people write dates here.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
ID_HINT = _("居民身份证 18 位；外籍填护照号")
CREDIT_CODE_HINT = _("18 位")
GENDER_HINT = _("持居民身份证的可不填：按证件号码第 17 位判断")


def _at_most(n: int):
    """ "At most n characters", translated when shown (lazily, in the reader's language)."""
    # ngettext_lazy(...) % params would translate at once (in the language active at import): wrap the
    # whole call so it runs when the help text is shown.
    return lazy(lambda: ngettext("最多 %(n)s 字。", "最多 %(n)s 字。", n) % {"n": n}, str)()


class DateInput(forms.DateInput):
    """A date typed as text, with its format as the placeholder: what was typed stays in the
    field when it is not a date (a browser's date input would empty it, and would show its
    format in the browser's language rather than the page's)."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date as YYYY-MM-DD (also 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, full-width digits)."""

    input_formats = DATE_INPUT_FORMATS

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class CountryField(forms.CharField):
    """A country or region typed as a name or code (中国, 德国, Germany, DE, 香港),
    cleaned to its ISO alpha-2 code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 两位代码或中文国名，如：CN、德国、香港"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = normalize_country(value)
        if code is None:
            raise ValidationError(
                _("无法识别的国家或地区：%(value)s"), code="country", params={"value": value}
            )
        return code


class IdentifierField(forms.CharField):
    """ID numbers and codes: spaces removed, full-width folded, upper case."""

    def to_python(self, value):
        return normalize_identifier(super().to_python(value))


class DirectionField(forms.CharField):
    """A direction code in its stored form: ``５．２`` → ``5.2``."""

    def to_python(self, value):
        return normalize_direction_code(super().to_python(value))


class PlainTextForm(forms.Form):
    """A form whose every text field refuses control characters (validate_plain_text,
    which also covers Django's own NUL check, so that one is dropped: one message).
    A field with the reference's stricter charset keeps only that one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
                field.validators = kept if validate_reference in kept else [*kept, validate_plain_text]


def _text(max_length: int, label, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


def _date(label) -> forms.DateField:
    return DateField(label=label, required=False, widget=DateInput(), help_text=DATE_HINT)


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=12, decimal_places=2, min_value=0)


def _gender(label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=EMPTY + Gender.choices, help_text=GENDER_HINT
    )


class GenderMatchesId:
    """A form with a gender and an ID number: a gender that contradicts the resident ID
    number's 17th digit is an error on the gender (validators.gender_mismatch_message,
    the message the submission checks give too)."""

    GENDER_AND_ID = ("gender", "id_number")

    def clean(self):
        cleaned = super().clean()
        gender, id_number = self.GENDER_AND_ID
        message = gender_mismatch_message(cleaned.get(gender), cleaned.get(id_number))
        if message is not None:
            self.add_error(gender, message)
        return cleaned


class IdNeedsNationality:
    """A form with an ID number and a nationality: see digits_id_message (an error on the ID
    number). The submission checks judge numbers shaped like resident IDs (15 to 19 characters);
    this one catches the shorter and longer ones that would pass them unseen."""

    def clean(self):
        cleaned = super().clean()
        message = digits_id_message(cleaned.get("id_number"), cleaned.get("nationality"))
        if message is not None and "id_number" not in self.errors and "nationality" not in self.errors:
            self.add_error("id_number", message)
        return cleaned


class ProposalForm(PlainTextForm):
    reference = _text(
        MAX_LENGTHS["reference"],
        _("编号"),
        help_text=_("留空则自动生成；只能使用半角字母、数字和 - _ . /"),
        validators=[validate_reference],
    )
    guide_year = forms.IntegerField(label=_("指南年度"), required=False, min_value=2000, max_value=2100)
    direction = DirectionField(
        label=_("指南方向"),
        max_length=MAX_LENGTHS["direction"],
        required=False,
        help_text=_("方向编号，如 1.1"),
    )
    title = _text(MAX_LENGTHS["title"], _("项目名称"))
    recommender = _text(MAX_LENGTHS["recommender"], _("推荐单位"))
    start_date = _date(_("开始日期"))
    end_date = _date(_("结束日期"))
    national_funding = _money(_("国拨经费（万元）"))
    matching_funding = _money(_("配套经费（万元）"))
    research_content = forms.CharField(
        label=_("研究内容"),
        required=False,
        max_length=MAX_LENGTHS["research_content"],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_at_most(MAX_LENGTHS["research_content"]),
    )
    indicators = forms.CharField(
        label=_("考核指标"),
        required=False,
        max_length=MAX_LENGTHS["indicators"],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_at_most(MAX_LENGTHS["indicators"]),
    )

    # form field → interchange path
    PATHS = {
        "reference": "reference",
        "guide_year": "guide_year",
        "direction": "direction",
        "title": "title",
        "recommender": "recommender",
        "start_date": "start_date",
        "end_date": "end_date",
        "national_funding": "budget.national",
        "matching_funding": "budget.matching",
        "research_content": "research_content",
        "indicators": "indicators",
    }


class PIForm(IdNeedsNationality, GenderMatchesId, PlainTextForm):
    name = _text(MAX_LENGTHS["pi.name"], _("姓名"))
    gender = _gender(_("性别"))
    id_number = IdentifierField(
        label=_("证件号码"), max_length=MAX_LENGTHS["pi.id_number"], required=False, help_text=ID_HINT
    )
    birth_date = _date(_("出生日期"))
    nationality = CountryField(label=_("国籍/地区"))
    title = _text(MAX_LENGTHS["pi.title"], _("职称"))
    degree = _text(MAX_LENGTHS["pi.degree"], _("学位"))
    employer = _text(MAX_LENGTHS["pi.employer"], _("工作单位"))
    employment = forms.ChoiceField(label=_("聘用方式"), required=False, choices=EMPTY + Employment.choices)
    employment_proofs = forms.IntegerField(
        label=_("聘用证明份数"), required=False, min_value=0, max_value=1000
    )
    civil_servant = forms.NullBooleanField(label=_("国家机关公务人员"), required=False)


class UnitForm(PlainTextForm):
    name = _text(MAX_LENGTHS["units.name"], _("单位名称"))
    credit_code = IdentifierField(
        label=_("统一社会信用代码"),
        max_length=MAX_LENGTHS["units.credit_code"],
        required=False,
        help_text=CREDIT_CODE_HINT,
    )
    country = CountryField(label=_("国别/地区"))
    type = forms.ChoiceField(label=_("单位类型"), required=False, choices=EMPTY + UnitType.choices)
    registered_on = _date(_("注册日期"))
    role = forms.ChoiceField(label=_("角色"), required=False, choices=EMPTY + UnitRole.choices)
    third_party_testing = forms.BooleanField(label=_("第三方公共检测机构"), required=False)
    hgr_license = forms.BooleanField(label=_("人类遗传资源保藏行政许可"), required=False)


class MemberForm(IdNeedsNationality, GenderMatchesId, PlainTextForm):
    name = _text(MAX_LENGTHS["members.name"], _("姓名"))
    gender = _gender(_("性别"))
    id_number = IdentifierField(
        label=_("证件号码"), max_length=MAX_LENGTHS["members.id_number"], required=False, help_text=ID_HINT
    )
    birth_date = _date(_("出生日期"))
    nationality = CountryField(label=_("国籍/地区"))
    employer = _text(MAX_LENGTHS["members.unit"], _("工作单位"))
    task = _text(MAX_LENGTHS["members.role"], _("分工"))

    # form field → key in the interchange member object
    KEYS = {
        "name": "name",
        "gender": "gender",
        "id_number": "id_number",
        "birth_date": "birth_date",
        "nationality": "nationality",
        "employer": "unit",
        "task": "role",
    }


class SubtaskForm(PlainTextForm):
    """One 课题 and its lead (课题负责人)."""

    name = _text(MAX_LENGTHS["subtasks.name"], _("课题名称"))
    lead_unit = _text(MAX_LENGTHS["subtasks.lead_unit"], _("承担单位"))
    lead_name = _text(MAX_LENGTHS["subtasks.lead_name"], _("课题负责人"))
    lead_id_number = IdentifierField(
        label=_("证件号码"),
        max_length=MAX_LENGTHS["subtasks.lead_id_number"],
        required=False,
        help_text=ID_HINT,
    )
    lead_birth_date = _date(_("出生日期"))
    lead_title = _text(MAX_LENGTHS["subtasks.lead_title"], _("职称"))
    lead_degree = _text(MAX_LENGTHS["subtasks.lead_degree"], _("学位"))
    national_funding = _money(_("国拨经费（万元）"))


class DeclaredAttachmentsForm(forms.Form):
    """The template's 附件清单: which attachments the applicant declares (推荐函：有).
    The files themselves are uploaded on the detail page; a kind with an uploaded
    file counts as declared."""

    recommendation_letter = forms.BooleanField(label=_("推荐函"), required=False)
    cooperation_agreement = forms.BooleanField(label=_("合作协议"), required=False)
    employment_proof = forms.BooleanField(label=_("聘用证明"), required=False)


PIForm.PATHS = {name: f"pi.{name}" for name in PIForm.base_fields}
# form field → key in the interchange unit object
UnitForm.KEYS = {name: name for name in UnitForm.base_fields}
# form field → key in the interchange subtask object
SubtaskForm.KEYS = {name: name for name in SubtaskForm.base_fields}

UnitFormSet = formset_factory(UnitForm, extra=2, can_delete=True, max_num=60, validate_max=True)
MemberFormSet = formset_factory(MemberForm, extra=2, can_delete=True, max_num=100, validate_max=True)


class BaseSubtaskFormSet(BaseFormSet):
    default_error_messages = {"too_many_forms": _("课题最多 %(num)d 个，请删去多余的行。")}


SubtaskFormSet = formset_factory(
    SubtaskForm,
    formset=BaseSubtaskFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_SUBTASKS,
    validate_max=True,
)


@dataclass
class Row:
    """One field as the template shows it: the bound field, its interchange path
    (the anchor ``#field-<path>``), for extracted drafts whether it was found, and the
    submission checks' problems with the stored draft (``problems``: shown on a page that
    was not posted, where the field has no errors of its own)."""

    field: forms.BoundField
    path: str
    found: bool | None = None
    page: int | None = None
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def has_error(self) -> bool:
        return bool(self.problems) or bool(self.field is not None and self.field.errors)


# Anchors on the form page: every field is ``field-<path>`` (Row.path), each formset row
# ``field-<kind>[<i>]``, each section ``field-<section>``.
SECTIONS = ("pi", "units", "members", "subtasks", "attachments")
# Names the screening rules give fields (their snapshot's), as the form names them.
_FIELD_ALIASES = {
    "indicators_text": "indicators",
    "national_funding": "budget.national",
    "matching_funding": "budget.matching",
    "budget": "budget.national",
}
_ITEM = re.compile(r"(units|members|subtasks)\[(\d+)\](?:\.(.+))?")


def field_anchor(path: str | None) -> str:
    """The id of the element on the proposal form that shows ``path`` (an interchange path such
    as ``units[1].credit_code``, or the name a screening finding gives its field, such as
    ``indicators_text`` or ``subtasks[0].lead.birth_date``): the field itself, else its row,
    else its section; "" for no path. Every id it returns exists on the form page
    (tests/proposals/test_form_anchors.py)."""
    if not path:
        return ""
    path = _FIELD_ALIASES.get(path, path)
    if path in ProposalForm.PATHS.values() or path in SECTIONS:
        return f"field-{path}"
    if path.startswith("pi."):
        name = path[3:]
        return f"field-pi.{name}" if name in PIForm.base_fields else "field-pi"
    if path.startswith("attachments."):
        name = path.split(".", 1)[1]
        return f"field-{path}" if name in DeclaredAttachmentsForm.base_fields else "field-attachments"
    m = _ITEM.fullmatch(path)
    if m:
        kind, index, key = m.groups()
        if key is None:
            return f"field-{kind}[{index}]"
        keys = {"units": UnitForm.KEYS, "members": MemberForm.KEYS, "subtasks": SubtaskForm.KEYS}[kind]
        if kind == "subtasks" and key.startswith("lead."):
            key = "lead_" + key[len("lead.") :]
        if kind == "members" and key == "employer":
            key = "unit"
        return f"field-{kind}[{index}].{key}" if key in keys.values() else f"field-{kind}[{index}]"
    head = path.split(".", 1)[0].split("[", 1)[0]
    return f"field-{head}" if head in SECTIONS else ""


@dataclass(frozen=True)
class ErrorItem:
    """One line of the summary at the top of the form: where (the anchor), what field, what."""

    anchor: str
    label: str
    message: str


def _present(value) -> bool:
    return value not in (None, "")


def _or_none(value):
    return value if _present(value) else None


def _country_display(code: str | None) -> str:
    return country_name_zh(code) or ""


def _without_subtasks_block(data):
    """POST data from a page that has no 课题 block (one rendered before it existed, or a
    client posting the older form) reads as "no subtasks" rather than as a broken
    management form."""
    if data is None or "subtasks-TOTAL_FORMS" in data:
        return data
    data = data.copy()
    data["subtasks-TOTAL_FORMS"] = "0"
    data["subtasks-INITIAL_FORMS"] = "0"
    return data


class ProposalForms:
    """The whole proposal form: main fields, PI, units, members and subtasks (课题).

    ``initial`` pre-fills it from interchange data (a saved proposal or an
    extracted draft); ``found`` (field path → page or None, from extraction)
    marks each field found or not found. 指南方向 is a choice among the directions
    of the form's guide year (the posted year, else the initial one) with their
    titles, when that year's guide is published; a code not among them (an older
    draft's) stays as an option of its own, so nothing typed is lost.
    """

    def __init__(self, data=None, *, initial: ProposalData | None = None, found: dict | None = None):
        init = initial or ProposalData()
        budget = init.budget or Budget()
        pi = init.pi or PersonData()
        self.main = ProposalForm(
            data,
            initial={
                "reference": init.reference,
                "guide_year": init.guide_year,
                "direction": init.direction,
                "title": init.title,
                "recommender": init.recommender,
                "start_date": init.start_date,
                "end_date": init.end_date,
                "national_funding": budget.national,
                "matching_funding": budget.matching,
                "research_content": init.research_content,
                "indicators": init.indicators,
            },
        )
        self._direction_choices(data, init)
        pi_initial = {name: getattr(pi, name) for name in PIForm.base_fields}
        pi_initial["nationality"] = _country_display(pi.nationality)
        self.pi = PIForm(data, prefix="pi", initial=pi_initial)
        self.units = UnitFormSet(
            data,
            prefix="units",
            initial=[
                {
                    **{name: getattr(u, name) for name in UnitForm.base_fields},
                    "country": _country_display(u.country),
                }
                for u in init.units or []
            ],
        )
        self.members = MemberFormSet(
            data,
            prefix="members",
            initial=[
                {
                    "name": m.name,
                    "gender": m.gender,
                    "id_number": m.id_number,
                    "birth_date": m.birth_date,
                    "nationality": _country_display(m.nationality),
                    "employer": m.unit,
                    "task": m.role,
                }
                for m in init.members or []
            ],
        )
        self.subtasks = SubtaskFormSet(
            _without_subtasks_block(data),
            prefix="subtasks",
            initial=[
                {name: getattr(t, name) for name in SubtaskForm.base_fields} for t in init.subtasks or []
            ],
        )
        self.attachments = DeclaredAttachmentsForm(
            data,
            prefix="attachments",
            initial={kind: kind in (init.attachments or []) for kind in DeclaredAttachmentsForm.base_fields},
        )
        self.found = found
        self.general_errors: list[FieldError] = []
        # The rows the data's items are, in order: the initial rows of a page not posted, the
        # filled and kept rows of a posted one (set by to_data()).
        self._kept_units: list[forms.Form] = (
            [] if data is not None else self.units.forms[: len(init.units or [])]
        )
        self._kept_members: list[forms.Form] = (
            [] if data is not None else self.members.forms[: len(init.members or [])]
        )
        self._kept_subtasks: list[forms.Form] = (
            [] if data is not None else self.subtasks.forms[: len(init.subtasks or [])]
        )
        self._annotate()

    def _direction_choices(self, data, init: ProposalData) -> None:
        year = init.guide_year
        if data is not None:
            try:
                year = int(str(data.get("guide_year", "")).strip())
            except ValueError:
                year = None
        directions = direction_choices(year=year)
        if not directions:
            return  # no published guide for that year: the code is typed
        field = self.main.fields["direction"]
        current = normalize_direction_code(data.get("direction") if data is not None else init.direction)
        choices = [("", "—"), *((code, f"{code} {title}") for code, title in directions)]
        if current and current not in {code for code, _title in directions}:
            choices.append(
                (current, _("%(code)s（%(year)s 年度指南中没有这个方向）") % {"code": current, "year": year})
            )
        field.widget = forms.Select(choices=choices)
        field.help_text = _("%(year)s 年度指南的方向") % {"year": year}

    # --- rendering -----------------------------------------------------------

    def _mark(self, row: Row) -> Row:
        if self.found is not None and row.path in self.found:
            page = self.found[row.path]
            row.found, row.page = page is not None, page
        return row

    def _annotate(self) -> None:
        self.main.rows = [self._mark(Row(self.main[n], path)) for n, path in ProposalForm.PATHS.items()]
        self.pi.rows = [self._mark(Row(self.pi[n], path)) for n, path in PIForm.PATHS.items()]
        for kind, formset, keys in (
            ("units", self.units, UnitForm.KEYS),
            ("members", self.members, MemberForm.KEYS),
            ("subtasks", self.subtasks, SubtaskForm.KEYS),
        ):
            for i, form in enumerate(formset.forms):
                # A table cell has no label of its own: each input is named by its row and column.
                for n, key in keys.items():
                    form.fields[n].widget.attrs["aria-label"] = path_label(f"{kind}[{i}].{key}")
                form.fields["DELETE"].widget.attrs["aria-label"] = _("删除 %(row)s") % {
                    "row": path_label(f"{kind}[{i}]")
                }
                form.rows = [Row(form[n], f"{kind}[{i}].{key}") for n, key in keys.items()]
                form.anchor = f"field-{kind}[{i}]"
            # The row the page's script clones (formset.empty_form builds a new form on each access).
            empty = formset.empty_form
            for n in keys:
                empty.fields[n].widget.attrs["aria-label"] = str(empty.fields[n].label)
            empty.fields["DELETE"].widget.attrs["aria-label"] = str(_("删除"))
            formset.empty_row_form = empty
            formset.empty_rows = [Row(empty[n], f"{kind}[__prefix__].{key}") for n, key in keys.items()]
        self.attachments.rows = [
            Row(self.attachments[n], f"attachments.{n}") for n in DeclaredAttachmentsForm.base_fields
        ]
        self.attachments_mark = self._mark(Row(None, "attachments")) if self.found is not None else None
        self.units_mark = self._mark(Row(None, "units")) if self.found is not None else None
        self.members_mark = self._mark(Row(None, "members")) if self.found is not None else None
        self.subtasks_mark = self._mark(Row(None, "subtasks")) if self.found is not None else None

    @property
    def units_errors(self) -> list[FieldError]:
        return [e for e in self.general_errors if e.path == "units"]

    def _rows(self):
        """(row, the form it belongs to) for every field shown, in page order."""
        for form in (self.main, self.pi):
            for row in form.rows:
                yield row, form
        for formset in (self.units, self.members, self.subtasks):
            for form in formset.forms:
                for row in form.rows:
                    yield row, form
        for row in self.attachments.rows:
            yield row, self.attachments

    def error_summary(self) -> list[ErrorItem]:
        """Every problem on the page, in page order, each with the anchor of its field (the
        list at the top of the form links to them): the form's own errors, the submission
        checks' problems, and those of no single field (the unit list, a formset's rows)."""
        items = [
            ErrorItem("field-units" if e.path == "units" else field_anchor(e.path) or "", e.label, e.message)
            for e in self.general_errors
        ]
        items += [ErrorItem("", "", str(m)) for m in self.main.non_field_errors()]
        for row, _form in self._rows():
            label = path_label(row.path) if "[" in row.path or row.path.startswith("pi.") else row.field.label
            messages = [str(m) for m in (row.field.errors or [])] + row.problems
            items += [ErrorItem(f"field-{row.path}", str(label), m) for m in messages]
        for kind, formset in (("units", self.units), ("members", self.members), ("subtasks", self.subtasks)):
            items += [ErrorItem(f"field-{kind}", path_label(kind), str(m)) for m in formset.non_form_errors()]
            for form in formset.forms:
                items += [ErrorItem(form.anchor, "", str(m)) for m in form.non_field_errors()]
        return items

    # --- reading -------------------------------------------------------------

    def is_valid(self) -> bool:
        results = [
            self.main.is_valid(),
            self.pi.is_valid(),
            self.units.is_valid(),
            self.members.is_valid(),
            self.subtasks.is_valid(),
            self.attachments.is_valid(),
        ]
        return all(results)

    def _kept(self, formset) -> list[forms.Form]:
        kept = []
        for form in formset.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned.get("DELETE"):
                continue
            if not any(_present(v) and v is not False for k, v in cleaned.items() if k != "DELETE"):
                # a row whose only entries were refused is not blank: it keeps its place
                if not form.errors:
                    continue
            kept.append(form)
        return kept

    def to_data(self) -> ProposalData:
        """The cleaned form as interchange data (call after is_valid()). Blank and
        deleted rows are dropped. On a form with errors, what was refused reads as
        empty (for the submission checks of the rest: all problems at once)."""
        c = getattr(self.main, "cleaned_data", {})
        budget = None
        if _present(c.get("national_funding")) or _present(c.get("matching_funding")):
            budget = Budget(national=c.get("national_funding"), matching=c.get("matching_funding"))
        p = getattr(self.pi, "cleaned_data", {})
        pi = None
        if any(_present(p.get(name)) for name in PIForm.base_fields):
            pi = PersonData(**{name: _or_none(p.get(name)) for name in PIForm.base_fields})
        self._kept_units = self._kept(self.units)
        self._kept_members = self._kept(self.members)
        self._kept_subtasks = self._kept(self.subtasks)

        def cleaned(form) -> dict:
            return getattr(form, "cleaned_data", {})

        units = [
            UnitData(**{key: _or_none(cleaned(form).get(name)) for name, key in UnitForm.KEYS.items()})
            for form in self._kept_units
        ]
        members = [
            PersonData(**{key: _or_none(cleaned(form).get(name)) for name, key in MemberForm.KEYS.items()})
            for form in self._kept_members
        ]
        subtasks = [
            SubtaskData(**{key: _or_none(cleaned(form).get(name)) for name, key in SubtaskForm.KEYS.items()})
            for form in self._kept_subtasks
        ]
        declared = getattr(self.attachments, "cleaned_data", {})
        return ProposalData(
            reference=_or_none(c.get("reference")),
            guide_year=c.get("guide_year"),
            direction=_or_none(c.get("direction")),
            title=_or_none(c.get("title")),
            recommender=_or_none(c.get("recommender")),
            start_date=c.get("start_date"),
            end_date=c.get("end_date"),
            budget=budget,
            pi=pi,
            members=members,
            units=units,
            subtasks=subtasks,
            research_content=_or_none(c.get("research_content")),
            indicators=_or_none(c.get("indicators")),
            attachments=[k for k in ATTACHMENT_KINDS if declared.get(k)],
        )

    # --- errors from the submit checks ---------------------------------------

    def _field_for(self, path: str) -> tuple[forms.Form, str] | None:
        for name, p in ProposalForm.PATHS.items():
            if p == path:
                return self.main, name
        if path.startswith("pi."):
            name = path[3:]
            return (self.pi, name) if name in PIForm.base_fields else None
        for kind, kept, keys in (
            ("units", self._kept_units, UnitForm.KEYS),
            ("members", self._kept_members, MemberForm.KEYS),
            ("subtasks", self._kept_subtasks, SubtaskForm.KEYS),
        ):
            prefix = f"{kind}["
            if path.startswith(prefix) and "]." in path:
                index, key = path[len(prefix) :].split("].", 1)
                if index.isdigit() and int(index) < len(kept):
                    for name, k in keys.items():
                        if k == key:
                            return kept[int(index)], name
        return None

    def add_errors(self, errors: list[FieldError]) -> None:
        """Show the submit checks' errors next to their fields: on a posted form (after
        to_data()) as the fields' errors, except where a field has one of its own already
        (a refused value reads as empty to the checks: "required" would be wrong); on a page
        not posted as the rows' ``problems``. Errors without a field (e.g. "no unit") are
        kept in ``general_errors``."""
        for error in errors:
            target = self._field_for(error.path)
            if target is None:
                self.general_errors.append(error)
                continue
            form, name = target
            if not form.is_bound:
                row = next(r for r in form.rows if r.field.name == name)
                row.problems.append(error.message)
            elif name not in form.errors:
                form.add_error(name, error.message)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k.value, k.label) for k in AttachmentKind if k != AttachmentKind.DRAFT],
    )
    # Empty files reach the upload checks, which explain every refusal the same way.
    file = forms.FileField(
        label=_("文件"), help_text=_("PDF、Word（.docx）、PNG 或 JPEG"), allow_empty_file=True
    )


class DraftUploadForm(forms.Form):
    file = forms.FileField(
        label=_("申报书草稿"), help_text=_("PDF 或 Word（.docx）文件"), allow_empty_file=True
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("JSON 文件"), allow_empty_file=True)
    owner = forms.CharField(
        label=_("申请人（用户名）"),
        required=False,
        max_length=150,
        help_text=_("新建的申报书归属这个申请人账号；只更新已导入的申报书时可以留空（所有者不会改变）。"),
    )

    def clean_owner(self):
        """An existing applicant account: an officer or admin never owns an imported proposal."""
        username = self.cleaned_data["owner"].strip()
        if not username:
            return None
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise ValidationError(_("没有用户名为 %(name)s 的用户。"), params={"name": username}) from None
        if role_of(user) != APPLICANT:
            raise ValidationError(
                _("%(name)s 不是申请人账号；申报书只能归属申请人。"), params={"name": username}
            )
        return user


class SignupForm(BaseUserCreationForm):
    """Username, e-mail (required: sign-up confirmation and password reset go
    there) and password twice. It deliberately does not check whether the
    username is taken, so its errors never tell an outsider that an account
    exists; `applicant_register` decides that and answers both cases alike."""

    email = forms.EmailField(
        label=_("电子邮箱"), help_text=_("注册确认和重设密码的邮件发到这里。"), max_length=254
    )

    class Meta(BaseUserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def validate_unique(self):
        """No uniqueness check here (see the class docstring)."""
