"""The OpenAPI schema's view of errors: every operation documents the error statuses it
can answer, each with the one error body (the ``Error`` component, common.api.errors).

Added to what a view declares itself (a view names its own 409s with ``extend_schema``):

- 401, 429, 500 on every operation (a wrong token is refused even on public endpoints);
- 403 where a role or CSRF can refuse: every operation that is not public, and every
  unsafe method (session clients need the CSRF token);
- 404 where a path names an object, and on paginated lists (a page past the end);
- 400 on paginated lists (a ``page_size`` that is not a whole number from 1 up);
- 400, 413 and 415 on operations with a request body (413: over Django's size limits).

The tests walk every operation and check each answer against these (tests/api/test_schema.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from .errors import ErrorSerializer

DESCRIPTIONS = {
    400: _("请求有误（字段错误见 fields）"),
    401: _("未提供或无效的身份凭证"),
    403: _("没有权限（角色不符，或会话请求缺少 CSRF 令牌）"),
    404: _("不存在，或无权查看"),
    409: _("当前状态不允许这个操作"),
    413: _("请求内容过大"),
    415: _("不支持的请求内容类型"),
    429: _("请求过于频繁（见 Retry-After）"),
    500: _("服务器内部错误"),
}
BODY_METHODS = ("POST", "PUT", "PATCH")


def error_response(status: int, description=None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or DESCRIPTIONS[status])


class AutoSchema(openapi.AutoSchema):
    def _is_public(self) -> bool:
        return any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def error_statuses(self) -> set[int]:
        statuses = {401, 429, 500}
        if not self._is_public() or self.method not in permissions.SAFE_METHODS:
            statuses.add(403)
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            statuses.add(404)
        if paginated:
            statuses.add(400)
        if self.method in BODY_METHODS:
            statuses |= {400, 413, 415}
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self.error_statuses()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), direction=direction
                )
        return responses
