"""The published guide, read-only and public (no sign-in): the years, one year at a glance,
its directions (with the direction list page's filters) and one direction."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from common.api.filters import refuse_blank
from common.api.schema import error_response
from common.api.views import ApiMixin
from guide import selectors as guide_selectors
from guide.filters import PARTNER_CHOICES, DirectionFilter

from . import selectors
from .serializers import DirectionSerializer, GuideListSerializer, GuideSerializer


class PublicGuideMixin(ApiMixin):
    permission_classes = [AllowAny]
    cacheable = True


@extend_schema(tags=["guide"], summary=_("已发布的指南（各年度）"))
class GuideListView(PublicGuideMixin, generics.ListAPIView):
    serializer_class = GuideListSerializer

    def get_queryset(self):
        return selectors.guide_list()


@extend_schema(
    tags=["guide"],
    summary=_("一个年度的指南概览：经费、总体要求、领域、配套比例与合作要求、形式审查条款、各范围的申报条件"),
)
class GuideDetailView(PublicGuideMixin, generics.RetrieveAPIView):
    serializer_class = GuideSerializer

    def get_object(self):
        return selectors.guide_overview(year=self.kwargs["year"])


DIRECTION_FILTERS = [
    OpenApiParameter("q", str, description=_("关键词（中文或英文：名称、研究内容、考核指标、说明）")),
    OpenApiParameter(
        "area", {"type": "integer", "minimum": 1}, description=_("领域编号（须为该年度指南中的领域）")
    ),
    OpenApiParameter(
        "ratio", str, description=_("配套比例：none（无配套要求）、any（有配套要求）或比例值，如 2（即 2:1）")
    ),
    OpenApiParameter(
        "partner", str, enum=[value for value, _label in PARTNER_CHOICES], description=_("合作要求")
    ),
    OpenApiParameter("type", str, description=_("项目类型，如 青年科学家项目（方向名称后标注的类型）")),
]


@extend_schema(
    tags=["guide"],
    summary=_("一个年度的全部方向（含考核指标、合作要求与适用的申报条件），可筛选"),
    parameters=DIRECTION_FILTERS,
    responses={200: DirectionSerializer(many=True), 400: error_response(400, _("筛选条件无效"))},
)
class DirectionListView(PublicGuideMixin, generics.ListAPIView):
    serializer_class = DirectionSerializer

    def get_queryset(self):
        guide = guide_selectors.guide_get(year=self.kwargs["year"])
        self.guide = guide
        refuse_blank(self.request.query_params, ("area", "partner"))
        filterset = DirectionFilter(
            self.request.query_params or None,
            queryset=selectors.direction_list(guide=guide),
            guide=guide,
            areas=list(guide.areas.order_by("number")),
            ratios=guide_selectors.ratio_choices(guide=guide),
            types=[name for name, _count in guide_selectors.project_types(guide=guide)],
        )
        if not filterset.is_bound:
            return filterset.queryset
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def get_serializer_context(self):
        # The guide's conditions, read once for every direction of the page (DirectionSerializer).
        context = super().get_serializer_context()
        guide = getattr(self, "guide", None)
        if guide is not None:
            context["guide_conditions"] = {guide.pk: guide_selectors.guide_conditions(guide=guide)}
        return context


@extend_schema(
    tags=["guide"], summary=_("一个方向：研究内容、考核指标、配套比例、合作要求、项目类型与适用的申报条件")
)
class DirectionDetailView(PublicGuideMixin, generics.RetrieveAPIView):
    serializer_class = DirectionSerializer

    def get_object(self):
        guide = guide_selectors.guide_get(year=self.kwargs["year"])
        return guide_selectors.direction_get(guide=guide, code=self.kwargs["code"])
