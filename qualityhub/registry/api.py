"""The registry API: enterprises and products, validated by the same forms as the
pages and imports, scoped by the same rules."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from qualityhub.core.api import ActorContextMixin, FormBackedSerializer, ScopedViewSet
from qualityhub.registry import selectors, services
from qualityhub.registry.filters import EnterpriseFilter, ProductFilter
from qualityhub.registry.forms import EnterpriseForm, ProductForm
from qualityhub.registry.models import Industry, Product, Region


class EnterpriseSerializer(FormBackedSerializer):
    form_class = EnterpriseForm

    id = serializers.IntegerField(read_only=True)
    uscc = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(help_text="区县代码或名称")
    city = serializers.CharField(source="city_id", read_only=True)
    industry = serializers.CharField(required=False, allow_blank=True, help_text="GB/T 4754-2017 代码")
    size = serializers.CharField(required=False, allow_blank=True)
    honours = serializers.ListField(child=serializers.CharField(), required=False)
    legal_representative = serializers.CharField(required=False, allow_blank=True)
    established_on = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)

    def to_representation(self, obj):
        profile = getattr(obj, "profile", None)
        return {
            "id": obj.pk,
            "uscc": obj.uscc,
            "name": obj.name,
            "region": obj.region_id,
            "city": obj.city_id,
            "industry": profile.industry_id if profile else None,
            "size": profile.size if profile else "",
            "honours": [h.code for h in profile.honours.all()] if profile else [],
            "legal_representative": profile.legal_representative if profile else "",
            "established_on": profile.established_on.isoformat() if profile and profile.established_on else None,
            "address": profile.address if profile else "",
            "status": obj.status,
        }

    def current_values(self):
        current = self.to_representation(self.instance)
        current.pop("id"), current.pop("city")
        current["honours"] = "；".join(current["honours"])
        return {k: ("" if v is None else str(v) if not isinstance(v, str) else v) for k, v in current.items()}

    def create(self, validated_data):
        return services.enterprise_save(actor=self.context["actor"], data=self.validated_form.cleaned_data)[0]

    def update(self, instance, validated_data):
        return services.enterprise_save(actor=self.context["actor"], data=self.validated_form.cleaned_data, instance=instance)[0]


class ProductSerializer(FormBackedSerializer):
    form_class = ProductForm

    id = serializers.IntegerField(read_only=True)
    enterprise_uscc = serializers.CharField(required=False, allow_blank=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    name = serializers.CharField(max_length=200)
    brand = serializers.CharField(required=False, allow_blank=True)
    model = serializers.CharField(max_length=100)
    category = serializers.CharField(required=False, allow_blank=True)
    hs_code = serializers.CharField(required=False, allow_blank=True)
    standards = serializers.ListField(child=serializers.CharField(), required=False)
    export_markets = serializers.ListField(child=serializers.CharField(), required=False)
    is_public = serializers.BooleanField(required=False, default=True)

    def to_representation(self, obj):
        return {
            "id": obj.pk,
            "enterprise": obj.enterprise_id,
            "enterprise_uscc": obj.enterprise.uscc,
            "name": obj.name,
            "brand": obj.brand,
            "model": obj.model,
            "category": obj.category,
            "hs_code": obj.hs_code,
            "standards": [s.code for s in obj.standards.all()],
            "export_markets": obj.export_markets,
            "is_public": obj.is_public,
        }

    def form_data(self, attrs):
        data = super().form_data(attrs)
        data.setdefault("is_public", "是")
        return data

    def current_values(self):
        current = self.to_representation(self.instance)
        return {
            "name": current["name"], "brand": current["brand"], "model": current["model"], "category": current["category"],
            "hs_code": current["hs_code"], "standards": "；".join(current["standards"]),
            "export_markets": "；".join(current["export_markets"]), "is_public": "是" if current["is_public"] else "否",
        }

    def create(self, validated_data):
        return services.product_save(actor=self.context["actor"], data=self.validated_form.cleaned_data)[0]

    def update(self, instance, validated_data):
        return services.product_save(actor=self.context["actor"], data=self.validated_form.cleaned_data, instance=instance)[0]


@extend_schema_view(
    list=extend_schema(summary="企业列表", description="按名称片段或信用代码搜索，按地市、行业、规模、荣誉筛选。"),
    retrieve=extend_schema(summary="企业详情"),
)
class EnterpriseViewSet(ActorContextMixin, ScopedViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    ordering_fields = ["id", "name", "uscc"]
    ordering = ["-id"]
    queryset = selectors.enterprise_queryset()

    def base_queryset(self):
        return selectors.enterprise_list(actor=self.actor)

    def get_queryset(self):
        return self.base_queryset()  # already scoped by the selector

    def perform_create(self, serializer):
        if not (self.actor.is_regulator or self.actor.is_platform_admin):
            raise PermissionDenied(_("只有市场监管部门可以登记新企业。"))
        serializer.save()

    def perform_destroy(self, instance):
        raise PermissionDenied(_("企业登记记录不能删除，请将状态改为注销。"))


@extend_schema_view(list=extend_schema(summary="产品列表"), retrieve=extend_schema(summary="产品详情"))
class ProductViewSet(ActorContextMixin, ScopedViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    ordering_fields = ["id", "name", "model"]
    ordering = ["-id"]
    queryset = Product.objects.all()

    def base_queryset(self):
        return Product.objects.select_related("enterprise").prefetch_related("standards")

    def perform_destroy(self, instance):
        services.product_delete(actor=self.actor, product=instance)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "city"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["code", "name", "level", "parent"]


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """GB/T 2260 divisions of Guangdong (reference data)."""

    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    pagination_class = None
    filterset_fields = ["level", "parent", "city"]


class IndustryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """GB/T 4754-2017 sections and divisions (reference data)."""

    queryset = Industry.objects.order_by("code")
    serializer_class = IndustrySerializer
    pagination_class = None
    filterset_fields = ["level", "parent"]
