"""The API's JSON parser: DRF's, with what a body could still do to a view answered as a
parse error (400 ``parse_error``) before any view sees it.

- **Depth.** The ``json`` module's decoder recurses: a body nested 200,000 deep raises
  ``RecursionError`` in it, and one nested a few hundred deep parses but breaks whatever
  walks it later (a ``repr`` in an error message, a serializer). No body of this API is
  nested more than four deep (``{"units": [{"name": …}]}``), so more than ``MAX_DEPTH``
  levels is refused, and the decoder's own ``RecursionError`` with it.
- Everything else is DRF's: not JSON, ``NaN``/``Infinity`` (``STRICT_JSON``), bytes that are
  not the declared charset, a charset that is not one (DRF checks it), numbers of more than
  4,300 digits (Python's limit: a ``ValueError``) — all 400 ``parse_error``.

Every API view uses it (common.api.views.ApiMixin); settings ``REST_FRAMEWORK
["DEFAULT_PARSER_CLASSES"]`` should name it too, so that a view written without the mixin gets
it as well."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def depth_over(data, limit: int) -> bool:
    """Whether ``data`` (parsed JSON) has containers nested more than ``limit`` deep
    (``[]`` is 1 deep, ``{"a": [1]}`` 2). Iterative: it never recurses itself."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise self.too_deep() from None
        except ParseError as exc:  # DRF's "JSON parse error - <the decoder's English>"
            raise self.not_json(exc.__context__) from None
        if depth_over(data, self.max_depth):
            raise self.too_deep()
        return data

    def not_json(self, cause: BaseException | None) -> ParseError:
        """The parse error in the request's language, with where the decoder stopped."""
        if isinstance(cause, json.JSONDecodeError):
            return ParseError(
                _("请求体不是合法的 JSON：第 %(line)d 行第 %(column)d 列有误。")
                % {"line": cause.lineno, "column": cause.colno}
            )
        if isinstance(cause, UnicodeDecodeError):
            return ParseError(_("请求体不是合法的 JSON：内容不是声明的字符编码。"))
        return ParseError(_("请求体不是合法的 JSON。"))

    def too_deep(self) -> ParseError:
        return ParseError(_("JSON 嵌套层数过多：最多 %(limit)d 层。") % {"limit": self.max_depth})
