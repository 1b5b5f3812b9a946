"""Page-number pagination for every API list: ``?page=2&page_size=50``.

The body is ``{"count", "next", "previous", "results"}``; ``page_size`` defaults to
settings ``REST_FRAMEWORK["PAGE_SIZE"]`` (20, as the list pages) and is capped at
``MAX_PAGE_SIZE`` (a larger one gives that many); a ``page_size`` that is not a whole number
from 1 up is a 400 (DRF would fall back to the default without a word), and a ``page`` that
is not a whole number from 1 up, or is past the end, a 404 in the one error body. The schema
says the same (``minimum: 1`` on both)."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 100
_WHOLE_NUMBER = re.compile(r"[0-9]+")


def _positive(text: str) -> bool:
    return bool(_WHOLE_NUMBER.fullmatch(text)) and text.strip("0") != ""


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # the schema documents an integer: "last" is not a page

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        if not _positive(text):
            raise ValidationError({self.page_size_query_param: [_("每页条数应为不小于 1 的整数。")]})
        digits = text.lstrip("0")
        return self.max_page_size if len(digits) > 3 else min(int(digits), self.max_page_size)

    def get_page_number(self, request, paginator):
        text = request.query_params.get(self.page_query_param)
        if text is None:
            return 1
        if not _positive(text):
            raise NotFound(self.invalid_page_message)
        return text  # Django's paginator: a 404 past the end, however many digits

    def get_schema_operation_parameters(self, view):
        descriptions = {
            self.page_query_param: gettext_lazy("页码，从 1 起；超出末页为 404"),
            self.page_size_query_param: gettext_lazy("每页条数，默认 {default}，大于 {max} 时按 {max}"),
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["description"] = str(descriptions[parameter["name"]]).format(
                default=self.page_size, max=self.max_page_size
            )
        return parameters
