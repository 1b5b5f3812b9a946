"""Screening through the API, with the report page's rules (screening.views): a proposal's
runs and report for whoever may see the proposal (its owner, officers, admins; anyone else
404), findings redacted for applicants exactly as on the report page, a check started by
the same service as the "检查" button, and the registries (admins upload; others read)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from common.api.permissions import ReadOrAdmin
from common.api.views import ApiGenericView, ApiView
from proposals.selectors import proposals_visible_to

from .. import registries, services
from ..forms import RegistryUploadForm
from . import selectors
from .serializers import (
    RegistryImportedSerializer,
    RegistrySerializer,
    RegistryUploadSerializer,
    ReportSerializer,
    RunSerializer,
)

TAGS = ["screening"]


def proposal_for(user, pk: int):
    """Owner, officer or admin; anyone else gets a 404 (never a hint it exists)."""
    return get_object_or_404(proposals_visible_to(user=user), pk=pk)


def report_body(request, proposal, run) -> dict:
    language = translation.get_language()
    previous, lines = (
        (None, []) if run is None else selectors.report_lines(run=run, user=request.user, language=language)
    )
    return ReportSerializer(
        {
            "proposal": proposal.pk,
            "run": run,
            "previous_run": previous.pk if previous else None,
            "findings": lines,
        },
        context={"language": language},
    ).data


class RunListView(ApiGenericView):
    serializer_class = RunSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="runs_list",
        summary=gettext_lazy("一份申报书的全部预审运行（新的在前）"),
        responses={200: RunSerializer(many=True)},
    )
    def get(self, request, pk: int):
        runs = selectors.runs_of(proposal=proposal_for(request.user, pk))
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(RunSerializer(page, many=True).data)


class RunDetailView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="run_retrieve",
        summary=gettext_lazy("一次运行及其检查结果（与上一次完成的运行比较）"),
        responses={200: ReportSerializer},
    )
    def get(self, request, pk: int, run_pk: int):
        proposal = proposal_for(request.user, pk)
        run = get_object_or_404(selectors.runs_of(proposal=proposal), pk=run_pk)
        return Response(report_body(request, proposal, run))


class LatestReportView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="report_retrieve",
        summary=gettext_lazy("预审报告：最近一次运行及其检查结果"),
        description=gettext_lazy(
            "与预审报告页相同：结论、条款、说明与修改建议为请求的语言；申请人看到的涉及其他申报书的结果"
            "不含其他申报书的编号、名称和推荐单位。尚未预审时 run 为 null。"
        ),
        responses={200: ReportSerializer},
    )
    def get(self, request, pk: int):
        proposal = proposal_for(request.user, pk)
        return Response(report_body(request, proposal, selectors.run_latest(proposal=proposal)))


class CheckView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="check_create",
        summary=gettext_lazy("开始检查（与“检查”按钮相同）"),
        description=gettext_lazy(
            "排队一次预审；尚未开始的排队运行会被重用。答复这次运行的当前状态（在嵌入式默认配置下任务立即执行，"
            "运行可能已经完成）；Location 指向它的检查结果。"
        ),
        request=None,
        responses={202: RunSerializer},
    )
    def post(self, request, pk: int):
        proposal = proposal_for(request.user, pk)
        run = services.screening_request(proposal=proposal, by=request.user)
        run = selectors.runs_of(proposal=proposal).get(pk=run.pk)
        return Response(
            RunSerializer(run).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:run-detail", args=[proposal.pk, run.pk])},
        )


class RegistryListView(ApiView):
    """GET: every registry's load record (names, sizes and dates only: never the entries);
    any signed-in user. POST: replace one registry from a CSV file, through the same form and
    service as the registries page; admins only (403 for others)."""

    permission_classes = [ReadOrAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="registries_list",
        summary=gettext_lazy("名单及其加载情况"),
        responses={200: RegistrySerializer(many=True)},
    )
    def get(self, request):
        return Response(RegistrySerializer(selectors.registry_rows(), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="registries_upload",
        summary=gettext_lazy("上传名单（CSV，替换该名单的全部条目；仅管理员）"),
        request={"multipart/form-data": RegistryUploadSerializer},
        responses={201: RegistryImportedSerializer},
    )
    def post(self, request):
        form = RegistryUploadForm(request.data, request.FILES)
        if not form.is_valid():
            raise ValidationError(
                {("file" if name == "__all__" else name): messages for name, messages in form.errors.items()}
            )
        try:
            count = registries.registry_import_csv(
                name=form.cleaned_data["registry"],
                text=form.cleaned_data["text"],
                source=form.cleaned_data["file"].name,
                by=request.user,
            )
        except registries.RegistryImportError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        name = form.cleaned_data["registry"]
        row = next(row for row in selectors.registry_rows() if row[0] == name)
        return Response(RegistryImportedSerializer((*row, count)).data, status=status.HTTP_201_CREATED)
