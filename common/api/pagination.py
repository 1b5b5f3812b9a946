"""Page-number pagination for every API list: ``?page=2&page_size=50``.

The body is ``{"count", "next", "previous", "results"}``; ``page_size`` defaults to
settings ``REST_FRAMEWORK["PAGE_SIZE"]`` (20, as the list pages) and is capped at
``MAX_PAGE_SIZE``; a page past the end is a 404 in the one error body."""

from rest_framework import pagination

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
