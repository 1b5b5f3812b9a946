"""Serializer fields for request bodies whose rules belong to a Django form.

They check only the JSON type (a string where a string goes, and a number is not one; a number
or a numeric string where a number goes; true, false or null for a flag) and hand the value on
as text; lengths, allowed characters, number ranges and choices are checked by the form the
pages use, with its messages (proposals.api.payload). The schema still documents them
(``maxLength``, ``enum``, ``minimum``/``maximum``): these fields carry the same limits as
attributes, without validators of their own."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
)
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import ProhibitSurrogateCharactersValidator

_FORM_CHECKED = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)


class FormText(serializers.CharField):
    """A string (or null); its limits are the form's. A number is refused, as the schema says
    (DRF's CharField would take ``0`` as ``"0"``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, _FORM_CHECKED)]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class FormChoice(FormText):
    """One of ``choices`` (or blank, or null); the form checks the choice."""

    def __init__(self, *, choices, **kwargs):
        self.choice_values = [value for value, _label in choices]
        super().__init__(**kwargs)


def _described(schema: dict, field) -> dict:
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema


class FormTextExtension(OpenApiSerializerFieldExtension):
    target_class = FormText

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "nullable": True}
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        return _described(schema, self.target)


class FormChoiceExtension(OpenApiSerializerFieldExtension):
    target_class = FormChoice

    def map_serializer_field(self, auto_schema, direction):
        values = list(self.target.choice_values)
        if direction == "request":
            values.append("")
        return _described({"type": "string", "enum": values, "nullable": True}, self.target)


class FormDate(FormText):
    """A date as ``YYYY-MM-DD`` (or null); the form reads it."""


class FormDateExtension(OpenApiSerializerFieldExtension):
    target_class = FormDate

    def map_serializer_field(self, auto_schema, direction):
        return _described({"type": "string", "format": "date", "nullable": True}, self.target)


class FormNumber(serializers.Field):
    """A number (or a numeric string, or null); range and decimal places are the form's
    (``minimum``/``maximum``: the form's bounds, for the schema)."""

    default_error_messages = {"invalid": _("应为数字。")}
    schema_type = "number"

    def __init__(self, *, minimum=None, maximum=None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str, Decimal)):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value):
        return value


class FormInteger(FormNumber):
    """A whole number (or a numeric string, or null); its range is the form's."""

    default_error_messages = {"invalid": _("应为整数。")}
    schema_type = "integer"


class FormNumberExtension(OpenApiSerializerFieldExtension):
    target_class = FormNumber

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": self.target.schema_type, "nullable": True}
        # What the form takes; what is stored may be older than its rules (imports, admin edits).
        if direction == "request" and self.target.minimum is not None:
            schema["minimum"] = self.target.minimum
        if direction == "request" and self.target.maximum is not None:
            schema["maximum"] = self.target.maximum
        return _described(schema, self.target)


class FormIntegerExtension(FormNumberExtension):
    target_class = FormInteger


class StrictBoolean(serializers.BooleanField):
    """JSON's ``true`` or ``false`` (or ``null`` where allowed), as the schema says; DRF's
    BooleanField would take ``0``, ``1``, ``"yes"``, ``"on"``… as well."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know (a typo must not vanish silently); keys named in
    ``ignored_keys`` (what the API answers but never takes, like ``id``) are let through, so
    a client may send back what it read."""

    ignored_keys: tuple[str, ...] = ()

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            names = sorted(set(data) - set(self.fields) - set(self.ignored_keys))
            unknown = {name: [_("没有这个字段。")] for name in names}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**unknown, **exc.detail}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
