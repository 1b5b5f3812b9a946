"""One error body for every error the API answers, whatever raised it:

    {"error": {"code": "invalid", "message": "…", "fields": {"pi.id_number": ["…"]}}}

``code`` is stable (``invalid``, ``parse_error``, ``bad_request``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``not_acceptable``, ``request_too_large`` (413), ``unsupported_media_type``, ``throttled``,
``server_error``, and the codes of :class:`ApiError` raised by the views: ``not_editable``,
``not_a_draft``, ``not_submittable``, ``confirmation_required``, ``not_reopenable``, and
``storage_unavailable`` (503, with Retry-After: the media storage could not take a file,
nothing was kept)); ``message`` is for people, in the request's language; ``fields`` maps a
field's path (the interchange path: ``units[1].credit_code``) to its messages and is ``{}``
when the error is not about fields. ``checks`` is there only with ``confirmation_required``.

The exception handler (settings ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) turns DRF's
exceptions, Django's ``Http404`` and ``PermissionDenied`` and every unexpected
exception (500, logged like Django logs one) into that body; ``not_found_view`` answers
paths under /api/v1/ that match no endpoint the same way.

What a client sends is never a 500: a body over Django's size limits is a 413
(``RequestDataTooBig``), Django's other ``SuspiciousOperation`` errors (too many fields or
files) a 400, logged on ``django.security`` as Django does; a ``RecursionError``,
``UnicodeError``, ``ValueError`` or ``OverflowError`` raised while DRF reads and parses the
body is a 400 ``parse_error`` (common.api.parsers refuses what it can itself), while the same
classes raised anywhere else are bugs and stay 500s. Texts in the body that came from the
request (an unknown key, a refused choice) may hold lone surrogates (JSON ``"\\ud800"``),
which UTF-8 cannot carry: they are written out as ``\\ud800``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
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


def _printable(value):
    """``value`` with every text in it encodable as UTF-8: a lone surrogate (JSON allows
    ``"\\ud800"``, UTF-8 has no bytes for it) becomes the six characters ``\\ud800``."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(item) for item in value]
    return value


def error_body(*, code: str, message, fields: dict[str, list[str]] | None = None, **extra) -> dict:
    return {
        "error": {
            "code": code,
            "message": _printable(str(message)),
            "fields": _printable(fields or {}),
            **_printable(extra),
        }
    }


def _join(prefix: str, key) -> str:
    # Only a list's position is an index; a JSON key is a name even when it is made of
    # digits ("0", "²", "①", or 5,000 of them: int() would refuse every one of those).
    if isinstance(key, int):
        return f"{prefix}[{key}]"
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


# Raised while DRF reads and parses a request body, these are the body's fault (a parser
# that lets them through), not the server's; raised anywhere else they are bugs.
BODY_ERRORS = (RecursionError, UnicodeError, ValueError, OverflowError)
_PARSING = Request._parse.__code__


def _raised_while_parsing(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is _PARSING:
            return True
        tb = tb.tb_next
    return False


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _too_large(request) -> ApiError:
    django_request = getattr(request, "_request", request)
    if getattr(django_request, "content_type", None) == "multipart/form-data":
        # common.uploadhandlers caps the files, DATA_UPLOAD_MAX_MEMORY_SIZE the other fields
        message = _("请求内容过大：上传的文件不能超过 %(files)s MB，其余内容不能超过 %(fields)s MB。") % {
            "files": _megabytes(settings.MAX_UPLOAD_BYTES),
            "fields": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        }
    else:  # any other body (JSON) is read whole, up to DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("请求内容过大：不能超过 %(limit)s MB。") % {
            "limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
    return ApiError(
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, code="request_too_large", message=message
    )


def declared_too_large_response(request) -> JsonResponse:
    """The API's 413 for a body whose declared size is over settings.MAX_REQUEST_BYTES, answered
    by common.middleware.RequestTooLargeMiddleware before anything reads it: the API's error body,
    in the request's language (the middleware runs before the locale is chosen), not the site's
    HTML page."""
    with translation.override(translation.get_language_from_request(request)):
        message = str(
            _("请求内容过大：不能超过 %(limit)s MB。") % {"limit": _megabytes(settings.MAX_REQUEST_BYTES)}
        )
        return JsonResponse(error_body(code="request_too_large", message=message), status=413)


def _suspicious(exc: SuspiciousOperation, request) -> exceptions.APIException:
    """Django's own answer to a SuspiciousOperation (django.core.handlers.exception): logged on
    ``django.security.<class>``, the request's body marked unreadable, and a client error —
    413 for a body over the size limits, 400 for the rest — in the API's body."""
    django_request = getattr(request, "_request", request)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        if hasattr(django_request, "_mark_post_parse_error"):
            django_request._mark_post_parse_error()  # reading the body again would raise again
    status_code = 413 if isinstance(exc, RequestDataTooBig) else 400
    logging.getLogger(f"django.security.{type(exc).__name__}").error(
        str(exc), exc_info=exc, extra={"status_code": status_code, "request": django_request}
    )
    if isinstance(exc, RequestDataTooBig):
        return _too_large(request)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return ApiError(status_code=400, code="bad_request", message=_("请求中的字段或文件过多。"))
    return ApiError(status_code=400, code="bad_request", message=_("请求无效。"))


def exception_handler(exc, context) -> Response:
    """Every exception of an API view → (status, the one error body). Never None: an
    unexpected exception is logged with its traceback and answered 500."""
    request = context.get("request")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # never Django's "No Proposal matches…": the same for any object
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, FileNotSaved):  # full or read-only media storage: nothing was kept, try later
        exc = ApiError(status_code=503, code="storage_unavailable", message=FileNotSaved.message)
        exc.wait = 60  # answered as Retry-After
    elif isinstance(exc, SuspiciousOperation):
        exc = _suspicious(exc, request)
    elif isinstance(exc, BODY_ERRORS) and _raised_while_parsing(exc):
        exc = exceptions.ParseError(_("请求体无法解析。"))
    set_rollback()
    if not isinstance(exc, exceptions.APIException):
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
        help_text=_("仅在 confirmation_required 时给出：按草稿现在的内容检查不通过的条件"),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
