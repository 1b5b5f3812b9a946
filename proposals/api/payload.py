"""A proposal's JSON body through the pages' own form (proposals.forms.ProposalForms), so
the API stores exactly what the form would: the same field rules (lengths, control
characters, the reference's charset, countries by name or code, dates, money with two
decimals, choices), the same normalisation (ID numbers, credit codes, direction codes)
and the same messages, with no rule written twice.

The body has the interchange shape (proposals.interchange: ``budget.national``,
``pi.id_number``, ``members[0].unit``, ``units[1].credit_code``, ``subtasks[0].lead_name``
…); form errors come back under those paths. Blank units, members and subtasks are dropped,
as on the form."""

from __future__ import annotations

from datetime import date

from ..forms import MemberForm, PIForm, ProposalForm, ProposalForms, SubtaskForm, UnitForm
from ..interchange import ProposalData, proposal_to_dict

NON_FIELD = "non_field_errors"
FORMSET_KINDS = (("units", UnitForm), ("members", MemberForm), ("subtasks", SubtaskForm))


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_data(body: dict) -> dict[str, str]:
    """The body (type-checked by the serializer) as the form's POST data."""
    data: dict[str, str] = {}

    def put(key: str, value) -> None:
        text = _text(value)
        if text is not None:
            data[key] = text

    budget = body.get("budget") or {}
    for name, path in ProposalForm.PATHS.items():
        put(name, budget.get(path.removeprefix("budget.")) if path.startswith("budget.") else body.get(path))
    pi = body.get("pi") or {}
    for name in PIForm.base_fields:
        put(f"pi-{name}", pi.get(name))
    for kind, form in FORMSET_KINDS:
        rows = body.get(kind) or []
        data.update({f"{kind}-TOTAL_FORMS": str(len(rows)), f"{kind}-INITIAL_FORMS": "0"})
        for i, row in enumerate(rows):
            for name, key in form.KEYS.items():
                put(f"{kind}-{i}-{name}", row.get(key))
    for kind in body.get("attachments") or []:
        data[f"attachments-{kind}"] = "on"
    return data


def form_errors(forms: ProposalForms) -> dict[str, list[str]]:
    """The form's errors by interchange path."""
    errors: dict[str, list[str]] = {}

    def add(path: str, messages) -> None:
        errors.setdefault(path, []).extend(str(m) for m in messages)

    for name, messages in forms.main.errors.items():
        add(ProposalForm.PATHS.get(name, NON_FIELD), messages)
    for name, messages in forms.pi.errors.items():
        add(f"pi.{name}" if name in PIForm.base_fields else "pi", messages)
    for kind, form in FORMSET_KINDS:
        formset = getattr(forms, kind)
        for i, row_errors in enumerate(formset.errors):
            for name, messages in row_errors.items():
                add(f"{kind}[{i}].{form.KEYS[name]}" if name in form.KEYS else f"{kind}[{i}]", messages)
        if formset.non_form_errors():
            add(kind, formset.non_form_errors())
    for _name, messages in forms.attachments.errors.items():
        add("attachments", messages)
    return errors


def body_to_data(body: dict) -> tuple[ProposalData | None, dict[str, list[str]]]:
    """(the data to store, {}) or (None, the errors by path)."""
    forms = ProposalForms(form_data(body))
    if not forms.is_valid():
        return None, form_errors(forms)
    return forms.to_data(), {}


def data_to_body(data: ProposalData) -> dict:
    """Stored data in the body's shape (what GET answers and PATCH starts from)."""
    body = proposal_to_dict(data)
    if body["pi"] is not None:
        body["pi"].pop("region")  # not a field of the form or of the stored rows
    return body
