"""One error body for every error the API answers, whatever raised it:

    {"error": {"code": "invalid", "message": "…", "fields": {"pi.id_number": ["…"]}}}

``code`` is stable (``invalid``, ``parse_error``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``not_acceptable``, ``unsupported_media_type``, ``throttled``, ``server_error``, and the
codes of :class:`ApiError` raised by the views: ``not_editable``, ``not_a_draft``,
``not_submittable``, ``confirmation_required``, ``not_reopenable``, and ``storage_unavailable``
(503, with Retry-After: the media storage could not take a file, nothing was kept)); ``message`` is for
people, in the request's language; ``fields`` maps a field's path (the interchange
path: ``units[1].credit_code``) to its messages and is ``{}`` when the error is not
about fields. ``checks`` is there only with ``confirmation_required``.

The exception handler (settings ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) turns DRF's
exceptions, Django's ``Http404`` and ``PermissionDenied`` and every unexpected
exception (500, logged like Django logs one) into that body; ``not_found_view`` answers
paths under /api/v1/ that match no endpoint the same way."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from common.files import FileNotSaved

log = logging.getLogger("django.request")

NON_FIELD = "non_field_errors"


class ApiError(exceptions.APIException):
    """An error a view answers on purpose, with its own status, code and, when the
    request's fields are at fault, their messages."""

    def __init__(
        self,
        *,
        status_code: int,
        code: str,
        message,
        fields: dict[str, list[str]] | None = None,
        **extra,
    ) -> None:
        super().__init__(detail=str(message), code=code)
        self.status_code = status_code
        self.code = code
        self.fields = fields or {}
        self.extra = extra


def error_body(*, code: str, message, fields: dict[str, list[str]] | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}, **extra}}


def _join(prefix: str, key) -> str:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{prefix}[{int(key)}]"
    if key == NON_FIELD:
        return prefix or NON_FIELD
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {path: [message…]}: ``{"pi": {"name": [e]}}`` →
    ``{"pi.name": [e]}``, ``{"units": [{}, {"name": [e]}]}`` → ``{"units[1].name": [e]}``."""
    result: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for path, messages in flatten_fields(value, _join(prefix, key)).items():
                result.setdefault(path, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                result[prefix or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for path, messages in flatten_fields(item, _join(prefix, index)).items():
                    result.setdefault(path, []).extend(messages)
    else:
        result[prefix or NON_FIELD] = [str(detail)]
    return result


def exception_handler(exc, context) -> Response:
    """Every exception of an API view → (status, the one error body). Never None: an
    unexpected exception is logged with its traceback and answered 500."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # never Django's "No Proposal matches…": the same for any object
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, FileNotSaved):  # full or read-only media storage: nothing was kept, try later
        exc = ApiError(status_code=503, code="storage_unavailable", message=FileNotSaved.message)
        exc.wait = 60  # answered as Retry-After
    set_rollback()
    if not isinstance(exc, exceptions.APIException):
        request = context.get("request")
        log.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"status_code": 500, "request": getattr(request, "_request", None)},
        )
        return Response(
            error_body(code="server_error", message=_("服务器内部错误，请稍后再试。")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"
    if isinstance(exc, ApiError):
        body = error_body(code=exc.code, message=exc.detail, fields=exc.fields, **exc.extra)
    elif isinstance(exc, exceptions.ValidationError):
        body = error_body(
            code="invalid",
            message=_("请求内容有误，请按 fields 中各字段的说明修改。"),
            fields=flatten_fields(exc.detail),
        )
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(code=code, message=exc.detail)
    return Response(body, status=exc.status_code, headers=headers)


# --- the body, documented (the schema's Error component) ------------------------------


class FailingCheckSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text=_("检查项编号，如 pi.age"))
    title = serializers.CharField(help_text=_("检查项名称（请求的语言）"))


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("稳定的错误代码，如 invalid、not_found、throttled"))
    message = serializers.CharField(help_text=_("给人看的说明（请求的语言）"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("字段路径（如 units[1].credit_code）→ 该字段的错误；与字段无关的错误为 {}"),
    )
    checks = FailingCheckSerializer(
        many=True,
        required=False,
        help_text=_("仅在 confirmation_required 时给出：最近一次检查不通过的条件"),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
