"""Proposals through the API, with the pages' rules (proposals.views): applicants see and
change only their own (anyone else's is a 404), officers read everything and change
nothing (403), admins read and change everything. Changing needs a draft (409 otherwise).
Every write goes through proposals.services; bodies go through the pages' form
(proposals.api.payload)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from common.api.errors import ApiError
from common.api.filters import refuse_blank
from common.api.permissions import WritesProposals
from common.api.schema import error_response
from common.api.views import ApiGenericView, ApiView

from .. import selectors, services
from ..enums import ProposalState
from ..filters import ProposalFilter
from ..forms import ProposalForm
from .payload import data_to_body
from .serializers import ProposalListSerializer, ProposalSerializer, SubmitSerializer, bounds

TAGS = ["proposals"]


def proposal_for_change(request, pk: int):
    """The proposal, when ``request.user`` may change it: 404 when they may not see it,
    403 when they only read it (officers)."""
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    if not selectors.proposal_can_change(user=request.user, proposal=proposal):
        raise PermissionDenied()
    return proposal


def _reference_taken() -> ApiError:
    return ApiError(
        status_code=400,
        code="invalid",
        message=_("请求内容有误，请按 fields 中各字段的说明修改。"),
        fields={"reference": [_("这个编号已被另一份申报书使用。")]},
    )


def _too_many_drafts(limit: int) -> ApiError:
    return ApiError(
        status_code=409,
        code="too_many_drafts",
        message=_("每个账号最多同时保存 %(n)s 份草稿，请先提交或删除不用的草稿。") % {"n": limit},
    )


def _not_editable() -> ApiError:
    return ApiError(
        status_code=409,
        code="not_editable",
        message=_("只有草稿可以修改；已提交的申报书请先撤回为草稿。"),
    )


def body_object(request) -> dict:
    """The request's JSON object ({} without a body); any other JSON value is a 400."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
    return request.data


class ProposalMixin:
    def detail_response(self, request, pk: int, status_code: int = 200) -> Response:
        proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
        return Response(ProposalSerializer(proposal, context={"request": request}).data, status=status_code)


PROPOSAL_FILTERS = [
    OpenApiParameter("q", str, description=gettext_lazy("关键词：编号、项目名称、推荐单位、人员或单位名称")),
    OpenApiParameter(
        "guide_year",
        {"type": "integer", **bounds(ProposalForm, "guide_year")},
        description=gettext_lazy("指南年度（须为已有申报书的年度）"),
    ),
    OpenApiParameter("direction", str, description=gettext_lazy("方向编号")),
    OpenApiParameter("state", str, enum=ProposalState.values, description=gettext_lazy("状态")),
]


