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

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

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
from .validators import FieldError, gender_mismatch_message, validate_plain_text, validate_reference

EMPTY = [("", "—")]

# Format hints, the same as in the draft template (proposals.docgen).
DATE_HINT = "YYYY-MM-DD"
ID_HINT = _("居民身份证 18 位；外籍填护照号")
CREDIT_CODE_HINT = _("18 位")
GENDER_HINT = _("持居民身份证的可不填：按证件号码第 17 位判断")


def _at_most(n: int):
    """ "At most n characters", translated when shown (lazily, in the reader's language)."""
    return ngettext_lazy("最多 %(n)s 字。", "最多 %(n)s 字。", "n") % {"n": n}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
    return forms.DateField(label=label, required=False, widget=DateInput(), help_text=DATE_HINT)


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


class PIForm(GenderMatchesId, PlainTextForm):
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


class MemberForm(GenderMatchesId, PlainTextForm):
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
    (the anchor ``#field-<path>``), and, for extracted drafts, whether it was found."""

    field: forms.BoundField
    path: str
    found: bool | None = None
    page: int | None = None


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
    marks each field found or not found.
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
        self._kept_units: list[forms.Form] = []
        self._kept_members: list[forms.Form] = []
        self._kept_subtasks: list[forms.Form] = []
        self._annotate()

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
                form.rows = [Row(form[n], f"{kind}[{i}].{key}") for n, key in keys.items()]
            # The row the page's script clones (formset.empty_form builds a new form on each access).
            empty = formset.empty_form
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

    @property
    def other_errors(self) -> list[FieldError]:
        return [e for e in self.general_errors if e.path != "units"]

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

    @property
    def error_count(self) -> int:
        count = len(self.main.errors) + len(self.pi.errors) + len(self.general_errors)
        for formset in (self.units, self.members, self.subtasks):
            count += sum(len(e) for e in formset.errors) + len(formset.non_form_errors())
        return count

    def _kept(self, formset) -> list[forms.Form]:
        kept = []
        for form in formset.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned.get("DELETE"):
                continue
            if not any(_present(v) and v is not False for k, v in cleaned.items() if k != "DELETE"):
                continue
            kept.append(form)
        return kept

    def to_data(self) -> ProposalData:
        """The cleaned form as interchange data (call after is_valid()). Blank and
        deleted rows are dropped."""
        c = self.main.cleaned_data
        budget = None
        if _present(c["national_funding"]) or _present(c["matching_funding"]):
            budget = Budget(national=c["national_funding"], matching=c["matching_funding"])
        p = self.pi.cleaned_data
        pi = None
        if any(_present(p[name]) for name in PIForm.base_fields):
            pi = PersonData(**{name: _or_none(p[name]) for name in PIForm.base_fields})
        self._kept_units = self._kept(self.units)
        self._kept_members = self._kept(self.members)
        self._kept_subtasks = self._kept(self.subtasks)
        units = [
            UnitData(**{key: _or_none(form.cleaned_data[name]) for name, key in UnitForm.KEYS.items()})
            for form in self._kept_units
        ]
        members = [
            PersonData(**{key: _or_none(form.cleaned_data[name]) for name, key in MemberForm.KEYS.items()})
            for form in self._kept_members
        ]
        subtasks = [
            SubtaskData(**{key: _or_none(form.cleaned_data[name]) for name, key in SubtaskForm.KEYS.items()})
            for form in self._kept_subtasks
        ]
        return ProposalData(
            reference=_or_none(c["reference"]),
            guide_year=c["guide_year"],
            direction=_or_none(c["direction"]),
            title=_or_none(c["title"]),
            recommender=_or_none(c["recommender"]),
            start_date=c["start_date"],
            end_date=c["end_date"],
            budget=budget,
            pi=pi,
            members=members,
            units=units,
            subtasks=subtasks,
            research_content=_or_none(c["research_content"]),
            indicators=_or_none(c["indicators"]),
            attachments=[k for k in ATTACHMENT_KINDS if self.attachments.cleaned_data.get(k)],
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
        """Show the submit checks' errors next to their fields (call after to_data());
        errors without a field (e.g. "no unit") are kept in ``general_errors``."""
        for error in errors:
            target = self._field_for(error.path)
            if target is None:
                self.general_errors.append(error)
            else:
                form, name = target
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