class ProposalListView(ProposalMixin, ApiGenericView):
    """GET: the proposals the user may see (an applicant's own; all for officers and admins),
    newest change first, with the list page's filters. POST: a new draft (applicants and
    admins; officers 403)."""

    permission_classes = [WritesProposals]
    serializer_class = ProposalSerializer

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("申报书列表（申请人只看到自己的）"),
        parameters=PROPOSAL_FILTERS,
        responses={
            200: ProposalListSerializer(many=True),
            400: error_response(400, gettext_lazy("筛选条件无效")),
        },
    )
    def get(self, request):
        refuse_blank(request.query_params, ("guide_year", "state"))
        queryset = selectors.proposal_list(user=request.user)
        filterset = ProposalFilter(
            request.query_params or None, queryset=queryset, years=selectors.proposal_years(queryset=queryset)
        )
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        proposals = filterset.qs if filterset.is_bound else queryset
        page = self.paginate_queryset(proposals)
        return self.get_paginated_response(ProposalListSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("新建草稿"),
        responses={
            201: ProposalSerializer,
            409: error_response(409, gettext_lazy("草稿数已达每个账号的上限")),
        },
    )
    def post(self, request):
        serializer = ProposalSerializer(data=body_object(request), context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            proposal = services.proposal_create(
                owner=request.user, data=serializer.validated_data["data"], by=request.user
            )
        except services.ReferenceTaken:
            raise _reference_taken() from None
        except services.TooManyDrafts as exc:
            raise _too_many_drafts(exc.limit) from None
        response = self.detail_response(request, proposal.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:proposal-detail", args=[proposal.pk])
        return response


class ProposalDetailView(ProposalMixin, ApiGenericView):
    """One proposal (404 when it is not the user's and they are not an officer or admin);
    PUT/PATCH/DELETE while it is a draft, by its owner or an admin."""

    serializer_class = ProposalSerializer

    @extend_schema(tags=TAGS, summary=gettext_lazy("一份申报书（含单位、人员；证件号码完整显示，如详情页）"))
    def get(self, request, pk: int):
        return self.detail_response(request, pk)

    def _save(self, request, proposal, body) -> Response:
        if proposal.state != ProposalState.DRAFT:
            raise _not_editable()
        serializer = ProposalSerializer(data=body, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            services.proposal_update(
                proposal=proposal, data=serializer.validated_data["data"], by=request.user
            )
        except services.ReferenceTaken:
            raise _reference_taken() from None
        except services.ProposalNotEditable:
            raise _not_editable() from None
        return self.detail_response(request, proposal.pk)

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("替换草稿的全部内容（未给出的字段清空）"),
        responses={200: ProposalSerializer, 409: error_response(409)},
    )
    def put(self, request, pk: int):
        proposal = proposal_for_change(request, pk)
        return self._save(request, proposal, body_object(request))

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("修改草稿：给出的顶层字段替换原值，其余不变"),
        responses={200: ProposalSerializer, 409: error_response(409)},
    )
    def patch(self, request, pk: int):
        proposal = proposal_for_change(request, pk)
        body = body_object(request)
        current = data_to_body(selectors.proposal_to_data(proposal))
        return self._save(request, proposal, {**current, **body})

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("删除草稿"),
        responses={204: None, 409: error_response(409, gettext_lazy("只有草稿可以删除"))},
    )
    def delete(self, request, pk: int):
        proposal = proposal_for_change(request, pk)
        try:
            services.proposal_delete(proposal=proposal, by=request.user)
        except services.ProposalNotEditable:
            raise ApiError(status_code=409, code="not_editable", message=_("只有草稿可以删除。")) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def submit_confirmation(proposal, *, confirm: bool) -> ApiError | None:
    """As the pages: when the latest check of the draft fails conditions (the
    settings.SUBMIT_WARNINGS hook lists them) and the request does not confirm, the 409
    that lists them; None when submitting may go ahead."""
    if confirm or not settings.SUBMIT_WARNINGS or proposal.state != ProposalState.DRAFT:
        return None
    failures = import_string(settings.SUBMIT_WARNINGS)(proposal)
    if not failures:
        return None
    return ApiError(
        status_code=409,
        code="confirmation_required",
        message=_(
            '按草稿现在的内容检查，有 %(count)d 项条件不通过；确认仍要提交，请在请求中加上 "confirm": true。'
        )
        % {"count": len(failures)},
        checks=[{"rule": rule, "title": str(title)} for rule, title in failures],
    )


class ProposalSubmitView(ProposalMixin, ApiView):
    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("提交草稿（随后在后台预审）"),
        description=gettext_lazy(
            "提交前检查草稿：有需要修改的字段时答 400 not_submittable（fields 列出各处），草稿不变；"
            "按草稿现在的内容检查有不通过的条件而未确认时答 409 confirmation_required（checks 列出条件）；"
            "不是草稿时答 409 not_a_draft。"
        ),
        request=SubmitSerializer,
        responses={200: ProposalSerializer, 409: error_response(409)},
    )
    def post(self, request, pk: int):
        proposal = proposal_for_change(request, pk)
        serializer = SubmitSerializer(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        if proposal.state != ProposalState.DRAFT:
            raise ApiError(status_code=409, code="not_a_draft", message=_("只有草稿可以提交。"))
        confirmation = submit_confirmation(proposal, confirm=serializer.validated_data["confirm"])
        if confirmation is not None:
            raise confirmation
        try:
            errors = services.proposal_submit(proposal=proposal, by=request.user)
        except services.TransitionNotAllowed:
            raise ApiError(status_code=409, code="not_a_draft", message=_("只有草稿可以提交。")) from None
        if errors:
            fields: dict[str, list[str]] = {}
            for error in errors:
                fields.setdefault(error.path, []).append(str(error.message))
            raise ApiError(
                status_code=400,
                code="not_submittable",
                message=_("还不能提交：有 %(count)d 处需要修改。") % {"count": len(errors)},
                fields=fields,
            )
        return self.detail_response(request, pk)


class ProposalReopenView(ProposalMixin, ApiView):
    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("撤回为草稿（已提交或已预审的申报书）"),
        request=None,
        responses={200: ProposalSerializer, 409: error_response(409)},
    )
    def post(self, request, pk: int):
        proposal = proposal_for_change(request, pk)
        if not selectors.proposal_can_reopen(user=request.user, proposal=proposal):
            raise _not_reopenable(proposal)
        try:
            services.proposal_reopen(proposal=proposal, by=request.user)
        except services.TransitionNotAllowed:
            raise _not_reopenable(proposal) from None
        return self.detail_response(request, pk)


def _not_reopenable(proposal) -> ApiError:
    if proposal.state == ProposalState.DRAFT:
        message = _("这份申报书已经是草稿。")
    else:
        message = _("预审进行中的申报书不能撤回，请稍后再试。")
    return ApiError(status_code=409, code="not_reopenable", message=message)
